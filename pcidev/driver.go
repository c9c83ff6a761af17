package pcidev

import "strings"

// The drivers that hand a device to a guest through VFIO: vfio-pci, and the
// legacy pci-stub that only keeps host drivers away (libvirt moves the
// device to vfio-pci when a guest starts).
const (
	DriverVFIOPCI = "vfio-pci"
	DriverPCIStub = "pci-stub"
)

// vfioVariantDrivers are the vfio-pci variant drivers of mainline Linux
// (drivers/vfio/pci/*/): each is a PCI driver of its own, built on
// vfio-pci-core, that registers its devices with VFIO as vfio-pci does
// and adds what the device needs (migration, device memory). Their driver
// names are their module names (KBUILD_MODNAME), which end in _vfio_pci
// (their Makefiles under drivers/vfio/pci/ in Linux's tree).
var vfioVariantDrivers = map[string]string{
	"nvgrace_gpu_vfio_pci": "NVIDIA Grace Hopper and Grace Blackwell superchip GPUs",
	"mlx5_vfio_pci":        "NVIDIA ConnectX VFs, with live migration",
	"hisi_acc_vfio_pci":    "HiSilicon accelerator VFs, with live migration",
	"pds_vfio_pci":         "AMD Pensando DSC VFs, with live migration",
	"virtio_vfio_pci":      "virtio-net VFs: legacy I/O, live migration",
	"qat_vfio_pci":         "Intel QuickAssist VFs, with live migration",
	"xe_vfio_pci":          "Intel Xe GPU VFs, with live migration",
	"ism_vfio_pci":         "IBM Z ISM devices",
}

// IsVFIOVariantDriver reports a vfio-pci variant driver: a known one, or
// any driver named like them (NAME_vfio_pci).
func IsVFIOVariantDriver(driver string) bool {
	driver = moduleName(driver)
	return vfioVariantDrivers[driver] != "" || strings.HasSuffix(driver, "_vfio_pci") && driver != "_vfio_pci"
}

// VariantDriverPurpose says what a known vfio-pci variant driver is for
// ("NVIDIA Grace Hopper and Grace Blackwell superchip GPUs"); "" for a
// driver gpupass does not know.
func VariantDriverPurpose(driver string) string { return vfioVariantDrivers[moduleName(driver)] }

// IsVFIODriver reports a driver that makes a device usable by VFIO:
// vfio-pci, a vfio-pci variant driver, or pci-stub. A group whose
// endpoints are all on such drivers (or none) is viable.
func IsVFIODriver(driver string) bool {
	return driver == DriverVFIOPCI || driver == DriverPCIStub || IsVFIOVariantDriver(driver)
}

// BoundToVFIO reports a device on a VFIO driver (IsVFIODriver).
func BoundToVFIO(d *Device) bool { return IsVFIODriver(d.Driver) }

// DriverNVIDIA is NVIDIA's host driver. Under NVIDIA's vendor-specific
// VFIO framework it also keeps the GPU's VFs, and registers each with VFIO
// itself (vfio_pci_core_register_device in vgpu-vfio-pci-core.c; a vfio-pci
// probe of such a VF fails: docs/research/vgpu-layouts.md 3.2).
const DriverNVIDIA = "nvidia"

// IsVendorVGPUVF reports a VF of NVIDIA's vendor-specific VFIO framework:
// it has the nvidia/ directory (VGPU) and is on the nvidia driver, which
// has registered it with VFIO.
func IsVendorVGPUVF(d *Device) bool { return d.VGPU != nil && d.Driver == DriverNVIDIA }

// ReadyForVFIO reports a device that VFIO can give to a guest as it is
// bound now: on vfio-pci, a vfio-pci variant driver or pci-stub
// (BoundToVFIO), or a VF of NVIDIA's vendor-specific VFIO framework.
func ReadyForVFIO(d *Device) bool { return BoundToVFIO(d) || IsVendorVGPUVF(d) }

// OnHostDriver reports a device bound to a driver that keeps it for the
// host: any driver but those that make it ready for VFIO.
func OnHostDriver(d *Device) bool { return d.Driver != "" && !ReadyForVFIO(d) }

// variantDriverIDs are the devices whose mainline vfio-pci variant driver
// gpupass names in its advice, by vendor:device: nvgrace_gpu_vfio_pci's
// ID table (drivers/vfio/pci/nvgrace-gpu/main.c: GH200 120GB 0x2342, GH200
// 480GB 0x2345, GH200 SKU 0x2348, GB200 SKU 0x2941, GB300 SKU 0x31c2),
// whose entries match only when driver_override names the driver
// (PCI_DRIVER_OVERRIDE_DEVICE_VFIO).
var variantDriverIDs = map[string]string{
	"10de:2342": "nvgrace_gpu_vfio_pci",
	"10de:2345": "nvgrace_gpu_vfio_pci",
	"10de:2348": "nvgrace_gpu_vfio_pci",
	"10de:2941": "nvgrace_gpu_vfio_pci",
	"10de:31c2": "nvgrace_gpu_vfio_pci",
}

// VFIODriverFor is the driver to bind a device to for VFIO: its mainline
// variant driver when it has one gpupass knows (the GPU of a Grace Hopper
// superchip needs nvgrace_gpu_vfio_pci for its device memory), else
// vfio-pci.
func VFIODriverFor(d *Device) string {
	if v, ok := variantDriverIDs[d.VendorID+":"+d.DeviceID]; ok {
		return v
	}
	return DriverVFIOPCI
}

// GPUHostDriver is a host graphics driver that claims a vendor's GPUs at
// boot, unless vfio-pci claims them first.
type GPUHostDriver struct {
	// Module is the kernel module (with underscores).
	Module string
	// Vendor is the PCI vendor ID of the GPUs it takes.
	Vendor string
}

// GPUHostDrivers are the host graphics drivers gpupass knows, by vendor.
var GPUHostDrivers = []GPUHostDriver{
	{"nvidia", "10de"}, {"nouveau", "10de"},
	{"amdgpu", "1002"}, {"radeon", "1002"},
	{"i915", "8086"}, {"xe", "8086"},
}

// gpuHostHelperModules come with a GPU host driver and go with it.
var gpuHostHelperModules = []string{"nvidia_drm", "nvidia_modeset", "nvidia_uvm"}

// GPUHostDriversOf lists the modules of the host drivers that take a
// vendor's GPUs, in GPUHostDrivers order.
func GPUHostDriversOf(vendor string) []string {
	var out []string
	for _, d := range GPUHostDrivers {
		if d.Vendor == vendor {
			out = append(out, d.Module)
		}
	}
	return out
}

// IsGPUHostModule reports a GPU host driver's module or one of its helper
// modules (nvidia_drm, nvidia_modeset, nvidia_uvm).
func IsGPUHostModule(module string) bool {
	module = moduleName(module)
	for _, d := range GPUHostDrivers {
		if d.Module == module {
			return true
		}
	}
	for _, m := range gpuHostHelperModules {
		if m == module {
			return true
		}
	}
	return false
}

// RequiredVFIOModules must be loaded or built in for device assignment
// with the vfio type1 IOMMU backend, which libvirt uses.
var RequiredVFIOModules = []string{"vfio", "vfio_pci", "vfio_iommu_type1"}

// VFIOModules are the modules of the VFIO stack: the required ones, the
// core the variant drivers build on, the irqfd helper, iommufd and
// pci-stub.
var VFIOModules = []string{"vfio", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1", "vfio_virqfd", "iommufd", "pci_stub"}

// IsVFIOModule reports a module of the VFIO stack (VFIOModules) or a
// vfio-pci variant driver's.
func IsVFIOModule(module string) bool {
	module = moduleName(module)
	for _, m := range VFIOModules {
		if m == module {
			return true
		}
	}
	return IsVFIOVariantDriver(module)
}

// CompanionDrivers are the host drivers of a GPU card's other functions,
// by the function's class (base class and subclass): HD audio, USB, and
// the USB-C (UCSI) controller NVIDIA cards carry (i2c_nvidia_gpu, which
// binds NVIDIA's only).
var CompanionDrivers = map[string][]string{
	"0403": {"snd_hda_intel"},
	"0c03": {"xhci_pci"},
	"0c80": {"i2c_nvidia_gpu"},
}

// knownDriverModules name the module of drivers whose name differs from
// it, for hosts captured without /sys/bus/pci/drivers/*/module links.
var knownDriverModules = map[string]string{
	"xhci_hcd": "xhci_pci", "nvidia-gpu": "i2c_nvidia_gpu", "ehci-pci": "ehci_pci",
	"ahci": "ahci", "nvme": "nvme", "snd_hda_intel": "snd_hda_intel",
}

// DriverModule is the module to name in modprobe.d for a device's driver.
func DriverModule(d *Device) string {
	if d.DriverModule != "" {
		return d.DriverModule
	}
	if m, ok := knownDriverModules[d.Driver]; ok {
		return m
	}
	return moduleName(d.Driver)
}

// moduleName is a driver or module name as the kernel lists modules: '-'
// becomes '_' (hostinfo.NormalizeModule; hostinfo is above this package).
func moduleName(s string) string { return strings.ReplaceAll(s, "-", "_") }
