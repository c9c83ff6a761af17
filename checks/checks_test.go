package checks

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// readyHost is a healthy Intel compute node with one GPU on vfio-pci,
// claimed at boot; tests break one thing at a time.
func readyHost() *hostinfo.Host {
	yes := true
	return &hostinfo.Host{
		Hostname: "gpu01",
		Kernel:   hostinfo.Kernel{Release: "6.8.0-49-generic", Cmdline: "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2330"},
		CPU:      hostinfo.CPU{Vendor: vendorIntel, Model: "Intel(R) Xeon(R) Platinum 8480+", LogicalCPUs: 224, Virtualization: "vmx", PhysicalAddressBits: 52},
		KVM:      true,
		ACPI:     hostinfo.ACPI{Readable: true, Tables: []string{"APIC", "DMAR", "DSDT", "FACP"}},
		IOMMU:    hostinfo.IOMMU{Units: []string{"dmar0", "dmar1"}, Groups: 3, InterruptRemapping: &yes},
		VFIO:     hostinfo.VFIO{Container: true},
		Modules: []hostinfo.Module{
			{Name: "kvm", State: hostinfo.ModuleLoaded}, {Name: "kvm_intel", State: hostinfo.ModuleLoaded},
			{Name: "vfio", State: hostinfo.ModuleLoaded}, {Name: "vfio_iommu_type1", State: hostinfo.ModuleLoaded, Params: map[string]string{"allow_unsafe_interrupts": "N"}},
			{Name: "vfio_pci", State: hostinfo.ModuleLoaded},
		},
		NUMANodes: 2,
		Devices: []pcidev.Device{
			dev("0000:40:01.1", "8086", "352a", "060400", "pcieport", 1),
			withBARs(dev("0000:41:00.0", "10de", "2330", "030200", "vfio-pci", 1),
				pcidev.BAR{Index: 0, Size: 16 << 20}, pcidev.BAR{Index: 1, Size: 128 << 30, Is64Bit: true, Prefetchable: true}),
			dev("0000:42:00.0", "144d", "a80a", "010802", "nvme", 2),
		},
	}
}

func dev(addr, vendor, device, class, driver string, group int) pcidev.Device {
	numa := 0
	d := pcidev.Device{Address: addr, VendorID: vendor, DeviceID: device, Class: class, Driver: driver, NUMANode: &numa, ResetMethod: []string{"flr", "bus"}}
	if group >= 0 {
		g := group
		d.IOMMUGroup = &g
	}
	return d
}

func withBARs(d pcidev.Device, bars ...pcidev.BAR) pcidev.Device {
	d.BARs = bars
	return d
}

// device returns a pointer into h.Devices for editing.
func device(t *testing.T, h *hostinfo.Host, addr string) *pcidev.Device {
	t.Helper()
	for i := range h.Devices {
		if h.Devices[i].Address == addr {
			return &h.Devices[i]
		}
	}
	t.Fatalf("no device %s", addr)
	return nil
}

type outcome struct {
	Status   report.Status
	Findings []string // "severity subject-ref"
}

// runOne runs one check and summarises its findings as "severity ref".
func runOne(t *testing.T, c *Check, h *hostinfo.Host, selectors ...pcidev.Selector) (outcome, []report.Finding) {
	t.Helper()
	r := Run(&Inputs{Host: h, GPUs: selectors}, []*Check{c})
	if len(r.Checks) != 1 {
		t.Fatalf("%d check results", len(r.Checks))
	}
	o := outcome{Status: r.Checks[0].Status}
	for _, f := range r.Findings {
		if f.ID != c.ID || f.Name != c.Name {
			t.Errorf("finding carries %s %s, want %s %s", f.ID, f.Name, c.ID, c.Name)
		}
		if f.Message == "" {
			t.Errorf("%s: finding without a message", c.ID)
		}
		if f.Severity != report.Info && f.Remediation == "" {
			t.Errorf("%s: %s finding without remediation: %s", c.ID, f.Severity, f.Message)
		}
		o.Findings = append(o.Findings, string(f.Severity)+" "+f.Subject.Ref)
	}
	return o, r.Findings
}

func TestReadyHostHasNoErrorsOrWarnings(t *testing.T) {
	r := Run(&Inputs{Host: readyHost()}, All)
	for _, f := range r.Findings {
		if f.Severity != report.Info {
			t.Errorf("unexpected %s %s %s: %s", f.Severity, f.ID, f.Subject.Ref, f.Message)
		}
	}
	if r.Summary.Errors != 0 || r.Summary.Warnings != 0 {
		t.Errorf("summary %+v", r.Summary)
	}
	if got := r.ExitCode(report.Warning); got != 0 {
		t.Errorf("exit code %d", got)
	}
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		check *Check
		edit  func(t *testing.T, h *hostinfo.Host)
		gpus  []string
		want  outcome
		// contains are substrings the findings' text must hold.
		contains []string
	}{
		{"GP101 no vmx and no kvm", CPUVirtualization, func(t *testing.T, h *hostinfo.Host) { h.KVM, h.CPU.Virtualization = false, "" },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"does not advertise"}},
		{"GP101 vmx but no kvm", CPUVirtualization, func(t *testing.T, h *hostinfo.Host) { h.KVM = false },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"modprobe kvm_intel"}},
		{"GP101 kvm without the flag", CPUVirtualization, func(t *testing.T, h *hostinfo.Host) { h.CPU.Virtualization = "" },
			nil, outcome{report.StatusFail, []string{"warning gpu01"}}, []string{"lack vmx"}},
		{"GP101 ok", CPUVirtualization, nil, nil, outcome{report.StatusPass, nil}, nil},

		{"GP102 no DMAR", IOMMUFirmware, func(t *testing.T, h *hostinfo.Host) { h.ACPI.Tables = []string{"APIC"} },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"no ACPI DMAR table", "VT-d"}},
		{"GP102 AMD wants IVRS", IOMMUFirmware, func(t *testing.T, h *hostinfo.Host) { h.CPU.Vendor = vendorAMD },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"IVRS"}},
		{"GP102 tables unreadable", IOMMUFirmware, func(t *testing.T, h *hostinfo.Host) { h.ACPI = hostinfo.ACPI{} },
			nil, outcome{report.StatusSkip, nil}, nil},
		{"GP102 unknown vendor", IOMMUFirmware, func(t *testing.T, h *hostinfo.Host) { h.CPU.Vendor = "" },
			nil, outcome{report.StatusSkip, nil}, nil},

		{"GP103 IOMMU off, no intel_iommu", IOMMUKernel, func(t *testing.T, h *hostinfo.Host) {
			h.IOMMU = hostinfo.IOMMU{}
			h.Kernel.Cmdline = "ro quiet"
		}, nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"add intel_iommu=on", "grubby --update-kernel=ALL --args=\"intel_iommu=on\""}},
		{"GP103 IOMMU off by intel_iommu=off", IOMMUKernel, func(t *testing.T, h *hostinfo.Host) {
			h.IOMMU = hostinfo.IOMMU{}
			h.Kernel.Cmdline = "ro intel_iommu=off"
		}, nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"remove intel_iommu=off and add intel_iommu=on"}},
		{"GP103 AMD with amd_iommu=off", IOMMUKernel, func(t *testing.T, h *hostinfo.Host) {
			h.IOMMU = hostinfo.IOMMU{}
			h.CPU.Vendor = vendorAMD
			h.ACPI.Tables = []string{"IVRS"}
			h.Kernel.Cmdline = "ro amd_iommu=off"
		}, nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"remove amd_iommu=off", "--remove-args=\"amd_iommu=off\""}},
		{"GP103 skipped without firmware IOMMU", IOMMUKernel, func(t *testing.T, h *hostinfo.Host) {
			h.IOMMU = hostinfo.IOMMU{}
			h.ACPI.Tables = nil
		}, nil, outcome{report.StatusSkip, nil}, nil},
		{"GP103 ok", IOMMUKernel, nil, nil, outcome{report.StatusPass, nil}, nil},

		{"GP104 intel_iommu=off", IOMMUCmdline, func(t *testing.T, h *hostinfo.Host) { h.Kernel.Cmdline = "intel_iommu=off iommu=pt" },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"intel_iommu=off"}},
		{"GP104 acs override and no iommu=pt", IOMMUCmdline, func(t *testing.T, h *hostinfo.Host) {
			h.Kernel.Cmdline = "intel_iommu=on pcie_acs_override=downstream,multifunction"
		}, nil, outcome{report.StatusFail, []string{"warning gpu01", "info gpu01"}}, []string{"pcie_acs_override=downstream,multifunction", "peer-to-peer"}},
		{"GP104 iommu=pt,nobypass counts", IOMMUCmdline, func(t *testing.T, h *hostinfo.Host) { h.Kernel.Cmdline = "iommu=nobypass,pt" },
			nil, outcome{report.StatusPass, nil}, nil},

		{"GP105 no interrupt remapping", InterruptRemapping, func(t *testing.T, h *hostinfo.Host) { no := false; h.IOMMU.InterruptRemapping = &no },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"interrupt remapping"}},
		{"GP105 unsafe interrupts from sysfs and cmdline", InterruptRemapping, func(t *testing.T, h *hostinfo.Host) {
			h.Modules[3].Params["allow_unsafe_interrupts"] = "Y"
			h.Kernel.Cmdline += " vfio_iommu_type1.allow_unsafe_interrupts=1"
		}, nil, outcome{report.StatusFail, []string{"warning gpu01"}}, []string{"allow_unsafe_interrupts is Y", "vfio_iommu_type1.allow_unsafe_interrupts=1 on the kernel command line"}},
		{"GP105 unsafe interrupts in modprobe.d", InterruptRemapping, func(t *testing.T, h *hostinfo.Host) {
			h.Modprobe = []hostinfo.Directive{{File: "/etc/modprobe.d/iommu.conf", Line: 2, Command: "options", Module: "vfio_iommu_type1", Args: "allow_unsafe_interrupts=1"}}
		}, nil, outcome{report.StatusFail, []string{"warning gpu01"}}, []string{"/etc/modprobe.d/iommu.conf:2"}},
		{"GP105 intremap=off", InterruptRemapping, func(t *testing.T, h *hostinfo.Host) { h.Kernel.Cmdline += " intremap=off" },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"intremap=off"}},
		{"GP105 skipped without IOMMU", InterruptRemapping, func(t *testing.T, h *hostinfo.Host) { h.IOMMU = hostinfo.IOMMU{} },
			nil, outcome{report.StatusSkip, nil}, nil},

		{"GP106 modules missing", VFIOModules, func(t *testing.T, h *hostinfo.Host) { h.Modules = h.Modules[:2]; h.VFIO.Container = false },
			nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"vfio, vfio_pci, vfio_iommu_type1 missing", "/etc/modules-load.d/vfio.conf"}},
		{"GP106 built in counts", VFIOModules, func(t *testing.T, h *hostinfo.Host) {
			for i := range h.Modules {
				h.Modules[i].State = hostinfo.ModuleBuiltin
			}
		}, nil, outcome{report.StatusPass, nil}, nil},

		{"GP107 nouveau has taken the GPU", HostGPUDriverLoaded, func(t *testing.T, h *hostinfo.Host) {
			h.Modules = append(h.Modules, hostinfo.Module{Name: "nouveau", State: hostinfo.ModuleLoaded})
			device(t, h, "0000:41:00.0").Driver = "nouveau"
		}, nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"softdep nouveau pre: vfio-pci", "blacklist nouveau"}},
		{"GP107 nvidia loaded, GPU still on vfio", HostGPUDriverLoaded, func(t *testing.T, h *hostinfo.Host) {
			h.Modules = append(h.Modules, hostinfo.Module{Name: "nvidia", State: hostinfo.ModuleLoaded})
		}, nil, outcome{report.StatusFail, []string{"warning gpu01"}}, []string{"after a reboot"}},
		{"GP107 softdep protects", HostGPUDriverLoaded, func(t *testing.T, h *hostinfo.Host) {
			h.Modules = append(h.Modules, hostinfo.Module{Name: "nvidia", State: hostinfo.ModuleLoaded})
			h.Modprobe = []hostinfo.Directive{{File: "/etc/modprobe.d/vfio.conf", Line: 1, Command: "softdep", Module: "nvidia", Args: "pre: vfio-pci"}}
		}, nil, outcome{report.StatusPass, nil}, nil},
		{"GP107 module_blacklist protects", HostGPUDriverLoaded, func(t *testing.T, h *hostinfo.Host) {
			h.Modules = append(h.Modules, hostinfo.Module{Name: "nouveau", State: hostinfo.ModuleLoaded})
			h.Kernel.Cmdline += " module_blacklist=nouveau,radeon"
		}, nil, outcome{report.StatusPass, nil}, nil},
		{"GP107 amdgpu does not take NVIDIA GPUs", HostGPUDriverLoaded, func(t *testing.T, h *hostinfo.Host) {
			h.Modules = append(h.Modules, hostinfo.Module{Name: "amdgpu", State: hostinfo.ModuleLoaded})
		}, nil, outcome{report.StatusPass, nil}, nil},
		{"GP107 xe has taken an Intel GPU", HostGPUDriverLoaded, func(t *testing.T, h *hostinfo.Host) {
			h.Modules = append(h.Modules, hostinfo.Module{Name: "xe", State: hostinfo.ModuleLoaded})
			gpu := device(t, h, "0000:41:00.0")
			gpu.VendorID, gpu.DeviceID, gpu.Driver = "8086", "56c0", "xe"
			h.Kernel.Cmdline += " vfio-pci.ids=8086:56c0"
		}, nil, outcome{report.StatusFail, []string{"error gpu01"}}, []string{"xe is loaded and has taken the passthrough GPU 0000:41:00.0", "softdep xe pre: vfio-pci"}},

		{"GP201 GPU on nouveau", GPUHostDriver, func(t *testing.T, h *hostinfo.Host) { device(t, h, "0000:41:00.0").Driver = "nouveau" },
			nil, outcome{report.StatusFail, []string{"error 0000:41:00.0"}}, []string{"bound to the host driver nouveau", "vfio-pci.ids=10de:2330 on the kernel command line", "driverctl set-override 0000:41:00.0 vfio-pci"}},
		{"GP201 GPUs but none prepared", GPUHostDriver, func(t *testing.T, h *hostinfo.Host) {
			h.Kernel.Cmdline = "intel_iommu=on"
			device(t, h, "0000:41:00.0").Driver = "nvidia"
		}, nil, outcome{report.StatusPass, []string{"info gpu01"}}, []string{"1 GPU found, not prepared for passthrough", "To pass it through, claim it", "To check it as a passthrough GPU now", "options vfio-pci ids=10de:2330"}},
		{"GP201 --gpu makes a GPU passthrough", GPUHostDriver, func(t *testing.T, h *hostinfo.Host) {
			h.Kernel.Cmdline = "intel_iommu=on"
			device(t, h, "0000:41:00.0").Driver = "nvidia"
		}, []string{"all"}, outcome{report.StatusFail, []string{"error 0000:41:00.0"}}, []string{"--gpu all"}},
		{"GP201 no GPU at all", GPUHostDriver, func(t *testing.T, h *hostinfo.Host) { h.Devices = h.Devices[2:] },
			nil, outcome{report.StatusSkip, nil}, nil},

		{"GP202 audio on snd_hda_intel", GroupNotViable, func(t *testing.T, h *hostinfo.Host) {
			h.Devices = append(h.Devices, dev("0000:41:00.1", "10de", "22ba", "040300", "snd_hda_intel", 1))
		}, nil, outcome{report.StatusFail, []string{"error 0000:41:00.1"}}, []string{"snd_hda_intel", "iommu-group/1", "ids=10de:2330,10de:22ba", "softdep snd_hda_intel pre: vfio-pci"}},
		{"GP202 bridges on pcieport are fine", GroupNotViable, nil, nil, outcome{report.StatusPass, nil}, nil},
		{"GP202 leaves the GPU's own driver to GP201", GroupNotViable, func(t *testing.T, h *hostinfo.Host) { device(t, h, "0000:41:00.0").Driver = "nouveau" },
			nil, outcome{report.StatusPass, nil}, nil},
		{"GP202 unreadable driver", GroupNotViable, func(t *testing.T, h *hostinfo.Host) {
			d := dev("0000:41:00.1", "10de", "22ba", "040300", "", 1)
			d.Unreadable = []string{"driver"}
			h.Devices = append(h.Devices, d)
		}, nil, outcome{report.StatusFail, []string{"warning 0000:41:00.1"}}, []string{"could not be read"}},

		{"GP203 NVMe in the GPU's group", GroupShared, func(t *testing.T, h *hostinfo.Host) { g := 1; device(t, h, "0000:42:00.0").IOMMUGroup = &g },
			nil, outcome{report.StatusFail, []string{"warning iommu-group/1"}}, []string{"0000:42:00.0 (144d:a80a)"}},
		{"GP203 companion functions do not count", GroupShared, func(t *testing.T, h *hostinfo.Host) {
			h.Devices = append(h.Devices, dev("0000:41:00.1", "10de", "22ba", "040300", "vfio-pci", 1))
		}, nil, outcome{report.StatusPass, nil}, nil},

		{"GP204 audio not claimed at boot", CompanionFunction, func(t *testing.T, h *hostinfo.Host) {
			h.Devices = append(h.Devices, dev("0000:41:00.1", "10de", "22ba", "040300", "snd_hda_intel", 1))
		}, nil, outcome{report.StatusFail, []string{"warning 0000:41:00.1"}}, []string{"options vfio-pci ids=10de:2330,10de:22ba", "softdep snd_hda_intel pre: vfio-pci"}},
		{"GP204 softdep names the driver's module", CompanionFunction, func(t *testing.T, h *hostinfo.Host) {
			usb := dev("0000:41:00.2", "10de", "1ad6", "0c0330", "xhci_hcd", 1)
			usb.DriverModule = "xhci_pci"
			ucsi := dev("0000:41:00.3", "10de", "1ad7", "0c8000", "nvidia-gpu", 1)
			h.Devices = append(h.Devices, usb, ucsi)
		}, nil, outcome{report.StatusFail, []string{"warning 0000:41:00.2", "warning 0000:41:00.3"}}, []string{"softdep xhci_pci pre: vfio-pci", "softdep i2c_nvidia_gpu pre: vfio-pci"}},
		{"GP204 audio claimed by ids", CompanionFunction, func(t *testing.T, h *hostinfo.Host) {
			h.Kernel.Cmdline += ",10de:22ba"
			h.Devices = append(h.Devices, dev("0000:41:00.1", "10de", "22ba", "040300", "snd_hda_intel", 1))
		}, nil, outcome{report.StatusPass, nil}, nil},

		{"GP205 empty reset_method", NoReset, func(t *testing.T, h *hostinfo.Host) { device(t, h, "0000:41:00.0").ResetMethod = []string{} },
			nil, outcome{report.StatusFail, []string{"error 0000:41:00.0"}}, []string{"no reset method"}},
		{"GP205 unknown reset_method", NoReset, func(t *testing.T, h *hostinfo.Host) { device(t, h, "0000:41:00.0").ResetMethod = nil },
			nil, outcome{report.StatusSkip, nil}, nil},

		{"GP206 boot VGA", BootVGA, func(t *testing.T, h *hostinfo.Host) { yes := true; device(t, h, "0000:41:00.0").BootVGA = &yes },
			nil, outcome{report.StatusFail, []string{"warning 0000:41:00.0"}}, []string{"boot VGA", "video=efifb:off"}},

		{"GP207 128 GiB BAR", LargeBAR, nil, nil, outcome{report.StatusPass, []string{"info 0000:41:00.0"}}, []string{"128 GiB 64-bit BAR (BAR1)", "hw_machine_type=q35", "hw_firmware_type=uefi"}},
		{"GP207 16 GiB BAR is fine", LargeBAR, func(t *testing.T, h *hostinfo.Host) { device(t, h, "0000:41:00.0").BARs[1].Size = 16 << 30 },
			nil, outcome{report.StatusPass, nil}, nil},

		{"GP208 numa_node -1 on two nodes", NUMAUnknown, func(t *testing.T, h *hostinfo.Host) { n := -1; device(t, h, "0000:41:00.0").NUMANode = &n },
			nil, outcome{report.StatusFail, []string{"warning 0000:41:00.0"}}, []string{"numa_node -1"}},
		{"GP208 single node", NUMAUnknown, func(t *testing.T, h *hostinfo.Host) { h.NUMANodes = 1 },
			nil, outcome{report.StatusSkip, nil}, nil},

		{"GP209 typo in vfio-pci.ids", VFIOIDsUnknown, func(t *testing.T, h *hostinfo.Host) { h.Kernel.Cmdline += ",10de:2331" },
			nil, outcome{report.StatusFail, []string{"warning gpu01"}}, []string{"10de:2331", "matches no PCI device"}},
		{"GP209 malformed entry in modprobe.d", VFIOIDsUnknown, func(t *testing.T, h *hostinfo.Host) {
			h.Modprobe = []hostinfo.Directive{{File: "/etc/modprobe.d/vfio.conf", Line: 3, Command: "options", Module: "vfio_pci", Args: "ids=10de-2330"}}
		}, nil, outcome{report.StatusFail, []string{"warning gpu01"}}, []string{"malformed"}},

		{"GP210 bound by hand", BindingNotPersistent, func(t *testing.T, h *hostinfo.Host) { h.Kernel.Cmdline = "intel_iommu=on iommu=pt" },
			nil, outcome{report.StatusFail, []string{"warning 0000:41:00.0"}}, []string{"until the next reboot"}},
		{"GP210 driverctl makes it persistent", BindingNotPersistent, func(t *testing.T, h *hostinfo.Host) {
			h.Kernel.Cmdline = "intel_iommu=on iommu=pt"
			h.Driverctl = []hostinfo.DriverOverride{{Address: "0000:41:00.0", Driver: "vfio-pci", File: "/etc/driverctl.d/pci-0000:41:00.0"}}
		}, nil, outcome{report.StatusPass, nil}, nil},

		{"GP211 pci-stub", PCIStubLegacy, func(t *testing.T, h *hostinfo.Host) { device(t, h, "0000:41:00.0").Driver = "pci-stub" },
			nil, outcome{report.StatusPass, []string{"info 0000:41:00.0"}}, []string{"pci-stub"}},

		{"GP212 SR-IOV capable GPU", SRIOVGPUPF, func(t *testing.T, h *hostinfo.Host) {
			device(t, h, "0000:41:00.0").SRIOV = &pcidev.SRIOV{TotalVFs: 20}
		}, nil, outcome{report.StatusPass, []string{"info 0000:41:00.0"}}, []string{"type-PF", "20 VFs possible"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := readyHost()
			if tt.edit != nil {
				tt.edit(t, h)
			}
			var selectors []pcidev.Selector
			for _, s := range tt.gpus {
				sel, err := pcidev.ParseSelector(s)
				if err != nil {
					t.Fatal(err)
				}
				selectors = append(selectors, sel)
			}
			got, findings := runOne(t, tt.check, h, selectors...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			var text strings.Builder
			for _, f := range findings {
				text.WriteString(f.Message + "\n" + f.Remediation + "\n")
			}
			for _, s := range tt.contains {
				if !strings.Contains(text.String(), s) {
					t.Errorf("findings do not mention %q:\n%s", s, text.String())
				}
			}
		})
	}
}

func TestRunSkipsChecksWithoutInputsAndSurvivesPanics(t *testing.T) {
	boom := &Check{ID: "GP999", Name: "boom", Severity: report.Error, Needs: []Input{NeedHost}, Run: func(*Pass) error { panic("bug") }}
	failing := &Check{ID: "GP998", Name: "cannot", Severity: report.Error, Needs: []Input{NeedHost}, Run: func(p *Pass) error {
		p.Report(report.Finding{Message: "half done"})
		return errors.New("disk on fire")
	}}
	r := Run(&Inputs{}, []*Check{boom})
	if r.Checks[0].Status != report.StatusSkip || r.Checks[0].Reason != "needs a host (preflight reads one; lint does not)" {
		t.Errorf("without a host: %+v", r.Checks[0])
	}
	r = Run(&Inputs{Host: readyHost()}, []*Check{boom, failing})
	if r.Checks[0].Status != report.StatusSkip || !strings.Contains(r.Checks[0].Reason, "internal error in GP999: bug") {
		t.Errorf("panicking check: %+v", r.Checks[0])
	}
	if r.Checks[1].Status != report.StatusSkip || r.Checks[1].Reason != "could not run: disk on fire" || len(r.Findings) != 0 {
		t.Errorf("failing check: %+v, findings %v", r.Checks[1], r.Findings)
	}
}

// A check that Needs an input finds the view derived from it in its Pass.
func TestNeedsGiveViews(t *testing.T) {
	views := map[Input]func(*Pass) bool{
		NeedHost:     func(p *Pass) bool { return p.Host != nil },
		NeedNovaConf: func(p *Pass) bool { return p.Conf != nil },
		NeedAPIConf:  func(p *Pass) bool { return p.API != nil },
		NeedCloud:    func(p *Pass) bool { return p.Fleet != nil },
		NeedReports:  func(p *Pass) bool { return p.Fleet != nil },
		NeedBaseline: func(p *Pass) bool { return p.Before != nil && p.After != nil },
	}
	conf := func(role string) *novaconf.Set {
		cfg, _ := novaconf.Load(novaconf.ReaderFuncs{
			File: func(string) ([]byte, error) {
				return []byte("[pci]\nalias = {\"name\": \"a\", \"vendor_id\": \"10de\", \"product_id\": \"2330\"}\n"), nil
			},
			Dir: func(string) ([]fs.DirEntry, error) { return nil, nil },
		}, []string{"/etc/nova/nova.conf"}, nil)
		return &novaconf.Set{Role: role, Config: cfg}
	}
	base := report.Report{Host: report.FromHost(readyHost())}
	in := &Inputs{
		Host: readyHost(), NovaConf: conf("compute"), APIConf: conf("api"),
		Cloud: &cloudmodel.Snapshot{}, Reports: []*report.HostReport{{Report: base}},
		Baseline: &base, Current: &base,
	}
	for need, has := range views {
		var got bool
		c := &Check{ID: "GP999", Name: "probe", Needs: []Input{need}, Run: func(p *Pass) error { got = has(p); return nil }}
		if r := Run(in, []*Check{c}); r.Checks[0].Status != report.StatusPass || !got {
			t.Errorf("%s: status %s (%s), view set %v", need, r.Checks[0].Status, r.Checks[0].Reason, got)
		}
	}
	for _, c := range All {
		for _, need := range c.Needs {
			if views[need] == nil {
				t.Errorf("%s needs %q, which gives no view", c.ID, need)
			}
		}
	}
}
