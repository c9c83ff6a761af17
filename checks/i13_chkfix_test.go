package checks

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// GP207 on aarch64 speaks of the virt machine type and AAVMF, never of
// q35, which does not exist there.
func TestLargeBARAarch64NoQ35(t *testing.T) {
	h := gh200Host()
	gpu := device(t, h, "0009:01:00.0")
	gpu.BARs = []pcidev.BAR{{Index: 0, Size: 16 << 20}, {Index: 2, Size: 128 << 30, Is64Bit: true, Prefetchable: true}}
	_, findings := statusOf(t, &Inputs{Host: h}, LargeBAR)
	fs := findings["GP207"]
	if len(fs) != 1 {
		t.Fatalf("GP207 findings = %v, want 1", fs)
	}
	text := fs[0].Message + " " + fs[0].Remediation
	if strings.Contains(text, "q35=") || strings.Contains(text, "=q35") || strings.Contains(text, "x86_64") {
		t.Errorf("GP207 on aarch64 advises q35: %s", text)
	}
	for _, want := range []string{"virt", "aarch64=virt", "hw_firmware_type=uefi", "AAVMF"} {
		if !strings.Contains(text, want) {
			t.Errorf("GP207 on aarch64 does not say %q: %s", want, text)
		}
	}
}

// fixtureFindings runs the preflight sections on a host fixture under
// testdata/hosts, as gpupass preflight --root does, and returns the
// findings of one check.
func fixtureFindings(t *testing.T, fixture, id string) []report.Finding {
	t.Helper()
	node, err := collect.Read(filepath.Join("..", "testdata", "hosts", fixture), collect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := &Inputs{Host: node.Host, NovaConf: node.NovaConf, NovaRelease: node.Release, NovaReleaseFrom: node.ReleaseFrom}
	rep := Run(in, InSection(All, "GP1", "GP2", "GP3", "GP6"))
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no %s finding", fixture, id)
	}
	return out
}

// deviceAddressesLines are the device_addresses values a text prints.
var deviceAddressesRE = regexp.MustCompile(`device_addresses = ([0-9A-Za-z:.,]+)`)

// GP602's fixes each print one line nova-compute accepts: every entry
// once, well formed, an mdev parent offering the type, in no other group;
// all of a group's fixes print the same line.
func TestMdevAddressFixesAreAcceptedLines(t *testing.T) {
	fs := fixtureFindings(t, "a40-mdev-addresses-invalid", "GP602")
	lines := map[string]bool{}
	for _, f := range fs {
		for _, m := range deviceAddressesRE.FindAllStringSubmatch(f.Remediation, -1) {
			line := strings.TrimRight(m[1], ".,")
			seen := map[string]bool{}
			for _, a := range strings.Split(line, ",") {
				if seen[a] {
					t.Errorf("%s: fix lists %s twice: %s", f.Subject.Ref, a, line)
				}
				seen[a] = true
				if _, ok := canonicalAddress(a); !ok {
					t.Errorf("%s: fix keeps the malformed %s: %s", f.Subject.Ref, a, line)
				}
				if a == "0000:18:00.0" || a == "0000:3b:00.0" {
					t.Errorf("%s: fix keeps %s, no mdev parent: %s", f.Subject.Ref, a, line)
				}
				if a == "0000:3b:00.7" && f.Subject.Ref == "[mdev_nvidia-558]device_addresses" {
					t.Errorf("%s: [mdev_nvidia-558]'s fix lists 0000:3b:00.7, which [mdev_nvidia-560] lists: %s", f.Subject.Ref, line)
				}
			}
			if f.Subject.Ref == "[mdev_nvidia-558]device_addresses" {
				lines[line] = true
			}
		}
	}
	if len(lines) != 1 {
		t.Errorf("[mdev_nvidia-558]'s fixes print %d different lines, want one: %v", len(lines), lines)
	}
}

// GP601's fixes print one enabled_mdev_types line with every correction
// applied, and name the section as the file writes it.
func TestMdevTypeFixesAgree(t *testing.T) {
	fs := fixtureFindings(t, "a40-mdev-type-names", "GP601")
	re := regexp.MustCompile(`enabled_mdev_types = ([^ ]+(?: [^ (]+)*?)(?: \(|,? and|;|$)`)
	lines := map[string]bool{}
	for _, f := range fs {
		m := re.FindStringSubmatch(f.Remediation)
		if m == nil {
			t.Fatalf("no enabled_mdev_types line in %q", f.Remediation)
		}
		lines[strings.TrimRight(m[1], ",")] = true
	}
	if len(lines) != 1 || !lines["nvidia-558,nvidia-556"] {
		t.Errorf("GP601's fixes print %v, want the one line nvidia-558,nvidia-556", lines)
	}
	var all string
	for _, f := range fs {
		all += f.Message + " " + f.Remediation
	}
	if !strings.Contains(all, "[mdev_NVIDIA A40-2Q]") || strings.Contains(all, "[mdev_nvidia a40-2q]") {
		t.Errorf("GP601 does not name [mdev_NVIDIA A40-2Q] as written: %s", all)
	}
}

// GP607's fixes put each device_spec and alias line on its own line.
func TestVendorFrameworkFixOneLineEach(t *testing.T) {
	fs := fixtureFindings(t, "l40s-vendor-misconfigured", "GP607")
	checked := 0
	for _, f := range fs {
		if !strings.Contains(f.Remediation, "device_spec = {") {
			continue
		}
		checked++
		for _, line := range strings.Split(f.Remediation, "\n") {
			if n := strings.Count(line, "device_spec = {") + strings.Count(line, "alias = {"); n > 1 {
				t.Errorf("%s: %d options on one line: %s", f.Subject.Ref, n, line)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no GP607 fix prints a device_spec")
	}
}

// GP608's fix prints the entry with all its keys, plus managed.
func TestManagedFixKeepsKeys(t *testing.T) {
	fs := fixtureFindings(t, "l40s-managed-mismatch", "GP608")
	want := `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:3d:00.4", "resource_class": "CUSTOM_L40S_2Q", "managed": "no"}`
	for _, f := range fs {
		if strings.Contains(f.Remediation, "keeping its other keys") {
			if !strings.Contains(f.Remediation, want) {
				t.Errorf("GP608's fix does not print %s: %s", want, f.Remediation)
			}
			return
		}
	}
	t.Fatal("no GP608 finding says to add managed")
}

func TestVFWithManagedNo(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"vendor_id":"10de", "managed": "yes", "x": [1, 2]}`, `{"vendor_id": "10de", "managed": "no", "x": [1,2]}`},
		{`{"a": "b"}`, `{"a": "b", "managed": "no"}`},
		{`[{"a": "b"}]`, ``},
		{`{"a": "b"} {}`, ``},
		{`{"a": }`, ``},
	} {
		got, ok := vfWithManagedNo(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("vfWithManagedNo(%s) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// GP611 words report_in_placement by its state: l40s-placement-mix has it
// on already.
func TestOneTimeUseWordedByPlacementState(t *testing.T) {
	for _, f := range fixtureFindings(t, "l40s-placement-mix", "GP611") {
		if strings.Contains(f.Message, "once report_in_placement is on") || strings.Contains(f.Remediation, "enable [pci]report_in_placement") {
			t.Errorf("GP611 speaks of turning report_in_placement on, which is on: %s %s", f.Message, f.Remediation)
		}
		if !strings.Contains(f.Message+f.Remediation, "already on") {
			t.Errorf("GP611 does not say report_in_placement is on: %s %s", f.Message, f.Remediation)
		}
	}
}

// GP102 counts root complexes in English.
func TestIORTSummaryPlural(t *testing.T) {
	fs := fixtureFindings(t, "gh200-no-smmu", "GP102")
	if !strings.Contains(fs[0].Message, "3 root complexes") || strings.Contains(fs[0].Message, "complexs") {
		t.Errorf("GP102: %s", fs[0].Message)
	}
}

// GP302's warnings each get a fix about what they say: not the ID and
// address advice for a tag or a devname.
func TestDeviceSpecWarningRemedies(t *testing.T) {
	fs := fixtureFindings(t, "l40s-placement-mix", "GP302")
	want := map[string]string{"one_time_use": `Remove the "one_time_use" tag`, "devname": "ls /sys/class/net"}
	for _, f := range fs {
		if strings.Contains(f.Remediation, "four lower-case hex digits") {
			t.Errorf("GP302 %q gets the ID advice: %s", f.Message, f.Remediation)
		}
		for k, fix := range want {
			if strings.Contains(f.Message, k) && !strings.Contains(f.Remediation, fix) {
				t.Errorf("GP302 %q: fix %q does not say %q", f.Message, f.Remediation, fix)
			}
		}
	}
	for _, tt := range []struct{ msg, want string }{
		{`vendor_id '10DE' is not written as 4 hex digits; Nova reads it as 10de`, "four lower-case hex digits"},
		{`device_spec key "address" is given more than once; Nova keeps the last value`, "each key once"},
		{`tag "managd" is not one Nova 2025.1 uses: Nova keeps it as a free-form tag that only requests naming it can match (a misspelt key?)`, "spelling"},
		{`one_time_use=true: Nova 2025.2 refuses to start unless [pci]report_in_placement is true`, "report_in_placement = true"},
		{`address key "dom" is not one of domain, bus, slot, function: Nova ignores it`, "only the keys"},
	} {
		if got := specDiagRemedy(pcispec.Diagnostic{Message: tt.msg}); !strings.Contains(got, tt.want) {
			t.Errorf("specDiagRemedy(%q) = %q, want it to say %q", tt.msg, got, tt.want)
		}
	}
	if got := aliasDiagRemedy(pcispec.Diagnostic{Message: `alias "a": capability_type is compared with a device tag of that name`}); !strings.Contains(got, "capability_type") {
		t.Errorf("aliasDiagRemedy: %q", got)
	}
}

// GP201 does not advise vfio-pci for a GPU that nova.conf means for vGPUs.
func TestGPUHostDriverVGPUIntended(t *testing.T) {
	fs := fixtureFindings(t, "a40-vgpu-stack-missing", "GP201")
	for _, f := range fs {
		if strings.Contains(f.Remediation, "vfio-pci ids=") || !strings.Contains(f.Message, "meant for vGPUs") || !strings.Contains(f.Remediation, "GP605") {
			t.Errorf("GP201 on a vGPU host: %s %s", f.Message, f.Remediation)
		}
	}
}

// GP106's Doc states the module rule of mdev and variant-driver hosts.
func TestVFIOModulesDocMdevRule(t *testing.T) {
	doc := VFIOModules.Doc.Summary + " " + VFIOModules.Doc.Why
	for _, want := range []string{"mediated devices", "vfio, vfio_iommu_type1 and mdev", "vfio_pci_core"} {
		if !strings.Contains(doc, want) {
			t.Errorf("GP106's Doc does not say %q: %s", want, doc)
		}
	}
}

// vfTraitsOf normalises trait names as Nova does: a name that is not a
// standard trait becomes CUSTOM_<name>, so GPU_BIG and CUSTOM_GPU_BIG are
// one trait.
func TestVFTraitsNormalisedAsNova(t *testing.T) {
	for in, want := range map[string]string{
		"GPU_BIG":             "CUSTOM_GPU_BIG",
		"CUSTOM_GPU_BIG":      "CUSTOM_GPU_BIG",
		"custom-gpu.big":      "CUSTOM_GPU_BIG",
		"gpu big":             "CUSTOM_GPU_BIG",
		"HW_PCI_ONE_TIME_USE": "HW_PCI_ONE_TIME_USE",
	} {
		var got string
		if vfStandardTraits[in] {
			got = in
		} else {
			got = vfNormalizeTrait(in)
		}
		if got != want {
			t.Errorf("trait %q is %q, want %q", in, got, want)
		}
	}
}
