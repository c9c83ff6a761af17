package main

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/gpupass/gpupass/report"
)

// The audit of a recorded vGPU cloud from Placement alone (no host
// reports): GP410 and the verdicts, JSON golden and text within 80 columns.
func TestAuditVGPUCloud(t *testing.T) {
	t.Parallel()
	args := []string{"audit", "--from-cloud", "../../testdata/audit/vgpu-cloud.json", "--nova-release", "2024.1"}
	code, out, errOut := gpupass(t, nil, append(args, "--format", "json")...)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d: %s", code, exitFindings, errOut)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.ID+" "+string(f.Severity)+" "+f.Subject.Ref)
	}
	sort.Strings(got)
	want := []string{
		"GP410 error vgpu.4x1",
		"GP410 error vgpu.a40.2",
		"GP410 error vgpu.a40.2x1",
		"GP410 error vgpu.l4-trait",
		"GP410 error vgpu.l4.1",
		"GP410 error vgpu.no-policy",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r.Audit == nil || r.Audit.Counts.GPUFlavors != 11 || r.Audit.Counts.Bootable != 5 {
		t.Errorf("counts %+v", r.Audit)
	}
	golden(t, filepath.Join("..", "..", "testdata", "golden", "audit", "vgpu-cloud.json"), out)

	_, text, _ := gpupass(t, nil, args...)
	for i, line := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("text line %d is %d columns: %q", i+1, n, line)
		}
	}
	if !strings.Contains(text, "  vgpu.a40.1 (resources:CUSTOM_NVIDIA_558=1, 8 vCPUs, 32GiB RAM)\n    bootable on 1 host (gpu-a40-01.lab); 18 more instances fit; but one request\n      for several servers gets at most 1 of them: Nova's scheduler gives every\n") {
		t.Errorf("text output:\n%s", text)
	}
}
