// Package templates embeds the text/template sources of every generated
// object. They are executed by the generator with its Model; values are
// quoted with q (a JSON string, which is also a YAML double-quoted scalar),
// and every rendered document is strictly decoded before it is printed.
package templates

import "embed"

// FS holds the templates: *.yaml.tmpl, one per object kind, and _*.tmpl
// files of shared definitions.
//
//go:embed *.tmpl
var FS embed.FS
