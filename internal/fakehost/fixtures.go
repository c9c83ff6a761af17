package fakehost

// Fixture is a committed host tree: testdata/hosts/<Name>.
type Fixture struct {
	Name        string
	Host        *Host
	Description string // what it stands for and what it exists to show
}

// Fixtures returns the committed fixtures, in README order. Their names
// are a contract with the tests of the other packages.
func Fixtures() []Fixture {
	return append([]Fixture{
		{"h100-hgx", withNovaConf("h100-hgx", h100HGX()), "ready 8-GPU HGX H100 server (2x Xeon 8462Y+, Ubuntu 24.04, 6.8): DMAR, intel_iommu=on iommu=pt, vfio modules loaded, modprobe.d ids/softdeps and nouveau blacklist; 8 H100 (18,19,3a,3b:00.0 on node 0, 9a,9b,ba,bb:00.0 on node 1) and 4 NVSwitches (1b-1e:00.0) on vfio-pci, each alone in its IOMMU group behind a PEX890xx port; ConnectX-7 1a:00.0 with 4 VFs on mlx5_core, NVMe 3c:00.0, ASPEED boot VGA 02:00.0 on ast; meant to trigger no finding"},
		{"turing-workstation", withNovaConf("turing-workstation", turingWorkstation()), "Coffee Lake desktop (one node, 6.5): RTX 2080 Ti 01:00.0-3 (VGA on vfio-pci, audio on snd_hda_intel, USB on xhci_hcd, UCSI on nvidia-gpu) in IOMMU group 1 with the ACS-less root port 00:01.0, vfio-pci ids naming the VGA function only; iGPU 00:02.0 is the boot VGA; for GP202 group-not-viable and GP204 companion-function"},
		{"vtd-off-firmware", withNovaConf("vtd-off-firmware", vtdOffFirmware()), "Dell R740 (2x Cascade Lake) with VT-d off in firmware: no DMAR table, no IOMMU unit, no group, though intel_iommu=on and vfio-pci.ids=10de:1eb8 are on the command line; vfio loaded but the T4 3b:00.0 has no driver; for GP102 iommu-firmware"},
		{"iommu-off-kernel", withNovaConf("iommu-off-kernel", iommuOffKernel()), "RHEL 8.9 (4.18) HPE DL380 Gen10: DMAR table present but no unit and no group (no intel_iommu= option, off by default), no iommu=pt; T4 3b:00.0 meant for vfio-pci by modprobe.d, no driver; no reset_method files (kernel before 5.15); for GP103 iommu-kernel (and GP104)"},
		{"nouveau-no-vfio", withNovaConf("nouveau-no-vfio", nouveauNoVFIO()), "Cascade Lake server, IOMMU on: Quadro RTX 4000 3b:00.0/.1 on nouveau and snd_hda_intel, no vfio module loaded or built in, no /dev/vfio, no blacklist, though vfio-pci.ids=10de:1eb1,10de:10f8 is on the command line; for GP106 vfio-modules, GP107 host-gpu-driver-loaded, GP201 gpu-host-driver, GP202 group-not-viable"},
		{"nvme-shared-group", withNovaConf("nvme-shared-group", nvmeSharedGroup()), "Cascade Lake server with ACS disabled on its CPU root ports: L40S 3d:00.0 (10de:26b9, not in the 2023 pci.ids) on vfio-pci and NVMe 3e:00.0 on nvme behind a PEX 8747 switch share one IOMMU group with root port 3a:00.0 and the switch ports; for GP202 group-not-viable and GP203 group-shared"},
		{"epyc-mi210", withNovaConf("epyc-mi210", epycMI210()), "2x EPYC 7543 (AMD-Vi: IVRS, ivhd0-7, iommu=pt, Ubuntu 22.04 5.15): Instinct MI210 83:00.0 on vfio-pci behind its board's switch, reset_method present but empty (0 bytes), 64 GiB 64-bit prefetchable BAR0, NUMA node 1; vfio-pci ids in modprobe.d; for GP205 no-reset (and GP207 large-bar)"},
		{"a100-sriov", withNovaConf("a100-sriov", a100SRIOV()), "2x EPYC 7742: A100 SXM4 80GB 81:00.0 on vfio-pci, NUMA node 1, with SR-IOV (sriov_totalvfs 20, sriov_numvfs 0) and a 128 GiB 64-bit prefetchable BAR1; vfio-pci ids in modprobe.d; for GP212 sriov-gpu-pf and GP207 large-bar"},
		{"boot-vga-gpu", withNovaConf("boot-vga-gpu", bootVGAGPU()), "Xeon W-2245 server without BMC: RTX A6000 17:00.0 (boot_vga 1, the only VGA function) and its audio 17:00.1 on vfio-pci; for GP206 boot-vga"},
		{"acs-override", withNovaConf("acs-override", acsOverrideHost()), "Ryzen 9 5950X on X570, Arch linux-zen: IVRS, pcie_acs_override=downstream,multifunction and vfio_iommu_type1.allow_unsafe_interrupts=1 (parameter file Y); RTX 3080 08:00.0/.1 on vfio-pci, split into two groups by the override; for GP104 iommu-cmdline and GP105 interrupt-remapping"},
		{"quirks", withNovaConf("quirks", quirksHost()), "Alder Lake desktop with reader edge cases: NVMe 10000:01:00.0 behind VMD 00:0e.0 (5-digit domain, no IOMMU group), 00:08.0 without driver link, 00:14.2 empty class file, 00:1f.5 binary vendor file, 00:14.0 driver symlink loop (driver -> driver), 00:0a.0 without resource file, vfio built into the kernel, RTX 3090 01:00.0/.1 on vfio-pci by driverctl (driver_override)"},
		{"l40s-numa", withNovaConf("l40s-numa", l40sNUMA()), "issue 14's NUMA host: Dell R740 with 2x Xeon Gold 6226R (16 cores, 2 threads), two NUMA nodes of 32 CPUs (0-15,32-47 and 16-31,48-63) and 250 GiB each, Ubuntu 22.04 (5.15), VT-d on; four L40S on vfio-pci, 3b:00.0 and 5e:00.0 on node 0, af:00.0 and d8:00.0 on node 1, each alone in its IOMMU group; nova.conf with an l40s alias (numa_policy required) and reserved_host_memory_mb; for the audit's NUMA fit (hw:numa_nodes=1 with 48 vCPUs, or 300,000 MB, fits no node)"},
	}, vgpuFixtures()...)
}

func mustGroups(h *Host) *Host {
	if _, err := h.AssignIOMMUGroups(); err != nil {
		panic(h.Hostname + ": " + err.Error())
	}
	return h
}

const (
	osUbuntu2404 = `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
`
	osUbuntu2204 = `PRETTY_NAME="Ubuntu 22.04.5 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.5 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`
	osDebian12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`
	osRHEL89 = `NAME="Red Hat Enterprise Linux"
VERSION="8.9 (Ootpa)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="8.9"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Red Hat Enterprise Linux 8.9 (Ootpa)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:redhat:enterprise_linux:8::baseos"
HOME_URL="https://www.redhat.com/"
DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/8"
BUG_REPORT_URL="https://bugzilla.redhat.com/"
REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 8"
REDHAT_BUGZILLA_PRODUCT_VERSION=8.9
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="8.9"
`
	osArch = `NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
DOCUMENTATION_URL="https://wiki.archlinux.org/"
SUPPORT_URL="https://bbs.archlinux.org/"
BUG_REPORT_URL="https://gitlab.archlinux.org/groups/archlinux/-/issues"
PRIVACY_POLICY_URL="https://terms.archlinux.org/docs/privacy-policy/"
LOGO=archlinux-logo
`
	osGentoo = `NAME=Gentoo
ID=gentoo
PRETTY_NAME="Gentoo Linux"
ANSI_COLOR="1;32"
HOME_URL="https://www.gentoo.org/"
SUPPORT_URL="https://www.gentoo.org/support/"
BUG_REPORT_URL="https://bugs.gentoo.org/"
VERSION_ID="2.15"
`
)

var (
	intelServerTables = []string{"APIC", "BERT", "DMAR", "DSDT", "EINJ", "ERST", "FACP", "FACS", "HEST", "HMAT", "HPET", "MCFG", "MSCT", "SLIT", "SPCR", "SRAT", "SSDT1", "SSDT2", "WSMT"}
	amdServerTables   = []string{"APIC", "BERT", "CDIT", "CRAT", "DSDT", "EINJ", "ERST", "FACP", "FACS", "FPDT", "HEST", "HPET", "IVRS", "MCFG", "SLIT", "SPMI", "SRAT", "SSDT1", "SSDT2", "SSDT3", "WSMT"}
)

func without(tables []string, sig string) []string {
	var out []string
	for _, t := range tables {
		if t != sig {
			out = append(out, t)
		}
	}
	return out
}

// vfioModules are the modules a passthrough host loads (vfio-pci loaded
// by its ids option or a bound device pulls in the rest).
var vfioModules = []Module{{Name: "vfio_pci"}, {Name: "vfio_iommu_type1"}}

func h100HGX() *Host {
	gpu := func(a, parent string) Device { return H100SXM(a, parent).Drv("vfio-pci") }
	nvsw := func(a, parent string) Device { return NVSwitch(a, parent).Drv("vfio-pci") }
	socket0 := Concat(
		sprStack(0x00),
		emmitsburgPCH(),
		ASPEEDBMC("0000:01:00.0", "0000:00:1c.0", 0x02),
		sprStack(0x15),
		L(sprRootPort("0000:15:01.0")),
		PEX890xx("0000:16:00.0", "0000:15:01.0",
			"0000:17:00.0", "0000:17:01.0", "0000:17:02.0", "0000:17:03.0", "0000:17:04.0", "0000:17:05.0", "0000:17:06.0"),
		L(gpu("0000:18:00.0", "0000:17:00.0"), gpu("0000:19:00.0", "0000:17:01.0")),
		ConnectX7("0000:1a:00.0", "0000:17:02.0", 4),
		L(nvsw("0000:1b:00.0", "0000:17:03.0"), nvsw("0000:1c:00.0", "0000:17:04.0"),
			nvsw("0000:1d:00.0", "0000:17:05.0"), nvsw("0000:1e:00.0", "0000:17:06.0")),
		sprStack(0x37),
		L(sprRootPort("0000:37:01.0")),
		PEX890xx("0000:38:00.0", "0000:37:01.0", "0000:39:00.0", "0000:39:01.0", "0000:39:02.0"),
		L(gpu("0000:3a:00.0", "0000:39:00.0"), gpu("0000:3b:00.0", "0000:39:01.0"),
			NVMePM9A3("0000:3c:00.0", "0000:39:02.0")),
	)
	socket1 := Concat(
		sprStack(0x80),
		sprStack(0x97),
		L(sprRootPort("0000:97:01.0")),
		PEX890xx("0000:98:00.0", "0000:97:01.0", "0000:99:00.0", "0000:99:01.0"),
		L(gpu("0000:9a:00.0", "0000:99:00.0"), gpu("0000:9b:00.0", "0000:99:01.0")),
		sprStack(0xb7),
		L(sprRootPort("0000:b7:01.0")),
		PEX890xx("0000:b8:00.0", "0000:b7:01.0", "0000:b9:00.0", "0000:b9:01.0"),
		L(gpu("0000:ba:00.0", "0000:b9:00.0"), gpu("0000:bb:00.0", "0000:b9:01.0")),
	)
	h := &Host{
		Hostname:      "gpu-h100-07",
		KernelRelease: "6.8.0-49-generic",
		OSRelease:     osUbuntu2404,
		CPU:           XeonPlatinum8462Y(2),
		NUMANodes:     2,
		MemTotalKB:    2113321168,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-6.8.0-49-generic root=UUID=5c6b8a3e-2f4d-4b7a-9c1e-8d2f6a4b3c10 ro console=tty0 console=ttyS0,115200n8 intel_iommu=on iommu=pt vfio-pci.ids=10de:2330,10de:22a3",
		Modules:       append([]Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "ipmi_devintf"}}, vfioModules...),
		ACPITables:    intelServerTables,
		IOMMU:         IOMMU{Kind: IntelVTd, Units: sprUnits(0x15, 0x37, 0x80, 0x97, 0xb7, 0x00)},
		Devices:       Board(0x15d9, 0x1c48, Concat(OnNode(0, socket0), OnNode(1, socket1))),
		PCIIDs:        true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf": "options vfio-pci ids=10de:2330,10de:22a3\n" +
				"softdep nvidia pre: vfio-pci\n" +
				"softdep nouveau pre: vfio-pci\n",
			"etc/modprobe.d/blacklist-nouveau.conf": "blacklist nouveau\noptions nouveau modeset=0\n",
			"etc/modules-load.d/vfio.conf":          "vfio\nvfio_iommu_type1\nvfio_pci\n",
			"etc/default/grub": "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n" +
				"GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty0 console=ttyS0,115200n8\"\n" +
				"GRUB_CMDLINE_LINUX=\"intel_iommu=on iommu=pt vfio-pci.ids=10de:2330,10de:22a3\"\n",
			"usr/lib/python3/dist-packages/nova-29.2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: nova\nVersion: 29.2.0\nSummary: Cloud computing fabric controller\n",
		},
	}
	return mustGroups(h)
}

func turingWorkstation() *Host {
	devs := Concat(
		L(
			Fn("0000:00:00.0", "", 0x8086, 0x3ec2, 0x060000, 0x07, vIntel, "8th Gen Core Processor Host Bridge/DRAM Registers").Drv("skl_uncore"),
			// The PEG port of desktop CPUs has no ACS: everything below
			// it shares its group.
			Fn("0000:00:01.0", "", 0x8086, 0x1901, 0x060400, 0x07, vIntel, "6th-10th Gen Core Processor PCIe Controller (x16)").Lnk(3, 16).Drv("pcieport"),
			Fn("0000:00:02.0", "", 0x8086, 0x3e92, 0x030000, 0x00, vIntel, "CoffeeLake-S GT2 [UHD Graphics 630]").As(PortRCiEP).Drv("i915").Boot().
				Bars(Mem64(0, 16*MiB), Pref64(2, 256*MiB), IOBar(4, 64)),
			Fn("0000:00:08.0", "", 0x8086, 0x1911, 0x088000, 0x00, vIntel, "Xeon E3-1200 v5/v6 / E3-1500 v5 / 6th/7th/8th Gen Core Processor Gaussian Mixture Model").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:12.0", "", 0x8086, 0xa379, 0x118000, 0x10, vIntel, "Cannon Lake PCH Thermal Controller").Drv("intel_pch_thermal").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:14.0", "", 0x8086, 0xa36d, 0x0c0330, 0x10, vIntel, "Cannon Lake PCH USB 3.1 xHCI Host Controller").Drv("xhci_hcd").Bars(Mem64(0, 64*KiB)),
			Fn("0000:00:14.2", "", 0x8086, 0xa36f, 0x050000, 0x10, vIntel, "Cannon Lake PCH Shared SRAM").Bars(Mem64(0, 8*KiB), Mem64(2, 4*KiB)),
			Fn("0000:00:16.0", "", 0x8086, 0xa360, 0x078000, 0x10, vIntel, "Cannon Lake PCH HECI Controller").Drv("mei_me").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:17.0", "", 0x8086, 0xa352, 0x010601, 0x10, vIntel, "Cannon Lake PCH SATA AHCI Controller").Drv("ahci").
				Bars(Mem32(0, 8*KiB), Mem32(1, 256), IOBar(2, 8), IOBar(3, 4), IOBar(4, 32), Mem32(5, 2*KiB)),
			RootPort("0000:00:1b.0", 0x8086, 0xa340, vIntel, "Cannon Lake PCH PCI Express Root Port #17", 3, 4),
			Fn("0000:00:1f.0", "", 0x8086, 0xa305, 0x060100, 0x10, vIntel, "Z390 Chipset LPC/eSPI Controller"),
			Fn("0000:00:1f.3", "", 0x8086, 0xa348, 0x040300, 0x10, vIntel, "Cannon Lake PCH cAVS").Drv("snd_hda_intel").Bars(Mem64(0, 16*KiB), Mem64(4, 1*MiB)),
			Fn("0000:00:1f.4", "", 0x8086, 0xa323, 0x0c0500, 0x10, vIntel, "Cannon Lake PCH SMBus Controller").Drv("i801_smbus").Bars(Mem64(0, 256), IOBar(4, 32)),
			Fn("0000:00:1f.5", "", 0x8086, 0xa324, 0x0c8000, 0x10, vIntel, "Cannon Lake PCH SPI Controller").Drv("intel-spi").Bars(Mem32(0, 4*KiB)),
			Fn("0000:00:1f.6", "", 0x8086, 0x15bc, 0x020000, 0x10, vIntel, "Ethernet Connection (7) I219-V").Drv("e1000e").Bars(Mem32(0, 128*KiB)),
		),
		func() []Device {
			g := RTX2080Ti("0000:01:00.0", "0000:00:01.0")
			g[0] = g[0].Drv("vfio-pci")
			g[1] = g[1].Drv("snd_hda_intel")
			g[2] = g[2].Drv("xhci_hcd")
			g[3] = g[3].Drv("nvidia-gpu")
			return g
		}(),
		L(NVMe970EVO("0000:02:00.0", "0000:00:1b.0")),
	)
	h := &Host{
		Hostname:      "ws-turing",
		KernelRelease: "6.5.0-45-generic",
		OSRelease:     osUbuntu2204,
		CPU:           CoreI78700K(),
		NUMANodes:     1,
		MemTotalKB:    32792408,
		Cmdline:       "BOOT_IMAGE=/boot/vmlinuz-6.5.0-45-generic root=UUID=0f3c2a8e-6b1d-4e7f-a2c9-3d5e8f1a7b24 ro quiet splash intel_iommu=on iommu=pt vt.handoff=7",
		Modules:       append([]Module{{Name: "kvm_intel"}}, vfioModules...),
		ACPITables:    []string{"APIC", "BGRT", "DMAR", "DSDT", "FACP", "FACS", "FPDT", "HPET", "LPIT", "MCFG", "SSDT1", "SSDT2", "SSDT3", "TPM2", "WSMT"},
		IOMMU: IOMMU{Kind: IntelVTd, Units: []IOMMUUnit{
			{Cap: "1c0000c40660462", ECap: "19e2ff0505e", Address: "fed90000", Scope: []string{"0000:00:02.0"}},
			{Cap: "d2008c40660462", ECap: "f050da", Address: "fed91000"},
		}},
		Devices: Board(0x1462, 0x7b17, OnNode(-1, devs)),
		PCIIDs:  true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf": "options vfio-pci ids=10de:1e07\n",
		},
	}
	return mustGroups(h)
}

// dellR740 is a two-socket Cascade Lake PowerEdge: PCH with the iDRAC's
// Matrox display and the BCM5720 LOM, an NVMe, and a GPU slot on
// socket 0's second stack.
func dellR740(gpu Device) []Device {
	s0 := Concat(
		clxLegacyStack(),
		L(lbgRootPort("0000:00:1c.0", 0xa190, "C620 Series Chipset Family PCI Express Root Port #1"),
			MatroxG200eR2("0000:03:00.0", "0000:00:1c.0"),
			lbgRootPort("0000:00:1c.4", 0xa194, "C620 Series Chipset Family PCI Express Root Port #5")),
		BCM5720("0000:04:00.0", "0000:00:1c.4"),
		clxStack(0x17, 0),
		L(NVMeP4510("0000:18:00.0", "0000:17:00.0")),
		clxStack(0x3a, 0),
		L(gpu),
	)
	s1 := Concat(clxStack(0x85), clxStack(0xae, 0), X710("0000:af:00.0", "0000:ae:00.0"))
	return Board(0x1028, 0x0716, Concat(OnNode(0, s0), OnNode(1, s1)))
}

func vtdOffFirmware() *Host {
	h := &Host{
		Hostname:      "r740-gpu-03",
		KernelRelease: "5.15.0-119-generic",
		OSRelease:     osUbuntu2204,
		CPU:           XeonGold6248R(2),
		NUMANodes:     2,
		MemTotalKB:    394982312,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-5.15.0-119-generic root=/dev/mapper/vg0-root ro intel_iommu=on iommu=pt vfio-pci.ids=10de:1eb8",
		// vfio-pci loaded from the initramfs and failed to probe the T4:
		// without an IOMMU there is no group to attach it to.
		Modules:    append([]Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "ipmi_devintf"}}, vfioModules...),
		ACPITables: without(intelServerTables, "DMAR"),
		IOMMU:      IOMMU{Kind: NoIOMMU},
		Devices:    dellR740(TeslaT4("0000:3b:00.0", "0000:3a:00.0")),
		PCIIDs:     true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf":    "options vfio-pci ids=10de:1eb8\nsoftdep nvidia pre: vfio-pci\n",
			"etc/initramfs-tools/modules": "vfio\nvfio_iommu_type1\nvfio_pci\n",
		},
	}
	return h
}

func iommuOffKernel() *Host {
	// An HPE ProLiant DL380 Gen10: iLO5 display, X710.
	s0 := Concat(
		clxLegacyStack(),
		L(lbgRootPort("0000:00:1c.0", 0xa190, "C620 Series Chipset Family PCI Express Root Port #1"),
			Fn("0000:01:00.0", "0000:00:1c.0", 0x102b, 0x0538, 0x030000, 0x01, vMatrox, "MGA G200eH3").
				Sub(0x1590, 0x00e4, "iLO5 VGA", "Hewlett Packard Enterprise").Lnk(1, 1).Drv("mgag200").Boot().
				Bars(Pref32(0, 16*MiB), Mem32(1, 16*KiB), Mem32(2, 8*MiB))),
		clxStack(0x17, 0),
		X710("0000:18:00.0", "0000:17:00.0"),
		clxStack(0x3a, 2),
		L(TeslaT4("0000:3b:00.0", "0000:3a:02.0")),
	)
	s1 := Concat(clxStack(0x85), clxStack(0xae))
	h := &Host{
		Hostname:      "dl380-g10-12.example.com",
		KernelRelease: "4.18.0-513.24.1.el8_9.x86_64",
		OSRelease:     osRHEL89,
		CPU:           XeonGold6248R(2),
		NUMANodes:     2,
		MemTotalKB:    791348512,
		Cmdline:       "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-4.18.0-513.24.1.el8_9.x86_64 root=/dev/mapper/rhel-root ro crashkernel=auto resume=/dev/mapper/rhel-swap rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap rhgb quiet",
		Modules:       append([]Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "ipmi_devintf"}}, vfioModules...),
		ACPITables:    intelServerTables,
		IOMMU:         IOMMU{Kind: NoIOMMU},
		Devices:       NoResetMethod(Board(0x1590, 0x00e4, Concat(OnNode(0, s0), OnNode(1, s1)))),
		PCIIDs:        true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf":              "options vfio-pci ids=10de:1eb8\n",
			"etc/modprobe.d/blacklist-nouveau.conf": "blacklist nouveau\n",
			"etc/modules-load.d/vfio-pci.conf":      "vfio-pci\n",
		},
	}
	return h
}

// supermicroCLX is a one-socket Cascade Lake board with an ASPEED BMC and
// X710; gpuBus holds the slot's contents below root port 0000:3a:00.0.
func supermicroCLX(slot []Device, rootPortACS bool) []Device {
	devs := Concat(
		clxLegacyStack(),
		L(lbgRootPort("0000:00:1c.0", 0xa190, "C620 Series Chipset Family PCI Express Root Port #1")),
		ASPEEDBMC("0000:02:00.0", "0000:00:1c.0", 0x03),
		clxStack(0x17, 0),
		X710("0000:18:00.0", "0000:17:00.0"),
		clxStack(0x3a, 0),
		slot,
	)
	if !rootPortACS {
		// "ACS Control: Disabled" in the BIOS setup hides the
		// capability of every CPU root port.
		for i := range devs {
			if devs[i].Vendor == 0x8086 && devs[i].Device >= 0x2030 && devs[i].Device <= 0x2033 {
				devs[i].ACS = false
			}
		}
	}
	return Board(0x15d9, 0x095d, OnNode(0, devs))
}

func nouveauNoVFIO() *Host {
	gpu := QuadroRTX4000("0000:3b:00.0", "0000:3a:00.0")
	gpu[0] = gpu[0].Drv("nouveau")
	gpu[1] = gpu[1].Drv("snd_hda_intel")
	h := &Host{
		Hostname:      "compute-q4000",
		KernelRelease: "6.1.0-26-amd64",
		OSRelease:     osDebian12,
		CPU:           XeonGold6248R(1),
		NUMANodes:     1,
		MemTotalKB:    196438824,
		Cmdline:       "BOOT_IMAGE=/boot/vmlinuz-6.1.0-26-amd64 root=UUID=8e2d7c4b-1a3f-4c5e-9b6d-2f8a1c7e4d93 ro quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1eb1,10de:10f8",
		Modules:       []Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}},
		ACPITables:    intelServerTables,
		IOMMU:         IOMMU{Kind: IntelVTd, Units: clxUnits(0x17, 0x3a, 0x00)},
		Devices:       supermicroCLX(gpu, true),
		PCIIDs:        true,
	}
	return mustGroups(h)
}

func nvmeSharedGroup() *Host {
	slot := Concat(
		PEX8747("0000:3b:00.0", "0000:3a:00.0", "0000:3c:08.0", "0000:3c:10.0"),
		L(L40S("0000:3d:00.0", "0000:3c:08.0").Drv("vfio-pci"),
			NVMeP4510("0000:3e:00.0", "0000:3c:10.0")),
	)
	h := &Host{
		Hostname:      "compute-l40s-02",
		KernelRelease: "6.8.0-45-generic",
		OSRelease:     osUbuntu2404,
		CPU:           XeonGold6248R(1),
		NUMANodes:     1,
		MemTotalKB:    395018244,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=UUID=3b9f6e2a-7c4d-4f1e-8a5b-6d2c9e1f0a37 ro intel_iommu=on iommu=pt vfio-pci.ids=10de:26b9",
		Modules:       append([]Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}}, vfioModules...),
		ACPITables:    intelServerTables,
		IOMMU:         IOMMU{Kind: IntelVTd, Units: clxUnits(0x17, 0x3a, 0x00)},
		Devices:       supermicroCLX(slot, false),
		PCIIDs:        true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf": "options vfio-pci ids=10de:26b9\nsoftdep nvidia pre: vfio-pci\n",
		},
	}
	return mustGroups(h)
}

// epycServer is a two-socket EPYC board: eight root complexes (0x00,
// 0x20, 0x40, 0x60 on socket 0, 0x80 … 0xe0 on socket 1), the FCH and
// BMC on root complex 0, an NVMe and a BCM57416 on socket 0, and slot on
// socket 1's first root complex below 0000:80:01.1.
func epycServer(df epycDF, slot []Device) []Device {
	s0 := Concat(
		L(epycGPP("0000:00:01.1")),
		ASPEEDBMC("0000:01:00.0", "0000:00:01.1", 0x02),
		epycRC(0x00, 0x03, 0x04),
		epycFCH(0x04, 0x05),
		epycDataFabric(df, 2),
		epycRC(0x20, 0x22, 0x23),
		L(epycGPP("0000:20:03.1"), NVMePM9A3("0000:21:00.0", "0000:20:03.1")),
		epycRC(0x40, 0x42, 0x43),
		L(epycGPP("0000:40:01.1")),
		func() []Device {
			var out []Device
			for f := range 2 {
				out = append(out, Fn(addr(0x41, 0, f), "0000:40:01.1", 0x14e4, 0x16d8, 0x020000, 0x01, vBroadcom, "BCM57416 NetXtreme-E Dual-Media 10G RDMA Ethernet Controller").
					Sub(0x14e4, 0x4166, "NetXtreme-E Dual-port 10GBASE-T Ethernet OCP 3.0 Adapter (BCM957416N4160C)").Lnk(3, 8).Drv("bnxt_en").Reset("flr bus").
					Bars(Pref64(0, 64*KiB), Pref64(2, 1*MiB), Pref64(4, 64*KiB)))
			}
			return out
		}(),
		epycRC(0x60, 0x61, 0x62),
	)
	s1 := Concat(
		L(epycGPP("0000:80:01.1")),
		slot,
		epycRC(0x80, 0x85, 0x86),
		epycRC(0xa0, 0xa1, 0xa2),
		epycRC(0xc0, 0xc1, 0xc2),
		epycRC(0xe0, 0xe1, 0xe2),
	)
	return Board(0x15d9, 0x1b95, Concat(OnNode(0, s0), OnNode(1, s1)))
}

var epycRCBuses = []int{0x00, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe0}

func epycMI210() *Host {
	slot := MI210("0000:81:00.0", "0000:80:01.1", 0x82)
	slot[2] = slot[2].Drv("vfio-pci").Reset("")
	h := &Host{
		Hostname:      "epyc-mi210-01",
		KernelRelease: "5.15.0-122-generic",
		OSRelease:     osUbuntu2204,
		CPU:           EPYC7543(2),
		NUMANodes:     2,
		MemTotalKB:    1056481456,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-5.15.0-122-generic root=UUID=c4e1a7b3-9d2f-4e6a-8b1c-5f3d7a2e9c60 ro iommu=pt",
		Modules:       append([]Module{{Name: "kvm_amd"}, {Name: "ipmi_si"}, {Name: "ipmi_devintf"}}, vfioModules...),
		ACPITables:    amdServerTables,
		IOMMU:         IOMMU{Kind: AMDVi, Units: epycUnits(epycRCBuses...)},
		Devices:       epycServer(milanDF, slot),
		PCIIDs:        true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf": "options vfio-pci ids=1002:740f\nsoftdep amdgpu pre: vfio-pci\n",
		},
	}
	return mustGroups(h)
}

func a100SRIOV() *Host {
	slot := L(A100SXM4("0000:81:00.0", "0000:80:01.1").Drv("vfio-pci"))
	h := &Host{
		Hostname:      "hgx-a100-04",
		KernelRelease: "5.15.0-122-generic",
		OSRelease:     osUbuntu2204,
		CPU:           EPYC7742(2),
		NUMANodes:     2,
		MemTotalKB:    2113254432,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-5.15.0-122-generic root=UUID=9a7c3e1f-2b4d-4c8e-a6f0-1d5b9e3c7a28 ro amd_iommu=on iommu=pt",
		Modules:       append([]Module{{Name: "kvm_amd"}, {Name: "ipmi_si"}, {Name: "ipmi_devintf"}}, vfioModules...),
		ACPITables:    amdServerTables,
		IOMMU:         IOMMU{Kind: AMDVi, Units: epycUnits(epycRCBuses...)},
		Devices:       epycServer(romeDF, slot),
		PCIIDs:        true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf": "options vfio-pci ids=10de:20b2\nsoftdep nvidia pre: vfio-pci\n",
		},
	}
	return mustGroups(h)
}

func bootVGAGPU() *Host {
	gpu := RTXA6000("0000:17:00.0", "0000:16:00.0")
	gpu[0] = gpu[0].Drv("vfio-pci").Boot()
	gpu[1] = gpu[1].Drv("vfio-pci")
	devs := Concat(
		L(Fn("0000:00:00.0", "", 0x8086, 0x2020, 0x060000, 0x04, vIntel, "Sky Lake-E DMI3 Registers")),
		clxStack(0),
		L(
			Fn("0000:00:14.0", "", 0x8086, 0xa2af, 0x0c0330, 0x00, vIntel, "200 Series/Z370 Chipset Family USB 3.0 xHCI Controller").Drv("xhci_hcd").Bars(Mem64(0, 64*KiB)),
			Fn("0000:00:14.2", "", 0x8086, 0xa2b1, 0x118000, 0x00, vIntel, "200 Series PCH Thermal Subsystem").Drv("intel_pch_thermal").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:16.0", "", 0x8086, 0xa2ba, 0x078000, 0x00, vIntel, "200 Series PCH CSME HECI #1").Drv("mei_me").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:17.0", "", 0x8086, 0xa282, 0x010601, 0x00, vIntel, "200 Series PCH SATA controller [AHCI mode]").Drv("ahci").
				Bars(Mem32(0, 8*KiB), Mem32(1, 256), IOBar(2, 8), IOBar(3, 4), IOBar(4, 32), Mem32(5, 2*KiB)),
			RootPort("0000:00:1c.0", 0x8086, 0xa290, vIntel, "200 Series PCH PCI Express Root Port #1", 1, 1),
			Fn("0000:02:00.0", "0000:00:1c.0", 0x8086, 0x1533, 0x020000, 0x03, vIntel, "I210 Gigabit Network Connection").Lnk(1, 1).Drv("igb").Reset("flr bus").
				Bars(Mem32(0, 512*KiB), IOBar(2, 32), Mem32(3, 16*KiB)),
			Fn("0000:00:1f.0", "", 0x8086, 0xa2d3, 0x060100, 0x00, vIntel, "C422 Chipset LPC/eSPI Controller"),
			Fn("0000:00:1f.2", "", 0x8086, 0xa2a1, 0x058000, 0x00, vIntel, "200 Series/Z370 Chipset Family Power Management Controller").Bars(Mem32(0, 16*KiB)),
			Fn("0000:00:1f.3", "", 0x8086, 0xa2f0, 0x040300, 0x00, vIntel, "200 Series PCH HD Audio").Drv("snd_hda_intel").Bars(Mem64(0, 16*KiB), Mem64(4, 64*KiB)),
			Fn("0000:00:1f.4", "", 0x8086, 0xa2a3, 0x0c0500, 0x00, vIntel, "200 Series/Z370 Chipset Family SMBus Controller").Drv("i801_smbus").Bars(Mem64(0, 256), IOBar(4, 32)),
			Fn("0000:00:1f.5", "", 0x8086, 0xa2a4, 0x0c8000, 0x00, vIntel, "200 Series/Z370 Chipset Family SPI Controller").Drv("intel-spi").Bars(Mem32(0, 4*KiB)),
		),
		clxStack(0x16, 0),
		gpu,
		clxStack(0x64, 0),
		L(NVMe970EVO("0000:65:00.0", "0000:64:00.0")),
	)
	h := &Host{
		Hostname:      "ws-a6000",
		KernelRelease: "5.15.0-126-generic",
		OSRelease:     osUbuntu2204,
		CPU:           XeonW2245(),
		NUMANodes:     1,
		MemTotalKB:    131612024,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-5.15.0-126-generic root=UUID=6d1f8b3a-4e2c-4a9d-b7e5-0c3f9a6d2e81 ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2230,10de:1aef",
		Modules:       append([]Module{{Name: "kvm_intel"}}, vfioModules...),
		ACPITables:    []string{"APIC", "BGRT", "DMAR", "DSDT", "FACP", "FACS", "FIDT", "FPDT", "HPET", "MCFG", "SSDT1", "SSDT2", "TPM2", "WSMT"},
		IOMMU:         IOMMU{Kind: IntelVTd, Units: clxUnits(0x16, 0x64, 0x00)},
		Devices:       Board(0x1043, 0x8694, OnNode(0, devs)),
		PCIIDs:        true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf": "options vfio-pci ids=10de:2230,10de:1aef\nsoftdep nvidia pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n",
		},
	}
	return mustGroups(h)
}

func acsOverrideHost() *Host {
	gpu := RTX3080("0000:08:00.0", "0000:00:03.1")
	gpu[0] = gpu[0].Drv("vfio-pci")
	gpu[1] = gpu[1].Drv("vfio-pci")
	dummy := func(a string) Device {
		return Fn(a, "", 0x1022, 0x1482, 0x060000, 0x00, vAMD, "Starship/Matisse PCIe Dummy Host Bridge")
	}
	gpp := func(a string) Device {
		return RootPort(a, 0x1022, 0x1483, vAMD, "Starship/Matisse GPP Bridge", 4, 16).Sub(0x1022, 0x1234)
	}
	chipsetDown := func(a string, dev uint16, name string) Device {
		return Fn(a, "0000:02:00.0", 0x1022, dev, 0x060400, 0x00, vAMD, name).Lnk(4, 4).Drv("pcieport").Isolated()
	}
	devs := Concat(
		L(
			Fn("0000:00:00.0", "", 0x1022, 0x1480, 0x060000, 0x00, vAMD, "Starship/Matisse Root Complex").Ungrouped(),
			Fn("0000:00:00.2", "", 0x1022, 0x1481, 0x080600, 0x00, vAMD, "Starship/Matisse IOMMU").Ungrouped(),
			dummy("0000:00:01.0"), gpp("0000:00:01.1"), gpp("0000:00:01.2"),
			Fn("0000:01:00.0", "0000:00:01.1", 0x15b7, 0x5006, 0x010802, 0x00, "Sandisk Corp", "WD Black SN750 / PC SN730 NVMe SSD").
				Sub(0x15b7, 0x5006).Lnk(3, 4).Drv("nvme").Reset("flr bus").Bars(Mem64(0, 16*KiB), Mem64(4, 256)),
			Fn("0000:02:00.0", "0000:00:01.2", 0x1022, 0x57ad, 0x060400, 0x00, vAMD, "Matisse Switch Upstream").Lnk(4, 4).Drv("pcieport"),
			chipsetDown("0000:03:05.0", 0x57a3, "Matisse PCIe GPP Bridge"),
			chipsetDown("0000:03:08.0", 0x57a4, "Matisse PCIe GPP Bridge"),
			chipsetDown("0000:03:09.0", 0x57a4, "Matisse PCIe GPP Bridge"),
			chipsetDown("0000:03:0a.0", 0x57a4, "Matisse PCIe GPP Bridge"),
			Fn("0000:04:00.0", "0000:03:05.0", 0x8086, 0x1539, 0x020000, 0x03, vIntel, "I211 Gigabit Network Connection").Lnk(1, 1).Drv("igb").
				Bars(Mem32(0, 128*KiB), IOBar(2, 32), Mem32(3, 16*KiB)),
			Fn("0000:05:00.0", "0000:03:08.0", 0x1022, 0x1485, 0x130000, 0x00, vAMD, "Starship/Matisse Reserved SPP").Lnk(4, 4),
			Fn("0000:05:00.1", "0000:03:08.0", 0x1022, 0x149c, 0x0c0330, 0x00, vAMD, "Matisse USB 3.0 Host Controller").Lnk(4, 4).Drv("xhci_hcd").Bars(Mem64(0, 1*MiB)),
			Fn("0000:05:00.3", "0000:03:08.0", 0x1022, 0x149c, 0x0c0330, 0x00, vAMD, "Matisse USB 3.0 Host Controller").Lnk(4, 4).Drv("xhci_hcd").Bars(Mem64(0, 1*MiB)),
			Fn("0000:06:00.0", "0000:03:09.0", 0x1022, 0x7901, 0x010601, 0x51, vAMD, "FCH SATA Controller [AHCI mode]").Lnk(4, 1).Drv("ahci").Bars(Mem32(5, 2*KiB)),
			Fn("0000:07:00.0", "0000:03:0a.0", 0x1022, 0x7901, 0x010601, 0x51, vAMD, "FCH SATA Controller [AHCI mode]").Lnk(4, 1).Drv("ahci").Bars(Mem32(5, 2*KiB)),
			dummy("0000:00:02.0"), dummy("0000:00:03.0"), gpp("0000:00:03.1"),
		),
		gpu,
		L(
			dummy("0000:00:04.0"), dummy("0000:00:05.0"), dummy("0000:00:07.0"),
			Fn("0000:00:07.1", "", 0x1022, 0x1484, 0x060400, 0x00, vAMD, "Starship/Matisse Internal PCIe GPP Bridge 0 to bus[E:B]").Sub(0x1022, 0x1484).Lnk(4, 16).Drv("pcieport").Isolated(),
			Fn("0000:09:00.0", "0000:00:07.1", 0x1022, 0x148a, 0x130000, 0x00, vAMD, "Starship/Matisse PCIe Dummy Function").Lnk(4, 16),
			dummy("0000:00:08.0"),
			Fn("0000:00:08.1", "", 0x1022, 0x1484, 0x060400, 0x00, vAMD, "Starship/Matisse Internal PCIe GPP Bridge 0 to bus[E:B]").Sub(0x1022, 0x1484).Lnk(4, 16).Drv("pcieport").Isolated(),
			Fn("0000:0a:00.0", "0000:00:08.1", 0x1022, 0x1485, 0x130000, 0x00, vAMD, "Starship/Matisse Reserved SPP").Lnk(4, 16),
			Fn("0000:0a:00.1", "0000:00:08.1", 0x1022, 0x1486, 0x108000, 0x00, vAMD, "Starship/Matisse Cryptographic Coprocessor PSPCPP").Lnk(4, 16).Drv("ccp").Bars(Mem32(2, 1*MiB), Mem32(5, 8*KiB)),
			Fn("0000:0a:00.3", "0000:00:08.1", 0x1022, 0x149c, 0x0c0330, 0x00, vAMD, "Matisse USB 3.0 Host Controller").Lnk(4, 16).Drv("xhci_hcd").Bars(Mem64(0, 1*MiB)),
			Fn("0000:0a:00.4", "0000:00:08.1", 0x1022, 0x1487, 0x040300, 0x00, vAMD, "Starship/Matisse HD Audio Controller").Lnk(4, 16).Drv("snd_hda_intel").Bars(Mem32(0, 32*KiB)),
			Fn("0000:00:14.0", "", 0x1022, 0x790b, 0x0c0500, 0x61, vAMD, "FCH SMBus Controller").Drv("piix4_smbus"),
			Fn("0000:00:14.3", "", 0x1022, 0x790e, 0x060100, 0x51, vAMD, "FCH LPC Bridge"),
		),
		func() []Device {
			var out []Device
			names := []string{"Function 0", "Function 1", "Function 2", "Function 3", "Function 4", "Function 5", "Function 6", "Function 7"}
			for f, n := range names {
				d := Fn(addr(0, 0x18, f), "", 0x1022, 0x1440+uint16(f), 0x060000, 0x00, vAMD, "Matisse/Vermeer Data Fabric: Device 18h; "+n)
				if f == 3 {
					d = d.Drv("k10temp")
				}
				out = append(out, d)
			}
			return out
		}(),
	)
	h := &Host{
		Hostname:      "archbox",
		KernelRelease: "6.8.9-zen1-1-zen",
		OSRelease:     osArch,
		CPU:           Ryzen95950X(),
		NUMANodes:     1,
		MemTotalKB:    65752812,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-linux-zen root=UUID=2e7b9c4d-5a1f-4d3e-9c8b-7f6a2d1e0b59 rw loglevel=3 quiet amd_iommu=on iommu=pt pcie_acs_override=downstream,multifunction vfio_iommu_type1.allow_unsafe_interrupts=1 vfio-pci.ids=10de:2206,10de:1aef",
		Modules:       append([]Module{{Name: "kvm_amd"}}, vfioModules...),
		ACPITables:    []string{"APIC", "BGRT", "CRAT", "DSDT", "FACP", "FACS", "FIDT", "FPDT", "HPET", "IVRS", "MCFG", "SSDT1", "SSDT2", "SSDT3", "SSDT4", "TPM2", "VFCT", "WSMT"},
		IOMMU:         IOMMU{Kind: AMDVi, Units: epycUnits(0x00)},
		Devices:       Board(0x1043, 0x87c0, OnNode(-1, devs)),
		PCIIDs:        true,
	}
	return mustGroups(h)
}

func quirksHost() *Host {
	// The GPU is bound with driverctl: a persistent driver_override.
	gpu := RTX3090("0000:01:00.0", "0000:00:01.0")
	gpu[0] = gpu[0].Drv("vfio-pci").Override("vfio-pci")
	gpu[1] = gpu[1].Drv("vfio-pci").Override("vfio-pci")
	devs := Concat(
		L(
			Fn("0000:00:00.0", "", 0x8086, 0x4668, 0x060000, 0x02, vIntel, "12th Gen Core Processor Host Bridge/DRAM Registers"),
			Fn("0000:00:01.0", "", 0x8086, 0x460d, 0x060400, 0x02, vIntel, "12th Gen Core Processor PCI Express x16 Controller #1").Lnk(4, 16).Drv("pcieport"),
		),
		gpu,
		L(
			Fn("0000:00:02.0", "", 0x8086, 0x4680, 0x030000, 0x0c, vIntel, "AlderLake-S GT1").As(PortRCiEP).Drv("i915").Boot().
				Bars(Mem64(0, 16*MiB), Pref64(2, 256*MiB), IOBar(4, 64)),
			// The GNA has no driver: no driver link at all.
			Fn("0000:00:08.0", "", 0x8086, 0x464f, 0x088000, 0x02, vIntel, "12th Gen Core Processor Gaussian & Neural Accelerator").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:0a.0", "", 0x8086, 0x467d, 0x118000, 0x01, vIntel, "Platform Monitoring Technology").As(PortRCiEP).Drv("intel_vsec").Bars(Mem64(0, 32*KiB)),
			Fn("0000:00:0e.0", "", 0x8086, 0x467f, 0x010400, 0x00, vIntel, "Volume Management Device NVMe RAID Controller").As(PortRCiEP).Drv("vmd").
				Bars(Mem64(0, 32*MiB), Mem32(2, 16*MiB), Mem64(4, 1*MiB)),
			Fn("10000:00:06.0", "0000:00:0e.0", 0x8086, 0x464d, 0x060400, 0x02, vIntel, "12th Gen Core Processor PCI Express x4 Controller #0").Lnk(4, 4).Drv("pcieport").Isolated(),
			Fn("10000:01:00.0", "10000:00:06.0", 0x144d, 0xa809, 0x010802, 0x00, vSamsung, "NVMe SSD Controller 980").Sub(0x144d, 0xa801).Lnk(3, 4).Drv("nvme").Reset("flr bus").Bars(Mem64(0, 16*KiB)),
			Fn("0000:00:14.0", "", 0x8086, 0x7ae0, 0x0c0330, 0x11, vIntel, "Alder Lake-S PCH USB 3.2 Gen 2x2 XHCI Controller").Drv("xhci_hcd").Bars(Mem64(0, 64*KiB)),
			Fn("0000:00:14.2", "", 0x8086, 0x7aa7, 0x050000, 0x11, vIntel, "Alder Lake-S PCH Shared SRAM").Bars(Mem64(0, 16*KiB), Mem64(2, 4*KiB)),
			Fn("0000:00:1f.0", "", 0x8086, 0x7a84, 0x060100, 0x11, vIntel, "Z690 Chipset LPC/eSPI Controller"),
			Fn("0000:00:1f.4", "", 0x8086, 0x7aa3, 0x0c0500, 0x11, vIntel, "Alder Lake-S PCH SMBus Controller").Drv("i801_smbus").Bars(Mem64(0, 256), IOBar(4, 32)),
			Fn("0000:00:1f.5", "", 0x8086, 0x7aa4, 0x0c8000, 0x11, vIntel, "Alder Lake-S PCH SPI Controller").Drv("intel-spi").Bars(Mem32(0, 4*KiB)),
		),
	)
	cpu := CoreI78700K()
	cpu.Model, cpu.Stepping, cpu.Cores, cpu.Threads = 151, 2, 10, 2
	cpu.ModelName, cpu.Microcode, cpu.MHz, cpu.CacheKB, cpu.BogoMIPS = "12th Gen Intel(R) Core(TM) i7-12700K", "0x35", "3600.000", 25600, "7219.20"
	cpu.Bugs = "spectre_v1 spectre_v2 spec_store_bypass swapgs eibrs_pbrsb rfds bhi"
	builtin := func(name string) Module { return Module{Name: name, Builtin: true} }
	h := &Host{
		Hostname:      "gentoo-adl",
		KernelRelease: "6.6.52-gentoo-dist",
		OSRelease:     osGentoo,
		CPU:           cpu,
		NUMANodes:     1,
		MemTotalKB:    65617892,
		Cmdline:       "BOOT_IMAGE=/boot/vmlinuz-6.6.52-gentoo-dist root=PARTUUID=4d2a9e7c-01 ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2204,10de:1aef",
		// A kernel configured with VFIO built in: modules.builtin lists
		// it, /sys/module has it without initstate, /proc/modules does not.
		Modules:    []Module{builtin("vfio_pci"), builtin("vfio_iommu_type1"), builtin("vfio"), {Name: "kvm_intel"}},
		ACPITables: []string{"APIC", "BGRT", "DMAR", "DSDT", "FACP", "FACS", "FIDT", "FPDT", "HPET", "LPIT", "MCFG", "NHLT", "SSDT1", "SSDT2", "SSDT3", "TPM2", "WSMT"},
		IOMMU: IOMMU{Kind: IntelVTd, Units: []IOMMUUnit{
			{Cap: "1c0000c40660462", ECap: "29a00f0505e", Address: "fed90000", Scope: []string{"0000:00:02.0"}},
			{Cap: "d2008c40660462", ECap: "f050da", Address: "fed91000"},
		}},
		Devices: Board(0x1043, 0x8882, OnNode(-1, devs)),
		PCIIDs:  true,
		Files: map[string]string{
			"etc/driverctl.d/pci-0000:01:00.0": "vfio-pci\n",
			"etc/driverctl.d/pci-0000:01:00.1": "vfio-pci\n",
		},
		Damage: []Damage{
			{Addr: "0000:00:14.2", File: "class", Kind: Replace, Data: ""},
			{Addr: "0000:00:1f.5", File: "vendor", Kind: Replace, Data: "\x00\xff\xfe\x86\x80\x1b\x00"},
			{Addr: "0000:00:14.0", File: "driver", Kind: LinkLoop},
			{Addr: "0000:00:0a.0", File: "resource", Kind: Remove},
		},
	}
	return mustGroups(h)
}
