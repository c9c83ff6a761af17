package fakehost

import "fmt"

// Synthetic returns a big dual-socket EPYC host with at least the given
// number of PCI functions, for benchmarks: eight root complexes, 16 RTX
// A6000 (VGA and audio, on vfio-pci) behind four PCIe switches, four NVMe
// drives, and as many dual-port ConnectX-6 Dx cards as it takes, each on
// a root port of its own with up to 127 VFs per port (port 0's VFs on
// vfio-pci, port 1's on mlx5_core). IOMMU groups are assigned as the
// kernel would: each VF and each NIC port in its own group, each GPU's
// two functions together. The size grows linearly with functions; it
// panics past about 30,000 functions (eight root complexes' bus numbers).
func Synthetic(functions int) *Host {
	type rc struct {
		bus, next int // root bus, next free bus number
		gpp       int // root ports used
	}
	rcs := make([]*rc, len(epycRCBuses))
	var devs []Device
	for i, b := range epycRCBuses {
		rcs[i] = &rc{bus: b, next: b + 1}
	}
	take := func(r *rc) int {
		b := r.next
		r.next++
		if r.next > r.bus+0x20 {
			panic(fmt.Sprintf("Synthetic(%d): root complex %02x is out of bus numbers", functions, r.bus))
		}
		return b
	}
	// Root port slots of a root complex: GPP bridges at 1.1-1.7, 3.1-3.7.
	rootPort := func(r *rc) string {
		if r.gpp >= 14 {
			panic(fmt.Sprintf("Synthetic(%d): root complex %02x has no root port left", functions, r.bus))
		}
		dev, fn := 1, 1+r.gpp
		if r.gpp >= 7 {
			dev, fn = 3, 1+r.gpp-7
		}
		r.gpp++
		a := addr(r.bus, dev, fn)
		devs = append(devs, epycGPP(a))
		return a
	}
	node := func(r *rc) int {
		if r.bus >= 0x80 {
			return 1
		}
		return 0
	}
	add := func(r *rc, list ...[]Device) { devs = append(devs, OnNode(node(r), list...)...) }

	// Fixed platform functions.
	r0 := rcs[0]
	bmc := rootPort(r0)
	add(r0, ASPEEDBMC(addr(take(r0), 0, 0), bmc, take(r0)), epycDataFabric(milanDF, 2))
	for _, r := range rcs {
		dummy, spp := take(r), take(r)
		add(r, epycRC(r.bus, dummy, spp))
		if r == r0 {
			add(r, epycFCH(spp, take(r)))
		}
	}
	// Four switches of four GPUs each, on every other root complex.
	for i := 0; i < 8; i += 2 {
		r := rcs[i+1]
		rp := rootPort(r)
		up, internal := addr(take(r), 0, 0), take(r)
		var downs []string
		var gpus []Device
		for k := range 4 {
			down := addr(internal, k, 0)
			downs = append(downs, down)
			for _, f := range RTXA6000(addr(take(r), 0, 0), down) {
				gpus = append(gpus, f.Drv("vfio-pci"))
			}
		}
		add(r, PEX890xx(up, rp, downs...), gpus)
	}
	for i := 0; i < 8; i += 2 {
		r := rcs[i]
		rp := rootPort(r)
		add(r, L(NVMePM9A3(addr(take(r), 0, 0), rp)))
	}
	// NICs until the count is reached, spread over the root complexes.
	for i := 0; len(devs) < functions; i++ {
		r := rcs[i%len(rcs)]
		rp := rootPort(r)
		perPort := min(127, (functions-len(devs)-2+1)/2)
		add(r, ConnectX6Dx(addr(take(r), 0, 0), rp, max(0, perPort), "vfio-pci"))
	}
	for i := range devs {
		if devs[i].PhysFn != "" && devs[i].PhysFn[len(devs[i].PhysFn)-1] == '1' {
			devs[i].Driver = "mlx5_core"
		}
	}
	h := &Host{
		Hostname:      fmt.Sprintf("synthetic-%d", functions),
		KernelRelease: "6.8.0-49-generic",
		OSRelease:     osUbuntu2404,
		CPU:           EPYC7543(2),
		NUMANodes:     2,
		MemTotalKB:    1056481456,
		Cmdline:       "BOOT_IMAGE=/vmlinuz-6.8.0-49-generic root=UUID=7e3a1c9b-5d2f-4a8e-b6c4-0f9d3e7a1b52 ro iommu=pt vfio-pci.ids=10de:2230,10de:1aef",
		Modules:       append([]Module{{Name: "kvm_amd"}, {Name: "ipmi_si"}}, vfioModules...),
		ACPITables:    amdServerTables,
		IOMMU:         IOMMU{Kind: AMDVi, Units: epycUnits(epycRCBuses...)},
		Devices:       Board(0x15d9, 0x1b95, devs),
		PCIIDs:        true,
	}
	return mustGroups(h)
}
