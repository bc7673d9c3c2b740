package generator

import (
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/presets"
)

// --tls values.
const (
	TLSNone        = "none"
	TLSCertManager = "cert-manager"
)

// validateTLS checks --tls and --issuer together.
func validateTLS(m *Model) error {
	switch m.TLS {
	case TLSNone:
		if m.Issuer != "" {
			return fieldErr(FieldIssuer, m.Issuer, "needs --tls %s", TLSCertManager)
		}
		return nil
	case TLSCertManager:
	default:
		return fieldErr(FieldTLS, m.TLS, "must be %s or %s", TLSNone, TLSCertManager)
	}
	if !m.Preset.TLS {
		return fieldErr(FieldTLS, m.TLS, "the %s preset does not support TLS yet", m.Preset.Name)
	}
	kind, name, ok := strings.Cut(m.Issuer, "/")
	if m.Issuer == "" {
		return fieldErr(FieldIssuer, m.Issuer, "is required with --tls %s: Issuer/NAME or ClusterIssuer/NAME", TLSCertManager)
	}
	if !ok || (kind != "Issuer" && kind != "ClusterIssuer") {
		return fieldErr(FieldIssuer, m.Issuer, "must be Issuer/NAME or ClusterIssuer/NAME")
	}
	return dnsSubdomain(FieldIssuer, name)
}

// UsesTLS reports whether clients and members talk TLS.
func (m *Model) UsesTLS() bool { return m.TLS == TLSCertManager }

// TLSDir is where the certificate's Secret is mounted.
func (m *Model) TLSDir() string { return presets.TLSDir }

// TLSSecretName names the Secret cert-manager keeps the certificate in.
func (m *Model) TLSSecretName() string { return m.Name + "-tls" }

// IssuerKind and IssuerName split --issuer.
func (m *Model) IssuerKind() string { k, _, _ := strings.Cut(m.Issuer, "/"); return k }

// IssuerName is the issuer's name.
func (m *Model) IssuerName() string { _, n, _ := strings.Cut(m.Issuer, "/"); return n }

// CertificateNames are the certificate's DNS names: exactly the names the
// pods are reached by — every pod's, the headless Service's and the client
// Service's — and no wildcard.
func (m *Model) CertificateNames() []string {
	names := make([]string, 0, len(m.Pods)+2)
	for _, p := range m.Pods {
		names = append(names, p.FQDN)
	}
	names = append(names, m.ServiceFQDN())
	if m.ClientService {
		names = append(names, m.ClientServiceName()+"."+m.Namespace+".svc."+m.ClusterDomain)
	}
	return names
}

// Certificate is the part of cert-manager's Certificate (cert-manager.io/v1)
// that headless writes, decoded strictly like every other document. The
// end-to-end tests apply it to an API server with cert-manager's own CRDs.
type Certificate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              CertificateSpec `json:"spec"`
}

// CertificateSpec is a Certificate's spec.
type CertificateSpec struct {
	SecretName string              `json:"secretName"`
	IssuerRef  IssuerRef           `json:"issuerRef"`
	DNSNames   []string            `json:"dnsNames"`
	Usages     []string            `json:"usages"`
	PrivateKey *CertificateKeySpec `json:"privateKey,omitempty"`
	Duration   string              `json:"duration,omitempty"`
	// AdditionalOutputFormats are more keys of the Secret: CombinedPEM
	// adds tls-combined.pem, the key followed by the certificate chain.
	AdditionalOutputFormats []CertificateOutputFormat `json:"additionalOutputFormats,omitempty"`
}

// CertificateOutputFormat is one additional output format.
type CertificateOutputFormat struct {
	Type string `json:"type"`
}

// IssuerRef names the issuer.
type IssuerRef struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
}

// CertificateKeySpec is the private key's algorithm and rotation.
type CertificateKeySpec struct {
	Algorithm      string `json:"algorithm"`
	Size           int    `json:"size"`
	RotationPolicy string `json:"rotationPolicy"`
	// Encoding is PKCS1 (cert-manager's default; SEC 1 for ECDSA) or PKCS8.
	Encoding string `json:"encoding,omitempty"`
}

// checkCertificate proves the certificate names exactly the promised
// names, is issued by the given issuer, is the one the pods mount, and
// serves both ends of a TLS connection.
func checkCertificate(m *Model, certs []*Certificate, fail func(string, ...any)) {
	if want := btoi(m.UsesTLS()); len(certs) != want {
		fail("%d Certificates generated, want %d", len(certs), want)
		return
	}
	if len(certs) == 0 {
		return
	}
	c := certs[0]
	got, want := slices.Sorted(slices.Values(c.Spec.DNSNames)), slices.Sorted(slices.Values(m.CertificateNames()))
	if !slices.Equal(got, want) {
		fail("Certificate %s names %v, want exactly %v", c.Name, got, want)
	}
	for _, n := range c.Spec.DNSNames {
		if strings.Contains(n, "*") {
			fail("Certificate %s has a wildcard name %s", c.Name, n)
		}
	}
	if c.Spec.SecretName != m.TLSSecretName() || c.Spec.IssuerRef.Kind != m.IssuerKind() || c.Spec.IssuerRef.Name != m.IssuerName() {
		fail("Certificate %s: secret %s from %s/%s, want %s from %s", c.Name, c.Spec.SecretName, c.Spec.IssuerRef.Kind, c.Spec.IssuerRef.Name, m.TLSSecretName(), m.Issuer)
	}
	if !slices.Contains(c.Spec.Usages, "server auth") || !slices.Contains(c.Spec.Usages, "client auth") {
		fail("Certificate %s is not for both server and client authentication", c.Name)
	}
}
