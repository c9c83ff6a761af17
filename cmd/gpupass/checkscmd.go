package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/render"
)

// NewCmdChecks lists the catalog or explains one check.
func NewCmdChecks(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checks [ID]",
		Short: "List the checks, or explain one (gpupass checks GP202)",
		Long: `checks lists the catalog: every check's ID, name, severity and what it finds,
by section. Given an ID (GP202) or a name (group-not-viable) it explains that
check: what it finds, why it matters for a guest, how to fix it, and links to
the Nova, libvirt or kernel documentation. IDs and names are stable.`,
		Example: `  gpupass checks
  gpupass checks GP202
  gpupass checks group-not-viable
  gpupass checks --format json | jq -r '.[] | select(.severity=="error") | .id'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return fmt.Errorf("checks explains one check at a time, got %d (gpupass checks GP202)", len(args))
			}
			return nil
		},
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
			if format == render.FormatJSON {
				return render.CatalogJSON(g.io.Out, catalog)
			}
			if len(args) == 1 {
				return render.CatalogDoc(g.io.Out, catalog[0], opts)
			}
			return render.CatalogList(g.io.Out, catalog, opts)
		},
	}
	g.formatFlag(cmd, "text", "json")
	g.colorFlag(cmd)
	return cmd
}
