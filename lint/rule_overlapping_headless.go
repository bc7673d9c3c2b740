package lint

import "github.com/headless-k8s/headless/dns"

func init() {
	Register(&Rule{
		ID:          "overlapping-headless",
		Severity:    Warning,
		Kinds:       []string{"Service"},
		Description: "Two headless Services select the same pods: each pod is published under both, which usually means a copied Service was not renamed or re-pointed.",
		Remediation: "Keep one headless Service per set of pods, or make the selectors disjoint.",
		Check: func(s *Set, r *Reporter) {
			first := map[*dns.Pod]*Object{}
			for _, o := range s.Services {
				svc := service(o)
				if !isHeadless(o) || len(svc.Spec.Selector) == 0 {
					continue
				}
				reported := map[*Object]bool{}
				for _, pod := range s.Pods.Select(o.space, svc.Spec.Selector) {
					prev, ok := first[pod]
					if !ok {
						first[pod] = o
						continue
					}
					if !reported[prev] {
						reported[prev] = true
						r.At(o, p("spec", "selector"), "headless Service %s selects the same pods as headless Service %s (%s): each pod is published under both names", o.Name, prev.Name, podsOf(s.Owner(pod)))
					}
				}
			}
		},
	})
}
