package fakehost

import (
	"fmt"
	"strconv"
)

// Vendor names exactly as pci.ids (2023.04.10) spells them.
const (
	vIntel    = "Intel Corporation"
	vNVIDIA   = "NVIDIA Corporation"
	vLSI      = "Broadcom / LSI"
	vMellanox = "Mellanox Technologies"
	vSamsung  = "Samsung Electronics Co Ltd"
	vASPEED   = "ASPEED Technology, Inc."
	vAMD      = "Advanced Micro Devices, Inc. [AMD]"
	vATI      = "Advanced Micro Devices, Inc. [AMD/ATI]"
	vBroadcom = "Broadcom Inc. and subsidiaries"
	vMatrox   = "Matrox Electronics Systems Ltd."
	vPLX      = "PLX Technology, Inc."
	vMSI      = "Micro-Star International Co., Ltd. [MSI]"
	vDell     = "Dell"
	vSMC      = "Super Micro Computer Inc"
)

// Fn is a function with its identity and pci.ids names; the chainable
// methods below fill in the rest.
func Fn(addr, parent string, vendor, device uint16, class uint32, rev uint8, vendorName, deviceName string) Device {
	return Device{
		Addr: addr, Parent: parent, Vendor: vendor, Device: device, Class: class, Revision: rev,
		VendorName: vendorName, DeviceName: deviceName,
	}
}

// Sub sets the subsystem IDs and, when pci.ids has one, the subsystem's
// name (and its vendor's, when the subsystem vendor is another one).
func (d Device) Sub(vendor, device uint16, names ...string) Device {
	d.SubVendor, d.SubDevice = vendor, device
	if len(names) > 0 {
		d.SubsystemName = names[0]
	}
	if len(names) > 1 {
		d.SubVendorName = names[1]
	}
	return d
}

// Drv binds a driver.
func (d Device) Drv(driver string) Device { d.Driver = driver; return d }

// Node sets the NUMA node (-1: none reported).
func (d Device) Node(n int) Device { d.NUMANode = n; return d }

// Bars sets the BARs.
func (d Device) Bars(bars ...BAR) Device { d.BARs = bars; return d }

// WithROM sets an expansion ROM of the given size.
func (d Device) WithROM(size uint64) Device { d.ROM = size; return d }

// Lnk sets the PCIe link (generation, width).
func (d Device) Lnk(gen, width int) Device { d.Link = Link{Gen: gen, Width: width}; return d }

// Reset sets reset_method ("" = present but empty).
func (d Device) Reset(methods string) Device { d.ResetMethod = Str(methods); return d }

// Boot marks the firmware's boot display.
func (d Device) Boot() Device { d.BootVGA = true; return d }

// Isolated marks ACS enabled on a port or a function of a multi-function
// device.
func (d Device) Isolated() Device { d.ACS = true; return d }

// As sets the PCIe port type instead of deriving it.
func (d Device) As(p PortType) Device { d.Port = p; return d }

// Ungrouped marks a function the IOMMU does not translate for.
func (d Device) Ungrouped() Device { d.IOMMUGroup = NoGroup; return d }

// Override sets driver_override.
func (d Device) Override(driver string) Device { d.DriverOverride = driver; return d }

// OnNode sets the NUMA node of every device.
func OnNode(node int, devs ...[]Device) []Device {
	var out []Device
	for _, list := range devs {
		for _, d := range list {
			out = append(out, d.Node(node))
		}
	}
	return out
}

// Concat joins device lists.
func Concat(lists ...[]Device) []Device {
	var out []Device
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// L makes a list of devices.
func L(devs ...Device) []Device { return devs }

// WithVFs enables n VFs on an SR-IOV physical function and returns the PF
// followed by its VFs, placed as the kernel places them (routing ID =
// PF + offset + i*stride, beside the PF under the same bridge) and bound
// to driver ("" = none).
func WithVFs(pf Device, n int, driver string) []Device {
	s := *pf.SRIOV
	s.NumVFs = n
	pf.SRIOV = &s
	out := []Device{pf}
	a, err := parseAddr(pf.Addr)
	if err != nil {
		panic(err)
	}
	for i := range n {
		rid := int(a.bus)<<8 | a.devfn() + s.Offset + i*s.Stride
		vf := Device{
			Addr:   FormatAddr(a.domain, rid>>8, rid>>3&0x1f, rid&7),
			Parent: pf.Parent, PhysFn: pf.Addr,
			Vendor: pf.Vendor, Device: s.VFDevice, Class: pf.Class, Revision: pf.Revision,
			SubVendor: pf.SubVendor, SubDevice: pf.SubDevice,
			Driver: driver, NUMANode: pf.NUMANode, ResetMethod: Str("flr"),
			VendorName: pf.VendorName,
		}
		out = append(out, vf)
	}
	return out
}

// GPUs and their companion functions. BAR layouts are those lspci shows
// on the real boards.

// H100SXM is an H100 SXM5 80GB.
func H100SXM(addr, parent string) Device {
	return Fn(addr, parent, 0x10de, 0x2330, 0x030200, 0xa1, vNVIDIA, "GH100[H100 SXM5 80GB]").
		Sub(0x10de, 0x16c1).Lnk(5, 16).Reset("flr bus").
		Bars(Mem32(0, 16*MiB), Pref64(1, 128*GiB), Pref64(3, 32*MiB))
}

// NVSwitch is an HGX H100 NVSwitch (10de:22a3, absent from the 2023
// database).
func NVSwitch(addr, parent string) Device {
	return Fn(addr, parent, 0x10de, 0x22a3, 0x068000, 0xa1, vNVIDIA, "").
		Sub(0x10de, 0x1796).Lnk(4, 2).Reset("flr bus").
		Bars(Mem32(0, 32*MiB))
}

// TeslaT4 is a Tesla T4.
func TeslaT4(addr, parent string) Device {
	return Fn(addr, parent, 0x10de, 0x1eb8, 0x030200, 0xa1, vNVIDIA, "TU104GL [Tesla T4]").
		Sub(0x10de, 0x12a2).Lnk(3, 16).Reset("flr bus").
		Bars(Mem32(0, 16*MiB), Pref64(1, 256*MiB), Pref64(3, 32*MiB))
}

// L40S is an L40S (10de:26b9, too new for the 2023 database).
func L40S(addr, parent string) Device {
	return Fn(addr, parent, 0x10de, 0x26b9, 0x030200, 0xa1, vNVIDIA, "").
		Sub(0x10de, 0x1851).Lnk(4, 16).Reset("flr bus").
		Bars(Mem32(0, 16*MiB), Pref64(1, 64*GiB), Pref64(3, 32*MiB))
}

// A100SXM4 is an A100 SXM4 80GB with its SR-IOV capability (VFs off).
func A100SXM4(addr, parent string) Device {
	d := Fn(addr, parent, 0x10de, 0x20b2, 0x030200, 0xa1, vNVIDIA, "GA100 [A100 SXM4 80GB]").
		Sub(0x10de, 0x147f).Lnk(4, 16).Reset("flr bus").
		Bars(Mem32(0, 16*MiB), Pref64(1, 128*GiB), Pref64(3, 32*MiB))
	d.SRIOV = &SRIOV{TotalVFs: 20, Offset: 4, Stride: 1, VFDevice: 0x20b2,
		VFBARs: []BAR{Mem32(0, 4*MiB), Pref64(1, 4*GiB), Pref64(3, 32*MiB)}}
	return d
}

// nvidiaCard is a consumer/workstation card: VGA function plus HD audio
// at function 1 (and more functions from extra).
func nvidiaVGA(addr, parent string, device uint16, name string, bar1 uint64) Device {
	return Fn(addr, parent, 0x10de, device, 0x030000, 0xa1, vNVIDIA, name).
		Reset("flr bus").
		Bars(Mem32(0, 16*MiB), Pref64(1, bar1), Pref64(3, 32*MiB), IOBar(5, 128)).WithROM(512 * KiB)
}

func nvidiaAudio(addr, parent string, device uint16, name string) Device {
	return Fn(addr, parent, 0x10de, device, 0x040300, 0xa1, vNVIDIA, name).
		Reset("flr").Bars(Mem32(0, 16*KiB))
}

func fnAddr(addr string, fn int) string {
	a, err := parseAddr(addr)
	if err != nil {
		panic(err)
	}
	return FormatAddr(a.domain, int(a.bus), int(a.dev), fn)
}

// RTX2080Ti is an MSI RTX 2080 Ti: VGA, audio, USB 3.1 and USB-C UCSI
// functions, as Turing cards with VirtualLink have.
func RTX2080Ti(addr, parent string) []Device {
	sub := func(d Device) Device {
		return d.Sub(0x1462, 0x3715).Lnk(3, 16)
	}
	return L(
		sub(nvidiaVGA(addr, parent, 0x1e07, "TU102 [GeForce RTX 2080 Ti Rev. A]", 256*MiB)).Sub(0x1462, 0x3715, "RTX 2080 Ti GAMING X TRIO", vMSI),
		sub(nvidiaAudio(fnAddr(addr, 1), parent, 0x10f7, "TU102 High Definition Audio Controller")),
		sub(Fn(fnAddr(addr, 2), parent, 0x10de, 0x1ad6, 0x0c0330, 0xa1, vNVIDIA, "TU102 USB 3.1 Host Controller").
			Bars(Pref64(0, 256*KiB), Pref64(3, 64*KiB)).Reset("flr")),
		sub(Fn(fnAddr(addr, 3), parent, 0x10de, 0x1ad7, 0x0c8000, 0xa1, vNVIDIA, "TU102 USB Type-C UCSI Controller").
			Bars(Mem32(0, 4*KiB)).Reset("flr")),
	)
}

// QuadroRTX4000 is a Quadro RTX 4000: VGA and audio.
func QuadroRTX4000(addr, parent string) []Device {
	return L(
		nvidiaVGA(addr, parent, 0x1eb1, "TU104GL [Quadro RTX 4000]", 256*MiB).Sub(0x10de, 0x12a0).Lnk(3, 16),
		nvidiaAudio(fnAddr(addr, 1), parent, 0x10f8, "TU104 HD Audio Controller").Sub(0x10de, 0x12a0).Lnk(3, 16),
	)
}

// RTXA6000 is an RTX A6000: VGA and audio.
func RTXA6000(addr, parent string) []Device {
	return L(
		nvidiaVGA(addr, parent, 0x2230, "GA102GL [RTX A6000]", 256*MiB).Sub(0x10de, 0x1459).Lnk(4, 16),
		nvidiaAudio(fnAddr(addr, 1), parent, 0x1aef, "GA102 High Definition Audio Controller").Sub(0x10de, 0x1459).Lnk(4, 16),
	)
}

// RTX3090 is an RTX 3090: VGA and audio.
func RTX3090(addr, parent string) []Device {
	return L(
		nvidiaVGA(addr, parent, 0x2204, "GA102 [GeForce RTX 3090]", 256*MiB).Sub(0x10de, 0x1454).Lnk(4, 16),
		nvidiaAudio(fnAddr(addr, 1), parent, 0x1aef, "GA102 High Definition Audio Controller").Sub(0x10de, 0x1454).Lnk(4, 16),
	)
}

// RTX3080 is an RTX 3080 Founders Edition: VGA and audio.
func RTX3080(addr, parent string) []Device {
	return L(
		nvidiaVGA(addr, parent, 0x2206, "GA102 [GeForce RTX 3080]", 256*MiB).Sub(0x10de, 0x1467, "GA102 [GeForce RTX 3080]").Lnk(4, 16),
		nvidiaAudio(fnAddr(addr, 1), parent, 0x1aef, "GA102 High Definition Audio Controller").Sub(0x10de, 0x1467).Lnk(4, 16),
	)
}

// MI210 is an Instinct MI210 behind the switch the board carries (AMD
// 1002:14a0 upstream, 14a1 downstream; too new for the database): returns
// the upstream port at up (below parent), its downstream port and the
// GPU.
func MI210(up, parent string, bus int) []Device {
	a, _ := parseAddr(up)
	down := FormatAddr(a.domain, bus, 0, 0)
	gpu := FormatAddr(a.domain, bus+1, 0, 0)
	return L(
		Fn(up, parent, 0x1002, 0x14a0, 0x060400, 0x02, vATI, "").Sub(0x1002, 0x14a0).Lnk(4, 16).Drv("pcieport").Bars(Mem32(0, 16*KiB)),
		Fn(down, up, 0x1002, 0x14a1, 0x060400, 0x00, vATI, "").Sub(0x1002, 0x14a1).Lnk(4, 16).Drv("pcieport").Isolated(),
		Fn(gpu, down, 0x1002, 0x740f, 0x038000, 0x02, vATI, "Aldebaran/MI200 [Instinct MI210]").Sub(0x1002, 0x0c34).Lnk(4, 16).
			Bars(Pref64(0, 64*GiB), Pref64(2, 2*MiB), Mem32(5, 512*KiB)).WithROM(128*KiB),
	)
}

// Switches and bridges.

// PEX890xx is a Broadcom PEX890xx Gen 5 switch: upstream port up below a
// root port, and one downstream port (with ACS) per address in downs.
func PEX890xx(up, parent string, downs ...string) []Device {
	out := L(Fn(up, parent, 0x1000, 0xc030, 0x060400, 0xb0, vLSI, "PEX890xx PCIe Gen 5 Switch").
		Sub(0x1000, 0xa064).Lnk(5, 16).Drv("pcieport").Bars(Mem32(0, 256*KiB)))
	for _, d := range downs {
		out = append(out, Fn(d, up, 0x1000, 0xc030, 0x060400, 0xb0, vLSI, "PEX890xx PCIe Gen 5 Switch").
			Sub(0x1000, 0xa064).Lnk(5, 16).Drv("pcieport").Isolated())
	}
	return out
}

// PEX8747 is a PLX PEX 8747 Gen 3 switch, as GPU/NVMe riser boards carry.
func PEX8747(up, parent string, downs ...string) []Device {
	out := L(Fn(up, parent, 0x10b5, 0x8747, 0x060400, 0xca, vPLX, "PEX 8747 48-Lane, 5-Port PCI Express Gen 3 (8.0 GT/s) Switch").
		Sub(0x10b5, 0x8747).Lnk(3, 16).Drv("pcieport").Bars(Mem32(0, 256*KiB)))
	for _, d := range downs {
		out = append(out, Fn(d, up, 0x10b5, 0x8747, 0x060400, 0xca, vPLX, "PEX 8747 48-Lane, 5-Port PCI Express Gen 3 (8.0 GT/s) Switch").
			Sub(0x10b5, 0x8747).Lnk(3, 16).Drv("pcieport").Isolated())
	}
	return out
}

// RootPort is a root port with ACS, bound to pcieport.
func RootPort(addr string, vendor, device uint16, vendorName, name string, gen, width int) Device {
	return Fn(addr, "", vendor, device, 0x060400, 0x04, vendorName, name).
		Lnk(gen, width).Drv("pcieport").Isolated()
}

// ASPEEDBMC is a BMC's display: the AST1150 PCIe-to-PCI bridge at bridge
// (below parent) and the ASPEED VGA function behind it, on ast, the boot
// display.
func ASPEEDBMC(bridge, parent string, bus int) []Device {
	a, _ := parseAddr(bridge)
	return L(
		Fn(bridge, parent, 0x1a03, 0x1150, 0x060400, 0x06, vASPEED, "AST1150 PCI-to-PCI Bridge").
			Sub(0x1a03, 0x1150).Lnk(2, 1).As(PortPCIBridge),
		Fn(FormatAddr(a.domain, bus, 0, 0), bridge, 0x1a03, 0x2000, 0x030000, 0x52, vASPEED, "ASPEED Graphics Family").
			Sub(0x1a03, 0x2000).Drv("ast").Boot().
			Bars(Mem32(0, 64*MiB), Mem32(1, 256*KiB), IOBar(2, 128)),
	)
}

// Storage and network.

// NVMePM9A3 is a Samsung PM9A3 U.2 NVMe drive.
func NVMePM9A3(addr, parent string) Device {
	return Fn(addr, parent, 0x144d, 0xa80a, 0x010802, 0x00, vSamsung, "NVMe SSD Controller PM9A1/PM9A3/980PRO").
		Sub(0x144d, 0xa813, "General DC NVMe PM9A3").Lnk(4, 4).Drv("nvme").Reset("flr bus").Bars(Mem64(0, 32*KiB))
}

// NVMeP4510 is an Intel P4510 U.2 NVMe drive.
func NVMeP4510(addr, parent string) Device {
	return Fn(addr, parent, 0x8086, 0x0a54, 0x010802, 0x00, vIntel, "NVMe Datacenter SSD [3DNAND, Beta Rock Controller]").
		Sub(0x8086, 0x4802, "NVMe Datacenter SSD [3DNAND] SE 2.5\" U.2 (P4510)").Lnk(3, 4).Drv("nvme").Reset("flr bus").Bars(Mem64(0, 16*KiB))
}

// NVMe970EVO is a Samsung 970 EVO M.2 drive.
func NVMe970EVO(addr, parent string) Device {
	return Fn(addr, parent, 0x144d, 0xa808, 0x010802, 0x00, vSamsung, "NVMe SSD Controller SM981/PM981/PM983").
		Sub(0x144d, 0xa801, "SSD 970 EVO").Lnk(3, 4).Drv("nvme").Reset("flr bus").Bars(Mem64(0, 16*KiB))
}

// ConnectX7 is a single-port ConnectX-7 on mlx5_core with n VFs enabled
// (of 16), VFs on mlx5_core too.
func ConnectX7(addr, parent string, n int) []Device {
	pf := Fn(addr, parent, 0x15b3, 0x1021, 0x020000, 0x00, vMellanox, "MT2910 Family [ConnectX-7]").
		Sub(0x15b3, 0x0041).Lnk(5, 16).Drv("mlx5_core").Reset("flr bus").Bars(Pref64(0, 32*MiB)).WithROM(1 * MiB)
	pf.SRIOV = &SRIOV{TotalVFs: 16, Offset: 1, Stride: 1, VFDevice: 0x101e, VFBARs: []BAR{Pref64(0, 2*MiB)}}
	pf.Net = []string{ifname(addr, "np0")}
	out := WithVFs(pf, n, "mlx5_core")
	for i := 1; i < len(out); i++ {
		out[i].DeviceName = "ConnectX Family mlx5Gen Virtual Function"
	}
	return out
}

// ConnectX6Dx is a dual-port ConnectX-6 Dx: two PFs (each with ACS, so
// in groups of their own), each with vfs VFs of 127 bound to vfDriver.
// PF1's VFs start where PF0's range ends, so 127 VFs each fill the bus.
func ConnectX6Dx(addr, parent string, vfs int, vfDriver string) []Device {
	var out []Device
	for port := range 2 {
		pf := Fn(fnAddr(addr, port), parent, 0x15b3, 0x101d, 0x020000, 0x00, vMellanox, "MT2892 Family [ConnectX-6 Dx]").
			Sub(0x15b3, 0x0016).Lnk(4, 16).Drv("mlx5_core").Reset("flr bus").Isolated().Bars(Pref64(0, 32*MiB))
		pf.SRIOV = &SRIOV{TotalVFs: 127, Offset: 2 + 126*port, Stride: 1, VFDevice: 0x101e, VFBARs: []BAR{Pref64(0, 1*MiB)}}
		pf.Net = []string{ifname(pf.Addr, "np"+strconv.Itoa(port))}
		for i, d := range WithVFs(pf, vfs, vfDriver) {
			if i > 0 {
				d.DeviceName = "ConnectX Family mlx5Gen Virtual Function"
			}
			out = append(out, d)
		}
	}
	return out
}

// BCM5720 is the dual-port Broadcom LOM of Dell PowerEdge servers.
func BCM5720(addr, parent string) []Device {
	var out []Device
	for f := range 2 {
		nic := Fn(fnAddr(addr, f), parent, 0x14e4, 0x165f, 0x020000, 0x00, vBroadcom, "NetXtreme BCM5720 Gigabit Ethernet PCIe").
			Sub(0x1028, 0x08ff, "PowerEdge Rx5xx LOM Board", vDell).Lnk(2, 1).Drv("tg3").Reset("flr bus").
			Bars(Pref64(0, 64*KiB), Pref64(2, 64*KiB), Pref64(4, 64*KiB)).WithROM(256 * KiB)
		nic.Net = []string{fmt.Sprintf("eno%d", f+1)}
		out = append(out, nic)
	}
	return out
}

// X710 is a dual-port Intel X710 SFP+ adapter.
func X710(addr, parent string) []Device {
	var out []Device
	for f := range 2 {
		nic := Fn(fnAddr(addr, f), parent, 0x8086, 0x1572, 0x020000, 0x02, vIntel, "Ethernet Controller X710 for 10GbE SFP+").
			Sub(0x8086, 0x0000, "Ethernet Converged Network Adapter X710").Lnk(3, 8).Drv("i40e").Reset("flr bus").Isolated().
			Bars(Pref64(0, 8*MiB), Pref64(3, 32*KiB)).WithROM(512 * KiB)
		nic.Net = []string{ifname(nic.Addr, "")}
		out = append(out, nic)
	}
	return out
}

// MatroxG200eR2 is the iDRAC display of Dell servers.
func MatroxG200eR2(addr, parent string) Device {
	return Fn(addr, parent, 0x102b, 0x0534, 0x030000, 0x01, vMatrox, "G200eR2").
		Sub(0x1028, 0x0716).Drv("mgag200").Boot().Bars(Pref32(0, 16*MiB), Mem32(1, 16*KiB), Mem32(2, 8*MiB))
}

// ifname is systemd's predictable name of a PCI NIC: enp<bus>s<slot>f<fn>
// (enP<domain>p... outside domain 0), then suffix ("np0" for a
// multi-port mlx5 device).
func ifname(addr, suffix string) string {
	var domain, bus, slot, fn int
	if _, err := fmt.Sscanf(addr, "%x:%x:%x.%x", &domain, &bus, &slot, &fn); err != nil {
		panic("fakehost: bad address " + addr)
	}
	prefix := "en"
	if domain != 0 {
		prefix = fmt.Sprintf("enP%d", domain)
	}
	return fmt.Sprintf("%sp%ds%df%d%s", prefix, bus, slot, fn, suffix)
}
