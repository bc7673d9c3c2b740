package cli

import (
	"github.com/spf13/cobra"

	"github.com/headless-k8s/headless/generator"
)

// GenerateOptions are the inputs of `headless generate`.
type GenerateOptions struct {
	IO     *IOStreams
	Spec   specFlags
	Format string
	Output string
	Force  bool
}

// Output formats.
const (
	formatYAML  = "yaml"
	formatJSON  = "json"
	formatTable = "table"
)

// NewCmdGenerate builds `headless generate`. runF replaces generateRun in
// tests of flag parsing.
func NewCmdGenerate(io *IOStreams, runF func(*GenerateOptions) error) *cobra.Command {
	opts := &GenerateOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate a headless Service and a StatefulSet or Pods for a database",
		Example: `  headless generate --preset mongodb
  headless generate --preset postgresql --name pg --replicas 2 --namespace data
  headless generate --preset redis --mode pods --output ./redis
  headless generate -f spec.yaml --replicas 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := refuseEmpty(cmd, "output", "leave it out to print to standard output"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return generateRun(opts)
		},
	}
	opts.Spec.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.Format, "format", formatYAML, "output format: yaml or json (a v1 List)")
	cmd.Flags().StringVar(&opts.Output, "output", "", "write one file per object and a kustomization.yaml into `dir` instead of stdout (- for stdout)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "with --output, overwrite files in a non-empty directory")
	return cmd
}

func generateRun(opts *GenerateOptions) error {
	if opts.Output == "-" {
		// As for init and -f: "-" is standard output, never a directory named "-".
		opts.Output = ""
		if opts.Force {
			return usageErrorf("\"--force\" needs \"--output\" with a directory, not -")
		}
	}
	if opts.Format != formatYAML && opts.Format != formatJSON {
		return usageErrorf("invalid argument %s for \"--format\" flag: must be one of yaml, json", generator.QuoteValue(opts.Format))
	}
	if opts.Output != "" && opts.Format != formatYAML {
		return usageErrorf("\"--format %s\" cannot be combined with \"--output\", which writes YAML files", opts.Format)
	}
	if opts.Force && opts.Output == "" {
		return usageErrorf("\"--force\" needs \"--output\"")
	}
	man, err := opts.Spec.generate(opts.IO.In)
	if err != nil {
		return err
	}
	if opts.Output != "" {
		files := man.Files()
		return writeDir(opts.IO.ErrOut, opts.Output, files, opts.Force)
	}
	out := man.YAML()
	if opts.Format == formatJSON {
		if out, err = man.JSON(); err != nil {
			return err
		}
	}
	_, err = opts.IO.Out.Write(out)
	return err
}
