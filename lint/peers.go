package lint

import (
	"maps"
	"slices"
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

// objectRefs returns the host references in an object's configuration
// (a pod template's commands, arguments and environment values; a
// ConfigMap's data), sorted, and the ConfigMaps a pod template reads.
func objectRefs(typed any) (refs, configMaps []string) {
	set := map[string]bool{}
	if cm, ok := typed.(*corev1.ConfigMap); ok {
		for _, v := range cm.Data {
			hostRefs(v, set)
		}
	} else if spec := podSpecOf(typed); spec != nil {
		configMaps = podConfigRefs(spec, set)
	}
	return slices.Sorted(maps.Keys(set)), configMaps
}

// podConfigRefs adds the host references in a pod spec's commands,
// arguments and environment values to refs, and returns the names of the
// ConfigMaps it reads.
func podConfigRefs(spec *corev1.PodSpec, refs map[string]bool) (configMaps []string) {
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
	return configMaps
}

// peerName returns a per-pod DNS name of headless Service svc that the
// configuration of StatefulSet w's pods uses ("db-1.db-h", or one built from
// a variable such as "$(POD_NAME).db-h"), and where it is; "" when there is
// none.
func peerName(s *Set, w *Workload, svc string) (name, where string) {
	if n := matchPeer(w.hostRefs, w.Obj.Name, svc); n != "" {
		return n, "the pod template"
	}
	for _, cm := range w.configMaps {
		if o := s.ConfigMap(w.Obj.space, cm); o != nil {
			if n := matchPeer(o.view.(*configMapView).hostRefs, w.Obj.Name, svc); n != "" {
				return n, "ConfigMap " + cm
			}
		}
	}
	return "", ""
}

// matchPeer returns the first of refs (sorted) that names a pod of
// StatefulSet sts under Service svc.
func matchPeer(refs []string, sts, svc string) string {
	for _, ref := range refs {
		first, second, _ := strings.Cut(ref, ".")
		if second == svc && (strings.HasPrefix(first, sts+"-") || strings.HasPrefix(first, "$")) {
			return ref
		}
	}
	return ""
}
