package checks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/report"
)

// driftReport is a preflight report of readyHost with a nova.conf of one
// device_spec and one alias, as the JSON report records them.
func driftReport() *report.Report {
	h := readyHost()
	h.Nova = hostinfo.NovaInstall{Version: "29.2.0", Path: "/usr/lib/python3/dist-packages/nova-29.2.0.dist-info"}
	return &report.Report{
		Schema: report.Schema, Command: "preflight", NovaRelease: "2024.1", Host: report.FromHost(h),
		NovaConf: &report.ConfReport{Role: "compute", Options: []report.ConfOption{
			{Option: "[pci]device_spec", Value: `{"vendor_id": "10de", "product_id": "2330"}`, Source: "/etc/nova/nova.conf:6"},
			{Option: "[pci]alias", Value: `{"name": "h100", "vendor_id": "10de", "product_id": "2330", "device_type": "type-PCI"}`, Source: "/etc/nova/nova.conf:7"},
		}},
	}
}

// driftOf runs one drift check between two reports and returns its result
// and findings as "severity subject-ref: message".
func driftOf(t *testing.T, c *Check, before, after *report.Report) (report.CheckResult, []report.Finding) {
	t.Helper()
	r := Run(&Inputs{Baseline: before, Current: after}, []*Check{c})
	if len(r.Checks) != 1 {
		t.Fatalf("%d check results", len(r.Checks))
	}
	return r.Checks[0], r.Findings
}

func summarizeDrift(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Severity)+" "+f.Subject.Kind+":"+f.Subject.Ref)
	}
	return out
}

func TestDriftUnchangedReportHasNoFindings(t *testing.T) {
	r := Drift(driftReport(), driftReport())
	if len(r.Findings) != 0 {
		t.Errorf("findings between identical reports: %v", summarizeDrift(r.Findings))
	}
	if len(r.Checks) != len(InSection(All, "GP5")) || len(r.Checks) < 10 {
		t.Fatalf("%d drift checks run", len(r.Checks))
	}
	for _, c := range r.Checks {
		if c.Status != report.StatusPass {
			t.Errorf("%s %s: %s (%s), want pass", c.ID, c.Name, c.Status, c.Reason)
		}
	}
	if r.Drift == nil || r.Drift.Baseline.Hostname != "gpu01" || r.Drift.Current.Kernel != "6.8.0-49-generic" {
		t.Errorf("drift sides %+v", r.Drift)
	}
}

func TestDriftWithoutBaselineSkipsEveryCheck(t *testing.T) {
	r := Drift(nil, driftReport())
	if len(r.Checks) != len(InSection(All, "GP5")) {
		t.Fatalf("%d results", len(r.Checks))
	}
	for _, c := range r.Checks {
		if c.Status != report.StatusSkip || c.Reason != NoBaseline {
			t.Errorf("%s: %s %q, want skip %q", c.ID, c.Status, c.Reason, NoBaseline)
		}
	}
	if r.Drift != nil || len(r.Findings) != 0 {
		t.Errorf("drift %+v, findings %v", r.Drift, r.Findings)
	}
}

func TestMergeCountsDriftFindings(t *testing.T) {
	base := report.Report{Summary: report.Summary{Errors: 1, Infos: 2}, Checks: []report.CheckResult{{ID: "GP101"}}, Findings: []report.Finding{{ID: "GP101", Severity: report.Error}}}
	after := driftReport()
	after.Host.Devices[1].Driver = "nvidia"
	drift := Drift(driftReport(), after)
	base.Merge(drift)
	if base.Summary.Errors != 2 || base.Summary.Infos != 2 || len(base.Checks) != 1+len(drift.Checks) || len(base.Findings) != 2 || base.Drift == nil {
		t.Errorf("merged %+v, %d checks, %d findings, drift %v", base.Summary, len(base.Checks), len(base.Findings), base.Drift)
	}
	if base.ExitCode(report.Error) != 1 {
		t.Error("exit code of a merged drift error is not 1")
	}
}

func TestGPUDriverChanged(t *testing.T) {
	for _, tc := range []struct {
		before, after string
		want          report.Severity // "" for no finding
		says          string
	}{
		{"vfio-pci", "nvidia", report.Error, "driver vfio-pci → nvidia"},
		{"vfio-pci", "", report.Warning, "driver vfio-pci → (none)"},
		{"", "nouveau", report.Warning, "driver (none) → nouveau"},
		{"vfio-pci", "pci-stub", report.Info, "driver vfio-pci → pci-stub; it stays reserved"},
		{"nvidia", "vfio-pci", report.Info, "reserved for passthrough"},
		{"nouveau", "nvidia", report.Info, "stays with the host"},
		{"vfio-pci", "vfio-pci", "", ""},
	} {
		before, after := driftReport(), driftReport()
		before.Host.Devices[1].Driver, after.Host.Devices[1].Driver = tc.before, tc.after
		res, fs := driftOf(t, GPUDriverChanged, before, after)
		if tc.want == "" {
			if len(fs) != 0 || res.Status != report.StatusPass {
				t.Errorf("%s → %s: %v %v", tc.before, tc.after, res, summarizeDrift(fs))
			}
			continue
		}
		if len(fs) != 1 || fs[0].Severity != tc.want || fs[0].Subject != (report.Subject{Kind: "device", Ref: "0000:41:00.0"}) || !strings.Contains(fs[0].Message, tc.says) {
			t.Errorf("%s → %s: %v", tc.before, tc.after, fs)
			continue
		}
		if fs[0].Evidence["before"] != tc.before || fs[0].Evidence["after"] != tc.after {
			t.Errorf("%s → %s: evidence %v", tc.before, tc.after, fs[0].Evidence)
		}
	}
	// A driver that could not be read is not a change; a companion
	// function the baseline gave to vfio-pci is compared like a GPU.
	before, after := driftReport(), driftReport()
	after.Host.Devices[1].Driver, after.Host.Devices[1].Unreadable = "", []string{"driver"}
	before.Host.Devices = append(before.Host.Devices, report.FromDevice(ptr(dev("0000:41:00.1", "10de", "22a3", "040300", "vfio-pci", 1))))
	after.Host.Devices = append(after.Host.Devices, report.FromDevice(ptr(dev("0000:41:00.1", "10de", "22a3", "040300", "snd_hda_intel", 1))))
	_, fs := driftOf(t, GPUDriverChanged, before, after)
	if got := summarizeDrift(fs); !cmp.Equal(got, []string{"error device:0000:41:00.1"}) {
		t.Errorf("unreadable driver and companion: %v", got)
	}
	// The NVMe drive's driver is none of drift's business.
	before, after = driftReport(), driftReport()
	after.Host.Devices[2].Driver = "vfio-pci"
	if _, fs := driftOf(t, GPUDriverChanged, before, after); len(fs) != 1 || fs[0].Severity != report.Info {
		t.Errorf("NVMe moved to vfio-pci: %v", summarizeDrift(fs))
	}
	after.Host.Devices[2].Driver = "nvme_other"
	if _, fs := driftOf(t, GPUDriverChanged, before, after); len(fs) != 0 {
		t.Errorf("NVMe driver change reported: %v", summarizeDrift(fs))
	}
}

func TestGPUMissingAndAppeared(t *testing.T) {
	before, after := driftReport(), driftReport()
	after.Host.Devices = append(after.Host.Devices[:1], after.Host.Devices[2:]...)
	res, fs := driftOf(t, GPUMissing, before, after)
	if res.Status != report.StatusFail || len(fs) != 1 || fs[0].Severity != report.Error || fs[0].Subject.Ref != "0000:41:00.0" ||
		!strings.Contains(fs[0].Message, "no longer on the PCI bus: 0000:41:00.0 → (gone)") || fs[0].Evidence["after"] != nil {
		t.Errorf("GPU gone: %v %+v", res, fs)
	}
	if _, fs := driftOf(t, GPUAppeared, after, before); len(fs) != 1 || fs[0].Severity != report.Info || fs[0].Subject.Ref != "0000:41:00.0" ||
		!strings.Contains(fs[0].Message, "(absent) → 0000:41:00.0") {
		t.Errorf("GPU appeared: %+v", fs)
	}
	if _, fs := driftOf(t, GPUAppeared, before, after); len(fs) != 0 {
		t.Errorf("appeared when one went: %+v", fs)
	}
	// Another card in the slot: a warning naming both IDs.
	after = driftReport()
	after.Host.Devices[1].DeviceID = "2331"
	if _, fs := driftOf(t, GPUMissing, before, after); len(fs) != 1 || fs[0].Severity != report.Warning || !strings.Contains(fs[0].Message, "10de:2330 → 0000:41:00.0 (10de:2331)") {
		t.Errorf("replaced: %+v", fs)
	}
	// A companion function gone is a warning, the host's NVMe drive nothing.
	before, after = driftReport(), driftReport()
	before.Host.Devices = append(before.Host.Devices, report.FromDevice(ptr(dev("0000:41:00.1", "10de", "22a3", "040300", "vfio-pci", 1))))
	after.Host.Devices = after.Host.Devices[:2]
	if _, fs := driftOf(t, GPUMissing, before, after); !cmp.Equal(summarizeDrift(fs), []string{"warning device:0000:41:00.1"}) {
		t.Errorf("companion gone: %v", summarizeDrift(fs))
	}
	// No PCI device at all in a report: skipped, not "every GPU gone".
	after.Host.Devices = nil
	if res, fs := driftOf(t, GPUMissing, before, after); res.Status != report.StatusSkip || !strings.Contains(res.Reason, "no PCI devices") || len(fs) != 0 {
		t.Errorf("empty inventory: %+v %v", res, fs)
	}
}

func TestIOMMUGroupChanged(t *testing.T) {
	before, after := driftReport(), driftReport()
	// The NVMe drive joins the GPU's group (ACS lost).
	one := 1
	after.Host.Devices[2].IOMMUGroup = &one
	_, fs := driftOf(t, IOMMUGroupChanged, before, after)
	if len(fs) != 1 || fs[0].Severity != report.Warning || fs[0].Subject != (report.Subject{Kind: "group", Ref: "iommu-group/1"}) ||
		!strings.Contains(fs[0].Message, "now also holds 0000:42:00.0 (144d:a80a) on nvme") {
		t.Fatalf("group grew: %+v", fs)
	}
	ev := fs[0].Evidence
	if b, a := ev["before"].(map[string]any), ev["after"].(map[string]any); len(b["members"].([]string)) != 2 || len(a["members"].([]string)) != 3 {
		t.Errorf("evidence %v", ev)
	}
	// Only renumbered: info.
	after = driftReport()
	seven := 7
	after.Host.Devices[0].IOMMUGroup, after.Host.Devices[1].IOMMUGroup = &seven, &seven
	if _, fs := driftOf(t, IOMMUGroupChanged, before, after); len(fs) != 1 || fs[0].Severity != report.Info || !strings.Contains(fs[0].Message, "iommu-group/1 → iommu-group/7") {
		t.Errorf("renumbered: %+v", fs)
	}
	// The IOMMU off: one error for the host.
	after = driftReport()
	after.Host.IOMMU = report.IOMMU{}
	for i := range after.Host.Devices {
		after.Host.Devices[i].IOMMUGroup = nil
	}
	if _, fs := driftOf(t, IOMMUGroupChanged, before, after); !cmp.Equal(summarizeDrift(fs), []string{"error host:gpu01"}) || !strings.Contains(fs[0].Message, "IOMMU groups 3 → 0") {
		t.Errorf("IOMMU off: %+v", fs)
	}
	if _, fs := driftOf(t, IOMMUGroupChanged, before, driftReport()); len(fs) != 0 {
		t.Errorf("unchanged: %+v", fs)
	}
}

func TestKernelCmdlineChanged(t *testing.T) {
	const base = "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2330"
	for _, tc := range []struct {
		after string
		want  []string // "severity before→after"
	}{
		{base, nil},
		{"BOOT_IMAGE=/vmlinuz-new ro quiet intel_iommu=on iommu=pt vfio_pci.ids=10de:2330", nil}, // - and _ are the same; other parameters ignored
		{"BOOT_IMAGE=/vmlinuz ro intel_iommu=on vfio-pci.ids=10de:2330", []string{"info iommu=pt→"}},
		{"BOOT_IMAGE=/vmlinuz ro intel_iommu=off iommu=pt vfio-pci.ids=10de:2330", []string{"error intel_iommu=on→intel_iommu=off"}},
		{"BOOT_IMAGE=/vmlinuz ro iommu=pt vfio-pci.ids=10de:2330", []string{"warning intel_iommu=on→"}},
		{"BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt", []string{"warning vfio-pci.ids=10de:2330→"}},
		{base + " pcie_acs_override=downstream", []string{"warning →pcie_acs_override=downstream"}},
		{base + " rd.driver.pre=vfio-pci video=efifb:off", []string{"warning →rd.driver.pre=vfio-pci", "info →video=efifb:off"}},
		{base + " nointremap", []string{"error →nointremap"}},
	} {
		before, after := driftReport(), driftReport()
		before.Host.Kernel.Cmdline, after.Host.Kernel.Cmdline = base, tc.after
		_, fs := driftOf(t, KernelCmdlineChanged, before, after)
		var got []string
		for _, f := range fs {
			b := strings.Join(f.Evidence["before"].([]string), " ")
			a := strings.Join(f.Evidence["after"].([]string), " ")
			got = append(got, string(f.Severity)+" "+b+"→"+a)
			if f.Subject != (report.Subject{Kind: "host", Ref: "gpu01"}) || !strings.Contains(f.Message, "→") {
				t.Errorf("%s: %+v", tc.after, f)
			}
		}
		if !cmp.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.after, got, tc.want)
		}
	}
	before, after := driftReport(), driftReport()
	before.Host.Kernel.Cmdline = ""
	if res, _ := driftOf(t, KernelCmdlineChanged, before, after); res.Status != report.StatusSkip || !strings.Contains(res.Reason, "baseline has no kernel command line") {
		t.Errorf("old report without a cmdline: %+v", res)
	}
}

func TestModulesChanged(t *testing.T) {
	before, after := driftReport(), driftReport()
	after.Host.Modules = append(after.Host.Modules[:4:4], // vfio_pci gone
		report.Module{Name: "nvidia", State: "loaded"},
		report.Module{Name: "ext4", State: "loaded"})
	after.Host.Modules[3].Params = map[string]string{"allow_unsafe_interrupts": "Y"}
	_, fs := driftOf(t, ModulesChanged, before, after)
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Severity)+" "+f.Message)
	}
	want := []string{
		"warning Module nvidia: (not loaded) → loaded; a GPU host driver now loads",
		"info Module vfio_iommu_type1 parameters: allow_unsafe_interrupts=N → allow_unsafe_interrupts=Y.",
		"warning Module vfio_pci: loaded → (not loaded); without it devices cannot be assigned",
		"info Other modules changed: now loaded: ext4.",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d: %q, want %q...", i, got[i], want[i])
		}
	}
	if fs[0].Evidence["before"] != nil || fs[0].Evidence["after"] != "loaded" {
		t.Errorf("evidence %v", fs[0].Evidence)
	}
	after = driftReport()
	after.Host.Modules[4].State = string(hostinfo.ModuleBuiltin)
	if _, fs := driftOf(t, ModulesChanged, before, after); len(fs) != 1 || fs[0].Severity != report.Info || !strings.Contains(fs[0].Message, "vfio-pci.ids=") {
		t.Errorf("vfio_pci built in: %+v", fs)
	}
	after.Host.Modules = nil
	if res, _ := driftOf(t, ModulesChanged, before, after); res.Status != report.StatusSkip {
		t.Errorf("no module list: %+v", res)
	}
}

func TestPCIConfChanged(t *testing.T) {
	before := driftReport()
	// Reformatted JSON is the same value.
	after := driftReport()
	after.NovaConf.Options[0].Value = `{ "product_id":"2330",  "vendor_id":"10de" }`
	if _, fs := driftOf(t, PCIConfChanged, before, after); len(fs) != 0 {
		t.Errorf("reformatted: %+v", fs)
	}
	after.NovaConf.Options[0].Value = `{"vendor_id": "10de", "product_id": "2331"}`
	_, fs := driftOf(t, PCIConfChanged, before, after)
	if len(fs) != 1 || fs[0].Severity != report.Warning || fs[0].Subject != (report.Subject{Kind: "option", Ref: "[pci]device_spec"}) || fs[0].Source != "/etc/nova/nova.conf:6" ||
		!strings.Contains(fs[0].Message, `"product_id": "2330"} → {"vendor_id": "10de", "product_id": "2331"}`) {
		t.Errorf("changed: %+v", fs)
	}
	// Every device_spec gone: error. An alias added: info.
	after = driftReport()
	after.NovaConf.Options = append(after.NovaConf.Options[1:], report.ConfOption{Option: "[pci]alias", Value: `{"name": "h100b"}`, Source: "x:1"})
	_, fs = driftOf(t, PCIConfChanged, before, after)
	if got := summarizeDrift(fs); !cmp.Equal(got, []string{"error option:[pci]device_spec", "info option:[pci]alias"}) {
		t.Errorf("device_spec gone, alias added: %v", got)
	}
	// Renamed from a deprecated name, same values: info.
	before.NovaConf.Options[0].Name = "[pci]passthrough_whitelist"
	if _, fs := driftOf(t, PCIConfChanged, before, driftReport()); len(fs) != 1 || fs[0].Severity != report.Info || !strings.Contains(fs[0].Message, "was [pci]passthrough_whitelist") {
		t.Errorf("renamed: %+v", fs)
	}
	// No nova.conf now: the device_spec is gone.
	after = driftReport()
	after.NovaConf = nil
	if _, fs := driftOf(t, PCIConfChanged, driftReport(), after); len(fs) != 2 || fs[0].Severity != report.Error || !strings.Contains(fs[0].Message, "No nova.conf was found now") {
		t.Errorf("nova.conf gone: %+v", fs)
	}
	// An old baseline without nova_conf: skipped, saying so.
	if res, _ := driftOf(t, PCIConfChanged, after, driftReport()); res.Status != report.StatusSkip || !strings.Contains(res.Reason, "baseline has no nova_conf") {
		t.Errorf("old baseline: %+v", res)
	}
}

func TestNovaReleaseChanged(t *testing.T) {
	for _, tc := range []struct {
		before, after string
		want          report.Severity
		says          string
	}{
		{"29.2.0", "31.0.0", report.Warning, "Nova 29.2.0 (2024.1) → Nova 31.0.0 (2025.1)"},
		{"29.2.0", "29.2.1", report.Info, "same release"},
		{"31.0.0", "29.2.0", report.Warning, "→ Nova 29.2.0 (2024.1)"},
		{"29.2.0", "", report.Warning, "no longer found"},
		{"29.2.0", "29.2.0", "", ""},
	} {
		before, after := driftReport(), driftReport()
		before.Host.Nova.Version, after.Host.Nova.Version = tc.before, tc.after
		if tc.after == "" {
			after.NovaRelease = "2026.1"
		}
		_, fs := driftOf(t, NovaReleaseChanged, before, after)
		if tc.want == "" {
			if len(fs) != 0 {
				t.Errorf("%s → %s: %+v", tc.before, tc.after, fs)
			}
			continue
		}
		if len(fs) != 1 || fs[0].Severity != tc.want || !strings.Contains(fs[0].Message, tc.says) {
			t.Errorf("%s → %s: %+v", tc.before, tc.after, fs)
		}
	}
	before, after := driftReport(), driftReport()
	before.Host.Nova.Version, before.NovaRelease = "", ""
	if res, _ := driftOf(t, NovaReleaseChanged, before, after); res.Status != report.StatusSkip {
		t.Errorf("baseline without Nova: %+v", res)
	}
}

func TestKernelChangedAndOtherHost(t *testing.T) {
	before, after := driftReport(), driftReport()
	after.Host.Kernel.Release = "6.8.0-51-generic"
	after.Host.Hostname = "gpu02"
	r := Drift(before, after)
	if got := summarizeDrift(r.Findings); !cmp.Equal(got, []string{"info host:gpu02", "warning host:gpu02"}) {
		t.Fatalf("got %v", got)
	}
	if f := r.Findings[0]; f.ID != "GP509" || f.Message != "Kernel 6.8.0-49-generic → 6.8.0-51-generic." || f.Evidence["before"] != "6.8.0-49-generic" {
		t.Errorf("kernel: %+v", f)
	}
	if f := r.Findings[1]; f.ID != "GP510" || !strings.Contains(f.Message, "gpu01 → gpu02") {
		t.Errorf("other host: %+v", f)
	}
	if r.ExitCode(report.Error) != 0 || r.ExitCode(report.Warning) != 1 {
		t.Errorf("exit codes %d %d", r.ExitCode(report.Error), r.ExitCode(report.Warning))
	}
	before.Host.Kernel.Release = ""
	if res, _ := driftOf(t, KernelChanged, before, after); res.Status != report.StatusSkip {
		t.Errorf("no kernel release in the baseline: %+v", res)
	}
}

// A report read back from JSON compares equal to itself and to the report
// it was written from.
func TestDriftThroughJSON(t *testing.T) {
	r := driftReport()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back report.Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if d := Drift(r, &back); len(d.Findings) != 0 {
		t.Errorf("findings after a JSON round trip: %+v", d.Findings)
	}
}

// A baseline from an older or partial report lacks a field: that one check
// is skipped, saying which, and the others still run.
func TestDriftSkipsWhatTheBaselineLacks(t *testing.T) {
	for id, strip := range map[string]func(*report.Report){
		"GP501": func(r *report.Report) { r.Host.Devices = nil },
		"GP502": func(r *report.Report) { r.Host.Devices = nil },
		"GP503": func(r *report.Report) { r.Host.Devices = nil },
		"GP504": func(r *report.Report) { r.Host.Devices = nil },
		"GP505": func(r *report.Report) { r.Host.Kernel.Cmdline = "" },
		"GP506": func(r *report.Report) { r.Host.Modules = nil },
		"GP507": func(r *report.Report) { r.NovaConf = nil },
		"GP508": func(r *report.Report) { r.Host.Nova, r.NovaRelease = report.Nova{}, "" },
		"GP509": func(r *report.Report) { r.Host.Kernel.Release = "" },
		"GP510": func(r *report.Report) { r.Host.Hostname = "" },
	} {
		before := driftReport()
		strip(before)
		after := driftReport()
		after.Host.Kernel.Release = "6.9.0" // one real change elsewhere
		r := Drift(before, after)
		for _, c := range r.Checks {
			switch {
			case c.ID == id && (c.Status != report.StatusSkip || !strings.Contains(c.Reason, "baseline")):
				t.Errorf("%s without its field: %s %q, want skipped naming the baseline", id, c.Status, c.Reason)
			case c.ID == "GP509" && id != "GP509" && c.Status != report.StatusPass:
				t.Errorf("stripping %s's field: GP509 %s %q", id, c.Status, c.Reason)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }
