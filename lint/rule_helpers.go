package lint

import (
	"fmt"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/headless-k8s/headless/dns"
)

// p builds a JSON path from keys and list indexes.
func p(parts ...any) []string {
	out := make([]string, len(parts))
	for i, x := range parts {
		switch v := x.(type) {
		case string:
			out[i] = v
		case int:
			out[i] = strconv.Itoa(v)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

func service(o *Object) *corev1.Service { return o.Typed.(*corev1.Service) }

func isHeadless(o *Object) bool { return dns.IsHeadless(service(o)) }

func statefulSet(w *Workload) (*appsv1.StatefulSet, bool) {
	s, ok := w.Obj.Typed.(*appsv1.StatefulSet)
	return s, ok
}

// podsOf describes a workload's pods for messages: "the pods of StatefulSet db".
func podsOf(w *Workload) string {
	if w.TemplatePath == nil {
		return "Pod " + w.Obj.Name
	}
	return "the pods of " + w.Obj.Ref()
}

// labelled describes a workload's pod labels for messages.
func labelled(w *Workload) string {
	verb := "are"
	if w.TemplatePath == nil {
		verb = "is"
	}
	return fmt.Sprintf("%s %s labelled %s", podsOf(w), verb, dns.FormatLabels(w.Template.Labels))
}

// selects describes a Service's selector for messages.
func selects(o *Object) string {
	return fmt.Sprintf("Service %s selects %s", o.Name, dns.FormatLabels(service(o).Spec.Selector))
}

// governed returns, per "ns/service", the StatefulSets whose serviceName
// names that Service.
func governed(s *Set) map[string][]*Workload {
	out := map[string][]*Workload{}
	for _, w := range s.Workloads {
		if sts, ok := statefulSet(w); ok && sts.Spec.ServiceName != "" {
			key := w.Obj.NS() + "/" + sts.Spec.ServiceName
			out[key] = append(out[key], w)
		}
	}
	return out
}

// decodeIssues is the check of the rules whose findings strict decoding
// already made (with their positions): it reports the issues of kinds.
func decodeIssues(kinds ...issueKind) func(*Set, *Reporter) {
	return func(s *Set, r *Reporter) {
		for _, o := range s.Objects {
			for _, is := range o.issues {
				if slices.Contains(kinds, is.kind) {
					r.atPos(o, is.line, is.col, "%s", is.message)
				}
			}
		}
	}
}
