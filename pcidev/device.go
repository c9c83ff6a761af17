package pcidev

// Device is one PCI function as sysfs shows it. IDs are lower-case hex
// without 0x: 4 digits for vendor/device, 6 for class. An empty string
// means unknown (see the host's Notes).
type Device struct {
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
