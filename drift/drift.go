// Package drift holds what the drift checks (GP501-GP510) compare between
// a host's known-good preflight report and its state today: which devices
// are tracked and paired by address, IOMMU group membership, the kernel
// parameters that decide passthrough and how each class of them is
// judged, the modules that matter (GPU host drivers, the VFIO stack,
// KVM), and [pci] options compared by meaning rather than by bytes. The
// checks in package checks say what each difference means and how bad it
// is; this package only finds them.
package drift

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Side describes one report of a comparison: its host, time, tool,
// kernel and Nova.
func Side(r *report.Report) report.DriftSide {
	s := report.DriftSide{GeneratedAt: r.GeneratedAt, ToolVersion: r.Tool.Version}
	if r.Host != nil {
		s.Hostname, s.Kernel, s.NovaVersion = r.Host.Hostname, r.Host.Kernel.Release, r.Host.Nova.Version
	}
	return s
}

// Tracked is a function whose drift matters: a display-class function
// that is not a BMC's or an emulated display, or anything bound to
// vfio-pci / pci-stub. Virtual functions, which come and go with
// sriov_numvfs, are not compared.
func Tracked(d *pcidev.Device) bool {
	if d.PhysFn != "" {
		return false
	}
	return pcidev.IsDisplay(d) && !pcidev.IsHostDisplay(d) || pcidev.BoundToVFIO(d)
}

// ByAddress indexes a host's functions by address; a report listing an
// address twice keeps the first.
func ByAddress(h *hostinfo.Host) map[string]*pcidev.Device {
	m := make(map[string]*pcidev.Device, len(h.Devices))
	for i := range h.Devices {
		if m[h.Devices[i].Address] == nil { // a report listing an address twice: the first counts
			m[h.Devices[i].Address] = &h.Devices[i]
		}
	}
	return m
}

// Compared lists, in address order, the tracked functions of either
// report.
func Compared(before, after *hostinfo.Host) []string {
	seen := map[string]bool{}
	for _, h := range []*hostinfo.Host{before, after} {
		for i := range h.Devices {
			if Tracked(&h.Devices[i]) {
				seen[h.Devices[i].Address] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// GroupMembers are the addresses in a device's IOMMU group, in order; ok
// is false when the device's group is unknown.
func GroupMembers(h *hostinfo.Host, d *pcidev.Device) (group *int, members []string, ok bool) {
	if pcidev.Unreadable(d, "iommu_group") {
		return nil, nil, false
	}
	if d.IOMMUGroup == nil {
		return nil, nil, true
	}
	for i := range h.Devices {
		if g := h.Devices[i].IOMMUGroup; g != nil && *g == *d.IOMMUGroup {
			members = append(members, h.Devices[i].Address)
		}
	}
	sort.Strings(members)
	return d.IOMMUGroup, members, true
}

// Minus returns what is in a but not in b.
func Minus(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}

// ParamRule says how a watched kernel parameter's change is judged.
type ParamRule struct {
	// Key is the parameter's name, normalized (- as _).
	Key string
	// Prefix: Key is a prefix (vfio_pci. matches vfio_pci.ids).
	Prefix bool
	// Class is what the parameter decides: iommu, iommu-mode, intremap,
	// isolation, claim or console.
	Class string
}

// watchedCmdline are the kernel parameters that decide passthrough: the
// IOMMU and its mode, interrupt remapping, isolation (ACS, unsafe
// interrupts), which driver claims devices at boot (vfio-pci / pci-stub
// ids, blacklists, dracut's driver order), and how the host's console uses
// GPUs. Other parameters (root=, console=, BOOT_IMAGE=, hugepages...) are
// not compared.
var watchedCmdline = []ParamRule{
	{"intel_iommu", false, "iommu"},
	{"amd_iommu", false, "iommu"},
	{"iommu", false, "iommu-mode"},
	{"iommu.", true, "iommu-mode"},
	{"amd_iommu_intr", false, "iommu-mode"},
	{"intremap", false, "intremap"},
	{"nointremap", false, "intremap"},
	{"pcie_acs_override", false, "isolation"},
	{"vfio_iommu_type1.", true, "isolation"},
	{"vfio.", true, "isolation"},
	{"vfio_pci.", true, "claim"},
	{"pci_stub.", true, "claim"},
	{"modprobe.blacklist", false, "claim"},
	{"module_blacklist", false, "claim"},
	{"rd.driver.blacklist", false, "claim"},
	{"rdblacklist", false, "claim"},
	{"rd.driver.pre", false, "claim"},
	{"rd.driver.post", false, "claim"},
	{"initcall_blacklist", false, "claim"},
	{"nouveau.modeset", false, "console"},
	{"nomodeset", false, "console"},
	{"video", false, "console"},
	{"pci", false, "console"},
}

// WatchedParam returns the rule for a parameter name, if it is watched.
func WatchedParam(key string) (ParamRule, bool) {
	k := hostinfo.NormalizeModule(key)
	for _, r := range watchedCmdline {
		if k == r.Key || r.Prefix && strings.HasPrefix(k, r.Key) {
			return r, true
		}
	}
	return ParamRule{}, false
}

// WatchedParams groups a command line's watched parameters by normalized
// name, in order of first appearance.
func WatchedParams(c hostinfo.Cmdline) (map[string][]hostinfo.Param, []string) {
	m := map[string][]hostinfo.Param{}
	var order []string
	for _, p := range c.Params {
		if _, ok := WatchedParam(p.Key); !ok {
			continue
		}
		k := hostinfo.NormalizeModule(p.Key)
		if m[k] == nil {
			order = append(order, k)
		}
		m[k] = append(m[k], p)
	}
	return m, order
}

// ParamStrings writes parameters as they appear on a command line.
func ParamStrings(ps []hostinfo.Param) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// SameParams compares parameters as the kernel reads them: vfio-pci.ids
// is vfio_pci.ids.
func SameParams(a, b []hostinfo.Param) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !hostinfo.ParamKeyEqual(a[i].Key, b[i].Key) || a[i].Value != b[i].Value || a[i].HasValue != b[i].HasValue {
			return false
		}
	}
	return true
}

// TurnsOff reports parameters that turn their feature off: a value
// listing "off", or nointremap itself.
func TurnsOff(ps []hostinfo.Param, key string) bool {
	for _, p := range ps {
		if key == "nointremap" || hostinfo.ValueHas(p.Value, "off") {
			return true
		}
	}
	return false
}

// ModuleKind says whether drift reports a module's coming and going
// as warnings or infos one by one, and as what: "gpu" (GPU host drivers
// and their helpers), "vfio" (the VFIO stack, variant drivers included)
// or "kvm"; "" for other modules, summed up in one info.
func ModuleKind(name string) string {
	switch {
	case pcidev.IsGPUHostModule(name):
		return "gpu"
	case pcidev.IsVFIOModule(name):
		return "vfio"
	case slices.Contains(hostinfo.KVMModules, name):
		return "kvm"
	}
	return ""
}

// ModuleIndex indexes modules by their normalized name.
func ModuleIndex(ms []hostinfo.Module) map[string]hostinfo.Module {
	m := make(map[string]hostinfo.Module, len(ms))
	for _, mod := range ms {
		m[hostinfo.NormalizeModule(mod.Name)] = mod
	}
	return m
}

// ParamsText writes module parameters as key=value, sorted by key.
func ParamsText(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+params[k])
	}
	return strings.Join(parts, " ")
}

// ConfEntry is one recorded value of an option, compared in a canonical
// form (JSON re-encoded with sorted keys, so a reformatted value is not a
// change).
type ConfEntry struct {
	// Value is as recorded; Canon compares (JSON with sorted keys);
	// Source is file:line; Name is the deprecated name it was set under,
	// if any.
	Value, Canon, Source, Name string
}

// CanonicalValue is a value in the form it is compared in: JSON
// re-encoded with sorted keys, else its words joined by one space.
func CanonicalValue(text string) string {
	var v any
	if err := json.Unmarshal([]byte(text), &v); err == nil {
		if b, err := json.Marshal(v); err == nil {
			return string(b)
		}
	}
	return strings.Join(strings.Fields(text), " ")
}

// ConfEntries are a report's recorded values of an option.
func ConfEntries(c *report.ConfReport, opt novaconf.Option) []ConfEntry {
	if c == nil {
		return nil
	}
	var out []ConfEntry
	for _, o := range c.Options {
		if o.Option == opt.String() {
			out = append(out, ConfEntry{Value: o.Value, Canon: CanonicalValue(o.Value), Source: o.Source, Name: o.Name})
		}
	}
	return out
}

// EntryDiff returns the entries of a whose canonical form b lacks (as a
// multiset).
func EntryDiff(a, b []ConfEntry) []ConfEntry {
	count := map[string]int{}
	for _, e := range b {
		count[e.Canon]++
	}
	var out []ConfEntry
	for _, e := range a {
		if count[e.Canon] > 0 {
			count[e.Canon]--
			continue
		}
		out = append(out, e)
	}
	return out
}

// EntryValues are the entries' values as recorded.
func EntryValues(es []ConfEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Value
	}
	return out
}

// NovaOf describes a report's Nova: version and release.
func NovaOf(r *report.Report) (version, release string) {
	if r.Host != nil {
		version = r.Host.Nova.Version
	}
	release = r.NovaRelease
	if version != "" {
		if rel, err := novarelease.Parse(version); err == nil {
			release = rel.Name
		}
	}
	return version, release
}
