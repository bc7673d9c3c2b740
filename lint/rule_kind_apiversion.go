package lint

func init() {
	Register(&Rule{
		ID:          "kind-apiversion",
		Severity:    Error,
		Kinds:       []string{"every document"},
		Description: "A document's `kind` or `apiVersion` is missing, misspelled, or not one the API server serves for that kind.",
		Remediation: "Set `apiVersion` and `kind` exactly as the API serves them (e.g. `apps/v1` and `StatefulSet`); lint suggests the intended ones and keeps checking the document as that kind.",
		Check:       decodeIssues(issueHeader),
	})
}
