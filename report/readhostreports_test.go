package report_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/report"
)

// goldenPreflight copies the golden preflight reports into a new folder,
// each under its own host name (some fixtures share one), and returns it.
func goldenPreflight(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "preflight", "*.json"))
	if err != nil || len(paths) < 20 {
		t.Fatalf("golden preflight reports: %d, %v", len(paths), err)
	}
	for i, p := range paths {
		r, err := report.ReadPreflight("report", p)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// Rename the host in the text itself: the file stays as preflight
		// wrote it.
		name := fmt.Sprintf("%s-%02d", r.Host.Hostname, i)
		data = []byte(strings.Replace(string(data), `"hostname": "`+r.Host.Hostname+`"`, `"hostname": "`+name+`"`, 1))
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestReadHostReportsAgreesWithReadHostReport: the audit's reading of a
// folder gives, report by report, what ReadHostReport gives, but for what
// it drops: the checks and findings (AuditDrops), and the host's body,
// which is HostInfo's.
func TestReadHostReportsAgreesWithReadHostReport(t *testing.T) {
	dir := goldenPreflight(t)
	got, err := report.ReadHostReports("--reports", dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(got) != len(entries) {
		t.Fatalf("%d reports read, want %d", len(got), len(entries))
	}
	for _, r := range got {
		want, err := report.ReadHostReport(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.HostInfo(), r.HostInfo()); diff != "" {
			t.Errorf("%s: HostInfo differs (-ReadHostReport +ReadHostReports):\n%s", r.Path, diff)
		}
		if len(want.Report.Findings) == 0 && len(want.Report.Checks) == 0 {
			t.Errorf("%s: no checks nor findings: the test proves nothing about dropping them", r.Path)
		}
		w := want.Report
		w.Checks, w.Findings = nil, nil
		w.Host = &report.Host{Hostname: w.Host.Hostname}
		if diff := cmp.Diff(w, r.Report); diff != "" {
			t.Errorf("%s: the report differs (-ReadHostReport less what the audit drops +ReadHostReports):\n%s", r.Path, diff)
		}
	}
}

// TestReadHostReportsSaysWhatReadHostReportSays: a bad file among good
// ones is the error ReadHostReport gives for it, word for word, and of two
// bad files the first in the folder's order is named.
func TestReadHostReportsSaysWhatReadHostReportSays(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "preflight", "h100-hgx.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"corrupt":      strings.Replace(string(good), `"pci_devices": [`, `"pci_devices": [}`, 1),
		"truncated":    string(good[:len(good)/2]),
		"concatenated": string(good) + string(good),
		"empty":        "",
		"array":        "[]",
		"wrong type":   strings.Replace(string(good), `"logical_cpus": `, `"logical_cpus": "`, 1),
		"schema":       strings.Replace(string(good), report.Schema, "gpupass/report/v0", 1),
		"command":      strings.Replace(string(good), `"command": "preflight"`, `"command": "audit"`, 1),
		"no host name": strings.Replace(string(good), `"hostname": "gpu-h100-07"`, `"hostname": ""`, 1),
		"no host":      `{"schema":"gpupass/report/v1","command":"preflight"}`,
		"case-folded":  strings.Replace(string(good), `"schema"`, `"SCHEMA"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if name != "empty" && name != "array" && name != "no host" && data == string(good) {
				t.Fatal("the replacement did not apply")
			}
			dir := t.TempDir()
			for i := range 6 {
				other := strings.Replace(string(good), `"hostname": "gpu-h100-07"`, fmt.Sprintf(`"hostname": "gpu-%d"`, i), 1)
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("a%d.json", i)), []byte(other), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			bad := filepath.Join(dir, "b.json")
			if err := os.WriteFile(bad, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			// A second bad file after it: the first is the one named.
			if err := os.WriteFile(filepath.Join(dir, "c.json"), []byte("{"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, want := report.ReadHostReport(bad)
			if name == "case-folded" {
				// encoding/json matches keys case-insensitively: a good
				// report, and c.json is the bad one.
				if want != nil {
					t.Fatalf("ReadHostReport: %v", want)
				}
				_, want = report.ReadHostReport(filepath.Join(dir, "c.json"))
			}
			if want == nil {
				t.Fatal("ReadHostReport took it")
			}
			got, err := report.ReadHostReports("--reports", dir)
			if err == nil || err.Error() != want.Error() {
				t.Errorf("ReadHostReports = %d reports, %v\nwant the error %v", len(got), err, want)
			}
		})
	}
}

// TestReadHostReportsKeepsOnePerHost: two reports of one host are an
// error naming both, as ever.
func TestReadHostReportsKeepsOnePerHost(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "preflight", "h100-hgx.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"x.json", "y.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), good, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = report.ReadHostReports("--reports", dir)
	want := filepath.Join(dir, "x.json") + " and " + filepath.Join(dir, "y.json") + " are both reports of host gpu-h100-07: keep one per host"
	if err == nil || err.Error() != want {
		t.Errorf("ReadHostReports = %v, want %q", err, want)
	}
}
