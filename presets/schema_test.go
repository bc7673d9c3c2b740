package presets

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// jsonFields returns the JSON names of every field reachable from t.
func jsonFields(t reflect.Type, into map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		into[name] = true
		jsonFields(f.Type, into)
	}
}

// TestSchemaDocumented keeps docs/presets.md in step with the Preset type:
// every field is in a table, and every table names only fields.
func TestSchemaDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/presets.md")
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	jsonFields(reflect.TypeOf(Preset{}), fields)
	documented := map[string]bool{}
	row := regexp.MustCompile("(?m)^\\| (`[^|]+) \\|")
	name := regexp.MustCompile("`([a-zA-Z]+)`")
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		for _, n := range name.FindAllStringSubmatch(m[1], -1) {
			documented[n[1]] = true
		}
	}
	for f := range fields {
		if !documented[f] {
			t.Errorf("docs/presets.md does not document the field %s", f)
		}
	}
	for d := range documented {
		if !fields[d] {
			t.Errorf("docs/presets.md documents %s, which is not a field of Preset", d)
		}
	}
	if len(fields) < 30 {
		t.Errorf("found only %d fields: %v", len(fields), slices.Sorted(func(yield func(string) bool) {
			for f := range fields {
				if !yield(f) {
					return
				}
			}
		}))
	}
}
