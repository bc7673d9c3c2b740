package lint

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:          "dns-name-syntax",
		Severity:    Error,
		Kinds:       workloadKinds,
		Description: "A `hostname` or `subdomain` that is not a DNS-1123 label (the API server rejects it), or a pod DNS name longer than 64 characters with `setHostnameAsFQDN: true` (the pod cannot start) or longer than 253 (no valid DNS name).",
		Remediation: "Use lower-case letters, digits and '-' (at most 63, starting and ending with a letter or digit), and shorten the pod, Service, namespace or domain names.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				spec, o := &w.Template.Spec, w.Obj
				bad := false
				for _, f := range []struct{ name, value string }{{"hostname", spec.Hostname}, {"subdomain", spec.Subdomain}} {
					if f.value == "" {
						continue
					}
					if errs := content.IsDNS1123Label(f.value); len(errs) > 0 {
						r.At(o, w.Path("spec", f.name), "%s %q is not a valid DNS label: the API server answers `spec.%s: Invalid value: %q: %s`", f.name, f.value, f.name, f.value, strings.Join(errs, "; "))
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
