//go:build !linux

package writer

// exchange would swap a and b atomically; this system offers no way to, so
// WriteDir uses its fallback (see the package comment).
func exchange(a, b string) error { return errUnsupported }

// renameat2NoReplace is not available on this system.
func renameat2NoReplace(src, dst string) error { return errUnsupported }
