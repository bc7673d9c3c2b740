// Command gencorpus writes a synthetic lint corpus: gencorpus -objects N DIR.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/headless-k8s/headless/bench/corpus"
)

func main() {
	objects := flag.Int("objects", 11000, "number of objects")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -objects N DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range corpus.Files(*objects) {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
