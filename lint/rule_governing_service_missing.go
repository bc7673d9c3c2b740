package lint

func init() {
	Register(&Rule{
		ID:       "governing-service-missing",
		Severity: Warning,
		Kinds:    workloadKinds,
		Findings: []string{
			"`serviceName` or `subdomain` names no Service in the input: the names exist only if the cluster has that headless Service",
			"`serviceName` or `subdomain` names a Service that shares the workload's namespace only when the input is applied to a particular namespace (one has `metadata.namespace`, the other none, and no `--namespace`)",
		},
		Description: "A StatefulSet's `serviceName` or a pod's `subdomain` names no Service in the input, or one that is in the workload's namespace only if the input is applied to a particular namespace (one of them has `metadata.namespace`, the other has none): the pods get DNS names only if a headless Service of that name is in their namespace in the cluster.",
		Remediation: "Lint the headless Service together with the workload; pass `--namespace` with the namespace the input is applied to, as you would to kubectl.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				g, ok := governorOf(s, w)
				if !ok || g.svc != nil || (len(g.elsewhere) > 0 && len(g.maybe) == 0) {
					continue
				}
				if len(g.maybe) > 0 {
					ns := g.maybe[0].space
					if ns == "" {
						ns = w.Obj.space
					}
					r.At(w.Obj, g.at, "%s %q names Service %s, which is in %s while %s is in %s: they share a namespace only when the input is applied to namespace %s (say so with --namespace %s); otherwise %s no DNS record",
						g.field, g.name, g.name, nsPhrase(g.maybe[0]), w.Obj.Ref(), nsPhrase(w.Obj), ns, ns, podsGet(w))
					continue
				}
				r.At(w.Obj, g.at, "%s %q names no Service in the input (%s): unless a headless Service of that name exists there in the cluster, %s no DNS record", g.field, g.name, nsPhrase(w.Obj), podsGet(w))
			}
		},
	})
}
