package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/headless-k8s/headless/generator"
)

// specFlags binds the flags that describe a Spec, one for each of
// generator.Fields plus --file, shared by every command that generates
// (generate, init, dns).
type specFlags struct {
	file string

	flags *pflag.FlagSet
	// fromFile holds the line of each field the spec file set that no flag
	// overrode, so that an error can say where the bad value came from.
	fromFile map[string]int
	// fileLabels holds the labels the spec file set that no -l flag
	// replaced: -l adds to the file's labels, so a bad label may come from
	// either.
	fileLabels map[string]string
}

// textFlag holds the text of an int or bool flag as given. It is parsed by
// generator.Field.Set when the Spec is built, so that a bad value is a
// *generator.FieldError explained like every other (pflag's own parse
// errors echo the whole value and name Go functions).
type textFlag struct {
	text   string
	isBool bool
}

func (f *textFlag) String() string { return f.text }
func (f *textFlag) Type() string {
	if f.isBool {
		return "bool"
	}
	return "int"
}
func (f *textFlag) Set(s string) error { f.text = s; return nil }

// IsBoolFlag lets a bool flag be given without a value (--client-service).
func (f *textFlag) IsBoolFlag() bool { return f.isBool }

// register defines --file and a flag for each of generator.Fields, of the
// pflag type of its kind, with its default when that is fixed, and the
// shell completion of the fields that list their values.
func (sf *specFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	sf.flags = fs
	fs.StringVarP(&sf.file, "file", "f", "", "read the spec from a YAML `file` (- for stdin); flags override it")
	for _, f := range generator.Fields {
		switch f.Kind {
		case generator.KindString:
			fs.StringP(f.Flag, f.Shorthand, f.Fixed, f.Usage)
		case generator.KindInt:
			fs.VarP(&textFlag{text: or(f.Fixed, "0")}, f.Flag, f.Shorthand, f.Usage)
		case generator.KindBool:
			fs.VarPF(&textFlag{text: or(f.Fixed, "false"), isBool: true}, f.Flag, f.Shorthand, f.Usage).NoOptDefVal = "true"
		case generator.KindLabels, generator.KindList:
			fs.StringArrayP(f.Flag, f.Shorthand, nil, f.Usage)
		default:
			panic(fmt.Sprintf("flag --%s: no flag type for kind %d", f.Flag, f.Kind))
		}
		if f.Values != nil {
			values := f.Values
			_ = cmd.RegisterFlagCompletionFunc(f.Flag, func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
				return values(), cobra.ShellCompDirectiveNoFileComp
			})
		}
	}
	_ = cmd.MarkFlagFilename("file", "yaml", "yml", "json")
}

// value returns the text of the flag of the field with the spec-file key.
func (sf *specFlags) value(key string) string {
	return sf.flags.Lookup(flagOf(key)).Value.String()
}

// generatedOnly returns the first flag given that only describes a Spec
// to generate: --file, or a field's flag other than --cluster-domain, which
// also tells the domain that given manifests' names are under, and
// --namespace, the namespace of given objects that name none. It returns ""
// when there is none.
func (sf *specFlags) generatedOnly() string {
	if sf.flags.Changed("file") {
		return "file"
	}
	for _, f := range generator.Fields {
		if f.Key != generator.FieldClusterDomain && f.Key != generator.FieldNamespace && sf.flags.Changed(f.Flag) {
			return f.Flag
		}
	}
	return ""
}

// flagOf returns the flag name of the field with the spec-file key.
func flagOf(key string) string {
	if f := generator.LookupField(key); f != nil {
		return f.Flag
	}
	return key
}

// spec builds the Spec: the spec file's fields, overridden by the flags the
// user set. A flag left at its default does not override the file; labels
// given as flags are added to the file's.
func (sf *specFlags) spec(stdin io.Reader) (generator.Spec, error) {
	var s generator.Spec
	sf.fromFile = map[string]int{}
	if sf.file != "" {
		var (
			lines map[string]int
			err   error
		)
		if s, lines, err = readSpecFile(sf.file, stdin); err != nil {
			return s, err
		}
		sf.fromFile = lines
		sf.fileLabels = maps.Clone(s.Labels)
	}
	for _, f := range generator.Fields {
		flag := sf.flags.Lookup(f.Flag)
		if !flag.Changed {
			continue
		}
		args := []string{flag.Value.String()}
		if f.Kind == generator.KindLabels || f.Kind == generator.KindList {
			args, _ = sf.flags.GetStringArray(f.Flag)
		}
		if f.Kind == generator.KindLabels {
			for _, arg := range args {
				k, _, _ := strings.Cut(arg, "=")
				delete(sf.fileLabels, k)
			}
		} else {
			delete(sf.fromFile, f.Key)
		}
		// An empty string given on purpose is invalid, not "the default".
		if f.Kind == generator.KindString && !f.EmptyIsDefault && args[0] == "" {
			return s, usageErrorf("invalid argument \"\" for \"--%s\" flag: must not be empty", f.Flag)
		}
		for _, arg := range args {
			if err := f.Set(&s, arg); err != nil {
				return s, sf.explain(err)
			}
		}
	}
	return s, nil
}

// generate builds and validates the Spec, explaining a bad value by the
// flag or spec-file key it came from, and renders it.
func (sf *specFlags) generate(stdin io.Reader) (*generator.Manifest, error) {
	s, err := sf.spec(stdin)
	if err != nil {
		return nil, err
	}
	m, err := s.Resolve()
	if err != nil {
		return nil, sf.explain(err)
	}
	return generator.Render(m)
}

// explain turns a *generator.FieldError into a usage error that names the
// flag, or the spec file, line and key, the value came from.
func (sf *specFlags) explain(err error) error {
	var fe *generator.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	value := generator.QuoteValue(fe.Value)
	if fe.Value == "" && strings.HasPrefix(fe.Reason, "is required") {
		if sf.file != "" {
			return usageErrorf("%q %s; set it in the spec file or with \"--%s\"", fe.Field, fe.Reason, flagOf(fe.Field))
		}
		return usageErrorf("\"--%s\" flag %s", flagOf(fe.Field), fe.Reason)
	}
	if line, ok := sf.fromFile[fe.Field]; ok && (fe.Field != generator.FieldLabels || sf.labelFromFile(fe.Value)) {
		return usageErrorf("invalid value %s for %q in %s, line %d: %s", value, fe.Field, sf.file, line, fe.Reason)
	}
	return usageErrorf("invalid argument %s for \"--%s\" flag: %s", value, flagOf(fe.Field), fe.Reason)
}

// labelFromFile reports whether the labels FieldError's value is about the
// spec file's labels: one of them as key=value, or their number when no
// flag added any.
func (sf *specFlags) labelFromFile(value string) bool {
	for k, v := range sf.fileLabels {
		if value == k+"="+v {
			return true
		}
	}
	return !sf.flags.Changed(flagOf(generator.FieldLabels)) && !strings.Contains(value, "=")
}

// readSpecFile reads a spec file, at most generator.MaxSpecFile bytes of
// it, and decodes it with generator.DecodeSpec. Every error names the file.
func readSpecFile(path string, stdin io.Reader) (generator.Spec, map[string]int, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return generator.Spec{}, nil, usageErrorf("reading spec file: %v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, generator.MaxSpecFile+1))
	if err != nil {
		return generator.Spec{}, nil, usageErrorf("reading spec file %s: %v", path, unwrapPathErr(err))
	}
	s, lines, err := generator.DecodeSpec(data)
	var se *generator.SpecError
	if !errors.As(err, &se) {
		return s, lines, err
	}
	var fe *generator.FieldError
	switch {
	case errors.As(se.Err, &fe):
		return s, nil, usageErrorf("invalid value %s for %q in %s, line %d: %s", generator.QuoteValue(fe.Value), fe.Field, path, se.Line, fe.Reason)
	case se.Line > 0:
		return s, nil, usageErrorf("spec file %s, line %d: %v", path, se.Line, se.Err)
	}
	return s, nil, usageErrorf("spec file %s %v", path, se.Err)
}

// unwrapPathErr drops the *PathError wrapper, whose path the message names.
func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
