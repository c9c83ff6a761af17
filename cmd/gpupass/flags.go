package main

import (
	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/spf13/cobra"
)

// confOptions are the flags that name nova.conf files.
type confOptions struct {
	files   []string
	dirs    []string
	apiConf []string
}

func (c *confOptions) addFlags(cmd *cobra.Command, underRoot bool) {
	f := cmd.Flags()
	where := ""
	if underRoot {
		where = " under --root"
	}
	f.StringArrayVar(&c.files, "nova-conf", nil, "read this nova.conf `FILE`"+where+" (repeatable, in order; default: the deployment's own files, found under --root)")
	f.StringArrayVar(&c.dirs, "nova-conf-dir", nil, "also read every *.conf in `DIR`"+where+", sorted, after the files (repeatable, like oslo.config's --config-dir)")
	f.StringArrayVar(&c.apiConf, "api-conf", nil, "the nova-api / scheduler node's nova.conf `FILE`, on this machine (repeatable: a file and its conf.d files, in order)")
	_ = cmd.MarkFlagFilename("nova-conf", "conf")
	_ = cmd.MarkFlagDirname("nova-conf-dir")
	_ = cmd.MarkFlagFilename("api-conf", "conf")
}

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

// selectors parses --gpu.
func (h *hostOptions) selectors() ([]pcidev.Selector, error) {
	var out []pcidev.Selector
	for _, s := range h.gpus {
		sel, err := pcidev.ParseSelector(s)
		if err != nil {
			return nil, err
		}
		out = append(out, sel)
	}
	return out, nil
}

// read reads the node under --root with what the flags say of it; conf
// names its nova.conf files (nil: the deployment's own).
func (h *hostOptions) read(g *globalOptions, conf *confOptions) (*collect.Node, error) {
	opts := collect.Options{PCIIDs: h.pciIDs, Hostname: h.hostname, NovaRelease: h.novaRelease}
	if conf != nil {
		opts.NovaConf, opts.NovaConfDirs = conf.files, conf.dirs
	}
	return collect.Read(g.root, opts)
}

// inputs are the checks' inputs for a node.
func inputs(n *collect.Node, selectors []pcidev.Selector) *checks.Inputs {
	return &checks.Inputs{Host: n.Host, GPUs: selectors, NovaConf: n.NovaConf, NovaRelease: n.Release, NovaReleaseFrom: n.ReleaseFrom}
}
