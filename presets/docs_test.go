package presets

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsShowScaleText keeps each preset's page in docs/presets in step
// with its scale text: the page shows the text as `headless init` and
// `headless dns` print it for the page's example, the first `headless
// generate` command on the page (its --name and --namespace).
func TestDocsShowScaleText(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	flag := func(cmd, name, def string) string {
		if m := regexp.MustCompile(`--` + name + `[ =](\S+)`).FindStringSubmatch(cmd); m != nil {
			return m[1]
		}
		return def
	}
	for _, p := range all {
		data, err := os.ReadFile("../docs/presets/" + p.Name + ".md")
		if os.IsNotExist(err) || strings.TrimSpace(p.Scale) == "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		cmd := regexp.MustCompile(`headless generate --preset ` + p.Name + `\b[^\n]*`).FindString(string(data))
		if cmd == "" {
			t.Errorf("docs/presets/%s.md has no headless generate command for its example", p.Name)
			continue
		}
		name := flag(cmd, "name", p.Name)
		want := p.ScaleText(ScaleValues{Name: name, Namespace: flag(cmd, "namespace", "default"), Service: name + "-headless",
			Domain: "cluster.local", Secret: name + "-credentials", Port: p.Port})
		if !strings.Contains(string(data), "\n"+want+"\n") {
			t.Errorf("docs/presets/%s.md does not show the scale text for its example (%s):\n%s", p.Name, cmd, want)
		}
	}
}
