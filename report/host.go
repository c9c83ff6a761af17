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
	NUMANodes int `json:"numa_nodes"`
	// NUMATopology is each NUMA node's CPUs, memory and huge pages; absent
	// when unknown (reports before it, or sysfs unreadable).
	NUMATopology []NUMANode `json:"numa_topology,omitempty"`
	// CPUsOnline is /sys/devices/system/cpu/online ("0-63"); absent when
	// unknown.
	CPUsOnline string           `json:"cpus_online,omitempty"`
	ACPI       ACPI             `json:"acpi"`
	IOMMU      IOMMU            `json:"iommu"`
	VFIO       VFIO             `json:"vfio"`
	Modules    []Module         `json:"modules"`
	Modprobe   []Directive      `json:"modprobe"`
	Driverctl  []DriverOverride `json:"driverctl"`
	// PCIIDs is the pci.ids database the names came from ("" for none).
	PCIIDs  string   `json:"pci_ids"`
	Devices []Device `json:"pci_devices"`
	Nova    Nova     `json:"nova"`
	// Mdev is the mediated-device (vGPU) state; absent on a host with no
	// mdev bus, parent, device, definition nor mdevctl.
	Mdev *Mdev `json:"mdev,omitempty"`
	// Virt is the installed libvirt and QEMU; absent when neither was
	// found.
	Virt *Virt `json:"virt,omitempty"`
	// BootUnits are the systemd units that enable GPU VFs or set vGPU
	// types at boot; absent when there are none.
	BootUnits []BootUnit `json:"boot_units,omitempty"`
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
	// Arch is the architecture the cpuinfo format shows (x86_64,
	// aarch64); Implementer and Part are an arm64 CPU's "CPU implementer"
	// and "CPU part" (0x41, 0xd4f).
	Arch        string `json:"arch,omitempty"`
	Implementer string `json:"implementer,omitempty"`
	Part        string `json:"part,omitempty"`
}

// ACPI lists the firmware's ACPI tables; Readable is false when they
// could not be listed.
type ACPI struct {
	Readable bool     `json:"readable"`
	Tables   []string `json:"tables"`
	// IORT counts the nodes of the ACPI IORT table (arm64); absent when
	// there is none or it could not be read.
	IORT *IORT `json:"iort,omitempty"`
}

// IORT is what the ACPI IORT table describes, by node type.
type IORT struct {
	ITSGroups     int `json:"its_groups"`
	SMMUv3        int `json:"smmu_v3"`
	SMMU          int `json:"smmu"`
	RootComplexes int `json:"root_complexes"`
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
	// VGPU is a VF's state under NVIDIA's vendor-specific VFIO framework
	// (its nvidia/ directory); absent on every other function.
	VGPU       *VGPU    `json:"vgpu,omitempty"`
	Unreadable []string `json:"unreadable,omitempty"`
}

// VGPU is the nvidia/ directory of a VF under NVIDIA's vendor-specific
// VFIO framework.
type VGPU struct {
	// CreatableTypes is creatable_vgpu_types: [] when it lists none,
	// null when it could not be read.
	CreatableTypes []VGPUType `json:"creatable_vgpu_types"`
	// CurrentType is current_vgpu_type: 0 when no vGPU is created on the
	// VF, null when it could not be read.
	CurrentType *int `json:"current_vgpu_type"`
}

// VGPUType is a vGPU type NVIDIA's driver offers on a VF: a numeric ID
// (unique within one card) and its name (NVIDIA L40S-2Q).
type VGPUType struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
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
			Virtualization: h.CPU.Virtualization, PhysicalAddressBits: h.CPU.PhysicalAddressBits, Hypervisor: h.CPU.Hypervisor,
			Arch: h.CPU.Arch, Implementer: h.CPU.Implementer, Part: h.CPU.Part},
		MemoryMB:  h.MemoryMB,
		KVM:       h.KVM,
		NUMANodes: h.NUMANodes,
		ACPI:      ACPI{Readable: h.ACPI.Readable, Tables: h.ACPI.Tables, IORT: fromIORT(h.ACPI.IORT)},
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
		PCIIDs:    h.PCIIDs,
		Devices:   convertSlice(h.Devices, FromDevice),
		Nova:      Nova{Version: h.Nova.Version, Path: h.Nova.Path},
		Mdev:      fromMdev(&h.Mdev),
		Virt:      fromVirt(h.Virt),
		BootUnits: convertSlice(h.BootUnits, fromBootUnit),
		Notes: convertSlice(h.Notes, func(n *hostinfo.Note) Note {
			return Note{Path: n.Path, Message: n.Message}
		}),
		NUMATopology: fromNUMA(h.NUMATopology),
		CPUsOnline:   h.CPUsOnline,
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
			Virtualization: h.CPU.Virtualization, PhysicalAddressBits: h.CPU.PhysicalAddressBits, Hypervisor: h.CPU.Hypervisor,
			Arch: h.CPU.Arch, Implementer: h.CPU.Implementer, Part: h.CPU.Part},
		MemoryMB:  h.MemoryMB,
		KVM:       h.KVM,
		NUMANodes: h.NUMANodes,
		ACPI:      hostinfo.ACPI{Readable: h.ACPI.Readable, Tables: h.ACPI.Tables, IORT: h.ACPI.IORT.hostinfo()},
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
		PCIIDs:    h.PCIIDs,
		Devices:   convertSlice(h.Devices, (*Device).PCIDevice),
		Nova:      hostinfo.NovaInstall{Version: h.Nova.Version, Path: h.Nova.Path},
		Mdev:      h.Mdev.hostinfo(),
		Virt:      h.Virt.hostinfo(),
		BootUnits: convertSlice(h.BootUnits, (*BootUnit).hostinfo),
		Notes: convertSlice(h.Notes, func(n *Note) hostinfo.Note {
			return hostinfo.Note{Path: n.Path, Message: n.Message}
		}),
		NUMATopology: numaHostinfo(h.NUMATopology),
		CPUsOnline:   h.CPUsOnline,
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
		VGPU:   fromVGPU(d.VGPU),
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
		VGPU:   d.VGPU.pcidev(),
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

// Mdev is the host's mediated-device state (hostinfo.Mdev).
type Mdev struct {
	// Bus is true when /sys/class/mdev_bus exists.
	Bus bool `json:"bus"`
	// Parents are the mdev parents with the types they offer, by address.
	Parents []MdevParent `json:"parents,omitempty"`
	// Devices are the mediated devices that exist, by UUID.
	Devices []MdevDevice `json:"devices,omitempty"`
	// Definitions are mdevctl's persistent definitions, by file.
	Definitions []MdevDefinition `json:"definitions,omitempty"`
	// Mdevctl is the path of the mdevctl command, "" when not installed.
	Mdevctl string `json:"mdevctl,omitempty"`
}

// MdevParent is a device registered as an mdev parent.
type MdevParent struct {
	Address string     `json:"address"`
	Types   []MdevType `json:"types,omitempty"`
}

// MdevType is one of a parent's mdev_supported_types.
type MdevType struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	DeviceAPI   string `json:"device_api,omitempty"`
	// AvailableInstances is null when it could not be read.
	AvailableInstances *int `json:"available_instances"`
	// MaxInstance is max_instance= of an NVIDIA description; absent when
	// not given.
	MaxInstance int `json:"max_instance,omitempty"`
	// Devices are the UUIDs of this type's mdevs on this parent.
	Devices []string `json:"devices,omitempty"`
}

// MdevDevice is a mediated device.
type MdevDevice struct {
	UUID   string `json:"uuid"`
	Type   string `json:"type"`
	Parent string `json:"parent"`
	// IOMMUGroup is null when the mdev has none.
	IOMMUGroup *int `json:"iommu_group"`
}

// MdevDefinition is one of mdevctl's persistent definitions.
type MdevDefinition struct {
	File   string `json:"file"`
	UUID   string `json:"uuid"`
	Parent string `json:"parent"`
	Type   string `json:"type"`
	// Start is "auto" or "manual".
	Start string `json:"start"`
}

// Virt is the installed virtualization stack whose versions Nova's rules
// depend on.
type Virt struct {
	Libvirt *Component `json:"libvirt,omitempty"`
	QEMU    *Component `json:"qemu,omitempty"`
}

// Component is one installed component's version and where it was read.
type Component struct {
	Package        string `json:"package,omitempty"`
	PackageVersion string `json:"package_version,omitempty"`
	Version        string `json:"version,omitempty"`
	From           string `json:"from,omitempty"`
}

// BootUnit is a systemd unit that enables GPU VFs or sets vGPU types at
// boot.
type BootUnit struct {
	Name      string   `json:"name"`
	File      string   `json:"file"`
	Enabled   bool     `json:"enabled"`
	WantedBy  []string `json:"wanted_by,omitempty"`
	Before    []string `json:"before,omitempty"`
	After     []string `json:"after,omitempty"`
	ExecStart []string `json:"exec_start,omitempty"`
}

func fromMdev(m *hostinfo.Mdev) *Mdev {
	if !m.Bus && m.Parents == nil && m.Devices == nil && m.Definitions == nil && m.Mdevctl == "" {
		return nil
	}
	return &Mdev{
		Bus: m.Bus,
		Parents: convertSlice(m.Parents, func(p *hostinfo.MdevParent) MdevParent {
			return MdevParent{Address: p.Address, Types: convertSlice(p.Types, func(t *hostinfo.MdevType) MdevType {
				return MdevType{ID: t.ID, Name: t.Name, Description: t.Description, DeviceAPI: t.DeviceAPI,
					AvailableInstances: t.Available, MaxInstance: t.MaxInstance, Devices: t.Devices}
			})}
		}),
		Devices: convertSlice(m.Devices, func(d *hostinfo.MdevDevice) MdevDevice {
			return MdevDevice{UUID: d.UUID, Type: d.Type, Parent: d.Parent, IOMMUGroup: d.IOMMUGroup}
		}),
		Definitions: convertSlice(m.Definitions, func(d *hostinfo.MdevDefinition) MdevDefinition {
			return MdevDefinition{File: d.File, UUID: d.UUID, Parent: d.Parent, Type: d.Type, Start: d.Start}
		}),
		Mdevctl: m.Mdevctl,
	}
}

func (m *Mdev) hostinfo() hostinfo.Mdev {
	if m == nil {
		return hostinfo.Mdev{}
	}
	return hostinfo.Mdev{
		Bus:     m.Bus,
		Parents: convertSlice(m.Parents, (*MdevParent).hostinfo),
		Devices: convertSlice(m.Devices, func(d *MdevDevice) hostinfo.MdevDevice {
			return hostinfo.MdevDevice{UUID: d.UUID, Type: d.Type, Parent: d.Parent, IOMMUGroup: d.IOMMUGroup}
		}),
		Definitions: convertSlice(m.Definitions, func(d *MdevDefinition) hostinfo.MdevDefinition {
			return hostinfo.MdevDefinition{File: d.File, UUID: d.UUID, Parent: d.Parent, Type: d.Type, Start: d.Start}
		}),
		Mdevctl: m.Mdevctl,
	}
}

func (p *MdevParent) hostinfo() hostinfo.MdevParent {
	return hostinfo.MdevParent{Address: p.Address, Types: convertSlice(p.Types, func(t *MdevType) hostinfo.MdevType {
		return hostinfo.MdevType{ID: t.ID, Name: t.Name, Description: t.Description, DeviceAPI: t.DeviceAPI,
			Available: t.AvailableInstances, MaxInstance: t.MaxInstance, Devices: t.Devices}
	})}
}

func fromComponent(c hostinfo.Component) *Component {
	if c == (hostinfo.Component{}) {
		return nil
	}
	return &Component{Package: c.Package, PackageVersion: c.PackageVersion, Version: c.Version, From: c.From}
}

func (c *Component) hostinfo() hostinfo.Component {
	if c == nil {
		return hostinfo.Component{}
	}
	return hostinfo.Component{Package: c.Package, PackageVersion: c.PackageVersion, Version: c.Version, From: c.From}
}

func fromVirt(v hostinfo.Virt) *Virt {
	if v == (hostinfo.Virt{}) {
		return nil
	}
	return &Virt{Libvirt: fromComponent(v.Libvirt), QEMU: fromComponent(v.QEMU)}
}

func (v *Virt) hostinfo() hostinfo.Virt {
	if v == nil {
		return hostinfo.Virt{}
	}
	return hostinfo.Virt{Libvirt: v.Libvirt.hostinfo(), QEMU: v.QEMU.hostinfo()}
}

func fromIORT(t *hostinfo.IORT) *IORT {
	if t == nil {
		return nil
	}
	return &IORT{ITSGroups: t.ITSGroups, SMMUv3: t.SMMUv3, SMMU: t.SMMU, RootComplexes: t.RootComplexes}
}

func (t *IORT) hostinfo() *hostinfo.IORT {
	if t == nil {
		return nil
	}
	return &hostinfo.IORT{ITSGroups: t.ITSGroups, SMMUv3: t.SMMUv3, SMMU: t.SMMU, RootComplexes: t.RootComplexes}
}

func fromBootUnit(u *hostinfo.BootUnit) BootUnit {
	return BootUnit{Name: u.Name, File: u.File, Enabled: u.Enabled, WantedBy: u.WantedBy,
		Before: u.Before, After: u.After, ExecStart: u.ExecStart}
}

func (u *BootUnit) hostinfo() hostinfo.BootUnit {
	return hostinfo.BootUnit{Name: u.Name, File: u.File, Enabled: u.Enabled, WantedBy: u.WantedBy,
		Before: u.Before, After: u.After, ExecStart: u.ExecStart}
}

// fromVGPU carries a VF's vendor vGPU state: what could not be read is
// null (CreatableTypes, CurrentType), a list of no type is [].
func fromVGPU(v *pcidev.VendorVGPU) *VGPU {
	if v == nil {
		return nil
	}
	out := &VGPU{}
	if v.CreatableKnown {
		out.CreatableTypes = make([]VGPUType, len(v.Creatable))
		for i, t := range v.Creatable {
			out.CreatableTypes[i] = VGPUType{ID: t.ID, Name: t.Name}
		}
	}
	if v.CurrentKnown {
		current := v.Current
		out.CurrentType = &current
	}
	return out
}

// pcidev is the state back; a known list of no type is nil, as the
// collector makes it.
func (v *VGPU) pcidev() *pcidev.VendorVGPU {
	if v == nil {
		return nil
	}
	out := &pcidev.VendorVGPU{CreatableKnown: v.CreatableTypes != nil}
	if len(v.CreatableTypes) > 0 {
		out.Creatable = make([]pcidev.VGPUType, len(v.CreatableTypes))
		for i, t := range v.CreatableTypes {
			out.Creatable[i] = pcidev.VGPUType{ID: t.ID, Name: t.Name}
		}
	}
	if v.CurrentType != nil {
		out.Current, out.CurrentKnown = *v.CurrentType, true
	}
	return out
}
