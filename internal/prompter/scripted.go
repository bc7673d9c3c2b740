package prompter

import (
	"fmt"
	"slices"
	"strconv"
)

// Scripted is a Prompter for tests: it answers each prompt, keyed by its
// message, with the next of the answers scripted for it, and fails on a
// prompt nobody scripted. An Input answer that the validator rejects is
// recorded in Rejected and the next answer is tried, as a user would retype.
type Scripted struct {
	answers map[string][]string
	// Asked lists the messages in the order they were asked.
	Asked []string
	// Rejected lists "message: answer: reason" for every rejected answer.
	Rejected []string
}

// Default answers a prompt with its default value.
const Default = "\x00default"

// Cancel answers a prompt as Ctrl-C would.
const Cancel = "\x00cancel"

// NewScripted returns a Scripted prompter. Each key is a prompt message;
// its values are the answers, in order: an option's Value for Select, text
// for Input, "yes"/"no" for Confirm, or Default or Cancel.
func NewScripted(answers map[string][]string) *Scripted {
	return &Scripted{answers: answers}
}

// Unused returns the messages whose answers were not all used.
func (s *Scripted) Unused() []string {
	var out []string
	for msg, a := range s.answers {
		if len(a) > 0 {
			out = append(out, msg)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Scripted) next(message string) (string, error) {
	s.Asked = append(s.Asked, message)
	a := s.answers[message]
	if len(a) == 0 {
		return "", fmt.Errorf("unexpected prompt %q", message)
	}
	s.answers[message] = a[1:]
	if a[0] == Cancel {
		return "", ErrCancelled
	}
	return a[0], nil
}

// Select implements Prompter.
func (s *Scripted) Select(message string, options []Option, defaultValue string) (string, error) {
	a, err := s.next(message)
	if err != nil || a == Default {
		return defaultValue, err
	}
	for _, o := range options {
		if o.Value == a {
			return a, nil
		}
	}
	return "", fmt.Errorf("prompt %q has no option %q", message, a)
}

// Input implements Prompter.
func (s *Scripted) Input(message, defaultValue string, validate func(string) error) (string, error) {
	for {
		a, err := s.next(message)
		if err != nil {
			return "", err
		}
		if a == Default {
			a = defaultValue
		}
		if validate == nil {
			return a, nil
		}
		verr := validate(a)
		if verr == nil {
			return a, nil
		}
		s.Rejected = append(s.Rejected, message+" "+strconv.Quote(a)+": "+verr.Error())
	}
}

// Confirm implements Prompter.
func (s *Scripted) Confirm(message string, defaultValue bool) (bool, error) {
	a, err := s.next(message)
	switch {
	case err != nil:
		return false, err
	case a == Default:
		return defaultValue, nil
	case a == "yes":
		return true, nil
	case a == "no":
		return false, nil
	}
	return false, fmt.Errorf("prompt %q: answer %q is not yes or no", message, a)
}
