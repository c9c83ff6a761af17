// Package hostinfo reads what GPU passthrough depends on from a Linux host —
// CPU, kernel command line, modules and their modprobe.d configuration,
// ACPI and IOMMU state, IOMMU groups and every PCI function — under a root
// prefix, into a Host value that is pure data.
//
// Reading and parsing are separate: the parse functions take bytes or an
// io.Reader so they are tested and fuzzed without a filesystem. A file that
// is missing, unreadable or malformed degrades the one field it feeds (left
// unknown, with a Note saying why), never the whole collection.
//
// A Host is also what a preflight JSON report carries under "host", so it
// decodes back from a report for the fleet-wide audit.
package hostinfo

// Host is everything a check needs to know about one compute node.
type Host struct {
	// Hostname is the name Nova and Placement know the node by
	// (/proc/sys/kernel/hostname, else /etc/hostname).
	Hostname string `json:"hostname"`
	Kernel   Kernel `json:"kernel"`
	CPU      CPU    `json:"cpu"`
	// MemoryMB is MemTotal from /proc/meminfo; 0 when unknown.
	MemoryMB int64 `json:"memory_mb"`
	// KVM is true when /dev/kvm exists.
	KVM bool `json:"kvm"`
	// NUMANodes counts /sys/devices/system/node/node*; 0 when unknown.
	NUMANodes int         `json:"numa_nodes"`
	ACPI      ACPI        `json:"acpi"`
	IOMMU     IOMMU       `json:"iommu"`
	VFIO      VFIO        `json:"vfio"`
	Modules   []Module    `json:"modules"`
	Modprobe  []Directive `json:"modprobe"`
	// Driverctl lists the persistent driver overrides of driverctl
	// (/etc/driverctl.d/pci-<address>), applied at every boot.
	Driverctl []DriverOverride `json:"driverctl"`
	// PCIIDs is the pci.ids database the names came from ("" when none
	// was found, and the names are empty).
	PCIIDs  string      `json:"pci_ids"`
	Devices []PCIDevice `json:"pci_devices"`
	// Nova is the Nova installed on the host, if any.
	Nova NovaInstall `json:"nova"`
	// Notes say which fields could not be read and why.
	Notes []Note `json:"notes"`
}

// Kernel is the running kernel as /proc shows it.
type Kernel struct {
	// Release is /proc/sys/kernel/osrelease (uname -r).
	Release string `json:"release"`
	// Cmdline is /proc/cmdline as the kernel booted with it; parse it with
	// ParseCmdline.
	Cmdline string `json:"cmdline"`
}

// CPU summarises /proc/cpuinfo.
type CPU struct {
	// Vendor is vendor_id: GenuineIntel, AuthenticAMD, ...
	Vendor string `json:"vendor"`
	Model  string `json:"model"`
	// LogicalCPUs counts the processor entries.
	LogicalCPUs int `json:"logical_cpus"`
	// Virtualization is "vmx" (Intel VT-x), "svm" (AMD-V) or "" when the
	// flags of the first processor advertise neither.
	Virtualization string `json:"virtualization"`
	// PhysicalAddressBits is from "address sizes"; 0 when unknown.
	PhysicalAddressBits int `json:"physical_address_bits"`
}

// ACPI records which firmware tables the host exposes
// (/sys/firmware/acpi/tables). DMAR describes Intel VT-d, IVRS AMD-Vi.
type ACPI struct {
	// Readable is false when the table directory could not be listed
	// (no ACPI, or a tree captured without it): the tables are unknown.
	Readable bool     `json:"readable"`
	Tables   []string `json:"tables"`
}

// HasTable reports whether the firmware exposes the table with this signature.
func (a ACPI) HasTable(signature string) bool {
	for _, t := range a.Tables {
		if t == signature {
			return true
		}
	}
	return false
}

// IOMMU is the kernel's IOMMU state.
type IOMMU struct {
	// Units are the entries of /sys/class/iommu (dmar0, ivhd0, ...); empty
	// when no IOMMU driver is active.
	Units []string `json:"units"`
	// Groups counts /sys/kernel/iommu_groups entries.
	Groups int `json:"groups"`
	// InterruptRemapping is whether every Intel DMAR unit supports
	// interrupt remapping (ECAP bit 3); nil when it cannot be told.
	InterruptRemapping *bool `json:"interrupt_remapping"`
}

// VFIO is the state of the VFIO device nodes.
type VFIO struct {
	// Container is true when /dev/vfio/vfio exists.
	Container bool `json:"container"`
}

// ModuleState says how a kernel module is present.
type ModuleState string

const (
	ModuleLoaded  ModuleState = "loaded"
	ModuleBuiltin ModuleState = "builtin"
)

// Module is a loaded or built-in kernel module. Names use underscores, as
// the kernel does (vfio_pci, not vfio-pci).
type Module struct {
	Name  string      `json:"name"`
	State ModuleState `json:"state"`
	// Params holds the current parameter values of the modules gpupass
	// cares about (/sys/module/<name>/parameters).
	Params map[string]string `json:"params,omitempty"`
}

// Directive is one modprobe.d line (after joining continuations).
type Directive struct {
	// File and Line locate it, as the host sees the path.
	File string `json:"file"`
	Line int    `json:"line"`
	// Command is options, blacklist, softdep, install, remove, alias or
	// weakdep.
	Command string `json:"command"`
	// Module is the module the directive is about, with underscores
	// (for alias: the alias pattern).
	Module string `json:"module"`
	// Args is the rest of the line, e.g. "ids=10de:2330" or "pre: vfio-pci".
	Args string `json:"args,omitempty"`
}

// DriverOverride is a persistent driverctl override.
type DriverOverride struct {
	Address string `json:"address"`
	Driver  string `json:"driver"`
	File    string `json:"file"`
}

// Note records a field that could not be read. Path is the host path.
type Note struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// PCIDevice is one PCI function as sysfs shows it. IDs are lower-case hex
// without 0x: 4 digits for vendor/device, 6 for class. An empty string
// means unknown (see the host's Notes).
type PCIDevice struct {
	// Address is domain:bus:device.function, the domain 4 or 5 hex digits.
	Address string `json:"address"`
	// VendorID is /sys/bus/pci/devices/<addr>/vendor.
	VendorID string `json:"vendor_id"`
	// DeviceID is .../device.
	DeviceID string `json:"device_id"`
	// Class is .../class (base class, subclass, programming interface).
	Class             string `json:"class"`
	SubsystemVendorID string `json:"subsystem_vendor_id,omitempty"`
	SubsystemDeviceID string `json:"subsystem_device_id,omitempty"`
	// VendorName and Model come from pci.ids; empty when unknown.
	VendorName string `json:"vendor_name,omitempty"`
	Model      string `json:"model,omitempty"`
	// Driver is the basename of the .../driver link; "" when unbound.
	Driver string `json:"driver"`
	// DriverModule is the kernel module that provides the driver
	// (/sys/bus/pci/drivers/<driver>/module): xhci_pci for xhci_hcd,
	// i2c_nvidia_gpu for nvidia-gpu. "" when the driver is built in or the
	// link is missing. modprobe.d lines (softdep, blacklist) name modules.
	DriverModule string `json:"driver_module,omitempty"`
	// DriverOverride is .../driver_override; "" when unset ("(null)").
	DriverOverride string `json:"driver_override,omitempty"`
	// IOMMUGroup is the basename of .../iommu_group; nil when the device
	// has none (IOMMU off).
	IOMMUGroup *int `json:"iommu_group"`
	// NUMANode is .../numa_node: -1 when the firmware gave none, nil
	// when unknown.
	NUMANode *int `json:"numa_node"`
	// BootVGA is .../boot_vga, present for VGA devices only.
	BootVGA *bool `json:"boot_vga,omitempty"`
	// ResetMethod is .../reset_method: the reset methods the kernel will
	// use. Empty when there is none (the file is empty, or absent on Linux
	// 5.15 and later, which hide it for devices that cannot be reset);
	// nil when unknown (older kernel, or unreadable).
	ResetMethod []string `json:"reset_method"`
	// BARs are the memory and I/O regions of .../resource that are in use.
	BARs []BAR `json:"bars,omitempty"`
	// SRIOV is set for a physical function with SR-IOV capability
	// (.../sriov_totalvfs).
	SRIOV *SRIOV `json:"sriov,omitempty"`
	// PhysFn is the parent PF of a virtual function (.../physfn).
	PhysFn string `json:"physfn,omitempty"`
	// Net are the network interfaces of a NIC function (.../net/*).
	Net []string `json:"net,omitempty"`
	// DisplayClients are the display servers (Xorg, gnome-shell...) that
	// hold the function's DRM device open, from debugfs when it is
	// readable; empty when none or unknown.
	DisplayClients []string `json:"display_clients,omitempty"`
	// Parent is the upstream bridge's address, "" on a root bus.
	Parent string `json:"parent,omitempty"`
	// Unreadable names the attributes that exist but could not be read or
	// parsed ("driver", "class", ...): their fields above are unknown, not
	// empty. The host's Notes say why.
	Unreadable []string `json:"unreadable,omitempty"`
}

// BAR is one base address register region from the resource file.
type BAR struct {
	Index        int    `json:"index"`
	Size         uint64 `json:"size"`
	Is64Bit      bool   `json:"is_64bit"`
	Prefetchable bool   `json:"prefetchable"`
	IO           bool   `json:"io,omitempty"`
}

// SRIOV is a physical function's SR-IOV state.
type SRIOV struct {
	TotalVFs int `json:"total_vfs"`
	NumVFs   int `json:"num_vfs"`
	// VFs are the addresses of the enabled virtual functions (virtfn*).
	VFs []string `json:"vfs,omitempty"`
}
