package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/render"
)

// NewCmdChecks lists the catalog or explains one check.
func NewCmdChecks(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "checks [ID]",
		Short: "List the checks, or explain one (gpupass checks GP202)",
		Args:  cobra.MaximumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var ids []cobra.Completion
			for _, c := range checks.All {
				ids = append(ids, cobra.CompletionWithDesc(c.ID, c.Name))
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			format, opts, err := g.renderOptions()
			if err != nil {
				return err
			}
			catalog := checks.All
			if len(args) == 1 {
				c := checks.Lookup(checks.All, args[0])
				if c == nil {
					return fmt.Errorf("no check %q (gpupass checks lists them)", args[0])
				}
				catalog = []*checks.Check{c}
			}
			switch format {
			case render.FormatJSON:
				return render.CatalogJSON(g.io.Out, catalog)
			case render.FormatJUnit, render.FormatPrometheus:
				return fmt.Errorf("--format %s is for check reports; checks writes text or json", format)
			}
			if len(args) == 1 {
				return render.CatalogDoc(g.io.Out, catalog[0], opts)
			}
			return render.CatalogList(g.io.Out, catalog, opts)
		},
	}
}
