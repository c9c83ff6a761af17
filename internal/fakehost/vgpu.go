package fakehost

// GPU virtualization beyond whole-GPU passthrough: mediated devices
// (vGPU), NVIDIA's vendor-specific VFIO framework, mdevctl, the
// distribution's package database and the arm64 IORT. Where each layout
// comes from is in docs/research/vgpu-layouts.md; the section is named at
// each writer.

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// MdevType is one type an mdev parent offers. The kernel names its
// directory "<parent's driver>-<ID>" (mdev_sysfs.c: "%s-%s" of
// dev_driver_string and the vendor's sysfs name; research 1.1).
type MdevType struct {
	ID          string // the vendor's name for it: "558"
	Name        string // name file: "NVIDIA A40-2Q"
	Description string // description file; "" = hidden (no show_description)
	DeviceAPI   string // device_api file; "" = vfio-pci
	Available   int    // available_instances
}

// Mdev is a mediated device on a parent.
type Mdev struct {
	UUID string // lower-case, as the kernel names it (%pUl)
	Type string // its type directory: nvidia-558
}

// VendorVGPU is an NVIDIA VF's state under the vendor-specific VFIO
// framework (research 3.2): nvidia/creatable_vgpu_types,
// nvidia/current_vgpu_type and its VFIO device, vfio-dev/vfio<VFIODev>.
type VendorVGPU struct {
	Creatable []VGPUType // the lines after the header; none: header only
	Current   int        // 0: no vGPU created on this VF
	VFIODev   int
}

// VGPUType is a line of creatable_vgpu_types.
type VGPUType struct {
	ID   int
	Name string
}

// MdevctlDef is a persistent mdev definition of mdevctl.
type MdevctlDef struct {
	Parent, UUID, Type string
	Start              string // auto, manual
}

// DebPackage is a stanza of /var/lib/dpkg/status.
type DebPackage struct {
	Name, Version, Arch string
	Source              string // "" = same as Name
	Section, Maintainer string
	Description         string
	InstalledSize       int
}

// IORT is the content of the arm64 I/O remapping table.
type IORT struct {
	// ITSGroups is the number of ITS group nodes (type 0), one ITS each.
	ITSGroups int
	// RootComplexes are the PCI segments of the root complex nodes
	// (type 2). Root complex i maps its IDs to SMMUv3 node i (modulo
	// their number), or straight to the first ITS group without SMMU.
	RootComplexes []int
	// SMMUv3 are the base addresses of the SMMUv3 nodes (type 4).
	SMMUv3 []uint64
}

// isVFIODriver tells a driver that hands a function to VFIO: vfio-pci and
// the vfio-pci variant drivers (research 4.1).
func isVFIODriver(drv string) bool {
	switch drv {
	case "vfio-pci", "nvgrace_gpu_vfio_pci", "mlx5_vfio_pci":
		return true
	}
	return false
}

// maxGroup is the highest IOMMU group number of the host's functions.
func (b *builder) maxGroup() int {
	m := -1
	for _, n := range b.topo.nodes {
		m = max(m, n.d.IOMMUGroup)
	}
	return m
}

// mdevs writes the mdev parents, their types and the mdevs (research
// 1.1): /sys/class/mdev_bus/<parent> links to the device (a compat class
// the mdev module registers at load); each type directory holds name,
// description, device_api, available_instances, the write-only create and
// devices/; each mdev is a directory under its parent's with mdev_type,
// remove and an iommu_group of its own (VFIO fakes one per mdev), linked
// from /sys/bus/mdev/devices and its type's devices/.
func (b *builder) mdevs() error {
	t := b.t
	mdevCore := b.moduleLoaded("mdev")
	if mdevCore {
		t.dir("sys/class/mdev_bus")
		t.dir("sys/bus/mdev/devices")
		t.dir("sys/bus/mdev/drivers")
	}
	group := b.maxGroup() + 1
	for _, n := range b.topo.nodes {
		d := n.d
		if len(d.MdevTypes) == 0 {
			if len(d.Mdevs) > 0 {
				return fmt.Errorf("%s: mdevs on a function that offers no mdev type", n.a.str)
			}
			continue
		}
		if d.Driver == "" {
			return fmt.Errorf("%s: an mdev parent needs a driver (types are named after it)", n.a.str)
		}
		if !mdevCore {
			return fmt.Errorf("%s: an mdev parent needs the mdev module loaded", n.a.str)
		}
		t.link("sys/class/mdev_bus/"+n.a.str, n.dir)
		typeDirs := map[string]string{}
		for _, mt := range d.MdevTypes {
			name := d.Driver + "-" + mt.ID
			dir := n.dir + "/mdev_supported_types/" + name
			typeDirs[name] = dir
			t.attr(dir+"/name", mt.Name)
			if mt.Description != "" {
				t.attr(dir+"/description", mt.Description)
			}
			api := mt.DeviceAPI
			if api == "" {
				api = "vfio-pci"
			}
			t.attr(dir+"/device_api", api)
			t.attr(dir+"/available_instances", strconv.Itoa(mt.Available))
			t.bin(dir+"/create", nil, 0o200)
			t.dir(dir + "/devices")
		}
		for _, m := range d.Mdevs {
			typeDir, ok := typeDirs[m.Type]
			if !ok {
				return fmt.Errorf("%s: mdev %s of type %s, which the parent does not offer", n.a.str, m.UUID, m.Type)
			}
			if m.UUID != strings.ToLower(m.UUID) || len(m.UUID) != 36 {
				return fmt.Errorf("%s: mdev UUID %q: want 36 lower-case characters", n.a.str, m.UUID)
			}
			dir := n.dir + "/" + m.UUID
			t.link(dir+"/mdev_type", typeDir)
			t.bin(dir+"/remove", nil, 0o200)
			t.link(dir+"/subsystem", "sys/bus/mdev")
			t.link(typeDir+"/devices/"+m.UUID, dir)
			t.link("sys/bus/mdev/devices/"+m.UUID, dir)
			if b.iommuOn() {
				// An emulated IOMMU group: no default domain, so its type
				// reads "unknown" (iommu_group_show_type), and no
				// reserved region.
				g := fmt.Sprintf("sys/kernel/iommu_groups/%d", group)
				t.link(dir+"/iommu_group", g)
				t.link(g+"/devices/"+m.UUID, dir)
				t.attr(g+"/type", "unknown")
				t.file(g+"/reserved_regions", "")
				if b.moduleLoaded("vfio") {
					t.file(fmt.Sprintf("dev/vfio/%d", group), "")
				}
				group++
			}
		}
	}
	return nil
}

// vendorVGPU writes the nvidia/ directory of the VFs under NVIDIA's
// vendor-specific VFIO framework (research 3.2): creatable_vgpu_types, a
// header and "%-5d : name" lines, read-only; current_vgpu_type, "%d\n",
// read-write; and the VF's VFIO device cdev, vfio-dev/vfioN
// (kubevirt/kubevirt#17642; /dev/vfio/devices/vfioN per the kernel's
// vfio.rst "VFIO device cdev").
func (b *builder) vendorVGPU() error {
	t := b.t
	for _, n := range b.topo.nodes {
		v := n.d.VGPU
		if v == nil {
			continue
		}
		if n.pf == nil {
			return fmt.Errorf("%s: nvidia/ vGPU state on a function that is not a VF", n.a.str)
		}
		var sb strings.Builder
		sb.WriteString("ID    : vGPU Name\n")
		for _, ty := range v.Creatable {
			fmt.Fprintf(&sb, "%-5d : %s\n", ty.ID, ty.Name)
		}
		t.bin(n.dir+"/nvidia/creatable_vgpu_types", []byte(sb.String()), 0o444)
		t.attr(n.dir+"/nvidia/current_vgpu_type", strconv.Itoa(v.Current))
		vd := fmt.Sprintf("%s/vfio-dev/vfio%d", n.dir, v.VFIODev)
		t.attr(vd+"/dev", fmt.Sprintf("%d:%d", vfioCdevMajor, v.VFIODev))
		t.file(vd+"/uevent", fmt.Sprintf("MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/devices/vfio%d\n", vfioCdevMajor, v.VFIODev, v.VFIODev))
		t.file(fmt.Sprintf("dev/vfio/devices/vfio%d", v.VFIODev), "")
	}
	return nil
}

// vfioCdevMajor is the major number of the VFIO device cdevs: dynamic
// (alloc_chrdev_region), any value serves a fixture.
const vfioCdevMajor = 510

// mdevctl writes mdevctl's persistent definitions as mdevctl 1.x writes
// them (src/mdev.rs write_config: serde_json pretty-printed, keys in
// insertion order mdev_type, start, attrs, no final newline;
// mdevctl/mdevctl) and the command itself.
func (b *builder) mdevctl() {
	for _, d := range b.h.MdevctlDefs {
		b.t.file("etc/mdevctl.d/"+d.Parent+"/"+d.UUID,
			fmt.Sprintf("{\n  \"mdev_type\": %q,\n  \"start\": %q,\n  \"attrs\": []\n}", d.Type, d.Start))
	}
	if b.h.Mdevctl {
		// A stand-in: the real command is a Rust binary.
		b.t.bin("usr/sbin/mdevctl", []byte("#!/bin/sh\n# mdevctl stand-in of a gpupass fixture host\nexit 1\n"), 0o755)
	}
}

// dpkgStatus writes /var/lib/dpkg/status: deb822 stanzas sorted by
// package, each with Status "install ok installed" (research 5.1).
func (b *builder) dpkgStatus() {
	if len(b.h.Packages) == 0 {
		return
	}
	pkgs := append([]DebPackage(nil), b.h.Packages...)
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	var sb strings.Builder
	for i, p := range pkgs {
		if i > 0 {
			sb.WriteString("\n")
		}
		fmt.Fprintf(&sb, "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: %s\nInstalled-Size: %d\nMaintainer: %s\nArchitecture: %s\n",
			p.Name, p.Section, p.InstalledSize, p.Maintainer, p.Arch)
		if p.Source != "" {
			fmt.Fprintf(&sb, "Source: %s\n", p.Source)
		}
		fmt.Fprintf(&sb, "Version: %s\nDescription: %s\n", p.Version, p.Description)
	}
	b.t.file("var/lib/dpkg/status", sb.String())
}

// IORT node types (libvirt src/util/viracpipriv.h; research 4.2).
const (
	iortITSGroup    = 0
	iortRootComplex = 2
	iortSMMUv3      = 4
)

// iortTable builds the binary IORT: the ACPI header, the node count and
// offset (and a reserved word), then the nodes, each with the 16-byte
// node header (type u8, length u16, revision u8, identifier u32, number
// of ID mappings u32, offset of the mappings u32) that libvirt's
// virAcpiParseIORT walks (research 4.2), followed by the node's data and
// its 20-byte ID mappings (input base, count, output base, output node
// offset, flags), per the IORT specification (DEN0049).
func iortTable(io *IORT, oem string) []byte {
	le := binary.LittleEndian
	type node struct {
		typ  byte
		data []byte
		maps []int // indexes of the nodes its single ID range maps to
	}
	var nodes []node
	var itsIdx, smmuIdx []int
	for i := range io.ITSGroups {
		d := make([]byte, 8)
		le.PutUint32(d[0:], 1)         // number of ITSs
		le.PutUint32(d[4:], uint32(i)) // GIC ITS identifier
		itsIdx = append(itsIdx, len(nodes))
		nodes = append(nodes, node{typ: iortITSGroup, data: d})
	}
	for _, base := range io.SMMUv3 {
		d := make([]byte, 52)
		le.PutUint64(d[0:], base)
		le.PutUint32(d[8:], 0x1) // COHACC override: coherent
		var maps []int
		if len(itsIdx) > 0 {
			maps = []int{itsIdx[0]}
		}
		smmuIdx = append(smmuIdx, len(nodes))
		nodes = append(nodes, node{typ: iortSMMUv3, data: d, maps: maps})
	}
	for i, seg := range io.RootComplexes {
		d := make([]byte, 20)
		le.PutUint32(d[0:], 1)            // cache coherent
		le.PutUint32(d[12:], uint32(seg)) // PCI segment number
		d[16] = 48                        // memory address size limit
		var maps []int
		switch {
		case len(smmuIdx) > 0:
			maps = []int{smmuIdx[i%len(smmuIdx)]}
		case len(itsIdx) > 0:
			maps = []int{itsIdx[0]}
		}
		nodes = append(nodes, node{typ: iortRootComplex, data: d, maps: maps})
	}
	const headerLen, nodesOffset = 36, 48
	offsets := make([]int, len(nodes))
	off := nodesOffset
	for i, n := range nodes {
		offsets[i] = off
		off += 16 + len(n.data) + 20*len(n.maps)
	}
	buf := make([]byte, off)
	copy(buf[0:4], "IORT")
	le.PutUint32(buf[4:], uint32(off))
	buf[8] = 3 // revision
	copy(buf[10:16], oem)
	copy(buf[16:24], "GPUPASS ")
	buf[24] = 1
	copy(buf[28:32], "NVDA")
	buf[32], buf[33] = 0x28, 0x05
	buf[34], buf[35] = 0x20, 0x01
	le.PutUint32(buf[headerLen:], uint32(len(nodes)))
	le.PutUint32(buf[headerLen+4:], nodesOffset)
	for i, n := range nodes {
		p := offsets[i]
		length := 16 + len(n.data) + 20*len(n.maps)
		buf[p] = n.typ
		le.PutUint16(buf[p+1:], uint16(length))
		buf[p+3] = 0 // revision
		le.PutUint32(buf[p+4:], uint32(i))
		le.PutUint32(buf[p+8:], uint32(len(n.maps)))
		if len(n.maps) > 0 {
			le.PutUint32(buf[p+12:], uint32(16+len(n.data)))
		}
		copy(buf[p+16:], n.data)
		for j, m := range n.maps {
			q := p + 16 + len(n.data) + 20*j
			le.PutUint32(buf[q+4:], 0xffff) // number of IDs (minus one)
			le.PutUint32(buf[q+12:], uint32(offsets[m]))
		}
	}
	var sum byte
	for _, c := range buf {
		sum += c
	}
	buf[9] = -sum
	return buf
}
