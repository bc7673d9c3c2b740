package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/prompter"
)

// Exit codes of the headless command.
const (
	ExitOK        = 0   // success
	ExitFindings  = 1   // lint found problems at error level
	ExitUsage     = 2   // bad flags, arguments or input
	ExitInternal  = 3   // a bug in headless
	ExitCancelled = 130 // the user cancelled (Ctrl-C)
)

// UsageError is a mistake in how the command was called or in its input.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usageErrorf returns a *UsageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ErrCancelled is returned when the user cancels an interactive command.
var ErrCancelled = prompter.ErrCancelled

// SilentError carries an exit code for a command that has already reported
// what went wrong (such as lint printing its findings).
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// exitCode maps an error to the exit code and prints it on w, one line.
func exitCode(err error, w io.Writer) int {
	var (
		silent   *SilentError
		internal *generator.InternalError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		return silent.Code
	case errors.Is(err, ErrCancelled):
		fmt.Fprintln(w, "cancelled; nothing was written")
		return ExitCancelled
	case errors.As(err, &internal):
		fmt.Fprintf(w, "internal error: %v\nThis is a bug in headless; please report it with the command you ran.\n", err)
		return ExitInternal
	default:
		fmt.Fprintf(w, "error: %v\n", err)
		return ExitUsage
	}
}
