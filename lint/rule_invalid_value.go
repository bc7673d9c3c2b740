package lint

func init() {
	Register(&Rule{
		ID:       "invalid-value",
		Severity: Error,
		Kinds:    []string{"every built-in kind"},
		Findings: []string{
			"a value of the wrong type (a number for a string, a list for a mapping, an invalid quantity): strict decoding fails",
			"a key given twice",
		},
		Description: "A value of the wrong type (a number where a string belongs, a list where a mapping belongs, an invalid quantity) or a key given twice; strict decoding into the Kubernetes types fails.",
		Remediation: "Give the value the type the field has: quote strings that look like numbers, and write each key once.",
		Check:       decodeIssues(issueType, issueDuplicateKey),
	})
}
