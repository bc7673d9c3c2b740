package writer

import (
	"context"
	"slices"
	"syscall"
	"testing"
)

// TestWriteDirMountPoint writes into a directory that a file system is
// mounted on, which cannot be removed or renamed ("device or resource
// busy"). It needs the privilege to mount, and is skipped without it.
func TestWriteDirMountPoint(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	bothWays(t, func(t *testing.T) {
		if err := WriteDir(context.Background(), dir, files, true); err != nil {
			t.Fatal(err)
		}
		if got := listDir(t, dir); !slices.Equal(got, want) {
			t.Errorf("mount point holds %q, want %q", got, want)
		}
	})
}
