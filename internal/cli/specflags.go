package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/headless-k8s/headless/generator"
)

// specFlags binds the flags that describe a Spec, one for each of
// generator.Fields plus --file, shared by every command that generates
// (generate, init, dns).
type specFlags struct {
	file string

	flags *pflag.FlagSet
	// fromFile holds the fields the spec file set that no flag overrode,
	// so that an error can say where the bad value came from.
	fromFile map[string]bool
}

// intFlag is an integer flag whose parse error says what is allowed.
type intFlag struct {
	v     int
	field string // the generator.Field's key
}

func (f *intFlag) String() string { return strconv.Itoa(f.v) }
func (f *intFlag) Type() string   { return "int" }
func (f *intFlag) Set(s string) error {
	n, err := generator.ParseInt(f.field, s)
	var fe *generator.FieldError
	if errors.As(err, &fe) {
		return errors.New(fe.Reason) // pflag names the flag and the value
	}
	if err != nil {
		return err
	}
	f.v = n
	return nil
}

// register defines --file and a flag for each of generator.Fields, of the
// pflag type of its kind, with its default when that is fixed.
func (sf *specFlags) register(fs *pflag.FlagSet) {
	sf.flags = fs
	fs.StringVarP(&sf.file, "file", "f", "", "read the spec from a YAML `file` (- for stdin); flags override it")
	for _, f := range generator.Fields {
		switch f.Kind {
		case generator.KindString:
			fs.StringP(f.Flag, f.Shorthand, f.Fixed, f.Usage)
		case generator.KindInt:
			v := &intFlag{field: f.Key}
			if f.Fixed != "" {
				if err := v.Set(f.Fixed); err != nil {
					panic(fmt.Sprintf("flag --%s: default %q: %v", f.Flag, f.Fixed, err))
				}
			}
			fs.VarP(v, f.Flag, f.Shorthand, f.Usage)
		case generator.KindBool:
			fs.BoolP(f.Flag, f.Shorthand, f.Fixed == "true", f.Usage)
		case generator.KindLabels, generator.KindList:
			fs.StringArrayP(f.Flag, f.Shorthand, nil, f.Usage)
		default:
			panic(fmt.Sprintf("flag --%s: no flag type for kind %d", f.Flag, f.Kind))
		}
	}
}

// value returns the text of the flag of the field with the spec-file key.
func (sf *specFlags) value(key string) string {
	return sf.flags.Lookup(flagOf(key)).Value.String()
}

// generatedOnly returns the first flag given that only describes a Spec
// to generate: --file, or a field's flag other than --cluster-domain, which
// also tells the domain that given manifests' names are under. It returns
// "" when there is none.
func (sf *specFlags) generatedOnly() string {
	if sf.flags.Changed("file") {
		return "file"
	}
	for _, f := range generator.Fields {
		if f.Key != generator.FieldClusterDomain && sf.flags.Changed(f.Flag) {
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
	sf.fromFile = map[string]bool{}
	if sf.file != "" {
		var err error
		if s, err = readSpecFile(sf.file, stdin); err != nil {
			return s, err
		}
		for _, key := range generator.SetFields(s) {
			sf.fromFile[key] = true
		}
	}
	for _, f := range generator.Fields {
		flag := sf.flags.Lookup(f.Flag)
		if !flag.Changed {
			continue
		}
		delete(sf.fromFile, f.Key)
		args := []string{flag.Value.String()}
		if f.Kind == generator.KindLabels || f.Kind == generator.KindList {
			args, _ = sf.flags.GetStringArray(f.Flag)
		}
		for _, arg := range args {
			if err := f.Set(&s, arg); err != nil {
				return s, sf.explain(err)
			}
		}
	}
	// An empty string given on purpose is invalid, not "the default".
	for _, f := range generator.Fields {
		if flag := sf.flags.Lookup(f.Flag); f.Kind == generator.KindString && !f.EmptyIsDefault && flag.Changed && flag.Value.String() == "" {
			return s, usageErrorf("invalid argument \"\" for \"--%s\" flag: must not be empty", f.Flag)
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
// flag, or the spec file and key, the value came from.
func (sf *specFlags) explain(err error) error {
	var fe *generator.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	if fe.Value == "" && strings.HasPrefix(fe.Reason, "is required") {
		if sf.file != "" {
			return usageErrorf("%q %s; set it in the spec file or with \"--%s\"", fe.Field, fe.Reason, flagOf(fe.Field))
		}
		return usageErrorf("\"--%s\" flag %s", flagOf(fe.Field), fe.Reason)
	}
	if sf.fromFile[fe.Field] {
		return usageErrorf("invalid value %q for %q in %s: %s", fe.Value, fe.Field, sf.file, fe.Reason)
	}
	return usageErrorf("invalid argument %q for \"--%s\" flag: %s", fe.Value, flagOf(fe.Field), fe.Reason)
}

var jsonErrPrefix = regexp.MustCompile(`^(error unmarshaling JSON: )?(while decoding JSON: )?(json: )?`)

// readSpecFile decodes a spec file strictly: unknown keys and values of the
// wrong type are errors naming the file.
func readSpecFile(path string, stdin io.Reader) (generator.Spec, error) {
	var (
		s    generator.Spec
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return s, usageErrorf("reading spec file: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return s, usageErrorf("spec file %s is empty", path)
	}
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		msg := jsonErrPrefix.ReplaceAllString(err.Error(), "")
		msg = strings.ReplaceAll(msg, "Go struct field Spec.", "")
		return s, usageErrorf("spec file %s: %s (keys: %s)", path, msg, strings.Join(specKeys(), ", "))
	}
	return s, nil
}

// specKeys lists the spec file's keys, in the order of generator.Fields.
func specKeys() []string {
	keys := make([]string, len(generator.Fields))
	for i, f := range generator.Fields {
		keys[i] = f.Key
	}
	return keys
}
