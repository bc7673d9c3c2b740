package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:       "service-selects-nothing",
		Severity: Warning,
		Kinds:    []string{"Service"},
		Findings: []string{
			"a headless Service's selector selects no pod of the input in its namespace: no records; the message names the pods it nearly matches and the labels they lack",
		},
		Description: "A headless Service's selector selects no pod of the input in its namespace, so cluster DNS publishes no record for it; lint names the pods it nearly matches (those that name it as their subdomain or serviceName first, then those in the same file) and the labels they lack.",
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
				msg := fmt.Sprintf("headless Service %s selects %s, which no pod in the input has", o.Name, dns.FormatLabels(svc.Spec.Selector))
				if best, pod := closest(s, o, candidates); best != nil {
					where := "in this file"
					if best.Obj.File != o.File {
						where = "in " + best.Obj.File
					}
					msg += fmt.Sprintf("; nearest: %s %s, labelled %s (%s)", podsOf(best), where, dns.FormatLabels(best.Template.Labels), lacks(svc.Spec.Selector, pod.Labels))
				}
				r.At(o, p("spec", "selector"), "%s", msg)
			}
		},
	})
}

// closest picks the workload a Service was most likely meant for, and one
// of its pods: one whose pods name it as their subdomain (a StatefulSet's
// serviceName), else the one sharing the most of the selector, preferring
// the Service's own file; nil when no pod shares anything with it.
func closest(s *Set, svc *Object, pods []*dns.Pod) (*Workload, *dns.Pod) {
	sel := service(svc).Spec.Selector
	var (
		best    *Workload
		bestPod *dns.Pod
	)
	bestScore := 0
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
			} else if labelValueIn(pod.Labels, v) {
				score++ // the value under another key: app=db vs app.kubernetes.io/name=db
			}
		}
		w := s.Owner(pod)
		if score > 0 && w.Obj.File == svc.File {
			score += 50
		}
		if score > bestScore {
			best, bestPod, bestScore = w, pod, score
		}
	}
	return best, bestPod
}

func labelValueIn(labels map[string]string, v string) bool {
	for _, lv := range labels {
		if lv == v {
			return true
		}
	}
	return false
}

// lacks says which key=value pairs of selector labels do not have.
func lacks(selector, labels map[string]string) string {
	var missing []string
	for _, k := range slices.Sorted(maps.Keys(selector)) {
		switch lv, ok := labels[k]; {
		case !ok:
			missing = append(missing, "no "+k+" label")
		case lv != selector[k]:
			missing = append(missing, fmt.Sprintf("%s=%s instead of %s=%s", k, lv, k, selector[k]))
		}
	}
	return strings.Join(missing, ", ")
}
