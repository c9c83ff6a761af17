package checks

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/report"
)

// statusOf runs checks on a host and returns each one's result and
// findings by ID.
func statusOf(t *testing.T, in *Inputs, cs ...*Check) (map[string]report.CheckResult, map[string][]report.Finding) {
	t.Helper()
	r := Run(in, cs)
	results := map[string]report.CheckResult{}
	for _, c := range r.Checks {
		results[c.ID] = c
	}
	findings := map[string][]report.Finding{}
	for _, f := range r.Findings {
		findings[f.ID] = append(findings[f.ID], f)
	}
	return results, findings
}

// noIOMMU is readyHost with no active IOMMU and, when listable is false,
// firmware tables that cannot be listed.
func noIOMMU(listable bool) *hostinfo.Host {
	h := readyHost()
	h.IOMMU = hostinfo.IOMMU{Units: []string{}}
	for i := range h.Devices {
		h.Devices[i].IOMMUGroup = nil
	}
	if !listable {
		h.ACPI = hostinfo.ACPI{}
	}
	return h
}

// No IOMMU, no passthrough: when the firmware's tables cannot be listed,
// GP103 still says that no IOMMU is active — an error with a passthrough
// GPU or a device_spec, a warning otherwise — and GP102 and GP105 skip
// saying where it is reported.
func TestNoIOMMUWithUnknownFirmware(t *testing.T) {
	platform := []*Check{IOMMUFirmware, IOMMUKernel, InterruptRemapping}
	t.Run("passthrough GPU", func(t *testing.T) {
		results, findings := statusOf(t, &Inputs{Host: noIOMMU(false)}, platform...)
		if f := findings["GP103"]; len(f) != 1 || f[0].Severity != report.Error || !strings.Contains(f[0].Message, "No IOMMU is active") ||
			!strings.Contains(f[0].Message, "0000:41:00.0") || !strings.Contains(f[0].Message, "could not be listed") {
			t.Errorf("GP103: %+v", f)
		}
		if r := results["GP102"]; r.Status != report.StatusSkip || !strings.Contains(r.Reason, "GP103") {
			t.Errorf("GP102: %+v", r)
		}
		if r := results["GP105"]; r.Status != report.StatusSkip || !strings.Contains(r.Reason, "no IOMMU is active") {
			t.Errorf("GP105: %+v", r)
		}
	})
	t.Run("device_spec, no GPU prepared", func(t *testing.T) {
		h := noIOMMU(false)
		device(t, h, "0000:41:00.0").Driver = "nvidia"
		h.Kernel.Cmdline = "ro"
		conf := testConf(t, "compute", confFile{name: "/etc/nova/nova.conf", text: "[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"2330\"}\n"})
		_, findings := statusOf(t, &Inputs{Host: h, NovaConf: conf}, platform...)
		if f := findings["GP103"]; len(f) != 1 || f[0].Severity != report.Error || !strings.Contains(f[0].Message, "[pci]device_spec") {
			t.Errorf("GP103: %+v", f)
		}
	})
	t.Run("nothing for passthrough", func(t *testing.T) {
		h := noIOMMU(false)
		device(t, h, "0000:41:00.0").Driver = "nvidia"
		h.Kernel.Cmdline = "ro"
		_, findings := statusOf(t, &Inputs{Host: h}, platform...)
		if f := findings["GP103"]; len(f) != 1 || f[0].Severity != report.Warning {
			t.Errorf("GP103: %+v", f)
		}
	})
	t.Run("unknown platform", func(t *testing.T) {
		h := noIOMMU(true)
		h.CPU.Vendor = "ARM"
		results, findings := statusOf(t, &Inputs{Host: h}, platform...)
		if f := findings["GP103"]; len(f) != 1 || f[0].Severity != report.Error || !strings.Contains(f[0].Message, "Intel and AMD platforms only") {
			t.Errorf("GP103: %+v", f)
		}
		if r := results["GP102"]; r.Status != report.StatusSkip {
			t.Errorf("GP102: %+v", r)
		}
	})
	t.Run("firmware describes none", func(t *testing.T) {
		h := noIOMMU(true)
		h.ACPI.Tables = []string{"APIC", "DSDT"}
		results, findings := statusOf(t, &Inputs{Host: h}, platform...)
		if f := findings["GP102"]; len(f) != 1 || f[0].Severity != report.Error {
			t.Errorf("GP102: %+v", f)
		}
		if r := results["GP103"]; r.Status != report.StatusSkip || !strings.Contains(r.Reason, "GP102 reports it") || len(findings["GP103"]) != 0 {
			t.Errorf("GP103: %+v %+v", r, findings["GP103"])
		}
	})
}

// On a virtual machine the fix is the hypervisor's, not a BIOS setting.
func TestIOMMUOnAVirtualMachine(t *testing.T) {
	h := noIOMMU(true)
	h.CPU.Hypervisor = true
	h.ACPI.Tables = []string{"APIC", "DSDT", "FACP"}
	_, findings := statusOf(t, &Inputs{Host: h}, IOMMUFirmware)
	f := findings["GP102"]
	if len(f) != 1 || !strings.Contains(f[0].Message, "virtual machine") || !strings.Contains(f[0].Remediation, "virtual IOMMU") ||
		strings.Contains(f[0].Message+f[0].Remediation, "BIOS") {
		t.Errorf("GP102 on a VM: %+v", f)
	}
	// A virtio-iommu (ACPI VIOT) is the VM's IOMMU.
	h.ACPI.Tables = append(h.ACPI.Tables, "VIOT")
	results, findings := statusOf(t, &Inputs{Host: h}, IOMMUFirmware, IOMMUKernel)
	if results["GP102"].Status != report.StatusPass {
		t.Errorf("GP102 with VIOT: %+v %+v", results["GP102"], findings["GP102"])
	}
	if f := findings["GP103"]; len(f) != 1 || !strings.Contains(f[0].Message, "ACPI VIOT") {
		t.Errorf("GP103 with VIOT and no IOMMU active: %+v", f)
	}
	// Without tables to read, GP103's fix is the hypervisor's too.
	h = noIOMMU(false)
	h.CPU.Hypervisor = true
	_, findings = statusOf(t, &Inputs{Host: h}, IOMMUKernel)
	if f := findings["GP103"]; len(f) != 1 || !strings.Contains(f[0].Remediation, "virtual IOMMU") {
		t.Errorf("GP103 on a VM: %+v", f)
	}
}

// A kernel without module support cannot modprobe: GP106 says to boot a
// kernel with vfio built in, and writes no modules-load.d fix.
func TestVFIOModulesWithoutModuleSupport(t *testing.T) {
	h := readyHost()
	h.Modules = []hostinfo.Module{{Name: "kvm", State: hostinfo.ModuleBuiltin}}
	h.VFIO.Container = false
	h.Kernel.NoModuleSupport = true
	_, findings := statusOf(t, &Inputs{Host: h}, VFIOModules)
	f := findings["GP106"]
	if len(f) != 1 || !strings.Contains(f[0].Message, "cannot load modules") || strings.Contains(f[0].Remediation, "modprobe vfio") ||
		!strings.Contains(f[0].Remediation, "CONFIG_VFIO_PCI") || len(f[0].Fix) != 0 {
		t.Errorf("GP106: %+v", f)
	}
	h.Kernel.NoModuleSupport = false
	_, findings = statusOf(t, &Inputs{Host: h}, VFIOModules)
	if f := findings["GP106"]; len(f) != 1 || !strings.Contains(f[0].Remediation, "modprobe vfio-pci") || len(f[0].Fix) != 1 {
		t.Errorf("GP106 with module support: %+v", f)
	}
}
