package lint

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

func init() {
	Register(&Rule{
		ID:       "port-name-syntax",
		Severity: Error,
		Kinds:    append(append([]string{"Service"}, workloadKinds...), "Endpoints", "EndpointSlice"),
		Findings: []string{
			"a Service port name that is not a DNS-1123 label (`HTTP`): the API server rejects the Service",
			"a port without a name on a Service (or in an Endpoints subset) with more than one port: the API server rejects it",
			"a named `targetPort` or container port name that is not an IANA service name (upper case, over 15 characters, no letter): the API server rejects it",
			"an Endpoints or EndpointSlice port name that is not a DNS-1123 label: the API server rejects it",
		},
		Description: "A port name the API server rejects: a Service port name that is not a DNS-1123 label (upper case `HTTP`), a missing name on a Service (or Endpoints subset) with more than one port, an Endpoints or EndpointSlice port name that is not a DNS-1123 label, or a container port name or named `targetPort` that is not an IANA service name (lower-case letters, digits and '-', at most 15 characters, at least one letter). Strict decoding accepts all of them; SRV records are named after port names (`_http._tcp…`).",
		Remediation: "Write port names in lower case (`http`, `grpc`), at most 15 characters, and name every port of a Service with more than one.",
		Check: func(s *Set, r *Reporter) {
			for _, o := range s.Services {
				ports := service(o).Spec.Ports
				for i, port := range ports {
					at := p("spec", "ports", i, "name")
					switch {
					case port.Name == "" && len(ports) > 1:
						r.At(o, p("spec", "ports", i), "port %d of Service %s has no name, but a Service with more than one port must name each: the API server answers `%s: Required value`", port.Port, o.Name, apiPath(at))
					case port.Name != "":
						if errs := content.IsDNS1123Label(port.Name); len(errs) > 0 {
							r.At(o, at, "port name %q is not a lower-case DNS label: the API server answers `%s`; SRV records are named after it", port.Name, invalid(at, port.Name, errs[0]))
						}
					}
					if port.TargetPort.Type == intstr.String && port.TargetPort.StrVal != "" {
						tp := p("spec", "ports", i, "targetPort")
						if errs := validation.IsValidPortName(port.TargetPort.StrVal); len(errs) > 0 {
							r.At(o, tp, "targetPort %q is not a valid port name: the API server answers `%s`", port.TargetPort.StrVal, invalid(tp, port.TargetPort.StrVal, errs[0]))
						}
					}
				}
			}
			for _, o := range s.Endpoints {
				ports := endpointPorts(o)
				for _, ep := range ports {
					at := append(ep.at, "name")
					if ep.Name == "" {
						if _, isEndpoints := o.Typed.(*corev1.Endpoints); isEndpoints && subsetPorts(o, ep.at) > 1 {
							r.At(o, ep.at, "port %d has no name, but a subset with more than one port must name each: the API server answers `%s: Required value`", ep.Port, apiPath(at))
						}
						continue
					}
					if errs := content.IsDNS1123Label(ep.Name); len(errs) > 0 {
						r.At(o, at, "port name %q is not a lower-case DNS label: the API server answers `%s`", ep.Name, invalid(at, ep.Name, errs[0]))
					}
				}
			}
			for _, w := range s.Workloads {
				for _, cl := range containerLists(&w.Template.Spec) {
					for i, c := range cl.list {
						for j, port := range c.Ports {
							if port.Name == "" {
								continue
							}
							if errs := validation.IsValidPortName(port.Name); len(errs) > 0 {
								at := w.Path("spec", cl.key, itoa(i), "ports", itoa(j), "name")
								r.At(w.Obj, at, "container port name %q is not a valid port name: the API server answers `%s`", port.Name, invalid(at, port.Name, errs[0]))
							}
						}
					}
				}
			}
		},
	})
}
