package golden_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/internal/cli"
	"github.com/headless-k8s/headless/internal/testutil"
	"github.com/headless-k8s/headless/presets"
)

// run executes the root command in-process and fails the test unless it
// exits 0. What it prints on stderr (warnings, "wrote N files") is checked
// by TestWarnings and the CLI's tests.
func run(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(args, &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	if code != cli.ExitOK {
		t.Fatalf("headless %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, errOut.String())
	}
	return out.Bytes()
}

func TestPresetsByMode(t *testing.T) {
	for _, preset := range presets.Names() {
		for _, mode := range []string{"statefulset", "pods"} {
			name := fmt.Sprintf("%s-%s", preset, mode)
			t.Run(name, func(t *testing.T) {
				got := run(t, "generate", "--preset", preset, "--mode", mode)
				testutil.AssertGolden(t, name+".yaml", got)
			})
		}
	}
}

func TestVariants(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"variant-name.yaml", []string{"generate", "--preset", "mongodb", "--name", "orders"}},
		{"variant-namespace.yaml", []string{"generate", "--preset", "postgresql", "-n", "data"}},
		{"variant-cluster-domain.yaml", []string{"generate", "--preset", "redis", "--cluster-domain", "k8s.example.internal"}},
		{"variant-one-replica.yaml", []string{"generate", "--preset", "mongodb", "--replicas", "1"}},
		{"variant-one-replica-pods.yaml", []string{"generate", "--preset", "redis", "--mode", "pods", "--replicas", "1"}},
		{"variant-labels.yaml", []string{"generate", "--preset", "mongodb", "--label", "team=data", "-l", "example.com/tier=gold"}},
		{"variant-service-port-image.yaml", []string{"generate", "--preset", "postgresql", "--service-name", "pg",
			"--port", "6543", "--image", "registry.example.com/db/postgres:17.2-alpine"}},
		{"variant-storage.yaml", []string{"generate", "--preset", "redis", "--storage", "20Gi", "--storage-class", "fast-ssd", "--client-service=false"}},
		{"variant-no-storage-pods.yaml", []string{"generate", "--preset", "redis", "--mode", "pods", "--storage", "none", "--ephemeral"}},
		{"variant-client-service.yaml", []string{"generate", "--preset", "mongodb", "--client-service"}},
		{"variant-json.json", []string{"generate", "--preset", "redis", "-o", "json"}},
		{"variant-allow-from.yaml", []string{"generate", "--preset", "postgresql", "--allow-from",
			"namespaces:kubernetes.io/metadata.name=apps/pods:app=api", "--allow-from", "pods:role=admin"}},
		{"variant-no-network-policy.yaml", []string{"generate", "--preset", "redis", "--network-policy=false"}},
		{"variant-pvc-delete.yaml", []string{"generate", "--preset", "zookeeper", "--pvc-retention", "delete"}},
		{"variant-tls-etcd.yaml", []string{"generate", "--preset", "etcd", "--tls", "cert-manager", "--issuer", "ClusterIssuer/internal-ca"}},
		{"variant-tls-postgresql.yaml", []string{"generate", "--preset", "postgresql", "--tls", "cert-manager", "--issuer", "Issuer/pg-ca"}},
		{"variant-tls-redis-pods.yaml", []string{"generate", "--preset", "redis", "--mode", "pods", "--replicas", "2", "--tls", "cert-manager", "--issuer", "Issuer/redis-ca"}},
		{"variant-tls-zookeeper.yaml", []string{"generate", "--preset", "zookeeper", "--tls", "cert-manager", "--issuer", "ClusterIssuer/internal-ca"}},
		{"variant-auth-off.yaml", []string{"generate", "--preset", "redis", "--auth=false"}},
		{"variant-auth-off-etcd.yaml", []string{"generate", "--preset", "etcd", "--auth=false"}},
		{"variant-secret-name.yaml", []string{"generate", "--preset", "mongodb", "--mode", "pods", "--replicas", "2", "--secret", "mongo-auth"}},
		{"spec-file.yaml", []string{"generate", "-f", "testdata/spec.yaml"}},
		{"presets.txt", []string{"presets"}},
		{"presets.json", []string{"presets", "-o", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			testutil.AssertGolden(t, tt.golden, run(t, tt.args...))
		})
	}
}

// TestSpecFileEqualsFlags proves that a spec file and the same values as
// flags produce the same bytes.
func TestSpecFileEqualsFlags(t *testing.T) {
	fromFile := run(t, "generate", "-f", "testdata/spec.yaml")
	fromFlags := run(t, "generate", "--preset", "postgresql", "--name", "orders-db", "-n", "shop",
		"--replicas", "2", "--label", "team=payments")
	if d := testutil.Diff("spec file", "flags", string(fromFile), string(fromFlags)); d != "" {
		t.Errorf("spec file and flags differ:\n%s", d)
	}
	// Flags override the file.
	overridden := run(t, "generate", "-f", "testdata/spec.yaml", "--replicas", "3")
	if !bytes.Contains(overridden, []byte("orders-db-2")) {
		t.Errorf("--replicas 3 did not override the spec file's replicas")
	}
}

func TestOutputDirectory(t *testing.T) {
	for _, tt := range []struct{ golden, preset, mode string }{
		{"dir-mongodb-statefulset", "mongodb", "statefulset"},
		{"dir-redis-pods", "redis", "pods"},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			if out := run(t, "generate", "--preset", tt.preset, "--mode", tt.mode, "--replicas", "2", "--output-dir", dir); len(out) != 0 {
				t.Errorf("stdout should be empty with --output, got %q", out)
			}
			testutil.AssertGoldenDir(t, tt.golden, dir)
		})
	}
}

// TestWarnings checks that a preset that authenticates generates without a
// warning and one that does not says so, as does --auth=false.
func TestWarnings(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--preset", "mongodb"}, ""},
		{[]string{"generate", "--preset", "redis"}, ""},
		{[]string{"generate", "--preset", "postgresql"}, ""},
		{[]string{"generate", "--preset", "etcd"}, ""},
		{[]string{"generate", "--preset", "etcd", "--auth=false"}, "warning: authentication is off (--auth=false): any pod that reaches etcd can read and write it\n"},
		{[]string{"generate", "--preset", "etcd", "--tls", "cert-manager", "--issuer", "Issuer/ca"}, ""},
		{[]string{"generate", "--preset", "redis", "--auth=false"}, "warning: authentication is off (--auth=false): any pod that reaches redis can read and write it\n"},
	} {
		var out, errOut bytes.Buffer
		code := cli.Run(tt.args, &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
		if code != cli.ExitOK || errOut.String() != tt.want {
			t.Errorf("headless %s: exit %d, stderr %q; want 0 and %q", strings.Join(tt.args, " "), code, errOut.String(), tt.want)
		}
	}
}
