package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/presets"
)

// tlsDatabases talk to a preset's database as a client with the pod's
// certificate does, when the preset runs with --tls cert-manager.
var tlsDatabases = map[string]database{
	"redis": {
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			out, err := r.exec(ctx, pod, redisTLSCLI(r, "set", key, value)...)
			if err == nil && strings.TrimSpace(out) != "OK" {
				err = fmt.Errorf("SET answered %q", strings.TrimSpace(out))
			}
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			return r.exec(ctx, pod, redisTLSCLI(r, "get", key)...)
		},
		// With the password but no client certificate: the server, which
		// asks every client for one (--tls-auth-clients yes), ends the
		// connection after the handshake (TLS 1.3; closed or reset, as
		// the timing has it: redis-cli says I/O error either way).
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			return r.exec(ctx, pod, "redis-cli", "--tls", "--cacert", presets.TLSDir+"/ca.crt", "-h", host, "-p", r.port(), "set", "intruder", "1")
		},
		refused: "I/O error",
	},
	"etcd": {
		anyWriter: true,
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			out, err := r.exec(ctx, pod, etcdTLSCTL(r, fqdnOf(r, pod), "put", key, value)...)
			if err == nil && strings.TrimSpace(out) != "OK" {
				err = fmt.Errorf("put answered %q", strings.TrimSpace(out))
			}
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			return r.exec(ctx, pod, etcdTLSCTL(r, fqdnOf(r, pod), "get", key, "--print-value-only", "--consistency=s")...)
		},
		// With the pod's certificate but without root's password: the
		// certificate names no user (no common name), which has no
		// permission.
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			return r.exec(ctx, pod, append([]string{"env", "-u", "ETCDCTL_USER", "-u", "ETCDCTL_PASSWORD"}, etcdTLSCTL(r, host, "put", "intruder", "1")...)...)
		},
		refused: "etcdserver: permission denied",
	},
}

// etcdTLSCTL is etcdctl with the pod's certificate, to the member at host
// (a name its certificate has); etcdctl in a member's pod is root
// (ETCDCTL_USER, ETCDCTL_PASSWORD).
func etcdTLSCTL(r *dbRun, host string, args ...string) []string {
	d := presets.TLSDir
	return append([]string{"etcdctl", "--cacert", d + "/ca.crt", "--cert", d + "/tls.crt", "--key", d + "/tls.key",
		"--endpoints=https://" + host + ":" + r.port()}, args...)
}

// fqdnOf is pod's DNS name.
func fqdnOf(r *dbRun, pod string) string {
	for _, p := range r.man.Model.Pods {
		if p.Name == pod {
			return p.FQDN
		}
	}
	return pod
}

func redisTLSCLI(r *dbRun, args ...string) []string {
	d := presets.TLSDir
	return append([]string{"redis-cli", "--tls", "--cert", d + "/tls.crt", "--key", d + "/tls.key", "--cacert", d + "/ca.crt", "-p", r.port()}, args...)
}

// TestTLS runs the presets that support --tls cert-manager with TLS on.
// The test stands in for cert-manager: it issues the Certificate the
// output asks for (its DNS names and usages, from a CA of its own) into the
// Secret the Certificate names, as cert-manager would. The cluster must form
// over TLS, and a client without a certificate must be refused.
func TestTLS(t *testing.T) {
	t.Parallel()
	for name := range tlsDatabases {
		t.Run(name, func(t *testing.T) {
			if why, ok := skipped[name]; ok {
				t.Skip(why)
			}
			parallel(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			if _, err := ensureCertManagerCRDs(ctx); err != nil {
				t.Fatal(err)
			}
			spec := generator.Spec{Preset: name, Mode: generator.ModeStatefulSet, Namespace: "tls-" + name,
				TLS: generator.TLSCertManager, Issuer: "Issuer/e2e"}
			r := startRunSpec(ctx, t, spec, func(man *generator.Manifest) {
				man.Documents = append(man.Documents, issue(t, man))
			})
			r.db = tlsDatabases[name]
			if _, err := r.running(ctx, 2*time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := r.replicated(ctx, r.pods()[0], "k1", randomString(), 3*time.Minute); err != nil {
				t.Fatalf("the cluster did not form over TLS: %v", err)
			}
			if err := r.ready(ctx, 2*time.Minute); err != nil {
				t.Fatal(err)
			}
			out, err := r.refused(ctx, r.pods()[1])
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("formed over TLS; an unauthenticated client is refused: %s", lastLines(out, 1))
		})
	}
}

// issue returns the Secret cert-manager would write for the manifest's
// Certificate: a key, a certificate for exactly the Certificate's DNS names
// and usages, and the issuing CA's certificate.
func issue(t *testing.T, man *generator.Manifest) generator.Document {
	t.Helper()
	var cert *generator.Certificate
	for _, d := range man.Documents {
		if c, ok := d.Object.(*generator.Certificate); ok {
			cert = c
		}
	}
	if cert == nil {
		t.Fatal("the output has no Certificate")
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTemplate := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), DNSNames: cert.Spec.DNSNames,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}
	for _, u := range cert.Spec.Usages {
		switch u {
		case "server auth":
			leaf.ExtKeyUsage = append(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
		case "client auth":
			leaf.ExtKeyUsage = append(leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
		case "digital signature":
			leaf.KeyUsage |= x509.KeyUsageDigitalSignature
		case "key encipherment":
			leaf.KeyUsage |= x509.KeyUsageKeyEncipherment
		default:
			t.Fatalf("Certificate %s: usage %q is unknown to this stand-in", cert.Name, u)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	// The key's encoding: cert-manager's default, PKCS1 (SEC 1 for an
	// ECDSA key), or PKCS8 when the Certificate asks.
	keyBlock := &pem.Block{Type: "EC PRIVATE KEY"}
	if cert.Spec.PrivateKey != nil && cert.Spec.PrivateKey.Encoding == "PKCS8" {
		keyBlock.Type = "PRIVATE KEY"
		keyBlock.Bytes, err = x509.MarshalPKCS8PrivateKey(key)
	} else {
		keyBlock.Bytes, err = x509.MarshalECPrivateKey(key)
	}
	if err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: cert.Spec.SecretName, Namespace: cert.Namespace},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			"tls.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			"tls.key": pem.EncodeToMemory(keyBlock),
			"ca.crt":  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		},
	}
	for _, f := range cert.Spec.AdditionalOutputFormats {
		switch f.Type {
		case "CombinedPEM":
			// The key, then the certificate chain.
			secret.Data["tls-combined.pem"] = append(slices.Clone(secret.Data["tls.key"]), secret.Data["tls.crt"]...)
		default:
			t.Fatalf("Certificate %s: output format %q is unknown to this stand-in", cert.Name, f.Type)
		}
	}
	return generator.Document{Kind: "Secret", Name: secret.Name, Object: secret}
}
