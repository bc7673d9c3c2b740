package generator

import (
	"crypto/rand"
	"io"
	"math/big"
	"slices"

	"github.com/headless-k8s/headless/presets"
)

// randomSource is where --create-secret's values come from; tests replace
// it to make them predictable.
var randomSource io.Reader = rand.Reader

// SecretKeys returns the keys of the preset's Secret that the generated
// pods read: every key an included environment variable or volume names.
func (m *Model) SecretKeys() []presets.SecretKey {
	if m.Preset.Secret == nil {
		return nil
	}
	used := map[string]bool{}
	for _, e := range m.Preset.Env {
		if e.SecretKey != "" && (m.Auth || !e.Auth) {
			used[e.SecretKey] = true
		}
	}
	for _, v := range m.Preset.Volumes {
		for _, f := range v.SecretKeys {
			if m.Auth || !v.Auth {
				used[f.Key] = true
			}
		}
	}
	var keys []presets.SecretKey
	for _, k := range m.Preset.Secret.Keys {
		if used[k.Name] {
			keys = append(keys, k)
		}
	}
	return keys
}

// Authenticates reports whether the preset has anything that only
// authentication turns on, so that --auth=false can turn it off.
func Authenticates(p *presets.Preset) bool {
	return slices.ContainsFunc(p.Env, func(e presets.EnvVar) bool { return e.Auth }) ||
		slices.ContainsFunc(p.Volumes, func(v presets.Volume) bool { return v.Auth }) ||
		slices.ContainsFunc(p.InitContainers, func(c presets.InitContainer) bool { return c.Auth }) ||
		slices.ContainsFunc(p.Sidecars, func(c presets.Sidecar) bool { return c.Auth })
}

// resolveSecret checks the Secret's name, warns where authentication is off
// or missing, and with --create-secret draws the values.
func resolveSecret(m *Model, named bool) error {
	if err := dnsSubdomain(FieldSecret, m.secretName); err != nil {
		return err
	}
	switch {
	case m.Auth && m.Preset.Secret == nil && m.UsesTLS():
		// Clients and members authenticate with certificates.
	case m.Auth && m.Preset.Secret == nil && m.Preset.TLS:
		m.Warnings = append(m.Warnings, "the "+m.Preset.Name+" preset authenticates clients only with TLS client certificates: "+
			"without --tls any pod the NetworkPolicy lets in can read and write it")
	case m.Auth && m.Preset.Secret == nil:
		m.Warnings = append(m.Warnings, "the "+m.Preset.Name+" preset does not authenticate clients yet: "+
			"any pod the NetworkPolicy lets in can read and write it")
	case !m.Auth && Authenticates(m.Preset):
		m.Warnings = append(m.Warnings, "authentication is off (--auth=false): any pod that reaches "+m.Name+" can read and write it")
	case !m.Auth && m.Preset.Secret != nil:
		return fieldErr(FieldAuth, "false", "the %s preset cannot run without authentication", m.Preset.Name)
	}
	keys := m.SecretKeys()
	if len(keys) == 0 && (m.CreateSecret || named) {
		field, value := FieldCreateSecret, "true"
		if named {
			field, value = FieldSecret, m.secretName
		}
		return fieldErr(field, value, "the %s preset reads no Secret%s", m.Preset.Name, map[bool]string{true: " with authentication off", false: ""}[!m.Auth])
	}
	if !m.CreateSecret {
		return nil
	}
	m.SecretData = make(map[string]string, len(keys))
	for _, k := range keys {
		v, err := randomString(k.Generate)
		if err != nil {
			return internalErr("generating %s: %v", k.Name, err)
		}
		m.SecretData[k.Name] = v
	}
	return nil
}

// randomString draws g.Length characters of g's alphabet, each uniformly.
func randomString(g presets.Generate) (string, error) {
	alphabet := presets.Alphabets[g.Alphabet]
	out := make([]byte, g.Length)
	n := big.NewInt(int64(len(alphabet)))
	for i := range out {
		j, err := rand.Int(randomSource, n)
		if err != nil {
			return "", err
		}
		out[i] = alphabet[j.Int64()]
	}
	return string(out), nil
}
