// Package doctor checks a live cluster's per-pod DNS names: for each
// headless Service (and each Service a StatefulSet's serviceName or a pod's
// subdomain names), every per-pod name the objects promise, whether the
// EndpointSlices carry it (with which addresses, ready or not), and for
// every missing name why — in the words and rule ids of `headless lint`,
// whose rules and DNS model (package dns) it runs on the objects read from
// the cluster. It only reads.
package doctor

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/dns"
	"github.com/headless-k8s/headless/lint"
)

// Snapshot is what doctor reads from the cluster.
type Snapshot struct {
	// Namespace is the namespace read; "" for all namespaces.
	Namespace      string
	Services       []corev1.Service
	StatefulSets   []appsv1.StatefulSet
	Pods           []corev1.Pod
	EndpointSlices []discoveryv1.EndpointSlice
	// ConfigMaps are those the pods read (volumes, env), for the host
	// names in them.
	ConfigMaps []corev1.ConfigMap
	// Elsewhere are Services in other namespaces with the name of a
	// Service that a serviceName or subdomain names and that is not in
	// its namespace (read only when one namespace is).
	Elsewhere []corev1.Service
	CoreDNS   CoreDNS
}

// Report is doctor's answer.
type Report struct {
	// Namespace is the namespace checked; "" for all namespaces.
	Namespace string `json:"namespace"`
	// Domain is the cluster domain the names are under, and DomainSource
	// where it was learnt ("from CoreDNS's Corefile in ConfigMap
	// kube-system/coredns").
	Domain       string    `json:"clusterDomain"`
	DomainSource string    `json:"clusterDomainSource"`
	CoreDNS      CoreDNS   `json:"coreDNS"`
	Services     []Service `json:"services"`
	Present      int       `json:"present"`
	Missing      int       `json:"missing"`
	Problems     []Problem `json:"problems,omitempty"`
	Notes        []string  `json:"notes,omitempty"`
	findings     []lint.Finding
}

// Service is one Service and the per-pod names under it.
type Service struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Exists is false for a Service that a serviceName or subdomain names
	// but that is not in the cluster.
	Exists   bool   `json:"exists"`
	Headless bool   `json:"headless"`
	Names    []Name `json:"names"`
}

// Name is one promised per-pod name.
type Name struct {
	Name string `json:"name"`
	// Pod is the pod that should answer it, Owner its StatefulSet
	// ("StatefulSet db") or "".
	Pod   string `json:"pod"`
	Owner string `json:"owner,omitempty"`
	// Present is whether cluster DNS answers the name: an endpoint of the
	// Service's EndpointSlices carries the hostname and is ready.
	Present bool `json:"present"`
	// Addresses and Ready are those of the endpoint, when there is one.
	Addresses []string `json:"addresses,omitempty"`
	Ready     *bool    `json:"ready,omitempty"`
	// Rule is the lint rule that explains a missing name ("" when the
	// cause is the cluster's state, such as a pod not created yet), and
	// Reason the explanation (lint's message when there is a rule).
	Rule   string `json:"rule,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Problem is something that makes names fail beyond one name: a
// configuration naming a cluster domain the cluster does not use.
type Problem struct {
	Namespace string `json:"namespace"`
	// Object is "StatefulSet db" or "Pod db-0".
	Object string `json:"object"`
	// Name is the host name that cannot resolve.
	Name    string `json:"name"`
	Message string `json:"message"`
}

// OK reports whether every promised name is present and there is no
// problem.
func (r *Report) OK() bool { return r.Missing == 0 && len(r.Problems) == 0 }

// Findings are lint's findings on the objects read.
func (r *Report) Findings() []lint.Finding { return r.findings }

// nameRules are the lint rules whose findings on a workload mean that its
// pods lose their per-pod names, in the order doctor prefers them.
var nameRules = []string{"statefulset-not-selected", "subdomain-service", "no-pod-dns-name", "shared-hostname",
	"statefulset-service-name", "governing-service-missing", "dns-name-syntax"}

// notReadyRules are the lint rules about names that appear only once pods
// are ready.
var notReadyRules = []string{"peer-names-before-ready", "publish-not-ready"}

// Diagnose checks the snapshot under the cluster domain: domain if not
// "", else the Corefile's, else cluster.local.
func Diagnose(s *Snapshot, domain string) *Report {
	r := &Report{Namespace: s.Namespace, CoreDNS: s.CoreDNS, Services: []Service{}}
	switch {
	case domain != "":
		r.Domain, r.DomainSource = domain, "from --cluster-domain"
		if s.CoreDNS.Kubernetes && !slices.Contains(s.CoreDNS.Zones, domain) {
			r.Notes = append(r.Notes, fmt.Sprintf("CoreDNS's kubernetes plugin serves %s, not %s (%s)", strings.Join(s.CoreDNS.Zones, ", "), domain, s.CoreDNS.Source))
		}
	case s.CoreDNS.Domain != "":
		r.Domain, r.DomainSource = s.CoreDNS.Domain, "from CoreDNS's Corefile in "+s.CoreDNS.Source
	default:
		r.Domain, r.DomainSource = dns.DefaultDomain, "the default; CoreDNS's Corefile names none"
		if s.CoreDNS.Problem != "" {
			r.DomainSource = "the default; CoreDNS's Corefile was not read: " + s.CoreDNS.Problem
		}
	}

	// The DNS model: StatefulSets' pods from their specs, other pods as
	// they are (a StatefulSet's live pods are its model pods).
	stsOf := map[string]*appsv1.StatefulSet{}
	for i := range s.StatefulSets {
		st := &s.StatefulSets[i]
		stsOf[st.Namespace+"/"+st.Name] = st
	}
	livePods := map[string]*corev1.Pod{}
	var pods []*dns.Pod
	var lintObjs []any
	for i := range s.StatefulSets {
		st := &s.StatefulSets[i]
		for _, p := range dns.FromStatefulSet(st) {
			if p.Range != nil {
				r.Notes = append(r.Notes, fmt.Sprintf("StatefulSet %s/%s: the names of pods %s are not checked (only the first %d pods are)", st.Namespace, st.Name, p.Name, dns.MaxPods))
				continue
			}
			pods = append(pods, &p)
		}
		lintObjs = append(lintObjs, slimStatefulSet(st))
	}
	for i := range s.Pods {
		p := &s.Pods[i]
		livePods[p.Namespace+"/"+p.Name] = p
		if owner := metav1.GetControllerOf(p); owner != nil && owner.Kind == "StatefulSet" && stsOf[p.Namespace+"/"+owner.Name] != nil {
			continue
		}
		dp := dns.FromPod(p)
		pods = append(pods, &dp)
		lintObjs = append(lintObjs, slimPod(p))
	}
	var services []*corev1.Service
	svcOf := map[string]*corev1.Service{}
	for _, list := range [][]corev1.Service{s.Services, s.Elsewhere} {
		for i := range list {
			svc := &list[i]
			if _, dup := svcOf[svc.Namespace+"/"+svc.Name]; dup {
				continue
			}
			svcOf[svc.Namespace+"/"+svc.Name] = svc
			services = append(services, svc)
			lintObjs = append(lintObjs, slimService(svc))
		}
	}
	for i := range s.ConfigMaps {
		cm := &s.ConfigMaps[i]
		lintObjs = append(lintObjs, &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: slimMeta(cm.ObjectMeta), Data: cm.Data})
	}
	model := dns.Compute(r.Domain, services, pods)
	noRecord := map[*dns.Pod]string{}
	for _, nr := range model.NoRecord {
		noRecord[nr.Pod] = nr.Reason
	}
	r.findings = runLint(lintObjs, r.Domain)
	byObject := map[lint.ObjectRef][]lint.Finding{}
	for _, f := range r.findings {
		byObject[f.Object] = append(byObject[f.Object], f)
	}
	slicesOf := map[string][]*discoveryv1.EndpointSlice{} // "ns/service"
	for i := range s.EndpointSlices {
		es := &s.EndpointSlices[i]
		key := es.Namespace + "/" + es.Labels[discoveryv1.LabelServiceName]
		slicesOf[key] = append(slicesOf[key], es)
	}

	// The Services to report: every headless one read, and every one a
	// pod names.
	groups := map[string]*Service{}
	var order []string
	group := func(ns, name string) *Service {
		key := ns + "/" + name
		if g := groups[key]; g != nil {
			return g
		}
		g := &Service{Namespace: ns, Name: name, Names: []Name{}}
		if svc := svcOf[key]; svc != nil {
			g.Exists, g.Headless = true, dns.IsHeadless(svc)
		}
		groups[key] = g
		order = append(order, key)
		return g
	}
	for i := range s.Services {
		if svc := &s.Services[i]; dns.IsHeadless(svc) {
			group(svc.Namespace, svc.Name)
		}
	}
	for _, p := range pods {
		if p.Subdomain == "" {
			continue
		}
		g := group(p.Namespace, p.Subdomain)
		host := p.Hostname
		if host == "" {
			host = p.Name // the name it would have had with a hostname
		}
		n := Name{Name: dns.PodFQDN(host, p.Subdomain, p.Namespace, r.Domain), Pod: p.Name, Owner: p.Owner}
		owner := lint.ObjectRef{Kind: "Pod", Namespace: p.Namespace, Name: p.Name}
		if st, ok := strings.CutPrefix(p.Owner, "StatefulSet "); ok {
			owner = lint.ObjectRef{Kind: "StatefulSet", Namespace: p.Namespace, Name: st}
		}
		endpoint := findEndpoint(slicesOf[p.Namespace+"/"+p.Subdomain], p.Name, host)
		if svc := svcOf[p.Namespace+"/"+p.Subdomain]; svc != nil && len(svc.Spec.Selector) == 0 && endpoint != nil {
			continue // an EndpointSlice written by hand carries the name: listed below
		}
		if endpoint != nil {
			n.Addresses = endpoint.Addresses
			ready := endpoint.Conditions.Ready == nil || *endpoint.Conditions.Ready
			n.Ready = &ready
		}
		live := livePods[p.Namespace+"/"+p.Name]
		switch {
		case !s.CoreDNS.Kubernetes && s.CoreDNS.Source != "":
			n.Reason = fmt.Sprintf("CoreDNS's Corefile (%s) runs no kubernetes plugin, so it serves no Service or pod names", s.CoreDNS.Source)
		case model.PodRecords[n.Name] != p:
			n.Rule, n.Reason = explain(byObject[owner], nameRules)
			if n.Rule == "" {
				n.Reason = "the pod gets no DNS name: " + noRecord[p]
			}
		case live == nil:
			n.Reason = fmt.Sprintf("pod %s does not exist", p.Name)
			if st := stsOf[p.Namespace+"/"+strings.TrimPrefix(p.Owner, "StatefulSet ")]; st != nil {
				n.Reason += fmt.Sprintf(" (StatefulSet %s: %d of %d replicas created)", st.Name, st.Status.Replicas, replicas(st))
			}
		case endpoint != nil && !*n.Ready:
			rule, msg := explain(byObject[lint.ObjectRef{Kind: "Service", Namespace: p.Namespace, Name: p.Subdomain}], notReadyRules)
			if rule == "" {
				rule, msg = "publish-not-ready", fmt.Sprintf("Service %s does not set publishNotReadyAddresses: true, so a pod's DNS name appears only once it is ready", p.Subdomain)
			}
			n.Rule, n.Reason = rule, fmt.Sprintf("pod %s is not ready: %s", p.Name, msg)
		case endpoint != nil:
			n.Present = true
		case live.DeletionTimestamp != nil:
			n.Reason = fmt.Sprintf("pod %s is being deleted", p.Name)
		case live.Status.PodIP == "":
			n.Reason = fmt.Sprintf("pod %s has no IP yet (phase %s)", p.Name, orUnknown(string(live.Status.Phase)))
		default:
			n.Reason = fmt.Sprintf("no EndpointSlice of Service %s lists pod %s with hostname %s yet", p.Subdomain, p.Name, host)
		}
		g.Names = append(g.Names, n)
	}
	// Services without a selector: names from their EndpointSlices.
	for _, key := range order {
		g := groups[key]
		svc := svcOf[key]
		if svc == nil || len(svc.Spec.Selector) > 0 {
			continue
		}
		for _, es := range slicesOf[key] {
			for _, e := range es.Endpoints {
				if e.Hostname == nil || *e.Hostname == "" {
					continue
				}
				ready := e.Conditions.Ready == nil || *e.Conditions.Ready
				n := Name{Name: dns.PodFQDN(*e.Hostname, svc.Name, svc.Namespace, r.Domain), Pod: *e.Hostname, Owner: "EndpointSlice " + es.Name,
					Addresses: e.Addresses, Ready: &ready, Present: ready}
				if !ready {
					n.Reason = fmt.Sprintf("the endpoint %s of EndpointSlice %s is not ready", *e.Hostname, es.Name)
				}
				g.Names = append(g.Names, n)
			}
		}
	}
	sort.Strings(order)
	for _, key := range order {
		g := groups[key]
		for _, n := range g.Names {
			if n.Present {
				r.Present++
			} else {
				r.Missing++
			}
		}
		r.Services = append(r.Services, *g)
	}
	r.Problems = domainProblems(s, r.Domain)
	return r
}

// explain returns the first finding of the rules, in their order.
func explain(findings []lint.Finding, rules []string) (rule, msg string) {
	for _, id := range rules {
		for _, f := range findings {
			if f.Rule == id {
				return f.Rule, f.Message
			}
		}
	}
	return "", ""
}

// findEndpoint returns the endpoint of pod (by its targetRef, else by
// hostname) that carries hostname host.
func findEndpoint(slices []*discoveryv1.EndpointSlice, pod, host string) *discoveryv1.Endpoint {
	for _, es := range slices {
		for i := range es.Endpoints {
			e := &es.Endpoints[i]
			if e.Hostname == nil || *e.Hostname != host {
				continue
			}
			if e.TargetRef == nil || (e.TargetRef.Kind == "Pod" && e.TargetRef.Name == pod) {
				return e
			}
		}
	}
	return nil
}

func replicas(st *appsv1.StatefulSet) int32 {
	if st.Spec.Replicas == nil {
		return 1
	}
	return *st.Spec.Replicas
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// runLint runs lint's rules on the objects (slim copies: metadata and
// spec) under domain.
func runLint(objs []any, domain string) []lint.Finding {
	if len(objs) == 0 {
		return nil
	}
	data, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": objs})
	if err != nil {
		return nil
	}
	inputs := []lint.Input{{Name: "cluster", Data: data}}
	parsed, _ := lint.Parse(inputs)
	// Live objects carry the API server's defaults and fields newer than
	// lint's types; rules about how a manifest is written do not apply.
	disabled := map[string]bool{"unknown-field": true, "kind-apiversion": true, "invalid-value": true}
	return lint.Lint(inputs, parsed, lint.Options{Domain: domain, Disabled: disabled})
}

func slimMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	var annotations map[string]string
	for k, v := range m.Annotations {
		if k != "kubectl.kubernetes.io/last-applied-configuration" {
			if annotations == nil {
				annotations = map[string]string{}
			}
			annotations[k] = v
		}
	}
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: annotations}
}

func slimService(s *corev1.Service) *corev1.Service {
	return &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: slimMeta(s.ObjectMeta), Spec: s.Spec}
}

func slimStatefulSet(s *appsv1.StatefulSet) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"}, ObjectMeta: slimMeta(s.ObjectMeta), Spec: s.Spec}
}

func slimPod(p *corev1.Pod) *corev1.Pod {
	return &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: slimMeta(p.ObjectMeta), Spec: p.Spec}
}
