package generator

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func strp(s string) *string { return &s }

// TestDecodeSpec: keys are exact, one document only, and scalars are the
// text the user wrote (issue #11, finding 14).
func TestDecodeSpec(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Spec   // when wantErr is ""
		wantErr string // substring of the error
		line    int    // the error's line, when wantErr is set
	}{
		{name: "every kind", in: "preset: redis\nreplicas: 5\nclientService: false\nlabels:\n  team: data\n",
			want: Spec{Preset: "redis", Replicas: intp(5), ClientService: boolp(false), Labels: map[string]string{"team": "data"}}},
		{name: "octal-looking name is text", in: "name: 0123", want: Spec{Name: "0123"}},
		{name: "yaml 1.1 bool is text", in: "mode: on\nnamespace: yes", want: Spec{Mode: "on", Namespace: "yes"}},
		{name: "float-looking name is text", in: "name: 1e3", want: Spec{Name: "1e3"}},
		{name: "label keys and values are text", in: "labels:\n  yes: 0x10\n  on: 1e3\n  0x10: ~\n  empty:\n",
			want: Spec{Labels: map[string]string{"yes": "0x10", "on": "1e3", "0x10": "~", "empty": ""}}},
		{name: "quoted text", in: "name: \"db\"\nimage: 'redis:7'", want: Spec{Name: "db", Image: "redis:7"}},
		{name: "null is left out", in: "name:\nnamespace: ~\nimage: null\nreplicas:\nlabels:\n", want: Spec{}},
		{name: "empty labels are no labels", in: "labels: {}", want: Spec{}},
		{name: "empty storage class is the default", in: "storageClass: ''", want: Spec{}},
		{name: "aliases", in: "name: &n db\nnamespace: *n", want: Spec{Name: "db", Namespace: "db"}},
		{name: "JSON", in: `{"preset": "redis", "replicas": 3, "clientService": true, "labels": {"team": "data"}}`,
			want: Spec{Preset: "redis", Replicas: intp(3), ClientService: boolp(true), Labels: map[string]string{"team": "data"}}},
		{name: "explicit document start", in: "---\npreset: redis\n", want: Spec{Preset: "redis"}},

		{name: "key in another case", in: "REPLICAS: 5", wantErr: `unknown key "REPLICAS"; keys are case-sensitive: replicas (keys: preset,`, line: 1},
		{name: "same key in two cases", in: "replicas: 2\nReplicas: 5", wantErr: `unknown key "Replicas"`, line: 2},
		{name: "key twice", in: "replicas: 2\nreplicas: 5", wantErr: `key "replicas" is given twice, first on line 1`, line: 2},
		{name: "label twice", in: "labels:\n  a: 1\n  a: 2", wantErr: `label "a" is given twice, first on line 2`, line: 3},
		{name: "second document", in: "preset: redis\n---\npreset: mongodb\n", wantErr: "a second YAML document", line: 2},
		{name: "invalid second document", in: "preset: redis\n---\n[", wantErr: "invalid YAML", line: 3},
		{name: "hex replicas", in: "replicas: 0x10", wantErr: `invalid replicas "0x10": must be an integer from 1 to 1000`, line: 1},
		{name: "quoted replicas", in: "replicas: '3'", wantErr: `invalid replicas "3": must be an integer`, line: 1},
		{name: "float replicas", in: "replicas: 3.0", wantErr: `invalid replicas "3.0"`, line: 1},
		{name: "yes is not a bool", in: "clientService: yes", wantErr: `invalid clientService "yes": must be true or false`, line: 1},
		{name: "quoted bool", in: "clientService: 'true'", wantErr: `must be true or false`, line: 1},
		{name: "empty string", in: "name: ''", wantErr: `invalid name "": must not be empty`, line: 1},
		{name: "list for a string", in: "name: [a]", wantErr: `"name" must be a string, not a list`, line: 1},
		{name: "labels not a mapping", in: "labels: [a]", wantErr: `"labels" must be a mapping`, line: 1},
		{name: "label value a mapping", in: "labels:\n  a: {b: c}", wantErr: `"labels" must map label keys to values`, line: 2},
		{name: "merge key", in: "base: &b {name: db}\n<<: *b", wantErr: `unknown key "base"`, line: 1},
		{name: "not a mapping", in: "redis", wantErr: "must be a mapping", line: 1},
		{name: "empty", in: "", wantErr: "is empty"},
		{name: "only comments", in: "# nothing\n", wantErr: "is empty"},
		{name: "syntax error", in: "preset: redis\n  name: x", wantErr: "invalid YAML: mapping values are not allowed", line: 2},
		{name: "too large", in: "labels:\n" + strings.Repeat("  a: b\n", MaxSpecFile/7+1), wantErr: "is larger than the limit of 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := DecodeSpec([]byte(tt.in))
			if tt.wantErr == "" {
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("DecodeSpec = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			var se *SpecError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.wantErr) || se.Line != tt.line {
				t.Fatalf("DecodeSpec error = %v (%T); want a *SpecError on line %d containing %q", err, err, tt.line, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the error has more than one line: %q", err)
			}
		})
	}
}

// TestDecodeSpecLines: each key set is mapped to its line; a null one is not.
func TestDecodeSpecLines(t *testing.T) {
	_, lines, err := DecodeSpec([]byte("# spec\npreset: redis\nname:\n\nreplicas: 2\n"))
	if want := map[string]int{"preset": 2, "replicas": 5}; err != nil || !reflect.DeepEqual(lines, want) {
		t.Errorf("lines = %v, %v; want %v", lines, err, want)
	}
}

func TestQuoteValue(t *testing.T) {
	long := strings.Repeat("a", 100000)
	tests := []struct{ in, want string }{
		{"db", `"db"`},
		{"a\"b", `"a\"b"`},
		{strings.Repeat("x", maxShown), `"` + strings.Repeat("x", maxShown) + `"`},
		{long, `"` + strings.Repeat("a", shownPrefix) + `"… (100000 characters)`},
		{strings.Repeat("é", maxShown+1), `"` + strings.Repeat("é", shownPrefix) + `"… (401 characters)`},
	}
	for _, tt := range tests {
		if got := QuoteValue(tt.in); got != tt.want {
			t.Errorf("QuoteValue(%.20q…) = %.80s, want %.80s", tt.in, got, tt.want)
		}
	}
	if got := (&FieldError{Field: FieldName, Value: long, Reason: "too long"}).Error(); len(got) > 200 {
		t.Errorf("FieldError with a 100 KB value is %d bytes long", len(got))
	}
}
