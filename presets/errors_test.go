package presets

import (
	"errors"
	"testing"
)

func TestDefinitionError(t *testing.T) {
	cause := errors.New("error converting YAML to JSON")
	err := error(&DefinitionError{File: "mongodb.yaml", Err: cause})
	if got, want := err.Error(), "preset mongodb.yaml: error converting YAML to JSON"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Error("a DefinitionError does not unwrap to its cause")
	}
	var de *DefinitionError
	if wrapped := errors.Join(errors.New("loading"), err); !errors.As(wrapped, &de) || de.File != "mongodb.yaml" {
		t.Error("errors.As does not find a wrapped DefinitionError")
	}
}
