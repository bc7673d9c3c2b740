// Package writer writes a generated directory all-or-nothing: every file is
// written to a temporary location first and moved into place only when all
// of them were written, so a failure leaves the disk as it was.
package writer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/headless-k8s/headless/generator"
)

// ErrNotEmpty is returned when the directory has files and force is off.
var ErrNotEmpty = errors.New("directory is not empty")

// CheckDir reports whether WriteDir(dir, …, force) would be refused for the
// directory's contents, so that a command can say so before doing any work.
func CheckDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output directory %s: %w", dir, unwrapPath(err))
	case len(entries) > 0 && !force:
		return notEmpty(dir, len(entries))
	}
	return nil
}

// notEmptyError says which directory; errors.Is(err, ErrNotEmpty) holds.
type notEmptyError struct {
	dir string
	n   int
}

func (e *notEmptyError) Error() string {
	noun := "entries"
	if e.n == 1 {
		noun = "entry"
	}
	return fmt.Sprintf("output directory %s is not empty (%d %s); use --force to overwrite its files", e.dir, e.n, noun)
}

func (e *notEmptyError) Unwrap() error { return ErrNotEmpty }

func notEmpty(dir string, n int) error { return &notEmptyError{dir, n} }

// WriteDir writes files into dir. A missing dir (and its parents) is
// created. A dir that already has entries is refused unless force is set;
// with force, files of the same names are replaced and other files are left
// alone.
func WriteDir(dir string, files []generator.File, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return writeNew(dir, files)
	case err != nil:
		return fmt.Errorf("output directory %s: %w", dir, unwrapPath(err))
	case len(entries) == 0:
		// An empty directory is replaced by the complete new one.
		return writeNew(dir, files)
	case !force:
		return notEmpty(dir, len(entries))
	default:
		return overwrite(dir, files)
	}
}

// writeNew writes every file into a temporary sibling of dir and renames it
// to dir.
func writeNew(dir string, files []generator.File) (err error) {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, unwrapPath(err))
	}
	tmp, err := os.MkdirTemp(parent, ".headless-*")
	if err != nil {
		return fmt.Errorf("creating a temporary directory in %s: %w", parent, unwrapPath(err))
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f.Name), f.Data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, unwrapPath(err))
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// Only an empty directory may stand in the way; Remove refuses others.
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("replacing empty directory %s: %w", dir, unwrapPath(err))
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("moving files into %s: %w", dir, unwrapPath(err))
	}
	return nil
}

// overwrite writes every file under a temporary name inside dir, then
// renames each over its target.
func overwrite(dir string, files []generator.File) error {
	tmps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		t, err := os.CreateTemp(dir, ".headless-"+f.Name+"-*")
		if err != nil {
			cleanup()
			return fmt.Errorf("writing into %s: %w", dir, unwrapPath(err))
		}
		tmps = append(tmps, t.Name())
		_, werr := t.Write(f.Data)
		cerr := t.Close()
		if err := errors.Join(werr, cerr, os.Chmod(t.Name(), 0o644)); err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], filepath.Join(dir, f.Name)); err != nil {
			cleanup()
			return fmt.Errorf("replacing %s: %w", f.Name, unwrapPath(err))
		}
	}
	return nil
}

// unwrapPath drops the *PathError wrapper, whose path the caller's message
// already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
