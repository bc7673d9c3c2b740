package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/headless-k8s/headless/generator"
)

// outputFlags binds the output flags as kubectl and Helm spell them:
// -o/--output FORMAT (kubectl) and, for the commands that write
// directories, --output-dir DIR (helm template --output-dir). The
// spellings of the previous release keep working with a deprecation
// notice: --format FORMAT, and --output DIR. A value of --output that
// looks like a format is never taken as a directory.
type outputFlags struct {
	// formats are the formats the command prints; the first is the
	// default.
	formats []string
	// dirs says whether the command writes directories (--output-dir).
	dirs bool
	// emptyDir says what to do instead of --output-dir "".
	emptyDir string

	output, outputDir, format string
	cmd                       *cobra.Command
}

// register defines -o/--output, the hidden deprecated --format and, when
// the command writes directories, --output-dir.
func (o *outputFlags) register(cmd *cobra.Command, formats []string, dirs bool, dirUsage string) {
	o.formats, o.dirs, o.cmd = formats, dirs, cmd
	o.emptyDir = "leave it out to print to standard output"
	fs := cmd.Flags()
	fs.StringVarP(&o.output, "output", "o", formats[0], "output `format`: "+strings.Join(formats, ", "))
	fs.StringVar(&o.format, "format", formats[0], "deprecated: use -o")
	_ = fs.MarkHidden("format")
	if dirs {
		fs.StringVar(&o.outputDir, "output-dir", "", dirUsage)
		_ = cmd.MarkFlagDirname("output-dir")
	}
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// formatWords are values of --output that are formats of some tool
// (kubectl's -o among them), never directory names.
var formatWords = []string{"yaml", "yml", "json", "text", "txt", "sarif", "wide", "name", "table", "xml", "csv",
	"tsv", "junit", "tap", "html", "markdown", "md", "toml", "raw", "go-template", "go-template-file", "template",
	"templatefile", "jsonpath", "jsonpath-file", "jsonpath-as-json", "custom-columns", "custom-columns-file"}

// looksLikeFormat reports whether an --output value names a format, as
// kubectl's -o values do (jsonpath=… and custom-columns=… included).
func looksLikeFormat(v string) bool {
	word, _, _ := strings.Cut(strings.ToLower(v), "=")
	return slices.Contains(formatWords, word)
}

// resolve returns the format and the directory ("" for standard output)
// the flags ask for, printing a deprecation notice on errOut for each old
// spelling used.
func (o *outputFlags) resolve(errOut io.Writer) (format, dir string, err error) {
	fs := o.cmd.Flags()
	format = o.formats[0]
	allowed := strings.Join(o.formats, ", ")
	if fs.Changed("format") {
		if !slices.Contains(o.formats, o.format) {
			return "", "", usageErrorf("invalid argument %s for \"--format\" flag: must be one of %s", generator.QuoteValue(o.format), allowed)
		}
		fmt.Fprintf(errOut, "warning: --format is deprecated, use -o %s\n", o.format)
		format = o.format
	}
	if fs.Changed("output") {
		switch v := o.output; {
		case v == "" && o.dirs:
			return "", "", usageErrorf("invalid argument \"\" for \"-o, --output\" flag: must not be empty; give a format (%s) or leave it out", allowed)
		case v == "-" && o.dirs:
			dir = "-" // standard output, as in the previous release
		case slices.Contains(o.formats, v):
			if fs.Changed("format") && o.format != v {
				return "", "", usageErrorf("\"--format %s\" and \"-o %s\" disagree; give only -o", o.format, v)
			}
			format = v
		case !o.dirs || looksLikeFormat(v):
			return "", "", usageErrorf("invalid argument %s for \"-o, --output\" flag: must be one of %s", generator.QuoteValue(v), allowed)
		default:
			fmt.Fprintf(errOut, "warning: %s\n", bound(fmt.Sprintf("--output %s is deprecated, use --output-dir %s", shellQuote(v), shellQuote(v))))
			dir = v
		}
	}
	if o.dirs && fs.Changed("output-dir") {
		if o.outputDir == "" {
			return "", "", usageErrorf("invalid argument \"\" for \"--output-dir\" flag: must not be empty; %s", o.emptyDir)
		}
		if dir != "" && dir != o.outputDir {
			return "", "", usageErrorf("\"--output %s\" and \"--output-dir %s\" disagree; give only --output-dir", shellQuote(dir), shellQuote(o.outputDir))
		}
		dir = o.outputDir
	}
	return format, dir, nil
}
