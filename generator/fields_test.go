package generator

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/presets"
)

// TestFieldsDescribeSpec checks that Fields lists every field of Spec once,
// in its order, with the spec file's key and the kind of its Go type.
func TestFieldsDescribeSpec(t *testing.T) {
	st := reflect.TypeFor[Spec]()
	if st.NumField() != len(Fields) {
		t.Fatalf("Spec has %d fields, Fields lists %d", st.NumField(), len(Fields))
	}
	kindOf := map[reflect.Type]Kind{
		reflect.TypeFor[string]():            KindString,
		reflect.TypeFor[Mode]():              KindString,
		reflect.TypeFor[*int]():              KindInt,
		reflect.TypeFor[*bool]():             KindBool,
		reflect.TypeFor[map[string]string](): KindLabels,
		reflect.TypeFor[[]string]():          KindList,
	}
	for i, f := range Fields {
		sf := st.Field(i)
		key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if f.Key != key {
			t.Errorf("Fields[%d].Key = %q, Spec.%s's key is %q", i, f.Key, sf.Name, key)
		}
		if kind, ok := kindOf[sf.Type]; !ok || kind != f.Kind {
			t.Errorf("%s: kind %d, but Spec.%s is %s", f.Key, f.Kind, sf.Name, sf.Type)
		}
	}
}

func TestFieldsAreDistinct(t *testing.T) {
	keys, flags, shorthands := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var order []int
	for _, f := range Fields {
		if keys[f.Key] || flags[f.Flag] || (f.Shorthand != "" && shorthands[f.Shorthand]) {
			t.Errorf("%s: key, flag or shorthand used twice", f.Key)
		}
		keys[f.Key], flags[f.Flag], shorthands[f.Shorthand] = true, true, true
		if f.Flag == "" || strings.Trim(f.Flag, "abcdefghijklmnopqrstuvwxyz-") != "" || len(f.Shorthand) > 1 {
			t.Errorf("%s: flag %q, shorthand %q", f.Key, f.Flag, f.Shorthand)
		}
		if f.Usage == "" {
			t.Errorf("%s: no usage text", f.Key)
		}
		if LookupField(f.Key) != f {
			t.Errorf("LookupField(%q) does not find it", f.Key)
		}
		order = append(order, f.CommandOrder)
	}
	slices.Sort(order)
	for i, o := range order {
		if o != i {
			t.Fatalf("CommandOrder values %v are not 0 to %d, each once", order, len(Fields)-1)
		}
	}
	if got := FieldsInCommandOrder(); len(got) != len(Fields) || got[0].Key != FieldPreset {
		t.Errorf("FieldsInCommandOrder starts with %s, want the preset first", got[0].Key)
	}
	if LookupField("replica") != nil {
		t.Error("LookupField found a field that does not exist")
	}
}

// TestFieldDefaults checks, for every preset, that each field's Default is
// what Resolve generates when the field is not set, and that each Fixed
// default is valid flag text.
func TestFieldDefaults(t *testing.T) {
	for _, name := range presets.Names() {
		p, err := presets.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Spec{Preset: name}.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range Fields {
			def := f.Default(p)
			if def == "" {
				continue
			}
			if got := f.Resolved(m); got != def {
				t.Errorf("%s: %s: Default %q, but Resolve generates %q", name, f.Key, def, got)
			}
		}
		if got := LookupField(FieldServiceName).Resolved(m); got != m.Name+ServiceNameSuffix {
			t.Errorf("%s: service name %q, want <name>%s", name, got, ServiceNameSuffix)
		}
	}
	for _, f := range Fields {
		if f.Fixed != "" && f.Set(&Spec{}, f.Fixed) != nil {
			t.Errorf("%s: Fixed default %q does not parse", f.Key, f.Fixed)
		}
		if f.Fixed != "" && f.fromPreset != nil {
			t.Errorf("%s: a default both fixed and from the preset", f.Key)
		}
		if f.Default(nil) != f.Fixed {
			t.Errorf("%s: Default(nil) = %q, want Fixed %q", f.Key, f.Default(nil), f.Fixed)
		}
	}
}

// full sets every field to a value other than its default.
func full() Spec {
	replicas, port, client, policy := 2, 7000, false, true
	return Spec{Preset: "redis", Name: "cache", Namespace: "team-a", Replicas: &replicas, Port: &port, Mode: ModeStatefulSet,
		ServiceName: "cache-peers", Image: "registry.example:5000/redis:7.4.1", Storage: "20Gi", StorageClass: "fast", Ephemeral: &client,
		ClusterDomain: "corp.example", Labels: map[string]string{"tier": "cache", "team": "a"}, ClientService: &client,
		NetworkPolicy: &policy, AllowFrom: []string{"pods:app=api", "namespaces:team=b/pods:app=web"}, PVCRetention: "delete",
		Auth: &policy, CreateSecret: &policy, Secret: "cache-auth", TLS: TLSCertManager, Issuer: "ClusterIssuer/ca"}
}

// TestFieldAccessors walks Fields over a Spec that sets everything: each
// field is set, its flag arguments rebuild it, Clear unsets it, and Resolve
// keeps the value given.
func TestFieldAccessors(t *testing.T) {
	s := full()
	if got := SetFields(s); !slices.Equal(got, keysOf(Fields)) {
		t.Errorf("SetFields = %q, want every key", got)
	}
	if got := SetFields(Spec{}); got != nil {
		t.Errorf("SetFields(Spec{}) = %q, want none", got)
	}
	m, err := s.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	var rebuilt Spec
	for _, f := range Fields {
		args := f.Args(&s)
		if !f.IsSet(&s) || len(args) == 0 {
			t.Errorf("%s: IsSet %v, Args %q on a Spec that sets it", f.Key, f.IsSet(&s), args)
		}
		for _, a := range args {
			if err := f.Set(&rebuilt, a); err != nil {
				t.Errorf("%s: Set(%q): %v", f.Key, a, err)
			}
		}
		if got := f.Join(args); got != f.Resolved(m) {
			t.Errorf("%s: given %q, Resolve generates %q", f.Key, got, f.Resolved(m))
		}
		var one Spec
		for _, a := range args {
			_ = f.Set(&one, a)
		}
		if got := SetFields(one); !slices.Equal(got, []string{f.Key}) {
			t.Errorf("%s: setting it sets %q", f.Key, got)
		}
		f.Clear(&one)
		if f.IsSet(&one) || f.Args(&one) != nil || !reflect.DeepEqual(one, Spec{}) {
			t.Errorf("%s: Clear left %+v", f.Key, one)
		}
	}
	if !reflect.DeepEqual(rebuilt, s) {
		t.Errorf("rebuilt from flag arguments:\n%+v\nwant\n%+v", rebuilt, s)
	}
	if got := LookupField(FieldLabels).Args(&s); !slices.Equal(got, []string{"team=a", "tier=cache"}) {
		t.Errorf("label arguments %q, want them sorted by key", got)
	}
}

func TestFieldSetErrors(t *testing.T) {
	for key, arg := range map[string]string{FieldReplicas: "three", FieldPort: "", FieldClientService: "maybe", FieldLabels: "team"} {
		err := LookupField(key).Set(&Spec{}, arg)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != key || fe.Value != arg {
			t.Errorf("%s: Set(%q) = %v, want a *FieldError for it", key, arg, err)
		}
	}
	// Labels add up; a string replaces.
	s := Spec{Labels: map[string]string{"a": "1"}}
	_ = LookupField(FieldLabels).Set(&s, "b=2")
	if len(s.Labels) != 2 {
		t.Errorf("labels %v, want a and b", s.Labels)
	}
	s.Name = "x"
	_ = LookupField(FieldName).Set(&s, "")
	if s.Name != "" {
		t.Errorf("an empty string did not unset the name")
	}
}

func keysOf(fields []*Field) []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.Key
	}
	return keys
}
