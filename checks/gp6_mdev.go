package checks

// The mediated-device (vGPU) checks, GP601–GP606: nova.conf's
// [devices]enabled_mdev_types and [mdev_<type>] groups as the release reads
// them (p.Mdev, package mdevconf) against the host's mdev parents, types
// and mdevs (hostinfo.Mdev; derived views in hostview/vgpu.go). Where the
// layouts and Nova's rules come from: docs/research/vgpu-layouts.md,
// sections 1, 2 and 6.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/internal/shellword"
	"github.com/gpupass/gpupass/openstack/mdevconf"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Links the mdev checks share.
const (
	linkNovaVGPU    = "https://docs.openstack.org/nova/latest/admin/virtual-gpu.html"
	linkNovaDevices = "https://docs.openstack.org/nova/latest/configuration/config.html#devices"
	linkKernelMdev  = "https://docs.kernel.org/driver-api/vfio-mediated-device.html"
	linkNVIDIAVGPU  = "https://docs.nvidia.com/vgpu/latest/grid-vgpu-user-guide/index.html"
	linkLibvirtMdev = "https://libvirt.org/drvnodedev.html#mediated-devices-mdevs"
)

// mdevRelease is the release whose mdev rules apply: the one mdevconf
// applied, else the run's.
func mdevRelease(p *Pass) novarelease.Release {
	if p.Mdev != nil && p.Mdev.Release.Name != "" {
		return p.Mdev.Release
	}
	return p.Inputs.NovaRelease
}

// mdevConfigured reports a nova.conf that enables mdev types or sets an
// [mdev_*] group, or one whose mdev options stop nova-compute.
func mdevConfigured(c *mdevconf.Conf) bool {
	return c != nil && (len(c.Enabled) > 0 || len(c.Groups) > 0 || c.StartErr != nil)
}

// hostHasMdev reports a host with mdev parents or mdevs.
func hostHasMdev(h *hostinfo.Host) bool {
	return h != nil && (len(h.Mdev.Parents) > 0 || len(h.Mdev.Devices) > 0)
}

// skipNoMdev skips a check when neither nova.conf nor the host has
// anything of mdevs: a classic passthrough host.
func skipNoMdev(p *Pass) bool {
	switch {
	case mdevConfigured(p.Mdev) || hostHasMdev(p.Inputs.Host):
		return false
	case p.Inputs.Host == nil:
		p.Skipf("no mdev type is enabled in nova.conf ([devices]enabled_mdev_types)")
	default:
		p.Skipf("no mdev type is enabled in nova.conf ([devices]enabled_mdev_types) and this host has no mdev parent")
	}
	return true
}

// skipVendorFramework skips a check of the mdev stack on a host whose GPUs
// use NVIDIA's vendor-specific VFIO framework and that has no mdev bus:
// mdev types enabled there cannot work, which is GP607's to say.
func skipVendorFramework(p *Pass) bool {
	if vf := p.Host.VendorFramework(); len(vf) > 0 && !p.Inputs.Host.Mdev.Bus {
		p.Skipf("the GPU functions use NVIDIA's vendor-specific VFIO framework (nvidia/ on %s), which has no mdev: GP607 judges them", vf[0].Address)
		return true
	}
	return false
}

// enabledOption names the option that enabled the types as written
// ([devices]enabled_mdev_types, or its old name enabled_vgpu_types).
func enabledOption(c *mdevconf.Conf) string {
	if c.EnabledValue != nil && c.EnabledValue.Name != "" {
		return "[devices]" + c.EnabledValue.Name
	}
	return "[devices]enabled_mdev_types"
}

func enabledSubject(c *mdevconf.Conf) report.Subject {
	return report.Subject{Kind: "option", Ref: enabledOption(c)}
}

func enabledSource(c *mdevconf.Conf) string {
	if c.EnabledValue == nil {
		return ""
	}
	return c.EnabledValue.Source.String()
}

func groupSubject(g *mdevconf.Group, option string) report.Subject {
	ref := "[" + g.Section + "]"
	return report.Subject{Kind: "option", Ref: ref + option}
}

// groupName is the section as written in messages: [mdev_nvidia-558].
// oslo.config lower-cases group names, so [mdev_NVIDIA A40-2Q] is shown as
// written, not as the group oslo.config stores.
func groupName(p *Pass, g *mdevconf.Group) string {
	if p != nil && p.Inputs != nil && p.Inputs.NovaConf != nil {
		for _, s := range p.Inputs.NovaConf.Config.Sections() {
			if s.Where() == g.Where && s.Group == g.Section {
				return "[" + s.Name + "]"
			}
		}
	}
	return "[" + g.Section + "]"
}

// addressesSource is where a group's device_addresses was set, else the
// group's header.
func addressesSource(g *mdevconf.Group) string {
	if g.AddressesValue != nil {
		return g.AddressesValue.Source.String()
	}
	return g.Where.String()
}

// group returns the group of a type, or nil.
func mdevGroup(c *mdevconf.Conf, typ string) *mdevconf.Group {
	for i := range c.Groups {
		if strings.EqualFold(c.Groups[i].Type, typ) {
			return &c.Groups[i]
		}
	}
	return nil
}

// typeEnabled reports whether a group's type is enabled: oslo.config
// lower-cases group names, so [mdev_NVIDIA-558] is nvidia-558's group.
func typeEnabled(c *mdevconf.Conf, typ string) bool {
	for _, t := range c.Enabled {
		if strings.EqualFold(t, typ) {
			return true
		}
	}
	return false
}

// typeLabel names a type with its human name when the host gives one:
// nvidia-558 (NVIDIA A40-2Q).
func typeLabel(v *hostview.View, id string) string {
	if v != nil {
		if o := v.OfferedType(id); o != nil && o.Name != "" && o.Name != id {
			return id + " (" + o.Name + ")"
		}
	}
	return id
}

// parentOf is the type nova-compute gives a parent: the group that lists
// it, else the default type.
func parentType(c *mdevconf.Conf, addr string) string {
	if t, ok := c.Mapping[addr]; ok {
		return t
	}
	return c.Default
}

// editDistance is the Levenshtein distance of two strings, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nearestType is the offered type ID closest to s (case folded), the
// first in ID order on a tie.
func nearestType(s string, offered []hostview.OfferedType) *hostview.OfferedType {
	var best *hostview.OfferedType
	bestDist := 0
	for i := range offered {
		d := editDistance(strings.ToLower(s), strings.ToLower(offered[i].ID))
		if best == nil || d < bestDist {
			best, bestDist = &offered[i], d
		}
	}
	return best
}

// listLine is a ListOpt's value as a nova.conf line writes it.
func listLine(items []string) string { return strings.Join(items, ",") }

// MdevTypeUnknown is GP601.
var MdevTypeUnknown = &Check{
	ID: "GP601", Name: "mdev-type-unknown", Severity: report.Error, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "Every type in [devices]enabled_mdev_types is offered by an mdev parent of this host, written as the type's ID (nvidia-558), not its human name (NVIDIA A40-2Q); every [mdev_<type>] group is for an enabled type.",
		Why:     "nova-compute offers vGPUs only of the types it finds in the parents' mdev_supported_types, by ID. An entry no parent offers (a typo, a type of another GPU model, the name shown by nvidia-smi or the type's name file instead of its directory name) gives no vGPU: flavors asking resources:VGPU=1 fail with No valid host. A [mdev_<type>] group whose type is not enabled is ignored.",
		Fix:     "List the type IDs this host offers (ls /sys/class/mdev_bus/*/mdev_supported_types; each directory's name file holds the human name) and write the ID in enabled_mdev_types and in the group's name ([mdev_nvidia-558]).",
		Links:   []string{linkNovaVGPU, linkNovaDevices, linkKernelMdev, linkNVIDIAVGPU},
	},
	Run: runMdevTypeUnknown,
}

// runMdevTypeUnknown is GP601's Run.
func runMdevTypeUnknown(p *Pass) error {
	c := p.Mdev
	if skipNoMdev(p) {
		return nil
	}
	if !mdevConfigured(c) {
		p.Skipf("no mdev type is enabled in nova.conf ([devices]enabled_mdev_types)")
		return nil
	}
	rel := mdevRelease(p)
	reported := false
	for i := range c.Groups {
		g := &c.Groups[i]
		if typeEnabled(c, g.Type) {
			continue
		}
		reported = true
		msg := fmt.Sprintf("%s at %s is for the mdev type %s, which %s does not list: Nova %s ignores the group.", groupName(p, g), g.Where, typeLabel(p.Host, g.Type), enabledOption(c), rel.Name)
		if len(c.Enabled) == 0 {
			msg = fmt.Sprintf("%s at %s is for the mdev type %s, but %s is not set: Nova %s enables no mdev type and ignores the group.", groupName(p, g), g.Where, typeLabel(p.Host, g.Type), enabledOption(c), rel.Name)
		}
		p.Report(report.Finding{
			Severity:    report.Warning,
			Subject:     groupSubject(g, ""),
			Source:      g.Where.String(),
			Message:     msg,
			Remediation: fmt.Sprintf("If this host's GPUs should offer %[1]s, add it to enabled_mdev_types in [devices] (enabled_mdev_types = %[2]s); otherwise remove the %[3]s section.", g.Type, listLine(append(append([]string{}, c.Enabled...), g.Type)), groupName(p, g)),
			Evidence:    map[string]any{"group": g.Section, "type": g.Type, "enabled_mdev_types": c.Enabled},
		})
	}
	if len(c.Enabled) == 0 {
		if !reported {
			p.Skipf("no mdev type is enabled in nova.conf ([devices]enabled_mdev_types)")
		}
		return nil
	}
	if len(p.Inputs.Host.Mdev.Parents) == 0 {
		if !reported {
			p.Skipf("this host has no mdev parent, so which types it offers is unknown (GP605 says why)")
		}
		return nil
	}
	offered := p.Host.OfferedTypes()
	var ids []string
	for _, o := range offered {
		ids = append(ids, o.ID)
	}
	// Every finding's fix starts from the whole list with all of GP601's
	// corrections applied, so that the fixes print one consistent line.
	corrections := map[string]string{}
	for _, entry := range c.Enabled {
		if p.Host.OfferedType(entry) != nil {
			continue
		}
		if named := p.Host.TypesNamed(entry); len(named) > 0 {
			corrections[entry] = named[0].ID
		} else {
			corrections[entry] = nearestType(entry, offered).ID
		}
	}
	var corrected []string
	seenType := map[string]bool{}
	for _, t := range c.Enabled {
		if with, ok := corrections[t]; ok {
			t = with
		}
		if !seenType[t] {
			seenType[t] = true
			corrected = append(corrected, t)
		}
	}
	fixed := "enabled_mdev_types = " + listLine(corrected)
	if len(corrections) > 1 {
		fixed += fmt.Sprintf(" (this line applies all %d corrections of GP601)", len(corrections))
	}
	for _, entry := range c.Enabled {
		if p.Host.OfferedType(entry) != nil {
			continue
		}
		renameGroup := func(with string) string {
			if g := mdevGroup(c, entry); g != nil {
				return fmt.Sprintf(", and rename %s (%s) to [mdev_%s]", groupName(p, g), g.Where, with)
			}
			return ""
		}
		ev := map[string]any{"type": entry, "offered_types": ids}
		if named := p.Host.TypesNamed(entry); len(named) > 0 {
			var labels, namedIDs []string
			for _, o := range named {
				labels = append(labels, fmt.Sprintf("%s (offered by %s)", o.ID, prose.Plural(len(o.Parents), "parent")))
				namedIDs = append(namedIDs, o.ID)
			}
			ev["named_types"] = namedIDs
			p.Report(report.Finding{
				Subject:     enabledSubject(c),
				Source:      enabledSource(c),
				Message:     fmt.Sprintf("%s lists %q, which is the human name of the mdev type %s, not its ID: Nova %s looks types up by ID, so it offers no vGPU of it.", enabledOption(c), entry, prose.List(labels), rel.Name),
				Remediation: fmt.Sprintf("In [devices] of %s, write the type's ID: %s%s; then restart nova-compute.", enabledSource(c), fixed, renameGroup(named[0].ID)),
				Evidence:    ev,
			})
			continue
		}
		near := nearestType(entry, offered)
		ev["nearest"] = near.ID
		hint := fmt.Sprintf("The nearest type it offers is %s.", typeLabel(p.Host, near.ID))
		if strings.EqualFold(near.ID, entry) {
			hint = fmt.Sprintf("It offers %s: type IDs are compared with their case.", typeLabel(p.Host, near.ID))
		}
		p.Report(report.Finding{
			Subject: enabledSubject(c),
			Source:  enabledSource(c),
			Message: fmt.Sprintf("%s lists %s, which no mdev parent of this host offers: Nova %s offers no vGPU of it here. %s This host offers %s: %s.",
				enabledOption(c), entry, rel.Name, hint, prose.Plural(len(ids), "type"), prose.List(ids)),
			Remediation: fmt.Sprintf("In [devices] of %s, list a type this host offers, e.g. %s%s (ls /sys/class/mdev_bus/*/mdev_supported_types lists them, each with its name file); then restart nova-compute.", enabledSource(c), fixed, renameGroup(near.ID)),
			Evidence:    ev,
		})
	}
	return nil
}

// MdevAddressInvalid is GP602.
var MdevAddressInvalid = &Check{
	ID: "GP602", Name: "mdev-address-invalid", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "The [mdev_<type>] options are ones nova-compute starts with, and every device_addresses entry is an mdev parent of this host that offers the group's type.",
		Why:     "nova-compute validates device_addresses when its libvirt driver loads: a malformed address, or one address under two types, raises InvalidLibvirtMdevConfig and nova-compute does not start; an invalid mdev_class or max_instances stops it in oslo.config. An address that is not an mdev parent (a typo, the PF of an SR-IOV GPU whose VFs are the parents, an address written in upper case, which never equals the lower-case one libvirt reports) maps nothing: the GPU gets the default type or none.",
		Fix:     "Write each parent once, as /sys/class/mdev_bus lists it (0000:41:00.4, lower case); on Ampere and later SR-IOV GPUs list the VFs, not the PF; keep mdev_class VGPU or CUSTOM_* and max_instances a whole number of at least 1.",
		Links:   []string{linkNovaVGPU, linkNovaDevices, linkKernelMdev},
	},
	Run: runMdevAddressInvalid,
}

// runMdevAddressInvalid is GP602's Run.
func runMdevAddressInvalid(p *Pass) error {
	c := p.Mdev
	if skipNoMdev(p) {
		return nil
	}
	if !mdevConfigured(c) {
		p.Skipf("no mdev type is enabled in nova.conf ([devices]enabled_mdev_types)")
		return nil
	}
	rel := mdevRelease(p)
	if e := c.StartErr; e != nil {
		p.Report(report.Finding{
			Subject:     startErrSubject(c, e),
			Source:      e.Where.String(),
			Message:     fmt.Sprintf("Nova %s's nova-compute does not start with this configuration (%[4]s): %[2]s: \"%[3]s\".", rel.Name, e.Exception, e.Message, e.Where),
			Remediation: startErrRemedy(e),
			Evidence:    map[string]any{"exception": e.Exception, "nova_message": e.Message},
		})
	}
	if len(c.Enabled) == 0 {
		return nil
	}
	seen := map[string]bool{}
	first := map[string]*mdevconf.Group{}
	for i := range c.Groups {
		g := &c.Groups[i]
		if !typeEnabled(c, g.Type) {
			continue // GP601's
		}
		var notOffering []string
		for _, addr := range g.DeviceAddresses {
			// Addresses this release does not use are GP603's story
			// (Zed to 2023.2 with one type without addresses); the one
			// that stops nova-compute is reported above.
			if _, used := c.Mapping[addr]; !used && c.StartErr == nil {
				continue
			}
			if c.StartErr != nil && strings.Contains(c.StartErr.Message, addr) {
				continue
			}
			if other := first[addr]; other != nil {
				reportDuplicate(p, c, other, g, addr)
				continue
			}
			first[addr] = g
			if seen[g.Type+" "+addr] {
				continue
			}
			seen[g.Type+" "+addr] = true
			if judgeMdevAddress(p, g, addr) {
				notOffering = append(notOffering, addr)
			}
		}
		if len(notOffering) > 0 {
			reportNotOffering(p, g, notOffering)
		}
	}
	return nil
}

// reportDuplicate reports an address listed twice that nova-compute has
// not reached yet: it stops on the error reported first, and on this one
// once that is fixed ("duplicate types for PCI ID").
func reportDuplicate(p *Pass, c *mdevconf.Conf, first, again *mdevconf.Group, addr string) {
	where := "again in " + groupName(p, again)
	if first != again {
		where = fmt.Sprintf("in %s and in %s", groupName(p, first), groupName(p, again))
	}
	when := "Nova %[3]s's nova-compute does not start"
	if c.StartErr != nil {
		when = "once %[4]s is corrected, Nova %[3]s's nova-compute stops on this one"
	}
	var at string
	if c.StartErr != nil {
		at = c.StartErr.Where.String()
	}
	p.Report(report.Finding{
		Subject: groupSubject(again, "device_addresses"),
		Source:  addressesSource(again),
		Message: fmt.Sprintf("%[1]s is listed %[2]s: "+when+" (InvalidLibvirtMdevConfig: \"duplicate types for PCI ID %[1]s\").",
			addr, where, mdevRelease(p).Name, at),
		Remediation: fmt.Sprintf("Keep %s in one [mdev_<type>] group only, once: a parent gets one type (%s).", addr, addressesSource(again)),
		Evidence:    map[string]any{"address": addr, "groups": []string{first.Section, again.Section}},
	})
}

// reportNotOffering reports the parents of a group that do not offer its
// type, in one finding.
func reportNotOffering(p *Pass, g *mdevconf.Group, addrs []string) {
	label := typeLabel(p.Host, g.Type)
	var offering []string
	if o := p.Host.OfferedType(g.Type); o != nil {
		offering = o.Parents
	}
	var its []string
	if parent := p.Inputs.Host.Mdev.Parent(addrs[0]); parent != nil {
		for _, t := range parent.Types {
			its = append(its, typeLabel(p.Host, t.ID))
		}
	}
	rest := g.DeviceAddresses
	for _, a := range addrs {
		rest = replaceAddr(rest, a, nil)
	}
	corrected, more := correctedLine(p, g, rest)
	line := "device_addresses = " + corrected + withOthers(more)
	if corrected == "" {
		line = "list parents that offer it"
	}
	remedy := fmt.Sprintf("In %s (%s), %s", groupName(p, g), addressesSource(g), line)
	if len(offering) > 0 {
		remedy += fmt.Sprintf("; the parents of this host that offer %s are %s", g.Type, prose.ListUpTo(offering, 8, ", "))
	}
	p.Report(report.Finding{
		Subject: groupSubject(g, "device_addresses"),
		Source:  addressesSource(g),
		Message: fmt.Sprintf("%sdevice_addresses lists %s, %s that %s not offer %s: Nova %s creates no vGPU of that type there. %s offers %s.",
			groupName(p, g), prose.ListUpTo(addrs, 8, ", "), prose.Verb(len(addrs), "an mdev parent", "mdev parents"), prose.Verb(len(addrs), "does", "do"), label, mdevRelease(p).Name,
			prose.Verb(len(addrs), "It", addrs[0]), orNone(prose.List(its))),
		Remediation: remedy + ".",
		Evidence:    map[string]any{"addresses": addrs, "type": g.Type, "parents_offering": offering},
	})
}

// startErrSubject is the option a start-up error is about.
func startErrSubject(c *mdevconf.Conf, e *mdevconf.StartError) report.Subject {
	for i := range c.Groups {
		g := &c.Groups[i]
		for _, o := range []struct {
			option string
			value  *novaconf.Value
		}{{"device_addresses", g.AddressesValue}, {"mdev_class", g.ClassValue}, {"max_instances", g.MaxValue}} {
			if o.value != nil && o.value.Source == e.Where {
				return groupSubject(g, o.option)
			}
		}
	}
	return enabledSubject(c)
}

// startErrRemedy says how to correct what stops nova-compute.
func startErrRemedy(e *mdevconf.StartError) string {
	at := e.Where.String()
	switch m := e.Message; {
	case strings.Contains(m, "duplicate types"):
		return fmt.Sprintf("List each parent address under one [mdev_<type>] group only, once (%s): a parent gets one type. Then restart nova-compute.", at)
	case strings.Contains(m, "incorrect PCI address"), strings.Contains(m, "incorrect device address"):
		return fmt.Sprintf("Write each device_addresses entry as a full PCI address in lower case, DDDD:BB:SS.F (0000:41:00.4), as ls /sys/class/mdev_bus lists the parents (%s). Then restart nova-compute.", at)
	case strings.Contains(m, "mdev_class"):
		return fmt.Sprintf("Set mdev_class to VGPU or to CUSTOM_ followed by upper-case letters, digits and underscores, e.g. mdev_class = CUSTOM_NVIDIA_558 (%s).", at)
	case strings.Contains(m, "max_instances"):
		return fmt.Sprintf("Set max_instances to a whole number of at least 1, e.g. the type's max_instance from its description file (%s).", at)
	}
	return fmt.Sprintf("Correct the value at %s as Nova's message says, then restart nova-compute.", at)
}

// canonicalAddress is the form a PCI address takes in Nova's lookups
// (libvirt's pci_0000_84_00_0 formatted as 0000:84:00.0): lower-case hex,
// "." before the function. Nova's pattern accepts any character there
// (its dot is unescaped) and either case. ok is false for what is not an
// address of that shape.
func canonicalAddress(a string) (string, bool) {
	if len(a) != 12 || a[4] != ':' || a[7] != ':' || a[11] < '0' || a[11] > '7' {
		return "", false
	}
	for i := 0; i < 10; i++ {
		c := a[i]
		if i == 4 || i == 7 {
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return strings.ToLower(a[:10]) + "." + a[11:], true
}

// judgeMdevAddress reports a device_addresses entry that is not a parent
// of this host offering the group's type; it returns true, and reports
// nothing, for a parent that does not offer the type (reportNotOffering
// folds those per group).
func judgeMdevAddress(p *Pass, g *mdevconf.Group, addr string) bool {
	rel := mdevRelease(p)
	label := typeLabel(p.Host, g.Type)
	src := addressesSource(g)
	subject := groupSubject(g, "device_addresses")
	if canon, ok := canonicalAddress(addr); ok && canon != addr {
		// Nova compares the text with the lower-case address libvirt
		// gives: the parent exists or not, this entry matches none.
		what := "the address"
		if p.Host != nil && p.Inputs.Host.Mdev.Parent(canon) != nil {
			what = "the mdev parent"
		}
		p.Report(report.Finding{
			Subject: subject,
			Source:  src,
			Message: fmt.Sprintf("%sdevice_addresses lists %s, written differently from %s %s: Nova %s compares it, as written, with the lower-case address libvirt reports, so it never applies %s to that parent.",
				groupName(p, g), addr, what, canon, rel.Name, label),
			Remediation: canonRemedy(p, g, addr, canon),
			Evidence:    map[string]any{"address": addr, "canonical": canon, "type": g.Type},
		})
		return false
	}
	if p.Host == nil {
		return false
	}
	h := p.Inputs.Host
	if len(h.Mdev.Parents) > 0 && p.Host.OfferedType(g.Type) == nil {
		return false // a type no parent offers: GP601's
	}
	offering := func() []string {
		if o := p.Host.OfferedType(g.Type); o != nil {
			return o.Parents
		}
		return nil
	}
	if parent := h.Mdev.Parent(addr); parent != nil {
		return parent.Type(g.Type) == nil
	}
	d := p.Host.Device(addr)
	if d != nil {
		if vfs := p.Host.ParentVFs(d.Address); len(vfs) > 0 {
			var list []string
			for _, vf := range vfs {
				if vf.Type(g.Type) != nil {
					list = append(list, vf.Address)
				}
			}
			msg := fmt.Sprintf("%sdevice_addresses lists %s, the physical function of an SR-IOV GPU: its %s are the mdev parents, not the PF, so Nova %s gives %s to none of them.",
				groupName(p, g), pcidev.Describe(d), prose.Plural(len(vfs), "virtual function"), rel.Name, label)
			line, more := correctedLine(p, g, replaceAddr(g.DeviceAddresses, addr, list))
			remedy := fmt.Sprintf("List the VFs instead, in %s (%s): device_addresses = %s%s", groupName(p, g), src, line, withOthers(more))
			if len(list) == 0 {
				msg += fmt.Sprintf(" None of them offers %s.", label)
			}
			if len(list) == 0 || line == "" {
				remedy = remedyOtherParents(p, g, addr, offering())
			}
			p.Report(report.Finding{
				Subject:     subject,
				Source:      src,
				Message:     msg,
				Remediation: remedy,
				Evidence:    map[string]any{"address": addr, "type": g.Type, "vf_parents": list},
			})
			return false
		}
		why := ""
		if d.SRIOV != nil && d.SRIOV.TotalVFs > 0 && d.SRIOV.NumVFs == 0 {
			why = " It is an SR-IOV GPU whose virtual functions are not enabled (sriov_numvfs is 0): on Ampere and later GPUs the VFs are the parents (GP605)."
		}
		p.Report(report.Finding{
			Subject: subject,
			Source:  src,
			Message: fmt.Sprintf("%sdevice_addresses lists %s, which is not an mdev parent of this host (no /sys/class/mdev_bus/%s): Nova %s gives %s to no device there.%s",
				groupName(p, g), pcidev.Describe(d), d.Address, rel.Name, label, why),
			Remediation: remedyOtherParents(p, g, addr, offering()),
			Evidence:    map[string]any{"address": addr, "type": g.Type, "driver": d.Driver},
		})
		return false
	}
	p.Report(report.Finding{
		Subject:     subject,
		Source:      src,
		Message:     fmt.Sprintf("%sdevice_addresses lists %s, and this host has no PCI device or mdev parent at that address: Nova %s gives %s to nothing there.", groupName(p, g), addr, rel.Name, label),
		Remediation: remedyOtherParents(p, g, addr, offering()),
		Evidence:    map[string]any{"address": addr, "type": g.Type},
	})
	return false
}

// correctedAddresses is a group's device_addresses with every GP602
// correction applied at once, so that each finding's fix prints the same
// line and one nova-compute accepts: entries once each, malformed ones
// dropped, upper-case ones lower-cased, the PF of an SR-IOV GPU replaced by
// its VFs that offer the type, entries that are no mdev parent offering the
// type dropped, and no address that another enabled group lists (an
// address two groups list stays with the first).
func correctedAddresses(p *Pass, c *mdevconf.Conf, g *mdevconf.Group) []string {
	owner := map[string]*mdevconf.Group{}
	for i := range c.Groups {
		o := &c.Groups[i]
		if !typeEnabled(c, o.Type) {
			continue
		}
		for _, a := range o.DeviceAddresses {
			if canon, ok := canonicalAddress(a); ok && owner[canon] == nil {
				owner[canon] = o
			}
		}
	}
	var h *hostinfo.Host
	if p.Host != nil {
		h = p.Inputs.Host
	}
	typeKnown := h == nil || len(h.Mdev.Parents) == 0 || p.Host.OfferedType(g.Type) != nil
	keep := func(a string) bool {
		if h == nil || !typeKnown {
			return true // nothing to judge it by, or GP601's
		}
		parent := h.Mdev.Parent(a)
		return parent != nil && parent.Type(g.Type) != nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		if seen[a] {
			return
		}
		seen[a] = true
		if o := owner[a]; o != nil && o != g {
			return
		}
		if keep(a) {
			out = append(out, a)
		}
	}
	for _, a := range g.DeviceAddresses {
		if _, used := c.Mapping[a]; !used && c.StartErr == nil {
			// Not used by this release (GP603's): kept as written.
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
			continue
		}
		canon, ok := canonicalAddress(a)
		if !ok {
			continue // malformed: nova-compute does not start
		}
		if h != nil && h.Mdev.Parent(canon) == nil {
			if d := p.Host.Device(canon); d != nil {
				if vfs := p.Host.ParentVFs(d.Address); len(vfs) > 0 {
					for _, vf := range vfs {
						add(vf.Address)
					}
					continue
				}
			}
		}
		add(canon)
	}
	return out
}

// correctedLine is the device_addresses line of a group with every GP602
// correction applied, and whether it is more than the one correction a
// finding names (single).
func correctedLine(p *Pass, g *mdevconf.Group, single []string) (string, bool) {
	all := correctedAddresses(p, p.Mdev, g)
	return listLine(all), listLine(all) != listLine(single)
}

// withOthers is the words that say a printed line carries the group's
// other corrections too.
func withOthers(more bool) string {
	if more {
		return " (this line also applies the group's other GP602 corrections)"
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// replaceAddr is a device_addresses list with one entry replaced by
// others (none: removed).
func replaceAddr(list []string, addr string, with []string) []string {
	var out []string
	for _, a := range list {
		if a == addr {
			out = append(out, with...)
			continue
		}
		out = append(out, a)
	}
	return out
}

// canonRemedy says to write an address in lower case.
func canonRemedy(p *Pass, g *mdevconf.Group, addr, canon string) string {
	line, more := correctedLine(p, g, replaceAddr(g.DeviceAddresses, addr, []string{canon}))
	return fmt.Sprintf("In %s (%s), write %s as %s: device_addresses = %s%s", groupName(p, g), addressesSource(g), addr, canon, line, withOthers(more))
}

// remedyOtherParents says to remove an address, and which parents offer
// the group's type.
func remedyOtherParents(p *Pass, g *mdevconf.Group, addr string, offering []string) string {
	rest, more := correctedLine(p, g, replaceAddr(g.DeviceAddresses, addr, nil))
	line := "device_addresses = " + rest + withOthers(more)
	if rest == "" {
		line = "remove device_addresses (or the group) if this host has no GPU for it"
	}
	if len(offering) == 0 {
		return fmt.Sprintf("Remove %s from %s (%s): %s. No parent of this host offers %s (ls /sys/class/mdev_bus/*/mdev_supported_types).", addr, groupName(p, g), addressesSource(g), line, g.Type)
	}
	return fmt.Sprintf("Remove %s from %s (%s): %s; the parents of this host that offer %s are %s.", addr, groupName(p, g), addressesSource(g), line, g.Type, prose.ListUpTo(offering, 8, ", "))
}

// MdevTypesAmbiguous is GP603.
var MdevTypesAmbiguous = &Check{
	ID: "GP603", Name: "mdev-types-ambiguous", Severity: report.Warning, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "When several mdev types are enabled, each is given its parents with device_addresses (from 2024.1 one may go without: it is the default); what the release makes of the rest is said, with what nova-compute logs about the mdev options.",
		Why:     "With several types in enabled_mdev_types, Nova must know which GPU gets which. From Zed to 2023.2, one type without [mdev_<type>]device_addresses makes nova-compute use only the first type, on every GPU, and ignore the other groups' device_addresses and mdev_class: the other types are never offered. From 2024.1, the first type without device_addresses becomes the default of the parents no group lists, and any later one is dropped with a warning in nova-compute's log.",
		Fix:     "Give every type but one (before 2024.1: every type) a [mdev_<type>] group with device_addresses listing its parents.",
		Links:   []string{linkNovaVGPU, linkNovaDevices},
	},
	Run: runMdevTypesAmbiguous,
}

// runMdevTypesAmbiguous is GP603's Run.
func runMdevTypesAmbiguous(p *Pass) error {
	c := p.Mdev
	if skipNoMdev(p) {
		return nil
	}
	if !mdevConfigured(c) || len(c.Enabled) == 0 {
		p.Skipf("no mdev type is enabled in nova.conf ([devices]enabled_mdev_types)")
		return nil
	}
	rel := mdevRelease(p)
	var bare []string
	for _, t := range c.Enabled {
		if g := mdevGroup(c, t); g == nil || len(g.DeviceAddresses) == 0 {
			bare = append(bare, t)
		}
	}
	dropped := map[string]bool{}
	var droppedIDs, why []string
	for _, d := range c.Dropped {
		dropped[d.Type] = true
		droppedIDs = append(droppedIDs, d.Type)
		why = append(why, d.Type+": "+d.Why)
	}
	// Nova's log lines about a dropped type are part of this finding.
	var logged []string
	// Nova's own lines: "... Only the first type 'X' will be used.",
	// "Mdev type default already set to X so Y will not be used."
	aboutDropped := func(msg string) bool {
		if !strings.Contains(msg, "will be used") && !strings.Contains(msg, "will not be used") {
			return false
		}
		for _, t := range append(append([]string{}, bare...), droppedIDs...) {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}
	for _, w := range c.Warnings {
		if aboutDropped(w.Message) {
			logged = append(logged, "'"+w.Message+"'")
		}
	}
	if len(c.Dropped) > 0 {
		labels := func(ids []string) string {
			var out []string
			for _, id := range ids {
				out = append(out, typeLabel(p.Host, id))
			}
			return prose.List(out)
		}
		var msg, rule string
		if !releaseAtLeast(rel, "2024.1") {
			first := c.Enabled[0]
			if len(c.Used) > 0 {
				first = c.Used[0]
			}
			msg = fmt.Sprintf("%s enables %s, and %s no [mdev_<type>]device_addresses: Nova %s then uses only the first type, %s, on every mdev parent, ignores the groups' device_addresses and mdev_class (every vGPU is of resource class VGPU), and never offers %s.",
				enabledOption(c), prose.Plural(len(c.Enabled), "type"), prose.Verb(len(bare), labels(bare)+" has", labels(bare)+" have"), rel.Name, typeLabel(p.Host, first), labels(droppedIDs))
			rule = "Before 2024.1 every type needs device_addresses once several are enabled"
		} else {
			def := c.Default
			msg = fmt.Sprintf("%s enables %s, and %s no [mdev_<type>]device_addresses: Nova %s makes %s the type of every mdev parent no group lists, and drops %s, which no parent gets.",
				enabledOption(c), prose.Plural(len(c.Enabled), "type"), prose.Verb(len(bare), labels(bare)+" has", labels(bare)+" have"), rel.Name, typeLabel(p.Host, def), labels(droppedIDs))
			rule = fmt.Sprintf("From 2024.1 one type may go without device_addresses (%s, the default of the parents no group lists); every other type needs them", def)
		}
		if len(logged) > 0 {
			msg += " nova-compute logs: " + strings.Join(logged, "; ") + "."
		}
		var parts []string
		for _, t := range droppedIDs {
			parts = append(parts, fmt.Sprintf("[mdev_%s] device_addresses = %s", t, suggestAddresses(p, c, t)))
		}
		p.Report(report.Finding{
			Subject:     enabledSubject(c),
			Source:      enabledSource(c),
			Message:     msg,
			Remediation: fmt.Sprintf("%s: set %s, listing the parents each type should have; then restart nova-compute.", rule, strings.Join(parts, "; ")),
			Evidence:    map[string]any{"enabled_mdev_types": c.Enabled, "without_addresses": bare, "used": c.Used, "dropped": droppedIDs, "why": why, "default": c.Default},
		})
	}
	// What else nova-compute logs, or ignores, of the mdev options.
	for _, w := range c.Warnings {
		if aboutDropped(w.Message) && len(c.Dropped) > 0 || reportedElsewhere(c, w) {
			continue
		}
		msg := w.Message
		if !strings.Contains(msg, "Nova") {
			msg = fmt.Sprintf("Nova %s: %s", rel.Name, msg)
		}
		p.Report(report.Finding{
			Subject:     enabledSubject(c),
			Source:      w.Where.String(),
			Message:     msg,
			Remediation: warningRemedy(w),
		})
	}
	return nil
}

// warningRemedy says what to do about a warning of nova-compute or
// oslo.config on the mdev options.
func warningRemedy(w mdevconf.Diagnostic) string {
	if strings.Contains(w.Message, "deprecated") {
		return fmt.Sprintf("Rename it as the message says (%s): Nova still reads the old name, with this warning, until it is removed.", w.Where)
	}
	return fmt.Sprintf("Correct or remove what the message names (%s), so that nova.conf says what nova-compute does.", w.Where)
}

// reportedElsewhere reports a warning of mdevconf about what another mdev
// check reports itself: a group whose type is not enabled (GP601), an
// address written otherwise than libvirt gives it (GP602).
func reportedElsewhere(c *mdevconf.Conf, w mdevconf.Diagnostic) bool {
	for i := range c.Groups {
		g := &c.Groups[i]
		if !typeEnabled(c, g.Type) {
			if w.Where == g.Where {
				return true
			}
			continue
		}
		if g.AddressesValue == nil || w.Where != g.AddressesValue.Source {
			continue
		}
		for _, a := range g.DeviceAddresses {
			if canon, ok := canonicalAddress(a); ok && canon != a && strings.Contains(w.Message, a) {
				return true
			}
		}
	}
	return false
}

// suggestAddresses lists the parents of this host that offer a type and
// that no group gives another type, or a placeholder.
func suggestAddresses(p *Pass, c *mdevconf.Conf, typ string) string {
	if p.Host == nil {
		return "ADDRESS,... (ls /sys/class/mdev_bus)"
	}
	o := p.Host.OfferedType(typ)
	if o == nil {
		return "ADDRESS,... (no parent of this host offers " + typ + ")"
	}
	var free []string
	for _, a := range o.Parents {
		if t, ok := c.Mapping[a]; !ok || t == typ {
			free = append(free, a)
		}
	}
	if len(free) == 0 {
		return "ADDRESS,... (every parent offering " + typ + " is listed for another type)"
	}
	return listLine(free)
}

// MdevCapacity is GP604.
var MdevCapacity = &Check{
	ID: "GP604", Name: "mdev-capacity", Severity: report.Warning, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "Every mdev parent Nova uses can create vGPUs of its type, and Nova's count of them is not more than the GPUs hold; says how many vGPUs of each type this host can still offer.",
		Why:     "Nova offers on each parent the mdevs of its type that exist plus available_instances more. A parent with available_instances 0 and none of the type offers nothing: on NVIDIA GPUs one physical GPU runs vGPUs of one type at a time, so mdevs of another type on it (left by hand or by an earlier configuration) take it away. On SR-IOV GPUs (Ampere and later) every VF reports one instance until the card is full, so without [mdev_<type>]max_instances (2024.1 and later) Nova counts one vGPU per VF, more than the card holds: Placement sends instances there that fail to build.",
		Fix:     "Remove mdevs of other types from the GPU (mdevctl list; mdevctl stop and undefine), or give that GPU their type; on SR-IOV GPUs set max_instances to the type's max_instance (from its description) times the number of GPUs.",
		Links:   []string{linkNovaVGPU, linkKernelMdev, linkNVIDIAVGPU},
	},
	Run: runMdevCapacity,
}

// mdevSlot is a parent and the type Nova gives it.
type mdevSlot struct {
	parent *hostinfo.MdevParent
	typ    *hostinfo.MdevType
}

// runMdevCapacity is GP604's Run.
func runMdevCapacity(p *Pass) error {
	if skipNoMdev(p) {
		return nil
	}
	c := p.Mdev
	h := p.Inputs.Host
	if c == nil || len(c.Used) == 0 {
		p.Skipf("%s", noTypeUsed(c))
		return nil
	}
	if len(h.Mdev.Parents) == 0 {
		p.Skipf("this host has no mdev parent (GP605 says why)")
		return nil
	}
	rel := mdevRelease(p)
	used := map[string]bool{}
	for _, t := range c.Used {
		used[t] = true
	}
	byType := map[string][]mdevSlot{}
	for i := range h.Mdev.Parents {
		par := &h.Mdev.Parents[i]
		t := parentType(c, par.Address)
		if t == "" || !used[t] {
			continue
		}
		if mt := par.Type(t); mt != nil {
			byType[t] = append(byType[t], mdevSlot{par, mt})
		}
	}
	for _, t := range c.Used {
		slots := byType[t]
		if len(slots) == 0 {
			continue // GP601, GP602
		}
		label := typeLabel(p.Host, t)
		reportBlockedGPUs(p, t, label, slots)
		reportOverstated(p, c, rel, t, label, slots)
		reportOffered(p, c, rel, t, label, slots)
	}
	return nil
}

// noTypeUsed says why nova-compute uses no mdev type.
func noTypeUsed(c *mdevconf.Conf) string {
	if c != nil && c.StartErr != nil {
		return "nova-compute does not start with this mdev configuration (GP602), so it uses no mdev type"
	}
	return "nova-compute uses no mdev type ([devices]enabled_mdev_types is not set)"
}

// gpuKey is the physical GPU behind a parent, for grouping.
func gpuKey(v *hostview.View, parent string) (string, *pcidev.Device) {
	if d := v.GPUOf(parent); d != nil {
		return d.Address, d
	}
	return parent, nil
}

// reportBlockedGPUs reports, per physical GPU, parents that cannot create
// the type: mdevs of another type on them, or available_instances 0 on
// every parent of a GPU that has none of the type.
func reportBlockedGPUs(p *Pass, t, label string, slots []mdevSlot) {
	var order []string
	byGPU := map[string][]mdevSlot{}
	devs := map[string]*pcidev.Device{}
	for _, s := range slots {
		key, d := gpuKey(p.Host, s.parent.Address)
		if _, ok := byGPU[key]; !ok {
			order = append(order, key)
		}
		byGPU[key] = append(byGPU[key], s)
		devs[key] = d
	}
	for _, key := range order {
		gs := byGPU[key]
		inUse := 0
		var other []string
		var otherParents []string
		var otherUUIDs []string
		for _, s := range gs {
			had := false
			for _, m := range p.Host.MdevsOn(s.parent.Address) {
				switch {
				case m.Type == t:
					inUse++
				case m.Type != "":
					other = append(other, m.Type)
					otherUUIDs = append(otherUUIDs, m.UUID)
					had = true
				}
			}
			if had {
				otherParents = append(otherParents, s.parent.Address)
			}
		}
		what := key
		if d := devs[key]; d != nil {
			what = pcidev.Describe(d)
		}
		zero := inUse == 0
		for _, s := range gs {
			if s.typ.Available == nil || *s.typ.Available != 0 {
				zero = false
				break
			}
		}
		var parents []string
		for _, s := range gs {
			parents = append(parents, s.parent.Address)
		}
		if len(otherParents) > 0 {
			types := uniqueSorted(other)
			var labels []string
			for _, o := range types {
				labels = append(labels, typeLabel(p.Host, o))
			}
			var cmds []string
			for _, u := range otherUUIDs {
				cmds = append(cmds, "mdevctl stop --uuid "+shellword.Word(u)+" && mdevctl undefine --uuid "+shellword.Word(u))
			}
			msg := fmt.Sprintf("Nova %s gives %s to %s of %s, which %s mdevs of %s: an NVIDIA GPU runs vGPUs of one type at a time, so these parents create no %s while those mdevs exist.",
				mdevRelease(p).Name, label, prose.ListUpTo(otherParents, 8, ", "), what, prose.Verb(len(otherParents), "holds", "hold"), prose.List(labels), t)
			if zero {
				on := "on " + parents[0]
				if len(parents) > 1 {
					on = fmt.Sprintf("on all %d parents of this GPU that Nova gives it (%s)", len(parents), prose.ListUpTo(parents, 8, ", "))
				}
				msg += fmt.Sprintf(" available_instances of %s is 0 %s: the GPU offers none.", t, on)
			}
			p.Report(report.Finding{
				Severity: report.Warning,
				Subject:  report.Subject{Kind: "device", Ref: key},
				Message:  msg,
				Remediation: fmt.Sprintf("If no instance uses them (virsh dumpxml of the instances, mdevctl list), remove them: %s; or give these parents %s in their own [mdev_<type>]device_addresses.",
					prose.ListUpTo(cmds, 8, "; "), prose.Verb(len(types), "that type", "one of those types")),
				Evidence: map[string]any{"type": t, "gpu": key, "parents": otherParents, "other_types": types, "mdevs": otherUUIDs},
			})
			continue
		}
		if inUse > 0 {
			continue // full, or partly used: the info says how many are left
		}
		if !zero {
			continue
		}
		p.Report(report.Finding{
			Severity: report.Warning,
			Subject:  report.Subject{Kind: "device", Ref: key},
			Message: fmt.Sprintf("%s offers no %s: available_instances is 0 on %s and none of its mdevs is of that type, so Nova %s counts no vGPU of it there.",
				what, label, prose.Plural(len(parents), "parent")+" ("+prose.ListUpTo(parents, 8, ", ")+")", mdevRelease(p).Name),
			Remediation: fmt.Sprintf("Look at what holds the GPU: cat /sys/class/mdev_bus/%s/mdev_supported_types/%s/available_instances, mdevctl list and nvidia-smi vgpu; a GPU passed through whole or running vGPUs of another type creates none of this one.", shellword.Word(parents[0]), shellword.Word(t)),
			Evidence:    map[string]any{"type": t, "gpu": key, "parents": parents},
		})
	}
}

func uniqueSorted(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// vfGPUs counts the VF parents among slots and the PFs behind them.
func vfGPUs(v *hostview.View, slots []mdevSlot) (vfs int, pfs []string, maxInstance int) {
	seen := map[string]bool{}
	for _, s := range slots {
		if !v.IsVF(s.parent.Address) {
			continue
		}
		vfs++
		maxInstance = max(maxInstance, s.typ.MaxInstance)
		if pf := v.GPUOf(s.parent.Address); pf != nil && !seen[pf.Address] {
			seen[pf.Address] = true
			pfs = append(pfs, pf.Address)
		}
	}
	return vfs, pfs, maxInstance
}

// reportOverstated reports SR-IOV parents counted one vGPU each, beyond
// what their GPUs hold, where the release has max_instances to cap them.
func reportOverstated(p *Pass, c *mdevconf.Conf, rel novarelease.Release, t, label string, slots []mdevSlot) {
	if !releaseAtLeast(rel, "2024.1") || c.MaxInstances[t] > 0 {
		return
	}
	vfs, pfs, m := vfGPUs(p.Host, slots)
	if vfs == 0 || (m > 0 && vfs <= m*len(pfs)) {
		return
	}
	holds := "GPUs take at most the type's max_instance each (its description file gives none here)"
	line := fmt.Sprintf("max_instances = <max_instance of %s> x %d", t, len(pfs))
	if m > 0 {
		holds = fmt.Sprintf("%s at most %d of them (max_instance=%d per GPU)", prose.Verb(len(pfs), "GPU takes", "GPUs take"), m*len(pfs), m)
		line = fmt.Sprintf("max_instances = %d", m*len(pfs))
	}
	g := mdevGroup(c, t)
	where := "a new [mdev_" + t + "] section"
	source := enabledSource(c)
	subject := enabledSubject(c)
	if g != nil {
		where = fmt.Sprintf("%s (%s)", groupName(p, g), g.Where)
		source = g.Where.String()
		subject = groupSubject(g, "max_instances")
	}
	p.Report(report.Finding{
		Severity: report.Warning,
		Subject:  subject,
		Source:   source,
		Message: fmt.Sprintf("Nova %s gives %s to %s of the SR-IOV GPU%s %s and, without [mdev_%s]max_instances, counts one vGPU on each VF that can still create one, while the %s: Placement offers vGPUs the cards cannot create, and instances placed on them fail to build.",
			rel.Name, label, prose.Plural(vfs, "virtual function"), prose.Verb(len(pfs), "", "s"), prose.List(pfs), t, holds),
		Remediation: fmt.Sprintf("Add to %s: %s; then restart nova-compute.", where, line),
		Evidence:    map[string]any{"type": t, "vf_parents": vfs, "gpus": pfs, "max_instance": m},
	})
}

// reportOffered says how many vGPUs of a type Nova reports for this host,
// as _get_gpu_inventories counts them: the mdevs of the type that exist,
// plus each parent's available_instances, a parent left out (total 0)
// when it would take the type past max_instances.
func reportOffered(p *Pass, c *mdevconf.Conf, rel novarelease.Release, t, label string, slots []mdevSlot) {
	limit := c.MaxInstances[t]
	inUse, unknown := 0, 0
	for _, s := range slots {
		for _, m := range p.Host.MdevsOn(s.parent.Address) {
			if m.Type == t {
				inUse++
			}
		}
	}
	counted, free, capped := inUse, 0, 0
	for _, s := range slots {
		if s.typ.Available == nil {
			unknown++
			continue
		}
		n := *s.typ.Available
		if limit > 0 && counted+n > limit {
			capped++
			continue
		}
		counted += n
		free += n
	}
	msg := fmt.Sprintf("Nova %s offers %s of %s on this host: %d in use and %d more on %s.", rel.Name, prose.Plural(inUse+free, "vGPU"), label, inUse, free, prose.Plural(len(slots), "parent"))
	if limit > 0 {
		msg += fmt.Sprintf(" [mdev_%s]max_instances = %d caps it", t, limit)
		if capped > 0 {
			msg += fmt.Sprintf(": %s no more", prose.Plural(capped, "parent")+" "+prose.Verb(capped, "offers", "offer"))
		}
		msg += "."
	}
	if unknown > 0 {
		msg += fmt.Sprintf(" The available_instances of %s could not be read: they are not counted.", prose.Plural(unknown, "parent"))
	}
	vfs, pfs, m := vfGPUs(p.Host, slots)
	if vfs > 0 && m > 0 && inUse+free > m*len(pfs) {
		msg += fmt.Sprintf(" The %s behind these VFs %s at most %d.", prose.Verb(len(pfs), "GPU", fmt.Sprintf("%d GPUs", len(pfs))), prose.Verb(len(pfs), "holds", "hold"), m*len(pfs))
	}
	ev := map[string]any{"type": t, "parents": len(slots), "in_use": inUse, "available": free, "offered": inUse + free}
	if o := p.Host.OfferedType(t); o != nil && o.Name != "" {
		ev["type_name"] = o.Name
	}
	if limit > 0 {
		ev["max_instances"] = limit
	}
	if unknown > 0 {
		ev["unknown_parents"] = unknown
	}
	p.Report(report.Finding{
		Severity: report.Info,
		Subject:  hostSubject(p.Inputs.Host),
		Message:  msg,
		Evidence: ev,
	})
}

// VGPUHostStack is GP605.
var VGPUHostStack = &Check{
	ID: "GP605", Name: "vgpu-host-stack", Severity: report.Error, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "A host with mdev types enabled has the mdev bus, NVIDIA's vGPU manager module (nvidia_vgpu_vfio) loaded, and the VFs of its SR-IOV GPUs enabled, by a unit that runs before nova-compute at every boot.",
		Why:     "Mediated devices exist only when a vendor driver registers parents with the mdev core (/sys/class/mdev_bus). NVIDIA's is the vGPU manager (nvidia_vgpu_vfio, with nvidia-vgpu-mgr.service): without it no parent appears and nova-compute offers no vGPU. On Ampere and later SR-IOV GPUs the parents are the VFs, which sriov-manage -e creates and which are gone after a reboot: until a unit enables them again, the GPU offers nothing, and nova-compute, which restores the instances' mdevs when it starts, finds no parent for them if it starts first.",
		Fix:     "Install and start NVIDIA's vGPU manager (the host driver of the vGPU software, not the datacenter driver); enable each SR-IOV GPU's VFs at boot with a unit such as Nova's nvidia-sriov-manage@.service example, ordered Before=nova-compute.service.",
		Links:   []string{linkNovaVGPU, linkKernelMdev, linkNVIDIAVGPU},
	},
	Run: runVGPUHostStack,
}

// runVGPUHostStack is GP605's Run.
func runVGPUHostStack(p *Pass) error {
	if skipNoMdev(p) {
		return nil
	}
	c := p.Mdev
	if c == nil || len(c.Enabled) == 0 {
		p.Skipf("no mdev type is enabled in nova.conf ([devices]enabled_mdev_types)")
		return nil
	}
	h := p.Inputs.Host
	rel := mdevRelease(p)
	if skipVendorFramework(p) {
		return nil
	}
	if !h.Mdev.Bus {
		p.Report(report.Finding{
			Subject: hostSubject(h),
			Message: fmt.Sprintf("%s enables %s, but this host has no mdev bus (/sys/class/mdev_bus is absent): no driver has registered a GPU as an mdev parent, so Nova %s offers no vGPU.",
				enabledOption(c), prose.List(c.Enabled), rel.Name),
			Remediation: "Install NVIDIA's vGPU manager (the vGPU host driver package) and start it: modprobe nvidia_vgpu_vfio && systemctl enable --now nvidia-vgpu-mgr.service; then ls /sys/class/mdev_bus should list the GPUs (or, on SR-IOV GPUs, their VFs).",
			Evidence:    map[string]any{"enabled_mdev_types": c.Enabled},
		})
	}
	if usesNVIDIA(p, c) && len(h.Modules) > 0 && !h.Kernel.NoModuleSupport {
		if _, ok := p.Host.Module("nvidia_vgpu_vfio"); !ok {
			p.Report(report.Finding{
				Subject:     hostSubject(h),
				Message:     fmt.Sprintf("NVIDIA's vGPU manager module nvidia_vgpu_vfio is not loaded: the nvidia driver registers no mdev parent without it, so Nova %s offers no vGPU of %s.", rel.Name, prose.List(c.Enabled)),
				Remediation: "Load it and start the vGPU manager: modprobe nvidia_vgpu_vfio && systemctl enable --now nvidia-vgpu-mgr.service. If modprobe cannot find it, the installed driver is not the vGPU host driver: install NVIDIA's vGPU manager package for this kernel.",
			})
		}
	}
	for i := range h.Devices {
		d := &h.Devices[i]
		if d.VendorID != "10de" || !pcidev.IsDisplay(d) || d.PhysFn != "" || d.SRIOV == nil || d.SRIOV.TotalVFs == 0 {
			continue
		}
		// A GPU passed through whole, or a parent itself, needs no VFs.
		if d.Driver != "nvidia" || p.Host.IsPassthroughGPU(d) || h.Mdev.Parent(d.Address) != nil {
			continue
		}
		reportSRIOVGPU(p, d)
	}
	return nil
}

// usesNVIDIA reports mdev types of NVIDIA's driver: an enabled type or an
// offered one named nvidia-*, or an NVIDIA GPU on the nvidia driver.
func usesNVIDIA(p *Pass, c *mdevconf.Conf) bool {
	for _, t := range c.Enabled {
		if strings.HasPrefix(t, "nvidia-") {
			return true
		}
	}
	for _, o := range p.Host.OfferedTypes() {
		if strings.HasPrefix(o.ID, "nvidia-") {
			return true
		}
	}
	for i := range p.Inputs.Host.Devices {
		d := &p.Inputs.Host.Devices[i]
		if d.VendorID == "10de" && pcidev.IsDisplay(d) && d.Driver == "nvidia" {
			return true
		}
	}
	return false
}

// sriovUnitExample is the unit to create when none enables a GPU's VFs:
// Nova's documented nvidia-sriov-manage@.service, ordered before
// nova-compute.
const sriovUnitExample = "create /etc/systemd/system/nvidia-sriov-manage@.service as Nova's vGPU guide shows it ([Unit] After=nvidia-vgpu-mgr.service, Before=nova-compute.service; [Service] Type=oneshot, ExecStart=/usr/lib/nvidia/sriov-manage -e %i, RemainAfterExit=true; [Install] WantedBy=multi-user.target)"

// reportSRIOVGPU reports an SR-IOV NVIDIA GPU on the nvidia driver whose
// VFs are not enabled, or not enabled at boot before nova-compute.
func reportSRIOVGPU(p *Pass, d *pcidev.Device) {
	rel := mdevRelease(p)
	units := p.Host.VFUnits(d.Address)
	var enabled []hostinfo.BootUnit
	var disabled []string
	for _, u := range units {
		if u.Enabled {
			enabled = append(enabled, u)
		} else {
			disabled = append(disabled, u.Name)
		}
	}
	instance := "nvidia-sriov-manage@" + d.Address + ".service"
	atBoot := fmt.Sprintf("%s, then systemctl enable %s", sriovUnitExample, shellword.Word(instance))
	if len(disabled) > 0 {
		atBoot = fmt.Sprintf("systemctl enable %s (it exists but is not enabled)", shellword.Word(disabled[0]))
	}
	ev := map[string]any{"sriov_totalvfs": d.SRIOV.TotalVFs, "sriov_numvfs": d.SRIOV.NumVFs}
	if d.SRIOV.NumVFs == 0 {
		msg := fmt.Sprintf("%s is an SR-IOV GPU on the nvidia driver with no virtual function enabled (sriov_numvfs is 0 of %d): its VFs are the mdev parents, so Nova %s gets no vGPU from it.", pcidev.Describe(d), d.SRIOV.TotalVFs, rel.Name)
		if len(enabled) > 0 {
			msg += fmt.Sprintf(" %s is enabled to create them at boot, and has not (systemctl status %s).", enabled[0].Name, shellword.Word(enabled[0].Name))
		}
		remedy := fmt.Sprintf("Enable them now: /usr/lib/nvidia/sriov-manage -e %s; and at every boot: %s.", shellword.Word(d.Address), atBoot)
		if len(enabled) > 0 {
			remedy = fmt.Sprintf("Enable them now: /usr/lib/nvidia/sriov-manage -e %s; and read why %s failed: journalctl -b -u %s.", shellword.Word(d.Address), enabled[0].Name, shellword.Word(enabled[0].Name))
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     msg,
			Remediation: remedy,
			Evidence:    ev,
		})
		return
	}
	if len(enabled) == 0 {
		msg := fmt.Sprintf("%s has %d virtual functions, the mdev parents of its vGPUs, but no enabled unit creates them at boot: after a reboot the GPU offers no vGPU until someone runs sriov-manage again, and Nova %s cannot restore its instances' vGPUs.", pcidev.Describe(d), d.SRIOV.NumVFs, rel.Name)
		if len(disabled) > 0 {
			msg += fmt.Sprintf(" %s would, and is not enabled.", disabled[0])
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     msg,
			Remediation: "Enable the VFs at every boot: " + atBoot + ".",
			Evidence:    ev,
		})
		return
	}
	for _, u := range enabled {
		if _, ok := hostview.OrderedBefore(u); ok {
			return
		}
	}
	u := enabled[0]
	ev["unit"] = u.Name
	ev["before"] = u.Before
	p.Report(report.Finding{
		Severity: report.Warning,
		Subject:  deviceSubject(d),
		Message: fmt.Sprintf("%s enables the virtual functions of %s at boot but is not ordered before nova-compute (no Before=nova-compute.service): nova-compute may start before the VFs exist, and Nova %s then finds no parent for the vGPUs of its instances.",
			u.Name, pcidev.Describe(d), rel.Name),
		Remediation: fmt.Sprintf("Add Before=nova-compute.service to the [Unit] section of %s (or a drop-in: systemctl edit %s), then systemctl daemon-reload.", u.File, shellword.Word(u.Name)),
		Evidence:    ev,
	})
}

// MdevPersistence is GP606.
var MdevPersistence = &Check{
	ID: "GP606", Name: "mdev-persistence", Severity: report.Warning, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "Where Nova defines mdevs persistently through libvirt (2024.2 and later), mdevctl is installed and the existing mdevs are defined; before 2024.2, says which mdevs a reboot removes.",
		Why:     "From 2024.2 (Nova 30.0.0, commit 74befb68a7 \"libvirt: Create persistent mdevs\"), nova-compute creates each vGPU's mdev through libvirt's node device API and defines it persistently with autostart (driver.py _create_mdev, with libvirt at least MIN_LIBVIRT_PERSISTENT_MDEV = 7.3.0), and at start it only starts defined mdevs that are inactive: it no longer re-creates the instances' mdevs through sysfs. libvirt creates and defines mdevs by running mdevctl: without it, new vGPUs cannot be created. mdevs with no mdevctl definition (created by hand, or by Nova before the upgrade) do not come back after a reboot, and their instances lose their vGPU. Before 2024.2, mdevs never survive a reboot: nova-compute re-creates those of its instances when it starts.",
		Fix:     "Install mdevctl (apt-get install mdevctl, or dnf install mdevctl); define the existing mdevs (mdevctl define --uuid UUID --parent PARENT --type TYPE --auto).",
		Links:   []string{linkNovaVGPU, linkLibvirtMdev, "https://github.com/mdevctl/mdevctl"},
	},
	Run: runMdevPersistence,
}

// persistentMdevs reports whether nova-compute of this release, with this
// libvirt, defines mdevs through libvirt: 2024.2 with libvirt 7.3.0 or
// newer (or of unknown version), every release from 2025.1 (which needs
// libvirt 8.0.0).
func persistentMdevs(rel novarelease.Release, h *hostinfo.Host) bool {
	if releaseAtLeast(rel, "2025.1") {
		return true
	}
	if !releaseAtLeast(rel, "2024.2") {
		return false
	}
	var major, minor int
	if n, _ := fmt.Sscanf(h.Virt.Libvirt.Version, "%d.%d", &major, &minor); n == 2 {
		return major > 7 || major == 7 && minor >= 3
	}
	return true
}

// runMdevPersistence is GP606's Run.
func runMdevPersistence(p *Pass) error {
	if skipNoMdev(p) || skipVendorFramework(p) {
		return nil
	}
	c := p.Mdev
	h := p.Inputs.Host
	rel := mdevRelease(p)
	persistent := persistentMdevs(rel, h)
	vgpu := c != nil && len(c.Used) > 0
	if persistent && vgpu && h.Mdev.Mdevctl == "" {
		p.Report(report.Finding{
			Severity: report.Warning,
			Subject:  hostSubject(h),
			Message: fmt.Sprintf("Nova %s creates the mdev of each vGPU through libvirt and defines it persistently, and libvirt does both with mdevctl, which is not installed: nova-compute cannot create new vGPUs, and mdevs do not come back after a reboot.",
				rel.Name),
			Remediation: "Install mdevctl: apt-get install mdevctl (Debian, Ubuntu) or dnf install mdevctl (RHEL and its rebuilds); then restart libvirtd (or virtnodedevd) and nova-compute.",
		})
	}
	var undefined []hostinfo.MdevDevice
	for _, m := range p.Host.Mdevs() {
		if p.Host.MdevDefinition(m.UUID) == nil {
			undefined = append(undefined, m)
		}
	}
	if len(undefined) == 0 {
		if len(p.findings) == 0 && !vgpu {
			p.Skipf("%s, and this host has no mdev", noTypeUsed(c))
		}
		return nil
	}
	var uuids, cmds []string
	for _, m := range undefined {
		uuids = append(uuids, m.UUID)
		cmd := "mdevctl define --uuid " + shellword.Word(m.UUID)
		if m.Parent != "" && m.Type != "" {
			cmd += " --parent " + shellword.Word(m.Parent) + " --type " + shellword.Word(m.Type)
		}
		cmds = append(cmds, cmd+" --auto")
	}
	list := prose.ListUpTo(uuids, 8, ", ")
	if persistent {
		p.Report(report.Finding{
			Severity: report.Warning,
			Subject:  hostSubject(h),
			Message: fmt.Sprintf("%s %s no mdevctl definition (/etc/mdevctl.d): %s. Nova %s re-creates no mdev when nova-compute starts (it only starts the defined ones), so after a reboot %s gone, with the vGPU of any instance using %s.",
				prose.PluralOf(len(undefined), "mdev", "mdevs"), prose.Verb(len(undefined), "has", "have"), list, rel.Name, prose.Verb(len(undefined), "it is", "they are"), prose.Verb(len(undefined), "it", "them")),
			Remediation: "Define them so that they come back at boot: " + prose.ListUpTo(cmds, 8, "; ") + ".",
			Evidence:    map[string]any{"mdevs": uuids},
		})
		return nil
	}
	p.Report(report.Finding{
		Severity: report.Info,
		Subject:  hostSubject(h),
		Message: fmt.Sprintf("%s %s no mdevctl definition and will not survive a reboot: %s. Nova %s re-creates those its instances use when nova-compute starts, provided their parent offers their type by then.",
			prose.PluralOf(len(undefined), "mdev", "mdevs"), prose.Verb(len(undefined), "has", "have"), list, rel.Name),
		Evidence: map[string]any{"mdevs": uuids},
	})
	return nil
}
