package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// runAs runs the binary at bin and returns its combined output.
func runAs(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// bareCommand finds a command line that starts with "headless" not
// preceded by "kubectl ": what a plugin must never print.
var bareCommand = regexp.MustCompile(`(^|[^l] |[\s"|(])headless (generate|init|lint|dns|presets|version|completion)\b`)

// TestPluginHelp: invoked as kubectl-headless, every help text, usage line
// and example says "kubectl headless …".
func TestPluginHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"generate", "--help"}, {"init", "--help"}, {"lint", "--help"},
		{"dns", "--help"}, {"presets", "--help"}, {"version", "--help"}} {
		code, out := runAs(t, plugin, args...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, out)
		}
		if !strings.Contains(out, "Usage:\n  kubectl headless") {
			t.Errorf("%q: the usage line does not say kubectl headless:\n%s", args, out)
		}
		if m := bareCommand.FindString(strings.ReplaceAll(out, "kubectl headless", "")); m != "" {
			t.Errorf("%q: %q is not spelled kubectl headless:\n%s", args, m, out)
		}
		if args[0] == "generate" && !strings.Contains(out, "  kubectl headless generate --preset mongodb\n") {
			t.Errorf("generate --help: the examples do not say kubectl headless:\n%s", out)
		}
		// The same binary under its own name is unchanged.
		if _, out := runAs(t, binary, args...); strings.Contains(out, "kubectl headless") {
			t.Errorf("%q as headless says kubectl headless:\n%s", args, out)
		}
	}
	code, out := runAs(t, plugin, "init")
	if want := "error: init needs an interactive terminal; use \"kubectl headless generate\" with flags\n"; code != 2 || out != want {
		t.Errorf("init without a terminal: exit %d, %q; want 2, %q", code, out, want)
	}
}

// TestPluginInitInTerminal: the command init prints is the plugin's.
func TestPluginInitInTerminal(t *testing.T) {
	term := startTerminalAs(t, plugin, t.TempDir(), "init", "--preset", "redis", "--name", "db", "--namespace", "default",
		"--mode", "statefulset", "--replicas", "3", "--port", "6379", "--storage", "1Gi", "--output-dir", "out")
	term.answer("Generate these objects?", keyEnter)
	term.expect("kubectl headless generate --preset redis --name db --namespace default --mode statefulset --replicas 3 --port 6379 --storage 1Gi --output-dir out")
	if code := term.wait(); code != 0 {
		t.Fatalf("exit code %d; the screen ends with:\n%s", code, term.tail())
	}
}
