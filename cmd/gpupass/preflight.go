package main

import (
	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/report"
)

type preflightOptions struct {
	*globalOptions
	hostOptions
	conf confOptions
	// baseline is a known-good preflight JSON report to compare with
	// (the drift checks, GP5xx).
	baseline string
	out      reportOutput
}

// NewCmdPreflight checks a compute node. runF replaces the run in tests.
func NewCmdPreflight(g *globalOptions, runF func(*preflightOptions) error) *cobra.Command {
	opts := &preflightOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "preflight",
		Short: "Check this compute node (or a captured host) for GPU passthrough",
		Long: `preflight reads the host — CPU, kernel command line, modules, modprobe.d,
ACPI and IOMMU state, IOMMU groups, every PCI function and nova.conf — and runs
the host, device and nova.conf checks (GP1xx, GP2xx, GP3xx). It never writes
anything.

nova.conf is read as oslo.config reads it: /etc/nova/nova.conf and
/etc/nova/nova.conf.d (or kolla's or TripleO's layout) under --root, unless
--nova-conf / --nova-conf-dir name the files.

Passthrough GPUs are display-class devices bound to vfio-pci or pci-stub or
claimed for them at boot, plus those named with --gpu.

With --baseline FILE (a preflight JSON report from a known-good day) it also
says what changed since (the drift checks, GP5xx): GPU drivers, GPUs gone or
new, IOMMU groups, the kernel command line's IOMMU and vfio parameters,
modules, [pci]device_spec and [pci]alias, Nova and the kernel. A baseline of
another host is compared too, with a warning (GP510).`,
		Example: `  gpupass preflight
  gpupass preflight --root testdata/hosts/turing-workstation
  gpupass preflight --gpu all --format json > report.json
  gpupass preflight --baseline known-good.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPreflight(opts)
		},
	}
	g.formatFlag(cmd, reportFormats...)
	g.rootFlag(cmd)
	g.failOnFlag(cmd)
	g.colorFlag(cmd)
	opts.hostOptions.addFlags(cmd)
	opts.conf.addFlags(cmd, true, true)
	opts.out.addFlag(cmd)
	cmd.Flags().StringVar(&opts.baseline, "baseline", "", "compare with this known-good preflight JSON report `FILE` (drift checks GP5xx: drivers, IOMMU groups, kernel arguments, modules, [pci] options, Nova)")
	return cmd
}

func runPreflight(opts *preflightOptions) error {
	format, renderOpts, err := opts.renderOptions()
	if err != nil {
		return err
	}
	var baseline *report.Report
	if opts.baseline != "" {
		if baseline, err = report.ReadPreflight("--baseline", opts.baseline); err != nil {
			return err
		}
	}
	selectors, err := opts.selectors()
	if err != nil {
		return err
	}
	node, err := opts.read(opts.globalOptions, &opts.conf)
	if err != nil {
		return err
	}
	if err := selectorsMatch(selectors, node.Host); err != nil {
		return err
	}
	in := inputs(node, selectors)
	if in.APIConf, err = opts.conf.apiConfSet(); err != nil {
		return err
	}
	// The node's own checks: host, devices, nova.conf.
	rep := checks.Run(in, checks.InSection(checks.All, "GP1", "GP2", "GP3"))
	opts.stamp(&rep, "preflight")
	// Then what changed since the baseline (skipped without one).
	addDrift(&rep, baseline, opts.baseline)
	return opts.finish(&opts.out, rep, format, renderOpts)
}
