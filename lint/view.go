package lint

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/headless-k8s/headless/dns"
)

// The rules read objects through views: the few fields they need, copied
// out of the k8s.io/api types. A view is a fraction of the size of the
// object it comes from (a StatefulSet is 1.3 KB before its pod spec and
// containers), so the Set of a large input stays small; the fields keep
// their API names, so rules read like the API.

// serviceView is what the rules read of a Service.
type serviceView struct {
	// Annotations holds only the annotations rules read.
	Annotations map[string]string
	Spec        serviceSpecView
}

type serviceSpecView struct {
	Selector                 map[string]string
	Ports                    []corev1.ServicePort
	ClusterIP                string
	ClusterIPs               []string
	Type                     corev1.ServiceType
	PublishNotReadyAddresses bool
}

// workloadView is what the rules read of a Pod or a controller of pods.
type workloadView struct {
	// Template holds the pods' labels and spec (for a Pod, its own).
	Template *templateView
	// TemplatePath is the JSON path of the template ("spec.template"; nil
	// for a Pod, whose metadata and spec are at the top).
	TemplatePath []string
	// Selector is the controller's selector; nil for a Pod.
	Selector *metav1.LabelSelector
	// Replicas is how many pods run at once: 0 when unknown (a DaemonSet
	// runs one per node).
	Replicas int
	// sts is set for a StatefulSet.
	sts *statefulSetView
	// hostRefs are the host names in the pods' commands, arguments and
	// environment that may be per-pod DNS names (see hostRefs), and
	// configMaps the ConfigMaps the pods read.
	hostRefs, configMaps []string
}

// configMapView is what the rules read of a ConfigMap: the host names in
// its data that may be per-pod DNS names.
type configMapView struct {
	hostRefs []string
}

type templateView struct {
	Labels map[string]string
	Spec   podSpecView
}

type podSpecView struct {
	Hostname          string
	Subdomain         string
	SetHostnameAsFQDN *bool
	RestartPolicy     corev1.RestartPolicy
	InitContainers    []containerView
	Containers        []containerView
}

type containerView struct {
	Name          string
	Ports         []corev1.ContainerPort
	RestartPolicy *corev1.ContainerRestartPolicy
}

// statefulSetView is what the rules read of a StatefulSet's own spec.
type statefulSetView struct {
	Spec struct {
		ServiceName string
		// OrdinalsStart is spec.ordinals.start.
		OrdinalsStart int
	}
}

var (
	templatePath        = []string{"spec", "template"}
	cronJobTemplatePath = []string{"spec", "jobTemplate", "spec", "template"}
)

// viewOf returns the view of a decoded object: a *serviceView, a
// *workloadView, a *configMapView, or nil for kinds the rules read
// otherwise (or not at all).
func viewOf(typed any) any {
	v := viewOfKind(typed)
	if w, ok := v.(*workloadView); ok {
		w.hostRefs, w.configMaps = objectRefs(typed)
	}
	return v
}

func viewOfKind(typed any) any {
	switch t := typed.(type) {
	case *corev1.ConfigMap:
		refs, _ := objectRefs(t)
		return &configMapView{hostRefs: refs}
	case *corev1.Service:
		v := &serviceView{Spec: serviceSpecView{Selector: t.Spec.Selector, Ports: t.Spec.Ports, ClusterIP: t.Spec.ClusterIP,
			ClusterIPs: t.Spec.ClusterIPs, Type: t.Spec.Type, PublishNotReadyAddresses: t.Spec.PublishNotReadyAddresses}}
		if a, ok := t.Annotations[tolerateUnready]; ok {
			v.Annotations = map[string]string{tolerateUnready: a}
		}
		return v
	case *corev1.Pod:
		return &workloadView{Template: newTemplateView(t.Labels, &t.Spec), Replicas: 1}
	case *appsv1.StatefulSet:
		v := &workloadView{Template: newTemplateView(t.Spec.Template.Labels, &t.Spec.Template.Spec), TemplatePath: templatePath,
			Selector: t.Spec.Selector, Replicas: ptrOr(t.Spec.Replicas, 1), sts: &statefulSetView{}}
		v.sts.Spec.ServiceName = t.Spec.ServiceName
		if t.Spec.Ordinals != nil {
			v.sts.Spec.OrdinalsStart = int(t.Spec.Ordinals.Start)
		}
		return v
	case *appsv1.Deployment:
		return &workloadView{Template: newTemplateView(t.Spec.Template.Labels, &t.Spec.Template.Spec), TemplatePath: templatePath,
			Selector: t.Spec.Selector, Replicas: ptrOr(t.Spec.Replicas, 1)}
	case *appsv1.ReplicaSet:
		return &workloadView{Template: newTemplateView(t.Spec.Template.Labels, &t.Spec.Template.Spec), TemplatePath: templatePath,
			Selector: t.Spec.Selector, Replicas: ptrOr(t.Spec.Replicas, 1)}
	case *appsv1.DaemonSet:
		return &workloadView{Template: newTemplateView(t.Spec.Template.Labels, &t.Spec.Template.Spec), TemplatePath: templatePath,
			Selector: t.Spec.Selector}
	case *corev1.ReplicationController:
		if t.Spec.Template == nil {
			return nil
		}
		var sel *metav1.LabelSelector
		if t.Spec.Selector != nil {
			sel = &metav1.LabelSelector{MatchLabels: t.Spec.Selector}
		}
		return &workloadView{Template: newTemplateView(t.Spec.Template.Labels, &t.Spec.Template.Spec), TemplatePath: templatePath,
			Selector: sel, Replicas: ptrOr(t.Spec.Replicas, 1)}
	case *batchv1.Job:
		return &workloadView{Template: newTemplateView(t.Spec.Template.Labels, &t.Spec.Template.Spec), TemplatePath: templatePath,
			Replicas: max(ptrOr(t.Spec.Parallelism, 1), 1)}
	case *batchv1.CronJob:
		tmpl := &t.Spec.JobTemplate.Spec.Template
		return &workloadView{Template: newTemplateView(tmpl.Labels, &tmpl.Spec), TemplatePath: cronJobTemplatePath,
			Replicas: max(ptrOr(t.Spec.JobTemplate.Spec.Parallelism, 1), 1)}
	}
	return nil
}

func newTemplateView(labels map[string]string, spec *corev1.PodSpec) *templateView {
	return &templateView{Labels: labels, Spec: podSpecView{Hostname: spec.Hostname, Subdomain: spec.Subdomain,
		SetHostnameAsFQDN: spec.SetHostnameAsFQDN, RestartPolicy: spec.RestartPolicy,
		InitContainers: containerViews(spec.InitContainers), Containers: containerViews(spec.Containers)}}
}

func containerViews(cs []corev1.Container) []containerView {
	if len(cs) == 0 {
		return nil
	}
	out := make([]containerView, len(cs))
	for i, c := range cs {
		out[i] = containerView{Name: c.Name, Ports: c.Ports, RestartPolicy: c.RestartPolicy}
	}
	return out
}

// podSpec returns a corev1.PodSpec with the fields of the view, for the dns
// package.
func (v *podSpecView) podSpec() *corev1.PodSpec {
	spec := &corev1.PodSpec{Hostname: v.Hostname, Subdomain: v.Subdomain, SetHostnameAsFQDN: v.SetHostnameAsFQDN, RestartPolicy: v.RestartPolicy}
	for _, c := range v.InitContainers {
		spec.InitContainers = append(spec.InitContainers, corev1.Container{Name: c.Name, Ports: c.Ports, RestartPolicy: c.RestartPolicy})
	}
	for _, c := range v.Containers {
		spec.Containers = append(spec.Containers, corev1.Container{Name: c.Name, Ports: c.Ports, RestartPolicy: c.RestartPolicy})
	}
	return spec
}

// service returns a corev1.Service with the fields of the view, for the dns
// package.
func (v *serviceView) service(name, namespace string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Annotations: v.Annotations},
		Spec: corev1.ServiceSpec{Selector: v.Spec.Selector, Ports: v.Spec.Ports, ClusterIP: v.Spec.ClusterIP, ClusterIPs: v.Spec.ClusterIPs,
			Type: v.Spec.Type, PublishNotReadyAddresses: v.Spec.PublishNotReadyAddresses}}
}

// targetPort is dns.TargetPort on a view: a numeric targetPort always
// resolves; a named one must be a container port's name (same protocol).
func targetPort(port corev1.ServicePort, spec *podSpecView) (int32, bool) {
	tp := port.TargetPort
	switch {
	case tp.Type == intstr.String && tp.StrVal != "":
		for _, c := range spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == tp.StrVal && dns.Protocol(cp.Protocol) == dns.Protocol(port.Protocol) {
					return cp.ContainerPort, true
				}
			}
		}
		return 0, false
	case tp.Type == intstr.Int && tp.IntVal != 0:
		return tp.IntVal, true
	}
	return port.Port, true
}

func ptrOr(p *int32, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}
