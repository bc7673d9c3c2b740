// Package man writes the man pages of headless from its cobra command tree
// with cobra's doc package. Only cmd/gen-man and its test import it, so the
// headless binary does not link the generator.
package man

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/headless-k8s/headless/internal/cli"
)

// Date is the date in every page's header. It is fixed so that the pages
// are reproducible and a test can compare them byte for byte; set
// SOURCE_DATE_EPOCH (seconds since 1970, as reproducible builds do) to
// choose another.
var Date = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// Write writes one page per command, headless.1, headless-generate.1 …,
// into dir, creating it.
func Write(dir string) error {
	date := Date
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		date = time.Unix(n, 0).UTC()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	io := &cli.IOStreams{In: bytes.NewReader(nil), Out: new(bytes.Buffer), ErrOut: new(bytes.Buffer)}
	root := cli.NewCmdRoot(io)
	root.DisableAutoGenTag = true
	hideHelp(root)
	header := &doc.GenManHeader{Title: "HEADLESS", Section: "1", Date: &date, Source: "headless", Manual: "headless manual"}
	return doc.GenManTree(root, header, dir)
}

// hideHelp leaves cobra's help command out: every page documents --help.
func hideHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Hidden = true
		}
	}
}

// Files returns the names of the pages Write writes, for a check that a
// directory holds exactly them.
func Files(dir string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, "*.1"))
}
