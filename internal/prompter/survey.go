package prompter

import (
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
)

// Terminal is the Prompter of a real terminal, drawn with survey.
type Terminal struct {
	in       *keyReader
	out, err *os.File
}

// NewTerminal returns a Prompter that reads keys from in and draws on out.
// Both must be terminals.
func NewTerminal(in, out, errOut *os.File) *Terminal {
	return &Terminal{in: &keyReader{File: in}, out: out, err: errOut}
}

func (t *Terminal) opts() []survey.AskOpt {
	return []survey.AskOpt{survey.WithStdio(t.in, t.out, t.err), survey.WithShowCursor(true)}
}

// Select implements Prompter.
func (t *Terminal) Select(message string, options []Option, defaultValue string) (string, error) {
	values := make([]string, len(options))
	desc := map[string]string{}
	for i, o := range options {
		values[i] = o.Value
		desc[o.Value] = o.Description
	}
	q := &survey.Select{
		Message:     message,
		Options:     values,
		Default:     defaultValue,
		Description: func(value string, _ int) string { return desc[value] },
	}
	var answer string
	err := survey.AskOne(q, &answer, t.opts()...)
	return answer, cancelled(err)
}

// Input implements Prompter.
func (t *Terminal) Input(message, defaultValue string, validate func(string) error) (string, error) {
	var answer string
	err := survey.AskOne(&survey.Input{Message: message, Default: defaultValue}, &answer,
		append(t.opts(), survey.WithValidator(func(v any) error {
			if validate == nil {
				return nil
			}
			return validate(fmt.Sprint(v))
		}))...)
	return answer, cancelled(err)
}

// Confirm implements Prompter.
func (t *Terminal) Confirm(message string, defaultValue bool) (bool, error) {
	var answer bool
	err := survey.AskOne(&survey.Confirm{Message: message, Default: defaultValue}, &answer, t.opts()...)
	return answer, cancelled(err)
}

func cancelled(err error) error {
	if errors.Is(err, terminal.InterruptErr) {
		return ErrCancelled
	}
	return err
}

// keyReader is the input survey reads keys and cursor-position reports
// from. It does two things survey does not:
//
// A lone Esc key press becomes Ctrl-C, so that Esc cancels every prompt:
// survey itself treats Esc as "toggle vim mode". A key press arrives in one
// read; arrow keys are Esc followed by more bytes in the same read, so they
// pass unchanged (survey tells them apart the same way).
//
// A cursor-position report, the terminal's answer ESC [ row ; col R to the
// ESC [ 6n that survey sends whenever it starts reading a line, comes back
// from a read of its own. survey reads the report through a bufio.Reader
// that it drops once it has the report (terminal.Cursor.Location), so a key
// pressed just after the terminal answered, arriving in the same read as
// the report, was lost. Keys before the report survey keeps, but an Esc
// there must still arrive alone.
type keyReader struct {
	*os.File
	pending []byte // read from the file but not yet returned
}

// cursorReport matches the terminal's answer to ESC [ 6n.
var cursorReport = regexp.MustCompile(`\x1b\[[0-9]+;[0-9]+R`)

func (r *keyReader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 {
		n, err := r.File.Read(p)
		if err != nil {
			return n, err // a terminal returns bytes or an error, not both
		}
		r.pending = append(r.pending[:0], p[:n]...)
	}
	// Return the bytes up to a report, or the report itself.
	end := len(r.pending)
	if loc := cursorReport.FindIndex(r.pending); loc != nil {
		end = loc[1]
		if loc[0] > 0 {
			end = loc[0]
		}
	}
	n := copy(p, r.pending[:end])
	r.pending = r.pending[n:]
	if n == 1 && p[0] == terminal.KeyEscape {
		p[0] = terminal.KeyInterrupt
	}
	return n, nil
}
