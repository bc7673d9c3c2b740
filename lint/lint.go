package lint

import (
	"bytes"
	"io"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/headless-k8s/headless/internal/parallel"
)

// Options tune a lint run.
type Options struct {
	// Disabled holds rule IDs not to run.
	Disabled map[string]bool
	// Domain is the cluster domain (default cluster.local).
	Domain string
	// Namespace is the namespace the input is applied to (kubectl's -n):
	// objects without metadata.namespace are in it. Empty when not known.
	Namespace string
}

// Result is what Run found.
type Result struct {
	// Findings are sorted by file, line and column.
	Findings []Finding
	// Objects and Files count what was read (a file that cannot be read
	// is not counted; one with a syntax error is).
	Objects, Files int
	// Errors are the inputs that could not be read or parsed
	// (*InputError), in input order.
	Errors []error
	// Warnings are the directory entries skipped (*SkippedError).
	Warnings []error
}

// Run lints the files named by paths (as ReadInputs takes them) as a
// stream: each file is read, parsed and trimmed to what the cross-object
// rules need on one of several workers, and its bytes and YAML nodes are
// dropped before the next; only the trimmed objects, indexed in a Set,
// stay in memory. Positions of findings are found afterwards by parsing
// again only the documents that have findings.
func Run(paths []string, stdin io.Reader, opts Options) Result {
	inputs, errs := ListInputs(paths, stdin)
	type result struct {
		objs    []*Object
		err     error
		loaded  bool
		objects int // read, kept or not
	}
	results := make([]result, len(inputs))
	parallel.Do(len(inputs), func(i int) {
		data, err := inputs[i].load()
		if err != nil {
			results[i].err = &InputError{inputs[i].Name, err}
			return
		}
		objs, err := parseInput(Input{Name: inputs[i].Name, Data: data})
		kept := objs[:0]
		for _, o := range objs {
			trim(o)
			// An object no rule reads (a ServiceAccount, a custom
			// resource) is only counted, unless decoding found problems.
			if o.view != nil || o.Typed != nil || len(o.issues) > 0 {
				kept = append(kept, o)
			}
		}
		results[i] = result{kept, err, true, len(objs)}
	})
	var objects []*Object
	var res Result
	for _, err := range errs {
		if IsWarning(err) {
			res.Warnings = append(res.Warnings, err)
		} else {
			res.Errors = append(res.Errors, err)
		}
	}
	for _, r := range results {
		objects = append(objects, r.objs...)
		res.Objects += r.objects
		if r.err != nil {
			res.Errors = append(res.Errors, r.err)
		}
		if r.loaded {
			res.Files++
		}
	}
	res.Findings = Lint(inputs, objects, opts)
	return res
}

// Lint runs every enabled rule on objects read from inputs and returns the
// findings sorted by file, line and column. inputs are used to find the
// positions of findings: only the documents with findings are parsed again
// (files not in memory are read again).
func Lint(inputs []Input, objects []*Object, opts Options) []Finding {
	set := NewSetFor(objects, opts)
	var rules []*Rule
	for _, r := range Rules() {
		if !opts.Disabled[r.ID] {
			rules = append(rules, r)
		}
	}
	// Rules only read the Set, so they run side by side.
	reports := make([]Reporter, len(rules))
	parallel.Do(len(rules), func(i int) {
		reports[i].rule = rules[i]
		rules[i].Check(set, &reports[i])
	})
	var findings []Finding
	for _, rep := range reports {
		findings = append(findings, rep.findings...)
	}
	resolvePositions(inputs, findings)
	order := map[string]int{}
	for i, in := range inputs {
		order[in.Name] = i
	}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.File != b.File {
			return order[a.File] < order[b.File]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
	return findings
}

// resolvePositions fills in line and column of findings reported by path.
// Each file concerned is read again if it is not in memory, and of it only
// the lines of the documents with findings are parsed (on every core); a
// document that cannot be parsed alone (a %TAG directive, say) is found by
// parsing the file up to it.
func resolvePositions(inputs []Input, findings []Finding) {
	byFile := map[string][]*Finding{}
	for i := range findings {
		if f := &findings[i]; f.obj != nil && f.Line == 0 {
			byFile[f.File] = append(byFile[f.File], f)
		}
	}
	var todo []int
	for i, in := range inputs {
		if len(byFile[in.Name]) > 0 {
			todo = append(todo, i)
		}
	}
	parallel.Do(len(todo), func(j int) {
		in := inputs[todo[j]]
		in.budget = nil // read again: it was counted once
		fs := byFile[in.Name]
		for _, f := range fs {
			f.Line, f.Column = 1, 1
		}
		data, err := in.load()
		if err != nil {
			return // the file changed under us; line 1 it is
		}
		starts := lineStarts(data)
		roots := map[*Object]docRoot{}
		var whole []*yaml.Node // parsed on demand
		for _, f := range fs {
			root, ok := roots[f.obj]
			if !ok {
				root = fragmentRoot(data, starts, f.obj)
				if root.node == nil {
					if whole == nil {
						last := 0
						for _, g := range fs {
							last = max(last, g.obj.Doc)
						}
						whole = parseDocs(data, last)
					}
					if f.obj.Doc < len(whole) {
						root = docRoot{node: whole[f.obj.Doc]}
					}
				}
				roots[f.obj] = root
			}
			if root.node == nil {
				continue
			}
			n := root.node
			if f.obj.Item >= 0 {
				if item := lookup(n, []string{"items", strconv.Itoa(f.obj.Item)}); item != nil {
					n = item
				}
			}
			pos := locate(n, f.path)
			f.Line, f.Column = pos.Line+root.lineOffset, pos.Column
		}
	})
}

// docRoot is the root node of a document parsed alone, and what to add to
// its line numbers.
type docRoot struct {
	node       *yaml.Node
	lineOffset int
}

// lineStarts returns the byte offset of each line of data.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// fragmentRoot parses the lines of o's document alone.
func fragmentRoot(data []byte, starts []int, o *Object) docRoot {
	line0, line1 := int(o.line0), int(o.line1)
	if line0 < 1 || line0 > len(starts) {
		return docRoot{}
	}
	end := len(data)
	if line1 > 0 && line1 <= len(starts) {
		end = starts[line1-1]
	}
	begin := starts[line0-1]
	if begin > end {
		return docRoot{}
	}
	var n yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data[begin:end])).Decode(&n); err != nil || len(n.Content) == 0 {
		return docRoot{}
	}
	root := n.Content[0]
	if root.Kind != yaml.MappingNode {
		return docRoot{}
	}
	return docRoot{node: root, lineOffset: line0 - 1}
}

// parseDocs parses the documents of a file up to index last (nil for empty
// ones).
func parseDocs(data []byte, last int) []*yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for len(docs) <= last {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return docs
		}
		if len(n.Content) == 0 {
			docs = append(docs, nil)
			continue
		}
		docs = append(docs, n.Content[0])
	}
	return docs
}

// lookup follows a path of keys and list indexes to a value node.
func lookup(n *yaml.Node, path []string) *yaml.Node {
	for _, p := range path {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		next := (*yaml.Node)(nil)
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					next = n.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(p); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// locate returns the node to point at for path: the key of its last
// element, or for a list item the item, or the deepest part present.
func locate(root *yaml.Node, path []string) *yaml.Node {
	n, at := root, root
	for _, p := range path {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		found := false
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					at, n, found = n.Content[i], n.Content[i+1], true
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(p); err == nil && i >= 0 && i < len(n.Content) {
				n, found = n.Content[i], true
				at = n
			}
		}
		if !found {
			break
		}
	}
	return at
}
