// Package lint finds headless-Service mistakes in Kubernetes manifests:
// objects are read with their positions, decoded strictly into k8s.io/api
// types, indexed by namespace, name and label, and checked by rules. Each
// rule lives in its own rule_*.go file and registers itself; docs/rules.md
// is generated from the registry.
package lint

import (
	"fmt"
	"sort"
)

// Severity of a finding. Every rule has exactly one: a check whose findings
// differ in severity is split into rules.
type Severity string

// Severities, from most to least serious. Only errors make lint fail.
const (
	// Error: the API server rejects the object, or a pod loses its per-pod
	// DNS name, or a peer cannot resolve a name it is given.
	Error Severity = "error"
	// Warning: it works today but degrades (a port without endpoints,
	// names only once pods are ready, a name that depends on objects lint
	// cannot see).
	Warning Severity = "warning"
	// Info: advice.
	Info Severity = "info"
)

// SeverityMeaning says what each severity means, for the rule reference.
var SeverityMeaning = []struct {
	Severity Severity
	Meaning  string
}{
	{Error, "the API server rejects the object, or a pod loses its per-pod DNS name, or a peer cannot resolve a name it is given; `headless lint` exits 1"},
	{Warning, "it works today but degrades: a port without endpoints or SRV record, names that appear only once pods are ready, a name that depends on objects outside the input"},
	{Info, "advice; nothing is broken"},
}

// Rule is one check.
type Rule struct {
	// ID is the rule's name, used by --disable and shown in findings.
	ID string
	// Severity is the severity of every finding of the rule.
	Severity Severity
	// Kinds are the kinds of the objects whose findings the rule reports.
	Kinds []string
	// Findings lists what the rule reports, one sentence each; every one
	// has the rule's severity.
	Findings []string
	// Description says what the rule finds, in one sentence.
	Description string
	// Remediation says how to fix a finding.
	Remediation string
	// Check reports the rule's findings on the set.
	Check func(s *Set, r *Reporter)
}

var registry = map[string]*Rule{}

// Register adds a rule; a second rule with the same ID is a bug.
func Register(r *Rule) {
	if _, dup := registry[r.ID]; dup {
		panic(fmt.Sprintf("lint: rule %q registered twice", r.ID))
	}
	if r.ID == "" || r.Check == nil || r.Description == "" || r.Remediation == "" || r.Severity == "" || len(r.Kinds) == 0 || len(r.Findings) == 0 {
		panic(fmt.Sprintf("lint: rule %q is incomplete", r.ID))
	}
	registry[r.ID] = r
}

// Rules returns every registered rule, sorted by ID.
func Rules() []*Rule {
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the rule with id, or nil.
func Lookup(id string) *Rule { return registry[id] }

// ObjectRef names the object a finding is about.
type ObjectRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Finding is one problem at one place.
type Finding struct {
	File     string    `json:"file"`
	Line     int       `json:"line"`
	Column   int       `json:"column"`
	Rule     string    `json:"rule"`
	Severity Severity  `json:"severity"`
	Message  string    `json:"message"`
	Object   ObjectRef `json:"object"`

	// obj and path locate the finding until positions are resolved.
	obj  *Object
	path []string
}

// Reporter collects one rule's findings.
type Reporter struct {
	rule     *Rule
	findings []Finding
}

// At reports a finding about o at the JSON path (keys, and list indexes
// as numbers); the position is that of the deepest part of the path present
// in the document.
func (r *Reporter) At(o *Object, path []string, format string, args ...any) {
	r.findings = append(r.findings, Finding{File: o.File, Rule: r.rule.ID, Severity: r.rule.Severity,
		Message: fmt.Sprintf(format, args...), Object: ObjectRef{o.Kind, o.shownNS(), o.Name}, obj: o, path: path})
}

// atPos reports a finding whose position is already known.
func (r *Reporter) atPos(o *Object, line, col int, format string, args ...any) {
	r.findings = append(r.findings, Finding{File: o.File, Line: line, Column: col, Rule: r.rule.ID,
		Severity: r.rule.Severity, Message: fmt.Sprintf(format, args...), Object: ObjectRef{o.Kind, o.shownNS(), o.Name}})
}
