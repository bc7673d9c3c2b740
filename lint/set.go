package lint

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/headless-k8s/headless/dns"
)

// Workload is an object that runs pods: a Pod, or a controller with a pod
// template, seen through its view.
type Workload struct {
	Obj *Object
	*workloadView
	// Pods are the pods as cluster DNS sees them: one per ordinal for a
	// StatefulSet, one standing for all replicas of other controllers.
	// Their Spec is nil: rules read the template's view.
	Pods []*dns.Pod
}

// Path returns the JSON path p under the pod template.
func (w *Workload) Path(p ...string) []string {
	return append(append([]string(nil), w.TemplatePath...), p...)
}

// Set is every object read, with the indexes the cross-object rules use:
// no rule compares every object with every other.
type Set struct {
	Objects []*Object
	// Domain is the cluster domain for DNS names.
	Domain    string
	Services  []*Object
	Workloads []*Workload
	// Endpoints are the Endpoints and EndpointSlice objects, written by hand
	// for Services without selectors.
	Endpoints []*Object
	// Pods are all workloads' pods, indexed by namespace and label.
	Pods  *dns.Index
	owner map[*dns.Pod]*Workload

	configMaps     map[string]*Object   // "ns/name"
	servicesByName map[string][]*Object // "ns/name"
	servicesByBare map[string][]*Object // "name"
	dnsReport      *dns.Report
}

// NewSet indexes objects for the cluster domain, with no namespace given
// for the objects that have none.
func NewSet(objects []*Object, domain string) *Set {
	return NewSetFor(objects, Options{Domain: domain})
}

// NewSetFor indexes objects with the domain and namespace of opts. An
// object without a namespace is filed under opts.Namespace, or, when that
// is empty, under the unknown namespace the input is applied to, together
// with the other objects without one.
func NewSetFor(objects []*Object, opts Options) *Set {
	s := &Set{Objects: objects, Domain: opts.Domain, owner: map[*dns.Pod]*Workload{}, configMaps: map[string]*Object{}, servicesByName: map[string][]*Object{}, servicesByBare: map[string][]*Object{}}
	if s.Domain == "" {
		s.Domain = dns.DefaultDomain
	}
	var pods []*dns.Pod
	for _, o := range objects {
		o.space = o.Namespace
		if o.space == "" {
			o.space = opts.Namespace
		}
		switch v := o.viewOf().(type) {
		case *serviceView:
			s.Services = append(s.Services, o)
			key := o.space + "/" + o.Name
			s.servicesByName[key] = append(s.servicesByName[key], o)
			s.servicesByBare[o.Name] = append(s.servicesByBare[o.Name], o)
		case *workloadView:
			w := newWorkload(o, v)
			s.Workloads = append(s.Workloads, w)
			for _, p := range w.Pods {
				s.owner[p] = w
				pods = append(pods, p)
			}
		case *configMapView:
			s.configMaps[o.space+"/"+o.Name] = o
		default:
			switch o.Typed.(type) {
			case *corev1.Endpoints, *discoveryv1.EndpointSlice:
				s.Endpoints = append(s.Endpoints, o)
			}
		}
	}
	s.Pods = dns.NewIndex(pods)
	return s
}

func newWorkload(o *Object, v *workloadView) *Workload {
	w := &Workload{Obj: o, workloadView: v}
	if v.sts != nil {
		// The pods the StatefulSet controller creates: <name>-<ordinal>,
		// with hostname = their name, subdomain = serviceName, and the
		// labels the controller adds; beyond dns.MaxPods, one Pod with a
		// Range stands for the rest.
		for _, p := range dns.StatefulSetPods(o.Name, o.space, v.sts.Spec.ServiceName, v.Template.Labels, nil, v.sts.Spec.OrdinalsStart, v.Replicas) {
			w.Pods = append(w.Pods, &p)
		}
		return w
	}
	name := o.Name
	if v.TemplatePath != nil {
		name += "-…" // one pod stands for every replica of a controller without ordinals
	}
	w.Pods = []*dns.Pod{{Namespace: o.space, Name: name, Owner: ownerOf(o, v), Labels: v.Template.Labels,
		Hostname: v.Template.Spec.Hostname, Subdomain: v.Template.Spec.Subdomain}}
	return w
}

func ownerOf(o *Object, v *workloadView) string {
	if v.TemplatePath == nil {
		return ""
	}
	return o.Kind + " " + o.Name
}

// ConfigMap returns the ConfigMap named name filed under namespace ns, or
// nil.
func (s *Set) ConfigMap(ns, name string) *Object { return s.configMaps[ns+"/"+name] }

// Owner returns the workload a pod belongs to.
func (s *Set) Owner(p *dns.Pod) *Workload { return s.owner[p] }

// Service returns the Services named name filed under namespace ns ("" for
// the namespace the input is applied to); more than one only if the input
// defines it twice.
func (s *Set) Service(ns, name string) []*Object { return s.servicesByName[ns+"/"+name] }

// ServicesNamed returns every Service named name, in any namespace.
func (s *Set) ServicesNamed(name string) []*Object { return s.servicesByBare[name] }

// SelectedWorkloads returns the workloads with at least one pod that svc
// selects, each once, in input order.
func (s *Set) SelectedWorkloads(svc *Object) []*Workload {
	sel := service(svc).Spec.Selector
	seen := map[*Workload]bool{}
	var out []*Workload
	for _, p := range s.Pods.Select(svc.space, sel) {
		if w := s.owner[p]; !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// DNS returns the records cluster DNS would publish for the set. Objects
// whose namespace is not known are shown in "default", where `kubectl
// apply` puts them in a default context.
func (s *Set) DNS() *dns.Report {
	if s.dnsReport == nil {
		svcs := make([]*corev1.Service, len(s.Services))
		for i, o := range s.Services {
			svcs[i] = service(o).service(o.Name, o.shownNS())
		}
		pods := make([]*dns.Pod, len(s.Pods.Pods))
		specs := map[*Workload]*corev1.PodSpec{}
		for i, p := range s.Pods.Pods {
			w := s.owner[p]
			if specs[w] == nil {
				specs[w] = w.Template.Spec.podSpec()
			}
			shown := *p
			shown.Namespace, shown.Spec = dns.Namespace(p.Namespace), specs[w]
			pods[i] = &shown
		}
		var endpoints []*dns.EndpointSet
		for _, o := range s.Endpoints {
			for _, e := range endpointSets(o) {
				e.Namespace = o.shownNS()
				endpoints = append(endpoints, &e)
			}
		}
		s.dnsReport = dns.ComputeWithEndpoints(s.Domain, svcs, pods, endpoints)
	}
	return s.dnsReport
}

// endpointSets returns the dns view of an Endpoints or EndpointSlice object.
func endpointSets(o *Object) []dns.EndpointSet {
	switch t := o.Typed.(type) {
	case *corev1.Endpoints:
		return dns.FromEndpoints(t)
	case *discoveryv1.EndpointSlice:
		return []dns.EndpointSet{dns.FromEndpointSlice(t)}
	}
	return nil
}

// endpointsService returns the name of the Service an Endpoints or
// EndpointSlice object gives addresses to ("" for a slice without the
// kubernetes.io/service-name label).
func endpointsService(o *Object) string {
	if t, ok := o.Typed.(*discoveryv1.EndpointSlice); ok {
		return t.Labels[discoveryv1.LabelServiceName]
	}
	return o.Name
}

// endpointPort is one port of an Endpoints subset or an EndpointSlice, with
// its JSON path.
type endpointPort struct {
	dns.EndpointPort
	at []string
	// named is false for an EndpointSlice port whose name is absent.
	named bool
}

// endpointPorts lists the ports of an Endpoints or EndpointSlice object.
func endpointPorts(o *Object) []endpointPort {
	var out []endpointPort
	switch t := o.Typed.(type) {
	case *corev1.Endpoints:
		for i, ss := range t.Subsets {
			for j, port := range ss.Ports {
				out = append(out, endpointPort{dns.EndpointPort{Name: port.Name, Port: port.Port, Protocol: dns.Protocol(port.Protocol)}, p("subsets", i, "ports", j), port.Name != ""})
			}
		}
	case *discoveryv1.EndpointSlice:
		sets := dns.FromEndpointSlice(t)
		for j, port := range sets.Ports {
			out = append(out, endpointPort{port, p("ports", j), t.Ports[j].Name != nil})
		}
	}
	return out
}

// endpointHostname is the hostname of an address in Endpoints or an
// EndpointSlice, with its JSON path.
type endpointHostname struct {
	value string
	at    []string
}

// endpointHostnames lists the hostnames an Endpoints or EndpointSlice
// object gives its addresses.
func endpointHostnames(o *Object) []endpointHostname {
	var out []endpointHostname
	switch t := o.Typed.(type) {
	case *corev1.Endpoints:
		for i, ss := range t.Subsets {
			for _, list := range []struct {
				key   string
				addrs []corev1.EndpointAddress
			}{{"addresses", ss.Addresses}, {"notReadyAddresses", ss.NotReadyAddresses}} {
				for j, a := range list.addrs {
					if a.Hostname != "" {
						out = append(out, endpointHostname{a.Hostname, p("subsets", i, list.key, j, "hostname")})
					}
				}
			}
		}
	case *discoveryv1.EndpointSlice:
		for i, e := range t.Endpoints {
			if e.Hostname != nil {
				out = append(out, endpointHostname{*e.Hostname, p("endpoints", i, "hostname")})
			}
		}
	}
	return out
}

// subsetPorts is the number of ports in the Endpoints subset that the port
// at path (subsets.i.ports.j) belongs to.
func subsetPorts(o *Object, at []string) int {
	t, ok := o.Typed.(*corev1.Endpoints)
	if !ok || len(at) < 2 {
		return 0
	}
	i, err := strconv.Atoi(at[1])
	if err != nil || i >= len(t.Subsets) {
		return 0
	}
	return len(t.Subsets[i].Ports)
}
