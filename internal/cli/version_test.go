package cli

import (
	"encoding/json"
	"runtime"
	"testing"
)

// TestVersion: version and --version print the stamped version and commit
// and the Go version; -o json the same as an object.
func TestVersion(t *testing.T) {
	oldV, oldC := version, commit
	version, commit = "v1.2.3", "0123abc"
	t.Cleanup(func() { version, commit = oldV, oldC })
	want := "headless v1.2.3\ncommit: 0123abc\ngo: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"version", "-o", "text"}} {
		code, stdout, stderr := runCmd(t, "", args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", args, code, stdout, stderr, want)
		}
	}
	code, stdout, _ := runCmd(t, "", "version", "-o", "json")
	var got versionInfo
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 0 {
		t.Fatalf("version -o json: exit %d, %v: %s", code, err, stdout)
	}
	if got != (versionInfo{"v1.2.3", "0123abc", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}) {
		t.Errorf("version -o json = %+v", got)
	}
	if code, _, stderr := runCmd(t, "", "version", "-o", "yaml"); code != ExitUsage ||
		stderr != "error: invalid argument \"yaml\" for \"-o, --output\" flag: must be one of text, json\n" {
		t.Errorf("version -o yaml: exit %d, %q", code, stderr)
	}
}
