package generator

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
	"github.com/headless-k8s/headless/presets"
	"github.com/headless-k8s/headless/templates"
)

func intp(i int) *int    { return &i }
func boolp(b bool) *bool { return &b }

func mustResolve(t testing.TB, s Spec) *Model {
	t.Helper()
	m, err := s.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestResolveDefaults(t *testing.T) {
	m := mustResolve(t, Spec{Preset: "mongodb"})
	if m.Name != "mongodb" || m.Namespace != "default" || m.Replicas != 3 || m.Port != 27017 ||
		m.Mode != ModeStatefulSet || m.ServiceName != "mongodb-headless" || m.Image != "mongo:8.0.4" ||
		m.Storage != "8Gi" || m.ClusterDomain != "cluster.local" || m.ClientService {
		t.Errorf("unexpected defaults: %+v", m)
	}
	want := []string{
		"mongodb-0.mongodb-headless.default.svc.cluster.local",
		"mongodb-1.mongodb-headless.default.svc.cluster.local",
		"mongodb-2.mongodb-headless.default.svc.cluster.local",
	}
	for i, p := range m.Pods {
		if p.FQDN != want[i] || p.Ordinal != i {
			t.Errorf("pod %d: %+v, want FQDN %s", i, p, want[i])
		}
	}
	if got := mustResolve(t, Spec{Preset: "redis", Storage: StorageNone, Ephemeral: boolp(true)}).Storage; got != "" {
		t.Errorf("storage none resolved to %q", got)
	}
}

func TestValidateImage(t *testing.T) {
	tests := []struct {
		ref string
		ok  bool
	}{
		{"mongo:8.0.4", true},
		{"docker.io/library/mongo:8.0.4", true},
		{"registry.example.com:5000/team/db/postgres:17.2-alpine", true},
		{"localhost/redis:7", true},
		{"Registry.Example.com/redis:7", true},
		{"mongo@sha256:" + strings.Repeat("a", 64), true},
		{"mongo:8.0.4@sha256:" + strings.Repeat("b", 64), true},
		{"my_org/my__db:1", true},
		{"mongo", false},
		{"mongo:latest", false},
		{"Mongo:8", false},
		{"library/Mongo:8", false},
		{"mongo 8", false},
		{"mongo:8 ", false},
		{"mongo:", false},
		{"mongo:-1", false},
		{"-mongo:1", false},
		{"mongo:1\nkind: Secret", false},
		{"mongo@sha256:abc", false},
		{"mongo@sha512:" + strings.Repeat("c", 128), true},
		{"mongo@sha256:" + strings.Repeat("a", 32), false},
		{"mongo@sha256:" + strings.Repeat("a", 65), false},
		{"mongo@sha256:" + strings.Repeat("A", 64), false},
		{"mongo@sha256:" + strings.Repeat("g", 64), false},
		{"mongo@sha512:" + strings.Repeat("c", 64), false},
		{"mongo@md5:" + strings.Repeat("a", 32), false},
		{"mongo@sha384:" + strings.Repeat("a", 96), false},
		{"mongo@SHA256:" + strings.Repeat("a", 64), false},
		{"mongo@sha256+b64u:" + strings.Repeat("a", 64), false},
		{"", false},
		{"mongo:" + strings.Repeat("1", 129), false},
	}
	for _, tt := range tests {
		err := validateImage(tt.ref)
		if (err == nil) != tt.ok {
			t.Errorf("validateImage(%q) = %v, want ok=%v", tt.ref, err, tt.ok)
		}
	}
}

// TestInjection renders Models whose strings were never validated: each
// value either lands in the typed object exactly as given, or the strict
// decode rejects the document. Validation normally stops these long before.
func TestInjection(t *testing.T) {
	attacks := []string{
		"db\n  hostNetwork: true",
		"db\"\nspec: {hostNetwork: true}\n#",
		"{hostNetwork: true}",
		"a: b",
		"'quoted' \"double\" `back`",
		"x\n---\napiVersion: v1\nkind: Secret",
		"\\\" injected: \\\"",
		"line\u2028sep\u0000nul",
		// YAML 1.1 reads these unquoted as a bool, numbers and null.
		"yes", "on", "0x10", "1e3", "0o17", "~", "null", ".inf",
	}
	r, err := NewRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, attack := range attacks {
		for _, field := range []string{"image", "label key", "label value", "storage class"} {
			m := mustResolve(t, Spec{Preset: "redis", Replicas: intp(2)})
			switch field {
			case "image":
				m.Image = attack
			case "label key":
				m.ExtraLabels = map[string]string{attack: "v", "team": "t"}
			case "label value":
				m.ExtraLabels = map[string]string{"team": attack}
			case "storage class":
				m.StorageClass = attack
			}
			man, err := r.Render(m)
			if err != nil {
				var ie *InternalError
				if !errors.As(err, &ie) {
					t.Errorf("%s %q: error %v is not an InternalError", field, attack, err)
				}
				continue
			}
			for _, d := range man.Documents {
				if d.Kind == "Secret" {
					t.Fatalf("%s %q smuggled in a Secret", field, attack)
				}
				sts, ok := d.Object.(*appsv1.StatefulSet)
				if !ok {
					continue
				}
				pod := sts.Spec.Template
				var got string
				switch field {
				case "image":
					got = pod.Spec.Containers[0].Image
				case "label key":
					got = attack
					if pod.Labels[attack] != "v" || len(pod.Labels) != len(m.Labels()) {
						t.Errorf("label key %q: the pod's labels are %q", attack, pod.Labels)
					}
				case "label value":
					got = pod.Labels["team"]
				case "storage class":
					got = *sts.Spec.VolumeClaimTemplates[0].Spec.StorageClassName
				}
				if got != attack {
					t.Errorf("%s %q decoded as %q", field, attack, got)
				}
				if pod.Spec.HostNetwork {
					t.Errorf("%s %q enabled hostNetwork", field, attack)
				}
			}
		}
	}
}

// brokenTemplates returns the embedded templates with one replacement made
// in one file.
func brokenTemplates(t *testing.T, file, old, new string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, path)
		if path == file {
			if !strings.Contains(string(data), old) {
				t.Fatalf("%s does not contain %q", file, old)
			}
			data = []byte(strings.Replace(string(data), old, new, 1))
		}
		m[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestConsistencyCheckCatchesTemplateBugs breaks the templates on purpose,
// one defect at a time, and expects an InternalError naming the problem.
func TestConsistencyCheckCatchesTemplateBugs(t *testing.T) {
	tests := []struct {
		name      string
		mode      Mode
		file      string
		old, new  string
		wantError string
	}{
		{"wrong subdomain", ModePods, "pod.yaml.tmpl",
			`subdomain: {{ q .ServiceName }}`, `subdomain: {{ q .Name }}`, `pod redis-0 would be redis-0.redis.default.svc.cluster.local, which is not one of the promised DNS names`},
		{"duplicate hostname", ModePods, "pod.yaml.tmpl",
			`hostname: {{ q .Pod.Name }}`, `hostname: {{ q .Name }}`, `pod default/redis-1 gets no DNS record: redis.redis-headless.default.svc.cluster.local is taken by default/redis-0`},
		{"wrong serviceName", ModeStatefulSet, "statefulset.yaml.tmpl",
			`serviceName: {{ q .ServiceName }}`, `serviceName: {{ q .ClientServiceName }}`, `the promised DNS name redis-0.redis-headless.default.svc.cluster.local is not published`},
		{"clusterIP spelled none", ModeStatefulSet, "headless-service.yaml.tmpl",
			`clusterIP: None`, `clusterIP: none`, `want exactly one headless Service (clusterIP: None), got 0`},
		{"selector misses the pods", ModeStatefulSet, "headless-service.yaml.tmpl",
			`{{- kv .SelectorLabels | trim | nindent 4 }}`, `app: {{ q .Name }}`, `Service redis-headless does not select pod redis-0`},
		{"targetPort not declared", ModeStatefulSet, "_helpers.tmpl",
			`targetPort: {{ q .Name }}`, `targetPort: "client"`, `targetPort client is not a container port`},
		{"unknown field", ModeStatefulSet, "statefulset.yaml.tmpl",
			`replicas: {{ .Replicas }}`, `replicas: {{ .Replicas }}
  matchLabels: {}`, `unknown field "matchLabels"`},
		{"wrong type", ModeStatefulSet, "statefulset.yaml.tmpl",
			`replicas: {{ .Replicas }}`, `replicas: "{{ .Replicas }}"`, `statefulset.yaml.tmpl rendered invalid YAML`},
		{"missing key", ModeStatefulSet, "pdb.yaml.tmpl",
			`name: {{ q .Name }}`, `name: {{ q .Nmae }}`, `can't evaluate field Nmae`},
		{"host name not a pod", ModeStatefulSet, "configmap.yaml.tmpl",
			"\ndata:", `
data:
  extra: "redis-9.redis-headless.default.svc.cluster.local:6379"`, `names host redis-9.redis-headless.default.svc.cluster.local, which is not one of the pods' DNS names`},
		{"client Service name not a DNS-1035 label", ModeStatefulSet, "client-service.yaml.tmpl",
			`name: {{ q .ClientServiceName }}`, `name: "0-client"`, `Service name "0-client" must be a DNS-1035 label`},
		{"configmap name mismatch", ModeStatefulSet, "configmap.yaml.tmpl",
			`name: {{ q .ConfigMapName }}`, `name: "scripts"`, `mounts ConfigMap redis-config, which is not generated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRenderer(brokenTemplates(t, tt.file, tt.old, tt.new))
			if err != nil {
				t.Fatal(err)
			}
			m := mustResolve(t, Spec{Preset: "redis", Mode: tt.mode, ClientService: boolp(true)})
			_, err = r.Render(m)
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

// TestEveryPodGetsItsDNSName renders every preset in both modes and checks
// the typed objects against the DNS rule: each pod's hostname and subdomain
// (or the StatefulSet's serviceName) name it under the one headless
// Service, which selects it.
func TestEveryPodGetsItsDNSName(t *testing.T) {
	for _, p := range presets.Names() {
		for _, mode := range Modes {
			man, err := Generate(Spec{Preset: p, Mode: mode, Replicas: intp(4), Namespace: "prod"})
			if err != nil {
				t.Fatalf("%s %s: %v", p, mode, err)
			}
			var svc *corev1.Service
			got := map[string]bool{}
			for _, d := range man.Documents {
				switch o := d.Object.(type) {
				case *corev1.Service:
					if o.Spec.ClusterIP == "None" {
						svc = o
					}
				case *appsv1.StatefulSet:
					for i := range int(*o.Spec.Replicas) {
						got[podFQDN(o.Name+"-"+itoa(i), o.Spec.ServiceName, o.Namespace, "cluster.local")] = selects(svc.Spec.Selector, o.Spec.Template.Labels)
					}
				case *corev1.Pod:
					got[podFQDN(o.Spec.Hostname, o.Spec.Subdomain, o.Namespace, "cluster.local")] = selects(svc.Spec.Selector, o.Labels)
				}
			}
			for i := range 4 {
				fqdn := p + "-" + itoa(i) + "." + p + "-headless.prod.svc.cluster.local"
				if selected, ok := got[fqdn]; !ok || !selected {
					t.Errorf("%s %s: %s exists=%v selected=%v", p, mode, fqdn, ok, selected)
				}
			}
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestThousandPods(t *testing.T) {
	man, err := Generate(Spec{Preset: "mongodb", Mode: ModePods, Replicas: intp(1000)})
	if err != nil {
		t.Fatal(err)
	}
	// ConfigMap, Service, NetworkPolicy, 1000 claims, 1000 pods, budget.
	if n := len(man.Documents); n != 2004 {
		t.Errorf("%d documents, want 2004", n)
	}
}

func BenchmarkGenerateStatefulSet(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Spec{Preset: "mongodb", Replicas: intp(3)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeneratePods1000(b *testing.B) {
	for b.Loop() {
		man, err := Generate(Spec{Preset: "mongodb", Mode: ModePods, Replicas: intp(1000)})
		if err != nil {
			b.Fatal(err)
		}
		_ = man.YAML()
	}
}

// TestPresetImages checks every preset's default image, and its sidecars'
// images, as a user's would be: Resolve checks only images the user gives,
// and the presets package checks a sidecar's only for a pinned tag.
func TestPresetImages(t *testing.T) {
	all, err := presets.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if err := validateImage(p.Image); err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
		}
		for _, s := range p.Sidecars {
			if err := validateImage(s.Image); err != nil {
				t.Errorf("preset %s, sidecar %s: %v", p.Name, s.Name, err)
			}
		}
	}
}

// TestDerivedNames: every name headless derives from the workload's name
// is checked by the rule of the object it names (issue #11, finding 12),
// and a name that passes renders.
func TestDerivedNames(t *testing.T) {
	tests := []struct {
		spec    Spec
		wantErr string
	}{
		{Spec{Preset: "redis", Name: "1db", ServiceName: "db-headless"}, `the client Service's name "1db" must be a DNS-1035 label`},
		{Spec{Preset: "mongodb", Name: "1db", ServiceName: "db-headless", ClientService: boolp(true)}, `the client Service's name "1db" must be a DNS-1035 label`},
		{Spec{Preset: "mongodb", Name: "1db", ServiceName: "db-headless"}, ""},
		{Spec{Preset: "redis", Name: "1db", ServiceName: "db-headless", ClientService: boolp(false), Mode: ModePods}, ""},
	}
	for _, tt := range tests {
		_, err := Generate(tt.spec)
		var fe *FieldError
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%+v: %v", tt.spec, err)
		case tt.wantErr != "" && (!errors.As(err, &fe) || fe.Field != FieldName || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%+v: error %v, want a FieldError for name containing %q", tt.spec, err, tt.wantErr)
		}
	}
	// Every kind generated has a rule, and each derived name follows it.
	for _, p := range presets.Names() {
		for _, mode := range Modes {
			m := mustResolve(t, Spec{Preset: p, Mode: mode, ClientService: boolp(true)})
			for _, d := range m.derivedNames() {
				if valid, rule := objectNameRule(d.kind); !valid(d.name) {
					t.Errorf("%s %s: %s %q %s", p, mode, d.kind, d.name, rule)
				}
			}
		}
	}
}
