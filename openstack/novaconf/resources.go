package novaconf

// The compute node's CPU and memory options the audit fits a guest's NUMA
// cells with (nova/conf/compute.py, Zed to 2026.2): which host CPUs take
// shared and dedicated guest CPUs, what is held back for the host, and the
// allocation ratios the scheduler's NUMATopologyFilter applies. They are
// recorded in host reports beside Options; they are a list of their own
// because the checks of nova.conf (GP3xx) do not judge them.
var (
	// OptCPUDedicatedSet is [compute]cpu_dedicated_set, the host CPUs for
	// pinned (PCPU) guest CPUs.
	OptCPUDedicatedSet = Option{Group: "compute", Name: "cpu_dedicated_set", Type: TypeStr}
	// OptCPUSharedSet is [compute]cpu_shared_set, the host CPUs for
	// floating (VCPU) guest CPUs.
	OptCPUSharedSet = Option{Group: "compute", Name: "cpu_shared_set", Type: TypeStr}
	// OptVCPUPinSet is [DEFAULT]vcpu_pin_set, deprecated since Train
	// (20.0.0) and still read: when set it wins over cpu_shared_set.
	OptVCPUPinSet = Option{Group: "DEFAULT", Name: "vcpu_pin_set", Type: TypeStr}
	// OptReservedHostCPUs is [DEFAULT]reserved_host_cpus (VCPU inventory).
	OptReservedHostCPUs = Option{Group: "DEFAULT", Name: "reserved_host_cpus", Type: TypeInt, Default: "0"}
	// OptReservedHostMemoryMB is [DEFAULT]reserved_host_memory_mb
	// (MEMORY_MB inventory; not taken from a NUMA node).
	OptReservedHostMemoryMB = Option{Group: "DEFAULT", Name: "reserved_host_memory_mb", Type: TypeInt, Default: "512"}
	// OptReservedHugePages is [DEFAULT]reserved_huge_pages, one
	// "node:N,size:S,count:C" per value (MultiOpt of Dict).
	OptReservedHugePages = Option{Group: "DEFAULT", Name: "reserved_huge_pages", Type: TypeMulti, Multi: true}
	// OptCPUAllocationRatio and OptRAMAllocationRatio are the ratios in
	// force when set; else the compute node keeps the initial ones.
	OptCPUAllocationRatio = Option{Group: "DEFAULT", Name: "cpu_allocation_ratio", Type: TypeFloat}
	OptRAMAllocationRatio = Option{Group: "DEFAULT", Name: "ram_allocation_ratio", Type: TypeFloat}
	// OptInitialCPUAllocationRatio and OptInitialRAMAllocationRatio: 16.0
	// and 1.5 up to Zed, 4.0 and 1.0 from 2023.1 (27.0.0).
	OptInitialCPUAllocationRatio = Option{Group: "DEFAULT", Name: "initial_cpu_allocation_ratio", Type: TypeFloat}
	OptInitialRAMAllocationRatio = Option{Group: "DEFAULT", Name: "initial_ram_allocation_ratio", Type: TypeFloat}
)

// More option types, as oslo.config names the classes.
const (
	TypeFloat = "FloatOpt"
	TypeMulti = "MultiOpt"
)

// HostResourceOptions lists the options above, for host reports.
var HostResourceOptions = []Option{
	OptCPUDedicatedSet, OptCPUSharedSet, OptVCPUPinSet,
	OptReservedHostCPUs, OptReservedHostMemoryMB, OptReservedHugePages,
	OptCPUAllocationRatio, OptRAMAllocationRatio,
	OptInitialCPUAllocationRatio, OptInitialRAMAllocationRatio,
}
