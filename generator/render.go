package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"

	"github.com/headless-k8s/headless/internal/parallel"
	"github.com/headless-k8s/headless/templates"
)

// Document is one generated object: the text users see (with its comments
// and field order) and the typed object it decodes to, which is the proof
// that the text is right.
type Document struct {
	Kind string
	Name string
	// Text is the rendered YAML, ending in a newline, without a "---" line.
	Text []byte
	// JSON is Text converted to JSON, keys in the same order.
	JSON []byte
	// Object is the strictly decoded k8s.io/api object, e.g. *corev1.Service.
	Object any
}

// Manifest is every document generated from one Model, in apply order.
type Manifest struct {
	Model     *Model
	Documents []Document
}

// Renderer executes the object templates. It is safe for concurrent use.
type Renderer struct {
	tmpl *template.Template
}

// Template file names, in the order their documents are emitted.
const (
	tmplConfigMap      = "configmap.yaml.tmpl"
	tmplHeadless       = "headless-service.yaml.tmpl"
	tmplClientService  = "client-service.yaml.tmpl"
	tmplStatefulSet    = "statefulset.yaml.tmpl"
	tmplClaim          = "pvc.yaml.tmpl"
	tmplPod            = "pod.yaml.tmpl"
	tmplDisruptionBudg = "pdb.yaml.tmpl"
)

// NewRenderer parses the templates in fsys (*.tmpl). Tests pass a modified
// copy of templates.FS to prove that the consistency check catches template
// defects.
func NewRenderer(fsys fs.FS) (*Renderer, error) {
	t := template.New("").Option("missingkey=error")
	t.Funcs(funcMap(t))
	if _, err := t.ParseFS(fsys, "*.tmpl"); err != nil {
		return nil, &InternalError{Problems: []string{"parsing templates: " + err.Error()}}
	}
	return &Renderer{tmpl: t}, nil
}

var defaultRenderer = sync.OnceValues(func() (*Renderer, error) { return NewRenderer(templates.FS) })

// Generate resolves spec and renders it with the embedded templates. A
// *FieldError is the user's to fix; an *InternalError is a bug in headless.
func Generate(spec Spec) (*Manifest, error) {
	m, err := spec.Resolve()
	if err != nil {
		return nil, err
	}
	return Render(m)
}

// Render renders a resolved Model with the embedded templates.
func Render(m *Model) (*Manifest, error) {
	r, err := defaultRenderer()
	if err != nil {
		return nil, err
	}
	return r.Render(m)
}

var sprigFuncs = sync.OnceValue(sprig.TxtFuncMap)

// funcMap is sprig's text functions plus:
//   - q: a value as a JSON string, which is a valid YAML double-quoted
//     scalar whatever it contains, so no value can add YAML structure;
//   - kv: a string map as sorted `key: "value"` lines;
//   - include: a named template's output, for piping into nindent.
func funcMap(t *template.Template) template.FuncMap {
	f := maps.Clone(sprigFuncs())
	f["q"] = quote
	f["kv"] = func(m map[string]string) string {
		keys := slices.Sorted(maps.Keys(m))
		lines := make([]string, len(keys))
		for i, k := range keys {
			lines[i] = k + ": " + quote(m[k])
		}
		return strings.Join(lines, "\n")
	}
	f["include"] = func(name string, data any) (string, error) {
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	return f
}

func quote(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fmt.Sprint(v)); err != nil {
		panic(err) // a string always encodes
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// view is what a template sees: the Model, the preset's rendered files and
// environment, and for a plain Pod (or its claim) the pod itself.
type view struct {
	*Model
	Files map[string]string
	Env   []envVar
	Pod   *Pod
}

type envVar struct {
	Name      string
	Value     string
	SecretKey string
}

// PodIndexLabel is the label the StatefulSet controller sets to each pod's
// ordinal; the pods read it through the downward API.
func (view) PodIndexLabel() string { return LabelPodIndex }

// Render executes every template for m, decodes each document strictly into
// its k8s.io/api type, and runs the consistency check. Any failure is an
// *InternalError: the Model was valid, so the defect is in headless.
func (r *Renderer) Render(m *Model) (*Manifest, error) {
	files, env, err := renderPreset(m)
	if err != nil {
		return nil, err
	}
	base := view{Model: m, Files: files, Env: env}
	out := &Manifest{Model: m}
	emit := func(name string, v view) error {
		doc, err := r.renderDoc(name, v)
		if err != nil {
			return err
		}
		out.Documents = append(out.Documents, doc)
		return nil
	}
	names := []string{tmplConfigMap, tmplHeadless}
	if m.ClientService {
		names = append(names, tmplClientService)
	}
	if m.Mode == ModeStatefulSet {
		names = append(names, tmplStatefulSet)
	}
	for _, n := range names {
		if err := emit(n, base); err != nil {
			return nil, err
		}
	}
	if m.Mode == ModePods {
		docs, err := r.renderPods(base)
		if err != nil {
			return nil, err
		}
		out.Documents = append(out.Documents, docs...)
	}
	// A budget for a single pod would protect nothing.
	if m.Replicas > 1 {
		if err := emit(tmplDisruptionBudg, base); err != nil {
			return nil, err
		}
	}
	if err := check(out); err != nil {
		return nil, err
	}
	return out, nil
}

// renderDoc executes one template and strictly decodes its output.
func (r *Renderer) renderDoc(name string, v view) (Document, error) {
	var b bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&b, name, v); err != nil {
		return Document{}, internalErr("executing %s: %v", name, err)
	}
	doc, err := decode(b.Bytes())
	if err != nil {
		return Document{}, internalErr("%s rendered invalid YAML: %v", name, err)
	}
	return doc, nil
}

// renderPods renders each pod of Pods mode (its claim, then the Pod) and
// returns the documents in ordinal order. Pods are independent, so they are
// rendered and decoded on every core: with a thousand pods, decoding is
// most of the time headless takes.
func (r *Renderer) renderPods(base view) ([]Document, error) {
	m := base.Model
	perPod := 1
	if m.Storage != "" {
		perPod = 2
	}
	docs := make([]Document, perPod*len(m.Pods))
	errs := make([]error, len(m.Pods))
	parallel.Do(len(m.Pods), func(i int) {
		v := base
		v.Pod = &m.Pods[i]
		d := docs[perPod*i : perPod*(i+1)]
		var err error
		if perPod == 2 {
			d[0], err = r.renderDoc(tmplClaim, v)
		}
		if err == nil {
			d[perPod-1], err = r.renderDoc(tmplPod, v)
		}
		errs[i] = err
	})
	// The lowest ordinal's error, so that the message does not depend on
	// scheduling.
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return docs, nil
}

// renderPreset executes the preset's file and environment templates.
func renderPreset(m *Model) (map[string]string, []envVar, error) {
	p := m.Preset
	exec := func(name, text string) (string, error) {
		t, err := template.New(name).Option("missingkey=error").Funcs(sprigFuncs()).Parse(text)
		if err != nil {
			return "", internalErr("preset %s: parsing %s: %v", p.Name, name, err)
		}
		var b strings.Builder
		if err := t.Execute(&b, m); err != nil {
			return "", internalErr("preset %s: executing %s: %v", p.Name, name, err)
		}
		return b.String(), nil
	}
	files := make(map[string]string, len(p.Files))
	for _, name := range p.FileNames() {
		text, err := exec(name, p.Files[name])
		if err != nil {
			return nil, nil, err
		}
		files[name] = text
	}
	env := make([]envVar, 0, len(p.Env))
	for _, e := range p.Env {
		v := envVar{Name: e.Name, SecretKey: e.SecretKey}
		if e.ValueTemplate != "" {
			val, err := exec("env "+e.Name, e.ValueTemplate)
			if err != nil {
				return nil, nil, err
			}
			v.Value = val
		}
		env = append(env, v)
	}
	return files, env, nil
}
