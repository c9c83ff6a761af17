package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// outputCommands are the report commands with -o/--output, each with
// arguments that make a report, per format. reports is a folder of
// preflight reports; old and new two reports of one host.
func outputCommands(t *testing.T) map[string][]string {
	t.Helper()
	reports := fleetReports(t, "h100-hgx", "nouveau-no-vfio")
	return map[string][]string{
		"preflight": {"preflight", "--root", filepath.Join(hostsDir, "nouveau-no-vfio")},
		"inventory": {"inventory", "--root", filepath.Join(hostsDir, "h100-hgx")},
		"lint":      {"lint", "../../testdata/lint/kolla-nova-compute.conf"},
		"audit":     {"audit", "--from-cloud", "../../testdata/audit/cloud.json", "--reports", reports},
		"diff":      {"diff", filepath.Join(reports, "h100-hgx.json"), filepath.Join(reports, "h100-hgx.json")},
	}
}

// dirEntries lists a folder's names.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// --output writes exactly what stdout would have shown, with the same
// exit status, mode 0644, and nothing else in the folder.
func TestOutputWritesTheReport(t *testing.T) {
	t.Parallel()
	for name, args := range outputCommands(t) {
		for _, format := range []string{"text", "json", "prometheus"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				args := append(slices.Clone(args), "--format", format)
				wantCode, want, errOut := gpupass(t, nil, args...)
				if wantCode == exitFailure {
					t.Fatalf("without --output: exit 2: %s", errOut)
				}
				dir := t.TempDir()
				out := filepath.Join(dir, "gpupass.prom")
				code, stdout, errOut := gpupass(t, nil, append(args, "--output", out)...)
				if code != wantCode || stdout != "" {
					t.Fatalf("exit %d (want %d), stdout %q, stderr %q", code, wantCode, stdout, errOut)
				}
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != want {
					t.Errorf("the file differs from stdout:\n%s\nwant\n%s", got, want)
				}
				fi, err := os.Stat(out)
				if err != nil || fi.Mode().Perm() != 0o644 {
					t.Errorf("mode %v (%v), want 0644: the textfile collector runs as another user", fi.Mode(), err)
				}
				if names := dirEntries(t, dir); len(names) != 1 {
					t.Errorf("the folder holds %q, want only gpupass.prom (a temporary file left behind?)", names)
				}
			})
		}
	}
}

// A run that fails (exit 2) leaves the previous file as it was: the
// textfile collector keeps serving the last good metrics, whose timestamp
// then ages.
func TestOutputUntouchedWhenGpupassFails(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"schema": "gpupass/report/v1", "command": "pre`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"preflight", "--root", filepath.Join(t.TempDir(), "missing")},
		{"preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--baseline", bad},
		{"preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--fail-on", "sometimes"},
		{"inventory", "--root", filepath.Join(hostsDir, "h100-hgx"), "--gpu", "zz:zz"},
		{"lint", filepath.Join(t.TempDir(), "absent.conf")},
		{"audit", "--from-cloud", bad},
		{"diff", bad, bad},
	} {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "gpupass.prom")
			if err := os.WriteFile(out, []byte("old metrics\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, errOut := gpupass(t, nil, append(args, "--format", "prometheus", "--output", out)...)
			if code != exitFailure || stdout != "" || errOut == "" {
				t.Fatalf("%q: exit %d, stdout %q, stderr %q; want exit 2 and a message", args, code, stdout, errOut)
			}
			if got, _ := os.ReadFile(out); string(got) != "old metrics\n" {
				t.Errorf("the file changed to %q", got)
			}
			if names := dirEntries(t, dir); len(names) != 1 {
				t.Errorf("the folder holds %q", names)
			}
		})
	}
}

// An --output that cannot be written is exit 2 with its path in the
// message; a file that exists is replaced (mode 0644 whatever it had).
func TestOutputPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	host := filepath.Join(hostsDir, "h100-hgx")
	for _, out := range []string{filepath.Join(dir, "no", "such", "dir", "x.prom"), dir} {
		code, _, errOut := gpupass(t, nil, "preflight", "--root", host, "--output", out)
		if code != exitFailure || !strings.Contains(errOut, "--output "+out+":") {
			t.Errorf("--output %s: exit %d, %q; want exit 2 naming it", out, code, errOut)
		}
	}
	out := filepath.Join(dir, "report.json")
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := gpupass(t, nil, "preflight", "--root", host, "--format", "json", "--output", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, err := os.ReadFile(out)
	fi, _ := os.Stat(out)
	if err != nil || !strings.HasPrefix(string(got), "{") || fi.Mode().Perm() != 0o644 {
		t.Errorf("replaced file: %q… mode %v, %v", got[:min(len(got), 20)], fi.Mode(), err)
	}
}

// promtool (Debian's prometheus package) accepts the metrics of every
// fixture host's preflight and inventory, and of lint, audit and diff:
// what node_exporter will serve passes Prometheus's own linter.
// GPUPASS_PROMTOOL=1 runs it (.ci/run does).
func TestPromtoolAcceptsTheMetrics(t *testing.T) {
	t.Parallel()
	if os.Getenv("GPUPASS_PROMTOOL") != "1" {
		t.Skip("GPUPASS_PROMTOOL=1 runs promtool check metrics on every fixture's metrics (apt-get install prometheus)")
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("GPUPASS_PROMTOOL=1 but no promtool: %v", err)
	}
	runs := map[string][]string{}
	for _, name := range fixtureNames(t) {
		root := filepath.Join(hostsDir, name)
		runs["preflight "+name] = []string{"preflight", "--root", root}
		runs["inventory "+name] = []string{"inventory", "--root", root, "--all"}
	}
	for name, args := range outputCommands(t) {
		if name != "preflight" && name != "inventory" {
			runs[name] = args
		}
	}
	for name, args := range runs {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := gpupass(t, nil, append(args, "--format", "prometheus")...)
			if code == exitFailure || !strings.Contains(out, "gpupass_last_run_timestamp_seconds") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = strings.NewReader(out)
			verdict, err := cmd.CombinedOutput()
			if err != nil || len(verdict) != 0 {
				t.Errorf("promtool check metrics: %v\n%s\non\n%s", err, verdict, out)
			}
		})
	}
}
