package fakehost

import (
	"slices"
	"strings"
)

// IOMMUOn is the host as it would come up after the IOMMU was turned on in
// the firmware (the ACPI DMAR or IVRS table added) and on the kernel
// command line: one IOMMU unit that translates everything, and the IOMMU
// groups the kernel would form. It is for round-trip tests of what gpupass
// generate tells an operator to do; the host is copied, not changed.
func (h *Host) IOMMUOn() (*Host, error) {
	c := *h
	c.Devices = append([]Device(nil), h.Devices...)
	c.ACPITables = append([]string(nil), h.ACPITables...)
	amd := strings.Contains(c.CPU.Vendor, "AMD")
	table, kind := "DMAR", IntelVTd
	unit := IOMMUUnit{Cap: "8d2078c106f0466", ECap: "f020df", Address: "fed90000"}
	if amd {
		table, kind = "IVRS", AMDVi
		unit = IOMMUUnit{Cap: "190b0", ECap: "58f77ef22294a5a", Device: "0000:00:00.2"}
	}
	if !slices.Contains(c.ACPITables, table) {
		c.ACPITables = append(c.ACPITables, table)
	}
	if c.IOMMU.Kind == NoIOMMU {
		c.IOMMU = IOMMU{Kind: kind, Units: []IOMMUUnit{unit}}
	}
	if _, err := c.AssignIOMMUGroups(); err != nil {
		return nil, err
	}
	return &c, nil
}
