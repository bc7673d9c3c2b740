// Command gen-krew writes the krew plugin manifest of headless from
// .goreleaser.yaml.
//
//	go run ./cmd/gen-krew > plugins/headless.yaml          the krew-release-bot template
//	go run ./cmd/gen-krew -tag v1.2.3 -checksums dist/checksums.txt > dist/headless.yaml
//	                                                       a manifest for kubectl krew install --manifest
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/headless-k8s/headless/internal/release"
)

func main() {
	config := flag.String("config", ".goreleaser.yaml", "the goreleaser `file`")
	tag := flag.String("tag", "", "the release `tag`; without it, write the krew-release-bot template")
	checksums := flag.String("checksums", "", "goreleaser's checksums `file`, with -tag")
	flag.Parse()
	if err := run(*config, *tag, *checksums); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(config, tag, checksums string) error {
	data, err := os.ReadFile(config)
	if err != nil {
		return err
	}
	c, err := release.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", config, err)
	}
	if tag == "" {
		return c.KrewTemplate(os.Stdout)
	}
	sums, err := os.ReadFile(checksums)
	if err != nil {
		return err
	}
	return c.Krew(os.Stdout, tag, sums)
}
