package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// FixedFile is an input with the mechanical fixes applied.
type FixedFile struct {
	Name          string
	Before, After []byte
	// Fixes describes each fix, with its line in Before.
	Fixes []string
}

// edit replaces the bytes [start, end) of a file with text.
type edit struct {
	start, end int
	text       string
	what       string
	line       int
}

// Fix applies the fixes lint knows to be mechanical to each input and
// returns the inputs that changed:
//
//   - clusterIP (or clusterIPs[0]) "none" in another case becomes "None";
//   - `matchLabels` directly under a workload's spec moves under
//     spec.selector (created when absent);
//   - a kind under a misspelled key (`knid: Service`) gets the key `kind`,
//     and a kind in another case (`statefulset`) its proper case.
//
// Edits are made on the text at the positions of the YAML nodes, so
// comments, quoting, indentation and key order stay as they were. A file
// whose fixed text does not parse to the same documents is left alone, and
// the error says so.
func Fix(inputs []Input) ([]FixedFile, []error) {
	var (
		out  []FixedFile
		errs []error
	)
	for _, in := range inputs {
		data, err := in.load()
		if err != nil {
			errs = append(errs, &InputError{in.Name, err})
			continue
		}
		if checkText(data) != nil {
			continue // Parse reports it
		}
		edits, docs, err := fileEdits(data)
		if err != nil || len(edits) == 0 {
			continue // a syntax error: Parse reports it
		}
		after := applyEdits(data, edits)
		if n, err := countDocs(after); err != nil || n != docs {
			errs = append(errs, &InputError{in.Name, errors.New("the fixes would not give valid YAML; fix it by hand (this is a bug in headless lint --fix, please report it)")})
			continue
		}
		f := FixedFile{Name: in.Name, Before: data, After: after}
		sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
		for _, e := range edits {
			if e.what != "" {
				f.Fixes = append(f.Fixes, fmt.Sprintf("%s:%d: %s", in.Name, e.line, e.what))
			}
		}
		out = append(out, f)
	}
	return out, errs
}

// countDocs counts the documents of a YAML stream.
func countDocs(data []byte) (int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// fileEdits returns the edits that fix the documents of data, and how many
// documents it has.
func fileEdits(data []byte) ([]edit, int, error) {
	src := newSource(data)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var edits []edit
	docs := 0
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		docs++
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := n.Content[0]
		kind, kindEdits := fixKind(src, root)
		edits = append(edits, kindEdits...)
		if kind == "List" {
			if items := mapValue(root, "items"); items != nil && items.Kind == yaml.SequenceNode {
				for _, item := range items.Content {
					if item.Kind == yaml.MappingNode {
						k, e := fixKind(src, item)
						edits = append(edits, e...)
						edits = append(edits, fixObject(src, item, k)...)
					}
				}
			}
			continue
		}
		edits = append(edits, fixObject(src, root, kind)...)
	}
	return edits, docs, nil
}

// fixObject returns the edits for one object of kind.
func fixObject(src *source, root *yaml.Node, kind string) []edit {
	var edits []edit
	spec := mapValue(root, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		return nil
	}
	switch kind {
	case "Service":
		ip := mapValue(spec, "clusterIP")
		if ip == nil || ip.Value == "" {
			if ips := mapValue(spec, "clusterIPs"); ips != nil && ips.Kind == yaml.SequenceNode && len(ips.Content) > 0 {
				ip = ips.Content[0]
			}
		}
		if ip != nil && ip.Kind == yaml.ScalarNode && strings.EqualFold(ip.Value, "None") && ip.Value != "None" {
			if e, ok := src.replaceScalar(ip, "None"); ok {
				e.what = fmt.Sprintf("clusterIP %q -> \"None\"", ip.Value)
				edits = append(edits, e)
			}
		}
	case "StatefulSet", "Deployment", "ReplicaSet", "DaemonSet":
		edits = append(edits, src.moveMatchLabels(spec)...)
	}
	return edits
}

// fixKind returns the object's kind (fixed) and the edits that fix it.
func fixKind(src *source, root *yaml.Node) (string, []edit) {
	var kindNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "kind" {
			kindNode = root.Content[i+1]
		}
	}
	if kindNode != nil {
		want := properKind(kindNode.Value)
		if want == "" || want == kindNode.Value || kindNode.Kind != yaml.ScalarNode {
			return kindNode.Value, nil
		}
		e, ok := src.replaceScalar(kindNode, want)
		if !ok {
			return kindNode.Value, nil
		}
		e.what = fmt.Sprintf("kind %q -> %q", kindNode.Value, want)
		return want, []edit{e}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || k.Value == "apiVersion" {
			continue
		}
		if !strings.EqualFold(k.Value, "kind") && editDistance(strings.ToLower(k.Value), "kind") > 2 {
			continue
		}
		want := properKind(v.Value)
		if want == "" {
			continue
		}
		var edits []edit
		e, ok := src.replaceScalar(k, "kind")
		if !ok {
			return "", nil
		}
		e.what = fmt.Sprintf("%q -> \"kind\"", k.Value)
		edits = append(edits, e)
		if want != v.Value {
			if e, ok := src.replaceScalar(v, want); ok {
				e.what = fmt.Sprintf("kind %q -> %q", v.Value, want)
				edits = append(edits, e)
			}
		}
		return want, edits
	}
	return "", nil
}

// properKind is the known kind that k spells in another case, or "".
func properKind(k string) string {
	for _, n := range kindNames {
		if strings.EqualFold(n, k) {
			return n
		}
	}
	return ""
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// source is a file's text with the byte offset of each line, to turn node
// positions (line and column in characters) into byte offsets.
type source struct {
	data  []byte
	lines []int
}

func newSource(data []byte) *source { return &source{data: data, lines: lineStarts(data)} }

// offset returns the byte offset of line:col (1-based, col in characters).
func (s *source) offset(line, col int) (int, bool) {
	if line < 1 || line > len(s.lines) {
		return 0, false
	}
	off := s.lines[line-1]
	for c := 1; c < col; c++ {
		if off >= len(s.data) || s.data[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(s.data[off:])
		off += size
	}
	return off, true
}

// lineEnd returns the offset just after line's newline (or the end).
func (s *source) lineEnd(line int) int {
	if line < len(s.lines) {
		return s.lines[line]
	}
	return len(s.data)
}

// replaceScalar returns the edit that replaces the plain or simply quoted
// scalar n with text, keeping its quotes; false when the text at n's
// position is not n's value as written (escapes, block scalars).
func (s *source) replaceScalar(n *yaml.Node, text string) (edit, bool) {
	off, ok := s.offset(n.Line, n.Column)
	if !ok {
		return edit{}, false
	}
	raw := n.Value
	switch n.Style {
	case 0:
	case yaml.DoubleQuotedStyle:
		raw = `"` + n.Value + `"`
		text = `"` + text + `"`
	case yaml.SingleQuotedStyle:
		raw = "'" + n.Value + "'"
		text = "'" + text + "'"
	default:
		return edit{}, false
	}
	if !bytes.HasPrefix(s.data[off:], []byte(raw)) {
		return edit{}, false
	}
	return edit{start: off, end: off + len(raw), text: text, line: n.Line}, true
}

// lastLine returns the last line any node under n is on.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// moveMatchLabels returns the edits that move `matchLabels` from a block
// mapping spec under spec.selector: when there is no selector, the key
// becomes `selector:` with `matchLabels:` indented under it; when selector
// is a block mapping without matchLabels, the entry moves into it.
func (s *source) moveMatchLabels(spec *yaml.Node) []edit {
	if spec.Style&yaml.FlowStyle != 0 {
		return nil
	}
	var key, value, selector *yaml.Node
	next := 0 // line of the key after matchLabels, 0 if it is the last
	for i := 0; i+1 < len(spec.Content); i += 2 {
		switch spec.Content[i].Value {
		case "matchLabels":
			key, value = spec.Content[i], spec.Content[i+1]
			if i+2 < len(spec.Content) {
				next = spec.Content[i+2].Line
			}
		case "selector":
			selector = spec.Content[i+1]
		}
	}
	if key == nil || key.Style != 0 || value.Kind != yaml.MappingNode {
		return nil
	}
	end := lastLine(value) // the entry's last line
	if next > 0 {
		end = max(end, next-1)
		for end > key.Line && strings.TrimSpace(s.lineText(end)) == "" {
			end-- // blank lines before the next key stay where they are
		}
	}
	indent := strings.Repeat(" ", key.Column-1)
	if selector == nil {
		start, ok := s.offset(key.Line, key.Column)
		if !ok || !bytes.HasPrefix(s.data[start:], []byte("matchLabels")) {
			return nil
		}
		edits := []edit{{start: start, end: start + len("matchLabels"), text: "selector:\n" + indent + "  matchLabels", line: key.Line,
			what: "matchLabels moved under a new spec.selector"}}
		if value.Style&yaml.FlowStyle == 0 {
			for l := key.Line + 1; l <= end; l++ {
				if strings.TrimSpace(s.lineText(l)) != "" {
					edits = append(edits, edit{start: s.lines[l-1], end: s.lines[l-1], text: "  ", line: l})
				}
			}
		}
		return edits
	}
	if selector.Kind != yaml.MappingNode || selector.Style&yaml.FlowStyle != 0 || len(selector.Content) == 0 || mapValue(selector, "matchLabels") != nil {
		return nil
	}
	// Cut the entry's lines and insert them, re-indented, after the
	// selector's last line.
	child := selector.Content[0].Column - key.Column
	if child <= 0 {
		return nil
	}
	var moved strings.Builder
	for l := key.Line; l <= end; l++ {
		line := s.lineText(l)
		if strings.TrimSpace(line) != "" {
			moved.WriteString(strings.Repeat(" ", child))
		}
		moved.WriteString(line)
		moved.WriteByte('\n')
	}
	selEnd := lastLine(selector)
	if selEnd >= key.Line && selEnd <= end {
		return nil
	}
	at := s.lineEnd(selEnd)
	if at > 0 && s.data[at-1] != '\n' {
		return nil // the selector ends the file without a newline
	}
	return []edit{
		{start: s.lines[key.Line-1], end: s.lineEnd(end), text: "", line: key.Line, what: "matchLabels moved under spec.selector"},
		{start: at, end: at, text: moved.String(), line: selEnd},
	}
}

// lineText returns line (1-based) without its newline.
func (s *source) lineText(line int) string {
	start := s.lines[line-1]
	end := s.lineEnd(line)
	return strings.TrimRight(string(s.data[start:end]), "\r\n")
}

// applyEdits applies non-overlapping edits to data.
func applyEdits(data []byte, edits []edit) []byte {
	sorted := append([]edit(nil), edits...)
	// By position; an insertion before a replacement that starts there.
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].start != sorted[j].start {
			return sorted[i].start < sorted[j].start
		}
		return sorted[i].end < sorted[j].end
	})
	var b bytes.Buffer
	prev := 0
	for _, e := range sorted {
		if e.start < prev {
			continue // overlapping: keep the first
		}
		b.Write(data[prev:e.start])
		b.WriteString(e.text)
		prev = e.end
	}
	b.Write(data[prev:])
	return b.Bytes()
}

// rename is os.Rename; tests replace it to make a rename fail.
var rename = os.Rename

// WriteFixed writes the fixed files all or nothing: each is written to a
// temporary file next to it first (with the original's permissions); only
// when all are written are they renamed over the originals, and if a rename
// fails the files already replaced get their old content back.
func WriteFixed(files []FixedFile) error {
	type pending struct {
		target, tmp string
		before      []byte
		mode        os.FileMode
	}
	var done []pending
	cleanup := func() {
		for _, p := range done {
			os.Remove(p.tmp)
		}
	}
	for _, f := range files {
		if f.Name == "-" {
			cleanup()
			return errors.New("standard input cannot be fixed in place; use --dry-run for a diff")
		}
		target, err := filepath.EvalSymlinks(f.Name)
		if err != nil {
			cleanup()
			return &InputError{f.Name, unwrapPathErr(err)}
		}
		info, err := os.Stat(target)
		if err != nil {
			cleanup()
			return &InputError{f.Name, unwrapPathErr(err)}
		}
		current, err := os.ReadFile(target)
		if err != nil || !bytes.Equal(current, f.Before) {
			cleanup()
			return &InputError{f.Name, errors.New("changed while it was being fixed; nothing was written")}
		}
		tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".fix-*")
		if err != nil {
			cleanup()
			return &InputError{f.Name, unwrapPathErr(err)}
		}
		done = append(done, pending{target, tmp.Name(), f.Before, info.Mode().Perm()})
		_, werr := tmp.Write(f.After)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), info.Mode().Perm())); err != nil {
			cleanup()
			return &InputError{f.Name, unwrapPathErr(err)}
		}
	}
	for i, p := range done {
		if err := rename(p.tmp, p.target); err != nil {
			for _, q := range done[:i] {
				os.WriteFile(q.target, q.before, q.mode) // best effort: put it back
			}
			for _, q := range done[i:] {
				os.Remove(q.tmp)
			}
			return &InputError{p.target, fmt.Errorf("%w; the files fixed before it were restored", unwrapPathErr(err))}
		}
	}
	return nil
}
