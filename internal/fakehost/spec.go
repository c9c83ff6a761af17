package fakehost

import (
	"fmt"
	"strconv"
	"strings"
)

// Host describes one machine. The zero value of every field is "absent"
// or the common case, so a spec only states what makes the machine what it
// is.
type Host struct {
	Hostname      string
	KernelRelease string // uname -r: 6.8.0-49-generic
	OSRelease     string // /etc/os-release content
	CPU           CPU
	// NUMANodes is the number of nodes under /sys/devices/system/node
	// (at least 1: a kernel without NUMA still shows node0).
	NUMANodes  int
	MemTotalKB uint64
	Cmdline    string // /proc/cmdline without the newline
	// Modules lists modules loaded or built in beyond those implied by
	// the drivers in use: a bound driver implies its module (and the
	// module's dependencies) is loaded, so specs rarely list drivers.
	// An entry here overrides the implied one (to make it built in, or to
	// set parameters).
	Modules []Module
	// Files are extra files by path under the root, without a leading
	// slash: etc/modprobe.d/vfio.conf, etc/driverctl.d/pci-0000:01:00.0.
	Files map[string]string
	// ACPITables are the signatures under /sys/firmware/acpi/tables: DMAR
	// is there when firmware enables VT-d, IVRS when it enables AMD-Vi.
	ACPITables []string
	IOMMU      IOMMU
	// Devices are all PCI functions, VFs included (see WithVFs).
	Devices []Device
	// PCIIDs writes usr/share/misc/pci.ids with the names of the devices
	// (an excerpt of the real database).
	PCIIDs bool
	// Damage is applied after the tree is built, for fixtures that
	// exercise a reader on trees no kernel would produce.
	Damage []Damage

	// Links are extra symlinks by path under the root (no leading slash),
	// with their targets written as given: systemctl enable writes
	// absolute ones (/etc/systemd/system/x.service).
	Links map[string]string
	// MdevctlDefs are mdevctl's persistent definitions,
	// /etc/mdevctl.d/<parent>/<uuid>.
	MdevctlDefs []MdevctlDef
	// Mdevctl installs /usr/sbin/mdevctl.
	Mdevctl bool
	// Packages are the stanzas of /var/lib/dpkg/status (none: no file).
	Packages []DebPackage
	// IORT writes /sys/firmware/acpi/tables/IORT (arm64) as a binary
	// table with these nodes; nil: no IORT.
	IORT *IORT

	// HugePages are the huge page pools reserved on each NUMA node
	// (nodeN/hugepages/hugepages-<size>kB); the sizes the CPU supports
	// and no pool here are written with 0 pages.
	HugePages []HugePagePool
}

// HugePagePool is one huge page size reserved on each node: PerNode[i]
// pages on node i (nr_hugepages), Used of them taken on each node.
type HugePagePool struct {
	SizeKB  int
	PerNode []int
	Used    int
}

// CPU is what /proc/cpuinfo tells. Logical CPUs are Sockets × Cores ×
// Threads, numbered as Linux numbers them on x86 (all first threads of
// all sockets, then the second threads).
type CPU struct {
	Vendor     string // GenuineIntel, AuthenticAMD
	Family     int
	Model      int
	Stepping   int
	ModelName  string
	Microcode  string // 0x2b000590
	MHz        string // 2800.000
	CacheKB    int
	CPUIDLevel int
	Sockets    int
	Cores      int // per socket
	Threads    int // per core
	PhysBits   int
	VirtBits   int
	Flags      string // space-separated, with vmx or svm when VT-x/AMD-V is on
	VMXFlags   string // Intel only, "vmx flags" line (Linux 5.9+)
	Bugs       string
	BogoMIPS   string
	TLBSize    int    // AMD only, "TLB size" line
	PowerMgmt  string // "power management" line

	// Arch is "aarch64" for an arm64 host ("" = x86_64): /proc/cpuinfo
	// then has the arm64 format (c_show in arch/arm64/kernel/cpuinfo.c),
	// with Flags as its Features line and these identification fields.
	Arch                       string
	Implementer, Variant, Part int
	Revision                   int
}

// IsARM64 tells an arm64 CPU.
func (c CPU) IsARM64() bool { return c.Arch == "aarch64" }

// LogicalCPUs is the number of processors in /proc/cpuinfo.
func (c CPU) LogicalCPUs() int { return max(1, c.Sockets) * max(1, c.Cores) * max(1, c.Threads) }

// Module is a kernel module loaded (listed in /proc/modules, with
// /sys/module/<name>/initstate) or built in (listed in modules.builtin,
// with a /sys/module directory but no initstate).
type Module struct {
	Name    string // as the kernel names it: vfio_pci
	Builtin bool
	// Params override the parameter files under
	// /sys/module/<name>/parameters; defaults come from a table of known
	// modules, then from "options" lines in etc/modprobe.d and
	// "module.param=" options on the command line, as the kernel and
	// modprobe would apply them.
	Params map[string]string
	Size   int      // /proc/modules size; 0 = the module's usual size
	Deps   []string // modules this one uses; nil = the usual ones
}

// IOMMUKind is the IOMMU the kernel has set up.
type IOMMUKind int

const (
	NoIOMMU   IOMMUKind = iota // no unit, no group: off in firmware or in the kernel
	IntelVTd                   // dmar units under /sys/class/iommu
	AMDVi                      // ivhd units under /sys/class/iommu
	ARMSMMUv3                  // smmu3.0x<base> units under /sys/class/iommu (arm64)
)

// IOMMU is the IOMMU as the kernel has set it up.
type IOMMU struct {
	Kind  IOMMUKind
	Units []IOMMUUnit
	// DomainType is each group's default domain type (type file):
	// "" derives it from the command line: identity with iommu=pt,
	// DMA-FQ otherwise (DMA before Linux 5.15, whose lazy flushing was
	// not a separate type).
	DomainType string
}

// IOMMUUnit is one remapping unit (an Intel DRHD, an AMD IVHD).
type IOMMUUnit struct {
	// Cap and ECap are the Intel capability registers as sysfs prints
	// them (hex, no 0x); ECap bit 3 is interrupt remapping support.
	// For AMD, Cap is the capability header and ECap the extended
	// feature register (features file).
	Cap, ECap string
	Address   string // Intel: register base, fed91000; SMMUv3: base, 0x0000000011000000
	// Device is the PCI function of an AMD IOMMU (0000:00:00.2), under
	// whose directory the kernel puts the ivhd unit.
	Device string
	// Scope lists what the unit translates: root buses ("0000:15") or
	// device addresses (and everything below them). Empty: everything no
	// other unit claims (Intel's INCLUDE_PCI_ALL unit; for AMD, the root
	// bus of Device).
	Scope []string
}

// Device is one PCI function.
type Device struct {
	// Addr is domain:bus:device.function, with a 4-digit domain or a
	// 5-digit one for Intel VMD domains (10000:01:00.0).
	Addr string
	// Parent is the bridge above (its secondary bus is this device's
	// bus), "" for a device on a root bus. A device in another domain
	// than its parent sits on a root bus the parent creates (VMD).
	Parent string

	Vendor, Device       uint16
	Class                uint32 // 0x030200: class, subclass, prog-if
	SubVendor, SubDevice uint16
	Revision             uint8

	Driver         string // "" = no driver bound (no driver link)
	DriverOverride string // "" = (null)
	// IOMMUGroup is the group number, used only when the host has an
	// IOMMU. AssignIOMMUGroups computes it; NoGroup marks functions the
	// IOMMU never translates for (AMD's root complex and IOMMU
	// functions), which AssignIOMMUGroups leaves alone.
	IOMMUGroup int
	NUMANode   int // -1 = no affinity reported
	// BootVGA is the firmware's boot display; boot_vga is written for
	// VGA-class functions only (0x0300xx), as the kernel does.
	BootVGA bool
	// ResetMethod: nil = no reset_method file (kernels before 5.15, or
	// no method); "" = present and empty (every method disabled by
	// writing to it); "flr bus" = the methods.
	ResetMethod *string
	BARs        []BAR
	ROM         uint64 // expansion ROM size, 0 = none

	// Port is the PCIe port type; zero derives it from the topology.
	Port PortType
	// ACS tells that a port (root, downstream) or a function of a
	// multi-function device has Access Control Services enabled: the
	// kernel isolates what is below/beside it only then.
	ACS bool
	// Link is the PCIe link; zero for functions without one.
	Link Link
	// SecBus is the secondary bus of a bridge with nothing below it
	// (otherwise derived from its children).
	SecBus uint8

	SRIOV  *SRIOV
	PhysFn string // a VF's physical function
	// Net names the network interfaces of a NIC function bound to its
	// driver (enp26s0f0np0).
	Net []string

	// MdevTypes makes the function an mdev parent offering these types
	// (mdev_supported_types/<driver>-<ID>, /sys/class/mdev_bus/<addr>).
	MdevTypes []MdevType
	// Mdevs are the mediated devices created on this parent.
	Mdevs []Mdev
	// VGPU is an NVIDIA VF's vendor-framework state: its nvidia/
	// directory (and vfio-dev/vfioN); nil for none.
	VGPU *VendorVGPU

	// Names for the pci.ids excerpt, copied from the real database; ""
	// leaves the entry out, as the 2023 database lacks newer devices.
	VendorName, DeviceName string
	SubsystemName          string // subsystem line under DeviceName
	SubVendorName          string // vendor line for SubVendor, if it differs
}

// NoGroup marks a function without an IOMMU group.
const NoGroup = -1

// BAR is one base address register.
type BAR struct {
	Index    int // 0-5
	Size     uint64
	Is64     bool // 64-bit memory BAR: takes Index and Index+1
	Prefetch bool
	IO       bool // I/O port BAR
}

// Mem32 is a 32-bit non-prefetchable memory BAR.
func Mem32(index int, size uint64) BAR { return BAR{Index: index, Size: size} }

// Mem64 is a 64-bit non-prefetchable memory BAR.
func Mem64(index int, size uint64) BAR { return BAR{Index: index, Size: size, Is64: true} }

// Pref64 is a 64-bit prefetchable memory BAR.
func Pref64(index int, size uint64) BAR {
	return BAR{Index: index, Size: size, Is64: true, Prefetch: true}
}

// Pref32 is a 32-bit prefetchable memory BAR.
func Pref32(index int, size uint64) BAR { return BAR{Index: index, Size: size, Prefetch: true} }

// IOBar is an I/O port BAR.
func IOBar(index int, size uint64) BAR { return BAR{Index: index, Size: size, IO: true} }

// Sizes.
const (
	KiB uint64 = 1 << 10
	MiB uint64 = 1 << 20
	GiB uint64 = 1 << 30
)

// SRIOV is a physical function's SR-IOV capability.
type SRIOV struct {
	TotalVFs, NumVFs int
	Offset, Stride   int // routing ID of VF n = PF + Offset + n*Stride
	VFDevice         uint16
	VFBARs           []BAR // per VF; the PF's IOV resources are TotalVFs times these
}

// PortType is the device/port type of the PCI Express capability.
type PortType int

const (
	PortAuto           PortType = iota // derived: see Device.Port
	PortConventional                   // no PCIe capability: 256 bytes of config space
	PortEndpoint                       // PCIe endpoint
	PortLegacyEndpoint                 // legacy PCIe endpoint
	PortRoot                           // root port of a root complex
	PortUpstream                       // upstream port of a switch
	PortDownstream                     // downstream port of a switch
	PortPCIBridge                      // PCIe-to-PCI bridge: functions below alias to it
	PortRCiEP                          // root complex integrated endpoint
)

// Link is a PCIe link: speed generation (1 = 2.5 GT/s … 5 = 32 GT/s) and
// width in lanes, current and maximum (0 = same as current).
type Link struct {
	Gen, Width       int
	MaxGen, MaxWidth int
}

// Damage changes one file of a built tree.
type Damage struct {
	Addr string // the PCI function whose directory holds File; "" = File is a path under the root
	File string
	Kind DamageKind
	Data string // Replace: new content (may be empty or binary)
}

// DamageKind is what Damage does.
type DamageKind int

const (
	Replace  DamageKind = iota // write Data instead
	Remove                     // delete the file
	LinkLoop                   // make File a symlink to itself
)

// Str returns a pointer to s, for Device.ResetMethod.
func Str(s string) *string { return &s }

// pciAddr is a parsed PCI address.
type pciAddr struct {
	domain          uint32
	bus, dev, fn    uint8
	str, domainBusS string
}

func parseAddr(s string) (pciAddr, error) {
	var a pciAddr
	bad := fmt.Errorf("PCI address %q: want dddd:bb:dd.f", s)
	dom, rest, ok := strings.Cut(s, ":")
	if !ok || len(dom) < 4 || len(dom) > 5 {
		return a, bad
	}
	busS, rest, ok := strings.Cut(rest, ":")
	if !ok || len(busS) != 2 {
		return a, bad
	}
	devS, fnS, ok := strings.Cut(rest, ".")
	if !ok || len(devS) != 2 || len(fnS) != 1 {
		return a, bad
	}
	d, err1 := strconv.ParseUint(dom, 16, 32)
	b, err2 := strconv.ParseUint(busS, 16, 8)
	v, err3 := strconv.ParseUint(devS, 16, 8)
	f, err4 := strconv.ParseUint(fnS, 16, 8)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || v > 0x1f || f > 7 {
		return a, bad
	}
	a = pciAddr{domain: uint32(d), bus: uint8(b), dev: uint8(v), fn: uint8(f)}
	a.str = fmt.Sprintf("%04x:%02x:%02x.%x", a.domain, a.bus, a.dev, a.fn)
	if a.str != s {
		return a, fmt.Errorf("PCI address %q: write it as the kernel does, %s", s, a.str)
	}
	a.domainBusS = fmt.Sprintf("%04x:%02x", a.domain, a.bus)
	return a, nil
}

func (a pciAddr) slot() string { return fmt.Sprintf("%04x:%02x:%02x", a.domain, a.bus, a.dev) }

func (a pciAddr) devfn() int { return int(a.dev)<<3 | int(a.fn) }

func (a pciAddr) less(b pciAddr) bool {
	if a.domain != b.domain {
		return a.domain < b.domain
	}
	if a.bus != b.bus {
		return a.bus < b.bus
	}
	return a.devfn() < b.devfn()
}

// FormatAddr formats a PCI address as sysfs names it.
func FormatAddr(domain uint32, bus, dev, fn int) string {
	return fmt.Sprintf("%04x:%02x:%02x.%x", domain, bus, dev, fn)
}

// NoIR returns the unit with interrupt remapping unsupported: bit 3 of
// the Intel extended capability register cleared.
func (u IOMMUUnit) NoIR() IOMMUUnit {
	v, err := strconv.ParseUint(u.ECap, 16, 64)
	if err != nil {
		panic(fmt.Sprintf("IOMMU unit ECap %q: %v", u.ECap, err))
	}
	u.ECap = strconv.FormatUint(v&^(1<<3), 16)
	return u
}
