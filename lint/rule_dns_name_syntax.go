package lint

import (
	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:       "dns-name-syntax",
		Severity: Error,
		Kinds:    append(append([]string{"Service"}, workloadKinds...), "Endpoints", "EndpointSlice"),
		Findings: []string{
			"a Service name that is not a DNS-1123 label (`no-domain.com`, `Cache`): the API server rejects the Service",
			"a StatefulSet's `serviceName` that is not a DNS-1123 label: the API server rejects the StatefulSet",
			"a pod's `hostname` or `subdomain` that is not a DNS-1123 label: the API server rejects it",
			"an Endpoints or EndpointSlice address `hostname` that is not a DNS-1123 label: the API server rejects it",
			"a pod DNS name longer than 253 characters: the pod has no valid DNS name",
			"a pod DNS name longer than 64 characters with `setHostnameAsFQDN: true`: the pod cannot start",
		},
		Description: "A name that becomes a DNS label and is not a DNS-1123 label, which the API server rejects: a Service's name (`no-domain.com`: no dots, no upper case), a StatefulSet's `serviceName`, a pod's `hostname` or `subdomain`, the `hostname` of an address in Endpoints or an EndpointSlice; or a pod DNS name longer than 64 characters with `setHostnameAsFQDN: true` (the pod cannot start) or longer than 253 (no valid DNS name).",
		Remediation: "Use lower-case letters, digits and '-' (at most 63, starting and ending with a letter or digit), and shorten the pod, Service, namespace or domain names. A Service's name is one label of its DNS name; the cluster domain and namespace make the rest.",
		Check: func(s *Set, r *Reporter) {
			for _, o := range s.Services {
				if errs := content.IsDNS1123Label(o.Name); len(errs) > 0 && o.Name != "" {
					at := p("metadata", "name")
					r.At(o, at, "Service name %q is not a DNS label: the API server answers `%s`", o.Name, invalid(at, o.Name, errs[0]))
				}
			}
			for _, o := range s.Endpoints {
				for _, h := range endpointHostnames(o) {
					if errs := content.IsDNS1123Label(h.value); len(errs) > 0 {
						r.At(o, h.at, "hostname %q is not a valid DNS label: the API server answers `%s`", h.value, invalid(h.at, h.value, errs[0]))
					}
				}
			}
			for _, w := range s.Workloads {
				spec, o := &w.Template.Spec, w.Obj
				bad := false
				fields := []struct {
					at    []string
					value string
				}{{w.Path("spec", "hostname"), spec.Hostname}, {w.Path("spec", "subdomain"), spec.Subdomain}}
				if sts, ok := statefulSet(w); ok {
					fields = append(fields, struct {
						at    []string
						value string
					}{p("spec", "serviceName"), sts.Spec.ServiceName})
				}
				for _, f := range fields {
					if f.value == "" {
						continue
					}
					if errs := content.IsDNS1123Label(f.value); len(errs) > 0 {
						name := f.at[len(f.at)-1]
						r.At(o, f.at, "%s %q is not a valid DNS label: the API server answers `%s`", name, f.value, invalid(f.at, f.value, errs[0]))
						bad = true
					}
				}
				if bad || len(w.Pods) == 0 {
					continue
				}
				// The longest name of the workload's pods: the last ordinal.
				pod := w.Pods[len(w.Pods)-1]
				if pod.Hostname == "" || pod.Subdomain == "" {
					continue
				}
				fqdn := dns.PodFQDN(pod.Hostname, pod.Subdomain, dns.Namespace(pod.Namespace), s.Domain)
				at := w.Path("spec", "hostname")
				if _, ok := statefulSet(w); ok {
					at = p("metadata", "name")
				}
				switch {
				case len(fqdn) > 253:
					r.At(o, at, "the pod DNS name %s is %d characters; DNS names are at most 253", fqdn, len(fqdn))
				case spec.SetHostnameAsFQDN != nil && *spec.SetHostnameAsFQDN && len(fqdn) > 64:
					r.At(o, w.Path("spec", "setHostnameAsFQDN"), "with setHostnameAsFQDN the hostname is the FQDN %s, %d characters; the kubelet refuses more than 64 and the pod cannot start", fqdn, len(fqdn))
				}
			}
		},
	})
}
