//go:build unix

package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const badService = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n"

// runWithin runs f and fails the test if it takes longer than d (a FIFO
// opened for reading blocks forever without a writer).
func runWithin(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
	}
}

// TestFIFOInDirectory: a named pipe called x.yaml in a linted directory is
// skipped with a warning naming it; the other files are still linted.
func TestFIFOInDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "x.yaml"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.yaml"), []byte(badService), 0o644); err != nil {
		t.Fatal(err)
	}
	var res Result
	runWithin(t, 10*time.Second, func() { res = Run([]string{dir}, nil, Options{}) })
	if len(res.Errors) != 0 || len(res.Findings) != 1 || res.Files != 1 {
		t.Errorf("errors %v, findings %v, files %d; want the good file linted alone", res.Errors, res.Findings, res.Files)
	}
	want := filepath.Join(dir, "x.yaml") + ": skipped: a named pipe (FIFO), not a regular file"
	if len(res.Warnings) != 1 || res.Warnings[0].Error() != want {
		t.Errorf("warnings %v, want %q", res.Warnings, want)
	}
	runWithin(t, 10*time.Second, func() {
		inputs, errs := ReadInputs([]string{dir}, nil)
		if len(inputs) != 1 || len(errs) != 1 || !IsWarning(errs[0]) {
			t.Errorf("ReadInputs: %d inputs, errors %v", len(inputs), errs)
		}
	})
}

// TestFIFOAsPath: a named pipe given as a path is read, like -, with the
// same size bound.
func TestFIFOAsPath(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	write := func(data []byte) {
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			f.Write(data)
		}()
	}
	write([]byte(badService))
	var res Result
	runWithin(t, 10*time.Second, func() { res = Run([]string{fifo}, nil, Options{}) })
	if len(res.Errors) != 0 || len(res.Findings) != 1 {
		t.Errorf("errors %v, findings %v", res.Errors, res.Findings)
	}
	write(make([]byte, MaxFileSize+1<<20))
	runWithin(t, 30*time.Second, func() { res = Run([]string{fifo}, nil, Options{}) })
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "larger than 32 MiB") {
		t.Errorf("errors %v, want the pipe refused as too large", res.Errors)
	}
}

// TestEachFileOnce: a file reached through many paths (links to it, links
// to its directory, nested links to links) is read once, and quickly.
func TestEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.Mkdir(data, 0o755)
	if err := os.WriteFile(filepath.Join(data, "s.yaml"), []byte(badService), 0o644); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i := range 64 {
		p := filepath.Join(dir, fmt.Sprintf("link%d", i))
		if err := os.Symlink(data, p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p, filepath.Join(p, "s.yaml"))
	}
	// 22 levels, each a directory with two links to the level below: 2^22
	// paths to the one file.
	below := data
	for i := range 22 {
		level := filepath.Join(dir, fmt.Sprintf("level%d", i))
		os.Mkdir(level, 0o755)
		os.Symlink(below, filepath.Join(level, "a"))
		os.Symlink(below, filepath.Join(level, "b"))
		below = level
	}
	paths = append(paths, below, dir)
	var res Result
	runWithin(t, 10*time.Second, func() { res = Run(paths, nil, Options{}) })
	if res.Files != 1 || len(res.Findings) != 1 || len(res.Errors) != 0 {
		t.Errorf("files %d, findings %d, errors %v; want the one file read once", res.Files, len(res.Findings), res.Errors)
	}
}

// TestTotalBound: the inputs together are bounded, not only each file.
func TestTotalBound(t *testing.T) {
	defer func(n int64) { totalLimit = n }(totalLimit)
	totalLimit = int64(3 * len(badService))
	dir := t.TempDir()
	for i := range 5 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.yaml", i)), []byte(badService), 0o644)
	}
	res := Run([]string{dir}, nil, Options{})
	if res.Files != 3 || len(res.Errors) != 2 || !strings.Contains(res.Errors[0].Error(), "the inputs together are larger than 512 MiB") {
		t.Errorf("files %d, errors %v; want 3 read and 2 refused", res.Files, res.Errors)
	}
	inputs, errs := ReadInputs([]string{dir}, nil)
	if len(inputs) != 3 || len(errs) != 2 {
		t.Errorf("ReadInputs: %d inputs, errors %v", len(inputs), errs)
	}
}
