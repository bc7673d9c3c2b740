package lint

func init() {
	Register(&Rule{
		ID:       "unknown-field",
		Severity: Error,
		Kinds:    []string{"every built-in kind"},
		Findings: []string{
			"a field the object's type does not have, with the field meant when it is evident (another case, a misspelling, the wrong level: `spec.matchLabels`, which `--fix` moves under `spec.selector`)",
		},
		Description: "A field the object's type does not have: the API server rejects it (kubectl apply --validate=strict) or silently drops it.",
		Remediation: "Remove the field or move it where it belongs; lint suggests known fields of a similar name and fields put at the wrong level (e.g. `spec.matchLabels` → `spec.selector.matchLabels`).",
		Check:       decodeIssues(issueUnknownField),
	})
}
