package writer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/headless-k8s/headless/generator"
	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
)

var files = []generator.File{
	{Name: "a.yaml", Data: []byte("a: 1\n")},
	{Name: "b.yaml", Data: []byte("b: 2\n")},
	{Name: "c.yaml", Data: []byte("c: 3\n")},
}

var want = []string{"a.yaml=a: 1\n", "b.yaml=b: 2\n", "c.yaml=c: 3\n"}

// listDir returns name=content for every entry of dir, hidden ones
// included; a directory is listed as name/, a symbolic link as name->target.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			got = append(got, e.Name()+"/")
		case e.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got = append(got, e.Name()+"->"+target)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e.Name()+"="+string(data))
		}
	}
	slices.Sort(got)
	return got
}

// bothWays runs the test with renameat2 and with the fallback for systems
// without it.
func bothWays(t *testing.T, test func(t *testing.T)) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprintf("fallback=%v", fallback), func(t *testing.T) {
			noRenameat2 = fallback
			t.Cleanup(func() { noRenameat2 = false })
			test(t)
		})
	}
}

func noLeftovers(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if leftovers, _ := filepath.Glob(filepath.Join(d, stagePrefix+"*")); len(leftovers) > 0 {
			t.Errorf("temporary directories left behind: %v", leftovers)
		}
	}
}

func TestWriteDir(t *testing.T) {
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
			want: append(slices.Clone(want), "keep.txt=mine")},
		{name: "force replaces same names", setup: withFile("a.yaml", "old"), force: true, want: want},
		{name: "force replaces a symbolic link, not its target", setup: withLink("a.yaml", "elsewhere"), force: true, want: want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bothWays(t, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "x", "out")
				tt.setup(t, dir)
				err := WriteDir(context.Background(), dir, files, tt.force)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("WriteDir error = %v, want %v", err, tt.wantErr)
				}
				if got := listDir(t, dir); !slices.Equal(got, tt.want) {
					t.Errorf("directory holds %q, want %q", got, tt.want)
				}
				noLeftovers(t, dir, filepath.Dir(dir))
			})
		})
	}
}

// TestWriteDirFailureLeavesNothing makes writing fail half-way (the
// staging directory vanishes, as on a full disk the write fails) and checks
// that neither the directory, the parents created for it, nor a temporary
// directory is left behind.
func TestWriteDirFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "a", "b", "out")
	testHookWritten = func(name string) {
		if name == "b.yaml" {
			os.RemoveAll(filepath.Join(parent, "a", "b"))
		}
	}
	defer func() { testHookWritten = nil }()
	if err := WriteDir(context.Background(), dir, files, false); err == nil {
		t.Fatal("WriteDir succeeded, want an error")
	}
	if got := listDir(t, parent); len(got) != 0 {
		t.Errorf("parent holds %q after a failed write, want nothing", got)
	}
}

// TestWriteDirForceIsAllOrNothing is issue #11's first finding: one entry
// cannot be replaced (a directory has its name), and none of the others
// may change either.
func TestWriteDirForceIsAllOrNothing(t *testing.T) {
	old := []string{"a.yaml=old a", "b.yaml/", "c.yaml=old c", "keep.txt=mine"}
	setup := func(t *testing.T) string {
		dir := t.TempDir()
		withFile("a.yaml", "old a")(t, dir)
		withFile("c.yaml", "old c")(t, dir)
		withFile("keep.txt", "mine")(t, dir)
		mkdir(t, filepath.Join(dir, "b.yaml", "x"))
		return dir
	}
	bothWays(t, func(t *testing.T) {
		dir := setup(t)
		err := WriteDir(context.Background(), dir, files, true)
		if err == nil || !strings.Contains(err.Error(), "b.yaml: it is a directory") {
			t.Fatalf("WriteDir error = %v, want one naming b.yaml as a directory", err)
		}
		if got := listDir(t, dir); !slices.Equal(got, old) {
			t.Errorf("directory holds %q, want the old %q", got, old)
		}
		noLeftovers(t, dir)
	})
	// A failure in the middle of the switch puts back what was switched.
	for _, failAt := range []string{"a.yaml", "b.yaml", "c.yaml"} {
		t.Run("switch fails at "+failAt, func(t *testing.T) {
			bothWays(t, func(t *testing.T) {
				dir := t.TempDir()
				withFile("a.yaml", "old a")(t, dir)
				withFile("keep.txt", "mine")(t, dir)
				testHookSwitch = func(name string) error {
					if name == failAt {
						return errors.New("injected")
					}
					return nil
				}
				defer func() { testHookSwitch = nil }()
				if err := WriteDir(context.Background(), dir, files, true); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
					t.Fatalf("WriteDir error = %v, want injected and nothing changed", err)
				}
				if got, want := listDir(t, dir), []string{"a.yaml=old a", "keep.txt=mine"}; !slices.Equal(got, want) {
					t.Errorf("directory holds %q, want the old %q", got, want)
				}
			})
		})
	}
}

// TestWriteDirKeepsDirectory: an existing directory keeps its inode, mode
// (a setgid group directory) and group; only its contents change.
func TestWriteDirKeepsDirectory(t *testing.T) {
	bothWays(t, func(t *testing.T) {
		for _, force := range []bool{false, true} {
			dir := filepath.Join(t.TempDir(), "out")
			mkdir(t, dir)
			if err := os.Chmod(dir, 0o2770|os.ModeSetgid); err != nil {
				t.Fatal(err)
			}
			before := stat(t, dir)
			if err := WriteDir(context.Background(), dir, files, force); err != nil {
				t.Fatal(err)
			}
			after := stat(t, dir)
			if before.Ino != after.Ino || before.Mode != after.Mode || before.Gid != after.Gid {
				t.Errorf("force=%v: directory changed: inode %d -> %d, mode %o -> %o, gid %d -> %d",
					force, before.Ino, after.Ino, before.Mode, after.Mode, before.Gid, after.Gid)
			}
			if got := listDir(t, dir); !slices.Equal(got, want) {
				t.Errorf("directory holds %q, want %q", got, want)
			}
		}
	})
}

func stat(t *testing.T, p string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

// TestWriteDirDot writes into the working directory, which cannot be
// removed or renamed.
func TestWriteDirDot(t *testing.T) {
	bothWays(t, func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		if err := WriteDir(context.Background(), ".", files, false); err != nil {
			t.Fatal(err)
		}
		if got := listDir(t, dir); !slices.Equal(got, want) {
			t.Errorf("directory holds %q, want %q", got, want)
		}
	})
}

// TestWriteDirSymlink: a link to a directory is written through and stays a
// link; a dangling one is refused and left as it was.
func TestWriteDirSymlink(t *testing.T) {
	bothWays(t, func(t *testing.T) {
		tmp := t.TempDir()
		target, link := filepath.Join(tmp, "target"), filepath.Join(tmp, "link")
		mkdir(t, target)
		if err := os.Symlink("target", link); err != nil {
			t.Fatal(err)
		}
		if err := WriteDir(context.Background(), link, files, false); err != nil {
			t.Fatal(err)
		}
		if got := listDir(t, target); !slices.Equal(got, want) {
			t.Errorf("link target holds %q, want %q", got, want)
		}
		if got := listDir(t, tmp); !slices.Equal(got, []string{"link->target", "target/"}) {
			t.Errorf("the link was replaced: %q", got)
		}

		dangling := filepath.Join(tmp, "dangling")
		if err := os.Symlink("nowhere", dangling); err != nil {
			t.Fatal(err)
		}
		err := WriteDir(context.Background(), dangling, files, false)
		if err == nil || !strings.Contains(err.Error(), "symbolic link to nowhere, which does not exist") {
			t.Errorf("dangling link: error %v", err)
		}
		if err := CheckDir(dangling, false); err == nil {
			t.Error("CheckDir accepted a dangling link")
		}
		if got := listDir(t, tmp); !slices.Equal(got, []string{"dangling->nowhere", "link->target", "target/"}) {
			t.Errorf("after the dangling link: %q", got)
		}
	})
}

// TestWriteDirNotADirectory: a file given as the directory is refused.
func TestWriteDirNotADirectory(t *testing.T) {
	dir := t.TempDir()
	withFile("out", "mine")(t, dir)
	err := WriteDir(context.Background(), filepath.Join(dir, "out"), files, true)
	if err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("error %v, want one saying it is not a directory", err)
	}
}

// TestWriteDirCancel cancels while files are written, as a signal does: all
// that was written goes, parents included, and an existing directory keeps
// its contents.
func TestWriteDirCancel(t *testing.T) {
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("existing=%v", existing), func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "a", "b", "out")
			var old []string
			if existing {
				withFile("a.yaml", "old")(t, dir)
				old = []string{"a.yaml=old"}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			testHookWritten = func(name string) {
				if name == "b.yaml" {
					cancel()
				}
			}
			defer func() { testHookWritten = nil }()
			err := WriteDir(ctx, dir, files, true)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if !existing {
				if got := listDir(t, parent); len(got) != 0 {
					t.Errorf("parent holds %q, want nothing", got)
				}
				return
			}
			if got := listDir(t, dir); !slices.Equal(got, old) {
				t.Errorf("directory holds %q, want %q", got, old)
			}
		})
	}
}

// TestWriteDirBadNames refuses names that are not plain file names before
// touching the disk.
func TestWriteDirBadNames(t *testing.T) {
	for _, name := range []string{"", ".", "..", "a/b", `a\b`, ".headless-x"} {
		parent := t.TempDir()
		err := WriteDir(context.Background(), filepath.Join(parent, "out"), []generator.File{{Name: name}}, false)
		if err == nil {
			t.Errorf("name %q accepted", name)
		}
		if got := listDir(t, parent); len(got) != 0 {
			t.Errorf("name %q: parent holds %q", name, got)
		}
	}
	if err := WriteDir(context.Background(), "", files, false); err == nil {
		t.Error("an empty directory name was accepted")
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

func withLink(name, target string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		mkdir(t, dir)
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWriteDirRemove: with force, files of an earlier run that this one
// does not write go in the same switch, and come back if it fails.
func TestWriteDirRemove(t *testing.T) {
	setup := func(t *testing.T) string {
		dir := t.TempDir()
		withFile("a.yaml", "old a")(t, dir)
		withFile("pod-3.yaml", "old 3")(t, dir)
		withFile("keep.txt", "mine")(t, dir)
		mkdir(t, filepath.Join(dir, "pod-5.yaml"))
		return dir
	}
	remove := []string{"pod-3.yaml", "pod-4.yaml", "pod-5.yaml"} // 4 is gone, 5 is a directory now
	bothWays(t, func(t *testing.T) {
		dir := setup(t)
		if err := WriteDir(context.Background(), dir, files, true, remove...); err != nil {
			t.Fatal(err)
		}
		if got, want := listDir(t, dir), append(slices.Clone(want), "keep.txt=mine", "pod-5.yaml/"); !slices.Equal(got, want) {
			t.Errorf("directory holds %q, want %q", got, want)
		}
		for _, failAt := range []string{"c.yaml", "pod-3.yaml", "pod-5.yaml"} {
			dir := setup(t)
			before := listDir(t, dir)
			testHookSwitch = func(name string) error {
				if name == failAt {
					return errors.New("injected")
				}
				return nil
			}
			err := WriteDir(context.Background(), dir, files, true, remove...)
			testHookSwitch = nil
			if err == nil {
				t.Fatalf("failing at %s: WriteDir succeeded", failAt)
			}
			if got := listDir(t, dir); !slices.Equal(got, before) {
				t.Errorf("failing at %s: directory holds %q, want the old %q", failAt, got, before)
			}
		}
	})
	if err := WriteDir(context.Background(), t.TempDir(), files, true, "a.yaml"); err == nil {
		t.Error("writing and removing the same name was accepted")
	}
}
