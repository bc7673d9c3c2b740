package lint

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

func init() {
	Register(&Rule{
		ID:       "cluster-ip-none",
		Severity: Error,
		Kinds:    []string{"Service"},
		Findings: []string{
			"`clusterIP` (or `clusterIPs[0]`) is `none`, `NONE` or another case of `None`: the API server answers that it must be a valid IP address (`--fix` writes `None`)",
			"a headless Service of type NodePort or LoadBalancer: the API server rejects it",
		},
		Description: "`clusterIP` spelled `none`, `NONE` or another case of `None` (the API server rejects it as an invalid IP address), or a headless Service of type NodePort or LoadBalancer (rejected too).",
		Remediation: "Write `clusterIP: None` exactly, and leave `type` unset or `ClusterIP` for a headless Service; add a separate Service for external access.",
		Check: func(s *Set, r *Reporter) {
			for _, o := range s.Services {
				spec := service(o).Spec
				ip := spec.ClusterIP
				path := p("spec", "clusterIP")
				if ip == "" && len(spec.ClusterIPs) > 0 {
					ip, path = spec.ClusterIPs[0], p("spec", "clusterIPs", 0)
				}
				if strings.EqualFold(ip, corev1.ClusterIPNone) && ip != corev1.ClusterIPNone {
					r.At(o, path, "clusterIP %q is not \"None\": the API server answers `spec.clusterIPs[0]: Invalid value: %q: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`; write None with a capital N", ip, ip)
					continue
				}
				if ip == corev1.ClusterIPNone && (spec.Type == corev1.ServiceTypeNodePort || spec.Type == corev1.ServiceTypeLoadBalancer) {
					r.At(o, p("spec", "type"), "a headless Service cannot be of type %s: the API server answers `spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for %s services`", spec.Type, spec.Type)
				}
			}
		},
	})
}
