package generate

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/pcidev"
)

// A vGPU plan gives guests slices of GPUs instead of whole ones, in one of
// the two ways NVIDIA's vGPU manager offers them
// (docs/research/vgpu-layouts.md sections 1 to 3):
//
//   - mediated devices (mdev): the GPU (before Ampere) or each of its SR-IOV
//     virtual functions (Ampere and later, with the VFs enabled by
//     sriov-manage) is an mdev parent offering types such as nvidia-558;
//     nova-compute creates the mdevs itself from [devices]enabled_mdev_types
//     and its [mdev_<type>] groups, and flavors ask for resources:VGPU=1.
//   - NVIDIA's vendor-specific VFIO framework (vGPU 17 and later on kernels
//     with vfio-pci-core: Ubuntu 24.04, RHEL 10): no mdev bus; each VF gets
//     a vGPU type written into its nvidia/current_vgpu_type and is passed
//     through whole as a PCI device, managed by the driver (device_spec
//     "managed": "no", Nova 2025.1 and later), asked for by a type-VF alias.
//
// The plan names one type (--vgpu-type) for every selected GPU.

// The vGPU frameworks.
const (
	FrameworkMdev   = "mdev"
	FrameworkVendor = "vendor-vfio"
)

// VGPUPlan is the vGPU configuration of a plan.
type VGPUPlan struct {
	// Framework is FrameworkMdev or FrameworkVendor.
	Framework string
	// Type is the type's ID as the framework names it: the mdev type
	// (nvidia-558) or the vendor framework's number (1148).
	Type string
	// Name is the type's human name (NVIDIA A40-2Q); "" when unknown.
	Name string
	// GPUs are the physical GPUs that get the type, in address order.
	GPUs []VGPUGPU
	// SRIOV is set when the mdev parents are the GPUs' virtual functions
	// (always for the vendor framework).
	SRIOV bool
	// Restricted is set when some parent offering the type is left out
	// (--gpu, --vgpu-count, or VFs that hold another type).
	Restricted bool
	// Class is the Placement resource class: the mdev_class (VGPU or
	// --vgpu-class), or for the vendor framework with --placement the
	// device_spec's resource_class.
	Class string
	// Alias is the vendor framework's [pci]alias name; AliasPolicy its
	// numa_policy.
	Alias, AliasPolicy string
	// VendorID and DeviceID are the VFs' IDs (vendor framework).
	VendorID, DeviceID string
	// Units are the systemd units that prepare the GPUs at every boot
	// before nova-compute starts (empty when the host has them already).
	Units []Unit
	// UnitsKept are the host's units that already do (their names).
	UnitsKept []string
}

// VGPUGPU is one physical GPU of a vGPU plan.
type VGPUGPU struct {
	// GPU is the physical function.
	GPU *pcidev.Device
	// Count is how many vGPUs of the type it gives; Allowed is the most it
	// could, and AllowedWhy says how that was found.
	Count, Allowed int
	AllowedWhy     string
	// Parents are the mdev parents (the GPU itself, or Count of its VFs)
	// or, for the vendor framework, the Count VFs that get the type, in
	// address order.
	Parents []string
}

// Unit is a systemd unit file to install, and how to enable it.
type Unit struct {
	// Path is where the file goes; Content its text.
	Path, Content string
	// Enable are the commands that enable it (and start it where it is
	// safe to now).
	Enable []Command
}

func mdevGroupOption(mdevType, name string) novaconf.Option {
	return novaconf.Option{Group: "mdev_" + mdevType, Name: name, Deprecated: []novaconf.Name{{Group: "vgpu_" + mdevType, Name: name}}}
}

// mdevGroupOptions are the options of an [mdev_<type>] group.
var mdevGroupOptions = []string{"device_addresses", "mdev_class", "max_instances"}

// vgpuType is a type a host offers, with where.
type vgpuType struct {
	id, name string
}

// IsVGPUHost reports a host that offers vGPU types: mdev parents, or VFs
// under NVIDIA's vendor framework.
func IsVGPUHost(h *hostinfo.Host) bool {
	return len(h.Mdev.Parents) > 0 || len(vendorVFs(h)) > 0
}

// vendorVFs are the host's VFs with NVIDIA's nvidia/ directory, in
// address order.
func vendorVFs(h *hostinfo.Host) []*pcidev.Device {
	var out []*pcidev.Device
	for i := range h.Devices {
		if d := &h.Devices[i]; d.VGPU != nil && d.PhysFn != "" {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// hostTypes are the types the host offers (mdev: every parent's;
// vendor: every VF's creatable and current types), by ID, in ID order.
func hostTypes(h *hostinfo.Host, framework string) []vgpuType {
	names := map[string]string{}
	if framework == FrameworkMdev {
		for _, p := range h.Mdev.Parents {
			for _, t := range p.Types {
				if names[t.ID] == "" {
					names[t.ID] = t.Name
				}
			}
		}
	} else {
		for _, vf := range vendorVFs(h) {
			for _, t := range vf.VGPU.Creatable {
				if id := strconv.Itoa(t.ID); names[id] == "" {
					names[id] = t.Name
				}
			}
			if vf.VGPU.CurrentKnown && vf.VGPU.Current != 0 {
				if id := strconv.Itoa(vf.VGPU.Current); names[id] == "" {
					names[id] = ""
				}
			}
		}
	}
	var out []vgpuType
	for id, name := range names {
		out = append(out, vgpuType{id, name})
	}
	sort.Slice(out, func(i, j int) bool {
		a, errA := strconv.Atoi(out[i].id)
		b, errB := strconv.Atoi(out[j].id)
		if errA == nil && errB == nil {
			return a < b
		}
		return naturalLess(out[i].id, out[j].id)
	})
	return out
}

var digits = regexp.MustCompile(`\d+|\D+`)

// naturalLess orders nvidia-9 before nvidia-10.
func naturalLess(a, b string) bool {
	pa, pb := digits.FindAllString(a, -1), digits.FindAllString(b, -1)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, errA := strconv.Atoi(pa[i])
		nb, errB := strconv.Atoi(pb[i])
		if errA == nil && errB == nil {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func describeType(t vgpuType) string {
	if t.name == "" {
		return t.id
	}
	return t.id + " (" + escapeControls(t.name) + ")"
}

func describeTypes(types []vgpuType) string {
	var out []string
	for _, t := range types {
		out = append(out, describeType(t))
	}
	return prose.ListUpTo(out, 12, ", ")
}

// resolveType finds the type --vgpu-type names among the host's: its ID,
// or its human name whole ("NVIDIA A40-2Q") or without the vendor's
// prefix ("A40-2Q"), ignoring case. A name several IDs carry, or none, is
// an error that names the choices.
func resolveType(types []vgpuType, raw string) (vgpuType, error) {
	want := strings.TrimSpace(raw)
	for _, t := range types {
		if t.id == want {
			return t, nil
		}
	}
	var found []vgpuType
	for _, t := range types {
		if t.name == "" {
			continue
		}
		short := t.name
		if i := strings.IndexByte(short, ' '); i >= 0 {
			short = short[i+1:]
		}
		if strings.EqualFold(t.name, want) || strings.EqualFold(short, want) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if len(types) == 0 {
			return vgpuType{}, fmt.Errorf("--vgpu-type %s: this host offers no vGPU type", raw)
		}
		return vgpuType{}, fmt.Errorf("--vgpu-type %s: no type of this host has that ID or name; it offers %s", raw, describeTypes(types))
	}
	return vgpuType{}, fmt.Errorf("--vgpu-type %s names several types: %s; give the ID", raw, describeTypes(found))
}

// vgpuChoice is the type the plan gives and why it was chosen; nil with
// a reason when the host offers vGPU types and none is chosen.
func (p *Plan) vgpuChoice() (framework string, t vgpuType, given bool, err error) {
	h, opts := p.Host, p.Options
	switch {
	case len(h.Mdev.Parents) > 0:
		framework = FrameworkMdev
	case len(vendorVFs(h)) > 0:
		framework = FrameworkVendor
	case opts.VGPUType != "":
		return "", vgpuType{}, true, fmt.Errorf("--vgpu-type %s: %s offers no vGPU type: no mdev parent (/sys/class/mdev_bus) and no virtual function with NVIDIA's nvidia/ directory. Install and load NVIDIA's vGPU manager and, on an SR-IOV GPU, enable its VFs (/usr/lib/nvidia/sriov-manage -e ADDRESS) first", opts.VGPUType, hostName(h))
	default:
		return "", vgpuType{}, false, nil
	}
	types := hostTypes(h, framework)
	if opts.VGPUType != "" {
		t, err := resolveType(types, opts.VGPUType)
		return framework, t, true, err
	}
	// No --vgpu-type: the type the host is already configured for, when
	// there is exactly one (nova.conf's enabled type; the VFs' current
	// type).
	var current []string
	if framework == FrameworkMdev {
		for _, v := range lookup(opts.Conf, novaconf.OptEnabledMdevTypes) {
			for _, id := range novaconf.ParseList(v.Text) {
				if !slices.Contains(current, id) {
					current = append(current, id)
				}
			}
		}
	} else {
		for _, vf := range vendorVFs(h) {
			if vf.VGPU.CurrentKnown && vf.VGPU.Current != 0 && !slices.Contains(current, strconv.Itoa(vf.VGPU.Current)) {
				current = append(current, strconv.Itoa(vf.VGPU.Current))
			}
		}
	}
	if len(current) == 1 {
		for _, t := range types {
			if t.id == current[0] {
				return framework, t, false, nil
			}
		}
	}
	return framework, vgpuType{}, false, nil
}

// flagErr is an error about a flag the operator gave (--vgpu-count,
// --vgpu-class, --placement, --gpu, --alias-name, --numa-policy): refused
// (exit 2) even when the vGPU type comes from the host's configuration.
type flagErr struct{ error }

func flagError(format string, args ...any) error {
	return &flagErr{fmt.Errorf(format, args...)}
}

func (e *flagErr) Unwrap() error { return e.error }

// buildVGPU decides the vGPU part of the plan. It returns an error for
// what the operator asked and cannot be (exit 2); what the plan cannot do
// for a type it chose itself becomes a problem.
func (p *Plan) buildVGPU() error {
	opts := p.Options
	framework, t, given, err := p.vgpuChoice()
	if err != nil {
		return err
	}
	if framework == "" {
		if opts.VGPUCount != 0 || opts.VGPUClass != "" {
			return fmt.Errorf("--vgpu-count and --vgpu-class need --vgpu-type")
		}
		return nil
	}
	if t.id == "" {
		if opts.VGPUCount != 0 || opts.VGPUClass != "" {
			return fmt.Errorf("--vgpu-count and --vgpu-class need --vgpu-type (this host offers %s)", describeTypes(hostTypes(p.Host, framework)))
		}
		if len(opts.GPUs) == 0 {
			// A vGPU host and no type: passing its GPUs through whole
			// would take them from the vGPU manager. Say what to choose.
			p.problem(fmt.Sprintf("This host offers vGPU types (%s): choose one with --vgpu-type ID, or name the GPUs to pass through whole with --gpu. Its GPUs are left as they are.", describeTypes(hostTypes(p.Host, framework))))
			p.vgpuHost = true
		}
		return nil
	}
	if opts.PreZed {
		return fmt.Errorf("--vgpu-type: generate writes vGPU configuration for Nova Zed and later")
	}
	v := &VGPUPlan{Framework: framework, Type: t.id, Name: t.name}
	fail := func(err error) error {
		var flag *flagErr
		if given || errors.As(err, &flag) {
			// The operator asked for it: --vgpu-type, or a flag that
			// contradicts the type, wherever the type came from.
			return err
		}
		// A type the plan chose from the host's configuration: say what
		// stands in the way and leave the GPUs as they are.
		p.problem(fmt.Sprintf("The host is configured for the vGPU type %s, but %s", describeType(t), strings.TrimPrefix(err.Error(), "--vgpu-type "+t.id+": ")))
		p.vgpuHost = true
		return nil
	}
	if framework == FrameworkMdev {
		if err := p.planMdev(v); err != nil {
			return fail(err)
		}
	} else {
		if err := p.planVendor(v); err != nil {
			return fail(err)
		}
	}
	p.VGPU, p.vgpuHost = v, true
	return nil
}

// selectedGPU reports whether --gpu (when given) selects the GPU.
func (p *Plan) selectedGPU(d *pcidev.Device) bool {
	if len(p.Options.GPUs) == 0 {
		return true
	}
	for _, s := range p.Options.GPUs {
		if s.Matches(d) {
			return true
		}
	}
	return false
}

func (p *Plan) device(address string) *pcidev.Device {
	for i := range p.Host.Devices {
		if p.Host.Devices[i].Address == address {
			return &p.Host.Devices[i]
		}
	}
	return nil
}

var mdevClassRE = regexp.MustCompile(`^(VGPU|CUSTOM_[A-Z0-9_]+)$`)

// planMdev places the type on the mdev parents that offer it.
//
// How many vGPUs of a type a GPU gives: NVIDIA's description file says
// max_instance= (per physical GPU); without it, a parent that is the GPU
// itself gives available_instances plus the mdevs of the type it has. A
// VF parent takes one vGPU (section 2 of the research), so a GPU gives at
// most as many as its VFs that are free or hold the type.
func (p *Plan) planMdev(v *VGPUPlan) error {
	opts, h := p.Options, p.Host
	rel2024 := opts.Release.AtLeast(mustRelease("2024.1"))
	v.Class = cmp.Or(opts.VGPUClass, "VGPU")
	if !mdevClassRE.MatchString(v.Class) || len(v.Class) > 255 {
		return flagError("--vgpu-class %s: Nova takes VGPU or CUSTOM_ followed by capital letters, digits and underscores (nova/conf/devices.py mdev_class)", opts.VGPUClass)
	}
	if len(opts.AliasNames) > 0 || opts.NUMAPolicy != "" || opts.Placement {
		return flagError("--alias-name, --numa-policy and --placement configure PCI devices; mediated devices (the vGPU type %s) are always in Placement and flavors ask for resources:%s=1", v.Type, v.Class)
	}
	byGPU := map[string]*VGPUGPU{}
	var order []string
	offered, leftByGPU := 0, false
	for _, parent := range h.Mdev.Parents {
		mt := parent.Type(v.Type)
		if mt == nil {
			continue
		}
		offered++
		d := p.device(parent.Address)
		if d == nil {
			continue // a virtual parent (mtty): not a GPU
		}
		gpu := d
		if d.PhysFn != "" {
			v.SRIOV = true
			if pf := p.device(d.PhysFn); pf != nil {
				gpu = pf
			}
		}
		if !p.selectedGPU(gpu) {
			v.Restricted, leftByGPU = true, true
			continue
		}
		g := byGPU[gpu.Address]
		if g == nil {
			g = &VGPUGPU{GPU: gpu}
			byGPU[gpu.Address] = g
			order = append(order, gpu.Address)
		}
		if d.PhysFn == "" {
			// The GPU is the parent: Nova creates as many as it offers.
			g.Parents = []string{d.Address}
			avail := 0
			if mt.Available != nil {
				avail = *mt.Available
			}
			g.Allowed = avail + len(mt.Devices)
			g.AllowedWhy = fmt.Sprintf("available_instances %d and %d in use", avail, len(mt.Devices))
			if mt.MaxInstance > 0 && g.Allowed > 0 {
				// Free, or holding mdevs of the type only.
				g.Allowed, g.AllowedWhy = mt.MaxInstance, fmt.Sprintf("max_instance=%d in the type's description", mt.MaxInstance)
			}
			continue
		}
		// A VF parent: usable when free, or holding an mdev of the type.
		if len(mt.Devices) > 0 || mt.Available != nil && *mt.Available > 0 {
			g.Parents = append(g.Parents, d.Address)
		} else {
			v.Restricted = true
		}
		if mt.MaxInstance > 0 {
			g.Allowed = mt.MaxInstance
		}
	}
	if offered == 0 {
		return fmt.Errorf("--vgpu-type %s: no mdev parent offers it", v.Type)
	}
	if len(order) == 0 {
		return flagError("--vgpu-type %s: --gpu selects none of the GPUs that offer it", v.Type)
	}
	sort.Strings(order)
	for _, addr := range order {
		g := byGPU[addr]
		if v.SRIOV {
			vfs := len(g.Parents)
			switch {
			case g.Allowed == 0:
				g.Allowed, g.AllowedWhy = vfs, fmt.Sprintf("%d virtual functions free or holding it (the type's description gives no max_instance)", vfs)
			case g.Allowed > vfs:
				g.AllowedWhy = fmt.Sprintf("%d virtual functions free or holding it, though the type's description allows %d", vfs, g.Allowed)
				g.Allowed = vfs
			default:
				g.AllowedWhy = fmt.Sprintf("max_instance=%d in the type's description, of %d virtual functions", g.Allowed, vfs)
			}
		}
		if g.Allowed == 0 {
			return fmt.Errorf("--vgpu-type %s: %s cannot take a vGPU of it now (no instance available: mdevs of another type use it)", v.Type, pcidev.Describe(g.GPU))
		}
		g.Count = g.Allowed
		if n := opts.VGPUCount; n > 0 {
			if n > g.Allowed {
				return flagError("--vgpu-count %d: %s gives at most %d vGPUs of %s (%s)", n, pcidev.Describe(g.GPU), g.Allowed, describeType(vgpuType{v.Type, v.Name}), g.AllowedWhy)
			}
			if !v.SRIOV && n != g.Allowed {
				return flagError("--vgpu-count %d: %s is itself the mdev parent of %s, and Nova offers every vGPU a parent allows (%d); it has no per-GPU limit (max_instances caps the type on the whole host by leaving out whole GPUs)", n, pcidev.Describe(g.GPU), v.Type, g.Allowed)
			}
			g.Count = n
		}
		if v.SRIOV {
			// The VFs that hold an mdev of the type first, then free ones.
			var holding, free []string
			for _, vf := range g.Parents {
				mt := h.Mdev.Parent(vf).Type(v.Type)
				if len(mt.Devices) > 0 {
					holding = append(holding, vf)
				} else {
					free = append(free, vf)
				}
			}
			chosen := append(holding, free...)
			if g.Count < len(chosen) {
				v.Restricted = true
				chosen = chosen[:g.Count]
			}
			sort.Strings(chosen)
			g.Parents = chosen
		}
		v.GPUs = append(v.GPUs, *g)
	}
	if !rel2024 {
		// Nova before 2024.1 reads no [mdev_<type>] group when one type is
		// enabled: the type goes to every parent that offers it, class
		// VGPU (Zed's _get_supported_vgpu_types and
		// _get_vgpu_type_per_pgpu).
		rule := fmt.Sprintf("Nova %s reads the [mdev_%s] group only when several types are enabled, so one type goes to every parent that offers it with the class VGPU (2024.1 and later read it)", opts.Release.Name, v.Type)
		switch {
		case opts.VGPUClass != "" && opts.VGPUClass != "VGPU":
			return flagError("--vgpu-class %s: %s", opts.VGPUClass, rule)
		case leftByGPU:
			return flagError("--gpu: %s, not only to the GPUs --gpu selects", rule)
		case opts.VGPUCount > 0 && v.SRIOV:
			return flagError("--vgpu-count %d: %s, and it has no max_instances to cap it", opts.VGPUCount, rule)
		case v.SRIOV:
			p.problem(fmt.Sprintf("Nova %s offers one vGPU on every virtual function that offers %s, %s, though a GPU holds fewer (%s): Placement counts more vGPUs than the GPUs hold, and a guest scheduled to a full GPU fails to start. Nova 2024.1 and later cap it with [mdev_%s] max_instances and device_addresses.",
				opts.Release.Name, v.Type, prose.Plural(countVFsOffering(h, v.Type), "virtual function"), gpuCounts(v), v.Type))
		}
	}
	p.bootUnitsMdev(v)
	return nil
}

func countVFsOffering(h *hostinfo.Host, mdevType string) int {
	n := 0
	for _, parent := range h.Mdev.Parents {
		if parent.Type(mdevType) != nil {
			n++
		}
	}
	return n
}

// gpuCounts says how many vGPUs each GPU of the plan gives.
func gpuCounts(v *VGPUPlan) string {
	var out []string
	for _, g := range v.GPUs {
		out = append(out, fmt.Sprintf("%d on %s", g.Count, g.GPU.Address))
	}
	return prose.List(out)
}

// writesMdevGroup reports that the mdev plan writes an [mdev_<type>]
// group: only releases from 2024.1 read it for a single type, and only
// where parents must be named (SR-IOV VFs, a selection, a class: Nova
// gives an address-less type the class VGPU whatever its mdev_class, as
// _get_resource_class_for_device reads the class by address).
func (p *Plan) writesMdevGroup() bool {
	v := p.VGPU
	return v != nil && v.Framework == FrameworkMdev && p.Options.Release.AtLeast(mustRelease("2024.1")) &&
		(v.SRIOV || v.Restricted || v.Class != "VGPU")
}

// MaxInstances is the [mdev_<type>]max_instances the plan writes (0:
// none). Nova caps a type's vGPUs on the whole host with it
// (_get_gpu_inventories in 2025.1's nova/virt/libvirt/driver.py keeps
// type_limit_mapping per type, summing every parent's mdevs and
// available instances, and gives a parent that would go over the limit
// an inventory of 0): for SR-IOV parents, the sum of the GPUs' counts.
func (p *Plan) MaxInstances() int {
	if !p.writesMdevGroup() || !p.VGPU.SRIOV {
		return 0
	}
	n := 0
	for _, g := range p.VGPU.GPUs {
		n += g.Count
	}
	return n
}

// mdevParents are the device_addresses of the plan's type.
func (v *VGPUPlan) mdevParents() []string {
	var out []string
	for _, g := range v.GPUs {
		out = append(out, g.Parents...)
	}
	sort.Strings(out)
	return out
}

// mdevConf is the mdev part of the compute snippet.
func (p *Plan) mdevConf() string {
	v := p.VGPU
	if v == nil || v.Framework != FrameworkMdev {
		return ""
	}
	s := "[devices]\nenabled_mdev_types = " + v.Type + "\n"
	if p.writesMdevGroup() {
		s += "\n[mdev_" + v.Type + "]\ndevice_addresses = " + strings.Join(v.mdevParents(), ",") + "\n"
		if n := p.MaxInstances(); n > 0 {
			s += "max_instances = " + strconv.Itoa(n) + "\n"
		}
		if v.Class != "VGPU" {
			s += "mdev_class = " + v.Class + "\n"
		}
	}
	return s
}

// replacedMdev are the node's mdev lines the plan replaces: the enabled
// types, and the groups of every type the host offers or nova.conf
// enables (the groups of other types cannot be found by name).
func (p *Plan) replacedMdev() []novaconf.Value {
	if p.VGPU == nil {
		return nil
	}
	enabled := lookup(p.Options.Conf, novaconf.OptEnabledMdevTypes)
	out := append([]novaconf.Value(nil), enabled...)
	types := map[string]bool{}
	for _, t := range hostTypes(p.Host, FrameworkMdev) {
		types[t.id] = true
	}
	for _, v := range enabled {
		for _, id := range novaconf.ParseList(v.Text) {
			types[id] = true
		}
	}
	ids := make([]string, 0, len(types))
	for id := range types {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, name := range mdevGroupOptions {
			out = append(out, lookup(p.Options.Conf, mdevGroupOption(id, name))...)
		}
	}
	return out
}

// hasSriovUnit reports an enabled unit of the host that enables the
// GPU's VFs (sriov-manage -e with its address, or ALL) before
// nova-compute.
func hasSriovUnit(h *hostinfo.Host, pf string) (string, bool) {
	for _, u := range h.BootUnits {
		if !u.Enabled || !beforeNovaCompute(u) {
			continue
		}
		for _, line := range u.ExecStart {
			if strings.Contains(line, "sriov-manage") && (strings.Contains(line, pf) || strings.Contains(line, " ALL")) {
				return u.Name, true
			}
		}
	}
	return "", false
}

func beforeNovaCompute(u hostinfo.BootUnit) bool {
	for _, b := range u.Before {
		if strings.Contains(b, "nova-compute") || strings.Contains(b, "nova_compute") {
			return true
		}
	}
	return false
}

// novaComputeUnits are the names nova-compute's unit has: Debian and
// Ubuntu's, and RDO's (RHEL and derivatives). Before= a unit that does
// not exist is without effect.
const novaComputeUnits = "nova-compute.service openstack-nova-compute.service"

// SriovUnitPath is Nova's documented template unit that enables an SR-IOV
// GPU's VFs (admin/virtual-gpu.rst, Nova 2024.2 and later docs).
const SriovUnitPath = "/etc/systemd/system/nvidia-sriov-manage@.service"

// sriovUnit is Nova's nvidia-sriov-manage@.service template (from its
// admin/virtual-gpu.rst, the accounting options left out), ordered before
// nova-compute so that the VFs, the mdev parents, exist when it starts.
const sriovUnit = `# Nova's nvidia-sriov-manage@.service (doc/source/admin/virtual-gpu.rst),
# ordered before nova-compute: the VFs are the mdev parents it looks for.
[Unit]
Description=Enable NVIDIA GPU virtual functions of %i
After=nvidia-vgpu-mgr.service
After=nvidia-vgpud.service
Before=` + novaComputeUnits + `

[Service]
Type=oneshot
User=root
Group=root
ExecStartPre=/usr/bin/sleep 30
ExecStart=/usr/lib/nvidia/sriov-manage -e %i
TimeoutSec=120
RemainAfterExit=true

[Install]
WantedBy=multi-user.target
`

// bootUnitsMdev adds the unit that enables the VFs of SR-IOV GPUs at
// every boot, where the host has none: the VFs are there now (they are
// the parents), so it is enabled, not started.
func (p *Plan) bootUnitsMdev(v *VGPUPlan) {
	if !v.SRIOV {
		return
	}
	enable := []Command{{"systemctl", "daemon-reload"}}
	for _, g := range v.GPUs {
		if name, ok := hasSriovUnit(p.Host, g.GPU.Address); ok {
			v.UnitsKept = append(v.UnitsKept, name)
			continue
		}
		enable = append(enable, Command{"systemctl", "enable", "nvidia-sriov-manage@" + g.GPU.Address + ".service"})
	}
	if len(enable) > 1 {
		v.Units = append(v.Units, Unit{Path: SriovUnitPath, Content: sriovUnit, Enable: enable})
	}
}

// mdevPersistence says what becomes of the mdevs at a reboot, by release:
// from 2024.2 Nova defines them through libvirt (persistent, which needs
// mdevctl); before, they are transient and nova-compute recreates those
// of its instances when it starts (_recreate_assigned_mediated_devices).
func (p *Plan) mdevPersistence() string {
	if p.Options.Release.AtLeast(mustRelease("2024.2")) {
		s := fmt.Sprintf("Nova %s defines the mdevs it creates through libvirt, so they survive a reboot; libvirt needs mdevctl for that", p.Options.Release.Name)
		if p.Host.Mdev.Mdevctl == "" {
			return s + ", which this host lacks: install it (the mdevctl package) (GP606)."
		}
		return s + " (" + p.Host.Mdev.Mdevctl + ")."
	}
	return fmt.Sprintf("Nova %s creates mdevs that do not survive a reboot: nova-compute creates those of its instances again when it starts, on the parents that exist then. mdevs made by hand are lost at a reboot.", p.Options.Release.Name)
}

// typeSize reads the framebuffer size in GB from an NVIDIA vGPU type name
// ("NVIDIA L40S-2Q" gives 2, "NVIDIA L40S-48Q" 48): NVIDIA names its
// time-sliced types board-<GB><series>. MIG-backed names
// ("NVIDIA H200X-1-18C") and others give 0.
var typeSizeRE = regexp.MustCompile(`^[^ ]+ [A-Za-z0-9]+(?:-[A-Za-z]+)*-([0-9]+)[A-Z]$`)

func typeSize(name string) int {
	m := typeSizeRE.FindStringSubmatch(name)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// framebufferGB is the memory of the GPUs of NVIDIA's vendor framework,
// in GB, by the board their vGPU type names carry ("NVIDIA L40S-2Q":
// L40S): the size of the board's largest Q type, which takes the whole
// card (L40S-48Q), as its creatable_vgpu_types lists before any vGPU
// exists.
var framebufferGB = map[string]int{"L40S": 48, "L40": 48, "L20": 48, "L4": 24}

// boardFramebufferGB is framebufferGB for a type's name; 0 when unknown.
func boardFramebufferGB(name string) int {
	name = strings.TrimPrefix(name, "NVIDIA ")
	board, _, ok := strings.Cut(name, "-")
	if !ok {
		return 0
	}
	return framebufferGB[board]
}

// planVendor places the type on the VFs of NVIDIA's vendor framework.
//
// How many vGPUs of a type a GPU gives: the driver does not say. Before
// any vGPU exists on the card, every VF lists every type the card offers
// (creatable_vgpu_types), the largest taking the whole framebuffer
// (L40S-48Q), so a type of N GB fits largest/N times, at most once per
// VF. Once vGPUs exist, each VF lists only the type in use, and only
// while one more fits: then the plan keeps the VFs that hold the type,
// and --vgpu-count asks for more.
func (p *Plan) planVendor(v *VGPUPlan) error {
	opts, h := p.Options, p.Host
	v.SRIOV = true
	if !opts.Release.AtLeast(mustRelease("2025.1")) {
		return fmt.Errorf("--vgpu-type %s: this host uses NVIDIA's vendor-specific VFIO framework (no mdev bus; VFs with nvidia/current_vgpu_type), whose VFs Nova passes through as PCI devices with \"managed\": \"no\" from 2025.1; this is Nova %s", v.Type, opts.Release.Name)
	}
	if opts.VGPUClass != "" {
		return flagError("--vgpu-class is the mdev_class of mediated devices; under NVIDIA's vendor framework the VFs are PCI devices: --placement gives them a resource class")
	}
	id, _ := strconv.Atoi(v.Type)
	vfsOf := map[string][]*pcidev.Device{}
	var pfs []string
	for _, vf := range vendorVFs(h) {
		if _, seen := vfsOf[vf.PhysFn]; !seen {
			pfs = append(pfs, vf.PhysFn)
		}
		vfsOf[vf.PhysFn] = append(vfsOf[vf.PhysFn], vf)
	}
	sort.Strings(pfs)
	for _, pfAddr := range pfs {
		pf := p.device(pfAddr)
		if pf == nil {
			pf = &pcidev.Device{Address: pfAddr}
		}
		var holding, free, sizes []int
		var offers bool
		vfs := vfsOf[pfAddr]
		typed := false
		for i, vf := range vfs {
			g := vf.VGPU
			lists := slices.ContainsFunc(g.Creatable, func(t pcidev.VGPUType) bool { return t.ID == id })
			offers = offers || lists || g.CurrentKnown && g.Current == id
			for _, t := range g.Creatable {
				if s := typeSize(t.Name); s > 0 {
					sizes = append(sizes, s)
				}
			}
			switch {
			case !g.CurrentKnown:
			case g.Current == id:
				holding, typed = append(holding, i), true
			case g.Current != 0:
				typed = true
				v.Restricted = true
			case lists:
				free = append(free, i)
			}
		}
		if !offers {
			continue
		}
		if !p.selectedGPU(pf) {
			v.Restricted = true
			continue
		}
		g := VGPUGPU{GPU: pf}
		usable := len(holding) + len(free)
		switch size := typeSize(v.Name); {
		case !typed && size > 0 && len(sizes) > 0:
			largest := slices.Max(sizes)
			g.Allowed = min(largest/size, usable)
			g.AllowedWhy = fmt.Sprintf("%d GB per vGPU of the %d GB the largest type takes, at most one per free virtual function (%d)", size, largest, usable)
		case typed:
			// The driver lists only the type in use now: the card's
			// memory comes from the type's board (L40S: 48 GB).
			fb := boardFramebufferGB(v.Name)
			most := usable
			if fb > 0 && size > 0 {
				most = min(fb/size, usable)
			}
			g.Allowed = len(holding)
			switch {
			case len(free) == 0:
				g.AllowedWhy = "the virtual functions that hold it now; no other is free"
			case fb > 0 && size > 0:
				g.AllowedWhy = fmt.Sprintf("the virtual functions that hold it now; %d more are free, and --vgpu-count can ask for up to %d in all: %d GB per vGPU of the card's %d GB", len(free), most, size, fb)
			default:
				g.AllowedWhy = fmt.Sprintf("the virtual functions that hold it now; %d more are free, and --vgpu-count can ask for them (how many fit in the card's memory is not known)", len(free))
			}
			if opts.VGPUCount > 0 {
				g.Allowed = most
				if fb > 0 && size > 0 {
					g.AllowedWhy = fmt.Sprintf("%d GB per vGPU of the card's %d GB, one per virtual function; %d hold it or are free", size, fb, usable)
				} else {
					g.AllowedWhy = fmt.Sprintf("%d virtual functions hold it or are free to; how many fit in the card's memory is not known", usable)
				}
			}
		default:
			if opts.VGPUCount == 0 {
				return fmt.Errorf("--vgpu-type %s: how many vGPUs of %s fit on %s cannot be read from its driver's type names: give --vgpu-count", v.Type, describeType(vgpuType{v.Type, v.Name}), pcidev.Describe(pf))
			}
			g.Allowed, g.AllowedWhy = usable, fmt.Sprintf("%d virtual functions hold it or are free to", usable)
		}
		if g.Allowed == 0 {
			return fmt.Errorf("--vgpu-type %s: no virtual function of %s can take it now (each holds another type)", v.Type, pcidev.Describe(pf))
		}
		g.Count = g.Allowed
		if n := opts.VGPUCount; n > 0 {
			if n > g.Allowed {
				return flagError("--vgpu-count %d: %s gives at most %d vGPUs of %s (%s)", n, pcidev.Describe(pf), g.Allowed, describeType(vgpuType{v.Type, v.Name}), g.AllowedWhy)
			}
			g.Count = n
		}
		if g.Count < usable {
			v.Restricted = true
		}
		chosen := append(append([]int{}, holding...), free...)[:g.Count]
		sort.Ints(chosen)
		for _, i := range chosen {
			vf := vfs[i]
			g.Parents = append(g.Parents, vf.Address)
			switch {
			case v.VendorID == "":
				v.VendorID, v.DeviceID = vf.VendorID, vf.DeviceID
			case v.VendorID != vf.VendorID || v.DeviceID != vf.DeviceID:
				return fmt.Errorf("--vgpu-type %s: the virtual functions that offer it have different IDs (%s:%s, %s:%s), which one alias cannot name: select one GPU model with --gpu", v.Type, v.VendorID, v.DeviceID, vf.VendorID, vf.DeviceID)
			}
		}
		v.GPUs = append(v.GPUs, g)
	}
	if len(v.GPUs) == 0 {
		if v.Restricted {
			return flagError("--vgpu-type %s: --gpu selects none of the GPUs that offer it", v.Type)
		}
		return fmt.Errorf("--vgpu-type %s: no virtual function offers it", v.Type)
	}
	key := v.VendorID + ":" + v.DeviceID
	v.Alias = p.Options.AliasNames[key]
	if v.Alias == "" {
		v.Alias = vgpuSlug(v)
	}
	if err := CheckAliasName(v.Alias); err != nil {
		if p.Options.AliasNames[key] != "" {
			return flagError("--alias-name %s=%q: %v", key, v.Alias, err)
		}
		return fmt.Errorf("--vgpu-type %s: the alias name %q made from it cannot name flavors: %v; choose one with --alias-name %s=NAME", v.Type, v.Alias, err, key)
	}
	for k := range p.Options.AliasNames {
		if k != key {
			return flagError("--alias-name %s: the vGPU alias names the virtual functions' ID %s", k, key)
		}
	}
	v.AliasPolicy = opts.NUMAPolicy
	if opts.Placement {
		v.Class = "CUSTOM_" + strings.Trim(strings.ToUpper(nonSlug.ReplaceAllString(strings.ToLower(cmp.Or(v.Name, "vgpu "+v.Type)), "_")), "_")
	}
	v.Units = []Unit{p.vendorUnit(v)}
	return nil
}

// vgpuSlug names the type for aliases and flavors: its human name
// without the vendor ("NVIDIA L40S-2Q" gives l40s-2q), else vgpu-ID.
func vgpuSlug(v *VGPUPlan) string {
	name := v.Name
	if i := strings.IndexByte(name, ' '); i >= 0 {
		name = name[i+1:]
	}
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	if slug == "" {
		return "vgpu-" + strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(v.Type), "-"), "-")
	}
	return slug
}

// VendorUnitPath is the unit that prepares the vendor framework's VFs.
const VendorUnitPath = "/etc/systemd/system/gpupass-vgpu.service"

// sysfsDevices is where the kernel shows PCI functions.
const sysfsDevices = "/sys/bus/pci/devices/"

// enableScript enables a GPU's VFs with NVIDIA's sriov-manage unless they
// are (running it again on enabled VFs resets the GPU's functions).
func enableScript(pf string) string {
	numvfs := shellQuote(sysfsDevices + pf + "/sriov_numvfs")
	return fmt.Sprintf(`[ "$(cat %s)" != 0 ] || /usr/lib/nvidia/sriov-manage -e %s`, numvfs, shellQuote(pf))
}

// typeScript gives each VF the vGPU type through its
// nvidia/current_vgpu_type (vgpu-vfio-pci-core.c: writing an ID creates
// the vGPU, writing 0 destroys it, writing over another fails): a VF that
// has it already is left alone, one that has another is named and left
// alone (destroying it would take a guest's vGPU), and the script fails
// at the end if any VF did not get the type. It waits up to 30 s for each
// VF's nvidia/ directory, which the driver makes as it probes the VFs
// that sriov-manage enabled.
func typeScript(id string, vfs []string) string {
	var quoted []string
	for _, vf := range vfs {
		quoted = append(quoted, shellQuote(vf))
	}
	return "t=" + shellQuote(id) + "; s=0; for vf in " + strings.Join(quoted, " ") + "; do " +
		`f=` + sysfsDevices + `$vf/nvidia/current_vgpu_type; n=0; ` +
		`while [ ! -e "$f" ] && [ $n -lt 30 ]; do sleep 1; n=$((n+1)); done; ` +
		`c=$(cat "$f") || { s=1; continue; }; ` +
		`if [ "$c" = "$t" ]; then continue; fi; ` +
		`if [ "$c" != 0 ]; then echo "$vf has the vGPU type $c, not $t: left as it is" >&2; s=1; continue; fi; ` +
		`echo "$t" > "$f" || s=1; ` +
		`done; exit $s`
}

// systemdWord writes s as one argument of a systemd ExecStart= line:
// double-quoted, with the characters systemd gives a meaning escaped
// (backslash and double quote as C escapes, $ as $$, % as %%;
// systemd.service(5) "Command lines", systemd.unit(5) "Specifiers").
func systemdWord(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", "$$", "%", "%%", "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// vendorUnit is the unit that, at every boot before nova-compute, enables
// the selected GPUs' VFs and gives the plan's VFs the vGPU type. It is
// safe to start now: both steps skip what is done.
func (p *Plan) vendorUnit(v *VGPUPlan) Unit {
	var b strings.Builder
	d := &doc{}
	d.note(fmt.Sprintf("gpupass generate for %s: at every boot, before nova-compute starts, enable the virtual functions of the GPUs below and give each of the first ones the vGPU type %s.", p.hostName(), describeType(vgpuType{v.Type, v.Name})))
	b.WriteString(d.String())
	fmt.Fprintf(&b, "[Unit]\nDescription=NVIDIA vGPU type %s on SR-IOV virtual functions, for nova-compute\n", v.Type)
	b.WriteString("After=nvidia-vgpu-mgr.service\nAfter=nvidia-vgpud.service\nBefore=" + novaComputeUnits + "\n\n")
	b.WriteString("[Service]\nType=oneshot\nRemainAfterExit=true\nTimeoutStartSec=600\n")
	for _, g := range v.GPUs {
		fmt.Fprintf(&b, "ExecStart=/bin/sh -c %s\n", systemdWord(enableScript(g.GPU.Address)))
		fmt.Fprintf(&b, "ExecStart=/bin/sh -c %s\n", systemdWord(typeScript(v.Type, g.Parents)))
	}
	b.WriteString("\n[Install]\nWantedBy=multi-user.target\n")
	return Unit{Path: VendorUnitPath, Content: b.String(), Enable: []Command{
		{"systemctl", "daemon-reload"}, {"systemctl", "enable", "--now", "gpupass-vgpu.service"}}}
}

// vendorDeviceSpecs are the [pci]device_spec values of the vendor
// framework: one per VF, managed by its driver.
func (p *Plan) vendorDeviceSpecs() []string {
	v := p.VGPU
	if v == nil || v.Framework != FrameworkVendor {
		return nil
	}
	var out []string
	for _, g := range v.GPUs {
		for _, vf := range g.Parents {
			kv := []string{"vendor_id", v.VendorID, "product_id", v.DeviceID, "address", vf, "managed", "no"}
			if v.Class != "" {
				kv = append(kv, "resource_class", v.Class)
			}
			out = append(out, jsonObject(kv...))
		}
	}
	return out
}

// vendorAlias is the type-VF alias of the vendor framework; "" for none.
func (p *Plan) vendorAlias() string {
	v := p.VGPU
	if v == nil || v.Framework != FrameworkVendor {
		return ""
	}
	kv := []string{"name", v.Alias, "vendor_id", v.VendorID, "product_id", v.DeviceID, "device_type", "type-VF"}
	if v.AliasPolicy != "" {
		kv = append(kv, "numa_policy", v.AliasPolicy)
	}
	if v.Class != "" {
		kv = append(kv, "resource_class", v.Class)
	}
	return jsonObject(kv...)
}

// vgpuFlavors are the flavors of one vGPU each: resources:<class>=1 for
// mdevs, the alias for the vendor framework; vCPUs and RAM 90% of the
// host's divided among all its vGPUs.
func (p *Plan) vgpuFlavors() []Flavor {
	v := p.VGPU
	if v == nil {
		return nil
	}
	total := 0
	for _, g := range v.GPUs {
		total += g.Count
	}
	h := p.Host
	f := Flavor{
		Name:   "vgpu." + vgpuSlug(v) + ".1",
		VCPUs:  max(h.CPU.LogicalCPUs*9/10/max(total, 1)/2*2, 2),
		RAMMB:  max(int(h.MemoryMB)*9/10/max(total, 1)/1024*1024, 4096),
		DiskGB: 100,
	}
	if v.Framework == FrameworkMdev {
		f.ExtraSpecs = [][2]string{{"resources:" + v.Class, "1"}}
	} else {
		f.ExtraSpecs = [][2]string{{"pci_passthrough:alias", v.Alias + ":1"}}
	}
	return []Flavor{f}
}

// gives reports whether the plan gives vGPUs of the GPU at address (a nil
// plan gives none).
func (v *VGPUPlan) gives(address string) bool {
	if v == nil {
		return false
	}
	for _, g := range v.GPUs {
		if g.GPU.Address == address {
			return true
		}
	}
	return false
}

// vgpuLeft says why a display device of a vGPU host is left out.
func (p *Plan) vgpuLeft(d *pcidev.Device) string {
	switch {
	case pcidev.IsHostDisplay(d) || pcidev.IsBootVGA(d):
		return hostUse(d)
	case p.VGPU == nil:
		return "left to the vGPU manager: no vGPU type chosen (see below)"
	case !p.selectedGPU(d):
		return "not selected by --gpu"
	}
	return "offers no vGPU of the type " + describeType(vgpuType{p.VGPU.Type, p.VGPU.Name})
}

// vgpuSummary says, in a document's header, which GPUs give which vGPUs.
func (p *Plan) vgpuSummary(d *doc) {
	v := p.VGPU
	t := describeType(vgpuType{v.Type, v.Name})
	switch v.Framework {
	case FrameworkMdev:
		d.note(fmt.Sprintf("For guests: vGPUs of the mdev type %s, Placement resource class %s:", t, v.Class))
	default:
		d.note(fmt.Sprintf("For guests: vGPUs of the type %s on SR-IOV virtual functions (NVIDIA's vendor-specific VFIO framework), alias %s:", t, v.Alias))
	}
	for _, g := range v.GPUs {
		where := ""
		switch {
		case v.Framework == FrameworkMdev && !v.SRIOV:
			where = "the GPU is the mdev parent"
		case v.Framework == FrameworkMdev:
			where = "mdev parents " + prose.ListUpTo(g.Parents, 4, ", ")
		default:
			where = "on " + prose.ListUpTo(g.Parents, 4, ", ")
		}
		d.comment("#   ", "#     ", fmt.Sprintf("%s: %s of %d (%s); %s", pcidev.Describe(g.GPU), prose.Plural(g.Count, "vGPU"), g.Allowed, g.AllowedWhy, where))
	}
	if v.Framework == FrameworkMdev {
		d.comment("#   ", "#     ", p.mdevPersistence())
	}
	for _, u := range v.UnitsKept {
		d.comment("#   ", "#     ", u+" enables the virtual functions at boot, before nova-compute: kept.")
	}
}

// unitDoc writes the units and the commands that enable them.
func (p *Plan) unitDoc(d *doc) {
	for i, u := range p.VGPU.Units {
		if i > 0 {
			d.blank()
		}
		d.note(u.Path + ":")
		d.text(u.Content)
		d.blank()
		if p.VGPU.Framework == FrameworkVendor {
			d.note("Then enable it, and run it now (it leaves what is done as it is):")
		} else {
			d.note("Then enable it for each GPU (its virtual functions are enabled now; the unit enables them at the next boot):")
		}
		for _, c := range u.Enable {
			d.run(c)
		}
	}
}

// vgpuFlavorDoc writes the vGPU flavors.
func (p *Plan) vgpuFlavorDoc(d *doc, flavors []Flavor) {
	d.note("One vGPU each. vCPUs and RAM: 90% of the host's, divided among all its vGPUs. The disk size is a placeholder: adjust it.")
	for _, f := range flavors {
		d.run(f.Command())
	}
}

var (
	mdevTypeID   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	vendorTypeID = regexp.MustCompile(`^[1-9][0-9]{0,9}$`)
)

// validateVGPU refuses vGPU facts that would reach nova.conf, a unit or a
// command as something else than what they say (a report is only JSON):
// a type ID that is not one, an address that is not sysfs's.
func (p *Plan) validateVGPU() error {
	v := p.VGPU
	if v == nil {
		return nil
	}
	if v.Framework == FrameworkMdev && !mdevTypeID.MatchString(v.Type) || v.Framework == FrameworkVendor && !vendorTypeID.MatchString(v.Type) {
		return fmt.Errorf("vGPU type %q is not a type ID as sysfs writes it", v.Type)
	}
	for _, g := range v.GPUs {
		for _, a := range append([]string{g.GPU.Address}, g.Parents...) {
			if pa, err := pcidev.ParseAddress(a); err != nil || pa.String() != a {
				return fmt.Errorf("device address %q is not a PCI address as sysfs writes it (0000:41:00.0)", a)
			}
		}
	}
	if v.Framework == FrameworkVendor && (!hexID.MatchString(v.VendorID) || !hexID.MatchString(v.DeviceID)) {
		return fmt.Errorf("virtual function IDs %q:%q are not four lower-case hex digits each", v.VendorID, v.DeviceID)
	}
	return nil
}

// servesVGPU reports a GPU that gives vGPUs: an mdev parent, or a PF whose
// VFs are mdev parents or VFs of NVIDIA's vendor-specific VFIO framework.
func servesVGPU(h *hostinfo.Host, d *pcidev.Device) bool {
	if h.Mdev.Parent(d.Address) != nil {
		return true
	}
	for i := range h.Devices {
		vf := &h.Devices[i]
		if vf.PhysFn == d.Address && (vf.VGPU != nil || h.Mdev.Parent(vf.Address) != nil) {
			return true
		}
	}
	return false
}

// forVGPU reports a GPU a vGPU host keeps for vGPUs: one that serves them,
// one of a model that serves them here, or any GPU when none serves them
// yet (the vGPU manager not loaded, the VFs not enabled: the GPUs are
// still meant for it). A GPU of another model beside vGPU GPUs is not.
func forVGPU(h *hostinfo.Host, d *pcidev.Device) bool {
	if servesVGPU(h, d) {
		return true
	}
	any := false
	for i := range h.Devices {
		o := &h.Devices[i]
		if o.PhysFn == "" && servesVGPU(h, o) {
			any = true
			if o.VendorID == d.VendorID && o.DeviceID == d.DeviceID {
				return true
			}
		}
	}
	return !any
}
