// Package prompter asks the questions of interactive commands. Commands
// depend on the Prompter interface only; survey.go is the one file that
// knows the terminal library, and Scripted answers from a script in tests.
package prompter

import "errors"

// ErrCancelled is returned when the user presses Ctrl-C or Esc at a prompt.
var ErrCancelled = errors.New("cancelled")

// Option is one choice of a Select prompt.
type Option struct {
	// Value is what the prompt returns and what scripts answer with.
	Value string
	// Description is shown next to the value.
	Description string
}

// Prompter asks one question at a time. Every method returns ErrCancelled
// when the user cancels.
type Prompter interface {
	// Select offers options and returns the chosen one's Value.
	Select(message string, options []Option, defaultValue string) (string, error)
	// Input asks for text, pre-filled with defaultValue. An answer that
	// validate rejects is explained with the error's text and asked again.
	Input(message, defaultValue string, validate func(string) error) (string, error)
	// Confirm asks a yes/no question.
	Confirm(message string, defaultValue bool) (bool, error)
}
