package dns

import (
	"math"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/headless-k8s/headless/internal/testutil"
)

func service(name string, clusterIP string, selector map[string]string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.ServiceSpec{ClusterIP: clusterIP, Selector: selector, Ports: ports}}
}

func podSpec(hostname, subdomain string, ports ...corev1.ContainerPort) corev1.PodSpec {
	return corev1.PodSpec{Hostname: hostname, Subdomain: subdomain, Containers: []corev1.Container{{Name: "c", Ports: ports}}}
}

func pod(name string, labels map[string]string, spec corev1.PodSpec) *Pod {
	p := FromPod(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: spec})
	return &p
}

func ptr[T any](v T) *T { return &v }

// render writes a report in a compact, hand-checkable form.
func render(r *Report) string {
	var b strings.Builder
	for _, s := range r.Services {
		for _, rec := range s.Records {
			var who []string
			for _, p := range rec.Pods {
				who = append(who, p.Name)
			}
			b.WriteString(rec.Type + " " + rec.Name + " -> " + strings.Join(who, ","))
			if rec.Type == "SRV" {
				b.WriteString(" targets " + strings.Join(rec.Targets, ","))
			}
			b.WriteString("\n")
		}
	}
	for _, n := range r.NoRecord {
		b.WriteString("none " + n.Pod.Ref() + ": " + n.Reason + "\n")
	}
	return b.String()
}

func TestCompute(t *testing.T) {
	mongoPort := corev1.ServicePort{Name: "mongodb", Port: 27017, TargetPort: intstr.FromString("mongodb")}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(3)), ServiceName: "db-h",
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "db"}},
				Spec: podSpec("", "", corev1.ContainerPort{Name: "mongodb", ContainerPort: 27017})}}}
	noService := sts.DeepCopy()
	noService.Name, noService.Spec.ServiceName, noService.Spec.Replicas = "cache", "", ptr(int32(1))

	tests := []struct {
		name     string
		domain   string
		services []*corev1.Service
		pods     []*Pod
		want     string
	}{
		{
			name:     "statefulset",
			services: []*corev1.Service{service("db-h", "None", map[string]string{"app": "db"}, mongoPort)},
			pods:     ptrs(FromStatefulSet(sts)),
			want: `A db-h.default.svc.cluster.local -> db-0,db-1,db-2
A db-0.db-h.default.svc.cluster.local -> db-0
A db-1.db-h.default.svc.cluster.local -> db-1
A db-2.db-h.default.svc.cluster.local -> db-2
SRV _mongodb._tcp.db-h.default.svc.cluster.local -> db-0,db-1,db-2 targets db-0.db-h.default.svc.cluster.local,db-1.db-h.default.svc.cluster.local,db-2.db-h.default.svc.cluster.local
`,
		},
		{
			name:   "statefulset, other domain, governing service missing or without serviceName",
			domain: "corp.example",
			pods:   append(ptrs(FromStatefulSet(sts))[:1], ptrs(FromStatefulSet(noService))...),
			want: `none default/db-0 (StatefulSet db): serviceName "db-h" names no Service in namespace default
none default/cache-0 (StatefulSet cache): its StatefulSet sets no serviceName
`,
		},
		{
			name: "pods with hostname and subdomain, and pods that get no record",
			services: []*corev1.Service{
				service("peers", "None", map[string]string{"app": "kv"}, corev1.ServicePort{Port: 80}, corev1.ServicePort{Name: "raft", Port: 7000, TargetPort: intstr.FromString("raft")}),
				service("web", "", map[string]string{"app": "kv"}),
			},
			pods: []*Pod{
				pod("kv-0", map[string]string{"app": "kv"}, podSpec("kv-0", "peers", corev1.ContainerPort{Name: "raft", ContainerPort: 7000})),
				pod("kv-1", map[string]string{"app": "kv"}, podSpec("kv-1", "peers")),
				pod("kv-2", map[string]string{"app": "kv"}, podSpec("", "peers")),
				pod("kv-3", map[string]string{"app": "kv"}, podSpec("kv-3", "")),
				pod("kv-4", map[string]string{"app": "other"}, podSpec("kv-4", "peers")),
				pod("kv-5", map[string]string{"app": "kv"}, podSpec("kv-5", "web")),
				pod("kv-6", map[string]string{"app": "kv"}, podSpec("kv-6", "nothing")),
				pod("kv-7", map[string]string{"app": "kv"}, podSpec("kv-0", "peers")),
				pod("lone", nil, podSpec("", "")),
			},
			want: `A peers.default.svc.cluster.local -> kv-0,kv-1,kv-2,kv-3,kv-5,kv-6,kv-7
A kv-0.peers.default.svc.cluster.local -> kv-0
A kv-1.peers.default.svc.cluster.local -> kv-1
SRV _raft._tcp.peers.default.svc.cluster.local -> kv-0 targets kv-0.peers.default.svc.cluster.local
A kv-5.web.default.svc.cluster.local -> kv-5
none default/kv-2: it sets spec.subdomain "peers" but no spec.hostname
none default/kv-3: it sets spec.hostname "kv-3" but no spec.subdomain
none default/kv-4: Service peers selects app=kv; the pod is labelled app=other
none default/kv-6: spec.subdomain "nothing" names no Service in namespace default
none default/kv-7: kv-0.peers.default.svc.cluster.local is taken by default/kv-0
none default/lone: it sets neither spec.hostname nor spec.subdomain
`,
		},
		{
			// CoreDNS publishes per-pod names under a Service with a
			// cluster IP too (checked by make e2e); the Service's own
			// name then answers its cluster IP, which the model omits.
			name:     "not headless; selector-less Service",
			services: []*corev1.Service{service("a", "none", map[string]string{"app": "x"}), service("b", "None", nil)},
			pods:     []*Pod{pod("x-0", map[string]string{"app": "x"}, podSpec("x-0", "a")), pod("x-1", map[string]string{"app": "x"}, podSpec("x-1", "b"))},
			want: `A x-0.a.default.svc.cluster.local -> x-0
none default/x-1: Service b has no selector
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(Compute(tt.domain, tt.services, tt.pods))
			if d := testutil.Diff("want", "got", tt.want, got); d != "" {
				t.Error(d)
			}
		})
	}
}

func ptrs(pods []Pod) []*Pod {
	out := make([]*Pod, len(pods))
	for i := range pods {
		out[i] = &pods[i]
	}
	return out
}

func TestIndexSelect(t *testing.T) {
	pods := []*Pod{
		{Namespace: "a", Name: "1", Labels: map[string]string{"app": "x", "tier": "db"}},
		{Namespace: "a", Name: "2", Labels: map[string]string{"app": "x"}},
		{Namespace: "b", Name: "3", Labels: map[string]string{"app": "x", "tier": "db"}},
	}
	ix := NewIndex(pods)
	for _, tt := range []struct {
		ns       string
		selector map[string]string
		want     string
	}{
		{"a", map[string]string{"app": "x"}, "1,2"},
		{"a", map[string]string{"app": "x", "tier": "db"}, "1"},
		{"b", map[string]string{"app": "x"}, "3"},
		{"a", map[string]string{"app": "y"}, ""},
		{"a", nil, ""},
	} {
		var names []string
		for _, p := range ix.Select(tt.ns, tt.selector) {
			names = append(names, p.Name)
		}
		if got := strings.Join(names, ","); got != tt.want {
			t.Errorf("Select(%s, %v) = %s, want %s", tt.ns, tt.selector, got, tt.want)
		}
	}
}

// TestEndpointsWrittenByHand: a Service without a selector gets its records
// from EndpointSlices labelled with its name and from the Endpoints object
// of its name; hostnames give per-endpoint names; a port whose name differs
// from the Service port's gets no SRV record.
func TestEndpointsWrittenByHand(t *testing.T) {
	pg := service("pg", "None", nil, corev1.ServicePort{Name: "postgres", Port: 5432})
	legacy := service("legacy", "None", nil, corev1.ServicePort{Name: "mysql", Port: 3306})
	slice := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "pg-1", Namespace: "default",
		Labels: map[string]string{discoveryv1.LabelServiceName: "pg"}},
		Ports: []discoveryv1.EndpointPort{{Name: ptr("postgres"), Port: ptr(int32(5432))}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.0.0.1"}, Hostname: ptr("pg-a")},
			{Addresses: []string{"10.0.0.2"}}}}
	endpoints := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "default"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.0.1.1", Hostname: "legacy-a"}},
			Ports: []corev1.EndpointPort{{Port: 3306}}}}}
	got := render(FromObjects("", []any{pg, legacy, slice, endpoints}))
	want := `A pg.default.svc.cluster.local -> pg-a,10.0.0.2
A pg-a.pg.default.svc.cluster.local -> pg-a
SRV _postgres._tcp.pg.default.svc.cluster.local -> pg-a,10.0.0.2 targets pg-a.pg.default.svc.cluster.local
A legacy.default.svc.cluster.local -> legacy-a
A legacy-a.legacy.default.svc.cluster.local -> legacy-a
`
	if d := testutil.Diff("want", "got", want, got); d != "" {
		t.Error(d)
	}
}

// TestStatefulSetRange: a StatefulSet of 2,147,483,647 replicas is MaxPods
// pods and one Pod standing for the rest, whose records are ranges.
func TestStatefulSetRange(t *testing.T) {
	n := int32(math.MaxInt32)
	s := &appsv1.StatefulSet{}
	s.Name, s.Namespace = "db", "data"
	s.Spec.Replicas, s.Spec.ServiceName = &n, "db-h"
	s.Spec.Template.Labels = map[string]string{"app": "db"}
	s.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{Name: "p", ContainerPort: 1}}}}
	pods := FromStatefulSet(s)
	if len(pods) != MaxPods+1 {
		t.Fatalf("%d pods, want %d", len(pods), MaxPods+1)
	}
	last := pods[MaxPods]
	if last.Range == nil || last.Range.First != MaxPods || last.Range.Last != math.MaxInt32-1 || last.Range.Count() != math.MaxInt32-MaxPods || last.Hostname != "db-2147483646" {
		t.Fatalf("last pod %+v, range %+v", last, last.Range)
	}
	svc := &corev1.Service{}
	svc.Name, svc.Namespace = "db-h", "data"
	svc.Spec.ClusterIP, svc.Spec.Selector = corev1.ClusterIPNone, map[string]string{"app": "db"}
	svc.Spec.Ports = []corev1.ServicePort{{Name: "p", Port: 1}}
	r := FromObjects("", []any{svc, s})
	name := "db-{10000..2147483646}.db-h.data.svc.cluster.local"
	if p := r.PodRecords[name]; p == nil || p.Range == nil {
		t.Errorf("no record %s", name)
	}
	if len(r.PodRecords) != MaxPods+1 || len(r.NoRecord) != 0 {
		t.Errorf("%d pod records, %d without", len(r.PodRecords), len(r.NoRecord))
	}
	srv := r.Services[0].Records[len(r.Services[0].Records)-1]
	if srv.Type != "SRV" || srv.Targets[len(srv.Targets)-1] != name {
		t.Errorf("SRV record %s, last target %s", srv.Name, srv.Targets[len(srv.Targets)-1])
	}
	// At the bound, every pod is listed.
	m := int32(MaxPods)
	s.Spec.Replicas = &m
	if pods := FromStatefulSet(s); len(pods) != MaxPods || pods[MaxPods-1].Range != nil {
		t.Errorf("%d pods at the bound", len(pods))
	}
}
