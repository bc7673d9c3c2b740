package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"sigs.k8s.io/yaml"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/writer"
)

// writeDirFunc is writer.WriteDir; tests replace it to deliver a signal
// while it runs.
var writeDirFunc = writer.WriteDir

// writeDir writes files into dir all-or-nothing and says so on w. With
// force, the files that an earlier run listed in the directory's
// kustomization.yaml and this one does not write are removed in the same
// switch, so that the directory holds one generation, not two (kubectl apply
// -f on it would apply the earlier run's extra pods). SIGINT, SIGTERM or
// SIGHUP while it runs cancel it: the writer removes what it wrote (see
// package writer for what is kept when a switch has begun) and the command
// exits with ExitCancelled instead of dying half-way.
func writeDir(w io.Writer, dir string, files []generator.File, force bool) error {
	var stale []string
	if force {
		stale = staleFiles(dir, files)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	err := writeDirFunc(ctx, dir, files, force, stale...)
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		return ErrCancelled
	default:
		return &UsageError{Err: err}
	}
	msg := fmt.Sprintf("wrote %d files to %s", len(files), dir)
	if len(stale) > 0 {
		msg += fmt.Sprintf(", and removed %d that an earlier run wrote and this one does not: %s", len(stale), strings.Join(stale, ", "))
	}
	fmt.Fprintln(w, msg)
	return nil
}

// staleFiles returns the files of an earlier run that files does not hold:
// those that dir's kustomization.yaml, in the shape headless writes it,
// lists, and that are still files holding an object labelled
// app.kubernetes.io/managed-by: headless. A file a user added to the list,
// or changed into an object of their own, is not one of them.
func staleFiles(dir string, files []generator.File) []string {
	f, err := os.Open(filepath.Join(dir, generator.KustomizationFile))
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil
	}
	var stale []string
	for _, name := range generator.ListedFiles(data) {
		if slices.ContainsFunc(files, func(f generator.File) bool { return f.Name == name }) {
			continue
		}
		if generatedByHeadless(filepath.Join(dir, name)) {
			stale = append(stale, name)
		}
	}
	return stale
}

// generatedByHeadless reports whether path is a regular file holding one
// object that carries headless's managed-by label.
func generatedByHeadless(path string) bool {
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return false
	}
	var obj struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	return yaml.Unmarshal(data, &obj) == nil && obj.Metadata.Labels[generator.LabelManagedBy] == "headless"
}
