package lint

import (
	"strings"
)

func init() {
	Register(&Rule{
		ID:          "statefulset-service-name",
		Severity:    Error,
		Description: "A StatefulSet's `serviceName` is missing, names no Service in the input or one that exists only in another namespace (its pods get no per-pod DNS names), or names a Service that is not headless (a warning: CoreDNS publishes the names anyway, the specification does not promise them).",
		Remediation: "Set `spec.serviceName` to a headless Service (`clusterIP: None`) in the StatefulSet's namespace that selects its pods.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				sts, ok := statefulSet(w)
				if !ok {
					continue
				}
				o, name := w.Obj, sts.Spec.ServiceName
				if name == "" {
					r.AtSeverity(Warning, o, p("spec"), "StatefulSet %s has no spec.serviceName: its pods get no per-pod DNS names", o.Name)
					continue
				}
				here := s.Service(o.NS(), name)
				if len(here) == 0 {
					var elsewhere []string
					for _, other := range s.ServicesNamed(name) {
						elsewhere = append(elsewhere, other.NS())
					}
					if len(elsewhere) > 0 {
						r.At(o, p("spec", "serviceName"), "serviceName %q names Service %s in namespace %s, but serviceName always refers to the StatefulSet's own namespace %s", name, name, strings.Join(elsewhere, ", "), o.NS())
						continue
					}
					r.AtSeverity(Warning, o, p("spec", "serviceName"), "serviceName %q names no Service in the input (namespace %s): unless it exists in the cluster, the pods get no DNS names", name, o.NS())
					continue
				}
				if svc := here[0]; !isHeadless(svc) {
					r.AtSeverity(Warning, o, p("spec", "serviceName"), "%s", notHeadless("serviceName", name, svc))
				}
			}
		},
	})
}
