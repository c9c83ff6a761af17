package pcispec

import "github.com/gpupass/gpupass/pcidev"

// DeviceType is the type Nova's libvirt driver gives the device
// (nova/virt/libvirt/host.py, _get_pcidev_info._get_device_type), from
// the SR-IOV capabilities libvirt reports for it:
//
//   - type-VF when the device is a virtual function (libvirt's
//     phys_function capability, from the physfn link);
//   - type-PF when the function has SR-IOV capability: libvirt reports
//     virt_functions when sriov_totalvfs is above 0 or VFs are enabled,
//     whether or not any is (virNodeDeviceGetPCISRIOVCaps);
//   - type-PCI otherwise.
//
// libvirt lists phys_function before virt_functions, and Nova takes the
// first it meets, so a VF is type-VF even if it advertises VFs itself.
// Nova calls a VF that is the parent of a vDPA device "vdpa"; the
// inventory does not record vDPA devices, and GPUs are never one.
func DeviceType(d *pcidev.Device) string {
	if d.PhysFn != "" {
		return TypeVF
	}
	if d.SRIOV != nil && (d.SRIOV.TotalVFs > 0 || d.SRIOV.NumVFs > 0 || len(d.SRIOV.VFs) > 0) {
		return TypePF
	}
	return TypePCI
}
