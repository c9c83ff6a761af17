// Package pcidev is gpupass's knowledge of PCI functions, held once: what a
// function is as sysfs shows it (Device), and what its class, vendor and
// driver mean for passthrough — display functions and the BMC and emulated
// displays that are never passed through, bridges, the other functions of
// a GPU's card, the drivers that hand a device to a guest (vfio-pci, the
// vfio-pci variant drivers, pci-stub) and those that keep it for the host
// (nvidia, nouveau, amdgpu, radeon, i915, xe), the kernel modules of both,
// boot-time vfio-pci.ids claims, and the --gpu selectors.
//
// It is the lowest of gpupass's packages: hostinfo fills Devices from
// sysfs and takes its lists of modules to look at from here; hostview,
// the checks, the audit's fleet model, drift and generate ask it what a
// device is. That is why Device lives here and not in hostinfo: the list
// of GPU host drivers, for one, must be the same for the reader that
// looks for their modules and for the checks that judge them, and one
// package can only share it with both from below.
//
// Everything here is a pure function of a Device or a name; nothing reads
// a file.
package pcidev
