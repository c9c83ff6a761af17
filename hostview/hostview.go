// Package hostview derives, once, the facts about a host that several
// checks, the inventory, the audit's fleet model and generate share: which
// functions are passthrough GPUs and why, the members of each IOMMU group
// and what keeps a group from vfio (GroupBlockers), the other functions of
// a GPU's card, the boot-time vfio-pci.ids and driverctl claims, and which
// modules are present, blacklisted or ordered by softdep.
//
// A View is pure data computed from a hostinfo.Host (and, for "offered by
// device_spec", a parsed nova.conf); it reads no file. Device knowledge
// that needs no host (what a display function or a vfio driver is) is
// pcidev's; what a host's own devices and configuration make of it is
// here.
package hostview

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
)

// View is a host with the facts several checks derive from it.
type View struct {
	Host    *hostinfo.Host
	Cmdline hostinfo.Cmdline
	// Claims are the vfio-pci.ids / pci-stub.ids entries that bind devices
	// at boot, from the kernel command line and modprobe.d.
	Claims []pcidev.IDClaim
	// GPUs are the passthrough GPUs, in address order.
	GPUs []*GPU

	byAddr map[string]*pcidev.Device
	groups map[int][]*pcidev.Device
	gpuSet map[string]*GPU
}

// GPU is a passthrough GPU and why it counts as one.
type GPU struct {
	Device *pcidev.Device
	// Why lists what marks it for passthrough ("bound to vfio-pci",
	// "vfio-pci.ids on the kernel command line", "--gpu all").
	Why []string
}

// New derives the shared facts. A passthrough GPU is a
// display-class function (0x03xx) bound to vfio-pci or pci-stub, claimed
// for them at boot (ids, driver_override, driverctl), admitted by a
// [pci]device_spec of conf (which may be nil), or named by a --gpu
// selection; a selection by address or ID may also name a device of
// another class (a compute accelerator, say).
func New(h *hostinfo.Host, selectors []pcidev.Selector, conf *pcispec.Conf) *View {
	v := &View{
		Host:    h,
		Cmdline: hostinfo.ParseCmdline(h.Kernel.Cmdline),
		byAddr:  make(map[string]*pcidev.Device, len(h.Devices)),
		groups:  map[int][]*pcidev.Device{},
		gpuSet:  map[string]*GPU{},
	}
	for i := range h.Devices {
		d := &h.Devices[i]
		v.byAddr[d.Address] = d
		if d.IOMMUGroup != nil {
			v.groups[*d.IOMMUGroup] = append(v.groups[*d.IOMMUGroup], d)
		}
	}
	v.Claims = collectClaims(h, v.Cmdline)
	for i := range h.Devices {
		d := &h.Devices[i]
		var why []string
		for _, s := range selectors {
			if s.Matches(d) {
				why = append(why, "--gpu "+s.Raw)
			}
		}
		// Only a selection by address or ID brings in a non-display device
		// ("all" matches display functions only).
		if !pcidev.IsDisplay(d) && len(why) == 0 {
			continue
		}
		if pcidev.IsVFIODriver(d.Driver) {
			why = append(why, "bound to "+d.Driver)
		}
		if pcidev.IsVFIODriver(d.DriverOverride) {
			why = append(why, "driver_override is "+d.DriverOverride)
		}
		why = append(why, v.BootClaims(d)...)
		// A device_spec that admits a BMC's or an emulated display is
		// GP305's finding, not a GPU.
		if !pcidev.IsHostDisplay(d) {
			for _, m := range conf.Admitting(d) {
				why = append(why, "admitted by [pci]device_spec at "+m.Entry.Value.Source.String())
			}
		}
		if len(why) > 0 {
			g := &GPU{Device: d, Why: why}
			v.GPUs = append(v.GPUs, g)
			v.gpuSet[d.Address] = g
		}
	}
	return v
}

// collectClaims gathers ids= for vfio-pci and pci-stub from the kernel
// command line (vfio-pci.ids=, which kmod also passes to the module) and
// from modprobe.d options lines.
func collectClaims(h *hostinfo.Host, cmdline hostinfo.Cmdline) []pcidev.IDClaim {
	var claims []pcidev.IDClaim
	add := func(driver, value, source string) {
		for _, raw := range strings.Split(value, ",") {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				continue
			}
			c, err := pcidev.ParseIDClaim(raw)
			c.Driver, c.Source, c.Err = driver, source, err
			claims = append(claims, c)
		}
	}
	for _, driver := range []string{pcidev.DriverVFIOPCI, pcidev.DriverPCIStub} {
		for _, p := range cmdline.Lookup(driver + ".ids") {
			add(driver, p.Value, "kernel command line")
		}
		module := hostinfo.NormalizeModule(driver)
		for _, d := range h.Modprobe {
			if d.Command != "options" || d.Module != module {
				continue
			}
			for _, p := range hostinfo.ParseCmdline(d.Args).Params {
				if p.Key == "ids" {
					add(driver, p.Value, fmt.Sprintf("%s:%d", d.File, d.Line))
				}
			}
		}
	}
	return claims
}

// Blocker is a device that makes an IOMMU group not viable for vfio.
type Blocker struct {
	Device *pcidev.Device
	// Unknown is set when the device's driver could not be read.
	Unknown bool
}

// GroupBlockers lists the members of a group that keep vfio from using it:
// endpoints on a host driver (pcidev.OnHostDriver: not vfio-pci, a variant
// driver, pci-stub, nor a VF NVIDIA's driver registered with VFIO).
// Bridges are accepted whatever their driver, as vfio does.
func GroupBlockers(v *View, group int) []Blocker {
	var out []Blocker
	for _, d := range v.Group(group) {
		if pcidev.IsBridge(d) {
			continue
		}
		if pcidev.Unreadable(d, "driver") {
			out = append(out, Blocker{Device: d, Unknown: true})
			continue
		}
		if pcidev.OnHostDriver(d) {
			out = append(out, Blocker{Device: d})
		}
	}
	return out
}

// Device returns the function at a PCI address, or nil.
func (v *View) Device(addr string) *pcidev.Device { return v.byAddr[addr] }

// IsPassthroughGPU reports whether the device is in the passthrough set.
func (v *View) IsPassthroughGPU(d *pcidev.Device) bool { return v.gpuSet[d.Address] != nil }

// Group returns the members of an IOMMU group in address order.
func (v *View) Group(id int) []*pcidev.Device { return v.groups[id] }

// GroupIDs lists the IOMMU groups that have PCI members, in order.
func (v *View) GroupIDs() []int {
	ids := make([]int, 0, len(v.groups))
	for id := range v.groups {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// Companions are the other functions of a GPU's card (same slot): HDMI
// audio, USB, UCSI. A virtual function has none: it shares its slot with
// its PF and sibling VFs (NVIDIA's start at function 4), and is assigned
// on its own, each VF in an IOMMU group of its own.
func (v *View) Companions(gpu *pcidev.Device) []*pcidev.Device {
	if gpu.PhysFn != "" {
		return nil
	}
	slot := pcidev.SlotOf(gpu.Address)
	var out []*pcidev.Device
	for i := range v.Host.Devices {
		d := &v.Host.Devices[i]
		if d.Address != gpu.Address && pcidev.SlotOf(d.Address) == slot && d.PhysFn == "" {
			out = append(out, d)
		}
	}
	return out
}

// CandidateGPUs are display-class functions that could be passed through:
// not a BMC or emulated display, not the boot console.
func (v *View) CandidateGPUs() []*pcidev.Device {
	var out []*pcidev.Device
	for i := range v.Host.Devices {
		d := &v.Host.Devices[i]
		if !pcidev.IsDisplay(d) || pcidev.IsHostDisplay(d) || d.PhysFn != "" {
			continue
		}
		if pcidev.IsBootVGA(d) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// BootClaims says what binds the device to vfio-pci or pci-stub at every
// boot: an ids entry, or a driverctl override.
func (v *View) BootClaims(d *pcidev.Device) []string {
	var out []string
	for _, c := range v.Claims {
		if c.Matches(d) {
			where := c.Source
			if where == "kernel command line" {
				out = append(out, c.Driver+".ids="+c.Raw+" on the kernel command line")
			} else {
				out = append(out, "options "+c.Driver+" ids="+c.Raw+" at "+where)
			}
		}
	}
	for _, o := range v.Host.Driverctl {
		if o.Address == d.Address && (o.Driver == pcidev.DriverVFIOPCI || o.Driver == pcidev.DriverPCIStub) {
			out = append(out, "driverctl override to "+o.Driver+" at "+o.File)
		}
	}
	return out
}

// Module returns how a kernel module is present, if it is.
func (v *View) Module(name string) (hostinfo.Module, bool) {
	name = hostinfo.NormalizeModule(name)
	for _, m := range v.Host.Modules {
		if m.Name == name {
			return m, true
		}
	}
	return hostinfo.Module{}, false
}

// ModuleBlocked says what keeps a module from loading on its own at boot:
// a blacklist line (stops loading by device alias), an install line that
// runs /bin/false or /bin/true, or module_blacklist= / modprobe.blacklist=
// on the kernel command line. "" when nothing does.
func (v *View) ModuleBlocked(module string) string {
	module = hostinfo.NormalizeModule(module)
	for _, key := range []string{"module_blacklist", "modprobe.blacklist"} {
		for _, p := range v.Cmdline.Lookup(key) {
			for _, m := range strings.Split(p.Value, ",") {
				if hostinfo.NormalizeModule(m) == module {
					return key + "=" + p.Value + " on the kernel command line"
				}
			}
		}
	}
	for _, d := range v.Host.Modprobe {
		if d.Module != module {
			continue
		}
		switch d.Command {
		case "blacklist":
			return fmt.Sprintf("blacklist %s (%s:%d)", module, d.File, d.Line)
		case "install":
			cmd := strings.Fields(d.Args)
			if len(cmd) > 0 && (strings.HasSuffix(cmd[0], "/false") || strings.HasSuffix(cmd[0], "/true")) {
				return fmt.Sprintf("install %s %s (%s:%d)", module, d.Args, d.File, d.Line)
			}
		}
	}
	return ""
}

// SoftdepBefore says which softdep line makes modprobe load dep before
// module ("softdep nvidia pre: vfio-pci"), or "".
func (v *View) SoftdepBefore(module, dep string) string {
	module, dep = hostinfo.NormalizeModule(module), hostinfo.NormalizeModule(dep)
	for _, d := range v.Host.Modprobe {
		if d.Command != "softdep" || d.Module != module {
			continue
		}
		pre := false
		for _, w := range strings.Fields(d.Args) {
			switch w {
			case "pre:":
				pre = true
			case "post:":
				pre = false
			default:
				if pre && hostinfo.NormalizeModule(w) == dep {
					return fmt.Sprintf("softdep %s %s (%s:%d)", module, d.Args, d.File, d.Line)
				}
			}
		}
	}
	return ""
}

// IsCompanion reports a non-display function in a slot that holds a GPU.
func (v *View) IsCompanion(d *pcidev.Device) bool {
	if pcidev.IsDisplay(d) {
		return false
	}
	slot := pcidev.SlotOf(d.Address)
	for i := range v.Host.Devices {
		o := &v.Host.Devices[i]
		if pcidev.IsDisplay(o) && pcidev.SlotOf(o.Address) == slot {
			return true
		}
	}
	return false
}

// ForeignEndpoints are the endpoints of d's IOMMU group that are not
// functions of d's card (bridges excepted, as vfio accepts them): they
// can only go to a guest together with d.
func (v *View) ForeignEndpoints(d *pcidev.Device) []*pcidev.Device {
	if d.IOMMUGroup == nil {
		return nil
	}
	slot := pcidev.SlotOf(d.Address)
	var out []*pcidev.Device
	for _, m := range v.GroupEndpoints(*d.IOMMUGroup) {
		if pcidev.SlotOf(m.Address) != slot {
			out = append(out, m)
		}
	}
	return out
}

// GroupEndpoints are the non-bridge members of a group.
func (v *View) GroupEndpoints(group int) []*pcidev.Device {
	var out []*pcidev.Device
	for _, d := range v.Group(group) {
		if !pcidev.IsBridge(d) {
			out = append(out, d)
		}
	}
	return out
}
