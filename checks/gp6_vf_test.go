package checks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// The IDs and names of GP607-GP611 are a contract (issue 13).
func TestVFCheckContract(t *testing.T) {
	for id, name := range map[string]string{
		"GP607": "vendor-vgpu-framework", "GP608": "managed-mismatch", "GP609": "live-migration",
		"GP610": "placement-vf-mix", "GP611": "one-time-use",
	} {
		if c := Lookup(All, id); c == nil || c.Name != name {
			t.Errorf("%s: %v, want %s in the catalog", id, c, name)
		}
	}
}

// l40sTypes is creatable_vgpu_types of an L40S VF (research 3.2's capture).
var l40sTypes = []pcidev.VGPUType{{ID: 1147, Name: "NVIDIA L40S-1Q"}, {ID: 1148, Name: "NVIDIA L40S-2Q"}, {ID: 1150, Name: "NVIDIA L40S-4Q"}}

// vendorHost is an Ubuntu 24.04 node with an L40S under NVIDIA's
// vendor-specific VFIO framework (research 3.2 and 7): the PF and its VFs
// on the nvidia driver, no mdev bus, VFs 41:00.4 and .5 typed 1148, .6
// untyped; libvirt 10.0.0 and QEMU 8.2.2 (Ubuntu noble's).
func vendorHost() *hostinfo.Host {
	h := readyHost()
	h.Kernel.Cmdline = "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt"
	pf := dev("0000:41:00.0", "10de", "26b9", "030200", "nvidia", 1)
	pf.SRIOV = &pcidev.SRIOV{TotalVFs: 32, NumVFs: 3, VFs: []string{"0000:41:00.4", "0000:41:00.5", "0000:41:00.6"}}
	h.Devices = []pcidev.Device{h.Devices[0], pf, h.Devices[2]}
	for i, typ := range []int{1148, 1148, 0} {
		vf := dev("0000:41:00."+string(rune('4'+i)), "10de", "26b9", "030200", "nvidia", 10+i)
		vf.PhysFn = "0000:41:00.0"
		vf.VGPU = &pcidev.VendorVGPU{Current: typ, CurrentKnown: true, Creatable: l40sTypes, CreatableKnown: true}
		if typ != 0 {
			vf.VGPU.Creatable = []pcidev.VGPUType{{ID: typ, Name: "NVIDIA L40S-2Q"}}
		}
		h.Devices = append(h.Devices, vf)
	}
	h.Virt = hostinfo.Virt{
		Libvirt: hostinfo.Component{Package: "libvirt-daemon", Version: "10.0.0", From: "dpkg status /var/lib/dpkg/status"},
		QEMU:    hostinfo.Component{Package: "qemu-system-x86", Version: "8.2.2", From: "dpkg status /var/lib/dpkg/status"},
	}
	return h
}

// Spec and alias lines for the vendor host.
const (
	vfSpec45   = `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "resource_class": "CUSTOM_L40S_2Q", "managed": "no"}`
	vfSpec45b  = `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.5", "resource_class": "CUSTOM_L40S_2Q", "managed": "no"}`
	vfAlias2Q  = `alias = {"name": "l40s-2q", "device_type": "type-VF", "resource_class": "CUSTOM_L40S_2Q"}`
	vfAliasIDs = `alias = {"name": "l40s", "device_type": "type-VF", "vendor_id": "10de", "product_id": "26b9"}`
	vfGood     = vfSpec45 + "\n" + vfSpec45b + "\n" + vfAlias2Q
)

// nvgraceHost is a GH200-like node: its GPU on nvgrace_gpu_vfio_pci.
func nvgraceHost() *hostinfo.Host {
	h := vendorHost()
	h.Devices = []pcidev.Device{h.Devices[0], dev("0009:01:00.0", "10de", "2342", "030200", "nvgrace_gpu_vfio_pci", 20), h.Devices[2]}
	return h
}

func TestVFChecks(t *testing.T) {
	const conf = "/etc/nova/nova.conf"
	vfsOf := func(h *hostinfo.Host) func(func(*pcidev.Device)) {
		return func(edit func(*pcidev.Device)) {
			for i := range h.Devices {
				if h.Devices[i].VGPU != nil {
					edit(&h.Devices[i])
				}
			}
		}
	}
	tests := []struct {
		name     string
		check    *Check
		host     func() *hostinfo.Host
		edit     func(*hostinfo.Host)
		conf     string
		release  string
		want     outcome
		contains []string
	}{
		// GP607
		{name: "GP607 classic host", check: VendorVGPUFramework, host: readyHost, conf: pciConf("device_spec = " + h100Spec),
			want: outcome{report.StatusSkip, nil}},
		{name: "GP607 typed VFs offered, alias by resource class", check: VendorVGPUFramework, conf: pciConf("report_in_placement = true", vfGood),
			want:     outcome{report.StatusPass, []string{"info 0000:41:00.0 "}},
			contains: []string{"0000:41:00.4 type 1148 NVIDIA L40S-2Q", "1 VF without a type"}},
		{name: "GP607 enabled_mdev_types without mdev bus", check: VendorVGPUFramework, conf: "[devices]\nenabled_mdev_types = nvidia-1148\n" + pciConf("report_in_placement = true", vfGood),
			want:     outcome{report.StatusFail, []string{"error [devices]enabled_mdev_types " + conf + ":2", "info 0000:41:00.0 "}},
			contains: []string{"no mdev bus", "No valid host", "Remove enabled_mdev_types"}},
		{name: "GP607 enabled_vgpu_types, the old name, too", check: VendorVGPUFramework, conf: "[devices]\nenabled_vgpu_types = nvidia-1148\n",
			want: outcome{report.StatusFail, []string{"error [devices]enabled_mdev_types " + conf + ":2", "warning gpu01 ", "info 0000:41:00.0 "}}},
		{name: "GP607 Nova 2024.2 cannot pass them", check: VendorVGPUFramework, release: "2024.2", conf: pciConf(vfSpec45, vfAliasIDs),
			want:     outcome{report.StatusFail, []string{"error gpu01 ", "info 0000:41:00.0 "}},
			contains: []string{"Nova 2024.2 cannot pass them through", "Upgrade this node's Nova to 2025.1"}},
		{name: "GP607 an untyped VF offered", check: VendorVGPUFramework, conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.*", "managed": "no"}`, vfAliasIDs),
			want: outcome{report.StatusFail, []string{"error 0000:41:00.0 " + conf + ":2", "info 0000:41:00.0 "}},
			contains: []string{"VF 0000:41:00.6 of GPU 0000:41:00.0 is offered", "current_vgpu_type is 0",
				"echo 1148 > /sys/bus/pci/devices/0000:41:00.6/nvidia/current_vgpu_type"}},
		{name: "GP607 an untyped VF on a card with none typed: the first creatable type", check: VendorVGPUFramework,
			edit: func(h *hostinfo.Host) {
				vfsOf(h)(func(d *pcidev.Device) { d.VGPU.Current = 0; d.VGPU.Creatable = l40sTypes })
			},
			conf:     pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.6", "managed": "no"}`, vfAliasIDs),
			want:     outcome{report.StatusFail, []string{"error 0000:41:00.0 " + conf + ":2", "info 0000:41:00.0 "}},
			contains: []string{"echo 1147 > /sys/bus/pci/devices/0000:41:00.6/nvidia/current_vgpu_type", "none with a vGPU type yet"}},
		{name: "GP607 current_vgpu_type unreadable", check: VendorVGPUFramework,
			edit: func(h *hostinfo.Host) { vfsOf(h)(func(d *pcidev.Device) { d.VGPU.CurrentKnown = false }) },
			conf: pciConf(vfSpec45, vfAliasIDs),
			want: outcome{report.StatusPass, []string{"info gpu01 ", "info 0000:41:00.0 "}}, contains: []string{"could not be read", "Run gpupass as root"}},
		{name: "GP607 typed VFs no device_spec offers", check: VendorVGPUFramework, conf: pciConf(),
			want:     outcome{report.StatusFail, []string{"warning gpu01 ", "info 0000:41:00.0 "}},
			contains: []string{`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "resource_class": "CUSTOM_L40S_2Q", "managed": "no"}`, `alias = {"name": "l40s-2q", "device_type": "type-VF", "resource_class": "CUSTOM_L40S_2Q"}`}},
		{name: "GP607 no alias selects the VFs", check: VendorVGPUFramework, conf: pciConf("report_in_placement = true", vfSpec45, vfSpec45b),
			want:     outcome{report.StatusFail, []string{"warning gpu01 ", "info 0000:41:00.0 "}},
			contains: []string{"no [pci]alias selects them", `alias = {"name": "l40s_2q", "device_type": "type-VF", "resource_class": "CUSTOM_L40S_2Q"}`}},
		{name: "GP607 an alias of the wrong device_type is GP309's", check: VendorVGPUFramework,
			conf: pciConf(vfSpec45, `alias = {"name": "l40s", "device_type": "type-PF", "vendor_id": "10de", "product_id": "26b9"}`),
			want: outcome{report.StatusPass, []string{"info 0000:41:00.0 "}}},
		{name: "GP607 two vGPU types under one alias and one resource class", check: VendorVGPUFramework,
			edit: func(h *hostinfo.Host) {
				vf := device(t, h, "0000:41:00.6")
				vf.VGPU.Current, vf.VGPU.Creatable = 1150, []pcidev.VGPUType{{ID: 1150, Name: "NVIDIA L40S-4Q"}}
			},
			conf: pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.*", "resource_class": "CUSTOM_L40S", "managed": "no"}`, vfAliasIDs),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":3", "warning l40s " + conf + ":4", "info 0000:41:00.0 "}},
			contains: []string{"Resource class CUSTOM_L40S gathers VFs of 2 different vGPU types (type 1148 NVIDIA L40S-2Q on 0000:41:00.4, 0000:41:00.5; type 1150 NVIDIA L40S-4Q on 0000:41:00.6)",
				`Alias "l40s" selects VFs of 2 different vGPU types`, `"resource_class": "CUSTOM_L40S_4Q"`}},

		{name: "GP607 an alias by resource class takes only its class's VFs", check: VendorVGPUFramework,
			edit: func(h *hostinfo.Host) {
				vf := device(t, h, "0000:41:00.6")
				vf.VGPU.Current, vf.VGPU.Creatable = 1150, []pcidev.VGPUType{{ID: 1150, Name: "NVIDIA L40S-4Q"}}
			},
			conf: pciConf(vfGood, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.6", "resource_class": "CUSTOM_L40S_4Q", "managed": "no"}`),
			want: outcome{report.StatusPass, []string{"info 0000:41:00.0 "}}},

		// GP608
		{name: "GP608 managed no on the vendor VFs", check: ManagedMismatch, conf: pciConf(vfGood), want: outcome{report.StatusPass, nil}},
		{name: "GP608 vendor VFs without managed", check: ManagedMismatch,
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4"}`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}},
			contains: []string{"0000:41:00.4 10de:26b9, a VF of NVIDIA's vendor framework on nvidia", "may result in compute node crashes",
				`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no"}`}},
		{name: "GP608 a variant driver with managed yes", check: ManagedMismatch, host: nvgraceHost,
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2342", "managed": "yes"}`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}}, contains: []string{`sets "managed": "yes"`, "on nvgrace_gpu_vfio_pci"}},
		{name: "GP608 managed no on a GPU still on its host driver", check: ManagedMismatch,
			edit: func(h *hostinfo.Host) { h.Devices[1].Driver = "nvidia"; h.Devices[1].SRIOV = nil },
			host: readyHost, conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2330", "managed": "no"}`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}}, contains: []string{"QEMU cannot open them", "driverctl set-override 0000:41:00.0 vfio-pci"}},
		{name: "GP608 managed no on vfio-pci", check: ManagedMismatch, host: readyHost,
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2330", "managed": "no"}`), want: outcome{report.StatusPass, nil}},
		{name: "GP608 a variant driver under Nova 2024.2", check: ManagedMismatch, host: nvgraceHost, release: "2024.2",
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2342"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{"Nova 2024.2 has no managed tag"}},
		{name: "GP608 managed under Nova 2024.2 is ignored", check: ManagedMismatch, host: readyHost, release: "2024.2",
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2330", "managed": "no"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{"sets \"managed\", which Nova 2024.2 ignores"}},
		{name: "GP302 leaves managed under Nova 2024.2 to GP608", check: DeviceSpecInvalid, host: readyHost, release: "2024.2",
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2330", "managed": "no", "live_migratable": "no"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{`tag "live_migratable" has an effect from Nova 2025.1 only`}},
		{name: "GP608 the first device_spec that admits a device is the one Nova uses", check: ManagedMismatch, host: nvgraceHost,
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2342", "managed": "no"}`, `device_spec = {"vendor_id": "10de"}`),
			want: outcome{report.StatusPass, nil}},
		{name: "GP608 no device_spec", check: ManagedMismatch, conf: pciConf(), want: outcome{report.StatusSkip, nil}},

		// GP609
		{name: "GP609 nothing migrates", check: LiveMigration, conf: pciConf(vfGood), want: outcome{report.StatusSkip, nil}},
		{name: "GP609 live_migratable with libvirt 9.0.0", check: LiveMigration,
			edit: func(h *hostinfo.Host) { h.Virt.Libvirt.Version = "9.0.0" },
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no", "live_migratable": "no"}`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}},
			contains: []string{"libvirt 9.0.0, from dpkg status /var/lib/dpkg/status, older than 10.0.0", "PCI device spec is configured for live_migratable but it's not supported by libvirt.",
				"its value does not matter"}},
		{name: "GP609 live_migratable with Debian's QEMU 8.2, micro unknown", check: LiveMigration,
			edit: func(h *hostinfo.Host) { h.Virt.QEMU.Version = "8.2" },
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no", "live_migratable": "yes"}`, `alias = {"name": "l40s", "device_type": "type-VF", "vendor_id": "10de", "product_id": "26b9", "live_migratable": "yes"}`),
			want: outcome{report.StatusPass, []string{"info [pci]device_spec " + conf + ":2"}}, contains: []string{"QEMU 8.2, from dpkg status /var/lib/dpkg/status: too imprecise to compare with 8.2.2"}},
		{name: "GP609 live_migratable, versions unknown", check: LiveMigration,
			edit: func(h *hostinfo.Host) { h.Virt = hostinfo.Virt{} },
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no", "live_migratable": "yes"}`, `alias = {"name": "l40s", "device_type": "type-VF", "vendor_id": "10de", "product_id": "26b9", "live_migratable": "yes"}`),
			want: outcome{report.StatusPass, []string{"info [pci]device_spec " + conf + ":2"}}, contains: []string{"libvirt: version unknown; Nova needs 10.0.0 or later"}},
		{name: "GP609 an alias that does not ask for it, post-copy on", check: LiveMigration,
			conf:     "[libvirt]\nlive_migration_permit_post_copy = true\n" + pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no", "live_migratable": "yes"}`, vfAliasIDs),
			want:     outcome{report.StatusFail, []string{"warning l40s " + conf + ":5", "warning [libvirt]live_migration_permit_post_copy " + conf + ":2"}},
			contains: []string{"This request does not explicitly request live-migratable devices.", `Add "live_migratable": "yes" to alias "l40s"`, "QEMU rejects post-copy"}},
		{name: "GP609 physical_network beside live_migratable", check: LiveMigration,
			conf: pciConf(`device_spec = {"vendor_id": "144d", "physical_network": "physnet2", "live_migratable": "no"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{"bug 2102161"}},
		{name: "GP609 vGPUs with libvirt 8.0.0 and Linux 5.15", check: LiveMigration, release: "2024.1",
			edit: func(h *hostinfo.Host) { h.Virt.Libvirt.Version = "8.0.0"; h.Kernel.Release = "5.15.0-91-generic" },
			conf: "[devices]\nenabled_mdev_types = nvidia-558\n",
			want: outcome{report.StatusPass, []string{"info gpu01 "}}, contains: []string{"libvirt 8.0.0, from dpkg status /var/lib/dpkg/status, older than 8.6.0 and Linux 5.15.0-91-generic, older than 5.18"}},
		{name: "GP609 vGPUs under Zed", check: LiveMigration, release: "zed", conf: "[devices]\nenabled_mdev_types = nvidia-558\n",
			want: outcome{report.StatusPass, []string{"info gpu01 "}}, contains: []string{"Nova zed does not live-migrate instances with vGPUs"}},
		{name: "GP609 vGPUs, post-copy on", check: LiveMigration, conf: "[devices]\nenabled_mdev_types = nvidia-558\n[libvirt]\nlive_migration_permit_post_copy = True\n",
			want: outcome{report.StatusFail, []string{"warning [libvirt]live_migration_permit_post_copy " + conf + ":4"}}},

		// GP610
		{name: "GP610 not reporting to Placement", check: PlacementVFMix, conf: pciConf(`device_spec = {"vendor_id": "10de"}`), want: outcome{report.StatusSkip, nil}},
		{name: "GP610 one class per PF", check: PlacementVFMix, conf: pciConf("report_in_placement = true", vfGood), want: outcome{report.StatusPass, nil}},
		{name: "GP610 a PF and its VFs", check: PlacementVFMix, conf: pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "26b9"}`),
			want:     outcome{report.StatusFail, []string{"error 0000:41:00.0 " + conf + ":3"}},
			contains: []string{"Configuring both 0000:41:00.0 and 0000:41:00.4,0000:41:00.5,0000:41:00.6 in [pci]device_spec is not supported.", "PlacementPciDependentDeviceException"}},
		{name: "GP610 a PF beside its VFs, and the VFs in two classes", check: PlacementVFMix,
			conf:     pciConf("report_in_placement = true", vfSpec45, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.5", "resource_class": "CUSTOM_L40S_4Q", "managed": "no"}`, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.0"}`),
			want:     outcome{report.StatusFail, []string{"error 0000:41:00.0 " + conf + ":5", "error 0000:41:00.0 " + conf + ":4"}},
			contains: []string{"PlacementPciDependentDeviceException", "PlacementPciMixedResourceClassException"}},
		{name: "GP610 VFs of one PF in two resource classes and trait sets", check: PlacementVFMix,
			conf: pciConf("report_in_placement = true", vfSpec45, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.5", "resource_class": "l40s-4q", "traits": "gpu-big", "managed": "no"}`),
			want: outcome{report.StatusFail, []string{"error 0000:41:00.0 " + conf + ":4", "error 0000:41:00.0 " + conf + ":4"}},
			contains: []string{"We got CUSTOM_L40S_4Q for 0000:41:00.5 and CUSTOM_L40S_2Q for 0000:41:00.4.",
				"We got COMPUTE_MANAGED_PCI_DEVICE,CUSTOM_GPU_BIG for 0000:41:00.5 and COMPUTE_MANAGED_PCI_DEVICE for 0000:41:00.4."}},
		{name: "GP610 live_migratable on one VF of a PF, 2026.2: the trait differs", check: PlacementVFMix, release: "2026.2",
			conf: pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no", "live_migratable": "yes"}`, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.5", "managed": "no", "live_migratable": "no"}`),
			want: outcome{report.StatusFail, []string{"error 0000:41:00.0 " + conf + ":4"}},
			contains: []string{"We got COMPUTE_MANAGED_PCI_DEVICE for 0000:41:00.5 and COMPUTE_MANAGED_PCI_DEVICE,HW_PCI_LIVE_MIGRATABLE for 0000:41:00.4.",
				"the same live_migratable (Nova 2026.2 gives"}},
		{name: "GP610 live_migratable on one VF of a PF, 2026.1: no trait", check: PlacementVFMix, release: "2026.1",
			conf: pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no", "live_migratable": "yes"}`, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.5", "managed": "no", "live_migratable": "no"}`),
			want: outcome{report.StatusPass, nil}},
		{name: "GP610 bug 2098496 on Nova 31.0.0", check: PlacementVFMix, release: "2025.1",
			edit: func(h *hostinfo.Host) { h.Nova.Version = "31.0.0" },
			conf: pciConf("report_in_placement = true", vfGood),
			want: outcome{report.StatusFail, []string{"warning 0000:41:00.0 "}},
			contains: []string{"Nova 31.0.0 on this node has bug 2098496, fixed in 31.1.0, and", "the scheduler's [filter_scheduler]pci_in_placement is true",
				"PF 0000:41:00.0 with 2 VFs", "Upgrade Nova on this node to 31.1.0 or later", "restart of nova-compute"}},
		{name: "GP610 bug 2098496 fixed in 31.1.0", check: PlacementVFMix, release: "2025.1",
			edit: func(h *hostinfo.Host) { h.Nova.Version = "31.1.0" },
			conf: pciConf("report_in_placement = true", vfGood), want: outcome{report.StatusPass, nil}},
		{name: "GP610 bug 2098496 on 2024.2's 30.1.0, the scheduler's option set here", check: PlacementVFMix, release: "2024.2",
			edit:     func(h *hostinfo.Host) { h.Nova.Version = "30.1.0" },
			conf:     "[filter_scheduler]\npci_in_placement = true\n" + pciConf("report_in_placement = true", vfGood),
			want:     outcome{report.StatusFail, []string{"warning 0000:41:00.0 "}},
			contains: []string{"fixed in 30.2.0", "while [filter_scheduler]pci_in_placement is true,"}},
		{name: "GP610 bug 2098496 harmless without pci_in_placement", check: PlacementVFMix, release: "2025.1",
			edit: func(h *hostinfo.Host) { h.Nova.Version = "31.0.0" },
			conf: "[filter_scheduler]\npci_in_placement = false\n" + pciConf("report_in_placement = true", vfGood), want: outcome{report.StatusPass, nil}},
		{name: "GP610 bug 2098496 never fixed in 2023.2", check: PlacementVFMix, release: "2023.2",
			conf:     pciConf("report_in_placement = true", vfGood),
			want:     outcome{report.StatusFail, []string{"warning 0000:41:00.0 "}},
			contains: []string{"Nova 2023.2 on this node has bug 2098496, never fixed in this series,", "not 2023.1 or 2023.2"}},
		{name: "GP610 bug 2098496 waits until nova-compute starts", check: PlacementVFMix, release: "2025.1",
			edit: func(h *hostinfo.Host) { h.Nova.Version = "31.0.0" },
			conf: pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "26b9"}`),
			want: outcome{report.StatusFail, []string{"error 0000:41:00.0 " + conf + ":3"}}},
		{name: "GP610 bug 2098496: 2025.1, version unknown", check: PlacementVFMix, release: "2025.1",
			conf: pciConf("report_in_placement = true", vfGood), want: outcome{report.StatusPass, nil}},
		{name: "GP610 bug 2098496 needs two VFs of one PF", check: PlacementVFMix, release: "2025.1",
			edit: func(h *hostinfo.Host) { h.Nova.Version = "31.0.0" },
			conf: pciConf("report_in_placement = true", vfSpec45, vfAlias2Q), want: outcome{report.StatusPass, nil}},
		{name: "GP610 bug 2098496 not in Zed", check: PlacementVFMix, release: "zed",
			edit: func(h *hostinfo.Host) { h.Nova.Version = "26.2.2" },
			conf: pciConf("report_in_placement = true", vfGood), want: outcome{report.StatusPass, nil}},
		{name: "GP610 devname", check: PlacementVFMix, conf: pciConf("report_in_placement = true", `device_spec = {"devname": "ens1f0"}`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":3"}}, contains: []string{"does not support 'devname'", "/sys/class/net/ens1f0/device"}},
		{name: "GP610 SR-IOV networking VFs are not in Placement", check: PlacementVFMix,
			conf: pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "physical_network": "a"}`, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.5", "physical_network": "b", "resource_class": "X"}`),
			want: outcome{report.StatusPass, nil}},

		// GP611
		{name: "GP611 none", check: OneTimeUse, conf: pciConf(vfGood), want: outcome{report.StatusSkip, nil}},
		{name: "GP611 on a VF, reporting to Placement", check: OneTimeUse,
			conf:     pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "managed": "no", "one_time_use": false}`),
			want:     outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":3"}},
			contains: []string{"Only type-PCI and type-PF devices may set one_time_use and gpu01_0000:41:00.0 does not qualify", "even when it is false"}},
		{name: "GP611 on a VF, not reporting: GP302 has the refusal, GP611 what follows", check: OneTimeUse,
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "one_time_use": true}`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}}, contains: []string{"is not enough"}},
		{name: "GP611 false on a VF, not reporting", check: OneTimeUse,
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:41:00.4", "one_time_use": "no"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{"harmless while"}},
		{name: "GP611 on a whole GPU", check: OneTimeUse, host: readyHost,
			conf: pciConf("report_in_placement = true", `device_spec = {"vendor_id": "10de", "product_id": "2330", "one_time_use": true}`),
			want: outcome{report.StatusPass, []string{"info [pci]device_spec " + conf + ":3"}}, contains: []string{"HW_PCI_ONE_TIME_USE"}},
		{name: "GP611 before 2025.2", check: OneTimeUse, host: readyHost, release: "2025.1",
			conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2330", "one_time_use": true}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{"which Nova 2025.1 ignores", "one_time_use=true requires pci.report_in_placement to be enabled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newHost := vendorHost
			if tt.host != nil {
				newHost = tt.host
			}
			h := newHost()
			if tt.edit != nil {
				tt.edit(h)
			}
			in := &Inputs{Host: h, NovaConf: testConf(t, "compute", confFile{conf, tt.conf, 0o640})}
			if tt.release != "" {
				in.NovaRelease, _ = novarelease.Parse(tt.release)
			}
			got, findings := runConf(t, tt.check, in)
			for i := range got.Findings {
				if i < len(tt.want.Findings) && strings.HasSuffix(tt.want.Findings[i], " ") {
					got.Findings[i] = got.Findings[i][:strings.LastIndex(got.Findings[i], " ")+1]
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			var text strings.Builder
			for _, f := range findings {
				text.WriteString(f.Message + "\n" + f.Remediation + "\n")
				checkWording(t, f.ID, f.Message)
				checkWording(t, f.ID+" fix", f.Remediation)
			}
			for _, s := range tt.contains {
				if !strings.Contains(text.String(), s) {
					t.Errorf("findings do not mention %q:\n%s", s, text.String())
				}
			}
		})
	}
}

// GP611 does not repeat GP302: one_time_use=true without
// report_in_placement on a whole device is GP302's error alone.
func TestOneTimeUseLeavesGP302Alone(t *testing.T) {
	in := &Inputs{Host: readyHost(), NovaConf: testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2330", "one_time_use": true}`), 0o640})}
	in.NovaRelease = novarelease.Newest()
	r := Run(in, []*Check{DeviceSpecInvalid, OneTimeUse})
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID+" "+string(f.Severity))
	}
	if diff := cmp.Diff([]string{"GP302 error"}, ids); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// Classic hosts: the GP6 checks of this file add no finding to a healthy
// node or to one without a nova.conf.
func TestVFChecksQuietOnClassicHosts(t *testing.T) {
	catalog := []*Check{VendorVGPUFramework, ManagedMismatch, LiveMigration, PlacementVFMix, OneTimeUse}
	for name, in := range map[string]*Inputs{
		"no nova.conf": {Host: readyHost()},
		"device_spec":  {Host: readyHost(), NovaConf: testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf("device_spec = "+h100Spec, "alias = "+h100Alias), 0o640})},
	} {
		r := Run(in, catalog)
		if len(r.Findings) != 0 {
			t.Errorf("%s: %+v", name, r.Findings)
		}
		for _, c := range r.Checks {
			if c.Status != report.StatusSkip && c.Status != report.StatusPass {
				t.Errorf("%s: %s %s", name, c.ID, c.Status)
			}
		}
	}
}

func TestVFBelow(t *testing.T) {
	for _, tt := range []struct {
		have         string
		min          [3]int
		below, known bool
	}{
		{"9.0.0", [3]int{10, 0, 0}, true, true},
		{"10.0.0", [3]int{10, 0, 0}, false, true},
		{"10.0", [3]int{10, 0, 0}, false, true},
		{"8.2", [3]int{8, 2, 2}, false, false},
		{"8.2.1", [3]int{8, 2, 2}, true, true},
		{"7.2", [3]int{8, 2, 2}, true, true},
		{"11.3.0", [3]int{10, 0, 0}, false, true},
		{"6.8.0-49-generic", [3]int{5, 18, 0}, false, true},
		{"5.15.0-91-generic", [3]int{5, 18, 0}, true, true},
		{"", [3]int{8, 6, 0}, false, false},
		{"garbage", [3]int{8, 6, 0}, false, false},
	} {
		below, known := vfBelow(tt.have, tt.min)
		if below != tt.below || known != tt.known {
			t.Errorf("vfBelow(%q, %v) = %v, %v; want %v, %v", tt.have, tt.min, below, known, tt.below, tt.known)
		}
	}
}

// Nova's resource class and trait names (os_resource_classes,
// os_traits normalize_name and _normalize_resource_class).
func TestVFNormalize(t *testing.T) {
	for in, want := range map[string]string{"l40s-4q": "CUSTOM_L40S_4Q", "CUSTOM_A16_8A": "CUSTOM_A16_8A", "pgpu": "PGPU", "my gpu!": "CUSTOM_MY_GPU_"} {
		if got := vfNormalizeRC(in); got != want {
			t.Errorf("vfNormalizeRC(%q) = %q, want %q", in, got, want)
		}
	}
}
