package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/regfile"
	"github.com/gpupass/gpupass/openstack/novaconf"
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

// addFlags defines --nova-conf and --nova-conf-dir (files under --root
// when underRoot), and --api-conf when withAPI.
func (c *confOptions) addFlags(cmd *cobra.Command, underRoot, withAPI bool) {
	f := cmd.Flags()
	where := ""
	if underRoot {
		where = " under --root"
	}
	f.StringArrayVar(&c.files, "nova-conf", nil, "read this nova.conf `FILE`"+where+" (repeatable, in order; default: the deployment's own files, found under --root)")
	f.StringArrayVar(&c.dirs, "nova-conf-dir", nil, "also read every *.conf in `DIR`"+where+", sorted, after the files (repeatable, like oslo.config's --config-dir)")
	_ = cmd.MarkFlagFilename("nova-conf", "conf")
	_ = cmd.MarkFlagDirname("nova-conf-dir")
	if withAPI {
		f.StringArrayVar(&c.apiConf, "api-conf", nil, "the nova-api / scheduler node's nova.conf `FILE`, on this machine (repeatable: a file and its conf.d files, in order)")
		_ = cmd.MarkFlagFilename("api-conf", "conf")
	}
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
// It fails (exit status 2) on a --pci-ids or --nova-conf file, or a
// --nova-conf-dir, that cannot be read.
func (h *hostOptions) read(g *globalOptions, conf *confOptions) (*collect.Node, error) {
	opts := collect.Options{PCIIDs: h.pciIDs, Hostname: h.hostname, NovaRelease: h.novaRelease}
	if conf != nil {
		opts.NovaConf, opts.NovaConfDirs = conf.files, conf.dirs
	}
	if h.pciIDs != "" {
		if err := readableFile("--pci-ids", h.pciIDs); err != nil {
			return nil, err
		}
	}
	node, err := collect.Read(g.root, opts)
	if err != nil {
		return nil, err
	}
	if conf != nil {
		if err := namedConfReadable(node.NovaConf, "--nova-conf", conf.files, "--nova-conf-dir", conf.dirs); err != nil {
			return nil, err
		}
	}
	return node, nil
}

// apiConf reads --api-conf; a file that cannot be read is an error.
func (c *confOptions) apiConfSet() (*novaconf.Set, error) {
	set := collect.LocalConf("api", c.apiConf, nil)
	if err := namedConfReadable(set, "--api-conf", c.apiConf, "", nil); err != nil {
		return nil, err
	}
	return set, nil
}

// selectorsMatch fails when a --gpu selector names no device of the host:
// a typo would otherwise be silently ignored.
func selectorsMatch(selectors []pcidev.Selector, h *hostinfo.Host) error {
	unmatched := pcidev.Unmatched(selectors, h.Devices)
	if len(unmatched) == 0 {
		return nil
	}
	s := unmatched[0]
	what := "no PCI device on this host has the ID " + s.Vendor + ":" + s.Device
	if s.Address != "" {
		what = "there is no PCI device at " + s.Address + " on this host"
	}
	return fmt.Errorf("--gpu %s: %s (gpupass inventory --all lists them)", s.Raw, what)
}

// inputs are the checks' inputs for a node.
func inputs(n *collect.Node, selectors []pcidev.Selector) *checks.Inputs {
	return &checks.Inputs{Host: n.Host, GPUs: selectors, NovaConf: n.NovaConf, NovaRelease: n.Release, NovaReleaseFrom: n.ReleaseFrom}
}

// namedConfReadable fails when a nova.conf file or config dir the operator
// named cannot be read (missing, a directory, permission denied): a file
// the operator named that cannot be read is exit status 2, not a finding.
// Files found by layout discovery are not named, and stay findings.
func namedConfReadable(set *novaconf.Set, fileFlag string, files []string, dirFlag string, dirs []string) error {
	if set == nil {
		return nil
	}
	for _, pr := range set.Problems {
		var label string
		switch {
		case pr.Code != novaconf.CodeMissingFile && pr.Code != novaconf.CodeMissingDir && pr.Code != novaconf.CodeUnreadable:
			continue
		case slices.Contains(files, pr.Source.File):
			label = fileFlag
		case slices.Contains(dirs, pr.Source.File) || slices.Contains(dirs, path.Dir(pr.Source.File)):
			label = dirFlag
		default:
			continue
		}
		reason := pr.Message
		switch pr.Code {
		case novaconf.CodeMissingFile:
			reason = "config file not found"
		case novaconf.CodeMissingDir:
			reason = "config dir not found"
		}
		return fmt.Errorf("%s %s: %s", label, pr.Source.File, reason)
	}
	return nil
}

// readableFile fails unless name is a regular file this user can open: a
// file named with a flag that cannot be read is exit status 2. It never
// blocks on anything but a regular file (a FIFO would wait for a writer).
func readableFile(flag, name string) error {
	f, err := regfile.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s %s: %w", flag, name, err)
	}
	return f.Close()
}
