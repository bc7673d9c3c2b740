package generator

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FuzzSpecFile feeds arbitrary bytes through the whole path of
// "generate -f": DecodeSpec, Resolve, Render. Nothing may panic. A
// rejected file is a *SpecError, a rejected value is a *FieldError, and
// a spec that Resolve accepts must render without an *InternalError. An
// accepted spec must also survive a round trip through the flags that
// "headless init" prints.
func FuzzSpecFile(f *testing.F) {
	for _, seed := range []string{
		"preset: redis\nreplicas: 2\nlabels:\n  team: data\n",
		"preset: mongodb\nname: 0123\nmode: pods\nclientService: true\nport: 27018\n",
		"preset: etcd\nname: &n db\nnamespace: *n\nstorage: none\nstorageClass: ''\n",
		"preset: zookeeper\nREPLICAS: 5\n",
		"preset: redis\n---\npreset: redis\n",
		"preset: postgresql\nlabels: {yes: on, 0x10: 1e3}\nimage: postgres@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
	} {
		f.Add([]byte(seed))
	}
	for _, dir := range []string{"../golden/testdata", "../internal/cli/testdata"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil && len(data) < 4096 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _, err := DecodeSpec(data)
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("DecodeSpec error %T %v, want *SpecError", err, err)
			}
			return
		}
		if s.Replicas != nil && *s.Replicas > 20 {
			*s.Replicas %= 20 // keep each run fast; the limit itself is tested elsewhere
		}
		// The flags init prints give the same Spec.
		var again Spec
		for _, field := range Fields {
			for _, arg := range field.Args(&s) {
				if err := field.Set(&again, arg); err != nil {
					t.Fatalf("%s: the argument %q of %+v does not parse: %v", field.Key, arg, s, err)
				}
			}
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("spec %+v gives the flags of %+v", s, again)
		}
		m, err := s.Resolve()
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Resolve rejected %+v with %T %v, want *FieldError", s, err, err)
			}
			return
		}
		if _, err := Render(m); err != nil {
			t.Fatalf("Resolve accepted %+v but Render failed: %v", s, err)
		}
	})
}

// FuzzLabel gives an arbitrary -l argument to a Spec. Nothing may panic,
// a rejection is a *FieldError, and an accepted label is on every
// generated object and pod template exactly as given, and on no selector.
func FuzzLabel(f *testing.F) {
	for _, seed := range []string{"team=data", "yes=1", "0x10=a", "1e3=", "example.com/tier=gold", "a=b=c",
		"=x", "x", "kubernetes.io/x=y", "a b=c", "\"q\"=v", "k=\"v\"", "k: v=1", "k=v\n", "~=null"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		s := Spec{Preset: "redis", Replicas: intp(2)}
		labels := LookupField(FieldLabels)
		if err := labels.Set(&s, arg); err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("-l %q: %T %v, want *FieldError", arg, err, err)
			}
			return
		}
		key, value, _ := ParseLabel(arg)
		m, err := s.Resolve()
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("-l %q: Resolve error %T %v, want *FieldError", arg, err, err)
			}
			return
		}
		for _, mode := range Modes {
			m.Mode = mode
			man, err := Render(m)
			if err != nil {
				t.Fatalf("-l %q accepted but Render failed: %v", arg, err)
			}
			for _, d := range man.Documents {
				obj, ok := d.Object.(metav1.Object)
				if !ok {
					t.Fatalf("%s %s has no metadata", d.Kind, d.Name)
				}
				checkLabel(t, arg, d.Kind+" "+d.Name, obj.GetLabels(), key, value)
				if sts, ok := d.Object.(*appsv1.StatefulSet); ok {
					checkLabel(t, arg, "the pod template", sts.Spec.Template.Labels, key, value)
					if _, in := sts.Spec.Selector.MatchLabels[key]; in {
						t.Errorf("-l %q: the label is in the StatefulSet's selector", arg)
					}
				}
			}
		}
	})
}

func checkLabel(t *testing.T, arg, what string, labels map[string]string, key, value string) {
	t.Helper()
	if got, ok := labels[key]; !ok || got != value {
		t.Errorf("-l %q: %s has %q=%q (present %v), want %q", arg, what, key, got, ok, value)
	}
}
