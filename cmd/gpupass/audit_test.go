package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/gpupass/gpupass/report"
)

// fleetReports writes preflight reports of some fixtures into a folder.
func fleetReports(t *testing.T, fixtures ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range fixtures {
		_, out, errOut := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, f), "--format", "json")
		if errOut != "" {
			t.Fatalf("preflight %s: %s", f, errOut)
		}
		if err := os.WriteFile(filepath.Join(dir, f+".json"), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The audit of a recorded cloud against three hosts' reports and the API
// node's aliases.
func TestAuditRecordedCloud(t *testing.T) {
	t.Parallel()
	reports := fleetReports(t, "h100-hgx", "a100-sriov", "nvme-shared-group")
	args := []string{"audit", "--from-cloud", "../../testdata/audit/cloud.json", "--reports", reports, "--api-conf", "../../testdata/api-conf/controller.conf", "--nova-release", "2024.1"}
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
		"GP401 error gpu.bad-syntax",
		"GP402 error gpu.l40s.1",
		"GP403 error gpu.h100.16",
		"GP406 warning gpu.h100.1",
		"GP407 info gpu.a100.1",
		"GP407 info gpu.h100.1",
		"GP408 warning cloud",
		"GP409 warning a100",
		"GP409 warning h100",
		"GP409 warning l40s",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	verdicts := map[string]string{}
	for _, f := range r.Audit.Flavors {
		verdicts[f.Name] = f.Verdict
	}
	for name, verdict := range map[string]string{
		"gpu.a100.1":     "bootable on 1 host (hgx-a100-04); up to 1 more instance fits",
		"gpu.h100.1":     "bootable on 1 host (gpu-h100-07); up to 8 more instances fit",
		"gpu.h100.16":    "cannot boot: no host has 16 usable h100 devices (the most: 8 on gpu-h100-07)",
		"gpu.l40s.1":     `cannot boot: alias "l40s" is not defined`,
		"gpu.bad-syntax": "cannot boot: Nova rejects its pci_passthrough:alias",
	} {
		if !strings.HasPrefix(verdicts[name], verdict) {
			t.Errorf("%s: %q, want %q", name, verdicts[name], verdict)
		}
	}
	// The reports' folder is a temporary one.
	golden(t, filepath.Join("..", "..", "testdata", "golden", "audit", "recorded-cloud.json"), strings.ReplaceAll(out, reports, "REPORTS"))

	_, text, _ := gpupass(t, nil, args...)
	for i, line := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("text line %d is %d columns: %q", i+1, n, line)
		}
	}
	for _, s := range []string{"GPU flavors\n  gpu.a100.1 (a100:1, 16 vCPUs, 64GiB RAM)\n    bootable on 1 host", "ControllerRabbitPw"} {
		if strings.Contains(text, s) != (s != "ControllerRabbitPw") {
			t.Errorf("text output and %q:\n%s", s, text)
		}
	}
}

func TestAuditBadReports(t *testing.T) {
	t.Parallel()
	write := func(dir, name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := fleetReports(t, "a100-sriov")
	data, _ := os.ReadFile(filepath.Join(good, "a100-sriov.json"))
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"garbage", map[string]string{"x.json": "{\"schema\": \"gpupass/report/v1\", \"host\": ["}, "x.json: not"},
		{"another schema", map[string]string{"x.json": `{"schema": "something/else"}`}, `schema "something/else"`},
		{"a lint report", map[string]string{"x.json": `{"schema": "gpupass/report/v1", "command": "lint"}`}, `x.json: a "lint" report, not a preflight report`},
		{"two reports in one file", map[string]string{"x.json": string(data) + string(data)}, "x.json: more than one JSON value"},
		{"empty", map[string]string{"x.json": ""}, "x.json: empty"},
		{"the same host twice", map[string]string{"a.json": string(data), "b.json": string(data)}, "are both reports of host hgx-a100-04"},
		{"no report", map[string]string{"notes.txt": "hello"}, "no *.json report in it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tt.files {
				write(dir, n, c)
			}
			code, out, errOut := gpupass(t, nil, "audit", "--from-cloud", "../../testdata/audit/cloud.json", "--reports", dir)
			if code != exitFailure || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, tt.want)
			}
		})
	}
	if code, _, errOut := gpupass(t, nil, "audit", "--from-cloud", "/nonexistent.json"); code != exitFailure || !strings.Contains(errOut, "--from-cloud") {
		t.Errorf("missing --from-cloud: exit %d, %q", code, errOut)
	}
}

// When the compute API settles no release and the host reports disagree,
// the audit's reason says which host applied which, never that they name
// none.
func TestAuditReleaseFallbackNamesTheReports(t *testing.T) {
	t.Parallel()
	rep := func(path, host, release string) *report.HostReport {
		return &report.HostReport{Path: path, Report: report.Report{NovaRelease: release, Host: &report.Host{Hostname: host}}}
	}
	for _, tt := range []struct {
		name, microversion string
		reports            []*report.HostReport
		want               string
	}{
		{"none", "", []*report.HostReport{rep("a.json", "gpu01", "")},
			"the newest known release, as the compute API names no release and the host reports name none (use --nova-release)"},
		{"disagree", "", []*report.HostReport{rep("a.json", "gpu01", "2026.1"), rep("b.json", "gpu02", "2024.1"), rep("c.json", "", "2026.1")},
			"the newest known release, as the compute API names no release and the host reports disagree: 2026.1 on gpu01, c.json; 2024.1 on gpu02 (use --nova-release)"},
		{"unknown", "2.61", []*report.HostReport{rep("a.json", "gpu01", "2099.9")},
			"the newest known release, as the compute API's maximum microversion 2.61 names no release gpupass knows and the host reports name 2099.9, which gpupass does not know (use --nova-release)"},
	} {
		if got := releaseFallback(tt.microversion, tt.reports); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
