package fakehost

// l40sNUMA is the host of issue 14's boot run: two NUMA nodes of 32 CPUs
// (16 cores, 2 threads) and 250 GiB each, four GPUs, two per node. Nova's
// NUMATopologyFilter refuses a guest with hw:numa_nodes=1 and 48 vCPUs,
// or with 300,000 MB of RAM, here: neither fits one node.
func l40sNUMA() *Host {
	gpu := func(a, parent string) Device { return L40S(a, parent).Drv("vfio-pci") }
	s0 := Concat(
		clxLegacyStack(),
		L(lbgRootPort("0000:00:1c.0", 0xa190, "C620 Series Chipset Family PCI Express Root Port #1"),
			MatroxG200eR2("0000:03:00.0", "0000:00:1c.0"),
			lbgRootPort("0000:00:1c.4", 0xa194, "C620 Series Chipset Family PCI Express Root Port #5")),
		BCM5720("0000:04:00.0", "0000:00:1c.4"),
		clxStack(0x17, 0),
		L(NVMeP4510("0000:18:00.0", "0000:17:00.0")),
		clxStack(0x3a, 0),
		L(gpu("0000:3b:00.0", "0000:3a:00.0")),
		clxStack(0x5d, 0),
		L(gpu("0000:5e:00.0", "0000:5d:00.0")),
	)
	s1 := Concat(
		clxStack(0x85),
		clxStack(0xae, 0),
		L(gpu("0000:af:00.0", "0000:ae:00.0")),
		clxStack(0xd7, 0),
		L(gpu("0000:d8:00.0", "0000:d7:00.0")),
	)
	cpu := XeonGold6248R(2)
	cpu.ModelName, cpu.Cores, cpu.MHz, cpu.CacheKB, cpu.BogoMIPS = "Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz", 16, "2900.000", 22528, "5800.00"
	h := &Host{
		Hostname:      "cmp-l40s-numa-01",
		KernelRelease: "5.15.0-119-generic",
		OSRelease:     osUbuntu2204,
		CPU:           cpu,
		NUMANodes:     2,
		MemTotalKB:    2 * 250 * 1024 * 1024,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-5.15.0-119-generic root=/dev/mapper/vg0-root ro intel_iommu=on iommu=pt",
		Modules:       append([]Module{{Name: "kvm_intel"}, {Name: "ipmi_si"}, {Name: "ipmi_devintf"}}, vfioModules...),
		ACPITables:    intelServerTables,
		IOMMU:         IOMMU{Kind: IntelVTd, Units: clxUnits(0x17, 0x3a, 0x5d, 0x85, 0xae, 0xd7, 0x00)},
		Devices:       Board(0x1028, 0x0716, Concat(OnNode(0, s0), OnNode(1, s1))),
		PCIIDs:        true,
		Files: map[string]string{
			"etc/modprobe.d/vfio.conf": "options vfio-pci ids=10de:26b9\nsoftdep nvidia pre: vfio-pci\n",
		},
	}
	return mustGroups(h)
}
