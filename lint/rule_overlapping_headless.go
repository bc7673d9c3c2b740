package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/headless-k8s/headless/dns"
)

func init() {
	Register(&Rule{
		ID:       "overlapping-headless",
		Severity: Warning,
		Kinds:    []string{"Service"},
		Findings: []string{
			"two headless Services select exactly the same pods with the same ports and `publishNotReadyAddresses`, neither selector narrowing the other: every pod is published twice for one purpose",
		},
		Description: "Two headless Services select exactly the same pods for the same purpose (the same ports and the same `publishNotReadyAddresses`), and neither selector is a narrower form of the other: every pod is published twice, which usually means a copied Service was not renamed or re-pointed. Services for a subset of the pods (a component, one pod) or for another purpose (only the metrics port, only ready pods) are a common, working pattern and are not reported.",
		Remediation: "Keep one headless Service per set of pods and purpose; delete the copy or point it at the pods it was meant for.",
		Check: func(s *Set, r *Reporter) {
			index := make(map[*dns.Pod]int, len(s.Pods.Pods))
			for i, pod := range s.Pods.Pods {
				index[pod] = i
			}
			first := map[string][]*Object{} // same pods and purpose -> Services
			for _, o := range s.Services {
				svc := service(o)
				if !isHeadless(o) || len(svc.Spec.Selector) == 0 {
					continue
				}
				pods := s.Pods.Select(o.space, svc.Spec.Selector)
				if len(pods) == 0 {
					continue
				}
				ids := make([]int, len(pods))
				for i, pod := range pods {
					ids[i] = index[pod]
				}
				slices.Sort(ids)
				var key strings.Builder
				fmt.Fprintf(&key, "%s\x00%s\x00%t\x00", o.space, purposePorts(o), svc.Spec.PublishNotReadyAddresses)
				for _, id := range ids {
					key.WriteString(strconv.Itoa(id))
					key.WriteByte(',')
				}
				k := key.String()
				for _, prev := range first[k] {
					if narrower(service(prev).Spec.Selector, svc.Spec.Selector) || narrower(svc.Spec.Selector, service(prev).Spec.Selector) {
						continue
					}
					r.At(o, p("spec", "selector"), "headless Service %s selects exactly the same pods as headless Service %s (%s), with the same ports and publishNotReadyAddresses: every pod is published under both names for one purpose", o.Name, prev.Name, podsOf(s.Owner(pods[0])))
					break
				}
				first[k] = append(first[k], o)
			}
		},
	})
}

// purposePorts is a Service's ports as a sorted list of port/protocol.
func purposePorts(o *Object) string {
	var ports []string
	for _, port := range service(o).Spec.Ports {
		ports = append(ports, strconv.Itoa(int(port.Port))+"/"+string(dns.Protocol(port.Protocol)))
	}
	slices.Sort(ports)
	return strings.Join(ports, ",")
}

// narrower reports whether selector b has every key=value of a and more:
// b selects a part of what a selects, by design.
func narrower(a, b map[string]string) bool {
	return len(b) > len(a) && dns.Matches(a, b)
}
