package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/report"
)

type inventoryOptions struct {
	*globalOptions
	hostOptions
	all bool
	out reportOutput
}

// NewCmdInventory lists GPUs by IOMMU group. runF replaces the run in tests.
func NewCmdInventory(g *globalOptions, runF func(*inventoryOptions) error) *cobra.Command {
	opts := &inventoryOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "List the IOMMU groups that hold GPUs, with every function in them",
		Long: `inventory lists each IOMMU group that holds a display-class device, every
function in it (IDs, model, driver, NUMA node, reset method, BAR sizes) and
whether vfio can use the group. Passthrough GPUs are marked with *.`,
		Example: `  gpupass inventory
  gpupass inventory --all --root testdata/hosts/h100-hgx
  gpupass inventory --format json | jq '.groups[] | select(.viable | not)'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInventory(opts)
		},
	}
	g.formatFlag(cmd, "text", "json", "prometheus")
	g.rootFlag(cmd)
	g.colorFlag(cmd)
	opts.hostOptions.addFlags(cmd)
	opts.out.addFlag(cmd)
	cmd.Flags().BoolVar(&opts.all, "all", false, "list every IOMMU group, not only those with a GPU")
	return cmd
}

func runInventory(opts *inventoryOptions) error {
	format, renderOpts, err := opts.renderOptions()
	if err != nil {
		return err
	}
	selectors, err := opts.selectors()
	if err != nil {
		return err
	}
	node, err := opts.read(opts.globalOptions, nil)
	if err != nil {
		return err
	}
	if err := selectorsMatch(selectors, node.Host); err != nil {
		return err
	}
	inv := hostview.Inventory(hostview.New(node.Host, selectors, nil), opts.all)
	inv.Tool = report.Tool{Version: toolVersion()}
	return opts.out.emit(opts.io.Out, func(w io.Writer) error {
		switch format {
		case render.FormatJSON:
			return render.JSON(w, inv)
		case render.FormatPrometheus:
			return render.InventoryPrometheus(w, inv, opts.io.Now())
		}
		return render.InventoryText(w, inv, renderOpts)
	})
}
