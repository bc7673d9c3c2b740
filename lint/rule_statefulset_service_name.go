package lint

func init() {
	Register(&Rule{
		ID:       "statefulset-service-name",
		Severity: Error,
		Kinds:    []string{"StatefulSet"},
		Findings: []string{
			"`serviceName` names a Service that exists only in another namespace (both namespaces known): the pods get no per-pod DNS names",
		},
		Description: "A StatefulSet's `serviceName` names a Service that exists only in another namespace: `serviceName` always refers to the StatefulSet's own namespace, so its pods get no per-pod DNS names.",
		Remediation: "Put the headless Service in the StatefulSet's namespace (or the StatefulSet in the Service's).",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				if _, ok := statefulSet(w); !ok {
					continue
				}
				g, ok := governorOf(s, w)
				if !ok || g.svc != nil || len(g.maybe) > 0 || len(g.elsewhere) == 0 {
					continue
				}
				r.At(w.Obj, g.at, "serviceName %q names Service %s in namespace %s, but serviceName always refers to the StatefulSet's own namespace %s, so its pods get no DNS names", g.name, g.name, namespaces(g.elsewhere), w.Obj.space)
			}
		},
	})
}
