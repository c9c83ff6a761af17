package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/report"
)

func TestDecodePreflightSaysWhatIsWrong(t *testing.T) {
	for in, says := range map[string]string{
		"":   "empty: not a gpupass report",
		"[]": "not a gpupass report: a JSON array, not an object",
		`{"schema":"gpupass/report/v1","command":"preflight","host":{"pci_devices":{}}}`: `not a gpupass report: "host.pci_devices" is a JSON object at byte`,
		"{":                              "not JSON: truncated",
		"{]":                             "not JSON at byte 2",
		`{"schema":"x"}`:                 `schema "x", want "gpupass/report/v1"`,
		`{"schema":"gpupass/report/v1"}`: `a "" report, not a preflight report`,
		`{"schema":"gpupass/report/v1","command":"audit"}`:                  `a "audit" report, not a preflight report`,
		`{"schema":"gpupass/report/v1","command":"preflight"}`:              "a preflight report without a host",
		`{"schema":"gpupass/report/v1","command":"preflight","host":{}} {}`: "more than one JSON value",
	} {
		r, err := report.DecodePreflight(strings.NewReader(in))
		if err != nil && (strings.Contains(err.Error(), "Go value") || strings.Contains(err.Error(), "report.")) {
			t.Errorf("DecodePreflight(%q) shows Go's internals: %v", in, err)
		}
		if err == nil || r != nil || !strings.Contains(err.Error(), says) {
			t.Errorf("DecodePreflight(%q) = %v, %v; want an error saying %q", in, r, err, says)
		}
	}
}

func FuzzDecodePreflight(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "preflight", "h100-hgx.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	for _, s := range []string{"", "{}", "null", `{"schema":"gpupass/report/v1","command":"preflight","host":{}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := report.DecodePreflight(bytes.NewReader(data))
		if err != nil {
			if r != nil {
				t.Errorf("a report and an error: %v", err)
			}
			return
		}
		if r.Host == nil || r.Schema != report.Schema || r.Command != "preflight" {
			t.Fatalf("accepted %+v", r)
		}
		// What was accepted encodes and decodes to itself.
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := report.DecodePreflight(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("re-encoded report refused: %v", err)
		}
		if diff := cmp.Diff(r, r2); diff != "" {
			t.Errorf("re-decoded report differs:\n%s", diff)
		}
	})
}
