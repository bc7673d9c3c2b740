package generator

import (
	"reflect"
	"strings"
	"testing"
)

// TestListedFiles reads back the list of a kustomization.yaml that Files
// wrote, and nothing from one that a user wrote or changed.
func TestListedFiles(t *testing.T) {
	man, err := Generate(Spec{Preset: "redis", Mode: ModePods, Replicas: intp(2)})
	if err != nil {
		t.Fatal(err)
	}
	files := man.Files()
	k := files[len(files)-1]
	var want []string
	for _, f := range files[:len(files)-1] {
		want = append(want, f.Name)
	}
	if got := ListedFiles(k.Data); !reflect.DeepEqual(got, want) {
		t.Errorf("ListedFiles = %q, want %q", got, want)
	}
	for _, edited := range []string{
		"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - a.yaml\n",
		string(k.Data) + "patches:\n  - p.yaml\n",
		string(k.Data) + "  - ../elsewhere.yaml\n",
		strings.TrimSuffix(string(k.Data), "\n"),
	} {
		if got := ListedFiles([]byte(edited)); got != nil {
			t.Errorf("ListedFiles of %q = %q, want nil", edited, got)
		}
	}
}
