package presets

// DefinitionError is a malformed embedded preset file: it does not decode,
// its name does not match the file, or it breaks a rule of the schema. Get,
// All and Load return it. The presets are
// compiled into headless, so it is a defect in headless, never the user's to
// fix: the command line reports it as an internal error (exit code 3).
type DefinitionError struct {
	// File is the embedded file's name, e.g. "mongodb.yaml".
	File string
	// Err says what is wrong with it.
	Err error
}

func (e *DefinitionError) Error() string { return "preset " + e.File + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *DefinitionError) Unwrap() error { return e.Err }
