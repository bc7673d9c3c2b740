package lint

import (
	"bytes"
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

// Lint runs every enabled rule on objects read from inputs and returns the
// findings sorted by file, line and column. inputs are used to find the
// positions of cross-object findings: a file is parsed again only if one of
// its objects has such a finding, so nothing holds every YAML node at once.
func Lint(inputs []Input, objects []*Object, opts Options) []Finding {
	set := NewSetFor(objects, opts)
	var findings []Finding
	for _, r := range Rules() {
		if opts.Disabled[r.ID] {
			continue
		}
		rep := &Reporter{rule: r}
		r.Check(set, rep)
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

// resolvePositions fills in line and column of findings reported by path,
// parsing each file concerned once more (on every core), and only as far as
// its last document with such a finding.
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
		fs := byFile[in.Name]
		last := 0
		for _, f := range fs {
			last = max(last, f.obj.Doc)
		}
		docs := parseDocs(in.Data, last)
		for _, f := range fs {
			f.Line, f.Column = 1, 1
			if f.obj.Doc >= len(docs) || docs[f.obj.Doc] == nil {
				continue
			}
			n := docs[f.obj.Doc]
			if f.obj.Item >= 0 {
				if item := lookup(n, []string{"items", strconv.Itoa(f.obj.Item)}); item != nil {
					n = item
				}
			}
			pos := locate(n, f.path)
			f.Line, f.Column = pos.Line, pos.Column
		}
	})
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
