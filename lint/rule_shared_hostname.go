package lint

import (
	"strconv"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:       "shared-hostname",
		Severity: Error,
		Kinds:    workloadKinds,
		Findings: []string{
			"a fixed `hostname` in the template of a controller that runs more than one pod: the pods cannot be told apart by name",
			"two pods with the same hostname under one subdomain: both answer to one name",
		},
		Description: "A fixed `hostname` in the pod template of a Deployment, ReplicaSet, DaemonSet, Job, CronJob or ReplicationController that runs more than one pod (they all share one name), or two pods with the same hostname under one subdomain.",
		Remediation: "Use a StatefulSet, whose pods get names of their own, or plain Pods with distinct `spec.hostname` values.",
		Check: func(s *Set, r *Reporter) {
			type key struct{ ns, subdomain, hostname string }
			first := map[key]*Workload{}
			for _, w := range s.Workloads {
				spec, o := &w.Template.Spec, w.Obj
				_, isSTS := statefulSet(w)
				if spec.Hostname != "" && w.TemplatePath != nil && !isSTS && w.Replicas != 1 {
					count := "all pods"
					if w.Replicas > 1 {
						count = "all " + strconv.Itoa(w.Replicas) + " pods"
					}
					r.At(o, w.Path("spec", "hostname"), "%s of %s share hostname %q, so they cannot be told apart by name; use a StatefulSet for per-pod names", count, o.Ref(), spec.Hostname)
					continue
				}
				for _, pod := range w.Pods {
					if pod.Hostname == "" || pod.Subdomain == "" {
						continue
					}
					k := key{pod.Namespace, pod.Subdomain, pod.Hostname}
					prev, dup := first[k]
					if !dup {
						first[k] = w
						continue
					}
					at := w.Path("spec", "hostname")
					if isSTS {
						at = p("metadata", "name")
					}
					r.At(o, at, "hostname %q under subdomain %q is also used by %s: both pods answer to %s.%s.%s.svc.%s", pod.Hostname, pod.Subdomain, prev.Obj.Ref(), pod.Hostname, pod.Subdomain, dns.Namespace(pod.Namespace), s.Domain)
				}
			}
		},
	})
}
