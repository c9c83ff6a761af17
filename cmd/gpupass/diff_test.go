package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/report"
)

// upgradeH100 copies the h100-hgx fixture and makes the copy look as the
// node does after an unlucky upgrade: a new kernel (its modules.builtin
// with it), a command line the new grub.cfg wrote without iommu=pt, the
// nvidia driver loaded and holding one H100, a device_spec narrowed by
// configuration management and Nova 31 (2025.1) installed.
func upgradeH100(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	copyTree(t, filepath.Join(hostsDir, "h100-hgx"), root)
	under := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }

	writeFile(t, under("/proc/sys/kernel/osrelease"), "6.8.0-51-generic\n")
	if err := os.Rename(under("/lib/modules/6.8.0-49-generic"), under("/lib/modules/6.8.0-51-generic")); err != nil {
		t.Fatal(err)
	}
	cmdline, err := os.ReadFile(under("/proc/cmdline"))
	if err != nil {
		t.Fatal(err)
	}
	newCmdline := strings.Replace(strings.Replace(string(cmdline), " iommu=pt", "", 1), "6.8.0-49", "6.8.0-51", 1)
	if newCmdline == string(cmdline) || strings.Contains(newCmdline, "iommu=pt") {
		t.Fatalf("the fixture's command line changed: %q", cmdline)
	}
	writeFile(t, under("/proc/cmdline"), newCmdline)

	modules, _ := os.ReadFile(under("/proc/modules"))
	writeFile(t, under("/proc/modules"), string(modules)+"nvidia 54169600 0 - Live 0x0000000000000000\n")
	drv := under("/sys/bus/pci/drivers/nvidia")
	if err := os.MkdirAll(drv, 0o755); err != nil {
		t.Fatal(err)
	}
	devDir, err := filepath.EvalSymlinks(under("/sys/bus/pci/devices/0000:18:00.0"))
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(devDir, drv)
	if err := os.Remove(filepath.Join(devDir, "driver")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(rel, filepath.Join(devDir, "driver")); err != nil {
		t.Fatal(err)
	}

	conf, _ := os.ReadFile(under("/etc/nova/nova.conf"))
	const spec = `device_spec = {"vendor_id": "10de", "product_id": "2330"}`
	if !strings.Contains(string(conf), spec) {
		t.Fatalf("the fixture's nova.conf changed:\n%s", conf)
	}
	writeFile(t, under("/etc/nova/nova.conf"), strings.Replace(string(conf), spec, `device_spec = {"vendor_id": "10de", "product_id": "2330", "address": "0000:1*:00.0"}`, 1))
	pkgs := under("/usr/lib/python3/dist-packages")
	if err := os.Rename(filepath.Join(pkgs, "nova-29.2.0.dist-info"), filepath.Join(pkgs, "nova-31.0.0.dist-info")); err != nil {
		t.Fatal(err)
	}
	return root
}

// driftFindings lists a report's GP5xx findings as "ID severity kind:ref",
// sorted.
func driftFindings(r report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ID, "GP5") {
			out = append(out, f.ID+" "+string(f.Severity)+" "+f.Subject.Kind+":"+f.Subject.Ref)
		}
	}
	sort.Strings(out)
	return out
}

func findingByID(r report.Report, id string) report.Finding {
	for _, f := range r.Findings {
		if f.ID == id {
			return f
		}
	}
	return report.Finding{}
}

func decode(t *testing.T, out, errOut string) report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a JSON report: %v (stderr %s)", err, errOut)
	}
	return r
}

// The upgrade's drift, finding by finding.
var upgradeDrift = []string{
	"GP501 error device:0000:18:00.0",
	"GP505 info host:gpu-h100-07",
	"GP506 warning host:gpu-h100-07",
	"GP507 warning option:[pci]device_spec",
	"GP508 warning host:gpu-h100-07",
	"GP509 info host:gpu-h100-07",
}

// TestPreflightBaselineAfterUpgrade takes the h100-hgx report as the
// baseline, upgrades a copy of the host, and checks that preflight
// --baseline and diff name exactly what changed, old → new.
func TestPreflightBaselineAfterUpgrade(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--format", "json")
	if code != exitOK {
		t.Fatalf("baseline: exit %d: %s", code, errOut)
	}
	base := filepath.Join(dir, "base.json")
	writeFile(t, base, out)

	root := upgradeH100(t)
	code, out, errOut = gpupass(t, nil, "preflight", "--root", root, "--baseline", base, "--format", "json")
	if code != exitFindings {
		t.Errorf("exit %d, want %d (%s)", code, exitFindings, errOut)
	}
	r := decode(t, out, errOut)
	if diff := cmp.Diff(upgradeDrift, driftFindings(r)); diff != "" {
		t.Errorf("drift findings (-want +got):\n%s", diff)
	}
	// Old → new in the messages and the evidence.
	for id, want := range map[string][]string{
		"GP501": {"driver vfio-pci → nvidia", "vfio-pci", "nvidia"},
		"GP505": {"iommu=pt → (absent)", "[iommu=pt]", "[]"},
		"GP506": {"Module nvidia: (not loaded) → loaded", "<nil>", "loaded"},
		"GP507": {`{"vendor_id": "10de", "product_id": "2330"} → {"vendor_id": "10de", "product_id": "2330", "address": "0000:1*:00.0"}`,
			`[{"vendor_id": "10de", "product_id": "2330"}]`, `[{"vendor_id": "10de", "product_id": "2330", "address": "0000:1*:00.0"}]`},
		"GP508": {"Nova 29.2.0 (2024.1) → Nova 31.0.0 (2025.1)", "map[release:2024.1 version:29.2.0]", "map[release:2025.1 version:31.0.0]"},
		"GP509": {"Kernel 6.8.0-49-generic → 6.8.0-51-generic.", "6.8.0-49-generic", "6.8.0-51-generic"},
	} {
		f := findingByID(r, id)
		if !strings.Contains(f.Message, want[0]) {
			t.Errorf("%s message %q lacks %q", id, f.Message, want[0])
		}
		if b, a := fmtAny(f.Evidence["before"]), fmtAny(f.Evidence["after"]); b != want[1] || a != want[2] {
			t.Errorf("%s evidence before %s after %s, want %s → %s", id, b, a, want[1], want[2])
		}
		if f.Remediation == "" {
			t.Errorf("%s has no remediation", id)
		}
	}
	// The node's own checks still ran, and see the same breakage.
	if f := findingByID(r, "GP201"); f.Subject.Ref != "0000:18:00.0" {
		t.Errorf("GP201 (the H100 on nvidia) missing: %+v", f)
	}
	var statuses []string
	for _, c := range r.Checks {
		statuses = append(statuses, c.ID)
	}
	if len(checks.InSection(checks.All, "GP1", "GP2", "GP3", "GP5")) != len(r.Checks) {
		t.Errorf("checks run: %v", statuses)
	}
	if r.Drift == nil || r.Drift.Baseline.Path != base || r.Drift.Baseline.Kernel != "6.8.0-49-generic" || r.Drift.Current.Kernel != "6.8.0-51-generic" {
		t.Errorf("drift sides: %+v", r.Drift)
	}
	// The summary counts the drift findings too.
	var errors, warnings, infos int
	for _, f := range r.Findings {
		switch f.Severity {
		case report.Error:
			errors++
		case report.Warning:
			warnings++
		case report.Info:
			infos++
		}
	}
	if r.Summary != (report.Summary{Errors: errors, Warnings: warnings, Infos: infos}) {
		t.Errorf("summary %+v, findings count %d/%d/%d", r.Summary, errors, warnings, infos)
	}

	// diff of the two saved reports: the same drift, as a diff report.
	_, newOut, _ := gpupass(t, nil, "preflight", "--root", root, "--format", "json")
	cur := filepath.Join(dir, "new.json")
	writeFile(t, cur, newOut)
	code, out, errOut = gpupass(t, nil, "diff", base, cur, "--format", "json")
	if code != exitFindings {
		t.Errorf("diff: exit %d, want 1 (%s)", code, errOut)
	}
	d := decode(t, out, errOut)
	if diff := cmp.Diff(upgradeDrift, driftFindings(d)); diff != "" {
		t.Errorf("diff findings (-want +got):\n%s", diff)
	}
	if len(d.Findings) != len(upgradeDrift) || d.Command != "diff" || d.Host != nil || d.Drift.Current.Path != cur {
		t.Errorf("diff report: command %q, %d findings, drift %+v", d.Command, len(d.Findings), d.Drift)
	}
	for i := range d.Findings {
		p := findingByID(r, d.Findings[i].ID)
		if d.Findings[i].ID != "GP506" && d.Findings[i].Message != p.Message {
			t.Errorf("%s: diff says %q, preflight %q", d.Findings[i].ID, d.Findings[i].Message, p.Message)
		}
	}
	// Only warnings are left when the error is accepted: --fail-on decides.
	if code, _, _ := gpupass(t, nil, "diff", cur, cur, "--fail-on", "warning"); code != exitOK {
		t.Errorf("diff of a report with itself, --fail-on warning: exit %d", code)
	}

	// The text output, reviewed (paths relative to the directory).
	goldenPath, err := filepath.Abs("../../testdata/golden/diff/h100-upgrade.txt")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, text, _ := gpupass(t, nil, "diff", "base.json", "new.json")
	golden(t, goldenPath, text)
}

func fmtAny(v any) string {
	switch v := v.(type) {
	case nil:
		return "<nil>"
	case string:
		return v
	case []any:
		var parts []string
		for _, e := range v {
			parts = append(parts, fmtAny(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+":"+fmtAny(v[k]))
		}
		return "map[" + strings.Join(parts, " ") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// A report compared with itself has no drift, whatever the host.
func TestDiffSelfIsClean(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range fixtureNames(t) {
		_, out, _ := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, name), "--format", "json")
		path := filepath.Join(dir, name+".json")
		writeFile(t, path, out)
		code, out, errOut := gpupass(t, nil, "diff", path, path, "--format", "json", "--fail-on", "warning")
		r := decode(t, out, errOut)
		if code != exitOK || len(r.Findings) != 0 || r.Summary != (report.Summary{}) {
			t.Errorf("%s: exit %d, findings %v", name, code, driftFindings(r))
		}
		// And preflight --baseline of its own report: no GP5xx finding.
		_, out, errOut = gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, name), "--baseline", path, "--format", "json")
		if got := driftFindings(decode(t, out, errOut)); len(got) != 0 {
			t.Errorf("%s: preflight against its own baseline: %v", name, got)
		}
	}
}

// Without --baseline the drift checks are in the report, skipped.
func TestPreflightWithoutBaselineSkipsDrift(t *testing.T) {
	t.Parallel()
	_, out, errOut := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--format", "json")
	r := decode(t, out, errOut)
	n := 0
	for _, c := range r.Checks {
		if strings.HasPrefix(c.ID, "GP5") {
			n++
			if c.Status != report.StatusSkip || c.Reason != "no --baseline given" {
				t.Errorf("%s: %s %q", c.ID, c.Status, c.Reason)
			}
		}
	}
	if n != len(checks.InSection(checks.All, "GP5")) || r.Drift != nil {
		t.Errorf("%d drift checks, drift %+v", n, r.Drift)
	}
}

// A baseline of another host is compared, with a warning saying so.
func TestBaselineOtherHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, out, _ := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--format", "json", "--hostname", "gpu-h100-08")
	base := filepath.Join(dir, "sibling.json")
	writeFile(t, base, out)
	code, out, errOut := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--baseline", base, "--format", "json")
	r := decode(t, out, errOut)
	if got := driftFindings(r); code != exitOK || !cmp.Equal(got, []string{"GP510 warning host:gpu-h100-07"}) {
		t.Errorf("exit %d, drift %v", code, got)
	}
	if f := findingByID(r, "GP510"); !strings.Contains(f.Message, "gpu-h100-08 → gpu-h100-07") {
		t.Errorf("GP510 message %q", f.Message)
	}
	// --hostname makes it this host's.
	_, out, errOut = gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--baseline", base, "--hostname", "gpu-h100-08", "--format", "json")
	if got := driftFindings(decode(t, out, errOut)); len(got) != 0 {
		t.Errorf("with --hostname: %v", got)
	}
}

// Bad baselines and diff inputs: exit 2, the file named, nothing on
// stdout.
func TestBadBaseline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, good, _ := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--format", "json")
	var withoutHost map[string]any
	if err := json.Unmarshal([]byte(good), &withoutHost); err != nil {
		t.Fatal(err)
	}
	delete(withoutHost, "host")
	noHost, _ := json.Marshal(withoutHost)
	_, lint, _ := gpupass(t, nil, "lint", "--format", "json", filepath.Join(hostsDir, "h100-hgx", "etc", "nova", "nova.conf"))
	files := map[string]struct{ content, says string }{
		"empty.json":     {"", "empty"},
		"text.json":      {"gpu-h100-07\n", "not JSON at byte"},
		"truncated.json": {good[:len(good)/2], "truncated"},
		"array.json":     {"[1, 2]", "not a gpupass report"},
		"schema.json":    {`{"schema": "gpupass/report/v0", "command": "preflight", "host": {}}`, `schema "gpupass/report/v0"`},
		"lint.json":      {lint, `a "lint" report, not a preflight report`},
		"nohost.json":    {string(noHost), "without a host"},
		"two.json":       {good + good, "more than one JSON value"},
	}
	for name, f := range files {
		path := filepath.Join(dir, name)
		writeFile(t, path, f.content)
		for _, args := range [][]string{
			{"preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--baseline", path},
			{"diff", path, filepath.Join(hostsDir, "..", "golden", "preflight", "h100-hgx.json")},
		} {
			code, out, errOut := gpupass(t, nil, args...)
			if code != exitFailure || out != "" || !strings.Contains(errOut, path+": ") || !strings.Contains(errOut, f.says) {
				t.Errorf("%s %s: exit %d, stdout %d bytes, stderr %q (want %q)", args[0], name, code, len(out), errOut, f.says)
			}
		}
	}
	missing := filepath.Join(dir, "missing.json")
	if code, _, errOut := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--baseline", missing); code != exitFailure || !strings.Contains(errOut, "--baseline "+missing+": no such file") {
		t.Errorf("missing baseline: exit %d, %q", code, errOut)
	}
	if code, _, errOut := gpupass(t, nil, "diff", missing); code != exitFailure || !strings.Contains(errOut, "diff compares two preflight JSON reports, OLD.json NEW.json; got 1 argument") {
		t.Errorf("diff with one argument: exit %d, %q", code, errOut)
	}
}

// A GPU that fell off the bus: its address is gone from sysfs.
func TestPreflightBaselineGPUGone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, out, _ := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--format", "json")
	base := filepath.Join(dir, "base.json")
	writeFile(t, base, out)
	root := filepath.Join(dir, "root")
	copyTree(t, filepath.Join(hostsDir, "h100-hgx"), root)
	if err := os.Remove(filepath.Join(root, "sys", "bus", "pci", "devices", "0000:bb:00.0")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := gpupass(t, nil, "preflight", "--root", root, "--baseline", base, "--format", "json")
	r := decode(t, out, errOut)
	if got := driftFindings(r); code != exitFindings || !cmp.Equal(got, []string{"GP502 error device:0000:bb:00.0"}) {
		t.Errorf("exit %d, drift %v", code, got)
	}
	if f := findingByID(r, "GP502"); !strings.Contains(f.Message, "0000:bb:00.0 → (gone)") || f.Evidence["after"] != nil {
		t.Errorf("GP502: %+v", f)
	}
}
