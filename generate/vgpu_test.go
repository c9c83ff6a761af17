package generate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

// Literal vGPU hosts, after the layouts of docs/research/vgpu-layouts.md:
// a V100 whose PF is the mdev parent (section 1), A40s whose 32 VFs are
// the parents (section 2), and an L40S under NVIDIA's vendor framework
// (section 3: VFs with nvidia/creatable_vgpu_types and current_vgpu_type).

func release(t *testing.T, name string) novarelease.Release {
	t.Helper()
	r, err := novarelease.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func baseHost(name string) *hostinfo.Host {
	h := &hostinfo.Host{Hostname: name, CPU: hostinfo.CPU{Vendor: "GenuineIntel", LogicalCPUs: 96}, MemoryMB: 768 * 1024, NUMANodes: 1,
		Kernel: hostinfo.Kernel{Cmdline: "ro intel_iommu=on iommu=pt"}, ACPI: hostinfo.ACPI{Readable: true, Tables: []string{"DMAR"}},
		IOMMU: hostinfo.IOMMU{Groups: 40}, VFIO: hostinfo.VFIO{Container: true}}
	for _, m := range []string{"nvidia", "nvidia_vgpu_vfio", "mdev", "vfio", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1"} {
		h.Modules = append(h.Modules, hostinfo.Module{Name: m, State: hostinfo.ModuleLoaded})
	}
	h.Devices = append(h.Devices, pcidev.Device{Address: "0000:02:00.0", VendorID: "1a03", DeviceID: "2000", Class: "030000", Driver: "ast", BootVGA: ptr(true), IOMMUGroup: ptr(1)})
	return h
}

// vfAddresses are the 32 VFs of a PF at bus:00.0: functions 4 to 7 of
// slot 0, then slots 1 to 4 (section 2: virtfn0 is x.4).
func vfAddresses(bus string, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		slot, fn := (i+4)/8, (i+4)%8
		out = append(out, fmt.Sprintf("0000:%s:%02x.%d", bus, slot, fn))
	}
	return out
}

// v100Host has two V100s, each its own mdev parent; the first holds one
// mdev of nvidia-105, so its other types offer nothing.
func v100Host() *hostinfo.Host {
	h := baseHost("v100-01")
	for i, addr := range []string{"0000:3b:00.0", "0000:d8:00.0"} {
		h.Devices = append(h.Devices, pcidev.Device{Address: addr, VendorID: "10de", DeviceID: "1db4", Class: "030200", Model: "GV100GL [Tesla V100 PCIe 16GB]", Driver: "nvidia", IOMMUGroup: ptr(10 + i), ResetMethod: []string{"flr"}})
		used := i == 0
		avail := func(n int) *int {
			if used {
				return ptr(0)
			}
			return ptr(n)
		}
		types := []hostinfo.MdevType{
			{ID: "nvidia-105", Name: "GRID V100-1Q", DeviceAPI: "vfio-pci", Available: ptr(16), MaxInstance: 16},
			{ID: "nvidia-106", Name: "GRID V100-2Q", DeviceAPI: "vfio-pci", Available: avail(8), MaxInstance: 8},
			{ID: "nvidia-110", Name: "GRID V100-16Q", DeviceAPI: "vfio-pci", Available: avail(1), MaxInstance: 1},
		}
		if used {
			types[0].Available = ptr(15)
			types[0].Devices = []string{"4b20d080-1b54-4048-85b3-a6a62d165c01"}
		}
		h.Mdev.Parents = append(h.Mdev.Parents, hostinfo.MdevParent{Address: addr, Types: types})
	}
	h.Mdev.Bus = true
	h.Mdev.Devices = []hostinfo.MdevDevice{{UUID: "4b20d080-1b54-4048-85b3-a6a62d165c01", Type: "nvidia-105", Parent: "0000:3b:00.0"}}
	return h
}

// a40Host has A40s with their 32 VFs enabled, each VF an mdev parent
// that takes one vGPU.
func a40Host(buses ...string) *hostinfo.Host {
	h := baseHost("a40-01")
	h.Mdev.Bus = true
	for i, bus := range buses {
		pf := "0000:" + bus + ":00.0"
		vfs := vfAddresses(bus, 32)
		h.Devices = append(h.Devices, pcidev.Device{Address: pf, VendorID: "10de", DeviceID: "2235", Class: "030200", Model: "GA102GL [A40]", Driver: "nvidia",
			IOMMUGroup: ptr(20 + i), SRIOV: &pcidev.SRIOV{TotalVFs: 32, NumVFs: 32, VFs: vfs}})
		for j, vf := range vfs {
			h.Devices = append(h.Devices, pcidev.Device{Address: vf, VendorID: "10de", DeviceID: "2235", Class: "030200", Driver: "nvidia", PhysFn: pf, IOMMUGroup: ptr(100 + 40*i + j)})
			h.Mdev.Parents = append(h.Mdev.Parents, hostinfo.MdevParent{Address: vf, Types: []hostinfo.MdevType{
				{ID: "nvidia-555", Name: "NVIDIA A40-1Q", DeviceAPI: "vfio-pci", Available: ptr(1), MaxInstance: 32},
				{ID: "nvidia-558", Name: "NVIDIA A40-2Q", DeviceAPI: "vfio-pci", Available: ptr(1), MaxInstance: 24},
				{ID: "nvidia-566", Name: "NVIDIA A40-48Q", DeviceAPI: "vfio-pci", Available: ptr(1), MaxInstance: 1},
			}})
		}
	}
	return h
}

// l40sTypes are the start of an L40S VF's creatable_vgpu_types (section
// 3.2's capture), with its largest Q type.
var l40sTypes = []pcidev.VGPUType{
	{ID: 1145, Name: "NVIDIA L40S-1B"}, {ID: 1146, Name: "NVIDIA L40S-2B"}, {ID: 1147, Name: "NVIDIA L40S-1Q"},
	{ID: 1148, Name: "NVIDIA L40S-2Q"}, {ID: 1156, Name: "NVIDIA L40S-48Q"}, {ID: 1157, Name: "NVIDIA L40S-1A"},
}

// l40sVendorHost has an L40S under NVIDIA's vendor framework, its 32 VFs
// enabled; the first typed VFs have the type 1148 and list only it, as the
// driver does once a card has vGPUs.
func l40sVendorHost(typed int) *hostinfo.Host {
	h := baseHost("l40s-01")
	pf := "0000:3d:00.0"
	vfs := vfAddresses("3d", 32)
	h.Devices = append(h.Devices, pcidev.Device{Address: pf, VendorID: "10de", DeviceID: "26b9", Class: "030200", Model: "AD102GL [L40S]", Driver: "nvidia",
		IOMMUGroup: ptr(30), SRIOV: &pcidev.SRIOV{TotalVFs: 32, NumVFs: 32, VFs: vfs}})
	for j, vf := range vfs {
		g := &pcidev.VendorVGPU{Creatable: l40sTypes, CreatableKnown: true, CurrentKnown: true}
		if typed > 0 {
			g.Creatable = []pcidev.VGPUType{{ID: 1148, Name: "NVIDIA L40S-2Q"}}
			if j < typed {
				g.Current = 1148
			}
		}
		h.Devices = append(h.Devices, pcidev.Device{Address: vf, VendorID: "10de", DeviceID: "26b9", Class: "030200", Driver: "nvidia", PhysFn: pf, IOMMUGroup: ptr(200 + j), VGPU: g})
	}
	return h
}

func TestVGPUShow(t *testing.T) {
	for _, c := range []struct {
		h    *hostinfo.Host
		rel  string
		opts Options
	}{
		{v100Host(), "zed", Options{VGPUType: "nvidia-105"}},
		{a40Host("41", "c1"), "2024.1", Options{VGPUType: "NVIDIA A40-2Q"}},
		{l40sVendorHost(0), "2025.1", Options{VGPUType: "L40S-2Q"}},
	} {
		c.opts.Release = release(t, c.rel)
		p := build(t, c.h, c.opts)
		out, err := Write(p, "all")
		if err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + out)
		_ = strings.Contains
	}
}
