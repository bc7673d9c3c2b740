//go:build !unix

package lint

import "os"

// fileID identifies a file; without inodes every path is a file of its own.
type fileID struct{}

func idOf(os.FileInfo) (fileID, bool) { return fileID{}, false }
