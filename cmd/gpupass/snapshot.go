package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/snapshot"
)

type snapshotOptions struct {
	*globalOptions
	output   string
	force    bool
	hostname string
	conf     confOptions
}

// NewCmdSnapshot captures the host's files for offline analysis.
func NewCmdSnapshot(g *globalOptions, runF func(*snapshotOptions) error) *cobra.Command {
	opts := &snapshotOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "snapshot -o FILE.tar.gz",
		Short: "Capture the files gpupass reads into a tarball, secrets redacted",
		Long: `snapshot captures exactly the files preflight reads — the sysfs attributes
and symlinks of every PCI function and IOMMU group, ACPI table presence,
/proc files, modules, modprobe.d, driverctl, pci.ids, os-release and the
nova.conf files — into a gzipped tarball, with a manifest (gpupass version,
time, host name, what could not be read and why, which lines were redacted).

Every secret in the nova.conf files is replaced by *** line for line
(passwords, transport_url and database credentials, any key named like
password, secret, token or key), so findings keep their file:line.

Every command's --root reads such a tarball directly, and gives the same
findings as on the host itself:

  gpupass preflight --root node07.tar.gz

Run it as root: sysfs and nova.conf files root alone can read are
otherwise missing from the snapshot (the manifest says which).`,
		Example: `  gpupass snapshot -o $(hostname)-gpupass.tar.gz
  ssh node07 sudo gpupass snapshot -o - > node07.tar.gz
  gpupass snapshot --root testdata/hosts/turing-workstation -o turing.tar.gz`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runSnapshot(opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "", "write the tarball to `FILE` (.tar.gz; - for stdout, not a terminal); written atomically")
	f.BoolVar(&opts.force, "force", false, "overwrite --output if it exists")
	f.StringVar(&opts.hostname, "hostname", "", "the host's name as Nova knows it, for the manifest (default: from /proc/sys/kernel/hostname or /etc/hostname)")
	g.formatFlag(cmd, "text", "json")
	g.rootFlag(cmd)
	opts.conf.addFlags(cmd, true, false)
	_ = cmd.MarkFlagFilename("output", "tar.gz", "tgz")
	return cmd
}

func runSnapshot(opts *snapshotOptions) error {
	if opts.output == "" {
		return fmt.Errorf("snapshot needs -o FILE.tar.gz (or -o - to write the tarball to stdout)")
	}
	if opts.output == "-" && stdoutIsTerminal(opts.io) {
		return fmt.Errorf("-o -: stdout is a terminal, and a snapshot is gzip: redirect it (gpupass snapshot -o - > FILE.tar.gz) or name a file")
	}
	if opts.output != "-" && !opts.force {
		if _, err := os.Lstat(opts.output); err == nil {
			return fmt.Errorf("--output %s exists: pass --force to overwrite it", opts.output)
		}
	}
	fsys, err := hostinfo.NewFS(opts.root)
	if err != nil {
		return err
	}
	// Collect as preflight and generate do, noting every path used.
	rec := hostinfo.NewRecorder()
	node, err := collect.Read(opts.root, collect.Options{NovaConf: opts.conf.files, NovaConfDirs: opts.conf.dirs, Hostname: opts.hostname, Recorder: rec})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	m, err := snapshot.Write(&buf, fsys, rec.Paths(), snapshot.Options{
		ToolVersion: toolVersion(), Now: opts.io.Now(), Hostname: node.Host.Hostname, Notes: node.Host.Notes,
	})
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	// What gpupass writes, gpupass opens: the limits Open puts on an
	// archive hold for this one (a nova.conf over the cap is named here,
	// not on the analyst's machine).
	if err := snapshot.Check(bytes.NewReader(buf.Bytes())); err != nil {
		return fmt.Errorf("snapshot: this host's snapshot would not open: %w", err)
	}
	summary := opts.io.Out
	if opts.output == "-" {
		if _, err := opts.io.Out.Write(buf.Bytes()); err != nil {
			return err
		}
		summary = opts.io.ErrOut
	} else if err := writeFileAtomic(opts.output, buf.Bytes(), opts.force); err != nil {
		return err
	}
	if opts.format == "json" {
		return render.JSON(summary, m)
	}
	return render.SnapshotSummary(summary, opts.output, buf.Len(), m)
}

// stdoutIsTerminal reports whether stdout is a terminal: asked of the
// terminal driver when stdout is a file (a character device such as
// /dev/null is not a terminal), else as the streams say (tests).
func stdoutIsTerminal(streams *IOStreams) bool {
	if f, ok := streams.Out.(*os.File); ok {
		conn, err := f.SyscallConn()
		if err != nil {
			return false
		}
		var termErr error
		if err := conn.Control(func(fd uintptr) { _, termErr = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); err != nil {
			return false
		}
		return termErr == nil
	}
	return streams.IsTerminal
}
