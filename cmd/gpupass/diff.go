package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/checks/render"
)

// decodeReport reads one preflight JSON report and checks that it is one:
// JSON, schema gpupass/report/v1, command preflight, with a host, and
// nothing after it. Errors do not name the file; callers do.
func decodeReport(r io.Reader) (*checks.Report, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxReportSize))
	var rep checks.Report
	if err := dec.Decode(&rep); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.As(err, &syntax):
			return nil, fmt.Errorf("not JSON at byte %d: %v", syntax.Offset, err)
		case errors.Is(err, io.EOF):
			return nil, errors.New("empty: not a gpupass report")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("not JSON: truncated (or larger than %d MiB)", maxReportSize>>20)
		}
		return nil, fmt.Errorf("not a gpupass report: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value: want one gpupass report")
	}
	switch {
	case rep.Schema != checks.Schema:
		return nil, fmt.Errorf("schema %q, want %q (a gpupass preflight --format json report)", rep.Schema, checks.Schema)
	case rep.Command != "preflight":
		return nil, fmt.Errorf("a %q report, not a preflight report (gpupass preflight --format json > FILE)", rep.Command)
	case rep.Host == nil:
		return nil, errors.New("a preflight report without a host")
	}
	return &rep, nil
}

// readPreflightReport reads a preflight report file; errors name it, after
// label (the flag, or "report").
func readPreflightReport(label, path string) (*checks.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %s: %w", label, path, err)
	}
	defer f.Close()
	r, err := decodeReport(f)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", label, path, err)
	}
	return r, nil
}

// addDrift runs the drift checks of a preflight: against the baseline when
// one was given, else skipped ("no --baseline given").
func addDrift(report *checks.Report, baseline *checks.Report, baselinePath string) {
	drift := checks.Drift(baseline, report)
	if drift.Drift != nil {
		drift.Drift.Baseline.Path = baselinePath
	}
	report.Merge(drift)
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
		Short: "Say what changed on a host between two preflight reports (drift after upgrades)",
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
				return fmt.Errorf("diff compares two preflight JSON reports, OLD.json NEW.json; got %d argument(s)", len(args))
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
	opts.out.addFlag(cmd)
	return cmd
}

func runDiff(opts *diffOptions, args []string) error {
	format, renderOpts, err := opts.renderOptions()
	if err != nil {
		return err
	}
	old, err := readPreflightReport("report", args[0])
	if err != nil {
		return err
	}
	cur, err := readPreflightReport("report", args[1])
	if err != nil {
		return err
	}
	report := checks.Drift(old, cur)
	report.Command = "diff"
	report.Tool = checks.Tool{Version: toolVersion()}
	report.GeneratedAt = opts.io.Now().UTC().Format(time.RFC3339)
	report.Drift.Baseline.Path, report.Drift.Current.Path = args[0], args[1]
	if err := opts.out.emit(opts.io.Out, func(w io.Writer) error { return render.Report(w, format, report, renderOpts) }); err != nil {
		return err
	}
	if code := report.ExitCode(renderOpts.FailOn); code != exitOK {
		return exitError{code}
	}
	return nil
}
