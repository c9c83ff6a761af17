package checks

// This file holds the checks of GPUs passed through as SR-IOV virtual
// functions and of the device_spec tags that came with them (GP607-GP611):
// NVIDIA's vendor-specific VFIO framework, the managed, live_migratable and
// one_time_use tags, and PCI in Placement's rules for VFs. Every Nova rule
// is cited from Nova's own code of the release that has it (Zed 26.2.2,
// 2025.1 31.0.0 and 2026.2 34.0.0 as Debian packages them; the paths are
// under nova/ in python3-nova); the host layouts are those of
// docs/research/vgpu-layouts.md sections 3 and 6.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/internal/shellword"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Nova releases whose rules these checks apply.
var (
	vfRel2024_1 = vfMustRelease("2024.1") // vGPU live migration
	vfRel2025_1 = vfMustRelease("2025.1") // managed, live_migratable
	vfRel2025_2 = vfMustRelease("2025.2") // one_time_use
	vfRel2026_2 = vfMustRelease("2026.2") // HW_PCI_LIVE_MIGRATABLE in Placement
)

func vfMustRelease(name string) novarelease.Release {
	r, err := novarelease.Parse(name)
	if err != nil {
		panic(err)
	}
	return r
}

// An option these checks read that the rest of gpupass does not, as Nova
// declares it: [libvirt]live_migration_permit_post_copy
// (nova/conf/libvirt.py, 2025.1).
var vfOptPostCopy = novaconf.Option{Group: "libvirt", Name: "live_migration_permit_post_copy", Type: novaconf.TypeBool, Default: "False"}

// The versions Nova's libvirt driver requires (nova/virt/libvirt/driver.py,
// identical in 2025.1 and 2026.2): MIN_VFIO_PCI_VARIANT_* for a
// device_spec with live_migratable, MIN_MDEV_LIVEMIG_* for live-migrating
// vGPUs (2024.1 and later). The kernel minimum for vGPU live migration is
// from admin/virtual-gpu.rst.
var (
	vfMinVariantLibvirt = [3]int{10, 0, 0}
	vfMinVariantQEMU    = [3]int{8, 2, 2}
	vfMinMdevLibvirt    = [3]int{8, 6, 0}
	vfMinMdevQEMU       = [3]int{8, 1, 0}
	vfMinMdevKernel     = [3]int{5, 18, 0}
)

const (
	vfLinkPCI     = "https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"
	vfLinkVGPU    = "https://docs.openstack.org/nova/latest/admin/virtual-gpu.html"
	vfLinkNVIDIA  = "https://docs.nvidia.com/vgpu/latest/grid-vgpu-user-guide/index.html"
	vfLinkConfPCI = "https://docs.openstack.org/nova/latest/configuration/config.html#pci"
)

// vfVendorVFs are the host's VFs under NVIDIA's vendor-specific VFIO
// framework: those with a /sys/bus/pci/devices/<VF>/nvidia/ directory.
func vfVendorVFs(p *Pass) []*pcidev.Device {
	var out []*pcidev.Device
	for i := range p.Inputs.Host.Devices {
		if d := &p.Inputs.Host.Devices[i]; d.VGPU != nil {
			out = append(out, d)
		}
	}
	return out
}

// vfSpecOf is the device_spec whose tags Nova gives the device: the first
// that admits it (Whitelist.device_assignable and get_devspec return the
// first match, nova/pci/whitelist.py); nil when none does.
func vfSpecOf(c *pcispec.Conf, d *pcidev.Device) *pcispec.SpecMatch {
	if m := c.Admitting(d); len(m) > 0 {
		return m[0]
	}
	return nil
}

// vfVFIOReady reports a device QEMU can open through VFIO as it is bound
// now: on vfio-pci, on a vfio-pci variant driver, or a VF that NVIDIA's
// driver registers with VFIO itself (vendor framework).
func vfVFIOReady(d *pcidev.Device) bool {
	return d.Driver == pcidev.DriverVFIOPCI || pcidev.IsVFIOVariantDriver(d.Driver) || d.VGPU != nil
}

// vfNeedsUnmanaged reports a device that libvirt must not rebind: one on a
// vfio-pci variant driver or of NVIDIA's vendor framework.
func vfNeedsUnmanaged(d *pcidev.Device) bool {
	return pcidev.IsVFIOVariantDriver(d.Driver) || d.VGPU != nil
}

func vfDriverOf(d *pcidev.Device) string {
	if d.Driver == "" {
		return "no driver"
	}
	return d.Driver
}

// vfTypeName is the name of the VF's current vGPU type, from its own
// creatable_vgpu_types or, as the list shrinks once vGPUs exist, from
// another VF of the same physical GPU (type IDs are unique per card).
func vfTypeName(p *Pass, d *pcidev.Device) string {
	id := d.VGPU.Current
	find := func(v *pcidev.VendorVGPU) string {
		for _, t := range v.Creatable {
			if t.ID == id {
				return t.Name
			}
		}
		return ""
	}
	if n := find(d.VGPU); n != "" {
		return n
	}
	for i := range p.Inputs.Host.Devices {
		o := &p.Inputs.Host.Devices[i]
		if o.VGPU != nil && o.PhysFn == d.PhysFn {
			if n := find(o.VGPU); n != "" {
				return n
			}
		}
	}
	return ""
}

// vfTypeLabel is "1148 NVIDIA L40S-2Q", or the ID alone.
func vfTypeLabel(p *Pass, d *pcidev.Device) string {
	if n := vfTypeName(p, d); n != "" {
		return strconv.Itoa(d.VGPU.Current) + " " + n
	}
	return strconv.Itoa(d.VGPU.Current)
}

// vfTypeKey compares vGPU types across cards: by name when known (IDs are
// only unique within one card), else by ID.
func vfTypeKey(p *Pass, d *pcidev.Device) string {
	if n := vfTypeName(p, d); n != "" {
		return n
	}
	return "#" + strconv.Itoa(d.VGPU.Current)
}

// vfPF is the VF's PF ("" for a function that is not a VF).
func vfPF(d *pcidev.Device) string { return d.PhysFn }

// vfJSON writes a device_spec or alias line an operator can paste: keys in
// the order given, values JSON strings.
func vfJSON(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		parts = append(parts, string(k)+": "+string(v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// vfWithManagedNo is a device_spec entry as written with "managed" set to
// "no" (replaced in place, else added last), every other key kept in its
// order; whole is false when the text is not one JSON object.
func vfWithManagedNo(text string) (line string, whole bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	var parts []string
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		key, ok := tok.(string)
		if !ok {
			return "", false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", false
		}
		k, _ := json.Marshal(key)
		v := string(raw)
		if key == "managed" {
			v, found = `"no"`, true
		} else {
			var b bytes.Buffer
			if json.Compact(&b, raw) == nil {
				v = b.String()
			}
		}
		parts = append(parts, string(k)+": "+v)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return "", false
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", false
	}
	if !found {
		parts = append(parts, `"managed": "no"`)
	}
	return "{" + strings.Join(parts, ", ") + "}", true
}

// otuRemedy is GP611's fix before 2025.2, by report_in_placement's state.
func otuRemedy(rip bool) string {
	if rip {
		return "Before upgrading to 2025.2: keep one_time_use only on entries for whole devices or PFs ([pci]report_in_placement is already on); or remove the tag."
	}
	return "Before upgrading to 2025.2: keep one_time_use only on entries for whole devices or PFs, and enable [pci]report_in_placement; or remove the tag."
}

// vfSetTypeCommand is the command that gives a VF a vGPU type (NVIDIA's
// current_vgpu_type file, research 3.2).
func vfSetTypeCommand(vf string, typeID string) string {
	return "echo " + shellword.Word(typeID) + " > " + shellword.Word("/sys/bus/pci/devices/"+vf+"/nvidia/current_vgpu_type")
}

// vfNormalizeRC is Nova's _normalize_resource_class
// (nova/compute/pci_placement_translator.py): upper-cased, kept when a
// standard class (os_resource_classes.STANDARDS) or already CUSTOM_, else
// os_resource_classes.normalize_name.
func vfNormalizeRC(rc string) string {
	up := strings.ToUpper(rc)
	switch up {
	case "VCPU", "MEMORY_MB", "DISK_GB", "PCI_DEVICE", "SRIOV_NET_VF", "NUMA_SOCKET", "NUMA_CORE",
		"NUMA_THREAD", "NUMA_MEMORY_MB", "IPV4_ADDRESS", "VGPU", "VGPU_DISPLAY_HEAD",
		"NET_BW_EGR_KILOBIT_PER_SEC", "NET_BW_IGR_KILOBIT_PER_SEC", "PCPU", "MEM_ENCRYPTION_CONTEXT",
		"FPGA", "PGPU", "NET_PACKET_RATE_KILOPACKET_PER_SEC", "NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC",
		"NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC":
		return up
	}
	if strings.HasPrefix(up, "CUSTOM_") {
		return up
	}
	return vfNormalizeName(rc)
}

var vfNonAlnum = regexp.MustCompile(`[^0-9A-Za-z]+`)

// vfNormalizeName is os_resource_classes' and os_traits' normalize_name.
func vfNormalizeName(s string) string {
	return "CUSTOM_" + strings.ToUpper(vfNonAlnum.ReplaceAllString(s, "_"))
}

// vfRCOf is the resource class Nova reports the device under
// (_get_rc_for_dev): the spec's resource_class, or
// CUSTOM_PCI_<VENDOR>_<PRODUCT>.
func vfRCOf(s *pcispec.DeviceSpec, d *pcidev.Device) string {
	if rc, ok := s.ResourceClass(); ok && rc != "" {
		return vfNormalizeRC(rc)
	}
	return strings.ToUpper("CUSTOM_PCI_" + d.VendorID + "_" + d.DeviceID)
}

// vfTraitsOf is the set of traits Nova gives the device's provider
// (_get_traits_for_dev): the spec's traits normalised, and
// COMPUTE_MANAGED_PCI_DEVICE, and from Nova 2026.2 (34.0.0)
// HW_PCI_LIVE_MIGRATABLE when the spec's live_migratable is true, sorted
// and comma-joined. A name written in upper case without CUSTOM_ is taken
// for a standard trait, as os_traits would when it is one.
func vfTraitsOf(s *pcispec.DeviceSpec) string {
	set := map[string]bool{"COMPUTE_MANAGED_PCI_DEVICE": true}
	if lm, _ := s.LiveMigratable(); lm && s.Release.AtLeast(vfRel2026_2) {
		set["HW_PCI_LIVE_MIGRATABLE"] = true
	}
	for _, t := range s.Traits() {
		// _normalize_traits: os_traits.check_traits keeps the standard
		// traits as they are, and os_traits.normalize_name makes every
		// other name a custom trait (GPU_BIG is CUSTOM_GPU_BIG).
		if vfStandardTraits[t] {
			set[t] = true
			continue
		}
		set[vfNormalizeTrait(t)] = true
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// vfMixedTraitsFix is GP610's remediation for VFs of one PF with
// different traits; from Nova 2026.2 a different live_migratable is one.
func vfMixedTraitsFix(a, b *pcispec.DeviceSpec) string {
	lmA, _ := a.LiveMigratable()
	lmB, _ := b.LiveMigratable()
	if lmA != lmB && a.Release.AtLeast(vfRel2026_2) {
		return "Give every VF of one PF the same traits and the same live_migratable (Nova 2026.2 gives the devices whose device_spec says live_migratable = true the HW_PCI_LIVE_MIGRATABLE trait), then restart nova-compute."
	}
	return "Give every VF of one PF the same traits, then restart nova-compute."
}

// vfStandardTraits are the standard traits gpupass knows a device_spec
// may name: the ones Nova itself gives PCI devices. Nova knows every
// os_traits name; gpupass has no copy of that list, so another standard
// trait written in a device_spec (HW_GPU_API_VULKAN, say) is taken for
// a custom one here.
var vfStandardTraits = map[string]bool{
	"COMPUTE_MANAGED_PCI_DEVICE": true,
	"HW_PCI_ONE_TIME_USE":        true,
	"HW_PCI_LIVE_MIGRATABLE":     true,
}

// vfNormalizeTrait is os_traits.normalize_name: every run of characters
// other than ASCII letters and digits becomes "_", a CUSTOM_ prefix
// (in any case) is not doubled, and the name is upper-cased.
func vfNormalizeTrait(t string) string {
	n := vfTraitNonAlnum.ReplaceAllString(t, "_")
	if strings.HasPrefix(strings.ToUpper(n), "CUSTOM_") {
		n = n[len("CUSTOM_"):]
	}
	return "CUSTOM_" + strings.ToUpper(n)
}

var vfTraitNonAlnum = regexp.MustCompile(`[^0-9a-zA-Z]+`)

// vfVersion parses "10.0.0" or "8.2" into its numbers; n is how many the
// text gives (0 when it is not a version).
func vfVersion(s string) (v [3]int, n int) {
	for i, part := range strings.SplitN(strings.TrimSpace(s), ".", 3) {
		digits := part
		if j := strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			digits = part[:j]
		}
		x, err := strconv.Atoi(digits)
		if err != nil {
			break
		}
		v[i], n = x, i+1
		if digits != part {
			break
		}
	}
	return v, n
}

// vfBelow compares a version with a minimum: below is true when it is
// older; known is false when the text does not tell (no version, or the
// micro version missing where it decides, as in Debian's QEMU 8.2).
func vfBelow(have string, min [3]int) (below, known bool) {
	v, n := vfVersion(have)
	if n == 0 {
		return false, false
	}
	for i := 0; i < 3; i++ {
		if i >= n {
			// The rest is unknown: equal so far, so it decides unless the
			// minimum's remaining parts are all 0.
			for j := i; j < 3; j++ {
				if min[j] != 0 {
					return false, false
				}
			}
			return false, true
		}
		if v[i] != min[i] {
			return v[i] < min[i], true
		}
	}
	return false, true
}

func vfVerString(v [3]int) string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// vfVirtCheck says how the host's libvirt and QEMU compare with Nova's
// minimums: the parts below them ("libvirt 9.0.0 from dpkg status ..."),
// and those whose version is unknown.
func vfVirtCheck(p *Pass, minLibvirt, minQEMU [3]int) (below, unknown []string) {
	for _, c := range []struct {
		name string
		have string
		from string
		min  [3]int
	}{
		{"libvirt", p.Inputs.Host.Virt.Libvirt.Version, p.Inputs.Host.Virt.Libvirt.From, minLibvirt},
		{"QEMU", p.Inputs.Host.Virt.QEMU.Version, p.Inputs.Host.Virt.QEMU.From, minQEMU},
	} {
		b, known := vfBelow(c.have, c.min)
		from := ""
		if c.from != "" {
			from = ", from " + c.from
		}
		switch {
		case !known && c.have == "":
			unknown = append(unknown, fmt.Sprintf("%s: version unknown; Nova needs %s or later", c.name, vfVerString(c.min)))
		case !known:
			unknown = append(unknown, fmt.Sprintf("%s %s%s: too imprecise to compare with %s", c.name, c.have, from, vfVerString(c.min)))
		case b:
			below = append(below, fmt.Sprintf("%s %s%s, older than %s", c.name, c.have, from, vfVerString(c.min)))
		}
	}
	return below, unknown
}

// vfCounted is "VF 0000:41:00.6" or "3 VFs (0000:41:00.4, ...)".
func vfCounted(ds []*pcidev.Device) string {
	if len(ds) == 1 {
		return "VF " + ds[0].Address
	}
	return fmt.Sprintf("%d VFs (%s)", len(ds), vfDevList(ds))
}

// vfDevList names devices for a message: "0000:41:00.4, 0000:41:00.5".
func vfDevList(ds []*pcidev.Device) string {
	addrs := make([]string, len(ds))
	for i, d := range ds {
		addrs[i] = d.Address
	}
	return prose.ListUpTo(addrs, 8, ", ")
}

func vfAddrs(ds []*pcidev.Device) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Address
	}
	return out
}

// VendorVGPUFramework is GP607.
var VendorVGPUFramework = &Check{
	ID: "GP607", Name: "vendor-vgpu-framework", Severity: report.Error, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "NVIDIA GPUs under NVIDIA's vendor-specific VFIO framework (VFs with an nvidia/ directory and no mdev bus) are passed through as Nova PCI devices: Nova 2025.1 or later, a device_spec for the VFs, a type-VF alias, and a vGPU type on every VF offered.",
		Why: "With vGPU 17 and later on kernels with vfio-pci-core (Ubuntu 24.04, RHEL 10), NVIDIA's driver gives each SR-IOV VF a vGPU type through /sys/bus/pci/devices/<VF>/nvidia/current_vgpu_type and registers the VF with VFIO itself; there are no mediated devices, so [devices]enabled_mdev_types finds nothing to create. " +
			"Nova hands such VFs to guests as PCI devices, which needs the device_spec tag managed (2025.1, GP608) and an alias of device_type type-VF. " +
			"A VF whose current_vgpu_type is 0 has no vGPU: opening its VFIO device fails (\"current_vgpu_type of VF not configured\"), so a guest given it does not start. " +
			"VFs of different vGPU types under one alias or resource class give users different GPU sizes for the same flavor, silently.",
		Fix:   "Set a vGPU type on every VF Nova offers (echo TYPE > /sys/bus/pci/devices/<VF>/nvidia/current_vgpu_type, from a unit that runs at every boot before nova-compute), offer the VFs with device_spec entries carrying \"managed\": \"no\" and one resource_class per vGPU type, and define one type-VF alias per type; drop enabled_mdev_types on such hosts.",
		Links: []string{vfLinkPCI + "#support-for-multiple-types-of-vfs", vfLinkVGPU + "#caveats", vfLinkNVIDIA},
	},
	Run: runVendorVGPUFramework,
}

// runVendorVGPUFramework is GP607's Run.
func runVendorVGPUFramework(p *Pass) error {
	vfs := vfVendorVFs(p)
	if len(vfs) == 0 {
		p.Skipf("no NVIDIA vendor-framework VF on this host: no VF has an nvidia/ directory in sysfs")
		return nil
	}
	rel := p.Inputs.NovaRelease
	h := p.Inputs.Host
	// enabled_mdev_types has nothing to work with.
	if types, where := vfEnabledMdevTypes(p); len(types) > 0 && !h.Mdev.Bus {
		p.Report(report.Finding{
			Subject: optionSubject(novaconf.OptEnabledMdevTypes),
			Source:  where.Source.String(),
			Message: fmt.Sprintf("[devices]enabled_mdev_types = %s cannot work on this host: it has no mdev bus, and its NVIDIA GPUs use NVIDIA's vendor-specific VFIO framework instead, with %s carrying an nvidia/ directory. Nova finds no mdev parent, reports no VGPU inventory, and flavors asking for resources:VGPU get No valid host.",
				strings.Join(types, ","), prose.Plural(len(vfs), "VF")),
			Remediation: "Remove enabled_mdev_types and the [mdev_*] sections from this node's nova.conf, and offer the VFs as PCI devices instead: a device_spec per vGPU type with \"managed\": \"no\" and a resource_class, and a \"device_type\": \"type-VF\" alias (Nova 2025.1 or later).",
			Evidence:    map[string]any{"enabled_mdev_types": types, "vfs": vfAddrs(vfs)},
		})
	}
	var exposed, typedHidden []*pcidev.Device
	specOf := map[string]*pcispec.SpecMatch{}
	for _, d := range vfs {
		if m := vfSpecOf(p.Conf, d); m != nil {
			exposed = append(exposed, d)
			specOf[d.Address] = m
		} else if d.VGPU.CurrentKnown && d.VGPU.Current != 0 {
			typedHidden = append(typedHidden, d)
		}
	}
	if len(exposed) > 0 && !rel.AtLeast(vfRel2025_1) {
		p.Report(report.Finding{
			Subject: hostSubject(h),
			Message: fmt.Sprintf("[pci]device_spec offers %s of NVIDIA's vendor-specific VFIO framework (%s), but Nova %s cannot pass them through: it has no managed tag (Nova 2025.1 added it), so libvirt detaches each VF from the nvidia driver to bind vfio-pci, which cannot drive it, and the guest does not start.",
				prose.Plural(len(exposed), "VF"), vfDevList(exposed), rel.Name),
			Remediation: "Upgrade this node's Nova to 2025.1 or later, then mark the VFs' device_spec \"managed\": \"no\". Until then, do not offer these VFs.",
			Evidence:    map[string]any{"vfs": vfAddrs(exposed), "nova_release": rel.Name},
		})
	}
	// Untyped VFs that Nova offers, folded by PF.
	untyped, unknown := map[string][]*pcidev.Device{}, []*pcidev.Device{}
	var pfOrder []string
	for _, d := range exposed {
		switch {
		case !d.VGPU.CurrentKnown:
			unknown = append(unknown, d)
		case d.VGPU.Current == 0:
			if untyped[vfPF(d)] == nil {
				pfOrder = append(pfOrder, vfPF(d))
			}
			untyped[vfPF(d)] = append(untyped[vfPF(d)], d)
		}
	}
	for _, pf := range pfOrder {
		ds := untyped[pf]
		typeID := vfSuggestType(p, pf)
		var cmds []string
		for i, d := range ds {
			if i == 8 {
				cmds = append(cmds, fmt.Sprintf("... and the same for the %d other VFs", len(ds)-8))
				break
			}
			cmds = append(cmds, vfSetTypeCommand(d.Address, typeID))
		}
		how := "give " + prose.Verb(len(ds), "it", "each") + " a vGPU type as root"
		if typeID == "TYPE_ID" {
			how = "choose a type from cat /sys/bus/pci/devices/" + ds[0].Address + "/nvidia/creatable_vgpu_types and set it as root"
		}
		sources := map[string]bool{}
		var where []string
		for _, d := range ds {
			if s := specOf[d.Address].Entry.Value.Source.String(); !sources[s] {
				sources[s] = true
				where = append(where, s)
			}
		}
		p.Report(report.Finding{
			Subject: report.Subject{Kind: "device", Ref: pf},
			Source:  where[0],
			Message: fmt.Sprintf("%s of GPU %s %s offered by [pci]device_spec at %s but %s no vGPU type: current_vgpu_type is 0. Opening such a VF's VFIO device fails (\"current_vgpu_type of VF not configured\"), so a guest Nova gives it does not start.",
				vfCounted(ds), pf, prose.Verb(len(ds), "is", "are"), strings.Join(where, ", "), prose.Verb(len(ds), "has", "have")),
			Remediation: fmt.Sprintf("Either %s: %s — and make a unit set them at every boot before nova-compute (the VFs and their types do not survive a reboot); or narrow the device_spec to the typed VFs.", how, strings.Join(cmds, "; ")),
			Evidence:    map[string]any{"pf": pf, "vfs": vfAddrs(ds)},
		})
	}
	if len(unknown) > 0 {
		p.Report(report.Finding{
			Severity: report.Info,
			Subject:  hostSubject(h),
			Message:  fmt.Sprintf("The vGPU type of %s offered by [pci]device_spec could not be read (nvidia/current_vgpu_type): whether %s one is unknown. Run gpupass as root to check it.", vfDevList(unknown), prose.Verb(len(unknown), "it has", "they have")),
			Evidence: map[string]any{"vfs": vfAddrs(unknown)},
		})
	}
	if len(typedHidden) > 0 && len(exposed) == 0 {
		lines := vfSpecLines(p, typedHidden)
		p.Report(report.Finding{
			Severity: report.Warning,
			Subject:  hostSubject(h),
			Message:  fmt.Sprintf("%s of NVIDIA's vendor-specific VFIO framework %s a vGPU type (%s) but no [pci]device_spec offers %s: Nova does not know %s.", prose.Plural(len(typedHidden), "VF"), prose.Verb(len(typedHidden), "has", "have"), vfDevList(typedHidden), prose.Verb(len(typedHidden), "it", "them"), prose.Verb(len(typedHidden), "it", "them")),
			Remediation: "Add to [pci] in nova.conf (Nova 2025.1 or later, with report_in_placement = true for the resource classes), one line each:\n" + strings.Join(lines, "\n") +
				"\nThen restart nova-compute.",
			Evidence: map[string]any{"vfs": vfAddrs(typedHidden)},
		})
	}
	if len(exposed) == 0 {
		vfTypesInfo(p, vfs)
		return nil
	}
	vfAliasCoverage(p, exposed, specOf)
	vfMixedTypes(p, exposed, specOf)
	vfTypesInfo(p, vfs)
	return nil
}

// vfSuggestType is the vGPU type to suggest for a PF's untyped VFs: the
// type most of its typed VFs have, else the first its VFs can still
// create, else a placeholder.
func vfSuggestType(p *Pass, pf string) string {
	count := map[int]int{}
	best, bestN := 0, 0
	var creatable []pcidev.VGPUType
	for i := range p.Inputs.Host.Devices {
		d := &p.Inputs.Host.Devices[i]
		if d.VGPU == nil || d.PhysFn != pf {
			continue
		}
		if d.VGPU.CurrentKnown && d.VGPU.Current != 0 {
			count[d.VGPU.Current]++
			if n := count[d.VGPU.Current]; n > bestN || n == bestN && d.VGPU.Current < best {
				best, bestN = d.VGPU.Current, n
			}
		}
		if len(creatable) == 0 && d.VGPU.CreatableKnown {
			creatable = d.VGPU.Creatable
		}
	}
	switch {
	case bestN > 0:
		return strconv.Itoa(best)
	case len(creatable) > 0:
		return strconv.Itoa(creatable[0].ID)
	}
	return "TYPE_ID"
}

// vfSpecLines writes device_spec and alias lines for typed VFs: one
// resource class and one alias per vGPU type, VFs by address, managed no
// (Nova's "Support for multiple types of VFs", admin/pci-passthrough.rst).
func vfSpecLines(p *Pass, vfs []*pcidev.Device) []string {
	byType := map[string][]*pcidev.Device{}
	var order []string
	for _, d := range vfs {
		k := vfTypeKey(p, d)
		if byType[k] == nil {
			order = append(order, k)
		}
		byType[k] = append(byType[k], d)
	}
	var lines []string
	for _, k := range order {
		ds := byType[k]
		name := strings.TrimPrefix(k, "#")
		if n := vfTypeName(p, ds[0]); n != "" {
			name = strings.TrimPrefix(n, "NVIDIA ")
		} else {
			name = "vgpu-" + name
		}
		rc := vfNormalizeName(name)
		alias := strings.ToLower(vfNonAlnum.ReplaceAllString(name, "-"))
		for i, d := range ds {
			if i == 4 {
				lines = append(lines, fmt.Sprintf("(and one such line for each of the %d other VFs of this type)", len(ds)-4))
				break
			}
			lines = append(lines, "device_spec = "+vfJSON("vendor_id", d.VendorID, "product_id", d.DeviceID, "address", d.Address, "resource_class", rc, "managed", "no"))
		}
		lines = append(lines, "alias = "+vfJSON("name", alias, "device_type", pcispec.TypeVF, "resource_class", rc))
	}
	return lines
}

// vfAliasCoverage reports offered vendor VFs that no alias selects, unless
// an alias names their IDs with another device_type (GP309's finding).
func vfAliasCoverage(p *Pass, exposed []*pcidev.Device, specOf map[string]*pcispec.SpecMatch) {
	if p.Conf.AliasErr != nil {
		return // GP307's
	}
	isExposed := map[string]bool{}
	for _, d := range exposed {
		isExposed[d.Address] = true
	}
	for _, name := range pcispec.SortedAliasNames(p.Conf.Aliases) {
		sel := selectAlias(p.Conf.Aliases[name], p)
		for _, d := range append(sel.selected, sel.wrongType...) {
			if isExposed[d.Address] {
				return
			}
		}
	}
	d := exposed[0]
	rc := vfRCOf(specOf[d.Address].Spec, d)
	alias := vfJSON("name", "vgpu-"+strings.ToLower(d.DeviceID), "device_type", pcispec.TypeVF, "vendor_id", d.VendorID, "product_id", d.DeviceID)
	if _, ok := specOf[d.Address].Spec.ResourceClass(); ok {
		alias = vfJSON("name", strings.ToLower(strings.TrimPrefix(rc, "CUSTOM_")), "device_type", pcispec.TypeVF, "resource_class", rc)
	}
	p.Report(report.Finding{
		Severity:    report.Warning,
		Subject:     hostSubject(p.Inputs.Host),
		Message:     fmt.Sprintf("[pci]device_spec offers %s of NVIDIA's vendor-specific VFIO framework (%s), but no [pci]alias selects them: no flavor can ask for them. Nova classifies them as type-VF.", prose.Plural(len(exposed), "VF"), vfDevList(exposed)),
		Remediation: "Add to [pci] on this node and on the API nodes: alias = " + alias + ", and give flavors pci_passthrough:alias with that name.",
		Evidence:    map[string]any{"vfs": vfAddrs(exposed)},
	})
}

// vfMixedTypes reports an alias, or a resource class in Placement, that
// gathers VFs of different vGPU types.
func vfMixedTypes(p *Pass, exposed []*pcidev.Device, specOf map[string]*pcispec.SpecMatch) {
	typed := []*pcidev.Device{}
	for _, d := range exposed {
		if d.VGPU.CurrentKnown && d.VGPU.Current != 0 {
			typed = append(typed, d)
		}
	}
	if len(typed) < 2 {
		return
	}
	describe := func(ds []*pcidev.Device) (string, int) {
		byType := map[string][]string{}
		var order []string
		for _, d := range ds {
			k := vfTypeLabel(p, d)
			if byType[k] == nil {
				order = append(order, k)
			}
			byType[k] = append(byType[k], d.Address)
		}
		var parts []string
		for _, k := range order {
			parts = append(parts, fmt.Sprintf("type %s on %s", k, prose.ListUpTo(byType[k], 4, ", ")))
		}
		return strings.Join(parts, "; "), len(order)
	}
	fix := "Give each vGPU type its own resource_class in device_spec and its own alias, one line each in [pci]:\n" + strings.Join(vfSpecLines(p, typed), "\n")
	// By resource class, when the node reports to Placement.
	if p.Conf.ReportInPlacement {
		byRC := map[string][]*pcidev.Device{}
		var rcs []string
		for _, d := range typed {
			rc := vfRCOf(specOf[d.Address].Spec, d)
			if byRC[rc] == nil {
				rcs = append(rcs, rc)
			}
			byRC[rc] = append(byRC[rc], d)
		}
		for _, rc := range rcs {
			text, n := describe(byRC[rc])
			if n < 2 {
				continue
			}
			p.Report(report.Finding{
				Severity:    report.Warning,
				Subject:     optionSubject(novaconf.OptDeviceSpec),
				Source:      specOf[byRC[rc][0].Address].Entry.Value.Source.String(),
				Message:     fmt.Sprintf("Resource class %s gathers VFs of %d different vGPU types (%s): a flavor asking for it gets whichever VF Placement picks, a different GPU size each time, silently.", rc, n, text),
				Remediation: fix,
				Evidence:    map[string]any{"resource_class": rc, "vfs": vfAddrs(byRC[rc])},
			})
		}
	}
	if p.Conf.AliasErr != nil {
		return
	}
	isTyped := map[string]bool{}
	for _, d := range typed {
		isTyped[d.Address] = true
	}
	for _, name := range pcispec.SortedAliasNames(p.Conf.Aliases) {
		a := p.Conf.Aliases[name]
		var got []*pcidev.Device
		for _, d := range selectAlias(a, p).selected {
			if !isTyped[d.Address] {
				continue
			}
			if !vfAliasRCMatches(a, vfRCOf(specOf[d.Address].Spec, d)) {
				continue
			}
			got = append(got, d)
		}
		text, n := describe(got)
		if n < 2 {
			continue
		}
		p.Report(report.Finding{
			Severity:    report.Warning,
			Subject:     aliasSubject(name),
			Source:      sourceOfAlias(p.Conf, name),
			Message:     fmt.Sprintf("Alias %q selects VFs of %d different vGPU types (%s): a flavor using it gets whichever VF Nova picks, a different GPU size each time, silently.", name, n, text),
			Remediation: fix,
			Evidence:    map[string]any{"alias": name, "vfs": vfAddrs(got)},
		})
	}
}

// vfAliasRCMatches reports whether an alias's resource_class, if any,
// is the device's (Placement selects by it when the scheduler uses
// pci_in_placement; a compute node's view cannot tell, so gpupass assumes
// it does).
func vfAliasRCMatches(a *pcispec.Alias, rc string) bool {
	for _, s := range a.Specs {
		if s.ResourceClass == "" || vfNormalizeRC(s.ResourceClass) == rc {
			return true
		}
	}
	return false
}

// vfTypesInfo lists, per PF, its VFs' vGPU types.
func vfTypesInfo(p *Pass, vfs []*pcidev.Device) {
	byPF := map[string][]*pcidev.Device{}
	var pfs []string
	for _, d := range vfs {
		if byPF[vfPF(d)] == nil {
			pfs = append(pfs, vfPF(d))
		}
		byPF[vfPF(d)] = append(byPF[vfPF(d)], d)
	}
	for _, pf := range pfs {
		var typed []string
		untyped := 0
		types := map[string]string{}
		for _, d := range byPF[pf] {
			switch {
			case d.VGPU.CurrentKnown && d.VGPU.Current != 0:
				label := vfTypeLabel(p, d)
				typed = append(typed, d.Address+" type "+label)
				types[d.Address] = label
			case d.VGPU.CurrentKnown:
				untyped++
			}
		}
		msg := fmt.Sprintf("GPU %s has %s under NVIDIA's vendor-specific VFIO framework", pf, prose.Plural(len(byPF[pf]), "VF"))
		switch {
		case len(typed) > 0:
			msg += ": " + prose.ListUpTo(typed, 8, ", ") + "; " + prose.Plural(untyped, "VF") + " without a type."
		default:
			msg += ", none with a vGPU type yet."
		}
		ref := pf
		if ref == "" {
			ref = byPF[pf][0].Address
		}
		p.Report(report.Finding{
			Severity: report.Info,
			Subject:  report.Subject{Kind: "device", Ref: ref},
			Message:  msg,
			Evidence: map[string]any{"pf": pf, "vgpu_types": types, "untyped": untyped},
		})
	}
}

// ManagedMismatch is GP608.
var ManagedMismatch = &Check{
	ID: "GP608", Name: "managed-mismatch", Severity: report.Error, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "The device_spec tag managed (Nova 2025.1 and later) fits each device's driver: \"managed\": \"no\" only on devices already on vfio-pci, a vfio-pci variant driver or NVIDIA's vendor framework, and always on the last two.",
		Why: "With managed='yes', Nova's default, libvirt unbinds the device from its driver and binds vfio-pci before the guest starts, and gives it back afterwards (_get_guest_pci_device in nova/virt/libvirt/driver.py). " +
			"For a device on a variant driver (nvgrace_gpu_vfio_pci, mlx5_vfio_pci...) or a VF of NVIDIA's vendor framework, that rebinding takes it away from the only driver that can serve it: Nova's documentation warns that \"Incorrect configuration of this parameter may result in compute node crashes\". " +
			"With managed='no', libvirt does not touch the binding: a device still on a host driver cannot be opened through VFIO, and the guest does not start. " +
			"Before 2025.1, Nova ignores the tag (GP302 says so) and always asks for managed='yes'.",
		Fix:   "Add \"managed\": \"no\" to the device_spec of devices on variant drivers or of NVIDIA's vendor framework; for other devices, drop it, or bind them to vfio-pci at boot (driverctl, vfio-pci.ids) if they must stay unmanaged.",
		Links: []string{vfLinkPCI + "#configure-nova-compute", vfLinkConfPCI + ".device_spec", "https://libvirt.org/formatdomain.html#host-device-assignment"},
	},
	Run: runManagedMismatch,
}

// runManagedMismatch is GP608's Run.
func runManagedMismatch(p *Pass) error {
	if p.Conf == nil || len(p.Conf.Specs) == 0 {
		p.Skipf("no [pci]device_spec is set")
		return nil
	}
	rel := p.Inputs.NovaRelease
	type group struct {
		m       *pcispec.SpecMatch
		devices []*pcidev.Device
	}
	var groups []*group
	bySpec := map[*pcispec.DeviceSpec]*group{}
	for i := range p.Inputs.Host.Devices {
		d := &p.Inputs.Host.Devices[i]
		m := vfSpecOf(p.Conf, d)
		if m == nil {
			continue
		}
		g := bySpec[m.Spec]
		if g == nil {
			g = &group{m: m}
			bySpec[m.Spec] = g
			groups = append(groups, g)
		}
		g.devices = append(g.devices, d)
	}
	for _, g := range groups {
		s, e := g.m.Spec, g.m.Entry
		label := specLabel(e, s)
		managed, set := s.Managed()
		unmanaged := set && !managed
		var onHost, needNo []*pcidev.Device
		for _, d := range g.devices {
			switch {
			case unmanaged && !vfVFIOReady(d):
				onHost = append(onHost, d)
			case !unmanaged && vfNeedsUnmanaged(d):
				needNo = append(needNo, d)
			}
		}
		describe := func(ds []*pcidev.Device) string {
			var out []string
			for _, d := range ds {
				what := "on " + vfDriverOf(d)
				if d.VGPU != nil {
					what = "a VF of NVIDIA's vendor framework on " + vfDriverOf(d)
				}
				out = append(out, d.Address+" "+d.VendorID+":"+d.DeviceID+", "+what)
			}
			return prose.ListUpTo(out, 8, "; ")
		}
		switch {
		case !rel.AtLeast(vfRel2025_1):
			if raw, ok := s.Tags["managed"]; ok {
				// Before 2025.1 the tag is kept as a free-form tag:
				// libvirt is asked for managed='yes' whatever it says
				// (GP302 leaves this tag to this check).
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     fmt.Sprintf("[pci]device_spec %s sets \"managed\", which Nova %s ignores (the tag takes effect from Nova 2025.1): libvirt is still asked to detach these devices from their host driver and bind them to vfio-pci.", label, rel.Name),
					Remediation: "Upgrade this node's Nova to 2025.1 or later for the tag to take effect; until then, devices that must keep their driver (vfio-pci variant drivers, NVIDIA's vendor-framework VFs) cannot be passed through by Nova.",
					Evidence:    map[string]any{"managed": raw, "nova_release": rel.Name},
				})
			}
			// Vendor-framework VFs on an old release are GP607's.
			var variant []*pcidev.Device
			for _, d := range needNo {
				if d.VGPU == nil {
					variant = append(variant, d)
				}
			}
			if len(variant) == 0 {
				continue
			}
			p.Report(report.Finding{
				Severity:    report.Warning,
				Subject:     optionSubject(novaconf.OptDeviceSpec),
				Source:      e.Value.Source.String(),
				Message:     fmt.Sprintf("[pci]device_spec %s offers devices on vfio-pci variant drivers: %s. Nova %s has no managed tag and always lets libvirt rebind a device to vfio-pci, away from the variant driver that serves it.", label, describe(variant), rel.Name),
				Remediation: "Upgrade this node's Nova to 2025.1 or later and add \"managed\": \"no\" to this device_spec.",
				Evidence:    map[string]any{"devices": vfAddrs(variant), "nova_release": rel.Name},
			})
		case len(onHost) > 0:
			var cmds []string
			for i, d := range onHost {
				if i == 8 {
					break
				}
				cmds = append(cmds, "driverctl set-override "+shellword.Word(d.Address)+" "+shellword.Word(pcidev.VFIODriverFor(d)))
			}
			p.Report(report.Finding{
				Subject:     optionSubject(novaconf.OptDeviceSpec),
				Source:      e.Value.Source.String(),
				Message:     fmt.Sprintf("[pci]device_spec %s sets \"managed\": \"no\", so libvirt will not bind these devices to vfio-pci, and they are not on a VFIO driver: %s. QEMU cannot open them, and a guest Nova %s gives one does not start.", label, describe(onHost), rel.Name),
				Remediation: fmt.Sprintf("Drop \"managed\": \"no\" from this device_spec so that libvirt binds them, or bind them to their VFIO driver (vfio-pci, or the variant driver made for them) at every boot: %s.", strings.Join(cmds, "; ")),
				Evidence:    map[string]any{"devices": vfAddrs(onHost), "managed": "false"},
			})
		case len(needNo) > 0:
			state := "does not set managed, so Nova asks libvirt for managed='yes'"
			if set {
				state = "sets \"managed\": \"yes\""
			}
			d := needNo[0]
			line, whole := vfWithManagedNo(e.Value.Text)
			if !whole {
				line = vfJSON("vendor_id", d.VendorID, "product_id", d.DeviceID, "managed", "no")
				if d.VGPU != nil {
					line = vfJSON("vendor_id", d.VendorID, "product_id", d.DeviceID, "address", d.Address, "managed", "no")
				}
			}
			p.Report(report.Finding{
				Subject:     optionSubject(novaconf.OptDeviceSpec),
				Source:      e.Value.Source.String(),
				Message:     fmt.Sprintf("[pci]device_spec %s %s for devices that must keep their driver: %s. libvirt will detach them from it and bind vfio-pci when a guest starts; Nova's documentation of the tag (2025.1 and later) warns that \"Incorrect configuration of this parameter may result in compute node crashes\".", label, state, describe(needNo)),
				Remediation: fmt.Sprintf("Add \"managed\": \"no\" to the device_spec at %s, keeping its other keys%s device_spec = %s. Then restart nova-compute.", e.Value.Source.String(), map[bool]string{true: ":", false: "; for example:"}[whole], line),
				Evidence:    map[string]any{"devices": vfAddrs(needNo), "managed_set": set},
			})
		}
	}
	return nil
}

// LiveMigration is GP609.
var LiveMigration = &Check{
	ID: "GP609", Name: "live-migration", Severity: report.Error, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "Live migration of PCI devices (live_migratable, Nova 2025.1 and later) and of vGPUs (2024.1 and later) has what Nova needs: libvirt and QEMU versions, aliases that ask for it, no physical_network beside it, post-copy off.",
		Why: "nova-compute refuses to start when any device_spec carries live_migratable (even \"no\") and libvirt is older than 10.0.0 or QEMU than 8.2.2 (_check_pci_whitelist, MIN_VFIO_PCI_VARIANT_* in nova/virt/libvirt/driver.py of 2025.1: \"PCI device spec is configured for live_migratable but it's not supported by libvirt.\"). " +
			"The conductor live-migrates an instance with flavor PCI devices only when every alias it used asked for live_migratable (_check_can_migrate_pci in nova/conductor/tasks/live_migrate.py). " +
			"Nova ignores live_migratable on devices with physical_network (bug 2102161). " +
			"QEMU refuses post-copy with VFIO devices, so [libvirt]live_migration_permit_post_copy must be false where variant-driver devices or vGPUs migrate (Nova 2026.2's documentation). " +
			"vGPUs migrate only between hosts with libvirt 8.6.0, QEMU 8.1.0 and Linux 5.18 or later (MIN_MDEV_LIVEMIG_*).",
		Fix:   "Upgrade libvirt and QEMU before adding live_migratable; add \"live_migratable\": \"yes\" to the aliases of flavors that must migrate; keep live_migratable off SR-IOV networking entries; set [libvirt]live_migration_permit_post_copy = false on these hosts.",
		Links: []string{vfLinkPCI + "#configuring-live-migration-for-pci-devices", vfLinkVGPU + "#caveats", "https://bugs.launchpad.net/nova/+bug/2102161"},
	},
	Run: runLiveMigration,
}

// runLiveMigration is GP609's Run.
func runLiveMigration(p *Pass) error {
	rel := p.Inputs.NovaRelease
	h := p.Inputs.Host
	type lmSpec struct {
		e     *pcispec.SpecEntry
		s     *pcispec.DeviceSpec
		value bool
	}
	var lm []lmSpec
	if p.Conf != nil {
		for i := range p.Conf.Specs {
			e := &p.Conf.Specs[i]
			for _, s := range e.Specs {
				if v, set := s.LiveMigratable(); set {
					lm = append(lm, lmSpec{e, s, v})
				}
			}
		}
	}
	mdevTypes, _ := vfEnabledMdevTypes(p)
	vgpu := len(mdevTypes) > 0 || len(h.Mdev.Devices) > 0
	postCopy, _ := p.Inputs.NovaConf.Bool(vfOptPostCopy)
	if len(lm) == 0 && !vgpu {
		p.Skipf("no [pci]device_spec sets live_migratable and no vGPU is configured: nothing on this host is live-migrated with a device")
		return nil
	}
	// nova-compute's start-up check.
	if len(lm) > 0 {
		first := lm[0]
		even := ""
		if !first.value {
			even = " (its value does not matter: Nova only checks that the tag is there)"
		}
		below, unknown := vfVirtCheck(p, vfMinVariantLibvirt, vfMinVariantQEMU)
		switch {
		case len(below) > 0:
			p.Report(report.Finding{
				Subject: optionSubject(novaconf.OptDeviceSpec),
				Source:  first.e.Value.Source.String(),
				Message: fmt.Sprintf("[pci]device_spec %s sets live_migratable%s, and this host has %s: Nova %s's nova-compute refuses to start: \"PCI device spec is configured for live_migratable but it's not supported by libvirt.\" (InvalidConfiguration, _check_pci_whitelist in nova/virt/libvirt/driver.py, which needs libvirt %s and QEMU %s).",
					specLabel(first.e, first.s), even, strings.Join(below, " and "), rel.Name, vfVerString(vfMinVariantLibvirt), vfVerString(vfMinVariantQEMU)),
				Remediation: fmt.Sprintf("Upgrade libvirt to %s and QEMU to %s or later before restarting nova-compute, or remove live_migratable from every device_spec.", vfVerString(vfMinVariantLibvirt), vfVerString(vfMinVariantQEMU)),
				Evidence:    map[string]any{"libvirt": h.Virt.Libvirt.Version, "qemu": h.Virt.QEMU.Version},
			})
		case len(unknown) > 0:
			p.Report(report.Finding{
				Severity: report.Info,
				Subject:  optionSubject(novaconf.OptDeviceSpec),
				Source:   first.e.Value.Source.String(),
				Message:  fmt.Sprintf("[pci]device_spec %s sets live_migratable%s: Nova %s's nova-compute starts only with libvirt %s and QEMU %s or later, and gpupass cannot tell here: %s.", specLabel(first.e, first.s), even, rel.Name, vfVerString(vfMinVariantLibvirt), vfVerString(vfMinVariantQEMU), strings.Join(unknown, "; ")),
				Evidence: map[string]any{"libvirt": h.Virt.Libvirt.Version, "qemu": h.Virt.QEMU.Version},
			})
		}
	}
	// physical_network beside live_migratable.
	for _, x := range lm {
		if net, ok := x.s.PhysicalNetwork(); ok && net != "" && net != "None" {
			p.Report(report.Finding{
				Severity:    report.Warning,
				Subject:     optionSubject(novaconf.OptDeviceSpec),
				Source:      x.e.Value.Source.String(),
				Message:     fmt.Sprintf("[pci]device_spec %s sets both physical_network and live_migratable: Nova ignores live_migratable on such devices, whose Neutron ports keep migrating by unplugging and plugging the VF (Nova bug 2102161, a known issue in 2025.1 and 2026.2).", specLabel(x.e, x.s)),
				Remediation: "Remove live_migratable from this SR-IOV networking entry; it has no effect there.",
				Evidence:    map[string]any{"physical_network": net},
			})
		}
	}
	// Aliases that select live-migratable devices without asking for them.
	migratable := map[string]bool{}
	var migratableDevs []*pcidev.Device
	for i := range h.Devices {
		d := &h.Devices[i]
		if m := vfSpecOf(p.Conf, d); m != nil {
			if v, set := m.Spec.LiveMigratable(); set && v {
				migratable[d.Address] = true
				migratableDevs = append(migratableDevs, d)
			}
		}
	}
	if len(migratable) > 0 && p.Conf.AliasErr == nil {
		for _, name := range pcispec.SortedAliasNames(p.Conf.Aliases) {
			a := p.Conf.Aliases[name]
			asks := true
			for _, s := range a.Specs {
				asks = asks && s.LiveMigratable == "true"
			}
			if asks {
				continue
			}
			var got []*pcidev.Device
			for _, d := range selectAlias(a, p).selected {
				if migratable[d.Address] {
					got = append(got, d)
				}
			}
			if len(got) == 0 {
				continue
			}
			p.Report(report.Finding{
				Severity:    report.Warning,
				Subject:     aliasSubject(name),
				Source:      sourceOfAlias(p.Conf, name),
				Message:     fmt.Sprintf("Alias %q selects live-migratable devices (%s) but does not ask for live_migratable: instances of its flavors cannot be live-migrated; Nova's conductor refuses with \"This request does not explicitly request live-migratable devices.\"", name, vfDevList(got)),
				Remediation: fmt.Sprintf("Add \"live_migratable\": \"yes\" to alias %q on this node and on the API nodes.", name),
				Evidence:    map[string]any{"devices": vfAddrs(got)},
			})
		}
	}
	// Post-copy with VFIO migration.
	vfioMigrates := len(migratableDevs) > 0 && rel.AtLeast(vfRel2025_1)
	vgpuMigrates := vgpu && rel.AtLeast(vfRel2024_1)
	if postCopy && (vfioMigrates || vgpuMigrates) {
		what := "vGPUs"
		if vfioMigrates {
			what = "live-migratable PCI devices (" + vfDevList(migratableDevs) + ")"
			if vgpuMigrates {
				what += " and vGPUs"
			}
		}
		src := ""
		if v := p.Inputs.NovaConf.Lookup(vfOptPostCopy); len(v) > 0 {
			src = v[0].Source.String()
		}
		p.Report(report.Finding{
			Severity:    report.Warning,
			Subject:     optionSubject(vfOptPostCopy),
			Source:      src,
			Message:     fmt.Sprintf("[libvirt]live_migration_permit_post_copy is true on a host with %s: QEMU rejects post-copy migration of VFIO devices, so migrating these instances fails. Nova 2026.2's documentation requires it false on such hosts.", what),
			Remediation: "Set [libvirt] live_migration_permit_post_copy = false on this node and restart nova-compute; keep post-copy hosts in another aggregate.",
			Evidence:    map[string]any{"live_migration_permit_post_copy": true},
		})
	}
	// vGPU live migration prerequisites.
	if vgpu {
		if !rel.AtLeast(vfRel2024_1) {
			p.Report(report.Finding{
				Severity: report.Info,
				Subject:  hostSubject(h),
				Message:  fmt.Sprintf("Nova %s does not live-migrate instances with vGPUs; 2024.1 and later do, between hosts with libvirt %s, QEMU %s and Linux %s or later.", rel.Name, vfVerString(vfMinMdevLibvirt), vfVerString(vfMinMdevQEMU), "5.18"),
			})
			return nil
		}
		below, unknown := vfVirtCheck(p, vfMinMdevLibvirt, vfMinMdevQEMU)
		if kb, known := vfBelow(h.Kernel.Release, vfMinMdevKernel); known && kb {
			below = append(below, "Linux "+h.Kernel.Release+", older than 5.18")
		}
		switch {
		case len(below) > 0:
			// Info, not a warning: vGPU live migration is a capability
			// nothing on the node asks for (no option enables it), and
			// cold migration works; a warning would mark every vGPU host
			// on an LTS distribution (Ubuntu 22.04: libvirt 8.0) as faulty.
			p.Report(report.Finding{
				Severity:    report.Info,
				Subject:     hostSubject(h),
				Message:     fmt.Sprintf("Instances with vGPUs cannot be live-migrated to or from this host: it has %s. Nova %s refuses such migrations: \"Either libvirt or QEMU version for compute service ... are too old than the supported ones\" (MigrationPreCheckError, MIN_MDEV_LIVEMIG_* in nova/virt/libvirt/driver.py).", strings.Join(below, " and "), rel.Name),
				Remediation: fmt.Sprintf("Upgrade to libvirt %s, QEMU %s and Linux 5.18 or later where vGPU instances must migrate; cold migration still works.", vfVerString(vfMinMdevLibvirt), vfVerString(vfMinMdevQEMU)),
				Evidence:    map[string]any{"libvirt": h.Virt.Libvirt.Version, "qemu": h.Virt.QEMU.Version, "kernel": h.Kernel.Release},
			})
		case len(unknown) > 0:
			p.Report(report.Finding{
				Severity: report.Info,
				Subject:  hostSubject(h),
				Message:  fmt.Sprintf("Nova %s live-migrates vGPUs only between hosts with libvirt %s, QEMU %s and Linux 5.18 or later; gpupass cannot tell here: %s.", rel.Name, vfVerString(vfMinMdevLibvirt), vfVerString(vfMinMdevQEMU), strings.Join(unknown, "; ")),
				Evidence: map[string]any{"libvirt": h.Virt.Libvirt.Version, "qemu": h.Virt.QEMU.Version},
			})
		}
	}
	return nil
}

// PlacementVFMix is GP610.
var PlacementVFMix = &Check{
	ID: "GP610", Name: "placement-vf-mix", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "With [pci]report_in_placement = true, the device_spec is one nova-compute can report to Placement: the VFs of one PF share resource_class and traits, no PF is offered together with its VFs, no entry uses devname.",
		Why: "Nova reports each PF or plain PCI device as a resource provider, and the VFs of a PF together as their PF's provider (nova/compute/pci_placement_translator.py, the same in Zed, 2025.1 and 2026.2). " +
			"It cannot model VFs of one PF with different resource classes or traits (PlacementPciMixedResourceClassException, PlacementPciMixedTraitsException), a PF offered beside its own VFs (PlacementPciDependentDeviceException), or a devname entry (ensure_no_dev_spec_with_devname); " +
			"at start-up each of these stops nova-compute (_update_available_resource_for_node in nova/compute/manager.py re-raises PlacementPciException when starting). Devices with physical_network are left out of Placement and of these rules, except the devname one, which Nova applies to every entry. " +
			"The devname rule needs no host, so gpupass lint reports it too; the others need the host's devices. " +
			"It also warns of Nova bug 2098496 where it bites: on 2023.1 and 2023.2, 2024.1 before 29.4.0, 2024.2 before 30.2.0 and 2025.1 before 31.1.0, a VF freed by a delete lands in a second pool of its PF's provider, and while the scheduler uses pci_in_placement each later server is given its VFs from every such pool (PciDeviceStats in nova/pci/stats.py; judged by Nova 31.0.0 itself in integration/boot).",
		Fix:   "Give all the VFs of a PF the same resource_class and traits (split VF types by PF, not within one), and from Nova 2026.2 the same live_migratable, which becomes the HW_PCI_LIVE_MIGRATABLE trait; offer either a PF or its VFs, not both (an exact address of a PF also admits its VFs); replace devname with the device's address. Upgrade a Nova with bug 2098496 to a fixed release.",
		Links: []string{vfLinkPCI + "#pci-tracking-in-placement", "https://bugs.launchpad.net/nova/+bug/2098496"},
	},
	Run: runPlacementVFMix,
}

// runPlacementVFMix is GP610's Run.
func runPlacementVFMix(p *Pass) error {
	if p.Conf == nil || len(p.Conf.Specs) == 0 {
		p.Skipf("no [pci]device_spec is set")
		return nil
	}
	if !p.Conf.ReportInPlacement {
		p.Skipf("[pci]report_in_placement is not true: nova-compute does not report PCI devices to Placement, and these rules do not apply")
		return nil
	}
	rel := p.Inputs.NovaRelease
	failed := fmt.Sprintf("Nova %s's nova-compute refuses to start", rel.Name)
	for i := range p.Conf.Specs {
		e := &p.Conf.Specs[i]
		for _, s := range e.Specs {
			if s.DevName == "" {
				continue
			}
			p.Report(report.Finding{
				Subject:     optionSubject(novaconf.OptDeviceSpec),
				Source:      e.Value.Source.String(),
				Message:     fmt.Sprintf("[pci]device_spec %s names a devname, and [pci]report_in_placement is true: %s: \"Invalid [pci]device_spec configuration. PCI Placement reporting does not support 'devname' based device specification\" (PlacementPciException, ensure_no_dev_spec_with_devname).", specLabel(e, s), failed),
				Remediation: "Replace \"devname\" with the interface's PCI address: ls -l /sys/class/net/" + shellword.Word(s.DevName) + "/device shows it.",
				Evidence:    map[string]any{"devname": s.DevName},
			})
		}
	}
	if p.Inputs.Host == nil {
		// lint: the devname rule is Nova's whatever the devices; the
		// others are about the devices the entries admit.
		if len(p.findings) == 0 {
			p.Skipf("needs the host's devices (run preflight on the compute node): no entry uses devname, the one rule that does not")
		}
		return nil
	}
	type member struct {
		d *pcidev.Device
		m *pcispec.SpecMatch
	}
	type provider struct {
		parent   *member
		children []member
	}
	rps := map[string]*provider{}
	var order []string
	for i := range p.Inputs.Host.Devices {
		d := &p.Inputs.Host.Devices[i]
		m := vfSpecOf(p.Conf, d)
		if m == nil {
			continue
		}
		if net, ok := m.Spec.PhysicalNetwork(); ok && net != "" {
			continue // left to Neutron's SR-IOV, not in Placement (_add_dev)
		}
		addr := d.Address
		if pcispec.DeviceType(d) == pcispec.TypeVF {
			addr = d.PhysFn
		}
		rp := rps[addr]
		if rp == nil {
			rp = &provider{}
			rps[addr] = rp
			order = append(order, addr)
		}
		if addr == d.Address {
			rp.parent = &member{d, m}
		} else {
			rp.children = append(rp.children, member{d, m})
		}
	}
	for _, addr := range order {
		rp := rps[addr]
		if rp.parent != nil && len(rp.children) > 0 {
			var vfs []*pcidev.Device
			for _, c := range rp.children {
				vfs = append(vfs, c.d)
			}
			p.Report(report.Finding{
				Subject:     report.Subject{Kind: "device", Ref: addr},
				Source:      rp.parent.m.Entry.Value.Source.String(),
				Message:     fmt.Sprintf("[pci]device_spec offers both the PF %s, by the entry at %s, and %s of its VFs (%s), and [pci]report_in_placement is true: %s: \"Configuring both %s and %s in [pci]device_spec is not supported. Either the parent PF or its children VFs can be configured.\" (PlacementPciDependentDeviceException).", addr, rp.parent.m.Entry.Value.Source.String(), strconv.Itoa(len(vfs)), vfDevList(vfs), failed, addr, strings.Join(vfAddrs(vfs), ",")),
				Remediation: fmt.Sprintf("Offer either the PF or its VFs: narrow the entry that admits %s with an \"address\" or \"product_id\" that only the intended functions have (an exact PF address also admits its VFs).", addr),
				Evidence:    map[string]any{"pf": addr, "vfs": vfAddrs(vfs)},
			})
			// Go on: once the PF's entry is narrowed, the VFs' own mix
			// is what stops nova-compute next.
		}
		if len(rp.children) < 2 {
			continue
		}
		first := rp.children[0]
		firstRC, firstTraits := vfRCOf(first.m.Spec, first.d), vfTraitsOf(first.m.Spec)
		var sameRC, sameTraits []string
		for _, c := range rp.children[1:] {
			if rc := vfRCOf(c.m.Spec, c.d); rc != firstRC {
				current := append([]string{first.d.Address}, sameRC...)
				p.Report(report.Finding{
					Subject:     report.Subject{Kind: "device", Ref: addr},
					Source:      c.m.Entry.Value.Source.String(),
					Message:     fmt.Sprintf("The VFs of PF %s get different resource classes from [pci]device_spec, and [pci]report_in_placement is true: %s: \"VFs from the same PF cannot be configured with different 'resource_class' values in [pci]device_spec. We got %s for %s and %s for %s.\" (PlacementPciMixedResourceClassException).", addr, failed, rc, c.d.Address, firstRC, strings.Join(current, ",")),
					Remediation: "Give every VF of one PF the same resource_class (split vGPU or VF types by PF, not within one), then restart nova-compute.",
					Evidence:    map[string]any{"pf": addr, "resource_classes": map[string]string{first.d.Address: firstRC, c.d.Address: rc}},
				})
				break
			}
			sameRC = append(sameRC, c.d.Address)
		}
		for _, c := range rp.children[1:] {
			if t := vfTraitsOf(c.m.Spec); t != firstTraits {
				current := append([]string{first.d.Address}, sameTraits...)
				p.Report(report.Finding{
					Subject:     report.Subject{Kind: "device", Ref: addr},
					Source:      c.m.Entry.Value.Source.String(),
					Message:     fmt.Sprintf("The VFs of PF %s get different traits from [pci]device_spec, and [pci]report_in_placement is true: %s: \"VFs from the same PF cannot be configured with different set of 'traits' in [pci]device_spec. We got %s for %s and %s for %s.\" (PlacementPciMixedTraitsException).", addr, failed, t, c.d.Address, firstTraits, strings.Join(current, ",")),
					Remediation: vfMixedTraitsFix(first.m.Spec, c.m.Spec),
					Evidence:    map[string]any{"pf": addr, "traits": map[string]string{first.d.Address: firstTraits, c.d.Address: t}},
				})
				break
			}
			sameTraits = append(sameTraits, c.d.Address)
		}
	}
	if len(p.findings) > 0 {
		// nova-compute does not start: that comes first, and the bug
		// below is reported once it does.
		return nil
	}
	var split []vfProvider
	for _, addr := range order {
		if rp := rps[addr]; len(rp.children) >= 2 {
			pf := vfProvider{addr: addr}
			for _, c := range rp.children {
				pf.vfs = append(pf.vfs, c.d)
			}
			split = append(split, pf)
		}
	}
	vfPoolSplit(p, split)
	return nil
}

// vfProvider is a PF's provider in Placement and the VFs device_spec gives it.
type vfProvider struct {
	addr string
	vfs  []*pcidev.Device
}

// vfPoolSplitFixed is the first release of each Nova series with the fix
// of bug 2098496 (change I9678230397fa1a3c735ee01ed756d5af3b4e1191,
// "Ignore metadata tags in pci/stats _find_pool logic"): 32.0.0 (2025.2)
// and the backports to stable/2025.1, 2024.2 and 2024.1, as the tags of
// openstack/nova that contain them show. The bug came with the pools'
// mapping to resource providers in 27.0.0 (2023.1, change "Map PCI pools to
// RP UUIDs"); 2023.1 and 2023.2 never got the fix. Checked against the
// real releases by integration/boot: Nova 31.0.0 (trixie) gives the
// second server two VFs; 26.2.2 and 34.0.0 do not.
var vfPoolSplitFixed = map[int][3]int{29: {29, 4, 0}, 30: {30, 2, 0}, 31: {31, 1, 0}}

// vfPoolSplitAffected says whether a Nova version has bug 2098496, and
// the fixed version of its series ("" where the series has none); known
// is false when neither the installed version nor the release tells.
func vfPoolSplitAffected(version string, rel novarelease.Release) (affected bool, fixed string, known bool) {
	v, n := vfVersion(version)
	major := v[0]
	if n == 0 {
		major = rel.Major
		if major == 0 {
			return false, "", false
		}
	}
	switch {
	case major < 27 || major >= 32:
		return false, "", true
	case major <= 28:
		return true, "", true
	}
	f := vfPoolSplitFixed[major]
	fixed = fmt.Sprintf("%d.%d.%d", f[0], f[1], f[2])
	if n == 0 {
		return false, fixed, false
	}
	below, ok := vfBelow(version, f)
	return below, fixed, ok
}

// vfPoolSplit reports Nova bug 2098496 where it bites: a Placement-tracked
// PF with two or more VFs in [pci]device_spec, on a Nova that has it.
// nova-compute keeps the VFs of one PF in one pool mapped to the PF's
// resource provider; with the bug, a freed VF does not find that pool
// (its rp_uuid key makes the keys differ), so a second pool with the same
// provider appears, and a claim that follows Placement's allocation takes
// the requested count from each pool (PciDeviceStats.consume_requests in
// nova/pci/stats.py). Without pci_in_placement the claim does not follow
// Placement and the split is harmless.
func vfPoolSplit(p *Pass, pfs []vfProvider) {
	if len(pfs) == 0 {
		return
	}
	h := p.Inputs.Host
	rel := p.Inputs.NovaRelease
	affected, fixed, known := vfPoolSplitAffected(h.Nova.Version, rel)
	if !affected || !known {
		return
	}
	sched := pciInPlacementOf(p.Inputs)
	if sched != nil && !*sched {
		return // the claim does not follow Placement's allocation
	}
	nova := "Nova " + rel.Name
	if h.Nova.Version != "" {
		nova = "Nova " + h.Nova.Version
	}
	fixedText := "fixed in " + fixed
	upgrade := fmt.Sprintf("Upgrade Nova on this node to %s or later in its series, or to any 2025.2 (32.0.0) or newer release", fixed)
	if fixed == "" {
		fixedText = "never fixed in this series"
		upgrade = "Upgrade Nova on this node: the fix reached 2024.1 (29.4.0), 2024.2 (30.2.0), 2025.1 (31.1.0) and every release from 2025.2 (32.0.0), not 2023.1 or 2023.2"
	}
	when := "the scheduler's [filter_scheduler]pci_in_placement is true"
	if sched != nil {
		when = "[filter_scheduler]pci_in_placement is true"
	}
	var list []string
	var evidence []map[string]any
	for _, pf := range pfs {
		list = append(list, fmt.Sprintf("PF %s with %d VFs", pf.addr, len(pf.vfs)))
		evidence = append(evidence, map[string]any{"pf": pf.addr, "vfs": vfAddrs(pf.vfs)})
	}
	first := pfs[0]
	p.Report(report.Finding{
		Severity: report.Warning,
		Subject:  report.Subject{Kind: "device", Ref: first.addr},
		Message: fmt.Sprintf("%s on this node has bug 2098496, %s, and [pci]report_in_placement is true. Once a server holding one of these VFs is deleted, the freed VF goes into a second pool of the provider of its PF; while %s, nova-compute then gives each new server its VFs from every pool of that provider: two or more where the flavor asks for one, with the allocation in Placement raised to match. "+
			"The VFs of the PF run out early, and a flavor asking for all of them finds no valid host. Affected here: %s.",
			nova, fixedText, when, strings.Join(list, ", ")),
		Remediation: upgrade + ". A distribution's package may carry the fix under an older version (change I9678230397fa1a3c735ee01ed756d5af3b4e1191). Until then, a restart of nova-compute puts the VFs back in one pool, until the next delete.",
		Evidence:    map[string]any{"nova_version": h.Nova.Version, "fixed_in": fixed, "bug": "https://bugs.launchpad.net/nova/+bug/2098496", "providers": evidence},
	})
}

// OneTimeUse is GP611.
var OneTimeUse = &Check{
	ID: "GP611", Name: "one-time-use", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "The device_spec tag one_time_use (Nova 2025.2 and later) is only on type-PCI or type-PF devices of a node with [pci]report_in_placement = true.",
		Why: "A one-time-use device is reserved in Placement after its first instance, until the operator frees it. Nova 2025.2 refuses a device_spec with one_time_use=true when report_in_placement is false (PciConfigInvalidSpec, nova/pci/devspec.py: GP302 reports it), " +
			"and, reporting to Placement, refuses to start when a VF's device_spec carries one_time_use at all, even false: \"Only type-PCI and type-PF devices may set one_time_use\" (PlacementPciException, PciResourceProvider.add_child in nova/compute/pci_placement_translator.py, checked in 2026.2). " +
			"Before 2025.2 the tag is ignored (GP302), and it takes effect, with these rules, at the upgrade.",
		Fix:   "Put one_time_use only on entries that admit whole devices or PFs, never VFs; enable [pci]report_in_placement with it. After each use, return the device with openstack resource provider inventory set (reserved=0).",
		Links: []string{vfLinkPCI + "#one-time-use-devices"},
	},
	Run: runOneTimeUse,
}

// runOneTimeUse is GP611's Run.
func runOneTimeUse(p *Pass) error {
	if p.Conf == nil || len(p.Conf.Specs) == 0 {
		p.Skipf("no [pci]device_spec is set")
		return nil
	}
	rel := p.Inputs.NovaRelease
	rip := p.Conf.ReportInPlacement
	var devices []pcidev.Device
	if p.Inputs.Host != nil {
		devices = p.Inputs.Host.Devices
	}
	// vfsOf lists the VFs whose device_spec (the first that admits them,
	// among all entries) is s, and that Placement tracks.
	vfsOf := func(c *pcispec.Conf, s *pcispec.DeviceSpec) []*pcidev.Device {
		var out []*pcidev.Device
		for i := range devices {
			d := &devices[i]
			if pcispec.DeviceType(d) != pcispec.TypeVF {
				continue
			}
			if m := vfSpecOf(c, d); m != nil && m.Spec == s {
				if net, ok := s.PhysicalNetwork(); ok && net != "" {
					continue
				}
				out = append(out, d)
			}
		}
		return out
	}
	rpName := func(d *pcidev.Device) string {
		host := ""
		if p.Inputs.Host != nil {
			host = p.Inputs.Host.Hostname
		}
		return host + "_" + strings.ToUpper(d.PhysFn)
	}
	found := false
	for i := range p.Conf.Specs {
		e := &p.Conf.Specs[i]
		if e.Err != nil {
			// one_time_use=true without report_in_placement is GP302's
			// error. What Nova would say once report_in_placement is on
			// is GP611's: parse it so, and look for VFs.
			if !strings.Contains(e.Err.Error(), "one_time_use") || len(devices) == 0 {
				continue
			}
			found = true
			on := true
			specs, _, err := pcispec.ParseDeviceSpecWith(e.Value.Text, rel, pcispec.Options{ReportInPlacement: &on, Sysfs: pcispec.SysfsFromInventory(devices)})
			if err != nil {
				continue
			}
			alt := &pcispec.Conf{Specs: append(append([]pcispec.SpecEntry{}, p.Conf.Specs[:i]...), pcispec.SpecEntry{Value: e.Value, Specs: specs})}
			for _, s := range specs {
				if vfs := vfsOf(alt, s); len(vfs) > 0 {
					p.Report(report.Finding{
						Subject:     optionSubject(novaconf.OptDeviceSpec),
						Source:      e.Value.Source.String(),
						Message:     fmt.Sprintf("[pci]device_spec %s sets one_time_use on VFs (%s): enabling [pci]report_in_placement, which Nova %s requires for it, is not enough, as nova-compute then refuses to start: \"Only type-PCI and type-PF devices may set one_time_use and %s does not qualify\" (PlacementPciException).", specLabel(e, s), vfDevList(vfs), rel.Name, rpName(vfs[0])),
						Remediation: "Remove one_time_use from this entry: Nova supports it on whole devices and PFs only.",
						Evidence:    map[string]any{"vfs": vfAddrs(vfs)},
					})
				}
			}
			continue
		}
		for _, s := range e.Specs {
			raw, ok := s.Tags["one_time_use"]
			if !ok {
				continue
			}
			found = true
			value := novaconf.BoolFromString(raw) // Python's str() of the JSON value: true is "True"
			vfs := vfsOf(p.Conf, s)
			label := specLabel(e, s)
			if !rel.AtLeast(vfRel2025_2) {
				var after []string
				if value && !rip {
					after = append(after, "\"one_time_use=true requires pci.report_in_placement to be enabled\"")
				}
				if len(vfs) > 0 {
					when := " once report_in_placement is on"
					if rip {
						when = ", as report_in_placement is already on"
					}
					after = append(after, "\"Only type-PCI and type-PF devices may set one_time_use\", for its VFs "+vfDevList(vfs)+when)
				}
				if len(after) == 0 {
					continue
				}
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     fmt.Sprintf("[pci]device_spec %s sets one_time_use, which Nova %s ignores; from Nova 2025.2 on, nova-compute will refuse to start with it: %s.", label, rel.Name, strings.Join(after, "; ")),
					Remediation: otuRemedy(rip),
					Evidence:    map[string]any{"one_time_use": raw, "vfs": vfAddrs(vfs)},
				})
				continue
			}
			switch {
			case len(vfs) > 0 && rip:
				p.Report(report.Finding{
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     fmt.Sprintf("[pci]device_spec %s sets one_time_use on VFs (%s), and [pci]report_in_placement is true: Nova %s's nova-compute refuses to start: \"Only type-PCI and type-PF devices may set one_time_use and %s does not qualify\" (PlacementPciException). Nova refuses the tag on a VF even when it is false.", label, vfDevList(vfs), rel.Name, rpName(vfs[0])),
					Remediation: "Remove one_time_use from this entry, or narrow it to whole devices or PFs.",
					Evidence:    map[string]any{"vfs": vfAddrs(vfs), "one_time_use": raw},
				})
			case len(vfs) > 0:
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     fmt.Sprintf("[pci]device_spec %s sets one_time_use on VFs (%s): harmless while [pci]report_in_placement is false, but once it is true Nova %s's nova-compute refuses to start: \"Only type-PCI and type-PF devices may set one_time_use\", even for false.", label, vfDevList(vfs), rel.Name),
					Remediation: "Remove one_time_use from this entry.",
					Evidence:    map[string]any{"vfs": vfAddrs(vfs), "one_time_use": raw},
				})
			case value && rip:
				p.Report(report.Finding{
					Severity: report.Info,
					Subject:  optionSubject(novaconf.OptDeviceSpec),
					Source:   e.Value.Source.String(),
					Message:  fmt.Sprintf("[pci]device_spec %s makes its devices one-time-use: after each instance, Nova %s leaves the device reserved in Placement until you free it. openstack resource provider list --required HW_PCI_ONE_TIME_USE lists them.", label, rel.Name),
				})
			}
		}
	}
	if !found {
		p.Skipf("no [pci]device_spec sets one_time_use")
	}
	return nil
}

// vfEnabledMdevTypes is [devices]enabled_mdev_types as the mdev options
// were parsed for every check (Pass.Mdev), and where it is set.
func vfEnabledMdevTypes(p *Pass) ([]string, *novaconf.Value) {
	if p.Mdev == nil {
		return nil, nil
	}
	return p.Mdev.Enabled, p.Mdev.EnabledValue
}
