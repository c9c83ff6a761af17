package hostview

// This file derives what the mediated-device (vGPU) checks share: which
// parents offer a type, the GPU behind a parent, the VFs of a PF, the
// mdevs on a parent, the units that enable a PF's VFs at boot. Where the
// layouts come from is docs/research/vgpu-layouts.md (sections 1 and 2).

import (
	"sort"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// OfferedType is an mdev type as the host offers it, over all its parents.
type OfferedType struct {
	// ID is the type's directory name (nvidia-558).
	ID string
	// Name is the type's human name (NVIDIA A40-2Q) as the first parent
	// that has one gives it; "" when none could be read.
	Name string
	// MaxInstance is the largest max_instance= any parent's description
	// gives (0 when none does).
	MaxInstance int
	// Parents are the addresses of the parents that offer it, in order.
	Parents []string
}

// OfferedTypes lists the types the host's mdev parents offer, sorted by
// ID.
func (v *View) OfferedTypes() []OfferedType {
	byID := map[string]*OfferedType{}
	var ids []string
	for _, p := range v.Host.Mdev.Parents {
		for _, t := range p.Types {
			o := byID[t.ID]
			if o == nil {
				o = &OfferedType{ID: t.ID}
				byID[t.ID] = o
				ids = append(ids, t.ID)
			}
			if o.Name == "" {
				o.Name = t.Name
			}
			o.MaxInstance = max(o.MaxInstance, t.MaxInstance)
			o.Parents = append(o.Parents, p.Address)
		}
	}
	sort.Strings(ids)
	out := make([]OfferedType, 0, len(ids))
	for _, id := range ids {
		out = append(out, *byID[id])
	}
	return out
}

// OfferedType returns the offered type with this ID, or nil.
func (v *View) OfferedType(id string) *OfferedType {
	for _, o := range v.OfferedTypes() {
		if o.ID == id {
			return &o
		}
	}
	return nil
}

// TypesNamed returns the offered types whose human name is name (compared
// without regard to case or surrounding blanks): "NVIDIA A40-2Q" names
// nvidia-558.
func (v *View) TypesNamed(name string) []OfferedType {
	name = strings.TrimSpace(name)
	var out []OfferedType
	if name == "" {
		return nil
	}
	for _, o := range v.OfferedTypes() {
		if strings.EqualFold(strings.TrimSpace(o.Name), name) {
			out = append(out, o)
		}
	}
	return out
}

// VFs returns the virtual functions of a PF that this host lists: those
// its virtfn* links name and those whose physfn is the PF, in address
// order.
func (v *View) VFs(pf string) []*pcidev.Device {
	seen := map[string]bool{}
	var out []*pcidev.Device
	add := func(d *pcidev.Device) {
		if d != nil && !seen[d.Address] {
			seen[d.Address] = true
			out = append(out, d)
		}
	}
	if d := v.Device(pf); d != nil && d.SRIOV != nil {
		for _, vf := range d.SRIOV.VFs {
			add(v.Device(vf))
		}
	}
	for i := range v.Host.Devices {
		if d := &v.Host.Devices[i]; d.PhysFn == pf {
			add(d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// ParentVFs returns the VFs of a PF that are mdev parents, in address
// order: on an SR-IOV GPU (Ampere and later) the VFs, not the PF, offer
// the types.
func (v *View) ParentVFs(pf string) []*hostinfo.MdevParent {
	var out []*hostinfo.MdevParent
	for _, vf := range v.VFs(pf) {
		if p := v.Host.Mdev.Parent(vf.Address); p != nil {
			out = append(out, p)
		}
	}
	return out
}

// GPUOf returns the physical GPU behind an mdev parent: the parent's PF
// when the parent is a VF, else the parent's own PCI function; nil for a
// parent that is no PCI function this host lists (a virtual parent such
// as mtty).
func (v *View) GPUOf(parent string) *pcidev.Device {
	d := v.Device(parent)
	if d == nil {
		return nil
	}
	if d.PhysFn != "" {
		if pf := v.Device(d.PhysFn); pf != nil {
			return pf
		}
	}
	return d
}

// IsVF reports whether the function at this address is a virtual
// function.
func (v *View) IsVF(addr string) bool {
	d := v.Device(addr)
	return d != nil && d.PhysFn != ""
}

// MdevsOn returns the mediated devices whose parent is this address, in
// UUID order: those /sys/bus/mdev/devices lists, and those the parent's
// type directories list that it does not.
func (v *View) MdevsOn(parent string) []hostinfo.MdevDevice {
	seen := map[string]bool{}
	var out []hostinfo.MdevDevice
	for _, m := range v.Host.Mdev.Devices {
		if m.Parent == parent && !seen[m.UUID] {
			seen[m.UUID] = true
			out = append(out, m)
		}
	}
	if p := v.Host.Mdev.Parent(parent); p != nil {
		for _, t := range p.Types {
			for _, uuid := range t.Devices {
				if !seen[uuid] {
					seen[uuid] = true
					out = append(out, hostinfo.MdevDevice{UUID: uuid, Type: t.ID, Parent: parent})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

// MdevDefinition returns mdevctl's persistent definition of the mdev with
// this UUID, or nil.
func (v *View) MdevDefinition(uuid string) *hostinfo.MdevDefinition {
	for i := range v.Host.Mdev.Definitions {
		if strings.EqualFold(v.Host.Mdev.Definitions[i].UUID, uuid) {
			return &v.Host.Mdev.Definitions[i]
		}
	}
	return nil
}

// VendorFramework returns the functions under NVIDIA's vendor-specific
// VFIO framework (a nvidia/ directory: pcidev.Device.VGPU), in order.
func (v *View) VendorFramework() []*pcidev.Device {
	var out []*pcidev.Device
	for i := range v.Host.Devices {
		if d := &v.Host.Devices[i]; d.VGPU != nil {
			out = append(out, d)
		}
	}
	return out
}

// VFUnits returns the boot units that enable the VFs of this PF: an
// instance named for it (nvidia-sriov-manage@0000:41:00.0.service), or a
// unit whose ExecStart runs sriov-manage -e for its address or ALL, or
// writes its sriov_numvfs. Enabled ones come first.
func (v *View) VFUnits(pf string) []hostinfo.BootUnit {
	var enabled, other []hostinfo.BootUnit
	for _, u := range v.Host.BootUnits {
		if !unitEnablesVFs(u, pf) {
			continue
		}
		if u.Enabled {
			enabled = append(enabled, u)
		} else {
			other = append(other, u)
		}
	}
	return append(enabled, other...)
}

func unitEnablesVFs(u hostinfo.BootUnit, pf string) bool {
	short := strings.TrimPrefix(pf, "0000:")
	for _, line := range u.ExecStart {
		if strings.Contains(line, "sriov_numvfs") && (strings.Contains(line, pf) || strings.Contains(line, "/"+short+"/")) {
			return true
		}
		if !strings.Contains(line, "sriov-manage") {
			continue
		}
		fields := strings.Fields(line)
		for i, f := range fields {
			if f != "-e" || i+1 >= len(fields) {
				continue
			}
			arg := strings.Trim(fields[i+1], `"'`)
			if arg == "ALL" || strings.EqualFold(arg, pf) || strings.EqualFold(arg, short) {
				return true
			}
		}
	}
	// An instance of a template whose ExecStart could not be expanded.
	if _, inst, ok := strings.Cut(strings.TrimSuffix(u.Name, ".service"), "@"); ok && strings.EqualFold(inst, pf) && strings.Contains(u.Name, "sriov") {
		return true
	}
	return false
}

// OrderedBefore reports whether a unit is ordered before nova-compute
// (Before=nova-compute.service, or the RDO unit
// openstack-nova-compute.service), and names the entry.
func OrderedBefore(u hostinfo.BootUnit) (string, bool) {
	for _, b := range u.Before {
		for _, w := range strings.Fields(b) {
			name := strings.TrimSuffix(w, ".service")
			if name == "nova-compute" || name == "openstack-nova-compute" {
				return w, true
			}
		}
	}
	return "", false
}

// Mdevs returns every mediated device of the host, in UUID order: those
// /sys/bus/mdev/devices lists and those only a parent's type directory
// lists.
func (v *View) Mdevs() []hostinfo.MdevDevice {
	seen := map[string]bool{}
	var out []hostinfo.MdevDevice
	for _, m := range v.Host.Mdev.Devices {
		if !seen[m.UUID] {
			seen[m.UUID] = true
			out = append(out, m)
		}
	}
	for _, p := range v.Host.Mdev.Parents {
		for _, m := range v.MdevsOn(p.Address) {
			if !seen[m.UUID] {
				seen[m.UUID] = true
				out = append(out, m)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}
