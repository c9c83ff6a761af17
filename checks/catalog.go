package checks

// All is the catalog in report order. IDs are stable: add new checks, never
// renumber or reuse an ID.
var All = []*Check{
	CPUVirtualization,
	IOMMUFirmware,
	IOMMUKernel,
	IOMMUCmdline,
	InterruptRemapping,
	VFIOModules,
	HostGPUDriverLoaded,
	NovaRelease,

	GPUHostDriver,
	GroupNotViable,
	GroupShared,
	CompanionFunction,
	NoReset,
	BootVGA,
	LargeBAR,
	NUMAUnknown,
	VFIOIDsUnknown,
	BindingNotPersistent,
	PCIStubLegacy,
	SRIOVGPUPF,

	ConfSyntax,
	DeviceSpecInvalid,
	DeprecatedOption,
	DeviceSpecNoMatch,
	DeviceSpecTooBroad,
	GPUNotExposed,
	AliasInvalid,
	AliasNoDevice,
	AliasDeviceType,
	SchedulerFilter,
	AliasMismatch,
	PlacementMode,
	VirtType,
	SecretsExposed,
}

// Section is a group of checks as reports show them.
type Section struct {
	Title  string
	Prefix string
}

// Sections group the catalog by the first digit of the ID.
var Sections = []Section{
	{"Host platform", "GP1"},
	{"Devices and IOMMU groups", "GP2"},
	{"nova.conf", "GP3"},
	{"Flavors and the cloud", "GP4"},
	{"Drift", "GP5"},
}

// InSection returns the checks whose ID starts with prefix ("GP3").
func InSection(catalog []*Check, prefix string) []*Check {
	var out []*Check
	for _, c := range catalog {
		if len(c.ID) >= len(prefix) && c.ID[:len(prefix)] == prefix {
			out = append(out, c)
		}
	}
	return out
}
