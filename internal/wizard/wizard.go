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
	MsgAdvanced      = "Customize advanced settings (image, service name, cluster domain, client Service, labels)?"
	MsgImage         = "Image (pinned to a tag or digest):"
	MsgServiceName   = "Headless Service name:"
	MsgClusterDomain = "Cluster domain:"
	MsgClientService = "Also create a load-balanced client Service?"
	MsgLabels        = "Extra labels (key=value, comma-separated; empty for none):"
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

// Run asks the questions, shows the summary and asks for confirmation. It
// returns prompter.ErrCancelled if the user cancels or declines.
func (w *Wizard) Run() (*Result, error) {
	st := &state{spec: w.Given, settled: map[string]bool{}}
	for _, f := range givenFields(w.Given) {
		st.settled[f] = true
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
	basic := []func(*state, *presets.Preset) error{
		w.askName, w.askNamespace, w.askMode, w.askReplicas, w.askPort, w.askStorage,
	}
	fields := []string{generator.FieldName, generator.FieldNamespace, generator.FieldMode,
		generator.FieldReplicas, generator.FieldPort, generator.FieldStorage}
	for i, ask := range basic {
		if st.settled[fields[i]] {
			continue
		}
		if err := ask(st, p); err != nil {
			return nil, err
		}
		asked = true
	}
	// Someone who gave every main value as a flag knows the advanced flags
	// too; only a conversation offers them.
	if asked {
		if err := w.askAdvanced(st, p); err != nil {
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

// givenFields lists the fields a Spec sets.
func givenFields(s generator.Spec) []string {
	var f []string
	add := func(set bool, field string) {
		if set {
			f = append(f, field)
		}
	}
	add(s.Preset != "", generator.FieldPreset)
	add(s.Name != "", generator.FieldName)
	add(s.Namespace != "", generator.FieldNamespace)
	add(s.Replicas != nil, generator.FieldReplicas)
	add(s.Port != nil, generator.FieldPort)
	add(s.Mode != "", generator.FieldMode)
	add(s.ServiceName != "", generator.FieldServiceName)
	add(s.Image != "", generator.FieldImage)
	add(s.Storage != "", generator.FieldStorage)
	add(s.StorageClass != "", generator.FieldStorageClass)
	add(s.ClusterDomain != "", generator.FieldClusterDomain)
	add(s.Labels != nil, generator.FieldLabels)
	add(s.ClientService != nil, generator.FieldClientService)
	return f
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
	case fe.Field == field:
		return errors.New(fe.Reason)
	case st.settled[fe.Field]:
		return fmt.Errorf("with this answer, %s %q %s", fe.Field, fe.Value, fe.Reason)
	}
	return nil
}

// input asks an Input question for field, validated by check, and applies
// the answer.
func (w *Wizard) input(st *state, field, message, def string, set func(*generator.Spec, string) error) error {
	apply := func(s *generator.Spec, text string) error { return set(s, strings.TrimSpace(text)) }
	answer, err := w.Prompter.Input(message, def, func(text string) error {
		var parseErr error
		checkErr := st.check(field, func(s *generator.Spec) { parseErr = apply(s, text) })
		if parseErr != nil {
			return parseErr
		}
		return checkErr
	})
	if err != nil {
		return err
	}
	if err := apply(&st.spec, answer); err != nil {
		return err
	}
	st.settled[field] = true
	return nil
}

func (w *Wizard) askPreset(st *state) error {
	all, err := presets.All()
	if err != nil {
		return err
	}
	opts := make([]prompter.Option, len(all))
	for i, p := range all {
		opts[i] = prompter.Option{Value: p.Name, Description: p.Description}
	}
	v, err := w.Prompter.Select(MsgPreset, opts, all[0].Name)
	if err != nil {
		return err
	}
	st.spec.Preset = v
	st.settled[generator.FieldPreset] = true
	return nil
}

func (w *Wizard) askName(st *state, p *presets.Preset) error {
	return w.input(st, generator.FieldName, MsgName, p.Name, func(s *generator.Spec, v string) error {
		s.Name = v
		return nil
	})
}

func (w *Wizard) askNamespace(st *state, _ *presets.Preset) error {
	return w.input(st, generator.FieldNamespace, MsgNamespace, generator.DefaultNamespace, func(s *generator.Spec, v string) error {
		s.Namespace = v
		return nil
	})
}

// ModeOptions are the choices of MsgMode.
var ModeOptions = []prompter.Option{
	{Value: string(generator.ModeStatefulSet), Description: "recommended: a StatefulSet names its pods <name>-0… and recreates them with the same name and volume"},
	{Value: string(generator.ModePods), Description: "plain Pods with hostname + subdomain: same DNS names, but nothing recreates a deleted pod"},
}

func (w *Wizard) askMode(st *state, _ *presets.Preset) error {
	v, err := w.Prompter.Select(MsgMode, ModeOptions, string(generator.ModeStatefulSet))
	if err != nil {
		return err
	}
	st.spec.Mode = generator.Mode(v)
	st.settled[generator.FieldMode] = true
	return nil
}

func (w *Wizard) askReplicas(st *state, _ *presets.Preset) error {
	return w.input(st, generator.FieldReplicas, MsgReplicas, strconv.Itoa(generator.DefaultReplicas), intSetter(generator.FieldReplicas, func(s *generator.Spec, n *int) { s.Replicas = n }))
}

func (w *Wizard) askPort(st *state, p *presets.Preset) error {
	return w.input(st, generator.FieldPort, MsgPort, strconv.Itoa(int(p.Port)), intSetter(generator.FieldPort, func(s *generator.Spec, n *int) { s.Port = n }))
}

func intSetter(field string, set func(*generator.Spec, *int)) func(*generator.Spec, string) error {
	return func(s *generator.Spec, v string) error {
		n, err := generator.ParseInt(field, v)
		var fe *generator.FieldError
		if errors.As(err, &fe) {
			return errors.New(fe.Reason)
		}
		if err != nil {
			return err
		}
		set(s, &n)
		return nil
	}
}

func (w *Wizard) askStorage(st *state, p *presets.Preset) error {
	return w.input(st, generator.FieldStorage, MsgStorage, p.Storage, func(s *generator.Spec, v string) error {
		s.Storage = v
		return nil
	})
}

// askAdvanced offers the advanced settings, each pre-filled with what would
// be generated. Only values that differ from that are kept in the Spec, so
// the printed command stays short.
func (w *Wizard) askAdvanced(st *state, p *presets.Preset) error {
	ok, err := w.Prompter.Confirm(MsgAdvanced, false)
	if err != nil || !ok {
		return err
	}
	m, err := st.spec.Resolve()
	if err != nil {
		return err
	}
	strField := func(field, message, def string, dst func(*generator.Spec) *string) error {
		if st.settled[field] {
			return nil
		}
		if err := w.input(st, field, message, def, func(s *generator.Spec, v string) error {
			*dst(s) = v
			return nil
		}); err != nil {
			return err
		}
		if *dst(&st.spec) == def {
			*dst(&st.spec) = ""
		}
		return nil
	}
	if err := strField(generator.FieldImage, MsgImage, m.Image, func(s *generator.Spec) *string { return &s.Image }); err != nil {
		return err
	}
	if err := strField(generator.FieldServiceName, MsgServiceName, m.ServiceName, func(s *generator.Spec) *string { return &s.ServiceName }); err != nil {
		return err
	}
	if err := strField(generator.FieldClusterDomain, MsgClusterDomain, m.ClusterDomain, func(s *generator.Spec) *string { return &s.ClusterDomain }); err != nil {
		return err
	}
	if !st.settled[generator.FieldClientService] {
		v, err := w.Prompter.Confirm(MsgClientService, p.ClientService)
		if err != nil {
			return err
		}
		if v != p.ClientService {
			st.spec.ClientService = &v
		}
		st.settled[generator.FieldClientService] = true
	}
	if !st.settled[generator.FieldLabels] {
		err := w.input(st, generator.FieldLabels, MsgLabels, "", func(s *generator.Spec, v string) error {
			labels, err := ParseLabels(v)
			s.Labels = labels
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
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
	fmt.Fprintf(out, "All pods: %s\nSRV:      %s\n\n", m.ServiceFQDN(), m.SRVName())
}
