package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Output formats.
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatSARIF = "sarif"
)

// Formats lists the output formats.
var Formats = []string{FormatText, FormatJSON, FormatSARIF}

// Write writes findings in format.
func Write(w io.Writer, format string, findings []Finding, version string) error {
	switch format {
	case FormatJSON:
		return writeJSON(w, findings)
	case FormatSARIF:
		return writeSARIF(w, findings, version)
	}
	return writeText(w, findings)
}

// writeText writes one line per finding: file:line:col: severity: message [rule].
func writeText(w io.Writer, findings []Finding) error {
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s]\n", EscapeText(f.File), f.Line, f.Column, f.Severity, EscapeText(f.Message), f.Rule)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// EscapeText makes a string from the input safe to print on a terminal:
// C0 and C1 control characters and DEL are written as strconv.Quote writes
// them (\x1b, \n, \u0085), so a manifest cannot move the cursor, clear the
// screen or set the window title through a name, a value or a file name.
// Everything else, backslashes included, is left as it is. JSON and SARIF
// need no such step: encoding/json escapes control characters.
func EscapeText(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }

// EncodeJSON writes v as indented JSON in which no control character
// stands raw: encoding/json escapes C0 controls but leaves DEL and the C1
// controls (U+0080 to U+009F, among them CSI, which some terminals obey) as
// they are, so those are written as \u escapes too. They can only occur
// inside strings, where the escape means the same character.
func EncodeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	out := buf.Bytes()
	if bytes.ContainsFunc(out, isControl) {
		var b strings.Builder
		for _, r := range string(out) {
			if r >= 0x7f && r <= 0x9f {
				fmt.Fprintf(&b, "\\u%04x", r)
				continue
			}
			b.WriteRune(r)
		}
		out = []byte(b.String())
	}
	_, err := w.Write(out)
	return err
}

func writeJSON(w io.Writer, findings []Finding) error {
	if findings == nil {
		findings = []Finding{}
	}
	return EncodeJSON(w, findings)
}

// SARIF 2.1.0, the subset code-scanning UIs read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifText    `json:"shortDescription"`
	Help                 sarifText    `json:"help"`
	DefaultConfiguration sarifDefault `json:"defaultConfiguration"`
}

type sarifDefault struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, findings []Finding, version string) error {
	rules := Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "headless", Version: version, InformationURI: "https://github.com/headless-k8s/headless/blob/main/docs/rules.md"}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{ID: r.ID, ShortDescription: sarifText{r.Description},
			Help: sarifText{r.Remediation}, DefaultConfiguration: sarifDefault{sarifLevel(r.Severity)}})
	}
	results := make([]sarifResult, 0, len(findings))
	for _, f := range findings {
		uri := strings.TrimPrefix(f.File, "./")
		if f.File == "-" {
			uri = "stdin"
		}
		results = append(results, sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message: sarifText{f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri},
				Region: sarifRegion{StartLine: f.Line, StartColumn: f.Column}}}}})
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0",
		Runs: []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}}}
	return EncodeJSON(w, log)
}

// WriteRulesDoc writes the rule reference (docs/rules.md) from the registry.
func WriteRulesDoc(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Lint rules\n\n")
	b.WriteString("<!-- Generated from the rule registry (lint/rule_*.go) by `make golden`; do not edit. -->\n\n")
	b.WriteString("`headless lint` runs every rule below; `--disable RULE` turns one off. Every rule has one\n")
	b.WriteString("severity, and each of its findings has that severity:\n\n")
	for _, m := range SeverityMeaning {
		fmt.Fprintf(&b, "- **%s**: %s.\n", m.Severity, m.Meaning)
	}
	b.WriteString("\n| rule | severity of its findings | applies to |\n|---|---|---|\n")
	rules := Rules()
	for _, sev := range []Severity{Error, Warning, Info} {
		for _, r := range rules {
			if r.Severity == sev {
				fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", r.ID, r.ID, r.Severity, strings.Join(r.Kinds, ", "))
			}
		}
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\nApplies to: %s.\n\n%s\n\n| finding | severity |\n|---|---|\n", r.ID, strings.Join(r.Kinds, ", "), r.Description)
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "| %s | %s |\n", strings.ReplaceAll(f, "|", "\\|"), r.Severity)
		}
		fmt.Fprintf(&b, "\n**Fix:** %s\n", r.Remediation)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
