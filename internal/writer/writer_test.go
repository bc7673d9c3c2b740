package writer

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/headless-k8s/headless/generator"
	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
)

var files = []generator.File{
	{Name: "a.yaml", Data: []byte("a: 1\n")},
	{Name: "b.yaml", Data: []byte("b: 2\n")},
}

// listDir returns name=content for every entry of dir, hidden ones included.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Name()+"="+string(data))
	}
	sort.Strings(got)
	return got
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWriteDir(t *testing.T) {
	want := []string{"a.yaml=a: 1\n", "b.yaml=b: 2\n"}
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) // prepares dir before WriteDir
		force   bool
		wantErr error
		want    []string
	}{
		{name: "missing directory and parents", setup: func(t *testing.T, dir string) {}, want: want},
		{name: "empty directory", setup: mkdir, want: want},
		{name: "non-empty without force", setup: withFile("keep.txt", "mine"), wantErr: ErrNotEmpty, want: []string{"keep.txt=mine"}},
		{name: "non-empty with force keeps other files", setup: withFile("keep.txt", "mine"), force: true,
			want: []string{"a.yaml=a: 1\n", "b.yaml=b: 2\n", "keep.txt=mine"}},
		{name: "force replaces same names", setup: withFile("a.yaml", "old"), force: true, want: want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "x", "out")
			tt.setup(t, dir)
			err := WriteDir(dir, files, tt.force)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WriteDir error = %v, want %v", err, tt.wantErr)
			}
			if got := listDir(t, dir); !equal(got, tt.want) {
				t.Errorf("directory holds %q, want %q", got, tt.want)
			}
			if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".headless-*")); len(leftovers) > 0 {
				t.Errorf("temporary directories left behind: %v", leftovers)
			}
		})
	}
}

// TestWriteDirFailureLeavesNothing makes the second file unwritable and
// checks that neither the directory nor a temporary one is left behind.
func TestWriteDirFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	bad := []generator.File{files[0], {Name: "missing/sub.yaml", Data: []byte("x")}}
	if err := WriteDir(dir, bad, false); err == nil {
		t.Fatal("WriteDir succeeded, want an error")
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("parent holds %d entries after a failed write, want 0", len(entries))
	}
}

// TestWriteDirForceFailureKeepsOld checks that a failed forced write
// changes none of the existing files.
func TestWriteDirForceFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	withFile("a.yaml", "old")(t, dir)
	bad := []generator.File{files[0], {Name: "missing/sub.yaml", Data: []byte("x")}}
	if err := WriteDir(dir, bad, true); err == nil {
		t.Fatal("WriteDir succeeded, want an error")
	}
	if got, want := listDir(t, dir), []string{"a.yaml=old"}; !equal(got, want) {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func withFile(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		mkdir(t, dir)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
