package writer

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps the entries at a and b atomically (renameat2 with
// RENAME_EXCHANGE). It returns errUnsupported where the kernel or the file
// system cannot (Linux before 3.15, some network and FUSE file systems).
func exchange(a, b string) error {
	return renameat2(a, b, unix.RENAME_EXCHANGE)
}

// renameat2NoReplace renames src to dst in one step unless dst exists.
func renameat2NoReplace(src, dst string) error {
	return renameat2(src, dst, unix.RENAME_NOREPLACE)
}

// noRenameat2 makes renameat2 report errUnsupported, so that tests cover
// the fallback too.
var noRenameat2 bool

func renameat2(a, b string, flags uint) error {
	if noRenameat2 {
		return errUnsupported
	}
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, flags)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOPNOTSUPP):
		return errUnsupported
	}
	return &os.LinkError{Op: "renameat2", Old: a, New: b, Err: err}
}
