// Package cloudmodel is what gpupass knows of an OpenStack cloud, as plain
// data: flavors with their extra specs, hypervisors, and Placement's
// resource providers with their inventories, usages and traits, plus what
// could not be read. openstack/cloud fills it from the APIs; the audit's
// model (fleet) and the checks read it, and tests build it from literals.
//
// It imports nothing beyond the standard library's basics, so the packages
// that decide (checks, fleet, render, generate) link no HTTP client: a test
// holds that with go list -deps. Its JSON form is what audit --save-cloud
// records and --from-cloud reads.
package cloudmodel

// Snapshot is everything `gpupass audit` reads from a cloud, as plain data: no
// client handles, no secrets. It is JSON-serialisable with stable snake_case
// field names so that tests can record it and compare it.
type Snapshot struct {
	// AuthURL is the Keystone URL authenticated against (any user:password@
	// part removed).
	AuthURL string `json:"auth_url"`
	// Region is the region the endpoints were taken from ("" when the cloud
	// was not given one and the catalog's first match was used).
	Region string `json:"region"`
	// Interface is the catalog interface used: public, internal or admin.
	Interface string `json:"interface"`
	// Project and User are the names Keystone returned for the token's scope
	// and user.
	Project string `json:"project"`
	User    string `json:"user"`
	// Admin reports whether the token carries the admin role, which is what
	// Nova's default policy needs to list the private flavors of every project.
	Admin bool `json:"admin"`
	// ComputeMicroversion is the compute API microversion used for the flavor
	// list ("2.61" on any cloud from Rocky on; lower on older clouds, where the
	// extra specs were read flavor by flavor; "" when the endpoint announced no
	// microversions).
	ComputeMicroversion string `json:"compute_microversion"`
	// ComputeMaxMicroversion is the highest compute microversion the endpoint
	// announced ("" when unknown).
	ComputeMaxMicroversion string `json:"compute_max_microversion"`
	// HypervisorMicroversion is the microversion used for the hypervisor list
	// (up to 2.87: 2.88 dropped the vCPU and memory fields).
	HypervisorMicroversion string `json:"hypervisor_microversion"`
	// PlacementMicroversion is the placement microversion used ("" when
	// placement was not read).
	PlacementMicroversion string `json:"placement_microversion"`
	// Flavors is every flavor visible to the credentials, public and private,
	// from all pages, in the order Nova listed them.
	Flavors []Flavor `json:"flavors"`
	// Hypervisors is the hypervisor list (nil when it could not be read).
	Hypervisors []Hypervisor `json:"hypervisors"`
	// ResourceProviders is every placement resource provider with its
	// inventories, usages and traits; nil when placement was not readable.
	ResourceProviders []ResourceProvider `json:"resource_providers"`
	// Incomplete lists what could not be read and why. An empty list means
	// the snapshot is complete.
	Incomplete []Gap `json:"incomplete"`
	// Requests counts the HTTP requests sent, by kind.
	Requests RequestStats `json:"requests"`
}

// Flavor is a Nova flavor.
type Flavor struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"` // microversion 2.55+
	VCPUs       int    `json:"vcpus"`
	RAMMB       int    `json:"ram_mb"`       // ram
	DiskGB      int    `json:"disk_gb"`      // disk (root disk)
	EphemeralGB int    `json:"ephemeral_gb"` // OS-FLV-EXT-DATA:ephemeral
	SwapMB      int    `json:"swap_mb"`      // swap ("" before 2.75 is 0)
	IsPublic    bool   `json:"is_public"`    // os-flavor-access:is_public
	Disabled    bool   `json:"disabled"`     // OS-FLV-DISABLED:disabled
	// ExtraSpecs are the flavor's extra specs. An empty map means the flavor
	// has none; nil means they could not be read (see Snapshot.Incomplete).
	ExtraSpecs map[string]string `json:"extra_specs"`
}

// Hypervisor is an entry of Nova's os-hypervisors/detail.
type Hypervisor struct {
	// ID is a UUID from microversion 2.53 on, an integer (as a string) before.
	ID       string `json:"id"`
	Hostname string `json:"hostname"` // hypervisor_hostname
	// ServiceHost is the host of its nova-compute service (service.host), the
	// name a compute node's resource provider usually carries.
	ServiceHost string `json:"service_host,omitempty"`
	State       string `json:"state"`  // up | down
	Status      string `json:"status"` // enabled | disabled
	Type        string `json:"type"`   // hypervisor_type, e.g. QEMU
	// The capacity fields are 0 when the microversion no longer reports them
	// (2.88 and later): then Placement's VCPU / MEMORY_MB inventories are the
	// source of capacity.
	VCPUs        int `json:"vcpus"`
	VCPUsUsed    int `json:"vcpus_used"`
	MemoryMB     int `json:"memory_mb"`
	MemoryMBUsed int `json:"memory_mb_used"`
	RunningVMs   int `json:"running_vms"`
}

// ResourceProvider is a placement resource provider. PCI devices tracked in
// Placement are child providers named "<host>_<PCI address>" with resource
// classes such as CUSTOM_PCI_10DE_2330 or PGPU; ParentUUID and RootUUID attach
// them to the compute node's root provider.
type ResourceProvider struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
	// ParentUUID is "" for a root provider. RootUUID is the provider's own
	// UUID for a root; before placement 1.14 (no nested providers) every
	// provider is its own root.
	ParentUUID string `json:"parent_uuid"`
	RootUUID   string `json:"root_uuid"`
	Generation int    `json:"generation"`
	// Inventories by resource class (VCPU, MEMORY_MB, CUSTOM_PCI_10DE_2330...).
	// nil when they could not be read.
	Inventories map[string]Inventory `json:"inventories"`
	// Usages by resource class; nil when they could not be read.
	Usages map[string]int `json:"usages"`
	// Traits, sorted; nil when they could not be read (or placement is older
	// than 1.6).
	Traits []string `json:"traits"`
}

// Inventory is one resource class's inventory of a resource provider.
type Inventory struct {
	Total           int     `json:"total"`
	Reserved        int     `json:"reserved"`
	MinUnit         int     `json:"min_unit"`
	MaxUnit         int     `json:"max_unit"`
	StepSize        int     `json:"step_size"`
	AllocationRatio float64 `json:"allocation_ratio"`
}

// Capacity is what the scheduler can allocate of the inventory in total:
// int((total - reserved) * allocation_ratio), as Placement computes it.
func (inv Inventory) Capacity() int {
	return int(float64(inv.Total-inv.Reserved) * inv.AllocationRatio)
}

// Free is the capacity of a resource class as the scheduler sees it,
// (total - reserved) * allocation_ratio - used, and whether the provider has an
// inventory of that class at all. It can be negative on an over-committed
// provider (allocation ratio lowered after allocations were made).
func (rp ResourceProvider) Free(class string) (free int, known bool) {
	inv, ok := rp.Inventories[class]
	if !ok {
		return 0, false
	}
	return inv.Capacity() - rp.Usages[class], true
}

// Gap is a part of the cloud that could not be read.
type Gap struct {
	// Part is what is missing: one of the Part* constants.
	Part string `json:"part"`
	// Endpoint is the URL that failed, or the service it concerns when no
	// single URL did.
	Endpoint string `json:"endpoint,omitempty"`
	// Reason says why, in words an operator can act on. It never holds a
	// secret.
	Reason string `json:"reason"`
	// Status is the HTTP status that refused the request (403, 500...), 0
	// when there was none (unreachable, timeout, policy inferred from roles).
	Status int `json:"status,omitempty"`
}

// The parts of a cloud that a Gap can name, and the request kinds of
// RequestStats.
const (
	// PartIdentity is Keystone: authentication and identity version discovery.
	PartIdentity = "identity"
	// PartFlavors is the flavor list. When the compute endpoint does not
	// answer, both PartFlavors and PartHypervisors are reported (and Fetch
	// fails: without flavors nothing can be audited).
	PartFlavors = "flavors"
	// PartPrivateFlavors is the private flavors of other projects, which Nova
	// lists only to admins.
	PartPrivateFlavors = "private_flavors"
	// PartExtraSpecs is the flavors' extra specs.
	PartExtraSpecs = "extra_specs"
	// PartHypervisors is the hypervisor list.
	PartHypervisors = "hypervisors"
	// PartPlacement is the placement service: resource providers, their
	// inventories, usages and traits.
	PartPlacement = "placement"
)

// RequestStats counts the HTTP requests sent, retries included, so that the
// benchmark can compare gpupass with the OpenStack CLI.
type RequestStats struct {
	// Identity counts Keystone requests: version discovery (when the auth URL
	// has no version) and the token request.
	Identity int `json:"identity"`
	// Versions counts the version-discovery GETs on the compute and placement
	// endpoints.
	Versions int `json:"versions"`
	// Flavors counts flavor-list pages (1,000 flavors a page).
	Flavors int `json:"flavors"`
	// ExtraSpecs counts per-flavor extra-spec requests (0 at microversion
	// 2.61 and later, where they come inline).
	ExtraSpecs int `json:"extra_specs"`
	// Hypervisors counts hypervisor-list pages.
	Hypervisors int `json:"hypervisors"`
	// Placement counts placement requests: the provider list, then
	// inventories, usages and traits per provider.
	Placement int `json:"placement"`
	// Retries counts the requests above that were retries (after a 5xx or a
	// reset connection).
	Retries int `json:"retries"`
	// Total is the sum of the kinds above.
	Total int `json:"total"`
}
