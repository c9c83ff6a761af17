package fakehost

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Build writes the host's root filesystem under dir, which must not exist
// or be empty. The same spec always gives a byte-identical tree.
func (h *Host) Build(dir string) error {
	t, err := h.tree()
	if err != nil {
		return fmt.Errorf("host %s: %w", h.Hostname, err)
	}
	return t.write(dir)
}

// builder carries what the parts of a tree share.
type builder struct {
	h    *Host
	t    tree
	topo *topology
	cpus []logicalCPU
	kv   [2]int
	mods []*loadedModule
}

func (h *Host) tree() (tree, error) {
	topo, err := newTopology(h.Devices)
	if err != nil {
		return nil, err
	}
	if err := topo.allocate(h.CPU.PhysBits); err != nil {
		return nil, err
	}
	b := &builder{h: h, t: tree{}, topo: topo, cpus: h.cpus(), kv: kernelVersion(h.KernelRelease)}
	b.mods = h.moduleSet(topo)
	if err := b.iommuUnits(); err != nil {
		return nil, err
	}
	b.irqs()
	b.pciDevices()
	b.drivers()
	b.iommuGroups()
	b.modules()
	b.system()
	b.firmware()
	b.proc()
	b.etc()
	if err := b.mdevs(); err != nil {
		return nil, err
	}
	if err := b.vendorVGPU(); err != nil {
		return nil, err
	}
	b.mdevctl()
	b.dpkgStatus()
	for p, target := range h.Links {
		b.t.rawLink(p, target)
	}
	if h.PCIIDs {
		b.t.file("usr/share/misc/pci.ids", pciIDs(h.Devices))
	}
	for p, content := range h.Files {
		b.t.file(p, content)
	}
	if err := b.damage(); err != nil {
		return nil, err
	}
	return b.t, nil
}

func (b *builder) iommuOn() bool { return b.h.IOMMU.Kind != NoIOMMU }

// irqs numbers interrupts: functions whose driver uses MSI get vectors in
// probe order; the others show their legacy INTx line.
func (b *builder) irqs() {
	next := 24
	for _, n := range b.topo.probe {
		switch {
		case n.d.Driver != "" && !isVFIODriver(n.d.Driver):
			n.irq = next
			next++
		case n.pf != nil:
			n.irq = 0
		default:
			n.irq = 16 + (int(n.a.dev)+int(n.a.fn))%4
		}
	}
}

// nodeCPUs returns the CPU numbers of a NUMA node, or all CPUs for -1.
func (b *builder) nodeCPUs(node int) []int {
	var ids []int
	for _, c := range b.cpus {
		if node < 0 || c.node == node {
			ids = append(ids, c.id)
		}
	}
	return ids
}

func (b *builder) pciDevices() {
	t := b.t
	modernLink := b.kv[0] > 5 || b.kv[0] == 5 && b.kv[1] >= 5
	vgaPath := map[*node]bool{}
	for _, n := range b.topo.nodes {
		if n.d.BootVGA {
			for p := n.parent; p != nil; p = p.parent {
				vgaPath[p] = true
			}
		}
	}
	t.attr("sys/bus/pci/drivers_autoprobe", "1")
	t.file("sys/bus/pci/drivers_probe", "")
	t.file("sys/bus/pci/rescan", "")
	t.file("sys/bus/pci/resource_alignment", "\n")
	t.dir("sys/bus/pci/devices")
	t.dir("sys/bus/pci/drivers")
	for _, n := range b.topo.nodes {
		d := n.d
		dir := n.dir
		a := func(name, value string) { t.attr(dir+"/"+name, value) }
		a("vendor", fmt.Sprintf("0x%04x", d.Vendor))
		a("device", fmt.Sprintf("0x%04x", d.Device))
		a("subsystem_vendor", fmt.Sprintf("0x%04x", d.SubVendor))
		a("subsystem_device", fmt.Sprintf("0x%04x", d.SubDevice))
		a("class", fmt.Sprintf("0x%06x", d.Class))
		a("revision", fmt.Sprintf("0x%02x", d.Revision))
		a("irq", strconv.Itoa(n.irq))
		enable := "0"
		if d.Driver != "" && !isVFIODriver(d.Driver) {
			enable = "1"
		}
		a("enable", enable)
		a("numa_node", strconv.Itoa(d.NUMANode))
		cpus := b.nodeCPUs(d.NUMANode)
		a("local_cpulist", cpuList(cpus))
		a("local_cpus", cpuMask(cpus, len(b.cpus)))
		a("modalias", modalias(d))
		override := "(null)"
		if d.DriverOverride != "" {
			override = d.DriverOverride
		}
		a("driver_override", override)
		a("power_state", "D0")
		t.bin(dir+"/config", configSpace(n, vgaPath[n]), 0o644)
		t.file(dir+"/resource", resourceFile(n))
		var ue strings.Builder
		if d.Driver != "" {
			fmt.Fprintf(&ue, "DRIVER=%s\n", d.Driver)
		}
		fmt.Fprintf(&ue, "PCI_CLASS=%04X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\nMODALIAS=%s\n",
			d.Class, d.Vendor, d.Device, d.SubVendor, d.SubDevice, n.a.str, modalias(d))
		t.file(dir+"/uevent", ue.String())
		if d.Class>>8 == 0x0300 {
			a("boot_vga", map[bool]string{false: "0", true: "1"}[d.BootVGA])
		}
		if rm := d.ResetMethod; rm != nil {
			if *rm == "" {
				// reset_method_show prints nothing at all, not even a
				// newline, when every method is disabled.
				t.file(dir+"/reset_method", "")
			} else {
				a("reset_method", *rm)
				t.file(dir+"/reset", "")
			}
		}
		if hasPCIe(n) {
			l := d.Link
			if n.pf != nil {
				l = Link{} // a VF's link registers are reserved
			}
			speed, width := "Unknown", "0"
			if !modernLink {
				speed = "Unknown speed"
			}
			maxSpeed, maxWidth := speed, width
			if l.Gen > 0 {
				speed, width = linkSpeed(l.Gen, modernLink), strconv.Itoa(l.Width)
				maxSpeed = linkSpeed(max(l.Gen, l.MaxGen), modernLink)
				maxWidth = strconv.Itoa(max(l.Width, l.MaxWidth))
			}
			a("current_link_speed", speed)
			a("current_link_width", width)
			a("max_link_speed", maxSpeed)
			a("max_link_width", maxWidth)
		}
		if n.bridge {
			a("secondary_bus_number", strconv.Itoa(n.sec))
			a("subordinate_bus_number", strconv.Itoa(n.sub))
		}
		if s := d.SRIOV; s != nil {
			a("sriov_totalvfs", strconv.Itoa(s.TotalVFs))
			a("sriov_numvfs", strconv.Itoa(s.NumVFs))
			a("sriov_offset", strconv.Itoa(s.Offset))
			a("sriov_stride", strconv.Itoa(s.Stride))
			a("sriov_vf_device", fmt.Sprintf("%x", s.VFDevice))
			a("sriov_drivers_autoprobe", "1")
			for i, vf := range n.vfs {
				t.link(fmt.Sprintf("%s/virtfn%d", dir, i), vf.dir)
			}
		}
		if n.pf != nil {
			t.link(dir+"/physfn", n.pf.dir)
		}
		t.link(dir+"/subsystem", "sys/bus/pci")
		if d.Driver != "" {
			t.link(dir+"/driver", "sys/bus/pci/drivers/"+d.Driver)
		}
		// A NIC's network interfaces: .../net/NAME and /sys/class/net/NAME
		// (a device_spec may name a NIC by interface, devname).
		for i, ifname := range d.Net {
			net := dir + "/net/" + ifname
			a("net/"+ifname+"/ifindex", strconv.Itoa(netIndex(n.a.str, i)))
			a("net/"+ifname+"/address", macFor(n.a.str, i))
			t.link("sys/class/net/"+ifname, net)
		}
		if b.iommuOn() && d.IOMMUGroup >= 0 {
			t.link(dir+"/iommu_group", fmt.Sprintf("sys/kernel/iommu_groups/%d", d.IOMMUGroup))
			if n.unit >= 0 {
				t.link(dir+"/iommu", b.unitDir(n.unit))
			}
		}
		t.link("sys/bus/pci/devices/"+n.a.str, dir)
	}
}

// drivers writes /sys/bus/pci/drivers: one directory per registered PCI
// driver (bound to something, or registered by a loaded module), with
// back-links to its devices and a link to its module.
func (b *builder) drivers() {
	t := b.t
	loaded := map[string]bool{}
	drivers := map[string]bool{"pcieport": true}
	for _, m := range b.mods {
		loaded[m.name] = true
		if drv := knownModules[m.name].driver; drv != "" {
			drivers[drv] = true
		}
	}
	for _, n := range b.topo.nodes {
		if n.d.Driver != "" {
			drivers[n.d.Driver] = true
			t.link("sys/bus/pci/drivers/"+n.d.Driver+"/"+n.a.str, n.dir)
		}
	}
	for drv := range drivers {
		dir := "sys/bus/pci/drivers/" + drv
		for _, f := range []string{"bind", "unbind", "new_id", "remove_id", "uevent"} {
			t.file(dir+"/"+f, "")
		}
		if mod := driverModule[drv]; mod != "" && loaded[mod] && !builtinDrivers[drv] {
			t.link(dir+"/module", "sys/module/"+mod)
		}
	}
}

func (b *builder) domainType() string {
	if dt := b.h.IOMMU.DomainType; dt != "" {
		return dt
	}
	for _, f := range strings.Fields(b.h.Cmdline) {
		if f == "iommu=pt" || f == "amd_iommu=pt" {
			return "identity"
		}
	}
	if b.kv[0] > 5 || b.kv[0] == 5 && b.kv[1] >= 15 {
		return "DMA-FQ"
	}
	return "DMA"
}

// iommuGroups writes /sys/kernel/iommu_groups and the /dev/vfio nodes of
// the groups vfio-pci has claimed.
func (b *builder) iommuGroups() {
	t := b.t
	t.dir("sys/kernel/iommu_groups")
	if !b.iommuOn() {
		return
	}
	vfio := map[int]bool{}
	groups := map[int]bool{}
	for _, n := range b.topo.nodes {
		g := n.d.IOMMUGroup
		if g < 0 {
			continue
		}
		groups[g] = true
		t.link(fmt.Sprintf("sys/kernel/iommu_groups/%d/devices/%s", g, n.a.str), n.dir)
		// vfio-pci, a variant driver, or NVIDIA's vendor framework
		// (which registers each VF with VFIO itself) claim the group.
		if isVFIODriver(n.d.Driver) || n.d.VGPU != nil {
			vfio[g] = true
		}
	}
	regions := "0x00000000fee00000 0x00000000feefffff msi\n"
	switch b.h.IOMMU.Kind {
	case AMDVi:
		regions += "0x000000fd00000000 0x000000ffffffffff reserved\n"
	case ARMSMMUv3:
		// The software MSI window arm-smmu-v3 reserves (MSI_IOVA_BASE
		// 0x8000000, MSI_IOVA_LENGTH 0x100000).
		regions = "0x0000000008000000 0x00000000080fffff msi\n"
	}
	for g := range groups {
		dir := fmt.Sprintf("sys/kernel/iommu_groups/%d", g)
		t.attr(dir+"/type", b.domainType())
		t.file(dir+"/reserved_regions", regions)
	}
	if b.moduleLoaded("vfio") {
		for g := range vfio {
			t.file(fmt.Sprintf("dev/vfio/%d", g), "")
		}
	}
}

func (b *builder) moduleLoaded(name string) bool {
	for _, m := range b.mods {
		if m.name == name {
			return true
		}
	}
	return false
}

// iommuUnits maps each function to the unit translating for it and
// writes the units under /sys/class/iommu.
func (b *builder) iommuUnits() error {
	t := b.t
	t.dir("sys/class/iommu")
	h := b.h
	if !b.iommuOn() {
		return nil
	}
	units := h.IOMMU.Units
	if len(units) == 0 {
		return fmt.Errorf("IOMMU on but no unit")
	}
	for i, u := range units {
		if h.IOMMU.Kind == ARMSMMUv3 {
			// drivers/iommu/arm/arm-smmu-v3: iommu_device_sysfs_add(...,
			// "smmu3.%pa", base) under the platform device (research 4.2).
			dir := b.unitDir(i)
			t.dir(dir + "/devices")
			// The kernel writes this link through the common ancestor's
			// parent (kernfs_get_target_path): ../../../arm-smmu-v3.0.auto.
			t.rawLink(dir+"/device", fmt.Sprintf("../../../arm-smmu-v3.%d.auto", i))
			t.link("sys/class/iommu/smmu3."+u.Address, dir)
			continue
		}
		if h.IOMMU.Kind == AMDVi {
			n := b.topo.byAddr[u.Device]
			if n == nil {
				return fmt.Errorf("AMD IOMMU unit %d: device %q not among the host's functions", i, u.Device)
			}
			dir := b.unitDir(i)
			t.attr(dir+"/amd-iommu/cap", u.Cap)
			t.attr(dir+"/amd-iommu/features", u.ECap)
			t.dir(dir + "/devices")
			t.link(fmt.Sprintf("sys/class/iommu/ivhd%d", i), dir)
		} else {
			dir := b.unitDir(i)
			t.attr(dir+"/intel-iommu/address", u.Address)
			t.attr(dir+"/intel-iommu/cap", u.Cap)
			t.attr(dir+"/intel-iommu/ecap", u.ECap)
			t.attr(dir+"/intel-iommu/version", "1:0")
			t.dir(dir + "/devices")
			t.link(fmt.Sprintf("sys/class/iommu/dmar%d", i), dir)
		}
	}
	for _, n := range b.topo.nodes {
		if n.d.IOMMUGroup < 0 || underVMD(n) {
			continue
		}
		n.unit = b.unitFor(n)
		if n.unit >= 0 {
			t.link(b.unitDir(n.unit)+"/devices/"+n.a.str, n.dir)
		}
	}
	return nil
}

func (b *builder) unitDir(i int) string {
	if b.h.IOMMU.Kind == ARMSMMUv3 {
		return fmt.Sprintf("sys/devices/platform/arm-smmu-v3.%d.auto/iommu/smmu3.%s", i, b.h.IOMMU.Units[i].Address)
	}
	if b.h.IOMMU.Kind == AMDVi {
		return b.topo.byAddr[b.h.IOMMU.Units[i].Device].dir + fmt.Sprintf("/iommu/ivhd%d", i)
	}
	return fmt.Sprintf("sys/devices/virtual/iommu/dmar%d", i)
}

// unitFor finds the unit whose scope holds a function: a scope naming the
// function or a bridge above it, or its root bus; else the catch-all unit
// (Intel) or the unit on the same root bus (AMD).
func (b *builder) unitFor(n *node) int {
	top := n
	if top.pf != nil {
		top = top.pf
	}
	var chain []string
	for p := top; p != nil; p = p.parent {
		chain = append(chain, p.a.str)
		top = p
	}
	rootBus := top.a.domainBusS
	catchAll := -1
	for i, u := range b.h.IOMMU.Units {
		scope := u.Scope
		if len(scope) == 0 {
			if b.h.IOMMU.Kind == AMDVi {
				if a, err := parseAddr(u.Device); err == nil {
					scope = []string{a.domainBusS}
				}
			} else {
				catchAll = i
				continue
			}
		}
		for _, s := range scope {
			if s == rootBus {
				return i
			}
			for _, c := range chain {
				if s == c {
					return i
				}
			}
		}
	}
	return catchAll
}

// modules writes /proc/modules, /sys/module and modules.builtin.
func (b *builder) modules() {
	t := b.t
	t.file("proc/modules", procModules(b.mods))
	t.file("lib/modules/"+b.h.KernelRelease+"/modules.builtin", modulesBuiltin(b.mods, b.h.CPU.IsARM64()))
	for _, m := range b.mods {
		dir := "sys/module/" + m.name
		t.file(dir+"/uevent", "")
		for k, v := range m.params {
			t.attr(dir+"/parameters/"+k, v)
		}
		if m.builtin {
			continue
		}
		t.attr(dir+"/initstate", "live")
		t.attr(dir+"/refcnt", strconv.Itoa(len(m.usedBy)))
		t.attr(dir+"/coresize", strconv.Itoa(m.size))
		t.attr(dir+"/initsize", "0")
		taint := ""
		if m.taint != "" {
			taint = "POE"
		}
		t.attr(dir+"/taint", taint)
		t.dir(dir + "/holders")
		for _, u := range m.usedBy {
			t.link(dir+"/holders/"+u, "sys/module/"+u)
		}
		if drv := knownModules[m.name].driver; drv != "" {
			t.link(dir+"/drivers/pci:"+drv, "sys/bus/pci/drivers/"+drv)
		}
	}
}

// system writes /sys/devices/system: NUMA nodes and CPUs.
func (b *builder) system() {
	t := b.t
	nodes := b.h.numaNodes()
	all := cpuList(b.nodeCPUs(-1))
	nodeList := cpuList(seq(nodes))
	base := "sys/devices/system/node/"
	for _, f := range []string{"online", "possible", "has_cpu", "has_memory", "has_normal_memory"} {
		t.attr(base+f, nodeList)
	}
	perNode := b.h.MemTotalKB / uint64(nodes)
	for i := range nodes {
		dir := fmt.Sprintf("%snode%d", base, i)
		cpus := b.nodeCPUs(i)
		t.attr(dir+"/cpulist", cpuList(cpus))
		t.attr(dir+"/cpumap", cpuMask(cpus, len(b.cpus)))
		var dist []string
		for j := range nodes {
			dist = append(dist, map[bool]string{true: "10", false: "21"}[i == j])
		}
		t.attr(dir+"/distance", strings.Join(dist, " "))
		t.file(dir+"/meminfo", fmt.Sprintf("Node %d MemTotal:       %d kB\nNode %d MemFree:        %d kB\nNode %d MemUsed:        %d kB\n",
			i, perNode, i, perNode*83/100, i, perNode-perNode*83/100))
		for _, p := range b.h.hugePagePools() {
			pages := 0
			if i < len(p.PerNode) {
				pages = p.PerNode[i]
			}
			hp := fmt.Sprintf("%s/hugepages/hugepages-%dkB/", dir, p.SizeKB)
			t.attr(hp+"nr_hugepages", strconv.Itoa(pages))
			t.attr(hp+"free_hugepages", strconv.Itoa(max(0, pages-p.Used)))
			t.attr(hp+"surplus_hugepages", "0")
		}
	}
	for _, f := range []string{"online", "possible", "present"} {
		t.attr("sys/devices/system/cpu/"+f, all)
	}
	t.attr("sys/devices/system/cpu/kernel_max", "8191")
	// Each CPU's package (Documentation/ABI/stable/sysfs-devices-system-cpu,
	// topology/physical_package_id): the socket a NUMA node is on.
	for _, c := range b.cpus {
		t.attr(fmt.Sprintf("sys/devices/system/cpu/cpu%d/topology/physical_package_id", c.id), strconv.Itoa(c.socket))
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// firmware writes the ACPI tables: a valid 36-byte header each (a
// reader lists them; none parses them).
func (b *builder) firmware() {
	t := b.t
	t.dir("sys/firmware/acpi/tables/dynamic")
	oem := "INTEL "
	switch {
	case b.h.CPU.Vendor == "AuthenticAMD":
		oem = "AMD   "
	case b.h.CPU.IsARM64():
		oem = "NVIDIA"
	}
	for _, sig := range b.h.ACPITables {
		t.bin("sys/firmware/acpi/tables/"+sig, acpiHeader(sig, oem), 0o444)
	}
	if b.h.IORT != nil {
		// Root-only in practice (scripts read it with sudo; research 4.2).
		t.bin("sys/firmware/acpi/tables/IORT", iortTable(b.h.IORT, oem), 0o400)
	}
}

func acpiHeader(sig, oem string) []byte {
	h := make([]byte, 36)
	copy(h[0:4], (sig + "    ")[:4])
	h[4] = 36 // length
	h[8] = 1  // revision
	copy(h[10:16], oem)
	copy(h[16:24], "GPUPASS ")
	h[24] = 1
	copy(h[28:32], "INTL")
	h[32], h[33] = 0x28, 0x05 // creator revision 20200528
	h[34], h[35] = 0x20, 0x01
	var sum byte
	for _, c := range h {
		sum += c
	}
	h[9] = -sum // checksum: all bytes add up to zero
	return h
}

func (b *builder) proc() {
	t := b.t
	h := b.h
	t.attr("proc/cmdline", h.Cmdline)
	t.file("proc/cpuinfo", h.cpuinfo())
	t.file("proc/meminfo", h.meminfo())
	t.attr("proc/sys/kernel/hostname", h.Hostname)
	t.attr("proc/sys/kernel/osrelease", h.KernelRelease)
	t.attr("proc/version", fmt.Sprintf("Linux version %s (builder@buildhost) (gcc (GCC) 12.2.0, GNU ld (GNU Binutils) 2.40) #1 SMP PREEMPT_DYNAMIC", h.KernelRelease))
	if b.moduleLoaded("vfio") {
		t.file("dev/vfio/vfio", "")
	}
	virt := strings.Contains(" "+h.CPU.Flags+" ", " vmx ") || strings.Contains(" "+h.CPU.Flags+" ", " svm ")
	if virt && (b.moduleLoaded("kvm_intel") || b.moduleLoaded("kvm_amd")) {
		t.file("dev/kvm", "")
	}
	// arm64 builds KVM into the kernel (it cannot be a module); libvirt
	// assumes hardware virtualization there and checks /dev/kvm only
	// (research 4.3).
	if h.CPU.IsARM64() {
		t.file("dev/kvm", "")
	}
	t.dir("dev")
}

func (b *builder) etc() {
	t := b.t
	t.attr("etc/hostname", b.h.Hostname)
	if b.h.OSRelease != "" {
		t.file("etc/os-release", b.h.OSRelease)
	}
}

// damage applies the spec's Damage list.
func (b *builder) damage() error {
	for _, d := range b.h.Damage {
		p := d.File
		if d.Addr != "" {
			n := b.topo.byAddr[d.Addr]
			if n == nil {
				return fmt.Errorf("damage: no device %s", d.Addr)
			}
			p = n.dir + "/" + d.File
		}
		switch d.Kind {
		case Replace:
			b.t.file(p, d.Data)
		case Remove:
			if _, ok := b.t[p]; !ok {
				return fmt.Errorf("damage: nothing to remove at %s", p)
			}
			delete(b.t, p)
		case LinkLoop:
			b.t.rawLink(p, p[strings.LastIndexByte(p, '/')+1:])
		}
	}
	return nil
}

// Functions returns the PCI addresses of the host, sorted.
func (h *Host) Functions() []string {
	out := make([]string, len(h.Devices))
	for i, d := range h.Devices {
		out[i] = d.Addr
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := parseAddr(out[i])
		b, _ := parseAddr(out[j])
		return a.less(b)
	})
	return out
}

// netIndex is a stable interface index for the i-th interface of a
// function (the kernel's are assigned in probe order; any stable value
// serves a fixture).
func netIndex(addr string, i int) int {
	h := 0
	for _, c := range addr {
		h = (h*31 + int(c)) % 9000
	}
	return 2 + h + i
}

// macFor is a stable, locally administered MAC address for a fixture NIC.
func macFor(addr string, i int) string {
	h := uint32(2166136261)
	for _, c := range addr {
		h = (h ^ uint32(c)) * 16777619
	}
	h += uint32(i)
	return fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", byte(h>>24), byte(h>>16), byte(h>>8), byte(h))
}
