package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/generate"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/report"
)

type generateOptions struct {
	*globalOptions
	hostOptions
	conf       confOptions
	aliasNames []string
	numaPolicy string
	placement  bool
	output     string
	force      bool
	fromReport string
	vgpuType   string
	vgpuCount  int
	vgpuClass  string
}

// NewCmdGenerate writes configuration. runF replaces the run in tests.
func NewCmdGenerate(g *globalOptions, runF func(*generateOptions, string) error) *cobra.Command {
	opts := &generateOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "generate " + strings.Join(generate.Artifacts, "|"),
		Short: "Write the configuration that makes the host and its flavors ready",
		Long: `generate writes, from what preflight reads on this host (or from a preflight
JSON report, --from-report), the configuration GPU passthrough needs:

  kernel-args  what to add to and remove from the kernel command line, and the
               command that does it on this host's boot set-up
  modprobe     a modprobe.d file that binds the GPUs and their companion
               functions to vfio-pci at boot, and the initramfs command
  nova-conf    the [pci] device_spec and alias lines for this compute node, and
               the aliases and enabled_filters for the API and scheduler nodes
  flavor       openstack flavor create commands for 1, 2, 4 and 8 GPUs
  all          all of them, in the order to apply them

By default every display-class GPU the host does not use itself is selected
(not the boot VGA, not a BMC's display); --gpu selects others.

On a vGPU host (mdev types, or NVIDIA's vendor-specific VFIO framework),
--vgpu-type chooses the type: nova-conf then writes enabled_mdev_types and its
[mdev_<type>] group, or the VFs' device_spec ("managed": "no") and type-VF
alias; all adds the systemd unit that prepares the GPUs at boot before
nova-compute; flavor asks for one vGPU.

The plan answers every error preflight reports on the host (GP1xx-GP3xx and
GP6xx, run with the same flags; from a report, its findings): it fixes what
configuration can fix, with or without a GPU to give, and names the rest
(firmware, hardware, a line only the operator can mend) in its header.
gpupass never edits the host's files: it prints, or writes --output.`,
		Example: `  gpupass generate all
  gpupass generate nova-conf --gpu 10de:2330 --numa-policy preferred
  gpupass generate modprobe --output /etc/modprobe.d/gpupass-vfio.conf
  gpupass generate flavor --from-report reports/gpu-h100-07.json
  gpupass generate all --vgpu-type "NVIDIA L40S-2Q" --vgpu-count 8`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return fmt.Errorf("generate needs one artifact: %s", orList(generate.Artifacts))
			case len(args) > 1:
				return fmt.Errorf("generate writes one artifact at a time, got %d (%s; all writes them all)", len(args), strings.Join(args, " "))
			case !slices.Contains(generate.Artifacts, args[0]):
				return fmt.Errorf("unknown artifact %q: want one of %s", args[0], strings.Join(generate.Artifacts, ", "))
			}
			return nil
		},
		ValidArgs: generate.Artifacts,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := fromReportAlone(cmd, opts.fromReport); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts, args[0])
			}
			return runGenerate(opts, args[0])
		},
	}
	g.formatFlag(cmd, "text", "json")
	g.rootFlag(cmd)
	opts.hostOptions.addFlags(cmd)
	opts.conf.addFlags(cmd, true, true)
	f := cmd.Flags()
	f.StringArrayVar(&opts.aliasNames, "alias-name", nil, "name the alias of a model: `VENDOR:DEVICE=NAME` (repeatable; default: from the pci.ids model name, such as h100-sxm5-80gb)")
	f.StringVar(&opts.numaPolicy, "numa-policy", "", "numa_policy of the aliases: required, preferred, legacy or socket (default: none, Nova's legacy)")
	f.BoolVar(&opts.placement, "placement", false, "track the GPUs in Placement: resource_class in device_spec and alias, report_in_placement and pci_in_placement")
	f.StringVarP(&opts.output, "output", "o", "", "write to `FILE` (atomically) instead of stdout")
	f.BoolVar(&opts.force, "force", false, "overwrite --output if it exists")
	f.StringVar(&opts.fromReport, "from-report", "", "generate from a preflight JSON report `FILE` instead of reading the host")
	f.StringVar(&opts.vgpuType, "vgpu-type", "", "give vGPUs of this type: an mdev type `ID` (nvidia-558), an ID of NVIDIA's vendor framework (1148), or a type's name (\"NVIDIA A40-2Q\") (default: the type nova.conf or the VFs already have)")
	f.IntVar(&opts.vgpuCount, "vgpu-count", 0, "vGPUs per GPU, `N` (default: all the type allows)")
	f.StringVar(&opts.vgpuClass, "vgpu-class", "", "Placement resource class of the mdev type, `CUSTOM_NAME` (default: VGPU; Nova 2024.1 and later)")
	_ = cmd.RegisterFlagCompletionFunc("numa-policy", fixedCompletions("required", "preferred", "legacy", "socket"))
	return cmd
}

// hostOnlyFlags read the host, which generate --from-report does not.
var hostOnlyFlags = []string{"root", "nova-conf", "nova-conf-dir", "pci-ids"}

// fromReportAlone refuses the flags that read the host together with
// --from-report: they would be silently ignored.
func fromReportAlone(cmd *cobra.Command, fromReport string) error {
	if fromReport == "" {
		return nil
	}
	for _, name := range hostOnlyFlags {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("--%s and --from-report: generate reads either the host or a report, not both", name)
		}
	}
	return nil
}

func runGenerate(opts *generateOptions, artifact string) error {
	if opts.output != "" {
		if err := checkOutput(opts.output, opts.force); err != nil {
			return err
		}
	}
	plan, err := buildPlan(opts)
	if err != nil {
		return err
	}
	var out string
	switch opts.format {
	case "text":
		if out, err = generate.Write(plan, artifact); err != nil {
			return err
		}
	case "json":
		if artifact != "all" {
			return fmt.Errorf("--format json writes the whole plan: use generate all --format json")
		}
		j, err := plan.JSON()
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := render.JSON(&buf, j); err != nil {
			return err
		}
		out = buf.String()
	}
	if opts.output == "" {
		_, err := fmt.Fprint(opts.io.Out, out)
		return err
	}
	return writeFileAtomic(opts.output, []byte(out), opts.force)
}

// buildPlan reads the host (or the report) as the options say, runs
// preflight's host, device and nova.conf checks on it with the same
// selection (a report brings its own findings), and builds the plan that
// answers them.
func buildPlan(opts *generateOptions) (*generate.Plan, error) {
	gopts := generate.Options{NUMAPolicy: opts.numaPolicy, Placement: opts.placement, AliasNames: map[string]string{},
		VGPUType: opts.vgpuType, VGPUCount: opts.vgpuCount, VGPUClass: opts.vgpuClass}
	for _, s := range opts.gpus {
		sel, err := pcidev.ParseSelector(s)
		if err != nil {
			return nil, err
		}
		gopts.GPUs = append(gopts.GPUs, sel)
	}
	for _, a := range opts.aliasNames {
		id, name, ok := strings.Cut(a, "=")
		sel, err := pcidev.ParseSelector(id)
		if !ok || err != nil || sel.Vendor == "" {
			return nil, fmt.Errorf("--alias-name %s: want VENDOR:DEVICE=NAME, such as 10de:2330=h100", a)
		}
		gopts.AliasNames[sel.Vendor+":"+sel.Device] = name
	}
	// Releases before Zed: only the option name differs for what generate
	// writes (passthrough_whitelist); Zed's rules check the values.
	if novarelease.IsPreZed(opts.novaRelease) {
		gopts.PreZed = true
		opts.novaRelease = "zed"
	}
	api, err := opts.conf.apiConfSet()
	if err != nil {
		return nil, err
	}
	if api != nil { // a nil *Set in the interface would not be nil
		gopts.APIConf = api
	}
	var host *hostinfo.Host
	if opts.fromReport != "" {
		r, err := report.ReadHostReport(opts.fromReport)
		if err != nil {
			return nil, err
		}
		host = r.Report.Host.HostInfo()
		// The host's own checks: a report made with --baseline also
		// holds drift findings, which no configuration answers.
		for _, f := range r.Report.Findings {
			if strings.HasPrefix(f.ID, "GP1") || strings.HasPrefix(f.ID, "GP2") || strings.HasPrefix(f.ID, "GP3") || strings.HasPrefix(f.ID, "GP6") {
				gopts.Findings = append(gopts.Findings, f)
			}
		}
		if r.Report.NovaConf != nil {
			gopts.Conf, gopts.Layout = r.Report.NovaConf, r.Report.NovaConf.Layout
			for _, u := range r.Report.NovaConf.Unreadable {
				gopts.ConfUnread = append(gopts.ConfUnread, u.Path+": "+u.Reason)
			}
		}
		if gopts.Release, _, err = novarelease.Choose(opts.novaRelease, "", novarelease.Recorded(r.Report.NovaRelease)); err != nil {
			return nil, err
		}
		if opts.hostname != "" {
			for i, f := range gopts.Findings {
				if f.Subject.Kind == "host" && f.Subject.Ref == host.Hostname {
					gopts.Findings[i].Subject.Ref = opts.hostname
				}
			}
			host.Hostname = opts.hostname
		}
	} else {
		node, err := opts.read(opts.globalOptions, &opts.conf)
		if err != nil {
			return nil, err
		}
		host, gopts.Release, gopts.System = node.Host, node.Release, node.System
		if node.NovaConf != nil {
			gopts.Conf, gopts.Layout = node.NovaConf, node.NovaConf.Layout
			gopts.ExposedFiles = node.NovaConf.ExposedSecretFiles()
			for _, u := range node.NovaConf.Unreadable() {
				gopts.ConfUnread = append(gopts.ConfUnread, u.Path+": "+u.Reason)
			}
		}
		in := inputs(node, gopts.GPUs)
		in.APIConf = api
		gopts.Findings = checks.Run(in, checks.InSection(checks.All, "GP1", "GP2", "GP3", "GP6")).Findings
	}
	if gopts.Placement && (gopts.PreZed || !gopts.Release.AtLeast(novarelease.All[1])) {
		return nil, fmt.Errorf("--placement: scheduling PCI devices in Placement needs Nova 2023.1 or later (this is %s)", gopts.Release.Name)
	}
	return generate.Build(host, gopts)
}
