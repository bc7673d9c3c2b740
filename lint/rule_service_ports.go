package lint

import (
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:       "service-ports",
		Severity: Warning,
		Kinds:    []string{"Service"},
		Findings: []string{
			"a named `targetPort` that no container of any selected pod declares (with the port's protocol): the port has no endpoints and no SRV record; the pods keep their names",
			"the only port of a headless Service has no name: no SRV record",
		},
		Description: "A Service port whose named `targetPort` no container of any selected pod declares, or a headless Service's only port without a name. The EndpointSlice controller leaves such a port out: the pods keep their DNS names, but the port has no endpoints and no SRV record. A port that exists only when an option is on (`tls`, `metrics`) is the usual, harmless case.",
		Remediation: "Use as `targetPort` a name from the containers' `ports[].name` (of at least one selected pod), or drop the port; name the port of a headless Service (`name: mongodb`) to get an SRV record.",
		Check: func(s *Set, r *Reporter) {
			for _, o := range s.Services {
				svc := service(o)
				var workloads []*Workload
				if len(svc.Spec.Selector) > 0 {
					workloads = s.SelectedWorkloads(o)
				}
				for i, port := range svc.Spec.Ports {
					if isHeadless(o) && port.Name == "" && len(svc.Spec.Ports) == 1 {
						r.At(o, p("spec", "ports", i), "port %d of headless Service %s has no name, so cluster DNS publishes no SRV record for it", port.Port, o.Name)
					}
					if port.TargetPort.Type != intstr.String || port.TargetPort.StrVal == "" || len(workloads) == 0 {
						continue
					}
					declared := false
					for _, w := range workloads {
						if _, ok := targetPort(port, &w.Template.Spec); ok {
							declared = true
							break
						}
					}
					if !declared {
						r.At(o, p("spec", "ports", i, "targetPort"), "targetPort %q is not the name of a %s container port of any pod Service %s selects (%s): port %d has no endpoints and no SRV record; the pods keep their DNS names", port.TargetPort.StrVal, dns.Protocol(port.Protocol), o.Name, describeWorkloads(workloads), port.Port)
					}
				}
			}
		},
	})
}
