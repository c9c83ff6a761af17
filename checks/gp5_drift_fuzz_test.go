package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// Any report DecodePreflight accepts has no drift from itself, and any two
// compare without a check failing to run.
func FuzzDriftOfDecodedReports(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "preflight", "h100-hgx.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	for _, s := range []string{"", "{}", "null", "[]", `{"schema":"gpupass/report/v1","command":"preflight","host":{}}`,
		`{"schema":"gpupass/report/v1","command":"preflight","host":{"pci_devices":[{"address":"0000:01:00.0","class":"030000","driver":"vfio-pci","iommu_group":1}],"modules":[],"kernel":{"cmdline":"iommu=pt \"vfio-pci.ids=10de:1\""}},"nova_conf":{"options":[{"option":"[pci]device_spec","value":"{"}]}}`,
		`{"schema":"gpupass/report/v1","command":"preflight","host":{"nova":{"version":"99.0.0"}},"nova_release":"x"} {}`} {
		f.Add([]byte(s))
	}
	empty := &report.Report{Schema: report.Schema, Command: "preflight", Host: &report.Host{Hostname: "other"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := report.DecodePreflight(strings.NewReader(string(data)))
		if err != nil {
			if r != nil {
				t.Errorf("a report and an error: %v", err)
			}
			return
		}
		if r.Host == nil || r.Schema != report.Schema || r.Command != "preflight" {
			t.Fatalf("accepted %+v", r)
		}
		// A report has no drift from itself; any two compare without a panic.
		self := Drift(r, r)
		if len(self.Findings) != 0 {
			t.Errorf("drift from itself: %+v", self.Findings)
		}
		for _, d := range []report.Report{self, Drift(r, empty), Drift(empty, r)} {
			for _, c := range d.Checks {
				if strings.HasPrefix(c.Reason, "could not run") {
					t.Errorf("%s: %s", c.ID, c.Reason)
				}
			}
		}
	})
}
