package presets

// DefinitionError is a malformed embedded preset: a defect in headless,
// never the user's. Get, All and Load return it.
type DefinitionError struct {
	File string
	Err  error
}

func (e *DefinitionError) Error() string { return "preset " + e.File + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *DefinitionError) Unwrap() error { return e.Err }
