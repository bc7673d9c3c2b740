package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputFlagSpellings: -o selects the format and --output-dir the
// directory, as kubectl and Helm spell them; the previous release's
// spellings keep working with a deprecation notice, and an --output value
// that looks like a format is never a directory.
func TestOutputFlagSpellings(t *testing.T) {
	_, yaml, _ := runCmd(t, "", "generate", "-p", "redis")
	_, json, _ := runCmd(t, "", "generate", "-p", "redis", "-o", "json")
	if !strings.HasPrefix(json, "{") {
		t.Fatalf("-o json printed %.40q", json)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string // whole
	}{
		{"-o yaml", []string{"generate", "-p", "redis", "-o", "yaml"}, 0, yaml, ""},
		{"--output json", []string{"generate", "-p", "redis", "--output", "json"}, 0, json, ""},
		{"--format json", []string{"generate", "-p", "redis", "--format", "json"}, 0, json,
			"warning: --format is deprecated, use -o json\n"},
		{"--format and -o agree", []string{"generate", "-p", "redis", "--format", "json", "-o", "json"}, 0, json,
			"warning: --format is deprecated, use -o json\n"},
		{"--format and -o disagree", []string{"generate", "-p", "redis", "--format", "json", "-o", "yaml"}, 2, "",
			"warning: --format is deprecated, use -o json\nerror: \"--format json\" and \"-o yaml\" disagree; give only -o\n"},
		{"--output - is stdout", []string{"generate", "-p", "redis", "--output", "-"}, 0, yaml, ""},
		{"-o - is stdout", []string{"generate", "-p", "redis", "-o", "-"}, 0, yaml, ""},
		{"a format is never a directory", []string{"generate", "-p", "redis", "--output", "text"}, 2, "",
			"error: invalid argument \"text\" for \"-o, --output\" flag: must be one of yaml, json\n"},
		{"nor in capitals", []string{"generate", "-p", "redis", "-o", "SARIF"}, 2, "",
			"error: invalid argument \"SARIF\" for \"-o, --output\" flag: must be one of yaml, json\n"},
		{"lint -o", []string{"lint", "-o", "yaml", "x"}, 2, "",
			"error: invalid argument \"yaml\" for \"-o, --output\" flag: must be one of text, json, sarif\n"},
		{"lint --format", []string{"lint", "--format", "xml", "x"}, 2, "",
			"error: invalid argument \"xml\" for \"--format\" flag: must be one of text, json, sarif\n"},
		{"lint -o never a directory", []string{"lint", "-o", "out", "x"}, 2, "",
			"error: invalid argument \"out\" for \"-o, --output\" flag: must be one of text, json, sarif\n"},
		{"dns -o", []string{"dns", "-p", "redis", "-o", "sarif"}, 2, "",
			"error: invalid argument \"sarif\" for \"-o, --output\" flag: must be one of text, json\n"},
		{"presets --format", []string{"presets", "--format", "yaml"}, 2, "",
			"error: invalid argument \"yaml\" for \"--format\" flag: must be one of table, json\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", tt.args...)
			if code != tt.wantCode || stdout != tt.wantStdout || stderr != tt.wantStderr {
				t.Errorf("%q: exit %d, stdout %.60q, stderr %q; want %d, %.60q, %q", tt.args, code, stdout, stderr, tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}

	t.Run("--output DIR is deprecated", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := runCmd(t, "", "generate", "-p", "redis", "--output", dir)
		want := "warning: --output " + dir + " is deprecated, use --output-dir " + dir + "\nwrote 7 files to " + dir + "\n"
		if code != 0 || stdout != "" || stderr != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0, nothing, %q", code, stdout, stderr, want)
		}
		if _, err := os.Stat(filepath.Join(dir, "kustomization.yaml")); err != nil {
			t.Error(err)
		}
	})
	t.Run("--output DIR and --output-dir disagree", func(t *testing.T) {
		code, _, stderr := runCmd(t, "", "generate", "-p", "redis", "--output", "a", "--output-dir", "b")
		if code != ExitUsage || !strings.HasSuffix(stderr, "error: \"--output a\" and \"--output-dir b\" disagree; give only --output-dir\n") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

// TestFlagCompletion: flag values complete in the shell (cobra's hidden
// __complete command is what the completion scripts call).
func TestFlagCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string // lines of the answer
	}{
		{[]string{"generate", "--preset", ""}, []string{"mongodb\t", "redis\t"}},
		{[]string{"init", "--mode", ""}, []string{"statefulset\t", "pods\t"}},
		{[]string{"generate", "-o", ""}, []string{"yaml\n", "json\n"}},
		{[]string{"lint", "-o", ""}, []string{"text\n", "sarif\n"}},
		{[]string{"dns", "--tls", ""}, []string{"none\t", "cert-manager\t"}},
		{[]string{"lint", "--disable", ""}, []string{"cluster-ip-none\t"}},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCmd(t, "", append([]string{"__complete"}, tt.args...)...)
		if code != 0 {
			t.Fatalf("%q: exit %d, %s", tt.args, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("completing %q: %q lacks %q", tt.args, stdout, w)
			}
		}
		if !strings.Contains(stdout, ":4\n") { // ShellCompDirectiveNoFileComp
			t.Errorf("completing %q: %q offers files too", tt.args, stdout)
		}
	}
}
