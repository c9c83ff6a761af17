package fakehost

import "fmt"

// Platform parts: the functions a chipset or CPU root complex always
// shows, so fixtures look like the machines they stand for.

func addr(bus, dev, fn int) string { return FormatAddr(0, bus, dev, fn) }

// Board sets the subsystem of every function that has none yet: boards
// stamp their own IDs on the chipset's functions.
func Board(vendor, device uint16, devs []Device) []Device {
	out := make([]Device, len(devs))
	for i, d := range devs {
		if d.SubVendor == 0 && d.SubDevice == 0 {
			d.SubVendor, d.SubDevice = vendor, device
		}
		out[i] = d
	}
	return out
}

// NoResetMethod drops reset_method everywhere, as on kernels before 5.15.
func NoResetMethod(devs []Device) []Device {
	out := make([]Device, len(devs))
	for i, d := range devs {
		d.ResetMethod = nil
		out[i] = d
	}
	return out
}

// Intel Sapphire Rapids (Xeon 4th gen) with the Emmitsburg PCH. The 2023
// pci.ids knows the Ice Lake-era uncore functions but neither the SPR
// root ports nor the PCH, which lspci therefore shows as "Device 352a".

// sprStack is the uncore functions at the head of an IIO stack's root bus.
func sprStack(bus int) []Device {
	return L(
		Fn(addr(bus, 0, 0), "", 0x8086, 0x09a2, 0x088000, 0x20, vIntel, "Ice Lake Memory Map/VT-d").As(PortRCiEP),
		Fn(addr(bus, 0, 1), "", 0x8086, 0x09a4, 0x088000, 0x20, vIntel, "Ice Lake Mesh 2 PCIe").As(PortRCiEP),
		Fn(addr(bus, 0, 2), "", 0x8086, 0x09a3, 0x088000, 0x20, vIntel, "Ice Lake RAS").As(PortRCiEP),
		Fn(addr(bus, 0, 4), "", 0x8086, 0x0998, 0x060000, 0x20, vIntel, "Ice Lake IEH").As(PortRCiEP),
	)
}

func sprRootPort(a string) Device {
	return RootPort(a, 0x8086, 0x352a, vIntel, "", 5, 16)
}

// emmitsburgPCH is the PCH on root bus 0: USB, SATA, LPC, SMBus, SPI and
// a root port for the BMC.
func emmitsburgPCH() []Device {
	return L(
		Fn("0000:00:14.0", "", 0x8086, 0x1bcd, 0x0c0330, 0x11, vIntel, "").Drv("xhci_hcd").Bars(Mem64(0, 64*KiB)),
		Fn("0000:00:17.0", "", 0x8086, 0x1bf2, 0x010601, 0x11, vIntel, "").Drv("ahci").
			Bars(Mem32(0, 8*KiB), Mem32(1, 256), IOBar(2, 8), IOBar(3, 4), IOBar(4, 32), Mem32(5, 2*KiB)),
		RootPort("0000:00:1c.0", 0x8086, 0x1bbc, vIntel, "", 1, 1).Lnk(1, 1),
		Fn("0000:00:1f.0", "", 0x8086, 0x1b81, 0x060100, 0x11, vIntel, ""),
		Fn("0000:00:1f.4", "", 0x8086, 0x1bc9, 0x0c0500, 0x11, vIntel, "").Drv("i801_smbus").Bars(Mem64(0, 256), IOBar(4, 32)),
		Fn("0000:00:1f.5", "", 0x8086, 0x1bca, 0x0c8000, 0x11, vIntel, "").Drv("intel-spi").Bars(Mem32(0, 4*KiB)),
	)
}

// sprUnits are the DRHDs of a two-socket SPR: one per IIO stack, the PCH
// stack's unit catching everything else.
func sprUnits(stacks ...int) []IOMMUUnit {
	var units []IOMMUUnit
	for i, bus := range stacks {
		u := IOMMUUnit{Cap: "19ed008c40780c66", ECap: "3ee9e86f050df", Address: fmt.Sprintf("%x", 0x9d7fc000+i*0x2000000)}
		if bus != 0 {
			u.Scope = []string{fmt.Sprintf("0000:%02x", bus)}
		}
		units = append(units, u)
	}
	return units
}

// Intel Cascade Lake / Skylake-SP with the C620 (Lewisburg) PCH.

// clxStack is a root bus's uncore functions (VT-d, RAS, IOxAPIC) and the
// listed root ports (Sky Lake-E Root Port A-D at device 0, 1, 2, 3).
func clxStack(bus int, ports ...int) []Device {
	out := L(
		Fn(addr(bus, 5, 0), "", 0x8086, 0x2024, 0x088000, 0x07, vIntel, "Sky Lake-E MM/Vt-d Configuration Registers"),
		Fn(addr(bus, 5, 2), "", 0x8086, 0x2025, 0x088000, 0x07, vIntel, "Sky Lake-E RAS"),
		Fn(addr(bus, 5, 4), "", 0x8086, 0x2026, 0x080020, 0x07, vIntel, "Sky Lake-E IOAPIC").Bars(Mem32(0, 4*KiB)),
	)
	for _, p := range ports {
		name := fmt.Sprintf("Sky Lake-E PCI Express Root Port %c", 'A'+p)
		out = append(out, RootPort(addr(bus, p, 0), 0x8086, 0x2030+uint16(p), vIntel, name, 3, 16))
	}
	return out
}

// clxLegacyStack is root bus 0 of socket 0: DMI host bridge, CBDMA,
// uncore, and the Lewisburg PCH functions.
func clxLegacyStack() []Device {
	return Concat(
		L(Fn("0000:00:00.0", "", 0x8086, 0x2020, 0x060000, 0x07, vIntel, "Sky Lake-E DMI3 Registers"),
			Fn("0000:00:04.0", "", 0x8086, 0x2021, 0x088000, 0x07, vIntel, "Sky Lake-E CBDMA Registers").Drv("ioatdma").Bars(Mem64(0, 16*KiB)),
			Fn("0000:00:04.1", "", 0x8086, 0x2021, 0x088000, 0x07, vIntel, "Sky Lake-E CBDMA Registers").Drv("ioatdma").Bars(Mem64(0, 16*KiB))),
		clxStack(0),
		L(Fn("0000:00:08.0", "", 0x8086, 0x2014, 0x088000, 0x07, vIntel, "Sky Lake-E Ubox Registers"),
			Fn("0000:00:08.1", "", 0x8086, 0x2015, 0x110100, 0x07, vIntel, "Sky Lake-E Ubox Registers"),
			Fn("0000:00:08.2", "", 0x8086, 0x2016, 0x088000, 0x07, vIntel, "Sky Lake-E Ubox Registers"),
			Fn("0000:00:11.5", "", 0x8086, 0xa1d2, 0x010601, 0x09, vIntel, "C620 Series Chipset Family SSATA Controller [AHCI mode]").Drv("ahci").
				Bars(Mem32(0, 16*KiB), Mem32(1, 256), IOBar(2, 8), IOBar(3, 4), IOBar(4, 32), Mem32(5, 32*KiB)),
			Fn("0000:00:14.0", "", 0x8086, 0xa1af, 0x0c0330, 0x09, vIntel, "C620 Series Chipset Family USB 3.0 xHCI Controller").Drv("xhci_hcd").Bars(Mem64(0, 64*KiB)),
			Fn("0000:00:14.2", "", 0x8086, 0xa1b1, 0x118000, 0x09, vIntel, "C620 Series Chipset Family Thermal Subsystem").Drv("intel_pch_thermal").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:16.0", "", 0x8086, 0xa1ba, 0x078000, 0x09, vIntel, "C620 Series Chipset Family MEI Controller #1").Drv("mei_me").Bars(Mem64(0, 4*KiB)),
			Fn("0000:00:17.0", "", 0x8086, 0xa182, 0x010601, 0x09, vIntel, "C620 Series Chipset Family SATA Controller [AHCI mode]").Drv("ahci").
				Bars(Mem32(0, 16*KiB), Mem32(1, 256), IOBar(2, 8), IOBar(3, 4), IOBar(4, 32), Mem32(5, 512*KiB)),
			Fn("0000:00:1f.0", "", 0x8086, 0xa1c1, 0x060100, 0x09, vIntel, "C621 Series Chipset LPC/eSPI Controller"),
			Fn("0000:00:1f.2", "", 0x8086, 0xa1a1, 0x058000, 0x09, vIntel, "C620 Series Chipset Family Power Management Controller").Bars(Mem32(0, 16*KiB)),
			Fn("0000:00:1f.4", "", 0x8086, 0xa1a3, 0x0c0500, 0x09, vIntel, "C620 Series Chipset Family SMBus").Drv("i801_smbus").Bars(Mem64(0, 256), IOBar(4, 32)),
			Fn("0000:00:1f.5", "", 0x8086, 0xa1a4, 0x0c8000, 0x09, vIntel, "C620 Series Chipset Family SPI Controller").Drv("intel-spi").Bars(Mem32(0, 4*KiB)),
		),
	)
}

// lbgRootPort is a Lewisburg PCH root port; the kernel's ACS quirk for
// Intel PCH root ports makes it isolating.
func lbgRootPort(a string, device uint16, name string) Device {
	return RootPort(a, 0x8086, device, vIntel, name, 2, 1)
}

// clxUnits: one DRHD per stack; the legacy stack's unit catches the rest.
func clxUnits(stacks ...int) []IOMMUUnit {
	var units []IOMMUUnit
	for i, bus := range stacks {
		u := IOMMUUnit{Cap: "8d2078c106f0466", ECap: "f020df", Address: fmt.Sprintf("%x", 0xc5ffc000+i*0x2000000)}
		if bus != 0 {
			u.Scope = []string{fmt.Sprintf("0000:%02x", bus)}
		}
		units = append(units, u)
	}
	return units
}

// AMD EPYC (Rome/Milan): each of a socket's four root complexes has its
// own root bus and IOMMU function (00.2); neither the root complex nor
// the IOMMU function gets an IOMMU group.

type epycDF struct {
	first uint16 // device ID of function 0
	name  string // pci.ids name, %d for the function number
}

var (
	milanDF = epycDF{0x1650, "Milan Data Fabric; Function %d"}
	romeDF  = epycDF{0x1490, "Starship Device 24; Function %d"}
)

// epycRC is a root complex's fixed functions on root bus bus: root
// complex, IOMMU, dummy host bridges, and the internal bridges to the
// dummy function (on bus dummyBus) and the reserved SPP (on sppBus).
func epycRC(bus, dummyBus, sppBus int) []Device {
	dummy := func(dev int) Device {
		return Fn(addr(bus, dev, 0), "", 0x1022, 0x1482, 0x060000, 0x00, vAMD, "Starship/Matisse PCIe Dummy Host Bridge")
	}
	internal := func(dev, fn int) Device {
		return Fn(addr(bus, dev, fn), "", 0x1022, 0x1484, 0x060400, 0x00, vAMD, "Starship/Matisse Internal PCIe GPP Bridge 0 to bus[E:B]").
			Sub(0x1022, 0x1484).Lnk(4, 16).Drv("pcieport").Isolated()
	}
	return L(
		Fn(addr(bus, 0, 0), "", 0x1022, 0x1480, 0x060000, 0x00, vAMD, "Starship/Matisse Root Complex").Ungrouped(),
		Fn(addr(bus, 0, 2), "", 0x1022, 0x1481, 0x080600, 0x00, vAMD, "Starship/Matisse IOMMU").Ungrouped(),
		dummy(1), dummy(2), dummy(3), dummy(4), dummy(5), dummy(7),
		internal(7, 1),
		Fn(addr(dummyBus, 0, 0), addr(bus, 7, 1), 0x1022, 0x148a, 0x130000, 0x00, vAMD, "Starship/Matisse PCIe Dummy Function").Lnk(4, 16),
		dummy(8),
		internal(8, 1),
		Fn(addr(sppBus, 0, 0), addr(bus, 8, 1), 0x1022, 0x1485, 0x130000, 0x00, vAMD, "Starship/Matisse Reserved SPP").Lnk(4, 16),
		Fn(addr(sppBus, 0, 2), addr(bus, 8, 1), 0x1022, 0x1498, 0x108000, 0x00, vAMD, "Starship/Matisse PTDMA").Lnk(4, 16).Drv("ptdma").Bars(Mem32(2, 1*MiB), Mem32(5, 8*KiB)),
	)
}

// epycGPP is a GPP bridge (root port) of a root complex.
func epycGPP(a string) Device {
	return RootPort(a, 0x1022, 0x1483, vAMD, "Starship/Matisse GPP Bridge", 4, 16).Sub(0x1022, 0x1234)
}

// epycFCH is socket 0's FCH functions (SMBus, LPC) and the USB and SATA
// controllers behind root complex 0's internal bridges.
func epycFCH(sppBus, sataBus int) []Device {
	return L(
		Fn("0000:00:14.0", "", 0x1022, 0x790b, 0x0c0500, 0x61, vAMD, "FCH SMBus Controller").Drv("piix4_smbus"),
		Fn("0000:00:14.3", "", 0x1022, 0x790e, 0x060100, 0x51, vAMD, "FCH LPC Bridge"),
		Fn(addr(sppBus, 0, 3), "0000:00:08.1", 0x1022, 0x148c, 0x0c0330, 0x00, vAMD, "Starship USB 3.0 Host Controller").Lnk(4, 16).Drv("xhci_hcd").Bars(Mem64(0, 1*MiB)),
		Fn("0000:00:08.2", "", 0x1022, 0x1484, 0x060400, 0x00, vAMD, "Starship/Matisse Internal PCIe GPP Bridge 0 to bus[E:B]").
			Sub(0x1022, 0x1484).Lnk(4, 16).Drv("pcieport").Isolated(),
		Fn(addr(sataBus, 0, 0), "0000:00:08.2", 0x1022, 0x7901, 0x010601, 0x51, vAMD, "FCH SATA Controller [AHCI mode]").Lnk(4, 16).Drv("ahci").Bars(Mem32(5, 2*KiB)),
	)
}

// epycDataFabric is the data fabric functions of each socket: 00:18.x
// for socket 0, 00:19.x for socket 1, with k10temp on function 3.
func epycDataFabric(df epycDF, sockets int) []Device {
	var out []Device
	for s := range sockets {
		for f := range 8 {
			d := Fn(addr(0, 0x18+s, f), "", 0x1022, df.first+uint16(f), 0x060000, 0x00, vAMD, fmt.Sprintf(df.name, f))
			if f == 3 {
				d = d.Drv("k10temp")
			}
			out = append(out, d)
		}
	}
	return out
}

// epycUnits is one IVHD per root complex, at its 00.2 function.
func epycUnits(buses ...int) []IOMMUUnit {
	var units []IOMMUUnit
	for _, b := range buses {
		units = append(units, IOMMUUnit{Device: addr(b, 0, 2), Cap: "19640f", ECap: "58f77ef22294a5a"})
	}
	return units
}
