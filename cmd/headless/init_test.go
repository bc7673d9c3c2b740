package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/headless-k8s/headless/presets"
)

// terminal drives the built headless in a pseudo-terminal, as a person at
// a terminal would: it waits until a prompt is on the screen and reads keys,
// then types. It answers the cursor-position queries survey sends, as a
// terminal does.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File

	mu      sync.Mutex
	screen  bytes.Buffer // everything printed so far
	seen    int          // how much of screen expect has consumed
	scanned int          // how much of screen has been searched for queries
	done    chan struct{}
}

const (
	keyEnter = "\r"
	keyDown  = "\x1b[B"
	keyEsc   = "\x1b"
	keyCtrlC = "\x03"
	keyCtrlU = "\x15" // delete the line typed so far

	cursorQuery  = "\x1b[6n"   // where is the cursor? (device status report)
	cursorReport = "\x1b[1;1R" // the answer: row 1, column 1
)

// patience bounds every wait. It only decides when a stuck test gives up
// and shows the screen, so it is generous: nothing waits for it to pass.
const patience = time.Minute

func startTerminal(t *testing.T, dir string, args ...string) *terminal {
	t.Helper()
	return startTerminalAs(t, binary, dir, args...)
}

// startTerminalAs is startTerminal for the binary at bin (such as the
// kubectl plugin).
func startTerminalAs(t *testing.T, bin, dir string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 200})
	if err != nil {
		t.Fatalf("starting headless in a pseudo-terminal: %v", err)
	}
	term := &terminal{t: t, cmd: cmd, ptmx: ptmx, done: make(chan struct{})}
	go term.read()
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptmx.Close()
		<-term.done
	})
	return term
}

// read records the screen and answers each cursor-position query once it
// has been printed whole, also one split over two reads.
func (term *terminal) read() {
	defer close(term.done)
	buf := make([]byte, 4096)
	for {
		n, err := term.ptmx.Read(buf)
		if n > 0 {
			term.mu.Lock()
			term.screen.Write(buf[:n])
			queries := 0
			for {
				i := bytes.Index(term.screen.Bytes()[term.scanned:], []byte(cursorQuery))
				if i < 0 {
					break
				}
				queries++
				term.scanned += i + len(cursorQuery)
			}
			// A query's first bytes may end the screen: search them again.
			term.scanned = max(term.scanned, term.screen.Len()-len(cursorQuery)+1)
			term.mu.Unlock()
			for range queries {
				term.ptmx.WriteString(cursorReport)
			}
		}
		if err != nil {
			return
		}
	}
}

// waitFor returns once done reports true and fails the test if that takes
// longer than patience.
func (term *terminal) waitFor(what string, done func() bool) {
	term.t.Helper()
	deadline := time.Now().Add(patience)
	for !done() {
		if time.Now().After(deadline) {
			term.t.Fatalf("timed out waiting for %s; the screen ends with:\n%s", what, term.tail())
		}
		time.Sleep(time.Millisecond)
	}
}

// expect waits until text appears after what earlier calls consumed.
func (term *terminal) expect(text string) {
	term.t.Helper()
	term.waitFor(fmt.Sprintf("%q", text), func() bool {
		term.mu.Lock()
		defer term.mu.Unlock()
		i := bytes.Index(term.screen.Bytes()[term.seen:], []byte(text))
		if i < 0 {
			return false
		}
		term.seen += i + len(text)
		return true
	})
}

func (term *terminal) tail() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	s := term.screen.String()
	return s[max(0, len(s)-2000):]
}

// send types keys at the prompt that expect last saw, one key press per
// write, as a person would, once that prompt reads keys.
//
// survey draws a prompt first and then switches the terminal from line
// editing to reading key presses one by one; when the answer is in it
// switches back. A key typed in between is not yet the prompt's: the line
// discipline echoes it, turns Ctrl-C into SIGINT and takes Ctrl-U as
// "erase the line". The prompt on the screen was drawn after the previous
// prompt had switched back, so once keys are read one by one again they go
// to this prompt.
//
// survey also asks for the cursor position when it starts reading a line;
// read answers, and keys typed before or after the answer reach the prompt
// (internal/prompter's keyReader makes sure of that).
func (term *terminal) send(keys ...string) {
	term.t.Helper()
	term.waitFor("the prompt to read keys", func() bool {
		ok, err := readsKeys(term.ptmx)
		if err != nil {
			term.t.Fatalf("reading the terminal's mode: %v", err)
		}
		return ok
	})
	for _, k := range keys {
		if _, err := term.ptmx.WriteString(k); err != nil {
			term.t.Fatalf("typing %q: %v", k, err)
		}
	}
}

// answer waits for a prompt and types the keys that answer it.
func (term *terminal) answer(prompt string, keys ...string) {
	term.t.Helper()
	term.expect(prompt)
	term.send(keys...)
}

// wait returns the exit code once the program ends.
func (term *terminal) wait() int {
	term.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- term.cmd.Wait() }()
	select {
	case err := <-errc:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			term.t.Fatal(err)
		}
		return 0
	case <-time.After(patience):
		term.t.Fatalf("headless did not exit; the screen ends with:\n%s", term.tail())
		return -1
	}
}

// TestInitInTerminal answers every question with keys in a real
// pseudo-terminal and checks that the files equal the golden output of the
// equivalent generate command (golden/dir-redis-pods is
// `generate --preset redis --mode pods --replicas 2 --output-dir DIR`).
func TestInitInTerminal(t *testing.T) {
	work := t.TempDir()
	term := startTerminal(t, work, "init", "--save", "spec.yaml")
	// The menu lists the presets by name and starts at mongodb, the
	// default; redis is as many lines further down as the presets between.
	names := presets.Names()
	keys := slices.Repeat([]string{keyDown}, slices.Index(names, "redis")-slices.Index(names, "mongodb"))
	term.answer("Database:", append(keys, keyEnter)...)
	term.answer("Name", keyEnter)
	term.answer("Namespace:", keyEnter)
	term.answer("DNS names?", keyDown, keyEnter) // statefulset, pods
	term.answer("Replicas:", "0", keyEnter)
	term.expect("must be an integer from 1 to 1000") // explained and asked again
	term.send(keyCtrlU, "2", keyEnter)
	term.answer("Port:", keyEnter)
	term.answer("Storage per pod", keyEnter)
	term.answer("Customize advanced settings", keyEnter)
	term.answer("Where should the manifests go?", keyEnter)
	term.answer("Directory:", keyEnter)
	term.expect("redis-1.redis-headless.default.svc.cluster.local")
	term.answer("Generate these objects?", keyEnter)
	term.expect("headless generate --preset redis --name redis --namespace default --mode pods --replicas 2 --port 6379 --storage 2Gi --output-dir ./redis")
	if code := term.wait(); code != 0 {
		t.Fatalf("exit code %d; the screen ends with:\n%s", code, term.tail())
	}
	assertSameFiles(t, filepath.Join(work, "redis"), filepath.Join("..", "..", "golden", "dir-redis-pods"))
	if _, err := os.Stat(filepath.Join(work, "spec.yaml")); err != nil {
		t.Errorf("--save wrote no spec file: %v", err)
	}
}

// TestInitCancelInTerminal presses Esc or Ctrl-C at a prompt and expects
// exit 130 with nothing written.
func TestInitCancelInTerminal(t *testing.T) {
	all := []string{"init", "--preset", "mongodb", "--name", "db", "--namespace", "default", "--mode", "statefulset",
		"--replicas", "3", "--port", "27017", "--storage", "8Gi", "--output-dir", "out", "--save", "spec.yaml"}
	for _, tt := range []struct {
		name  string
		args  []string
		steps [][2]string // prompt, key
	}{
		{"esc at the first question", []string{"init", "--save", "spec.yaml"}, [][2]string{{"Database:", keyEsc}}},
		{"ctrl-c at an input", []string{"init", "--output-dir", "out"}, [][2]string{{"Database:", keyEnter}, {"Name", keyEnter}, {"Namespace:", keyCtrlC}}},
		{"esc at the confirmation, every value given", all, [][2]string{{"Generate these objects?", keyEsc}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			term := startTerminal(t, work, tt.args...)
			for _, step := range tt.steps {
				term.answer(step[0], step[1])
			}
			if code := term.wait(); code != 130 {
				t.Fatalf("exit code %d, want 130; the screen ends with:\n%s", code, term.tail())
			}
			if entries, _ := os.ReadDir(work); len(entries) != 0 {
				t.Errorf("cancelling left %d files behind", len(entries))
			}
		})
	}
}

// assertSameFiles compares two directories file by file.
func assertSameFiles(t *testing.T, got, want string) {
	t.Helper()
	wantFiles, err := os.ReadDir(want)
	if err != nil {
		t.Fatal(err)
	}
	gotFiles, err := os.ReadDir(got)
	if err != nil {
		t.Fatalf("reading the written directory: %v", err)
	}
	if len(gotFiles) != len(wantFiles) {
		t.Errorf("%s has %d files, %s has %d", got, len(gotFiles), want, len(wantFiles))
	}
	for _, f := range wantFiles {
		g, err := os.ReadFile(filepath.Join(got, f.Name()))
		if err != nil {
			t.Errorf("missing %s: %v", f.Name(), err)
			continue
		}
		w, _ := os.ReadFile(filepath.Join(want, f.Name()))
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from %s", filepath.Join(got, f.Name()), filepath.Join(want, f.Name()))
		}
	}
}
