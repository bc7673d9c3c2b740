package generator

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/headless-k8s/headless/presets"
)

// presetTemplates holds a preset's template strings, parsed once: every
// file, env value, command and argument, init container and exec probe.
type presetTemplates struct {
	t     *template.Template
	names map[string]string // template text -> name, so each distinct text is parsed once
}

var parsedPresets sync.Map // *presets.Preset -> *presetTemplates or error

// parsePreset returns p's templates, parsing them on first use.
func parsePreset(p *presets.Preset) (*presetTemplates, error) {
	if v, ok := parsedPresets.Load(p); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*presetTemplates), nil
	}
	pt := &presetTemplates{t: template.New(p.Name).Option("missingkey=error").Funcs(sprigFuncs()), names: map[string]string{}}
	var err error
	add := func(where, text string) {
		if err != nil {
			return
		}
		if _, ok := pt.names[text]; ok {
			return
		}
		name := fmt.Sprintf("%s#%d", where, len(pt.names))
		if _, perr := pt.t.New(name).Parse(text); perr != nil {
			err = internalErr("preset %s: parsing %s: %v", p.Name, where, perr)
			return
		}
		pt.names[text] = name
	}
	for _, name := range p.FileNames() {
		add("file "+name, p.Files[name])
	}
	for _, e := range p.Env {
		add("env "+e.Name, e.Value)
	}
	for _, s := range p.Command {
		add("command", s)
	}
	for _, s := range p.Args {
		add("args", s)
	}
	for _, c := range p.InitContainers {
		for _, s := range append(append([]string{}, c.Command...), c.Args...) {
			add("init container "+c.Name, s)
		}
	}
	probes := []*presets.Probe{p.Probes.Startup, p.Probes.Readiness, p.Probes.Liveness}
	for _, c := range p.Sidecars {
		for _, s := range append(append([]string{}, c.Command...), c.Args...) {
			add("sidecar "+c.Name, s)
		}
		probes = append(probes, c.Readiness)
	}
	for _, pr := range probes {
		if pr != nil {
			for _, s := range pr.Exec {
				add("probe", s)
			}
		}
	}
	if err != nil {
		parsedPresets.Store(p, err)
		return nil, err
	}
	v, _ := parsedPresets.LoadOrStore(p, pt)
	if e, isErr := v.(error); isErr {
		return nil, e
	}
	return v.(*presetTemplates), nil
}

// exec executes the template parsed from text with m.
func (pt *presetTemplates) exec(m *Model, where, text string) (string, error) {
	name, ok := pt.names[text]
	if !ok {
		return "", internalErr("preset %s: %s was not parsed", m.Preset.Name, where)
	}
	var b strings.Builder
	if err := pt.t.ExecuteTemplate(&b, name, m); err != nil {
		return "", internalErr("preset %s: executing %s: %v", m.Preset.Name, where, err)
	}
	return b.String(), nil
}

// execAll executes a list of templates (a command, arguments). An element
// that renders to nothing is left out, so that a preset can make an
// argument conditional ({{ if .TLS }}--cert-file=…{{ end }}).
func (pt *presetTemplates) execAll(m *Model, where string, texts []string) ([]string, error) {
	out := make([]string, 0, len(texts))
	for _, text := range texts {
		s, err := pt.exec(m, where, text)
		if err != nil {
			return nil, err
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// rendered is the preset executed for one Model: what the object templates
// put into the ConfigMap and the pod spec.
type rendered struct {
	Files          map[string]string
	Command, Args  []string
	Env            []envVar
	InitContainers []initContainer
	Probes         []probe
	Volumes        []presets.Volume
	Sidecars       []sidecar
	// MainPorts are the ports the main container declares: every port
	// but those a sidecar listens on.
	MainPorts []presets.Port
}

// sidecar is one rendered presets.Sidecar.
type sidecar struct {
	Name, Image   string
	Command, Args []string
	Readiness     *probe
	Resources     presets.Resources
	Ports         []presets.Port
	Volumes       []presets.Volume
}

type envVar struct {
	Name      string
	Value     string
	SecretKey string
	FieldPath string
	Ordinal   bool
}

type initContainer struct {
	Name          string
	Command, Args []string
}

// probe is one rendered probe; Kind is the pod spec's key (startupProbe…).
type probe struct {
	Kind string
	*presets.Probe
	Exec []string
}

// renderPreset executes the preset's templates with m.
func renderPreset(m *Model) (*rendered, error) {
	p := m.Preset
	pt, err := parsePreset(p)
	if err != nil {
		return nil, err
	}
	r := &rendered{Files: make(map[string]string, len(p.Files))}
	for _, v := range p.Volumes {
		if m.Auth || !v.Auth {
			r.Volumes = append(r.Volumes, v)
		}
	}
	for _, name := range p.FileNames() {
		text, err := pt.exec(m, "file "+name, p.Files[name])
		if err != nil {
			return nil, err
		}
		// A file that renders empty is left out, so that a file can be
		// conditional ({{ if .Auth }}…{{ end }}).
		if text != "" {
			r.Files[name] = text
		}
	}
	if r.Command, err = pt.execAll(m, "command", p.Command); err != nil {
		return nil, err
	}
	if r.Args, err = pt.execAll(m, "args", p.Args); err != nil {
		return nil, err
	}
	for _, e := range p.Env {
		if e.Auth && !m.Auth {
			continue
		}
		v := envVar{Name: e.Name, SecretKey: e.SecretKey, FieldPath: e.FieldPath, Ordinal: e.Ordinal}
		if e.Value != "" {
			if v.Value, err = pt.exec(m, "env "+e.Name, e.Value); err != nil {
				return nil, err
			}
			// A value that renders empty leaves the variable out, so that
			// a variable can be conditional ({{ if .UsesTLS }}…{{ end }}).
			if v.Value == "" {
				continue
			}
		}
		r.Env = append(r.Env, v)
	}
	for _, c := range p.InitContainers {
		if c.Auth && !m.Auth {
			continue
		}
		ic := initContainer{Name: c.Name}
		if ic.Command, err = pt.execAll(m, "init container "+c.Name, c.Command); err != nil {
			return nil, err
		}
		if ic.Args, err = pt.execAll(m, "init container "+c.Name, c.Args); err != nil {
			return nil, err
		}
		r.InitContainers = append(r.InitContainers, ic)
	}
	for _, k := range []struct {
		kind string
		p    *presets.Probe
	}{{"startupProbe", p.Probes.Startup}, {"readinessProbe", p.Probes.Readiness}, {"livenessProbe", p.Probes.Liveness}} {
		if k.p == nil {
			continue
		}
		pr := probe{Kind: k.kind, Probe: k.p}
		if pr.Exec, err = pt.execAll(m, k.kind, k.p.Exec); err != nil {
			return nil, err
		}
		r.Probes = append(r.Probes, pr)
	}
	sidecarPorts := map[string]bool{}
	for _, c := range p.Sidecars {
		if c.Auth && !m.Auth {
			continue
		}
		sc := sidecar{Name: c.Name, Image: c.Image, Resources: c.Resources}
		if sc.Command, err = pt.execAll(m, "sidecar "+c.Name, c.Command); err != nil {
			return nil, err
		}
		if sc.Args, err = pt.execAll(m, "sidecar "+c.Name, c.Args); err != nil {
			return nil, err
		}
		if c.Readiness != nil {
			sc.Readiness = &probe{Kind: "readinessProbe", Probe: c.Readiness}
			if sc.Readiness.Exec, err = pt.execAll(m, "sidecar "+c.Name+" readinessProbe", c.Readiness.Exec); err != nil {
				return nil, err
			}
		}
		for _, port := range m.Ports {
			if slices.Contains(c.Ports, port.Name) {
				sc.Ports = append(sc.Ports, port)
				sidecarPorts[port.Name] = true
			}
		}
		for _, v := range r.Volumes {
			if slices.Contains(c.Volumes, v.Name) {
				sc.Volumes = append(sc.Volumes, v)
			}
		}
		r.Sidecars = append(r.Sidecars, sc)
	}
	for _, port := range m.Ports {
		if !sidecarPorts[port.Name] {
			r.MainPorts = append(r.MainPorts, port)
		}
	}
	return r, nil
}
