package lint

func init() {
	Register(&Rule{
		ID:       "governing-service-not-headless",
		Severity: Warning,
		Kinds:    workloadKinds,
		Findings: []string{
			"`serviceName` or `subdomain` names a Service with a cluster IP: per-pod names depend on CoreDNS going beyond the DNS specification, and the Service's own name answers its cluster IP",
		},
		Description: "A StatefulSet's `serviceName` or a pod's `subdomain` names a Service with a cluster IP: CoreDNS publishes the per-pod names anyway, but the Kubernetes DNS specification promises them only for headless Services, and the Service's own name answers its cluster IP instead of the pods.",
		Remediation: "Set `clusterIP: None` on that Service, and add a separate Service for load-balanced access.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				g, ok := governorOf(s, w)
				if !ok || g.svc == nil || isHeadless(g.svc) {
					continue
				}
				if _, isSTS := statefulSet(w); !isSTS && !selectsPod(g.svc, w) {
					continue // subdomain-service reports it
				}
				r.At(w.Obj, g.at, "%s", notHeadless(g.field, g.name, g.svc))
			}
		},
	})
}
