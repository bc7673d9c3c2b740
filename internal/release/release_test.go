package release

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const root = "../.."

func load(t *testing.T) *Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGoreleaserEssentials checks what a release needs without running
// goreleaser: every platform, a reproducible build, and -X variables that
// exist (a misspelt one is silently ignored by the linker).
func TestGoreleaserEssentials(t *testing.T) {
	c := load(t)
	b := c.Builds[0]
	var got []string
	for _, p := range c.Platforms() {
		got = append(got, p.OS+"/"+p.Arch)
	}
	want := []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("platforms %v, want %v", got, want)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build flags %v lack -trimpath", b.Flags)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build env %v lacks CGO_ENABLED=0 (cross-compiled binaries must be static)", b.Env)
	}
	if _, err := os.Stat(filepath.Join(root, b.Main, "main.go")); err != nil {
		t.Errorf("main %s: %v", b.Main, err)
	}
	vars := packageVars(t, filepath.Join(root, "internal", "cli"))
	stamped := map[string]bool{}
	for _, f := range strings.Fields(strings.Join(b.LDFlags, " ")) {
		if !strings.Contains(f, "=") {
			continue
		}
		name, _, _ := strings.Cut(f, "=")
		pkg, v, ok := strings.Cut(name, "internal/cli.")
		if !ok || !strings.HasPrefix(pkg, "github.com/headless-k8s/headless/") {
			t.Errorf("-X %s: not a variable of github.com/headless-k8s/headless/internal/cli", name)
			continue
		}
		if !vars[v] {
			t.Errorf("-X %s: internal/cli has no string variable %s", name, v)
		}
		stamped[v] = true
	}
	for _, v := range []string{"version", "commit"} {
		if !stamped[v] {
			t.Errorf("ldflags do not stamp internal/cli.%s", v)
		}
	}
	for _, p := range c.Platforms() {
		name, err := c.ArchiveName(p, "v1.2.3")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(name, "v1.2.3") || !strings.Contains(name, p.OS) || !strings.Contains(name, p.Arch) {
			t.Errorf("archive %s does not name the tag, the OS and the architecture", name)
		}
	}
}

// packageVars returns the package-level string variables of the Go
// package in dir (test files left out).
func packageVars(t *testing.T, dir string) map[string]bool {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, s := range g.Specs {
					for i, n := range s.(*ast.ValueSpec).Names {
						if vs := s.(*ast.ValueSpec); i < len(vs.Values) {
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								vars[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return vars
}

// TestKrewManifestAgrees: plugins/headless.yaml is what gen-krew writes
// from .goreleaser.yaml, so platforms, binary and archive names agree.
func TestKrewManifestAgrees(t *testing.T) {
	c := load(t)
	var b strings.Builder
	if err := c.KrewTemplate(&b); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(root, "plugins", "headless.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(committed) != b.String() {
		t.Errorf("plugins/headless.yaml differs from what .goreleaser.yaml generates; run go run ./cmd/gen-krew > plugins/headless.yaml")
	}
}

// TestKrewManifest: with a release's checksums, the manifest is valid
// YAML naming every archive with its checksum and the binary in it.
func TestKrewManifest(t *testing.T) {
	c := load(t)
	var sums strings.Builder
	for i, p := range c.Platforms() {
		name, _ := c.ArchiveName(p, "v1.2.3")
		fmt.Fprintf(&sums, "%064x  %s\n", i+1, name)
	}
	var b strings.Builder
	if err := c.Krew(&b, "v1.2.3", []byte(sums.String())); err != nil {
		t.Fatal(err)
	}
	var m struct {
		APIVersion string `json:"apiVersion"`
		Kind       string
		Metadata   struct{ Name string }
		Spec       struct {
			Version          string
			Homepage         string
			ShortDescription string `json:"shortDescription"`
			Description      string
			Platforms        []struct {
				Selector struct{ MatchLabels map[string]string }
				URI      string
				Sha256   string
				Bin      string
			}
		}
	}
	if err := yaml.UnmarshalStrict([]byte(b.String()), &m); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if m.Kind != "Plugin" || m.Metadata.Name != "headless" || m.Spec.Version != "v1.2.3" || len(m.Spec.Platforms) != 6 {
		t.Fatalf("manifest %+v", m)
	}
	for _, p := range m.Spec.Platforms {
		os, arch := p.Selector.MatchLabels["os"], p.Selector.MatchLabels["arch"]
		name, _ := c.ArchiveName(Platform{os, arch}, "v1.2.3")
		if !strings.HasSuffix(p.URI, "/releases/download/v1.2.3/"+name) || len(p.Sha256) != 64 {
			t.Errorf("%s/%s: uri %s, sha256 %s", os, arch, p.URI, p.Sha256)
		}
		if want := map[bool]string{true: "headless.exe", false: "headless"}[os == "windows"]; p.Bin != want {
			t.Errorf("%s/%s: bin %s, want %s", os, arch, p.Bin, want)
		}
	}
	if err := c.Krew(new(strings.Builder), "v1.2.3", []byte("")); err == nil || !strings.Contains(err.Error(), "lists no headless_v1.2.3_linux_amd64.tar.gz") {
		t.Errorf("without checksums: %v", err)
	}
}
