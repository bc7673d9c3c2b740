// Package writer writes a generated directory all-or-nothing: either every
// file is in place, or the disk is as it was.
//
// What WriteDir guarantees depends on whether the directory exists:
//
//   - It does not exist. The files are written and synced into a new hidden
//     sibling directory (.headless-*, in the same parent and so on the same
//     file system), which is then renamed to the directory in one step. On
//     Linux the rename is renameat2 with RENAME_NOREPLACE, so a directory
//     that someone else created meanwhile is never replaced. Until the rename,
//     the directory does not exist; after it, it holds every file. Parent
//     directories created for it are removed again if the write fails.
//   - It exists: it is empty, or force is set. The directory itself is kept:
//     its inode, mode, owner and group, its ACLs, a mount on it, and the
//     working directory of a shell inside it. This makes "--output ." and
//     mount points work. Only the entries with the files' names change.
//     First the files are written and synced into a hidden staging
//     directory inside it (.headless-*). Then each file is moved into place
//     by one rename. Where an entry of that name exists, the two are
//     exchanged atomically (renameat2 with RENAME_EXCHANGE), so the old file
//     waits in the staging directory. If any step fails, the files already
//     moved are moved or exchanged back, and the directory holds exactly its
//     old entries again. Each file is always either wholly old or wholly new.
//     While the switch runs (one rename per file), a reader may see some
//     files new and others still old: a directory that is kept cannot be
//     exchanged for another, so no single step can switch all of its
//     entries.
//   - Fallback: without renameat2 (other systems, or a file system that
//     refuses its flags), an existing file is first moved into the staging
//     directory and then the new one is moved into place. Its name is missing
//     for a moment between the two renames. A missing directory is created by
//     a plain rename after checking that the name is free. The rollback works
//     the same way.
//
// With force, the files an earlier run wrote and this one does not (the
// caller names them) are moved out in the same switch, and back on a
// failure. A name that is gone, or is now a directory, is left alone.
//
// Nothing is changed if one of the names is taken by something other than a
// regular file or a symbolic link, for example a directory. A symbolic link
// given as the directory is written through: the files go into its target
// and the link stays. A dangling link is refused.
//
// Cancelling the context (the CLI does on SIGINT, SIGTERM and SIGHUP) while
// the files are being written removes everything written, including created
// parents. A switch that has begun is completed, since it takes one rename
// per file. Only SIGKILL or a crash can leave a .headless-* directory
// behind. If one of them stops a switch, the directory holds some new files
// and some old ones, and the staging directory holds the old versions of the
// files already replaced.
package writer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/headless-k8s/headless/generator"
)

// ErrNotEmpty is returned when the directory has entries and force is off.
var ErrNotEmpty = errors.New("directory is not empty")

// stagePrefix starts the name of every temporary directory WriteDir makes.
const stagePrefix = ".headless-"

// Test hooks: called after each file is written to the staging directory,
// and before each file is switched into place (an error fails the switch).
var (
	testHookWritten func(name string)
	testHookSwitch  func(name string) error
)

// CheckDir reports whether WriteDir(dir, …, force) would be refused for the
// directory's contents, so that a command can say so before doing any work.
func CheckDir(dir string, force bool) error {
	exists, err := inspect(dir)
	if err != nil || !exists {
		return err
	}
	entries, err := os.ReadDir(dir)
	switch {
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

// inspect reports whether dir exists as a directory (possibly through a
// symbolic link). A dangling link, or anything that is not a directory, is an
// error.
func inspect(dir string) (exists bool, err error) {
	if dir == "" {
		return false, errors.New("the output directory must not be empty")
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("output directory %s: %w", dir, unwrapPath(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		st, err := os.Stat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			target, _ := os.Readlink(dir)
			return false, fmt.Errorf("output directory %s is a symbolic link to %s, which does not exist; create that directory or give another", dir, target)
		}
		if err != nil {
			return false, fmt.Errorf("output directory %s: %w", dir, unwrapPath(err))
		}
		if !st.IsDir() {
			return false, fmt.Errorf("output directory %s is a symbolic link to a file, not to a directory", dir)
		}
		return true, nil
	case !fi.IsDir():
		return false, fmt.Errorf("output directory %s exists and is not a directory", dir)
	}
	return true, nil
}

// WriteDir writes files into dir, as the package comment describes. A missing
// dir (and its parents) is created. A dir that already has entries is
// refused unless force is set. With force, entries of the same names are
// replaced, the files named in remove (those of an earlier run that this
// one does not write) are removed in the same all-or-nothing switch, and
// other entries are left alone. Names must be plain names, without a
// directory.
func WriteDir(ctx context.Context, dir string, files []generator.File, force bool, remove ...string) error {
	names := make([]string, 0, len(files)+len(remove))
	for _, f := range files {
		names = append(names, f.Name)
	}
	for _, name := range append(names, remove...) {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, stagePrefix) {
			return fmt.Errorf("cannot write a file named %q: not a plain file name", name)
		}
	}
	for _, name := range remove {
		if slices.Contains(names[:len(files)], name) {
			return fmt.Errorf("cannot both write and remove %q", name)
		}
	}
	if !force {
		remove = nil
	}
	exists, err := inspect(dir)
	if err != nil {
		return err
	}
	if !exists {
		return writeNew(ctx, dir, files)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err != nil:
		return fmt.Errorf("output directory %s: %w", dir, unwrapPath(err))
	case len(entries) > 0 && !force:
		return notEmpty(dir, len(entries))
	}
	return replaceContents(ctx, dir, files, force, remove)
}

// writeNew writes every file into a new sibling of dir and renames it to dir.
func writeNew(ctx context.Context, dir string, files []generator.File) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	created, err := mkdirParents(parent)
	defer func() {
		if err != nil {
			// Innermost first; Remove refuses a directory someone filled meanwhile.
			for i := len(created) - 1; i >= 0; i-- {
				os.Remove(created[i])
			}
		}
	}()
	if err != nil {
		return err
	}
	stage, err := mkdirStage(parent)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	if err := writeFiles(ctx, stage, files); err != nil {
		return err
	}
	if err := renameNoReplace(stage, dir); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("output directory %s was created by someone else while writing; nothing was changed", dir)
		}
		return fmt.Errorf("moving files into %s: %w", dir, unwrapPath(err))
	}
	syncDir(parent)
	return nil
}

// mkdirParents creates dir and its missing parents, and returns the ones it
// created, outermost first.
func mkdirParents(dir string) ([]string, error) {
	var missing []string
	for p := dir; ; {
		_, err := os.Stat(p)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("creating %s: %w", dir, unwrapPath(err))
		}
		missing = append(missing, p)
		next := filepath.Dir(p)
		if next == p {
			break
		}
		p = next
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		err := os.Mkdir(missing[i], 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue // created meanwhile by someone else: not ours to remove
		}
		if err != nil {
			return created, fmt.Errorf("creating %s: %w", missing[i], unwrapPath(err))
		}
		created = append(created, missing[i])
	}
	return created, nil
}

// mkdirStage creates a new directory named .headless-<random> in parent, with
// mode 0755 less the umask: when it becomes the output directory, it has the
// mode mkdir would have given it.
func mkdirStage(parent string) (string, error) {
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		p := filepath.Join(parent, stagePrefix+hex.EncodeToString(b[:]))
		err := os.Mkdir(p, 0o755)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("creating a temporary directory in %s: %w", parent, unwrapPath(err))
		}
	}
	return "", fmt.Errorf("creating a temporary directory in %s: every name tried exists", parent)
}

// writeFiles writes and syncs each file into dir, which is new and private,
// and syncs dir. It stops when ctx is cancelled.
func writeFiles(ctx context.Context, dir string, files []generator.File) error {
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
		if err := writeFile(filepath.Join(dir, f.Name), f.Data); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, unwrapPath(err))
		}
		if testHookWritten != nil {
			testHookWritten(f.Name)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing %s: %w", dir, err)
	}
	syncDir(dir)
	return nil
}

// writeFile creates the file with mode 0644 less the umask, writes data and
// syncs it, so that a crash after the rename cannot leave an empty file.
func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	return errors.Join(werr, serr, f.Close())
}

// syncDir makes the directory's entries durable. It is best effort: some
// file systems cannot sync a directory, and the rename has happened anyway.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// replaceContents writes every file into a staging directory inside dir,
// then switches each into place, and switches them all back on a failure.
func replaceContents(ctx context.Context, dir string, files []generator.File, force bool, remove []string) (err error) {
	stage, err := mkdirStage(dir)
	if err != nil {
		return err
	}
	keep := false // the staging directory holds old files a rollback could not restore
	defer func() {
		if !keep {
			os.RemoveAll(stage)
		}
	}()
	newDir, oldDir := filepath.Join(stage, "new"), filepath.Join(stage, "old")
	for _, d := range []string{newDir, oldDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return fmt.Errorf("creating a temporary directory in %s: %w", dir, unwrapPath(err))
		}
	}
	if err := writeFiles(ctx, newDir, files); err != nil {
		return err
	}
	// Check every name before changing any, for a clear error that changes
	// nothing; switch checks again, since the directory may change meanwhile.
	for _, f := range files {
		if err := replaceable(dir, f.Name, force); err != nil {
			return err
		}
	}
	// The switch: each file into place, then each stale file out of it.
	steps := make([]func() (func() error, error), 0, len(files)+len(remove))
	for _, f := range files {
		steps = append(steps, func() (func() error, error) { return switchFile(dir, newDir, oldDir, f.Name, force) })
	}
	for _, name := range remove {
		steps = append(steps, func() (func() error, error) { return removeFile(dir, oldDir, name) })
	}
	var undo []func() error
	for _, step := range steps {
		u, err := step()
		if err == nil {
			undo = append(undo, u)
			continue
		}
		var failed []error
		for i := len(undo) - 1; i >= 0; i-- {
			if uerr := undo[i](); uerr != nil {
				failed = append(failed, uerr)
			}
		}
		if len(failed) > 0 {
			keep = true
			return fmt.Errorf("%w; restoring the previous files failed (%v): those not back in %s are in %s",
				err, errors.Join(failed...), dir, stage)
		}
		return fmt.Errorf("%w; nothing was changed", err)
	}
	syncDir(dir)
	return nil
}

// replaceable checks that dir/name is free, or (with force) a regular file or
// a symbolic link that may be replaced.
func replaceable(dir, name string, force bool) error {
	fi, err := os.Lstat(filepath.Join(dir, name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("replacing %s: %w", filepath.Join(dir, name), unwrapPath(err))
	case !force:
		return fmt.Errorf("%s was created by someone else while writing: %w", filepath.Join(dir, name), ErrNotEmpty)
	case !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0:
		return fmt.Errorf("cannot replace %s: it is a %s, not a file", filepath.Join(dir, name), describe(fi.Mode()))
	}
	return nil
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// switchFile moves newDir/name to dir/name; an entry there is exchanged with
// it (or moved to oldDir). It returns the function that undoes the switch.
func switchFile(dir, newDir, oldDir, name string, force bool) (func() error, error) {
	src, dst := filepath.Join(newDir, name), filepath.Join(dir, name)
	if testHookSwitch != nil {
		if err := testHookSwitch(name); err != nil {
			return nil, fmt.Errorf("replacing %s: %w", dst, err)
		}
	}
	if err := replaceable(dir, name, force); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		if err := renameNoReplace(src, dst); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return nil, fmt.Errorf("%s was created by someone else while writing", dst)
			}
			return nil, fmt.Errorf("writing %s: %w", dst, unwrapLink(err))
		}
		return func() error { return os.Rename(dst, src) }, nil
	}
	err := exchange(src, dst)
	if err == nil {
		// src now holds what was at dst: it must have been replaceable.
		if fi, lerr := os.Lstat(src); lerr != nil || (!fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0) {
			if xerr := exchange(src, dst); xerr != nil {
				return nil, fmt.Errorf("replacing %s: it changed while writing, and putting it back failed: %w", dst, unwrapLink(xerr))
			}
			return nil, fmt.Errorf("cannot replace %s: it changed into something other than a file while writing", dst)
		}
		return func() error { return exchange(src, dst) }, nil
	}
	if !errors.Is(err, errUnsupported) {
		return nil, fmt.Errorf("replacing %s: %w", dst, unwrapLink(err))
	}
	old := filepath.Join(oldDir, name)
	if err := os.Rename(dst, old); err != nil {
		return nil, fmt.Errorf("replacing %s: %w", dst, unwrapLink(err))
	}
	if err := os.Rename(src, dst); err != nil {
		if rerr := os.Rename(old, dst); rerr != nil {
			return nil, fmt.Errorf("replacing %s: %w; putting it back failed (%v), it is %s", dst, unwrapLink(err), unwrapLink(rerr), old)
		}
		return nil, fmt.Errorf("replacing %s: %w", dst, unwrapLink(err))
	}
	return func() error { return os.Rename(old, dst) }, nil
}

// removeFile moves dir/name into oldDir, where it is deleted with the
// staging directory once the switch has succeeded. A name that is gone, or
// is now something other than a file or a link, is left alone. It returns
// the function that undoes the move.
func removeFile(dir, oldDir, name string) (func() error, error) {
	src, dst := filepath.Join(dir, name), filepath.Join(oldDir, name)
	if testHookSwitch != nil {
		if err := testHookSwitch(name); err != nil {
			return nil, fmt.Errorf("removing %s: %w", src, err)
		}
	}
	fi, err := os.Lstat(src)
	if err != nil || (!fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0) {
		return func() error { return nil }, nil
	}
	if err := os.Rename(src, dst); err != nil {
		return nil, fmt.Errorf("removing %s: %w", src, unwrapLink(err))
	}
	return func() error { return os.Rename(dst, src) }, nil
}

// errUnsupported is returned by exchange and renameNoReplace when the system
// or file system cannot do them.
var errUnsupported = errors.New("not supported")

// renameNoReplace renames src to dst unless dst exists (an error for which
// errors.Is(err, fs.ErrExist) holds). Where the system cannot do that in one
// step, it checks first and renames then.
func renameNoReplace(src, dst string) error {
	err := renameat2NoReplace(src, dst)
	if !errors.Is(err, errUnsupported) {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: fs.ErrExist}
	}
	return os.Rename(src, dst)
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

// unwrapLink drops the *LinkError wrapper of a rename, whose paths are
// temporary names the caller's message replaces.
func unwrapLink(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
