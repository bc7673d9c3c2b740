package lint

import (
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:          "service-ports",
		Severity:    Error,
		Description: "A Service port whose named `targetPort` no container of the selected pods declares (the pods are no endpoints for it), or an unnamed port on a headless Service (no SRV record is published for it).",
		Remediation: "Name every port of a headless Service (`name: mongodb`), and use as `targetPort` a name from the containers' `ports[].name`.",
		Check: func(s *Set, r *Reporter) {
			for _, o := range s.Services {
				svc := service(o)
				headless := dns.IsHeadless(svc)
				var workloads []*Workload
				if len(svc.Spec.Selector) > 0 {
					workloads = s.SelectedWorkloads(o)
				}
				for i, port := range svc.Spec.Ports {
					if headless && port.Name == "" {
						r.AtSeverity(Warning, o, p("spec", "ports", i), "port %d of headless Service %s has no name, so cluster DNS publishes no SRV record for it", port.Port, o.Name)
					}
					if port.TargetPort.Type != intstr.String || port.TargetPort.StrVal == "" {
						continue
					}
					for _, w := range workloads {
						if _, ok := dns.TargetPort(port, &w.Template.Spec); !ok {
							r.At(o, p("spec", "ports", i, "targetPort"), "targetPort %q is not the name of any %s container port of %s, so they are no endpoints for port %d", port.TargetPort.StrVal, dns.Protocol(port.Protocol), podsOf(w), port.Port)
						}
					}
				}
			}
		},
	})
}
