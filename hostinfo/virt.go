package hostinfo

// This file holds the types of the host facts that GPU virtualization
// beyond whole-GPU passthrough depends on: mediated devices (vGPU), the
// units that prepare SR-IOV GPUs at boot, the libvirt and QEMU versions,
// and the aarch64 platform (ACPI IORT, SMMUv3). Where each layout comes
// from is in docs/research/vgpu-layouts.md.

// Mdev is the host's mediated-device state.
type Mdev struct {
	// Bus is true when /sys/class/mdev_bus exists: the mdev core is loaded
	// (a vendor driver registered it). Its entries are the parents.
	Bus bool
	// Parents are the devices registered as mdev parents
	// (/sys/class/mdev_bus/<address>, a link to the device), sorted by
	// address, each with the types of its mdev_supported_types.
	Parents []MdevParent
	// Devices are the mediated devices that exist
	// (/sys/bus/mdev/devices/<uuid>), sorted by UUID.
	Devices []MdevDevice
	// Definitions are mdevctl's persistent definitions
	// (/etc/mdevctl.d/<parent>/<uuid>, JSON), sorted by file.
	Definitions []MdevDefinition
	// Mdevctl is the path of the mdevctl command as the host sees it
	// (/usr/sbin/mdevctl, /usr/bin/mdevctl); "" when not installed.
	Mdevctl string
}

// Parent returns the mdev parent with this address, or nil.
func (m Mdev) Parent(address string) *MdevParent {
	for i := range m.Parents {
		if m.Parents[i].Address == address {
			return &m.Parents[i]
		}
	}
	return nil
}

// MdevParent is a device that offers mediated device types: a PCI
// function (a GPU's PF before Ampere, each VF from Ampere on) or a virtual
// device (mtty).
type MdevParent struct {
	// Address is the basename of the /sys/class/mdev_bus entry: a PCI
	// address (0000:41:00.4) or a virtual device's name.
	Address string
	// Types are mdev_supported_types/<type-id>, sorted by ID.
	Types []MdevType
}

// Type returns the parent's type with this ID, or nil.
func (p MdevParent) Type(id string) *MdevType {
	for i := range p.Types {
		if p.Types[i].ID == id {
			return &p.Types[i]
		}
	}
	return nil
}

// MdevType is one directory of mdev_supported_types.
type MdevType struct {
	// ID is the directory name: the parent's driver name, "-", the
	// vendor's type name (nvidia-558). Nova's enabled_mdev_types lists IDs.
	ID string
	// Name is the name file, the type's human name (NVIDIA A40-2Q,
	// GRID V100-1Q); "" when unreadable.
	Name string
	// Description is the description file ("" when absent: the kernel
	// hides it for drivers without one). NVIDIA's reads
	// "num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=...,
	// max_instance=24".
	Description string
	// DeviceAPI is the device_api file (vfio-pci).
	DeviceAPI string
	// Available is available_instances: how many more mdevs of this type
	// the parent can create now; nil when unreadable.
	Available *int
	// MaxInstance is max_instance= of an NVIDIA description: the most
	// mdevs of this type one physical GPU takes; 0 when not given.
	MaxInstance int
	// Devices are the UUIDs in the type's devices/ directory: the mdevs of
	// this type on this parent.
	Devices []string
}

// MdevDevice is a mediated device (/sys/bus/mdev/devices/<uuid>).
type MdevDevice struct {
	// UUID is the device's name, lower-case.
	UUID string
	// Type is the basename of its mdev_type link (nvidia-558); "" when
	// unreadable.
	Type string
	// Parent is the parent's address: the basename of the directory that
	// holds the device (the kernel makes the parent the device's sysfs
	// parent); "" when unreadable.
	Parent string
	// IOMMUGroup is the basename of its iommu_group link (VFIO fakes one
	// per mdev); nil when it has none.
	IOMMUGroup *int
}

// MdevDefinition is one of mdevctl's persistent mdev definitions: a JSON
// file /etc/mdevctl.d/<parent>/<uuid> with at least mdev_type and start
// ("auto" or "manual").
type MdevDefinition struct {
	// File is its path as the host sees it.
	File   string
	UUID   string
	Parent string
	Type   string
	// Start is "auto" (created at boot) or "manual".
	Start string
}

// Virt is what the host has installed of the virtualization stack whose
// versions Nova's rules depend on.
type Virt struct {
	// Libvirt is the libvirt daemon (libvirt-daemon, libvirt-daemon-driver-qemu).
	Libvirt Component
	// QEMU is the QEMU system emulator (qemu-system-x86, qemu-system-arm,
	// qemu-kvm).
	QEMU Component
}

// Component is one installed component's version and where it was read.
type Component struct {
	// Package is the distribution package that provides it ("" when the
	// version came from elsewhere).
	Package string
	// PackageVersion is the package's version as the distribution writes
	// it (2:9.0.0-4+deb12u2, 1:7.2+dfsg-7+deb12u18+b3).
	PackageVersion string
	// Version is the upstream version, major.minor.micro as far as the
	// source tells it (9.0.0; 7.2 when a Debian version omits the micro).
	// "" when not found.
	Version string
	// From says where: "dpkg status /var/lib/dpkg/status",
	// "rpm database /var/lib/rpm/rpmdb.sqlite".
	From string
}

// BootUnit is a systemd unit that prepares GPUs for virtualization at boot:
// one that enables SR-IOV VFs (runs sriov-manage, writes sriov_numvfs) or
// sets vGPU types (writes current_vgpu_type), such as Nova's documented
// nvidia-sriov-manage@.service template.
type BootUnit struct {
	// Name is the unit's name; for an enabled template instance, the
	// instance (nvidia-sriov-manage@0000:41:00.0.service).
	Name string
	// File is the unit file's path as the host sees it.
	File string
	// Enabled is true when a .wants/ or .requires/ link under
	// /etc/systemd/system enables it.
	Enabled bool
	// WantedBy lists the targets whose .wants/ directory links it.
	WantedBy []string
	// Before and After are the unit's ordering dependencies.
	Before []string
	After  []string
	// ExecStart holds its ExecStart= command lines, %i expanded for an
	// instance.
	ExecStart []string
}

// IORT is what the ACPI IORT table (arm64's I/O remapping table) says:
// how many nodes of each type it describes.
type IORT struct {
	// ITSGroups counts ITS group nodes (GICv3 ITS: MSI isolation).
	ITSGroups int
	// SMMUv3 counts SMMUv3 nodes, SMMU SMMUv1/v2 nodes.
	SMMUv3 int
	SMMU   int
	// RootComplexes counts PCI root complex nodes.
	RootComplexes int
}
