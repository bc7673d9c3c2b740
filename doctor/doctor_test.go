package doctor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/dns"
	"github.com/headless-k8s/headless/lint"
)

// cluster builds a snapshot from manifests as a cluster would hold them:
// each StatefulSet's pods created, every pod running with an IP (ready
// unless listed in notReady), and the EndpointSlices the controller would
// write for every Service with a selector.
func cluster(t *testing.T, yaml string, notReady ...string) *Snapshot {
	t.Helper()
	inputs := []lint.Input{{Name: "m.yaml", Data: []byte(yaml)}}
	objs, errs := lint.Parse(inputs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := &Snapshot{CoreDNS: ParseCorefile(kubeadmCorefile)}
	s.CoreDNS.Source = "test"
	ip := 0
	addPod := func(p corev1.Pod) {
		ip++
		p.Namespace = dns.Namespace(p.Namespace)
		p.Status.PodIP = fmt.Sprintf("10.0.0.%d", ip)
		p.Status.Phase = corev1.PodRunning
		ready := corev1.ConditionTrue
		for _, n := range notReady {
			if n == p.Name {
				ready = corev1.ConditionFalse
			}
		}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}
		s.Pods = append(s.Pods, p)
	}
	for _, o := range objs {
		switch v := o.Typed.(type) {
		case *corev1.Service:
			v.Namespace = dns.Namespace(v.Namespace)
			s.Services = append(s.Services, *v)
		case *corev1.Pod:
			addPod(*v)
		case *appsv1.StatefulSet:
			v.Namespace = dns.Namespace(v.Namespace)
			s.StatefulSets = append(s.StatefulSets, *v)
			yes := true
			for _, p := range dns.FromStatefulSet(v) {
				addPod(corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: v.Namespace, Labels: p.Labels,
					OwnerReferences: []metav1.OwnerReference{{Kind: "StatefulSet", Name: v.Name, Controller: &yes}}},
					Spec: func() corev1.PodSpec {
						spec := *v.Spec.Template.Spec.DeepCopy()
						spec.Hostname, spec.Subdomain = p.Name, v.Spec.ServiceName
						return spec
					}()})
			}
		}
	}
	// The EndpointSlice controller: one slice per Service with a selector.
	for _, svc := range s.Services {
		if len(svc.Spec.Selector) == 0 {
			continue
		}
		es := discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: svc.Name + "-x", Namespace: svc.Namespace,
			Labels: map[string]string{discoveryv1.LabelServiceName: svc.Name}}}
		for _, p := range s.Pods {
			if p.Namespace != svc.Namespace || !dns.Matches(svc.Spec.Selector, p.Labels) {
				continue
			}
			ready := svc.Spec.PublishNotReadyAddresses || p.Status.Conditions[0].Status == corev1.ConditionTrue
			e := discoveryv1.Endpoint{Addresses: []string{p.Status.PodIP}, Conditions: discoveryv1.EndpointConditions{Ready: &ready},
				TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: p.Name}}
			if p.Spec.Hostname != "" && p.Spec.Subdomain == svc.Name {
				h := p.Spec.Hostname
				e.Hostname = &h
			}
			es.Endpoints = append(es.Endpoints, e)
		}
		s.EndpointSlices = append(s.EndpointSlices, es)
	}
	return s
}

// lintFindings lints manifests as `headless lint` would.
func lintFindings(t *testing.T, yaml string) []lint.Finding {
	inputs := []lint.Input{{Name: "m.yaml", Data: []byte(yaml)}}
	objs, _ := lint.Parse(inputs)
	return lint.Lint(inputs, objs, lint.Options{Namespace: "default"})
}

const healthy = `apiVersion: v1
kind: Service
metadata: {name: db-h, namespace: data}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: db}
  ports: [{name: db, port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db-h
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: "postgres:17.2", args: ["--primary=db-0.db-h.data.svc.cluster.local"], ports: [{name: db, containerPort: 5432}]}]
`

func TestDiagnose(t *testing.T) {
	fixture := func(rule string) string {
		data, err := readFile(filepath.Join("..", "lint", "testdata", "rules", rule, "fire.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name     string
		yaml     string
		notReady []string
		domain   string
		corefile string
		// want maps each name to "" (present) or the rule id that
		// explains it ("-" for a reason without a rule).
		want     map[string]string
		problems int
	}{
		{name: "healthy", yaml: healthy, want: map[string]string{
			"db-0.db-h.data.svc.cluster.local": "", "db-1.db-h.data.svc.cluster.local": ""}},
		{name: "statefulset-not-selected", yaml: fixture("statefulset-not-selected"), want: map[string]string{
			"db-0.db-h.default.svc.cluster.local": "statefulset-not-selected", "other-0.nosel.default.svc.cluster.local": "statefulset-not-selected"}},
		{name: "subdomain-service", yaml: fixture("subdomain-service"), want: map[string]string{
			"kv-0.kv.default.svc.cluster.local": "subdomain-service", "kv-4.far.default.svc.cluster.local": "subdomain-service"}},
		{name: "no-pod-dns-name", yaml: fixture("no-pod-dns-name"), want: map[string]string{
			"kv-3.kv.default.svc.cluster.local": "no-pod-dns-name"}},
		{name: "not ready without publishNotReadyAddresses", yaml: strings.Replace(healthy, "publishNotReadyAddresses: true", "publishNotReadyAddresses: false", 1),
			notReady: []string{"db-1"}, want: map[string]string{
				"db-0.db-h.data.svc.cluster.local": "", "db-1.db-h.data.svc.cluster.local": "peer-names-before-ready"}},
		{name: "not ready with publishNotReadyAddresses", yaml: healthy, notReady: []string{"db-1"}, want: map[string]string{
			"db-0.db-h.data.svc.cluster.local": "", "db-1.db-h.data.svc.cluster.local": ""}},
		{name: "configuration under another domain", yaml: healthy, corefile: ".:53 {\n kubernetes example.org\n}\n", want: map[string]string{
			"db-0.db-h.data.svc.example.org": "", "db-1.db-h.data.svc.example.org": ""}, problems: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cluster(t, tt.yaml, tt.notReady...)
			if tt.corefile != "" {
				s.CoreDNS = ParseCorefile(tt.corefile)
				s.CoreDNS.Source = "test"
			}
			r := Diagnose(s, tt.domain)
			got := map[string]string{}
			findings := lintFindings(t, tt.yaml)
			for _, svc := range r.Services {
				for _, n := range svc.Names {
					switch {
					case n.Present:
						got[n.Name] = ""
					case n.Rule == "":
						got[n.Name] = "-"
					default:
						got[n.Name] = n.Rule
						// The words are lint's: its message is in the reason.
						if !hasMessage(findings, n.Rule, n.Reason) {
							t.Errorf("%s: reason %q is not a message of lint's %s on the same objects", n.Name, n.Reason, n.Rule)
						}
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("names = %v\nwant    %v", got, tt.want)
			}
			if len(r.Problems) != tt.problems {
				t.Errorf("problems = %+v, want %d", r.Problems, tt.problems)
			}
			allPresent := true
			for _, rule := range tt.want {
				allPresent = allPresent && rule == ""
			}
			if r.OK() != (allPresent && tt.problems == 0) {
				t.Errorf("OK = %v", r.OK())
			}
			var text, js bytes.Buffer
			if err := WriteText(&text, r); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			var back Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Missing != r.Missing {
				t.Fatalf("JSON does not round-trip: %v", err)
			}
			for name, rule := range got {
				if !strings.Contains(text.String(), name) || (rule != "" && rule != "-" && !strings.Contains(text.String(), "["+rule+"]")) {
					t.Errorf("text output lacks %s (%s):\n%s", name, rule, text.String())
				}
			}
		})
	}
}

// hasMessage reports whether a finding of rule has its message in reason.
func hasMessage(findings []lint.Finding, rule, reason string) bool {
	for _, f := range findings {
		if f.Rule == rule && strings.Contains(reason, f.Message) {
			return true
		}
	}
	return false
}

func TestMissingPodAndEndpoint(t *testing.T) {
	s := cluster(t, healthy)
	// db-1 was not created yet; db-0 has no endpoint yet.
	s.Pods = s.Pods[:1]
	s.EndpointSlices[0].Endpoints = nil
	r := Diagnose(s, "")
	reasons := map[string]string{}
	for _, n := range r.Services[0].Names {
		if n.Present || n.Rule != "" {
			t.Errorf("%s: present %v, rule %q", n.Name, n.Present, n.Rule)
		}
		reasons[n.Pod] = n.Reason
	}
	if !strings.Contains(reasons["db-1"], "pod db-1 does not exist") || !strings.Contains(reasons["db-0"], "no EndpointSlice of Service db-h lists pod db-0") {
		t.Errorf("reasons = %v", reasons)
	}
	if r.OK() || r.Missing != 2 {
		t.Errorf("OK %v, missing %d", r.OK(), r.Missing)
	}
}

func TestNoKubernetesPlugin(t *testing.T) {
	s := cluster(t, healthy)
	s.CoreDNS = ParseCorefile(".:53 {\n  forward . /etc/resolv.conf\n}\n")
	s.CoreDNS.Source = "ConfigMap kube-system/coredns"
	r := Diagnose(s, "")
	if r.Missing != 2 || !strings.Contains(r.Services[0].Names[0].Reason, "runs no kubernetes plugin") {
		t.Errorf("report = %+v", r.Services)
	}
	if !strings.Contains(r.DomainSource, "default") {
		t.Errorf("domain source = %q", r.DomainSource)
	}
}

const kubeadmCorefile = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`

func TestParseCorefile(t *testing.T) {
	tests := []struct {
		name, text, domain string
		kubernetes         bool
		podNames           bool
		pods               string
	}{
		{"kubeadm", kubeadmCorefile, "cluster.local", true, false, "insecure"},
		{"custom domain, endpoint_pod_names", "# comment\n.:53 {\n kubernetes example.org. in-addr.arpa { # options\n  endpoint_pod_names\n }\n}\n", "example.org", true, true, ""},
		{"zones from the server block", "example.net:53 {\n kubernetes\n}\n", "example.net", true, false, ""},
		{"the e2e harness's", ".:1053 {\n    bind 127.0.0.1\n    kubernetes cluster.local {\n        kubeconfig /tmp/kubeconfig e2e\n        ttl 0\n    }\n}\n", "cluster.local", true, false, ""},
		{"no kubernetes plugin", ".:53 {\n forward . 8.8.8.8\n}\n", "", false, false, ""},
		{"two server blocks", "a.local:53 {\n forward . 1.1.1.1\n}\n.:53 {\n kubernetes k8s.internal\n}\n", "k8s.internal", true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ParseCorefile(tt.text)
			if c.Domain != tt.domain || c.Kubernetes != tt.kubernetes || c.EndpointPodNames != tt.podNames || c.Pods != tt.pods {
				t.Errorf("got %+v", c)
			}
		})
	}
}

// TestBeyondMaxPods: a StatefulSet's pods beyond dns.MaxPods are not
// checked one by one, and the report says so.
func TestBeyondMaxPods(t *testing.T) {
	s := cluster(t, strings.Replace(healthy, "replicas: 2", fmt.Sprintf("replicas: %d", dns.MaxPods+5), 1))
	s.Pods, s.EndpointSlices = nil, nil
	r := Diagnose(s, "")
	if r.Missing != dns.MaxPods || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "db-10000 … db-10004 are not checked") {
		t.Errorf("missing %d, notes %q", r.Missing, r.Notes)
	}
}

// TestHandWrittenSlices: a Service without a selector gets its names from
// EndpointSlices written by hand; a pod naming it as subdomain whose
// hostname a slice carries is listed once, present.
func TestHandWrittenSlices(t *testing.T) {
	s := cluster(t, `apiVersion: v1
kind: Service
metadata: {name: ext, namespace: data}
spec:
  clusterIP: None
  ports: [{name: db, port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: ext-0, namespace: data}
spec:
  hostname: ext-0
  subdomain: ext
  containers: [{name: c, image: "x:1"}]
`)
	yes, no := true, false
	h0, h1 := "ext-0", "ext-1"
	s.EndpointSlices = []discoveryv1.EndpointSlice{{ObjectMeta: metav1.ObjectMeta{Name: "ext-1", Namespace: "data",
		Labels: map[string]string{discoveryv1.LabelServiceName: "ext"}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"192.0.2.1"}, Hostname: &h0, Conditions: discoveryv1.EndpointConditions{Ready: &yes}},
			{Addresses: []string{"192.0.2.2"}, Hostname: &h1, Conditions: discoveryv1.EndpointConditions{Ready: &no}}}}}
	r := Diagnose(s, "")
	var got []string
	for _, n := range r.Services[0].Names {
		got = append(got, fmt.Sprintf("%s %v %s", n.Name, n.Present, strings.Join(n.Addresses, ",")))
	}
	want := []string{"ext-0.ext.data.svc.cluster.local true 192.0.2.1", "ext-1.ext.data.svc.cluster.local false 192.0.2.2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("names %q, want %q", got, want)
	}
}
