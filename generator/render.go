package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"k8s.io/apimachinery/pkg/runtime"

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
	tmplNetworkPolicy  = "networkpolicy.yaml.tmpl"
	tmplSecret         = "secret.yaml.tmpl"
	tmplCertificate    = "certificate.yaml.tmpl"
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
//   - kv: a string map as sorted `"key": "value"` lines, the key quoted
//     like the value: unquoted, YAML reads a key yes as true, 0x10 as 16
//     and 1e3 as 1000, and two such keys as one key given twice;
//   - qlist: a string list as a YAML flow sequence of quoted values;
//   - include: a named template's output, for piping into nindent.
func funcMap(t *template.Template) template.FuncMap {
	f := maps.Clone(sprigFuncs())
	f["q"] = quote
	f["kv"] = func(m map[string]string) string {
		keys := slices.Sorted(maps.Keys(m))
		lines := make([]string, len(keys))
		for i, k := range keys {
			lines[i] = quote(k) + ": " + quote(m[k])
		}
		return strings.Join(lines, "\n")
	}
	f["qlist"] = func(items []string) string {
		q := make([]string, len(items))
		for i, s := range items {
			q[i] = quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
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

// view is what a template sees: the Model, the preset executed for it, and
// for a plain Pod (or its claim) the pod itself.
type view struct {
	*Model
	*rendered
	Pod *podView
}

// podView is the pod a Pod or claim template renders. Its fields are text
// so that renderPods can render placeholders once and specialise them.
type podView struct {
	Name    string
	Ordinal string
	FQDN    string
}

// PodIndexLabel is the label the StatefulSet controller sets to each pod's
// ordinal; the pods read it through the downward API.
func (view) PodIndexLabel() string { return LabelPodIndex }

// PodLabels are a plain Pod's labels: those of every object, and its
// name under LabelPodName (as the StatefulSet controller sets it) when the
// client Service selects the primary by that label.
func (v view) PodLabels() map[string]string {
	l := v.Labels()
	if v.Pod != nil && v.Preset.ClientPrimaryOnly() {
		l[LabelPodName] = v.Pod.Name
	}
	return l
}

// Render executes every template for m, decodes each document strictly into
// its k8s.io/api type, and runs the consistency check. Any failure is an
// *InternalError: the Model was valid, so the defect is in headless.
func (r *Renderer) Render(m *Model) (*Manifest, error) {
	rp, err := renderPreset(m)
	if err != nil {
		return nil, err
	}
	base := view{Model: m, rendered: rp}
	out := &Manifest{Model: m}
	emit := func(name string, v view) error {
		doc, err := r.renderDoc(name, v)
		if err != nil {
			return err
		}
		out.Documents = append(out.Documents, doc)
		return nil
	}
	var names []string
	if m.CreateSecret {
		names = append(names, tmplSecret)
	}
	if len(rp.Files) > 0 {
		names = append(names, tmplConfigMap)
	}
	names = append(names, tmplHeadless)
	if m.ClientService {
		names = append(names, tmplClientService)
	}
	if m.UsesTLS() {
		names = append(names, tmplCertificate)
	}
	// The policy precedes the pods, so that none runs unprotected.
	if m.NetworkPolicy {
		names = append(names, tmplNetworkPolicy)
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

// Placeholders renderPods renders in place of a pod's name and ordinal.
// U+E000 is a private-use character: printable in YAML and JSON, and in
// nothing a user or preset can supply (every such value is validated as
// ASCII), so replacing it cannot touch anything else.
const (
	placeholderName    = "\ue000pod\ue000"
	placeholderOrdinal = "\ue000ordinal\ue000"
	placeholderMark    = "\ue000"
)

// renderPods renders the documents of Pods mode (each pod's claim, then the
// Pod) in ordinal order. The Pod and claim templates are executed and
// decoded once, with placeholders for the pod's name and ordinal; each pod's
// text and JSON are then the placeholders replaced, and its typed object is
// decoded from exactly that JSON. Parsing YAML and executing templates a
// thousand times was most of the time a thousand pods took.
func (r *Renderer) renderPods(base view) ([]Document, error) {
	m := base.Model
	v := base
	v.Pod = &podView{Name: placeholderName, Ordinal: placeholderOrdinal,
		FQDN: podFQDN(placeholderName, m.ServiceName, m.Namespace, m.ClusterDomain)}
	var protos []Document
	if m.Storage != "" {
		claim, err := r.renderDoc(tmplClaim, v)
		if err != nil {
			return nil, err
		}
		protos = append(protos, claim)
	}
	pod, err := r.renderDoc(tmplPod, v)
	if err != nil {
		return nil, err
	}
	protos = append(protos, pod)

	docs := make([]Document, len(protos)*len(m.Pods))
	errs := make([]error, len(m.Pods))
	parallel.Do(len(m.Pods), func(i int) {
		p := m.Pods[i]
		repl := &placeholders{name: p.Name, ordinal: strconv.Itoa(p.Ordinal)}
		for j, proto := range protos {
			d, err := specialise(proto, repl)
			if err != nil {
				errs[i] = err
				return
			}
			docs[len(protos)*i+j] = d
		}
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

// specialise replaces the placeholders of a document rendered once for
// every pod, and decodes the typed object from the resulting JSON.
func specialise(proto Document, repl *placeholders) (Document, error) {
	d := Document{Kind: proto.Kind, Name: repl.Replace(proto.Name),
		Text: []byte(repl.Replace(string(proto.Text))), JSON: []byte(repl.Replace(string(proto.JSON)))}
	if bytes.Contains(d.JSON, []byte(placeholderMark)) || bytes.Contains(d.Text, []byte(placeholderMark)) {
		return Document{}, internalErr("%s %s: a placeholder was left unreplaced", d.Kind, d.Name)
	}
	copier, ok := proto.Object.(interface{ DeepCopyObject() runtime.Object })
	if !ok {
		return Document{}, internalErr("%s %s: %T cannot be copied", d.Kind, d.Name, proto.Object)
	}
	obj := copier.DeepCopyObject()
	if !replaceStrings(reflect.ValueOf(obj), repl) {
		return Document{}, internalErr("%s %s: a placeholder stands in a map key", d.Kind, d.Name)
	}
	d.Object = obj
	return d, nil
}

// placeholders replaces placeholderName and placeholderOrdinal. Both begin
// with placeholderMark, so one scan for the mark finds them: a
// strings.Replacer with two patterns that share a prefix tries its trie at
// every byte, which made it most of the time a thousand pods took.
type placeholders struct{ name, ordinal string }

// Replace returns s with the placeholders replaced; text with a mark that
// begins neither is left as it is (specialise then reports it).
func (r *placeholders) Replace(s string) string {
	i := strings.Index(s, placeholderMark)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, placeholderName):
			b.WriteString(r.name)
			s = s[len(placeholderName):]
		case strings.HasPrefix(s, placeholderOrdinal):
			b.WriteString(r.ordinal)
			s = s[len(placeholderOrdinal):]
		default:
			b.WriteString(placeholderMark)
			s = s[len(placeholderMark):]
		}
		i = strings.Index(s, placeholderMark)
	}
	b.WriteString(s)
	return b.String()
}

// replaceStrings applies repl to every string reachable from v, in place.
// It reports false if a placeholder stands in a map key, which it cannot
// replace (keys are label names and resource names: none is ever one).
// The placeholders stand only in string values (their JSON is the same
// replacement of the JSON), so the result is the object that the
// specialised JSON decodes to, without decoding it.
func replaceStrings(v reflect.Value, repl *placeholders) bool {
	ok := true
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			ok = replaceStrings(v.Elem(), repl)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			ok = replaceStrings(v.Field(i), repl) && ok
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			ok = replaceStrings(v.Index(i), repl) && ok
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if iter.Key().Kind() == reflect.String && strings.Contains(iter.Key().String(), placeholderMark) {
				ok = false
			}
			if val := iter.Value(); val.Kind() == reflect.String {
				v.SetMapIndex(iter.Key(), reflect.ValueOf(repl.Replace(val.String())).Convert(val.Type()))
			}
		}
	case reflect.String:
		if v.CanSet() && strings.Contains(v.String(), placeholderMark) {
			v.SetString(repl.Replace(v.String()))
		}
	}
	return ok
}
