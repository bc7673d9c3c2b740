package lint

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/internal/testutil"
)

// A corpus set is one file or directory under testdata/corpus/works (sets of
// manifests that work in real clusters) or testdata/corpus/mistakes (sets
// with mistakes from public reports). Each file starts with a comment naming
// the pattern it represents and where such manifests come from.
//
// A line "# lint: --namespace NS" in a set gives lint that flag. In mistakes
// sets, "# want RULE" at the end of a line says that RULE must report a
// finding on that line.

var (
	lintFlagRE = regexp.MustCompile(`^# lint: (.*)$`)
	wantRE     = regexp.MustCompile(`# want ([a-z0-9-]+)\s*$`)
)

// corpusSet is one set with what its files ask of lint.
type corpusSet struct {
	path  string
	flags []string
	// wants maps "file:line" to the rules that must report there.
	wants map[string][]string
}

func readCorpus(t *testing.T) []corpusSet {
	t.Helper()
	var sets []corpusSet
	for _, group := range []string{"works", "mistakes"} {
		entries, err := os.ReadDir(filepath.Join("testdata", "corpus", group))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			set := corpusSet{path: filepath.Join("testdata", "corpus", group, e.Name()), wants: map[string][]string{}}
			files := []string{set.path}
			if e.IsDir() {
				files, _ = filepath.Glob(filepath.Join(set.path, "*.yaml"))
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(data, []byte("# ")) {
					t.Errorf("%s does not start with a comment naming its pattern", f)
				}
				sc := bufio.NewScanner(bytes.NewReader(data))
				for line := 1; sc.Scan(); line++ {
					if m := lintFlagRE.FindStringSubmatch(sc.Text()); m != nil {
						set.flags = append(set.flags, strings.Fields(m[1])...)
					}
					if m := wantRE.FindStringSubmatch(sc.Text()); m != nil {
						key := fmt.Sprintf("%s:%d", f, line)
						set.wants[key] = append(set.wants[key], m[1])
					}
				}
			}
			sets = append(sets, set)
		}
	}
	return sets
}

// TestCorpus lints every corpus set and compares the findings with
// testdata/corpus/findings.golden, which ends with the count of findings by
// severity for each group. No set of works/ may get an error; every
// "# want" of mistakes/ must be met.
func TestCorpus(t *testing.T) {
	var out bytes.Buffer
	counts := map[string]map[Severity]int{"works": {}, "mistakes": {}}
	wants, caught := 0, 0
	for _, set := range readCorpus(t) {
		inputs, errs := ReadInputs([]string{set.path}, nil)
		objs, perrs := Parse(inputs)
		if len(errs)+len(perrs) > 0 {
			t.Fatalf("%s: %v %v", set.path, errs, perrs)
		}
		opts := Options{}
		for i, f := range set.flags {
			if f == "--namespace" && i+1 < len(set.flags) {
				opts.Namespace = set.flags[i+1]
			}
		}
		findings := Lint(inputs, objs, opts)
		fmt.Fprintf(&out, "== %s %s\n", set.path, strings.Join(set.flags, " "))
		if err := Write(&out, FormatText, findings, ""); err != nil {
			t.Fatal(err)
		}
		group := filepath.Base(filepath.Dir(set.path))
		at := map[string][]string{}
		for _, f := range findings {
			counts[group][f.Severity]++
			key := fmt.Sprintf("%s:%d", f.File, f.Line)
			at[key] = append(at[key], f.Rule)
			if group == "works" && f.Severity == Error {
				t.Errorf("%s works in real clusters, but lint reports an error: %s:%d: %s [%s]", set.path, f.File, f.Line, f.Message, f.Rule)
			}
		}
		for key, rules := range set.wants {
			for _, r := range rules {
				wants++
				if strings.Contains(" "+strings.Join(at[key], " ")+" ", " "+r+" ") {
					caught++
				} else {
					t.Errorf("%s: no %s finding at this line", key, r)
				}
			}
		}
	}
	out.WriteString("\n")
	for _, group := range []string{"works", "mistakes"} {
		c := counts[group]
		fmt.Fprintf(&out, "%s: %d errors, %d warnings, %d info\n", group, c[Error], c[Warning], c[Info])
	}
	fmt.Fprintf(&out, "mistakes caught at their line: %d of %d\n", caught, wants)
	testutil.AssertGolden(t, filepath.Join("testdata", "corpus", "findings.golden"), out.Bytes())
}
