package lint

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// hostRefs returns the host names in text that may be per-pod DNS names:
// "first.second" for every dotted word whose first label has a '-' or a '$'
// ("db-0.db-h.data.svc…", "$(POD_NAME).db-h:5432", "db-$((i-1)).db"), each
// once. Only the first two labels matter: a pod's name and its Service's.
func hostRefs(text string, out map[string]bool) {
	for _, word := range strings.FieldsFunc(text, isHostDelimiter) {
		first, rest, ok := strings.Cut(word, ".")
		if !ok || first == "" || !strings.ContainsAny(first, "-$") {
			continue
		}
		end := 0
		for end < len(rest) && isLabelChar(rest[end]) {
			end++
		}
		if end > 0 {
			out[first+"."+rest[:end]] = true
		}
	}
}

func isHostDelimiter(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', ',', '=', '/', '@', ';', '[', ']', '<', '>', '|', '&', '\\', ':', '?', '#', '!':
		return true
	}
	return false
}

func isLabelChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
}

// podConfigRefs returns the host references in a pod template's own
// configuration (commands, arguments, environment values) and the names of
// the ConfigMaps it reads.
func podConfigRefs(spec *corev1.PodSpec) (refs map[string]bool, configMaps []string) {
	refs = map[string]bool{}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			c := &list[i]
			for _, s := range c.Command {
				hostRefs(s, refs)
			}
			for _, s := range c.Args {
				hostRefs(s, refs)
			}
			for _, e := range c.Env {
				hostRefs(e.Value, refs)
				if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
					configMaps = append(configMaps, e.ValueFrom.ConfigMapKeyRef.Name)
				}
			}
			for _, e := range c.EnvFrom {
				if e.ConfigMapRef != nil {
					configMaps = append(configMaps, e.ConfigMapRef.Name)
				}
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			configMaps = append(configMaps, v.ConfigMap.Name)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ConfigMap != nil {
					configMaps = append(configMaps, src.ConfigMap.Name)
				}
			}
		}
	}
	return refs, configMaps
}

// configMapRefs returns the host references in a ConfigMap's data.
func configMapRefs(cm *corev1.ConfigMap) map[string]bool {
	refs := map[string]bool{}
	for _, v := range cm.Data {
		hostRefs(v, refs)
	}
	return refs
}

// peerName returns a per-pod DNS name of headless Service svc that the
// configuration of StatefulSet w's pods uses ("db-1.db-h", or one built from
// a variable such as "$(POD_NAME).db-h"), and where it is; "" when there is
// none.
func peerName(s *Set, w *Workload, svc string) (name, where string) {
	refs, cms := podConfigRefs(&w.Template.Spec)
	if n := matchPeer(refs, w.Obj.Name, svc); n != "" {
		return n, "the pod template"
	}
	for _, cm := range cms {
		if o := s.ConfigMap(w.Obj.space, cm); o != nil {
			if n := matchPeer(configMapRefs(o.Typed.(*corev1.ConfigMap)), w.Obj.Name, svc); n != "" {
				return n, "ConfigMap " + cm
			}
		}
	}
	return "", ""
}

func matchPeer(refs map[string]bool, sts, svc string) string {
	best := ""
	for ref := range refs {
		first, second, _ := strings.Cut(ref, ".")
		if second == svc && (strings.HasPrefix(first, sts+"-") || strings.HasPrefix(first, "$")) && (best == "" || ref < best) {
			best = ref
		}
	}
	return best
}
