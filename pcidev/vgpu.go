package pcidev

// VendorVGPU is a virtual function's state under NVIDIA's vendor-specific
// VFIO framework (vGPU 17 and later on kernels with vfio-pci-core, e.g.
// Ubuntu 24.04, RHEL 10): the files of /sys/bus/pci/devices/<VF>/nvidia/,
// which the nvidia driver creates on each VF it registers with VFIO
// (vgpu-vfio-pci-core.c; docs/research/vgpu-layouts.md section 3.2). Such a
// VF stays bound to the nvidia driver and is not an mdev parent.
type VendorVGPU struct {
	// Creatable is nvidia/creatable_vgpu_types: the vGPU types a vGPU can
	// still be created with on this VF, in the file's order. The list
	// shrinks as vGPUs are created on the card (down to the header alone).
	// Valid only when CreatableKnown.
	Creatable      []VGPUType
	CreatableKnown bool
	// Current is nvidia/current_vgpu_type: the type of the vGPU created on
	// this VF, 0 when none is. Valid only when CurrentKnown.
	Current      int
	CurrentKnown bool
}

// VGPUType is one line of creatable_vgpu_types: "1148  : NVIDIA L40S-2Q".
// IDs are numeric and unique only within one physical card.
type VGPUType struct {
	ID   int
	Name string
}
