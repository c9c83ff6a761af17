package fakehost

import (
	"fmt"
	"sort"
)

// node is a Device placed in the tree: what the builder derives from the
// spec before writing anything.
type node struct {
	d        *Device
	a        pciAddr
	parent   *node
	children []*node // functions on the secondary bus (VFs excluded)
	pf       *node
	vfs      []*node
	dir      string // sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0
	port     PortType
	mf       bool // the slot has several functions: header type bit 7
	bridge   bool // header type 1
	sec, sub int  // bridge bus range
	// vmdRoot is set on a function sitting on a root bus that another
	// function (an Intel VMD controller) creates.
	vmdRoot bool
	res     [17]resource
	irq     int
	unit    int // index of the IOMMU unit translating for it, -1 none
	depth   int
}

// topology indexes a host's devices.
type topology struct {
	nodes  []*node // sorted by address
	byAddr map[string]*node
	probe  []*node // kernel probe order (device_add order)
}

func isBridgeClass(class uint32) bool {
	c := class >> 8
	return c == 0x0604 || c == 0x0609
}

func newTopology(devs []Device) (*topology, error) {
	t := &topology{byAddr: make(map[string]*node, len(devs))}
	for i := range devs {
		d := &devs[i]
		a, err := parseAddr(d.Addr)
		if err != nil {
			return nil, err
		}
		if _, dup := t.byAddr[a.str]; dup {
			return nil, fmt.Errorf("device %s listed twice", a.str)
		}
		n := &node{d: d, a: a, bridge: isBridgeClass(d.Class), unit: -1}
		t.byAddr[a.str] = n
		t.nodes = append(t.nodes, n)
	}
	sort.Slice(t.nodes, func(i, j int) bool { return t.nodes[i].a.less(t.nodes[j].a) })
	for _, n := range t.nodes {
		if n.d.PhysFn != "" {
			pf := t.byAddr[n.d.PhysFn]
			if pf == nil || pf.d.SRIOV == nil {
				return nil, fmt.Errorf("VF %s: physical function %s is not an SR-IOV device of the host", n.a.str, n.d.PhysFn)
			}
			if n.d.Parent != pf.d.Parent {
				return nil, fmt.Errorf("VF %s: parent %q differs from its PF's %q (VFs sit beside their PF)", n.a.str, n.d.Parent, pf.d.Parent)
			}
			n.pf = pf
			pf.vfs = append(pf.vfs, n)
		}
		if n.d.Parent == "" {
			continue
		}
		p := t.byAddr[n.d.Parent]
		if p == nil {
			return nil, fmt.Errorf("device %s: parent %s is not a device of the host", n.a.str, n.d.Parent)
		}
		n.parent = p
		if p.a.domain != n.a.domain {
			// A VMD controller is an endpoint that creates a root bus
			// of its own in a new domain.
			n.vmdRoot = true
			continue
		}
		if !p.bridge {
			return nil, fmt.Errorf("device %s: parent %s is not a bridge (class %06x)", n.a.str, p.a.str, p.d.Class)
		}
		if n.pf == nil {
			p.children = append(p.children, n)
		}
	}
	for _, n := range t.nodes {
		if err := t.place(n, 0); err != nil {
			return nil, err
		}
	}
	// Multi-function: several (non-VF) functions share the slot.
	perSlot := map[string]int{}
	for _, n := range t.nodes {
		if n.pf == nil {
			perSlot[n.a.slot()]++
		}
	}
	for _, n := range t.nodes {
		n.mf = n.pf == nil && perSlot[n.a.slot()] > 1
	}
	for _, n := range t.nodes {
		if n.bridge {
			if err := t.busRange(n); err != nil {
				return nil, err
			}
		}
		if n.pf != nil {
			if n.d.Vendor != n.pf.d.Vendor {
				return nil, fmt.Errorf("VF %s: vendor differs from its PF", n.a.str)
			}
		}
	}
	for _, n := range t.nodes {
		if s := n.d.SRIOV; s != nil && len(n.vfs) != s.NumVFs {
			return nil, fmt.Errorf("PF %s: sriov NumVFs %d but %d VFs listed", n.a.str, s.NumVFs, len(n.vfs))
		}
	}
	t.probe = t.probeOrder()
	return t, nil
}

// place derives a node's directory and port type from its ancestors'.
func (t *topology) place(n *node, depth int) error {
	if n.dir != "" {
		return nil
	}
	if depth > 64 {
		return fmt.Errorf("device %s: parent chain loops", n.a.str)
	}
	p := n.parent
	if p != nil {
		if err := t.place(p, depth+1); err != nil {
			return err
		}
		n.depth = p.depth + 1
	}
	switch {
	case p == nil:
		bus := n.a.bus
		if n.pf != nil {
			bus = n.pf.a.bus // a VF past its PF's bus still sits on the PF's root bus
		}
		n.dir = fmt.Sprintf("sys/devices/pci%04x:%02x/%s", n.a.domain, bus, n.a.str)
	case n.vmdRoot:
		n.dir = fmt.Sprintf("%s/pci%04x:%02x/%s", p.dir, n.a.domain, n.a.bus, n.a.str)
	default:
		n.dir = p.dir + "/" + n.a.str
	}
	n.port = n.d.Port
	if n.port != PortAuto {
		return nil
	}
	switch {
	case n.pf != nil:
		n.port = PortEndpoint
	case p == nil || n.vmdRoot:
		if n.bridge {
			n.port = PortRoot
		} else {
			n.port = PortConventional
		}
	case p.port == PortPCIBridge || p.port == PortConventional:
		n.port = PortConventional
	case p.port == PortUpstream:
		if n.bridge {
			n.port = PortDownstream
		} else {
			n.port = PortEndpoint
		}
	default:
		if n.bridge {
			n.port = PortUpstream
		} else {
			n.port = PortEndpoint
		}
	}
	return nil
}

// busRange computes a bridge's secondary and subordinate bus numbers from
// what is below it, as firmware numbers buses depth first.
func (t *topology) busRange(n *node) error {
	if n.sec != 0 || n.sub != 0 {
		return nil
	}
	if len(n.children) == 0 {
		if n.d.SecBus == 0 {
			return fmt.Errorf("bridge %s: nothing below it; set SecBus", n.a.str)
		}
		n.sec, n.sub = int(n.d.SecBus), int(n.d.SecBus)
		return nil
	}
	n.sec = int(n.children[0].a.bus)
	n.sub = n.sec
	for _, c := range n.children {
		if int(c.a.bus) != n.sec {
			return fmt.Errorf("bridge %s: children on buses %02x and %02x", n.a.str, n.sec, c.a.bus)
		}
		if c.bridge {
			if err := t.busRange(c); err != nil {
				return err
			}
			if c.sec <= n.sec {
				return fmt.Errorf("bridge %s: secondary bus %02x not above its parent's %02x", c.a.str, c.sec, n.sec)
			}
			n.sub = max(n.sub, c.sub)
		}
		for _, vf := range c.vfs {
			n.sub = max(n.sub, int(vf.a.bus))
		}
	}
	if n.d.SecBus != 0 && int(n.d.SecBus) != n.sec {
		return fmt.Errorf("bridge %s: SecBus %02x but children on bus %02x", n.a.str, n.d.SecBus, n.sec)
	}
	return nil
}

// rootBuses groups the functions on root buses: host root buses first by
// domain and bus, then the buses VMD controllers create (the vmd driver
// loads after the IOMMU has probed the host's devices).
func (t *topology) rootBuses() [][]*node {
	type key struct {
		vmd    bool
		domain uint32
		bus    uint8
	}
	groups := map[key][]*node{}
	var keys []key
	for _, n := range t.nodes {
		if n.pf != nil || (n.parent != nil && !n.vmdRoot) {
			continue
		}
		k := key{n.vmdRoot, n.a.domain, n.a.bus}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], n)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.vmd != b.vmd {
			return !a.vmd
		}
		if a.domain != b.domain {
			return a.domain < b.domain
		}
		return a.bus < b.bus
	})
	out := make([][]*node, len(keys))
	for i, k := range keys {
		out[i] = groups[k]
	}
	return out
}

// probeOrder is the order the kernel adds devices: pci_bus_add_devices
// adds every function of a bus, then descends into each bridge's bus.
// VFs come last: they appear when sriov_numvfs is written, after boot.
func (t *topology) probeOrder() []*node {
	var order []*node
	var addBus func(list []*node)
	addBus = func(list []*node) {
		order = append(order, list...)
		for _, n := range list {
			if n.bridge {
				addBus(n.children)
			}
		}
	}
	for _, bus := range t.rootBuses() {
		addBus(bus)
	}
	for _, n := range order[:len(order):len(order)] {
		order = append(order, n.vfs...)
	}
	return order
}
