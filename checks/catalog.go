package checks

import "strings"

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

	ExtraSpecInvalid,
	AliasUndefined,
	UnschedulableCount,
	NUMAUnsatisfiable,
	FlavorTooBig,
	LargeBARFirmware,
	CapacityCheck,
	GPUHostsUnprotected,
	AliasInconsistentFleet,
	VGPUFlavorUnsatisfiable,

	GPUDriverChanged,
	GPUMissing,
	GPUAppeared,
	IOMMUGroupChanged,
	KernelCmdlineChanged,
	ModulesChanged,
	PCIConfChanged,
	NovaReleaseChanged,
	KernelChanged,
	BaselineOtherHost,

	MdevTypeUnknown,
	MdevAddressInvalid,
	MdevTypesAmbiguous,
	MdevCapacity,
	VGPUHostStack,
	MdevPersistence,
	VendorVGPUFramework,
	ManagedMismatch,
	LiveMigration,
	PlacementVFMix,
	OneTimeUse,
	VariantDriver,
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
	{"Virtual GPUs and SR-IOV", "GP6"},
}

// InSection returns the checks whose ID starts with one of the prefixes
// ("GP1", "GP2").
func InSection(catalog []*Check, prefixes ...string) []*Check {
	var out []*Check
	for _, c := range catalog {
		for _, prefix := range prefixes {
			if strings.HasPrefix(c.ID, prefix) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
