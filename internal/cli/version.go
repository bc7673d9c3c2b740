package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version and commit are stamped at build time (make build, goreleaser):
//
//	-ldflags "-X github.com/headless-k8s/headless/internal/cli.version=v1.2.3
//	          -X github.com/headless-k8s/headless/internal/cli.commit=abc123"
//
// Unstamped, they come from the module's build information.
var (
	version = ""
	commit  = ""
)

// Version returns the version headless was built as.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Commit returns the commit headless was built from: the stamped one, or
// the revision Go recorded (with "-dirty" when the tree was modified), or
// "unknown".
func Commit() string {
	if commit != "" {
		return commit
	}
	rev, dirty := "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	switch {
	case rev == "":
		return "unknown"
	case dirty:
		return rev + "-dirty"
	}
	return rev
}

// versionInfo is `headless version -o json`.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

func currentVersion() versionInfo {
	return versionInfo{Version(), Commit(), runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}
}

// versionText is the text of `headless version` and `headless --version`.
// Its first line stays "headless <version>", as before.
func versionText() string {
	v := currentVersion()
	return fmt.Sprintf("headless %s\ncommit: %s\ngo: %s %s\n", v.Version, v.Commit, v.GoVersion, v.Platform)
}

// VersionOptions are the inputs of `headless version`.
type VersionOptions struct {
	IO     *IOStreams
	Format string

	out outputFlags
}

// NewCmdVersion builds `headless version`.
func NewCmdVersion(io *IOStreams, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Example: `  headless version
  headless version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, _, err := opts.out.resolve(io.ErrOut)
			if err != nil {
				return err
			}
			opts.Format = format
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	opts.out.register(cmd, []string{"text", formatJSON}, false, "")
	return cmd
}

func versionRun(opts *VersionOptions) error {
	if opts.Format == formatJSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(currentVersion())
	}
	_, err := fmt.Fprint(opts.IO.Out, versionText())
	return err
}
