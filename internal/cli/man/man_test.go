package man

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// committed is where `make man` writes the pages.
var committed = filepath.Join("..", "..", "..", "docs", "man")

// TestManPagesUpToDate regenerates the man pages and fails if docs/man
// differs, so that they never drift from the command tree. Run `make man`
// after changing a command, flag or help text.
func TestManPagesUpToDate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	dir := t.TempDir()
	if err := Write(dir); err != nil {
		t.Fatal(err)
	}
	want, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	have, err := Files(committed)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range have {
		names[filepath.Base(f)] = true
	}
	for _, f := range want {
		name := filepath.Base(f)
		delete(names, name)
		got, _ := os.ReadFile(filepath.Join(committed, name))
		gen, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(gen) {
			diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: difflib.SplitLines(string(got)), B: difflib.SplitLines(string(gen)),
				FromFile: "docs/man/" + name, ToFile: "generated", Context: 2})
			t.Errorf("docs/man/%s is not what the commands generate; run make man\n%s", name, diff)
		}
	}
	for name := range names {
		t.Errorf("docs/man/%s documents no command; run make man", name)
	}
}

// TestManDate: SOURCE_DATE_EPOCH sets the header's date.
func TestManDate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000") // 2023-11-14
	dir := t.TempDir()
	if err := Write(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "headless.1"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `.TH "HEADLESS" "1" "Nov 2023"`; !strings.Contains(string(b), want) {
		t.Errorf("headless.1 header lacks %q:\n%.200s", want, b)
	}
}
