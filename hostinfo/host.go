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

import "github.com/gpupass/gpupass/pcidev"

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
	PCIIDs  string          `json:"pci_ids"`
	Devices []pcidev.Device `json:"pci_devices"`
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
