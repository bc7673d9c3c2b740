package lint

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// trim drops what no rule reads from a parsed object, so that the Set of a
// large input holds little more than its index needs: annotations, most of
// the pod spec (commands, environment, probes, resources, volumes; their
// host references are kept in o.hostRefs), volume claim templates and a
// ConfigMap's data. The objects lint.Parse returns are never trimmed; Run
// trims each object right after its file is parsed.
func trim(o *Object) {
	meta := func(m *metav1.ObjectMeta, keep ...string) {
		var annotations map[string]string
		for _, k := range keep {
			if v, ok := m.Annotations[k]; ok {
				if annotations == nil {
					annotations = map[string]string{}
				}
				annotations[k] = v
			}
		}
		*m = metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: annotations}
	}
	switch t := o.Typed.(type) {
	case *corev1.Service:
		meta(&t.ObjectMeta, tolerateUnready)
		t.Status = corev1.ServiceStatus{}
		return
	case *corev1.ConfigMap:
		meta(&t.ObjectMeta)
		t.Data, t.BinaryData = nil, nil
		return
	case *appsv1.StatefulSet:
		t.Spec.VolumeClaimTemplates = nil
		t.Status = appsv1.StatefulSetStatus{}
	case *appsv1.Deployment:
		t.Status = appsv1.DeploymentStatus{}
	case *appsv1.DaemonSet:
		t.Status = appsv1.DaemonSetStatus{}
	case *appsv1.ReplicaSet:
		t.Status = appsv1.ReplicaSetStatus{}
	case *batchv1.Job:
		t.Status = batchv1.JobStatus{}
	case *corev1.Pod:
		t.Status = corev1.PodStatus{}
	}
	if m, ok := o.Typed.(metav1.Object); ok && podSpecOf(o.Typed) != nil {
		m.SetAnnotations(nil)
		m.SetManagedFields(nil)
	}
	if spec := podSpecOf(o.Typed); spec != nil {
		*spec = corev1.PodSpec{Hostname: spec.Hostname, Subdomain: spec.Subdomain, SetHostnameAsFQDN: spec.SetHostnameAsFQDN,
			RestartPolicy: spec.RestartPolicy, InitContainers: trimContainers(spec.InitContainers), Containers: trimContainers(spec.Containers)}
	}
	if tmpl := templateMetaOf(o.Typed); tmpl != nil {
		*tmpl = metav1.ObjectMeta{Name: tmpl.Name, Namespace: tmpl.Namespace, Labels: tmpl.Labels}
	}
}

// trimContainers keeps a container's name, ports and restart policy.
func trimContainers(cs []corev1.Container) []corev1.Container {
	if len(cs) == 0 {
		return nil
	}
	out := make([]corev1.Container, len(cs))
	for i, c := range cs {
		out[i] = corev1.Container{Name: c.Name, Ports: c.Ports, RestartPolicy: c.RestartPolicy}
	}
	return out
}

// templateMetaOf returns the metadata of a controller's pod template, or
// nil (a Pod's metadata is its own).
func templateMetaOf(typed any) *metav1.ObjectMeta {
	switch t := typed.(type) {
	case *appsv1.StatefulSet:
		return &t.Spec.Template.ObjectMeta
	case *appsv1.Deployment:
		return &t.Spec.Template.ObjectMeta
	case *appsv1.ReplicaSet:
		return &t.Spec.Template.ObjectMeta
	case *appsv1.DaemonSet:
		return &t.Spec.Template.ObjectMeta
	case *corev1.ReplicationController:
		if t.Spec.Template != nil {
			return &t.Spec.Template.ObjectMeta
		}
	case *batchv1.Job:
		return &t.Spec.Template.ObjectMeta
	case *batchv1.CronJob:
		return &t.Spec.JobTemplate.Spec.Template.ObjectMeta
	}
	return nil
}
