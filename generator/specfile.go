package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxSpecFile is the largest spec file DecodeSpec reads, in bytes. A spec
// holds a dozen short fields and some labels. A file of a few kilobytes is
// already large, and one MiB leaves room for thousands of labels while
// bounding the memory a mistaken "-f /dev/zero" can take.
const MaxSpecFile = 1 << 20

// SpecError is a mistake in a spec file. Line is the line it is on, or 0 for
// the file as a whole. Err is a *FieldError when a value has the right type
// but the wrong text.
type SpecError struct {
	Line int
	Err  error
}

// Error says the line, when there is one, and what is wrong there.
func (e *SpecError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return e.Err.Error()
}

// Unwrap returns Err, so that errors.As finds a *FieldError in it.
func (e *SpecError) Unwrap() error { return e.Err }

func specErr(line int, format string, args ...any) *SpecError {
	return &SpecError{Line: line, Err: fmt.Errorf(format, args...)}
}

// DecodeSpec decodes a spec file: one YAML document holding a mapping whose
// keys are exactly the Keys of Fields. A key in another case, a key given
// twice, an unknown key and a second document are errors. A scalar is
// read as the text the user wrote. YAML's implicit types do not apply, so
// "name: 0123" is the name 0123 and a label value "on" is the text on. A
// string field takes a scalar; an empty one given in quotes is refused as
// a flag's would be. An int field takes a decimal integer written without
// quotes, and a bool field takes true or false. A key without a value (or
// with null or ~) is the same as leaving it out. lines maps each key that
// was set to its line, for error messages. Every error is a *SpecError.
func DecodeSpec(data []byte) (s Spec, lines map[string]int, err error) {
	if len(data) > MaxSpecFile {
		return s, nil, &SpecError{Err: fmt.Errorf("is larger than the limit of %s", sizeText(MaxSpecFile))}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return s, nil, &SpecError{Err: errors.New("is empty")}
		}
		return s, nil, yamlErr(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return s, nil, yamlErr(err)
	default:
		return s, nil, specErr(extra.Line, "a second YAML document; a spec file holds one spec")
	}
	if len(doc.Content) == 0 {
		return s, nil, &SpecError{Err: errors.New("is empty")}
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return s, nil, specErr(root.Line, "must be a mapping of keys to values (keys: %s)", strings.Join(specKeys(), ", "))
	}
	lines = map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := resolveAlias(root.Content[i]), resolveAlias(root.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return s, nil, specErr(k.Line, "a key must be a plain name (keys: %s)", strings.Join(specKeys(), ", "))
		}
		f := LookupField(k.Value)
		if f == nil {
			hint := ""
			for _, field := range Fields {
				if strings.EqualFold(field.Key, k.Value) {
					hint = fmt.Sprintf("; keys are case-sensitive: %s", field.Key)
				}
			}
			return s, nil, specErr(k.Line, "unknown key %s%s (keys: %s)", QuoteValue(k.Value), hint, strings.Join(specKeys(), ", "))
		}
		if first, dup := lines[f.Key]; dup {
			return s, nil, specErr(k.Line, "key %q is given twice, first on line %d", f.Key, first)
		}
		lines[f.Key] = k.Line
		if err := decodeField(&s, f, v); err != nil {
			return s, nil, err
		}
		if !f.IsSet(&s) {
			delete(lines, f.Key) // null: left out
		}
	}
	return s, lines, nil
}

// decodeField sets the field f of s from the value node v.
func decodeField(s *Spec, f *Field, v *yaml.Node) error {
	if isNull(v) {
		return nil
	}
	if f.Kind == KindLabels {
		return decodeLabels(s, v)
	}
	if f.Kind == KindList {
		return decodeList(s, f, v)
	}
	if v.Kind != yaml.ScalarNode {
		return specErr(v.Line, "%q must be %s, not %s", f.Key, kindText(f.Kind), nodeText(v))
	}
	quoted := v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	switch f.Kind {
	case KindString:
		if v.Value == "" && !f.EmptyIsDefault {
			return &SpecError{Line: v.Line, Err: fieldErr(f.Key, "", "must not be empty; leave the key out for the default")}
		}
	case KindInt:
		if quoted {
			return &SpecError{Line: v.Line, Err: intErr(f.Key, v.Value)}
		}
	case KindBool:
		if quoted || (v.Value != "true" && v.Value != "false") {
			return &SpecError{Line: v.Line, Err: fieldErr(f.Key, v.Value, "must be true or false")}
		}
	}
	if err := f.Set(s, v.Value); err != nil {
		return &SpecError{Line: v.Line, Err: err}
	}
	return nil
}

// decodeLabels reads a mapping of label keys to values, each as written.
func decodeLabels(s *Spec, v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return specErr(v.Line, "%q must be a mapping of label keys to values, not %s", FieldLabels, nodeText(v))
	}
	s.Labels = map[string]string{}
	seen := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := resolveAlias(v.Content[i]), resolveAlias(v.Content[i+1])
		if k.Kind != yaml.ScalarNode || val.Kind != yaml.ScalarNode {
			return specErr(k.Line, "%q must map label keys to values, each a string", FieldLabels)
		}
		if first, dup := seen[k.Value]; dup {
			return specErr(k.Line, "label %s is given twice, first on line %d", QuoteValue(k.Value), first)
		}
		seen[k.Value] = k.Line
		s.Labels[k.Value] = val.Value
	}
	if len(s.Labels) == 0 {
		s.Labels = nil // "labels: {}" adds none, as leaving the key out does
	}
	return nil
}

// decodeList reads a list of strings, each as written; an empty list sets
// none, as leaving the key out does.
func decodeList(s *Spec, f *Field, v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return specErr(v.Line, "%q must be a list of strings, not %s", f.Key, nodeText(v))
	}
	f.Clear(s)
	for _, item := range v.Content {
		item = resolveAlias(item)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			return specErr(item.Line, "%q must be a list of strings, each a value", f.Key)
		}
		if err := f.Set(s, item.Value); err != nil {
			return &SpecError{Line: item.Line, Err: err}
		}
	}
	return nil
}

// resolveAlias returns the node an alias (*name) stands for.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is a plain null: no value, ~ or null.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 &&
		n.ShortTag() == "!!null"
}

func kindText(k Kind) string {
	switch k {
	case KindInt:
		return "an integer"
	case KindBool:
		return "true or false"
	case KindList:
		return "a list of strings"
	}
	return "a string"
}

func nodeText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a scalar"
}

// yamlErr turns a YAML syntax error into a one-line *SpecError.
func yamlErr(err error) *SpecError {
	msg := strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n", "; "), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, text, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				return &SpecError{Line: line, Err: errors.New("invalid YAML: " + text)}
			}
		}
	}
	return &SpecError{Err: errors.New("is not valid YAML: " + msg)}
}

// specKeys lists the spec file's keys, in the order of Fields.
func specKeys() []string {
	keys := make([]string, len(Fields))
	for i, f := range Fields {
		keys[i] = f.Key
	}
	return keys
}

// sizeText says n bytes in KiB or MiB when it is a whole number of them.
func sizeText(n int) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
