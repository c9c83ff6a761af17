package report

// InventorySchema names the JSON format of gpupass inventory.
const InventorySchema = "gpupass/inventory/v1"

// Inventory lists IOMMU groups with what vfio needs to know about each.
type Inventory struct {
	Schema   string `json:"schema"`
	Tool     Tool   `json:"tool"`
	Hostname string `json:"hostname"`
	// IOMMUActive is false when the host has no IOMMU groups: devices are
	// then listed under Ungrouped.
	IOMMUActive bool             `json:"iommu_active"`
	Groups      []InventoryGroup `json:"groups"`
	// Ungrouped are the GPUs (or, with --all, all functions) that belong
	// to no IOMMU group.
	Ungrouped []InventoryDevice `json:"ungrouped,omitempty"`
}

// InventoryGroup is one IOMMU group.
type InventoryGroup struct {
	ID int `json:"id"`
	// Viable is true when vfio can use the group: every endpoint is bound
	// to vfio-pci, pci-stub or nothing.
	Viable bool `json:"viable"`
	// Blockers are the endpoints that make it not viable.
	Blockers []InventoryBlocker `json:"blockers,omitempty"`
	Devices  []InventoryDevice  `json:"devices"`
}

// InventoryBlocker names a device that spoils a group and its driver.
type InventoryBlocker struct {
	Address string `json:"address"`
	// Driver is the host driver holding it; "" when it could not be read.
	Driver string `json:"driver"`
}

// InventoryDevice is a PCI function in the listing.
type InventoryDevice struct {
	Device
	// Role is gpu, companion (another function of a GPU card), bridge or
	// device.
	Role string `json:"role"`
	// Passthrough is true for the passthrough GPUs.
	Passthrough bool `json:"passthrough"`
}
