package cli

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/headless-k8s/headless/generator"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantOut  string
	}{
		{"success", nil, ExitOK, ""},
		{"usage", usageErrorf("bad `--port`"), ExitUsage, "error: bad `--port`\n"},
		{"plain error is input", errors.New("reading spec.yaml: no such file"), ExitUsage, "error: reading spec.yaml: no such file\n"},
		{"lint findings", &SilentError{Code: ExitFindings}, ExitFindings, ""},
		{"cancelled", fmt.Errorf("asking for name: %w", ErrCancelled), ExitCancelled, "cancelled; nothing was written\n"},
		{"internal", fmt.Errorf("generate: %w", &generator.InternalError{Problems: []string{"subdomain x names no headless Service"}}), ExitInternal,
			"internal error: generate: headless produced invalid manifests: subdomain x names no headless Service\n" +
				"This is a bug in headless; please report it with the command you ran.\n"},
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
