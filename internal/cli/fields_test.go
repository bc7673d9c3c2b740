package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/presets"
)

// These tests walk generator.Fields: every field must have a flag on every
// command that takes a spec, a spec-file key, and survive the printed
// command and the spec file. A field added to the table is covered without
// a new test; a field with no invalid example below fails TestFieldErrors.

// sample sets every field to a value other than its default.
func sample() generator.Spec {
	replicas, port, client, policy := 2, 7000, false, true
	return generator.Spec{Preset: "redis", Name: "cache", Namespace: "team-a", Replicas: &replicas, Port: &port,
		Mode: generator.ModePods, ServiceName: "cache-peers", Image: "registry.example:5000/redis:7.4.1", Storage: "20Gi",
		StorageClass: "fast", Ephemeral: &client, ClusterDomain: "corp.example", Labels: map[string]string{"tier": "cache", "team": "a"},
		ClientService: &client, NetworkPolicy: &policy, AllowFrom: []string{"pods:app=api", "namespaces:team=b/pods:app=web"},
		PVCRetention: "retain", Auth: &policy, CreateSecret: &client, Secret: "cache-auth", TLS: "cert-manager",
		Issuer: "Issuer/cache-ca"}
}

// only returns a Spec with the preset and the one field of s.
func only(s generator.Spec, f *generator.Field) generator.Spec {
	out := generator.Spec{Preset: s.Preset}
	for _, a := range f.Args(&s) {
		_ = f.Set(&out, a)
	}
	return out
}

func specCommands() map[string]*cobra.Command {
	io := &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	return map[string]*cobra.Command{"generate": NewCmdGenerate(io, nil), "init": NewCmdInit(io, nil), "dns": NewCmdDNS(io, nil)}
}

func TestFieldFlags(t *testing.T) {
	types := map[generator.Kind]string{generator.KindString: "string", generator.KindInt: "int",
		generator.KindBool: "bool", generator.KindLabels: "stringArray", generator.KindList: "stringArray"}
	for name, cmd := range specCommands() {
		for _, f := range generator.Fields {
			fl := cmd.Flags().Lookup(f.Flag)
			if fl == nil {
				t.Errorf("%s has no --%s flag for %s", name, f.Flag, f.Key)
				continue
			}
			def := f.Fixed
			switch {
			case def != "":
			case f.Kind == generator.KindInt:
				def = "0"
			case f.Kind == generator.KindBool:
				def = "false"
			case f.Kind == generator.KindLabels || f.Kind == generator.KindList:
				def = "[]"
			}
			if fl.Shorthand != f.Shorthand || fl.Usage != f.Usage || fl.DefValue != def || fl.Value.Type() != types[f.Kind] {
				t.Errorf("%s --%s: shorthand %q, usage %q, default %q, type %s; want %q, %q, %q, %s", name, f.Flag,
					fl.Shorthand, fl.Usage, fl.DefValue, fl.Value.Type(), f.Shorthand, f.Usage, def, types[f.Kind])
			}
		}
	}
}

// parseGenerate parses generate's flags and returns the Spec they give.
func parseGenerate(t *testing.T, stdin string, args ...string) (generator.Spec, error) {
	t.Helper()
	var got *GenerateOptions
	io := &IOStreams{In: strings.NewReader(stdin), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	cmd := NewCmdGenerate(io, func(o *GenerateOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.ErrOut)
	cmd.SetErr(io.ErrOut)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("generate %q: %v", args, err)
	}
	return got.Spec.spec(io.In)
}

// TestFieldsThroughPrintedCommand checks that the command init prints gives
// back the Spec it was printed from, one field at a time and all at once.
func TestFieldsThroughPrintedCommand(t *testing.T) {
	specs := map[string]generator.Spec{"every field": sample()}
	for _, f := range generator.Fields {
		specs[f.Key] = only(sample(), f)
	}
	for name, s := range specs {
		line := GenerateCommand(s, "", "", false)
		args := shellSplit(t, line)
		if len(args) < 2 || args[0] != "headless" || args[1] != "generate" {
			t.Fatalf("%s: %s", name, line)
		}
		got, err := parseGenerate(t, "", args[2:]...)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("%s: %s gives %+v, %v; want %+v", name, line, got, err, s)
		}
	}
}

// TestPrintedCommandOrder pins the printed command of a Spec that sets
// every field: it follows the wizard's questions.
func TestPrintedCommandOrder(t *testing.T) {
	want := "headless generate --preset redis --name cache --namespace team-a --mode pods --replicas 2 --port 7000" +
		" --storage 20Gi --storage-class fast --ephemeral=false --image registry.example:5000/redis:7.4.1 --service-name cache-peers" +
		" --cluster-domain corp.example --client-service=false --label team=a --label tier=cache --network-policy=true" +
		" --allow-from pods:app=api --allow-from namespaces:team=b/pods:app=web --pvc-retention retain --auth=true" +
		" --create-secret=false --secret cache-auth --tls cert-manager --issuer Issuer/cache-ca --output-dir 'a dir' --force"
	if got := GenerateCommand(sample(), "", "a dir", true); got != want {
		t.Errorf("GenerateCommand =\n%s\nwant\n%s", got, want)
	}
	if got, want := GenerateCommand(generator.Spec{Preset: "redis"}, "", "", true), "headless generate --preset redis"; got != want {
		t.Errorf("GenerateCommand = %s, want %s (no --force without --output-dir)", got, want)
	}
}

// TestFieldsThroughSpecFile checks that a spec file written by init --save
// reads back as the same Spec, that each field is under its key, and that
// a flag overrides the file's value (labels: adds to them).
func TestFieldsThroughSpecFile(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.yaml")
	if err := saveSpec(full, sample()); err != nil {
		t.Fatal(err)
	}
	if got, _, err := readSpecFile(full, nil); err != nil || !reflect.DeepEqual(got, sample()) {
		t.Errorf("spec file gives %+v, %v; want %+v", got, err, sample())
	}
	for _, f := range generator.Fields {
		s := only(sample(), f)
		body, err := yaml.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(body, []byte(f.Key+":")) && !bytes.Contains(body, []byte("\n"+f.Key+":")) {
			t.Errorf("%s is not under its key in the spec file:\n%s", f.Key, body)
		}
		// A flag given with the default overrides the file's value.
		def := f.Default(mustPreset(t, s.Preset))
		if def == "" || f.Kind == generator.KindLabels || f.Kind == generator.KindList {
			continue
		}
		got, err := parseGenerate(t, string(body), "-f", "-", "--"+f.Flag+"="+def)
		want := s
		_ = f.Set(&want, def)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: file overridden by --%s=%s gives %+v, %v; want %+v", f.Key, f.Flag, def, got, err, want)
		}
	}
	got, err := parseGenerate(t, "preset: redis\nlabels:\n  a: file\n  b: file\n", "-f", "-", "-l", "b=flag", "-l", "c=flag")
	if want := map[string]string{"a": "file", "b": "flag", "c": "flag"}; err != nil || !reflect.DeepEqual(got.Labels, want) {
		t.Errorf("labels %v, %v; want %v", got.Labels, err, want)
	}
	code, _, stderr := runCmd(t, "replica: 3\n", "generate", "-f", "-")
	var keys []string
	for _, f := range generator.Fields {
		keys = append(keys, f.Key)
	}
	if want := "(keys: " + strings.Join(keys, ", ") + ")\n"; code != ExitUsage || !strings.HasSuffix(stderr, want) {
		t.Errorf("unknown key: exit %d, %q; want it to end %q", code, stderr, want)
	}
}

func mustPreset(t *testing.T, name string) *presets.Preset {
	t.Helper()
	p, err := presets.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// invalid is a value Resolve rejects, for each field that has one.
var invalid = map[string]string{
	generator.FieldPreset:        "no-such-database",
	generator.FieldName:          "My_DB",
	generator.FieldNamespace:     "Data",
	generator.FieldReplicas:      "0",
	generator.FieldPort:          "70000",
	generator.FieldMode:          "deployment",
	generator.FieldServiceName:   "1svc",
	generator.FieldImage:         "mongo:latest",
	generator.FieldStorage:       "lots",
	generator.FieldStorageClass:  "Fast_SSD",
	generator.FieldClusterDomain: "cluster_local",
	generator.FieldLabels:        "team=a b",
	generator.FieldAllowFrom:     "app=api",
	generator.FieldPVCRetention:  "keep",
	generator.FieldSecret:        "Cache_Auth",
	generator.FieldTLS:           "vault",
	generator.FieldIssuer:        "Vault/ca",
}

// TestFieldErrors checks that a bad value is explained by its flag when a
// flag gave it and by its key when the spec file did, for every field.
func TestFieldErrors(t *testing.T) {
	for _, f := range generator.Fields {
		bad, ok := invalid[f.Key]
		if !ok {
			if f.Kind != generator.KindBool {
				t.Errorf("%s: no invalid example", f.Key)
			}
			continue // true and false are both valid
		}
		t.Run(f.Key, func(t *testing.T) {
			args := []string{"generate", "--" + f.Flag, bad}
			if f.Key != generator.FieldPreset {
				args = append(args, "--preset", "mongodb")
			}
			code, stdout, stderr := runCmd(t, "", args...)
			want := `error: invalid argument "` + bad + `" for "--` + f.Flag + `" flag: `
			if code != ExitUsage || stdout != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("flag: exit %d, stderr %q; want 2 and %q", code, stderr, want)
			}

			s := generator.Spec{Preset: "mongodb"}
			if err := f.Set(&s, bad); err != nil {
				t.Fatal(err)
			}
			body, _ := yaml.Marshal(s)
			file := filepath.Join(t.TempDir(), "spec.yaml")
			if err := os.WriteFile(file, body, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr = runCmd(t, "", "generate", "-f", file)
			want = `error: invalid value "` + bad + `" for "` + f.Key + `" in ` + file + ", line "
			if code != ExitUsage || stdout != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("spec file: exit %d, stderr %q; want 2 and %q", code, stderr, want)
			}
		})
	}
}

// TestFieldEmptyValues checks the string flags given an empty value on
// purpose: a mistake, unless the field says empty means its default.
func TestFieldEmptyValues(t *testing.T) {
	for _, f := range generator.Fields {
		if f.Kind != generator.KindString {
			continue
		}
		args := []string{"generate", "--" + f.Flag + "="}
		if f.Key != generator.FieldPreset {
			args = append(args, "--preset", "mongodb")
		}
		code, _, stderr := runCmd(t, "", args...)
		if f.EmptyIsDefault {
			if code != ExitOK {
				t.Errorf("--%s= : exit %d, %q; want the default", f.Flag, code, stderr)
			}
			continue
		}
		if want := "error: invalid argument \"\" for \"--" + f.Flag + "\" flag: must not be empty\n"; code != ExitUsage || stderr != want {
			t.Errorf("--%s= : exit %d, %q; want 2, %q", f.Flag, code, stderr, want)
		}
	}
}

// TestDNSRefusesSpecFlagsWithPaths checks that every spec flag but the
// cluster domain and the namespace (where objects without one go, as with
// kubectl) is refused next to manifests.
func TestDNSRefusesSpecFlagsWithPaths(t *testing.T) {
	input := filepath.Join("testdata", "dns-input.yaml")
	for _, f := range generator.Fields {
		arg := "--" + f.Flag + "=" + f.Default(mustPreset(t, "mongodb"))
		if f.Kind == generator.KindLabels {
			arg = "--" + f.Flag + "=a=b"
		}
		code, _, stderr := runCmd(t, "", "dns", input, arg)
		if f.Key == generator.FieldClusterDomain || f.Key == generator.FieldNamespace {
			if code != ExitOK {
				t.Errorf("%s: exit %d, %q", arg, code, stderr)
			}
			continue
		}
		want := "error: \"--" + f.Flag + "\" describes a generated spec; it cannot be combined with PATH arguments\n"
		if code != ExitUsage || stderr != want {
			t.Errorf("%s: exit %d, %q; want 2, %q", arg, code, stderr, want)
		}
	}
}

// keysOfFields lists the spec file's keys in the order of generator.Fields.
func keysOfFields() []string {
	keys := make([]string, len(generator.Fields))
	for i, f := range generator.Fields {
		keys[i] = f.Key
	}
	return keys
}
