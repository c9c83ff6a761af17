package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/snapshot"
)

type snapshotOptions struct {
	*globalOptions
	output   string
	hostname string
	conf     confOptions
}

// NewCmdSnapshot captures the host's files for offline analysis.
func NewCmdSnapshot(g *globalOptions, runF func(*snapshotOptions) error) *cobra.Command {
	opts := &snapshotOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "snapshot -o FILE.tar.gz",
		Short: "Capture the files gpupass reads from this host into a tarball, secrets redacted",
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
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runSnapshot(opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "", "write the tarball to `FILE` (.tar.gz; - for stdout); replaced atomically")
	f.StringVar(&opts.hostname, "hostname", "", "the host's name as Nova knows it, for the manifest (default: from /proc/sys/kernel/hostname or /etc/hostname)")
	opts.conf.addFlags(cmd, true)
	_ = cmd.MarkFlagRequired("output")
	_ = cmd.MarkFlagFilename("output", "tar.gz", "tgz")
	return cmd
}

func runSnapshot(opts *snapshotOptions) error {
	if opts.format != "text" && opts.format != "json" {
		return fmt.Errorf("--format %s: snapshot reports in text or json", opts.format)
	}
	if len(opts.conf.apiConf) > 0 {
		return fmt.Errorf("--api-conf: snapshot captures the host's own files only")
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
	summary := opts.io.Out
	if opts.output == "-" {
		if _, err := opts.io.Out.Write(buf.Bytes()); err != nil {
			return err
		}
		summary = opts.io.ErrOut
	} else if err := writeFileAtomic(opts.output, buf.Bytes(), true); err != nil {
		return err
	}
	if opts.format == "json" {
		return render.JSON(summary, m)
	}
	return writeSnapshotSummary(summary, opts.output, buf.Len(), m)
}

func writeSnapshotSummary(w io.Writer, output string, size int, m *snapshot.Manifest) error {
	var b strings.Builder
	where := output
	if output == "-" {
		where = "stdout"
	}
	fmt.Fprintf(&b, "Wrote %s: snapshot of %s, %d files, links and directories (%s of files, %s compressed).\n",
		where, orUnknown(m.Hostname), m.Members, humanBytes(m.Bytes), humanBytes(int64(size)))
	if len(m.Redacted) == 0 {
		b.WriteString("No secret found to redact.\n")
	} else {
		lines := 0
		for _, r := range m.Redacted {
			lines += len(r.Lines)
		}
		fmt.Fprintf(&b, "Redacted %d line(s) holding secrets in %d file(s):\n", lines, len(m.Redacted))
		for _, r := range m.Redacted {
			shown := r.Lines
			more := ""
			if len(shown) > 12 {
				shown, more = shown[:12], fmt.Sprintf(" and %d more", len(r.Lines)-12)
			}
			fmt.Fprintf(&b, "  %s (line %s%s)\n", r.Path, joinInts(shown), more)
		}
	}
	if n := len(m.Unreadable); n > 0 {
		fmt.Fprintf(&b, "%d path(s) could not be read; the snapshot lacks them as preflight would:\n", n)
		for i, u := range m.Unreadable {
			if i == 10 {
				fmt.Fprintf(&b, "  ... and %d more (gpupass-snapshot/manifest.json lists them all)\n", n-10)
				break
			}
			fmt.Fprintf(&b, "  %s: %s\n", u.Path, u.Reason)
		}
	}
	b.WriteString("Read it with: gpupass preflight --root " + orStdout(output) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "a host without a name"
	}
	return s
}

func orStdout(output string) string {
	if output == "-" {
		return "FILE.tar.gz"
	}
	return output
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

func humanBytes(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
