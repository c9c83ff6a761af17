package fakehost

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestKernelInvariants checks each built fixture for what the kernel
// guarantees of sysfs, so a reader proved on these trees is proved on
// the real layout. Functions a fixture damages on purpose are skipped.
func TestKernelInvariants(t *testing.T) {
	for _, f := range Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			root := buildFixture(t, f)
			checkInvariants(t, root, f.Host)
		})
	}
}

func checkInvariants(t *testing.T, root string, h *Host) {
	skip := damaged(h)
	devicesDir := "sys/bus/pci/devices"
	entries, err := os.ReadDir(filepath.Join(root, devicesDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(h.Devices) {
		t.Errorf("%d entries in %s, %d functions in the spec", len(entries), devicesDir, len(h.Devices))
	}
	dirOf := map[string]string{} // address -> resolved device directory
	for _, e := range entries {
		addr := e.Name()
		dir, err := resolve(root, devicesDir+"/"+addr)
		if err != nil {
			t.Errorf("%s/%s: %v", devicesDir, addr, err)
			continue
		}
		if path.Base(dir) != addr || !strings.HasPrefix(dir, "sys/devices/pci") {
			t.Errorf("%s/%s resolves to %s", devicesDir, addr, dir)
		}
		if info, err := os.Stat(filepath.Join(root, dir)); err != nil || !info.IsDir() {
			t.Errorf("%s/%s: not a directory", devicesDir, addr)
		}
		dirOf[addr] = dir
	}
	for addr, dir := range dirOf {
		if skip[addr] {
			continue
		}
		checkDevice(t, root, addr, dir, dirOf)
	}
	mdevDirs := checkMdev(t, root, dirOf)
	for uuid, dir := range mdevDirs {
		dirOf[uuid] = dir
	}
	checkGroups(t, root, dirOf, skip)
}

// checkMdev: every /sys/class/mdev_bus entry is a PCI function with
// mdev_supported_types, each type with its files; every mdev under
// /sys/bus/mdev/devices sits in an mdev parent's directory, its mdev_type
// is one of that parent's types, whose devices/ links back to it; every
// VF with an nvidia/ directory has its physfn. It returns the mdevs'
// directories by UUID.
func checkMdev(t *testing.T, root string, dirOf map[string]string) map[string]string {
	parents := map[string]bool{}
	entries, _ := os.ReadDir(filepath.Join(root, "sys/class/mdev_bus"))
	for _, e := range entries {
		dir, err := resolve(root, "sys/class/mdev_bus/"+e.Name())
		if err != nil || dir != dirOf[e.Name()] {
			t.Errorf("mdev_bus/%s resolves to %q (%v), not the PCI function", e.Name(), dir, err)
			continue
		}
		parents[dir] = true
		types, err := os.ReadDir(filepath.Join(root, dir, "mdev_supported_types"))
		if err != nil || len(types) == 0 {
			t.Errorf("mdev parent %s has no mdev_supported_types (%v)", e.Name(), err)
		}
		drv, _ := os.Readlink(filepath.Join(root, dir, "driver"))
		for _, ty := range types {
			if !strings.HasPrefix(ty.Name(), path.Base(drv)+"-") {
				t.Errorf("mdev parent %s: type %s is not named after its driver %s", e.Name(), ty.Name(), path.Base(drv))
			}
			for _, f := range []string{"name", "device_api", "available_instances", "create"} {
				if _, err := os.Lstat(filepath.Join(root, dir, "mdev_supported_types", ty.Name(), f)); err != nil {
					t.Errorf("mdev parent %s: type %s lacks %s", e.Name(), ty.Name(), f)
				}
			}
			if _, err := strconv.Atoi(readAttr(t, root, dir+"/mdev_supported_types/"+ty.Name()+"/available_instances")); err != nil {
				t.Errorf("mdev parent %s: type %s: available_instances: %v", e.Name(), ty.Name(), err)
			}
		}
	}
	mdevs := map[string]string{}
	devs, _ := os.ReadDir(filepath.Join(root, "sys/bus/mdev/devices"))
	for _, e := range devs {
		dir, err := resolve(root, "sys/bus/mdev/devices/"+e.Name())
		if err != nil || path.Base(dir) != e.Name() || !parents[path.Dir(dir)] {
			t.Errorf("mdev %s resolves to %q (%v), not a directory of an mdev parent", e.Name(), dir, err)
			continue
		}
		mdevs[e.Name()] = dir
		typeDir, err := resolve(root, dir+"/mdev_type")
		if err != nil || path.Dir(typeDir) != path.Dir(dir)+"/mdev_supported_types" {
			t.Errorf("mdev %s: mdev_type resolves to %q (%v), not a type of its parent", e.Name(), typeDir, err)
			continue
		}
		if back, err := resolve(root, typeDir+"/devices/"+e.Name()); err != nil || back != dir {
			t.Errorf("mdev %s: its type's devices/ does not link back (%q, %v)", e.Name(), back, err)
		}
	}
	for addr, dir := range dirOf {
		if _, err := os.Stat(filepath.Join(root, dir, "nvidia", "current_vgpu_type")); err != nil {
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, dir, "physfn")); err != nil {
			t.Errorf("%s: nvidia/ vGPU state on a function without physfn", addr)
		}
	}
	return mdevs
}

func checkDevice(t *testing.T, root, addr, dir string, dirOf map[string]string) {
	attr := func(name string) string { return readAttr(t, root, dir+"/"+name) }
	exists := func(name string) bool {
		_, err := os.Lstat(filepath.Join(root, dir, name))
		return err == nil
	}
	hex := func(name string) uint64 {
		v, err := strconv.ParseUint(strings.TrimPrefix(attr(name), "0x"), 16, 32)
		if err != nil {
			t.Errorf("%s/%s: %v", addr, name, err)
		}
		return v
	}
	vendor, device, class := hex("vendor"), hex("device"), hex("class")
	sv, sd := hex("subsystem_vendor"), hex("subsystem_device")
	want := fmt.Sprintf("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", vendor, device, sv, sd, class>>16, class>>8&0xff, class&0xff)
	if got := attr("modalias"); got != want {
		t.Errorf("%s: modalias %s, attributes say %s", addr, got, want)
	}
	config, err := os.ReadFile(filepath.Join(root, dir, "config"))
	if err != nil || len(config) < 64 {
		t.Errorf("%s: config: %v (%d bytes)", addr, err, len(config))
		return
	}
	isVF := exists("physfn")
	cfgVendor := uint64(config[0]) | uint64(config[1])<<8
	if !isVF && cfgVendor != vendor {
		t.Errorf("%s: config vendor %04x, vendor file %04x", addr, cfgVendor, vendor)
	}
	if got := uint64(config[9]) | uint64(config[10])<<8 | uint64(config[11])<<16; got != class {
		t.Errorf("%s: config class %06x, class file %06x", addr, got, class)
	}
	// Driver link and its back-link.
	if exists("driver") {
		drvDir, err := resolve(root, dir+"/driver")
		if err != nil || !strings.HasPrefix(drvDir, "sys/bus/pci/drivers/") {
			t.Errorf("%s: driver link resolves to %q (%v)", addr, drvDir, err)
		} else if back, err := resolve(root, drvDir+"/"+addr); err != nil || back != dir {
			t.Errorf("%s: %s/%s resolves to %q (%v)", addr, drvDir, addr, back, err)
		}
	}
	if got, err := resolve(root, dir+"/subsystem"); err != nil || got != "sys/bus/pci" {
		t.Errorf("%s: subsystem link resolves to %q (%v)", addr, got, err)
	}
	// SR-IOV links agree both ways.
	if isVF {
		pf, err := resolve(root, dir+"/physfn")
		if err != nil || path.Dir(pf) != path.Dir(dir) {
			t.Errorf("%s: physfn resolves to %q (%v), not a sibling", addr, pf, err)
		} else {
			found := false
			for i := 0; ; i++ {
				vf, err := resolve(root, fmt.Sprintf("%s/virtfn%d", pf, i))
				if err != nil {
					break
				}
				found = found || vf == dir
			}
			if !found {
				t.Errorf("%s: its PF %s has no virtfn link to it", addr, path.Base(pf))
			}
		}
	}
	if exists("sriov_numvfs") {
		n, _ := strconv.Atoi(attr("sriov_numvfs"))
		for i := range n + 1 {
			_, err := os.Lstat(filepath.Join(root, dir, fmt.Sprintf("virtfn%d", i)))
			if i < n && err != nil {
				t.Errorf("%s: sriov_numvfs %d but no virtfn%d", addr, n, i)
			}
			if i == n && err == nil {
				t.Errorf("%s: sriov_numvfs %d but a virtfn%d", addr, n, i)
			}
		}
	}
	// resource: a 64-bit BAR's upper index is all zeros.
	lines := strings.Split(strings.TrimSuffix(readAttr(t, root, dir+"/resource"), "\n"), "\n")
	bridge := class>>8 == 0x0604 || class>>8 == 0x0609
	if (bridge && len(lines) != 17) || (!bridge && len(lines) != 13) {
		t.Errorf("%s: %d resource lines", addr, len(lines))
	}
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Errorf("%s: resource line %d: %q", addr, i, l)
			continue
		}
		flags, _ := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 64)
		bar := i < 6 || i >= 7 && i < 13
		if bar && flags&ioresMem64 != 0 && i+1 < len(lines) && i != 5 && i != 12 {
			if lines[i+1] != "0x0000000000000000 0x0000000000000000 0x0000000000000000" {
				t.Errorf("%s: resource line %d is a 64-bit BAR but line %d is %q", addr, i, i+1, lines[i+1])
			}
		}
	}
	if bridge {
		sec, _ := strconv.Atoi(attr("secondary_bus_number"))
		sub, _ := strconv.Atoi(attr("subordinate_bus_number"))
		if int(config[0x19]) != sec || int(config[0x1a]) != sub || config[0x0e]&0x7f != 1 {
			t.Errorf("%s: config bus numbers %02x-%02x (header %02x), sysfs %02x-%02x", addr, config[0x19], config[0x1a], config[0x0e], sec, sub)
		}
		// Every function in the bridge's directory is on a bus of its range.
		children, _ := os.ReadDir(filepath.Join(root, dir))
		for _, c := range children {
			if _, ok := dirOf[c.Name()]; !ok || !c.IsDir() {
				continue
			}
			a, err := parseAddr(c.Name())
			if err == nil && (int(a.bus) < sec || int(a.bus) > sub) {
				t.Errorf("%s: child %s outside bus range %02x-%02x", addr, c.Name(), sec, sub)
			}
		}
	}
	if class>>8 == 0x0300 && !exists("boot_vga") {
		t.Errorf("%s: VGA function without boot_vga", addr)
	}
	if class>>8 != 0x0300 && exists("boot_vga") {
		t.Errorf("%s: boot_vga on a non-VGA function", addr)
	}
}

// checkGroups: every device's iommu_group link and the group's devices/
// back-links agree.
func checkGroups(t *testing.T, root string, dirOf map[string]string, skip map[string]bool) {
	groupsDir := "sys/kernel/iommu_groups"
	groups, err := os.ReadDir(filepath.Join(root, groupsDir))
	if err != nil {
		t.Fatal(err)
	}
	member := map[string]string{}
	for _, g := range groups {
		devs, err := os.ReadDir(filepath.Join(root, groupsDir, g.Name(), "devices"))
		if err != nil || len(devs) == 0 {
			t.Errorf("group %s has no devices (%v)", g.Name(), err)
			continue
		}
		typ := readAttr(t, root, groupsDir+"/"+g.Name()+"/type")
		// VFIO's emulated groups of mdevs have no default domain.
		emulated := typ == "unknown" && len(devs) == 1 && len(devs[0].Name()) == 36
		if typ != "DMA" && typ != "DMA-FQ" && typ != "identity" && !emulated {
			t.Errorf("group %s: type %q", g.Name(), typ)
		}
		for _, d := range devs {
			dir, err := resolve(root, groupsDir+"/"+g.Name()+"/devices/"+d.Name())
			if err != nil || dir != dirOf[d.Name()] {
				t.Errorf("group %s: %s resolves to %q (%v)", g.Name(), d.Name(), dir, err)
			}
			member[d.Name()] = g.Name()
		}
	}
	for addr, dir := range dirOf {
		if skip[addr] {
			continue
		}
		g, err := resolve(root, dir+"/iommu_group")
		if err != nil {
			if member[addr] != "" {
				t.Errorf("%s: in group %s but has no iommu_group link", addr, member[addr])
			}
			continue
		}
		if g != groupsDir+"/"+member[addr] {
			t.Errorf("%s: iommu_group resolves to %s, but the group listing it is %q", addr, g, member[addr])
		}
	}
}
