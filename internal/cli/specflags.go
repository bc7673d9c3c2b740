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
	"github.com/headless-k8s/headless/presets"
)

// flagOf maps each Spec field to its flag. The spec file uses the field names.
var flagOf = map[string]string{
	generator.FieldPreset:        "preset",
	generator.FieldName:          "name",
	generator.FieldNamespace:     "namespace",
	generator.FieldReplicas:      "replicas",
	generator.FieldPort:          "port",
	generator.FieldMode:          "mode",
	generator.FieldServiceName:   "service-name",
	generator.FieldImage:         "image",
	generator.FieldStorage:       "storage",
	generator.FieldStorageClass:  "storage-class",
	generator.FieldClusterDomain: "cluster-domain",
	generator.FieldLabels:        "label",
	generator.FieldClientService: "client-service",
}

// specFlags binds the flags that describe a Spec, shared by every command
// that generates (generate, init, dns).
type specFlags struct {
	file          string
	preset        string
	name          string
	namespace     string
	replicas      intFlag
	port          intFlag
	mode          string
	serviceName   string
	image         string
	storage       string
	storageClass  string
	clusterDomain string
	labels        []string
	clientService bool

	flags *pflag.FlagSet
	// fromFile holds the fields the spec file set that no flag overrode,
	// so that an error can say where the bad value came from.
	fromFile map[string]bool
}

// intFlag is an integer flag whose parse error says what is allowed.
type intFlag struct {
	v     int
	field string // generator.FieldReplicas or generator.FieldPort
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

func (sf *specFlags) register(fs *pflag.FlagSet) {
	sf.flags = fs
	sf.replicas = intFlag{v: generator.DefaultReplicas, field: generator.FieldReplicas}
	sf.port = intFlag{field: generator.FieldPort}
	fs.StringVarP(&sf.file, "file", "f", "", "read the spec from a YAML `file` (- for stdin); flags override it")
	fs.StringVarP(&sf.preset, "preset", "p", "", "database preset: "+strings.Join(presets.Names(), ", "))
	fs.StringVar(&sf.name, "name", "", "name of the workload and prefix of its pods (default: the preset's name)")
	fs.StringVarP(&sf.namespace, "namespace", "n", generator.DefaultNamespace, "namespace of every object")
	fs.Var(&sf.replicas, "replicas", fmt.Sprintf("number of pods, %d to %d", generator.MinReplicas, generator.MaxReplicas))
	fs.Var(&sf.port, "port", "database port (default: the preset's)")
	fs.StringVar(&sf.mode, "mode", string(generator.ModeStatefulSet), "how pods get DNS names: statefulset, or pods (hostname + subdomain)")
	fs.StringVar(&sf.serviceName, "service-name", "", "name of the headless Service (default: <name>"+generator.ServiceNameSuffix+")")
	fs.StringVar(&sf.image, "image", "", "container image, pinned to a tag or digest (default: the preset's)")
	fs.StringVar(&sf.storage, "storage", "", "size of each pod's data volume, or \"none\" (default: the preset's)")
	fs.StringVar(&sf.storageClass, "storage-class", "", "storage class of the data volumes (default: the cluster's)")
	fs.StringVar(&sf.clusterDomain, "cluster-domain", generator.DefaultClusterDomain, "the cluster's DNS domain")
	fs.StringArrayVarP(&sf.labels, "label", "l", nil, "extra `key=value` label on every object (repeatable)")
	fs.BoolVar(&sf.clientService, "client-service", false, "also generate a load-balanced client Service (default: the preset's)")
}

// spec builds the Spec: the spec file's fields, overridden by the flags the
// user set. A flag left at its default does not override the file.
func (sf *specFlags) spec(stdin io.Reader) (generator.Spec, error) {
	var s generator.Spec
	sf.fromFile = map[string]bool{}
	if sf.file != "" {
		var err error
		if s, err = readSpecFile(sf.file, stdin); err != nil {
			return s, err
		}
		for _, field := range setFields(s) {
			sf.fromFile[field] = true
		}
	}
	set := func(flag, field string, apply func()) {
		if sf.flags.Changed(flag) {
			apply()
			delete(sf.fromFile, field)
		}
	}
	set("preset", generator.FieldPreset, func() { s.Preset = sf.preset })
	set("name", generator.FieldName, func() { s.Name = sf.name })
	set("namespace", generator.FieldNamespace, func() { s.Namespace = sf.namespace })
	set("replicas", generator.FieldReplicas, func() { s.Replicas = &sf.replicas.v })
	set("port", generator.FieldPort, func() { s.Port = &sf.port.v })
	set("mode", generator.FieldMode, func() { s.Mode = generator.Mode(sf.mode) })
	set("service-name", generator.FieldServiceName, func() { s.ServiceName = sf.serviceName })
	set("image", generator.FieldImage, func() { s.Image = sf.image })
	set("storage", generator.FieldStorage, func() { s.Storage = sf.storage })
	set("storage-class", generator.FieldStorageClass, func() { s.StorageClass = sf.storageClass })
	set("cluster-domain", generator.FieldClusterDomain, func() { s.ClusterDomain = sf.clusterDomain })
	set("client-service", generator.FieldClientService, func() { s.ClientService = &sf.clientService })
	if sf.flags.Changed("label") {
		delete(sf.fromFile, generator.FieldLabels)
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		for _, arg := range sf.labels {
			k, v, err := generator.ParseLabel(arg)
			if err != nil {
				return s, sf.explain(err)
			}
			s.Labels[k] = v
		}
	}
	// An empty string given on purpose is invalid, not "the default".
	for _, flag := range []string{"preset", "name", "namespace", "mode", "service-name", "image", "storage", "cluster-domain"} {
		if f := sf.flags.Lookup(flag); f.Changed && f.Value.String() == "" {
			return s, usageErrorf("invalid argument \"\" for \"--%s\" flag: must not be empty", flag)
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
			return usageErrorf("%q %s; set it in the spec file or with \"--%s\"", fe.Field, fe.Reason, flagOf[fe.Field])
		}
		return usageErrorf("\"--%s\" flag %s", flagOf[fe.Field], fe.Reason)
	}
	if sf.fromFile[fe.Field] {
		return usageErrorf("invalid value %q for %q in %s: %s", fe.Value, fe.Field, sf.file, fe.Reason)
	}
	return usageErrorf("invalid argument %q for \"--%s\" flag: %s", fe.Value, flagOf[fe.Field], fe.Reason)
}

// setFields lists the Spec fields that hold a value, by spec-file key.
func setFields(s generator.Spec) []string {
	b, _ := yaml.Marshal(s)
	var m map[string]any
	_ = yaml.Unmarshal(b, &m)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
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

// specKeys lists the spec file's keys in flag order.
func specKeys() []string {
	return []string{generator.FieldPreset, generator.FieldName, generator.FieldNamespace, generator.FieldReplicas,
		generator.FieldPort, generator.FieldMode, generator.FieldServiceName, generator.FieldImage, generator.FieldStorage,
		generator.FieldStorageClass, generator.FieldClusterDomain, generator.FieldLabels, generator.FieldClientService}
}
