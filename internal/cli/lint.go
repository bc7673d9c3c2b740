package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/headless-k8s/headless/lint"
)

// LintOptions are the inputs of `headless lint`.
type LintOptions struct {
	IO            *IOStreams
	Paths         []string
	Format        string
	Disable       []string
	ClusterDomain string

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
files) or - for standard input. Exit status: 0 without error-level findings,
1 with at least one, 2 when an input cannot be read (the others are still
linted) or the command is misused.`,
		Example: `  headless lint k8s/
  kubectl kustomize overlays/prod | headless lint -
  headless lint -o sarif manifests/ > headless.sarif`,
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
	if len(opts.Paths) == 0 {
		return usageErrorf("lint needs at least one PATH (a file, a directory, or - for standard input)")
	}
	inputs, readErrs := lint.ReadInputs(opts.Paths, opts.IO.In)
	objects, parseErrs := lint.Parse(inputs)
	findings := lint.Lint(inputs, objects, lint.Options{Disabled: disabled, Domain: opts.ClusterDomain})
	if err := lint.Write(opts.IO.Out, opts.Format, findings, Version()); err != nil {
		return err
	}
	inputErrs := append(readErrs, parseErrs...)
	for _, err := range inputErrs {
		fmt.Fprintf(opts.IO.ErrOut, "error: %v\n", err)
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
			plural(errors, "error"), plural(warnings, "warning"), len(objects), len(inputs))
	}
	switch {
	case len(inputErrs) > 0:
		return &SilentError{Code: ExitUsage}
	case errors > 0:
		return &SilentError{Code: ExitFindings}
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
