package novaconf

// Name is an option's group and name as oslo.config declares them. Group
// "DEFAULT" is the default section; other groups are matched lower-cased,
// as oslo.config normalises them.
type Name struct {
	Group, Name string
}

// String returns "[group]name", the way nova's documentation and
// oslo.config's deprecation warnings write an option.
func (n Name) String() string { return "[" + n.Group + "]" + n.Name }

// Option types, as oslo.config names the classes.
const (
	TypeStr      = "StrOpt"
	TypeMultiStr = "MultiStrOpt"
	TypeList     = "ListOpt"
	TypeBool     = "BoolOpt"
	TypeInt      = "IntOpt"
)

// Option describes a Nova option gpupass looks at, as Nova declares it:
// the table below is transcribed from nova/conf (Zed, 26.x, and later
// releases where said) and the oslo libraries nova registers, because
// which names oslo.config also reads, and whether repeated keys add up or
// override, decide what nova runs with.
type Option struct {
	Group, Name string
	Type        string
	// Multi: every value of every file is kept (MultiStrOpt); otherwise
	// the last one is in force.
	Multi bool
	// Deprecated are the other names oslo.config also reads, in the order
	// declared (the order matters for Lookup).
	Deprecated []Name
	// Removed are names older releases read as this option and current
	// ones ignore without a word.
	Removed []RemovedName
	// Since is the first release that has the option ("" for older than Zed).
	Since string
	// Default is the default, as oslo.config text ("" for none).
	Default string
	// Choices are the values a StrOpt accepts (oslo.config rejects others,
	// case-sensitively).
	Choices []string
	// Secret: oslo.config's secret=True; its value is never printed.
	Secret bool
}

// RemovedName is a name an older release read for an option.
type RemovedName struct {
	Name
	// Until is the last release that read it.
	Until string
}

// Key returns the option's current name.
func (o Option) Key() Name { return Name{Group: o.Group, Name: o.Name} }

// String returns "[group]name".
func (o Option) String() string { return o.Key().String() }

// The options gpupass reads. Multi-ness and deprecated names are Nova's
// own (nova/conf/pci.py, scheduler.py, libvirt.py, database.py, and
// oslo.db's and oslo.messaging's options that nova registers); the oracle
// in testdata/oslo loads nova's real definitions and checks Lookup against
// them.
var (
	// OptDeviceSpec is [pci]device_spec, the devices nova-compute may hand
	// to guests. It was [pci]passthrough_whitelist until Zed renamed it,
	// and [DEFAULT]pci_passthrough_whitelist before that; both still work.
	OptDeviceSpec = Option{
		Group: "pci", Name: "device_spec", Type: TypeMultiStr, Multi: true,
		Deprecated: []Name{{"pci", "passthrough_whitelist"}, {"DEFAULT", "pci_passthrough_whitelist"}},
	}
	// OptAlias is [pci]alias, the names flavors request devices by
	// (deprecated_name pci_alias, deprecated_group DEFAULT).
	OptAlias = Option{
		Group: "pci", Name: "alias", Type: TypeMultiStr, Multi: true,
		Deprecated: []Name{{"DEFAULT", "pci_alias"}},
	}
	// OptReportInPlacement is [pci]report_in_placement: nova-compute
	// reports PCI inventories to Placement (Zed, 26.0.0, and later).
	OptReportInPlacement = Option{Group: "pci", Name: "report_in_placement", Type: TypeBool, Since: "zed", Default: "False"}
	// OptPCIInPlacement is [filter_scheduler]pci_in_placement: the
	// scheduler claims PCI devices in Placement (2023.1, 27.0.0, and later).
	OptPCIInPlacement = Option{Group: "filter_scheduler", Name: "pci_in_placement", Type: TypeBool, Since: "2023.1", Default: "False"}
	// OptEnabledFilters is [filter_scheduler]enabled_filters, which must
	// hold PciPassthroughFilter. Its deprecated name
	// [DEFAULT]scheduler_default_filters was dropped in Xena (24.0.0), so
	// Zed ignores it.
	OptEnabledFilters = Option{
		Group: "filter_scheduler", Name: "enabled_filters", Type: TypeList,
		Removed: []RemovedName{{Name{"DEFAULT", "scheduler_default_filters"}, "wallaby"}},
		Default: "ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter",
	}
	// OptAvailableFilters is [filter_scheduler]available_filters, the
	// filters enabled_filters may name.
	OptAvailableFilters = Option{
		Group: "filter_scheduler", Name: "available_filters", Type: TypeMultiStr, Multi: true,
		Default: "nova.scheduler.filters.all_filters",
	}
	// OptVirtType is [libvirt]virt_type; passthrough needs kvm.
	OptVirtType = Option{
		Group: "libvirt", Name: "virt_type", Type: TypeStr, Default: "kvm",
		Choices: []string{"kvm", "lxc", "qemu", "parallels"},
	}
	// OptTransportURL is [DEFAULT]transport_url (oslo.messaging), which
	// holds the message queue's password.
	OptTransportURL = Option{Group: "DEFAULT", Name: "transport_url", Type: TypeStr, Default: "rabbit://", Secret: true}
	// OptDatabaseConnection is [database]connection (oslo.db), which holds
	// the database password. oslo.db's deprecated names: [DEFAULT] and
	// [DATABASE] sql_connection, [sql]connection.
	OptDatabaseConnection = Option{
		Group: "database", Name: "connection", Type: TypeStr, Secret: true,
		Deprecated: []Name{{"DEFAULT", "sql_connection"}, {"DATABASE", "sql_connection"}, {"sql", "connection"}},
	}
	// OptAPIDatabaseConnection is [api_database]connection: nova copies
	// oslo.db's options for it, deprecated names included, so it too
	// falls back to [DEFAULT]sql_connection.
	OptAPIDatabaseConnection = Option{
		Group: "api_database", Name: "connection", Type: TypeStr, Secret: true,
		Deprecated: []Name{{"DEFAULT", "sql_connection"}, {"DATABASE", "sql_connection"}, {"sql", "connection"}},
	}
	// OptEnabledMdevTypes is [devices]enabled_mdev_types, the mediated
	// device (vGPU) types nova-compute's libvirt driver offers
	// (nova/conf/devices.py: ListOpt, default [], deprecated_name
	// enabled_vgpu_types since Xena, 24.0.0, commit ff4d0d002a; still
	// read in 34.0.0). Each type's options live in the dynamic group
	// [mdev_<type>] (see package mdevconf).
	OptEnabledMdevTypes = Option{
		Group: "devices", Name: "enabled_mdev_types", Type: TypeList,
		Deprecated: []Name{{"devices", "enabled_vgpu_types"}},
	}
)

// Options lists the options above, for enumeration.
var Options = []Option{
	OptDeviceSpec, OptAlias, OptReportInPlacement, OptPCIInPlacement,
	OptEnabledFilters, OptAvailableFilters, OptVirtType,
	OptTransportURL, OptDatabaseConnection, OptAPIDatabaseConnection,
	OptEnabledMdevTypes,
}

// multiValued are the keys, current and deprecated, of every multi-valued
// option nova registers (MultiStrOpt / MultiOpt, found by walking nova.conf
// with oslo.log, oslo.messaging, oslo.policy and oslo.cache): a key
// repeated in one file is a mistake for every other option, since only
// the last value counts.
var multiValued = map[Name]bool{
	{"pci", "device_spec"}:                     true,
	{"pci", "passthrough_whitelist"}:           true,
	{"DEFAULT", "pci_passthrough_whitelist"}:   true,
	{"pci", "alias"}:                           true,
	{"DEFAULT", "pci_alias"}:                   true,
	{"filter_scheduler", "available_filters"}:  true,
	{"DEFAULT", "reserved_huge_pages"}:         true,
	{"DEFAULT", "virt_mkfs"}:                   true,
	{"cache", "backend_argument"}:              true,
	{"oslo_policy", "policy_dirs"}:             true,
	{"DEFAULT", "policy_dirs"}:                 true,
	{"oslo_messaging_notifications", "driver"}: true,
	{"DEFAULT", "notification_driver"}:         true,
	{"oslo_messaging_amqp", "pre_settled"}:     true,
}

// tableKeys are the option names of Options, current and deprecated.
var tableKeys = func() map[string]bool {
	keys := map[string]bool{}
	for _, o := range Options {
		keys[o.Name] = true
		for _, d := range o.Deprecated {
			keys[d.Name] = true
		}
	}
	return keys
}()
