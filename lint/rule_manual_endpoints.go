package lint

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:       "manual-endpoints",
		Severity: Warning,
		Kinds:    []string{"Endpoints", "EndpointSlice"},
		Findings: []string{
			"an Endpoints or EndpointSlice port without a name, or with another name than the Service port's: the Service port gets no endpoints and no SRV record",
			"an EndpointSlice without the `kubernetes.io/service-name` label: it belongs to no Service",
			"endpoints written for a Service with a selector: overwritten (Endpoints) or mixed with the pods' (EndpointSlice)",
			"endpoints for a Service that is not in the input",
		},
		Description: "Endpoints or an EndpointSlice written by hand (for a Service without a selector) that do not reach the Service's ports: a port without a name, or with another name than the Service port's, gives the Service port no endpoints and no SRV record (`_mysql._tcp…`); an EndpointSlice without the `kubernetes.io/service-name` label belongs to no Service; addresses for a Service with a selector are overwritten (Endpoints) or mixed with the pods' (EndpointSlice); and a Service missing from the input leaves them to nothing.",
		Remediation: "Give each endpoint port the name of the Service port it serves (both unnamed only for a single-port Service), label EndpointSlices with `kubernetes.io/service-name`, and write endpoints only for Services without a selector.",
		Check: func(s *Set, r *Reporter) {
			for _, o := range s.Endpoints {
				name := endpointsService(o)
				if name == "" {
					r.At(o, p("metadata", "labels"), "EndpointSlice %s has no %s label, so it belongs to no Service and cluster DNS publishes nothing for it", o.Name, discoveryv1.LabelServiceName)
					continue
				}
				svcs := s.Service(o.space, name)
				if len(svcs) == 0 {
					r.At(o, p("metadata"), "%s gives addresses to Service %s, which is not in the input (%s): unless it exists there in the cluster, nothing uses them", o.Ref(), name, nsPhrase(o))
					continue
				}
				svc := service(svcs[0])
				if len(svc.Spec.Selector) > 0 {
					what := "the endpoints controller overwrites this Endpoints object"
					if _, ok := o.Typed.(*discoveryv1.EndpointSlice); ok {
						what = "cluster DNS serves this slice's addresses mixed with the selected pods'"
					}
					r.At(o, p("metadata"), "Service %s has a selector, so its endpoints are managed for it: %s; drop the selector to write them by hand", name, what)
					continue
				}
				for _, ep := range endpointPorts(o) {
					if !servesServicePort(svc, ep.EndpointPort) {
						r.At(o, ep.at, "%s", portMismatch(svcs[0], ep, s.Domain))
					}
				}
			}
		},
	})
}

// servesServicePort reports whether endpoint port ep serves a port of svc:
// one with the same name and protocol.
func servesServicePort(svc *serviceView, ep dns.EndpointPort) bool {
	for _, sp := range svc.Spec.Ports {
		if sp.Name == ep.Name && dns.Protocol(sp.Protocol) == dns.Protocol(ep.Protocol) {
			return true
		}
	}
	return false
}

// portMismatch explains an endpoint port that serves no port of its Service.
func portMismatch(svcObj *Object, ep endpointPort, domain string) string {
	svc := service(svcObj)
	var named []corev1.ServicePort
	for _, sp := range svc.Spec.Ports {
		if sp.Name != "" && dns.Protocol(sp.Protocol) == dns.Protocol(ep.Protocol) {
			named = append(named, sp)
		}
	}
	what := fmt.Sprintf("port %d has no name", ep.Port)
	if ep.Name != "" {
		what = fmt.Sprintf("port %d is named %q", ep.Port, ep.Name)
	}
	if len(named) == 0 {
		return fmt.Sprintf("%s, but no %s port of Service %s has that name, so the addresses are no endpoints of any of its ports", what, dns.Protocol(ep.Protocol), svcObj.Name)
	}
	sp := named[0]
	for _, cand := range named {
		if cand.Port == ep.Port {
			sp = cand
		}
	}
	msg := fmt.Sprintf("%s, but the port of Service %s is named %q: the addresses are no endpoints of it", what, svcObj.Name, sp.Name)
	if isHeadless(svcObj) {
		msg += fmt.Sprintf(", so %s has no SRV record", "_"+sp.Name+"._"+strings.ToLower(string(dns.Protocol(sp.Protocol)))+"."+dns.ServiceFQDN(svcObj.Name, svcObj.shownNS(), domain))
	}
	return msg + "; name it " + sp.Name
}
