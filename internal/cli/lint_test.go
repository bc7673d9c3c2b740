package cli

import (
	"os"
	"path/filepath"
	"runtime"
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
	split := write("split.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: h, namespace: data}\nspec: {clusterIP: None, publishNotReadyAddresses: true, selector: {app: a}, ports: [{name: p, port: 1}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec:\n  serviceName: h\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c, image: \"x:1\", ports: [{name: p, containerPort: 1}]}]}\n")
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
		{"namespace not given", []string{"lint", split}, "", 0, "they share a namespace only when the input is applied to namespace data", "0 errors, 1 warning"},
		{"namespace given", []string{"lint", "-n", "data", split}, "", 0, "", "0 errors, 0 warnings"},
		{"another namespace given", []string{"lint", "--namespace", "web", split}, "", 1, "but serviceName always refers to the StatefulSet's own namespace web", "1 error"},
		{"invalid namespace", []string{"lint", "-n", "Data", split}, "", 2, "", `invalid argument "Data" for "--namespace" flag: a lowercase RFC 1123 label`},
		{"no path", []string{"lint"}, "", 2, "", "lint needs at least one PATH"},
		{"invalid cluster domain", []string{"lint", "--cluster-domain", "Evil..Domain", bad}, "", 2, "", `invalid argument "Evil..Domain" for "--cluster-domain" flag: `},
		{"cluster domain with a dot at the end", []string{"lint", "--cluster-domain", "cluster.local.", bad}, "", 2, "", `invalid argument "cluster.local." for "--cluster-domain" flag: must not end with a dot`},
		{"another cluster domain", []string{"lint", "--cluster-domain", "corp.example", bad}, "", 1, "bad.yaml:4:8: error", ""},
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

// TestLintFix: --fix rewrites the files and lints the result; --dry-run
// prints the diff and writes nothing; standard input is refused.
func TestLintFix(t *testing.T) {
	bad := "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: none # headless\n  selector: {app: a}\n  ports: [{name: p, port: 1}]\n"
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "", "lint", "--fix", "--dry-run", p)
	if code != 0 || !strings.Contains(stdout, "-  clusterIP: none # headless\n+  clusterIP: None # headless\n") || !strings.Contains(stderr, "1 fix in 1 file (dry run: nothing written)") {
		t.Errorf("dry run: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(p); string(data) != bad {
		t.Errorf("the dry run wrote %q", data)
	}
	code, stdout, stderr = runCmd(t, "", "lint", "--fix", p)
	if code != 0 || !strings.Contains(stderr, "fixed "+p+":5: clusterIP \"none\" -> \"None\"") || strings.Contains(stdout, "cluster-ip-none") {
		t.Errorf("fix: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(p); string(data) != strings.Replace(bad, "none", "None", 1) {
		t.Errorf("fixed file %q", data)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", "--dry-run", p}, `"--dry-run" only goes with "--fix"`},
		{[]string{"lint", "--fix", "-"}, `"--fix" rewrites files; standard input cannot be rewritten`},
	} {
		code, _, stderr := runCmd(t, bad, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, stderr)
		}
	}
	code, stdout, _ = runCmd(t, bad, "lint", "--fix", "--dry-run", "-")
	if code != 0 || !strings.Contains(stdout, "+  clusterIP: None") {
		t.Errorf("dry run of stdin: exit %d, stdout %q", code, stdout)
	}
}

// TestDNSClusterDomain: dns with PATHs validates --cluster-domain as
// generate does, in one line naming the flag.
func TestDNSClusterDomain(t *testing.T) {
	in := filepath.Join("testdata", "dns-input.yaml")
	_, _, want := runCmd(t, "", "generate", "--preset", "mongodb", "--cluster-domain", "Evil..Domain")
	code, stdout, stderr := runCmd(t, "", "dns", "--cluster-domain", "Evil..Domain", in)
	if code != 2 || stdout != "" || stderr != want || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `"--cluster-domain" flag`) {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant the stderr of generate %q", code, stdout, stderr, want)
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
	code, stdout, stderr := runCmd(t, "", "dns", "-n", "data", filepath.Join("testdata", "dns-input.yaml"))
	if code != 0 || !strings.Contains(stdout, ".data.svc.cluster.local") {
		t.Errorf("dns -n data with files: exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}
	code, _, stderr = runCmd(t, "", "dns", "--preset", "redis", "x.yaml")
	if code != 2 || !strings.Contains(stderr, `"--preset" describes a generated spec; it cannot be combined with PATH arguments`) {
		t.Errorf("dns with flags and paths: exit %d, stderr %q", code, stderr)
	}
}

// TestTerminalEscapes: control characters from the input (names, values,
// file names) are escaped in text output, on stdout and stderr, and by
// encoding/json in JSON and SARIF.
func TestTerminalEscapes(t *testing.T) {
	dir := t.TempDir()
	sts := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: \"a\\e[2J\\e]0;title\\a\\x9b\\x7f\"}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c, image: \"x:1\"}]}\n" +
		"---\napiVersion: v1\nkind: Service\nmetadata: {name: \"s\\e[31m\"}\nspec: {clusterIP: none, selector: {app: \"b\\e[2J\"}, ports: [{name: p, port: 1}]}\n"
	p := filepath.Join(dir, "x\x1b]0;t\x07.yaml")
	if err := os.WriteFile(p, []byte(sts), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "y\x1b[2J.yaml")
	if err := os.WriteFile(broken, []byte("a: [\x1b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	raw := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) })
	}
	for _, args := range [][]string{{"lint", dir}, {"dns", p}, {"dns", dir}, {"lint", "--fix", "--dry-run", dir}} {
		_, stdout, stderr := runCmd(t, "", args...)
		if raw(stdout) || raw(stderr) {
			t.Errorf("%v: raw control characters\nstdout %q\nstderr %q", args, stdout, stderr)
		}
		if !strings.Contains(stdout+stderr, `\x1b`) {
			t.Errorf("%v: no escaped ESC in\nstdout %q\nstderr %q", args, stdout, stderr)
		}
	}
	for _, args := range [][]string{{"lint", "--format", "json", p}, {"lint", "--format", "sarif", p}, {"dns", "--format", "json", p}} {
		_, stdout, _ := runCmd(t, "", args...)
		if raw(stdout) || !strings.Contains(stdout, `\u001b`) || !strings.Contains(stdout, `\u009b\u007f`) {
			t.Errorf("%v: stdout %q", args, stdout)
		}
	}
}

// TestHugeReplicas: lint and dns on a StatefulSet of 2,147,483,647
// replicas finish in bounded memory, and dns shows the pods beyond
// dns.MaxPods as one range, in text and JSON.
func TestHugeReplicas(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "db.yaml")
	doc := "apiVersion: v1\nkind: Service\nmetadata: {name: db-h}\nspec: {clusterIP: None, publishNotReadyAddresses: true, selector: {app: db}, ports: [{name: p, port: 1}]}\n---\n" +
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 2147483647\n  serviceName: db-h\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c, image: \"x:1\", ports: [{name: p, containerPort: 1}]}]}\n"
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, stdout, stderr := runCmd(t, "", "lint", p)
	if code != 0 || stdout != "" {
		t.Errorf("lint: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, "", "dns", p)
	want := "  A    db-{10000..2147483646}.db-h.default.svc.cluster.local  -> db-10000 … db-2147483646 (2147473647 pods, db-10000 to db-2147483646, shown as one range: more than 10000 are not listed one by one)\n"
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("dns: exit %d\nstderr %q\nstdout does not contain %q", code, stderr, want)
	}
	code, stdout, _ = runCmd(t, "", "dns", "--format", "json", p)
	if code != 0 || !strings.Contains(stdout, `"range": {`) || !strings.Contains(stdout, `"count": 2147473647`) {
		t.Errorf("dns json: exit %d, no range", code)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<30 {
		t.Errorf("allocated %d MiB", got>>20)
	}
}
