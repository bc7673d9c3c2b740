package doctor

import (
	"strings"
)

// CoreDNS is what doctor learns from CoreDNS's Corefile: the zones its
// kubernetes plugin serves, the first of which (not a reverse zone) is the
// cluster domain.
type CoreDNS struct {
	// Source names where the Corefile came from ("ConfigMap
	// kube-system/coredns"); "" when it could not be read.
	Source string `json:"source,omitempty"`
	// Problem says why the Corefile could not be read or used.
	Problem string `json:"problem,omitempty"`
	// Kubernetes is whether a server block runs the kubernetes plugin,
	// which serves Service and per-pod names.
	Kubernetes bool `json:"kubernetes"`
	// Zones are the kubernetes plugin's zones, without trailing dots.
	Zones []string `json:"zones,omitempty"`
	// Domain is the cluster domain: the first zone that is not under
	// .arpa.
	Domain string `json:"domain,omitempty"`
	// EndpointPodNames is the endpoint_pod_names option: endpoints
	// without a hostname get their pod's name instead of their IP.
	EndpointPodNames bool `json:"endpointPodNames,omitempty"`
	// Pods is the pods option: disabled (default), insecure or verified;
	// it governs <a-b-c-d>.<ns>.pod.<domain> names, not per-pod names under
	// Services.
	Pods string `json:"pods,omitempty"`
}

// ParseCorefile reads the kubernetes plugin's configuration from a
// Corefile: server blocks `ZONES { directives }`, where the plugin's
// directive is `kubernetes [ZONES...] [{ options }]`; without zones of its
// own it serves those of its server block.
func ParseCorefile(text string) CoreDNS {
	var out CoreDNS
	toks := tokenize(text)
	for i := 0; i < len(toks); {
		// Server block keys up to "{".
		var keys []string
		for i < len(toks) && toks[i].text != "{" {
			keys = append(keys, toks[i].text)
			i++
		}
		if i >= len(toks) {
			break
		}
		i++ // "{"
		depth := 1
		for i < len(toks) && depth > 0 {
			t := toks[i]
			switch {
			case t.text == "{":
				depth++
				i++
			case t.text == "}":
				depth--
				i++
			case depth == 1 && t.text == "kubernetes" && t.first:
				i = parseKubernetes(toks, i+1, keys, &out)
			default:
				i++
			}
		}
	}
	for _, z := range out.Zones {
		if z != "" && !strings.HasSuffix(z, ".arpa") && z != "arpa" {
			out.Domain = z
			break
		}
	}
	return out
}

// parseKubernetes reads the plugin's arguments and options from toks[i:]
// and returns the index after them.
func parseKubernetes(toks []token, i int, keys []string, out *CoreDNS) int {
	out.Kubernetes = true
	var zones []string
	line := toks[i-1].line
	for i < len(toks) && toks[i].line == line && toks[i].text != "{" && toks[i].text != "}" {
		zones = append(zones, toks[i].text)
		i++
	}
	if len(zones) == 0 {
		zones = keys
	}
	for _, z := range zones {
		if z = normalizeZone(z); z != "" || len(zones) == 1 {
			out.Zones = append(out.Zones, z)
		}
	}
	if i < len(toks) && toks[i].text == "{" {
		i++
		for i < len(toks) && toks[i].text != "}" {
			opt := toks[i]
			i++
			var args []string
			for i < len(toks) && toks[i].line == opt.line && toks[i].text != "}" {
				args = append(args, toks[i].text)
				i++
			}
			switch opt.text {
			case "endpoint_pod_names":
				out.EndpointPodNames = true
			case "pods":
				if len(args) > 0 {
					out.Pods = args[0]
				}
			}
		}
		if i < len(toks) {
			i++ // "}"
		}
	}
	return i
}

// normalizeZone turns a server block key or zone ("dns://cluster.local.:53",
// ".:53") into a domain ("cluster.local"; "" for the root).
func normalizeZone(z string) string {
	z = strings.TrimRight(z, ",")
	if _, rest, ok := strings.Cut(z, "://"); ok {
		z = rest
	}
	if i := strings.LastIndex(z, ":"); i >= 0 {
		z = z[:i]
	}
	return strings.ToLower(strings.Trim(z, "."))
}

type token struct {
	text  string
	line  int
	first bool // the first token of its line
}

// tokenize splits a Corefile into words and braces, dropping comments;
// quoted strings are one word.
func tokenize(text string) []token {
	var toks []token
	line, lineStart := 1, true
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			toks = append(toks, token{cur.String(), line, lineStart})
			lineStart = false
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
			flush()
			line++
			lineStart = true
		case c == '#':
			flush()
			for i < len(text) && text[i] != '\n' {
				i++
			}
			i--
		case c == '"':
			inWord = true
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' && i+1 < len(text) {
					i++
				}
				cur.WriteByte(text[i])
			}
		case c == ' ' || c == '\t' || c == '\r':
			flush()
		case (c == '{' || c == '}') && !inWord:
			toks = append(toks, token{string(c), line, lineStart})
			lineStart = false
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	flush()
	return toks
}
