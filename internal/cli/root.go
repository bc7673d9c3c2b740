// Package cli implements the headless command line: one file per command,
// each with an Options struct, a NewCmdX constructor and an xRun function.
package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/headless-k8s/headless/generator"
)

// NewCmdRoot builds the headless command and its subcommands.
func NewCmdRoot(io *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "headless",
		Short: "Stable per-pod DNS names for replicated databases on Kubernetes",
		Long: `headless generates a headless Service plus a StatefulSet or N Pods, wired so that
every pod gets its own DNS name:

  <pod>.<service>.<namespace>.svc.<cluster-domain>

and each database preset connects its members through those names.`,
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetVersionTemplate(versionText())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	root.AddCommand(
		NewCmdGenerate(io, nil),
		NewCmdInit(io, nil),
		NewCmdLint(io, nil),
		NewCmdDNS(io, nil),
		NewCmdDoctor(io, nil),
		NewCmdPresets(io, nil),
		NewCmdVersion(io, nil),
	)
	strictCompletion(root)
	asPlugin(root)
	return root
}

// strictCompletion adds cobra's completion command now rather than when it
// runs, and makes an unknown shell a usage error. Otherwise cobra prints
// help and exits 0 for "headless completion nosh". Without a shell it
// prints the help that lists the shells.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	completion, _, err := root.Find([]string{"completion"})
	if err != nil || completion == root {
		return
	}
	var shells []string
	for _, c := range completion.Commands() {
		if c.Name() != "help" {
			shells = append(shells, c.Name())
		}
	}
	completion.Args = cobra.ArbitraryArgs
	completion.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return usageErrorf("unknown shell %s for \"%s completion\": must be one of %s",
			generator.QuoteValue(args[0]), commandName, strings.Join(shells, ", "))
	}
}

// refuseEmpty returns a usage error when the flag was given an empty
// value, which would otherwise silently mean "not given". instead says
// what to do.
func refuseEmpty(cmd *cobra.Command, flag, instead string) error {
	if f := cmd.Flags().Lookup(flag); f != nil && f.Changed && f.Value.String() == "" {
		return usageErrorf("invalid argument \"\" for \"--%s\" flag: must not be empty; %s", flag, instead)
	}
	return nil
}

// Run executes headless with args and returns the process exit code. Errors
// are printed on io.ErrOut; a panic is reported as an internal error.
func Run(args []string, io *IOStreams) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(io.ErrOut, "internal error: %v\nThis is a bug in headless; please report it with the command you ran.\n%s", r, debug.Stack())
			code = ExitInternal
		}
	}()
	root := NewCmdRoot(io)
	root.SetArgs(args)
	return exitCode(root.Execute(), io.ErrOut)
}
