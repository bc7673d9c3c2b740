// Command gen-man writes the man pages of headless, one per command, from
// the cobra command tree: go run ./cmd/gen-man DIR (make man). It is a
// program of its own so that the headless binary does not carry the man
// page generator.
package main

import (
	"fmt"
	"os"

	"github.com/headless-k8s/headless/internal/cli/man"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen-man DIR")
		os.Exit(2)
	}
	if err := man.Write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
