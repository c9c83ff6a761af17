package fakehost

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// resource is one line of a function's sysfs resource file.
type resource struct{ start, end, flags uint64 }

// Resource flags as the kernel reports them: IORESOURCE_* bits plus the
// low bits of the BAR itself (memory type, prefetchable).
const (
	ioresIO        = 0x100
	ioresMem       = 0x200
	ioresPrefetch  = 0x2000
	ioresReadonly  = 0x4000
	ioresSizeAlign = 0x40000
	ioresMem64     = 0x100000
	ioresUnset     = 0x20000000
)

func barFlags(b BAR) uint64 {
	if b.IO {
		return ioresIO | ioresSizeAlign | 0x1
	}
	f := uint64(ioresMem | ioresSizeAlign)
	if b.Is64 {
		f |= ioresMem64 | 0x4
	}
	if b.Prefetch {
		f |= ioresPrefetch | 0x8
	}
	return f
}

const romFlags = ioresMem | ioresPrefetch | ioresReadonly | ioresSizeAlign

// Bridge window flags (pci_read_bridge_io/mmio/mmio_pref): the range type
// bits of the window registers, 32-bit I/O and 64-bit prefetchable.
const (
	windowIOFlags   = ioresIO | 0x1
	windowMemFlags  = ioresMem
	windowPrefFlags = ioresMem | ioresPrefetch | ioresMem64 | 0x1
)

// Resource kinds for the allocator.
const (
	kindIO = iota
	kindMem32
	kindMem64
)

type span struct {
	lo, hi uint64
	used   bool
}

// allocator hands out bus addresses depth first, naturally aligned, and
// records each bridge's windows as firmware would size them.
type allocator struct {
	cur   [3]uint64
	limit [3]uint64
	stack [][3]span
	err   error
}

var windowGranule = [3]uint64{4 * KiB, MiB, MiB}

func newAllocator(physBits int) *allocator {
	if physBits == 0 {
		physBits = 46
	}
	return &allocator{
		cur:   [3]uint64{0x2000, 0x80000000, 1 << (physBits - 2)},
		limit: [3]uint64{0xffff, 0xfbffffff, 1<<physBits - 1},
	}
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }

// alloc returns the start of a naturally aligned range, or ok=false when
// I/O port space is exhausted: firmware then leaves the BAR unassigned,
// as it does on big hosts (64 KiB of ports go fast at 4 KiB per bridge).
func (al *allocator) alloc(kind int, size uint64) (start uint64, ok bool) {
	if size == 0 {
		return 0, true
	}
	if size&(size-1) != 0 {
		al.err = fmt.Errorf("BAR size %#x is not a power of two", size)
		return 0, true
	}
	start = alignUp(al.cur[kind], size)
	end := start + size - 1
	if end > al.limit[kind] {
		if kind == kindIO {
			return 0, false
		}
		if al.err == nil {
			al.err = fmt.Errorf("address space exhausted allocating %#x bytes (kind %d)", size, kind)
		}
	}
	al.cur[kind] = end + 1
	for i := range al.stack {
		w := &al.stack[i][kind]
		if !w.used {
			w.lo, w.used = start, true
		}
		w.hi = end
	}
	return start, true
}

func (al *allocator) push() {
	for k := range al.cur {
		al.cur[k] = alignUp(al.cur[k], windowGranule[k])
	}
	al.stack = append(al.stack, [3]span{})
}

func (al *allocator) pop() [3]span {
	w := al.stack[len(al.stack)-1]
	al.stack = al.stack[:len(al.stack)-1]
	for k := range w {
		if !w[k].used {
			continue
		}
		g := windowGranule[k]
		w[k].lo &^= g - 1
		w[k].hi = alignUp(w[k].hi+1, g) - 1
		al.cur[k] = max(al.cur[k], w[k].hi+1)
		for i := range al.stack {
			al.stack[i][k].hi = max(al.stack[i][k].hi, w[k].hi)
		}
	}
	return w
}

func barKind(b BAR) int {
	switch {
	case b.IO:
		return kindIO
	case b.Is64 && b.Prefetch:
		return kindMem64
	}
	// Non-prefetchable windows are 32-bit: a 64-bit non-prefetchable BAR
	// still lands below 4 GiB.
	return kindMem32
}

// allocate assigns every function's resources, walking the tree in
// address order as firmware does.
func (t *topology) allocate(physBits int) error {
	al := newAllocator(physBits)
	var walk func(n *node)
	walk = func(n *node) {
		for _, b := range n.d.BARs {
			start, ok := al.alloc(barKind(b), b.Size)
			if !ok {
				// Unassigned: the kernel keeps the size, flags it unset.
				n.res[b.Index] = resource{0, b.Size - 1, barFlags(b) | ioresUnset}
				continue
			}
			n.res[b.Index] = resource{start, start + b.Size - 1, barFlags(b)}
		}
		if n.d.ROM > 0 {
			start, _ := al.alloc(kindMem32, n.d.ROM)
			n.res[6] = resource{start, start + n.d.ROM - 1, romFlags}
		}
		if s := n.d.SRIOV; s != nil {
			for _, b := range s.VFBARs {
				size := b.Size * uint64(s.TotalVFs)
				start, _ := al.alloc(barKind(b), alignPow2(size))
				n.res[7+b.Index] = resource{start, start + size - 1, barFlags(b)}
			}
			for i, vf := range n.vfs {
				for _, b := range s.VFBARs {
					start := n.res[7+b.Index].start + uint64(i)*b.Size
					vf.res[b.Index] = resource{start, start + b.Size - 1, barFlags(b)}
				}
			}
		}
		if !n.bridge {
			return
		}
		al.push()
		for _, c := range n.children {
			walk(c)
		}
		w := al.pop()
		if w[kindIO].used {
			n.res[13] = resource{w[kindIO].lo, w[kindIO].hi, windowIOFlags}
		}
		if w[kindMem32].used {
			n.res[14] = resource{w[kindMem32].lo, w[kindMem32].hi, windowMemFlags}
		}
		if w[kindMem64].used {
			n.res[15] = resource{w[kindMem64].lo, w[kindMem64].hi, windowPrefFlags}
		}
	}
	for _, bus := range t.rootBuses() {
		for _, n := range bus {
			walk(n)
		}
	}
	return al.err
}

func alignPow2(v uint64) uint64 {
	p := uint64(1)
	for p < v {
		p <<= 1
	}
	return p
}

// resourceFile formats the resource attribute: 13 lines for endpoints
// (6 BARs, ROM, 6 IOV BARs), 17 for bridges (plus 4 windows).
func resourceFile(n *node) string {
	lines := 13
	if n.bridge {
		lines = 17
	}
	var sb strings.Builder
	for i := range lines {
		r := n.res[i]
		fmt.Fprintf(&sb, "0x%016x 0x%016x 0x%016x\n", r.start, r.end, r.flags)
	}
	return sb.String()
}

// PCIe port type codes (PCI_EXP_FLAGS_TYPE).
var portCode = map[PortType]uint16{
	PortEndpoint: 0, PortLegacyEndpoint: 1, PortRoot: 4, PortUpstream: 5,
	PortDownstream: 6, PortPCIBridge: 7, PortRCiEP: 9,
}

func hasPCIe(n *node) bool { return n.port != PortConventional }

// configSpace builds the binary config file: 4096 bytes for PCIe
// functions, 256 for conventional ones, as the kernel sizes it.
func configSpace(n *node, vgaPath bool) []byte {
	size := 256
	if hasPCIe(n) {
		size = 4096
	}
	c := make([]byte, size)
	le := binary.LittleEndian
	d := n.d
	vendor, device := d.Vendor, d.Device
	if n.pf != nil {
		// A VF's ID registers read all ones; the kernel takes the IDs
		// from the PF's SR-IOV capability.
		vendor, device = 0xffff, 0xffff
	}
	le.PutUint16(c[0x00:], vendor)
	le.PutUint16(c[0x02:], device)
	cmd := uint16(0)
	if n.pf == nil {
		cmd = 0x0002 // memory decode, left on by firmware
		for _, b := range d.BARs {
			if b.IO {
				cmd |= 0x0001
			}
		}
		if n.bridge {
			cmd |= 0x0001
		}
	}
	if d.Driver != "" && !isVFIODriver(d.Driver) {
		cmd |= 0x0004 | 0x0400 // bus master, INTx disabled (MSI)
	}
	le.PutUint16(c[0x04:], cmd)
	le.PutUint16(c[0x06:], 0x0010) // capabilities list
	c[0x08] = d.Revision
	c[0x09] = byte(d.Class)
	c[0x0a] = byte(d.Class >> 8)
	c[0x0b] = byte(d.Class >> 16)
	hdr := byte(0)
	if n.bridge {
		hdr = 1
	}
	if n.mf {
		hdr |= 0x80
	}
	c[0x0e] = hdr
	if n.bridge {
		for i := range 2 {
			putBAR(c, 0x10+4*i, n, i)
		}
		c[0x18] = n.a.bus
		c[0x19] = byte(n.sec)
		c[0x1a] = byte(n.sub)
		putWindows(c, n)
		var ctl uint16
		if vgaPath {
			ctl |= 0x0008 // VGA enable: legacy VGA ranges forwarded below
		}
		le.PutUint16(c[0x3e:], ctl)
	} else {
		for i := range 6 {
			putBAR(c, 0x10+4*i, n, i)
		}
		le.PutUint16(c[0x2c:], d.SubVendor)
		le.PutUint16(c[0x2e:], d.SubDevice)
		if r := n.res[6]; r.flags != 0 {
			le.PutUint32(c[0x30:], uint32(r.start)) // enable bit clear: ROM disabled
		}
	}
	if n.pf == nil {
		c[0x3c] = byte(n.irq)
		c[0x3d] = 1 // INTA#
	}
	// Capabilities: power management, then PCI Express.
	c[0x34] = 0x40
	c[0x40] = 0x01
	le.PutUint16(c[0x42:], 0x0003)
	if hasPCIe(n) {
		c[0x41] = 0x50
		putPCIeCap(c, 0x50, n)
		putExtCaps(c, n)
	}
	return c
}

func putBAR(c []byte, off int, n *node, i int) {
	r := n.res[i]
	le := binary.LittleEndian
	switch {
	case r.flags == 0:
		// Either unused, or the upper half of a 64-bit BAR.
		if i > 0 && n.res[i-1].flags&ioresMem64 != 0 {
			le.PutUint32(c[off:], uint32(n.res[i-1].start>>32))
		}
	case r.flags&ioresUnset != 0:
		le.PutUint32(c[off:], uint32(r.flags&0x1))
	case r.flags&ioresIO != 0:
		le.PutUint32(c[off:], uint32(r.start)|0x1)
	default:
		le.PutUint32(c[off:], uint32(r.start)|uint32(r.flags&0xf))
	}
}

func putWindows(c []byte, n *node) {
	le := binary.LittleEndian
	if w := n.res[13]; w.flags != 0 {
		c[0x1c] = byte(w.start>>8)&0xf0 | 0x1
		c[0x1d] = byte(w.end>>8)&0xf0 | 0x1
		le.PutUint16(c[0x30:], uint16(w.start>>16))
		le.PutUint16(c[0x32:], uint16(w.end>>16))
	} else {
		c[0x1c], c[0x1d] = 0xf1, 0x01
	}
	if w := n.res[14]; w.flags != 0 {
		le.PutUint16(c[0x20:], uint16(w.start>>16)&0xfff0)
		le.PutUint16(c[0x22:], uint16(w.end>>16)&0xfff0)
	} else {
		le.PutUint16(c[0x20:], 0xfff0)
	}
	if w := n.res[15]; w.flags != 0 {
		le.PutUint16(c[0x24:], uint16(w.start>>16)&0xfff0|0x1)
		le.PutUint16(c[0x26:], uint16(w.end>>16)&0xfff0|0x1)
		le.PutUint32(c[0x28:], uint32(w.start>>32))
		le.PutUint32(c[0x2c:], uint32(w.end>>32))
	} else {
		le.PutUint16(c[0x24:], 0xfff1)
		le.PutUint16(c[0x26:], 0x0001)
	}
}

func putPCIeCap(c []byte, base int, n *node) {
	le := binary.LittleEndian
	c[base] = 0x10
	flags := uint16(0x2) | portCode[n.port]<<4
	le.PutUint16(c[base+2:], flags)
	devcap := uint32(0x00008001) // 256-byte payload, role-based error reporting
	if rm := n.d.ResetMethod; rm != nil && strings.Contains(" "+*rm+" ", " flr ") {
		devcap |= 1 << 28 // function level reset
	}
	le.PutUint32(c[base+4:], devcap)
	le.PutUint16(c[base+8:], 0x0020)
	l := n.d.Link
	if l.Gen > 0 && n.pf == nil {
		maxGen, maxWidth := max(l.MaxGen, l.Gen), max(l.MaxWidth, l.Width)
		le.PutUint32(c[base+0xc:], uint32(maxGen)|uint32(maxWidth)<<4)
		le.PutUint16(c[base+0x10:], 0x0040)
		le.PutUint16(c[base+0x12:], uint16(l.Gen)|uint16(l.Width)<<4|0x1000)
		le.PutUint32(c[base+0x2c:], uint32((1<<maxGen)-1)<<1)
		le.PutUint16(c[base+0x30:], uint16(maxGen))
	}
}

// Extended capability IDs.
const (
	extCapACS   = 0x000d
	extCapARI   = 0x000e
	extCapSRIOV = 0x0010
)

func putExtCaps(c []byte, n *node) {
	le := binary.LittleEndian
	type cap struct {
		id   uint16
		size int
		fill func(b []byte)
	}
	var caps []cap
	if n.d.ACS {
		caps = append(caps, cap{extCapACS, 8, func(b []byte) {
			le.PutUint16(b[4:], 0x001f) // SV TB RR CR UF
			le.PutUint16(b[6:], 0x001d) // the kernel enables SV RR CR UF
		}})
	}
	if s := n.d.SRIOV; s != nil {
		caps = append(caps, cap{extCapARI, 8, func(b []byte) {}})
		caps = append(caps, cap{extCapSRIOV, 0x40, func(b []byte) {
			ctl := uint16(0x10) // ARI capable hierarchy
			if s.NumVFs > 0 {
				ctl |= 0x9 // VF enable, VF memory space enable
			}
			le.PutUint32(b[4:], 0x2)
			le.PutUint16(b[8:], ctl)
			le.PutUint16(b[0xc:], uint16(s.TotalVFs))
			le.PutUint16(b[0xe:], uint16(s.TotalVFs))
			le.PutUint16(b[0x10:], uint16(s.NumVFs))
			le.PutUint16(b[0x14:], uint16(s.Offset))
			le.PutUint16(b[0x16:], uint16(s.Stride))
			le.PutUint16(b[0x1a:], s.VFDevice)
			le.PutUint32(b[0x1c:], 0x553)
			le.PutUint32(b[0x20:], 0x1)
			for i := range 6 {
				r := n.res[7+i]
				off := 0x24 + 4*i
				switch {
				case r.flags != 0:
					le.PutUint32(b[off:], uint32(r.start)|uint32(r.flags&0xf))
				case i > 0 && n.res[6+i].flags&ioresMem64 != 0:
					le.PutUint32(b[off:], uint32(n.res[6+i].start>>32))
				}
			}
		}})
	}
	off := 0x100
	for i, cp := range caps {
		next := 0
		if i+1 < len(caps) {
			next = off + cp.size
		}
		le.PutUint32(c[off:], uint32(cp.id)|1<<16|uint32(next)<<20)
		cp.fill(c[off : off+cp.size])
		off += cp.size
	}
}

// linkSpeed formats a link speed as the kernel's current_link_speed does:
// "16.0 GT/s PCIe" since Linux 5.5, "16 GT/s" before.
func linkSpeed(gen int, modern bool) string {
	if modern {
		switch gen {
		case 1:
			return "2.5 GT/s PCIe"
		case 2:
			return "5.0 GT/s PCIe"
		case 3:
			return "8.0 GT/s PCIe"
		case 4:
			return "16.0 GT/s PCIe"
		case 5:
			return "32.0 GT/s PCIe"
		case 6:
			return "64.0 GT/s PCIe"
		}
		return "Unknown"
	}
	switch gen {
	case 1:
		return "2.5 GT/s"
	case 2:
		return "5 GT/s"
	case 3:
		return "8 GT/s"
	case 4:
		return "16 GT/s"
	}
	return "Unknown speed"
}

func modalias(d *Device) string {
	return fmt.Sprintf("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		d.Vendor, d.Device, d.SubVendor, d.SubDevice, byte(d.Class>>16), byte(d.Class>>8), byte(d.Class))
}
