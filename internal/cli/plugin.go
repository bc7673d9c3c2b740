package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// pluginBinary is the name kubectl looks for on PATH to run
// `kubectl headless`: a binary of that name is a kubectl plugin.
const pluginBinary = "kubectl-headless"

// commandName is how the user runs headless: "headless", or "kubectl
// headless" when the binary was invoked as kubectl-headless (a kubectl
// plugin). Help, usage lines, examples and printed commands use it.
var commandName = nameFor(os.Args[0])

// nameFor returns the command name for a binary invoked as argv0.
func nameFor(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if base == pluginBinary {
		return "kubectl headless"
	}
	return "headless"
}

// commandRef matches "headless" followed by one of its subcommands: a
// command line in a text, as opposed to "a headless Service".
var commandRef = regexp.MustCompile(`\bheadless( (?:generate|init|wizard|lint|dns|presets|version|doctor|completion)\b)`)

// cmdText returns s with every headless command line in it spelled as
// the user runs headless (commandName).
func cmdText(s string) string {
	if commandName == "headless" {
		return s
	}
	s = commandRef.ReplaceAllString(s, commandName+"$1")
	// Example lines start with the bare command name.
	return strings.ReplaceAll(s, "\n  headless\n", "\n  "+commandName+"\n")
}

// asPlugin respells the help of every command in the tree for a plugin
// binary: the usage lines through cobra's display name, the long help,
// examples and flag usages through cmdText.
func asPlugin(root *cobra.Command) {
	if commandName == "headless" {
		return
	}
	if root.Annotations == nil {
		root.Annotations = map[string]string{}
	}
	root.Annotations[cobra.CommandDisplayNameAnnotation] = commandName
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Long, c.Example = cmdText(c.Long), cmdText(c.Example)
		c.Flags().VisitAll(func(f *pflag.Flag) { f.Usage = cmdText(f.Usage) })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
