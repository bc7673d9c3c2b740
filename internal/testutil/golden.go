// Package testutil holds helpers shared by the tests: golden files with an
// -update flag, and unified diffs.
//
// Every package with tests imports it, so that `go test ./... -update`
// (make golden) is accepted by each test binary.
package testutil

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// Update is set by -update: golden files are rewritten instead of compared.
var Update = flag.Bool("update", false, "rewrite golden files instead of comparing against them")

// Diff returns a unified diff from want to got, or "" when they are equal.
func Diff(wantName, gotName, want, got string) string {
	if want == got {
		return ""
	}
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(want), B: difflib.SplitLines(got),
		FromFile: wantName, ToFile: gotName, Context: 3,
	})
	if err != nil {
		return err.Error()
	}
	return d
}

// AssertGolden compares got with the golden file at path; with -update it
// writes got there instead. A mismatch fails the test with a unified diff.
func AssertGolden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run `make golden` to create it): %v", err)
	}
	if d := Diff(path, "got", string(want), string(got)); d != "" {
		t.Errorf("output differs from %s (run `make golden` if the change is intended):\n%s", path, d)
	}
}

// AssertGoldenDir compares the files in dir with the golden directory at
// path, file by file; with -update it replaces the golden directory.
func AssertGoldenDir(t testing.TB, path, dir string) {
	t.Helper()
	got := readDir(t, dir)
	if *Update {
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
		for name, data := range got {
			AssertGolden(t, filepath.Join(path, name), []byte(data))
		}
		return
	}
	want := readDir(t, path)
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("missing file %s (golden %s)", name, path)
			continue
		}
		if d := Diff(filepath.Join(path, name), name, w, g); d != "" {
			t.Errorf("file %s differs:\n%s", name, d)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected file %s (not in golden %s)", name, path)
		}
	}
}

func readDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(data)
	}
	return files
}
