package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/report"
)

// addDrift runs the drift checks of a preflight: against the baseline when
// one was given, else skipped ("no --baseline given").
func addDrift(rep *report.Report, baseline *report.Report, baselinePath string) {
	drift := checks.Drift(baseline, rep)
	if drift.Drift != nil {
		drift.Drift.Baseline.Path = baselinePath
	}
	rep.Merge(drift)
}

type diffOptions struct {
	*globalOptions
	out reportOutput
}

// NewCmdDiff compares two saved preflight reports. runF replaces the run in
// tests.
func NewCmdDiff(g *globalOptions, runF func(*diffOptions, []string) error) *cobra.Command {
	opts := &diffOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Say what changed on a host between two preflight reports (drift)",
		Long: `diff compares two preflight JSON reports of a host — a known-good one and
today's — and reports the drift checks (GP5xx): GPUs whose driver changed, GPUs
gone or new, IOMMU groups that changed, the kernel command line's IOMMU and
vfio parameters, GPU/vfio/kvm modules, [pci]device_spec and [pci]alias, the
Nova version and the kernel, each old → new.

It reads only the two files. gpupass preflight --baseline OLD.json runs the
same checks against the host itself.`,
		Example: `  gpupass preflight --format json > known-good.json
  # ... upgrades ...
  gpupass preflight --format json > today.json
  gpupass diff known-good.json today.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("diff compares two preflight JSON reports, OLD.json NEW.json; got %s", prose.Plural(len(args), "argument"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts, args)
			}
			return runDiff(opts, args)
		},
	}
	g.formatFlag(cmd, reportFormats...)
	g.failOnFlag(cmd)
	g.colorFlag(cmd)
	opts.out.addFlag(cmd)
	return cmd
}

func runDiff(opts *diffOptions, args []string) error {
	format, renderOpts, err := opts.renderOptions()
	if err != nil {
		return err
	}
	old, err := report.ReadPreflight("report", args[0])
	if err != nil {
		return err
	}
	cur, err := report.ReadPreflight("report", args[1])
	if err != nil {
		return err
	}
	rep := checks.Drift(old, cur)
	opts.stamp(&rep, "diff")
	rep.Drift.Baseline.Path, rep.Drift.Current.Path = args[0], args[1]
	return opts.finish(&opts.out, rep, format, renderOpts)
}
