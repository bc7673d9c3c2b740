// Package release reads the release facts from .goreleaser.yaml (the
// platforms, the binary, the archive names) and writes the krew plugin
// manifest from them, so that the two never disagree.
package release

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

// Config is the part of .goreleaser.yaml the manifest depends on.
type Config struct {
	ProjectName string    `json:"project_name"`
	Builds      []Build   `json:"builds"`
	Archives    []Archive `json:"archives"`
	Checksum    struct {
		NameTemplate string `json:"name_template"`
		Algorithm    string `json:"algorithm"`
	} `json:"checksum"`
}

// Build is one goreleaser build.
type Build struct {
	ID      string   `json:"id"`
	Main    string   `json:"main"`
	Binary  string   `json:"binary"`
	Env     []string `json:"env"`
	Flags   []string `json:"flags"`
	LDFlags []string `json:"ldflags"`
	GOOS    []string `json:"goos"`
	GOARCH  []string `json:"goarch"`
}

// Archive is one goreleaser archive.
type Archive struct {
	ID              string   `json:"id"`
	Formats         []string `json:"formats"`
	FormatOverrides []struct {
		GOOS    string   `json:"goos"`
		Formats []string `json:"formats"`
	} `json:"format_overrides"`
	NameTemplate string   `json:"name_template"`
	Files        []string `json:"files"`
}

// Parse reads .goreleaser.yaml; unknown keys are allowed (goreleaser has
// many), the ones above must have their types.
func Parse(data []byte) (*Config, error) {
	var c Config
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	if len(c.Builds) != 1 || len(c.Archives) != 1 {
		return nil, fmt.Errorf("want one build and one archive, have %d and %d", len(c.Builds), len(c.Archives))
	}
	return &c, nil
}

// Platform is one released OS and architecture.
type Platform struct{ OS, Arch string }

// Platforms lists the build's platforms, OS by OS.
func (c *Config) Platforms() []Platform {
	var ps []Platform
	for _, os := range c.Builds[0].GOOS {
		for _, arch := range c.Builds[0].GOARCH {
			ps = append(ps, Platform{os, arch})
		}
	}
	return ps
}

// Format returns the archive format for an OS.
func (c *Config) Format(goos string) string {
	a := c.Archives[0]
	for _, o := range a.FormatOverrides {
		if o.GOOS == goos && len(o.Formats) > 0 {
			return o.Formats[0]
		}
	}
	return a.Formats[0]
}

// ArchiveName returns the file name of the archive for a platform and
// tag, from the archive's name_template (which may use .Tag, .Version,
// .Os, .Arch and .ProjectName).
func (c *Config) ArchiveName(p Platform, tag string) (string, error) {
	t, err := template.New("archive").Option("missingkey=error").Parse(c.Archives[0].NameTemplate)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = t.Execute(&b, map[string]string{"Tag": tag, "Version": strings.TrimPrefix(tag, "v"), "Os": p.OS, "Arch": p.Arch, "ProjectName": c.ProjectName})
	return b.String() + "." + c.Format(p.OS), err
}

// Binary returns the binary's file name on an OS.
func (c *Config) Binary(goos string) string {
	if goos == "windows" {
		return c.Builds[0].Binary + ".exe"
	}
	return c.Builds[0].Binary
}

// Repository is where releases are published.
const Repository = "https://github.com/headless-k8s/headless"

// krewTagName is the tag as krew-release-bot's template spells it.
const krewTagName = "{{ .TagName }}"

// KrewTemplate writes the krew manifest as a krew-release-bot template
// (plugins/headless.yaml): the tag and each archive's URI and checksum are
// filled in when a release is published.
func (c *Config) KrewTemplate(w io.Writer) error {
	return c.krew(w, krewTagName, func(uri string) string {
		return fmt.Sprintf("{{ addURIAndSha %q .TagName }}", uri)
	})
}

// Krew writes the krew manifest of the release tag, with each archive's
// checksum from a goreleaser checksums file ("<sha256>  <name>" lines), to
// install with kubectl krew install --manifest.
func (c *Config) Krew(w io.Writer, tag string, checksums []byte) error {
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(checksums))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 {
			sums[f[1]] = f[0]
		}
	}
	var missing []string
	err := c.krew(w, tag, func(uri string) string {
		name := uri[strings.LastIndex(uri, "/")+1:]
		if sums[name] == "" {
			missing = append(missing, name)
		}
		return fmt.Sprintf("uri: %s\n    sha256: %q", uri, sums[name]) // quoted: a hex digest may read as a number
	})
	if err == nil && len(missing) > 0 {
		err = fmt.Errorf("the checksums file lists no %s", strings.Join(missing, ", "))
	}
	return err
}

func (c *Config) krew(w io.Writer, tag string, artifact func(uri string) string) error {
	var b strings.Builder
	fmt.Fprintf(&b, `# The krew plugin manifest of headless. Generated from .goreleaser.yaml by
# go run ./cmd/gen-krew; do not edit (a test checks that it agrees).
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: %s
spec:
  version: %s
  homepage: %s
  shortDescription: Stable per-pod DNS names for replicated databases
  description: |
    Generates a headless Service plus a StatefulSet or Pods for a replicated
    database (MongoDB, PostgreSQL, Redis, etcd, ZooKeeper …), wired so that every
    pod gets its own DNS name, and lints manifests for the mistakes that cost
    pods their names.
  platforms:
`, c.ProjectName, tag, Repository)
	for _, p := range c.Platforms() {
		name, err := c.ArchiveName(p, tag)
		if err != nil {
			return err
		}
		uri := Repository + "/releases/download/" + tag + "/" + name
		fmt.Fprintf(&b, "  - selector:\n      matchLabels:\n        os: %s\n        arch: %s\n    %s\n    bin: %s\n",
			p.OS, p.Arch, artifact(uri), c.Binary(p.OS))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
