package hostview

import "github.com/gpupass/gpupass/pcidev"

// RequiredVFIOModules are the modules the host needs present (GP106, and
// what generate loads): vfio, vfio_pci and vfio_iommu_type1, when anything
// needs vfio-pci itself — a device bound to it, a driver_override or a
// boot-time claim (vfio-pci.ids, driverctl) naming it, or a passthrough GPU
// on a host driver that would go to it. Otherwise, on a host whose GPUs
// serve mediated devices (mdev parents, or mdev types enabled in nova.conf:
// mdevEnabled), the mdev core in place of vfio_pci; and where devices are
// on vfio-pci variant drivers (nvgrace_gpu_vfio_pci, mlx5_vfio_pci) or are
// VFs NVIDIA's driver registers with VFIO, vfio_pci_core, which the
// variant drivers build on.
func RequiredVFIOModules(v *View, mdevEnabled bool) []string {
	h := v.Host
	variant := false
	for i := range h.Devices {
		d := &h.Devices[i]
		switch {
		case d.Driver == pcidev.DriverVFIOPCI || d.DriverOverride == pcidev.DriverVFIOPCI:
			return pcidev.RequiredVFIOModules
		case pcidev.IsVFIOVariantDriver(d.Driver) || pcidev.IsVendorVGPUVF(d):
			variant = true
		}
	}
	for _, c := range v.Claims {
		if c.Driver == pcidev.DriverVFIOPCI {
			return pcidev.RequiredVFIOModules
		}
	}
	for _, o := range h.Driverctl {
		if o.Driver == pcidev.DriverVFIOPCI {
			return pcidev.RequiredVFIOModules
		}
	}
	for _, g := range v.GPUs {
		if pcidev.ReadyForVFIO(g.Device) {
			continue
		}
		if drv := pcidev.VFIODriverFor(g.Device); drv == pcidev.DriverVFIOPCI {
			return pcidev.RequiredVFIOModules
		} else if pcidev.IsVFIOVariantDriver(drv) {
			variant = true // a GH200 waiting for nvgrace_gpu_vfio_pci
		}
	}
	// mdev types enabled on a host of NVIDIA's vendor framework (VFs with
	// nvidia/, no mdev parent) cannot work: GP607 says so, not this.
	mdev := len(h.Mdev.Parents) > 0 || mdevEnabled && len(v.VendorFramework()) == 0
	if !variant && !mdev {
		return pcidev.RequiredVFIOModules
	}
	// vGPUs through mediated devices need the mdev core beside vfio and
	// its IOMMU backend (the vendor's mdev driver, nvidia_vgpu_vfio, is
	// GP605's); a variant driver needs vfio_pci_core.
	out := []string{"vfio"}
	if variant {
		out = append(out, "vfio_pci_core")
	}
	out = append(out, "vfio_iommu_type1")
	if mdev {
		out = append(out, "mdev")
	}
	return out
}
