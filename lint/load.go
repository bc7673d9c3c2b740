package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/dns"
	"github.com/headless-k8s/headless/internal/parallel"
)

// MaxFileSize is the largest input lint reads. Manifests are far smaller;
// the limit keeps memory bounded when pointed at the wrong file.
const MaxFileSize = 32 << 20

// Input is one file (or stdin) to lint.
type Input struct {
	// Name is the path as given, or "-" for stdin; findings name it.
	Name string
	// Data is the input's content; nil for a file not read yet (ListInputs),
	// which is read from Name when needed.
	Data []byte
	// budget is charged for the file when it is read (nil: not charged).
	budget *budget
}

// load returns the input's content, reading the file if it is not in
// memory.
func (in Input) load() ([]byte, error) {
	if in.Data != nil {
		return in.Data, nil
	}
	f, err := os.Open(in.Name)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	defer f.Close()
	data, err := readLimited(f)
	if err != nil {
		return nil, err
	}
	if err := in.budget.take(len(data)); err != nil {
		return nil, err
	}
	return data, nil
}

// Object is one Kubernetes object read from an input: a YAML document, or
// an item of a List.
type Object struct {
	File string
	// Doc is the index of the YAML document in the file; Item the index in
	// the List's items, or -1.
	Doc, Item  int
	APIVersion string
	Kind       string
	// Namespace and Name are from metadata; Namespace is "" when absent.
	Namespace, Name string
	// Typed is the decoded k8s.io/api object (e.g. *corev1.Service), or nil
	// for kinds lint skips. Run drops it once the object's view is made,
	// except for Endpoints and EndpointSlices; Parse keeps it.
	Typed  any
	view   any // *serviceView, *workloadView, *configMapView or nil; see viewOf
	issues []issue
	// line0 is the line of the document's first node, line1 that of the
	// next document's (0 for the end of the file): re-parsing those lines
	// alone finds the position of a finding.
	line0, line1 int32
	// space is the namespace a Set files the object under: its own, else
	// the one lint was given (--namespace), else "": the namespace the input
	// is applied to, which lint does not know. Objects without a namespace
	// belong together; one with a namespace matches them only if that is
	// the namespace given.
	space string
}

// viewOf returns the object's view (made from Typed on first use; NewSet
// makes them all before the rules run, which may read them concurrently).
func (o *Object) viewOf() any {
	if o.view == nil && o.Typed != nil {
		if v := viewOf(o.Typed); v != nil {
			o.view = v
		}
	}
	return o.view
}

// NS is the namespace the object lands in when applied without -n.
func (o *Object) NS() string { return dns.Namespace(o.Namespace) }

// shownNS is the namespace to name in messages and findings: the one the
// object is filed under, or "default" (where `kubectl apply` puts it in a
// default context) when that is not known.
func (o *Object) shownNS() string { return dns.Namespace(o.space) }

// Ref names the object in messages: "StatefulSet db".
func (o *Object) Ref() string { return o.Kind + " " + o.Name }

// InputError is an input lint could not read or parse; it names the file.
type InputError struct {
	File string
	Err  error
}

func (e *InputError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// MaxTotalSize bounds what one run reads from all its inputs together:
// lint keeps a trimmed copy of every object (and dns every object), so
// memory grows with the total, not only with the largest file.
const MaxTotalSize = 512 << 20

// budget is what is left of MaxTotalSize for a run's inputs; the workers
// that read files draw from it concurrently.
type budget struct{ left atomic.Int64 }

// totalLimit is MaxTotalSize; tests lower it.
var totalLimit int64 = MaxTotalSize

func newBudget() *budget {
	b := &budget{}
	b.left.Store(totalLimit)
	return b
}

// take draws n bytes, or says that the inputs are too large together.
func (b *budget) take(n int) error {
	if b == nil {
		return nil
	}
	if b.left.Add(-int64(n)) < 0 {
		return fmt.Errorf("not read: the inputs together are larger than %d MiB; lint them in parts", MaxTotalSize>>20)
	}
	return nil
}

// SkippedError is an entry of a directory that is not read because it is
// not a regular file (a named pipe, a socket, a device): reading a FIFO
// would wait forever for a writer. It is a warning, not an input error.
type SkippedError struct {
	File string
	// What the entry is: "a named pipe (FIFO)", "a socket", "a device".
	What string
}

func (e *SkippedError) Error() string {
	return e.File + ": skipped: " + e.What + ", not a regular file"
}

// IsWarning reports whether an error of ReadInputs, ListInputs or Run is
// a warning (a skipped directory entry) rather than an unread input.
func IsWarning(err error) bool {
	var s *SkippedError
	return errors.As(err, &s)
}

// ReadInputs reads the files named by paths: files, directories (walked
// recursively for .yaml, .yml and .json files, symbolic links followed, loops
// refused) and "-" for stdin. A path that cannot be read is an *InputError;
// the others are still read. Each file (and directory) is read once, however
// many paths lead to it (by device and inode), and all of them together at
// most MaxTotalSize bytes. In directories, entries that are not regular
// files are skipped with a *SkippedError (see IsWarning); a named pipe given
// as a path is read, like "-", up to MaxFileSize.
func ReadInputs(paths []string, stdin io.Reader) ([]Input, []error) {
	return listInputs(paths, stdin, true)
}

// ListInputs is ReadInputs without reading the files: their Data is nil
// until they are parsed. Standard input is read, since it cannot be read
// twice.
func ListInputs(paths []string, stdin io.Reader) ([]Input, []error) {
	return listInputs(paths, stdin, false)
}

// lister gathers the inputs of one run.
type lister struct {
	read   bool
	inputs []Input
	errs   []error
	seen   map[fileID]bool // the files and directories listed
	budget *budget
}

func listInputs(paths []string, stdin io.Reader, read bool) ([]Input, []error) {
	l := &lister{read: read, seen: map[fileID]bool{}, budget: newBudget()}
	for _, p := range paths {
		if p == "-" {
			data, err := readLimited(stdin)
			if err == nil {
				err = l.budget.take(len(data))
			}
			if err != nil {
				l.errs = append(l.errs, &InputError{"-", err})
				continue
			}
			l.inputs = append(l.inputs, Input{Name: "-", Data: data})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			l.errs = append(l.errs, &InputError{p, unwrapPathErr(err)})
			continue
		}
		if l.visited(info) {
			continue
		}
		if !info.IsDir() {
			if !info.Mode().IsRegular() {
				// A named pipe (or device) given by name: read now, like
				// standard input, since it cannot be read twice.
				in := Input{Name: p, budget: l.budget}
				data, err := in.load()
				if err != nil {
					l.errs = append(l.errs, &InputError{p, err})
					continue
				}
				l.inputs = append(l.inputs, Input{Name: p, Data: data})
				continue
			}
			l.addFile(p)
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			l.errs = append(l.errs, &InputError{p, unwrapPathErr(err)})
			continue
		}
		l.walk(p, map[string]bool{real: true})
	}
	return l.inputs, l.errs
}

// visited reports whether the file or directory was listed before, and
// marks it listed.
func (l *lister) visited(info os.FileInfo) bool {
	id, ok := idOf(info)
	if !ok {
		return false
	}
	if l.seen[id] {
		return true
	}
	l.seen[id] = true
	return false
}

// walk reads the manifests under dir. ancestors holds the real paths of the
// directories on the way down, to detect loops made by symbolic links.
func (l *lister) walk(dir string, ancestors map[string]bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		l.errs = append(l.errs, &InputError{dir, unwrapPathErr(err)})
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		info, err := os.Stat(p)
		if err != nil {
			if e.Type()&os.ModeSymlink != 0 {
				err = fmt.Errorf("broken symbolic link: %w", unwrapPathErr(err))
			}
			l.errs = append(l.errs, &InputError{p, unwrapPathErr(err)})
			continue
		}
		if info.IsDir() {
			sub, err := filepath.EvalSymlinks(p)
			if err != nil {
				l.errs = append(l.errs, &InputError{p, unwrapPathErr(err)})
				continue
			}
			if ancestors[sub] {
				l.errs = append(l.errs, &InputError{p, fmt.Errorf("directory loop: it leads back to %s", sub)})
				continue
			}
			if l.visited(info) {
				continue // reached before through another path
			}
			ancestors[sub] = true
			l.walk(p, ancestors)
			delete(ancestors, sub)
			continue
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
		default:
			continue
		}
		if !info.Mode().IsRegular() {
			l.errs = append(l.errs, &SkippedError{File: p, What: describeMode(info.Mode())})
			continue
		}
		if l.visited(info) {
			continue
		}
		l.addFile(p)
	}
}

// describeMode names what a file that is not a regular file is.
func describeMode(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeIrregular != 0:
		return "an irregular file"
	}
	return "a special file"
}

// addFile adds the file p to the inputs, read if l.read is set.
func (l *lister) addFile(p string) {
	in := Input{Name: p, budget: l.budget}
	if !l.read {
		l.inputs = append(l.inputs, in)
		return
	}
	data, err := in.load()
	if err != nil {
		l.errs = append(l.errs, &InputError{p, err})
		return
	}
	in.Data, in.budget = data, nil
	l.inputs = append(l.inputs, in)
}

// readLimited reads at most MaxFileSize bytes and refuses more.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d MiB; not a manifest lint reads", MaxFileSize>>20)
	}
	return data, nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkText refuses binary data and invalid UTF-8 before the YAML parser
// sees them.
func checkText(data []byte) error {
	if i := bytes.IndexByte(data[:min(len(data), 8192)], 0); i >= 0 {
		return fmt.Errorf("binary file (NUL byte at offset %d); not YAML or JSON", i)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line := bytes.Count(data[:off], []byte("\n")) + 1
		return fmt.Errorf("line %d: invalid UTF-8 (byte offset %d); manifests must be UTF-8", line, off)
	}
	return nil
}

// Parse decodes every input into objects, on every core; objects keep the
// order of the inputs and of the documents in each. Inputs not in memory
// (ListInputs) are read one per worker and dropped once parsed.
func Parse(inputs []Input) ([]*Object, []error) {
	type result struct {
		objs []*Object
		err  error
	}
	results := make([]result, len(inputs))
	parallel.Do(len(inputs), func(i int) {
		data, err := inputs[i].load()
		if err != nil {
			results[i] = result{nil, &InputError{inputs[i].Name, err}}
			return
		}
		objs, err := parseInput(Input{Name: inputs[i].Name, Data: data})
		results[i] = result{objs, err}
	})
	var (
		objs []*Object
		errs []error
	)
	for _, r := range results {
		objs = append(objs, r.objs...)
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return objs, errs
}

// parseInput decodes the documents of one input. A YAML syntax error ends
// the file: the objects before it are kept and the error names the file.
func parseInput(in Input) ([]*Object, error) {
	if err := checkText(in.Data); err != nil {
		return nil, &InputError{in.Name, err}
	}
	dec := yaml.NewDecoder(bytes.NewReader(in.Data))
	var (
		objs     []*Object
		prev     int // index in objs of the previous document's first object
		interned = map[string]map[string]string{}
		expanded int // nodes added by aliases in the whole file
	)
	for doc := 0; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return objs, &InputError{in.Name, cleanYAMLErr(err)}
		}
		if len(n.Content) == 0 {
			continue
		}
		root := n.Content[0]
		if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
			continue // an empty document
		}
		for _, o := range objs[prev:] {
			o.line1 = int32(root.Line)
		}
		prev = len(objs)
		o := &Object{File: in.Name, Doc: doc, Item: -1, line0: int32(root.Line)}
		items, err := decodeObject(root, o, interned, &expanded)
		if err != nil {
			return objs, &InputError{in.Name, err}
		}
		if items == nil {
			objs = append(objs, o)
			continue
		}
		if len(o.issues) > 0 {
			objs = append(objs, o) // the List itself has problems to report
		}
		for i, item := range items {
			obj := &Object{File: in.Name, Doc: doc, Item: i, line0: int32(root.Line)}
			if _, err := decodeObject(item, obj, interned, &expanded); err != nil {
				return objs, &InputError{in.Name, err}
			}
			objs = append(objs, obj)
		}
	}
}

func cleanYAMLErr(err error) error {
	return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
}

// decodeObject identifies the document's kind and decodes it strictly into
// its type. For a List it returns the item nodes instead.
func decodeObject(root *yaml.Node, o *Object, interned map[string]map[string]string, expanded *int) (items []*yaml.Node, err error) {
	d := &decoder{skipTop: map[string]bool{}, interned: interned, expand: expanded}
	defer func() { o.issues = append(o.issues, d.issues...) }()
	if root.Kind == yaml.AliasNode {
		if root, err = d.resolve(root); err != nil {
			return nil, err
		}
	}
	if root.Kind != yaml.MappingNode {
		d.add(issueHeader, root, "", "the document is %s, not a Kubernetes object (a mapping with apiVersion and kind)", describe(root))
		return nil, nil
	}
	identify(root, o, d)
	if o.Kind == "List" || (strings.HasSuffix(o.Kind, "List") && o.Kind != "List" && builtinGroup(o.APIVersion)) {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "items" {
				v, err := d.resolve(root.Content[i+1])
				if err != nil {
					return nil, err
				}
				if v.Kind == yaml.SequenceNode {
					return v.Content, nil
				}
			}
		}
		return []*yaml.Node{}, nil
	}
	info, ok := kinds[o.Kind]
	if !ok || info.typ == nil || !builtinGroup(o.APIVersion) {
		readMeta(root, o)
		return nil, nil
	}
	v := reflect.New(info.typ)
	if err := d.decode(root, v.Elem(), ""); err != nil {
		return nil, err
	}
	o.Typed = v.Interface()
	if m, ok := o.Typed.(metav1.Object); ok {
		o.Name, o.Namespace = m.GetName(), m.GetNamespace()
	}
	return nil, nil
}

// readMeta takes name and namespace from a skipped kind's metadata.
func readMeta(root *yaml.Node, o *Object) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "metadata" || root.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		m := root.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			switch m.Content[j].Value {
			case "name":
				o.Name = m.Content[j+1].Value
			case "namespace":
				o.Namespace = m.Content[j+1].Value
			}
		}
	}
}

// identify sets o.APIVersion and o.Kind from the document, recording an
// issue (with "did you mean") when they are missing, misspelled or wrong,
// and choosing the kind the author evidently meant so linting goes on.
func identify(root *yaml.Node, o *Object, d *decoder) {
	var apiNode, kindNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "apiVersion":
			apiNode = root.Content[i+1]
		case "kind":
			kindNode = root.Content[i+1]
		}
	}
	if apiNode != nil {
		o.APIVersion = apiNode.Value
	}
	if kindNode != nil {
		o.Kind = kindNode.Value
	}
	if kindNode == nil {
		k, v := findKey(root, "kind", func(v string) bool { _, ok := kinds[suggestKind(v)]; return suggestKind(v) != "" && ok })
		if k == nil {
			d.add(issueHeader, root, "kind", "missing \"kind\"")
			return
		}
		kind := suggestKind(v.Value)
		d.add(issueHeader, k, "kind", "missing \"kind\"; did you mean \"kind: %s\" instead of \"%s: %s\"?", kind, k.Value, v.Value)
		d.skipTop[k.Value] = true
		o.Kind = kind
	}
	if apiNode == nil {
		k, v := findKey(root, "apiVersion", looksLikeAPIVersion)
		want := kinds[o.Kind].apiVersion
		switch {
		case k != nil:
			d.add(issueHeader, k, "apiVersion", "missing \"apiVersion\"; did you mean \"apiVersion: %s\" instead of \"%s: %s\"?", v.Value, k.Value, v.Value)
			d.skipTop[k.Value] = true
			o.APIVersion = v.Value
		case want != "":
			d.add(issueHeader, root, "apiVersion", "missing \"apiVersion\"; %s is served as %q", o.Kind, want)
			o.APIVersion = want
		default:
			d.add(issueHeader, root, "apiVersion", "missing \"apiVersion\"")
		}
	}
	if !builtinGroup(o.APIVersion) {
		return // a custom resource: not lint's to judge
	}
	node := kindNode
	if node == nil {
		node = root
	}
	if _, known := kinds[o.Kind]; !known {
		s := suggestKind(o.Kind)
		if s == "" {
			d.add(issueHeader, node, "kind", "unknown kind %q for apiVersion %q", o.Kind, o.APIVersion)
			return
		}
		d.add(issueHeader, node, "kind", "unknown kind %q; did you mean %q?", o.Kind, s)
		o.Kind = s
	}
	if want := kinds[o.Kind].apiVersion; o.APIVersion != want && apiNode != nil {
		d.add(issueHeader, apiNode, "apiVersion", "%s", wrongAPIVersion(o.Kind, o.APIVersion))
		o.APIVersion = want
	}
}

// findKey looks among the top-level keys for one that stands in for want:
// the same name in another case or misspelled, or any key whose value
// passes valueOK.
func findKey(root *yaml.Node, want string, valueOK func(string) bool) (key, value *yaml.Node) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if v.Kind != yaml.ScalarNode || k.Value == "apiVersion" || k.Value == "kind" {
			continue
		}
		if strings.EqualFold(k.Value, want) || editDistance(strings.ToLower(k.Value), strings.ToLower(want)) <= 2 {
			return k, v
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if v.Kind != yaml.ScalarNode || k.Value == "apiVersion" || k.Value == "kind" || k.Value == "metadata" {
			continue
		}
		if valueOK(v.Value) {
			return k, v
		}
	}
	return nil, nil
}
