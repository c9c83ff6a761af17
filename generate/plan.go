// Package generate writes the configuration that makes a compute node and
// its flavors ready for GPU passthrough: nova.conf snippets for the compute
// and the API nodes, kernel command-line arguments, a modprobe.d file and
// flavor commands. It is the inverse of the checks: what it writes is what
// they look for, and the tests hold it to them and to Nova's own parser.
//
// Build turns a host (collected, or read from a preflight report) into a
// Plan: which GPUs go to guests, with which companion functions, under which
// alias; the writers render a Plan. Everything is deterministic: the same
// host and options give byte-identical output.
package generate

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Options are the choices of `gpupass generate`.
type Options struct {
	// GPUs selects the devices (--gpu); empty: every display-class
	// function the host does not use itself.
	GPUs []pcidev.Selector
	// Release picks option names and rules.
	Release novarelease.Release
	// PreZed writes for a release before Zed (Yoga and older): the
	// compute node's option is then [pci]passthrough_whitelist. Release
	// stays Zed, the oldest whose rules gpupass knows, for validation.
	PreZed bool
	// AliasNames overrides alias names by "vvvv:dddd" (--alias-name).
	AliasNames map[string]string
	// NUMAPolicy is the aliases' numa_policy ("" to leave it out).
	NUMAPolicy string
	// Placement adds resource_class and turns on PCI in Placement.
	Placement bool
	// Conf is the node's nova.conf as it stands (for the PCI lines the
	// snippet replaces and the alias names in use), APIConf the scheduler
	// node's (for the filters already enabled); nil when unknown. A
	// *checks.NovaConf read from files, or a report's *checks.ConfReport.
	Conf, APIConf Conf
	// Layout is the deployment layout of Conf (packages, kolla, tripleo).
	Layout string
	// ExposedFiles are nova.conf files that hold secrets and every user
	// can read (GP314): the plan tightens their mode.
	ExposedFiles []string
	// ConfUnread names the parts of the node's nova.conf this user could
	// not read ("/etc/nova: permission denied"): the plan says it cannot
	// know the lines it replaces.
	ConfUnread []string
	// System is what the host's files say of its distribution and boot
	// set-up; zero when generating from a report.
	System hostinfo.System
	// VGPUType is --vgpu-type: the vGPU type to give guests, as an mdev
	// type ID (nvidia-558), a vendor-framework type ID (1148) or a type's
	// human name (NVIDIA A40-2Q); "" for none (the type nova.conf or the
	// VFs already have, on a vGPU host).
	VGPUType string
	// VGPUCount is --vgpu-count: vGPUs per GPU; 0 for all the type allows.
	VGPUCount int
	// VGPUClass is --vgpu-class: the mdev type's Placement resource class
	// (CUSTOM_...); "" for VGPU.
	VGPUClass string
	// Findings are what preflight reports on the host, with the same
	// selection, nova.conf and release: the plan fixes each error
	// configuration can fix and names the others (Plan.Answers).
	Findings []report.Finding
}

// Conf is a nova.conf as read: the values of an option, in oslo's order.
type Conf interface {
	Lookup(novaconf.Option) []novaconf.Value
}

func lookup(c Conf, opt novaconf.Option) []novaconf.Value {
	if c == nil {
		return nil
	}
	return c.Lookup(opt)
}

// Plan is what to give guests and how.
type Plan struct {
	Host    *hostinfo.Host
	Options Options
	// Models are the selected GPUs grouped by vendor:device, in ID order.
	Models []*Model
	// Companions are the other functions of the selected GPUs' cards
	// (audio, USB, UCSI): bound to vfio-pci with them, never offered to
	// Nova on their own.
	Companions []*pcidev.Device
	// Left are the display devices not selected, each with why.
	Left []Skipped
	// Problems are what the plan does not fix: what configuration cannot
	// (firmware, hardware, a slot), and errors only the operator can mend
	// (a nova.conf line whose meaning gpupass cannot guess).
	Problems []Problem
	// Answers say, for each error of Options.Findings, whether the plan
	// fixes it and how, or which problem names it.
	Answers []Answer
	// VGPU is the vGPU configuration; nil when the plan gives no vGPU.
	VGPU *VGPUPlan
	// vgpuHost: the host offers vGPU types and the plan leaves its GPUs
	// to them (a vGPU plan, or none chosen): none goes whole to guests.
	vgpuHost bool
}

// Model is one GPU model to pass through.
type Model struct {
	VendorID, DeviceID string
	// Name is pci.ids' model name ("" when unknown).
	Name string
	// Alias is the [pci]alias name; AliasPolicy its numa_policy ("": none),
	// kept from the alias the configuration already has for the model.
	Alias, AliasPolicy string
	// DeviceType is what Nova classifies the devices as (type-PF for
	// SR-IOV capable functions, else type-PCI).
	DeviceType string
	// Devices are the selected functions of this model, in address order.
	Devices []*pcidev.Device
	// ByAddress is true when other functions of the model stay with the
	// host: then device_spec names addresses, and boot-time binding is by
	// address (driverctl), not by ID.
	ByAddress bool
	// LargeBAR: a 64-bit BAR of 32 GiB or more (guests need q35 + UEFI).
	LargeBAR bool
	// PerNUMANode counts the devices on each NUMA node (-1: unknown).
	PerNUMANode map[int]int
}

// Skipped is a display device left out, and why.
type Skipped struct {
	Device *pcidev.Device
	Why    string
}

// Build decides the plan for a host.
func Build(host *hostinfo.Host, opts Options) (*Plan, error) {
	if host == nil {
		return nil, fmt.Errorf("no host")
	}
	if opts.Release.Name == "" {
		opts.Release = novarelease.Newest()
	}
	switch opts.NUMAPolicy {
	case "", "required", "preferred", "legacy", "socket":
	default:
		return nil, fmt.Errorf("--numa-policy %s: want required, preferred, legacy or socket", opts.NUMAPolicy)
	}
	if opts.NUMAPolicy == "socket" && !opts.Release.AtLeast(mustRelease("2024.1")) {
		return nil, fmt.Errorf("--numa-policy socket: Nova %s does not have it (2024.1 and later)", opts.Release.Name)
	}
	if err := checkSelectors(host, opts.GPUs); err != nil {
		return nil, err
	}
	opts.ExposedFiles = exposedFiles(opts)
	p := &Plan{Host: host, Options: opts}
	if opts.VGPUCount < 0 {
		return nil, fmt.Errorf("--vgpu-count %d: want a positive number", opts.VGPUCount)
	}
	if err := p.buildVGPU(); err != nil {
		return nil, err
	}
	view := hostview.New(host, nil, nil)

	selected := map[string]bool{}
	candidates := map[string]bool{}
	for _, d := range view.CandidateGPUs() {
		candidates[d.Address] = true
	}
	for i := range host.Devices {
		d := &host.Devices[i]
		if d.PhysFn != "" {
			continue // a VF: its PF decides
		}
		if p.vgpuHost && (p.VGPU.gives(d.Address) || forVGPU(host, d) || pcidev.IsHostDisplay(d) || pcidev.IsBootVGA(d)) {
			if pcidev.IsDisplay(d) && !p.VGPU.gives(d.Address) {
				p.Left = append(p.Left, Skipped{d, p.vgpuLeft(d)})
			}
			continue
		}
		// A GPU of a model that serves no vGPU here (a T4 beside the L40S
		// of NVIDIA's vendor framework) is planned as on any host.
		switch {
		case len(opts.GPUs) > 0:
			for _, s := range opts.GPUs {
				if s.Matches(d) {
					selected[d.Address] = true
				}
			}
			if !selected[d.Address] && pcidev.IsDisplay(d) && candidates[d.Address] {
				p.Left = append(p.Left, Skipped{d, "not selected by --gpu"})
			}
		case candidates[d.Address] && len(d.DisplayClients) > 0:
			p.Left = append(p.Left, Skipped{d, "a display server uses it (" + strings.Join(d.DisplayClients, ", ") + "): the host's desktop runs on it (name it with --gpu to pass it through anyway)"})
		case candidates[d.Address]:
			selected[d.Address] = true
		case pcidev.IsDisplay(d):
			p.Left = append(p.Left, Skipped{d, hostUse(d)})
		}
	}

	// A GPU whose IOMMU group holds functions of other cards cannot be
	// given to a guest by configuration: leave it out, and say why.
	companions := map[string]*pcidev.Device{}
	byModel := map[string]*Model{}
	for i := range host.Devices {
		d := &host.Devices[i]
		if !selected[d.Address] {
			continue
		}
		device := Ref{Subject: report.Subject{Kind: "device", Ref: d.Address}}
		if d.IOMMUGroup != nil {
			if foreign := view.ForeignEndpoints(d); len(foreign) > 0 {
				others := describeAll(foreign)
				p.Left = append(p.Left, Skipped{d, fmt.Sprintf("its IOMMU group %d also holds %s, which cannot go to the same guest: move the card to a slot with its own group (or to a host with ACS on that port)", *d.IOMMUGroup, strings.Join(others, ", "))})
				// The group stays not viable (GP202 on the others' functions)
				// and shared (GP203): hardware, not configuration.
				refs := []Ref{{ID: "GP203", Subject: report.Subject{Kind: "group", Ref: fmt.Sprintf("iommu-group/%d", *d.IOMMUGroup)}}}
				for _, o := range foreign {
					refs = append(refs, Ref{ID: "GP202", Subject: report.Subject{Kind: "device", Ref: o.Address}})
				}
				p.problem(fmt.Sprintf("%s shares IOMMU group %d with %s: configuration cannot fix that (GP203, and GP202 for the other functions); move the card to a slot with its own group.", pcidev.Describe(d), *d.IOMMUGroup, strings.Join(others, ", ")), refs...)
				continue
			}
		}
		if len(d.DisplayClients) > 0 {
			p.problem(fmt.Sprintf("%s is in use by %s, selected with --gpu: stop the display server on it (or move it to another GPU) before the reboot, or vfio-pci cannot take it.", pcidev.Describe(d), strings.Join(d.DisplayClients, ", ")))
		}
		if pcidev.IsBootVGA(d) {
			device.ID = "GP206"
			p.problem(fmt.Sprintf("%s is the boot VGA device, selected with --gpu: the host's console will be on it until vfio-pci takes it (GP206); set the firmware's primary display to another adapter.", pcidev.Describe(d)), device)
		}
		if pcidev.HasNoReset(d) {
			device.ID = "GP205"
			p.problem(fmt.Sprintf("%s has no reset method: a guest's state can survive into the next guest's, or the device can hang after a guest stops (GP205); check the vendor's firmware and the kernel's quirks for it.", pcidev.Describe(d)), device)
		}
		key := d.VendorID + ":" + d.DeviceID
		m := byModel[key]
		if m == nil {
			m = &Model{VendorID: d.VendorID, DeviceID: d.DeviceID, Name: d.Model, PerNUMANode: map[int]int{}}
			byModel[key] = m
			p.Models = append(p.Models, m)
		}
		m.Devices = append(m.Devices, d)
		if d.SRIOV != nil && d.SRIOV.TotalVFs > 0 {
			m.DeviceType = "type-PF"
		}
		if pcidev.HasLargeBAR(d) {
			m.LargeBAR = true
		}
		node := -1
		if d.NUMANode != nil {
			node = *d.NUMANode
		}
		m.PerNUMANode[node]++
		for _, c := range view.Companions(d) {
			if !selected[c.Address] {
				companions[c.Address] = c
			}
		}
	}
	sort.Slice(p.Models, func(i, j int) bool {
		return p.Models[i].VendorID+p.Models[i].DeviceID < p.Models[j].VendorID+p.Models[j].DeviceID
	})
	for _, m := range p.Models {
		if m.DeviceType == "" {
			m.DeviceType = "type-PCI"
		}
		for i := range host.Devices {
			d := &host.Devices[i]
			if d.VendorID == m.VendorID && d.DeviceID == m.DeviceID && d.PhysFn == "" && !contains(m.Devices, d) {
				m.ByAddress = true
			}
		}
	}
	for _, c := range companions {
		p.Companions = append(p.Companions, c)
	}
	sort.Slice(p.Companions, func(i, j int) bool { return p.Companions[i].Address < p.Companions[j].Address })
	sort.Slice(p.Left, func(i, j int) bool { return p.Left[i].Device.Address < p.Left[j].Device.Address })
	if err := p.nameAliases(); err != nil {
		return nil, err
	}
	p.hostProblems()
	for _, m := range p.Models {
		if p.managedNo(m) && !opts.Release.AtLeast(managedSince) {
			drv := p.VFIODriver(m.Devices[0])
			p.problem(fmt.Sprintf("Nova %s cannot pass %s through right: it needs the vfio-pci variant driver %s, and libvirt rebinds a managed device to vfio-pci when a guest starts; device_spec's \"managed\": \"no\", which prevents that, comes with Nova 2025.1 (Epoxy). Pass it through with Nova 2025.1 or later.", opts.Release.Name, strings.Join(describeAll(m.Devices), ", "), drv))
		}
	}
	p.answerFindings()
	return p, nil
}

// checkSelectors refuses a --gpu that names nothing generate could give
// to a guest: a mistyped ID or address would otherwise leave the plan
// without the GPU the operator meant, and say "nothing to configure".
// "all" may match nothing: a host without GPUs has none to give.
func checkSelectors(host *hostinfo.Host, selectors []pcidev.Selector) error {
	for _, s := range selectors {
		if s.All {
			continue
		}
		var functions, vfs, bridges []*pcidev.Device
		for i := range host.Devices {
			d := &host.Devices[i]
			switch {
			case !s.Matches(d):
			case d.PhysFn != "":
				vfs = append(vfs, d)
			case isBridge(d):
				bridges = append(bridges, d)
			default:
				functions = append(functions, d)
			}
		}
		switch {
		case len(functions) > 0:
		case len(bridges) > 0:
			return fmt.Errorf("--gpu %s names a PCI bridge (%s), which cannot be given to a guest: name the GPU behind it (gpupass inventory lists them)", s.Raw, pcidev.Describe(bridges[0]))
		case len(vfs) > 0:
			return fmt.Errorf("--gpu %s names only virtual functions (%s, of %s): generate passes whole devices through; name the physical function", s.Raw, pcidev.Describe(vfs[0]), vfs[0].PhysFn)
		default:
			return fmt.Errorf("--gpu %s matches no PCI function on %s (gpupass inventory lists the GPUs)", s.Raw, hostName(host))
		}
	}
	return nil
}

// isBridge reports a bridge of any kind, host bridges included.
func isBridge(d *pcidev.Device) bool {
	return pcidev.IsBridge(d) || strings.HasPrefix(d.Class, "0600")
}

func hostName(h *hostinfo.Host) string {
	if h.Hostname != "" {
		return h.Hostname
	}
	return "this host"
}

// managedSince is the first Nova release that reads device_spec's
// "managed" tag (2025.1 Epoxy).
var managedSince = mustRelease("2025.1")

func mustRelease(name string) novarelease.Release {
	r, err := novarelease.Parse(name)
	if err != nil {
		panic(err)
	}
	return r
}

func contains(list []*pcidev.Device, d *pcidev.Device) bool {
	for _, x := range list {
		if x.Address == d.Address {
			return true
		}
	}
	return false
}

// describeAll names devices for an operator, one string each.
func describeAll(devs []*pcidev.Device) []string {
	var out []string
	for _, d := range devs {
		out = append(out, pcidev.Describe(d))
	}
	return out
}

// hostUse says why a display device not selected stays with the host.
func hostUse(d *pcidev.Device) string {
	switch {
	case pcidev.IsHostDisplay(d):
		return "a BMC's or an emulated display adapter"
	case pcidev.IsBootVGA(d):
		return "the boot VGA device: the host's console is on it (name it with --gpu to pass it through anyway)"
	}
	return "left with the host"
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// aliasName makes a short, stable alias name from pci.ids' model name:
// the marketing name in brackets when there is one ("GH100 [H100 SXM5
// 80GB]" gives h100-sxm5-80gb), else the whole name; "gpu-VVVV-DDDD" when
// the name is unknown.
func aliasName(m *Model) string {
	name := m.Name
	if i := strings.IndexByte(name, '['); i >= 0 {
		if j := strings.LastIndexByte(name, ']'); j > i {
			name = name[i+1 : j]
		}
	}
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	if slug == "" {
		return "gpu-" + m.VendorID + "-" + m.DeviceID
	}
	return slug
}

func (p *Plan) nameAliases() error {
	used := map[string]string{}
	existing := p.existingAliases()
	for _, m := range p.Models {
		key := m.VendorID + ":" + m.DeviceID
		name, given := p.Options.AliasNames[key]
		kept := false
		if old := existing[key]; old != nil {
			if !given {
				name, kept = old.Name, true
			}
			if old.NUMAPolicy != "legacy" {
				m.AliasPolicy = old.NUMAPolicy
			}
		}
		if name == "" {
			name = aliasName(m)
			if prev, clash := used[name]; clash && prev != key {
				name += "-" + m.DeviceID
			}
		}
		if err := CheckAliasName(name); err != nil {
			if kept {
				return fmt.Errorf("the alias %q that nova.conf gives %s cannot name flavors: %v; choose a name with --alias-name %s=NAME", name, key, err, key)
			}
			return fmt.Errorf("--alias-name %s=%q: %v", key, name, err)
		}
		if prev, clash := used[name]; clash && prev != key {
			return fmt.Errorf("alias name %q would name both %s and %s: give one of them another with --alias-name", name, prev, key)
		}
		used[name] = key
		m.Alias = name
	}
	keys := make([]string, 0, len(p.Options.AliasNames))
	for key := range p.Options.AliasNames {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if _, ok := findModel(p.Models, key); ok {
			continue
		}
		flag := "--alias-name " + key + "=" + p.Options.AliasNames[key]
		if !p.hasID(key) {
			return fmt.Errorf("%s: no PCI function on %s has the ID %s", flag, hostName(p.Host), key)
		}
		return fmt.Errorf("%s: %s is not a GPU selected for passthrough on %s (the document's header says why; --gpu selects)", flag, key, hostName(p.Host))
	}
	return nil
}

// hasID reports whether some function of the host has the vendor:device ID.
func (p *Plan) hasID(key string) bool {
	for i := range p.Host.Devices {
		d := &p.Host.Devices[i]
		if d.VendorID+":"+d.DeviceID == key {
			return true
		}
	}
	return false
}

// existingAliases names, by vendor:device, the aliases the scheduler's
// or this node's nova.conf already define for exactly one model: flavors
// name them, so a generated alias keeps the name.
func (p *Plan) existingAliases() map[string]*pcispec.Alias {
	out := map[string]*pcispec.Alias{}
	for _, conf := range []Conf{p.Options.Conf, p.Options.APIConf} {
		var texts []string
		for _, v := range lookup(conf, novaconf.OptAlias) {
			texts = append(texts, v.Text)
		}
		aliases, _, err := pcispec.ParseAliasesWith(texts, p.Options.Release, pcispec.Options{})
		if err != nil {
			continue
		}
		names := make([]string, 0, len(aliases))
		for name := range aliases {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			a := aliases[name]
			if len(a.Specs) != 1 || a.Specs[0].VendorID == "" || a.Specs[0].ProductID == "" {
				continue
			}
			key := strings.ToLower(a.Specs[0].VendorID + ":" + a.Specs[0].ProductID)
			if _, taken := out[key]; !taken {
				out[key] = a
			}
		}
	}
	return out
}

func findModel(models []*Model, key string) (*Model, bool) {
	for _, m := range models {
		if m.VendorID+":"+m.DeviceID == key {
			return m, true
		}
	}
	return nil, false
}

// Bound are every function vfio-pci must take: the GPUs and their
// companions, in address order.
func (p *Plan) Bound() []*pcidev.Device {
	var out []*pcidev.Device
	for _, m := range p.Models {
		out = append(out, m.Devices...)
	}
	out = append(out, p.Companions...)
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// VFIODriver is the driver the plan gives a function to: its vfio-pci
// variant driver when it has one (pcidev.VFIODriverFor: the GPU of a Grace
// Hopper superchip needs nvgrace_gpu_vfio_pci), else vfio-pci.
func (p *Plan) VFIODriver(d *pcidev.Device) string { return pcidev.VFIODriverFor(d) }

// onVariant reports a function the plan gives to a vfio-pci variant driver
// rather than to vfio-pci.
func (p *Plan) onVariant(d *pcidev.Device) bool {
	return pcidev.IsVFIOVariantDriver(p.VFIODriver(d))
}

// VFIOPCIBound are the functions of Bound that go to vfio-pci itself.
func (p *Plan) VFIOPCIBound() []*pcidev.Device {
	var out []*pcidev.Device
	for _, d := range p.Bound() {
		if !p.onVariant(d) {
			out = append(out, d)
		}
	}
	return out
}

// Override is a persistent driverctl override the plan sets.
type Override struct {
	Device *pcidev.Device
	Driver string
}

// Command is the driverctl command that sets it.
func (o Override) Command() Command {
	return Command{"driverctl", "set-override", o.Device.Address, o.Driver}
}

// Overrides are the driverctl overrides the plan sets, in address order:
// the functions vfio-pci takes by address (IDBinding), and the functions
// of a variant driver that are not on it with a persistent override
// naming it already. A variant driver binds only through driver_override
// (its ID table matches nothing else), so never through vfio-pci.ids.
func (p *Plan) Overrides() []Override {
	_, byAddr := p.IDBinding()
	var out []Override
	for _, d := range byAddr {
		out = append(out, Override{d, pcidev.DriverVFIOPCI})
	}
	for _, d := range p.Bound() {
		if drv := p.VFIODriver(d); p.onVariant(d) && !(d.Driver == drv && p.persistentOverride(d.Address) == drv) {
			out = append(out, Override{d, drv})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Device.Address < out[j].Device.Address })
	return out
}

// persistentOverride is the driver of the host's driverctl override for
// the address ("" for none).
func (p *Plan) persistentOverride(address string) string {
	for _, o := range p.Host.Driverctl {
		if o.Address == address {
			return o.Driver
		}
	}
	return ""
}

// managedNo reports a model whose devices go to a vfio-pci variant driver:
// libvirt must leave them on it ("managed": "no", Nova 2025.1 and later),
// or it rebinds them to vfio-pci when a guest starts.
func (p *Plan) managedNo(m *Model) bool {
	return len(m.Devices) > 0 && p.onVariant(m.Devices[0])
}

// IDBinding reports whether every function of each ID vfio-pci must take
// goes to guests, so that vfio-pci.ids can claim them; the IDs in order.
// When some function of an ID stays with the host, binding is by address.
// Functions of a variant driver are neither: Overrides binds them.
func (p *Plan) IDBinding() (ids []string, byAddress []*pcidev.Device) {
	bound := map[string]bool{}
	for _, d := range p.Bound() {
		bound[d.Address] = true
	}
	partial := map[string]bool{}
	for i := range p.Host.Devices {
		d := &p.Host.Devices[i]
		if !bound[d.Address] {
			partial[d.VendorID+":"+d.DeviceID] = true
		}
	}
	seen := map[string]bool{}
	for _, d := range p.VFIOPCIBound() {
		id := d.VendorID + ":" + d.DeviceID
		if partial[id] {
			byAddress = append(byAddress, d)
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, byAddress
}

// deviceSpecs are the [pci]device_spec values, one per model (or per
// device when the model is bound by address).
func (p *Plan) deviceSpecs() []string {
	var out []string
	rc := func(m *Model) []string {
		var kv []string
		if p.managedNo(m) && p.Options.Release.AtLeast(managedSince) {
			kv = append(kv, "managed", "no")
		}
		if p.Options.Placement {
			kv = append(kv, "resource_class", p.resourceClass(m))
		}
		return kv
	}
	for _, m := range p.Models {
		if m.ByAddress {
			for _, d := range m.Devices {
				out = append(out, jsonObject(append([]string{"vendor_id", m.VendorID, "product_id", m.DeviceID, "address", d.Address}, rc(m)...)...))
			}
			continue
		}
		out = append(out, jsonObject(append([]string{"vendor_id", m.VendorID, "product_id", m.DeviceID}, rc(m)...)...))
	}
	return append(out, p.vendorDeviceSpecs()...)
}

// passesPCI reports a plan that passes PCI devices through: whole GPUs,
// or the VFs of NVIDIA's vendor framework.
func (p *Plan) passesPCI() bool {
	return len(p.Models) > 0 || p.VGPU != nil && p.VGPU.Framework == FrameworkVendor
}

// resourceClass is the Placement resource class of a model's devices
// with --placement: CUSTOM_ and the alias name in capitals, letters and
// digits only (h100 gives CUSTOM_H100); CUSTOM_PCI_VVVV_DDDD, Nova's own
// default, when the name has no letter or digit of ASCII, or when another
// alias of the plan would give the same class.
func (p *Plan) resourceClass(m *Model) string {
	slug := func(m *Model) string {
		return strings.Trim(strings.ToUpper(nonSlug.ReplaceAllString(strings.ToLower(m.Alias), "_")), "_")
	}
	own := slug(m)
	for _, other := range p.Models {
		if other != m && slug(other) == own {
			own = ""
		}
	}
	if own == "" {
		return strings.ToUpper("CUSTOM_PCI_" + m.VendorID + "_" + m.DeviceID)
	}
	return "CUSTOM_" + own
}

// jsonObject writes a JSON object of string values, keys in the order
// given, as an operator would type it ({"a": "b", "c": "d"}), every string
// escaped as JSON wants.
func jsonObject(kv ...string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(jsonString(kv[i]) + ": " + jsonString(kv[i+1]))
	}
	b.WriteString("}")
	return b.String()
}

func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a string always encodes
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// aliases are the [pci]alias values, one per model.
func (p *Plan) aliases() []string {
	var out []string
	for _, m := range p.Models {
		kv := []string{"name", m.Alias, "vendor_id", m.VendorID, "product_id", m.DeviceID, "device_type", m.DeviceType}
		if policy := cmp.Or(p.Options.NUMAPolicy, m.AliasPolicy); policy != "" {
			kv = append(kv, "numa_policy", policy)
		}
		if p.Options.Placement {
			// With PCI in Placement an alias may name the resource class
			// instead; the IDs keep it valid for both ways of scheduling.
			kv = append(kv, "resource_class", p.resourceClass(m))
		}
		out = append(out, jsonObject(kv...))
	}
	if a := p.vendorAlias(); a != "" {
		out = append(out, a)
	}
	return out
}

// deviceSpecOption is the option's name in the release.
func (p *Plan) deviceSpecOption() string {
	if p.Options.PreZed {
		return "passthrough_whitelist"
	}
	return novaconf.OptDeviceSpec.Name
}

// validate parses what the plan would write with Nova's rules (pcispec):
// a generated value Nova rejects is a bug.
func (p *Plan) validate() error {
	if err := p.validateWords(); err != nil {
		return err
	}
	if err := p.validateVGPU(); err != nil {
		return err
	}
	opts := pcispec.Options{Sysfs: pcispec.LazySysfs(p.Host.Devices)}
	if p.Options.Placement {
		on := true
		opts.ReportInPlacement = &on
	}
	for _, v := range p.deviceSpecs() {
		if _, _, err := pcispec.ParseDeviceSpecWith(v, p.Options.Release, opts); err != nil {
			return fmt.Errorf("generated device_spec %s: Nova %s would reject it: %v", v, p.Options.Release.Name, err)
		}
	}
	if _, _, err := pcispec.ParseAliasesWith(p.aliases(), p.Options.Release, opts); err != nil {
		return fmt.Errorf("generated aliases: Nova %s would reject them: %v", p.Options.Release.Name, err)
	}
	return nil
}

var (
	hexID      = regexp.MustCompile(`^[0-9a-f]{4}$`)
	moduleName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// validateWords refuses host facts that would reach a file or a command
// as something else than what they say: IDs and addresses that are not
// sysfs's, a driver whose module name could end a modprobe.d line, a path
// with control characters. A host read from sysfs never has them; a
// report (--from-report) is only JSON.
func (p *Plan) validateWords() error {
	for _, d := range p.Bound() {
		if !hexID.MatchString(d.VendorID) || !hexID.MatchString(d.DeviceID) {
			return fmt.Errorf("device %q: vendor and device IDs %q:%q are not four lower-case hex digits each", d.Address, d.VendorID, d.DeviceID)
		}
		if a, err := pcidev.ParseAddress(d.Address); err != nil || a.String() != d.Address {
			return fmt.Errorf("device address %q is not a PCI address as sysfs writes it (0000:41:00.0)", d.Address)
		}
	}
	for _, m := range p.softdeps() {
		if !moduleName.MatchString(m) {
			return fmt.Errorf("driver module %q is not a module name", m)
		}
	}
	for _, f := range p.Options.ExposedFiles {
		if !strings.HasPrefix(f, "/") || strings.IndexFunc(f, unicode.IsControl) >= 0 {
			return fmt.Errorf("nova.conf path %q is not an absolute path without control characters", f)
		}
	}
	return nil
}
