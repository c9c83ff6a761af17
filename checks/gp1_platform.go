package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

const (
	vendorIntel = "GenuineIntel"
	vendorAMD   = "AuthenticAMD"
)

// cmdlineHowTo says how to change the kernel command line on the usual
// boot setups; findings say first which parameters to add or remove.
func cmdlineHowTo(add, remove []string) string {
	grubby := "grubby --update-kernel=ALL"
	if len(remove) > 0 {
		grubby += fmt.Sprintf(" --remove-args=%q", strings.Join(remove, " "))
	}
	if len(add) > 0 {
		grubby += fmt.Sprintf(" --args=%q", strings.Join(add, " "))
	}
	return "With GRUB, edit GRUB_CMDLINE_LINUX in /etc/default/grub and run update-grub (Debian, Ubuntu) or grub2-mkconfig -o /boot/grub2/grub.cfg (RHEL family); with grubby: " + grubby + ". Then reboot."
}

func hostSubject(h *hostinfo.Host) report.Subject {
	return report.Subject{Kind: "host", Ref: h.Hostname}
}

func cmdlineAdd(param string) report.Fix {
	return report.Fix{Target: "kernel-cmdline", Action: "add", Text: param}
}
func cmdlineRemove(param string) report.Fix {
	return report.Fix{Target: "kernel-cmdline", Action: "remove", Text: param}
}

// CPUVirtualization is GP101.
var CPUVirtualization = &Check{
	ID: "GP101", Name: "cpu-virtualization", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "The CPU advertises hardware virtualization (vmx or svm) and /dev/kvm exists; on arm64, which has no such flag, /dev/kvm exists.",
		Why:     "Without VT-x/AMD-V and the kvm module there is no KVM guest at all, let alone one with a GPU; Nova's libvirt driver would fall back to slow emulation or fail.",
		Fix:     "Enable Intel VT-x or AMD SVM in the firmware setup, then load kvm_intel or kvm_amd.",
		Links:   []string{"https://docs.kernel.org/virt/kvm/index.html", "https://docs.openstack.org/nova/latest/admin/configuration/hypervisor-kvm.html"},
	},
	Run: runCPUVirtualization,
}

// runCPUVirtualization is GP101's Run.
func runCPUVirtualization(p *Pass) error {
	h := p.Inputs.Host
	if h.CPU.Vendor == "" && h.CPU.LogicalCPUs == 0 {
		p.Skipf("/proc/cpuinfo could not be read")
		return nil
	}
	if h.CPU.IsARM64() {
		runCPUVirtualizationARM64(p, h)
		return nil
	}
	flag := map[string]string{vendorIntel: "vmx", vendorAMD: "svm"}[h.CPU.Vendor]
	module := map[string]string{vendorIntel: "kvm_intel", vendorAMD: "kvm_amd"}[h.CPU.Vendor]
	ev := map[string]any{"cpu_vendor": h.CPU.Vendor, "virtualization_flag": h.CPU.Virtualization, "dev_kvm": h.KVM}
	switch {
	case !h.KVM && h.CPU.Virtualization == "":
		p.Report(report.Finding{
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("The CPU (%s) does not advertise hardware virtualization (no vmx or svm flag) and /dev/kvm is missing.", h.CPU.Model),
			Remediation: "Enable Intel VT-x (\"Virtualization Technology\") or AMD SVM in the firmware setup and reboot; if this is itself a virtual machine, enable nested virtualization on its host.",
			Evidence:    ev,
		})
	case !h.KVM:
		load := "modprobe kvm_intel (or kvm_amd)"
		if module != "" {
			load = "modprobe " + module
		}
		p.Report(report.Finding{
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("The CPU supports %s but /dev/kvm is missing: the kvm module is not loaded.", h.CPU.Virtualization),
			Remediation: "Load it now with `" + load + "` and check `dmesg | grep -i kvm` for \"disabled by bios\"; the nova-compute packages normally load it at boot.",
			Evidence:    ev,
		})
	case h.CPU.Virtualization == "":
		want := "vmx or svm"
		if flag != "" {
			want = flag
		}
		p.Report(report.Finding{
			Severity:    report.Warning,
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("/dev/kvm exists but the CPU flags lack %s: this looks like a virtual machine whose hypervisor hides the flag, where device assignment is unlikely to work.", want),
			Remediation: "Run gpupass on the bare-metal compute node; GPU passthrough into nested guests is not supported by Nova.",
			Evidence:    ev,
		})
	}
	return nil
}

// runCPUVirtualizationARM64 is GP101 on an arm64 host. Arm CPUs have no
// vmx or svm flag: their cpuinfo lists hwcaps under "Features", none of
// which says whether the kernel may run guests. libvirt's validator takes
// hardware virtualization as given on AArch64 and then checks /dev/kvm
// (docs/research/vgpu-layouts.md 4.3); so does this. On arm64 KVM is built
// into the kernel (arch/arm64/kvm/Kconfig: a bool, no module), and works
// when the kernel was started at EL2, the hypervisor exception level.
func runCPUVirtualizationARM64(p *Pass, h *hostinfo.Host) {
	if h.KVM {
		return
	}
	p.Report(report.Finding{
		Subject:     hostSubject(h),
		Message:     fmt.Sprintf("This aarch64 host (%s) has no /dev/kvm: KVM is not running. Arm CPUs have no vmx or svm flag; KVM on arm64 needs the kernel to start at EL2, the hypervisor exception level.", armCPUName(h.CPU)),
		Remediation: "Look at `dmesg | grep -i -e kvm -e hyp`: \"HYP mode not available\" means the firmware or boot loader started the kernel at EL1 (or this is a virtual machine without nested virtualization). Boot the kernel at EL2, with a kernel built with CONFIG_KVM (on arm64 KVM is part of the kernel: there is no kvm module to load).",
		Evidence:    map[string]any{"cpu_arch": h.CPU.Arch, "cpu_implementer": h.CPU.Implementer, "cpu_part": h.CPU.Part, "dev_kvm": false},
	})
}

// armCPUName names an arm64 CPU by its model and its cpuinfo IDs:
// "Neoverse-V2, CPU implementer 0x41, part 0xd4f".
func armCPUName(c hostinfo.CPU) string {
	ids := fmt.Sprintf("CPU implementer %s, part %s", c.Implementer, c.Part)
	if c.Model != "" {
		return c.Model + ", " + ids
	}
	return ids
}

// iortSummary says what the parsed IORT table describes, for messages.
func iortSummary(t *hostinfo.IORT) string {
	return fmt.Sprintf("%s, %s, %s, %s", prose.Plural(t.SMMUv3, "SMMUv3 node"), prose.Plural(t.SMMU, "SMMUv1/v2 node"), prose.Plural(t.ITSGroups, "ITS group"), prose.PluralOf(t.RootComplexes, "root complex", "root complexes"))
}

// iortEvidence is the IORT part of a finding's evidence.
func iortEvidence(h *hostinfo.Host) map[string]any {
	ev := map[string]any{"cpu_arch": h.CPU.Arch, "acpi_iort": h.ACPI.HasTable("IORT")}
	if t := h.ACPI.IORT; t != nil {
		ev["iort_smmuv3"], ev["iort_smmu"], ev["iort_its_groups"], ev["iort_root_complexes"] = t.SMMUv3, t.SMMU, t.ITSGroups, t.RootComplexes
	}
	return ev
}

// IOMMUFirmware is GP102.
var IOMMUFirmware = &Check{
	ID: "GP102", Name: "iommu-firmware", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "The firmware describes an IOMMU: ACPI DMAR (Intel VT-d) or IVRS (AMD-Vi) table present; on arm64, an ACPI IORT table with an SMMU node.",
		Why:     "The kernel only enables an IOMMU the firmware announces. Without one there are no IOMMU groups, vfio-pci cannot bind and no device can be assigned to a guest.",
		Fix:     "Enable VT-d (Intel) or IOMMU / AMD-Vi (AMD) in the firmware setup; on some boards also \"SR-IOV\" and \"Above 4G decoding\".",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html", "https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runIOMMUFirmware,
}

// runIOMMUFirmware is GP102's Run.
func runIOMMUFirmware(p *Pass) error {
	h := p.Inputs.Host
	if h.CPU.IsARM64() {
		runIOMMUFirmwareARM64(p, h)
		return nil
	}
	table, feature := h.CPU.IOMMUTable()
	if table == "" {
		p.Skipf("CPU vendor %q: only Intel (DMAR) and AMD (IVRS) firmware tables are known (GP103 says whether an IOMMU is active)", h.CPU.Vendor)
		return nil
	}
	if !h.ACPI.Readable {
		p.Skipf("/sys/firmware/acpi/tables could not be listed, so the firmware's tables are unknown (GP103 says whether an IOMMU is active)")
		return nil
	}
	if firmwareIOMMU(h) {
		return nil
	}
	ev := map[string]any{"cpu_vendor": h.CPU.Vendor, "acpi_tables": h.ACPI.Tables, "virtual_machine": h.CPU.Hypervisor}
	if h.CPU.Hypervisor {
		p.Report(report.Finding{
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("This host is a virtual machine (its CPU has the hypervisor flag) and its virtual firmware describes no IOMMU (no ACPI %s or VIOT table): the hypervisor gives it no virtual IOMMU, so no device can be passed on to its guests.", table),
			Remediation: vmIOMMURemedy,
			Evidence:    ev,
		})
		return nil
	}
	p.Report(report.Finding{
		Subject:     hostSubject(h),
		Message:     fmt.Sprintf("The firmware has no ACPI %s table: %s is disabled in the BIOS/UEFI setup (or not supported by this platform).", table, feature),
		Remediation: fmt.Sprintf("Enable %s in the firmware setup (often under Chipset, North Bridge or Processor settings; AMD boards call it IOMMU or AMD-Vi) and reboot; /sys/firmware/acpi/tables/%s then exists.", feature, table),
		Evidence:    ev,
	})
	return nil
}

// runIOMMUFirmwareARM64 is GP102 on an arm64 host: its firmware describes
// the SMMUs (Arm's IOMMUs) in the ACPI IORT table, as node types 3
// (SMMUv1/v2) and 4 (SMMUv3). libvirt's virt-host-validate fails an ARM
// host without /sys/firmware/acpi/tables/IORT ("No ACPI IORT table found,
// IOMMU not supported by this hardware platform") and then looks for an
// SMMU node in it (virAcpiHasSMMU); so does this.
func runIOMMUFirmwareARM64(p *Pass, h *hostinfo.Host) {
	if !h.ACPI.Readable {
		p.Skipf("/sys/firmware/acpi/tables could not be listed (or this arm64 host boots from a device tree, without ACPI), so whether the firmware describes an SMMU is unknown (GP103 says whether an IOMMU is active)")
		return
	}
	const remedy = "Enable the SMMU (it may be called IOMMU or SMMU under the PCIe, platform or security settings) in the firmware setup, or update the firmware to one that describes it, and reboot; /sys/firmware/acpi/tables/IORT then lists an SMMUv3 node."
	switch t := h.ACPI.IORT; {
	case !h.ACPI.HasTable("IORT"):
		p.Report(report.Finding{
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("The firmware has no ACPI IORT table: this aarch64 host (%s) describes no SMMU, Arm's IOMMU, so no device can be assigned to a guest (arm64 has no DMAR or IVRS; libvirt's virt-host-validate says \"No ACPI IORT table found, IOMMU not supported by this hardware platform\").", armCPUName(h.CPU)),
			Remediation: remedy,
			Evidence:    map[string]any{"cpu_arch": h.CPU.Arch, "acpi_tables": h.ACPI.Tables},
		})
	case t != nil && t.SMMUv3+t.SMMU == 0:
		p.Report(report.Finding{
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("The firmware's ACPI IORT table describes no SMMU (%s): this aarch64 host has no IOMMU the kernel can use, so no device can be assigned to a guest.", iortSummary(t)),
			Remediation: remedy,
			Evidence:    iortEvidence(h),
		})
	}
	// An IORT that could not be read (root only) or parsed is in the
	// host's notes; GP103 says whether an SMMU is active.
}

// vmIOMMURemedy is what a virtual machine needs for passthrough: no
// firmware setting of its own can give it an IOMMU.
const vmIOMMURemedy = "The hypervisor must expose a virtual IOMMU with interrupt remapping to this machine, and pass the devices through to it: with QEMU and libvirt, the q35 machine type and <iommu model='intel'><driver intremap='on' caching_mode='on'/></iommu> (or model='virtio'), the host's own IOMMU on. Firecracker and most clouds' instances offer none. Nova's PCI passthrough is meant for bare-metal compute nodes: run gpupass on one."

// firmwareIOMMU reports whether the firmware's ACPI tables describe an
// IOMMU: DMAR (Intel VT-d) or IVRS (AMD-Vi), or on a virtual machine VIOT
// (a virtio-iommu); on arm64, an IORT with an SMMU node.
func firmwareIOMMU(h *hostinfo.Host) bool {
	if h.CPU.IsARM64() {
		// An IORT that could not be read is taken to describe one.
		t := h.ACPI.IORT
		return h.ACPI.HasTable("IORT") && (t == nil || t.SMMUv3+t.SMMU > 0)
	}
	table, _ := h.CPU.IOMMUTable()
	return table != "" && h.ACPI.HasTable(table) || h.CPU.Hypervisor && h.ACPI.HasTable("VIOT")
}

// iommuOn reports whether the kernel has an active IOMMU.
func iommuOn(h *hostinfo.Host) bool { return len(h.IOMMU.Units) > 0 || h.IOMMU.Groups > 0 }

// IOMMUKernel is GP103.
var IOMMUKernel = &Check{
	ID: "GP103", Name: "iommu-kernel", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "The firmware has an IOMMU and the kernel uses it (/sys/class/iommu and IOMMU groups are populated); a host with a passthrough GPU or a device_spec has an active IOMMU, whatever its firmware tables say.",
		Why:     "Many kernels leave the Intel IOMMU off unless intel_iommu=on is given. With the IOMMU off there are no IOMMU groups and vfio-pci cannot bind. When the firmware's tables cannot be read (no ACPI, a restricted sandbox), no active IOMMU still means no device can be passed through.",
		Fix:     "Add intel_iommu=on (Intel) to the kernel command line, or remove amd_iommu=off / iommu=off, and reboot.",
		Links:   []string{"https://docs.kernel.org/admin-guide/kernel-parameters.html", "https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runIOMMUKernel,
}

// runIOMMUKernel is GP103's Run.
func runIOMMUKernel(p *Pass) error {
	h := p.Inputs.Host
	table, _ := h.CPU.IOMMUTable()
	if h.CPU.IsARM64() {
		table = "IORT"
	}
	if iommuOn(h) {
		return nil
	}
	switch {
	case firmwareIOMMU(h):
		reportIOMMUNotEnabled(p, h)
	case table != "" && h.ACPI.Readable:
		// GP102 reports it: the firmware describes no IOMMU.
		p.Skipf("no IOMMU is active, and the firmware describes none: GP102 reports it")
	default:
		reportNoIOMMU(p, h)
	}
	return nil
}

// reportIOMMUNotEnabled is GP103's finding when the firmware describes an
// IOMMU that the kernel has not enabled.
func reportIOMMUNotEnabled(p *Pass, h *hostinfo.Host) {
	if h.CPU.IsARM64() {
		reportSMMUNotEnabled(p, h)
		return
	}
	table, _ := h.CPU.IOMMUTable()
	if !h.ACPI.HasTable(table) {
		table = "VIOT"
	}
	var fixes []report.Fix
	var steps []string
	for _, key := range []string{"intel_iommu", "amd_iommu", "iommu"} {
		for _, param := range p.Host.Cmdline.Lookup(key) {
			if hostinfo.ValueHas(param.Value, "off") {
				fixes = append(fixes, cmdlineRemove(param.String()))
				steps = append(steps, "remove "+param.String())
			}
		}
	}
	if h.CPU.Vendor == vendorIntel {
		if on, ok := p.Host.Cmdline.Last("intel_iommu"); !ok || !hostinfo.ValueHas(on.Value, "on") {
			fixes = append(fixes, cmdlineAdd("intel_iommu=on"))
			steps = append(steps, "add intel_iommu=on")
		}
	}
	remedy := "The command line does not disable it: check that the kernel is built with CONFIG_INTEL_IOMMU / CONFIG_AMD_IOMMU and look for DMAR or AMD-Vi errors in `dmesg`."
	if len(steps) > 0 {
		var add, remove []string
		for _, f := range fixes {
			if f.Action == "add" {
				add = append(add, f.Text)
			} else {
				remove = append(remove, f.Text)
			}
		}
		remedy = fmt.Sprintf("On the kernel command line, %s (iommu=pt is recommended alongside). %s", strings.Join(steps, " and "), cmdlineHowTo(add, remove))
	}
	p.Report(report.Finding{
		Subject:     hostSubject(h),
		Message:     fmt.Sprintf("The firmware announces an IOMMU (ACPI %s) but the kernel has not enabled it: /sys/class/iommu is empty and there are no IOMMU groups.", table),
		Remediation: remedy,
		Evidence:    map[string]any{"cmdline": h.Kernel.Cmdline, "iommu_units": len(h.IOMMU.Units), "iommu_groups": h.IOMMU.Groups},
		Fix:         fixes,
	})
}

// reportSMMUNotEnabled is GP103's finding on an arm64 host whose firmware
// describes an SMMU (IORT) that the kernel has not enabled: no smmu3.*
// unit in /sys/class/iommu (arm-smmu-v3 names its units
// smmu3.0x<base address>) and no IOMMU groups. The x86 parameters
// (intel_iommu=, amd_iommu=, iommu=) do nothing on arm64
// (kernel-parameters.txt marks them X86), so none is suggested.
func reportSMMUNotEnabled(p *Pass, h *hostinfo.Host) {
	described := "an SMMU"
	if t := h.ACPI.IORT; t != nil {
		described = iortSummary(t)
	}
	p.Report(report.Finding{
		Subject:     hostSubject(h),
		Message:     fmt.Sprintf("The firmware's ACPI IORT table describes the SMMU (%s) but the kernel has not enabled it: /sys/class/iommu has no smmu3.* unit and there are no IOMMU groups.", described),
		Remediation: "Use a kernel with the SMMUv3 driver (CONFIG_ARM_SMMU_V3; where it is a module, `modprobe arm_smmu_v3` and list it in /etc/modules-load.d) and look for arm-smmu-v3 messages in `dmesg | grep -i smmu`. The x86 parameters intel_iommu=, amd_iommu= and iommu= have no effect on arm64.",
		Evidence:    map[string]any{"cmdline": h.Kernel.Cmdline, "iommu_units": len(h.IOMMU.Units), "iommu_groups": h.IOMMU.Groups, "cpu_arch": h.CPU.Arch},
	})
}

// reportNoIOMMU is GP103's finding when no IOMMU is active and the
// firmware's tables cannot tell why (they could not be listed, or the
// platform's are not known): an error when something is set up for
// passthrough, which cannot work, else a warning.
func reportNoIOMMU(p *Pass, h *hostinfo.Host) {
	table, _ := h.CPU.IOMMUTable()
	unknown := "/sys/firmware/acpi/tables could not be listed"
	if table == "" && !h.CPU.IsARM64() {
		unknown = fmt.Sprintf("gpupass knows the IOMMU tables of Intel and AMD platforms only (CPU vendor %q)", h.CPU.Vendor)
	}
	severity := report.Warning
	var needs []string
	if n := len(p.Host.GPUs); n > 0 {
		severity = report.Error
		gpus := make([]string, 0, n)
		for _, g := range p.Host.GPUs {
			gpus = append(gpus, g.Device.Address)
		}
		needs = append(needs, prose.Plural(n, "passthrough GPU")+" ("+prose.List(gpus)+")")
	}
	if p.Conf != nil && len(p.Conf.Specs) > 0 {
		severity = report.Error
		needs = append(needs, "a [pci]device_spec")
	}
	msg := "No IOMMU is active (/sys/class/iommu is empty and there are no IOMMU groups): no device can be given to a guest"
	if len(needs) > 0 {
		msg += ", yet this host has " + strings.Join(needs, " and ")
	}
	msg += fmt.Sprintf(". Whether the firmware describes one is unknown: %s.", unknown)
	remedy := "Enable VT-d (Intel) or AMD-Vi / IOMMU (AMD) in the firmware setup, and on Intel add intel_iommu=on to the kernel command line; `dmesg | grep -i -e DMAR -e IOMMU -e AMD-Vi` says what the kernel found."
	if h.CPU.IsARM64() {
		remedy = "Enable the SMMU in the firmware setup (its ACPI IORT table then lists an SMMUv3 node) and use a kernel with the SMMUv3 driver (CONFIG_ARM_SMMU_V3); `dmesg | grep -i smmu` says what the kernel found."
	}
	if h.CPU.Hypervisor {
		remedy = "This host is a virtual machine (its CPU has the hypervisor flag). " + vmIOMMURemedy
	}
	p.Report(report.Finding{
		Severity:    severity,
		Subject:     hostSubject(h),
		Message:     msg,
		Remediation: remedy,
		Evidence:    map[string]any{"iommu_units": len(h.IOMMU.Units), "iommu_groups": h.IOMMU.Groups, "acpi_tables_readable": h.ACPI.Readable, "virtual_machine": h.CPU.Hypervisor},
	})
}

// IOMMUCmdline is GP104.
var IOMMUCmdline = &Check{
	ID: "GP104", Name: "iommu-cmdline", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "The kernel command line does not disable the IOMMU or fake isolation, and uses iommu=pt.",
		Why:     "intel_iommu=off, amd_iommu=off and iommu=off turn device assignment off. pcie_acs_override (an out-of-tree patch) splits IOMMU groups by pretending devices are isolated when the hardware does not isolate them: a guest can then reach other devices' memory by peer-to-peer DMA. iommu=pt keeps host devices in pass-through mode, avoiding IOMMU translation costs for the host.",
		Fix:     "Remove the disabling parameter or pcie_acs_override=; add iommu=pt.",
		Links:   []string{"https://docs.kernel.org/admin-guide/kernel-parameters.html"},
	},
	Run: runIOMMUCmdline,
}

// runIOMMUCmdline is GP104's Run.
func runIOMMUCmdline(p *Pass) error {
	h := p.Inputs.Host
	if h.Kernel.Cmdline == "" {
		p.Skipf("/proc/cmdline could not be read")
		return nil
	}
	// intel_iommu=, amd_iommu= and iommu= are x86 parameters
	// (kernel-parameters.txt: [DMAR], [X86]): on arm64 they change
	// nothing, so they neither turn its SMMU off nor are worth adding.
	arm64 := h.CPU.IsARM64()
	for _, key := range []string{"intel_iommu", "amd_iommu", "iommu"} {
		if arm64 {
			break
		}
		for _, param := range p.Host.Cmdline.Lookup(key) {
			if hostinfo.ValueHas(param.Value, "off") {
				p.Report(report.Finding{
					Severity:    report.Error,
					Subject:     hostSubject(h),
					Message:     fmt.Sprintf("%s on the kernel command line turns the IOMMU off: no device can be assigned to a guest.", param.String()),
					Remediation: "Remove " + param.String() + " from the kernel command line. " + cmdlineHowTo(nil, []string{param.String()}),
					Evidence:    map[string]any{"parameter": param.String()},
					Fix:         []report.Fix{cmdlineRemove(param.String())},
				})
			}
		}
	}
	for _, param := range p.Host.Cmdline.Lookup("pcie_acs_override") {
		p.Report(report.Finding{
			Severity:    report.Warning,
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("%s fakes PCIe ACS isolation: IOMMU groups look split but the devices can still reach each other by peer-to-peer DMA, so a guest's GPU can read or write memory of devices left to the host or to other tenants.", param.String()),
			Remediation: "Move the GPU to a slot whose root port isolates it (a CPU-attached slot, or one behind an ACS-capable switch) and enable ACS in the firmware if offered. Then remove " + param.String() + " from the kernel command line. " + cmdlineHowTo(nil, []string{param.String()}),
			Evidence:    map[string]any{"parameter": param.String()},
			Fix:         []report.Fix{cmdlineRemove(param.String())},
		})
	}
	if iommuOn(h) && !arm64 {
		if pt, ok := p.Host.Cmdline.Last("iommu"); !ok || !hostinfo.ValueHas(pt.Value, "pt") {
			p.Report(report.Finding{
				Severity:    report.Info,
				Subject:     hostSubject(h),
				Message:     "iommu=pt is not on the kernel command line: host devices go through IOMMU translation, which costs host I/O performance for no gain on a compute node.",
				Remediation: "Add iommu=pt to the kernel command line. " + cmdlineHowTo([]string{"iommu=pt"}, nil),
				Fix:         []report.Fix{cmdlineAdd("iommu=pt")},
			})
		}
	}
	return nil
}

// InterruptRemapping is GP105.
var InterruptRemapping = &Check{
	ID: "GP105", Name: "interrupt-remapping", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "The IOMMU remaps interrupts (on arm64: the IORT describes a GICv3 ITS, which isolates MSIs), and vfio is not told to allow unsafe interrupts.",
		Why:     "Without interrupt remapping a guest can forge MSI writes and inject interrupts into the host; vfio refuses such platforms unless vfio_iommu_type1.allow_unsafe_interrupts=1, which trades that protection away.",
		Fix:     "Enable interrupt remapping (it comes with VT-d / AMD-Vi; do not pass intremap=off or nointremap); remove allow_unsafe_interrupts.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html"},
	},
	Run: runInterruptRemapping,
}

// runInterruptRemapping is GP105's Run.
func runInterruptRemapping(p *Pass) error {
	h := p.Inputs.Host
	if !iommuOn(h) {
		p.Skipf("no IOMMU is active (GP102 or GP103 says why)")
		return nil
	}
	if h.CPU.IsARM64() {
		reportITS(p, h)
	}
	if ir := h.IOMMU.InterruptRemapping; ir != nil && !*ir {
		p.Report(report.Finding{
			Severity:    report.Error,
			Subject:     hostSubject(h),
			Message:     "An Intel IOMMU unit does not support interrupt remapping (ECAP IR bit clear): vfio will refuse to assign devices unless unsafe interrupts are allowed.",
			Remediation: "Enable \"Interrupt Remapping\" (or X2APIC) in the firmware setup if offered; otherwise this platform cannot assign devices safely.",
			Evidence:    map[string]any{"iommu_units": h.IOMMU.Units},
		})
	}
	// intremap= and nointremap are x86 parameters (kernel-parameters.txt:
	// [X86-64,Intel-IOMMU]).
	for _, key := range []string{"intremap", "nointremap"} {
		if h.CPU.IsARM64() {
			break
		}
		for _, param := range p.Host.Cmdline.Lookup(key) {
			if key == "nointremap" || hostinfo.ValueHas(param.Value, "off") {
				p.Report(report.Finding{
					Severity:    report.Error,
					Subject:     hostSubject(h),
					Message:     fmt.Sprintf("%s on the kernel command line turns interrupt remapping off.", param.String()),
					Remediation: "Remove " + param.String() + " from the kernel command line. " + cmdlineHowTo(nil, []string{param.String()}),
					Fix:         []report.Fix{cmdlineRemove(param.String())},
				})
			}
		}
	}
	var where []string
	var fixes []report.Fix
	if m, ok := p.Host.Module("vfio_iommu_type1"); ok && isYes(m.Params["allow_unsafe_interrupts"]) {
		where = append(where, "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts is Y")
	}
	for _, param := range p.Host.Cmdline.Lookup("vfio_iommu_type1.allow_unsafe_interrupts") {
		if isYes(param.Value) {
			where = append(where, param.String()+" on the kernel command line")
			fixes = append(fixes, cmdlineRemove(param.String()))
		}
	}
	for _, d := range h.Modprobe {
		if d.Command != "options" || d.Module != "vfio_iommu_type1" {
			continue
		}
		for _, param := range hostinfo.ParseCmdline(d.Args).Params {
			if param.Key == "allow_unsafe_interrupts" && isYes(param.Value) {
				where = append(where, fmt.Sprintf("options vfio_iommu_type1 %s at %s:%d", d.Args, d.File, d.Line))
				fixes = append(fixes, report.Fix{Target: "modprobe.d", Path: d.File, Action: "remove", Text: "options vfio_iommu_type1 " + d.Args})
			}
		}
	}
	if len(where) > 0 {
		p.Report(report.Finding{
			Severity:    report.Warning,
			Subject:     hostSubject(h),
			Message:     "vfio allows unsafe interrupts: a guest can inject interrupts into the host through MSI writes (" + strings.Join(where, "; ") + ").",
			Remediation: "Remove the setting where it is made and reboot. It is only needed on platforms without interrupt remapping, which should not host tenants' GPUs.",
			Evidence:    map[string]any{"set_by": where},
			Fix:         fixes,
		})
	}
	return nil
}

// reportITS is GP105 on arm64, where MSIs are isolated by the GICv3 ITS
// rather than by an IOMMU's interrupt remapping: the ITS driver marks its
// MSI domain IRQ_DOMAIN_FLAG_ISOLATED_MSI, and vfio_iommu_type1 refuses a
// group without isolated MSIs unless allow_unsafe_interrupts is set
// (docs/research/vgpu-layouts.md 4.4). The firmware describes the ITS in
// the IORT as an ITS group node; an IORT that could not be read says
// nothing either way.
func reportITS(p *Pass, h *hostinfo.Host) {
	t := h.ACPI.IORT
	if t == nil || t.ITSGroups > 0 {
		return
	}
	p.Report(report.Finding{
		Severity:    report.Error,
		Subject:     hostSubject(h),
		Message:     fmt.Sprintf("The firmware's ACPI IORT table describes no GIC ITS group (%s): on arm64 the GICv3 ITS is what isolates devices' MSIs, as interrupt remapping does on x86, so vfio_iommu_type1 refuses to assign devices (\"No interrupt remapping support\") unless unsafe interrupts are allowed.", iortSummary(t)),
		Remediation: "Use firmware that describes the platform's GICv3 ITS in its IORT table (check the firmware setup and the vendor's updates). Without it this host cannot assign devices safely; allow_unsafe_interrupts would let a guest inject interrupts into the host.",
		Evidence:    iortEvidence(h),
	})
}

func isYes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "y", "1", "yes", "true", "on":
		return true
	}
	return false
}

// VFIOModules is GP106.
var VFIOModules = &Check{
	ID: "GP106", Name: "vfio-modules", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "vfio, vfio_pci and vfio_iommu_type1 are loaded or built in, and /dev/vfio/vfio exists. Where no device is meant for vfio-pci itself: on a host whose GPUs serve mediated devices (vGPUs: mdev parents, or mdev types enabled in nova.conf), vfio, vfio_iommu_type1 and mdev; where devices for guests are on vfio-pci variant drivers, vfio, vfio_pci_core and vfio_iommu_type1 (both sets on a host with both).",
		Why:     "libvirt assigns a PCI device to a QEMU guest through vfio-pci; vfio-pci.ids and driverctl overrides only take effect when vfio-pci is loaded early at boot. A vGPU (mediated device) reaches its guest through vfio and its IOMMU backend, on the mdev core (the vendor's mdev driver, nvidia_vgpu_vfio, is GP605's); a vfio-pci variant driver (nvgrace_gpu_vfio_pci, mlx5_vfio_pci) builds on vfio_pci_core, and needs no vfio_pci.",
		Fix:     "Load the modules and make them load at boot (/etc/modules-load.d/vfio.conf), or pass vfio-pci.ids= with a softdep so modprobe loads vfio-pci before the GPU driver.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html", "https://libvirt.org/formatdomain.html#host-device-assignment"},
	},
	Run: runVFIOModules,
}

// runVFIOModules is GP106's Run.
func runVFIOModules(p *Pass) error {
	h := p.Inputs.Host
	var missing []string
	required := hostview.RequiredVFIOModules(p.Host, p.Mdev != nil && len(p.Mdev.Enabled) > 0)
	for _, name := range required {
		if m, ok := p.Host.Module(name); !ok || m.State != hostinfo.ModuleLoaded && m.State != hostinfo.ModuleBuiltin {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 && h.VFIO.Container {
		return nil
	}
	if h.Kernel.NoModuleSupport && len(missing) > 0 {
		// modprobe and modules-load.d cannot help: nothing loads.
		p.Report(report.Finding{
			Subject:     hostSubject(h),
			Message:     fmt.Sprintf("%s %s not built into this kernel, and it cannot load modules (it has no module support: /proc/modules does not exist): no device can be given to a guest.", prose.List(missing), map[bool]string{true: "is", false: "are"}[len(missing) == 1]),
			Remediation: "Boot a kernel built with CONFIG_VFIO, CONFIG_VFIO_PCI and CONFIG_VFIO_IOMMU_TYPE1 set to y (modprobe and /etc/modules-load.d cannot help a kernel without loadable modules), or one with module support (CONFIG_MODULES=y) and the vfio modules.",
			Evidence:    map[string]any{"missing_modules": missing, "dev_vfio_vfio": h.VFIO.Container, "module_support": false},
		})
		return nil
	}
	msg := ""
	switch {
	case len(missing) > 0 && !h.VFIO.Container:
		msg = fmt.Sprintf("The vfio modules are not loaded (%s missing) and /dev/vfio/vfio does not exist: no device can be given to a guest.", strings.Join(missing, ", "))
	case len(missing) > 0:
		msg = fmt.Sprintf("%s neither loaded nor built in.", strings.Join(missing, ", "))
	default:
		msg = "/dev/vfio/vfio does not exist although the vfio modules are present: the vfio container device is missing (is /dev populated by udev?)."
	}
	remedy := "Load them now: modprobe vfio-pci (it pulls in vfio and vfio_iommu_type1). Load them at every boot with a file /etc/modules-load.d/vfio.conf containing the lines vfio, vfio_iommu_type1 and vfio_pci, and rebuild the initramfs (update-initramfs -u, or dracut -f) if vfio-pci must claim the GPU before its host driver."
	lines := "vfio\nvfio_iommu_type1\nvfio_pci"
	if !slices.Contains(required, "vfio_pci") {
		// Every device meant for a guest serves vGPUs (mediated devices,
		// or VFs NVIDIA's driver registers with VFIO) or is on a vfio-pci
		// variant driver, which builds on vfio_pci_core.
		remedy = fmt.Sprintf("No device here is meant for vfio-pci itself: the GPUs serve vGPUs or are on vfio-pci variant drivers, so vfio-pci is not needed. Load them now: modprobe -a %s. Load them at every boot with a file /etc/modules-load.d/vfio.conf holding one name a line: %s.", strings.Join(required, " "), strings.Join(required, ", "))
		lines = strings.Join(required, "\n")
	}
	p.Report(report.Finding{
		Subject:     hostSubject(h),
		Message:     msg,
		Remediation: remedy,
		Evidence:    map[string]any{"missing_modules": missing, "dev_vfio_vfio": h.VFIO.Container},
		Fix:         []report.Fix{{Target: "modules-load.d", Path: "/etc/modules-load.d/vfio.conf", Action: "add", Text: lines}},
	})
	return nil
}

// meantForVGPU reports a GPU function that serves vGPUs rather than a
// whole-GPU guest: an mdev parent, a VF of NVIDIA's vendor-specific VFIO
// framework, or a PF whose VFs are either. Its host driver (nvidia) is
// what makes the vGPUs; it is not a passthrough GPU on a host driver.
func meantForVGPU(p *Pass, d *pcidev.Device) bool {
	h := p.Inputs.Host
	if pcidev.IsVendorVGPUVF(d) || h.Mdev.Parent(d.Address) != nil {
		return true
	}
	if d.SRIOV == nil {
		return false
	}
	for _, addr := range d.SRIOV.VFs {
		if h.Mdev.Parent(addr) != nil {
			return true
		}
		if vf := p.Host.Device(addr); vf != nil && vf.VGPU != nil {
			return true
		}
	}
	return false
}

// HostGPUDriverLoaded is GP107.
var HostGPUDriverLoaded = &Check{
	ID: "GP107", Name: "host-gpu-driver-loaded", Severity: report.Error, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "No host GPU driver (nvidia, nouveau, amdgpu, radeon, i915, xe) is loaded without a blacklist or softdep keeping it off the passthrough GPUs (GPUs that serve vGPUs need their driver and are left out).",
		Why:     "At boot the first driver to load claims the GPU. If nvidia or nouveau loads before vfio-pci, it takes the GPU, the group is no longer viable and Nova's guests fail to start (or start without their GPU after a reboot).",
		Fix:     "Blacklist the driver (blacklist nouveau) when the host needs no GPU of that vendor, or make vfio-pci load first: softdep nvidia pre: vfio-pci in /etc/modprobe.d/vfio.conf; rebuild the initramfs.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html", "https://man7.org/linux/man-pages/man5/modprobe.d.5.html"},
	},
	Run: runHostGPUDriverLoaded,
}

// runHostGPUDriverLoaded is GP107's Run.
func runHostGPUDriverLoaded(p *Pass) error {
	h := p.Inputs.Host
	if len(p.Host.GPUs) == 0 {
		p.Skipf("no passthrough GPU on this host")
		return nil
	}
	for _, drv := range pcidev.GPUHostDrivers {
		m, ok := p.Host.Module(drv.Module)
		if !ok || m.State != hostinfo.ModuleLoaded && m.State != hostinfo.ModuleBuiltin {
			continue
		}
		var exposed, taken []string
		for _, g := range p.Host.GPUs {
			if g.Device.VendorID != drv.Vendor || meantForVGPU(p, g.Device) {
				continue
			}
			exposed = append(exposed, pcidev.Describe(g.Device))
			if hostinfo.NormalizeModule(g.Device.Driver) == drv.Module {
				taken = append(taken, g.Device.Address)
			}
		}
		if len(exposed) == 0 {
			continue
		}
		if p.Host.ModuleBlocked(drv.Module) != "" || p.Host.SoftdepBefore(drv.Module, "vfio_pci") != "" {
			continue
		}
		severity := report.Warning
		msg := fmt.Sprintf("%s is loaded and nothing (a blacklist or softdep line) makes vfio-pci claim the passthrough GPUs first: after a reboot %s may take %s.", drv.Module, drv.Module, strings.Join(exposed, ", "))
		if len(taken) > 0 {
			severity = report.Error
			msg = fmt.Sprintf("%s is loaded and has taken the passthrough GPU %s; nothing (a blacklist or softdep line) keeps it off the passthrough GPUs at boot: %s.", drv.Module, strings.Join(taken, ", "), strings.Join(exposed, ", "))
		}
		line := "softdep " + drv.Module + " pre: vfio-pci"
		p.Report(report.Finding{
			Severity: severity,
			Subject:  hostSubject(h),
			Message:  msg,
			Remediation: fmt.Sprintf("Add the line `%s` to /etc/modprobe.d/vfio.conf so vfio-pci loads first and takes the IDs in vfio-pci.ids, or `blacklist %s` if no GPU of this host should use %s. Then rebuild the initramfs (update-initramfs -u -k all, or dracut -f --regenerate-all) and reboot.",
				line, drv.Module, drv.Module),
			Evidence: map[string]any{"module": drv.Module, "gpus": exposed, "bound_now": taken},
			Fix:      []report.Fix{{Target: "modprobe.d", Path: "/etc/modprobe.d/vfio.conf", Action: "add", Text: line}},
		})
	}
	return nil
}

// NovaRelease is GP108.
var NovaRelease = &Check{
	ID: "GP108", Name: "nova-release", Severity: report.Info, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Which Nova release's rules were applied, and how the release was found.",
		Why:     "Nova's PCI options change between releases (device_spec replaced passthrough_whitelist in Zed; alias resource_class and traits arrived in 2023.1; managed and live_migratable in 2025.1). Checking a configuration against the wrong release gives wrong answers.",
		Fix:     "Pass --nova-release when gpupass cannot see the Nova installed on the node (a container image, say).",
		Links:   []string{"https://releases.openstack.org/"},
	},
	Run: runNovaRelease,
}

// runNovaRelease is GP108's Run.
func runNovaRelease(p *Pass) error {
	in := p.Inputs
	if in.NovaRelease.Name == "" {
		p.Skipf("no Nova release chosen")
		return nil
	}
	// "2024.1 (caracal)", but "zed" alone: Zed's name is its code name.
	release := in.NovaRelease.Name
	if c := in.NovaRelease.Codename; c != "" && !strings.EqualFold(c, release) {
		release += " (" + c + ")"
	}
	p.Report(report.Finding{
		Subject: hostSubject(in.Host),
		Message: fmt.Sprintf("Nova %s rules applied: %s.", release, in.NovaReleaseFrom),
		Evidence: map[string]any{
			"release": in.NovaRelease.Name, "codename": in.NovaRelease.Codename,
			"nova_major": in.NovaRelease.Major, "installed_version": in.Host.Nova.Version,
		},
	})
	return nil
}
