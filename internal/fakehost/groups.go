package fakehost

import "strings"

// AssignIOMMUGroups numbers the IOMMU groups of the host's devices as
// Linux's pci_device_group does, in the order the kernel probes them:
//
//   - a function behind a PCIe-to-PCI bridge shares the bridge's group
//     (its DMA carries the bridge's requester ID);
//   - a function shares the group of the first bridge above it whose path
//     to the root complex is not isolated by ACS (root and downstream
//     ports need ACS enabled; single-function endpoints and upstream
//     ports count as isolated);
//   - the functions of a multi-function device without ACS share a group;
//   - otherwise a function gets the next free number.
//
// "pcie_acs_override=downstream,multifunction" on the command line (the
// out-of-tree ACS override patch) makes ports and multi-function devices
// count as isolated. Functions marked NoGroup, and those behind a VMD
// controller (their DMA is the controller's), keep no group. It returns
// the number of groups.
func (h *Host) AssignIOMMUGroups() (int, error) {
	t, err := newTopology(h.Devices)
	if err != nil {
		return 0, err
	}
	overrideDown, overrideMF := acsOverride(h.Cmdline)
	acsEnabled := func(n *node) bool {
		switch n.port {
		case PortConventional, PortPCIBridge:
			return false
		case PortRoot, PortDownstream:
			return n.d.ACS || overrideDown
		}
		if !n.mf {
			return true
		}
		return n.d.ACS || overrideMF
	}
	acsPath := func(n *node) bool {
		for ; n != nil && !n.vmdRoot; n = n.parent {
			if !acsEnabled(n) {
				return false
			}
		}
		return true
	}
	group := map[*node]int{}
	next := 0
	for _, n := range t.probe {
		if n.d.IOMMUGroup == NoGroup || underVMD(n) {
			n.d.IOMMUGroup = NoGroup
			continue
		}
		g, ok := t.groupFor(n, group, acsEnabled, acsPath)
		if !ok {
			g = next
			next++
		}
		group[n] = g
		n.d.IOMMUGroup = g
	}
	return next, nil
}

func (t *topology) groupFor(n *node, group map[*node]int, acsEnabled, acsPath func(*node) bool) (int, bool) {
	p := n
	// DMA alias: the nearest PCIe-to-PCI bridge above a conventional
	// function stands for it.
	if n.port == PortConventional {
		for a := n.parent; a != nil && !a.vmdRoot; a = a.parent {
			if a.port == PortPCIBridge {
				if g, ok := group[a]; ok {
					return g, true
				}
				p = a
				break
			}
		}
	}
	for b := p.parent; b != nil && !p.vmdRoot; b = b.parent {
		if acsPath(b) {
			break
		}
		p = b
		if g, ok := group[p]; ok {
			return g, true
		}
		if b.vmdRoot {
			break
		}
	}
	if p.mf && !acsEnabled(p) {
		for _, q := range t.nodes {
			if q != p && q.mf && q.a.slot() == p.a.slot() && !acsEnabled(q) {
				if g, ok := group[q]; ok {
					return g, true
				}
			}
		}
	}
	return 0, false
}

func underVMD(n *node) bool {
	for ; n != nil; n = n.parent {
		if n.vmdRoot {
			return true
		}
	}
	return false
}

// acsOverride reads the ACS override patch's option.
func acsOverride(cmdline string) (downstream, multifunction bool) {
	for _, f := range strings.Fields(cmdline) {
		v, ok := strings.CutPrefix(f, "pcie_acs_override=")
		if !ok {
			continue
		}
		for _, o := range strings.Split(v, ",") {
			switch o {
			case "downstream":
				downstream = true
			case "multifunction":
				multifunction = true
			}
		}
	}
	return downstream, multifunction
}
