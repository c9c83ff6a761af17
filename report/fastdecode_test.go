package report

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/internal/fastjson"
)

// goldenReports are every JSON report under testdata/golden: preflight,
// audit, drift and generate's, whatever they hold.
func goldenReports(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	root := filepath.Join("..", "testdata", "golden")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && json.Valid(data) && len(data) > 0 && data[0] == '{' {
			out[path] = data
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("only %d golden reports under %s", len(out), root)
	}
	return out
}

// TestFastDecodeAgreesOnGoldenReports: the fast decoder gives what
// encoding/json gives on every golden report, and, without AuditDrops,
// the same less the checks and findings.
func TestFastDecodeAgreesOnGoldenReports(t *testing.T) {
	for path, data := range goldenReports(t) {
		var want Report
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var got Report
		d := &fastjson.Decoder{Intern: true}
		if err := d.Decode(data, &got); err != nil {
			t.Errorf("%s: the fast decoder gave up: %v", path, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: fast decode differs from encoding/json (-want +got):\n%s", path, diff)
		}
		var dropped Report
		d = &fastjson.Decoder{Intern: true, Drop: auditDrop}
		if err := d.Decode(data, &dropped); err != nil {
			t.Errorf("%s: the fast decoder gave up without AuditDrops: %v", path, err)
			continue
		}
		want.Checks, want.Findings = nil, nil
		if diff := cmp.Diff(want, dropped); diff != "" {
			t.Errorf("%s: without AuditDrops, fast decode differs (-want +got):\n%s", path, diff)
		}
	}
}

// TestFastDecodeFallsBack: whatever encoding/json would read differently
// from a plain reading, or refuse, the fast decoder leaves to it.
func TestFastDecodeFallsBack(t *testing.T) {
	for _, in := range []string{
		``, ` `, `{`, `{]`, `[]`, `null x`, `{} {}`, `{}x`,
		`{"Schema":"x"}`,                              // encoding/json matches keys case-insensitively
		`{"schema":"a","schema":"b"}`,                 // a repeated key
		`{"host":{"memory_mb":1.5}}`,                  // not an integer
		`{"host":{"memory_mb":"1"}}`,                  // a string for a number
		`{"host":{"memory_mb":99999999999999999999}}`, // out of range
		`{"host":{"numa_nodes":01}}`,                  // not JSON
		`{"host":{"kvm":1}}`,                          // a number for a bool
		`{"host":{"pci_devices":{}}}`,                 // an object for an array
		`{"host":{"modules":[{"params":{"a":"1","a":"2"}}]}}`,
		"{\"schema\":\"a\x01\"}", // a control character in a string
		`{"sch\u0065ma":"x"}`,    // an escape in a key
		`{"schema":"x",}`,        // a trailing comma
		`{"schema":"x" "command":"y"}`,
		`{"findings":[{"evidence":{"a":1,"a":2}}]}`,
		`{"host":{"iommu":{"interrupt_remapping":tru}}}`,
	} {
		var r Report
		d := &fastjson.Decoder{}
		if err := d.Decode([]byte(in), &r); !errors.Is(err, fastjson.ErrFallback) {
			t.Errorf("decodeFast(%q) = %v, want fastjson.ErrFallback", in, err)
		}
	}
	// What it reads itself, it reads as encoding/json does.
	for _, in := range []string{
		`{}`, ` {"schema" : "x" } `, `{"unknown":{"a":[1,{"b":null}]},"schema":"x"}`,
		`{"schema":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t","command":"é"}`,
		"{\"schema\":\"\xff\"}", // invalid UTF-8: encoding/json replaces it
		`{"host":null,"checks":null,"findings":[]}`,
		`{"host":{"memory_mb":-0,"cpu":{"logical_cpus":7},"pci_devices":[{"iommu_group":3,"numa_node":null,"bars":[{"size":18446744073709551615}]}]}}`,
		`{"findings":[{"evidence":{"a":1.5e3,"b":[true,false,null,"x"],"c":{}}}]}`,
		`{"host":{"modules":[{"name":"vfio","params":{}},{"name":"x","params":{"a":"b"}}]}}`,
	} {
		var want, got Report
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		d := &fastjson.Decoder{Intern: true}
		if err := d.Decode([]byte(in), &got); err != nil {
			t.Errorf("decodeFast(%q) = %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeFast(%q) differs (-encoding/json +fast):\n%s", in, diff)
		}
	}
}

// TestFastDecoderTakesEveryReportType: a type the fast decoder does not
// handle would make every report fall back to encoding/json, silently
// slow: a new field of a kind it does not know (a []byte, an embedded
// struct, a ,string option) fails here.
func TestFastDecoderTakesEveryReportType(t *testing.T) {
	for _, v := range []any{Report{}} {
		if !fastjson.Supports(reflect.TypeOf(v)) {
			t.Errorf("the fast decoder does not handle %T or something it holds", v)
		}
	}
}

// FuzzFastDecode: on any input the fast decoder takes, encoding/json
// takes it too and gives the same value.
func FuzzFastDecode(f *testing.F) {
	for path, data := range goldenReports(f) {
		if strings.Contains(path, "preflight") && len(data) < 20<<10 {
			f.Add(data)
		}
	}
	for _, s := range []string{`{}`, `{"schema":"x","host":{"pci_devices":[{"address":"0000:00:01.0","bars":[]}]}}`,
		`{"findings":[{"evidence":{"a":[1,"b",{"c":null}]}}]}`, `{"host":{"modules":[{"params":{"a":"\u00e9"}}]}}`} {
		f.Add([]byte(s))
	}
	// One memo for every input, as one reader's over a fleet's reports.
	memo := &fastjson.Decoder{Memo: auditMemo}
	f.Fuzz(func(t *testing.T, data []byte) {
		var memoized Report
		if memo.Decode(data, &memoized) == nil {
			var want Report
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("with auditMemo, the fast decoder took what encoding/json refuses (%v)", err)
			}
			if diff := cmp.Diff(want, memoized); diff != "" {
				t.Fatalf("with auditMemo, fast decode differs from encoding/json (-want +got):\n%s", diff)
			}
		}
		var got Report
		d := &fastjson.Decoder{Intern: true}
		if err := d.Decode(data, &got); err != nil {
			if !errors.Is(err, fastjson.ErrFallback) {
				t.Fatalf("an error that is not fastjson.ErrFallback: %v", err)
			}
			return
		}
		var want Report
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("the fast decoder took what encoding/json refuses (%v)", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("fast decode differs from encoding/json (-want +got):\n%s", diff)
		}
	})
}
