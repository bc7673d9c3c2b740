package prompter

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/AlecAivazis/survey/v2/terminal"
)

// pipeReader returns a keyReader whose file holds input, all of which its
// first read returns, as when keys and a report arrive together.
func pipeReader(t *testing.T, input string) *keyReader {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if _, err := w.WriteString(input); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return &keyReader{File: r}
}

func TestKeyReaderReads(t *testing.T) {
	for _, tt := range []struct {
		name  string
		input string
		reads []string
	}{
		{"lone esc cancels", "\x1b", []string{"\x03"}},
		{"arrow key unchanged", "\x1b[B", []string{"\x1b[B"}},
		{"keys unchanged", "ab\r", []string{"ab\r"}},
		{"report alone", "\x1b[12;34R", []string{"\x1b[12;34R"}},
		{"key after a report", "\x1b[1;1R\x03", []string{"\x1b[1;1R", "\x03"}},
		{"esc after a report", "\x1b[1;1R\x1b", []string{"\x1b[1;1R", "\x03"}},
		{"esc before a report", "\x1b\x1b[1;1R", []string{"\x03", "\x1b[1;1R"}},
		{"keys around reports", "\x1b[B\x1b[1;1R\x1b[1;1Rx\r", []string{"\x1b[B", "\x1b[1;1R", "\x1b[1;1R", "x\r"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := pipeReader(t, tt.input)
			buf := make([]byte, 4096)
			var reads []string
			for {
				n, err := r.Read(buf)
				if n > 0 {
					reads = append(reads, string(buf[:n]))
				}
				if err != nil {
					break
				}
			}
			if !slices.Equal(reads, tt.reads) {
				t.Errorf("reads %q, want %q", reads, tt.reads)
			}
		})
	}
}

// TestKeyReaderKeepsKeyAfterReport is the lost key itself: survey asks for
// the cursor position, and the terminal's answer and the next key press
// arrive in one read. The key must still be there to read afterwards.
func TestKeyReaderKeepsKeyAfterReport(t *testing.T) {
	out, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	r := pipeReader(t, "\x1b[5;7R\x03")
	var typed bytes.Buffer // keys survey read while waiting for the report
	c := &terminal.Cursor{In: r, Out: out}
	pos, err := c.Location(&typed)
	if err != nil {
		t.Fatal(err)
	}
	if pos.X != 7 || pos.Y != 5 {
		t.Errorf("cursor at column %d, row %d; want 7, 5", pos.X, pos.Y)
	}
	buf := make([]byte, 16)
	n, _ := r.Read(buf)
	if got := typed.String() + string(buf[:n]); got != "\x03" {
		t.Errorf("keys after the report: %q, want %q", got, "\x03")
	}
}
