package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/presets"
)

// TestDNSScaleText: for every preset that describes how it scales, headless
// dns prints the text (text and JSON) with the placeholders filled in from
// the generated objects, and so does init's summary (writeNextSteps).
func TestDNSScaleText(t *testing.T) {
	all, err := presets.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if strings.TrimSpace(p.Scale) == "" {
			continue
		}
		args := []string{"dns", "--preset", p.Name, "--name", "db", "--namespace", "data", "--cluster-domain", "corp.example"}
		code, out, stderr := runCmd(t, "", args...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", p.Name, code, stderr)
		}
		want := p.ScaleText(presets.ScaleValues{Name: "db", Namespace: "data", Service: "db-headless", Domain: "corp.example",
			Secret: "db-credentials", Port: p.Port})
		var b strings.Builder
		for line := range strings.SplitSeq(want, "\n") {
			b.WriteString("  " + line + "\n")
		}
		if !strings.Contains(out, "\nScaling data/db-headless ("+p.Name+"):\n"+b.String()) {
			t.Errorf("%s: dns prints no scale text, or another one than\n%s\n%s", p.Name, want, out)
		}
		for _, placeholder := range []string{"<name>", "<namespace>", "<service>", "<domain>", "<secret>", "<port>"} {
			if strings.Contains(p.Scale, placeholder) && strings.Contains(out, placeholder) {
				t.Errorf("%s: %s is left in the output:\n%s", p.Name, placeholder, out)
			}
		}

		code, out, stderr = runCmd(t, "", append(args, "-o", "json")...)
		var view struct {
			Scaling []dnsScaling `json:"scaling"`
		}
		if code != ExitOK || json.Unmarshal([]byte(out), &view) != nil {
			t.Fatalf("%s: -o json: exit %d: %s\n%s", p.Name, code, stderr, out)
		}
		if len(view.Scaling) != 1 || view.Scaling[0] != (dnsScaling{Service: "data/db-headless", Preset: p.Name, Text: want}) {
			t.Errorf("%s: -o json scaling = %+v, want the text\n%s", p.Name, view.Scaling, want)
		}
	}
}
