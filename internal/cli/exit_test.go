package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/parallel"
	"github.com/headless-k8s/headless/internal/writer"
	"github.com/headless-k8s/headless/presets"
)

func TestExitCode(t *testing.T) {
	const bug = "This is a bug in headless; please report it with the command you ran.\n"
	internal := &generator.InternalError{Problems: []string{"subdomain x names no headless Service"}}
	definition := &presets.DefinitionError{File: "etcd.yaml", Err: errors.New("portName is empty")}
	field := &generator.FieldError{Field: generator.FieldPort, Value: "0", Reason: "must be an integer from 1 to 65535"}
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantOut  string
	}{
		{"success", nil, ExitOK, ""},

		// Usage and input: 2.
		{"usage", usageErrorf("bad `--port`"), ExitUsage, "error: bad `--port`\n"},
		{"usage wrapped", fmt.Errorf("init: %w", usageErrorf("bad `--port`")), ExitUsage, "error: init: bad `--port`\n"},
		{"field error not yet explained", field, ExitUsage, "error: invalid port \"0\": must be an integer from 1 to 65535\n"},
		{"field error wrapped", fmt.Errorf("resolving: %w", field), ExitUsage,
			"error: resolving: invalid port \"0\": must be an integer from 1 to 65535\n"},

		// The default branch: an error of no known type is the command
		// line's or the environment's (see exitCode).
		{"plain error is input", errors.New("reading spec.yaml: no such file"), ExitUsage, "error: reading spec.yaml: no such file\n"},
		{"cobra's unknown command", errors.New(`unknown command "generat" for "headless"`), ExitUsage,
			"error: unknown command \"generat\" for \"headless\"\n"},
		{"an I/O error", &os.PathError{Op: "write", Path: "/dev/stdout", Err: errors.New("no space left on device")}, ExitUsage,
			"error: write /dev/stdout: no space left on device\n"},

		// Already reported: the code it carries, nothing printed.
		{"lint findings", &SilentError{Code: ExitFindings}, ExitFindings, ""},
		{"lint with unreadable input", &SilentError{Code: ExitUsage}, ExitUsage, ""},

		// Cancelled: 130.
		{"cancelled", fmt.Errorf("asking for name: %w", ErrCancelled), ExitCancelled, "cancelled; nothing was written\n"},
		{"cancelled bare", ErrCancelled, ExitCancelled, "cancelled; nothing was written\n"},

		// Defects: 3, however they are wrapped.
		{"internal", fmt.Errorf("generate: %w", internal), ExitInternal,
			"internal error: generate: headless produced invalid manifests: subdomain x names no headless Service\n" + bug},
		{"internal inside a usage error", &UsageError{Err: internal}, ExitInternal,
			"internal error: headless produced invalid manifests: subdomain x names no headless Service\n" + bug},
		{"internal joined with a usage error", errors.Join(usageErrorf("bad"), internal), ExitInternal,
			"internal error: bad\nheadless produced invalid manifests: subdomain x names no headless Service\n" + bug},
		{"broken embedded preset", definition, ExitInternal, "internal error: preset etcd.yaml: portName is empty\n" + bug},
		{"broken embedded preset wrapped", fmt.Errorf("listing presets: %w", definition), ExitInternal,
			"internal error: listing presets: preset etcd.yaml: portName is empty\n" + bug},
		{"broken embedded preset wrapped twice", &UsageError{Err: fmt.Errorf("wizard: %w", definition)}, ExitInternal,
			"internal error: wizard: preset etcd.yaml: portName is empty\n" + bug},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if got := exitCode(tt.err, &buf); got != tt.wantCode {
				t.Errorf("exitCode = %d, want %d", got, tt.wantCode)
			}
			if buf.String() != tt.wantOut {
				t.Errorf("printed %q, want %q", buf.String(), tt.wantOut)
			}
		})
	}
}

// TestRunWorkerPanic: a panic in a worker goroutine of internal/parallel
// during a command is an internal error (exit 3) with the panic's value
// and the worker's stack, not a crash of the process with exit 2.
func TestRunWorkerPanic(t *testing.T) {
	writeDirFunc = func(context.Context, string, []generator.File, bool, ...string) error {
		parallel.Do(8, func(i int) {
			if i == 5 {
				panic("worker five")
			}
		})
		return nil
	}
	defer func() { writeDirFunc = writer.WriteDir }()
	code, stdout, stderr := runCmd(t, "", "generate", "-p", "redis", "--output-dir", filepath.Join(t.TempDir(), "out"))
	if code != ExitInternal || stdout != "" || !strings.HasPrefix(stderr, "internal error: worker five\n") ||
		!strings.Contains(stderr, "in a worker goroutine:") || !strings.Contains(stderr, "This is a bug in headless") {
		t.Errorf("exit %d, stderr %.400q; want 3, the panic and the worker's stack", code, stderr)
	}
}
