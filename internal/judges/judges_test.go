package judges

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSON holds testdata/novaconf/judges.json (the corpus's word on who
// judges each release) to Live: the same releases live, on the same
// suites, with the same Nova versions in their package names.
func TestJSON(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "novaconf", "judges.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]struct {
		Judge   string `json:"judge"`
		Suite   string `json:"suite"`
		Package string `json:"package"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("judges.json: %v", err)
	}
	live := 0
	for rel, j := range file {
		if j.Judge != "live" {
			if _, ok := ByRelease(rel); ok {
				t.Errorf("judges.json: %s is %s, Live has it live", rel, j.Judge)
			}
			continue
		}
		live++
		got, ok := ByRelease(rel)
		switch {
		case !ok:
			t.Errorf("judges.json: %s is live, Live does not have it", rel)
		case got.Suite != j.Suite:
			t.Errorf("%s: judges.json says suite %s, Live %s", rel, j.Suite, got.Suite)
		case !strings.Contains(j.Package, ":"+got.Version+"-"):
			t.Errorf("%s: judges.json's package %q is not Nova %s", rel, j.Package, got.Version)
		}
	}
	if live != len(Live) {
		t.Errorf("judges.json has %d live releases, Live %d", live, len(Live))
	}
}
