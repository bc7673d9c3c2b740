package prompter

import (
	"errors"
	"fmt"
	"os"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
)

// Terminal is the Prompter of a real terminal, drawn with survey.
type Terminal struct {
	in       *escReader
	out, err *os.File
}

// NewTerminal returns a Prompter that reads keys from in and draws on out.
// Both must be terminals.
func NewTerminal(in, out, errOut *os.File) *Terminal {
	return &Terminal{in: &escReader{in}, out: out, err: errOut}
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

// escReader turns a lone Esc key press into Ctrl-C, so that Esc cancels
// every prompt: survey itself treats Esc as "toggle vim mode". A key press
// arrives in one read; arrow keys are Esc followed by more bytes in the same
// read, so they pass unchanged (survey tells them apart the same way).
type escReader struct{ *os.File }

func (r *escReader) Read(p []byte) (int, error) {
	n, err := r.File.Read(p)
	if n == 1 && p[0] == terminal.KeyEscape {
		p[0] = terminal.KeyInterrupt
	}
	return n, err
}
