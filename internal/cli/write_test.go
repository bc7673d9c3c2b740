package cli

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/writer"
)

// TestWriteDirSignal delivers SIGINT, SIGTERM and SIGHUP to the process
// while the files are written: the write is cancelled, nothing is left on
// disk, and the command exits 130 instead of dying half-way.
func TestWriteDirSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "a", "out")
			writeDirFunc = func(ctx context.Context, dir string, files []generator.File, force bool, remove ...string) error {
				// The signal arrives as the write starts; package writer's
				// TestWriteDirCancel cancels between two files.
				syscall.Kill(os.Getpid(), sig)
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Second):
					t.Error("the signal did not cancel the write")
				}
				return writer.WriteDir(ctx, dir, files, force, remove...)
			}
			defer func() { writeDirFunc = writer.WriteDir }()
			code, stdout, stderr := runCmd(t, "", "generate", "-p", "redis", "--output-dir", dir)
			if code != ExitCancelled || stdout != "" || stderr != "cancelled; nothing was written\n" {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and \"cancelled; nothing was written\"", code, stdout, stderr, ExitCancelled)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
}
