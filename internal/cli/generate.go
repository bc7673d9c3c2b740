package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/headless-k8s/headless/generator"
)

// GenerateOptions are the inputs of `headless generate`.
type GenerateOptions struct {
	IO   *IOStreams
	Spec specFlags
	// Format is the -o format; Output the --output-dir directory, "" or
	// "-" for standard output.
	Format string
	Output string
	Force  bool

	out outputFlags
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
  headless generate --preset redis --mode pods --output-dir ./redis
  headless generate --preset etcd -o json
  headless generate -f spec.yaml --replicas 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, dir, err := opts.out.resolve(io.ErrOut)
			if err != nil {
				return err
			}
			opts.Format, opts.Output = format, dir
			if runF != nil {
				return runF(opts)
			}
			return generateRun(opts)
		},
	}
	opts.Spec.register(cmd)
	opts.out.register(cmd, []string{formatYAML, formatJSON}, true,
		"write one file per object and a kustomization.yaml into `dir` instead of stdout (- for stdout)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "with --output-dir, overwrite files in a non-empty directory")
	return cmd
}

func generateRun(opts *GenerateOptions) error {
	if opts.Output == "-" {
		// As for init and -f: "-" is standard output, never a directory named "-".
		opts.Output = ""
		if opts.Force {
			return usageErrorf("\"--force\" needs \"--output-dir\" with a directory, not -")
		}
	}
	if opts.Format != formatYAML && opts.Format != formatJSON {
		return usageErrorf("invalid argument %s for \"-o, --output\" flag: must be one of yaml, json", generator.QuoteValue(opts.Format))
	}
	if opts.Output != "" && opts.Format != formatYAML {
		return usageErrorf("\"-o %s\" cannot be combined with \"--output-dir\", which writes YAML files", opts.Format)
	}
	if opts.Force && opts.Output == "" {
		return usageErrorf("\"--force\" needs \"--output-dir\"")
	}
	man, err := opts.Spec.generate(opts.IO.In)
	if err != nil {
		return err
	}
	printWarnings(opts.IO.ErrOut, man.Model)
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

// printWarnings prints the Model's warnings on w, one line each.
func printWarnings(w io.Writer, m *generator.Model) {
	for _, text := range m.Warnings {
		fmt.Fprintf(w, "warning: %s\n", text)
	}
}
