//go:build !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package main

import (
	"errors"
	"os"
)

// readsKeys would report whether the program on the pseudo-terminal reads
// key presses one by one; only Linux and the BSDs are implemented.
func readsKeys(*os.File) (bool, error) {
	return false, errors.New("reading a pseudo-terminal's modes is not implemented on this system")
}
