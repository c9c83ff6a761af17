package main

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/gpupass/gpupass/report"
)

var update = flag.Bool("update", false, "rewrite the golden reports under testdata/golden")

const hostsDir = "../../testdata/hosts"

// expected lists every finding of every fixture as "ID severity subject",
// written from what each fixture stands for (testdata/hosts/README.md), not
// copied from output. A fixture added without an entry fails the test.
var expected = map[string][]string{
	"h100-hgx": {"GP108 info gpu-h100-07",
		"GP207 info 0000:18:00.0", "GP207 info 0000:19:00.0", "GP207 info 0000:3a:00.0", "GP207 info 0000:3b:00.0",
		"GP207 info 0000:9a:00.0", "GP207 info 0000:9b:00.0", "GP207 info 0000:ba:00.0", "GP207 info 0000:bb:00.0"},
	"turing-workstation": {"GP108 info ws-turing",
		"GP202 error 0000:01:00.1", "GP202 error 0000:01:00.2", "GP202 error 0000:01:00.3",
		"GP204 warning 0000:01:00.1", "GP204 warning 0000:01:00.2", "GP204 warning 0000:01:00.3",
		"GP303 warning [pci]device_spec", "GP303 warning [pci]alias"},
	"vtd-off-firmware": {"GP102 error r740-gpu-03", "GP108 info r740-gpu-03", "GP312 warning [pci]device_spec"},
	"iommu-off-kernel": {"GP103 error dl380-g10-12.example.com", "GP108 info dl380-g10-12.example.com", "GP307 error [pci]alias"},
	"nouveau-no-vfio": {"GP106 error compute-q4000", "GP107 error compute-q4000", "GP108 info compute-q4000", "GP201 error 0000:3b:00.0", "GP202 error 0000:3b:00.1",
		"GP304 warning [pci]device_spec", "GP306 warning 0000:3b:00.0", "GP308 warning rtx4000"},
	"nvme-shared-group": {"GP108 info compute-l40s-02", "GP202 error 0000:3e:00.0", "GP203 warning iommu-group/13", "GP207 info 0000:3d:00.0",
		"GP305 error [pci]device_spec", "GP305 warning [pci]device_spec"},
	"epyc-mi210":          {"GP108 info epyc-mi210-01", "GP205 error 0000:83:00.0", "GP207 info 0000:83:00.0", "GP310 error [filter_scheduler]enabled_filters"},
	"a100-sriov":          {"GP108 info hgx-a100-04", "GP207 info 0000:81:00.0", "GP212 info 0000:81:00.0", "GP309 error a100"},
	"boot-vga-gpu":        {"GP108 info ws-a6000", "GP206 warning 0000:17:00.0", "GP314 error /etc/nova/nova.conf"},
	"acs-override":        {"GP104 warning archbox", "GP105 warning archbox", "GP108 info archbox", "GP313 error [libvirt]virt_type"},
	"quirks":              {"GP108 info gentoo-adl", "GP301 warning /etc/nova/nova.conf", "GP302 error [pci]device_spec", "GP306 warning 0000:01:00.0", "GP313 error [libvirt]virt_type"},
	"l40s-numa":           {"GP108 info cmp-l40s-numa-01", "GP207 info 0000:3b:00.0", "GP207 info 0000:5e:00.0", "GP207 info 0000:af:00.0", "GP207 info 0000:d8:00.0"},
	"real-firecracker-vm": {"GP101 warning vm", "GP102 error vm", "GP106 error vm", "GP108 info vm"},

	// vGPU and SR-IOV GPU hosts (issue 13): the four healthy ones give
	// infos only; each variant gives what testdata/hosts/README.md says.
	"v100-mdev":                  {"GP104 info cmp-v100-02", "GP108 info cmp-v100-02", "GP604 info cmp-v100-02", "GP609 info cmp-v100-02"},
	"a40-sriov-mdev":             {"GP104 info cmp-a40-05", "GP108 info cmp-a40-05", "GP604 info cmp-a40-05", "GP606 info cmp-a40-05", "GP609 info cmp-a40-05"},
	"l40s-vendor-vfio":           {"GP104 info cmp-l40s-11", "GP108 info cmp-l40s-11", "GP607 info 0000:3d:00.0", "GP610 warning 0000:3d:00.0"},
	"gh200-nvgrace":              {"GP108 info cmp-gh200-01", "GP207 info 0009:01:00.0", "GP612 info 0009:01:00.0"},
	"a40-mdev-type-names":        {"GP104 info cmp-a40-05", "GP108 info cmp-a40-05", "GP601 error [devices]enabled_mdev_types", "GP601 error [devices]enabled_mdev_types", "GP606 warning cmp-a40-05", "GP609 info cmp-a40-05"},
	"a40-mdev-addresses-invalid": {"GP104 info cmp-a40-05", "GP108 info cmp-a40-05", "GP602 error [mdev_nvidia-558]device_addresses", "GP602 error [mdev_nvidia-558]device_addresses", "GP602 error [mdev_nvidia-558]device_addresses", "GP602 error [mdev_nvidia-560]device_addresses", "GP609 info cmp-a40-05"},
	"v100-mdev-zed-ambiguous":    {"GP104 info cmp-v100-02", "GP108 info cmp-v100-02", "GP603 warning [devices]enabled_mdev_types", "GP604 info cmp-v100-02", "GP609 info cmp-v100-02"},
	"a40-mdev-capacity":          {"GP104 info cmp-a40-05", "GP108 info cmp-a40-05", "GP604 info cmp-a40-05", "GP604 info cmp-a40-05", "GP604 warning 0000:3b:00.0", "GP606 info cmp-a40-05", "GP609 info cmp-a40-05"},
	"a40-vgpu-stack-missing":     {"GP104 info cmp-a40-05", "GP106 error cmp-a40-05", "GP108 info cmp-a40-05", "GP201 info cmp-a40-05", "GP605 error 0000:3b:00.0", "GP605 error cmp-a40-05", "GP605 error cmp-a40-05", "GP609 info cmp-a40-05"},
	"l40s-vendor-misconfigured":  {"GP104 info cmp-l40s-11", "GP108 info cmp-l40s-11", "GP607 error 0000:3d:00.0", "GP607 error [devices]enabled_mdev_types", "GP607 info 0000:3d:00.0", "GP607 warning [pci]device_spec", "GP607 warning l40s-2q", "GP610 warning 0000:3d:00.0"},
	"l40s-managed-mismatch":      {"GP104 info cmp-l40s-11", "GP106 error cmp-l40s-11", "GP107 error cmp-l40s-11", "GP108 info cmp-l40s-11", "GP201 error 0000:b1:00.0", "GP302 warning [pci]device_spec", "GP312 warning [pci]device_spec", "GP607 info 0000:3d:00.0", "GP608 error [pci]device_spec", "GP608 error [pci]device_spec", "GP611 warning [pci]device_spec"},
	"l40s-managed-old-nova":      {"GP104 info cmp-l40s-11", "GP108 info cmp-l40s-11", "GP607 error cmp-l40s-11", "GP607 info 0000:3d:00.0", "GP608 warning [pci]device_spec", "GP608 warning [pci]device_spec", "GP608 warning [pci]device_spec", "GP608 warning [pci]device_spec", "GP610 warning 0000:3d:00.0"},
	"l40s-livemig-bookworm":      {"GP104 info cmp-l40s-11", "GP108 info cmp-l40s-11", "GP607 info 0000:3d:00.0", "GP609 error [pci]device_spec", "GP609 warning [libvirt]live_migration_permit_post_copy", "GP610 warning 0000:3d:00.0"},
	"l40s-placement-mix":         {"GP104 info cmp-l40s-11", "GP106 error cmp-l40s-11", "GP108 info cmp-l40s-11", "GP207 info 0000:3d:00.0", "GP212 info 0000:3d:00.0", "GP302 warning [pci]device_spec", "GP302 warning [pci]device_spec", "GP304 warning [pci]device_spec", "GP607 error 0000:3d:00.0", "GP607 info 0000:3d:00.0", "GP608 error [pci]device_spec", "GP610 error 0000:3d:00.0", "GP610 error 0000:3d:00.0", "GP610 error [pci]device_spec", "GP611 warning [pci]device_spec"},
	"gh200-no-smmu":              {"GP102 error cmp-gh200-01", "GP108 info cmp-gh200-01", "GP207 info 0009:01:00.0", "GP608 error [pci]device_spec"},
}

// mentions are facts a fixture's findings must state, beyond their IDs:
// the device, the driver, the exact line to change.
var mentions = map[string][]string{
	"turing-workstation": {"0000:01:00.1 (10de:10f7 TU102 High Definition Audio Controller) shares iommu-group/1", "bound to snd_hda_intel",
		"softdep xhci_pci pre: vfio-pci", "softdep i2c_nvidia_gpu pre: vfio-pci", "options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7"},
	"iommu-off-kernel":           {"add intel_iommu=on", `grubby --update-kernel=ALL --args="intel_iommu=on"`},
	"vtd-off-firmware":           {"no ACPI DMAR table", "Intel VT-d"},
	"nouveau-no-vfio":            {"bound to the host driver nouveau", "softdep nouveau pre: vfio-pci", "modprobe vfio-pci"},
	"nvme-shared-group":          {"0000:3e:00.0", "nvme"},
	"epyc-mi210":                 {"no reset method", "64 GiB 64-bit BAR"},
	"a100-sriov":                 {"type-PF", "128 GiB 64-bit BAR (BAR1)"},
	"boot-vga-gpu":               {"boot VGA", "video=efifb:off"},
	"acs-override":               {"pcie_acs_override=downstream,multifunction", "vfio_iommu_type1.allow_unsafe_interrupts=1 on the kernel command line"},
	"h100-hgx":                   {"Nova 2024.1 (caracal) rules applied: detected from Nova 29.2.0"},
	"a40-mdev-type-names":        {`"NVIDIA A40-2Q", which is the human name of the mdev type nvidia-558`, "nvidia-256, which no mdev parent of this host offers", "mdevctl, which is not installed"},
	"a40-mdev-addresses-invalid": {"InvalidLibvirtMdevConfig", "incorrect PCI address: 3b:00.6", "the physical function of an SR-IOV GPU", "0000:18:00.0 (8086:1572", "0000:3b:00.5"},
	"v100-mdev-zed-ambiguous":    {"Nova zed", "nvidia-105"},
	"a40-mdev-capacity":          {"nvidia-560 (NVIDIA A40-4Q)"},
	"a40-vgpu-stack-missing":     {"/sys/class/mdev_bus is absent", "nvidia_vgpu_vfio is not loaded", "sriov_numvfs is 0 of 32"},
	"l40s-vendor-misconfigured":  {"cannot work on this host: it has no mdev bus", "current_vgpu_type is 0", "CUSTOM_L40S_2Q gathers VFs of 2 different vGPU types"},
	"l40s-managed-mismatch":      {`does not set managed`, `sets "managed": "no"`},
	"l40s-managed-old-nova":      {`sets "managed", which Nova 2024.2 ignores`},
	"l40s-livemig-bookworm":      {"libvirt 9.0.0", "live_migration_permit_post_copy is true"},
	"l40s-placement-mix":         {"PlacementPciDependentDeviceException", "PlacementPciMixedResourceClassException", "devname"},
	"gh200-no-smmu":              {"describes no SMMU"},
	"gh200-nvgrace":              {"nvgrace_gpu_vfio_pci"},
	"l40s-vendor-vfio":           {"type 1148 NVIDIA L40S-2Q"},
}

// confMentions are the nova.conf facts each fixture's findings state.
var confMentions = map[string][]string{
	"turing-workstation": {"[pci]passthrough_whitelist is a deprecated name of [pci]device_spec", "[DEFAULT]pci_alias is a deprecated name of [pci]alias"},
	"vtd-off-firmware":   {"resource_class or traits, which only take effect with [pci]report_in_placement = true"},
	"iommu-off-kernel":   {"PciInvalidAlias"},
	"nouveau-no-vfio":    {`{"vendor_id": "10de", "product_id": "1eb2"} matches no PCI device`, "10de:1eb1 TU104GL [Quadro RTX 4000]", "no GPU flavor can be scheduled here"},
	"nvme-shared-group":  {"[pci]device_spec {} offers devices this host uses itself", "(storage on nvme)"},
	"epyc-mi210":         {"lacks PciPassthroughFilter"},
	"a100-sriov":         {`Alias "a100" asks for device_type type-PCI`, "as type-PF (it has SR-IOV capability"},
	"boot-vga-gpu":       {"holds secrets ([DEFAULT]transport_url, [keystone_authtoken]password)", "mode 0644"},
	"acs-override":       {`[libvirt]virt_type is "qemu"`},
	"quirks":             {"no inline comments", "rejects this [pci]device_spec"},
}

// secrets are the passwords in the fixtures' and test files' nova.conf:
// none may reach any output.
var secrets = []string{"Rabb1tPassw0rd", "K3ystonePassw0rd", "ControllerRabbitPw"}

func fixtureNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(hostsDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) < 12 {
		t.Fatalf("only %d fixtures under %s", len(names), hostsDir)
	}
	return names
}

// TestFixtureFindings runs preflight on every host fixture and checks its
// findings, its golden JSON report, its JUnit and its text at 80 columns.
func TestFixtureFindings(t *testing.T) {
	t.Parallel()
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(hostsDir, name)
			want, ok := expected[name]
			if !ok {
				t.Fatalf("no expected findings for fixture %s", name)
			}
			code, out, errOut := gpupass(t, nil, "preflight", "--root", root, "--format", "json")
			if errOut != "" {
				t.Errorf("stderr: %s", errOut)
			}
			var rep report.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			var got []string
			var text strings.Builder
			wantCode := exitOK
			for _, f := range rep.Findings {
				got = append(got, f.ID+" "+string(f.Severity)+" "+f.Subject.Ref)
				text.WriteString(f.Message + "\n" + f.Remediation + "\n")
				if f.Severity == report.Error {
					wantCode = exitFindings
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			for _, m := range append(mentions[name], confMentions[name]...) {
				if !strings.Contains(text.String(), m) {
					t.Errorf("findings do not mention %q", m)
				}
			}
			golden(t, filepath.Join("..", "..", "testdata", "golden", "preflight", name+".json"), out)

			_, textOut, _ := gpupass(t, nil, "preflight", "--root", root)
			for _, secret := range secrets {
				if strings.Contains(out, secret) || strings.Contains(textOut, secret) {
					t.Errorf("the password %q reached the output", secret)
				}
			}
			for i, line := range strings.Split(textOut, "\n") {
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("text line %d is %d columns: %q", i+1, n, line)
				}
			}
			_, junit, _ := gpupass(t, nil, "preflight", "--root", root, "--format", "junit")
			var suites struct {
				Failures int `xml:"failures,attr"`
			}
			if err := xml.Unmarshal([]byte(junit), &suites); err != nil {
				t.Errorf("junit: %v", err)
			}
			if (suites.Failures > 0) != (wantCode == exitFindings) {
				t.Errorf("junit has %d failures with exit %d", suites.Failures, wantCode)
			}
		})
	}
}

// golden compares output with a reviewed file; -update rewrites it (and the
// diff must then be read before committing).
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/gpupass -run TestFixtureFindings -update, then review the diff)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-golden +got); if the change is intended, run with -update and review:\n%s", path, diff)
	}
}

// TestPreflightIsReadOnly checks that nothing under the root changes.
func TestPreflightIsReadOnly(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "turing-workstation")
	before := snapshotTree(t, root)
	for _, format := range []string{"text", "json", "junit"} {
		gpupass(t, nil, "preflight", "--root", root, "--format", format)
	}
	gpupass(t, nil, "inventory", "--root", root, "--all")
	if diff := cmp.Diff(before, snapshotTree(t, root)); diff != "" {
		t.Errorf("the tree changed (-before +after):\n%s", diff)
	}
}

func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			tree[rel] = "-> " + target
		case info.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			tree[rel] = info.Mode().String() + " " + info.ModTime().String() + " " + string(data)
		default:
			tree[rel] = info.Mode().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// With --api-conf, the compute node's aliases are compared with the API
// node's (GP311) and the scheduler's filters are read there (GP310).
func TestPreflightWithAPIConf(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "h100-hgx")
	code, out, errOut := gpupass(t, nil, "preflight", "--root", root, "--api-conf", "../../testdata/api-conf/controller.conf", "--format", "json")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d: %s", code, exitFindings, errOut)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.ID, "GP3") {
			got = append(got, f.ID+" "+string(f.Severity)+" "+f.Subject.Ref+" "+f.Source)
		}
	}
	want := []string{
		"GP311 error a100 ../../testdata/api-conf/controller.conf:11",
		"GP311 error h100 /etc/nova/nova.conf.d/50-gpu.conf:3",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GP3xx findings (-want +got):\n%s", diff)
	}
	for _, c := range rep.Checks {
		if c.ID == "GP310" && c.Status != report.StatusPass {
			t.Errorf("GP310 %s (%s): the API node has PciPassthroughFilter", c.Status, c.Reason)
		}
	}
	if rep.APIConf == nil || rep.APIConf.Role != "api" || strings.Contains(out, "ControllerRabbitPw") {
		t.Errorf("api_conf in the report: %+v", rep.APIConf)
	}
	golden(t, filepath.Join("..", "..", "testdata", "golden", "preflight", "h100-hgx+api-conf.json"), out)
}
