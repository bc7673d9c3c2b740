package lint

func init() {
	Register(&Rule{
		ID:       "container-restart-policy",
		Severity: Warning,
		Kinds:    workloadKinds,
		Findings: []string{
			"`restartPolicy` on a regular container: rejected by API servers 1.28 to 1.33, ignored by 1.34, the container's own restart policy from 1.35",
		},
		Description: "`restartPolicy` on a regular container (not an init container), usually the pod's `restartPolicy` indented one level too deep. Strict decoding accepts it since Kubernetes 1.28 (the field exists for sidecar init containers); API servers 1.28 to 1.33 reject it (`may not be set for non-init containers`), 1.34 drops it, and from 1.35 (ContainerRestartRules, beta) it is the container's own restart policy, so the pod keeps its default policy.",
		Remediation: "Move `restartPolicy` to the pod spec (`spec.template.spec.restartPolicy`); keep it on a container only for a sidecar init container or when you mean a per-container restart policy on Kubernetes 1.35 or later.",
		Check: func(s *Set, r *Reporter) {
			for _, w := range s.Workloads {
				for i, c := range w.Template.Spec.Containers {
					if c.RestartPolicy == nil {
						continue
					}
					at := w.Path("spec", "containers", itoa(i), "restartPolicy")
					r.At(w.Obj, at, "restartPolicy on container %q: API servers 1.28 to 1.33 answer `%s: Forbidden: may not be set for non-init containers`, 1.34 ignores it, and from 1.35 it is the container's own restart policy while the pod's stays %s; if it was meant for the pod, move it to %s",
						c.Name, apiPath(at), podRestartPolicy(w), apiPath(w.Path("spec", "restartPolicy")))
				}
			}
		},
	})
}

// podRestartPolicy is the pod's restartPolicy, defaulted as the API server
// does.
func podRestartPolicy(w *Workload) string {
	if rp := w.Template.Spec.RestartPolicy; rp != "" {
		return string(rp)
	}
	return "Always"
}
