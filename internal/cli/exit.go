package cli

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/prompter"
	"github.com/headless-k8s/headless/presets"
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

// exitCode maps an error to the exit code and prints it on w, one line (two
// for a defect). It is the one place where error types become exit codes;
// every case is matched with errors.As or errors.Is, so wrapping an error
// never changes its code:
//
//	nil                                          0
//	*SilentError (lint has reported it already)  its Code: 1 for findings, 2 for unreadable input
//	*generator.InternalError                     3, a defect in headless
//	*presets.DefinitionError                     3, a broken embedded preset: a defect too
//	ErrCancelled                                 130
//	*UsageError, *generator.FieldError           2
//	an error of any other type                   2, see below
//
// Defects are checked before cancellation and usage so that a defect is
// reported as one however it was wrapped. A panic is a defect too; Run
// recovers it and exits 3.
//
// An error of any other type means the command line or the environment,
// deliberately: the untyped errors that reach here are cobra's own (an
// unknown command, an argument where none is allowed) and I/O at the
// process's edge (reading the terminal, writing standard output to a full
// disk), and answering those with "this is a bug in headless" would send
// users to report their own typing or their disk. Defects have types: a new
// source of them must return *generator.InternalError (or be a panic), and
// TestExitCode pins this table.
func exitCode(err error, w io.Writer) int {
	var (
		silent     *SilentError
		internal   *generator.InternalError
		definition *presets.DefinitionError
		usage      *UsageError
		field      *generator.FieldError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		return silent.Code
	case errors.As(err, &internal), errors.As(err, &definition):
		fmt.Fprintf(w, "internal error: %v\nThis is a bug in headless; please report it with the command you ran.\n", err)
		return ExitInternal
	case errors.Is(err, ErrCancelled):
		fmt.Fprintln(w, "cancelled; nothing was written")
		return ExitCancelled
	case errors.As(err, &usage), errors.As(err, &field):
		fmt.Fprintf(w, "error: %s\n", bound(err.Error()))
		return ExitUsage
	default:
		fmt.Fprintf(w, "error: %s\n", bound(err.Error()))
		return ExitUsage
	}
}

// maxMessage bounds an error line. Our own messages quote values with
// generator.QuoteValue and stay far below it. Cobra's and pflag's echo what
// was typed (an unknown 100 KB flag or command) and are cut here.
const maxMessage = 2000

// bound cuts a message longer than maxMessage characters, and says how long
// it was.
func bound(msg string) string {
	if utf8.RuneCountInString(msg) <= maxMessage {
		return msg
	}
	cut := 0
	for range maxMessage / 2 {
		_, size := utf8.DecodeRuneInString(msg[cut:])
		cut += size
	}
	return fmt.Sprintf("%s… (a message of %d characters, cut)", msg[:cut], utf8.RuneCountInString(msg))
}
