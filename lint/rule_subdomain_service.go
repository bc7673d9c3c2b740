package lint

import (
	"fmt"
	"strings"
)

// notHeadless explains what a Service with a cluster IP means for the
// per-pod names of the pods that name it (as serviceName or subdomain).
func notHeadless(field, name string, svc *Object) string {
	return fmt.Sprintf("%s %q names a Service that is not headless (clusterIP %q): CoreDNS still publishes per-pod names for it, but the Service's own name resolves to its cluster IP instead of the pods, and the DNS specification promises per-pod names only for headless Services; set clusterIP: None",
		field, name, service(svc).Spec.ClusterIP)
}

func init() {
	Register(&Rule{
		ID:          "subdomain-service",
		Severity:    Error,
		Description: "A pod (or pod template) sets `subdomain` but no Service of that name in its namespace selects it, or it sets no `hostname`: it gets no DNS record of its own. A Service that is not headless is a warning: CoreDNS publishes the per-pod name anyway, but the specification does not promise it.",
		Remediation: "Create a headless Service named like the subdomain, in the pod's namespace, whose selector matches the pod's labels; and set `spec.hostname` to a name unique under that subdomain.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				if _, ok := statefulSet(w); ok {
					continue // the controller sets hostname and subdomain
				}
				spec, o := &w.Template.Spec, w.Obj
				if spec.Subdomain == "" {
					continue
				}
				at := w.Path("spec", "subdomain")
				svcs := s.Service(o.NS(), spec.Subdomain)
				switch {
				case len(svcs) == 0:
					var elsewhere []string
					for _, other := range s.ServicesNamed(spec.Subdomain) {
						elsewhere = append(elsewhere, other.NS())
					}
					if len(elsewhere) > 0 {
						r.At(o, at, "subdomain %q names Service %s in namespace %s, but a subdomain only works with a Service in the pod's own namespace %s", spec.Subdomain, spec.Subdomain, strings.Join(elsewhere, ", "), o.NS())
					} else {
						r.AtSeverity(Warning, o, at, "subdomain %q names no Service in the input (namespace %s): unless a headless Service of that name exists in the cluster, %s no DNS record", spec.Subdomain, o.NS(), podsGet(w))
					}
					continue
				case !selectsPod(svcs[0], w):
					r.At(o, at, "%s; %s, so %s no DNS record", selects(svcs[0]), labelled(w), podsGet(w))
					continue
				}
				if !isHeadless(svcs[0]) {
					r.AtSeverity(Warning, o, at, "%s", notHeadless("subdomain", spec.Subdomain, svcs[0]))
					continue
				}
				if spec.Hostname == "" {
					r.AtSeverity(Warning, o, at, "subdomain %q is set but hostname is not: the pod is an endpoint of Service %s, but gets no DNS name of its own", spec.Subdomain, spec.Subdomain)
				}
			}
		},
	})
}

// podsGet is the subject and verb for a workload's pods: "the pod gets".
func podsGet(w *Workload) string {
	if w.TemplatePath == nil {
		return "the pod gets"
	}
	return "its pods get"
}
