package hostview

import (
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Inventory lists the IOMMU groups holding a display-class function,
// or every group when all is set.
func Inventory(v *View, all bool) report.Inventory {
	inv := report.Inventory{Schema: report.InventorySchema, Hostname: v.Host.Hostname, IOMMUActive: len(v.groups) > 0, Groups: []report.InventoryGroup{}}
	gpuSlots := map[string]bool{}
	for i := range v.Host.Devices {
		if pcidev.IsDisplay(&v.Host.Devices[i]) {
			gpuSlots[pcidev.SlotOf(v.Host.Devices[i].Address)] = true
		}
	}
	entry := func(d *pcidev.Device) report.InventoryDevice {
		role := "device"
		switch {
		case pcidev.IsDisplay(d):
			role = "gpu"
		case pcidev.IsBridge(d):
			role = "bridge"
		case gpuSlots[pcidev.SlotOf(d.Address)]:
			role = "companion"
		}
		return report.InventoryDevice{Device: report.FromDevice(d), Role: role, Passthrough: v.IsPassthroughGPU(d)}
	}
	for _, id := range v.GroupIDs() {
		members := v.Group(id)
		hasGPU := false
		for _, d := range members {
			hasGPU = hasGPU || pcidev.IsDisplay(d) || v.IsPassthroughGPU(d)
		}
		if !hasGPU && !all {
			continue
		}
		g := report.InventoryGroup{ID: id, Viable: true}
		for _, b := range GroupBlockers(v, id) {
			g.Viable = false
			g.Blockers = append(g.Blockers, report.InventoryBlocker{Address: b.Device.Address, Driver: b.Device.Driver})
		}
		for _, d := range members {
			g.Devices = append(g.Devices, entry(d))
		}
		inv.Groups = append(inv.Groups, g)
	}
	for i := range v.Host.Devices {
		d := &v.Host.Devices[i]
		if d.IOMMUGroup == nil && (all || pcidev.IsDisplay(d) || v.IsPassthroughGPU(d)) {
			inv.Ungrouped = append(inv.Ungrouped, entry(d))
		}
	}
	return inv
}
