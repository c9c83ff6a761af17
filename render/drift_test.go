package render

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// A section skipped for one reason is one line; anything else is not
// folded.
func TestTextFoldsASectionSkippedForOneReason(t *testing.T) {
	skip := func(id, reason string) report.CheckResult {
		return report.CheckResult{ID: id, Name: "n" + id, Status: report.StatusSkip, Reason: reason}
	}
	r := report.Report{Command: "preflight", Checks: []report.CheckResult{
		skip("GP101", "a"), skip("GP102", "a"), // two: not folded
		skip("GP501", "no --baseline given"), skip("GP502", "no --baseline given"), skip("GP503", "no --baseline given"),
		skip("GP301", "x"), skip("GP302", "y"), skip("GP303", "x"), // reasons differ
	}}
	var b strings.Builder
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"  GP501-GP503 (3 checks) ........... SKIP (no --baseline given)\n",
		"  GP101 nGP101 ", "  GP102 nGP102 ", "  GP301 nGP301 ", "  GP302 nGP302 ", "  GP303 nGP303 ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "GP502 ") {
		t.Errorf("GP502 listed on its own:\n%s", out)
	}
}

// A diff report names both reports in its header.
func TestTextDiffHeader(t *testing.T) {
	r := report.Report{Command: "diff", Drift: &report.DriftReport{
		Baseline: report.DriftSide{Path: "old.json", Hostname: "gpu01", GeneratedAt: "2026-11-01T00:00:00Z", Kernel: "6.8.0-49-generic", NovaVersion: "29.2.0"},
		Current:  report.DriftSide{Path: "new.json", Hostname: "gpu01", Kernel: "6.8.0-51-generic"},
	}, Checks: []report.CheckResult{}}
	var b strings.Builder
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "gpupass diff: gpu01\nbaseline: old.json (gpu01, 2026-11-01T00:00:00Z, kernel 6.8.0-49-generic, Nova\n  29.2.0)\ncurrent: new.json (gpu01, kernel 6.8.0-51-generic)\n"
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("header:\n%s\nwant:\n%s", b.String(), want)
	}
}
