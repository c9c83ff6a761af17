package checks

import (
	"fmt"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

func deviceSubject(d *pcidev.Device) report.Subject {
	return report.Subject{Kind: "device", Ref: d.Address}
}

func groupRef(id int) string { return fmt.Sprintf("iommu-group/%d", id) }

// vfioIDsLine is the modprobe.d line that claims these devices for vfio-pci.
func vfioIDsLine(devs []*pcidev.Device) string {
	var ids []string
	seen := map[string]bool{}
	for _, d := range devs {
		id := d.VendorID + ":" + d.DeviceID
		if d.VendorID == "" || d.DeviceID == "" || seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return "options vfio-pci ids=" + strings.Join(ids, ",")
}

// requireGPUs skips a device check on a host without passthrough GPUs.
func requireGPUs(p *Pass) bool {
	if len(p.Host.GPUs) == 0 {
		p.Skipf("no passthrough GPU on this host")
		return false
	}
	return true
}

// GPUHostDriver is GP201.
var GPUHostDriver = &Check{
	ID: "GP201", Name: "gpu-host-driver", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Every passthrough GPU is bound to vfio-pci or a vfio-pci variant driver (or pci-stub, or no driver), not to a host driver; a VF of NVIDIA's vendor-specific VFIO framework stays on nvidia, which registers it with VFIO.",
		Why:     "A GPU held by nvidia, nouveau or amdgpu is in use by the host: libvirt has to unbind it when a guest starts, which fails or hangs while the host driver holds it, and the guest does not boot.",
		Fix:     "Bind the GPU to vfio-pci now (driverctl set-override ADDRESS vfio-pci) and at every boot (vfio-pci.ids= with a softdep, or the driverctl override).",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html", "https://docs.kernel.org/driver-api/vfio.html"},
	},
	Run: runGPUHostDriver,
}

// runGPUHostDriver is GP201's Run.
func runGPUHostDriver(p *Pass) error {
	h := p.Inputs.Host
	if len(p.Host.GPUs) == 0 {
		var candidates, forVGPU []*pcidev.Device
		for _, d := range p.Host.CandidateGPUs() {
			// A GPU that serves vGPUs is prepared, for them.
			switch {
			case meantForVGPU(p, d):
			case vgpuIntended(p, d):
				forVGPU = append(forVGPU, d)
			default:
				candidates = append(candidates, d)
			}
		}
		if len(forVGPU) > 0 {
			var names []string
			for _, d := range forVGPU {
				names = append(names, pcidev.Describe(d))
			}
			why := "an SR-IOV GPU on the nvidia driver, the vGPU host driver"
			if p.Mdev != nil && len(p.Mdev.Enabled) > 0 {
				why = fmt.Sprintf("nova.conf enables mdev types (%s = %s)", enabledOption(p.Mdev), listLine(p.Mdev.Enabled))
			}
			p.Report(report.Finding{
				Severity: report.Info,
				Subject:  hostSubject(h),
				Message:  fmt.Sprintf("%s found, meant for vGPUs, not for passthrough — %s: %s.", prose.Plural(len(forVGPU), "GPU"), why, strings.Join(names, "; ")),
				Remediation: fmt.Sprintf("Leave %[1]s on its host driver for vGPUs: GP605 says what the vGPU stack still lacks. To pass %[1]s through whole instead, remove the mdev types from nova.conf and claim %[1]s for vfio-pci.",
					prose.Verb(len(forVGPU), "it", "them")),
				Evidence: map[string]any{"gpus": names, "for": "vgpu"},
			})
		}
		if len(candidates) == 0 {
			if len(forVGPU) == 0 {
				p.Skipf("no GPU on this host")
			}
			return nil
		}
		var names []string
		for _, d := range candidates {
			names = append(names, pcidev.Describe(d))
		}
		p.Report(report.Finding{
			Severity: report.Info,
			Subject:  hostSubject(h),
			Message:  fmt.Sprintf("%s found, %s prepared for passthrough: %s.", prose.Plural(len(candidates), "GPU"), prose.Verb(len(candidates), "not", "none"), strings.Join(names, "; ")),
			Remediation: fmt.Sprintf("To pass %[1]s through, claim %[1]s for vfio-pci at boot (%[2]s in /etc/modprobe.d/vfio.conf, or vfio-pci.ids= on the kernel command line) and expose %[1]s in nova.conf [pci] device_spec. To check %[1]s as %[3]s now, run gpupass preflight --gpu all.",
				prose.Verb(len(candidates), "it", "them"), vfioIDsLine(candidates), prose.Verb(len(candidates), "a passthrough GPU", "passthrough GPUs")),
			Evidence: map[string]any{"gpus": names},
		})
		return nil
	}
	for _, g := range p.Host.GPUs {
		d := g.Device
		if pcidev.ReadyForVFIO(d) || d.Driver == "" || meantForVGPU(p, d) {
			continue
		}
		module := pcidev.DriverModule(d)
		var remedy string
		if variant := pcidev.VFIODriverFor(d); variant != pcidev.DriverVFIOPCI {
			p.Report(report.Finding{
				Subject:     deviceSubject(d),
				Message:     fmt.Sprintf("%s is meant for passthrough — %s — but is bound to the host driver %s; this GPU is passed through on its vfio-pci variant driver %s.", pcidev.Describe(d), strings.Join(g.Why, "; "), d.Driver, variant),
				Remediation: fmt.Sprintf("Hand it to %[1]s now, and at every boot, with `driverctl set-override %[2]s %[1]s`: %[1]s binds a device only when its driver_override names the driver, so vfio-pci.ids cannot claim it for it. Then give it to Nova with \"managed\": \"no\" in its [pci]device_spec entry (Nova 2025.1 and later).", variant, d.Address),
				Evidence:    map[string]any{"driver": d.Driver, "why_passthrough": g.Why, "variant_driver": variant},
				Fix:         []report.Fix{{Target: "driverctl", Action: "add", Text: "driverctl set-override " + d.Address + " " + variant}},
			})
			continue
		}
		if claims := p.Host.BootClaims(d); len(claims) > 0 {
			remedy = fmt.Sprintf("It is claimed for vfio-pci at boot — %s — but %s gets it first: add `softdep %s pre: vfio-pci` to /etc/modprobe.d/vfio.conf, rebuild the initramfs (update-initramfs -u -k all, or dracut -f --regenerate-all) and reboot. To hand it over now, and at every boot: `driverctl set-override %s vfio-pci`.",
				strings.Join(claims, "; "), d.Driver, module, d.Address)
		} else {
			remedy = fmt.Sprintf("Claim it at boot: add `%s` and `softdep %s pre: vfio-pci` to /etc/modprobe.d/vfio.conf, rebuild the initramfs and reboot; or hand it over now, and at every boot, with `driverctl set-override %s vfio-pci`.",
				vfioIDsLine([]*pcidev.Device{d}), module, d.Address)
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s is meant for passthrough — %s — but is bound to the host driver %s.", pcidev.Describe(d), strings.Join(g.Why, "; "), d.Driver),
			Remediation: remedy,
			Evidence:    map[string]any{"driver": d.Driver, "why_passthrough": g.Why},
			Fix:         []report.Fix{{Target: "driverctl", Action: "add", Text: "driverctl set-override " + d.Address + " vfio-pci"}},
		})
	}
	return nil
}

// GroupNotViable is GP202.
var GroupNotViable = &Check{
	ID: "GP202", Name: "group-not-viable", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Every device in a passthrough GPU's IOMMU group is bound to vfio-pci, a vfio-pci variant driver, pci-stub or no driver (bridges excepted).",
		Why:     "vfio hands out whole IOMMU groups: if any endpoint of the group is held by a host driver (the card's HDMI audio on snd_hda_intel, its USB controller on xhci_hcd), the group is not viable and QEMU cannot open the GPU.",
		Fix:     "Bind every non-bridge function of the group to vfio-pci: add their IDs to vfio-pci.ids and a softdep for their drivers.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html#groups-devices-and-iommus"},
	},
	Run: runGroupNotViable,
}

// runGroupNotViable is GP202's Run.
func runGroupNotViable(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	reported := map[string]bool{}
	for _, g := range p.Host.GPUs {
		gpu := g.Device
		if gpu.IOMMUGroup == nil {
			continue
		}
		group := *gpu.IOMMUGroup
		for _, blocker := range hostview.GroupBlockers(p.Host, group) {
			d := blocker.Device
			// A passthrough GPU on a host driver is GP201's finding.
			if reported[d.Address] || p.Host.IsPassthroughGPU(d) {
				continue
			}
			reported[d.Address] = true
			if blocker.Unknown {
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     deviceSubject(d),
					Message:     fmt.Sprintf("%s shares %s with the passthrough GPU %s, and its driver could not be read: the group may not be viable.", pcidev.Describe(d), groupRef(group), gpu.Address),
					Remediation: "Check with `readlink /sys/bus/pci/devices/" + d.Address + "/driver` as root.",
					Evidence:    map[string]any{"group": group, "gpu": gpu.Address},
				})
				continue
			}
			p.Report(report.Finding{
				Subject: deviceSubject(d),
				Message: fmt.Sprintf("%s shares %s with the passthrough GPU %s and is bound to %s, so the group is not viable: the guest cannot start with the GPU.", pcidev.Describe(d), groupRef(group), gpu.Address, d.Driver),
				Remediation: fmt.Sprintf("Bind %s to vfio-pci as well: add its ID to vfio-pci's ids (%s) and `softdep %s pre: vfio-pci` to /etc/modprobe.d/vfio.conf, rebuild the initramfs and reboot; or now, `driverctl set-override %s vfio-pci`.",
					d.Address, vfioIDsLine(append(p.Host.GroupEndpoints(group), d)), pcidev.DriverModule(d), d.Address),
				Evidence: map[string]any{"group": group, "gpu": gpu.Address, "driver": d.Driver},
			})
		}
	}
	return nil
}

// GroupShared is GP203.
var GroupShared = &Check{
	ID: "GP203", Name: "group-shared", Severity: report.Warning, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "A passthrough GPU's IOMMU group holds only functions of the same card (and bridges).",
		Why:     "vfio assigns whole groups. A GPU that shares its group with another device (an NVMe drive, a NIC) drags it along: the host loses that device, and Nova, which assigns single devices, cannot give the group to one guest and the other device to another.",
		Fix:     "Move the card to a slot with its own group (a CPU root port, or behind an ACS-capable switch), or enable ACS in the firmware. Do not use pcie_acs_override.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html#groups-devices-and-iommus"},
	},
	Run: runGroupShared,
}

// runGroupShared is GP203's Run.
func runGroupShared(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	seen := map[int]bool{}
	for _, g := range p.Host.GPUs {
		gpu := g.Device
		if gpu.IOMMUGroup == nil || seen[*gpu.IOMMUGroup] {
			continue
		}
		group := *gpu.IOMMUGroup
		seen[group] = true
		var others []string
		for _, d := range p.Host.ForeignEndpoints(gpu) {
			if !p.Host.IsPassthroughGPU(d) {
				others = append(others, pcidev.Describe(d))
			}
		}
		if len(others) == 0 {
			continue
		}
		p.Report(report.Finding{
			Subject: report.Subject{Kind: "group", Ref: groupRef(group)},
			Message: fmt.Sprintf("%s holds the passthrough GPU %s and also %s: they can only be assigned together, to one guest.", groupRef(group), pcidev.Describe(gpu), strings.Join(others, ", ")),
			Remediation: "Move the GPU to a PCIe slot with its own IOMMU group (see `gpupass inventory --all`), or enable ACS in the firmware. " +
				"pcie_acs_override would only hide the sharing, not remove it.",
			Evidence: map[string]any{"group": group, "gpu": gpu.Address, "other_devices": others},
		})
	}
	return nil
}

// CompanionFunction is GP204.
var CompanionFunction = &Check{
	ID: "GP204", Name: "companion-function", Severity: report.Warning, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "The other functions of a passthrough GPU's card (HDMI audio, USB, UCSI) are claimed for vfio-pci at boot.",
		Why:     "Consumer and workstation cards carry an audio function and sometimes USB-C (USB + UCSI) functions in the GPU's IOMMU group. Left to snd_hda_intel, xhci_hcd or i2c-nvidia-gpu they make the group not viable after every reboot.",
		Fix:     "Add the functions' vendor:device IDs to vfio-pci.ids with the GPU's, and softdep their drivers after vfio-pci.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html"},
	},
	Run: runCompanionFunction,
}

// runCompanionFunction is GP204's Run.
func runCompanionFunction(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	for _, g := range p.Host.GPUs {
		companions := p.Host.Companions(g.Device)
		card := append([]*pcidev.Device{g.Device}, companions...)
		for _, d := range companions {
			if p.Host.IsPassthroughGPU(d) || pcidev.BoundToVFIO(d) || len(p.Host.BootClaims(d)) > 0 {
				continue
			}
			state := "has no driver"
			remedy := fmt.Sprintf("Claim every function of the card at boot: %s in /etc/modprobe.d/vfio.conf (or the same IDs in vfio-pci.ids= on the kernel command line), then rebuild the initramfs.", vfioIDsLine(card))
			if d.Driver != "" {
				state = "is bound to " + d.Driver
				remedy = fmt.Sprintf("Claim every function of the card at boot: %s and `softdep %s pre: vfio-pci` in /etc/modprobe.d/vfio.conf, then rebuild the initramfs and reboot.", vfioIDsLine(card), pcidev.DriverModule(d))
			}
			p.Report(report.Finding{
				Subject:     deviceSubject(d),
				Message:     fmt.Sprintf("%s is a function of the passthrough GPU's card (%s) and %s; nothing claims it for vfio-pci at boot.", pcidev.Describe(d), g.Device.Address, state),
				Remediation: remedy,
				Evidence:    map[string]any{"gpu": g.Device.Address, "driver": d.Driver, "class": d.Class},
				Fix:         []report.Fix{{Target: "modprobe.d", Path: "/etc/modprobe.d/vfio.conf", Action: "add", Text: vfioIDsLine(card)}},
			})
		}
	}
	return nil
}

// NoReset is GP205.
var NoReset = &Check{
	ID: "GP205", Name: "no-reset", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Every passthrough GPU has a reset method (reset_method is not empty).",
		Why:     "Between guests vfio resets the device so the next tenant finds no data of the last one and a GPU in a clean state. A device with no reset method keeps its memory and state: data leaks across tenants, and the GPU often fails to initialise in the next guest.",
		Fix:     "Check for a vendor reset quirk (the vendor-reset module for some AMD GPUs), firmware updates that add FLR, or do not share such GPUs between tenants.",
		Links:   []string{"https://docs.kernel.org/PCI/pci.html", "https://www.kernel.org/doc/Documentation/ABI/testing/sysfs-bus-pci"},
	},
	Run: runNoReset,
}

// runNoReset is GP205's Run.
func runNoReset(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	unknown := 0
	for _, g := range p.Host.GPUs {
		d := g.Device
		if d.ResetMethod == nil {
			unknown++
			continue
		}
		if !pcidev.HasNoReset(d) {
			continue
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s has no reset method (reset_method is empty): it cannot be reset between guests, so one tenant's data and GPU state reach the next.", pcidev.Describe(d)),
			Remediation: "If an administrator cleared it, restore the default with `echo default > /sys/bus/pci/devices/" + d.Address + "/reset_method`. Otherwise look for a firmware update or a vendor reset module for this model, and until then dedicate the GPU to one tenant.",
			Evidence:    map[string]any{"reset_method": d.ResetMethod},
		})
	}
	if unknown == len(p.Host.GPUs) {
		p.Skipf("reset_method is not available (Linux before 5.15, or not readable)")
	}
	return nil
}

// BootVGA is GP206.
var BootVGA = &Check{
	ID: "GP206", Name: "boot-vga", Severity: report.Warning, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "No passthrough GPU is the boot VGA device.",
		Why:     "The firmware and the host console (efifb, vesafb) use the boot VGA device: its memory stays claimed by the framebuffer, vfio may fail to map it, and its ROM is shadowed so the guest cannot read a clean copy.",
		Fix:     "Make another display device the primary one in the firmware (a BMC or an onboard GPU), or keep the host console off it (video=efifb:off).",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html"},
	},
	Run: runBootVGA,
}

// runBootVGA is GP206's Run.
func runBootVGA(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	for _, g := range p.Host.GPUs {
		d := g.Device
		if d.BootVGA == nil || !*d.BootVGA {
			continue
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s is the boot VGA device: the host console and firmware framebuffer use it.", pcidev.Describe(d)),
			Remediation: "Select the onboard or BMC graphics as the primary display in the firmware setup. If there is none, add video=efifb:off to the kernel command line so the host framebuffer leaves the GPU alone. " + cmdlineHowTo([]string{"video=efifb:off"}, nil),
			Evidence:    map[string]any{"boot_vga": true},
		})
	}
	return nil
}

// vgpuIntended reports a GPU not yet serving vGPUs that is meant to: an
// NVIDIA or SR-IOV GPU on a host whose nova.conf enables mdev types, or an
// SR-IOV PF on the nvidia driver (the vGPU host driver). GP605 says what
// its vGPU stack lacks.
func vgpuIntended(p *Pass, d *pcidev.Device) bool {
	sriov := d.SRIOV != nil && d.SRIOV.TotalVFs > 0
	if p.Mdev != nil && len(p.Mdev.Enabled) > 0 && (d.VendorID == "10de" || sriov) {
		return true
	}
	return sriov && d.VendorID == "10de" && d.Driver == "nvidia"
}

// LargeBAR is GP207.
var LargeBAR = &Check{
	ID: "GP207", Name: "large-bar", Severity: report.Info, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Passthrough GPUs with a 64-bit BAR of 32 GiB or more.",
		Why:     "Data-centre GPUs map their whole memory through a BAR (128 GiB on an H100 or A100 80GB). Such a BAR fits only in the 64-bit MMIO window of a q35 guest with UEFI firmware and enough guest physical address bits; with the i440fx machine type or SeaBIOS the guest sees no GPU memory or does not boot.",
		Fix:     "Boot these guests with the q35 machine type and UEFI: image properties hw_machine_type=q35 and hw_firmware_type=uefi. On aarch64 (no q35 there) keep the virt machine type, Nova's default, and boot with UEFI (AAVMF firmware on the host).",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html", "https://docs.openstack.org/glance/latest/admin/useful-image-properties.html"},
	},
	Run: runLargeBAR,
}

// runLargeBAR is GP207's Run.
func runLargeBAR(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	for _, g := range p.Host.GPUs {
		d := g.Device
		largest := pcidev.LargestBAR(d)
		if largest == nil {
			continue
		}
		msg := fmt.Sprintf("%s has a %s 64-bit BAR (BAR%d): its guests need the q35 machine type, UEFI firmware and enough guest physical address bits.", pcidev.Describe(d), formatSize(largest.Size), largest.Index)
		fix := "Set on the images used with this GPU: openstack image set --property hw_machine_type=q35 --property hw_firmware_type=uefi IMAGE " +
			"(or [libvirt] hw_machine_type = x86_64=q35 in nova.conf on this node)."
		if p.Inputs.Host.CPU.IsARM64() {
			// aarch64 has no q35 (nor i440fx): QEMU's and libvirt's
			// machine type there is virt, Nova's default for aarch64,
			// and its guests boot with UEFI (AAVMF).
			msg = fmt.Sprintf("%s has a %s 64-bit BAR (BAR%d): its guests need the virt machine type (aarch64 has no q35), UEFI firmware (AAVMF) and enough guest physical address bits.", pcidev.Describe(d), formatSize(largest.Size), largest.Index)
			fix = "Keep the virt machine type, Nova's default on aarch64 (if an image or nova.conf names another: openstack image set --property hw_machine_type=virt IMAGE, or [libvirt] hw_machine_type = aarch64=virt), " +
				"and boot with UEFI: --property hw_firmware_type=uefi on the images, with the AAVMF firmware installed on this node (qemu-efi-aarch64 on Debian and Ubuntu, edk2-aarch64 on RHEL)."
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     msg,
			Remediation: fix,
			Evidence:    map[string]any{"bar_index": largest.Index, "bar_size": largest.Size, "host_physical_address_bits": p.Inputs.Host.CPU.PhysicalAddressBits},
		})
	}
	return nil
}

func formatSize(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// NUMAUnknown is GP208.
var NUMAUnknown = &Check{
	ID: "GP208", Name: "numa-unknown", Severity: report.Warning, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "On a multi-NUMA host, every passthrough GPU reports its NUMA node (numa_node is not -1).",
		Why:     "Nova places a guest's vCPUs and memory on the GPU's NUMA node. With numa_node -1 it cannot: under the required and preferred NUMA policies the GPU is only usable with the legacy policy, and guests get cross-socket memory traffic.",
		Fix:     "Enable the ACPI SRAT/_PXM (\"NUMA\", \"Sub-NUMA clustering\" settings) in the firmware, or update the firmware; as a workaround use numa_policy legacy in the alias.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runNUMAUnknown,
}

// runNUMAUnknown is GP208's Run.
func runNUMAUnknown(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	nodes := p.Inputs.Host.NUMANodes
	switch {
	case nodes == 0:
		p.Skipf("the number of NUMA nodes is unknown")
		return nil
	case nodes == 1:
		p.Skipf("the host has a single NUMA node")
		return nil
	}
	for _, g := range p.Host.GPUs {
		d := g.Device
		if d.NUMANode == nil || *d.NUMANode >= 0 {
			continue
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s reports numa_node -1 on a host with %d NUMA nodes: Nova cannot place its guests on the GPU's node.", pcidev.Describe(d), nodes),
			Remediation: "Update the firmware or enable its NUMA reporting (ACPI _PXM); until then, aliases for this GPU need \"numa_policy\": \"legacy\" or \"preferred\".",
			Evidence:    map[string]any{"numa_node": -1, "host_numa_nodes": nodes},
		})
	}
	return nil
}

// VFIOIDsUnknown is GP209.
var VFIOIDsUnknown = &Check{
	ID: "GP209", Name: "vfio-ids-unknown", Severity: report.Warning, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Every ID in vfio-pci.ids / pci-stub.ids (kernel command line or modprobe.d) is well formed and matches a device.",
		Why:     "An ID that matches nothing is usually a typo (10de:2231 for 10de:2230): the GPU it was meant for is not claimed at boot and goes to its host driver.",
		Fix:     "Correct the ID to the vendor:device shown by lspci -nn for the GPU and each of its functions.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio-pci-device-specific-driver-acceptance.html"},
	},
	Run: runVFIOIDsUnknown,
}

// runVFIOIDsUnknown is GP209's Run.
func runVFIOIDsUnknown(p *Pass) error {
	if len(p.Host.Claims) == 0 {
		p.Skipf("no vfio-pci.ids or pci-stub.ids configured")
		return nil
	}
	for _, c := range p.Host.Claims {
		source := c.Source
		if source == "kernel command line" {
			source = ""
		}
		if c.Err != nil {
			p.Report(report.Finding{
				Subject:     hostSubject(p.Inputs.Host),
				Source:      source,
				Message:     fmt.Sprintf("%s.ids entry %s (%s) is malformed and ignored by the kernel.", c.Driver, c.Err, c.Source),
				Remediation: "Write each entry as vendor:device in hex, for example 10de:2330, separated by commas.",
				Evidence:    map[string]any{"entry": c.Raw, "driver": c.Driver},
			})
			continue
		}
		matched := false
		for i := range p.Inputs.Host.Devices {
			if c.Matches(&p.Inputs.Host.Devices[i]) {
				matched = true
				break
			}
		}
		if !matched {
			p.Report(report.Finding{
				Subject:     hostSubject(p.Inputs.Host),
				Source:      source,
				Message:     fmt.Sprintf("%s.ids entry %s (%s) matches no PCI device on this host.", c.Driver, c.Raw, c.Source),
				Remediation: "Check the IDs with `lspci -nn -d " + c.Raw + "` and `lspci -nn | grep -i -e vga -e 3d -e audio`; correct or remove the entry.",
				Evidence:    map[string]any{"entry": c.Raw, "driver": c.Driver},
			})
		}
	}
	return nil
}

// BindingNotPersistent is GP210.
var BindingNotPersistent = &Check{
	ID: "GP210", Name: "binding-not-persistent", Severity: report.Warning, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Every device bound to vfio-pci is claimed for it at boot (vfio-pci.ids, or a driverctl override); every device on a vfio-pci variant driver has a driverctl override naming it.",
		Why:     "A device bound to vfio-pci by hand (echo to bind, driver_override) goes back to its host driver at the next reboot, and the guests that used it fail to start.",
		Fix:     "Make the binding persistent: its ID in vfio-pci.ids, or `driverctl set-override ADDRESS vfio-pci`.",
		Links:   []string{"https://gitlab.com/driverctl/driverctl"},
	},
	Run: runBindingNotPersistent,
}

// runBindingNotPersistent is GP210's Run.
func runBindingNotPersistent(p *Pass) error {
	bound := 0
	for i := range p.Inputs.Host.Devices {
		d := &p.Inputs.Host.Devices[i]
		if pcidev.IsVFIOVariantDriver(d.Driver) {
			bound++
			reportVariantNotPersistent(p, d)
			continue
		}
		if d.Driver != pcidev.DriverVFIOPCI {
			continue
		}
		bound++
		if len(p.Host.BootClaims(d)) > 0 {
			continue
		}
		how := "bound at run time"
		if d.DriverOverride == pcidev.DriverVFIOPCI {
			how = "bound through driver_override, which does not survive a reboot"
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s is on vfio-pci only until the next reboot (%s): nothing claims it at boot.", pcidev.Describe(d), how),
			Remediation: fmt.Sprintf("Make it persistent with `driverctl set-override %s vfio-pci`, or add `%s` to /etc/modprobe.d/vfio.conf (this claims every device with that ID) and rebuild the initramfs.", d.Address, vfioIDsLine([]*pcidev.Device{d})),
			Evidence:    map[string]any{"driver": d.Driver, "driver_override": d.DriverOverride},
			Fix:         []report.Fix{{Target: "driverctl", Action: "add", Text: "driverctl set-override " + d.Address + " vfio-pci"}},
		})
	}
	if bound == 0 {
		p.Skipf("no device is bound to vfio-pci")
	}
	return nil
}

// reportVariantNotPersistent is GP210 for a device on a vfio-pci variant
// driver. The mainline variant drivers list their IDs with
// PCI_DRIVER_OVERRIDE_DEVICE_VFIO: they bind a device only when its
// driver_override names them (drivers/pci/pci-driver.c; research 4.1), and
// driver_override is lost at reboot. A driverctl override naming the
// driver sets it again at every boot; nothing else gpupass reads does.
func reportVariantNotPersistent(p *Pass, d *pcidev.Device) {
	for _, o := range p.Inputs.Host.Driverctl {
		if o.Address == d.Address && hostinfo.NormalizeModule(o.Driver) == hostinfo.NormalizeModule(d.Driver) {
			return
		}
	}
	p.Report(report.Finding{
		Subject:     deviceSubject(d),
		Message:     fmt.Sprintf("%s is on the vfio-pci variant driver %s only until the next reboot: that driver binds a device only when its driver_override names it, and no driverctl override sets it at boot.", pcidev.Describe(d), d.Driver),
		Remediation: fmt.Sprintf("Make it persistent with `driverctl set-override %s %s`.", d.Address, d.Driver),
		Evidence:    map[string]any{"driver": d.Driver, "driver_override": d.DriverOverride},
		Fix:         []report.Fix{{Target: "driverctl", Action: "add", Text: "driverctl set-override " + d.Address + " " + d.Driver}},
	})
}

// PCIStubLegacy is GP211.
var PCIStubLegacy = &Check{
	ID: "GP211", Name: "pci-stub-legacy", Severity: report.Info, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Devices bound to pci-stub rather than vfio-pci.",
		Why:     "pci-stub only keeps host drivers away; libvirt then rebinds the device to vfio-pci when a guest starts. It works, but vfio-pci at boot is simpler and fails earlier when something is wrong.",
		Fix:     "Replace pci-stub.ids= with vfio-pci.ids= (and load vfio-pci early).",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html"},
	},
	Run: runPCIStubLegacy,
}

// runPCIStubLegacy is GP211's Run.
func runPCIStubLegacy(p *Pass) error {
	found := false
	for i := range p.Inputs.Host.Devices {
		d := &p.Inputs.Host.Devices[i]
		if d.Driver != pcidev.DriverPCIStub {
			continue
		}
		found = true
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s is bound to pci-stub: libvirt will move it to vfio-pci when a guest starts.", pcidev.Describe(d)),
			Remediation: "Prefer vfio-pci: replace pci-stub.ids= with vfio-pci.ids= (" + vfioIDsLine([]*pcidev.Device{d}) + ").",
		})
	}
	if !found {
		p.Skipf("no device is bound to pci-stub")
	}
	return nil
}

// SRIOVGPUPF is GP212.
var SRIOVGPUPF = &Check{
	ID: "GP212", Name: "sriov-gpu-pf", Severity: report.Info, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Passthrough GPUs with SR-IOV capability, which Nova classifies as type-PF.",
		Why:     "Nova's libvirt driver reports any device with the SR-IOV capability as type-PF, whether or not VFs are enabled (A100, H100 PCIe, L40S...). An alias with \"device_type\": \"type-PCI\" never matches it and every flavor using that alias fails with No valid host.",
		Fix:     "Use \"device_type\": \"type-PF\" in the [pci] alias for these GPUs (and keep sriov_numvfs at 0 for whole-GPU passthrough).",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runSRIOVGPUPF,
}

// runSRIOVGPUPF is GP212's Run.
func runSRIOVGPUPF(p *Pass) error {
	if !requireGPUs(p) {
		return nil
	}
	for _, g := range p.Host.GPUs {
		d := g.Device
		if d.SRIOV == nil || d.SRIOV.TotalVFs == 0 {
			continue
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s has SR-IOV capability (%d VFs possible, %d enabled): Nova classifies it as type-PF.", pcidev.Describe(d), d.SRIOV.TotalVFs, d.SRIOV.NumVFs),
			Remediation: fmt.Sprintf("In nova.conf [pci] alias, use \"device_type\": \"type-PF\" for %s:%s.", d.VendorID, d.DeviceID),
			Evidence:    map[string]any{"total_vfs": d.SRIOV.TotalVFs, "num_vfs": d.SRIOV.NumVFs},
		})
	}
	return nil
}
