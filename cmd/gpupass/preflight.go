package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// hostOptions are the flags of commands that read a host.
type hostOptions struct {
	hostname    string
	gpus        []string
	novaRelease string
	pciIDs      string
}

func (h *hostOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&h.hostname, "hostname", "", "the host's name as Nova knows it (default: from /proc/sys/kernel/hostname or /etc/hostname under --root)")
	f.StringArrayVar(&h.gpus, "gpu", nil, "also treat as a passthrough GPU: all, VENDOR:DEVICE (10de:2330) or a PCI address (repeatable)")
	f.StringVar(&h.novaRelease, "nova-release", "", "apply the rules of this Nova release ("+novarelease.Names()+"; default: the installed Nova, else the newest)")
	f.StringVar(&h.pciIDs, "pci-ids", "", "take device names from this pci.ids `FILE` (default: the one under --root)")
	_ = cmd.RegisterFlagCompletionFunc("nova-release", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var names []cobra.Completion
		for _, r := range novarelease.All {
			names = append(names, r.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// collect reads the host and resolves the options that depend on it.
func (h *hostOptions) collect(g *globalOptions) (*checks.Inputs, error) {
	var selectors []pcidev.Selector
	for _, s := range h.gpus {
		sel, err := pcidev.ParseSelector(s)
		if err != nil {
			return nil, err
		}
		selectors = append(selectors, sel)
	}
	var given novarelease.Release
	if h.novaRelease != "" {
		r, err := novarelease.Parse(h.novaRelease)
		if err != nil {
			return nil, fmt.Errorf("--nova-release: %w", err)
		}
		given = r
	}
	host, err := hostinfo.Collect(g.root, hostinfo.Options{PCIIDs: h.pciIDs})
	if err != nil {
		return nil, err
	}
	if h.hostname != "" {
		host.Hostname = h.hostname
	}
	in := &checks.Inputs{Host: host, GPUs: selectors}
	in.NovaRelease, in.NovaReleaseFrom = chooseRelease(given, host.Nova)
	return in, nil
}

// chooseRelease picks the Nova release to apply: the one given, else the
// one installed on the host, else the newest; and says which and why.
func chooseRelease(given novarelease.Release, installed hostinfo.NovaInstall) (novarelease.Release, string) {
	if given.Name != "" {
		return given, "given with --nova-release"
	}
	if installed.Version == "" {
		return novarelease.Newest(), "no Nova installation found under the root, so the newest known release is assumed (use --nova-release)"
	}
	r, err := novarelease.Parse(installed.Version)
	if err == nil {
		return r, fmt.Sprintf("detected from Nova %s installed at %s", installed.Version, installed.Path)
	}
	var major int
	fmt.Sscanf(installed.Version, "%d", &major)
	if major > 0 && major < novarelease.All[0].Major {
		oldest := novarelease.All[0]
		return oldest, fmt.Sprintf("Nova %s (at %s) is older than %s, the oldest release gpupass knows; %s rules applied", installed.Version, installed.Path, oldest.Name, oldest.Name)
	}
	return novarelease.Newest(), fmt.Sprintf("Nova %s (at %s) is newer than the releases gpupass knows; the newest known rules applied", installed.Version, installed.Path)
}

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
		Short: "Check this compute node (or a captured host tree) for GPU passthrough",
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
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPreflight(opts)
		},
	}
	opts.hostOptions.addFlags(cmd)
	opts.conf.addFlags(cmd, true)
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
	in, err := opts.collect(opts.globalOptions)
	if err != nil {
		return err
	}
	fsys, err := hostinfo.NewFS(opts.root)
	if err != nil {
		return err
	}
	in.NovaConf = opts.conf.loadHostConf(fsys)
	in.APIConf = loadLocalConf("api", opts.conf.apiConf, nil)
	// The node's own checks: host, devices, nova.conf.
	rep := checks.Run(in, checks.InSection(checks.All, "GP1", "GP2", "GP3"))
	rep.Command = "preflight"
	rep.Tool = report.Tool{Version: toolVersion()}
	rep.GeneratedAt = opts.io.Now().UTC().Format(time.RFC3339)
	// Then what changed since the baseline (skipped without one).
	addDrift(&rep, baseline, opts.baseline)
	if err := opts.out.emit(opts.io.Out, func(w io.Writer) error { return render.Report(w, format, rep, renderOpts) }); err != nil {
		return err
	}
	if code := rep.ExitCode(renderOpts.FailOn); code != exitOK {
		return exitError{code}
	}
	return nil
}
