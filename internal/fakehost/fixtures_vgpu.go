package fakehost

// The vGPU and SR-IOV GPU fixtures (issue 13): classic vGPU with mdev
// types on the PF (V100), NVIDIA SR-IOV vGPU with the VFs as mdev parents
// (A40), NVIDIA's vendor-specific VFIO framework (L40S on Ubuntu 24.04),
// a GH200 on aarch64 passing its GPU through with nvgrace_gpu_vfio_pci,
// and broken variants of each for the GP6xx checks. Sources are in
// docs/research/vgpu-layouts.md (cited by section) and in the README of
// testdata/hosts.

import (
	"fmt"
	"strings"
)

// vgpuFixtures are appended to Fixtures(), in README order.
func vgpuFixtures() []Fixture {
	return []Fixture{
		{"v100-mdev", v100Mdev(), "classic vGPU on Ubuntu 22.04 (5.15, 2x Xeon Gold 6248R): two Tesla V100 PCIe 3b:00.0 and af:00.0 on nvidia, each an mdev parent with the 17 types nvidia-105..115, 163, 217, 247, 299-301 (names and descriptions of the charm-guide capture), one nvidia-105 mdev in use on 3b:00.0 (its own IOMMU group) with an mdevctl definition (start auto), nvidia_vgpu_vfio and mdev loaded, libvirt 8.0.0 / QEMU 6.2 from dpkg, Nova 2024.1 with enabled_mdev_types = nvidia-105; meant to be clean"},
		{"a40-sriov-mdev", a40SRIOVMdev(), "NVIDIA SR-IOV vGPU on Ubuntu 22.04 (5.15): A40 3b:00.0 (10de:2235) on nvidia with 32 VFs 3b:00.4-3b:04.3 on nvidia, each VF an mdev parent with the types nvidia-555..576 (available_instances 1 or 0), nvidia-558 mdevs on the first three VFs, the VFs enabled at boot by nvidia-sriov-manage@0000:3b:00.0.service ordered before nova-compute, Nova 2024.1 with enabled_mdev_types = nvidia-558, [mdev_nvidia-558] device_addresses = the 32 VFs and max_instances = 24; meant to be clean"},
		{"l40s-vendor-vfio", l40sVendorVFIO(), "NVIDIA vendor-specific VFIO framework on Ubuntu 24.04 (6.8, Xeon 8462Y+): L40S 3d:00.0 (10de:26b9) and its 32 VFs 3d:00.4-3d:04.3 on nvidia, no mdev bus, nvidia/{creatable_vgpu_types,current_vgpu_type} and vfio-dev/ on each VF, VFs 3d:00.4-3d:00.7 typed 1148 (NVIDIA L40S-2Q) by a boot unit, the others untyped (0), Nova 2025.1 (31.0.0) with a device_spec of the typed VFs with managed no and resource_class CUSTOM_L40S_2Q, a type-VF alias, report_in_placement = true, libvirt 10.0.0 / QEMU 8.2.2; meant to be clean but for Nova 31.0.0's bug 2098496 (a GP610 warning)"},
		{"gh200-nvgrace", gh200NVGrace(), "aarch64 GH200 on Ubuntu 24.04 (6.8 nvidia-64k kernel): Grace (Neoverse V2, 72 cores, arm64 /proc/cpuinfo), IORT with an ITS group, three root complexes and three SMMUv3 nodes (mode 0400), smmu3.0x... IOMMU units, /dev/kvm, GPU 0009:01:00.0 (10de:2342) on nvgrace_gpu_vfio_pci by driver_override (driverctl), Nova 2025.1 with a device_spec of the GPU with managed no, libvirt 10.0.0 / QEMU 8.2.2 (qemu-system-arm); meant to be clean"},

		{"a40-mdev-type-names", a40MdevTypeNames(), "a40-sriov-mdev on Nova 2024.2 without mdevctl and without mdevs: enabled_mdev_types lists the human name \"NVIDIA A40-2Q\" (nvidia-558's name) and nvidia-256, which no parent offers, each with its own [mdev_*] group; for GP601 mdev-type-unknown and GP606 mdev-persistence"},
		{"a40-mdev-addresses-invalid", a40MdevAddressesInvalid(), "a40-sriov-mdev without mdevs whose [mdev_nvidia-558] device_addresses hold a short address (3b:00.6), the PF 0000:3b:00.0 (its VFs are the parents), the X710 0000:18:00.0 (not an mdev parent), and 0000:3b:00.5 again under [mdev_nvidia-560]; for GP602 mdev-address-invalid"},
		{"v100-mdev-zed-ambiguous", v100MdevZedAmbiguous(), "v100-mdev on Nova Zed (26.2.2): enabled_mdev_types = nvidia-105, nvidia-106 without any device_addresses, and [mdev_nvidia-106] mdev_class = CUSTOM_V100_2Q; for GP603 mdev-types-ambiguous"},
		{"a40-mdev-capacity", a40MdevCapacity(), "a40-sriov-mdev where an nvidia-560 mdev on VF 3b:00.4 sits under [mdev_nvidia-558] (so nvidia-558 has available_instances 0 on every VF), and [mdev_nvidia-558] lacks max_instances on Nova 2024.1; for GP604 mdev-capacity"},
		{"a40-vgpu-stack-missing", a40VGPUStackMissing(), "a40-sriov-mdev after a reboot without the vGPU manager: nvidia_vgpu_vfio and mdev not loaded (no /sys/class/mdev_bus), sriov_numvfs 0, no unit enabling the VFs, while nova.conf enables nvidia-558; for GP605 vgpu-host-stack"},
		{"l40s-vendor-misconfigured", l40sVendorMisconfigured(), "l40s-vendor-vfio with enabled_mdev_types = nvidia-1148 set, VF 3d:00.5 untyped (current_vgpu_type 0) yet in device_spec, and VF 3d:00.6 typed 1150 (NVIDIA L40S-4Q) sharing resource_class CUSTOM_L40S_2Q with 1148 VFs; for GP607 vendor-vgpu-framework"},
		{"l40s-managed-mismatch", l40sManagedMismatch(), "l40s-vendor-vfio without report_in_placement, plus a Tesla T4 b1:00.0 on nvidia: device_spec gives the T4 managed no, VF 3d:00.4 no managed tag, and one_time_use to the T4; for GP608 managed-mismatch and GP611 one-time-use"},
		{"l40s-managed-old-nova", l40sManagedOldNova(), "l40s-vendor-vfio with Nova 2024.2 (30.1.0) installed: managed is ignored there and the vendor framework needs Nova 2025.1; for GP608 managed-mismatch and GP607 vendor-vgpu-framework"},
		{"l40s-livemig-bookworm", l40sLiveMigBookworm(), "l40s-vendor-vfio on Debian 12 (libvirt 9.0.0, QEMU 7.2 from dpkg) with live_migratable yes in device_spec and alias, and [libvirt]live_migration_permit_post_copy = true; for GP609 live-migration"},
		{"l40s-placement-mix", l40sPlacementMix(), "l40s-vendor-vfio with report_in_placement: VFs 3d:00.4 and 3d:00.5 of one PF with different resource_class, the PF 3d:00.0 admitted beside its VFs, a devname entry, and one_time_use on VF 3d:00.6 on Nova 2025.1; for GP610 placement-vf-mix and GP611 one-time-use"},
		{"gh200-no-smmu", gh200NoSMMU(), "gh200-nvgrace with the SMMU disabled in firmware: IORT without SMMUv3 node (root complexes map to the ITS), no IOMMU unit or group, the GPU left without driver though driver_override names nvgrace_gpu_vfio_pci; for GP102 iommu-firmware on aarch64"},
	}
}

// Nova's installed version, as h100-hgx models it: Python metadata.
func novaMeta(version string) (string, string) {
	return "usr/lib/python3/dist-packages/nova-" + version + ".dist-info/METADATA",
		"Metadata-Version: 2.1\nName: nova\nVersion: " + version + "\nSummary: Cloud computing fabric controller\n"
}

// Package versions (research 5.1; exact Ubuntu versions from the index,
// cited in testdata/hosts/README.md).
func jammyVirt() []DebPackage {
	return []DebPackage{
		{Name: "libvirt-daemon", Version: "8.0.0-1ubuntu7.9", Arch: "amd64", Source: "libvirt", Section: "admin", InstalledSize: 1632,
			Maintainer: "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>", Description: "Virtualization daemon"},
		{Name: "qemu-system-x86", Version: "1:6.2+dfsg-2ubuntu6.24", Arch: "amd64", Source: "qemu", Section: "misc", InstalledSize: 43519,
			Maintainer: "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>", Description: "QEMU full system emulation binaries (x86)"},
	}
}

func nobleVirt(arch string) []DebPackage {
	libvirt := DebPackage{Name: "libvirt-daemon", Version: "10.0.0-2ubuntu8.9", Arch: arch, Source: "libvirt", Section: "admin", InstalledSize: 1848,
		Maintainer: "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>", Description: "Virtualization daemon"}
	qemu := DebPackage{Name: "qemu-system-x86", Version: "1:8.2.2+ds-0ubuntu1.10", Arch: arch, Source: "qemu", Section: "misc", InstalledSize: 53812,
		Maintainer: "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>", Description: "QEMU full system emulation binaries (x86)"}
	if arch == "arm64" {
		libvirt.Version = "10.0.0-2ubuntu8.11"
		qemu.Name, qemu.Version, qemu.InstalledSize, qemu.Description = "qemu-system-arm", "1:8.2.2+ds-0ubuntu1.18", 71406, "QEMU full system emulation binaries (arm)"
	}
	return []DebPackage{libvirt, qemu}
}

func bookwormVirt() []DebPackage {
	return []DebPackage{
		{Name: "libvirt-daemon", Version: "9.0.0-4+deb12u2", Arch: "amd64", Source: "libvirt", Section: "admin", InstalledSize: 1544,
			Maintainer: "Debian Libvirt Maintainers <pkg-libvirt-maintainers@lists.alioth.debian.org>", Description: "Virtualization daemon"},
		{Name: "qemu-system-x86", Version: "1:7.2+dfsg-7+deb12u18+b3", Arch: "amd64", Source: "qemu (1:7.2+dfsg-7+deb12u18)", Section: "otherosfs", InstalledSize: 46874,
			Maintainer: "Debian QEMU Team <pkg-qemu-devel@lists.alioth.debian.org>", Description: "QEMU full system emulation binaries (x86)"},
	}
}

// Units. nvidia-sriov-manage@.service is Nova's documented template
// (admin/virtual-gpu.rst, Nova 2025.1; research 2) with one line added,
// "Before = nova-compute.service", so the VFs exist when nova-compute
// starts. nova-compute.service is the Ubuntu package's, shortened.
const (
	sriovManageUnit = `[Unit]
After = nvidia-vgpu-mgr.service
After = nvidia-vgpud.service
Before = nova-compute.service
Description = Enable Nvidia GPU virtual functions

[Service]
Type = oneshot
User = root
Group = root
ExecStart = /usr/lib/nvidia/sriov-manage -e %i
# Give a reasonable amount of time for the server to start up/shut down
TimeoutSec = 120
# This creates a specific slice which all services will operate from
#  The accounting options give us the ability to see resource usage
#  through the ` + "`systemd-cgtop`" + ` command.
Slice = system.slice
# Set Accounting
CPUAccounting = True
BlockIOAccounting = True
MemoryAccounting = True
TasksAccounting = True
RemainAfterExit = True
ExecStartPre = /usr/bin/sleep 30

[Install]
WantedBy = multi-user.target
`
	novaComputeUnit = `[Unit]
Description=OpenStack Compute
After=libvirtd.service postgresql.service mysql.service keystone.service rabbitmq-server.service ntp.service

[Service]
User=nova
Group=nova
Type=simple
WorkingDirectory=/var/lib/nova
RuntimeDirectory=nova lock/nova
CacheDirectory=nova
ExecStart=/etc/init.d/nova-compute systemd-start
Restart=on-failure
LimitNOFILE=65535
TimeoutStopSec=15

[Install]
WantedBy=multi-user.target
`
)

// withNovaCompute installs and enables nova-compute.service, as
// systemctl enable links it (an absolute target).
func withNovaCompute(h *Host) {
	h.Files["lib/systemd/system/nova-compute.service"] = novaComputeUnit
	h.Links["etc/systemd/system/multi-user.target.wants/nova-compute.service"] = "/lib/systemd/system/nova-compute.service"
}

// withSRIOVManage installs Nova's template unit and enables it for a PF.
func withSRIOVManage(h *Host, pf string) {
	h.Files["etc/systemd/system/nvidia-sriov-manage@.service"] = sriovManageUnit
	h.Links["etc/systemd/system/multi-user.target.wants/nvidia-sriov-manage@"+pf+".service"] = "/etc/systemd/system/nvidia-sriov-manage@.service"
}

// ---- V100: classic vGPU, mdev types on the PF ----

// v100Types are a V100's types as the charm-guide capture lists them
// (openstack/charm-guide doc/source/admin/vgpu.rst; research 1.2):
// id, name, description.
var v100Types = [][3]string{
	{"105", "GRID V100-1Q", "num_heads=4, frl_config=60, framebuffer=1024M, max_resolution=5120x2880, max_instance=16"},
	{"106", "GRID V100-2Q", "num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=7680x4320, max_instance=8"},
	{"107", "GRID V100-4Q", "num_heads=4, frl_config=60, framebuffer=4096M, max_resolution=7680x4320, max_instance=4"},
	{"108", "GRID V100-8Q", "num_heads=4, frl_config=60, framebuffer=8192M, max_resolution=7680x4320, max_instance=2"},
	{"109", "GRID V100-16Q", "num_heads=4, frl_config=60, framebuffer=16384M, max_resolution=7680x4320, max_instance=1"},
	{"110", "GRID V100-1A", "num_heads=1, frl_config=60, framebuffer=1024M, max_resolution=1280x1024, max_instance=16"},
	{"111", "GRID V100-2A", "num_heads=1, frl_config=60, framebuffer=2048M, max_resolution=1280x1024, max_instance=8"},
	{"112", "GRID V100-4A", "num_heads=1, frl_config=60, framebuffer=4096M, max_resolution=1280x1024, max_instance=4"},
	{"113", "GRID V100-8A", "num_heads=1, frl_config=60, framebuffer=8192M, max_resolution=1280x1024, max_instance=2"},
	{"114", "GRID V100-16A", "num_heads=1, frl_config=60, framebuffer=16384M, max_resolution=1280x1024, max_instance=1"},
	{"115", "GRID V100-1B", "num_heads=4, frl_config=45, framebuffer=1024M, max_resolution=5120x2880, max_instance=16"},
	{"163", "GRID V100-2B", "num_heads=4, frl_config=45, framebuffer=2048M, max_resolution=5120x2880, max_instance=8"},
	{"217", "GRID V100-2B4", "num_heads=4, frl_config=45, framebuffer=2048M, max_resolution=5120x2880, max_instance=8"},
	{"247", "GRID V100-1B4", "num_heads=4, frl_config=45, framebuffer=1024M, max_resolution=5120x2880, max_instance=16"},
	{"299", "GRID V100-4C", "num_heads=1, frl_config=60, framebuffer=4096M, max_resolution=4096x2160, max_instance=4"},
	{"300", "GRID V100-8C", "num_heads=1, frl_config=60, framebuffer=8192M, max_resolution=4096x2160, max_instance=2"},
	{"301", "GRID V100-16C", "num_heads=1, frl_config=60, framebuffer=16384M, max_resolution=4096x2160, max_instance=1"},
}

// maxInstance reads max_instance= from an NVIDIA description.
func maxInstance(desc string) int {
	var n int
	if i := strings.LastIndex(desc, "max_instance="); i >= 0 {
		fmt.Sscanf(desc[i+len("max_instance="):], "%d", &n)
	}
	return n
}

// gpuTypes turns a catalog into the types of a time-sliced GPU: a
// physical GPU runs one type at a time (charm-guide: "a physical GPU can
// only support one vGPU type at any given time"), so once mdevs of a type
// exist, only that type has instances left, max_instance minus those. On
// an SR-IOV VF each VF takes at most one vGPU (research 2): perParent 1.
func gpuTypes(catalog [][3]string, inUse string, used, perParent int) []MdevType {
	var out []MdevType
	for _, c := range catalog {
		avail := maxInstance(c[2])
		if perParent > 0 {
			avail = min(avail, perParent)
		}
		if inUse != "" {
			if c[0] == inUse {
				avail = max(0, avail-used)
			} else {
				avail = 0
			}
		}
		out = append(out, MdevType{ID: c[0], Name: c[1], Description: c[2], Available: avail})
	}
	return out
}

// TeslaV100 is a Tesla V100 PCIe 16GB.
func TeslaV100(addr, parent string) Device {
	return Fn(addr, parent, 0x10de, 0x1db4, 0x030200, 0xa1, vNVIDIA, "GV100GL [Tesla V100 PCIe 16GB]").
		Sub(0x10de, 0x1214).Lnk(3, 16).Reset("flr bus").
		Bars(Mem32(0, 16*MiB), Pref64(1, 16*GiB), Pref64(3, 32*MiB))
}

// v100MdevUUID is the mdev of the charm-guide's hostdev example.
const v100MdevUUID = "b2107403-110c-45b0-af87-32cc91597b8a"

func v100Host(nova string, mdevctl bool) *Host {
	g0 := TeslaV100("0000:3b:00.0", "0000:3a:00.0").Drv("nvidia")
	g0.MdevTypes = gpuTypes(v100Types, "105", 1, 0)
	g0.Mdevs = []Mdev{{UUID: v100MdevUUID, Type: "nvidia-105"}}
	g1 := TeslaV100("0000:af:00.0", "0000:ae:00.0").Drv("nvidia")
	g1.MdevTypes = gpuTypes(v100Types, "", 0, 0)
	s0 := Concat(
		clxLegacyStack(),
		L(lbgRootPort("0000:00:1c.0", 0xa190, "C620 Series Chipset Family PCI Express Root Port #1")),
		ASPEEDBMC("0000:02:00.0", "0000:00:1c.0", 0x03),
		clxStack(0x17, 0),
		X710("0000:18:00.0", "0000:17:00.0"),
		clxStack(0x3a, 0),
		L(g0),
	)
	s1 := Concat(clxStack(0x85), clxStack(0xae, 0), L(g1))
	meta, metaContent := novaMeta(nova)
	h := &Host{
		Hostname:      "cmp-v100-02",
		KernelRelease: "5.15.0-122-generic",
		OSRelease:     osUbuntu2204,
		CPU:           XeonGold6248R(2),
		NUMANodes:     2,
		MemTotalKB:    395012344,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-5.15.0-122-generic root=UUID=3f8e2a1c-7b4d-4e9a-8c2f-6d1b5a9e0c47 ro intel_iommu=on",
		Modules:       []Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "nvidia_vgpu_vfio"}, {Name: "vfio_iommu_type1"}},
		ACPITables:    intelServerTables,
		IOMMU:         IOMMU{Kind: IntelVTd, Units: clxUnits(0x17, 0x3a, 0x85, 0xae, 0x00)},
		Devices:       Board(0x15d9, 0x095d, Concat(OnNode(0, s0), OnNode(1, s1))),
		PCIIDs:        true,
		Files: map[string]string{
			meta:                                    metaContent,
			"etc/modprobe.d/blacklist-nouveau.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
			"etc/nova/nova.conf": "[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n\n" +
				"[devices]\nenabled_mdev_types = nvidia-105\n\n" +
				"[libvirt]\nvirt_type = kvm\n",
		},
		Links:    map[string]string{},
		Mdevctl:  mdevctl,
		Packages: jammyVirt(),
	}
	if mdevctl {
		h.MdevctlDefs = []MdevctlDef{{Parent: "0000:3b:00.0", UUID: v100MdevUUID, Type: "nvidia-105", Start: "auto"}}
	}
	withNovaCompute(h)
	return mustGroups(h)
}

func v100Mdev() *Host { return v100Host("29.2.0", true) }

func v100MdevZedAmbiguous() *Host {
	h := v100Host("26.2.2", true)
	h.Files["etc/nova/nova.conf"] = "[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n\n" +
		"[devices]\nenabled_mdev_types = nvidia-105, nvidia-106\n\n" +
		"[mdev_nvidia-106]\nmdev_class = CUSTOM_V100_2Q\n\n" +
		"[libvirt]\nvirt_type = kvm\n"
	return h
}

// ---- A40: SR-IOV, the VFs are the mdev parents ----

// a40Types are an A40's types (research 1.2, an A40 capture on VF
// 0000:e8:00.4, driver 550.163.02): the ids and names are the capture's;
// its only description is nvidia-555's, the others follow the same
// pattern and NVIDIA's profile sizes (framebuffer = size, max_instance =
// 48 GB / size, at most the 32 VFs), the Q/A/B fields as the V100's.
var a40Types = func() [][3]string {
	var out [][3]string
	add := func(id int, suffix string, gb int) {
		var heads, frl, res string
		switch {
		case strings.HasSuffix(suffix, "B"):
			heads, frl, res = "4", "45", "5120x2880"
		case strings.HasSuffix(suffix, "A"):
			heads, frl, res = "1", "60", "1280x1024"
		case gb == 1:
			heads, frl, res = "4", "60", "5120x2880"
		default:
			heads, frl, res = "4", "60", "7680x4320"
		}
		desc := fmt.Sprintf("num_heads=%s, frl_config=%s, framebuffer=%dM, max_resolution=%s, max_instance=%d", heads, frl, gb*1024, res, min(32, 48/gb))
		out = append(out, [3]string{fmt.Sprint(id), "NVIDIA A40-" + suffix, desc})
	}
	add(555, "1B", 1)
	add(556, "2B", 2)
	id := 557
	for _, gb := range []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 48} {
		add(id, fmt.Sprintf("%dQ", gb), gb)
		id++
	}
	for _, gb := range []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 48} {
		add(id, fmt.Sprintf("%dA", gb), gb)
		id++
	}
	return out
}()

// A40 is an A40 (10de:2235) with its SR-IOV capability: 32 VFs from
// function 4 of its slot (research 2: virtfn0 -> x:00.4 ... virtfn31 ->
// x:04.3).
func A40(addr, parent string) Device {
	d := Fn(addr, parent, 0x10de, 0x2235, 0x030200, 0xa1, vNVIDIA, "GA102GL [A40]").
		Sub(0x10de, 0x145a).Lnk(4, 16).Reset("flr bus").
		Bars(Mem32(0, 16*MiB), Pref64(1, 64*GiB), Pref64(3, 32*MiB))
	d.SRIOV = &SRIOV{TotalVFs: 32, Offset: 4, Stride: 1, VFDevice: 0x2235,
		VFBARs: []BAR{Mem32(0, 4*MiB), Pref64(1, 1*GiB), Pref64(3, 32*MiB)}}
	return d
}

// a40Slot is the A40 with its VFs on nvidia (sriov-manage binds them
// there; research 2), every VF an mdev parent. mdevs maps a VF index to
// the type of the mdev on it.
func a40Slot(vfs int, mdevs map[int]string) []Device {
	devs := WithVFs(A40("0000:3b:00.0", "0000:3a:00.0").Drv("nvidia"), vfs, "nvidia")
	inUse, used := "", len(mdevs)
	for _, t := range mdevs {
		inUse = strings.TrimPrefix(t, "nvidia-")
	}
	for i := 1; i < len(devs); i++ {
		if t, ok := mdevs[i-1]; ok {
			devs[i].MdevTypes = gpuTypes(a40Types, inUse, 1, 1)
			for j := range devs[i].MdevTypes {
				devs[i].MdevTypes[j].Available = 0 // a VF takes one vGPU
			}
			devs[i].Mdevs = []Mdev{{UUID: a40MdevUUID(i - 1), Type: t}}
			continue
		}
		devs[i].MdevTypes = gpuTypes(a40Types, inUse, used, 1)
		if inUse != "" {
			for j := range devs[i].MdevTypes {
				if devs[i].MdevTypes[j].ID == inUse {
					devs[i].MdevTypes[j].Available = 1
				}
			}
		}
	}
	return devs
}

func a40MdevUUID(vf int) string { return fmt.Sprintf("4b20d080-1b54-4048-85b3-a6a62d16%04x", vf) }

// a40VFs lists the addresses of the A40's VFs from..to (inclusive).
func a40VFs(from, to int) string {
	var out []string
	for i := from; i <= to; i++ {
		rid := 0x3b<<8 + 4 + i
		out = append(out, FormatAddr(0, rid>>8, rid>>3&0x1f, rid&7))
	}
	return strings.Join(out, ",")
}

func a40Host(nova, conf string, slot []Device) *Host {
	meta, metaContent := novaMeta(nova)
	h := &Host{
		Hostname:      "cmp-a40-05",
		KernelRelease: "5.15.0-122-generic",
		OSRelease:     osUbuntu2204,
		CPU:           XeonGold6248R(1),
		NUMANodes:     1,
		MemTotalKB:    394993512,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-5.15.0-122-generic root=UUID=a1c7e3f9-5b2d-4f8e-9a6c-0d3e7b1f5c28 ro intel_iommu=on",
		Modules:       []Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "nvidia_vgpu_vfio"}, {Name: "vfio_iommu_type1"}},
		ACPITables:    intelServerTables,
		IOMMU:         IOMMU{Kind: IntelVTd, Units: clxUnits(0x17, 0x3a, 0x00)},
		Devices:       supermicroCLX(slot, true),
		PCIIDs:        true,
		Files: map[string]string{
			meta:                                    metaContent,
			"etc/modprobe.d/blacklist-nouveau.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
			"etc/nova/nova.conf":                    conf,
		},
		Links:    map[string]string{},
		Mdevctl:  true,
		Packages: jammyVirt(),
	}
	withNovaCompute(h)
	withSRIOVManage(h, "0000:3b:00.0")
	return mustGroups(h)
}

const novaHead = "[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n\n"

func a40SRIOVMdev() *Host {
	conf := novaHead + "[devices]\nenabled_mdev_types = nvidia-558\n\n" +
		"[mdev_nvidia-558]\ndevice_addresses = " + a40VFs(0, 31) + "\nmax_instances = 24\n\n" +
		"[libvirt]\nvirt_type = kvm\n"
	return a40Host("29.2.0", conf, a40Slot(32, map[int]string{0: "nvidia-558", 1: "nvidia-558", 2: "nvidia-558"}))
}

func a40MdevTypeNames() *Host {
	conf := novaHead + "[devices]\nenabled_mdev_types = NVIDIA A40-2Q, nvidia-256\n\n" +
		"[mdev_NVIDIA A40-2Q]\ndevice_addresses = " + a40VFs(0, 15) + "\nmax_instances = 24\n\n" +
		"[mdev_nvidia-256]\ndevice_addresses = " + a40VFs(16, 31) + "\nmax_instances = 24\n\n" +
		"[libvirt]\nvirt_type = kvm\n"
	h := a40Host("30.1.0", conf, a40Slot(32, nil))
	h.Mdevctl = false
	return h
}

func a40MdevAddressesInvalid() *Host {
	conf := novaHead + "[devices]\nenabled_mdev_types = nvidia-558, nvidia-560\n\n" +
		"[mdev_nvidia-558]\ndevice_addresses = 0000:3b:00.4,0000:3b:00.5,3b:00.6,0000:3b:00.0,0000:18:00.0\nmax_instances = 24\n\n" +
		"[mdev_nvidia-560]\ndevice_addresses = 0000:3b:00.5,0000:3b:00.7\nmax_instances = 12\n\n" +
		"[libvirt]\nvirt_type = kvm\n"
	return a40Host("29.2.0", conf, a40Slot(32, nil))
}

func a40MdevCapacity() *Host {
	conf := novaHead + "[devices]\nenabled_mdev_types = nvidia-558, nvidia-560\n\n" +
		"[mdev_nvidia-558]\ndevice_addresses = " + a40VFs(0, 15) + "\n\n" +
		"[mdev_nvidia-560]\ndevice_addresses = " + a40VFs(16, 31) + "\nmax_instances = 12\n\n" +
		"[libvirt]\nvirt_type = kvm\n"
	return a40Host("29.2.0", conf, a40Slot(32, map[int]string{0: "nvidia-560"}))
}

func a40VGPUStackMissing() *Host {
	conf := novaHead + "[devices]\nenabled_mdev_types = nvidia-558\n\n" +
		"[mdev_nvidia-558]\nmax_instances = 24\n\n" +
		"[libvirt]\nvirt_type = kvm\n"
	h := a40Host("29.2.0", conf, a40Slot(0, nil))
	h.Modules = []Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "nvidia"}, {Name: "vfio_iommu_type1"}}
	delete(h.Files, "etc/systemd/system/nvidia-sriov-manage@.service")
	for p := range h.Links {
		if strings.Contains(p, "nvidia-sriov-manage@") {
			delete(h.Links, p)
		}
	}
	return h
}

// ---- L40S: NVIDIA's vendor-specific VFIO framework ----

// l40sTypes are an L40S VF's creatable types (research 3.2, an L40S
// capture on VF 0000:3d:00.4): 1145-1146 B, 1147-1156 Q, 1157-1165 A.
var l40sTypes = func() []VGPUType {
	out := []VGPUType{{1145, "NVIDIA L40S-1B"}, {1146, "NVIDIA L40S-2B"}}
	id := 1147
	for _, gb := range []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 48} {
		out = append(out, VGPUType{id, fmt.Sprintf("NVIDIA L40S-%dQ", gb)})
		id++
	}
	for _, gb := range []int{1, 2, 3, 4, 6, 8, 12, 16, 24} {
		out = append(out, VGPUType{id, fmt.Sprintf("NVIDIA L40S-%dA", gb)})
		id++
	}
	return out
}()

func l40sType(id int) VGPUType {
	for _, t := range l40sTypes {
		if t.ID == id {
			return t
		}
	}
	panic(fmt.Sprintf("no L40S vGPU type %d", id))
}

// L40SSRIOV is an L40S with its SR-IOV capability (32 VFs from function 4).
func L40SSRIOV(addr, parent string) Device {
	d := L40S(addr, parent)
	d.SRIOV = &SRIOV{TotalVFs: 32, Offset: 4, Stride: 1, VFDevice: 0x26b9,
		VFBARs: []BAR{Mem32(0, 4*MiB), Pref64(1, 1*GiB), Pref64(3, 32*MiB)}}
	return d
}

// l40sSlot is the L40S and its 32 VFs on nvidia, the VFs with nvidia/
// (the PF has none: research 3.2 takes NVIDIA's vgpu-device-manager
// comment over the device plugin's; the sources disagree). typed maps a
// VF index to its current_vgpu_type. A typed VF can create no more
// (creatable: header only); once vGPUs exist the card lists only their
// type (research 3.2, the RFC's creatable_homogeneous_vgpu_types_show).
func l40sSlot(typed map[int]int) []Device {
	devs := WithVFs(L40SSRIOV("0000:3d:00.0", "0000:3c:01.0").Drv("nvidia"), 32, "nvidia")
	for i := 1; i < len(devs); i++ {
		v := &VendorVGPU{VFIODev: i - 1}
		if cur, ok := typed[i-1]; ok {
			v.Current = cur
		} else if len(typed) == 0 {
			v.Creatable = l40sTypes
		} else {
			seen := map[int]bool{}
			for _, t := range typed {
				if !seen[t] {
					seen[t] = true
					v.Creatable = append(v.Creatable, l40sType(t))
				}
			}
			if len(v.Creatable) == 2 && v.Creatable[0].ID > v.Creatable[1].ID {
				v.Creatable[0], v.Creatable[1] = v.Creatable[1], v.Creatable[0]
			}
		}
		devs[i].VGPU = v
	}
	return devs
}

// l40sVFAddr is the address of VF i of the L40S.
func l40sVFAddr(i int) string {
	rid := 0x3d<<8 + 4 + i
	return FormatAddr(0, rid>>8, rid>>3&0x1f, rid&7)
}

// vgpuTypesUnit sets the vGPU type of VFs at boot, after sriov-manage and
// before nova-compute, by writing current_vgpu_type (research 3.2: echo
// <id> > /sys/bus/pci/devices/<VF>/nvidia/current_vgpu_type).
func vgpuTypesUnit(typed map[int]int) string {
	var sb strings.Builder
	sb.WriteString("[Unit]\nDescription=Create the vGPUs of the L40S VFs\nAfter=nvidia-sriov-manage@0000:3d:00.0.service\nRequires=nvidia-sriov-manage@0000:3d:00.0.service\nBefore=nova-compute.service\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n")
	for i := range 32 {
		if t, ok := typed[i]; ok {
			fmt.Fprintf(&sb, "ExecStart=/bin/sh -c 'echo %d > /sys/bus/pci/devices/%s/nvidia/current_vgpu_type'\n", t, l40sVFAddr(i))
		}
	}
	sb.WriteString("\n[Install]\nWantedBy=multi-user.target\n")
	return sb.String()
}

// l40sTyped is the healthy host's typing: the first four VFs are 2Q.
var l40sTyped = map[int]int{0: 1148, 1: 1148, 2: 1148, 3: 1148}

func l40sDeviceSpecs(extra map[int]string, vfs ...int) string {
	var sb strings.Builder
	for _, i := range vfs {
		tags := `"resource_class": "CUSTOM_L40S_2Q", "managed": "no"`
		if e, ok := extra[i]; ok {
			tags = e
		}
		fmt.Fprintf(&sb, "device_spec = {\"vendor_id\": \"10de\", \"product_id\": \"26b9\", \"address\": \"%s\", %s}\n", l40sVFAddr(i), tags)
	}
	return sb.String()
}

const l40sAlias = "alias = {\"name\": \"l40s-2q\", \"device_type\": \"type-VF\", \"resource_class\": \"CUSTOM_L40S_2Q\"}\n"

func l40sHost(nova, conf string, typed map[int]int, extra []Device) *Host {
	slot := Concat(L(sprRootPort("0000:3c:01.0")), l40sSlot(typed), extra)
	meta, metaContent := novaMeta(nova)
	h := &Host{
		Hostname:      "cmp-l40s-11",
		KernelRelease: "6.8.0-49-generic",
		OSRelease:     osUbuntu2404,
		CPU:           XeonPlatinum8462Y(1),
		NUMANodes:     1,
		MemTotalKB:    1056521652,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-6.8.0-49-generic root=UUID=7e2c9a4f-1d3b-4a8e-b5c6-2f9d0e1a3b74 ro intel_iommu=on",
		// The vendor framework's nvidia_vgpu_vfio registers the VFs with
		// vfio-pci-core; no mdev parent, so no mdev module here (hosts
		// where it is loaded show an empty /sys/class/mdev_bus).
		Modules:    []Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "nvidia_vgpu_vfio", Deps: []string{"nvidia", "vfio_pci_core", "vfio", "kvm"}}, {Name: "vfio_iommu_type1"}},
		ACPITables: intelServerTables,
		IOMMU:      IOMMU{Kind: IntelVTd, Units: sprUnits(0x3c, 0x00)},
		Devices: Board(0x15d9, 0x1c48, OnNode(0, Concat(
			sprStack(0x00), emmitsburgPCH(), ASPEEDBMC("0000:01:00.0", "0000:00:1c.0", 0x02),
			sprStack(0x3c), slot))),
		PCIIDs: true,
		Files: map[string]string{
			meta:                                    metaContent,
			"etc/modprobe.d/blacklist-nouveau.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
			"etc/nova/nova.conf":                    conf,
			"etc/systemd/system/nvidia-vgpu-types.service": vgpuTypesUnit(typed),
		},
		Links:    map[string]string{"etc/systemd/system/multi-user.target.wants/nvidia-vgpu-types.service": "/etc/systemd/system/nvidia-vgpu-types.service"},
		Packages: nobleVirt("amd64"),
	}
	withNovaCompute(h)
	withSRIOVManage(h, "0000:3d:00.0")
	return mustGroups(h)
}

// l40sConf is an L40S node's nova.conf. With report_in_placement it also
// sets [filter_scheduler]pci_in_placement, as Nova's PCI-in-Placement
// documentation has every node's nova.conf do (the alias that names a
// resource_class alone is valid only then).
func l40sConf(pci, libvirt string) string {
	return novaHead + "[pci]\n" + pci + "\n[libvirt]\nvirt_type = kvm\n" + libvirt + pciInPlacement(pci)
}

func pciInPlacement(pci string) string {
	if strings.Contains(pci, "report_in_placement = true") {
		return "\n[filter_scheduler]\npci_in_placement = true\n"
	}
	return ""
}

func l40sVendorVFIO() *Host {
	conf := l40sConf("report_in_placement = true\n"+l40sDeviceSpecs(nil, 0, 1, 2, 3)+l40sAlias, "")
	return l40sHost("31.0.0", conf, l40sTyped, nil)
}

func l40sVendorMisconfigured() *Host {
	typed := map[int]int{0: 1148, 2: 1150, 3: 1148}
	conf := novaHead + "[devices]\nenabled_mdev_types = nvidia-1148\n\n" +
		"[pci]\nreport_in_placement = true\n" + l40sDeviceSpecs(nil, 0, 1, 2, 3) + l40sAlias +
		"\n[libvirt]\nvirt_type = kvm\n" + pciInPlacement("report_in_placement = true")
	return l40sHost("31.0.0", conf, typed, nil)
}

func l40sManagedMismatch() *Host {
	t4 := TeslaT4("0000:b1:00.0", "0000:b0:01.0").Drv("nvidia")
	extra := Concat(sprStack(0xb0), L(sprRootPort("0000:b0:01.0"), t4))
	pci := "device_spec = {\"vendor_id\": \"10de\", \"product_id\": \"1eb8\", \"address\": \"0000:b1:00.0\", \"managed\": \"no\", \"one_time_use\": \"yes\"}\n" +
		l40sDeviceSpecs(map[int]string{0: `"resource_class": "CUSTOM_L40S_2Q"`}, 0) +
		"alias = {\"name\": \"t4\", \"vendor_id\": \"10de\", \"product_id\": \"1eb8\", \"device_type\": \"type-PCI\"}\n" +
		"alias = {\"name\": \"l40s-2q\", \"vendor_id\": \"10de\", \"product_id\": \"26b9\", \"device_type\": \"type-VF\"}\n"
	h := l40sHost("31.0.0", l40sConf(pci, ""), l40sTyped, extra)
	h.IOMMU.Units = sprUnits(0x3c, 0xb0, 0x00)
	return mustGroups(h)
}

func l40sManagedOldNova() *Host {
	conf := l40sConf("report_in_placement = true\n"+l40sDeviceSpecs(nil, 0, 1, 2, 3)+l40sAlias, "")
	return l40sHost("30.1.0", conf, l40sTyped, nil)
}

func l40sLiveMigBookworm() *Host {
	specs := l40sDeviceSpecs(map[int]string{
		0: `"resource_class": "CUSTOM_L40S_2Q", "managed": "no", "live_migratable": "yes"`,
		1: `"resource_class": "CUSTOM_L40S_2Q", "managed": "no", "live_migratable": "yes"`,
		2: `"resource_class": "CUSTOM_L40S_2Q", "managed": "no", "live_migratable": "yes"`,
		3: `"resource_class": "CUSTOM_L40S_2Q", "managed": "no", "live_migratable": "yes"`,
	}, 0, 1, 2, 3)
	alias := "alias = {\"name\": \"l40s-2q\", \"device_type\": \"type-VF\", \"resource_class\": \"CUSTOM_L40S_2Q\", \"live_migratable\": \"yes\"}\n"
	conf := l40sConf("report_in_placement = true\n"+specs+alias, "live_migration_permit_post_copy = true\n")
	h := l40sHost("31.0.0", conf, l40sTyped, nil)
	h.OSRelease = osDebian12
	h.KernelRelease = "6.12.12+bpo-amd64"
	h.Cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.12.12+bpo-amd64 root=UUID=7e2c9a4f-1d3b-4a8e-b5c6-2f9d0e1a3b74 ro quiet intel_iommu=on"
	h.Packages = bookwormVirt()
	return h
}

func l40sPlacementMix() *Host {
	specs := l40sDeviceSpecs(map[int]string{
		1: `"resource_class": "CUSTOM_L40S_4Q", "managed": "no"`,
		2: `"resource_class": "CUSTOM_L40S_2Q", "managed": "no", "one_time_use": "yes"`,
	}, 0, 1, 2, 3)
	pci := "report_in_placement = true\n" + specs +
		"device_spec = {\"vendor_id\": \"10de\", \"product_id\": \"26b9\", \"address\": \"0000:3d:00.0\"}\n" +
		"device_spec = {\"devname\": \"ens1f0\"}\n" + l40sAlias
	return l40sHost("31.0.0", l40sConf(pci, ""), l40sTyped, nil)
}

// ---- GH200: aarch64, nvgrace_gpu_vfio_pci ----

// GH200 is the Hopper GPU of a GH200 (10de:2342, "GH200 120GB" in
// nvgrace-gpu's ID table; research 4.1); the 2023 database lacks it.
func GH200(addr, parent string) Device {
	return Fn(addr, parent, 0x10de, 0x2342, 0x030200, 0xa1, vNVIDIA, "").
		Sub(0x10de, 0x16eb).Lnk(5, 16).Reset("flr").
		Bars(Mem32(0, 16*MiB), Pref64(2, 128*GiB), Pref64(4, 32*MiB))
}

// graceRootPort is a Grace PCIe root port, each the only one of its PCI
// segment (the GB10 capture in research 4.1 shows the GPU at 000f:01:00.0).
// The device ID is not from a capture.
func graceRootPort(a string) Device {
	return Fn(a, "", 0x10de, 0x22b2, 0x060400, 0x00, vNVIDIA, "").Lnk(5, 16).Drv("pcieport").Isolated()
}

func gh200Host(smmu bool) *Host {
	gpu := GH200("0009:01:00.0", "0009:00:00.0").Override("nvgrace_gpu_vfio_pci")
	if smmu {
		gpu = gpu.Drv("nvgrace_gpu_vfio_pci")
	}
	devs := Concat(
		L(graceRootPort("0000:00:00.0")),
		ConnectX7("0000:01:00.0", "0000:00:00.0", 0),
		L(graceRootPort("0008:00:00.0"), NVMePM9A3("0008:01:00.0", "0008:00:00.0"),
			graceRootPort("0009:00:00.0"), gpu),
	)
	meta, metaContent := novaMeta("31.0.0")
	conf := novaHead + "[pci]\n" +
		"device_spec = {\"vendor_id\": \"10de\", \"product_id\": \"2342\", \"address\": \"0009:01:00.0\", \"managed\": \"no\"}\n" +
		"alias = {\"name\": \"gh200\", \"vendor_id\": \"10de\", \"product_id\": \"2342\", \"device_type\": \"type-PCI\"}\n\n" +
		"[libvirt]\nvirt_type = kvm\ncpu_mode = host-passthrough\n"
	h := &Host{
		Hostname:      "cmp-gh200-01",
		KernelRelease: "6.8.0-1013-nvidia-64k",
		OSRelease:     osUbuntu2404,
		CPU:           Grace(),
		NUMANodes:     1,
		MemTotalKB:    503316480,
		Cmdline:       "BOOT_IMAGE=/boot/vmlinuz-6.8.0-1013-nvidia-64k root=UUID=5d9b1e3a-7c2f-4a6d-8e0b-3f1c9a7d2e65 ro console=ttyAMA0",
		Modules:       []Module{{Name: "vfio_iommu_type1"}, {Name: "nvgrace_gpu_vfio_pci"}},
		ACPITables:    []string{"APIC", "BERT", "DSDT", "FACP", "GTDT", "HEST", "MCFG", "PPTT", "SDEI", "SLIT", "SPCR", "SRAT", "SSDT1"},
		Devices:       devs,
		PCIIDs:        true,
		Files: map[string]string{
			meta:                               metaContent,
			"etc/driverctl.d/pci-0009:01:00.0": "nvgrace_gpu_vfio_pci\n",
			"etc/nova/nova.conf":               conf,
		},
		Links:    map[string]string{},
		Packages: nobleVirt("arm64"),
		IORT:     &IORT{ITSGroups: 1, RootComplexes: []int{0, 8, 9}},
	}
	if smmu {
		// Base addresses are illustrative; the name format is the driver's.
		h.IORT.SMMUv3 = []uint64{0x11000000, 0x12000000, 0x13000000}
		h.IOMMU = IOMMU{Kind: ARMSMMUv3, Units: []IOMMUUnit{
			{Address: "0x0000000011000000", Scope: []string{"0000:00"}},
			{Address: "0x0000000012000000", Scope: []string{"0008:00"}},
			{Address: "0x0000000013000000", Scope: []string{"0009:00"}},
		}}
	}
	withNovaCompute(h)
	return mustGroups(h)
}

func gh200NVGrace() *Host { return gh200Host(true) }

func gh200NoSMMU() *Host { return gh200Host(false) }

// vgpuREADME is the part of testdata/hosts/README.md about the vGPU
// fixtures: where each layout comes from, and what each variant is
// expected to give. "research N" is a section of
// docs/research/vgpu-layouts.md; "index id N" a find_string hit there.
const vgpuREADME = `
## vGPU and SR-IOV GPU fixtures: where the layouts come from

- mdev sysfs (all mdev hosts): /sys/class/mdev_bus/<parent> links to the
  device; <parent>/mdev_supported_types/<driver>-<id>/{name, description,
  device_api, available_instances, create (write-only), devices/}; each mdev
  is <parent>/<uuid>/ with mdev_type, remove (write-only), subsystem and an
  iommu_group of its own (VFIO's emulated group, type "unknown"), linked from
  /sys/bus/mdev/devices and its type's devices/ (kernel
  Documentation/driver-api/vfio-mediated-device.rst, mdev_sysfs.c,
  mdev_core.c, vfio.h; research 1.1). No driver link on the mdev: its name on
  current NVIDIA drivers is not established (research 8.5).
- v100-mdev: the 17 V100 types, names and descriptions of
  openstack/charm-guide doc/source/admin/vgpu.rst (commit 0e8c2a14; research
  1.2); the mdev UUID is that guide's hostdev example; available_instances
  follow its rule "a physical GPU can only support one vGPU type at any given
  time" (nvidia-105 15 on 3b:00.0, other types 0; max_instance on af:00.0).
- a40-sriov-mdev: VFs from function 4 of the PF's slot, 32 of them
  (OpenNebula/docs vgpu.rst, A10 capture; research 2); VFs bound to nvidia by
  sriov-manage (research 2); the type ids and names nvidia-555..576 and the
  description format from an A40 capture (index id 46427504350, research
  1.2: only nvidia-555's description is captured, the others follow its
  pattern with NVIDIA's profile sizes); a VF takes one vGPU (available 1,
  then 0 on every type). The unit is Nova's nvidia-sriov-manage@.service
  template (admin/virtual-gpu.rst, Nova 2025.1) plus "Before =
  nova-compute.service"; enabled as systemctl enable links it (absolute
  target). [mdev_nvidia-558] max_instances = 24 is Nova's own A40-2Q example.
- l40s-vendor-vfio: nvidia/creatable_vgpu_types ("ID    : vGPU Name" then
  "%-5d : name" lines) and nvidia/current_vgpu_type ("%d") from NVIDIA's
  vgpu-vfio-pci-core.c and an L40S capture (types 1145-1165; research 3.2);
  VFs stay on nvidia with vfio-dev/vfioN (kubevirt/kubevirt#17642); no
  nvidia/ on the PF (the sources disagree; research 3.2 and 8.3); a typed VF
  lists no creatable type, an untyped one only the card's current type (the
  RFC's creatable_homogeneous_vgpu_types_show); device_spec with managed no,
  the type-VF alias and report_in_placement from Nova's
  admin/pci-passthrough.rst (research 3.3). The unit that sets the types is
  the operator's (echo <id> > .../nvidia/current_vgpu_type, research 3.2).
  On real hosts the mdev module may be loaded (it is on the RTX PRO 6000 host
  of research 2) and leave an empty /sys/class/mdev_bus; here it is not.
- gh200-nvgrace: arm64 /proc/cpuinfo as c_show prints it with the Features
  of a real Grace capture (research 4.3); IORT as libvirt's viracpi.c walks
  it, nodes per the IORT specification (ITS group type 0, root complex type
  2, SMMUv3 type 4; research 4.2), mode 0400; smmu3.0x<16 hex> units under
  the platform device (arm-smmu-v3.c; base addresses illustrative);
  nvgrace_gpu_vfio_pci bound through driver_override (nvgrace-gpu main.c,
  PCI_DRIVER_OVERRIDE_DEVICE_VFIO; research 4.1); /dev/kvm with KVM built in.
  The Grace root port ID (10de:22b2) and the GPU's BARs are not from a
  capture.
- dpkg status stanzas: Ubuntu 22.04 libvirt-daemon 8.0.0-1ubuntu7.9 (index
  id 38942056627) and qemu-system-x86 1:6.2+dfsg-2ubuntu6.24 (index id
  2631082543); Ubuntu 24.04 libvirt-daemon 10.0.0-2ubuntu8.9 with
  qemu-system-x86 1:8.2.2+ds-0ubuntu1.10 (one install log, index id
  15680869388); arm64 libvirt-daemon 10.0.0-2ubuntu8.11 (index id
  59748761529) and qemu-system-arm 1:8.2.2+ds-0ubuntu1.18 (index id
  59816826735); Debian 12 versions from research 5.1. mdevctl definitions as
  mdevctl 1.x writes them (src/mdev.rs write_config, mdevctl/mdevctl);
  /usr/sbin/mdevctl is a stand-in script. Nova's version is its Python
  metadata directory, as in h100-hgx.

## vGPU variants: the findings each is meant to give

Healthy hosts (v100-mdev, a40-sriov-mdev, l40s-vendor-vfio, gh200-nvgrace):
no error, and no warning but the one said below; infos only (GP104 iommu=pt, GP108, GP207 for large
BARs, GP604 capacity per type on mdev hosts, GP606 mdevs without an mdevctl
definition on a40-sriov-mdev, GP607 the typed VFs on l40s-vendor-vfio, GP609
vGPU live-migration needs on the Ubuntu 22.04 hosts, GP612 for 0009:01:00.0
on gh200-nvgrace). No GP201/GP107 for GPUs on nvidia that are mdev parents or
vendor-framework VFs and not in device_spec. The one warning on
l40s-vendor-vfio, and on the fixtures made from it with Nova 31.0.0 or
30.1.0, is GP610's for Nova bug 2098496 (fixed in 31.1.0 and 30.2.0): the
installed Nova splits the VF pool of PF 3d:00.0 after a delete, as Nova
31.0.0 itself does in integration/boot.

- a40-mdev-type-names (Nova 2024.2): GP601 "NVIDIA A40-2Q" in
  [devices]enabled_mdev_types is the name of nvidia-558; GP601 nvidia-256 is
  offered by no parent (nearest nvidia-556); GP606 no mdevctl on Nova 2024.2.
- a40-mdev-addresses-invalid (Nova 2024.1): GP602 3b:00.6 malformed (Nova
  stops here: "incorrect PCI address: 3b:00.6", nova-compute does not
  start); GP602 0000:3b:00.5 under [mdev_nvidia-558] and [mdev_nvidia-560]
  ("duplicate types for PCI ID"); GP602 0000:18:00.0 is not an mdev parent
  (an X710); GP602 0000:3b:00.0 is the PF, its VFs 3b:00.4-3b:04.3 are the
  parents.
- v100-mdev-zed-ambiguous (Nova Zed): GP603 [devices]enabled_mdev_types:
  nvidia-105 and nvidia-106 without device_addresses: Zed uses only nvidia-105
  on both GPUs, and [mdev_nvidia-106]mdev_class is ignored.
- a40-mdev-capacity (Nova 2024.1): one GP604 warning on the PF 0000:3b:00.0:
  its VF 3b:00.4 holds an nvidia-560 mdev though Nova maps it to nvidia-558,
  so nvidia-558 has available_instances 0 on its parents 3b:00.4-3b:02.3 (the
  card runs nvidia-560); GP604 infos per type and a GP606 info. No warning
  about [mdev_nvidia-558] lacking max_instances: its 16 VFs do not exceed
  the 24 vGPUs of nvidia-558 an A40 holds, so Nova does not overstate.
- a40-vgpu-stack-missing (Nova 2024.1): GP605 nvidia-558 enabled but no
  /sys/class/mdev_bus; GP605 nvidia_vgpu_vfio (the vGPU manager) not loaded;
  GP605 0000:3b:00.0 SR-IOV GPU with sriov_numvfs 0 and no unit enabling its
  VFs before nova-compute.
- l40s-vendor-misconfigured (Nova 2025.1): GP607 [devices]enabled_mdev_types
  set on the vendor framework (no mdev bus); GP607 0000:3d:00.5 in
  device_spec with current_vgpu_type 0; GP607 CUSTOM_L40S_2Q shared by VFs of
  type 1148 (NVIDIA L40S-2Q) and 1150 (NVIDIA L40S-4Q, 3d:00.6).
- l40s-managed-mismatch (Nova 2025.1, no report_in_placement): GP608
  0000:b1:00.0 (T4 on nvidia, no framework) with managed no; GP608
  0000:3d:00.4 (vendor-framework VF) without managed no; GP611 0000:b1:00.0
  one_time_use without report_in_placement, on Nova 2025.1 (needs 2025.2).
  The T4 on a host driver in device_spec also gives the classic GP201.
- l40s-managed-old-nova (Nova 2024.2): GP608 managed in [pci]device_spec is
  ignored before 2025.1 (one per entry); GP607 the vendor framework needs
  Nova 2025.1.
- l40s-livemig-bookworm (Debian 12, Nova 2025.1): GP609 [pci]device_spec
  live_migratable with libvirt 9.0.0 < 10.0.0 and QEMU 7.2 < 8.2.2
  (nova-compute does not start); GP609 [libvirt]live_migration_permit_post_copy
  = true with VFIO migration.
- l40s-placement-mix (Nova 2025.1): GP610 VFs of 0000:3d:00.0 with different
  resource_class (CUSTOM_L40S_2Q, CUSTOM_L40S_4Q); GP610 the PF 0000:3d:00.0
  and its VFs both in device_spec; GP610 a devname entry (ens1f0); GP611
  0000:3d:00.6 one_time_use on a VF, on Nova 2025.1. The PF admitted on
  nvidia also gives GP106 (vfio-pci needed), GP607 (the untyped VFs the PF's
  entry admits) and GP608 (no managed no); the devname gives GP302 and GP304.
- gh200-no-smmu: GP102 cmp-gh200-01 (aarch64: IORT without SMMU node, no
  IOMMU group); the GPU, left without a driver, also gives GP608 (managed no
  on a device no VFIO driver holds).
`
