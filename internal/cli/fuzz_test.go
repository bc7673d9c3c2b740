package cli

import (
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/headless-k8s/headless/generator"
)

// FuzzSaveSpec: whatever Spec init saves with --save, "generate -f" reads
// back the same Spec. The file is written by one YAML library and read by
// another, as text, so a string one of them would take for a number, a
// bool or null must still round-trip.
func FuzzSaveSpec(f *testing.F) {
	for _, seed := range [][3]string{{"db", "team", "data"}, {"0123", "yes", "on"}, {"~", "0x10", "1e3"},
		{"null", "a", ""}, {"a\nb", "k", "v: w"}, {"- x", "#", "'q'"}} {
		f.Add(seed[0], seed[1], seed[2], 3, true)
	}
	f.Fuzz(func(t *testing.T, text, labelKey, labelValue string, replicas int, clientService bool) {
		if !utf8.ValidString(text) || !utf8.ValidString(labelKey) || !utf8.ValidString(labelValue) {
			return // YAML is UTF-8; init saves only validated, ASCII values
		}
		s := generator.Spec{Preset: text, Name: text, Namespace: text, Mode: generator.Mode(text), ServiceName: text,
			Image: text, Storage: text, StorageClass: text, ClusterDomain: text, Replicas: &replicas,
			Labels: map[string]string{labelKey: labelValue, "k": text}, ClientService: &clientService}
		if text == "" {
			s.StorageClass = "" // an empty storage class is the default: not set
		}
		path := filepath.Join(t.TempDir(), "spec.yaml")
		if err := saveSpec(path, s); err != nil {
			return // the YAML library refuses some control characters; init saves only validated values
		}
		got, _, err := readSpecFile(path, nil)
		if text == "" {
			return // an empty string given on purpose is refused, as by a flag
		}
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("saved %+v, read back %+v, %v", s, got, err)
		}
	})
}
