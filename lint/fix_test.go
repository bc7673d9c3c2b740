package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/internal/testutil"
)

// TestFix: the fixes of testdata/fix/input.yaml, as a diff, are
// testdata/fix/input.diff; the fixed text keeps every comment and has no
// finding of the rules the fixes are for.
func TestFix(t *testing.T) {
	path := filepath.Join("testdata", "fix", "input.yaml")
	inputs, _ := ReadInputs([]string{path}, nil)
	fixed, errs := Fix(inputs)
	if len(errs) > 0 || len(fixed) != 1 {
		t.Fatalf("fixed %d files, errors %v", len(fixed), errs)
	}
	var diff bytes.Buffer
	diff.WriteString(testutil.Diff(path, path+" (fixed)", string(fixed[0].Before), string(fixed[0].After)))
	diff.WriteString("\n" + strings.Join(fixed[0].Fixes, "\n") + "\n")
	testutil.AssertGolden(t, filepath.Join("testdata", "fix", "input.diff"), diff.Bytes())
	if strings.Count(string(fixed[0].After), "#") != strings.Count(string(fixed[0].Before), "#") {
		t.Error("a comment was lost")
	}
	after := []Input{{Name: path, Data: fixed[0].After}}
	objs, perrs := Parse(after)
	if len(perrs) > 0 {
		t.Fatal(perrs)
	}
	for _, f := range Lint(after, objs, Options{}) {
		switch f.Rule {
		case "cluster-ip-none", "kind-apiversion", "unknown-field", "selector-template-labels":
			t.Errorf("after the fixes: %s:%d: %s [%s]", f.File, f.Line, f.Message, f.Rule)
		}
	}
	// Fixing the fixed text changes nothing.
	again, errs := Fix(after)
	if len(again) != 0 || len(errs) != 0 {
		t.Errorf("fixing again: %d files, errors %v", len(again), errs)
	}
}

// TestWriteFixedAllOrNothing: when one file cannot be written (its
// directory is gone, or a directory stands where it was), no file is, and
// no temporary file stays behind.
func TestWriteFixedAllOrNothing(t *testing.T) {
	bad := "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n"
	for _, spoil := range []func(p string){
		func(p string) { os.RemoveAll(filepath.Dir(p)) },
		func(p string) { os.Remove(p); os.Mkdir(p, 0o755) },
	} {
		dir := t.TempDir()
		ok := filepath.Join(dir, "ok.yaml")
		gone := filepath.Join(dir, "sub", "x.yaml")
		os.WriteFile(ok, []byte(bad), 0o644)
		os.Mkdir(filepath.Dir(gone), 0o755)
		os.WriteFile(gone, []byte(bad), 0o644)
		inputs, _ := ReadInputs([]string{ok, gone}, nil)
		fixed, _ := Fix(inputs)
		if len(fixed) != 2 {
			t.Fatalf("fixed %d files, want 2", len(fixed))
		}
		spoil(gone)
		if err := WriteFixed(fixed); err == nil {
			t.Fatal("WriteFixed succeeded")
		}
		if data, _ := os.ReadFile(ok); string(data) != bad {
			t.Errorf("%s was changed: %q", ok, data)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("temporary file left behind: %s", e.Name())
			}
		}
	}
}

// TestWriteFixedRefusesChangedFiles: a file changed since it was read is
// not overwritten.
func TestWriteFixedRefusesChangedFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	os.WriteFile(p, []byte("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n"), 0o600)
	inputs, _ := ReadInputs([]string{p}, nil)
	fixed, _ := Fix(inputs)
	os.WriteFile(p, []byte("# edited meanwhile\n"), 0o600)
	if err := WriteFixed(fixed); err == nil || !strings.Contains(err.Error(), "changed while it was being fixed") {
		t.Errorf("err = %v", err)
	}
	if data, _ := os.ReadFile(p); string(data) != "# edited meanwhile\n" {
		t.Errorf("overwritten: %q", data)
	}
	// Permissions are kept.
	os.WriteFile(p, []byte("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n"), 0o600)
	inputs, _ = ReadInputs([]string{p}, nil)
	fixed, _ = Fix(inputs)
	if err := WriteFixed(fixed); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(p); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
}

// TestWriteFixedRollsBack: when a rename fails, the files already renamed
// get their old content back.
func TestWriteFixedRollsBack(t *testing.T) {
	bad := "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n"
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"a.yaml", "b.yaml", "c.yaml"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(bad), 0o644)
		paths = append(paths, p)
	}
	inputs, _ := ReadInputs(paths, nil)
	fixed, _ := Fix(inputs)
	calls := 0
	rename = func(from, to string) error {
		if calls++; calls == 2 {
			return os.ErrPermission
		}
		return os.Rename(from, to)
	}
	defer func() { rename = os.Rename }()
	if err := WriteFixed(fixed); err == nil || !strings.Contains(err.Error(), "restored") {
		t.Fatalf("err = %v", err)
	}
	for _, p := range paths {
		if data, _ := os.ReadFile(p); string(data) != bad {
			t.Errorf("%s: %q", p, data)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("left behind: %v", entries)
	}
}
