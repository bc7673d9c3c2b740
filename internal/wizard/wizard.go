// Package wizard asks the questions of `headless init` through a
// prompter.Prompter and turns the answers into a generator.Spec. Every answer
// is checked by the same validation as the flags (generator.Spec.Resolve),
// so a wrong answer is explained and asked again.
package wizard

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/prompter"
	"github.com/headless-k8s/headless/presets"
)

// The questions, in the order they are asked. Tests script answers by these
// messages.
const (
	MsgPreset        = "Database:"
	MsgName          = "Name (of the workload; its pods are <name>-0, <name>-1, …):"
	MsgNamespace     = "Namespace:"
	MsgMode          = "How should the pods get their DNS names?"
	MsgReplicas      = "Replicas:"
	MsgPort          = "Port:"
	MsgStorage       = "Storage per pod (a size such as 8Gi, or none):"
	MsgEphemeral     = "No storage: each pod's data lives only as long as the pod, and a restarted primary empties its replicas. Accept that (ephemeral)?"
	MsgAdvanced      = "Customize advanced settings (image, service name, cluster domain, client Service, labels, network policy, claim retention, credentials, TLS)?"
	MsgImage         = "Image (pinned to a tag or digest):"
	MsgServiceName   = "Headless Service name:"
	MsgClusterDomain = "Cluster domain:"
	MsgClientService = "Also create a load-balanced client Service?"
	MsgLabels        = "Extra labels (key=value, comma-separated; empty for none):"
	MsgNetworkPolicy = "Generate a NetworkPolicy that lets in only the members and the clients you name?"
	MsgAllowFrom     = "Clients allowed to the client port (pods:k=v, namespaces:k=v or namespaces:k=v/pods:k=v, space-separated; empty for every pod of the namespace):"
	MsgPVCRetention  = "When the StatefulSet is deleted or scaled down, its volume claims are:"
	MsgAuth          = "Require authentication (clients and members)?"
	MsgCreateSecret  = "Credentials:"
	MsgSecret        = "Name of the Secret with the credentials:"
	MsgTLS           = "TLS for clients and members (certificates from cert-manager)?"
	MsgIssuer        = "cert-manager issuer (Issuer/NAME or ClusterIssuer/NAME):"
	MsgDestination   = "Where should the manifests go?"
	MsgDirectory     = "Directory:"
	MsgConfirm       = "Generate these objects?"
)

// Destination choices of MsgDestination.
const (
	DestDirectory = "directory"
	DestStdout    = "stdout"
)

// Wizard asks for whatever the user has not already given.
type Wizard struct {
	Prompter prompter.Prompter
	// Given holds the values given as flags or in a spec file; their
	// questions are skipped.
	Given generator.Spec
	// DefaultPreset is the database the first question pre-selects. When
	// it is empty or names no preset, the first preset by name (the first
	// of presets.Names) is pre-selected instead.
	DefaultPreset string
	// Output is the directory given with --output ("-" for stdout), or ""
	// to ask.
	Output string
	// CheckDir, if set, vets a directory answer (e.g. "not empty").
	CheckDir func(dir string) error
	// Summary receives the summary shown before the confirmation.
	Summary io.Writer
}

// Result is what the wizard settled on.
type Result struct {
	// Spec holds every value the user chose or accepted for the main
	// questions, and the advanced values only when they were set, so that
	// `headless generate` with it reproduces Manifest.
	Spec generator.Spec
	// Output is the directory to write, or "" for stdout.
	Output string
	// Manifest is the generated output the user confirmed.
	Manifest *generator.Manifest
}

// state is the Spec being built and which fields are settled.
type state struct {
	spec    generator.Spec
	settled map[string]bool
}

// question is a question about one field of the Spec.
type question struct {
	field   string // the generator.Field's key
	message string
}

// mainQuestions are asked after the database, in this order, each
// pre-filled with the field's default for the preset.
var mainQuestions = []question{
	{generator.FieldName, MsgName},
	{generator.FieldNamespace, MsgNamespace},
	{generator.FieldMode, MsgMode},
	{generator.FieldReplicas, MsgReplicas},
	{generator.FieldPort, MsgPort},
	{generator.FieldStorage, MsgStorage},
	{generator.FieldEphemeral, MsgEphemeral},
}

// advancedQuestions are asked, in this order, after MsgAdvanced is
// answered yes, each pre-filled with what would be generated.
var advancedQuestions = []question{
	{generator.FieldImage, MsgImage},
	{generator.FieldServiceName, MsgServiceName},
	{generator.FieldClusterDomain, MsgClusterDomain},
	{generator.FieldClientService, MsgClientService},
	{generator.FieldLabels, MsgLabels},
	{generator.FieldNetworkPolicy, MsgNetworkPolicy},
	{generator.FieldAllowFrom, MsgAllowFrom},
	{generator.FieldPVCRetention, MsgPVCRetention},
	{generator.FieldAuth, MsgAuth},
	{generator.FieldCreateSecret, MsgCreateSecret},
	{generator.FieldSecret, MsgSecret},
	{generator.FieldTLS, MsgTLS},
	{generator.FieldIssuer, MsgIssuer},
}

// choices are the options of the fields asked with Select rather than
// Input.
var choices = map[string][]prompter.Option{generator.FieldMode: ModeOptions, generator.FieldPVCRetention: PVCRetentionOptions,
	generator.FieldCreateSecret: CredentialOptions, generator.FieldTLS: TLSOptions}

// TLSOptions are the choices of MsgTLS.
var TLSOptions = []prompter.Option{
	{Value: generator.TLSNone, Description: "plain connections"},
	{Value: generator.TLSCertManager, Description: "a certificate from cert-manager naming every pod and Service; clients present one too"},
}

// CredentialOptions are the choices of MsgCreateSecret.
var CredentialOptions = []prompter.Option{
	{Value: "false", Description: "I will create the Secret (the summary shows the kubectl command), or name an existing one next"},
	{Value: "true", Description: "create it now: random values in the output, drawn anew on every run"},
}

// PVCRetentionOptions are the choices of MsgPVCRetention.
var PVCRetentionOptions = []prompter.Option{
	{Value: "retain", Description: "kept: the data outlives the StatefulSet; delete the claims yourself"},
	{Value: "delete", Description: "deleted with the StatefulSet or the pods scaled away: their data is gone"},
}

// Run asks the questions, shows the summary and asks for confirmation. It
// returns prompter.ErrCancelled if the user cancels or declines.
func (w *Wizard) Run() (*Result, error) {
	st := &state{spec: w.Given, settled: map[string]bool{}}
	for _, key := range generator.SetFields(w.Given) {
		st.settled[key] = true
	}
	asked := false
	if !st.settled[generator.FieldPreset] {
		if err := w.askPreset(st); err != nil {
			return nil, err
		}
		asked = true
	}
	p, err := presets.Get(st.spec.Preset)
	if err != nil {
		return nil, err // Given was validated by the caller
	}
	for i := 0; i < len(mainQuestions); i++ {
		q := mainQuestions[i]
		if st.settled[q.field] || !relevant(q.field, st.spec) {
			continue
		}
		f := generator.LookupField(q.field)
		if err := w.ask(st, f, q.message, f.Default(p)); err != nil {
			return nil, err
		}
		asked = true
		// Declining ephemeral storage asks for a size again.
		if q.field == generator.FieldEphemeral && !*st.spec.Ephemeral {
			f.Clear(&st.spec)
			delete(st.settled, f.Key)
			storage := generator.LookupField(generator.FieldStorage)
			storage.Clear(&st.spec)
			delete(st.settled, storage.Key)
			i = slices.IndexFunc(mainQuestions, func(q question) bool { return q.field == storage.Key }) - 1
		}
	}
	// Someone who gave every main value as a flag knows the advanced flags
	// too; only a conversation offers them.
	if asked {
		if err := w.askAdvanced(st); err != nil {
			return nil, err
		}
	}
	output, err := w.askOutput(st)
	if err != nil {
		return nil, err
	}
	model, err := st.spec.Resolve()
	if err != nil {
		return nil, err // every answer was validated; the caller reports it
	}
	man, err := generator.Render(model)
	if err != nil {
		return nil, err
	}
	if w.Summary != nil {
		WriteSummary(w.Summary, man, output)
	}
	ok, err := w.Prompter.Confirm(MsgConfirm, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, prompter.ErrCancelled
	}
	return &Result{Spec: st.spec, Output: output, Manifest: man}, nil
}

// check validates the Spec with one field changed by set: an error about
// that field, or about a field already settled, rejects the answer. Errors
// about fields still to be asked are for their own questions.
func (st *state) check(field string, set func(*generator.Spec)) error {
	candidate := st.spec
	candidate.Labels = maps.Clone(st.spec.Labels)
	set(&candidate)
	_, err := candidate.Resolve()
	var fe *generator.FieldError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &fe):
		return err
	case fe.Field == field && field == generator.FieldStorage && !st.settled[generator.FieldEphemeral] && needsEphemeral(candidate):
		return nil // the next question asks whether to accept it
	case fe.Field == field:
		return errors.New(fe.Reason)
	case st.settled[fe.Field]:
		return fmt.Errorf("with this answer, %s %q %s", fe.Field, fe.Value, fe.Reason)
	}
	return nil
}

// ask asks the question about field f, pre-filled with def (flag text),
// applies the answer and settles the field: a Select among its choices, a
// Confirm for a boolean, or an Input validated by check.
func (w *Wizard) ask(st *state, f *generator.Field, message, def string) error {
	switch {
	case choices[f.Key] != nil:
		v, err := w.Prompter.Select(message, choices[f.Key], def)
		if err != nil {
			return err
		}
		if err := f.Set(&st.spec, v); err != nil {
			return err
		}
	case f.Kind == generator.KindBool:
		v, err := w.Prompter.Confirm(message, def == "true")
		if err != nil {
			return err
		}
		if err := f.Set(&st.spec, strconv.FormatBool(v)); err != nil {
			return err
		}
	default:
		if err := w.input(st, f, message, def); err != nil {
			return err
		}
	}
	st.settled[f.Key] = true
	return nil
}

// input asks an Input question for field f, validated by check, and
// applies the answer.
func (w *Wizard) input(st *state, f *generator.Field, message, def string) error {
	set := answerSetter(f)
	apply := func(s *generator.Spec, text string) error { return set(s, strings.TrimSpace(text)) }
	answer, err := w.Prompter.Input(message, def, func(text string) error {
		var parseErr error
		checkErr := st.check(f.Key, func(s *generator.Spec) { parseErr = apply(s, text) })
		if parseErr != nil {
			return parseErr
		}
		return checkErr
	})
	if err != nil {
		return err
	}
	return apply(&st.spec, answer)
}

// answerSetter applies a typed answer to the field: labels are a
// comma-separated list that replaces them, anything else is what its flag
// would take. A parse error is the reason alone; the prompt shows the
// question and the answer.
func answerSetter(f *generator.Field) func(*generator.Spec, string) error {
	if f.Kind == generator.KindLabels {
		return func(s *generator.Spec, text string) error {
			labels, err := ParseLabels(text)
			s.Labels = labels
			return err
		}
	}
	if f.Kind == generator.KindList {
		return func(s *generator.Spec, text string) error {
			f.Clear(s)
			for _, item := range strings.Fields(text) {
				if err := f.Set(s, item); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return func(s *generator.Spec, text string) error {
		err := f.Set(s, text)
		var fe *generator.FieldError
		if errors.As(err, &fe) {
			return errors.New(fe.Reason)
		}
		return err
	}
}

func (w *Wizard) askPreset(st *state) error {
	all, err := presets.All()
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return &generator.InternalError{Problems: []string{"no preset is embedded"}}
	}
	opts := make([]prompter.Option, len(all))
	def := all[0].Name // All is sorted by name
	for i, p := range all {
		opts[i] = prompter.Option{Value: p.Name, Description: p.Description}
		if p.Name == w.DefaultPreset {
			def = p.Name
		}
	}
	v, err := w.Prompter.Select(MsgPreset, opts, def)
	if err != nil {
		return err
	}
	st.spec.Preset = v
	st.settled[generator.FieldPreset] = true
	return nil
}

// ModeOptions are the choices of MsgMode.
var ModeOptions = []prompter.Option{
	{Value: string(generator.ModeStatefulSet), Description: "recommended: a StatefulSet names its pods <name>-0… and recreates them with the same name and volume"},
	{Value: string(generator.ModePods), Description: "plain Pods with hostname + subdomain: same DNS names, but nothing recreates a deleted pod"},
}

// askAdvanced offers the advanced settings, each pre-filled with what would
// be generated. Only values that differ from that are kept in the Spec, so
// the printed command stays short.
func (w *Wizard) askAdvanced(st *state) error {
	ok, err := w.Prompter.Confirm(MsgAdvanced, false)
	if err != nil || !ok {
		return err
	}
	m, err := st.spec.Resolve()
	if err != nil {
		return err
	}
	for _, q := range advancedQuestions {
		if st.settled[q.field] || !relevant(q.field, st.spec) {
			continue
		}
		f := generator.LookupField(q.field)
		// Every answer so far was validated; what may be missing is this
		// question's answer (an issuer once TLS is chosen).
		var fe *generator.FieldError
		def := f.Default(nil)
		switch m, err = st.spec.Resolve(); {
		case err == nil:
			def = f.Resolved(m)
		case !errors.As(err, &fe) || fe.Field != f.Key:
			return err
		}
		if err := w.ask(st, f, q.message, def); err != nil {
			return err
		}
		if f.Join(f.Args(&st.spec)) == def {
			f.Clear(&st.spec)
		}
	}
	return nil
}

// relevant reports whether a question means anything given the answers so
// far: clients are named only for a NetworkPolicy, only a StatefulSet with
// volume claims has a claim retention policy, and credentials are asked for
// only when the pods read a Secret.
func relevant(field string, s generator.Spec) bool {
	switch field {
	case generator.FieldEphemeral:
		return needsEphemeral(s)
	case generator.FieldAllowFrom:
		return s.NetworkPolicy == nil || *s.NetworkPolicy
	case generator.FieldPVCRetention:
		m, err := s.Resolve()
		return err == nil && m.Mode == generator.ModeStatefulSet && m.Storage != ""
	case generator.FieldAuth:
		p, err := presets.Get(s.Preset)
		return err == nil && generator.Authenticates(p)
	case generator.FieldTLS:
		p, err := presets.Get(s.Preset)
		return err == nil && p.TLS
	case generator.FieldIssuer:
		return s.TLS == generator.TLSCertManager
	case generator.FieldCreateSecret, generator.FieldSecret:
		m, err := s.Resolve()
		return err == nil && len(m.SecretKeys()) > 0
	}
	return true
}

// needsEphemeral reports whether s is valid only once ephemeral storage
// is accepted: no storage for more than one replica.
func needsEphemeral(s generator.Spec) bool {
	if _, err := s.Resolve(); err == nil {
		return false
	}
	yes := true
	s.Ephemeral = &yes
	m, err := s.Resolve()
	return err == nil && m.Storage == "" && m.Replicas > 1
}

// ParseLabels parses "k=v, k2=v2"; empty text means no labels (nil).
func ParseLabels(text string) (map[string]string, error) {
	var labels map[string]string
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, err := generator.ParseLabel(part)
		if err != nil {
			var fe *generator.FieldError
			if errors.As(err, &fe) {
				return nil, fmt.Errorf("%q %s", fe.Value, fe.Reason)
			}
			return nil, err
		}
		if labels == nil {
			labels = map[string]string{}
		}
		labels[k] = v
	}
	return labels, nil
}

// askOutput asks where to write, unless --output said so. It returns the
// directory, or "" for stdout.
func (w *Wizard) askOutput(st *state) (string, error) {
	switch w.Output {
	case "-":
		return "", nil
	case "":
	default:
		return w.Output, nil
	}
	dest, err := w.Prompter.Select(MsgDestination, []prompter.Option{
		{Value: DestDirectory, Description: "one file per object and a kustomization.yaml (kubectl apply -k)"},
		{Value: DestStdout, Description: "one multi-document YAML stream (kubectl apply -f -)"},
	}, DestDirectory)
	if err != nil || dest == DestStdout {
		return "", err
	}
	name := st.spec.Name
	if name == "" {
		name = st.spec.Preset
	}
	return w.Prompter.Input(MsgDirectory, "./"+name, func(dir string) error {
		switch {
		case strings.TrimSpace(dir) == "":
			return errors.New("must not be empty")
		case w.CheckDir != nil:
			return w.CheckDir(dir)
		}
		return nil
	})
}

// WriteSummary describes the objects of man and the DNS name of every pod,
// as shown before the confirmation.
func WriteSummary(out io.Writer, man *generator.Manifest, output string) {
	m := man.Model
	fmt.Fprintln(out)
	if output == "" {
		fmt.Fprintln(out, "These objects will be printed on standard output:")
	} else {
		fmt.Fprintf(out, "These objects will be written to %s:\n", output)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, d := range man.Documents {
		kind := d.Kind
		if d.Kind == "Service" && d.Name == m.ServiceName {
			kind = "Service (headless)"
		}
		fmt.Fprintf(tw, "  %s\t%s/%s\n", kind, m.Namespace, d.Name)
	}
	tw.Flush()
	fmt.Fprintln(out, "\nEach pod gets its own DNS name:")
	for _, p := range m.Pods {
		fmt.Fprintf(out, "  %s\n", p.FQDN)
	}
	fmt.Fprintf(out, "All pods: %s\nSRV:      %s\n", m.ServiceFQDN(), m.SRVName())
	if m.ClusterDomain != generator.DefaultClusterDomain {
		writeDomainWarning(out, man)
	}
	if cmd := SecretCommand(m); cmd != "" {
		fmt.Fprintf(out, "\nThe pods read Secret %s/%s; create it before applying, e.g.\n  %s\n", m.Namespace, m.SecretName(), cmd)
	}
	fmt.Fprintln(out)
}

// writeDomainWarning warns that the cluster domain was changed from
// cluster.local, and says where the output uses it: a wrong domain makes
// every name below unresolvable, and most clusters use cluster.local.
func writeDomainWarning(out io.Writer, man *generator.Manifest) {
	m := man.Model
	fmt.Fprintf(out, "\nwarning: the cluster domain is %s, not %s. Most clusters use %s; if yours does, none of\n"+
		"the names above will resolve. Check it with: kubectl -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}'\n",
		m.ClusterDomain, generator.DefaultClusterDomain, generator.DefaultClusterDomain)
	fmt.Fprintln(out, "It is used in every DNS name above, and in:")
	for _, d := range man.Documents {
		if n := strings.Count(string(d.Text), m.ClusterDomain); n > 0 {
			fmt.Fprintf(out, "  %s %s/%s (%d times)\n", d.Kind, m.Namespace, d.Name, n)
		}
	}
}

// SecretCommand returns the kubectl command that creates the Secret the
// pods read, with random values, or "" when the output creates it or no
// Secret is read.
func SecretCommand(m *generator.Model) string {
	keys := m.SecretKeys()
	if len(keys) == 0 || m.CreateSecret {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "kubectl -n %s create secret generic %s", m.Namespace, m.SecretName())
	for _, k := range keys {
		n, enc := k.Generate.Length/2, "hex"
		if k.Generate.Alphabet == "base64" {
			n, enc = k.Generate.Length*3/4, "base64"
		}
		fmt.Fprintf(&b, " --from-literal=%s=\"$(openssl rand -%s %d)\"", k.Name, enc, n)
	}
	return b.String()
}
