package generator

import (
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/headless-k8s/headless/dns"
)

// A host name in the configuration is a run of name characters and
// variable references: $(VAR) as Kubernetes expands it in commands and
// arguments, ${VAR} and $VAR as a shell does.
type nameRun struct {
	text string
	vars bool // it contains a variable reference
}

// scanRuns splits text into the runs that could be host names.
func scanRuns(text string) []nameRun {
	var runs []nameRun
	var b strings.Builder
	vars := false
	flush := func() {
		s := strings.TrimRight(b.String(), ".-")
		if strings.Contains(s, ".") {
			runs = append(runs, nameRun{text: s, vars: vars})
		}
		b.Reset()
		vars = false
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case isNameChar(c):
			b.WriteByte(c)
			i++
		case c == '$':
			if n := varRefLen(text[i:]); n > 0 {
				b.WriteString(text[i : i+n])
				vars = true
				i += n
				continue
			}
			flush()
			i++
		default:
			flush()
			i++
		}
	}
	flush()
	return runs
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}

func isVarChar(c byte, first bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || !first && c >= '0' && c <= '9'
}

// varRefLen returns the length of the variable reference at the start of s
// ($(VAR), ${VAR} or $VAR), or 0.
func varRefLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	open, close := s[1], byte(0)
	switch open {
	case '(':
		close = ')'
	case '{':
		close = '}'
	}
	start := 1
	if close != 0 {
		start = 2
	}
	n := start
	for n < len(s) && isVarChar(s[n], n == start) {
		n++
	}
	if n == start {
		return 0
	}
	if close != 0 {
		if n >= len(s) || s[n] != close {
			return 0
		}
		n++
	}
	return n
}

// varName returns the name of the reference at the start of s and its length.
func varName(s string) (string, int) {
	n := varRefLen(s)
	name := strings.Trim(s[1:n], "(){}")
	return name, n
}

// expand replaces the variable references of run with values; ok is false
// when a variable has no value the check can know.
func expand(run string, values map[string]string) (out, missing string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(run); {
		if run[i] != '$' {
			b.WriteByte(run[i])
			i++
			continue
		}
		name, n := varName(run[i:])
		v, known := values[name]
		if !known {
			return "", name, false
		}
		b.WriteString(v)
		i += n
	}
	return b.String(), "", true
}

// clusterName returns the fully qualified cluster name that host refers to
// — the name itself when it ends in .svc.<domain>, or a short form
// <host>.<service>[.<namespace>[.svc]] of one of services completed — and
// whether it refers to one at all.
func clusterName(host, namespace, domain string, services []string) (string, bool) {
	host = strings.ToLower(host)
	if strings.HasSuffix(host, ".svc."+domain) {
		return host, true
	}
	labels := strings.Split(host, ".")
	rest := []string{namespace, "svc"}
	for i, l := range labels {
		// <service>… or <hostname>.<service>…: a service name further
		// in (process.env.mongodb) is something else.
		if i > 1 || !slices.Contains(services, l) {
			continue
		}
		tail := labels[i+1:]
		if len(tail) > len(rest) || !slices.Equal(tail, rest[:len(tail)]) {
			continue
		}
		return strings.Join(labels[:i+1], ".") + "." + namespace + ".svc." + domain, true
	}
	return "", false
}

// hostUse is one host name written into the configuration.
type hostUse struct {
	where   string // e.g. "ConfigMap db-config key start.sh", or "StatefulSet db container db"
	written string // as written, variables unexpanded
	name    string // the fully qualified name it refers to for pod
	pod     *dns.Pod
	problem string // why it could not be resolved to a name
}

// containerTexts returns the configuration of p's containers: command
// and arguments, and environment values.
func containerTexts(p *dns.Pod) []configText {
	var out []configText
	for _, cs := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for _, c := range cs {
			where := p.Owner + " container " + c.Name
			if p.Owner == "" {
				where = "Pod " + p.Name + " container " + c.Name
			}
			out = append(out, configText{where, strings.Join(append(slices.Clone(c.Command), c.Args...), " ")})
			for _, e := range c.Env {
				out = append(out, configText{where + " env " + e.Name, e.Value})
			}
		}
	}
	return out
}

// configText is a piece of configuration and where it is.
type configText struct {
	where string
	text  string
}

// envValues returns the values the variables of p's containers take that
// can be known before the pod runs: literal values, the downward API's
// name, namespace and pod-index label, and HOSTNAME, which the container
// runtime sets to the pod's hostname.
func envValues(p *dns.Pod, c corev1.Container) map[string]string {
	values := map[string]string{"HOSTNAME": p.Hostname}
	if values["HOSTNAME"] == "" {
		values["HOSTNAME"] = p.Name
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			values[e.Name] = e.Value
		case e.ValueFrom.FieldRef != nil:
			switch path := e.ValueFrom.FieldRef.FieldPath; path {
			case "metadata.name":
				values[e.Name] = p.Name
			case "metadata.namespace":
				values[e.Name] = p.Namespace
			default:
				if key, ok := strings.CutPrefix(path, "metadata.labels['"); ok {
					if v, ok := p.Labels[strings.TrimSuffix(key, "']")]; ok {
						values[e.Name] = v
					}
				}
			}
		}
	}
	return values
}

// hostUses finds every host name written into the configuration of pods and
// resolves each, for each pod, to the cluster name it means. A run without
// variables means the same for every pod and is resolved once; a run with
// variables is expanded for each pod that reads it. A ConfigMap is scanned
// once, however many pods mount it.
func hostUses(pods []*dns.Pod, configMaps map[string]*corev1.ConfigMap, domain string, services []string) []hostUse {
	var out []hostUse
	valuesOf := map[*dns.Pod]map[string]string{}
	values := func(p *dns.Pod) map[string]string {
		v, ok := valuesOf[p]
		if !ok {
			v = map[string]string{}
			if len(p.Spec.Containers) > 0 {
				v = envValues(p, p.Spec.Containers[0])
			}
			valuesOf[p] = v
		}
		return v
	}
	resolve := func(where string, r nameRun, p *dns.Pod) {
		host, missing, ok := expand(r.text, values(p))
		if !ok {
			// Only a run that names a cluster host matters: test the
			// run's shape with the references' "$" dropped.
			if _, named := clusterName(strings.ReplaceAll(r.text, "$", ""), p.Namespace, domain, services); named {
				out = append(out, hostUse{where: where, written: r.text, pod: p,
					problem: "$" + missing + " has no value known before the pod runs"})
			}
			return
		}
		if name, named := clusterName(host, p.Namespace, domain, services); named {
			out = append(out, hostUse{where: where, written: r.text, name: name, pod: p})
		}
	}
	// scan resolves the runs of text for the pods that read it.
	scan := func(where, text string, readers []*dns.Pod) {
		for _, r := range scanRuns(text) {
			if !r.vars {
				resolve(where, r, readers[0])
				continue
			}
			for _, p := range readers {
				resolve(where, r, p)
			}
		}
	}

	mountedBy := map[string][]*dns.Pod{}
	done := map[string]bool{} // a StatefulSet's pods share their containers' texts
	for _, p := range pods {
		for _, v := range p.Spec.Volumes {
			if v.ConfigMap != nil && configMaps[v.ConfigMap.Name] != nil {
				mountedBy[v.ConfigMap.Name] = append(mountedBy[v.ConfigMap.Name], p)
			}
		}
		var readers []*dns.Pod
		if p.Owner != "" {
			if done[p.Owner] {
				continue
			}
			done[p.Owner] = true
			for _, q := range pods {
				if q.Owner == p.Owner {
					readers = append(readers, q)
				}
			}
		} else {
			readers = []*dns.Pod{p}
		}
		for _, ct := range containerTexts(p) {
			scan(ct.where, ct.text, readers)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(mountedBy)) {
		cm := configMaps[name]
		for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
			scan("ConfigMap "+cm.Name+" key "+k, cm.Data[k], mountedBy[name])
		}
	}
	return out
}

// podsOf returns the pods of the typed objects, as cluster DNS sees them.
func podsOf(objects []any) []*dns.Pod {
	var pods []*dns.Pod
	for _, o := range objects {
		switch o := o.(type) {
		case *corev1.Pod:
			p := dns.FromPod(o)
			pods = append(pods, &p)
		case *appsv1.StatefulSet:
			for _, p := range dns.FromStatefulSet(o) {
				pods = append(pods, &p)
			}
		}
	}
	return pods
}
