package generator

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// podInstance is one pod as the cluster will see it: a plain Pod, or one
// the StatefulSet controller creates from its template.
type podInstance struct {
	name      string
	from      string // "Pod db-0" or "StatefulSet db"
	labels    map[string]string
	hostname  string
	subdomain string
	spec      *corev1.PodSpec
}

// check proves on the typed objects what the tool promises: exactly one
// headless Service; every pod selected by it, with a unique hostname and
// its subdomain (or the StatefulSet's serviceName) naming it, so that it
// gets exactly the DNS name the Model promised; every Service targetPort
// declared by the containers; every referenced ConfigMap and claim present;
// and every cluster host name written into configuration one of the pods'
// DNS names. A failure is a defect in headless.
func check(man *Manifest) error {
	m := man.Model
	var (
		problems   []string
		services   []*corev1.Service
		headless   []*corev1.Service
		pods       []podInstance
		configMaps = map[string]*corev1.ConfigMap{}
		claims     = map[string]bool{}
		budgets    []*policyv1.PodDisruptionBudget
	)
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	seen := map[string]bool{}
	for _, d := range man.Documents {
		key := d.Kind + "/" + d.Name
		if seen[key] {
			fail("%s %s is generated twice", d.Kind, d.Name)
		}
		seen[key] = true
		switch o := d.Object.(type) {
		case *corev1.Service:
			services = append(services, o)
			if o.Spec.ClusterIP == corev1.ClusterIPNone {
				headless = append(headless, o)
			}
			checkNamespace(o.Namespace, m, d, fail)
		case *appsv1.StatefulSet:
			checkNamespace(o.Namespace, m, d, fail)
			if o.Spec.Replicas == nil {
				fail("StatefulSet %s has no replicas", o.Name)
				continue
			}
			if !selects(o.Spec.Selector.MatchLabels, o.Spec.Template.Labels) {
				fail("StatefulSet %s: selector %v does not match its template labels %v", o.Name, o.Spec.Selector.MatchLabels, o.Spec.Template.Labels)
			}
			for i := range int(*o.Spec.Replicas) {
				name := fmt.Sprintf("%s-%d", o.Name, i)
				pods = append(pods, podInstance{name: name, from: "StatefulSet " + o.Name, labels: o.Spec.Template.Labels,
					hostname: name, subdomain: o.Spec.ServiceName, spec: &o.Spec.Template.Spec})
			}
		case *corev1.Pod:
			checkNamespace(o.Namespace, m, d, fail)
			pods = append(pods, podInstance{name: o.Name, from: "Pod " + o.Name, labels: o.Labels,
				hostname: o.Spec.Hostname, subdomain: o.Spec.Subdomain, spec: &o.Spec})
		case *corev1.ConfigMap:
			checkNamespace(o.Namespace, m, d, fail)
			configMaps[o.Name] = o
		case *corev1.PersistentVolumeClaim:
			checkNamespace(o.Namespace, m, d, fail)
			claims[o.Name] = true
		case *policyv1.PodDisruptionBudget:
			checkNamespace(o.Namespace, m, d, fail)
			budgets = append(budgets, o)
		default:
			fail("unexpected object %T", d.Object)
		}
	}

	if len(headless) != 1 {
		fail("want exactly one headless Service (clusterIP: None), got %d", len(headless))
		return &InternalError{Problems: problems}
	}
	svc := headless[0]
	if svc.Name != m.ServiceName {
		fail("headless Service is named %s, want %s", svc.Name, m.ServiceName)
	}
	if !svc.Spec.PublishNotReadyAddresses {
		fail("headless Service %s does not publish not-ready addresses", svc.Name)
	}
	if len(pods) != len(m.Pods) {
		fail("%d pods would run, want %d", len(pods), len(m.Pods))
	}

	promised := map[string]bool{}
	for _, p := range m.Pods {
		promised[p.FQDN] = true
	}
	hostnames := map[string]string{}
	for _, p := range pods {
		if p.subdomain != svc.Name {
			fail("%s: pod %s has subdomain %q, not the headless Service %s", p.from, p.name, p.subdomain, svc.Name)
		}
		if prev, dup := hostnames[p.hostname]; dup {
			fail("%s: pod %s has hostname %q, already used by %s", p.from, p.name, p.hostname, prev)
		}
		hostnames[p.hostname] = p.from
		if fqdn := podFQDN(p.hostname, p.subdomain, m.Namespace, m.ClusterDomain); !promised[fqdn] {
			fail("%s: pod %s would be %s, which is not one of the promised DNS names", p.from, p.name, fqdn)
		}
		for _, s := range services {
			if !selects(s.Spec.Selector, p.labels) {
				fail("Service %s does not select pod %s (selector %v, pod labels %v)", s.Name, p.name, s.Spec.Selector, p.labels)
			}
			for _, sp := range s.Spec.Ports {
				if !declaresPort(p.spec, sp.TargetPort) {
					fail("Service %s port %s: targetPort %s is not a container port of pod %s", s.Name, sp.Name, sp.TargetPort.String(), p.name)
				}
			}
		}
		for _, b := range budgets {
			if b.Spec.Selector == nil || !selects(b.Spec.Selector.MatchLabels, p.labels) {
				fail("PodDisruptionBudget %s does not select pod %s", b.Name, p.name)
			}
		}
		for _, v := range p.spec.Volumes {
			if v.ConfigMap != nil && configMaps[v.ConfigMap.Name] == nil {
				fail("pod %s mounts ConfigMap %s, which is not generated", p.name, v.ConfigMap.Name)
			}
			if v.PersistentVolumeClaim != nil && !claims[v.PersistentVolumeClaim.ClaimName] {
				fail("pod %s mounts claim %s, which is not generated", p.name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}

	configHosts(man.Documents, m.ClusterDomain, func(where, host string) {
		if !promised[host] {
			fail("%s names host %s, which is not one of the pods' DNS names", where, host)
		}
	})

	if len(problems) > 0 {
		return &InternalError{Problems: problems}
	}
	return nil
}

func checkNamespace(ns string, m *Model, d Document, fail func(string, ...any)) {
	if ns != m.Namespace {
		fail("%s %s is in namespace %q, want %q", d.Kind, d.Name, ns, m.Namespace)
	}
}

// selects reports whether a non-empty equality selector matches labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// declaresPort reports whether a container of spec declares the target port,
// by name or by number.
func declaresPort(spec *corev1.PodSpec, target intstr.IntOrString) bool {
	for _, c := range spec.Containers {
		for _, cp := range c.Ports {
			if target.Type == intstr.String && cp.Name == target.StrVal ||
				target.Type == intstr.Int && cp.ContainerPort == target.IntVal {
				return true
			}
		}
	}
	return false
}

// configHosts calls fn for every cluster host name written into the
// configuration of docs — ConfigMap data and the containers' commands,
// arguments and environment — with where it was found.
func configHosts(docs []Document, domain string, fn func(where, host string)) {
	hosts := hostPattern(domain)
	scan := func(where, text string) {
		for _, match := range hosts.FindAllStringSubmatch(text, -1) {
			fn(where, match[1])
		}
	}
	containers := func(from string, cs []corev1.Container) {
		for _, c := range cs {
			where := from + " container " + c.Name
			scan(where, strings.Join(append(slices.Clone(c.Command), c.Args...), " "))
			for _, e := range c.Env {
				scan(where+" env "+e.Name, e.Value)
			}
		}
	}
	for _, d := range docs {
		switch o := d.Object.(type) {
		case *corev1.ConfigMap:
			for _, k := range slices.Sorted(maps.Keys(o.Data)) {
				scan("ConfigMap "+o.Name+" key "+k, o.Data[k])
			}
		case *corev1.Pod:
			containers("Pod "+o.Name, o.Spec.Containers)
		case *appsv1.StatefulSet:
			containers("StatefulSet "+o.Name, o.Spec.Template.Spec.Containers)
		}
	}
}

// hostPattern matches cluster host names under <domain>: anything that ends
// in .svc.<domain> and is not followed by more name characters.
func hostPattern(domain string) *regexp.Regexp {
	return regexp.MustCompile(`([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.svc\.` + regexp.QuoteMeta(domain) + `)(?:[^a-z0-9-]|$)`)
}
