package hostview

import (
	"slices"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

func intp(i int) *int { return &i }

// workstation is a card whose GPU is on vfio-pci and whose audio function
// is on snd_hda_intel, sharing IOMMU group 1 with a root port and an NVMe
// drive of another slot; the ASPEED display is the boot VGA.
func workstation() *hostinfo.Host {
	yes := true
	return &hostinfo.Host{
		Hostname: "ws",
		Kernel:   hostinfo.Kernel{Cmdline: "BOOT_IMAGE=/vmlinuz intel_iommu=on vfio-pci.ids=10de:1e07,zz module_blacklist=nouveau"},
		Modules:  []hostinfo.Module{{Name: "vfio_pci", State: hostinfo.ModuleLoaded}, {Name: "nvidia", State: hostinfo.ModuleLoaded}},
		Modprobe: []hostinfo.Directive{
			{File: "/etc/modprobe.d/vfio.conf", Line: 1, Command: "softdep", Module: "nvidia", Args: "pre: vfio-pci"},
			{File: "/etc/modprobe.d/vfio.conf", Line: 2, Command: "options", Module: "vfio_pci", Args: "ids=10de:10f7"},
			{File: "/etc/modprobe.d/bl.conf", Line: 3, Command: "install", Module: "radeon", Args: "/bin/false"},
		},
		Devices: []pcidev.Device{
			{Address: "0000:00:01.0", VendorID: "8086", DeviceID: "1901", Class: "060400", Driver: "pcieport", IOMMUGroup: intp(1)},
			{Address: "0000:01:00.0", VendorID: "10de", DeviceID: "1e07", Class: "030000", Driver: "vfio-pci", IOMMUGroup: intp(1)},
			{Address: "0000:01:00.1", VendorID: "10de", DeviceID: "10f7", Class: "040300", Driver: "snd_hda_intel", IOMMUGroup: intp(1)},
			{Address: "0000:02:00.0", VendorID: "144d", DeviceID: "a808", Class: "010802", Driver: "nvme", IOMMUGroup: intp(1)},
			{Address: "0000:03:00.0", VendorID: "1a03", DeviceID: "2000", Class: "030000", Driver: "ast", IOMMUGroup: intp(2), BootVGA: &yes},
			{Address: "0000:04:00.0", VendorID: "10de", DeviceID: "2230", Class: "030000", Driver: "nvgrace_gpu_vfio_pci", IOMMUGroup: intp(3)},
		},
	}
}

func addrs(ds []*pcidev.Device) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Address)
	}
	return out
}

func TestView(t *testing.T) {
	h := workstation()
	all, _ := pcidev.ParseSelector("10de:2230")
	v := New(h, []pcidev.Selector{all}, nil)

	if len(v.GPUs) != 2 || v.GPUs[0].Device.Address != "0000:01:00.0" || v.GPUs[1].Device.Address != "0000:04:00.0" {
		t.Fatalf("GPUs %v", v.GPUs)
	}
	why := strings.Join(v.GPUs[0].Why, "; ")
	if why != "bound to vfio-pci; vfio-pci.ids=10de:1e07 on the kernel command line" {
		t.Errorf("why 01:00.0: %q", why)
	}
	if !slices.Equal(v.GPUs[1].Why, []string{"--gpu 10de:2230", "bound to nvgrace_gpu_vfio_pci"}) {
		t.Errorf("why 04:00.0: %q", v.GPUs[1].Why)
	}
	if len(v.Claims) != 3 || v.Claims[1].Err == nil || v.Claims[2].Source != "/etc/modprobe.d/vfio.conf:2" {
		t.Errorf("claims %+v", v.Claims)
	}
	audio := v.Device("0000:01:00.1")
	if got := v.BootClaims(audio); len(got) != 1 || !strings.Contains(got[0], "options vfio-pci ids=10de:10f7") {
		t.Errorf("audio boot claims %v", got)
	}
	blockers := GroupBlockers(v, 1)
	if len(blockers) != 2 || blockers[0].Device.Address != "0000:01:00.1" || blockers[1].Device.Address != "0000:02:00.0" {
		t.Errorf("blockers %+v", blockers)
	}
	if got := GroupBlockers(v, 3); len(got) != 0 {
		t.Errorf("a variant driver blocks its group: %+v", got)
	}

	gpu := v.Device("0000:01:00.0")
	if got := addrs(v.ForeignEndpoints(gpu)); !slices.Equal(got, []string{"0000:02:00.0"}) {
		t.Errorf("foreign endpoints %v", got)
	}
	if got := addrs(v.Companions(gpu)); !slices.Equal(got, []string{"0000:01:00.1"}) {
		t.Errorf("companions %v", got)
	}
	if !v.IsCompanion(audio) || v.IsCompanion(gpu) || v.IsCompanion(v.Device("0000:02:00.0")) {
		t.Error("IsCompanion")
	}
	if got := addrs(v.CandidateGPUs()); !slices.Equal(got, []string{"0000:01:00.0", "0000:04:00.0"}) {
		t.Errorf("candidates %v (the boot VGA ASPEED is none)", got)
	}
	if got := v.GroupIDs(); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("groups %v", got)
	}
	if got := v.ModuleBlocked("nouveau"); got != "module_blacklist=nouveau on the kernel command line" {
		t.Errorf("nouveau blocked by %q", got)
	}
	if got := v.ModuleBlocked("radeon"); !strings.HasPrefix(got, "install radeon /bin/false") {
		t.Errorf("radeon blocked by %q", got)
	}
	if v.ModuleBlocked("nvidia") != "" || v.SoftdepBefore("nvidia", "vfio-pci") == "" || v.SoftdepBefore("nouveau", "vfio_pci") != "" {
		t.Error("nvidia is ordered by softdep, not blocked; nouveau has no softdep")
	}
	if m, ok := v.Module("vfio-pci"); !ok || m.State != hostinfo.ModuleLoaded {
		t.Error("Module(vfio-pci)")
	}

	inv := Inventory(v, false)
	if len(inv.Groups) != 3 || inv.Groups[0].Viable || !inv.Groups[2].Viable || len(inv.Groups[0].Blockers) != 2 {
		t.Errorf("inventory groups %+v", inv.Groups)
	}
	if inv.Groups[0].Devices[0].Role != "bridge" || inv.Groups[0].Devices[2].Role != "companion" || !inv.Groups[0].Devices[1].Passthrough {
		t.Errorf("roles %+v", inv.Groups[0].Devices)
	}
}

// A VF of NVIDIA's vendor-specific VFIO framework stays on nvidia, which
// registers it with VFIO: it does not block its group; a plain VF on
// nvidia (no nvidia/ directory) does.
func TestVendorVGPUVFDoesNotBlock(t *testing.T) {
	h := &hostinfo.Host{Devices: []pcidev.Device{
		{Address: "0000:41:00.4", VendorID: "10de", DeviceID: "26b9", Class: "030200", Driver: "nvidia", IOMMUGroup: intp(7), PhysFn: "0000:41:00.0", VGPU: &pcidev.VendorVGPU{}},
		{Address: "0000:41:00.5", VendorID: "10de", DeviceID: "26b9", Class: "030200", Driver: "nvidia", IOMMUGroup: intp(8), PhysFn: "0000:41:00.0"},
	}}
	v := New(h, nil, nil)
	if got := GroupBlockers(v, 7); len(got) != 0 {
		t.Errorf("vendor-framework VF blocks its group: %+v", got)
	}
	if got := GroupBlockers(v, 8); len(got) != 1 {
		t.Errorf("a VF on nvidia without nvidia/ does not block its group: %+v", got)
	}
}

// A VF shares its slot with its PF and sibling VFs (NVIDIA's VFs start at
// function 4 of the PF's slot), but they are not functions of one card to
// be assigned together: GP204 called the PF a companion of each VF.
func TestVFHasNoCompanions(t *testing.T) {
	h := &hostinfo.Host{Devices: []pcidev.Device{
		{Address: "0000:3d:00.0", VendorID: "10de", DeviceID: "26b9", Class: "030200", Driver: "nvidia", IOMMUGroup: intp(6), SRIOV: &pcidev.SRIOV{TotalVFs: 32, NumVFs: 2, VFs: []string{"0000:3d:00.4", "0000:3d:00.5"}}},
		{Address: "0000:3d:00.4", VendorID: "10de", DeviceID: "26b9", Class: "030200", Driver: "nvidia", IOMMUGroup: intp(7), PhysFn: "0000:3d:00.0", VGPU: &pcidev.VendorVGPU{}},
		{Address: "0000:3d:00.5", VendorID: "10de", DeviceID: "26b9", Class: "030200", Driver: "nvidia", IOMMUGroup: intp(8), PhysFn: "0000:3d:00.0", VGPU: &pcidev.VendorVGPU{}},
	}}
	v := New(h, nil, nil)
	for _, addr := range []string{"0000:3d:00.4", "0000:3d:00.5"} {
		if got := addrs(v.Companions(v.Device(addr))); len(got) != 0 {
			t.Errorf("companions of VF %s: %v", addr, got)
		}
	}
}
