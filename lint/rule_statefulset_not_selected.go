package lint

import "github.com/headless-k8s/headless/dns"

func init() {
	Register(&Rule{
		ID:       "statefulset-not-selected",
		Severity: Error,
		Kinds:    []string{"StatefulSet"},
		Findings: []string{
			"the StatefulSet's headless Service does not select its pods, or has no selector: none of them gets a DNS record",
		},
		Description: "A StatefulSet's governing Service (its `serviceName`) does not select the StatefulSet's pods, so none of them gets a DNS record.",
		Remediation: "Make the Service's `spec.selector` a subset of the StatefulSet's `spec.template.metadata.labels`.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				sts, ok := statefulSet(w)
				if !ok || sts.Spec.ServiceName == "" || len(w.Pods) == 0 {
					continue
				}
				svcs := s.Service(w.Obj.space, sts.Spec.ServiceName)
				if len(svcs) == 0 || !isHeadless(svcs[0]) {
					continue // statefulset-service-name reports these
				}
				svc := svcs[0]
				if len(service(svc).Spec.Selector) == 0 {
					r.At(w.Obj, p("spec", "serviceName"), "Service %s has no selector, so it publishes no record for the pods of StatefulSet %s", svc.Name, w.Obj.Name)
					continue
				}
				if !selectsPod(svc, w) {
					r.At(w.Obj, p("spec", "serviceName"), "%s; %s, so none of them gets a DNS record", selects(svc), labelled(w))
				}
			}
		},
	})
}

// selectsPod reports whether svc selects w's pods.
func selectsPod(svc *Object, w *Workload) bool {
	sel := service(svc).Spec.Selector
	return len(sel) > 0 && len(w.Pods) > 0 && svc.space == w.Obj.space && dns.Matches(sel, w.Pods[0].Labels)
}
