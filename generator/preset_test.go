package generator

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/headless-k8s/headless/presets"
)

// fullPreset loads testdata/presets/full.yaml, which uses every field of the
// preset schema, with its ARGS marker replaced by args.
func fullPreset(t *testing.T, args string) *presets.Preset {
	t.Helper()
	data, err := os.ReadFile("testdata/presets/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "ARGS", args, 1)
	p, err := presets.Load(fstest.MapFS{"full.yaml": {Data: []byte(text)}}, "full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func renderFull(t *testing.T, args string, s Spec) (*Manifest, error) {
	t.Helper()
	m, err := s.resolve(fullPreset(t, args))
	if err != nil {
		t.Fatal(err)
	}
	return Render(m)
}

// TestFullSchema renders a preset that uses every schema field in both modes
// and checks that each field reaches the typed objects.
func TestFullSchema(t *testing.T) {
	for _, mode := range Modes {
		man, err := renderFull(t, "--ok", Spec{Mode: mode, Replicas: ptr(2), Namespace: "ns"})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		var spec *corev1.PodSpec
		var clientPorts, headlessPorts int
		for _, d := range man.Documents {
			switch o := d.Object.(type) {
			case *appsv1.StatefulSet:
				spec = &o.Spec.Template.Spec
				if o.Spec.PodManagementPolicy != appsv1.OrderedReadyPodManagement || o.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType {
					t.Errorf("podManagementPolicy %q, updateStrategy %q", o.Spec.PodManagementPolicy, o.Spec.UpdateStrategy.Type)
				}
			case *corev1.Pod:
				if o.Name == "full-1" {
					spec = &o.Spec
				}
			case *corev1.Service:
				if o.Spec.ClusterIP == corev1.ClusterIPNone {
					headlessPorts = len(o.Spec.Ports)
				} else {
					clientPorts = len(o.Spec.Ports)
				}
			}
		}
		if headlessPorts != 3 || clientPorts != 1 {
			t.Errorf("%s: headless Service has %d ports, client Service %d; want 3 and 1", mode, headlessPorts, clientPorts)
		}
		c := spec.Containers[0]
		if len(spec.InitContainers) != 1 || spec.InitContainers[0].Args[0] != "$(POD_INDEX)" || len(spec.InitContainers[0].Env) != len(c.Env) {
			t.Errorf("%s: init containers %+v", mode, spec.InitContainers)
		}
		if c.StartupProbe.TCPSocket.Port.StrVal != "client" || c.ReadinessProbe.HTTPGet.Path != "/ready" ||
			c.LivenessProbe.Exec.Command[2] != "test -d /var/lib/full" || c.StartupProbe.FailureThreshold != 100 {
			t.Errorf("%s: probes %+v %+v %+v", mode, c.StartupProbe, c.ReadinessProbe, c.LivenessProbe)
		}
		if c.Ports[1].Protocol != corev1.ProtocolUDP {
			t.Errorf("%s: gossip port protocol %q", mode, c.Ports[1].Protocol)
		}
		env := map[string]corev1.EnvVar{}
		for _, e := range c.Env {
			env[e.Name] = e
		}
		wantIndex := "1"
		if mode == ModeStatefulSet {
			wantIndex = ""
			if env["POD_INDEX"].ValueFrom.FieldRef.FieldPath != "metadata.labels['apps.kubernetes.io/pod-index']" {
				t.Errorf("%s: POD_INDEX %+v", mode, env["POD_INDEX"])
			}
		}
		if env["POD_INDEX"].Value != wantIndex || env["POD_IP"].ValueFrom.FieldRef.FieldPath != "status.podIP" ||
			env["DATA"].Value != "/var/lib/full/db" || env["PASSWORD"].ValueFrom.SecretKeyRef.Name != "full-credentials" {
			t.Errorf("%s: env %+v", mode, c.Env)
		}
		vols := map[string]corev1.Volume{}
		for _, v := range spec.Volumes {
			vols[v.Name] = v
		}
		if k := vols["keys"].Secret; k == nil || k.SecretName != "full-credentials" || *k.Items[0].Mode != 0o400 || vols["scratch"].EmptyDir == nil {
			t.Errorf("%s: volumes %+v", mode, spec.Volumes)
		}
	}
}

// TestHostNameCheck proves that the consistency check resolves every host
// name in the configuration the way cluster DNS will: run-time names built
// from the pod's own name are expanded for each pod, short forms are
// completed, and a name nobody publishes is an internal error.
func TestHostNameCheck(t *testing.T) {
	tests := []struct {
		name, args string
		wantError  string // empty: accepted
	}{
		{"run-time per-pod name", "--me=$(POD_NAME).{{ .ServiceName }}.{{ .Namespace }}.svc.{{ .ClusterDomain }}", ""},
		{"shell forms of the same", "--me=${POD_NAME}.{{ .ServiceName }} --also=$HOSTNAME.{{ .ServiceName }}.{{ .Namespace }}.svc", ""},
		{"short form of an existing pod", "--first={{ .Name }}-1.{{ .ServiceName }}", ""},
		{"the Services' own names", "--all={{ .ServiceFQDN }} --lb={{ .Name }}.{{ .Namespace }}.svc.{{ .ClusterDomain }}", ""},
		{"a word that merely contains dots", "--token={{ .Name }}.v1.example", ""},
		{"short form of a pod that does not exist", "--peer={{ .Name }}-9.{{ .ServiceName }}",
			"names host full-9.full-headless.ns.svc.cluster.local, which is not one of the pods' DNS names"},
		{"short form with namespace", "--peer={{ .Name }}-5.{{ .ServiceName }}.{{ .Namespace }}",
			"names host full-5.full-headless.ns.svc.cluster.local"},
		{"full name of a pod that does not exist", "--peer={{ .Name }}-2.{{ .ServiceFQDN }}",
			"names host full-2.full-headless.ns.svc.cluster.local"},
		{"a variable the pod learns only when it runs", "--me=$(POD_IP).{{ .ServiceFQDN }}",
			"names host $(POD_IP).full-headless.ns.svc.cluster.local, but $POD_IP has no value known before the pod runs"},
		{"an unset variable", "--me=$(NOPE).{{ .ServiceName }}", "but $NOPE has no value known before the pod runs"},
		{"an expansion that is not a pod", "--me=$(POD_NAMESPACE).{{ .ServiceFQDN }}",
			"names host ns.full-headless.ns.svc.cluster.local, which is not one of the pods' DNS names (written $(POD_NAMESPACE).full-headless.ns.svc.cluster.local, for pod full-0)"},
		{"another namespace's Service", "--dns=kube-dns.kube-system.svc.{{ .ClusterDomain }}",
			"names host kube-dns.kube-system.svc.cluster.local"},
	}
	for _, tt := range tests {
		for _, mode := range Modes {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				_, err := renderFull(t, tt.args, Spec{Mode: mode, Replicas: ptr(2), Namespace: "ns"})
				if tt.wantError == "" {
					if err != nil {
						t.Fatalf("rejected: %v", err)
					}
					return
				}
				var ie *InternalError
				if !errors.As(err, &ie) {
					t.Fatalf("want an InternalError, got %v", err)
				}
				if !strings.Contains(err.Error(), tt.wantError) {
					t.Errorf("error %q\ndoes not mention %q", err, tt.wantError)
				}
			})
		}
	}
}

// TestHostNamesExpandsRunTimeNames checks that HostNames, which the
// end-to-end tests resolve, lists every pod's run-time name.
func TestHostNamesExpandsRunTimeNames(t *testing.T) {
	man, err := renderFull(t, "--ok", Spec{Replicas: ptr(3), Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(man.HostNames(), " ")
	want := "full-0.full-headless.ns.svc.cluster.local full-1.full-headless.ns.svc.cluster.local full-2.full-headless.ns.svc.cluster.local"
	if got != want {
		t.Errorf("HostNames = %s\nwant %s", got, want)
	}
}

// TestPodsRenderedOnce proves that specialising the Pod and claim rendered
// once with placeholders gives exactly what rendering each pod gives.
func TestPodsRenderedOnce(t *testing.T) {
	for _, name := range presets.Names() {
		m := mustResolve(t, Spec{Preset: name, Mode: ModePods, Replicas: ptr(12), Labels: map[string]string{"team": "x"}})
		man, err := Render(m)
		if err != nil {
			t.Fatal(err)
		}
		r, err := defaultRenderer()
		if err != nil {
			t.Fatal(err)
		}
		rp, err := renderPreset(m)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]Document{}
		for _, d := range man.Documents {
			byName[d.Kind+"/"+d.Name] = d
		}
		for _, i := range []int{0, 1, 11} {
			p := m.Pods[i]
			v := view{Model: m, rendered: rp, Pod: &podView{Name: p.Name, Ordinal: itoa(p.Ordinal), FQDN: p.FQDN}}
			for _, tmpl := range []string{tmplPod, tmplClaim} {
				direct, err := r.renderDoc(tmpl, v)
				if err != nil {
					t.Fatal(err)
				}
				got := byName[direct.Kind+"/"+direct.Name]
				if string(got.Text) != string(direct.Text) || string(got.JSON) != string(direct.JSON) {
					t.Errorf("%s %s %s: specialised text differs from rendering it directly", name, direct.Kind, direct.Name)
				}
				if !reflect.DeepEqual(got.Object, direct.Object) {
					t.Errorf("%s %s %s: specialised object differs from decoding the direct rendering", name, direct.Kind, direct.Name)
				}
			}
		}
	}
}

// TestPresetDefectsAreInternal proves that a preset whose templates cannot
// be parsed or executed is reported as a defect of headless.
func TestPresetDefectsAreInternal(t *testing.T) {
	for _, args := range []string{`"{{ .Nope }}"`, `"{{ .PortOf \"nope\" }}"`, `"{{ if }}"`} {
		m, err := Spec{}.resolve(fullPreset(t, args))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Render(m)
		var ie *InternalError
		if !errors.As(err, &ie) {
			t.Errorf("args %s: want an InternalError, got %v", args, err)
		}
	}
}

// TestHostNameShapes checks which shapes count as cluster names.
func TestHostNameShapes(t *testing.T) {
	services := []string{"db-headless", "db"}
	for _, tt := range []struct {
		host, want string
	}{
		{"db-0.db-headless", "db-0.db-headless.ns.svc.cluster.local"},
		{"db-0.db-headless.ns", "db-0.db-headless.ns.svc.cluster.local"},
		{"db-0.db-headless.ns.svc", "db-0.db-headless.ns.svc.cluster.local"},
		{"db.ns", "db.ns.svc.cluster.local"},
		{"x.db-0.db-headless", ""},
		{"process.env.db", ""},
		{"db-0.db-headless.other", ""},
		{"kube-dns.kube-system.svc.cluster.local", "kube-dns.kube-system.svc.cluster.local"},
	} {
		got, ok := clusterName(tt.host, "ns", "cluster.local", services)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("clusterName(%q) = %q, %v; want %q", tt.host, got, ok, tt.want)
		}
	}
}

func TestPlaceholdersReplace(t *testing.T) {
	r := &placeholders{name: "db-7", ordinal: "7"}
	for in, want := range map[string]string{
		"":                                      "",
		"none":                                  "none",
		placeholderName + "." + placeholderName: "db-7.db-7",
		"x" + placeholderOrdinal + "y" + placeholderName + "z": "x7ydb-7z",
		placeholderMark + "other":                              placeholderMark + "other",
	} {
		if got := r.Replace(in); got != want {
			t.Errorf("Replace(%q) = %q, want %q", in, got, want)
		}
	}
}
