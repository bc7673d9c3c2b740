package lint

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// issueKind classifies what strict decoding found.
type issueKind int

const (
	issueUnknownField issueKind = iota
	issueType
	issueDuplicateKey
	issueHeader // apiVersion or kind missing, unknown or wrong
)

// issue is a problem found while decoding a document, with its position.
type issue struct {
	kind       issueKind
	path       string
	line, col  int
	message    string
	suggestion string
}

// maxAliasExpansion bounds the nodes a file may expand to through YAML
// aliases, all its documents and List items together: a "billion laughs"
// document, or a List of many items each aliasing one large node, stops
// here instead of eating memory. Files are parsed one per worker, so the
// process expands at most GOMAXPROCS times this at once.
const maxAliasExpansion = 100_000

// errAliasBomb is returned for a document whose aliases expand too far.
type errAliasBomb struct{ line int }

func (e errAliasBomb) Error() string {
	return fmt.Sprintf("line %d: YAML aliases in the file expand to more than %d nodes; refusing to expand further", e.line, maxAliasExpansion)
}

// decoder decodes a yaml.v3 node tree into a k8s.io/api value the way the
// API server's strict JSON decoding would, but keeps going after a problem
// and records each with the position of the offending key or value.
type decoder struct {
	issues []issue
	// expand counts the nodes aliases added in the file (shared by the
	// decoders of its documents and List items).
	expand  *int
	skipTop map[string]bool // top-level keys already reported (e.g. "Kind")
	// outer are the structs being decoded around the current one, outermost
	// first: a key unknown here may belong to one of them.
	outer []frame
	// interned holds the small string maps (labels, selectors) already
	// decoded from the same file, by content: a Service's selector, its
	// workload's matchLabels and template labels are usually equal, and
	// one map then serves all of them. Nothing modifies a decoded map.
	interned map[string]map[string]string
}

var stringMapType = reflect.TypeFor[map[string]string]()

// frame is a struct type being decoded and its JSON path.
type frame struct {
	t    reflect.Type
	path string
}

func (d *decoder) add(kind issueKind, n *yaml.Node, path, format string, args ...any) {
	d.issues = append(d.issues, issue{kind: kind, path: path, line: n.Line, col: n.Column, message: fmt.Sprintf(format, args...)})
}

// resolve follows aliases, counting the nodes they add.
func (d *decoder) resolve(n *yaml.Node) (*yaml.Node, error) {
	for n.Kind == yaml.AliasNode {
		*d.expand += countNodes(n.Alias, maxAliasExpansion-*d.expand+1)
		if *d.expand > maxAliasExpansion {
			return nil, errAliasBomb{n.Line}
		}
		n = n.Alias
	}
	return n, nil
}

// countNodes counts the nodes under n, aliases expanded, up to limit.
func countNodes(n *yaml.Node, limit int) int {
	count := 1
	for _, c := range n.Content {
		if count > limit {
			return count
		}
		if c.Kind == yaml.AliasNode {
			count += countNodes(c.Alias, limit-count)
		} else {
			count += countNodes(c, limit-count)
		}
	}
	return count
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode sets v from n. path is the JSON path of n, for messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) error {
	n, err := d.resolve(n)
	if err != nil {
		return err
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil // null leaves the zero value, as in JSON
	}
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		before := len(d.issues)
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		err := d.decode(n, v.Elem(), path)
		if len(d.issues) > before && t.Elem().Kind() != reflect.Struct {
			// A scalar that failed to decode stays unset, as if absent,
			// rather than becoming a misleading zero.
			v.Set(reflect.Zero(t))
		}
		return err
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		data, err := d.toJSON(n)
		var bad errNoJSON
		if errors.As(err, &bad) {
			d.add(issueType, bad.node, path, "%s: invalid value %s: %s", path, describe(bad.node), bad.why)
			return nil
		}
		if err != nil {
			return err
		}
		if uerr := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data); uerr != nil {
			d.add(issueType, n, path, "%s: invalid value %s: %v", path, shorten(string(data)), cleanJSONErr(uerr))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		return d.decodeStruct(n, v, path)
	case reflect.Map:
		return d.decodeMap(n, v, path)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if n.Kind != yaml.ScalarNode {
				d.add(issueType, n, path, "%s: must be a base64 string", path)
				return nil
			}
			b, err := base64.StdEncoding.DecodeString(n.Value)
			if err != nil {
				d.add(issueType, n, path, "%s: must be base64: %v", path, err)
			}
			v.SetBytes(b)
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			d.add(issueType, n, path, "%s: must be a list, not %s", path, describe(n))
			return nil
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := d.decode(c, s.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.add(issueType, n, path, "%s: %v", path, err)
			return nil
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}
	return d.decodeScalar(n, v, path)
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		d.add(issueType, n, path, "%s: must be a mapping of fields, not %s", orDoc(path), describe(n))
		return nil
	}
	si := infoOf(v.Type())
	seen := make(map[string]bool, len(n.Content)/2)
	d.outer = append(d.outer, frame{v.Type(), path})
	defer func() { d.outer = d.outer[:len(d.outer)-1] }()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		if path == "" && d.skipTop[key] {
			continue
		}
		fp := joinPath(path, key)
		if seen[key] {
			d.add(issueDuplicateKey, k, fp, "%s: duplicate key %q", fp, key)
			continue
		}
		seen[key] = true
		f, ok := si.fields[key]
		if !ok {
			is := issue{kind: issueUnknownField, path: fp, line: k.Line, col: k.Column,
				suggestion: suggest(v.Type(), path, key, d.outer[:len(d.outer)-1])}
			is.message = fmt.Sprintf("unknown field %q", fp)
			if is.suggestion != "" {
				is.message += fmt.Sprintf("; did you mean %q?", is.suggestion)
			}
			d.issues = append(d.issues, is)
			continue
		}
		if err := d.decode(val, v.FieldByIndex(f.index), fp); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		d.add(issueType, n, path, "%s: must be a mapping, not %s", path, describe(n))
		return nil
	}
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.add(issueType, n, path, "%s: unsupported map key type", path)
		return nil
	}
	if t == stringMapType {
		return d.decodeStringMap(n, v, path)
	}
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		fp := joinPath(path, k.Value)
		key := reflect.New(t.Key()).Elem()
		key.SetString(k.Value)
		if m.MapIndex(key).IsValid() {
			d.add(issueDuplicateKey, k, fp, "%s: duplicate key %q", fp, k.Value)
			continue
		}
		e := reflect.New(t.Elem()).Elem()
		if err := d.decode(val, e, fp); err != nil {
			return err
		}
		m.SetMapIndex(key, e)
	}
	v.Set(m)
	return nil
}

// decodeStringMap is decodeMap for map[string]string, without reflection
// for the entries, sharing equal small maps through d.interned.
func (d *decoder) decodeStringMap(n *yaml.Node, v reflect.Value, path string) error {
	m := make(map[string]string, len(n.Content)/2)
	var s string
	sv := reflect.ValueOf(&s).Elem()
	size := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		fp := joinPath(path, k.Value)
		if _, dup := m[k.Value]; dup {
			d.add(issueDuplicateKey, k, fp, "%s: duplicate key %q", fp, k.Value)
			continue
		}
		s = ""
		if err := d.decode(val, sv, fp); err != nil {
			return err
		}
		m[k.Value] = s
		size += len(k.Value) + len(s) + 2
	}
	if d.interned != nil && len(m) <= 16 && size <= 1024 {
		var key strings.Builder
		for _, k := range slices.Sorted(maps.Keys(m)) {
			key.WriteString(k)
			key.WriteByte(0)
			key.WriteString(m[k])
			key.WriteByte(0)
		}
		if prev, ok := d.interned[key.String()]; ok {
			m = prev
		} else {
			d.interned[key.String()] = m
		}
	}
	v.Set(reflect.ValueOf(m))
	return nil
}

// yaml11Words are the plain scalars that YAML 1.1, as go-yaml v2 reads it
// for kubectl (sigs.k8s.io/yaml), resolves to booleans and null: exactly
// these spellings, "yEs" is a string.
var yaml11Words = map[string]string{
	"y": "true", "Y": "true", "yes": "true", "Yes": "true", "YES": "true",
	"true": "true", "True": "true", "TRUE": "true", "on": "true", "On": "true", "ON": "true",
	"n": "false", "N": "false", "no": "false", "No": "false", "NO": "false",
	"false": "false", "False": "false", "FALSE": "false", "off": "false", "Off": "false", "OFF": "false",
	"~": "null", "null": "null", "Null": "null", "NULL": "null", "": "null",
}

// scalarJSON returns the JSON that kubectl's YAML-to-JSON conversion
// (sigs.k8s.io/yaml, YAML 1.1 through go-yaml v2) makes of a scalar, which
// is what the API server decodes: "yes" is true, 3.0 and 1e3 are integers,
// 0123 is octal. Quoted scalars are strings; scalars with an explicit tag
// are read as yaml.v3 reads them.
func scalarJSON(n *yaml.Node) ([]byte, error) {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return json.Marshal(n.Value)
	}
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.ShortTag() {
		case "!!str", "!!timestamp", "!!binary":
			return json.Marshal(n.Value)
		case "!!null":
			return []byte("null"), nil
		}
		var x any
		if err := n.Decode(&x); err != nil {
			return json.Marshal(n.Value)
		}
		b, err := json.Marshal(x)
		if err != nil {
			return nil, errNoJSON{n, "JSON has no such number"}
		}
		return b, nil
	}
	v := n.Value
	if w, ok := yaml11Words[v]; ok {
		return []byte(w), nil
	}
	if v == "" || !strings.ContainsRune("0123456789+-.", rune(v[0])) {
		return json.Marshal(v) // go-yaml v2 resolves no other plain scalar
	}
	if isDecimal(v) {
		return []byte(v), nil
	}
	b, err := sigsyaml.YAMLToJSON([]byte(v))
	if err != nil {
		if strings.Contains(err.Error(), "unsupported value") {
			return nil, errNoJSON{n, "JSON has no such number"}
		}
		return json.Marshal(v)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == '[' || b[0] == '{' {
		return json.Marshal(v) // "-" alone: read again alone, a list
	}
	return b, nil
}

// isDecimal reports whether s is a decimal integer without sign or
// leading zeros, which every reader takes as itself.
func isDecimal(s string) bool {
	if s == "" || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// jsonKind names the JSON value b for messages.
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "the value"
	case b[0] == '"':
		return "the string"
	case b[0] == 't' || b[0] == 'f':
		return "the boolean"
	case b[0] == 'n':
		return "null"
	}
	return "the number"
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.ScalarNode {
		d.add(issueType, n, path, "%s: must be %s, not %s", path, kindName(v.Kind()), describe(n))
		return nil
	}
	data, err := scalarJSON(n)
	var bad errNoJSON
	if errors.As(err, &bad) {
		d.add(issueType, n, path, "%s: invalid value %s: %s", path, describe(n), bad.why)
		return nil
	}
	if err != nil {
		return err
	}
	switch v.Kind() {
	case reflect.String:
		var s string
		if json.Unmarshal(data, &s) != nil {
			d.add(issueType, n, path, "%s: must be a string, not %s %s; quote it", path, jsonKind(data), n.Value)
			return nil
		}
		v.SetString(s)
	case reflect.Bool:
		var b bool
		if json.Unmarshal(data, &b) != nil {
			d.add(issueType, n, path, "%s: must be true or false, not %q", path, n.Value)
			return nil
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if json.Unmarshal(data, &i) != nil || data[0] == '"' || v.OverflowInt(i) {
			d.add(issueType, n, path, "%s: must be an integer%s, not %q", path, rangeOf(v), n.Value)
			return nil
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		if json.Unmarshal(data, &u) != nil || data[0] == '"' || v.OverflowUint(u) {
			d.add(issueType, n, path, "%s: must be a non-negative integer, not %q", path, n.Value)
			return nil
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		var f float64
		if json.Unmarshal(data, &f) != nil || data[0] == '"' || math.IsInf(f, 0) || math.IsNaN(f) {
			d.add(issueType, n, path, "%s: must be a number, not %q", path, n.Value)
			return nil
		}
		v.SetFloat(f)
	default:
		d.add(issueType, n, path, "%s: unsupported field type %s", path, v.Type())
	}
	return nil
}

// errNoJSON is a value toJSON cannot convert: the decoder reports it at the
// node and goes on.
type errNoJSON struct {
	node *yaml.Node
	why  string
}

func (e errNoJSON) Error() string { return e.why }

// toJSON converts a node to JSON for types with their own UnmarshalJSON
// (quantities, int-or-string, times).
func (d *decoder) toJSON(n *yaml.Node) ([]byte, error) {
	n, err := d.resolve(n)
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarJSON(n)
	case yaml.SequenceNode:
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			b, err := d.toJSON(c)
			if err != nil {
				return nil, err
			}
			parts[i] = string(b)
		}
		return []byte("[" + strings.Join(parts, ",") + "]"), nil
	case yaml.MappingNode:
		parts := make([]string, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, _ := json.Marshal(n.Content[i].Value)
			b, err := d.toJSON(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			parts = append(parts, string(k)+":"+string(b))
		}
		return []byte("{" + strings.Join(parts, ",") + "}"), nil
	}
	return []byte("null"), nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return tagName(n.ShortTag()) + " " + strconv.Quote(shorten(n.Value))
}

func tagName(tag string) string {
	switch tag {
	case "!!int":
		return "the integer"
	case "!!float":
		return "the number"
	case "!!bool":
		return "the boolean"
	case "!!str":
		return "the string"
	case "!!null":
		return "null"
	}
	return "the value"
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "an integer"
}

func rangeOf(v reflect.Value) string {
	if v.Kind() == reflect.Int32 {
		return " (32-bit)"
	}
	return ""
}

func orDoc(path string) string {
	if path == "" {
		return "the document"
	}
	return path
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func cleanJSONErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "json: ")
	return s
}
