package report

// AuditReport is the audit's view of the cloud in a report: where it
// looked, what it could not read, each host's supply and each GPU
// flavor's verdict.
type AuditReport struct {
	Cloud       *AuditCloud   `json:"cloud,omitempty"`
	Incomplete  []Gap         `json:"incomplete"`
	Requests    *RequestStats `json:"requests,omitempty"`
	AliasesFrom string        `json:"aliases_from,omitempty"`
	// NovaReleaseFrom says why the report's nova_release applies.
	NovaReleaseFrom string          `json:"nova_release_from,omitempty"`
	Hosts           []AuditHost     `json:"hosts"`
	Flavors         []AuditFlavor   `json:"flavors"`
	Counts          AuditFlavorInfo `json:"counts"`
}

// AuditCloud says which cloud was read, as whom (never a secret).
type AuditCloud struct {
	AuthURL             string `json:"auth_url"`
	Region              string `json:"region,omitempty"`
	Project             string `json:"project,omitempty"`
	User                string `json:"user,omitempty"`
	ComputeMicroversion string `json:"compute_microversion,omitempty"`
}

// AuditHost is what one host report says the host can supply.
type AuditHost struct {
	Name     string   `json:"name"`
	Report   string   `json:"report"`
	Usable   []string `json:"usable"`
	Unusable []string `json:"unusable,omitempty"`
	VCPUs    int      `json:"vcpus,omitempty"`
	MemoryMB int      `json:"memory_mb,omitempty"`
	// Service is the host's nova-compute as the hypervisor list shows it
	// ("up, enabled"; omitted when the list has no entry for the host);
	// Down says why it takes no instances.
	Service string `json:"service,omitempty"`
	Down    string `json:"down,omitempty"`
}

// AuditFlavor is one GPU flavor's verdict.
type AuditFlavor struct {
	Name   string `json:"name"`
	ID     string `json:"id"`
	Public bool   `json:"public"`
	Alias  string `json:"alias"`
	// Resources is what a vGPU flavor asks of Placement, as its extra
	// specs say it ("resources1:VGPU=1, resources2:VGPU=1,
	// group_policy=isolate"); omitted for flavors that ask none.
	Resources string `json:"resources,omitempty"`
	VCPUs     int    `json:"vcpus"`
	RAMMB     int    `json:"ram_mb"`
	Bootable  bool   `json:"bootable"`
	// Verdict is the one line an operator reads first.
	Verdict string   `json:"verdict"`
	Hosts   []string `json:"hosts"`
	// MoreInstances is how many more fit now (an upper bound when
	// MoreExact is false); nil when unknown.
	MoreInstances *int `json:"more_instances"`
	MoreExact     bool `json:"more_exact"`
	// AtOnce, where one request for several servers (a multi-create,
	// --min-count) gets fewer than MoreInstances, is how many it is sure to
	// get: Nova's scheduler gives all the servers of one request the same
	// vGPU providers of each host. AtOnceExact: it gets exactly that many.
	AtOnce      *int `json:"at_once,omitempty"`
	AtOnceExact bool `json:"at_once_exact,omitempty"`
}

// AuditFlavorInfo counts the flavors read.
type AuditFlavorInfo struct {
	Flavors    int `json:"flavors"`
	GPUFlavors int `json:"gpu_flavors"`
	Bootable   int `json:"bootable"`
	Hosts      int `json:"hosts"`
}

// Gap is a part of the cloud the audit could not read, and why.
type Gap struct {
	// Part is identity, flavors, private_flavors, extra_specs,
	// hypervisors or placement.
	Part string `json:"part"`
	// Endpoint is the URL that failed, or the service it concerns.
	Endpoint string `json:"endpoint,omitempty"`
	// Reason says why; it never holds a secret.
	Reason string `json:"reason"`
	// Status is the HTTP status that refused the request; 0 for none.
	Status int `json:"status,omitempty"`
}

// RequestStats counts the HTTP requests the audit sent, by kind, retries
// included.
type RequestStats struct {
	Identity    int `json:"identity"`
	Versions    int `json:"versions"`
	Flavors     int `json:"flavors"`
	ExtraSpecs  int `json:"extra_specs"`
	Hypervisors int `json:"hypervisors"`
	Placement   int `json:"placement"`
	Retries     int `json:"retries"`
	Total       int `json:"total"`
}
