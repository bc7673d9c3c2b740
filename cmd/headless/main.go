// Command headless generates Kubernetes manifests that give replicated
// database pods stable per-pod DNS names.
package main

import (
	"os"

	"github.com/headless-k8s/headless/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.System()))
}
