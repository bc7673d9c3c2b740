//go:build unix

package lint

import (
	"os"
	"syscall"
)

// fileID identifies a file by device and inode, whatever path reaches it.
type fileID struct{ dev, ino uint64 }

func idOf(info os.FileInfo) (fileID, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true //nolint:unconvert // Dev is 32-bit on some systems
}
