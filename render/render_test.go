package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/report"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md from the catalog")

func sampleReport() report.Report {
	numa := 0
	group := 1
	host := &report.Host{
		Hostname: "gpu01",
		Kernel:   report.Kernel{Release: "6.8.0-49-generic", Cmdline: "ro intel_iommu=on"},
		CPU:      report.CPU{Vendor: "GenuineIntel", Model: "Intel(R) Xeon(R) Platinum 8480+", LogicalCPUs: 8, Virtualization: "vmx"},
		Devices: []report.Device{
			{Address: "0000:01:00.0", VendorID: "10de", DeviceID: "1e07", Class: "030000", Driver: "vfio-pci", IOMMUGroup: &group, NUMANode: &numa, ResetMethod: []string{}},
		},
		Notes: []report.Note{
			{Path: "/sys/bus/pci/devices/0000:01:00.0/resource", Message: "missing"},
			{Path: "/sys/bus/pci/devices/0000:02:00.0/resource", Message: "missing"},
			{Path: "/proc/cmdline", Message: "permission denied (run as root to read it)"},
		},
	}
	return report.Report{
		Schema: report.Schema, Command: "preflight", Tool: report.Tool{Version: "test"}, NovaRelease: "2024.1", Host: host,
		Summary: report.Summary{Errors: 1, Warnings: 1, Infos: 1},
		Checks: []report.CheckResult{
			{ID: "GP101", Name: "cpu-virtualization", Status: report.StatusPass},
			{ID: "GP103", Name: "iommu-kernel", Status: report.StatusSkip, Reason: "the firmware does not announce an IOMMU (see GP102), which is a long enough reason to need its own line"},
			{ID: "GP108", Name: "nova-release", Status: report.StatusPass},
			{ID: "GP202", Name: "group-not-viable", Status: report.StatusFail},
			{ID: "GP206", Name: "boot-vga", Status: report.StatusFail},
		},
		Findings: []report.Finding{
			{ID: "GP108", Name: "nova-release", Severity: report.Info, Subject: report.Subject{Kind: "host", Ref: "gpu01"}, Message: "Nova 2024.1 (caracal) rules applied: given with --nova-release."},
			{ID: "GP202", Name: "group-not-viable", Severity: report.Error, Subject: report.Subject{Kind: "device", Ref: "0000:01:00.1"},
				Message:     "0000:01:00.1 (10de:10f7 TU102 High Definition Audio Controller) shares iommu-group/1 with the passthrough GPU 0000:01:00.0 and is bound to snd_hda_intel, so the group is not viable: the guest cannot start with the GPU.",
				Remediation: "Bind 0000:01:00.1 to vfio-pci as well: add its ID to vfio-pci's ids (options vfio-pci ids=10de:1e07,10de:10f7) and `softdep snd_hda_intel pre: vfio-pci` to /etc/modprobe.d/vfio.conf, rebuild the initramfs and reboot; or now, `driverctl set-override 0000:01:00.1 vfio-pci`.",
				Evidence:    map[string]any{"group": 1, "driver": "snd_hda_intel"}},
			{ID: "GP206", Name: "boot-vga", Severity: report.Warning, Subject: report.Subject{Kind: "device", Ref: "0000:01:00.0"}, Message: "0000:01:00.0 is the boot VGA device <sic> & more.", Remediation: "Select another primary display.", Source: "/etc/default/grub:7"},
		},
	}
}

func TestTextFitsIn80ColumnsAndSaysWhatMatters(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, sampleReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for i, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line %d has %d columns: %q", i+1, n, line)
		}
	}
	for _, want := range []string{
		"gpupass preflight: gpu01 (Nova 2024.1 rules)",
		"Host platform\n",
		"Devices and IOMMU groups\n",
		"GP101 cpu-virtualization ",
		"PASS\n",
		"FAIL (1 error)",
		"WARN (1 warning)",
		"INFO (1 info)",
		"SKIP\n      the firmware does not announce",
		"    error: 0000:01:00.1 (10de:10f7 TU102 High Definition Audio Controller)",
		"      fix: Bind 0000:01:00.1 to vfio-pci",
		"      at /etc/default/grub:7",
		"/sys/bus/pci/devices/*/resource: missing (2 devices)",
		"/proc/cmdline: permission denied",
		"Summary: 1 error, 1 warning, 1 info; checks: 2 passed, 2 failed, 1 skipped.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes without Color")
	}
	buf.Reset()
	_ = Text(&buf, sampleReport(), Options{Color: true})
	if !strings.Contains(buf.String(), ansiRed+"FAIL"+ansiReset) {
		t.Error("Color: FAIL is not red")
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc ddd", "> ", "  ", 9)
	want := "> aaa bbb\n  ccc ddd\n"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	// A word longer than the width is kept whole, never split.
	got = wrap("/a/very/long/path/name x", "", "", 10)
	if got != "/a/very/long/path/name\nx\n" {
		t.Errorf("long word: %q", got)
	}
	// A comma-separated list longer than a line (Nova's messages join
	// addresses with ",") is broken after its commas.
	got = wrap("VFs 0000:3d:00.4,0000:3d:00.5,0000:3d:00.6,0000:3d:00.7 end", "", "  ", 30)
	if got != "VFs 0000:3d:00.4,0000:3d:00.5,\n  0000:3d:00.6,0000:3d:00.7\n  end\n" {
		t.Errorf("long list: %q", got)
	}
	// A list that fits stays whole (vfio-pci.ids=10de:2330,10de:22a3).
	if got := wrap("ids=10de:2330,10de:22a3", "", "", 30); got != "ids=10de:2330,10de:22a3\n" {
		t.Errorf("short list: %q", got)
	}
}

// A JSON report must decode back into the same Report: audit --reports
// reads preflight reports as host reports.
func TestJSONRoundTrip(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `\u003c`) {
		t.Error("JSON escapes < as \\u003c; remediations must stay readable")
	}
	var back report.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// Evidence numbers come back as float64, as JSON has no integers.
	r.Findings[1].Evidence["group"] = float64(1)
	if diff := cmp.Diff(r, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	var raw map[string]any
	_ = json.Unmarshal(buf.Bytes(), &raw)
	for _, key := range []string{"schema", "command", "tool", "nova_release", "host", "summary", "checks", "findings"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("report lacks %q", key)
		}
	}
	dev := raw["host"].(map[string]any)["pci_devices"].([]any)[0].(map[string]any)
	for key, want := range map[string]any{"address": "0000:01:00.0", "vendor_id": "10de", "device_id": "1e07", "class": "030000", "driver": "vfio-pci", "iommu_group": float64(1), "numa_node": float64(0)} {
		if dev[key] != want {
			t.Errorf("device %s = %v, want %v", key, dev[key], want)
		}
	}
	if rm, ok := dev["reset_method"].([]any); !ok || len(rm) != 0 {
		t.Errorf("an empty reset_method must stay [] (no reset), got %v", dev["reset_method"])
	}
}

func TestJUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sampleReport(), Options{FailOn: report.Error}); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	s := doc.Suites[0]
	if s.Name != "gpupass.preflight.gpu01" || s.Tests != 5 || s.Failures != 1 || s.Skipped != 1 {
		t.Errorf("suite %s: tests %d failures %d skipped %d", s.Name, s.Tests, s.Failures, s.Skipped)
	}
	byName := map[string]junitCase{}
	for _, c := range s.Cases {
		byName[c.Name] = c
	}
	if c := byName["GP202 group-not-viable"]; c.Failure == nil || !strings.Contains(c.Failure.Text, "snd_hda_intel") || c.Classname != "gpupass.devices-and-iommu-groups" {
		t.Errorf("GP202 case: %+v", c)
	}
	if c := byName["GP206 boot-vga"]; c.Failure != nil || !strings.Contains(c.SystemOut, "boot VGA device <sic> & more") {
		t.Errorf("a warning is not a failure with --fail-on error: %+v", c)
	}
	if c := byName["GP103 iommu-kernel"]; c.Skipped == nil {
		t.Errorf("GP103 not skipped: %+v", c)
	}
	buf.Reset()
	_ = JUnit(&buf, sampleReport(), Options{FailOn: report.Warning})
	var strict junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &strict); err != nil {
		t.Fatal(err)
	}
	if strict.Suites[0].Failures != 2 {
		t.Errorf("with --fail-on warning, %d failures, want 2", strict.Suites[0].Failures)
	}
}

// docs/checks.md is generated from the catalog; this keeps it current.
func TestCatalogMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := CatalogMarkdown(&buf, checks.All); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "docs", "checks.md")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -run TestCatalogMarkdown -update)", err)
	}
	if diff := cmp.Diff(string(committed), buf.String()); diff != "" {
		t.Errorf("docs/checks.md is stale; run go test ./render -run TestCatalogMarkdown -update (-committed +catalog):\n%s", diff)
	}
	for _, c := range checks.All {
		if !strings.Contains(buf.String(), "### "+c.ID+" "+c.Name) {
			t.Errorf("docs lack %s", c.ID)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, ok := range []string{"text", "json", "junit"} {
		if _, err := ParseFormat(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), "text, json, junit") {
		t.Errorf("yaml: %v", err)
	}
}
