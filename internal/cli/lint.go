package cli

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/lint"
	"github.com/headless-k8s/headless/presets"
)

// LintOptions are the inputs of `headless lint`.
type LintOptions struct {
	IO            *IOStreams
	Paths         []string
	Format        string
	Disable       []string
	ClusterDomain string
	Namespace     string
	Fix           bool
	DryRun        bool

	out outputFlags
}

// NewCmdLint builds `headless lint`.
func NewCmdLint(io *IOStreams, runF func(*LintOptions) error) *cobra.Command {
	opts := &LintOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "lint PATH...",
		Short: "Find headless-Service mistakes in Kubernetes manifests",
		Long: `Lint Kubernetes manifests for the mistakes that cost pods their DNS names:
clusterIP spelled "none", selectors that select nothing, StatefulSets whose
serviceName names no headless Service, subdomains without a Service, shared
hostnames, unknown fields, and more (docs/rules.md lists every rule).

PATH is a file, a directory (searched recursively for .yaml, .yml and .json
files) or - for standard input. Objects without metadata.namespace are in the
namespace the input is applied to: they belong together, and an object with a
namespace matches them only when it is the one given with --namespace (as
kubectl's -n). Exit status: 0 without error-level findings,
1 with at least one, 2 when an input cannot be read (the others are still
linted) or the command is misused.

--fix rewrites the files in place for the mechanical mistakes: clusterIP
"none" in any case, matchLabels outside spec.selector, a kind under a
misspelled key or in another case. Only those bytes change (comments and
layout stay); all files are written or none. --fix --dry-run prints the
changes as a unified diff instead.`,
		Example: `  headless lint k8s/
  kubectl kustomize overlays/prod | headless lint -
  headless lint -o sarif manifests/ > headless.sarif
  headless lint --fix --dry-run k8s/ | less`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			format, _, err := opts.out.resolve(io.ErrOut)
			if err != nil {
				return err
			}
			opts.Format = format
			if runF != nil {
				return runF(opts)
			}
			return lintRun(opts)
		},
	}
	opts.out.register(cmd, lint.Formats, false, "")
	cmd.Flags().StringArrayVar(&opts.Disable, "disable", nil, "do not run `rule` (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("disable", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var ids []cobra.Completion
		for _, r := range lint.Rules() {
			ids = append(ids, cobra.CompletionWithDesc(r.ID, r.Description))
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	})
	cmd.Flags().StringVar(&opts.ClusterDomain, "cluster-domain", "cluster.local", "the cluster's DNS domain, for DNS name lengths")
	cmd.Flags().StringVarP(&opts.Namespace, "namespace", "n", "", "the `namespace` the input is applied to (as kubectl's -n): objects without one are in it")
	cmd.Flags().BoolVar(&opts.Fix, "fix", false, "rewrite the files to fix the mechanical mistakes, then lint them")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "with --fix, print the fixes as a unified diff and write nothing")
	return cmd
}

func lintRun(opts *LintOptions) error {
	if !slices.Contains(lint.Formats, opts.Format) {
		return usageErrorf("invalid argument %q for \"-o, --output\" flag: must be one of %s", opts.Format, strings.Join(lint.Formats, ", "))
	}
	disabled := map[string]bool{}
	for _, id := range opts.Disable {
		if lint.Lookup(id) == nil {
			ids := make([]string, 0)
			for _, r := range lint.Rules() {
				ids = append(ids, r.ID)
			}
			return usageErrorf("invalid argument %q for \"--disable\" flag: must be one of %s", id, strings.Join(ids, ", "))
		}
		disabled[id] = true
	}
	if opts.Namespace != "" {
		if errs := content.IsDNS1123Label(opts.Namespace); len(errs) > 0 {
			return usageErrorf("invalid argument %q for \"--namespace\" flag: %s", opts.Namespace, strings.Join(errs, "; "))
		}
	}
	if err := checkClusterDomain(opts.ClusterDomain); err != nil {
		return err
	}
	if len(opts.Paths) == 0 {
		return usageErrorf("lint needs at least one PATH (a file, a directory, or - for standard input)")
	}
	if opts.DryRun && !opts.Fix {
		return usageErrorf("\"--dry-run\" only goes with \"--fix\"")
	}
	if opts.Fix {
		if slices.Contains(opts.Paths, "-") && !opts.DryRun {
			return usageErrorf("\"--fix\" rewrites files; standard input cannot be rewritten (add \"--dry-run\" for a diff)")
		}
		if done, err := fixRun(opts); done || err != nil {
			return err
		}
	}
	// What lint keeps (the Set) grows with the input while parsing makes
	// garbage at a steady rate; a heap goal of 1.8x the live heap instead
	// of 2x keeps 110,000 objects well under 300 MiB for ~4% more CPU.
	defer debug.SetGCPercent(debug.SetGCPercent(80))
	res := lint.Run(opts.Paths, opts.IO.In, lint.Options{Disabled: disabled, Domain: opts.ClusterDomain, Namespace: opts.Namespace})
	findings, inputErrs := res.Findings, res.Errors
	if err := lint.Write(opts.IO.Out, opts.Format, findings, Version()); err != nil {
		return err
	}
	for _, err := range res.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", lint.EscapeText(err.Error()))
	}
	for _, err := range inputErrs {
		fmt.Fprintf(opts.IO.ErrOut, "error: %s\n", lint.EscapeText(err.Error()))
	}
	errors, warnings := 0, 0
	for _, f := range findings {
		switch f.Severity {
		case lint.Error:
			errors++
		case lint.Warning:
			warnings++
		}
	}
	if opts.Format == lint.FormatText {
		fmt.Fprintf(opts.IO.ErrOut, "%s, %s in %d objects from %d files\n",
			plural(errors, "error"), plural(warnings, "warning"), res.Objects, res.Files)
	}
	switch {
	case len(inputErrs) > 0:
		return &SilentError{Code: ExitUsage}
	case errors > 0:
		return &SilentError{Code: ExitFindings}
	}
	return nil
}

// checkClusterDomain validates --cluster-domain of lint and dns with the
// rule and message of generate: the generator resolves a Spec that differs
// from the defaults only in the domain (and the shortest name, so that only
// a domain too long for any pod's name fails the length check).
func checkClusterDomain(domain string) error {
	if domain == "" {
		return nil // the default
	}
	_, err := generator.Spec{Preset: presets.Names()[0], Name: "a", ClusterDomain: domain}.Resolve()
	var fe *generator.FieldError
	if errors.As(err, &fe) && fe.Field == generator.FieldClusterDomain {
		return usageErrorf("invalid argument %s for \"--cluster-domain\" flag: %s", generator.QuoteValue(fe.Value), fe.Reason)
	}
	return nil
}

// fixRun applies the fixes; done is true when there is nothing more to do
// (a dry run).
func fixRun(opts *LintOptions) (done bool, err error) {
	inputs, readErrs := lint.ReadInputs(opts.Paths, opts.IO.In)
	readErrs = warnings(opts.IO.ErrOut, readErrs)
	fixed, fixErrs := lint.Fix(inputs)
	errs := append(readErrs, fixErrs...)
	for _, err := range errs {
		fmt.Fprintf(opts.IO.ErrOut, "error: %s\n", lint.EscapeText(err.Error()))
	}
	n := 0
	for _, f := range fixed {
		n += len(f.Fixes)
	}
	if opts.DryRun {
		if err := writeFixDiff(opts.IO.Out, fixed); err != nil {
			return true, err
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s in %s (dry run: nothing written)\n", plural(n, "fix"), plural(len(fixed), "file"))
		if len(errs) > 0 {
			return true, &SilentError{Code: ExitUsage}
		}
		return true, nil
	}
	if len(errs) > 0 {
		fmt.Fprintln(opts.IO.ErrOut, "nothing was fixed")
		return true, &SilentError{Code: ExitUsage}
	}
	if err := lint.WriteFixed(fixed); err != nil {
		return true, fmt.Errorf("%w; nothing was fixed", err)
	}
	for _, f := range fixed {
		for _, line := range f.Fixes {
			fmt.Fprintf(opts.IO.ErrOut, "fixed %s\n", lint.EscapeText(line))
		}
	}
	return false, nil
}

// warnings prints the warnings among errs (directory entries skipped) and
// returns the other errors.
func warnings(w io.Writer, errs []error) []error {
	var rest []error
	for _, err := range errs {
		if lint.IsWarning(err) {
			fmt.Fprintf(w, "warning: %s\n", lint.EscapeText(err.Error()))
		} else {
			rest = append(rest, err)
		}
	}
	return rest
}

func plural(n int, noun string) string {
	if noun == "fix" && n != 1 {
		return fmt.Sprintf("%d fixes", n)
	}
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeFixDiff writes a unified diff of the fixed files.
func writeFixDiff(w io.Writer, files []lint.FixedFile) error {
	for _, f := range files {
		d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: difflib.SplitLines(string(f.Before)), B: difflib.SplitLines(string(f.After)),
			FromFile: "a/" + strings.TrimPrefix(f.Name, "/"), ToFile: "b/" + strings.TrimPrefix(f.Name, "/"), Context: 3})
		if err != nil {
			return err
		}
		// Each line of the diff is escaped, its line end kept: the
		// files' bytes must not reach the terminal raw.
		lines := strings.SplitAfter(d, "\n")
		for i, l := range lines {
			lines[i] = lint.EscapeText(strings.TrimSuffix(l, "\n"))
			if strings.HasSuffix(l, "\n") {
				lines[i] += "\n"
			}
		}
		if _, err := io.WriteString(w, strings.Join(lines, "")); err != nil {
			return err
		}
	}
	return nil
}
