package lint

const tolerateUnready = "service.alpha.kubernetes.io/tolerate-unready-endpoints"

func init() {
	Register(&Rule{
		ID:          "publish-not-ready",
		Severity:    Warning,
		Kinds:       []string{"Service"},
		Description: "A StatefulSet's headless Service without `publishNotReadyAddresses: true`: a pod's DNS name appears only once it is ready, so members that must find each other to become ready (replica sets, quorums) never do. The `tolerate-unready-endpoints` annotation that used to do this is no longer honoured.",
		Remediation: "Set `spec.publishNotReadyAddresses: true` on the headless Service (and drop the annotation).",
		Check: func(s *Set, r *Reporter) {
			gov := governed(s)
			for _, o := range s.Services {
				svc := service(o)
				if !isHeadless(o) || svc.Spec.PublishNotReadyAddresses || len(gov[o.space+"/"+o.Name]) == 0 {
					continue
				}
				sts := gov[o.space+"/"+o.Name][0].Obj.Name
				if _, ok := svc.Annotations[tolerateUnready]; ok {
					r.At(o, p("metadata", "annotations", tolerateUnready), "the annotation %s is no longer honoured; set spec.publishNotReadyAddresses: true so the pods of StatefulSet %s can find each other before they are ready", tolerateUnready, sts)
					continue
				}
				r.At(o, p("spec"), "headless Service %s governs StatefulSet %s but does not set publishNotReadyAddresses: true; its pods' DNS names appear only once they are ready", o.Name, sts)
			}
		},
	})
}
