package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/presets"
)

// PresetsOptions are the inputs of `headless presets`.
type PresetsOptions struct {
	IO     *IOStreams
	Format string

	out outputFlags
}

// NewCmdPresets builds `headless presets`.
func NewCmdPresets(io *IOStreams, runF func(*PresetsOptions) error) *cobra.Command {
	opts := &PresetsOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "presets",
		Short: "List the database presets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, _, err := opts.out.resolve(io.ErrOut)
			if err != nil {
				return err
			}
			opts.Format = format
			if runF != nil {
				return runF(opts)
			}
			return presetsRun(opts)
		},
	}
	opts.out.register(cmd, []string{formatTable, formatJSON}, false, "")
	return cmd
}

// presetJSON is one preset in `headless presets -o json`.
type presetJSON struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	Image         string `json:"image"`
	Port          int32  `json:"port"`
	PortName      string `json:"portName"`
	DataPath      string `json:"dataPath"`
	Storage       string `json:"storage"`
	ClientService bool   `json:"clientService"`
}

func presetsRun(opts *PresetsOptions) error {
	all, err := presets.All()
	if err != nil {
		return err
	}
	switch opts.Format {
	case formatJSON:
		list := make([]presetJSON, len(all))
		for i, p := range all {
			list[i] = presetJSON{p.Name, p.Description, p.Image, p.Port, p.PortName, p.DataPath, p.Storage, p.ClientService}
		}
		b, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			return err
		}
		_, err = opts.IO.Out.Write(append(b, '\n'))
		return err
	case formatTable:
		tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tPORT\tIMAGE\tDESCRIPTION")
		for _, p := range all {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", p.Name, p.Port, p.Image, p.Description)
		}
		return tw.Flush()
	default:
		return usageErrorf("invalid argument %s for \"-o, --output\" flag: must be one of table, json", generator.QuoteValue(opts.Format))
	}
}
