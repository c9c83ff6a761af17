package generate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/pcidev"
)

// Artifacts are the names `gpupass generate` takes, in the order an
// operator applies them.
var Artifacts = []string{"kernel-args", "modprobe", "nova-conf", "flavor", "all"}

// Write renders one artifact of the plan.
func Write(p *Plan, artifact string) (string, error) {
	d, err := p.render(artifact)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// Commands are the command lines the artifact's document prints, in
// order, each as the words it runs.
func (p *Plan) Commands(artifact string) ([]Line, error) {
	d, err := p.render(artifact)
	if err != nil {
		return nil, err
	}
	return d.cmds, nil
}

func (p *Plan) render(artifact string) (*doc, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	d := &doc{}
	switch artifact {
	case "nova-conf":
		p.header(d, "nova-conf")
		p.novaConfDoc(d)
	case "kernel-args":
		p.header(d, "kernel-args")
		p.kernelDoc(d)
	case "modprobe":
		p.header(d, "modprobe")
		p.modprobeDoc(d)
	case "flavor":
		p.header(d, "flavor")
		p.flavorDoc(d)
	case "all":
		p.allDoc(d)
	default:
		return nil, fmt.Errorf("unknown artifact %q: want one of %s", artifact, strings.Join(Artifacts, ", "))
	}
	return d, nil
}

func (p *Plan) hostName() string { return hostName(p.Host) }

func (p *Plan) rules() string {
	if p.Options.PreZed {
		return "Nova before Zed: [pci]passthrough_whitelist"
	}
	return "Nova " + p.Options.Release.Name + " rules"
}

// header says what the document is for, what it gives to guests and what
// it leaves, as comments.
func (p *Plan) header(d *doc, artifact string) {
	d.note(fmt.Sprintf("gpupass generate %s for %s (%s)", artifact, p.hostName(), p.rules()))
	p.summary(d)
	d.blank()
}

func (p *Plan) summary(d *doc) {
	if len(p.Models) == 0 {
		d.text("#\n# No GPU is selected for passthrough: nothing to configure.\n")
	} else {
		d.text("#\n# For guests:\n")
		for _, m := range p.Models {
			for _, dev := range m.Devices {
				d.comment("#   ", "#     ", fmt.Sprintf("%s  alias %s", pcidev.Describe(dev), m.Alias))
			}
		}
		for _, c := range p.Companions {
			d.comment("#   ", "#     ", pcidev.Describe(c)+"  (on the same card: bound to vfio-pci with it, not offered to Nova)")
		}
	}
	if len(p.Left) > 0 {
		d.line("# Left with the host:")
		for _, s := range p.Left {
			d.comment("#   ", "#     ", pcidev.Describe(s.Device)+": "+s.Why)
		}
	}
	if len(p.Problems) > 0 {
		d.line("# Not fixed by configuration:")
		for _, pr := range p.Problems {
			d.comment("#   ", "#     ", pr)
		}
	}
}

// ComputeConf is the compute node's snippet: a complete nova.conf file.
func (p *Plan) ComputeConf() string {
	var b strings.Builder
	b.WriteString("[pci]\n")
	for _, v := range p.deviceSpecs() {
		fmt.Fprintf(&b, "%s = %s\n", p.deviceSpecOption(), v)
	}
	for _, v := range p.aliases() {
		fmt.Fprintf(&b, "alias = %s\n", v)
	}
	if p.Options.Placement {
		b.WriteString("report_in_placement = True\n")
	}
	if p.fixVirtType() {
		// PCI passthrough needs KVM: qemu (emulation) cannot assign devices.
		b.WriteString("\n[libvirt]\nvirt_type = kvm\n")
	}
	if len(lookup(p.Options.Conf, novaconf.OptEnabledFilters)) > 0 {
		// This node's nova.conf sets the scheduler's filters (an all-in-one
		// or a controller that also computes): they need the filter too.
		fmt.Fprintf(&b, "\n[filter_scheduler]\nenabled_filters = %s\n", strings.Join(p.enabledFilters(), ","))
	}
	return b.String()
}

// fixVirtType reports a node whose [libvirt]virt_type is set to anything
// but kvm (qemu emulates and cannot pass devices through; a typo stops
// nova-compute).
func (p *Plan) fixVirtType() bool {
	vals := lookup(p.Options.Conf, novaconf.OptVirtType)
	return len(vals) > 0 && strings.TrimSpace(vals[len(vals)-1].Text) != "kvm"
}

// APIConf is the snippet for the nova-api, scheduler and conductor nodes:
// a complete nova.conf file.
func (p *Plan) APIConf() string {
	var b strings.Builder
	b.WriteString("[pci]\n")
	for _, v := range p.aliases() {
		fmt.Fprintf(&b, "alias = %s\n", v)
	}
	b.WriteString("\n[filter_scheduler]\n")
	fmt.Fprintf(&b, "enabled_filters = %s\n", strings.Join(p.enabledFilters(), ","))
	if p.Options.Placement {
		b.WriteString("pci_in_placement = True\n")
	}
	return b.String()
}

// enabledFilters are the filters already configured (the node's nova.conf
// when given, else Nova's default) with PciPassthroughFilter added.
func (p *Plan) enabledFilters() []string {
	raw := novaconf.OptEnabledFilters.Default
	if vals := p.filterValues(); len(vals) > 0 {
		raw = vals[len(vals)-1].Text
	}
	var out []string
	for _, f := range strings.Split(raw, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if !slices.Contains(out, "PciPassthroughFilter") {
		out = append(out, "PciPassthroughFilter")
	}
	return out
}

// filterValues are enabled_filters as configured: the API node's
// nova.conf (--api-conf) when given, else this node's.
func (p *Plan) filterValues() []novaconf.Value {
	if vals := lookup(p.Options.APIConf, novaconf.OptEnabledFilters); len(vals) > 0 {
		return vals
	}
	return lookup(p.Options.Conf, novaconf.OptEnabledFilters)
}

func (p *Plan) filtersFrom() string {
	if vals := p.filterValues(); len(vals) > 0 {
		return "the filters enabled at " + vals[len(vals)-1].Source.String()
	}
	return "Nova's default filters (give the scheduler's nova.conf with --api-conf to start from its own)"
}

// Replaced are the lines of the node's nova.conf that the compute snippet
// replaces: its [pci] device_spec (or passthrough_whitelist) and alias
// values, which would otherwise add to the generated ones.
func (p *Plan) Replaced() []novaconf.Value {
	var out []novaconf.Value
	for _, opt := range []novaconf.Option{novaconf.OptDeviceSpec, novaconf.OptAlias, novaconf.OptReportInPlacement, novaconf.OptEnabledFilters} {
		out = append(out, lookup(p.Options.Conf, opt)...)
	}
	if p.fixVirtType() {
		out = append(out, lookup(p.Options.Conf, novaconf.OptVirtType)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Source.File != out[j].Source.File {
			return out[i].Source.File < out[j].Source.File
		}
		return out[i].Source.Line < out[j].Source.Line
	})
	return out
}

func (p *Plan) novaConfDoc(d *doc) {
	if len(p.Models) == 0 {
		d.note("Nothing to add to nova.conf.")
		return
	}
	if old := p.Replaced(); len(old) > 0 {
		d.comment("# 0. ", "#    ", "First remove these lines of this node's nova.conf: the snippet below replaces them (kept, PCI entries would add to it, and the last value of the others would win):")
		for _, v := range old {
			first, rest, more := strings.Cut(v.Redacted(), "\n")
			if more {
				first += fmt.Sprintf(" ... (and %d more lines)", strings.Count(rest, "\n")+1)
			}
			d.comment("#    ", "#      ", fmt.Sprintf("%s: %s = %s", v.Source, v.Name, first))
		}
	}
	if len(p.Options.ExposedFiles) > 0 {
		d.comment("# 0. ", "#    ", "These files hold passwords and every user on the host can read them (GP314):")
		for _, f := range p.Options.ExposedFiles {
			d.run(Command{"chmod", "0640", f}, Command{"chgrp", "nova", f})
		}
	}
	d.comment("# 1. ", "#    ", "On this compute node: add to the nova.conf nova-compute reads (for example /etc/nova/nova.conf, or a file of its --config-dir), then restart nova-compute.")
	if p.Options.Layout == "kolla" {
		d.comment("#    ", "#    ", "kolla-ansible: put it in /etc/kolla/config/nova/nova-compute.conf on the deploy host, then kolla-ansible reconfigure -t nova.")
	}
	d.text(p.ComputeConf())
	d.blank()
	d.comment("# 2. ", "#    ", "On every nova-api, nova-scheduler and nova-conductor node: the same aliases (flavors are translated with the API node's), and PciPassthroughFilter added to "+p.filtersFrom()+". Then restart those services.")
	d.text(p.APIConf())
}

// KernelChange is what to add to and remove from the kernel command line.
type KernelChange struct {
	Add, Remove []string
}

// Kernel works out the kernel command-line change for the plan.
func (p *Plan) Kernel() KernelChange {
	var k KernelChange
	if len(p.Models) == 0 {
		return k
	}
	tokens := strings.Fields(p.Host.Kernel.Cmdline)
	has := func(arg string) bool {
		for _, t := range tokens {
			if normArg(t) == normArg(arg) {
				return true
			}
		}
		return false
	}
	for _, t := range tokens {
		switch n := normArg(t); {
		case n == "intel-iommu=off", n == "amd-iommu=off", n == "iommu=off":
			k.Remove = append(k.Remove, t)
		case strings.HasPrefix(n, "pci-stub.ids="):
			k.Remove = append(k.Remove, t) // vfio-pci takes them instead (GP211)
		}
	}
	if p.Host.CPU.IOMMUVendor() == "intel" && !has("intel_iommu=on") {
		k.Add = append(k.Add, "intel_iommu=on")
	}
	if !has("iommu=pt") {
		k.Add = append(k.Add, "iommu=pt")
	}
	ids, _ := p.IDBinding()
	var old []string
	have := map[string]bool{}
	for _, t := range tokens {
		if _, v, ok := strings.Cut(t, "="); ok && strings.HasPrefix(normArg(t), "vfio-pci.ids=") {
			old = append(old, t)
			for _, id := range strings.Split(v, ",") {
				have[strings.ToLower(id)] = true
			}
		}
	}
	missing := false
	for _, id := range ids {
		missing = missing || !have[id]
	}
	if missing || len(old) > 1 {
		// One vfio-pci.ids with every ID: the kernel keeps only the last
		// of repeated parameters.
		for id := range have {
			if id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		k.Remove = append(k.Remove, old...)
		k.Add = append(k.Add, "vfio-pci.ids="+strings.Join(ids, ","))
	}
	if p.dracut() && !has("rd.driver.pre=vfio-pci") {
		k.Add = append(k.Add, "rd.driver.pre=vfio-pci")
	}
	return k
}

// normArg writes a kernel parameter as the kernel compares names: dashes
// and underscores alike (parameq), values as they are.
func normArg(t string) string {
	key, value, hasValue := strings.Cut(t, "=")
	key = strings.ReplaceAll(key, "_", "-")
	if hasValue {
		return key + "=" + value
	}
	return key
}

// NewCmdline is the kernel command line after the change.
func (p *Plan) NewCmdline() string {
	k := p.Kernel()
	var out []string
	for _, a := range strings.Fields(p.Host.Kernel.Cmdline) {
		if !slices.Contains(k.Remove, a) {
			out = append(out, a)
		}
	}
	return strings.Join(append(out, k.Add...), " ")
}

// dracut reports a distribution whose initramfs dracut builds.
func (p *Plan) dracut() bool {
	s := p.Options.System
	if s.Has != nil && s.Has["dracut"] {
		return true
	}
	return s.Is("rhel", "fedora", "centos", "rocky", "almalinux", "suse", "opensuse", "sles")
}

func (p *Plan) kernelDoc(d *doc) {
	k := p.Kernel()
	if len(k.Add) == 0 && len(k.Remove) == 0 {
		d.note("The kernel command line needs no change.")
		return
	}
	d.line("add: " + strings.Join(k.Add, " "))
	if len(k.Remove) > 0 {
		d.line("remove: " + strings.Join(k.Remove, " "))
	}
	d.line("result: " + p.NewCmdline())
	d.blank()
	d.note("Apply it, then reboot:")
	for _, line := range p.bootCommands(k) {
		d.add(line)
	}
}

// bootCommands apply a kernel command-line change on the host's boot
// set-up, or list the usual ones when it is unknown.
func (p *Plan) bootCommands(k KernelChange) []docLine {
	s := p.Options.System
	add, remove := strings.Join(k.Add, " "), strings.Join(k.Remove, " ")
	grubby := Command{"grubby", "--update-kernel=ALL", "--args=" + add}
	if remove != "" {
		grubby = append(grubby, "--remove-args="+remove)
	}
	var kernelstub []docLine
	for _, a := range k.Add {
		kernelstub = append(kernelstub, run(Command{"kernelstub", "-a", a}))
	}
	for _, a := range k.Remove {
		kernelstub = append(kernelstub, run(Command{"kernelstub", "-d", a}))
	}
	edit := []docLine{remark("#   ", "#     ", "in /etc/default/grub, GRUB_CMDLINE_LINUX_DEFAULT: add "+add)}
	if remove != "" {
		edit = append(edit, remark("#   ", "#     ", "and remove "+remove))
	}
	debian := append(append([]docLine{}, edit...), run(Command{"update-grub"}))
	grub2 := append(append([]docLine{}, edit...), run(Command{"grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"}))
	switch {
	case s.Has["kernelstub"] || s.Is("pop"):
		return append([]docLine{remark("# ", "# ", "kernelstub (systemd-boot, Pop!_OS):")}, kernelstub...)
	case s.Has["grubby"] || s.Is("rhel", "fedora", "centos", "rocky", "almalinux"):
		return []docLine{remark("# ", "# ", "grubby (RHEL, Fedora and derivatives):"), run(grubby)}
	case s.Has["update-grub"] || s.Is("debian", "ubuntu"):
		return append([]docLine{remark("# ", "# ", "GRUB on Debian/Ubuntu:")}, debian...)
	case s.Has["grub2-mkconfig"] || s.Is("suse", "opensuse", "sles"):
		return append([]docLine{remark("# ", "# ", "GRUB 2 (SUSE and others):")}, grub2...)
	}
	out := []docLine{remark("# ", "# ", "The boot set-up is unknown; one of:"), remark("# - ", "#   ", "grubby (RHEL, Fedora):"), run(grubby), remark("# - ", "#   ", "GRUB on Debian/Ubuntu:")}
	out = append(out, debian...)
	out = append(out, remark("# - ", "#   ", "kernelstub (Pop!_OS):"))
	return append(out, kernelstub...)
}

// softdeps are the modules vfio-pci must load before.
func (p *Plan) softdeps() []string {
	set := map[string]bool{}
	for _, d := range p.Bound() {
		for _, m := range pcidev.GPUHostDriversOf(d.VendorID) {
			if pcidev.IsDisplay(d) {
				set[m] = true
			}
		}
		if len(d.Class) >= 4 {
			for _, m := range pcidev.CompanionDrivers[d.Class[:4]] {
				if d.VendorID == "10de" || m != "i2c_nvidia_gpu" {
					set[m] = true
				}
			}
		}
		if mod := pcidev.DriverModule(d); mod != "" && !pcidev.BoundToVFIO(d) {
			set[mod] = true
		}
	}
	var out []string
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// ModprobeConf is the modprobe.d file.
func (p *Plan) ModprobeConf() string {
	var b strings.Builder
	ids, _ := p.IDBinding()
	if len(ids) > 0 {
		fmt.Fprintf(&b, "options vfio-pci ids=%s\n", strings.Join(ids, ","))
	}
	for _, m := range p.softdeps() {
		fmt.Fprintf(&b, "softdep %s pre: vfio-pci\n", m)
	}
	return b.String()
}

// ReplacedModprobe are the host's modprobe.d directives the generated file
// replaces: options of vfio-pci and pci-stub that set ids (the kernel keeps
// the last value of a parameter, so an older list read later would win).
func (p *Plan) ReplacedModprobe() []hostinfo.Directive {
	var out []hostinfo.Directive
	for _, d := range p.Host.Modprobe {
		if d.Command == "options" && (d.Module == "vfio_pci" || d.Module == "pci_stub") && strings.Contains(d.Args, "ids=") && d.File != ModprobePath {
			out = append(out, d)
		}
	}
	return out
}

// ModprobePath is where the modprobe.d file goes.
const ModprobePath = "/etc/modprobe.d/gpupass-vfio.conf"

func (p *Plan) modprobeDoc(d *doc) {
	if len(p.Models) == 0 {
		d.note("Nothing to bind to vfio-pci.")
		return
	}
	if old := p.ReplacedModprobe(); len(old) > 0 {
		d.note("First remove these lines: the file below replaces them (an ids= read after it would win):")
		for _, dir := range old {
			d.comment("#   ", "#     ", fmt.Sprintf("%s:%d: %s %s %s", dir.File, dir.Line, dir.Command, strings.ReplaceAll(dir.Module, "_", "-"), dir.Args))
		}
	}
	d.note(ModprobePath + ": vfio-pci claims the GPUs and their companion functions at boot, and loads before the host drivers that would take them.")
	d.text(p.ModprobeConf())
	if _, byAddr := p.IDBinding(); len(byAddr) > 0 {
		d.blank()
		d.note("Other functions with the same IDs stay with the host, so these are bound by address, persistently, with driverctl (not by ID):")
		for _, dev := range byAddr {
			d.run(Command{"driverctl", "set-override", dev.Address, "vfio-pci"})
		}
	}
	d.blank()
	d.note("Then rebuild the initramfs, so that it holds this file, and reboot:")
	d.add(p.initramfs())
}

// initramfs is the command that rebuilds the initramfs on the host's
// distribution, or a comment naming the usual ones.
func (p *Plan) initramfs() docLine {
	s := p.Options.System
	switch {
	case s.Has["update-initramfs"] || s.Is("debian", "ubuntu"):
		return run(Command{"update-initramfs", "-u", "-k", "all"})
	case s.Has["mkinitcpio"] || s.Is("arch"):
		return run(Command{"mkinitcpio", "-P"})
	case p.dracut():
		return run(Command{"dracut", "-f", "--regenerate-all"})
	}
	return remark("# ", "#   ", "one of: update-initramfs -u -k all (Debian, Ubuntu); dracut -f --regenerate-all (RHEL, Fedora, SUSE); mkinitcpio -P (Arch)")
}

// Flavor is one generated flavor.
type Flavor struct {
	Name       string
	VCPUs      int
	RAMMB      int
	DiskGB     int
	ExtraSpecs [][2]string // in order
}

// Flavors are 1, 2, 4 and 8 GPUs of each model, up to what the host has,
// with vCPUs and RAM in proportion to the host per GPU and a NUMA
// placement the host's layout can meet.
func (p *Plan) Flavors() []Flavor {
	var out []Flavor
	h := p.Host
	for _, m := range p.Models {
		n := len(m.Devices)
		// 90% of the host's CPUs and RAM shared among its GPUs of the
		// model; with several NUMA nodes, 90% of one node's among the
		// GPUs on the fullest node, so that a guest fits the nodes its
		// GPUs sit on.
		cpus, ram, share := h.CPU.LogicalCPUs, int(h.MemoryMB), n
		if perNode := maxPerNode(m); h.NUMANodes > 1 && perNode > 0 {
			cpus, ram, share = cpus/h.NUMANodes, ram/h.NUMANodes, perNode
		}
		cpusPerGPU := max(cpus*9/10/share/2*2, 2) // even
		ramPerGPU := max(ram*9/10/share/1024*1024, 4096)
		for _, count := range []int{1, 2, 4, 8} {
			if count > n {
				break
			}
			f := Flavor{
				Name:   flavorName(m.Alias, count),
				VCPUs:  cpusPerGPU * count,
				RAMMB:  ramPerGPU * count,
				DiskGB: 100,
			}
			f.ExtraSpecs = append(f.ExtraSpecs, [2]string{"pci_passthrough:alias", fmt.Sprintf("%s:%d", m.Alias, count)})
			if nodes := nodesFor(m, count); nodes > 0 && h.NUMANodes > 1 && f.VCPUs%nodes == 0 && f.RAMMB%nodes == 0 {
				f.ExtraSpecs = append(f.ExtraSpecs,
					[2]string{"hw:numa_nodes", fmt.Sprint(nodes)},
					[2]string{"hw:pci_numa_affinity_policy", "required"})
			} else if h.NUMANodes > 1 {
				f.ExtraSpecs = append(f.ExtraSpecs, [2]string{"hw:pci_numa_affinity_policy", "preferred"})
			}
			out = append(out, f)
		}
	}
	return out
}

// maxPerNode is the most devices of the model on one NUMA node (0 when
// some device's node is unknown).
func maxPerNode(m *Model) int {
	if m.PerNUMANode[-1] > 0 {
		return 0
	}
	most := 0
	for _, c := range m.PerNUMANode {
		most = max(most, c)
	}
	return most
}

// nodesFor is the fewest NUMA nodes that hold count devices of the model
// (0 when some devices' node is unknown).
func nodesFor(m *Model, count int) int {
	if m.PerNUMANode[-1] > 0 {
		return 0
	}
	var per []int
	for node, c := range m.PerNUMANode {
		if node >= 0 {
			per = append(per, c)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(per)))
	sum := 0
	for i, c := range per {
		sum += c
		if sum >= count {
			return i + 1
		}
	}
	return 0
}

// Command is the openstack command that creates the flavor.
func (f Flavor) Command() Command {
	c := Command{"openstack", "flavor", "create", "--vcpus", fmt.Sprint(f.VCPUs), "--ram", fmt.Sprint(f.RAMMB), "--disk", fmt.Sprint(f.DiskGB)}
	for _, kv := range f.ExtraSpecs {
		c = append(c, "--property", kv[0]+"="+kv[1])
	}
	return append(c, f.Name)
}

// imageCommand sets the image properties large-BAR GPUs need; IMAGE is
// for the operator to fill in.
var imageCommand = Command{"openstack", "image", "set", "--property", "hw_machine_type=q35", "--property", "hw_firmware_type=uefi", "IMAGE"}

func (p *Plan) flavorDoc(d *doc) {
	flavors := p.Flavors()
	if len(flavors) == 0 {
		d.note("No GPU flavor to create.")
		return
	}
	d.note("vCPUs and RAM per GPU: 90% of the host's, divided among its GPUs of the model (with several NUMA nodes: 90% of a node's, divided among the GPUs on the fullest node). Each guest spans as few NUMA nodes as hold its GPUs, with the required PCI NUMA policy (preferred where the GPUs' nodes are unknown). The disk size is a placeholder: adjust it.")
	for _, f := range flavors {
		d.run(f.Command())
	}
	var large []string
	for _, m := range p.Models {
		if m.LargeBAR {
			large = append(large, m.Alias)
		}
	}
	if len(large) > 0 {
		d.blank()
		d.note("GPUs with a 64-bit BAR of 32 GiB or more (" + strings.Join(large, ", ") + ") work only in guests with the q35 machine type and UEFI firmware (GP406). A flavor cannot ask for them; set them on every image used with these flavors:")
		d.run(imageCommand)
	}
}

func (p *Plan) allDoc(d *doc) {
	d.note(fmt.Sprintf("gpupass generate all for %s (%s)", p.hostName(), p.rules()))
	p.summary(d)
	if len(p.Models) == 0 {
		return
	}
	d.line("#")
	d.note("Apply in this order. Steps 1 to 3 change the host; step 4 checks it.")
	sections := []struct {
		title string
		body  func(*doc)
	}{
		{"1. Kernel command line", p.kernelDoc},
		{"2. Bind the GPUs to vfio-pci at boot (modprobe.d)", p.modprobeDoc},
		{"3. Reboot", func(d *doc) { d.run(Command{"reboot"}) }},
		{"4. Check the host", func(d *doc) { d.run(Command{"gpupass", "preflight"}) }},
		{"5. nova.conf", p.novaConfDoc},
		{"6. Flavors", p.flavorDoc},
	}
	for _, s := range sections {
		d.blank()
		d.note("===== " + s.title + " =====")
		s.body(d)
	}
}
