package lint

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/headless-k8s/headless/dns"
)

// jsonLabels formats labels as the API server quotes them: JSON, keys sorted.
func jsonLabels(labels map[string]string) string {
	b, _ := json.Marshal(labels)
	return string(b)
}

func init() {
	Register(&Rule{
		ID:       "selector-template-labels",
		Severity: Error,
		Kinds:    []string{"StatefulSet", "Deployment", "ReplicaSet", "DaemonSet", "ReplicationController"},
		Findings: []string{
			"a workload's `spec.selector` is missing, empty or invalid: the API server rejects it",
			"`spec.selector` does not match the template's labels: the API server rejects it",
		},
		Description: "A workload's `spec.selector` is missing, empty or invalid, or does not match its pod template's labels; the API server rejects it (`selector` does not match template `labels`).",
		Remediation: "Put the same key=value pairs in `spec.selector.matchLabels` and `spec.template.metadata.labels`.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				o := w.Obj
				if w.TemplatePath == nil || len(w.TemplatePath) != 2 || o.Kind == "Job" {
					continue // Pods have no selector; Jobs and CronJobs generate theirs
				}
				if w.Selector == nil {
					if o.Kind == "ReplicationController" {
						continue // defaults to the template's labels
					}
					r.At(o, p("spec", "selector"), "%s %s has no spec.selector; the API server requires one that matches the template's labels %s", o.Kind, o.Name, dns.FormatLabels(w.Template.Labels))
					continue
				}
				if len(w.Selector.MatchLabels) == 0 && len(w.Selector.MatchExpressions) == 0 {
					r.At(o, p("spec", "selector"), "%s %s has an empty selector; the API server rejects it (empty selector is invalid)", o.Kind, o.Name)
					continue
				}
				sel, err := metav1.LabelSelectorAsSelector(w.Selector)
				if err != nil {
					r.At(o, p("spec", "selector"), "invalid selector: %v", err)
					continue
				}
				if !sel.Matches(labels.Set(w.Template.Labels)) {
					r.At(o, w.Path("metadata", "labels"), "spec.selector (%s) does not match the template's labels (%s); the API server answers `spec.template.metadata.labels: Invalid value: %s: `selector` does not match template `labels``",
						sel, dns.FormatLabels(w.Template.Labels), jsonLabels(w.Template.Labels))
				}
			}
		},
	})
}
