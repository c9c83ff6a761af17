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
// A Host is not the report's schema: package report has its own types for
// the "host" of a JSON report, converted from and back to a Host.
//
// # Why not ghw and pcidb
//
// github.com/jaypipes/ghw and pcidb are the reference readers of PCI
// devices and their names; here they are test oracles, not the main path.
//
// ghw (CPU flags, NUMA topology, PCI devices) reads /proc and /sys with the
// os package under a chroot prefix. Every read here goes through FS
// instead: the one place that confines reads to the root, that the
// Recorder watches for a snapshot (a snapshot is exactly the paths a
// collection used), and where a file that cannot be read becomes a Note on
// one field. ghw's readers would bypass all three,
// and it lacks fields the checks need (reset_method, driver_override, the
// driver's module, BAR flags, display clients).
//
// Vendor and model names come from the host's pci.ids, read by gpupass's
// own parser (lookupPCIIDs): it follows pciutils' grammar (names-parse.c,
// what lspci reads) and keeps only the host's IDs; a line pciutils would
// refuse is skipped and noted by number, and the other names stay. The
// tests hold the names to lspci's on every fixture and to pcidb's on
// well-formed databases. pcidb is not used on this path: to name a
// 1,000-function host from Debian's full pci.ids it took 25 ms, 12.1 MB
// and 189,111 allocations against 2.25 ms, 55 KB and 92 (BenchmarkPCIIDs,
// bench/pciids-vs-pcidb.sh, 2026-12-06), and it panics on malformed lines.
package hostinfo

import "github.com/gpupass/gpupass/pcidev"

// Host is everything a check needs to know about one compute node.
type Host struct {
	// Hostname is the name Nova and Placement know the node by
	// (/proc/sys/kernel/hostname, else /etc/hostname).
	Hostname string
	Kernel   Kernel
	CPU      CPU
	// MemoryMB is MemTotal from /proc/meminfo; 0 when unknown.
	MemoryMB int64
	// KVM is true when /dev/kvm exists.
	KVM bool
	// NUMANodes counts /sys/devices/system/node/node*; 0 when unknown.
	NUMANodes int
	ACPI      ACPI
	IOMMU     IOMMU
	VFIO      VFIO
	Modules   []Module
	Modprobe  []Directive
	// Driverctl lists the persistent driver overrides of driverctl
	// (/etc/driverctl.d/pci-<address>), applied at every boot.
	Driverctl []DriverOverride
	// PCIIDs is the pci.ids database the names came from ("" when none
	// was found, and the names are empty).
	PCIIDs  string
	Devices []pcidev.Device
	// Nova is the Nova installed on the host, if any.
	Nova NovaInstall
	// Mdev is the mediated-device (vGPU) state.
	Mdev Mdev
	// Virt is the installed libvirt and QEMU.
	Virt Virt
	// BootUnits are the systemd units that enable GPU VFs or set vGPU
	// types at boot.
	BootUnits []BootUnit
	// Notes say which fields could not be read and why.
	Notes []Note

	// NUMATopology is each NUMA node's CPUs, memory and huge pages (see
	// numa.go); nil when unknown.
	NUMATopology []NUMANode
	// CPUsOnline is /sys/devices/system/cpu/online, in the kernel's
	// cpulist form; "" when unknown.
	CPUsOnline string
}

// Kernel is the running kernel as /proc shows it.
type Kernel struct {
	// Release is /proc/sys/kernel/osrelease (uname -r).
	Release string
	// Cmdline is /proc/cmdline as the kernel booted with it, credentials
	// hidden (inst.ks=http://admin:***@host/ks.cfg); parse it with
	// ParseCmdline.
	Cmdline string
	// NoModuleSupport is true for a kernel built without loadable module
	// support (CONFIG_MODULES off): /proc exists but /proc/modules does
	// not. Such a kernel has only what is built in; modprobe cannot help.
	NoModuleSupport bool
}

// CPU summarises /proc/cpuinfo.
type CPU struct {
	// Vendor is vendor_id: GenuineIntel, AuthenticAMD, ...
	Vendor string
	Model  string
	// LogicalCPUs counts the processor entries.
	LogicalCPUs int
	// Virtualization is "vmx" (Intel VT-x), "svm" (AMD-V) or "" when the
	// flags of the first processor advertise neither.
	Virtualization string
	// PhysicalAddressBits is from "address sizes"; 0 when unknown.
	PhysicalAddressBits int
	// Arch is the CPU architecture the cpuinfo format shows: "x86_64"
	// (vendor_id and flags lines), "aarch64" (CPU implementer and
	// "CPU architecture: 8"), "" when neither.
	Arch string
	// Implementer and Part are an arm64 CPU's "CPU implementer" and "CPU
	// part" (0x41 and 0xd4f: Arm Neoverse V2, as in NVIDIA Grace).
	Implementer string
	Part        string
	// Hypervisor is true when the CPU flags include "hypervisor": the
	// host is a virtual machine (x86 hypervisors set CPUID.1:ECX bit 31,
	// which Linux shows as this flag: KVM, Firecracker, Xen HVM, Hyper-V,
	// VMware). Not read from DMI, which Firecracker does not provide and
	// which names the cloud (Amazon EC2) on bare-metal instances too, nor
	// from virtio devices, which SmartNICs expose on bare metal.
	Hypervisor bool
}

// IOMMUVendor is the IOMMU of the CPU vendor's platforms: "intel" (VT-d),
// "amd" (AMD-Vi, which Hygon's Zen-based CPUs share), "" for others.
func (c CPU) IOMMUVendor() string {
	switch c.Vendor {
	case "GenuineIntel":
		return "intel"
	case "AuthenticAMD", "HygonGenuine":
		return "amd"
	}
	return ""
}

// IOMMUTable is the ACPI table in which the firmware describes that IOMMU
// (DMAR for VT-d, IVRS for AMD-Vi) and the feature's name in the firmware
// setup; "" for a vendor without one gpupass knows.
func (c CPU) IOMMUTable() (table, feature string) {
	switch c.IOMMUVendor() {
	case "intel":
		return "DMAR", "Intel VT-d"
	case "amd":
		return "IVRS", "AMD-Vi (IOMMU)"
	}
	return "", ""
}

// ACPI records which firmware tables the host exposes
// (/sys/firmware/acpi/tables). DMAR describes Intel VT-d, IVRS AMD-Vi.
type ACPI struct {
	// Readable is false when the table directory could not be listed
	// (no ACPI, or a tree captured without it): the tables are unknown.
	Readable bool
	Tables   []string
	// IORT is the parsed IORT table (arm64); nil when absent or unreadable
	// (it is readable by root only).
	IORT *IORT
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
	Units []string
	// Groups counts /sys/kernel/iommu_groups entries.
	Groups int
	// InterruptRemapping is whether every Intel DMAR unit supports
	// interrupt remapping (ECAP bit 3); nil when it cannot be told.
	InterruptRemapping *bool
}

// VFIO is the state of the VFIO device nodes.
type VFIO struct {
	// Container is true when /dev/vfio/vfio exists.
	Container bool
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
	Name  string
	State ModuleState
	// Params holds the current parameter values of the modules gpupass
	// cares about (/sys/module/<name>/parameters).
	Params map[string]string
}

// Directive is one modprobe.d line (after joining continuations).
type Directive struct {
	// File and Line locate it, as the host sees the path.
	File string
	Line int
	// Command is options, blacklist, softdep, install, remove, alias or
	// weakdep.
	Command string
	// Module is the module the directive is about, with underscores
	// (for alias: the alias pattern).
	Module string
	// Args is the rest of the line, e.g. "ids=10de:2330" or "pre: vfio-pci",
	// credentials hidden (password=***, http://user:***@host).
	Args string
}

// DriverOverride is a persistent driverctl override.
type DriverOverride struct {
	Address string
	Driver  string
	File    string
}

// Note records a field that could not be read. Path is the host path.
type Note struct {
	Path    string
	Message string
}
