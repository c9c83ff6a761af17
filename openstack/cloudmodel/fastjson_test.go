package cloudmodel_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/internal/fastjson"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// TestSnapshotDecodesFast: `audit --from-cloud` reads a recorded cloud
// with fastjson, which falls back to encoding/json, silently slow, for a
// type it does not take; and what it reads equals encoding/json's reading
// of every recorded cloud under testdata/audit.
func TestSnapshotDecodesFast(t *testing.T) {
	if !fastjson.Supports(reflect.TypeFor[cloudmodel.Snapshot]()) {
		t.Fatal("fastjson does not take cloudmodel.Snapshot or something it holds: a recorded cloud would be read by encoding/json, several times slower")
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "audit", "*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("recorded clouds: %v %v", files, err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var want, got cloudmodel.Snapshot
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var d fastjson.Decoder
		if err := d.Decode(data, &got); err != nil {
			t.Errorf("%s: fastjson gave up (%v): it would be read by encoding/json", path, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: fastjson differs from encoding/json (-want +got):\n%s", path, diff)
		}
	}
}
