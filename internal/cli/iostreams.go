package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are a command's standard streams. Data goes to Out, messages and
// errors to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// StdinTTY and StdoutTTY say whether the streams are terminals; only
	// then may a command prompt.
	StdinTTY, StdoutTTY bool
}

// CanPrompt reports whether interactive prompts are possible.
func (s *IOStreams) CanPrompt() bool { return s.StdinTTY && s.StdoutTTY }

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StdinTTY: term.IsTerminal(int(os.Stdin.Fd())), StdoutTTY: term.IsTerminal(int(os.Stdout.Fd()))}
}
