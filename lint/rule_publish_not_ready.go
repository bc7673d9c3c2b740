package lint

const tolerateUnready = "service.alpha.kubernetes.io/tolerate-unready-endpoints"

// notReadyGap is a headless Service that governs a StatefulSet but
// publishes its pods' names only once they are ready.
type notReadyGap struct {
	svc *Object
	sts *Workload
	// peer is a per-pod name of the Service that the StatefulSet's pods'
	// configuration uses, and where; "" when it uses none.
	peer, where string
}

// notReadyGaps returns every headless Service that governs a StatefulSet
// without publishNotReadyAddresses, with the first StatefulSet whose
// configuration names its members, or else the first one.
func notReadyGaps(s *Set) []notReadyGap {
	gov := governed(s)
	var out []notReadyGap
	for _, o := range s.Services {
		ws := gov[o.space+"/"+o.Name]
		if !isHeadless(o) || service(o).Spec.PublishNotReadyAddresses || len(ws) == 0 {
			continue
		}
		gap := notReadyGap{svc: o, sts: ws[0]}
		for _, w := range ws {
			if peer, where := peerName(s, w, o.Name); peer != "" {
				gap.sts, gap.peer, gap.where = w, peer, where
				break
			}
		}
		out = append(out, gap)
	}
	return out
}

func init() {
	Register(&Rule{
		ID:       "publish-not-ready",
		Severity: Info,
		Kinds:    []string{"Service"},
		Findings: []string{
			"a headless Service governs a StatefulSet without `publishNotReadyAddresses: true`, and nothing shows the members need each other's names before they are ready",
			"the same behind the `tolerate-unready-endpoints` annotation, which is no longer honoured",
		},
		Description: "A StatefulSet's headless Service without `publishNotReadyAddresses: true`, where nothing in the manifests shows that the members need each other's names before they are ready: a pod's DNS name appears only once it is ready, which is fine for most workloads. The `tolerate-unready-endpoints` annotation that used to change this is no longer honoured. (When the pods' configuration names members by their per-pod DNS names, `peer-names-before-ready` warns instead.)",
		Remediation: "If members must find each other to become ready (replica sets, quorums), set `spec.publishNotReadyAddresses: true` on the headless Service (and drop the annotation).",
		Check: func(s *Set, r *Reporter) {
			for _, gap := range notReadyGaps(s) {
				if gap.peer != "" {
					continue
				}
				o, sts := gap.svc, gap.sts.Obj.Name
				if _, ok := service(o).Annotations[tolerateUnready]; ok {
					r.At(o, p("metadata", "annotations", tolerateUnready), "the annotation %s is no longer honoured: the pods of StatefulSet %s get their DNS names only once they are ready; set spec.publishNotReadyAddresses: true if they must find each other before", tolerateUnready, sts)
					continue
				}
				r.At(o, p("spec"), "headless Service %s governs StatefulSet %s without publishNotReadyAddresses: true, so a pod's DNS name appears only once it is ready; set it if members must find each other before they are ready", o.Name, sts)
			}
		},
	})
	Register(&Rule{
		ID:       "peer-names-before-ready",
		Severity: Warning,
		Kinds:    []string{"Service"},
		Findings: []string{
			"the pods' commands, arguments, environment or ConfigMaps name members by per-pod DNS names of their headless Service, which does not set `publishNotReadyAddresses: true` (or relies on the annotation that is no longer honoured)",
		},
		Description: "The pods of a StatefulSet name their members by per-pod DNS names (in their commands, arguments, environment or ConfigMaps: `db-1.db-h`, `$(POD_NAME).db-h`), but its headless Service does not set `publishNotReadyAddresses: true`: a member's name resolves only once it is ready, so members that need each other to become ready (replica sets, quorums, seed lists) wait, and a full restart can deadlock.",
		Remediation: "Set `spec.publishNotReadyAddresses: true` on the headless Service (and drop the `tolerate-unready-endpoints` annotation, which is no longer honoured).",
		Check: func(s *Set, r *Reporter) {
			for _, gap := range notReadyGaps(s) {
				if gap.peer == "" {
					continue
				}
				o, sts := gap.svc, gap.sts.Obj.Name
				at, note := p("spec"), ""
				if _, ok := service(o).Annotations[tolerateUnready]; ok {
					at, note = p("metadata", "annotations", tolerateUnready), " (the annotation "+tolerateUnready+" is no longer honoured)"
				}
				r.At(o, at, "the pods of StatefulSet %s name their members by per-pod DNS names (%s in %s), but headless Service %s does not set publishNotReadyAddresses: true%s, so a member's name resolves only once it is ready", sts, gap.peer, gap.where, o.Name, note)
			}
		},
	})
}
