package lint

func init() {
	Register(&Rule{
		ID:          "governing-service-missing",
		Severity:    Warning,
		Kinds:       workloadKinds,
		Description: "A StatefulSet's `serviceName` or a pod's `subdomain` names no Service in the input: the pods get DNS names only if a headless Service of that name exists in the cluster.",
		Remediation: "Lint the headless Service together with the workload, or create it in the workload's namespace.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				g, ok := governorOf(s, w)
				if !ok || g.svc != nil || len(g.elsewhere) > 0 {
					continue
				}
				r.At(w.Obj, g.at, "%s %q names no Service in the input (namespace %s): unless a headless Service of that name exists in the cluster, %s no DNS record", g.field, g.name, w.Obj.NS(), podsGet(w))
			}
		},
	})
}
