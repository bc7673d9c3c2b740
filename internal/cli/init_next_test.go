package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/wizard"
)

// everyValue answers every question of init by flags, so that only the
// confirmation is asked.
func everyValue(extra ...string) []string {
	return append([]string{"--preset", "redis", "--name", "cache", "--namespace", "data", "--mode", "statefulset",
		"--replicas", "3", "--port", "6379", "--storage", "1Gi"}, extra...)
}

// TestInitNextSteps: init ends with how the database scales and the exact
// commands to run next: the namespace, the Secret, kubectl apply, then
// doctor to check the names.
func TestInitNextSteps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runInit(t, map[string][]string{wizard.MsgConfirm: {"yes"}}, everyValue("--output-dir", dir)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "\nScaling redis:\n  Change --replicas and apply; nothing else is needed." // the preset's scale text
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	_, next, ok := strings.Cut(stderr, "\nNext:\n")
	wantNext := "  kubectl create namespace data   # unless it exists\n" +
		"  kubectl -n data create secret generic cache-credentials --from-literal=password=\"$(openssl rand -hex 16)\"\n" +
		"  kubectl apply -k " + dir + "\n" +
		"  headless doctor -n data   # once the pods run: is every pod's DNS name published?\n"
	if !ok || next != wantNext {
		t.Errorf("init ends with %q, want %q", next, wantNext)
	}
	if strings.Contains(stderr, "cluster domain") {
		t.Errorf("a warning about the cluster domain nobody changed:\n%s", stderr)
	}

	// To standard output: the next command is the generate command piped
	// into kubectl apply.
	code, _, stderr = runInit(t, map[string][]string{wizard.MsgConfirm: {"yes"}}, everyValue("--output-dir", "-", "--create-secret")...)
	if _, next, _ := strings.Cut(stderr, "\nNext:\n"); code != 0 || !strings.HasSuffix(next, "--create-secret=true | kubectl apply -f -\n  headless doctor -n data   # once the pods run: is every pod's DNS name published?\n") ||
		strings.Contains(next, "create secret") {
		t.Errorf("exit %d; next steps %q", code, next)
	}
}

// TestInitClusterDomainWarning: a changed cluster domain is warned about
// before the confirmation, with where the output uses it.
func TestInitClusterDomainWarning(t *testing.T) {
	code, _, stderr := runInit(t, map[string][]string{wizard.MsgConfirm: {"yes"}},
		everyValue("--output-dir", "-", "--cluster-domain", "corp.example")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	summary, _, _ := strings.Cut(stderr, "The same without questions")
	for _, want := range []string{
		"warning: the cluster domain is corp.example, not cluster.local.",
		"It is used in every DNS name above, and in:\n",
		"  StatefulSet data/cache (",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

// TestNextStepsScale: a preset's scale text is shown, indented.
func TestNextStepsScale(t *testing.T) {
	off := false // no Secret to create
	m, err := generator.Spec{Preset: "etcd", Auth: &off}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	p := *m.Preset
	p.Scale = "Run etcdctl member add first.\nThen raise --replicas."
	m.Preset = &p
	var b bytes.Buffer
	writeNextSteps(&b, m, "./etcd", "headless generate --preset etcd")
	want := "\nScaling etcd:\n  Run etcdctl member add first.\n  Then raise --replicas.\n\nNext:\n  kubectl apply -k ./etcd\n  headless doctor -n default   # once the pods run: is every pod's DNS name published?\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
