package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/internal/fastjson"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/openstack/cloud"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/report"
)

type auditOptions struct {
	*globalOptions
	cloud       cloud.Options
	timeout     time.Duration
	debug       bool
	reports     string
	apiConf     []string
	novaRelease string
	fromCloud   string
	saveCloud   string
	out         reportOutput
}

// NewCmdAudit audits the cloud's GPU flavors. runF replaces the run in tests.
func NewCmdAudit(g *globalOptions, runF func(*auditOptions) error) *cobra.Command {
	opts := &auditOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check every GPU flavor against what the cloud can supply (GP4xx)",
		Long: `audit reads every flavor of the cloud (public and private) and, flavor by
flavor, says whether a server with it can boot on GPU passthrough — and if not,
why — before a user meets "No valid host was found". It cross-references the
flavors with the API node's [pci]alias (--api-conf) and with what the compute
nodes can supply (--reports: a folder of their preflight JSON reports), and
reads Placement for capacity. It never writes to the cloud.

Credentials come as for the OpenStack CLI: --os-cloud / OS_CLOUD with
clouds.yaml and secure.yaml (., ~/.config/openstack, /etc/openstack, or
OS_CLIENT_CONFIG_FILE), or the OS_* variables.`,
		Example: `  for h in $(cat gpu-hosts); do
    ssh "$h" gpupass preflight --format json > "reports/$h.json"
  done
  gpupass audit --os-cloud prod --api-conf controller.conf --reports reports/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.fromCloud != "" {
				for _, name := range liveCloudFlags {
					if cmd.Flags().Changed(name) {
						return fmt.Errorf("--%s and --from-cloud: audit reads either the cloud's APIs or a recorded cloud, not both", name)
					}
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runAudit(cmd.Context(), opts)
		},
	}
	g.formatFlag(cmd, reportFormats...)
	g.failOnFlag(cmd)
	g.colorFlag(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.cloud.Cloud, "os-cloud", "", "the cloud in clouds.yaml (default: OS_CLOUD, else the OS_* variables)")
	f.StringVar(&opts.cloud.RegionName, "os-region-name", "", "the region (default: OS_REGION_NAME or the cloud's)")
	f.StringVar(&opts.cloud.Interface, "os-interface", "", "the endpoint interface: public, internal or admin (default: OS_INTERFACE or public)")
	f.StringVar(&opts.cloud.CACert, "os-cacert", "", "CA bundle `FILE` to verify the endpoints with (default: OS_CACERT)")
	f.BoolVar(&opts.cloud.Insecure, "insecure", false, "do not verify TLS certificates (never in production)")
	f.DurationVar(&opts.timeout, "timeout", 30*time.Second, "timeout of each request")
	f.DurationVar(&opts.cloud.Deadline, "deadline", 10*time.Minute, "time limit of the whole conversation with the cloud, from the token to the last answer")
	f.BoolVar(&opts.debug, "debug", false, "log every request on stderr (tokens and secrets redacted)")
	f.StringVar(&opts.reports, "reports", "", "a `DIR` of preflight JSON reports, one per compute node (gpupass preflight --format json)")
	f.StringArrayVar(&opts.apiConf, "api-conf", nil, "the nova-api node's nova.conf `FILE`: the authority for [pci]alias (repeatable: a file and its conf.d files)")
	f.StringVar(&opts.novaRelease, "nova-release", "", "apply the rules of this Nova release ("+novarelease.Names()+"; default: the compute API's, else the host reports', else the newest)")
	f.StringVar(&opts.fromCloud, "from-cloud", "", "audit what --save-cloud recorded in `FILE` instead of calling the cloud's APIs")
	f.StringVar(&opts.saveCloud, "save-cloud", "", "also record what the cloud's APIs returned in `FILE` (JSON, no secrets), for --from-cloud")
	_ = cmd.MarkFlagDirname("reports")
	_ = cmd.MarkFlagFilename("api-conf", "conf")
	_ = cmd.RegisterFlagCompletionFunc("os-interface", fixedCompletions("public", "internal", "admin"))
	opts.out.addFlag(cmd)
	return cmd
}

// liveCloudFlags only matter when audit calls the cloud's APIs.
var liveCloudFlags = []string{"os-cloud", "os-region-name", "os-interface", "os-cacert", "insecure", "timeout", "deadline", "debug", "save-cloud"}

func runAudit(ctx context.Context, opts *auditOptions) error {
	format, renderOpts, err := opts.renderOptions()
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	// A recorded cloud is read while the reports are: both are CPU work on
	// large files. Its errors still come after the reports'.
	var recorded chan cloudFile
	if opts.fromCloud != "" {
		recorded = make(chan cloudFile, 1)
		go func() {
			snap, err := readCloudFile(opts.fromCloud)
			recorded <- cloudFile{snap, err}
		}()
	}
	var reports []*report.HostReport
	if opts.reports != "" {
		auditMemoryLimit(opts.reports)
		if reports, err = report.ReadHostReports("--reports", opts.reports); err != nil {
			return err
		}
	}
	if opts.novaRelease != "" { // a bad flag fails before any request
		if _, _, err := novarelease.Choose(opts.novaRelease, ""); err != nil {
			return err
		}
	}
	apiConf, err := (&confOptions{apiConf: opts.apiConf}).apiConfSet()
	if err != nil {
		return err
	}
	var snap *cloudmodel.Snapshot
	if recorded != nil {
		r := <-recorded
		snap, err = r.snap, r.err
	} else {
		snap, err = opts.snapshot(ctx)
	}
	if err != nil {
		return err
	}
	applied := make([]string, len(reports))
	for i, r := range reports {
		applied[i] = r.Report.NovaRelease
	}
	rel, from, err := novarelease.Choose(opts.novaRelease, releaseFallback(snap.ComputeMaxMicroversion, reports),
		novarelease.Compute(snap.ComputeMaxMicroversion, applied))
	if err != nil {
		return err
	}
	if opts.saveCloud != "" {
		if err := writeJSONFile(opts.saveCloud, snap); err != nil {
			return fmt.Errorf("--save-cloud: %w", err)
		}
	}
	in := &checks.Inputs{
		NovaRelease: rel, NovaReleaseFrom: from,
		Cloud: snap, Reports: reports, APIConf: apiConf,
	}
	rep := checks.Run(in, checks.InSection(checks.All, "GP4"))
	opts.stamp(&rep, "audit")
	return opts.finish(&opts.out, rep, format, renderOpts)
}

// auditMemoryLimit keeps the audit of a fleet within DESIGN's target
// (10,000 host reports x 5,000 flavors in under 1 GB) with a soft memory
// limit: as the heap nears it, the garbage collector runs sooner, instead
// of letting the heap grow to twice what is live. The limit is 900 MB, or
// 1.5 times the reports' size for a larger fleet: the hosts decoded from
// them take about 0.9 times their JSON, so the limit stays well above what
// must be kept and the collector never runs back to back. GOMEMLIMIT, when
// set, is the runtime's and wins. Only the audit's own process is limited.
//
// The collector also runs when the heap has grown by half (GOGC=50, not
// the default 100): most of an audit's heap is the hosts it keeps, and a
// heap let grow further costs more in fresh pages (faulted in and cleared
// by the kernel, dearer in a VM) than the collections it saves. Measured
// on 10,000 reports x 5,000 flavors, 2 CPUs, 5 runs each: median wall
// 2.57 s with 50, 2.91 s with 100, 2.92 s with 25; peak 426, 515 and 363
// MB (bench/audit-fleet.sh). GOGC, when set, wins.
func auditMemoryLimit(dir string) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // ReadHostReports says why
	}
	var total int64
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			if info, err := e.Info(); err == nil {
				total += info.Size()
			}
		}
	}
	debug.SetMemoryLimit(max(900_000_000, total/2*3))
}

// cloudFile is a recorded cloud read, or why not.
type cloudFile struct {
	snap *cloudmodel.Snapshot
	err  error
}

// readCloudFile reads a cloud --save-cloud recorded (fastjson: as
// encoding/json reads it, with its errors, several times faster on a
// fleet's tens of megabytes).
func readCloudFile(path string) (*cloudmodel.Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--from-cloud: %w", err)
	}
	var snap cloudmodel.Snapshot
	if err := fastjson.Unmarshal(data, &snap); err != nil {
		return nil, fmt.Errorf("--from-cloud %s: not a recorded cloud: %v", path, err)
	}
	return &snap, nil
}

// snapshot reads the cloud from its APIs.
func (opts *auditOptions) snapshot(ctx context.Context) (*cloudmodel.Snapshot, error) {
	if opts.timeout <= 0 || opts.cloud.Deadline <= 0 {
		return nil, fmt.Errorf("--timeout and --deadline take a positive duration (got %s and %s)", opts.timeout, opts.cloud.Deadline)
	}
	co := opts.cloud
	co.Timeout = opts.timeout
	co.Getenv = opts.io.Getenv
	if opts.debug {
		co.Debug = opts.io.ErrOut
	}
	if opts.io.ErrIsTerminal {
		co.Progress = opts.io.ErrOut
	}
	client, err := cloud.Connect(ctx, co)
	if err != nil {
		return nil, err
	}
	for _, w := range client.Warnings() {
		fmt.Fprintf(opts.io.ErrOut, "gpupass: warning: %s\n", w)
	}
	return client.Fetch(ctx)
}

// writeJSONFile writes v as indented JSON, atomically (a temporary file in
// the same directory, then a rename).
func writeJSONFile(path string, v any) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := render.JSON(tmp, v); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// releaseFallback says why the audit applies the newest release when
// neither the compute API nor the host reports settle one: the reports
// name none, or they disagree, and then which host applied which.
func releaseFallback(maxMicroversion string, reports []*report.HostReport) string {
	api := "the compute API names no release"
	if maxMicroversion != "" {
		api = "the compute API's maximum microversion " + maxMicroversion + " names no release gpupass knows"
	}
	var releases []string
	hosts := map[string][]string{}
	for _, r := range reports {
		rel := r.Report.NovaRelease
		if rel == "" {
			continue
		}
		if _, seen := hosts[rel]; !seen {
			releases = append(releases, rel)
		}
		name := r.Path
		if r.Report.Host != nil && r.Report.Host.Hostname != "" {
			name = r.Report.Host.Hostname
		}
		hosts[rel] = append(hosts[rel], name)
	}
	switch len(releases) {
	case 0:
		return "the newest known release, as " + api + " and the host reports name none (use --nova-release)"
	case 1:
		return "the newest known release, as " + api + " and the host reports name " + releases[0] + ", which gpupass does not know (use --nova-release)"
	}
	parts := make([]string, len(releases))
	for i, rel := range releases {
		parts[i] = rel + " on " + prose.List(hosts[rel])
	}
	return "the newest known release, as " + api + " and the host reports disagree: " + prose.ListSep(parts, "; ") + " (use --nova-release)"
}
