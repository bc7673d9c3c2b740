package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/prompter"
	"github.com/headless-k8s/headless/internal/wizard"
	"github.com/headless-k8s/headless/presets"
)

// runInit runs `headless init args...` in-process with a scripted prompter.
func runInit(t *testing.T, answers map[string][]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, StdinTTY: true, StdoutTTY: true}
	p := prompter.NewScripted(answers)
	cmd := NewCmdInit(io, func(opts *InitOptions) error {
		opts.Prompter = p
		return initRun(opts)
	})
	cmd.SetArgs(args)
	cmd.SetOut(&errOut)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	code = exitCode(cmd.Execute(), &errOut)
	if unused := p.Unused(); code == 0 && len(unused) > 0 {
		t.Errorf("scripted answers not used: %q", unused)
	}
	return code, out.String(), errOut.String()
}

func TestInitNotATerminal(t *testing.T) {
	for _, tty := range []struct{ in, out bool }{{false, false}, {true, false}, {false, true}} {
		var out, errOut bytes.Buffer
		// A reader that fails the test if init reads it: it must not wait
		// for input it cannot get.
		code := Run([]string{"init", "--preset", "mongodb"}, &IOStreams{In: failReader{t}, Out: &out, ErrOut: &errOut,
			StdinTTY: tty.in, StdoutTTY: tty.out})
		want := "error: init needs an interactive terminal; use \"headless generate\" with flags\n"
		if code != ExitUsage || errOut.String() != want || out.Len() != 0 {
			t.Errorf("stdin tty %v, stdout tty %v: exit %d, stderr %q, stdout %q; want 2, %q, nothing",
				tty.in, tty.out, code, errOut.String(), out.String(), want)
		}
	}
}

type failReader struct{ t *testing.T }

func (r failReader) Read([]byte) (int, error) {
	r.t.Error("init read its input without a terminal")
	return 0, os.ErrClosed
}

// TestInitRoundTrip checks that the printed command and the saved spec file
// reproduce the wizard's output byte for byte.
func TestInitRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name    string
		answers map[string][]string
	}{
		{"defaults", map[string][]string{
			wizard.MsgPreset: {"postgresql"}, wizard.MsgName: {prompter.Default}, wizard.MsgNamespace: {prompter.Default},
			wizard.MsgMode: {prompter.Default}, wizard.MsgReplicas: {prompter.Default}, wizard.MsgPort: {prompter.Default},
			wizard.MsgStorage: {prompter.Default}, wizard.MsgAdvanced: {prompter.Default},
			wizard.MsgDestination: {"stdout"}, wizard.MsgConfirm: {prompter.Default}}},
		{"everything customised, values that need quoting", map[string][]string{
			wizard.MsgPreset: {"redis"}, wizard.MsgName: {"cache"}, wizard.MsgNamespace: {"team-a"},
			wizard.MsgMode: {"pods"}, wizard.MsgReplicas: {"4"}, wizard.MsgPort: {"7000"},
			wizard.MsgStorage: {"none"}, wizard.MsgEphemeral: {"yes"}, wizard.MsgAdvanced: {"yes"}, wizard.MsgImage: {"registry.example:5000/redis@sha256:" + strings.Repeat("ab", 32)},
			wizard.MsgServiceName: {"cache-peers"}, wizard.MsgClusterDomain: {"corp.example"}, wizard.MsgClientService: {"no"},
			wizard.MsgLabels: {"owner=team-a, tier=cache"}, wizard.MsgNetworkPolicy: {"yes"},
			wizard.MsgAllowFrom: {"namespaces:kubernetes.io/metadata.name=apps/pods:app=api"}, wizard.MsgAuth: {"yes"},
			wizard.MsgCreateSecret: {"false"}, wizard.MsgSecret: {"cache-auth"}, wizard.MsgTLS: {"cert-manager"},
			wizard.MsgIssuer: {"ClusterIssuer/internal-ca"}, wizard.MsgDestination: {"directory"},
			wizard.MsgDirectory: {"out dir/it's $HOME"}, wizard.MsgConfirm: {"yes"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			spec := filepath.Join(dir, "spec.yaml")
			out := tt.answers[wizard.MsgDirectory] // the prompter consumes the answers
			code, yaml, stderr := runInit(t, tt.answers, "--save", spec)
			if code != 0 {
				t.Fatalf("init: exit %d: %s", code, stderr)
			}
			const same = "The same without questions:\n  "
			line, _, _ := strings.Cut(stderr[strings.LastIndex(stderr, same)+len(same):], "\n")
			args := shellSplit(t, strings.TrimSpace(line))[1:] // drop "headless"
			if out != nil {
				// Compare the directory with stdout of the same command.
				if args[len(args)-2] != "--output-dir" || args[len(args)-1] != out[0] {
					t.Fatalf("the command does not end in --output-dir %q: %s", out[0], line)
				}
				args = args[:len(args)-2]
				yaml = readDirAsYAML(t, out[0])
			}
			code, fromFlags, errOut := runCmd(t, "", args...)
			if code != 0 || fromFlags != yaml {
				t.Errorf("%s: exit %d, output equal: %v; stderr %s", line, code, fromFlags == yaml, errOut)
			}
			code, fromFile, errOut := runCmd(t, "", "generate", "-f", spec)
			if code != 0 || fromFile != yaml {
				data, _ := os.ReadFile(spec)
				t.Errorf("generate -f spec.yaml: exit %d, output equal: %v; stderr %s; spec:\n%s", code, fromFile == yaml, errOut, data)
			}
		})
	}
}

// readDirAsYAML joins the object files of a generated directory in the order
// kustomization.yaml lists them, as generate prints them on stdout.
func readDirAsYAML(t *testing.T, dir string) string {
	t.Helper()
	k, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(string(k), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); ok {
			data, err := os.ReadFile(filepath.Join(dir, strings.Trim(name, `"`)))
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString("---\n")
			b.Write(data)
		}
	}
	return b.String()
}

// shellSplit splits a command line made of words and single-quoted strings,
// as a POSIX shell would.
func shellSplit(t *testing.T, line string) []string {
	t.Helper()
	var (
		words  []string
		cur    strings.Builder
		in     bool // inside a word
		quote  bool // inside single quotes
		escape bool // after a backslash
	)
	for _, r := range line {
		switch {
		case escape:
			cur.WriteRune(r)
			escape = false
		case quote && r == '\'':
			quote = false
		case quote:
			cur.WriteRune(r)
		case r == '\'':
			quote, in = true, true
		case r == '\\':
			escape, in = true, true
		case r == ' ':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote {
		t.Fatalf("unterminated quote in %q", line)
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"mongodb":       "mongodb",
		"./out/dir":     "./out/dir",
		"team=payments": "team=payments",
		"":              "''",
		"my dir":        "'my dir'",
		"it's":          `'it'\''s'`,
		"$HOME":         "'$HOME'",
		"a;rm -rf /":    "'a;rm -rf /'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
		if got := shellSplit(t, shellQuote(in)); in != "" && (len(got) != 1 || got[0] != in) {
			t.Errorf("shellSplit(shellQuote(%q)) = %q", in, got)
		}
	}
}

func TestInitWritesNothingUntilConfirmed(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer string
		want   int
	}{
		{"cancelled", prompter.Cancel, ExitCancelled},
		{"declined", "no", ExitCancelled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := runInit(t, map[string][]string{wizard.MsgConfirm: {tt.answer}},
				"--preset", "mongodb", "--name", "db", "--namespace", "x", "--mode", "pods", "--replicas", "2",
				"--port", "1234", "--storage", "1Gi", "--output-dir", filepath.Join(dir, "out"), "--save", filepath.Join(dir, "s.yaml"))
			if code != tt.want || stdout != "" || !strings.HasSuffix(stderr, "cancelled; nothing was written\n") {
				t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("%d files written", len(entries))
			}
		})
	}
}

func TestInitRejectsBadFlagsBeforeAsking(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "keep"), nil, 0o644)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "oracle"}, `invalid argument "oracle" for "--preset" flag: must be one of ` + strings.Join(presets.Names(), ", ")},
		{[]string{"--preset", "redis", "--replicas", "0"}, `invalid argument "0" for "--replicas" flag: must be an integer from 1 to 1000`},
		{[]string{"--port", "x"}, `invalid argument "x" for "--port" flag: must be an integer from 1 to 65535`},
		{[]string{"--output-dir", dir}, "is not empty (1 entry); use --force to overwrite its files"},
		{[]string{"--save", filepath.Join(dir, "keep")}, "exists; choose another name or use --force"},
	} {
		code, stdout, stderr := runInit(t, nil, tt.args...)
		if code != ExitUsage || stdout != "" || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("init %q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}

// TestInitDefaultDatabase checks that init pre-selects the README's
// database, whatever other presets exist.
func TestInitDefaultDatabase(t *testing.T) {
	code, stdout, stderr := runInit(t, map[string][]string{
		wizard.MsgPreset: {prompter.Default}, wizard.MsgName: {prompter.Default}, wizard.MsgNamespace: {prompter.Default},
		wizard.MsgMode: {prompter.Default}, wizard.MsgReplicas: {prompter.Default}, wizard.MsgPort: {prompter.Default},
		wizard.MsgStorage: {prompter.Default}, wizard.MsgAdvanced: {prompter.Default}, wizard.MsgConfirm: {prompter.Default}},
		"--output-dir", "-")
	if code != ExitOK || stdout == "" || !strings.Contains(stderr, "\n  headless generate --preset "+initDefaultPreset+" ") {
		t.Errorf("exit %d, stderr %q; want the %s preset", code, stderr, initDefaultPreset)
	}
	if initDefaultPreset != "mongodb" {
		t.Errorf("init pre-selects %s; the README's walk-through accepts mongodb", initDefaultPreset)
	}
}

// TestSaveSpecThroughLink: --save, like --output, writes through a
// symbolic link (the link stays), and refuses a dangling link or a
// directory instead of replacing it.
func TestSaveSpecThroughLink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.yaml"), filepath.Join(dir, "link.yaml")
	mustWrite(t, target, "old")
	if err := os.Symlink("target.yaml", link); err != nil {
		t.Fatal(err)
	}
	if err := saveSpec(link, generator.Spec{Preset: "redis"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "preset: redis") {
		t.Errorf("the target holds %q", b)
	}
	dangling := filepath.Join(dir, "dangling.yaml")
	os.Symlink("nowhere.yaml", dangling)
	for _, p := range []string{dangling, dir} {
		err1, err2 := checkSave(p, true), saveSpec(p, generator.Spec{Preset: "redis"})
		if err1 == nil || err2 == nil {
			t.Errorf("%s: checkSave %v, saveSpec %v; want both to refuse", p, err1, err2)
		}
	}
	if target, _ := os.Readlink(dangling); target != "nowhere.yaml" {
		t.Errorf("the dangling link was replaced")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".headless-*")); len(leftovers) > 0 {
		t.Errorf("left behind: %v", leftovers)
	}
}
