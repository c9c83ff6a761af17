package checks

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/openstack/mdevconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// gh200Host is a Grace Hopper node passing its GPU through on
// nvgrace_gpu_vfio_pci, laid out as docs/research/vgpu-layouts.md section
// 7 lists: arm64 cpuinfo (Neoverse V2), /dev/kvm, an IORT with an ITS group
// and SMMUv3 nodes, smmu3.* IOMMU units, the GPU (10de:2342, GH200 120GB)
// in PCI domain 0009 with driver_override naming the variant driver, kept
// at boot by driverctl. No vfio_pci module: nothing needs it.
func gh200Host() *hostinfo.Host {
	gpu := dev("0009:01:00.0", "10de", "2342", "030200", "nvgrace_gpu_vfio_pci", 12)
	gpu.DriverOverride = "nvgrace_gpu_vfio_pci"
	return &hostinfo.Host{
		Hostname: "gh200-01",
		Kernel:   hostinfo.Kernel{Release: "6.8.0-1013-nvidia-64k", Cmdline: "BOOT_IMAGE=/vmlinuz-6.8.0-1013-nvidia-64k ro"},
		CPU:      hostinfo.CPU{Arch: "aarch64", Implementer: "0x41", Part: "0xd4f", Model: "Neoverse-V2", LogicalCPUs: 72},
		KVM:      true,
		ACPI: hostinfo.ACPI{Readable: true, Tables: []string{"APIC", "DSDT", "FACP", "IORT", "MCFG"},
			IORT: &hostinfo.IORT{ITSGroups: 1, SMMUv3: 5, RootComplexes: 5}},
		IOMMU: hostinfo.IOMMU{Units: []string{"smmu3.0x0000000011000000", "smmu3.0x0000000012000000"}, Groups: 20},
		VFIO:  hostinfo.VFIO{Container: true},
		Modules: []hostinfo.Module{
			{Name: "nvgrace_gpu_vfio_pci", State: hostinfo.ModuleLoaded},
			{Name: "vfio", State: hostinfo.ModuleLoaded}, {Name: "vfio_iommu_type1", State: hostinfo.ModuleLoaded, Params: map[string]string{"allow_unsafe_interrupts": "N"}},
			{Name: "vfio_pci_core", State: hostinfo.ModuleLoaded},
		},
		Driverctl: []hostinfo.DriverOverride{{Address: "0009:01:00.0", Driver: "nvgrace_gpu_vfio_pci", File: "/etc/driverctl.d/pci-0009:01:00.0"}},
		NUMANodes: 1,
		Devices: []pcidev.Device{
			dev("0009:00:00.0", "10de", "22b2", "060400", "pcieport", 12),
			gpu,
		},
	}
}

var platformChecks = []*Check{CPUVirtualization, IOMMUFirmware, IOMMUKernel, IOMMUCmdline, InterruptRemapping, VFIOModules, HostGPUDriverLoaded, GPUHostDriver, GroupNotViable, BindingNotPersistent, VariantDriver}

// No x86 word in what is said about an arm64 host.
func assertNoX86Advice(t *testing.T, fs []report.Finding) {
	t.Helper()
	for _, f := range fs {
		for _, x86 := range []string{"intel_iommu", "amd_iommu", "iommu=pt", "VT-d", "AMD-Vi", "DMAR", "IVRS", "kvm_intel", "kvm_amd", "intremap"} {
			if strings.Contains(f.Message+f.Remediation, x86) && !strings.Contains(f.Remediation, "have no effect on arm64") && !strings.Contains(f.Message, "no DMAR or IVRS") {
				t.Errorf("%s on arm64 speaks of %s: %s %s", f.ID, x86, f.Message, f.Remediation)
			}
		}
	}
}

func TestGH200Healthy(t *testing.T) {
	results, findings := statusOf(t, &Inputs{Host: gh200Host()}, platformChecks...)
	for id, fs := range findings {
		for _, f := range fs {
			if f.Severity != report.Info {
				t.Errorf("%s %s on a healthy GH200: %s", id, f.Severity, f.Message)
			}
		}
	}
	if len(findings["GP104"]) != 0 {
		t.Errorf("GP104 suggests on arm64: %+v", findings["GP104"])
	}
	if r := results["GP201"]; r.Status != report.StatusPass {
		t.Errorf("GP201 %+v: the GPU on nvgrace_gpu_vfio_pci is not taken as ready", r)
	}
	if f := findings["GP612"]; len(f) != 1 || f[0].Subject.Ref != "0009:01:00.0" || !strings.Contains(f[0].Message, "\"managed\": \"no\"") || !strings.Contains(f[0].Message, "Grace Hopper") {
		t.Errorf("GP612: %+v", f)
	}
	for _, fs := range findings {
		assertNoX86Advice(t, fs)
	}
}

func TestARM64Platform(t *testing.T) {
	tests := []struct {
		name   string
		breakH func(h *hostinfo.Host)
		id     string
		want   []string // substrings of the one finding's message+remediation
	}{
		{"no /dev/kvm", func(h *hostinfo.Host) { h.KVM = false }, "GP101", []string{"aarch64", "Neoverse-V2, CPU implementer 0x41, part 0xd4f", "EL2", "HYP mode not available"}},
		{"no IORT", func(h *hostinfo.Host) {
			h.ACPI.Tables, h.ACPI.IORT = []string{"APIC", "DSDT"}, nil
			h.IOMMU = hostinfo.IOMMU{Units: []string{}}
		}, "GP102", []string{"no ACPI IORT table", "SMMU"}},
		{"IORT without an SMMU", func(h *hostinfo.Host) { h.ACPI.IORT = &hostinfo.IORT{ITSGroups: 1, RootComplexes: 1} }, "GP102", []string{"describes no SMMU", "0 SMMUv3 nodes"}},
		{"SMMU described, none active", func(h *hostinfo.Host) { h.IOMMU = hostinfo.IOMMU{Units: []string{}} }, "GP103", []string{"no smmu3.* unit", "CONFIG_ARM_SMMU_V3"}},
		{"IORT without an ITS group", func(h *hostinfo.Host) { h.ACPI.IORT = &hostinfo.IORT{SMMUv3: 1, RootComplexes: 1} }, "GP105", []string{"no GIC ITS group", "No interrupt remapping support"}},
		{"vfio-pci claimed at boot but not loaded", func(h *hostinfo.Host) { h.Kernel.Cmdline += " vfio-pci.ids=10de:2901" }, "GP106", []string{"vfio_pci neither loaded nor built in"}},
		{"variant binding lost at reboot", func(h *hostinfo.Host) { h.Driverctl = nil }, "GP210", []string{"nvgrace_gpu_vfio_pci only until the next reboot", "driverctl set-override 0009:01:00.0 nvgrace_gpu_vfio_pci"}},
		{"GH200 GPU on nvidia, meant for passthrough", func(h *hostinfo.Host) {
			h.Devices[1].Driver, h.Devices[1].DriverOverride = "nvidia", ""
			h.Driverctl = []hostinfo.DriverOverride{{Address: "0009:01:00.0", Driver: "nvgrace_gpu_vfio_pci", File: "/etc/driverctl.d/pci-0009:01:00.0"}}
		}, "GP201", []string{"variant driver nvgrace_gpu_vfio_pci", "driverctl set-override 0009:01:00.0 nvgrace_gpu_vfio_pci", "cannot claim it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := gh200Host()
			tt.breakH(h)
			all, _ := pcidev.ParseSelector("all")
			_, findings := statusOf(t, &Inputs{Host: h, GPUs: []pcidev.Selector{all}}, platformChecks...)
			fs := findings[tt.id]
			if len(fs) != 1 {
				t.Fatalf("%s: %d findings, want 1: %+v", tt.id, len(fs), fs)
			}
			text := fs[0].Message + " " + fs[0].Remediation
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s finding lacks %q: %s", tt.id, w, text)
				}
			}
			for _, all := range findings {
				assertNoX86Advice(t, all)
			}
		})
	}
}

// x86 parameters on an arm64 command line change nothing there: GP104
// and GP105 say nothing of them, and no iommu=pt is suggested.
func TestARM64IgnoresX86Parameters(t *testing.T) {
	h := gh200Host()
	h.Kernel.Cmdline += " intel_iommu=off iommu=off amd_iommu=off intremap=off"
	_, findings := statusOf(t, &Inputs{Host: h}, IOMMUCmdline, InterruptRemapping)
	if len(findings["GP104"])+len(findings["GP105"]) != 0 {
		t.Errorf("x86 parameters judged on arm64: %+v", findings)
	}
	h.Kernel.Cmdline += " pcie_acs_override=downstream"
	if _, findings = statusOf(t, &Inputs{Host: h}, IOMMUCmdline); len(findings["GP104"]) != 1 {
		t.Errorf("pcie_acs_override not reported on arm64: %+v", findings["GP104"])
	}
}

// An IORT that could not be read (root only) is unknown, not absent:
// GP102 and GP105 say nothing.
func TestARM64UnreadableIORT(t *testing.T) {
	h := gh200Host()
	h.ACPI.IORT = nil
	_, findings := statusOf(t, &Inputs{Host: h}, IOMMUFirmware, IOMMUKernel, InterruptRemapping)
	if len(findings) != 0 {
		t.Errorf("findings from an unread IORT: %+v", findings)
	}
}

// A GPU serving vGPUs under NVIDIA's vendor framework: the PF on nvidia
// with SR-IOV, its VF on nvidia with nvidia/. Neither is "a passthrough GPU
// on a host driver" (GP201), nvidia is not loaded against them (GP107),
// and the VF does not block its group (GP202).
func vendorFrameworkHost() *hostinfo.Host {
	h := readyHost()
	pf := dev("0000:41:00.0", "10de", "26b9", "030200", "nvidia", 1)
	pf.SRIOV = &pcidev.SRIOV{TotalVFs: 32, NumVFs: 2, VFs: []string{"0000:41:00.4", "0000:41:00.5"}}
	vf4 := dev("0000:41:00.4", "10de", "26b9", "030200", "nvidia", 40)
	vf4.PhysFn, vf4.VGPU = pf.Address, &pcidev.VendorVGPU{Current: 1148, CurrentKnown: true}
	vf5 := dev("0000:41:00.5", "10de", "26b9", "030200", "nvidia", 41)
	vf5.PhysFn, vf5.VGPU = pf.Address, &pcidev.VendorVGPU{CurrentKnown: true}
	h.Devices = []pcidev.Device{h.Devices[0], pf, vf4, vf5, h.Devices[2]}
	h.Kernel.Cmdline = "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt"
	// nvidia.ko registers the VFs through vfio_pci_core, which it pulls in.
	h.Modules = append(h.Modules, hostinfo.Module{Name: "nvidia", State: hostinfo.ModuleLoaded}, hostinfo.Module{Name: "vfio_pci_core", State: hostinfo.ModuleLoaded})
	return h
}

func TestVendorFrameworkGPUsAreNotOnAHostDriver(t *testing.T) {
	all, _ := pcidev.ParseSelector("all")
	for _, sel := range [][]pcidev.Selector{nil, {all}} {
		_, findings := statusOf(t, &Inputs{Host: vendorFrameworkHost(), GPUs: sel}, GPUHostDriver, GroupNotViable, HostGPUDriverLoaded, VFIOModules)
		for id, fs := range findings {
			t.Errorf("%s (--gpu %v): %+v", id, sel, fs)
		}
	}
	// Without nvidia/ the same VF on nvidia is a GPU on a host driver.
	h := vendorFrameworkHost()
	h.Devices[2].VGPU = nil
	_, findings := statusOf(t, &Inputs{Host: h, GPUs: []pcidev.Selector{all}}, GPUHostDriver)
	if len(findings["GP201"]) == 0 {
		t.Errorf("a VF on nvidia without the vendor framework is accepted")
	}
}

// An mdev parent serves vGPUs too: GP107 and GP201 leave it alone.
func TestMdevParentIsNotOnAHostDriver(t *testing.T) {
	h := readyHost()
	h.Devices[1].Driver = "nvidia"
	h.Kernel.Cmdline = "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt"
	h.Modules = append(h.Modules, hostinfo.Module{Name: "nvidia", State: hostinfo.ModuleLoaded})
	h.Mdev = hostinfo.Mdev{Bus: true, Parents: []hostinfo.MdevParent{{Address: "0000:41:00.0", Types: []hostinfo.MdevType{{ID: "nvidia-558"}}}}}
	all, _ := pcidev.ParseSelector("all")
	_, findings := statusOf(t, &Inputs{Host: h, GPUs: []pcidev.Selector{all}}, GPUHostDriver, HostGPUDriverLoaded)
	if len(findings) != 0 {
		t.Errorf("an mdev parent called a GPU on a host driver: %+v", findings)
	}
	h.Mdev = hostinfo.Mdev{}
	if _, findings = statusOf(t, &Inputs{Host: h, GPUs: []pcidev.Selector{all}}, GPUHostDriver, HostGPUDriverLoaded); len(findings["GP201"]) != 1 || len(findings["GP107"]) != 1 {
		t.Errorf("without mdev, GP201 and GP107 must fire: %+v", findings)
	}
}

func TestVariantDriverRelease(t *testing.T) {
	for rel, want := range map[string]string{
		"zed":    "Nova zed has no \"managed\" tag (it came in 2025.1)",
		"2025.1": "Nova 2025.1 passes it through when its [pci]device_spec entry says \"managed\": \"no\"",
		"2026.1": "Nova 2026.1 passes it through",
	} {
		r, err := novarelease.Parse(rel)
		if err != nil {
			t.Fatal(err)
		}
		_, findings := statusOf(t, &Inputs{Host: gh200Host(), NovaRelease: r}, VariantDriver)
		if f := findings["GP612"]; len(f) != 1 || !strings.Contains(f[0].Message, want) {
			t.Errorf("%s: %+v, want %q", rel, f, want)
		}
	}
	results, _ := statusOf(t, &Inputs{Host: readyHost()}, VariantDriver)
	if r := results["GP612"]; r.Status != report.StatusSkip {
		t.Errorf("GP612 on a host without variant drivers: %+v", r)
	}
}

// A host whose GPUs serve mediated devices needs vfio, its IOMMU backend
// and the mdev core, not vfio-pci (no device is bound to it): GP106 asked
// every vGPU host for vfio_pci.
func TestVFIOModulesOnMdevHost(t *testing.T) {
	h := readyHost()
	h.Devices[1].Driver = "nvidia"
	h.Kernel.Cmdline = "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt"
	var mods []hostinfo.Module
	for _, m := range h.Modules {
		if m.Name != "vfio_pci" {
			mods = append(mods, m)
		}
	}
	h.Modules = append(mods, hostinfo.Module{Name: "nvidia", State: hostinfo.ModuleLoaded}, hostinfo.Module{Name: "nvidia_vgpu_vfio", State: hostinfo.ModuleLoaded})
	h.Mdev = hostinfo.Mdev{Bus: true, Parents: []hostinfo.MdevParent{{Address: h.Devices[1].Address, Types: []hostinfo.MdevType{{ID: "nvidia-105"}}}}}
	_, findings := statusOf(t, &Inputs{Host: h}, VFIOModules)
	fs := findings["GP106"]
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "mdev neither loaded") || strings.Contains(fs[0].Message, "vfio_pci") {
		t.Fatalf("GP106 without the mdev module: %+v", fs)
	}
	if !strings.Contains(fs[0].Remediation, "modprobe -a vfio vfio_iommu_type1 mdev") {
		t.Errorf("remediation: %s", fs[0].Remediation)
	}
	h.Modules = append(h.Modules, hostinfo.Module{Name: "mdev", State: hostinfo.ModuleLoaded})
	if _, findings := statusOf(t, &Inputs{Host: h}, VFIOModules); len(findings) != 0 {
		t.Errorf("GP106 on a vGPU host with vfio, vfio_iommu_type1 and mdev: %+v", findings)
	}
}

// mdev types enabled on a vendor-framework host cannot work (GP607 says
// so): GP106 must not then ask for the mdev module.
func TestVFIOModulesVendorFrameworkWithMdevTypes(t *testing.T) {
	h := vendorFrameworkHost()
	conf := &mdevconf.Conf{Enabled: []string{"nvidia-1148"}}
	pass := &Pass{Check: VFIOModules, Inputs: &Inputs{Host: h}, Host: hostview.New(h, nil, nil), Mdev: conf}
	if err := VFIOModules.Run(pass); err != nil {
		t.Fatal(err)
	}
	if len(pass.findings) != 0 {
		t.Errorf("GP106 on a vendor-framework host with mdev types enabled: %+v", pass.findings)
	}
}

// A GH200 GPU not (yet) bound, meant for nvgrace_gpu_vfio_pci by its
// device_spec: GP106 asked for vfio_pci, and GP608 offered to bind it to
// vfio-pci, which cannot drive a Grace Hopper GPU.
func TestUnboundGH200WantsItsVariantDriver(t *testing.T) {
	h := gh200Host()
	h.Devices[1].Driver, h.Devices[1].DriverOverride, h.Driverctl = "", "", nil
	conf := testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2342", "managed": "no"}`), 0o640})
	epoxy, _ := novarelease.Parse("2025.1")
	_, findings := statusOf(t, &Inputs{Host: h, NovaConf: conf, NovaRelease: epoxy}, VFIOModules, ManagedMismatch)
	if fs := findings["GP106"]; len(fs) != 0 {
		t.Errorf("GP106 on a GH200 host with vfio_pci_core: %+v", fs)
	}
	fs := findings["GP608"]
	if len(fs) != 1 || !strings.Contains(fs[0].Remediation, "driverctl set-override 0009:01:00.0 nvgrace_gpu_vfio_pci") {
		t.Errorf("GP608: %+v", fs)
	}
}
