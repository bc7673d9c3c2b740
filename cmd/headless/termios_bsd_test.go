//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// readsKeys reports whether the program on the pseudo-terminal whose
// master is ptmx reads key presses one by one without echo, the mode survey
// sets while a prompt waits for keys. Both sides of the pseudo-terminal
// share these modes.
func readsKeys(ptmx *os.File) (bool, error) {
	conn, err := ptmx.SyscallConn()
	if err != nil {
		return false, err
	}
	var modes *unix.Termios
	var ioctlErr error
	if err := conn.Control(func(fd uintptr) {
		modes, ioctlErr = unix.IoctlGetTermios(int(fd), unix.TIOCGETA)
	}); err != nil {
		return false, err
	}
	if ioctlErr != nil {
		return false, ioctlErr
	}
	return modes.Lflag&(unix.ICANON|unix.ECHO) == 0, nil
}
