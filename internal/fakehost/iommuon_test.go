package fakehost

import (
	"slices"
	"testing"
)

func TestIOMMUOn(t *testing.T) {
	for _, f := range Fixtures() {
		if f.Name != "vtd-off-firmware" && f.Name != "iommu-off-kernel" {
			continue
		}
		before := len(f.Host.ACPITables)
		on, err := f.Host.IOMMUOn()
		if err != nil {
			t.Fatal(err)
		}
		if on.IOMMU.Kind != IntelVTd || len(on.IOMMU.Units) == 0 || !slices.Contains(on.ACPITables, "DMAR") {
			t.Errorf("%s: IOMMU %+v, tables %v", f.Name, on.IOMMU, on.ACPITables)
		}
		groups := map[int]bool{}
		for _, d := range on.Devices {
			if d.IOMMUGroup != NoGroup {
				groups[d.IOMMUGroup] = true
			}
		}
		if len(groups) < 2 {
			t.Errorf("%s: %d IOMMU groups", f.Name, len(groups))
		}
		if f.Host.IOMMU.Kind != NoIOMMU || len(f.Host.ACPITables) != before {
			t.Errorf("%s: the fixture's own spec changed", f.Name)
		}
	}
}
