package lint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/internal/testutil"
)

// lintFiles reads and lints paths with only the rules in enabled (all when
// empty) and returns the findings as text.
func lintFiles(t *testing.T, enabled []string, paths ...string) (string, []error) {
	t.Helper()
	inputs, errs := ReadInputs(paths, strings.NewReader(""))
	objs, perrs := Parse(inputs)
	opts := Options{Disabled: map[string]bool{}}
	if len(enabled) > 0 {
		for _, r := range Rules() {
			opts.Disabled[r.ID] = true
		}
		for _, id := range enabled {
			delete(opts.Disabled, id)
		}
	}
	var b bytes.Buffer
	if err := Write(&b, FormatText, Lint(inputs, objs, opts), "test"); err != nil {
		t.Fatal(err)
	}
	return b.String(), append(errs, perrs...)
}

// TestRules runs every registered rule on its testdata: fire.yaml must give
// the findings in fire.golden (and at least one), pass.yaml none of the
// rule's. A rule without testdata fails the test.
func TestRules(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", "rules", r.ID)
			got, errs := lintFiles(t, []string{r.ID}, filepath.Join(dir, "fire.yaml"))
			if len(errs) > 0 {
				t.Fatalf("reading fire.yaml: %v", errs)
			}
			if !strings.Contains(got, "["+r.ID+"]") {
				t.Errorf("fire.yaml gives no %s finding:\n%s", r.ID, got)
			}
			testutil.AssertGolden(t, filepath.Join(dir, "fire.golden"), []byte(got))
			got, errs = lintFiles(t, nil, filepath.Join(dir, "pass.yaml"))
			if len(errs) > 0 {
				t.Fatalf("reading pass.yaml: %v", errs)
			}
			if got != "" {
				t.Errorf("pass.yaml gives findings:\n%s", got)
			}
		})
	}
}

// TestGeneratedManifestsAreClean lints every golden output of the
// generator: none may have a finding at warning level or above.
func TestGeneratedManifestsAreClean(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "golden", "*.yaml"))
	dirs, _ := filepath.Glob(filepath.Join("..", "golden", "dir-*"))
	if len(files) < 6 || len(dirs) < 2 {
		t.Fatalf("found %d golden files and %d directories; expected every preset × mode", len(files), len(dirs))
	}
	for _, path := range append(files, dirs...) {
		got, errs := lintFiles(t, nil, path)
		if len(errs) > 0 || got != "" {
			t.Errorf("%s: errors %v, findings:\n%s", path, errs, got)
		}
	}
}

// TestRulesDoc keeps docs/rules.md equal to the registry (make golden
// regenerates it).
func TestRulesDoc(t *testing.T) {
	var b bytes.Buffer
	if err := WriteRulesDoc(&b); err != nil {
		t.Fatal(err)
	}
	testutil.AssertGolden(t, filepath.Join("..", "docs", "rules.md"), b.Bytes())
}

func TestOutputFormats(t *testing.T) {
	path := filepath.Join("testdata", "rules", "cluster-ip-none", "fire.yaml")
	inputs, _ := ReadInputs([]string{path}, nil)
	objs, _ := Parse(inputs)
	findings := Lint(inputs, objs, Options{})
	for _, format := range []string{FormatJSON, FormatSARIF} {
		var b bytes.Buffer
		if err := Write(&b, format, findings, "test"); err != nil {
			t.Fatal(err)
		}
		testutil.AssertGolden(t, filepath.Join("testdata", "output."+format), b.Bytes())
	}
}

// TestListAndStdin reads a kind: List from stdin; findings point into the
// items.
func TestListAndStdin(t *testing.T) {
	list := `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: a}
    spec:
      clusterIP: none
      selector: {app: a}
`
	inputs, errs := ReadInputs([]string{"-"}, strings.NewReader(list))
	objs, perrs := Parse(inputs)
	if len(errs)+len(perrs) > 0 {
		t.Fatal(errs, perrs)
	}
	var b bytes.Buffer
	Write(&b, FormatText, Lint(inputs, objs, Options{}), "")
	if want := "-:8:7: error: clusterIP \"none\""; !strings.HasPrefix(b.String(), want) {
		t.Errorf("got %q, want it to start with %q", b.String(), want)
	}
}

// TestBadInputs feeds inputs that must give a clear error naming the file,
// never a panic, and not stop the other files from being linted.
func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = n
	}
	bombDoc := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bomb\n  annotations:\n    x: y\nspec:\n  containers: []\n  " + strings.ReplaceAll(bomb, "\n", "\n  ") + "nodeSelector: *i\n"
	loop := filepath.Join(dir, "loop")
	os.Mkdir(loop, 0o755)
	os.Symlink(loop, filepath.Join(loop, "again"))
	big := filepath.Join(dir, "big.yaml")
	f, _ := os.Create(big)
	f.Truncate(100 << 20)
	f.Close()
	good := write("good.yaml", []byte("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n"))
	tests := []struct {
		name string
		path string
		want string
	}{
		{"binary", write("bin.yaml", []byte{0x7f, 'E', 'L', 'F', 0, 0, 1}), "binary file"},
		{"invalid utf-8", write("latin1.yaml", []byte("a: caf\xe9\n")), "line 1: invalid UTF-8"},
		{"alias bomb", write("bomb.yaml", []byte(bombDoc)), "YAML aliases in the file expand to more than"},
		{"100 MB", big, "larger than 32 MiB"},
		{"directory loop", loop, "directory loop"},
		{"syntax error", write("broken.yaml", []byte("a: [\n")), "broken.yaml: "},
		{"missing", filepath.Join(dir, "nope.yaml"), "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := lintFiles(t, nil, tt.path, good)
			if len(errs) == 0 || !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("errors %v, want one containing %q", errs, tt.want)
			}
			if !strings.Contains(got, "good.yaml:4:8: error: clusterIP") {
				t.Errorf("the good file was not linted; findings:\n%s", got)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "rules", "*", "*.yaml"))
	seeds = append(seeds, filepath.Join("testdata", "fix", "input.yaml"))
	for _, s := range seeds {
		data, _ := os.ReadFile(s)
		f.Add(data)
	}
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{kind: Pod, spec: {containers: [{ports: [{containerPort: x}]}]}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inputs := []Input{{Name: "fuzz.yaml", Data: data}}
		objs, _ := Parse(inputs)
		Lint(inputs, objs, Options{})
		// Fixes never make a parseable input unparseable.
		if fixed, _ := Fix(inputs); len(fixed) == 1 {
			if _, err := countDocs(fixed[0].After); err != nil {
				t.Fatalf("the fixes broke the YAML: %v\n%s", err, fixed[0].After)
			}
		}
	})
}

// TestKeepsLintingTheEvidentKind: a document whose kind is misspelled or
// under a misspelled key is still checked as that kind.
func TestKeepsLintingTheEvidentKind(t *testing.T) {
	for _, doc := range []string{
		"apiVersion: v1\nknid: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n",
		"apiVersion: v1\nkind: service\nmetadata: {name: s}\nspec: {clusterIP: none}\n",
		"kind: Service\nmetadata: {name: s}\nspec: {clusterIP: none}\n",
	} {
		inputs := []Input{{Name: "x.yaml", Data: []byte(doc)}}
		objs, _ := Parse(inputs)
		var b bytes.Buffer
		Write(&b, FormatText, Lint(inputs, objs, Options{}), "")
		if !strings.Contains(b.String(), "[kind-apiversion]") || !strings.Contains(b.String(), ":8: error: clusterIP \"none\"") {
			t.Errorf("%q:\n%s", doc, b.String())
		}
	}
}

// TestFQDNOver253 needs a long cluster domain: with cluster.local no pod
// name can exceed 253 characters.
func TestFQDNOver253(t *testing.T) {
	doc := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: x}}\nspec:\n  hostname: " + strings.Repeat("h", 63) +
		"\n  subdomain: " + strings.Repeat("s", 63) + "\n  containers: [{name: c, image: \"x:1\"}]\n"
	inputs := []Input{{Name: "x.yaml", Data: []byte(doc)}}
	objs, _ := Parse(inputs)
	domain := strings.Repeat("d", 60) + "." + strings.Repeat("e", 60)
	var b bytes.Buffer
	Write(&b, FormatText, Lint(inputs, objs, Options{Domain: domain, Disabled: map[string]bool{"subdomain-service": true}}), "")
	if !strings.Contains(b.String(), "x.yaml:5:3: error: the pod DNS name") || !strings.Contains(b.String(), "DNS names are at most 253 [dns-name-syntax]") {
		t.Errorf("findings:\n%s", b.String())
	}
}

// TestNamespaces: objects without a namespace belong together and with
// --namespace; one with a namespace matches them only when it is the one
// given.
func TestNamespaces(t *testing.T) {
	svc := func(ns string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: db-h" + ns + "}\nspec:\n  clusterIP: None\n  publishNotReadyAddresses: true\n  selector: {app: db}\n  ports: [{name: db, port: 5432}]\n"
	}
	sts := func(ns string) string {
		return "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db" + ns + "}\nspec:\n  serviceName: db-h\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c, image: \"postgres:17.2\", ports: [{name: db, containerPort: 5432}]}]}\n"
	}
	ns := func(n string) string { return ", namespace: " + n }
	tests := []struct {
		name, svcNS, stsNS, flag string
		want                     string // rule of the one finding, or ""
	}{
		{"neither has one", "", "", "", ""},
		{"neither has one, -n given", "", "", "data", ""},
		{"the same one", ns("data"), ns("data"), "", ""},
		{"Service has one, -n names it", ns("data"), "", "data", ""},
		{"StatefulSet has one, -n names it", "", ns("data"), "data", ""},
		{"Service has one, no -n", ns("data"), "", "", "warning: serviceName \"db-h\" names Service db-h, which is in namespace data while StatefulSet db is in the namespace the input is applied to"},
		{"StatefulSet has one, no -n", "", ns("data"), "", "warning: serviceName \"db-h\" names Service db-h, which is in the namespace the input is applied to while StatefulSet db is in namespace data"},
		{"Service has one, -n names another", ns("data"), "", "web", "error: serviceName \"db-h\" names Service db-h in namespace data, but serviceName always refers to the StatefulSet's own namespace web"},
		{"different ones", ns("data"), ns("web"), "", "error: serviceName \"db-h\" names Service db-h in namespace data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inputs := []Input{{Name: "x.yaml", Data: []byte(svc(tt.svcNS) + "---\n" + sts(tt.stsNS))}}
			objs, errs := Parse(inputs)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var b bytes.Buffer
			Write(&b, FormatText, Lint(inputs, objs, Options{Namespace: tt.flag}), "")
			got := b.String()
			switch {
			case tt.want == "" && got != "":
				t.Errorf("findings:\n%s", got)
			case tt.want != "" && (strings.Count(got, "\n") != 1 || !strings.Contains(got, tt.want)):
				t.Errorf("findings:\n%s\nwant one containing %q", got, tt.want)
			}
		})
	}
}

// TestSuggestions: "did you mean" names the field the author meant, for a
// key of another case and for a field put at the wrong level.
func TestSuggestions(t *testing.T) {
	sts := func(top, meta, spec, selector, tmpl, tmplMeta, podSpec string) string {
		return "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a" + meta + "}\n" + top +
			"spec:\n  serviceName: a\n" + spec + "  selector: {" + selector + "}\n  template:\n" + tmpl +
			"    metadata: {labels: {app: a}" + tmplMeta + "}\n    spec: {containers: [{name: c, image: \"x:1\"}]" + podSpec + "}\n"
	}
	tests := []struct{ doc, want string }{
		{sts("", "", "", "matchlabels: {app: a}", "", "", ""), `unknown field "spec.selector.matchlabels"; did you mean "spec.selector.matchLabels"?`},
		{sts("", "", "", "matchLabels: {app: a}, app: a", "", "", ""), `unknown field "spec.selector.app"; did you mean "spec.selector.matchLabels.app"?`},
		{sts("", "", "", "matchLabels: {app: a}", "    serviceName: a\n", "", ""), `unknown field "spec.template.serviceName"; did you mean "spec.serviceName"?`},
		{sts("", "", "", "matchLabels: {app: a}", "", "", ", serviceName: a"), `unknown field "spec.template.spec.serviceName"; did you mean "spec.serviceName"?`},
		{sts("", ", serviceName: a", "", "matchLabels: {app: a}", "", "", ""), `unknown field "metadata.serviceName"; did you mean "spec.serviceName"?`},
		{sts("", "", "", "matchLabels: {app: a}", "", ", hostname: a", ""), `unknown field "spec.template.metadata.hostname"; did you mean "spec.template.spec.hostname"?`},
	}
	for _, tt := range tests {
		inputs := []Input{{Name: "x.yaml", Data: []byte(tt.doc)}}
		objs, errs := Parse(inputs)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		var b bytes.Buffer
		Write(&b, FormatText, Lint(inputs, objs, Options{Disabled: map[string]bool{"publish-not-ready": true, "governing-service-missing": true}}), "")
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("%s\nfindings:\n%s\nwant %q", tt.doc, b.String(), tt.want)
		}
	}
}

// TestNearestPodsInTheSameFile: of two workloads as near to a Service's
// selector, lint names the one in the Service's file.
func TestNearestPodsInTheSameFile(t *testing.T) {
	workload := func(name string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + "}\nspec:\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c, image: \"x:1\"}]}\n"
	}
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: db-h}\nspec:\n  clusterIP: None\n  selector: {app: database}\n  ports: [{name: db, port: 1}]\n"
	inputs := []Input{{Name: "a.yaml", Data: []byte(workload("first"))}, {Name: "b.yaml", Data: []byte(svc + "---\n" + workload("second"))}}
	objs, _ := Parse(inputs)
	var b bytes.Buffer
	Write(&b, FormatText, Lint(inputs, objs, Options{}), "")
	if want := "nearest: the pods of Deployment second in this file, labelled app=db (app=db instead of app=database)"; !strings.Contains(b.String(), want) {
		t.Errorf("findings:\n%s\nwant %q", b.String(), want)
	}
}

// TestPositionsFromFragments: a finding's position, found by parsing its
// document's lines alone, is the one parsing the whole file gives.
func TestPositionsFromFragments(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "rules", "*", "fire.yaml"))
	corpus, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*", "*.yaml"))
	for _, path := range append(files, corpus...) {
		inputs, _ := ReadInputs([]string{path}, nil)
		objs, _ := Parse(inputs)
		var fragments, whole bytes.Buffer
		Write(&fragments, FormatText, Lint(inputs, objs, Options{}), "")
		for _, o := range objs {
			o.line0 = 0 // no fragment: parse the file
		}
		Write(&whole, FormatText, Lint(inputs, objs, Options{}), "")
		if d := testutil.Diff("whole file", "fragments", whole.String(), fragments.String()); d != "" {
			t.Errorf("%s:\n%s", path, d)
		}
	}
}

// TestRunStreams: Run, which reads each file when it parses it and trims
// the objects, finds what Lint finds on the objects Parse returns.
func TestRunStreams(t *testing.T) {
	paths := []string{filepath.Join("testdata", "rules"), filepath.Join("testdata", "corpus")}
	inputs, errs := ReadInputs(paths, nil)
	objs, perrs := Parse(inputs)
	if len(errs)+len(perrs) > 0 {
		t.Fatal(errs, perrs)
	}
	var want, got bytes.Buffer
	Write(&want, FormatText, Lint(inputs, objs, Options{}), "")
	res := Run(paths, nil, Options{})
	Write(&got, FormatText, res.Findings, "")
	if d := testutil.Diff("Lint", "Run", want.String(), got.String()); d != "" {
		t.Error(d)
	}
	if res.Objects != len(objs) || res.Files != len(inputs) || len(res.Errors) != 0 {
		t.Errorf("Run read %d objects from %d files (errors %v); Parse %d from %d", res.Objects, res.Files, res.Errors, len(objs), len(inputs))
	}
}

// TestNaNIsAFinding: a number JSON cannot hold (.nan, .inf) where a
// quantity or int-or-string goes is a finding at its line, naming the
// field; the other documents of the file are still linted.
func TestNaNIsAFinding(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nan.yaml")
	doc := "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIP: None\n  selector: {app: a}\n  ports:\n  - port: 1\n    targetPort: .nan\n---\n" +
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x:1\n    resources: {limits: {cpu: -.inf}}\n---\n" + badService
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	got, errs := lintFiles(t, nil, path)
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	for _, want := range []string{
		"nan.yaml:9:17: error: spec.ports[0].targetPort: invalid value the number \".nan\": JSON has no such number",
		"nan.yaml:18:31: error: spec.containers[0].resources.limits.cpu: invalid value the number \"-.inf\": JSON has no such number",
		"nan.yaml:23:8: error: clusterIP \"none\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings do not contain %q:\n%s", want, got)
		}
	}
}

// TestAliasBudgetPerFile: the alias expansion budget is the file's, not
// each List item's or document's: 2,000 items that each alias one node of
// 201 nodes (400,000 in all) are refused, as are many documents that each
// stay under the budget.
func TestAliasBudgetPerFile(t *testing.T) {
	var anchor strings.Builder
	anchor.WriteString("{")
	for i := range 100 {
		fmt.Fprintf(&anchor, "k%d: v, ", i)
	}
	anchor.WriteString("}")
	var list strings.Builder
	list.WriteString("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c0}\n  data: &big " + anchor.String() + "\n")
	for i := 1; i < 2000; i++ {
		fmt.Fprintf(&list, "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}, data: *big}\n", i)
	}
	var docs strings.Builder
	for i := range 40 {
		fmt.Fprintf(&docs, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\ndata: &big %s\nbinaryData: {}\n", i, anchor.String())
		fmt.Fprintf(&docs, "---\napiVersion: v1\nkind: List\nitems:\n- &item {apiVersion: v1, kind: ConfigMap, metadata: {name: d%d}, data: %s}\n", i, anchor.String())
		for range 20 {
			docs.WriteString("- *item\n")
		}
	}
	for name, data := range map[string]string{"list": list.String(), "documents": docs.String()} {
		t.Run(name, func(t *testing.T) {
			_, errs := Parse([]Input{{Name: name, Data: []byte(data)}})
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), "YAML aliases in the file expand to more than 100000 nodes") {
				t.Errorf("errors %v, want the alias budget exceeded", errs)
			}
		})
	}
}
