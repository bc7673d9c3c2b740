// Package dns computes the records cluster DNS publishes for a set of
// Kubernetes objects, following the Kubernetes DNS specification
// (kubernetes/dns docs/specification.md) and the EndpointSlice controller:
//
//   - a headless Service (clusterIP None) with a selector gets an A record
//     <service>.<namespace>.svc.<domain> answering every selected pod's IP;
//   - a selected pod gets its own A record <hostname>.<service>.<namespace>.svc.<domain>
//     only if spec.hostname is set and spec.subdomain equals the Service's
//     name (same namespace); a StatefulSet's pods have hostname = pod name and
//     subdomain = spec.serviceName. The specification promises these names
//     for headless Services only, but CoreDNS publishes them for any Service
//     with a selector (the EndpointSlice carries the hostname either way);
//     `make e2e` checks this model against a real CoreDNS, so the model
//     follows CoreDNS;
//   - every named Service port gets an SRV record
//     _<port>._<protocol>.<service>.<namespace>.svc.<domain> whose targets are
//     the pods that declare the port;
//   - a Service without a selector gets its addresses from EndpointSlices
//     written by hand (labelled kubernetes.io/service-name), or from an
//     Endpoints object of its name, which the EndpointSlice mirroring
//     controller copies into slices: its A record answers their addresses,
//     an endpoint with a hostname gets <hostname>.<service>.<namespace>.svc.<domain>,
//     and each named endpoint port an SRV record.
//
// For every pod without a record of its own, the model says why. Pods are
// assumed ready (or the Service publishes not-ready addresses): readiness is
// a runtime fact no manifest holds.
//
// The generator's tests, `headless dns` and `headless lint` share this model.
package dns

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// DefaultDomain is the cluster domain unless told otherwise.
const DefaultDomain = "cluster.local"

// Pod is a pod as cluster DNS sees it: a Pod object, or one of the pods a
// StatefulSet's controller will create.
type Pod struct {
	Namespace string
	Name      string
	// Owner is "StatefulSet <name>" for a StatefulSet's pod, "" for a Pod.
	Owner     string
	Labels    map[string]string
	Hostname  string
	Subdomain string
	// Spec is the pod's spec (for a StatefulSet, its template's).
	Spec *corev1.PodSpec
	// Range is set when the Pod stands for many pods of a StatefulSet, the
	// ordinals beyond MaxPods: Name is "<name>-<first> … <name>-<last>",
	// Hostname the last pod's (the longest name), and Labels lack the
	// per-pod labels.
	Range *Ordinals
}

// Ordinals are consecutive ordinals of a StatefulSet's pods.
type Ordinals struct {
	// Prefix is the StatefulSet's name: pods are <Prefix>-<ordinal>.
	Prefix      string
	First, Last int
}

// Count is the number of pods in the range.
func (o *Ordinals) Count() int { return o.Last - o.First + 1 }

// Host is the range's hostnames as one pattern, "<name>-{first..last}",
// which stands in the names of the range's records.
func (o *Ordinals) Host() string {
	return fmt.Sprintf("%s-{%d..%d}", o.Prefix, o.First, o.Last)
}

// MaxPods bounds the pods of one StatefulSet that the model lists one by
// one: ordinals from MaxPods on are one Pod with a Range, and each of their
// records one Record with that Range. A StatefulSet may declare up to
// 2,147,483,647 replicas; listing them cost 1.28 GB for a million and ran
// out of memory beyond. generate allows at most 1,000.
const MaxPods = 10_000

// host is the hostname in p's record names: a range's pattern, or its own.
func (p *Pod) host() string {
	if p.Range != nil {
		return p.Range.Host()
	}
	return p.Hostname
}

// Ref is "<namespace>/<name>", with the owner when there is one.
func (p *Pod) Ref() string {
	if p.Owner != "" {
		return p.Namespace + "/" + p.Name + " (" + p.Owner + ")"
	}
	return p.Namespace + "/" + p.Name
}

// FromPod returns the DNS view of a Pod object.
func FromPod(p *corev1.Pod) Pod {
	return Pod{Namespace: Namespace(p.Namespace), Name: p.Name, Labels: p.Labels,
		Hostname: p.Spec.Hostname, Subdomain: p.Spec.Subdomain, Spec: &p.Spec}
}

// FromStatefulSet returns the pods a StatefulSet's controller creates:
// <name>-0 … <name>-<replicas-1>, each with hostname = its name and
// subdomain = spec.serviceName, and the labels the controller adds. Beyond
// MaxPods pods, the rest are one Pod with a Range.
func FromStatefulSet(s *appsv1.StatefulSet) []Pod {
	replicas := 1
	if s.Spec.Replicas != nil {
		replicas = int(*s.Spec.Replicas)
	}
	start := 0
	if s.Spec.Ordinals != nil {
		start = int(s.Spec.Ordinals.Start)
	}
	return StatefulSetPods(s.Name, Namespace(s.Namespace), s.Spec.ServiceName, s.Spec.Template.Labels, &s.Spec.Template.Spec, start, replicas)
}

// StatefulSetPods returns the pods of the StatefulSet name in namespace ns
// with ordinals from start: at most MaxPods one by one, the rest as one Pod
// with a Range.
func StatefulSetPods(name, ns, serviceName string, template map[string]string, spec *corev1.PodSpec, start, replicas int) []Pod {
	listed := min(max(replicas, 0), MaxPods)
	pods := make([]Pod, 0, listed+1)
	for i := start; i < start+listed; i++ {
		pod := name + "-" + strconv.Itoa(i)
		labels := maps.Clone(template)
		if labels == nil {
			labels = map[string]string{}
		}
		labels[appsv1.StatefulSetPodNameLabel] = pod
		labels[appsv1.PodIndexLabel] = strconv.Itoa(i)
		pods = append(pods, Pod{Namespace: ns, Name: pod, Owner: "StatefulSet " + name,
			Labels: labels, Hostname: pod, Subdomain: serviceName, Spec: spec})
	}
	if replicas > listed {
		r := &Ordinals{Prefix: name, First: start + listed, Last: start + replicas - 1}
		last := name + "-" + strconv.Itoa(r.Last)
		labels := maps.Clone(template)
		if labels == nil {
			labels = map[string]string{}
		}
		pods = append(pods, Pod{Namespace: ns, Name: fmt.Sprintf("%s-%d … %s", name, r.First, last), Owner: "StatefulSet " + name,
			Labels: labels, Hostname: last, Subdomain: serviceName, Spec: spec, Range: r})
	}
	return pods
}

// EndpointSet is a group of addresses with the same ports that a Service
// without a selector gets from an EndpointSlice or an Endpoints subset
// written by hand.
type EndpointSet struct {
	Namespace string
	// Service is the Service the addresses belong to: an EndpointSlice's
	// kubernetes.io/service-name label, an Endpoints object's name.
	Service string
	// Owner names the object: "EndpointSlice <name>" or "Endpoints <name>".
	Owner     string
	Ports     []EndpointPort
	Endpoints []Endpoint
}

// EndpointPort is a port of an EndpointSet. Service ports match it by name.
type EndpointPort struct {
	Name     string
	Port     int32
	Protocol corev1.Protocol
}

// Endpoint is one address (or set of addresses of one endpoint) with the
// hostname that gives it a name of its own.
type Endpoint struct {
	Hostname  string
	Addresses []string
}

// FromEndpointSlice returns the EndpointSet of a slice.
func FromEndpointSlice(s *discoveryv1.EndpointSlice) EndpointSet {
	set := EndpointSet{Namespace: Namespace(s.Namespace), Service: s.Labels[discoveryv1.LabelServiceName], Owner: "EndpointSlice " + s.Name}
	for _, p := range s.Ports {
		ep := EndpointPort{Protocol: corev1.ProtocolTCP}
		if p.Name != nil {
			ep.Name = *p.Name
		}
		if p.Port != nil {
			ep.Port = *p.Port
		}
		if p.Protocol != nil {
			ep.Protocol = *p.Protocol
		}
		set.Ports = append(set.Ports, ep)
	}
	for _, e := range s.Endpoints {
		ep := Endpoint{Addresses: e.Addresses}
		if e.Hostname != nil {
			ep.Hostname = *e.Hostname
		}
		set.Endpoints = append(set.Endpoints, ep)
	}
	return set
}

// FromEndpoints returns the EndpointSets of an Endpoints object, one per
// subset; its ready and not-ready addresses alike.
func FromEndpoints(e *corev1.Endpoints) []EndpointSet {
	var out []EndpointSet
	for _, ss := range e.Subsets {
		set := EndpointSet{Namespace: Namespace(e.Namespace), Service: e.Name, Owner: "Endpoints " + e.Name}
		for _, p := range ss.Ports {
			set.Ports = append(set.Ports, EndpointPort{Name: p.Name, Port: p.Port, Protocol: Protocol(p.Protocol)})
		}
		for _, list := range [][]corev1.EndpointAddress{ss.Addresses, ss.NotReadyAddresses} {
			for _, a := range list {
				set.Endpoints = append(set.Endpoints, Endpoint{Hostname: a.Hostname, Addresses: []string{a.IP}})
			}
		}
		out = append(out, set)
	}
	return out
}

// Namespace is the namespace an object with metadata.namespace ns lands
// in when it is applied without -n: "default" for an empty one.
func Namespace(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

// Record is one DNS name and what it answers.
type Record struct {
	// Name is the fully qualified name, without a trailing dot.
	Name string
	// Type is "A" or "SRV".
	Type string
	// Pods are the pods whose IPs (A) or names (SRV) the record answers.
	Pods []*Pod
	// Port is the SRV record's port.
	Port int32
	// Targets are the SRV record's target names (per-pod names). A pod
	// with a Range stands in Pods for all its pods, and its record name or
	// target is the range's pattern, <name>-{first..last}.<service>….
	Targets []string
}

// Service holds the records of one Service.
type Service struct {
	Service *corev1.Service
	// Records lists the Service's A record, then the per-pod A records in
	// pod order, then the SRV records in port order. A Service that is not
	// headless, has no selector or selects no pod has none.
	Records []Record
	// Backends, for a Service with a cluster IP and a selector, are the
	// pods its virtual IP forwards to: those it selects.
	Backends []*Pod
}

// NoRecord is a pod without a DNS name of its own, and why.
type NoRecord struct {
	Pod    *Pod
	Reason string
}

// Report is what cluster DNS publishes for a set of objects.
type Report struct {
	Domain   string
	Services []Service
	// PodRecords maps a per-pod name to its pod (a range's pattern to its
	// Pod with a Range).
	PodRecords map[string]*Pod
	NoRecord   []NoRecord
}

// Index finds the pods a selector selects in one namespace without scanning
// every pod: an inverted index from label key=value to pods.
type Index struct {
	byLabel map[string][]int // "ns\x00key\x00value" -> pod positions
	byNS    map[string][]int
	Pods    []*Pod
}

// NewIndex indexes pods by namespace and label.
func NewIndex(pods []*Pod) *Index {
	ix := &Index{byLabel: map[string][]int{}, byNS: map[string][]int{}, Pods: pods}
	for i, p := range pods {
		ix.byNS[p.Namespace] = append(ix.byNS[p.Namespace], i)
		for k, v := range p.Labels {
			key := p.Namespace + "\x00" + k + "\x00" + v
			ix.byLabel[key] = append(ix.byLabel[key], i)
		}
	}
	return ix
}

// Select returns the pods of namespace ns whose labels include every
// key=value of selector. An empty selector selects nothing (a Service
// without a selector has no managed endpoints).
func (ix *Index) Select(ns string, selector map[string]string) []*Pod {
	if len(selector) == 0 {
		return nil
	}
	// Start from the shortest posting list and filter it.
	var best []int
	first := true
	for k, v := range selector {
		l := ix.byLabel[ns+"\x00"+k+"\x00"+v]
		if first || len(l) < len(best) {
			best, first = l, false
		}
	}
	var out []*Pod
	for _, i := range best {
		if Matches(selector, ix.Pods[i].Labels) {
			out = append(out, ix.Pods[i])
		}
	}
	return out
}

// InNamespace returns every pod of ns.
func (ix *Index) InNamespace(ns string) []*Pod {
	out := make([]*Pod, len(ix.byNS[ns]))
	for j, i := range ix.byNS[ns] {
		out[j] = ix.Pods[i]
	}
	return out
}

// Matches reports whether labels include every key=value of selector.
func Matches(selector, labels map[string]string) bool {
	for k, v := range selector {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// IsHeadless reports whether s is a headless Service. Only the exact
// spelling "None" counts; the API server rejects any other.
func IsHeadless(s *corev1.Service) bool { return s.Spec.ClusterIP == corev1.ClusterIPNone }

// Compute returns the records for services and pods under domain.
func Compute(domain string, services []*corev1.Service, pods []*Pod) *Report {
	return ComputeWithEndpoints(domain, services, pods, nil)
}

// ComputeWithEndpoints is Compute for Services without selectors too: their
// records come from the EndpointSets written for them. Endpoints of a
// Service with a selector are ignored (its controller manages them).
func ComputeWithEndpoints(domain string, services []*corev1.Service, pods []*Pod, endpoints []*EndpointSet) *Report {
	if domain == "" {
		domain = DefaultDomain
	}
	ix := NewIndex(pods)
	r := &Report{Domain: domain, PodRecords: map[string]*Pod{}}
	byName := map[string]*corev1.Service{} // "ns/name"
	for _, s := range services {
		byName[Namespace(s.Namespace)+"/"+s.Name] = s
	}
	sets := map[string][]*EndpointSet{} // "ns/service"
	for _, e := range endpoints {
		sets[e.Namespace+"/"+e.Service] = append(sets[e.Namespace+"/"+e.Service], e)
	}
	for _, s := range services {
		if len(s.Spec.Selector) == 0 {
			r.Services = append(r.Services, endpointRecords(domain, s, sets[Namespace(s.Namespace)+"/"+s.Name], r.PodRecords))
			continue
		}
		r.Services = append(r.Services, serviceRecords(domain, s, ix, r.PodRecords))
	}
	for _, p := range pods {
		name := ""
		if p.Hostname != "" && p.Subdomain != "" {
			name = PodFQDN(p.host(), p.Subdomain, p.Namespace, domain)
		}
		if name != "" && r.PodRecords[name] == p {
			continue
		}
		r.NoRecord = append(r.NoRecord, NoRecord{Pod: p, Reason: whyNoRecord(p, byName, r.PodRecords[name], name)})
	}
	return r
}

// PodFQDN is a pod's own DNS name.
func PodFQDN(hostname, subdomain, namespace, domain string) string {
	return hostname + "." + subdomain + "." + namespace + ".svc." + domain
}

// ServiceFQDN is a Service's DNS name.
func ServiceFQDN(name, namespace, domain string) string {
	return name + "." + namespace + ".svc." + domain
}

func serviceRecords(domain string, s *corev1.Service, ix *Index, podRecords map[string]*Pod) Service {
	out := Service{Service: s}
	if s.Spec.Type == corev1.ServiceTypeExternalName {
		return out
	}
	ns := Namespace(s.Namespace)
	selected := ix.Select(ns, s.Spec.Selector)
	if len(selected) == 0 {
		return out
	}
	headless := IsHeadless(s)
	svcName := ServiceFQDN(s.Name, ns, domain)
	if !headless {
		out.Backends = selected
	}
	if headless {
		// A Service with a cluster IP answers with that IP instead.
		out.Records = append(out.Records, Record{Name: svcName, Type: "A", Pods: selected})
	}
	for _, p := range selected {
		if p.Hostname == "" || p.Subdomain != s.Name {
			continue
		}
		name := PodFQDN(p.host(), s.Name, ns, domain)
		if _, dup := podRecords[name]; dup {
			continue // the first pod keeps the name; lint reports duplicates
		}
		podRecords[name] = p
		out.Records = append(out.Records, Record{Name: name, Type: "A", Pods: []*Pod{p}})
	}
	if !headless {
		return out // its SRV records name the Service, not the pods
	}
	for _, port := range s.Spec.Ports {
		if port.Name == "" {
			continue
		}
		proto := strings.ToLower(string(port.Protocol))
		if proto == "" {
			proto = "tcp"
		}
		rec := Record{Name: "_" + port.Name + "._" + proto + "." + svcName, Type: "SRV", Port: port.Port}
		for _, p := range selected {
			if _, ok := TargetPort(port, p.Spec); !ok {
				continue
			}
			rec.Pods = append(rec.Pods, p)
			if p.Hostname != "" && p.Subdomain == s.Name {
				rec.Targets = append(rec.Targets, PodFQDN(p.host(), s.Name, ns, domain))
			}
		}
		if len(rec.Pods) > 0 {
			out.Records = append(out.Records, rec)
		}
	}
	return out
}

// endpointRecords are the records of a Service without a selector: its
// addresses come from EndpointSets. Each endpoint stands as a Pod named
// by its hostname (or first address) and owned by its object.
func endpointRecords(domain string, s *corev1.Service, sets []*EndpointSet, podRecords map[string]*Pod) Service {
	out := Service{Service: s}
	if s.Spec.Type == corev1.ServiceTypeExternalName || len(sets) == 0 {
		return out
	}
	ns := Namespace(s.Namespace)
	svcName := ServiceFQDN(s.Name, ns, domain)
	headless := IsHeadless(s)
	type member struct {
		pod *Pod
		set *EndpointSet
	}
	var members []member
	for _, set := range sets {
		for _, e := range set.Endpoints {
			name := e.Hostname
			if name == "" && len(e.Addresses) > 0 {
				name = e.Addresses[0]
			}
			members = append(members, member{&Pod{Namespace: ns, Name: name, Owner: set.Owner, Hostname: e.Hostname, Subdomain: s.Name}, set})
		}
	}
	if len(members) == 0 {
		return out
	}
	if headless {
		all := make([]*Pod, len(members))
		for i, m := range members {
			all[i] = m.pod
		}
		out.Records = append(out.Records, Record{Name: svcName, Type: "A", Pods: all})
	}
	for _, m := range members {
		if m.pod.Hostname == "" {
			continue
		}
		name := PodFQDN(m.pod.Hostname, s.Name, ns, domain)
		if _, dup := podRecords[name]; dup {
			continue
		}
		podRecords[name] = m.pod
		out.Records = append(out.Records, Record{Name: name, Type: "A", Pods: []*Pod{m.pod}})
	}
	if !headless {
		return out
	}
	for _, port := range s.Spec.Ports {
		if port.Name == "" {
			continue
		}
		proto := Protocol(port.Protocol)
		rec := Record{Name: "_" + port.Name + "._" + strings.ToLower(string(proto)) + "." + svcName, Type: "SRV", Port: port.Port}
		for _, m := range members {
			for _, ep := range m.set.Ports {
				if ep.Name == port.Name && Protocol(ep.Protocol) == proto {
					rec.Port = ep.Port
					rec.Pods = append(rec.Pods, m.pod)
					if m.pod.Hostname != "" {
						rec.Targets = append(rec.Targets, PodFQDN(m.pod.Hostname, s.Name, ns, domain))
					}
				}
			}
		}
		if len(rec.Pods) > 0 {
			out.Records = append(out.Records, rec)
		}
	}
	return out
}

// TargetPort resolves a Service port's targetPort against a pod: a number
// always resolves; a name must be a container port's name.
func TargetPort(port corev1.ServicePort, spec *corev1.PodSpec) (int32, bool) {
	tp := port.TargetPort
	switch {
	case tp.Type == intstr.String && tp.StrVal != "":
		if spec == nil {
			return 0, false
		}
		for _, c := range spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == tp.StrVal && Protocol(cp.Protocol) == Protocol(port.Protocol) {
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

// Protocol is a port's protocol, TCP when unset.
func Protocol(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// whyNoRecord explains why p has no DNS name of its own.
func whyNoRecord(p *Pod, services map[string]*corev1.Service, holder *Pod, name string) string {
	switch {
	case strings.HasPrefix(p.Owner, "StatefulSet ") && p.Subdomain == "":
		return "its StatefulSet sets no serviceName"
	case p.Subdomain == "" && p.Hostname == "":
		return "it sets neither spec.hostname nor spec.subdomain"
	case p.Subdomain == "":
		return fmt.Sprintf("it sets spec.hostname %q but no spec.subdomain", p.Hostname)
	case p.Hostname == "":
		return fmt.Sprintf("it sets spec.subdomain %q but no spec.hostname", p.Subdomain)
	}
	s, ok := services[p.Namespace+"/"+p.Subdomain]
	switch {
	case !ok:
		field := "spec.subdomain"
		if strings.HasPrefix(p.Owner, "StatefulSet ") {
			field = "serviceName"
		}
		return fmt.Sprintf("%s %q names no Service in namespace %s", field, p.Subdomain, p.Namespace)
	case len(s.Spec.Selector) == 0:
		return fmt.Sprintf("Service %s has no selector", s.Name)
	case !Matches(s.Spec.Selector, p.Labels):
		return fmt.Sprintf("Service %s selects %s; the pod is labelled %s", s.Name, FormatLabels(s.Spec.Selector), FormatLabels(p.Labels))
	case holder != nil && holder != p:
		return fmt.Sprintf("%s is taken by %s", name, holder.Ref())
	}
	return "no record" // unreachable: every case above covers a missing record
}

// FormatLabels formats labels as sorted k=v pairs, or "nothing".
func FormatLabels(labels map[string]string) string {
	if len(labels) == 0 {
		return "nothing"
	}
	keys := slices.Sorted(maps.Keys(labels))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + labels[k]
	}
	return strings.Join(parts, ",")
}

// FromObjects computes the report for typed objects (*corev1.Service,
// *corev1.Pod, *appsv1.StatefulSet, *corev1.Endpoints,
// *discoveryv1.EndpointSlice; others are ignored).
func FromObjects(domain string, objects []any) *Report {
	var (
		services  []*corev1.Service
		pods      []*Pod
		endpoints []*EndpointSet
	)
	for _, o := range objects {
		switch o := o.(type) {
		case *corev1.Service:
			services = append(services, o)
		case *corev1.Pod:
			p := FromPod(o)
			pods = append(pods, &p)
		case *appsv1.StatefulSet:
			for _, p := range FromStatefulSet(o) {
				pods = append(pods, &p)
			}
		case *corev1.Endpoints:
			for _, e := range FromEndpoints(o) {
				endpoints = append(endpoints, &e)
			}
		case *discoveryv1.EndpointSlice:
			e := FromEndpointSlice(o)
			endpoints = append(endpoints, &e)
		}
	}
	return ComputeWithEndpoints(domain, services, pods, endpoints)
}
