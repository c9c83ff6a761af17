// Package collect reads everything gpupass judges a compute node by, in
// one place: the host (hostinfo), its nova.conf files as the deployment
// lays them out (novaconf), the distribution and boot tools the generated
// commands are for, and the Nova release whose rules apply
// (novarelease.Choose). preflight, inventory, generate and snapshot read a
// node through Read; lint, audit and --api-conf read nova.conf files on
// the machine running gpupass through LocalConf.
//
// A snapshot is a recorded collection: given a hostinfo.Recorder, Read
// notes every path it uses, and the snapshot captures exactly those. A
// read added here is captured without a word more.
package collect

import (
	"errors"
	"fmt"
	"os"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// Options are what the operator said about the node.
type Options struct {
	// PCIIDs is a pci.ids file on this machine to take names from
	// (--pci-ids); "" for the one under the root.
	PCIIDs string
	// Hostname replaces the host's own name (--hostname).
	Hostname string
	// NovaConf and NovaConfDirs name the node's nova.conf files and
	// config dirs under the root (--nova-conf, --nova-conf-dir); none:
	// the deployment's own, found under the root.
	NovaConf, NovaConfDirs []string
	// NovaRelease is --nova-release ("" to detect it).
	NovaRelease string
	// Recorder notes every path read, for a snapshot; nil for none.
	Recorder *hostinfo.Recorder
}

// Node is a compute node as gpupass reads it.
type Node struct {
	Host *hostinfo.Host
	// NovaConf is the node's nova.conf; nil when none was found.
	NovaConf *novaconf.Set
	// System is the distribution and its boot and initramfs tools.
	System hostinfo.System
	// Release is the Nova release whose rules apply, and ReleaseFrom how
	// it was chosen.
	Release     novarelease.Release
	ReleaseFrom string
}

// noInstalledNova is why the newest release applies to a node without a
// Nova installation gpupass can see.
const noInstalledNova = "no Nova installation found under the root, so the newest known release is assumed (use --nova-release)"

// Read reads the node under root. It fails when --nova-release names no
// release gpupass knows, or when root is not a Linux host tree; anything
// else that cannot be read is left unknown and noted in the Host.
func Read(root string, opts Options) (*Node, error) {
	if opts.NovaRelease != "" { // a bad flag fails before anything is read
		if _, _, err := novarelease.Choose(opts.NovaRelease, ""); err != nil {
			return nil, err
		}
	}
	fsys, err := hostinfo.NewFS(root)
	if err != nil {
		return nil, err
	}
	if opts.Recorder != nil {
		fsys = fsys.WithRecorder(opts.Recorder)
	}
	n := &Node{Host: hostinfo.CollectFS(fsys, hostinfo.Options{PCIIDs: opts.PCIIDs})}
	if opts.Hostname != "" {
		n.Host.Hostname = opts.Hostname
	}
	n.NovaConf = NodeConf(fsys, opts.NovaConf, opts.NovaConfDirs)
	n.System = hostinfo.ReadSystem(fsys)
	n.Release, n.ReleaseFrom, err = novarelease.Choose(opts.NovaRelease, noInstalledNova,
		novarelease.Installed(n.Host.Nova.Version, n.Host.Nova.Path))
	return n, err
}

// NodeConf reads a compute node's nova.conf under the root: the files and
// dirs given, else those of the deployment layout found there (packages,
// kolla, TripleO). It returns nil when there is none. What this user may
// not read (/etc/nova 0750 root:nova, as packages install it, for anyone
// but root and nova) is the Set's Unreadable, not a fault of the file.
func NodeConf(fsys hostinfo.FS, files, dirs []string) *novaconf.Set {
	r := novaconf.ReaderFuncs{
		// Symlinks resolve inside the root.
		File: func(p string) ([]byte, error) {
			data, _, err := fsys.ReadConfigFile(p)
			if errors.Is(err, hostinfo.ErrTooLarge) {
				err = fmt.Errorf("%s: %w", p, novaconf.ErrTooLarge)
			}
			return data, err
		},
		Dir: fsys.ReadConfigDir,
	}
	if len(files) == 0 && len(dirs) == 0 {
		return novaconf.DiscoverSet("compute", r, fsys.StatConfig)
	}
	return novaconf.LoadSet("compute", "given", r, files, dirs, fsys.StatConfig)
}

// LocalConf reads nova.conf files on the machine running gpupass: those
// lint checks, and the API node's copy given with --api-conf. role is
// "lint" or "api"; nil when no file or dir is named.
func LocalConf(role string, files, dirs []string) *novaconf.Set {
	if len(files) == 0 && len(dirs) == 0 {
		return nil
	}
	return novaconf.LoadSet(role, "given", novaconf.DirReader(""), files, dirs, os.Stat)
}
