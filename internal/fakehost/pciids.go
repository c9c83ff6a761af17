package fakehost

import (
	"fmt"
	"sort"
	"strings"
)

// pciIDs writes an excerpt of pci.ids holding the host's devices, in the
// database's own format: vendors, their devices (one tab), subsystems
// (two tabs), then the class section for the classes in use. Names come
// from the specs (copied from the real database), so IDs the 2023
// database lacks stay nameless here too.
func pciIDs(devs []Device) string {
	type devKey struct{ v, d uint16 }
	vendors := map[uint16]string{}
	devices := map[devKey]string{}
	subsystems := map[devKey]map[string]bool{}
	classes := map[uint32]bool{}
	for i := range devs {
		d := &devs[i]
		classes[d.Class] = true
		for _, v := range []uint16{d.Vendor, d.SubVendor} {
			if name, ok := vendorNames[v]; ok {
				vendors[v] = name
			}
		}
		if d.VendorName != "" {
			vendors[d.Vendor] = d.VendorName
		}
		if d.SubVendorName != "" {
			vendors[d.SubVendor] = d.SubVendorName
		}
		if d.DeviceName == "" {
			continue
		}
		k := devKey{d.Vendor, d.Device}
		devices[k] = d.DeviceName
		if d.SubsystemName != "" {
			if subsystems[k] == nil {
				subsystems[k] = map[string]bool{}
			}
			subsystems[k][fmt.Sprintf("\t\t%04x %04x  %s", d.SubVendor, d.SubDevice, d.SubsystemName)] = true
		}
		if _, ok := vendors[d.Vendor]; !ok {
			panic(fmt.Sprintf("device %s has a DeviceName but no VendorName", d.Addr))
		}
	}
	var sb strings.Builder
	sb.WriteString(pciIDsHeader)
	vids := make([]int, 0, len(vendors))
	for v := range vendors {
		vids = append(vids, int(v))
	}
	sort.Ints(vids)
	for _, v := range vids {
		fmt.Fprintf(&sb, "%04x  %s\n", v, vendors[uint16(v)])
		var dids []int
		for k := range devices {
			if int(k.v) == v {
				dids = append(dids, int(k.d))
			}
		}
		sort.Ints(dids)
		for _, d := range dids {
			k := devKey{uint16(v), uint16(d)}
			fmt.Fprintf(&sb, "\t%04x  %s\n", d, devices[k])
			var subs []string
			for s := range subsystems[k] {
				subs = append(subs, s)
			}
			sort.Strings(subs)
			for _, s := range subs {
				sb.WriteString(s + "\n")
			}
		}
	}
	sb.WriteString("\n")
	sb.WriteString(classExcerpt(classes))
	return sb.String()
}

// vendorNames are the vendor lines of pci.ids for the vendors and board
// makers the parts use, so subsystem vendors get their names too.
var vendorNames = map[uint16]string{
	0x1000: vLSI, 0x1002: vATI, 0x1022: vAMD, 0x1028: vDell, 0x102b: vMatrox,
	0x1043: "ASUSTeK Computer Inc.", 0x10b5: vPLX, 0x10de: vNVIDIA, 0x144d: vSamsung,
	0x1462: vMSI, 0x14e4: vBroadcom, 0x1590: "Hewlett Packard Enterprise", 0x15b3: vMellanox,
	0x15b7: "Sandisk Corp", 0x15d9: vSMC, 0x1a03: vASPEED, 0x8086: vIntel,
}

// classExcerpt keeps the lines of the class section for the classes,
// subclasses and programming interfaces in use.
func classExcerpt(used map[uint32]bool) string {
	var sb strings.Builder
	var class, sub int = -1, -1
	inClasses := false
	for _, line := range strings.SplitAfter(pciIDsClasses, "\n") {
		t := strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(t, "C "):
			inClasses = true
			fmt.Sscanf(t[2:4], "%x", &class)
			sub = -1
			if usesClass(used, func(c uint32) bool { return int(c>>16) == class }) {
				sb.WriteString(line)
			}
		case !inClasses:
			sb.WriteString(line) // the section's heading comments
		case strings.HasPrefix(t, "\t\t"):
			var pi int
			fmt.Sscanf(t[2:4], "%x", &pi)
			if used[uint32(class<<16|sub<<8|pi)] {
				sb.WriteString(line)
			}
		case strings.HasPrefix(t, "\t"):
			fmt.Sscanf(t[1:3], "%x", &sub)
			if usesClass(used, func(c uint32) bool { return int(c>>8) == class<<8|sub }) {
				sb.WriteString(line)
			}
		}
	}
	return sb.String()
}

func usesClass(used map[uint32]bool, match func(uint32) bool) bool {
	for c := range used {
		if match(c) {
			return true
		}
	}
	return false
}
