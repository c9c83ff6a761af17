package pcidev

// Device is one PCI function as sysfs shows it. IDs are lower-case hex
// without 0x: 4 digits for vendor/device, 6 for class. An empty string
// means unknown (see the host's Notes).
type Device struct {
	// Address is domain:bus:device.function, the domain 4 or 5 hex digits.
	Address string
	// VendorID is /sys/bus/pci/devices/<addr>/vendor.
	VendorID string
	// DeviceID is .../device.
	DeviceID string
	// Class is .../class (base class, subclass, programming interface).
	Class             string
	SubsystemVendorID string
	SubsystemDeviceID string
	// VendorName and Model come from pci.ids; empty when unknown.
	VendorName string
	Model      string
	// Driver is the basename of the .../driver link; "" when unbound.
	Driver string
	// DriverModule is the kernel module that provides the driver
	// (/sys/bus/pci/drivers/<driver>/module): xhci_pci for xhci_hcd,
	// i2c_nvidia_gpu for nvidia-gpu. "" when the driver is built in or the
	// link is missing. modprobe.d lines (softdep, blacklist) name modules.
	DriverModule string
	// DriverOverride is .../driver_override; "" when unset ("(null)").
	DriverOverride string
	// IOMMUGroup is the basename of .../iommu_group; nil when the device
	// has none (IOMMU off).
	IOMMUGroup *int
	// NUMANode is .../numa_node: -1 when the firmware gave none, nil
	// when unknown.
	NUMANode *int
	// BootVGA is .../boot_vga, present for VGA devices only.
	BootVGA *bool
	// ResetMethod is .../reset_method: the reset methods the kernel will
	// use. Empty when there is none (the file is empty, or absent on Linux
	// 5.15 and later, which hide it for devices that cannot be reset);
	// nil when unknown (older kernel, or unreadable).
	ResetMethod []string
	// BARs are the memory and I/O regions of .../resource that are in use.
	BARs []BAR
	// SRIOV is set for a physical function with SR-IOV capability
	// (.../sriov_totalvfs).
	SRIOV *SRIOV
	// PhysFn is the parent PF of a virtual function (.../physfn).
	PhysFn string
	// VGPU is set on a VF of NVIDIA's vendor-specific VFIO framework
	// (.../nvidia/ exists); nil otherwise.
	VGPU *VendorVGPU
	// Net are the network interfaces of a NIC function (.../net/*).
	Net []string
	// DisplayClients are the display servers (Xorg, gnome-shell...) that
	// hold the function's DRM device open, from debugfs when it is
	// readable; empty when none or unknown.
	DisplayClients []string
	// Parent is the upstream bridge's address, "" on a root bus.
	Parent string
	// Unreadable names the attributes that exist but could not be read or
	// parsed ("driver", "class", ...): their fields above are unknown, not
	// empty. The host's Notes say why.
	Unreadable []string
}

// BAR is one base address register region from the resource file.
type BAR struct {
	Index        int
	Size         uint64
	Is64Bit      bool
	Prefetchable bool
	IO           bool
}

// SRIOV is a physical function's SR-IOV state.
type SRIOV struct {
	TotalVFs int
	NumVFs   int
	// VFs are the addresses of the enabled virtual functions (virtfn*).
	VFs []string
}
