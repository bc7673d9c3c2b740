package writer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/headless-k8s/headless/generator"
)

// FuzzWriteDir sets up a directory from the fuzzer's bytes and checks the
// all-or-nothing promise. Each of four names is absent, a file, a
// directory, a link to a file, or a dangling link. Then come force, the
// switch that fails (if any), the fallback without renameat2, and whether
// the output directory exists at all. WriteDir must either put every file
// in place and leave the other entries alone, or fail and leave everything
// exactly as it was. With the ninth byte odd, keep.txt is also named as a
// file of an earlier run to remove: with force, a successful write removes
// it if it is a file or a link. It must never leave a .headless-* directory.
func FuzzWriteDir(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{1, 2, 3, 4, 1, 0, 0, 1})
	f.Add([]byte{1, 1, 1, 0, 1, 3, 1, 1})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		b = append(b, make([]byte, 9)...)
		names := []string{"a.yaml", "b.yaml", "c.yaml", "keep.txt"}
		force, failAt, fallback, exists := b[4]&1 == 1, int(b[5]%byte(len(files)+1)), b[6]&1 == 1, b[7]&1 == 1
		tmp := t.TempDir()
		dir := filepath.Join(tmp, "out")
		if exists {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for i, name := range names {
				p := filepath.Join(dir, name)
				var err error
				switch b[i] % 5 {
				case 1:
					err = os.WriteFile(p, []byte("old "+name), 0o644)
				case 2:
					err = os.MkdirAll(filepath.Join(p, "x"), 0o755)
				case 3:
					err = os.Symlink("keep.txt", p)
				case 4:
					err = os.Symlink("nowhere", p)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		before := tree(t, tmp)
		noRenameat2 = fallback
		defer func() { noRenameat2 = false }()
		testHookSwitch = func(name string) error {
			if failAt > 0 && name == files[failAt-1].Name {
				return errors.New("injected")
			}
			return nil
		}
		defer func() { testHookSwitch = nil }()

		var remove []string // keep.txt, as a file an earlier run wrote
		if b[8]&1 == 1 {
			remove = []string{"keep.txt"}
		}
		err := WriteDir(context.Background(), dir, files, force, remove...)
		after := tree(t, tmp)
		if err != nil {
			if !slices.Equal(before, after) {
				t.Fatalf("WriteDir failed (%v) but changed the disk:\nbefore %q\nafter  %q", err, before, after)
			}
			return
		}
		got := tree(t, dir)
		for _, f := range files {
			if !slices.Contains(got, f.Name+"="+string(f.Data)) {
				t.Errorf("%s is not in place: %q", f.Name, got)
			}
		}
		for _, e := range before {
			rel, ok := cutDir(e, "out/")
			if !ok || slices.ContainsFunc(files, func(f generator.File) bool { return hasName(rel, f.Name) }) {
				continue
			}
			removable := len(remove) > 0 && force && (rel == "keep.txt=old keep.txt" || hasName(rel, "keep.txt->"))
			switch {
			case removable && slices.Contains(after, e):
				t.Errorf("%s was not removed", e)
			case !removable && !slices.Contains(after, e):
				t.Errorf("%s was changed, though it is not one of the files", e)
			}
		}
		for _, e := range after {
			if hasName(e, stagePrefix) || hasName(e, "out/"+stagePrefix) {
				t.Errorf("left behind: %s", e)
			}
		}
	})
}

// tree lists every entry under dir as path=content, path/ or path->target.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			got = append(got, rel+"/")
		case d.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got = append(got, rel+"->"+target)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got = append(got, fmt.Sprintf("%s=%s", rel, data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func cutDir(entry, prefix string) (string, bool) {
	if len(entry) > len(prefix) && entry[:len(prefix)] == prefix {
		return entry[len(prefix):], true
	}
	return "", false
}

// hasName reports whether the entry is name or under it.
func hasName(entry, name string) bool {
	return len(entry) >= len(name) && entry[:len(name)] == name
}
