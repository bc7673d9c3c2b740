package generator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/headless-k8s/headless/presets"
)

// Kind is the type of a Spec field's value, and how a flag gives it.
type Kind int

const (
	// KindString is a string; empty means not set.
	KindString Kind = iota
	// KindInt is an *int, given as decimal text; nil means not set.
	KindInt
	// KindBool is a *bool, given as true or false; nil means not set.
	KindBool
	// KindLabels is a map of labels; nil means not set. Each flag argument
	// adds one key=value.
	KindLabels
	// KindList is a list of strings; nil means not set. Each flag argument
	// adds one element.
	KindList
)

// Field describes one field of a Spec for everything that reads or writes a
// Spec from outside the generator: the spec file, the flags, the wizard and
// the command line `headless init` prints. Fields lists every field once;
// code that needs "each field" walks it instead of naming them.
type Field struct {
	// Key is the spec file's key: the Spec field's JSON name, one of the
	// Field constants, and FieldError.Field for errors about the field.
	Key string
	// Flag is the long flag name without dashes; Shorthand is its
	// one-letter form, or "".
	Flag, Shorthand string
	// Usage is the flag's help text.
	Usage string
	Kind  Kind
	// Fixed is the default of a field whose default depends neither on the
	// preset nor on other fields, as flag text. It is also the flag's
	// default value. It is "" for every other field.
	Fixed string
	// EmptyIsDefault says that an empty string given on purpose means the
	// default, as leaving the field out does (a storage class: the
	// cluster's default one). For the other string fields an empty value
	// given on purpose is a mistake.
	EmptyIsDefault bool
	// CommandOrder is the position of the field's flag in the `headless
	// generate` command line that `headless init` prints. It follows the
	// wizard's questions: the database, the main values, then the advanced
	// ones; the storage class, which is not asked, follows the storage, and
	// ephemeral, asked only for no storage, follows them.
	CommandOrder int
	// Values, when set, returns the values the flag takes, for shell
	// completion: each "value" or "value\tdescription". It is nil for
	// fields whose values are open.
	Values func() []string

	fromPreset func(*presets.Preset) string // the default taken from the preset, or nil
	str        func(*Spec) *string          // KindString
	num        func(*Spec) **int            // KindInt
	boolean    func(*Spec) **bool           // KindBool
	list       func(*Spec) *[]string        // KindList
	resolved   func(*Model) string
}

// Fields lists the Spec's fields in the order of the Spec type, which is
// the order of the spec file's keys in messages and of the flags.
var Fields = []*Field{
	{
		Key: FieldPreset, Flag: "preset", Shorthand: "p", Kind: KindString, CommandOrder: 0,
		Usage:    "database preset: " + strings.Join(presets.Names(), ", "),
		Values:   presetValues,
		str:      func(s *Spec) *string { return &s.Preset },
		resolved: func(m *Model) string { return m.Preset.Name },
	},
	{
		Key: FieldName, Flag: "name", Kind: KindString, CommandOrder: 1,
		Usage:      "name of the workload and prefix of its pods (default: the preset's name)",
		fromPreset: func(p *presets.Preset) string { return p.Name },
		str:        func(s *Spec) *string { return &s.Name },
		resolved:   func(m *Model) string { return m.Name },
	},
	{
		Key: FieldNamespace, Flag: "namespace", Shorthand: "n", Kind: KindString, CommandOrder: 2,
		Usage:    "namespace of every object",
		Fixed:    DefaultNamespace,
		str:      func(s *Spec) *string { return &s.Namespace },
		resolved: func(m *Model) string { return m.Namespace },
	},
	{
		Key: FieldReplicas, Flag: "replicas", Kind: KindInt, CommandOrder: 4,
		Usage:    fmt.Sprintf("number of pods, %d to %d", MinReplicas, MaxReplicas),
		Fixed:    strconv.Itoa(DefaultReplicas),
		num:      func(s *Spec) **int { return &s.Replicas },
		resolved: func(m *Model) string { return strconv.Itoa(m.Replicas) },
	},
	{
		Key: FieldPort, Flag: "port", Kind: KindInt, CommandOrder: 5,
		Usage:      "database port (default: the preset's)",
		fromPreset: func(p *presets.Preset) string { return strconv.Itoa(int(p.Port)) },
		num:        func(s *Spec) **int { return &s.Port },
		resolved:   func(m *Model) string { return strconv.Itoa(int(m.Port)) },
	},
	{
		Key: FieldMode, Flag: "mode", Kind: KindString, CommandOrder: 3,
		Usage: "how pods get DNS names: statefulset, or pods (hostname + subdomain)",
		Values: func() []string {
			return []string{string(ModeStatefulSet) + "\ta StatefulSet with serviceName", string(ModePods) + "\tPods with hostname and subdomain"}
		},
		Fixed:    string(ModeStatefulSet),
		str:      func(s *Spec) *string { return (*string)(&s.Mode) },
		resolved: func(m *Model) string { return string(m.Mode) },
	},
	{
		Key: FieldServiceName, Flag: "service-name", Kind: KindString, CommandOrder: 10,
		Usage:    "name of the headless Service (default: <name>" + ServiceNameSuffix + ")",
		str:      func(s *Spec) *string { return &s.ServiceName },
		resolved: func(m *Model) string { return m.ServiceName },
	},
	{
		Key: FieldImage, Flag: "image", Kind: KindString, CommandOrder: 9,
		Usage:      "container image, pinned to a tag or digest (default: the preset's)",
		fromPreset: func(p *presets.Preset) string { return p.Image },
		str:        func(s *Spec) *string { return &s.Image },
		resolved:   func(m *Model) string { return m.Image },
	},
	{
		Key: FieldStorage, Flag: "storage", Kind: KindString, CommandOrder: 6,
		Usage:      "size of each pod's data volume, or \"" + StorageNone + "\" (default: the preset's)",
		fromPreset: func(p *presets.Preset) string { return p.Storage },
		str:        func(s *Spec) *string { return &s.Storage },
		resolved: func(m *Model) string {
			if m.Storage == "" {
				return StorageNone
			}
			return m.Storage
		},
	},
	{
		Key: FieldStorageClass, Flag: "storage-class", Kind: KindString, CommandOrder: 7, EmptyIsDefault: true,
		Usage:    "storage class of the data volumes (default: the cluster's)",
		str:      func(s *Spec) *string { return &s.StorageClass },
		resolved: func(m *Model) string { return m.StorageClass },
	},
	{
		Key: FieldEphemeral, Flag: "ephemeral", Kind: KindBool, CommandOrder: 8,
		Usage:    "accept --storage " + StorageNone + " with more than one replica: the data lives only as long as each pod, and a restarted primary empties its replicas",
		Fixed:    "false",
		boolean:  func(s *Spec) **bool { return &s.Ephemeral },
		resolved: func(m *Model) string { return strconv.FormatBool(m.Ephemeral) },
	},
	{
		Key: FieldClusterDomain, Flag: "cluster-domain", Kind: KindString, CommandOrder: 11,
		Usage:    "the cluster's DNS domain",
		Fixed:    DefaultClusterDomain,
		str:      func(s *Spec) *string { return &s.ClusterDomain },
		resolved: func(m *Model) string { return m.ClusterDomain },
	},
	{
		Key: FieldLabels, Flag: "label", Shorthand: "l", Kind: KindLabels, CommandOrder: 13,
		Usage:    "extra `key=value` label on every object (repeatable)",
		resolved: func(m *Model) string { return strings.Join(labelArgs(m.ExtraLabels), ",") },
	},
	{
		Key: FieldClientService, Flag: "client-service", Kind: KindBool, CommandOrder: 12,
		Usage:      "also generate a load-balanced client Service (default: the preset's)",
		fromPreset: func(p *presets.Preset) string { return strconv.FormatBool(p.ClientService) },
		boolean:    func(s *Spec) **bool { return &s.ClientService },
		resolved:   func(m *Model) string { return strconv.FormatBool(m.ClientService) },
	},
	{
		Key: FieldNetworkPolicy, Flag: "network-policy", Kind: KindBool, CommandOrder: 14,
		Usage:    "generate a NetworkPolicy that lets in only the members and the clients of --allow-from",
		Fixed:    "true",
		boolean:  func(s *Spec) **bool { return &s.NetworkPolicy },
		resolved: func(m *Model) string { return strconv.FormatBool(m.NetworkPolicy) },
	},
	{
		Key: FieldAllowFrom, Flag: "allow-from", Kind: KindList, CommandOrder: 15,
		Usage: "clients the NetworkPolicy admits to the client port: `pods:k=v`, `namespaces:k=v` or " +
			"`namespaces:k=v/pods:k=v` (repeatable; default: every pod of the namespace)",
		list: func(s *Spec) *[]string { return &s.AllowFrom },
		resolved: func(m *Model) string {
			peers := make([]string, len(m.AllowFrom))
			for i, p := range m.AllowFrom {
				peers[i] = p.String()
			}
			return strings.Join(peers, " ")
		},
	},
	{
		Key: FieldPVCRetention, Flag: "pvc-retention", Kind: KindString, CommandOrder: 16,
		Usage:    "what happens to a StatefulSet's claims when it is deleted or scaled down: retain or delete",
		Values:   func() []string { return []string{"retain\tkeep the claims", "delete\tdelete the claims with the pods"} },
		Fixed:    "retain",
		str:      func(s *Spec) *string { return &s.PVCRetention },
		resolved: func(m *Model) string { return strings.ToLower(m.PVCRetention) },
	},
	{
		Key: FieldAuth, Flag: "auth", Kind: KindBool, CommandOrder: 17,
		Usage:    "authenticate clients and members (false: anyone who reaches the pods may read and write)",
		Fixed:    "true",
		boolean:  func(s *Spec) **bool { return &s.Auth },
		resolved: func(m *Model) string { return strconv.FormatBool(m.Auth) },
	},
	{
		Key: FieldCreateSecret, Flag: "create-secret", Kind: KindBool, CommandOrder: 18,
		Usage:    "add the Secret with random credentials to the output (generated anew on every run)",
		Fixed:    "false",
		boolean:  func(s *Spec) **bool { return &s.CreateSecret },
		resolved: func(m *Model) string { return strconv.FormatBool(m.CreateSecret) },
	},
	{
		Key: FieldSecret, Flag: "secret", Kind: KindString, CommandOrder: 19,
		Usage:    "name of the Secret holding the credentials (default: <name>-credentials)",
		str:      func(s *Spec) *string { return &s.Secret },
		resolved: func(m *Model) string { return m.SecretName() },
	},
	{
		Key: FieldTLS, Flag: "tls", Kind: KindString, CommandOrder: 20,
		Usage: "TLS for clients and members, with certificates from: " + TLSCertManager + " (needs --issuer), or " + TLSNone,
		Values: func() []string {
			return []string{TLSNone + "\tplain connections", TLSCertManager + "\tcertificates from cert-manager (needs --issuer)"}
		},
		Fixed:    TLSNone,
		str:      func(s *Spec) *string { return &s.TLS },
		resolved: func(m *Model) string { return m.TLS },
	},
	{
		Key: FieldIssuer, Flag: "issuer", Kind: KindString, CommandOrder: 21,
		Usage:    "the cert-manager issuer of the certificates, `Issuer/NAME` or `ClusterIssuer/NAME`",
		str:      func(s *Spec) *string { return &s.Issuer },
		resolved: func(m *Model) string { return m.Issuer },
	},
}

// presetValues lists every preset with its description.
func presetValues() []string {
	all, err := presets.All()
	if err != nil {
		return presets.Names()
	}
	values := make([]string, len(all))
	for i, p := range all {
		values[i] = p.Name + "\t" + p.Description
	}
	return values
}

// LookupField returns the field with the spec-file key, or nil.
func LookupField(key string) *Field {
	for _, f := range Fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// FieldsInCommandOrder returns Fields sorted by CommandOrder.
func FieldsInCommandOrder() []*Field {
	return slices.SortedFunc(slices.Values(Fields), func(a, b *Field) int { return a.CommandOrder - b.CommandOrder })
}

// SetFields lists the keys of the fields s sets, in the order of Fields.
func SetFields(s Spec) []string {
	var keys []string
	for _, f := range Fields {
		if f.IsSet(&s) {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// IsSet reports whether s holds a value for the field; an unset field gets
// its default.
func (f *Field) IsSet(s *Spec) bool {
	switch f.Kind {
	case KindString:
		return *f.str(s) != ""
	case KindInt:
		return *f.num(s) != nil
	case KindBool:
		return *f.boolean(s) != nil
	case KindList:
		return *f.list(s) != nil
	default:
		return s.Labels != nil
	}
}

// Args returns the field's value in s as flag arguments: one, or for
// labels one key=value per label, sorted by key. It returns nil when the
// field is not set.
func (f *Field) Args(s *Spec) []string {
	if !f.IsSet(s) {
		return nil
	}
	switch f.Kind {
	case KindString:
		return []string{*f.str(s)}
	case KindInt:
		return []string{strconv.Itoa(**f.num(s))}
	case KindBool:
		return []string{strconv.FormatBool(**f.boolean(s))}
	case KindList:
		return slices.Clone(*f.list(s))
	default:
		return labelArgs(s.Labels)
	}
}

// Set applies one flag argument to s: it replaces a string (an empty one
// unsets it), parses an integer or a boolean, or adds one key=value label.
// Text that cannot be parsed is a *FieldError; the value itself is checked
// by Resolve.
func (f *Field) Set(s *Spec, arg string) error {
	switch f.Kind {
	case KindString:
		*f.str(s) = arg
	case KindInt:
		n, err := ParseInt(f.Key, arg)
		if err != nil {
			return err
		}
		*f.num(s) = &n
	case KindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(arg))
		if err != nil {
			return fieldErr(f.Key, arg, "must be true or false")
		}
		*f.boolean(s) = &b
	case KindList:
		*f.list(s) = append(*f.list(s), arg)
	default:
		k, v, err := ParseLabel(arg)
		if err != nil {
			return err
		}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[k] = v
	}
	return nil
}

// Clear unsets the field in s, so that it gets its default.
func (f *Field) Clear(s *Spec) {
	switch f.Kind {
	case KindString:
		*f.str(s) = ""
	case KindInt:
		*f.num(s) = nil
	case KindBool:
		*f.boolean(s) = nil
	case KindList:
		*f.list(s) = nil
	default:
		s.Labels = nil
	}
}

// Default returns the value an unset field gets with the preset p, as
// flag text: Fixed, or the preset's value. It is "" when the default
// depends on other fields (the service name is <name>-headless), when there
// is none (the storage class, labels), or when it comes from the preset and
// p is nil.
func (f *Field) Default(p *presets.Preset) string {
	if f.Fixed != "" || f.fromPreset == nil || p == nil {
		return f.Fixed
	}
	return f.fromPreset(p)
}

// Join joins the field's flag arguments into one line of text, as Resolved
// writes it and the wizard takes it: a list's elements separated by spaces
// (a selector contains commas), labels by commas.
func (f *Field) Join(args []string) string {
	if f.Kind == KindList {
		return strings.Join(args, " ")
	}
	return strings.Join(args, ",")
}

// Resolved returns the field's value in a resolved Model, as flag text:
// what is generated, whether it was given or defaulted. Labels are
// key=value pairs sorted by key and joined by commas.
func (f *Field) Resolved(m *Model) string { return f.resolved(m) }

// labelArgs returns the labels as key=value, sorted by key.
func labelArgs(labels map[string]string) []string {
	keys := slices.Sorted(maps.Keys(labels))
	args := make([]string, len(keys))
	for i, k := range keys {
		args[i] = k + "=" + labels[k]
	}
	return args
}
