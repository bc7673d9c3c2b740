package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/prompter"
	"github.com/headless-k8s/headless/internal/wizard"
	"github.com/headless-k8s/headless/internal/writer"
	"github.com/headless-k8s/headless/presets"
)

// initDefaultPreset is the database init pre-selects, the one the README's
// walk-through accepts.
const initDefaultPreset = "mongodb"

// errNotTerminal is the whole message when init cannot prompt.
func errNotTerminal() error {
	return errors.New(cmdText(`init needs an interactive terminal; use "headless generate" with flags`))
}

// InitOptions are the inputs of `headless init`.
type InitOptions struct {
	IO *IOStreams
	// Prompter asks the questions; nil means the terminal's.
	Prompter prompter.Prompter
	Spec     specFlags
	// Format is the -o format of standard output; Output the --output-dir
	// directory ("-" for standard output, "" to ask).
	Format string
	Output string
	Force  bool
	Save   string

	out outputFlags
}

// NewCmdInit builds `headless init`. runF replaces initRun in tests of flag
// parsing.
func NewCmdInit(io *IOStreams, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: io}
	cmd := &cobra.Command{
		Use:     "init",
		Aliases: []string{"wizard"},
		Short:   "Answer a few questions and get the manifests (interactive generate)",
		Long: `Ask for the database, name, namespace, mode, replicas, port and storage, show the
objects and the DNS name every pod will get, then write the manifests.

Flags of "headless generate" given here answer their questions in advance.
Afterwards init prints the equivalent "headless generate" command; --save also
writes the answers as a spec file for "headless generate -f".

init needs a terminal; in scripts and CI use "headless generate".`,
		Example: `  headless init
  headless init --preset postgresql --namespace data
  headless init --save headless.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, dir, err := opts.out.resolve(io.ErrOut)
			if err != nil {
				return err
			}
			opts.Format, opts.Output = format, dir
			if err := refuseEmpty(cmd, "save", "leave it out to save no spec file"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	opts.Spec.register(cmd)
	opts.out.register(cmd, []string{formatYAML, formatJSON}, true,
		"write the files into `dir` (- for standard output) instead of asking")
	opts.out.emptyDir = "give - for standard output, or leave it out to be asked"
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite files in a non-empty output directory")
	cmd.Flags().StringVar(&opts.Save, "save", "", "also write the answers as a spec `file` for \"headless generate -f\"")
	return cmd
}

func initRun(opts *InitOptions) error {
	io := opts.IO
	p := opts.Prompter
	if p == nil {
		in, inOK := io.In.(*os.File)
		out, outOK := io.Out.(*os.File)
		errOut, errOK := io.ErrOut.(*os.File)
		if !io.CanPrompt() || !inOK || !outOK || !errOK {
			return &UsageError{Err: errNotTerminal()}
		}
		p = prompter.NewTerminal(in, out, errOut)
	}
	if opts.Format == formatJSON {
		// JSON is printed, never written as files: the destination is
		// answered.
		if opts.Output != "" && opts.Output != "-" {
			return usageErrorf("\"-o %s\" cannot be combined with \"--output-dir\", which writes YAML files", opts.Format)
		}
		opts.Output = "-"
	}
	given, err := opts.Spec.spec(io.In)
	if err != nil {
		return err
	}
	if err := checkGiven(&opts.Spec, given); err != nil {
		return err
	}
	if opts.Output != "" && opts.Output != "-" {
		if err := writer.CheckDir(opts.Output, opts.Force); err != nil {
			return &UsageError{Err: err}
		}
	}
	if opts.Save != "" {
		if err := checkSave(opts.Save, opts.Force); err != nil {
			return &UsageError{Err: err}
		}
	}
	w := &wizard.Wizard{
		Prompter:      p,
		Given:         given,
		DefaultPreset: initDefaultPreset,
		Output:        opts.Output,
		CheckDir:      func(dir string) error { return writer.CheckDir(dir, opts.Force) },
		Summary:       io.ErrOut,
	}
	res, err := w.Run()
	if err != nil {
		return opts.Spec.explain(err)
	}
	printWarnings(io.ErrOut, res.Manifest.Model)
	// Everything is rendered and checked; now write, spec file last so that
	// a failure leaves no spec describing files that do not exist.
	if res.Output == "" {
		out := res.Manifest.YAML()
		if opts.Format == formatJSON {
			if out, err = res.Manifest.JSON(); err != nil {
				return err
			}
		}
		if _, err := io.Out.Write(out); err != nil {
			return err
		}
	} else {
		files := res.Manifest.Files()
		if err := writeDir(io.ErrOut, res.Output, files, opts.Force); err != nil {
			return err
		}
	}
	if opts.Save != "" {
		if err := saveSpec(opts.Save, res.Spec); err != nil {
			return &UsageError{Err: err}
		}
		fmt.Fprintf(io.ErrOut, "saved the answers to %s; \"%s generate -f %s\" reproduces this output\n", opts.Save, commandName, shellQuote(opts.Save))
	}
	same := GenerateCommand(res.Spec, opts.Format, res.Output, opts.Force)
	fmt.Fprintf(io.ErrOut, "\nThe same without questions:\n  %s\n", same)
	writeNextSteps(io.ErrOut, res.Manifest.Model, res.Output, same)
	return nil
}

// writeNextSteps tells how the database scales, from its preset, and ends
// with the exact commands to run next: apply, then check with doctor.
func writeNextSteps(w io.Writer, m *generator.Model, dir, same string) {
	fmt.Fprintf(w, "\nScaling %s:\n", m.Preset.Name)
	scale := m.Preset.ScaleText(presets.ScaleValues{Name: m.Name, Namespace: m.Namespace, Service: m.ServiceName,
		Domain: m.ClusterDomain, Secret: m.SecretName(), Port: m.Port})
	if scale == "" {
		scale = "the preset describes no procedure. Changing --replicas adds or removes pods; whether the\n" +
			"database takes the new members in, or lets the removed ones go, is up to it: check its documentation first."
	}
	for line := range strings.SplitSeq(scale, "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintln(w, "\nNext:")
	if m.Namespace != generator.DefaultNamespace {
		fmt.Fprintf(w, "  kubectl create namespace %s   # unless it exists\n", m.Namespace)
	}
	if cmd := wizard.SecretCommand(m); cmd != "" {
		fmt.Fprintf(w, "  %s\n", cmd)
	}
	if dir == "" {
		fmt.Fprintf(w, "  %s | kubectl apply -f -\n", same)
	} else {
		fmt.Fprintf(w, "  kubectl apply -k %s\n", shellQuote(dir))
	}
	fmt.Fprintf(w, "  %s doctor -n %s   # once the pods run: is every pod's DNS name published?\n", commandName, m.Namespace)
}

// checkGiven validates the values given as flags before any question, so a
// bad flag fails as it would for generate. Errors about values still to be
// asked are left to their questions.
func checkGiven(sf *specFlags, given generator.Spec) error {
	if given.Preset == "" {
		return nil // asked first; nothing else can be checked without it
	}
	_, err := given.Resolve()
	var fe *generator.FieldError
	if errors.As(err, &fe) && !slices.Contains(generator.SetFields(given), fe.Field) {
		return nil
	}
	return sf.explain(err)
}

// checkSave refuses to overwrite an existing spec file without force, and
// refuses what saveSpec could not replace.
func checkSave(path string, force bool) error {
	target, err := saveTarget(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(target); err == nil && !force {
		return fmt.Errorf("spec file %s exists; choose another name or use --force", path)
	}
	return nil
}

// saveTarget returns the file saveSpec replaces for path: path itself, or
// the file a symbolic link at path points to. As with --output, a link is
// written through and stays a link. A dangling link, and a directory or
// anything else that is not a regular file, is an error.
func saveTarget(path string) (string, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path, nil
	case err != nil:
		return "", fmt.Errorf("spec file %s: %w", path, unwrapPathErr(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			link, _ := os.Readlink(path)
			return "", fmt.Errorf("spec file %s is a symbolic link to %s, which does not exist; create it or give another name", path, link)
		}
		if st, err := os.Stat(target); err != nil || !st.Mode().IsRegular() {
			return "", fmt.Errorf("spec file %s is a symbolic link to %s, which is not a regular file", path, target)
		}
		return target, nil
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("spec file %s exists and is not a regular file", path)
	}
	return path, nil
}

// saveSpec writes the spec file atomically: a temporary file beside it,
// synced, then renamed over it (over the target of a link at path).
func saveSpec(path string, s generator.Spec) error {
	target, err := saveTarget(path)
	if err != nil {
		return err
	}
	body, err := yaml.Marshal(s)
	if err != nil {
		return err
	}
	data := append([]byte(cmdText("# headless spec file, written by \"headless init\".\n# Reproduce the output with: headless generate -f "+filepath.Base(path)+"\n")), body...)
	tmp, err := os.CreateTemp(filepath.Dir(target), ".headless-spec-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPathErr(err))
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr, os.Chmod(tmp.Name(), 0o644), os.Rename(tmp.Name(), target)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// GenerateCommand is the `headless generate` command line that produces the
// same output as the Spec, with every value quoted for a POSIX shell: the
// flag of each field the Spec sets, in generator.FieldsInCommandOrder, then
// -o when the format is not YAML and --output-dir when output names a
// directory.
func GenerateCommand(s generator.Spec, format, output string, force bool) string {
	args := []string{commandName, "generate"}
	for _, f := range generator.FieldsInCommandOrder() {
		for _, v := range f.Args(&s) {
			if f.Kind == generator.KindBool {
				args = append(args, "--"+f.Flag+"="+v) // a boolean flag takes its value only after "="
			} else {
				args = append(args, "--"+f.Flag, shellQuote(v))
			}
		}
	}
	if format != "" && format != formatYAML {
		args = append(args, "-o", shellQuote(format))
	}
	if output != "" {
		args = append(args, "--output-dir", shellQuote(output))
		if force {
			args = append(args, "--force")
		}
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// characters that are always safe.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
