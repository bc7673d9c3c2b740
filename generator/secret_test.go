package generator

import (
	"bytes"
	cryptorand "crypto/rand"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestSecretNeverInOutput proves that output without --create-secret holds
// no credentials and is the same on every run, and that with it the values
// stand only in the Secret, drawn anew each run.
func TestSecretNeverInOutput(t *testing.T) {
	for _, preset := range []string{"mongodb", "redis", "postgresql"} {
		first, err := Generate(Spec{Preset: preset})
		if err != nil {
			t.Fatal(err)
		}
		second, _ := Generate(Spec{Preset: preset})
		if !bytes.Equal(first.YAML(), second.YAML()) {
			t.Errorf("%s: two runs without --create-secret differ", preset)
		}
		for _, d := range first.Documents {
			if d.Kind == "Secret" {
				t.Errorf("%s: a Secret without --create-secret", preset)
			}
		}
		yes := true
		var values []string
		for range 2 {
			man, err := Generate(Spec{Preset: preset, CreateSecret: &yes, Secret: "creds"})
			if err != nil {
				t.Fatal(err)
			}
			var secret *corev1.Secret
			for _, d := range man.Documents {
				if s, ok := d.Object.(*corev1.Secret); ok {
					secret = s
				}
			}
			if secret == nil || secret.Name != "creds" || len(secret.StringData) != len(man.Model.SecretKeys()) {
				t.Fatalf("%s: Secret %+v, want one named creds with the keys %v", preset, secret, man.Model.SecretKeys())
			}
			for _, k := range man.Model.SecretKeys() {
				v := secret.StringData[k.Name]
				if len(v) != k.Generate.Length {
					t.Errorf("%s: %s has %d characters, want %d", preset, k.Name, len(v), k.Generate.Length)
				}
				values = append(values, v)
			}
		}
		if values[0] == values[len(values)/2] {
			t.Errorf("%s: two runs with --create-secret drew the same value", preset)
		}
	}
}

// TestSecretLeakCaught plants a generated value in a ConfigMap: the
// consistency check must refuse the output.
func TestSecretLeakCaught(t *testing.T) {
	randomSource = bytes.NewReader(bytes.Repeat([]byte{7}, 1<<16))
	defer func() { randomSource = cryptorand.Reader }()
	yes := true
	m := mustResolve(t, Spec{Preset: "redis", CreateSecret: &yes})
	value := m.SecretData["password"]
	r, err := NewRenderer(brokenTemplates(t, "configmap.yaml.tmpl", "\ndata:", "\ndata:\n  leak: \""+value+"\""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Render(m)
	var ie *InternalError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "the value of password appears in ConfigMap redis-config") {
		t.Errorf("error %v, want the leak reported", err)
	}
}

func TestSecretFlags(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		spec Spec
		want string
	}{
		{Spec{Preset: "etcd", Auth: &no, CreateSecret: &yes}, "the etcd preset reads no Secret with authentication off"},
		{Spec{Preset: "etcd", Auth: &no, Secret: "x"}, "the etcd preset reads no Secret with authentication off"},
		{Spec{Preset: "redis", Auth: &no, CreateSecret: &yes}, "the redis preset reads no Secret with authentication off"},
		{Spec{Preset: "postgresql", Auth: &no}, "the postgresql preset cannot run without authentication"},
		{Spec{Preset: "redis", Secret: "Bad_Name"}, "must be a DNS-1123 subdomain"},
	} {
		_, err := tt.spec.Resolve()
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want a FieldError mentioning %q", tt.spec, err, tt.want)
		}
	}
	man, err := Generate(Spec{Preset: "redis", Auth: &no})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(man.YAML()), "credentials") || strings.Contains(string(man.YAML()), "requirepass") {
		t.Error("--auth=false still reads the Secret or sets a password")
	}
}
