package lint

func init() {
	Register(&Rule{
		ID:       "subdomain-service",
		Severity: Error,
		Kinds:    workloadKinds[1:],
		Findings: []string{
			"`subdomain` names a Service (in the pod's namespace) that does not select the pod: no DNS record of its own",
			"`subdomain` names a Service that exists only in another namespace (both namespaces known): no DNS record of its own",
		},
		Description: "A pod (or pod template) sets `subdomain`, but the Service of that name in its namespace does not select it, or that Service exists only in another namespace: the pod gets no DNS record of its own.",
		Remediation: "Make the Service's `spec.selector` a subset of the pod's labels, in the pod's namespace.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				if _, ok := statefulSet(w); ok {
					continue // the controller sets the subdomain from serviceName
				}
				g, ok := governorOf(s, w)
				switch {
				case !ok:
				case g.svc == nil && len(g.maybe) == 0 && len(g.elsewhere) > 0:
					r.At(w.Obj, g.at, "subdomain %q names Service %s in namespace %s, but a subdomain only works with a Service in the pod's own namespace %s, so %s no DNS record", g.name, g.name, namespaces(g.elsewhere), w.Obj.space, podsGet(w))
				case g.svc != nil && !selectsPod(g.svc, w):
					r.At(w.Obj, g.at, "%s; %s, so %s no DNS record", selects(g.svc), labelled(w), podsGet(w))
				}
			}
		},
	})
}
