package render

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
	"github.com/gpupass/gpupass/snapshot"
)

// The audit's header names the release on a line of its own, with its
// reason unbracketed: a reason with parentheses of its own never nests.
func TestAuditHeaderNamesTheReleaseWithoutNesting(t *testing.T) {
	r := report.Report{Command: "audit", NovaRelease: "2026.1", Audit: &report.AuditReport{
		Cloud:           &report.AuditCloud{AuthURL: "http://keystone:5000/v3", Region: "RegionOne", Project: "admin", User: "admin"},
		NovaReleaseFrom: "the newest known release, as the compute API names no release and the host reports disagree: 2026.1 on gpu02; 2024.1 on gpu01 (use --nova-release)",
	}}
	var b strings.Builder
	if err := AuditText(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := "gpupass audit: admin in admin at http://keystone:5000/v3 (RegionOne)\nNova 2026.1 rules: the newest known release, as the compute API names no release\n  and the host reports disagree: 2026.1 on gpu02; 2024.1 on gpu01 (use\n  --nova-release)\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("header:\n%s\nwant:\n%s", out, want)
	}
	for i, line := range strings.Split(out, "\n") {
		depth := 0
		for _, c := range line {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth > 1 {
				t.Errorf("line %d nests parentheses: %q", i+1, line)
				break
			}
		}
	}
}

// The inventory's columns line up whatever the cells (host-bridge, a long
// driver name), an unknown vendor is ????, and a driver that could not be
// read is said alike in the device's line and its group's blockers.
func TestInventoryColumnsAndUnknowns(t *testing.T) {
	zero, one := 0, 1
	dev := func(addr, vendor, device, class, driver string, unreadable ...string) report.InventoryDevice {
		return report.InventoryDevice{Device: report.Device{Address: addr, VendorID: vendor, DeviceID: device, Class: class, Driver: driver, NUMANode: &zero, Unreadable: unreadable}, Role: "device"}
	}
	inv := report.Inventory{Hostname: "gpu01", IOMMUActive: true, Groups: []report.InventoryGroup{
		{ID: 0, Viable: true, Devices: []report.InventoryDevice{dev("0000:00:00.0", "8086", "4668", "060000", "")}},
		{ID: 1, Viable: false, Blockers: []report.InventoryBlocker{{Address: "0000:00:14.0"}, {Address: "0000:00:12.0", Driver: "intel_pch_thermal"}},
			Devices: []report.InventoryDevice{
				dev("0000:00:14.0", "8086", "7ae0", "0c0330", "", "driver"),
				dev("0000:00:12.0", "8086", "a379", "118000", "intel_pch_thermal"),
				dev("0000:00:1f.5", "", "7aa4", "0c8000", "intel-spi", "vendor"),
				dev("0000:00:1f.0", "8086", "7a84", "060100", ""),
			}},
	}}
	inv.Groups[1].Devices[1].NUMANode = &one
	var b strings.Builder
	if err := InventoryText(&b, inv, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	numaAt := -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "  0000:") {
			continue
		}
		at := strings.Index(line, "NUMA ")
		if numaAt < 0 {
			numaAt = at
		}
		if at != numaAt {
			t.Errorf("NUMA at column %d, not %d: %q\n%s", at, numaAt, line, out)
		}
	}
	for _, want := range []string{
		"????:7aa4 ",
		"0000:00:14.0 on an unknown driver",
		"0000:00:14.0 8086:7ae0 USB         (unknown driver)",
		"host-bridge (no driver)",
		"0000:00:1f.0 8086:7a84 060100      (no driver)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, " :7aa4") {
		t.Errorf("an unknown vendor shown as nothing:\n%s", out)
	}
}

// The snapshot's summary counts in words that agree: "1 line", "2 files",
// "line 7" but "lines 3, 9".
func TestSnapshotSummaryPlurals(t *testing.T) {
	for _, tt := range []struct {
		m    snapshot.Manifest
		want []string
	}{
		{snapshot.Manifest{Hostname: "gpu01", Redacted: []snapshot.Redaction{{Path: "/etc/nova/nova.conf", Lines: []int{7}}},
			Unreadable: []snapshot.Unreadable{{Path: "/proc/cmdline", Reason: "permission denied"}}},
			[]string{"Redacted 1 line holding secrets in 1 file:\n", "  /etc/nova/nova.conf (line 7)\n", "1 path could not be read; the snapshot lacks it as preflight would:\n"}},
		{snapshot.Manifest{Hostname: "gpu01", Redacted: []snapshot.Redaction{{Path: "/etc/nova/nova.conf", Lines: []int{3, 9}}, {Path: "/etc/nova/api.conf", Lines: []int{2}}},
			Unreadable: []snapshot.Unreadable{{Path: "/a", Reason: "x"}, {Path: "/b", Reason: "y"}}},
			[]string{"Redacted 3 lines holding secrets in 2 files:\n", "  /etc/nova/nova.conf (lines 3, 9)\n", "2 paths could not be read; the snapshot lacks them as preflight would:\n"}},
	} {
		var b strings.Builder
		if err := SnapshotSummary(&b, "out.tar.gz", 100, &tt.m); err != nil {
			t.Fatal(err)
		}
		for _, want := range tt.want {
			if !strings.Contains(b.String(), want) {
				t.Errorf("no %q in:\n%s", want, b.String())
			}
		}
		if strings.Contains(b.String(), "(s)") {
			t.Errorf("a (s) plural:\n%s", b.String())
		}
	}
}

// The audit's counts agree with their numbers: "1 flavor", "1 vCPU".
func TestAuditCountsAgree(t *testing.T) {
	r := report.Report{Command: "audit", Audit: &report.AuditReport{
		Counts:  report.AuditFlavorInfo{Flavors: 1, GPUFlavors: 1, Bootable: 0, Hosts: 1},
		Flavors: []report.AuditFlavor{{Name: "gpu.tiny", Alias: "t4:1", VCPUs: 1, RAMMB: 1024, Verdict: "unknown: no host reports (pass --reports)"}},
	}}
	var b strings.Builder
	if err := AuditText(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 flavor, 1 with GPUs (0 bootable); 1 host report\n", "gpu.tiny (t4:1, 1 vCPU, 1GiB RAM)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}

// The audit's "Not checked" folds checks skipped for one reason, and a
// range never spans a check that ran.
func TestAuditFoldsNotChecked(t *testing.T) {
	const noReports = "needs host reports (--reports DIR of preflight JSON reports)"
	skip := func(id string) report.CheckResult {
		return report.CheckResult{ID: id, Name: "n" + id, Status: report.StatusSkip, Reason: noReports}
	}
	r := report.Report{Command: "audit", Audit: &report.AuditReport{}, Checks: []report.CheckResult{
		{ID: "GP401", Name: "extra-spec-invalid", Status: report.StatusPass},
		skip("GP403"), skip("GP404"), {ID: "GP405", Name: "flavor-too-big", Status: report.StatusPass}, skip("GP406"), skip("GP407"),
	}}
	var b strings.Builder
	if err := AuditText(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "Not checked\n  GP403-GP404, GP406-GP407 (4 checks): needs host reports") || strings.Count(out, noReports[:20]) != 1 {
		t.Errorf("not folded:\n%s", out)
	}
}
