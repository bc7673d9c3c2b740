package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// kubectlVerdict decodes a one-document manifest as kubectl and the API
// server do: sigs.k8s.io/yaml converts it to JSON (duplicate keys refused),
// and the JSON is decoded strictly (unknown fields refused, field names
// case-sensitive) into its k8s.io/api type. ok is false when the document
// is not one lint decodes into a type (a List, a custom resource, an
// unknown kind).
func kubectlVerdict(data []byte) (accepted, ok bool, why string) {
	j, err := sigsyaml.YAMLToJSONStrict(data)
	if err != nil {
		return false, true, err.Error()
	}
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if sigsjson.UnmarshalCaseSensitivePreserveInts(j, &meta) != nil {
		return false, false, ""
	}
	info, known := kinds[meta.Kind]
	if !known || info.typ == nil || info.apiVersion != meta.APIVersion {
		return false, false, ""
	}
	v := reflect.New(info.typ)
	strict, err := sigsjson.UnmarshalStrict(j, v.Interface())
	if err != nil {
		return false, true, err.Error()
	}
	if len(strict) > 0 {
		return false, true, strict[0].Error()
	}
	return true, true, ""
}

// lintVerdict decodes the same document with lint's decoder. ok is false
// for what the comparison leaves out: more or fewer than one object, a
// header problem (kind or apiVersion), a document lint refuses to read
// (binary, invalid UTF-8, an alias bomb).
func lintVerdict(data []byte) (accepted, ok bool, why string) {
	objs, errs := Parse([]Input{{Name: "fuzz.yaml", Data: data}})
	if len(errs) > 0 {
		msg := errs[0].Error()
		if strings.Contains(msg, "aliases") || strings.Contains(msg, "binary") || strings.Contains(msg, "UTF-8") {
			return false, false, ""
		}
		return false, true, msg
	}
	if len(objs) != 1 || objs[0].Item >= 0 || objs[0].Typed == nil && len(objs[0].issues) == 0 {
		return false, false, ""
	}
	for _, is := range objs[0].issues {
		if is.kind == issueHeader {
			return false, false, ""
		}
	}
	if len(objs[0].issues) > 0 {
		return false, true, objs[0].issues[0].message
	}
	return true, true, ""
}

// decoderSeeds are documents on which the two decoders once disagreed, and
// the rule documents.
func decoderSeeds() [][]byte {
	seeds := [][]byte{
		[]byte("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec:\n  replicas: 3.0\n  selector: {matchLabels: {app: a}}\n  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: x}]}}\n"),
		[]byte("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: None, publishNotReadyAddresses: yEs}\n"),
		[]byte("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {publishNotReadyAddresses: Yes, ports: [{port: 1e3, targetPort: 0x1F}]}\n"),
		[]byte("apiVersion: v1\nkind: Service\nmetadata: {name: a, labels: {a: yes}}\nspec: {ports: [{port: 010}]}\n"),
		[]byte("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 1, targetPort: .nan}]}\n"),
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "rules", "*", "*.yaml"))
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			for _, doc := range bytes.Split(data, []byte("\n---\n")) {
				seeds = append(seeds, doc)
			}
		}
	}
	return seeds
}

// checkAgree fails when the two decoders disagree on data.
func checkAgree(t *testing.T, data []byte) {
	t.Helper()
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 || bytes.Contains(data, []byte("---")) || bytes.Contains(data, []byte("...")) || bytes.HasPrefix(data, []byte("%")) {
		return // one plain document only: yaml.v2 reads only the first
	}
	want, ok1, why1 := kubectlVerdict(data)
	got, ok2, why2 := lintVerdict(data)
	if !ok1 || !ok2 {
		return
	}
	if want != got {
		t.Fatalf("kubectl accepts: %v (%s); lint accepts: %v (%s)\n%s", want, why1, got, why2, data)
	}
}

// TestDecodersAgree: on replicas: 3.0 (accepted by kubectl) and yEs
// (refused) and the other seeds, lint's verdict is kubectl's.
func TestDecodersAgree(t *testing.T) {
	for _, s := range decoderSeeds() {
		checkAgree(t, s)
	}
}

// FuzzDecodersAgree compares lint's accept/reject verdict on a document
// with kubectl's (sigs.k8s.io/yaml, then strict JSON decoding into the
// k8s.io/api type).
func FuzzDecodersAgree(f *testing.F) {
	for _, s := range decoderSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		checkAgree(t, data)
	})
}
