package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/writer"
)

// writeDirFunc is writer.WriteDir; tests replace it to deliver a signal
// while it runs.
var writeDirFunc = writer.WriteDir

// writeDir writes files into dir all-or-nothing. SIGINT, SIGTERM or SIGHUP
// while it runs cancel it: the writer removes what it wrote (see package
// writer for what is kept when a switch has begun) and the command exits
// with ExitCancelled instead of dying half-way.
func writeDir(dir string, files []generator.File, force bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	err := writeDirFunc(ctx, dir, files, force)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return ErrCancelled
	default:
		return &UsageError{Err: err}
	}
}
