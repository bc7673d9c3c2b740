// Command hello is the baseline of bench/startup.sh: the smallest Go program
// that writes to stdout, built the same way as headless.
package main

import "os"

func main() { os.Stdout.WriteString("hello, world\n") }
