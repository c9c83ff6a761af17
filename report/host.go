package report

import (
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// Host is the inventory of a compute node in a report ("host"): what
// hostinfo read, under the names of the contract. A preflight report is a
// host report because of it.
type Host struct {
	Hostname string `json:"hostname"`
	Kernel   Kernel `json:"kernel"`
	CPU      CPU    `json:"cpu"`
	// MemoryMB is MemTotal; 0 when unknown.
	MemoryMB int64 `json:"memory_mb"`
	// KVM is true when /dev/kvm exists.
	KVM bool `json:"kvm"`
	// NUMANodes counts the NUMA nodes; 0 when unknown.
	NUMANodes int              `json:"numa_nodes"`
	ACPI      ACPI             `json:"acpi"`
	IOMMU     IOMMU            `json:"iommu"`
	VFIO      VFIO             `json:"vfio"`
	Modules   []Module         `json:"modules"`
	Modprobe  []Directive      `json:"modprobe"`
	Driverctl []DriverOverride `json:"driverctl"`
	// PCIIDs is the pci.ids database the names came from ("" for none).
	PCIIDs  string   `json:"pci_ids"`
	Devices []Device `json:"pci_devices"`
	Nova    Nova     `json:"nova"`
	// Notes say which fields could not be read and why.
	Notes []Note `json:"notes"`
}

// Kernel is the running kernel: uname -r and /proc/cmdline.
type Kernel struct {
	Release string `json:"release"`
	Cmdline string `json:"cmdline"`
	// NoModuleSupport is true for a kernel without loadable modules (no
	// /proc/modules).
	NoModuleSupport bool `json:"no_module_support,omitempty"`
}

// CPU summarises /proc/cpuinfo.
type CPU struct {
	Vendor      string `json:"vendor"`
	Model       string `json:"model"`
	LogicalCPUs int    `json:"logical_cpus"`
	// Virtualization is vmx, svm or "".
	Virtualization      string `json:"virtualization"`
	PhysicalAddressBits int    `json:"physical_address_bits"`
	// Hypervisor is true when the CPU flags say the host is a virtual
	// machine.
	Hypervisor bool `json:"hypervisor,omitempty"`
}

// ACPI lists the firmware's ACPI tables; Readable is false when they
// could not be listed.
type ACPI struct {
	Readable bool     `json:"readable"`
	Tables   []string `json:"tables"`
}

// IOMMU is the kernel's IOMMU state.
type IOMMU struct {
	Units              []string `json:"units"`
	Groups             int      `json:"groups"`
	InterruptRemapping *bool    `json:"interrupt_remapping"`
}

// VFIO is whether /dev/vfio/vfio exists.
type VFIO struct {
	Container bool `json:"container"`
}

// Module is a loaded ("loaded") or built-in ("builtin") kernel module.
type Module struct {
	Name   string            `json:"name"`
	State  string            `json:"state"`
	Params map[string]string `json:"params,omitempty"`
}

// Directive is one modprobe.d line.
type Directive struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Command string `json:"command"`
	Module  string `json:"module"`
	Args    string `json:"args,omitempty"`
}

// DriverOverride is a persistent driverctl override.
type DriverOverride struct {
	Address string `json:"address"`
	Driver  string `json:"driver"`
	File    string `json:"file"`
}

// Nova is the Nova installed on the host.
type Nova struct {
	Version string `json:"version,omitempty"`
	Path    string `json:"path,omitempty"`
}

// Note records a host path that could not be read, and why.
type Note struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Device is a PCI function. IDs are lower-case hex without 0x: 4 digits
// for vendor and device, 6 for the class; "" is unknown.
type Device struct {
	Address           string   `json:"address"`
	VendorID          string   `json:"vendor_id"`
	DeviceID          string   `json:"device_id"`
	Class             string   `json:"class"`
	SubsystemVendorID string   `json:"subsystem_vendor_id,omitempty"`
	SubsystemDeviceID string   `json:"subsystem_device_id,omitempty"`
	VendorName        string   `json:"vendor_name,omitempty"`
	Model             string   `json:"model,omitempty"`
	Driver            string   `json:"driver"`
	DriverModule      string   `json:"driver_module,omitempty"`
	DriverOverride    string   `json:"driver_override,omitempty"`
	IOMMUGroup        *int     `json:"iommu_group"`
	NUMANode          *int     `json:"numa_node"`
	BootVGA           *bool    `json:"boot_vga,omitempty"`
	ResetMethod       []string `json:"reset_method"`
	BARs              []BAR    `json:"bars,omitempty"`
	SRIOV             *SRIOV   `json:"sriov,omitempty"`
	PhysFn            string   `json:"physfn,omitempty"`
	Net               []string `json:"net,omitempty"`
	DisplayClients    []string `json:"display_clients,omitempty"`
	Parent            string   `json:"parent,omitempty"`
	Unreadable        []string `json:"unreadable,omitempty"`
}

// BAR is a base address register region in use.
type BAR struct {
	Index        int    `json:"index"`
	Size         uint64 `json:"size"`
	Is64Bit      bool   `json:"is_64bit"`
	Prefetchable bool   `json:"prefetchable"`
	IO           bool   `json:"io,omitempty"`
}

// SRIOV is a physical function's SR-IOV state.
type SRIOV struct {
	TotalVFs int      `json:"total_vfs"`
	NumVFs   int      `json:"num_vfs"`
	VFs      []string `json:"vfs,omitempty"`
}

// The conversions below keep nil slices nil and empty ones empty (the
// JSON differs: null or []), and share strings, slices of strings, maps
// and pointers with their source: neither side is changed after it.

// convertSlice maps a slice element by element, nil staying nil.
func convertSlice[S, T any](in []S, f func(*S) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}

// FromHost is the host's inventory as a report carries it; nil for nil.
func FromHost(h *hostinfo.Host) *Host {
	if h == nil {
		return nil
	}
	return &Host{
		Hostname: h.Hostname,
		Kernel:   Kernel{Release: h.Kernel.Release, Cmdline: h.Kernel.Cmdline, NoModuleSupport: h.Kernel.NoModuleSupport},
		CPU: CPU{Vendor: h.CPU.Vendor, Model: h.CPU.Model, LogicalCPUs: h.CPU.LogicalCPUs,
			Virtualization: h.CPU.Virtualization, PhysicalAddressBits: h.CPU.PhysicalAddressBits, Hypervisor: h.CPU.Hypervisor},
		MemoryMB:  h.MemoryMB,
		KVM:       h.KVM,
		NUMANodes: h.NUMANodes,
		ACPI:      ACPI{Readable: h.ACPI.Readable, Tables: h.ACPI.Tables},
		IOMMU:     IOMMU{Units: h.IOMMU.Units, Groups: h.IOMMU.Groups, InterruptRemapping: h.IOMMU.InterruptRemapping},
		VFIO:      VFIO{Container: h.VFIO.Container},
		Modules: convertSlice(h.Modules, func(m *hostinfo.Module) Module {
			return Module{Name: m.Name, State: string(m.State), Params: m.Params}
		}),
		Modprobe: convertSlice(h.Modprobe, func(d *hostinfo.Directive) Directive {
			return Directive{File: d.File, Line: d.Line, Command: d.Command, Module: d.Module, Args: d.Args}
		}),
		Driverctl: convertSlice(h.Driverctl, func(o *hostinfo.DriverOverride) DriverOverride {
			return DriverOverride{Address: o.Address, Driver: o.Driver, File: o.File}
		}),
		PCIIDs:  h.PCIIDs,
		Devices: convertSlice(h.Devices, FromDevice),
		Nova:    Nova{Version: h.Nova.Version, Path: h.Nova.Path},
		Notes: convertSlice(h.Notes, func(n *hostinfo.Note) Note {
			return Note{Path: n.Path, Message: n.Message}
		}),
	}
}

// HostInfo is the inventory back as hostinfo's Host, for the packages that
// judge a host read from a report (the audit's fleet, drift, generate
// --from-report); nil for nil.
func (h *Host) HostInfo() *hostinfo.Host {
	if h == nil {
		return nil
	}
	return &hostinfo.Host{
		Hostname: h.Hostname,
		Kernel:   hostinfo.Kernel{Release: h.Kernel.Release, Cmdline: h.Kernel.Cmdline, NoModuleSupport: h.Kernel.NoModuleSupport},
		CPU: hostinfo.CPU{Vendor: h.CPU.Vendor, Model: h.CPU.Model, LogicalCPUs: h.CPU.LogicalCPUs,
			Virtualization: h.CPU.Virtualization, PhysicalAddressBits: h.CPU.PhysicalAddressBits, Hypervisor: h.CPU.Hypervisor},
		MemoryMB:  h.MemoryMB,
		KVM:       h.KVM,
		NUMANodes: h.NUMANodes,
		ACPI:      hostinfo.ACPI{Readable: h.ACPI.Readable, Tables: h.ACPI.Tables},
		IOMMU:     hostinfo.IOMMU{Units: h.IOMMU.Units, Groups: h.IOMMU.Groups, InterruptRemapping: h.IOMMU.InterruptRemapping},
		VFIO:      hostinfo.VFIO{Container: h.VFIO.Container},
		Modules: convertSlice(h.Modules, func(m *Module) hostinfo.Module {
			return hostinfo.Module{Name: m.Name, State: hostinfo.ModuleState(m.State), Params: m.Params}
		}),
		Modprobe: convertSlice(h.Modprobe, func(d *Directive) hostinfo.Directive {
			return hostinfo.Directive{File: d.File, Line: d.Line, Command: d.Command, Module: d.Module, Args: d.Args}
		}),
		Driverctl: convertSlice(h.Driverctl, func(o *DriverOverride) hostinfo.DriverOverride {
			return hostinfo.DriverOverride{Address: o.Address, Driver: o.Driver, File: o.File}
		}),
		PCIIDs:  h.PCIIDs,
		Devices: convertSlice(h.Devices, (*Device).PCIDevice),
		Nova:    hostinfo.NovaInstall{Version: h.Nova.Version, Path: h.Nova.Path},
		Notes: convertSlice(h.Notes, func(n *Note) hostinfo.Note {
			return hostinfo.Note{Path: n.Path, Message: n.Message}
		}),
	}
}

// FromDevice is a PCI function as a report carries it.
func FromDevice(d *pcidev.Device) Device {
	return Device{
		Address: d.Address, VendorID: d.VendorID, DeviceID: d.DeviceID, Class: d.Class,
		SubsystemVendorID: d.SubsystemVendorID, SubsystemDeviceID: d.SubsystemDeviceID,
		VendorName: d.VendorName, Model: d.Model,
		Driver: d.Driver, DriverModule: d.DriverModule, DriverOverride: d.DriverOverride,
		IOMMUGroup: d.IOMMUGroup, NUMANode: d.NUMANode, BootVGA: d.BootVGA, ResetMethod: d.ResetMethod,
		BARs: convertSlice(d.BARs, func(b *pcidev.BAR) BAR {
			return BAR{Index: b.Index, Size: b.Size, Is64Bit: b.Is64Bit, Prefetchable: b.Prefetchable, IO: b.IO}
		}),
		SRIOV:  fromSRIOV(d.SRIOV),
		PhysFn: d.PhysFn, Net: d.Net, DisplayClients: d.DisplayClients, Parent: d.Parent, Unreadable: d.Unreadable,
	}
}

// PCIDevice is the function back as pcidev's Device, for pcidev's
// judgements.
func (d *Device) PCIDevice() pcidev.Device {
	return pcidev.Device{
		Address: d.Address, VendorID: d.VendorID, DeviceID: d.DeviceID, Class: d.Class,
		SubsystemVendorID: d.SubsystemVendorID, SubsystemDeviceID: d.SubsystemDeviceID,
		VendorName: d.VendorName, Model: d.Model,
		Driver: d.Driver, DriverModule: d.DriverModule, DriverOverride: d.DriverOverride,
		IOMMUGroup: d.IOMMUGroup, NUMANode: d.NUMANode, BootVGA: d.BootVGA, ResetMethod: d.ResetMethod,
		BARs: convertSlice(d.BARs, func(b *BAR) pcidev.BAR {
			return pcidev.BAR{Index: b.Index, Size: b.Size, Is64Bit: b.Is64Bit, Prefetchable: b.Prefetchable, IO: b.IO}
		}),
		SRIOV:  d.SRIOV.pcidev(),
		PhysFn: d.PhysFn, Net: d.Net, DisplayClients: d.DisplayClients, Parent: d.Parent, Unreadable: d.Unreadable,
	}
}

func fromSRIOV(s *pcidev.SRIOV) *SRIOV {
	if s == nil {
		return nil
	}
	return &SRIOV{TotalVFs: s.TotalVFs, NumVFs: s.NumVFs, VFs: s.VFs}
}

func (s *SRIOV) pcidev() *pcidev.SRIOV {
	if s == nil {
		return nil
	}
	return &pcidev.SRIOV{TotalVFs: s.TotalVFs, NumVFs: s.NumVFs, VFs: s.VFs}
}
