package lint

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// podSpecOf returns the pod spec of a Pod or of a controller's pod
// template, or nil.
func podSpecOf(typed any) *corev1.PodSpec {
	switch t := typed.(type) {
	case *corev1.Pod:
		return &t.Spec
	case *appsv1.StatefulSet:
		return &t.Spec.Template.Spec
	case *appsv1.Deployment:
		return &t.Spec.Template.Spec
	case *appsv1.ReplicaSet:
		return &t.Spec.Template.Spec
	case *appsv1.DaemonSet:
		return &t.Spec.Template.Spec
	case *corev1.ReplicationController:
		if t.Spec.Template != nil {
			return &t.Spec.Template.Spec
		}
	case *batchv1.Job:
		return &t.Spec.Template.Spec
	case *batchv1.CronJob:
		return &t.Spec.JobTemplate.Spec.Template.Spec
	}
	return nil
}

// trim makes the object's view and drops the decoded object, so that the
// Set of a large input holds only what the rules read. Endpoints and
// EndpointSlices, which are rare and small, keep theirs.
func trim(o *Object) {
	switch o.Typed.(type) {
	case *corev1.Endpoints, *discoveryv1.EndpointSlice:
		return
	}
	o.viewOf()
	o.Typed = nil
}
