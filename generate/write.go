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
	d.line("#")
	if p.VGPU != nil {
		p.vgpuSummary(d)
	}
	switch {
	case p.VGPU != nil && len(p.Models) == 0:
		// the vGPUs are all the plan gives
	case len(p.Models) == 0:
		if p.changes() {
			d.note("No GPU is selected for passthrough.")
		} else {
			d.note("No GPU is selected for passthrough: nothing to configure.")
		}
	default:
		if p.VGPU != nil {
			d.note("For guests, whole GPUs too:")
		} else {
			d.note("For guests:")
		}
		for _, m := range p.Models {
			for _, dev := range m.Devices {
				d.comment("#   ", "#     ", fmt.Sprintf("%s  alias %s%s", pcidev.Describe(dev), m.Alias, p.variantNote(dev)))
			}
		}
		for _, c := range p.Companions {
			d.comment("#   ", "#     ", pcidev.Describe(c)+"  (on the same card: bound to vfio-pci with it, not offered to Nova)")
		}
	}
	if len(p.Left) > 0 {
		d.note("Left with the host:")
		for _, s := range p.Left {
			d.comment("#   ", "#     ", pcidev.Describe(s.Device)+": "+s.Why)
		}
	}
	if len(p.Problems) > 0 {
		d.note("Not fixed by this plan:")
		for _, pr := range p.Problems {
			d.comment("#   ", "#     ", pr.Text)
		}
	}
	if fixed := p.Fixed(); len(fixed) > 0 {
		d.note("Preflight's errors this plan fixes:")
		for _, line := range fixedLines(fixed) {
			d.comment("#   ", "#     ", line)
		}
	}
}

// fixedLines say which errors the plan fixes, one line per check: its ID
// and name, the subjects and by what.
func fixedLines(answers []Answer) []string {
	var ids []string
	subjects := map[string][]string{}
	hows := map[string][]string{}
	names := map[string]string{}
	for _, a := range answers {
		if _, seen := names[a.ID]; !seen {
			ids = append(ids, a.ID)
			names[a.ID] = a.Name
		}
		subject := a.Subject.Ref
		if a.Source != "" {
			subject += " at " + a.Source
		}
		if !slices.Contains(subjects[a.ID], subject) {
			subjects[a.ID] = append(subjects[a.ID], subject)
		}
		if !slices.Contains(hows[a.ID], a.How) {
			hows[a.ID] = append(hows[a.ID], a.How)
		}
	}
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("%s %s: %s (%s)", id, names[id], strings.Join(subjects[id], ", "), strings.Join(hows[id], "; ")))
	}
	return out
}

// changes reports whether the plan changes anything on the host or in
// nova.conf.
func (p *Plan) changes() bool {
	k := p.Kernel()
	return len(p.Models) > 0 || p.VGPU != nil || len(k.Add)+len(k.Remove) > 0 || p.ModulesLoad() != "" || p.changesNovaConf()
}

func (p *Plan) novaConfDoc(d *doc) {
	if !p.changesNovaConf() {
		d.note("Nothing to change in nova.conf.")
		return
	}
	compute := p.ComputeConf()
	// Steps 0 come before the snippet of step 1; without one, they are
	// the steps.
	first, rest := "# 0. ", "#    "
	if compute == "" {
		first, rest = "# ", "# "
	}
	if old := p.Replaced(); len(old) > 0 {
		if compute != "" {
			d.comment(first, rest, "First remove these lines of this node's nova.conf: the snippet below replaces them (kept, PCI entries would add to it, and the last value of the others would win):")
		} else {
			d.comment(first, rest, "Remove these lines of this node's nova.conf (preflight's errors, above), then restart nova-compute:")
		}
		p.listValues(d, old)
	}
	if len(p.Options.ExposedFiles) > 0 {
		d.comment(first, rest, "These files hold passwords and every user on the host can read them (GP314):")
		for _, f := range p.Options.ExposedFiles {
			d.run(Command{"chmod", "0640", f}, Command{"chgrp", "nova", f})
		}
	}
	if compute != "" {
		d.comment("# 1. ", "#    ", "On this compute node: add to the nova.conf nova-compute reads (for example /etc/nova/nova.conf, or a file of its --config-dir), then restart nova-compute.")
		if p.Options.Layout == "kolla" {
			d.comment("#    ", "#    ", "kolla-ansible: put it in /etc/kolla/config/nova/nova-compute.conf on the deploy host, then kolla-ansible reconfigure -t nova.")
		}
		d.text(compute)
	}
	api := p.APIConf()
	if api == "" && len(p.APIReplaced()) == 0 {
		return
	}
	d.blank()
	var what []string
	if p.passesPCI() {
		what = append(what, "the same aliases (flavors are translated with the API node's)")
	}
	if p.apiFilters() != nil {
		what = append(what, "PciPassthroughFilter added to "+p.filtersFrom())
	}
	if p.Options.Placement {
		what = append(what, "pci_in_placement turned on")
	}
	intro := "On every nova-api, nova-scheduler and nova-conductor node: " + strings.Join(what, ", and ") + "."
	if len(what) == 0 {
		intro = "On every nova-api, nova-scheduler and nova-conductor node:"
	}
	if old := p.APIReplaced(); len(old) > 0 {
		d.comment("# 2. ", "#    ", intro+" First remove these lines of the API node's nova.conf (--api-conf), which the snippet replaces or Nova rejects:")
		p.listValues(d, old)
		if api != "" {
			d.comment("#    ", "#    ", "Then add the snippet and restart those services.")
		}
	} else {
		d.comment("# 2. ", "#    ", intro+" Then restart those services.")
	}
	d.text(api)
}

// listValues lists nova.conf lines to remove, by file:line.
func (p *Plan) listValues(d *doc, values []novaconf.Value) {
	for _, v := range values {
		first, rest, more := strings.Cut(v.Redacted(), "\n")
		if more {
			first += fmt.Sprintf(" ... (and %d more lines)", strings.Count(rest, "\n")+1)
		}
		d.comment("#    ", "#      ", fmt.Sprintf("%s: %s = %s", v.Source, v.Name, first))
	}
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
	if len(k.Add) > 0 {
		d.line("add: " + strings.Join(k.Add, " "))
	}
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
	grubby := Command{"grubby", "--update-kernel=ALL"}
	if add != "" {
		grubby = append(grubby, "--args="+add)
	}
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
	var edit []docLine
	switch {
	case add != "" && remove != "":
		edit = []docLine{remark("#   ", "#     ", "in /etc/default/grub, GRUB_CMDLINE_LINUX_DEFAULT: add "+add), remark("#   ", "#     ", "and remove "+remove)}
	case add != "":
		edit = []docLine{remark("#   ", "#     ", "in /etc/default/grub, GRUB_CMDLINE_LINUX_DEFAULT: add "+add)}
	default:
		edit = []docLine{remark("#   ", "#     ", "in /etc/default/grub, GRUB_CMDLINE_LINUX_DEFAULT (and GRUB_CMDLINE_LINUX): remove "+remove)}
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
	for _, d := range p.VFIOPCIBound() {
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
	load := p.ModulesLoad()
	binding := len(p.Models) > 0 && p.changesBinding()
	if !binding && load == "" {
		d.note("Nothing to bind to vfio-pci.")
		return
	}
	if binding {
		p.bindingDoc(d)
	}
	if load != "" {
		if binding {
			d.blank()
		}
		missing := p.missingVFIO()
		verb := "is neither loaded nor built in now"
		if len(missing) > 1 {
			verb = "are neither loaded nor built in now"
		}
		d.note(ModulesLoadPath + ": loads the vfio modules at every boot (" + strings.Join(missing, ", ") + " " + verb + "):")
		d.text(load)
	}
	if p.ModprobeConf() == "" && load == "" {
		return // driverctl binds now and at every boot: no file to rebuild
	}
	d.blank()
	if !binding {
		d.note("Then load them now (or reboot):")
		d.run(append(Command{"modprobe", "-a"}, p.requiredVFIO()...))
		return
	}
	if load != "" && p.ModprobeConf() != "" {
		d.note("Then rebuild the initramfs, so that it holds these files, and reboot:")
	} else {
		d.note("Then rebuild the initramfs, so that it holds this file, and reboot:")
	}
	d.add(p.initramfs())
}

// bindingDoc is the modprobe.d file that binds the GPUs and their
// companions to vfio-pci at boot, and the driverctl overrides.
func (p *Plan) bindingDoc(d *doc) {
	if old := p.ReplacedModprobe(); len(old) > 0 {
		d.note("First remove these lines: the file below replaces them (an ids= read after it would win):")
		for _, dir := range old {
			d.comment("#   ", "#     ", fmt.Sprintf("%s:%d: %s %s %s", dir.File, dir.Line, dir.Command, strings.ReplaceAll(dir.Module, "_", "-"), dir.Args))
		}
	}
	said := false
	if conf := p.ModprobeConf(); conf != "" {
		d.note(ModprobePath + ": vfio-pci claims the GPUs and their companion functions at boot, and loads before the host drivers that would take them.")
		d.text(conf)
		said = true
	}
	var byAddr, variant []Override
	for _, o := range p.Overrides() {
		if o.Driver == pcidev.DriverVFIOPCI {
			byAddr = append(byAddr, o)
		} else {
			variant = append(variant, o)
		}
	}
	if len(byAddr) > 0 {
		if said {
			d.blank()
		}
		said = true
		d.note("Other functions with the same IDs stay with the host, so these are bound by address, persistently, with driverctl (not by ID):")
		for _, o := range byAddr {
			d.run(o.Command())
		}
	}
	if len(variant) > 0 {
		if said {
			d.blank()
		}
		d.note("These go to their vfio-pci variant driver, which binds a device only when its driver_override names it (never through vfio-pci.ids): persistently, with driverctl:")
		for _, o := range variant {
			d.run(o.Command())
		}
	}
}

// changesBinding reports a plan that changes how functions bind at boot:
// a modprobe.d file, or driverctl overrides.
func (p *Plan) changesBinding() bool {
	return p.ModprobeConf() != "" || len(p.Overrides()) > 0
}

// variantNote says, for a GPU of a vfio-pci variant driver, that it goes
// to that driver, and whether it is there already.
func (p *Plan) variantNote(dev *pcidev.Device) string {
	drv := p.VFIODriver(dev)
	if !p.onVariant(dev) {
		return ""
	}
	if dev.Driver == drv && p.persistentOverride(dev.Address) == drv {
		return " (on its vfio-pci variant driver " + drv + ", kept there by driverctl: stays)"
	}
	return " (goes to its vfio-pci variant driver " + drv + ", not vfio-pci)"
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
	return append(out, p.vgpuFlavors()...)
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

// largeBARMachine is the machine type guests of GPUs with a large BAR
// need: q35 on x86; on aarch64 there is no q35, and Nova's default there,
// virt, already has the 64-bit PCIe window (UEFI firmware, AAVMF, is what
// they need).
func (p *Plan) largeBARMachine() string {
	if p.Host.CPU.Arch == "aarch64" {
		return "virt"
	}
	return "q35"
}

// largeBARImageCommand sets the image properties large-BAR GPUs need on
// the host's architecture; IMAGE is for the operator to fill in.
func (p *Plan) largeBARImageCommand() Command {
	return Command{"openstack", "image", "set", "--property", "hw_machine_type=" + p.largeBARMachine(), "--property", "hw_firmware_type=uefi", "IMAGE"}
}

func (p *Plan) flavorDoc(d *doc) {
	flavors := p.Flavors()
	if len(flavors) == 0 {
		d.note("No GPU flavor to create.")
		return
	}
	if p.VGPU != nil {
		p.vgpuFlavorDoc(d, flavors)
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
		d.note("GPUs with a 64-bit BAR of 32 GiB or more (" + strings.Join(large, ", ") + ") work only in guests with the " + p.largeBARMachine() + " machine type and UEFI firmware (GP406). A flavor cannot ask for them; set them on every image used with these flavors:")
		d.run(p.largeBARImageCommand())
	}
}

func (p *Plan) allDoc(d *doc) {
	d.note(fmt.Sprintf("gpupass generate all for %s (%s)", p.hostName(), p.rules()))
	p.summary(d)
	type section struct {
		title string
		body  func(*doc)
	}
	var sections []section
	if k := p.Kernel(); len(k.Add)+len(k.Remove) > 0 {
		sections = append(sections, section{"Kernel command line", p.kernelDoc})
	}
	switch {
	case len(p.Models) > 0 && p.ModprobeConf() != "":
		sections = append(sections, section{"Bind the GPUs to vfio-pci at boot (modprobe.d)", p.modprobeDoc})
	case len(p.Models) > 0 && p.changesBinding():
		sections = append(sections, section{"Bind the GPUs to their VFIO driver at boot (driverctl)", p.modprobeDoc})
	case p.ModulesLoad() != "":
		sections = append(sections, section{"Load the vfio modules at boot (modules-load.d)", p.modprobeDoc})
	}
	hostSteps := len(sections)
	if hostSteps > 0 {
		sections = append(sections,
			section{"Reboot", func(d *doc) { d.run(Command{"reboot"}) }},
			section{"Check the host", func(d *doc) { d.run(Command{"gpupass", "preflight"}) }})
	}
	if p.VGPU != nil && len(p.VGPU.Units) > 0 {
		sections = append(sections, section{"Prepare the GPUs for vGPUs at every boot (systemd)", p.unitDoc})
	}
	if p.changesNovaConf() {
		sections = append(sections, section{"nova.conf", p.novaConfDoc})
	}
	if len(p.Models) > 0 || p.VGPU != nil {
		sections = append(sections, section{"Flavors", p.flavorDoc})
	}
	if len(sections) == 0 {
		return
	}
	d.line("#")
	switch hostSteps {
	case 0:
		d.note("Apply in this order.")
	case 1:
		d.note("Apply in this order. Steps 1 and 2 change the host; step 3 checks it.")
	default:
		d.note(fmt.Sprintf("Apply in this order. Steps 1 to %d change the host; step %d checks it.", hostSteps+1, hostSteps+2))
	}
	for i, s := range sections {
		d.blank()
		d.note(fmt.Sprintf("===== %d. %s =====", i+1, s.title))
		s.body(d)
	}
}
