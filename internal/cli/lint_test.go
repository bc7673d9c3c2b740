package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/internal/testutil"
)

func TestLintExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	clean := filepath.Join("..", "..", "golden", "mongodb-statefulset.yaml")
	warn := write("warn.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c, image: \"x:1\"}]}\n")
	bad := write("bad.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n")
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string // substring
		wantStderr string // substring
	}{
		{"clean", []string{"lint", clean}, "", 0, "", "0 errors, 0 warnings in 5 objects from 1 files"},
		{"warnings only", []string{"lint", warn}, "", 0, "warn.yaml:4:1: warning: StatefulSet a has no spec.serviceName", "0 errors, 1 warning"},
		{"errors", []string{"lint", bad, clean}, "", 1, "bad.yaml:4:8: error: clusterIP \"none\"", "1 error, 0 warnings in 6 objects from 2 files"},
		{"disabled rule", []string{"lint", "--disable", "cluster-ip-none", bad}, "", 0, "", "0 errors"},
		{"stdin", []string{"lint", "-"}, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: NONE}\n", 1, "-:4:8: error", ""},
		{"unreadable file, others still linted", []string{"lint", filepath.Join(dir, "nope.yaml"), bad}, "", 2, "bad.yaml:4:8: error", "nope.yaml: no such file or directory"},
		{"no path", []string{"lint"}, "", 2, "", "lint needs at least one PATH"},
		{"unknown rule", []string{"lint", "--disable", "nope", bad}, "", 2, "", `invalid argument "nope" for "--disable" flag: must be one of cluster-ip-none,`},
		{"unknown format", []string{"lint", "-o", "xml", bad}, "", 2, "", `must be one of text, json, sarif`},
		{"json", []string{"lint", "-o", "json", bad}, "", 1, `"rule": "cluster-ip-none"`, ""},
		{"sarif", []string{"lint", "-o", "sarif", bad}, "", 1, `"version": "2.1.0"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout %q does not contain %q", stdout, tt.wantStdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

// TestDNS checks `headless dns` for a preset (both modes) and for files
// against golden output.
func TestDNS(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"dns-mongodb.txt", []string{"dns", "--preset", "mongodb", "-n", "data"}},
		{"dns-postgresql-pods.txt", []string{"dns", "--preset", "postgresql", "--mode", "pods", "--replicas", "2"}},
		{"dns-redis.json", []string{"dns", "--preset", "redis", "-o", "json"}},
		{"dns-files.txt", []string{"dns", filepath.Join("testdata", "dns-input.yaml")}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			testutil.AssertGolden(t, filepath.Join("testdata", tt.golden), []byte(stdout))
		})
	}
	code, _, stderr := runCmd(t, "", "dns", "--preset", "redis", "x.yaml")
	if code != 2 || !strings.Contains(stderr, `"--preset" describes a generated spec; it cannot be combined with PATH arguments`) {
		t.Errorf("dns with flags and paths: exit %d, stderr %q", code, stderr)
	}
}
