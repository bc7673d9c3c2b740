package lint

func init() {
	Register(&Rule{
		ID:       "kind-apiversion",
		Severity: Error,
		Kinds:    []string{"every document"},
		Findings: []string{
			"`kind` missing, under a misspelled key (`knid`), in another case or misspelled (`--fix` corrects the key and the case)",
			"`apiVersion` missing, misspelled, or not the one the API server serves the kind as (`extensions/v1beta1`)",
		},
		Description: "A document's `kind` or `apiVersion` is missing, misspelled, or not one the API server serves for that kind.",
		Remediation: "Set `apiVersion` and `kind` exactly as the API serves them (e.g. `apps/v1` and `StatefulSet`); lint suggests the intended ones and keeps checking the document as that kind.",
		Check:       decodeIssues(issueHeader),
	})
}
