package lint

import (
	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:          "service-selects-nothing",
		Severity:    Warning,
		Kinds:       []string{"Service"},
		Description: "A headless Service's selector selects no pod of the input in its namespace, so cluster DNS publishes no record for it; lint names the pods it was most likely meant for and how their labels differ.",
		Remediation: "Make `spec.selector` a subset of the pods' labels (`spec.template.metadata.labels` of the workload).",
		Check: func(s *Set, r *Reporter) {
			for _, o := range s.Services {
				svc := service(o)
				if !isHeadless(o) || len(svc.Spec.Selector) == 0 || len(s.Pods.Select(o.space, svc.Spec.Selector)) > 0 {
					continue
				}
				candidates := s.Pods.InNamespace(o.space)
				if len(candidates) == 0 {
					continue // no workload in the input to compare with
				}
				best := closest(s, o, candidates)
				r.At(o, p("spec", "selector"), "%s, which no pod in the input has; %s", selects(o), labelled(best))
			}
		},
	})
}

// closest picks the workload a Service was most likely meant for: one
// whose pods name it as their subdomain (a StatefulSet's serviceName), else
// the one sharing the most selector labels.
func closest(s *Set, svc *Object, pods []*dns.Pod) *Workload {
	sel := service(svc).Spec.Selector
	var best *Workload
	bestScore := -1
	for _, pod := range pods {
		score := 0
		if pod.Subdomain == svc.Name {
			score = 1000
		}
		for k, v := range sel {
			if pod.Labels[k] == v {
				score += 2
			} else if _, ok := pod.Labels[k]; ok {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = s.Owner(pod), score
		}
	}
	return best
}
