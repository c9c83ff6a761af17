package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gpupass runs the command in-process and returns its status and outputs.
func gpupass(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := &IOStreams{
		In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
	}
	if env["TERM_IS_TTY"] == "1" {
		streams.IsTerminal = true
	}
	code := Run(args, streams)
	return code, out.String(), errOut.String()
}

// tinyHost writes a minimal host tree: one GPU on nouveau that vfio-pci.ids
// meant for passthrough, the IOMMU on, no vfio modules.
func tinyHost(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"proc/sys/kernel/hostname":      "tiny\n",
		"proc/sys/kernel/osrelease":     "6.8.0\n",
		"proc/cmdline":                  "ro intel_iommu=on iommu=pt vfio-pci.ids=10de:1eb1\n",
		"proc/cpuinfo":                  "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\nflags\t\t: fpu vmx\n\n",
		"proc/modules":                  "nouveau 2854912 0 - Live 0x0000000000000000\n",
		"dev/kvm":                       "",
		"sys/firmware/acpi/tables/DMAR": "DMAR",
		"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/vendor":       "0x10de\n",
		"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/device":       "0x1eb1\n",
		"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/class":        "0x030000\n",
		"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/resource":     "0x00000000de000000 0x00000000deffffff 0x0000000000040200\n",
		"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/reset_method": "flr bus\n",
		"sys/devices/pci0000:00/0000:00:01.0/vendor":                    "0x8086\n",
		"sys/devices/pci0000:00/0000:00:01.0/device":                    "0x1901\n",
		"sys/devices/pci0000:00/0000:00:01.0/class":                     "0x060400\n",
		"sys/devices/pci0000:00/0000:00:01.0/resource":                  "",
		"sys/class/iommu/.keep":                                         "",
		"sys/kernel/iommu_groups/1/type":                                "DMA\n",
		"sys/devices/virtual/iommu/dmar0/intel-iommu/ecap":              "f020de\n",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(root, "sys/class/iommu/.keep"))
	links := map[string]string{
		"sys/bus/pci/devices/0000:00:01.0":                             "../../../devices/pci0000:00/0000:00:01.0",
		"sys/bus/pci/devices/0000:01:00.0":                             "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0",
		"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/driver":      "../../../../bus/pci/drivers/nouveau",
		"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/iommu_group": "../../../../kernel/iommu_groups/1",
		"sys/devices/pci0000:00/0000:00:01.0/driver":                   "../../../bus/pci/drivers/pcieport",
		"sys/devices/pci0000:00/0000:00:01.0/iommu_group":              "../../../kernel/iommu_groups/1",
		"sys/class/iommu/dmar0":                                        "../../devices/virtual/iommu/dmar0",
	}
	for name, target := range links {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestPreflightJSONOnTinyHost(t *testing.T) {
	t.Parallel()
	root := tinyHost(t)
	code, out, errOut := gpupass(t, nil, "preflight", "--root", root, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (error findings); stderr: %s", code, errOut)
	}
	var report struct {
		Schema      string
		GeneratedAt string `json:"generated_at"`
		Host        struct{ Hostname string }
		Findings    []struct {
			ID, Severity string
			Subject      struct{ Kind, Ref string }
		}
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if report.Host.Hostname != "tiny" || report.GeneratedAt != "2026-11-23T12:00:00Z" {
		t.Errorf("host %q generated_at %q", report.Host.Hostname, report.GeneratedAt)
	}
	got := map[string]bool{}
	for _, f := range report.Findings {
		got[f.ID+" "+f.Severity+" "+f.Subject.Ref] = true
	}
	for _, want := range []string{"GP106 error tiny", "GP107 error tiny", "GP201 error 0000:01:00.0"} {
		if !got[want] {
			t.Errorf("missing finding %q in %v", want, got)
		}
	}
}

func TestExitCodesAndErrors(t *testing.T) {
	t.Parallel()
	root := tinyHost(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string
		stdout   string
		noStdout bool
	}{
		{"root missing", []string{"preflight", "--root", "/nonexistent/root"}, 2, "root /nonexistent/root", "", true},
		{"root not a host", []string{"preflight", "--root", t.TempDir()}, 2, "not a Linux host tree", "", true},
		{"bad format", []string{"preflight", "--root", root, "--format", "yaml"}, 2, `unknown format "yaml"`, "", true},
		{"bad fail-on", []string{"preflight", "--root", root, "--fail-on", "info"}, 2, "--fail-on", "", true},
		{"bad gpu selector", []string{"preflight", "--root", root, "--gpu", "nvidia"}, 2, "--gpu nvidia", "", true},
		{"bad release", []string{"preflight", "--root", root, "--nova-release", "yoga"}, 2, "--nova-release", "", true},
		{"unknown flag", []string{"preflight", "--frobnicate"}, 2, "unknown flag: --frobnicate", "", true},
		{"unknown check", []string{"checks", "GP999"}, 2, `no check "GP999"`, "", true},
		{"explain a check", []string{"checks", "gp202"}, 0, "", "GP202 group-not-viable", false},
		{"version", []string{"version"}, 0, "", "gpupass ", false},
		{"completion", []string{"completion", "bash"}, 0, "", "__start_gpupass", false},
		{"inventory junit", []string{"inventory", "--root", root, "--format", "junit"}, 2, "text, json or prometheus", "", true},
		{"checks prometheus", []string{"checks", "--format", "prometheus"}, 2, "checks writes text or json", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := gpupass(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.stderr)
			}
			if !strings.Contains(out, tt.stdout) || tt.noStdout && out != "" {
				t.Errorf("stdout %q, want it to contain %q (empty: %v)", out, tt.stdout, tt.noStdout)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace on stderr: %s", errOut)
			}
		})
	}
}

func TestFailOnWarning(t *testing.T) {
	t.Parallel()
	root := tinyHost(t)
	// Make the host clean but for a warning: GPU on vfio-pci, bound by
	// hand only (GP210), modules present.
	dev := filepath.Join(root, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/driver")
	os.Remove(dev)
	if err := os.Symlink("../../../../bus/pci/drivers/vfio-pci", dev); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "proc/cmdline"), []byte("ro intel_iommu=on iommu=pt\n"), 0o644)
	os.WriteFile(filepath.Join(root, "proc/modules"), []byte("vfio_pci 16384 0 - Live 0x0\nvfio_iommu_type1 45056 0 - Live 0x0\nvfio 69632 2 vfio_pci,vfio_iommu_type1, Live 0x0\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "dev/vfio"), 0o755)
	os.WriteFile(filepath.Join(root, "dev/vfio/vfio"), nil, 0o644)

	code, out, _ := gpupass(t, nil, "preflight", "--root", root)
	if code != 0 || !strings.Contains(out, "GP210 binding-not-persistent") || !strings.Contains(out, "WARN (1 warning)") {
		t.Fatalf("exit %d, want 0 with a GP210 warning:\n%s", code, out)
	}
	if code, _, _ := gpupass(t, nil, "preflight", "--root", root, "--fail-on", "warning"); code != 1 {
		t.Errorf("--fail-on warning: exit %d, want 1", code)
	}
}

func TestColor(t *testing.T) {
	t.Parallel()
	root := tinyHost(t)
	_, out, _ := gpupass(t, map[string]string{"TERM_IS_TTY": "1"}, "preflight", "--root", root)
	if !strings.Contains(out, "\x1b[31mFAIL") {
		t.Error("no colour on a terminal")
	}
	for name, env := range map[string]map[string]string{
		"not a terminal": nil,
		"NO_COLOR":       {"TERM_IS_TTY": "1", "NO_COLOR": "1"},
	} {
		_, out, _ := gpupass(t, env, "preflight", "--root", root)
		if strings.Contains(out, "\x1b[") {
			t.Errorf("%s: colour codes in output", name)
		}
	}
	_, out, _ = gpupass(t, map[string]string{"TERM_IS_TTY": "1"}, "preflight", "--root", root, "--no-color")
	if strings.Contains(out, "\x1b[") {
		t.Error("--no-color: colour codes in output")
	}
}

func TestHostnameAndReleaseFlags(t *testing.T) {
	t.Parallel()
	root := tinyHost(t)
	_, out, _ := gpupass(t, nil, "preflight", "--root", root, "--hostname", "cmp-07", "--nova-release", "caracal", "--format", "json")
	var r struct {
		NovaRelease string `json:"nova_release"`
		Host        struct{ Hostname string }
		Findings    []struct{ ID, Message string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Host.Hostname != "cmp-07" || r.NovaRelease != "2024.1" {
		t.Errorf("hostname %q release %q", r.Host.Hostname, r.NovaRelease)
	}
	for _, f := range r.Findings {
		if f.ID == "GP108" && !strings.Contains(f.Message, "given with --nova-release") {
			t.Errorf("GP108 says %q", f.Message)
		}
	}
}

func TestInventory(t *testing.T) {
	t.Parallel()
	root := tinyHost(t)
	code, out, errOut := gpupass(t, nil, "inventory", "--root", root)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"IOMMU group 1: NOT viable (0000:01:00.0 on nouveau)", "* 0000:01:00.0 10de:1eb1 VGA    nouveau  NUMA ?", "reset: flr,bus", "BARs: 0=16MiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("inventory lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = gpupass(t, nil, "inventory", "--root", root, "--format", "json")
	var inv struct {
		Schema string
		Groups []struct {
			ID       int
			Viable   bool
			Blockers []struct{ Address, Driver string }
			Devices  []struct {
				Address, Role string
				Passthrough   bool
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatal(err)
	}
	if inv.Schema != "gpupass/inventory/v1" || len(inv.Groups) != 1 || inv.Groups[0].Viable || inv.Groups[0].Blockers[0].Driver != "nouveau" {
		t.Errorf("inventory JSON: %+v", inv)
	}
	roles := map[string]string{}
	for _, d := range inv.Groups[0].Devices {
		roles[d.Address] = d.Role
		if d.Address == "0000:01:00.0" && !d.Passthrough {
			t.Error("the vfio-pci.ids GPU is not marked passthrough")
		}
	}
	if roles["0000:00:01.0"] != "bridge" || roles["0000:01:00.0"] != "gpu" {
		t.Errorf("roles %v", roles)
	}
}
