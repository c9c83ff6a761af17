package pcidev

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in   string
		want Selector
		err  bool
	}{
		{in: "all", want: Selector{Raw: "all", All: true}},
		{in: "10DE:2330", want: Selector{Raw: "10DE:2330", Vendor: "10de", Device: "2330"}},
		{in: "0000:41:00.0", want: Selector{Raw: "0000:41:00.0", Address: "0000:41:00.0"}},
		{in: "41:00.0", want: Selector{Raw: "41:00.0", Address: "0000:41:00.0"}},
		{in: "10000:01:00.0", want: Selector{Raw: "10000:01:00.0", Address: "10000:01:00.0"}},
		{in: "nvidia", err: true},
		{in: "10de:23", err: true},
		{in: "0000:41:20.0", err: true},
	}
	for _, tt := range tests {
		got, err := ParseSelector(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseSelector(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.err && diff != "" {
			t.Errorf("ParseSelector(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	aspeed := Device{Address: "0000:03:00.0", VendorID: "1a03", DeviceID: "2000", Class: "030000", Driver: "ast"}
	if (Selector{All: true}).Matches(&aspeed) {
		t.Error("--gpu all must not select a BMC's VGA")
	}
}

func TestIDClaim(t *testing.T) {
	gpu := Device{Address: "0000:41:00.0", VendorID: "10de", DeviceID: "2330", Class: "030200", Driver: "vfio-pci"}
	gpu.SubsystemVendorID, gpu.SubsystemDeviceID = "10de", "16c1"
	tests := []struct {
		raw   string
		match bool
		err   bool
	}{
		{"10de:2330", true, false},
		{"10DE:2330", true, false},
		{"10de:2330:10de:16c1", true, false},
		{"10de:2330:10de:1111", false, false},
		{"10de:2330:ffffffff:ffffffff:030000:ff0000", true, false},
		{"10de:2330:ffffffff:ffffffff:040300:ffff00", false, false},
		{"10de:2331", false, false},
		{"10de", false, true},
		{"10de:xyz", false, true},
		{"10de:2330:1:2:3:4:5", false, true},
	}
	for _, tt := range tests {
		c, err := ParseIDClaim(tt.raw)
		if (err != nil) != tt.err {
			t.Errorf("ParseIDClaim(%q) error = %v, want error %v", tt.raw, err, tt.err)
			continue
		}
		c.Err = err
		if got := c.Matches(&gpu); got != tt.match {
			t.Errorf("%q matches = %v, want %v", tt.raw, got, tt.match)
		}
	}
}

func TestDriverKinds(t *testing.T) {
	tests := []struct {
		driver         string
		vfio, variant  bool
		hostDriverText string
	}{
		{"vfio-pci", true, false, ""},
		{"pci-stub", true, false, ""},
		{"nvgrace_gpu_vfio_pci", true, true, ""},
		{"mlx5_vfio_pci", true, true, ""},
		{"mlx5-vfio-pci", true, true, ""},
		{"acme_vfio_pci", true, true, ""}, // named like the mainline ones
		{"_vfio_pci", false, false, "host"},
		{"vfio_pci", false, false, "host"}, // the module, never a driver's name
		{"nvidia", false, false, "host"},
		{"snd_hda_intel", false, false, "host"},
		{"", false, false, ""},
	}
	for _, tt := range tests {
		d := Device{Driver: tt.driver}
		if got := IsVFIODriver(tt.driver); got != tt.vfio {
			t.Errorf("IsVFIODriver(%q) = %v, want %v", tt.driver, got, tt.vfio)
		}
		if got := IsVFIOVariantDriver(tt.driver); got != tt.variant {
			t.Errorf("IsVFIOVariantDriver(%q) = %v, want %v", tt.driver, got, tt.variant)
		}
		if got := OnHostDriver(&d); got != (tt.hostDriverText == "host") {
			t.Errorf("OnHostDriver(%q) = %v", tt.driver, got)
		}
	}
}

func TestGPUHostModules(t *testing.T) {
	for vendor, want := range map[string][]string{
		"10de": {"nvidia", "nouveau"}, "1002": {"amdgpu", "radeon"}, "8086": {"i915", "xe"}, "1a03": nil,
	} {
		if got := GPUHostDriversOf(vendor); !slices.Equal(got, want) {
			t.Errorf("GPUHostDriversOf(%s) = %v, want %v", vendor, got, want)
		}
	}
	for _, m := range []string{"nvidia", "nvidia_drm", "nvidia-uvm", "i915", "xe", "amdgpu"} {
		if !IsGPUHostModule(m) {
			t.Errorf("IsGPUHostModule(%q) = false", m)
		}
	}
	for _, m := range []string{"vfio_pci", "ast", "snd_hda_intel", ""} {
		if IsGPUHostModule(m) {
			t.Errorf("IsGPUHostModule(%q) = true", m)
		}
	}
	for _, m := range []string{"vfio", "vfio-pci", "vfio_pci_core", "iommufd", "pci_stub", "nvgrace_gpu_vfio_pci"} {
		if !IsVFIOModule(m) {
			t.Errorf("IsVFIOModule(%q) = false", m)
		}
	}
	if IsVFIOModule("nvidia") {
		t.Error("IsVFIOModule(nvidia) = true")
	}
}

func TestDeviceFacts(t *testing.T) {
	yes, no := true, false
	gib := uint64(1 << 30)
	d := Device{
		Address: "0000:81:00.0", VendorID: "10de", DeviceID: "20b2", Class: "030200", BootVGA: &no,
		ResetMethod: []string{},
		BARs:        []BAR{{Index: 0, Size: 16 << 20}, {Index: 1, Size: 128 * gib, Is64Bit: true}, {Index: 3, Size: 32 * gib, Is64Bit: true}},
	}
	if !HasNoReset(&d) || IsBootVGA(&d) || !IsDisplay(&d) || IsBridge(&d) || IsVF(&d) {
		t.Errorf("facts of %+v wrong", d)
	}
	if b := LargestBAR(&d); b == nil || b.Index != 1 {
		t.Errorf("LargestBAR = %+v, want BAR1", b)
	}
	d.BARs[1].Is64Bit, d.BARs[2].Size = false, 16*gib
	if HasLargeBAR(&d) {
		t.Error("a 32-bit 128 GiB BAR and a 16 GiB one are not large BARs")
	}
	d.ResetMethod, d.BootVGA = nil, &yes
	if HasNoReset(&d) || !IsBootVGA(&d) {
		t.Error("unknown reset_method is not 'no reset'; boot_vga 1 is the boot VGA")
	}
	if got := Describe(&Device{Address: "0000:01:00.0"}); got != "0000:01:00.0 (unknown ID)" {
		t.Errorf("Describe = %q", got)
	}
	if HostDisplayMaker(&Device{VendorID: "1a03"}) != "ASPEED BMC" || IsHostDisplay(&Device{VendorID: "10de"}) {
		t.Error("host display makers wrong")
	}
}

func TestUnmatched(t *testing.T) {
	devs := []Device{{Address: "0000:41:00.0", VendorID: "10de", DeviceID: "2330", Class: "030200"}}
	var sels []Selector
	for _, s := range []string{"all", "10de:2330", "41:00.0", "10de:9999", "0000:42:00.0"} {
		sel, err := ParseSelector(s)
		if err != nil {
			t.Fatal(err)
		}
		sels = append(sels, sel)
	}
	got := Unmatched(sels, devs)
	if len(got) != 2 || got[0].Raw != "10de:9999" || got[1].Raw != "0000:42:00.0" {
		t.Errorf("Unmatched = %+v", got)
	}
	if len(Unmatched(sels[:1], nil)) != 0 {
		t.Error("all is never unmatched")
	}
}
