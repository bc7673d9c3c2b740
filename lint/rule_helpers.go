package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/headless-k8s/headless/dns"
)

// workloadKinds are the kinds that run pods, StatefulSet first.
var workloadKinds = []string{"StatefulSet", "Pod", "Deployment", "ReplicaSet", "DaemonSet", "Job", "CronJob", "ReplicationController"}

// p builds a JSON path from keys and list indexes.
func p(parts ...any) []string {
	out := make([]string, len(parts))
	for i, x := range parts {
		switch v := x.(type) {
		case string:
			out[i] = v
		case int:
			out[i] = strconv.Itoa(v)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// service returns the view of a Service.
func service(o *Object) *serviceView { return o.viewOf().(*serviceView) }

// isHeadless reports whether a Service is headless (dns.IsHeadless).
func isHeadless(o *Object) bool { return service(o).Spec.ClusterIP == corev1.ClusterIPNone }

// statefulSet returns the StatefulSet part of a workload's view.
func statefulSet(w *Workload) (*statefulSetView, bool) { return w.sts, w.sts != nil }

// podsOf describes a workload's pods for messages: "the pods of StatefulSet db".
func podsOf(w *Workload) string {
	if w.TemplatePath == nil {
		return "Pod " + w.Obj.Name
	}
	return "the pods of " + w.Obj.Ref()
}

// labelled describes a workload's pod labels for messages.
func labelled(w *Workload) string {
	verb := "are"
	if w.TemplatePath == nil {
		verb = "is"
	}
	return fmt.Sprintf("%s %s labelled %s", podsOf(w), verb, dns.FormatLabels(w.Template.Labels))
}

// selects describes a Service's selector for messages.
func selects(o *Object) string {
	return fmt.Sprintf("Service %s selects %s", o.Name, dns.FormatLabels(service(o).Spec.Selector))
}

// governed returns, per "ns/service", the StatefulSets whose serviceName
// names that Service.
func governed(s *Set) map[string][]*Workload {
	out := map[string][]*Workload{}
	for _, w := range s.Workloads {
		if sts, ok := statefulSet(w); ok && sts.Spec.ServiceName != "" {
			key := w.Obj.space + "/" + sts.Spec.ServiceName
			out[key] = append(out[key], w)
		}
	}
	return out
}

// decodeIssues is the check of the rules whose findings strict decoding
// already made (with their positions): it reports the issues of kinds.
func decodeIssues(kinds ...issueKind) func(*Set, *Reporter) {
	return func(s *Set, r *Reporter) {
		for _, o := range s.Objects {
			for _, is := range o.issues {
				if slices.Contains(kinds, is.kind) {
					r.atPos(o, is.line, is.col, "%s", is.message)
				}
			}
		}
	}
}

// governor is the Service a workload's pods name to get DNS names of their
// own: a StatefulSet's serviceName, or a pod's subdomain.
type governor struct {
	// field is "serviceName" or "subdomain"; name its value; at its path.
	field, name string
	at          []string
	// svc is the Service of that name in the workload's namespace, or nil.
	svc *Object
	// elsewhere are the Services of that name in other namespaces.
	elsewhere []*Object
	// maybe are the Services of that name that are in the workload's
	// namespace only if the input is applied to a particular one: one side
	// has a namespace, the other has none and lint was not told which.
	maybe []*Object
}

// governorOf returns the Service w's pods name, or false when they name
// none. StatefulSets are governed by serviceName (the controller sets the
// pods' subdomain to it); other workloads by their pods' subdomain.
func governorOf(s *Set, w *Workload) (governor, bool) {
	g := governor{field: "subdomain", name: w.Template.Spec.Subdomain, at: w.Path("spec", "subdomain")}
	if sts, ok := statefulSet(w); ok {
		g = governor{field: "serviceName", name: sts.Spec.ServiceName, at: p("spec", "serviceName")}
	}
	if g.name == "" {
		return g, false
	}
	if here := s.Service(w.Obj.space, g.name); len(here) > 0 {
		g.svc = here[0]
		return g, true
	}
	for _, other := range s.ServicesNamed(g.name) {
		if other.space == "" || w.Obj.space == "" {
			g.maybe = append(g.maybe, other)
		} else {
			g.elsewhere = append(g.elsewhere, other)
		}
	}
	return g, true
}

// namespaces lists the namespaces of objects, comma-separated; an object
// without one is in "the namespace the input is applied to".
func namespaces(objs []*Object) string {
	var out []string
	for _, o := range objs {
		ns := o.space
		if ns == "" {
			ns = "the namespace the input is applied to"
		}
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return strings.Join(out, ", ")
}

// nsPhrase is "namespace ns", or for an object without a namespace (and
// none given) "the namespace the input is applied to".
func nsPhrase(o *Object) string {
	if o.space == "" {
		return "the namespace the input is applied to"
	}
	return "namespace " + o.space
}

// podsGet is the subject and verb for a workload's pods: "the pod gets".
func podsGet(w *Workload) string {
	if w.TemplatePath == nil {
		return "the pod gets"
	}
	return "its pods get"
}

// notHeadless explains what a Service with a cluster IP means for the
// per-pod names of the pods that name it (as serviceName or subdomain).
func notHeadless(field, name string, svc *Object) string {
	return fmt.Sprintf("%s %q names a Service that is not headless (clusterIP %q): CoreDNS still publishes per-pod names for it, but the Service's own name resolves to its cluster IP instead of the pods, and the DNS specification promises per-pod names only for headless Services; set clusterIP: None",
		field, name, service(svc).Spec.ClusterIP)
}

// describeWorkloads names up to three workloads' pods for messages.
func describeWorkloads(ws []*Workload) string {
	var parts []string
	for i, w := range ws {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ws)-3))
			break
		}
		parts = append(parts, w.Obj.Ref())
	}
	return strings.Join(parts, ", ")
}

func itoa(i int) string { return strconv.Itoa(i) }

// apiPath formats a JSON path as the API server does in its messages:
// "spec.ports[0].name".
func apiPath(path []string) string {
	var b strings.Builder
	for _, part := range path {
		if _, err := strconv.Atoi(part); err == nil {
			b.WriteString("[" + part + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

// invalid is the API server's answer for an invalid string value:
// `spec.ports[0].name: Invalid value: "HTTP": <why>`.
func invalid(path []string, value, why string) string {
	return fmt.Sprintf("%s: Invalid value: %q: %s", apiPath(path), value, why)
}

// containerLists are the container lists of a pod spec that declare ports,
// with their JSON keys.
func containerLists(spec *podSpecView) []struct {
	key  string
	list []containerView
} {
	return []struct {
		key  string
		list []containerView
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}}
}
