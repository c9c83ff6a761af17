package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// parseProm reads the text format with Prometheus's own parser (the one
// node_exporter's textfile collector uses) and fails the test on an error.
func parseProm(t testing.TB, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("Prometheus's parser rejects the output: %v\n%s", err, text)
	}
	return fams
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// Every preflight golden report, rendered and read back by Prometheus's
// parser, says what the report says: one status per check, the finding
// counts, one gpu_info per GPU (display functions but BMC and emulated
// displays, and the passthrough GPUs), the report's time.
func TestPrometheusGoldenReports(t *testing.T) {
	files, err := filepath.Glob("../testdata/golden/preflight/*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("golden reports: %v, %d", err, len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Report(&buf, FormatPrometheus, r, Options{}); err != nil {
				t.Fatal(err)
			}
			fams := parseProm(t, buf.String())
			for name, f := range fams {
				if f.GetType() != dto.MetricType_GAUGE || f.GetHelp() == "" {
					t.Errorf("%s: type %v, help %q; want a documented gauge", name, f.GetType(), f.GetHelp())
				}
				for _, m := range f.GetMetric() {
					if labelsOf(m)["command"] != "preflight" {
						t.Errorf("%s%v: no command=preflight label", name, labelsOf(m))
					}
				}
			}

			status := map[string]float64{}
			for _, m := range fams["gpupass_check_status"].GetMetric() {
				l := labelsOf(m)
				status[l["id"]] = m.GetGauge().GetValue()
			}
			if len(status) != len(r.Checks) {
				t.Errorf("%d check_status series, report has %d checks", len(status), len(r.Checks))
			}
			want := map[report.Status]float64{report.StatusPass: 1, report.StatusFail: 0, report.StatusSkip: -1}
			for _, c := range r.Checks {
				if got, ok := status[c.ID]; !ok || got != want[c.Status] {
					t.Errorf("%s %s: status %v (present %v), want %v", c.ID, c.Status, got, ok, want[c.Status])
				}
			}

			findings := map[string]float64{}
			for _, m := range fams["gpupass_findings"].GetMetric() {
				findings[labelsOf(m)["severity"]] = m.GetGauge().GetValue()
			}
			wantFindings := map[string]float64{"error": float64(r.Summary.Errors), "warning": float64(r.Summary.Warnings), "info": float64(r.Summary.Infos)}
			if len(findings) != 3 {
				t.Errorf("findings series %v, want error, warning and info", findings)
			}
			for sev, n := range wantFindings {
				if findings[sev] != n {
					t.Errorf("findings{severity=%q} = %v, want %v", sev, findings[sev], n)
				}
			}

			passthrough := map[string]bool{}
			for _, a := range r.PassthroughGPUs {
				passthrough[a] = true
			}
			displays := map[string]report.Device{}
			for _, d := range r.Host.Devices {
				pd := d.PCIDevice()
				if pcidev.IsDisplay(&pd) && !pcidev.IsHostDisplay(&pd) || passthrough[d.Address] {
					displays[d.Address] = d
				}
			}
			if len(r.PassthroughGPUs) == 0 && len(displays) > 0 && r.Host.Hostname != "tiny" {
				t.Logf("no passthrough GPU in %s", file)
			}
			gpus := fams["gpupass_gpu_info"].GetMetric()
			if len(gpus) != len(displays) {
				t.Errorf("%d gpu_info series, host has %d display functions", len(gpus), len(displays))
			}
			for _, m := range gpus {
				l := labelsOf(m)
				d, ok := displays[l["address"]]
				if !ok {
					t.Errorf("gpu_info for %s, not a display function", l["address"])
					continue
				}
				wantL := map[string]string{
					"command": "preflight", "address": d.Address, "vendor_id": d.VendorID, "device_id": d.DeviceID,
					"model": d.Model, "driver": d.Driver, "iommu_group": optInt(d.IOMMUGroup), "numa_node": optInt(d.NUMANode),
					"passthrough": strconv.FormatBool(passthrough[d.Address]),
				}
				for k, v := range wantL {
					if l[k] != v {
						t.Errorf("gpu_info %s: %s=%q, want %q", d.Address, k, l[k], v)
					}
				}
				if len(l) != len(wantL) || m.GetGauge().GetValue() != 1 {
					t.Errorf("gpu_info %s: labels %v value %v", d.Address, l, m.GetGauge().GetValue())
				}
			}

			at, _ := time.Parse(time.RFC3339, r.GeneratedAt)
			last := fams["gpupass_last_run_timestamp_seconds"].GetMetric()
			if len(last) != 1 || last[0].GetGauge().GetValue() != float64(at.Unix()) {
				t.Errorf("last_run %v, want %d", last, at.Unix())
			}
		})
	}
}

// A model, driver or check name with quotes, backslashes, newlines or
// bytes that are not UTF-8 still gives valid output that reads back as the
// value (invalid bytes as U+FFFD).
func FuzzPrometheusLabels(f *testing.F) {
	f.Add(`GH100 [H100 "SXM5" 80GB]`, `vfio-pci`, `a\b`)
	f.Add("two\nlines", `back\\slash"`, "\xff\xfe")
	f.Add(``, ``, `}{="`)
	f.Fuzz(func(t *testing.T, model, driver, name string) {
		g, n := 3, -1
		r := report.Report{
			Command: "preflight", Tool: report.Tool{Version: "v1.2.3"}, GeneratedAt: "2026-11-23T12:00:00Z",
			Checks: []report.CheckResult{{ID: "GP101", Name: name, Status: report.StatusFail}},
			Host: &report.Host{Devices: []report.Device{
				{Address: "0000:18:00.0", Class: "030200", VendorID: "10de", DeviceID: "2330", Model: model, Driver: driver, IOMMUGroup: &g, NUMANode: &n},
			}},
		}
		var buf bytes.Buffer
		if err := Prometheus(&buf, r); err != nil {
			t.Fatal(err)
		}
		fams := parseProm(t, buf.String())
		valid := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		gpu := labelsOf(fams["gpupass_gpu_info"].GetMetric()[0])
		if gpu["model"] != valid(model) || gpu["driver"] != valid(driver) || gpu["iommu_group"] != "3" || gpu["numa_node"] != "-1" {
			t.Errorf("gpu_info labels %q", gpu)
		}
		st := fams["gpupass_check_status"].GetMetric()[0]
		if labelsOf(st)["name"] != valid(name) || st.GetGauge().GetValue() != 0 {
			t.Errorf("check_status %v", st)
		}
		if !utf8.Valid(buf.Bytes()) {
			t.Errorf("output is not UTF-8")
		}
	})
}

// The same function twice (a report assembled by hand) is written once:
// node_exporter drops a whole file with a duplicate series.
func TestPrometheusNoDuplicateSeries(t *testing.T) {
	d := report.Device{Address: "0000:18:00.0", Class: "030000", VendorID: "10de", DeviceID: "1eb8", Driver: "vfio-pci"}
	nic := report.Device{Address: "0000:19:00.0", Class: "020000", VendorID: "8086", DeviceID: "1572", Driver: "i40e"}
	r := report.Report{Command: "preflight", GeneratedAt: "2026-11-23T12:00:00Z", Host: &report.Host{Devices: []report.Device{d, d, nic}}}
	var buf bytes.Buffer
	if err := Prometheus(&buf, r); err != nil {
		t.Fatal(err)
	}
	fams := parseProm(t, buf.String())
	if n := len(fams["gpupass_gpu_info"].GetMetric()); n != 1 {
		t.Errorf("%d gpu_info series, want 1 (the NIC is not a GPU, the GPU once):\n%s", n, buf.String())
	}
}

// Lint has no host: no gpu_info family at all, rather than a family with
// no samples.
func TestPrometheusWithoutHost(t *testing.T) {
	r := report.Report{Command: "lint", GeneratedAt: "2026-11-23T12:00:00Z", Summary: report.Summary{Errors: 2}}
	var buf bytes.Buffer
	if err := Prometheus(&buf, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "gpu_info") {
		t.Errorf("gpu_info without a host:\n%s", buf.String())
	}
	fams := parseProm(t, buf.String())
	for _, m := range fams["gpupass_findings"].GetMetric() {
		if l := labelsOf(m); l["severity"] == "error" && (m.GetGauge().GetValue() != 2 || l["command"] != "lint") {
			t.Errorf("findings{error} %v", m)
		}
	}
}

func TestPrometheusNeedsATime(t *testing.T) {
	for _, at := range []string{"", "yesterday"} {
		err := Prometheus(&bytes.Buffer{}, report.Report{Command: "preflight", GeneratedAt: at})
		if err == nil || !strings.Contains(err.Error(), "generated_at") {
			t.Errorf("generated_at %q: %v, want an error naming generated_at", at, err)
		}
	}
}

func TestInventoryPrometheus(t *testing.T) {
	g := 7
	inv := report.Inventory{
		Tool: report.Tool{Version: "v1"},
		Groups: []report.InventoryGroup{{ID: 7, Devices: []report.InventoryDevice{
			{Device: report.Device{Address: "0000:01:00.0", Class: "030000", VendorID: "10de", DeviceID: "1e04", Driver: "vfio-pci", IOMMUGroup: &g}, Role: "gpu"},
			{Device: report.Device{Address: "0000:01:00.1", Class: "040300", VendorID: "10de", DeviceID: "10f7", Driver: "vfio-pci", IOMMUGroup: &g}, Role: "companion"},
		}}},
		Ungrouped: []report.InventoryDevice{{Device: report.Device{Address: "0000:02:00.0", Class: "030200", VendorID: "10de", DeviceID: "20b0"}, Role: "gpu"}},
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	if err := InventoryPrometheus(&buf, inv, at); err != nil {
		t.Fatal(err)
	}
	fams := parseProm(t, buf.String())
	var addrs []string
	for _, m := range fams["gpupass_gpu_info"].GetMetric() {
		l := labelsOf(m)
		addrs = append(addrs, l["address"]+"/"+l["iommu_group"]+"/"+l["command"])
	}
	if got := strings.Join(addrs, " "); got != "0000:01:00.0/7/inventory 0000:02:00.0//inventory" {
		t.Errorf("gpu_info %s", got)
	}
	last := fams["gpupass_last_run_timestamp_seconds"].GetMetric()[0].GetGauge().GetValue()
	if strconv.FormatFloat(last, 'f', -1, 64) != strconv.FormatInt(at.Unix(), 10) {
		t.Errorf("last run %v", last)
	}
	if _, ok := fams["gpupass_check_status"]; ok {
		t.Errorf("an inventory has no checks")
	}
}

// An audit's metrics carry each GPU flavor of the golden audit reports:
// bootable or not, and how many more fit where the audit counted them
// (no sample where it could not).
func TestPrometheusAuditFlavors(t *testing.T) {
	files, err := filepath.Glob("../testdata/golden/audit/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("audit golden reports: %v, %d", err, len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			if r.Audit == nil || len(r.Audit.Flavors) == 0 {
				t.Fatalf("%s: no flavors", file)
			}
			var buf bytes.Buffer
			if err := Report(&buf, FormatPrometheus, r, Options{}); err != nil {
				t.Fatal(err)
			}
			fams := parseProm(t, buf.String())
			bootable := map[string]float64{}
			for _, m := range fams["gpupass_flavor_bootable"].GetMetric() {
				l := labelsOf(m)
				if l["command"] != "audit" || len(l) != 3 {
					t.Errorf("flavor_bootable labels %v", l)
				}
				bootable[l["flavor_id"]+"/"+l["flavor"]] = m.GetGauge().GetValue()
			}
			more := map[string]string{}
			for _, m := range fams["gpupass_flavor_more_instances"].GetMetric() {
				l := labelsOf(m)
				more[l["flavor_id"]+"/"+l["flavor"]] = strconv.FormatFloat(m.GetGauge().GetValue(), 'f', -1, 64) + " exact=" + l["exact"]
			}
			counted := 0
			for _, f := range r.Audit.Flavors {
				key := f.ID + "/" + f.Name
				want := 0.0
				if f.Bootable {
					want = 1
				}
				if got, ok := bootable[key]; !ok || got != want {
					t.Errorf("flavor_bootable %s = %v (present %v), want %v", key, got, ok, want)
				}
				got, ok := more[key]
				if f.MoreInstances == nil {
					if ok {
						t.Errorf("flavor_more_instances %s = %s, but the audit could not count it", key, got)
					}
					continue
				}
				counted++
				if w := strconv.Itoa(*f.MoreInstances) + " exact=" + strconv.FormatBool(f.MoreExact); got != w {
					t.Errorf("flavor_more_instances %s = %q, want %q", key, got, w)
				}
			}
			if len(bootable) != len(r.Audit.Flavors) || len(more) != counted || counted == 0 {
				t.Errorf("%d bootable and %d more_instances series for %d flavors (%d counted)", len(bootable), len(more), len(r.Audit.Flavors), counted)
			}
		})
	}
}
