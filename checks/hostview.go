package checks

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
)

// Drivers that hand a device to a guest: vfio-pci, or the legacy pci-stub
// that only keeps host drivers away.
const (
	driverVFIO    = "vfio-pci"
	driverPCIStub = "pci-stub"
)

// HostView is a host with the facts several checks derive from it.
type HostView struct {
	Host    *hostinfo.Host
	Cmdline hostinfo.Cmdline
	// Claims are the vfio-pci.ids / pci-stub.ids entries that bind devices
	// at boot, from the kernel command line and modprobe.d.
	Claims []IDClaim
	// GPUs are the passthrough GPUs, in address order.
	GPUs []*GPU

	byAddr map[string]*hostinfo.PCIDevice
	groups map[int][]*hostinfo.PCIDevice
	gpuSet map[string]*GPU
}

// GPU is a passthrough GPU and why it counts as one.
type GPU struct {
	Device *hostinfo.PCIDevice
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
func NewHostView(h *hostinfo.Host, selectors []Selector, conf *ConfView) *HostView {
	v := &HostView{
		Host:    h,
		Cmdline: hostinfo.ParseCmdline(h.Kernel.Cmdline),
		byAddr:  make(map[string]*hostinfo.PCIDevice, len(h.Devices)),
		groups:  map[int][]*hostinfo.PCIDevice{},
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
		if !IsDisplay(d) && len(why) == 0 {
			continue
		}
		if d.Driver == driverVFIO || d.Driver == driverPCIStub {
			why = append(why, "bound to "+d.Driver)
		}
		if d.DriverOverride == driverVFIO || d.DriverOverride == driverPCIStub {
			why = append(why, "driver_override is "+d.DriverOverride)
		}
		why = append(why, v.BootClaims(d)...)
		// A device_spec that admits a BMC's or an emulated display is
		// GP305's finding, not a GPU.
		if hostDisplayVendors[d.VendorID] == "" {
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
func (v *HostView) Device(addr string) *hostinfo.PCIDevice { return v.byAddr[addr] }

// IsPassthroughGPU reports whether the device is in the passthrough set.
func (v *HostView) IsPassthroughGPU(d *hostinfo.PCIDevice) bool { return v.gpuSet[d.Address] != nil }

// Group returns the members of an IOMMU group in address order.
func (v *HostView) Group(id int) []*hostinfo.PCIDevice { return v.groups[id] }

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
func (v *HostView) Companions(gpu *hostinfo.PCIDevice) []*hostinfo.PCIDevice {
	slot := SlotOf(gpu.Address)
	var out []*hostinfo.PCIDevice
	for i := range v.Host.Devices {
		d := &v.Host.Devices[i]
		if d.Address != gpu.Address && SlotOf(d.Address) == slot && d.PhysFn == "" {
			out = append(out, d)
		}
	}
	return out
}

// SlotOf is a PCI address without its function: the card a function is on.
func SlotOf(addr string) string {
	if i := strings.LastIndexByte(addr, '.'); i >= 0 {
		return addr[:i]
	}
	return addr
}

// IsDisplay reports a display-class function (base class 0x03: VGA, 3D
// controller, other display controller).
func IsDisplay(d *hostinfo.PCIDevice) bool { return strings.HasPrefix(d.Class, "03") }

// IsBridge reports a PCI-to-PCI or CardBus bridge. vfio accepts these in a
// group whatever their driver (their header type is not "normal"), so a
// root port on pcieport does not spoil a group.
func IsBridge(d *hostinfo.PCIDevice) bool {
	return strings.HasPrefix(d.Class, "0604") || strings.HasPrefix(d.Class, "0609") || strings.HasPrefix(d.Class, "0607")
}

// hostDisplayVendors make the display adapters of BMCs and hypervisors:
// never GPUs anyone passes through.
var hostDisplayVendors = map[string]string{
	"1a03": "ASPEED BMC", "102b": "Matrox", "1af4": "virtio", "1b36": "QEMU",
	"1234": "Bochs", "1013": "Cirrus Logic", "15ad": "VMware", "1414": "Hyper-V",
}

// IsHostDisplay reports the display adapter of a BMC or a hypervisor
// (ASPEED, Matrox, virtio, QEMU...): never a GPU anyone passes through.
func IsHostDisplay(d *hostinfo.PCIDevice) bool { return hostDisplayVendors[d.VendorID] != "" }

// CandidateGPUs are display-class functions that could be passed through:
// not a BMC or emulated display, not the boot console.
func (v *HostView) CandidateGPUs() []*hostinfo.PCIDevice {
	var out []*hostinfo.PCIDevice
	for i := range v.Host.Devices {
		d := &v.Host.Devices[i]
		if !IsDisplay(d) || hostDisplayVendors[d.VendorID] != "" || d.PhysFn != "" {
			continue
		}
		if d.BootVGA != nil && *d.BootVGA {
			continue
		}
		out = append(out, d)
	}
	return out
}

// Describe names a device for an operator: address, IDs and model.
func Describe(d *hostinfo.PCIDevice) string {
	ids := d.VendorID + ":" + d.DeviceID
	if d.VendorID == "" || d.DeviceID == "" {
		ids = "unknown ID"
	}
	if d.Model != "" {
		return fmt.Sprintf("%s (%s %s)", d.Address, ids, d.Model)
	}
	return fmt.Sprintf("%s (%s)", d.Address, ids)
}

// knownDriverModules name the module of drivers whose name differs from
// it, for hosts captured without /sys/bus/pci/drivers/*/module links.
var knownDriverModules = map[string]string{
	"xhci_hcd": "xhci_pci", "nvidia-gpu": "i2c_nvidia_gpu", "ehci-pci": "ehci_pci",
	"ahci": "ahci", "nvme": "nvme", "snd_hda_intel": "snd_hda_intel",
}

// DriverModule is the module to name in modprobe.d for a device's driver.
func DriverModule(d *hostinfo.PCIDevice) string {
	if d.DriverModule != "" {
		return d.DriverModule
	}
	if m, ok := knownDriverModules[d.Driver]; ok {
		return m
	}
	return hostinfo.NormalizeModule(d.Driver)
}

func unreadable(d *hostinfo.PCIDevice, field string) bool {
	for _, f := range d.Unreadable {
		if f == field || f == "device" {
			return true
		}
	}
	return false
}

// pciAnyID is PCI_ANY_ID: a field that matches any value.
const pciAnyID = 0xffffffff

// IDClaim is one entry of vfio-pci.ids or pci-stub.ids: the driver binds
// every device it matches when it loads.
type IDClaim struct {
	Driver string
	// Raw is the entry as written (10de:2330).
	Raw string
	// Source is "kernel command line" or file:line of an options line.
	Source string
	// Err is set when the kernel would reject the entry.
	Err error

	vendor, device, subVendor, subDevice, class, classMask uint32
}

// ParseIDClaim parses vendor:device[:subvendor:subdevice[:class:class_mask]]
// in hex, as vfio-pci and pci-stub read their ids parameter (missing
// subsystem fields match anything; class and mask default to 0).
func ParseIDClaim(raw string) (IDClaim, error) {
	c := IDClaim{Raw: raw, subVendor: pciAnyID, subDevice: pciAnyID}
	parts := strings.Split(raw, ":")
	if len(parts) < 2 || len(parts) > 6 {
		return c, fmt.Errorf("%q: want vendor:device[:subvendor:subdevice[:class:class_mask]]", raw)
	}
	fields := []*uint32{&c.vendor, &c.device, &c.subVendor, &c.subDevice, &c.class, &c.classMask}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 16, 32)
		if err != nil || p == "" {
			return c, fmt.Errorf("%q: %q is not a hex ID", raw, p)
		}
		*fields[i] = uint32(n)
	}
	return c, nil
}

// Matches reports whether the claim binds the device.
func (c IDClaim) Matches(d *hostinfo.PCIDevice) bool {
	if c.Err != nil {
		return false
	}
	match := func(want uint32, have string) bool {
		if want == pciAnyID {
			return true
		}
		n, err := strconv.ParseUint(have, 16, 32)
		return err == nil && uint32(n) == want
	}
	if !match(c.vendor, d.VendorID) || !match(c.device, d.DeviceID) ||
		!match(c.subVendor, d.SubsystemVendorID) || !match(c.subDevice, d.SubsystemDeviceID) {
		return false
	}
	if c.classMask != 0 {
		class, err := strconv.ParseUint(d.Class, 16, 32)
		if err != nil || (uint32(class)^c.class)&c.classMask != 0 {
			return false
		}
	}
	return true
}

// collectClaims gathers ids= for vfio-pci and pci-stub from the kernel
// command line (vfio-pci.ids=, which kmod also passes to the module) and
// from modprobe.d options lines.
func collectClaims(h *hostinfo.Host, cmdline hostinfo.Cmdline) []IDClaim {
	var claims []IDClaim
	add := func(driver, value, source string) {
		for _, raw := range strings.Split(value, ",") {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				continue
			}
			c, err := ParseIDClaim(raw)
			c.Driver, c.Source, c.Err = driver, source, err
			claims = append(claims, c)
		}
	}
	for _, driver := range []string{driverVFIO, driverPCIStub} {
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
func (v *HostView) BootClaims(d *hostinfo.PCIDevice) []string {
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
		if o.Address == d.Address && (o.Driver == driverVFIO || o.Driver == driverPCIStub) {
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

// Selector is one --gpu value.
type Selector struct {
	Raw     string
	All     bool
	Vendor  string
	Device  string
	Address string
}

// ParseSelector accepts "all", VENDOR:DEVICE in hex (10de:2330), or a PCI
// address (0000:41:00.0, or 41:00.0 in domain 0000).
func ParseSelector(s string) (Selector, error) {
	raw := s
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "all" {
		return Selector{Raw: raw, All: true}, nil
	}
	if strings.Contains(s, ".") {
		if strings.Count(s, ":") == 1 {
			s = "0000:" + s
		}
		a, err := hostinfo.ParseAddress(s)
		if err != nil {
			return Selector{}, fmt.Errorf("--gpu %s: %v", raw, err)
		}
		return Selector{Raw: raw, Address: a.String()}, nil
	}
	vendor, device, ok := strings.Cut(s, ":")
	if ok && len(vendor) == 4 && len(device) == 4 {
		if _, err := strconv.ParseUint(vendor+device, 16, 32); err == nil {
			return Selector{Raw: raw, Vendor: vendor, Device: device}, nil
		}
	}
	return Selector{}, fmt.Errorf("--gpu %s: want all, VENDOR:DEVICE (10de:2330) or a PCI address (0000:41:00.0)", raw)
}

// Matches reports whether the selector names the device. "all" names
// every display-class function except the display adapters of BMCs and
// hypervisors (ASPEED, Matrox, virtio, QEMU...).
func (s Selector) Matches(d *hostinfo.PCIDevice) bool {
	switch {
	case s.All:
		return IsDisplay(d) && hostDisplayVendors[d.VendorID] == ""
	case s.Address != "":
		return d.Address == s.Address
	}
	return d.VendorID == s.Vendor && d.DeviceID == s.Device
}
