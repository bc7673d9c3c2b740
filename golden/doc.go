// Package golden holds whole-output snapshots of headless: one file per
// preset and mode, plus variants. The test in this folder runs the real root
// command and compares its output byte for byte; `make golden` rewrites them.
package golden
