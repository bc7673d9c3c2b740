package generator

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTLSFlags(t *testing.T) {
	for _, tt := range []struct {
		spec  Spec
		field string
		want  string
	}{
		{Spec{Preset: "redis", TLS: "vault"}, FieldTLS, "must be none or cert-manager"},
		{Spec{Preset: "mongodb", TLS: TLSCertManager, Issuer: "Issuer/ca"}, FieldTLS, "the mongodb preset does not support TLS yet"},
		{Spec{Preset: "redis", TLS: TLSCertManager}, FieldIssuer, "is required with --tls cert-manager"},
		{Spec{Preset: "redis", TLS: TLSCertManager, Issuer: "ca"}, FieldIssuer, "must be Issuer/NAME or ClusterIssuer/NAME"},
		{Spec{Preset: "redis", TLS: TLSCertManager, Issuer: "Issuer/Bad_Name"}, FieldIssuer, "DNS-1123 subdomain"},
		{Spec{Preset: "redis", Issuer: "Issuer/ca"}, FieldIssuer, "needs --tls cert-manager"},
	} {
		_, err := tt.spec.Resolve()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want a FieldError about %s mentioning %q", tt.spec, err, tt.field, tt.want)
		}
	}
}

// TestCertificateNames checks that the certificate names exactly the pods'
// and Services' names, in both modes, with and without a client Service.
func TestCertificateNames(t *testing.T) {
	for _, mode := range Modes {
		for _, client := range []bool{true, false} {
			man, err := Generate(Spec{Preset: "etcd", Mode: mode, Replicas: ptr(2), Namespace: "db", ClientService: &client,
				TLS: TLSCertManager, Issuer: "ClusterIssuer/ca"})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"etcd-0.etcd-headless.db.svc.cluster.local", "etcd-1.etcd-headless.db.svc.cluster.local", "etcd-headless.db.svc.cluster.local"}
			if client {
				want = append(want, "etcd.db.svc.cluster.local")
			}
			for _, d := range man.Documents {
				if c, ok := d.Object.(*Certificate); ok && !slices.Equal(c.Spec.DNSNames, want) {
					t.Errorf("%s client=%v: names %v, want %v", mode, client, c.Spec.DNSNames, want)
				}
			}
		}
	}
}

// TestCertificateCheck breaks the certificate template: the consistency
// check must refuse a missing name, a wildcard and a server-only usage.
func TestCertificateCheck(t *testing.T) {
	for _, tt := range []struct{ name, old, new, want string }{
		{"a pod missing", `{{- range .CertificateNames }}`, `{{- range slice .CertificateNames 1 }}`, "want exactly"},
		{"a wildcard", `{{- range .CertificateNames }}`, `- "*.etcd-headless.default.svc.cluster.local"
    {{- range .CertificateNames }}`, "wildcard"},
		{"server auth only", `usages: ["server auth", "client auth",`, `usages: ["server auth",`, "not for both server and client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRenderer(brokenTemplates(t, "certificate.yaml.tmpl", tt.old, tt.new))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Render(mustResolve(t, Spec{Preset: "etcd", TLS: TLSCertManager, Issuer: "Issuer/ca"}))
			var ie *InternalError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want an InternalError mentioning %q", err, tt.want)
			}
		})
	}
}
