//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSkippedFIFO: lint and dns skip a named pipe in a directory with a
// warning line naming it, and go on with the other files.
func TestSkippedFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: None, selector: {app: a}}\n"
	if err := os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(svc), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "warning: " + fifo + ": skipped: a named pipe (FIFO), not a regular file\n"
	for _, args := range [][]string{{"lint", dir}, {"dns", dir}} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			code, stdout, stderr := runCmd(t, "", args...)
			if code != 0 || !strings.Contains(stderr, want) || !strings.Contains(stdout+stderr, "s") {
				t.Errorf("%v: exit %d\nstdout %q\nstderr %q", args, code, stdout, stderr)
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%v hangs", args)
		}
	}
}
