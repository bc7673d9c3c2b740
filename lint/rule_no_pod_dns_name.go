package lint

func init() {
	Register(&Rule{
		ID:       "no-pod-dns-name",
		Severity: Warning,
		Kinds:    workloadKinds,
		Findings: []string{
			"a StatefulSet without `serviceName`: its pods get no per-pod DNS names",
			"a pod with `subdomain` (selected by that Service) but no `hostname`: it gets no DNS name of its own",
		},
		Description: "A StatefulSet without `serviceName`, or a pod that sets `subdomain` (and is selected by that Service) but no `hostname`: the pods are endpoints of the Service but get no DNS names of their own.",
		Remediation: "Set `spec.serviceName` to the StatefulSet's headless Service; give each pod a `spec.hostname`.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				o := w.Obj
				if sts, ok := statefulSet(w); ok {
					if sts.Spec.ServiceName == "" {
						r.At(o, p("spec"), "StatefulSet %s has no spec.serviceName: its pods get no per-pod DNS names", o.Name)
					}
					continue
				}
				g, ok := governorOf(s, w)
				if !ok || g.svc == nil || !selectsPod(g.svc, w) || w.Template.Spec.Hostname != "" {
					continue
				}
				r.At(o, g.at, "subdomain %q is set but hostname is not, so %s no DNS name of its own; only the name of Service %s leads to %s", g.name, podsGet(w), g.name, podsOf(w))
			}
		},
	})
}
