package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
)

// HostView is a host with the facts several checks derive from it.
type HostView struct {
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

// NewHostView derives the shared facts. A passthrough GPU is a
// display-class function (0x03xx) bound to vfio-pci or pci-stub, claimed
// for them at boot (ids, driver_override, driverctl), admitted by a
// [pci]device_spec of conf (which may be nil), or named by a --gpu
// selection; a selection by address or ID may also name a device of
// another class (a compute accelerator, say).
func NewHostView(h *hostinfo.Host, selectors []pcidev.Selector, conf *pcispec.Conf) *HostView {
	v := &HostView{
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
		if d.Driver == pcidev.DriverVFIOPCI || d.Driver == pcidev.DriverPCIStub {
			why = append(why, "bound to "+d.Driver)
		}
		if d.DriverOverride == pcidev.DriverVFIOPCI || d.DriverOverride == pcidev.DriverPCIStub {
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

// Device returns the function at a PCI address, or nil.
func (v *HostView) Device(addr string) *pcidev.Device { return v.byAddr[addr] }

// IsPassthroughGPU reports whether the device is in the passthrough set.
func (v *HostView) IsPassthroughGPU(d *pcidev.Device) bool { return v.gpuSet[d.Address] != nil }

// Group returns the members of an IOMMU group in address order.
func (v *HostView) Group(id int) []*pcidev.Device { return v.groups[id] }

// GroupIDs lists the IOMMU groups that have PCI members, in order.
func (v *HostView) GroupIDs() []int {
	ids := make([]int, 0, len(v.groups))
	for id := range v.groups {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// Companions are the other functions of a GPU's card (same slot): HDMI
// audio, USB, UCSI.
func (v *HostView) Companions(gpu *pcidev.Device) []*pcidev.Device {
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
func (v *HostView) CandidateGPUs() []*pcidev.Device {
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

// BootClaims says what binds the device to vfio-pci or pci-stub at every
// boot: an ids entry, or a driverctl override.
func (v *HostView) BootClaims(d *pcidev.Device) []string {
	var out []string
	for _, c := range v.Claims {
		if c.Matches(d) {
			where := c.Source
			if where == "kernel command line" {
				out = append(out, c.Driver+".ids="+c.Raw+" on the kernel command line")
			} else {
				out = append(out, "options "+c.Driver+" ids="+c.Raw+" ("+where+")")
			}
		}
	}
	for _, o := range v.Host.Driverctl {
		if o.Address == d.Address && (o.Driver == pcidev.DriverVFIOPCI || o.Driver == pcidev.DriverPCIStub) {
			out = append(out, "driverctl override to "+o.Driver+" ("+o.File+")")
		}
	}
	return out
}

// Module returns how a kernel module is present, if it is.
func (v *HostView) Module(name string) (hostinfo.Module, bool) {
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
func (v *HostView) ModuleBlocked(module string) string {
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
func (v *HostView) SoftdepBefore(module, dep string) string {
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
