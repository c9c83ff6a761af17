// Package fleet is the audit's model of a cloud: which [pci]alias
// definitions are in force, what each compute node can supply (from its
// preflight report and from Placement: usable devices, vCPUs, RAM, whether
// its nova-compute takes instances), and, flavor by GPU flavor, on which
// hosts a server fits and how many more fit now, or why none does. The
// GP4xx checks judge it; Report sums it up for the audit's report.
//
// It reads nothing: the cloud comes as a cloudmodel.Snapshot, the hosts as
// report.HostReports, the API node's aliases as a pcispec.Conf. Where it
// models Nova's scheduler (PCI requests, NUMA affinity, capacity), the
// doc comment of each function says which part.
package fleet

import (
	"fmt"
	"math/big"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Flavor extra specs the audit reads.
const (
	SpecAlias      = "pci_passthrough:alias"
	SpecNUMAPolicy = "hw:pci_numa_affinity_policy"
	SpecNUMANodes  = "hw:numa_nodes"
	SpecCPUPolicy  = "hw:cpu_policy"
	SpecPageSize   = "hw:mem_page_size"
	SpecSecureBoot = "os:secure_boot"
)

// Defaults nova-compute reports capacity with when Placement cannot be
// read (nova.conf initial_cpu_allocation_ratio, initial_ram_allocation_ratio).
const (
	defaultCPURatio = 4.0
	defaultRAMRatio = 1.0
)

// View is the cloud and its compute nodes as the audit sees them:
// which aliases are in force, what each host can supply, and what each GPU
// flavor asks for and where it fits.
type View struct {
	Release novarelease.Release
	// Aliases are the definitions in force: --api-conf's, else the host
	// reports'. AliasSource says which.
	Aliases     map[string]*pcispec.Alias
	AliasSource string
	AliasErr    error
	Hosts       []*HostSupply
	// Flavors are the GPU flavors (those with pci_passthrough:alias), by
	// name; Plain are the others.
	Flavors []*FlavorFit
	Plain   []*cloudmodel.Flavor
	// PlacementKnown is true when placement could be read.
	PlacementKnown bool
	// VGPUHosts are the compute nodes with vGPU (mdev) child providers in
	// Placement, whether or not --reports has their report.
	VGPUHosts []*VGPUHost
	// vgpuOffered and anyOffered are the classes vGPU providers, and any
	// providers, have an inventory of.
	vgpuOffered, anyOffered map[string]bool
	// with lists, by alias in force, the hosts with a usable device it
	// selects, in Hosts' order.
	with map[string][]int
}

// HostSupply is what one compute node can give guests.
type HostSupply struct {
	Name, Path string
	Host       *hostinfo.Host
	// Devices are the usable passthrough devices: admitted by device_spec,
	// on vfio-pci, pci-stub or no driver, in a viable IOMMU group.
	Devices []*SupplyDevice
	// Unusable are the GPUs present that do not count, and why.
	Unusable []Unusable
	// ConfUnread says the host's nova.conf could not all be read when its
	// report was made (preflight as another user than root): its
	// device_spec and aliases are unknown, not empty.
	ConfUnread bool
	// Aliases are this host's own [pci]alias definitions.
	Aliases  map[string]*pcispec.Alias
	AliasErr error
	VCPU     Capacity
	MemoryMB Capacity
	// Hypervisor is this host's entry in Nova's hypervisor list (nil when
	// the list was not read or has no entry of this name); Down says why
	// the scheduler passes the host over ("" when it does not): its
	// nova-compute service is down or disabled.
	Hypervisor *cloudmodel.Hypervisor
	Down       string
	// Traits are the traits of the host's resource provider (nil when
	// Placement was not read or has no provider of this name).
	Traits []string
	// EnabledMdevTypes are the mdev types its report's nova.conf enables
	// ([devices]enabled_mdev_types or enabled_vgpu_types); MdevParents
	// counts the mdev parents its report shows.
	EnabledMdevTypes []string
	MdevParents      int
	// VGPU is the host's entry among the vGPU hosts of Placement (nil when
	// Placement has no vGPU provider under it).
	VGPU *VGPUHost
	// pciUsed is set when PCI in Placement tells which devices are taken.
	pciUsed map[string]bool
	// supplies is the host's supply of each alias in force, by name
	// (filled once the aliases are chosen; read-only afterwards, when the
	// flavors are judged on every CPU).
	supplies map[string]*aliasSupply
	// numa is the host's NUMA layout as Nova sees it (numa.go).
	numa *hostNUMA
}

// SupplyDevice is a usable device with what Nova's pool will say of it.
type SupplyDevice struct {
	Device *pcidev.Device
	Type   string
	Spec   *pcispec.DeviceSpec
	// NUMANode is -1 when the firmware gives none.
	NUMANode int
	// LargeBAR: a 64-bit BAR of 32 GiB or more; Used: PCI in Placement
	// shows it allocated.
	LargeBAR, Used bool
}

// Unusable is a GPU that cannot be given to guests as the host stands.
type Unusable struct {
	Device *pcidev.Device
	Reason string
}

// Capacity is a host resource as the scheduler sees it.
type Capacity struct {
	// Total is (total - reserved) * allocation ratio; Free subtracts usage.
	Total, Free int
	// Known: the total is known; FreeKnown: so is the usage.
	Known, FreeKnown bool
	// From says where the figure comes from.
	From string
	// MaxUnit is the most one server can be given, when Placement says
	// (its inventory's max_unit: nova-compute reports the host's CPU count
	// for VCPU and its memory for MEMORY_MB, below the total once the
	// allocation ratio is above 1); 0 when unknown.
	MaxUnit int
}

// PerServer is the most one server can get: the total, bounded by
// Placement's max_unit (a request above max_unit gets no allocation
// candidate, whatever the allocation ratio).
func (c Capacity) PerServer() int {
	if c.MaxUnit > 0 && c.MaxUnit < c.Total {
		return c.MaxUnit
	}
	return c.Total
}

// sizeWhy says why a server asking want of what does not fit a capacity.
func sizeWhy(c Capacity, want int, what string) string {
	if c.MaxUnit > 0 && c.MaxUnit < c.Total && want <= c.Total {
		return fmt.Sprintf("%d %s asked, one server gets at most %d on this host (Placement's max_unit, the host's own count; the allocation ratio raises only the total, %d)", want, what, c.MaxUnit, c.Total)
	}
	return fmt.Sprintf("%d %s asked, the host has %d", want, what, c.Total)
}

// FlavorFit is a GPU flavor and where it can boot.
type FlavorFit struct {
	Flavor *cloudmodel.Flavor
	// Requests are name:count as Nova translates pci_passthrough:alias;
	// nil when the value is invalid or names an undefined alias.
	Requests []pcispec.AliasRequest
	// SpecErrs are the extra specs Nova's API would reject.
	SpecErrs map[string]error
	// Undefined is the first alias the value names that is not defined.
	Undefined string
	// Policy is the PCI NUMA affinity policy in force and where it is
	// set; InstanceNUMANodes the guest's NUMA nodes (0: no NUMA topology).
	Policy, PolicyFrom string
	InstanceNUMANodes  int
	// Hosts are the hosts with at least one of the devices asked for, in
	// host order; the others cannot take the flavor for want of them.
	Hosts []*HostFit
	// VGPU is what the flavor asks of vGPU providers (resources[N]:VGPU or
	// an mdev class) and where it fits; nil when it asks none.
	VGPU *VGPURequest
	// NUMAErr is Nova's refusal of the flavor's NUMA extra specs when a
	// server is created; guest is the guest's NUMA topology (numa.go).
	NUMAErr error
	guest   *guestNUMA
	// numaCache holds the NUMA fits by kind of host (numa.go; filled
	// while the view is built, by one goroutine).
	numaCache map[numaKey]*numaOutcome
}

// HostFit is how a GPU flavor fits one host.
type HostFit struct {
	Host *HostSupply
	// Devices: enough matching devices; NUMA: and placeable under the
	// NUMA policy; Size: vCPUs and RAM fit the host at all; Up: the
	// host's nova-compute is not known to be down or disabled.
	Devices, NUMA, Size, Up bool
	// SMT: the host has SMT as the guest's CPU thread policy needs (or
	// Placement's traits do not say).
	SMT bool
	// NUMACells: the guest's NUMA cells fit the host's nodes, devices
	// aside (false: NUMA fails on the cells themselves, not the PCI
	// policy).
	NUMACells bool
	// Why says what fails first once the devices are there (NUMA, size,
	// service), for the verdict; a shortage of devices is the fleet's
	// FlavorFit.Shortage.
	Why string
	// MoreFit is how many more instances fit now; MoreFitKnown false when
	// a usage is unknown (then MoreFit counts devices only).
	MoreFit      int
	MoreFitKnown bool
	// LargeBAR is a selected device with a 64-bit BAR of 32 GiB or more.
	LargeBAR *SupplyDevice
	// Usable counts, per request, the devices the alias selects here.
	Usable []int
}

// Bootable reports whether the flavor fits the host.
func (h *HostFit) Bootable() bool { return h.Devices && h.NUMA && h.Size && h.Up && h.SMT }

// Supplies reports whether the host has the devices and takes instances.
func (h *HostFit) Supplies() bool { return h.Devices && h.Up }

// Judged reports a flavor the audit judges: one that asks for PCI devices
// or for vGPUs.
func (ff *FlavorFit) Judged() bool { return ff.Requests != nil || ff.VGPU != nil }

// HasPCIRequest reports a flavor that asks for PCI devices.
func HasPCIRequest(f *cloudmodel.Flavor) bool {
	_, ok := f.ExtraSpecs[SpecAlias]
	return ok
}

// New builds the fleet from the cloud, the compute nodes' host reports
// and the API node's parsed configuration (each may be absent; nil for
// neither a cloud nor reports), under the rules of the release rel.
func New(cloud *cloudmodel.Snapshot, reports []*report.HostReport, rel novarelease.Release, api *pcispec.Conf) *View {
	if cloud == nil && len(reports) == 0 {
		return nil
	}
	v := &View{Release: rel}
	rps := map[string]*cloudmodel.ResourceProvider{}
	children := map[string][]*cloudmodel.ResourceProvider{}
	if cloud != nil && cloud.ResourceProviders != nil {
		v.PlacementKnown = true
		for i := range cloud.ResourceProviders {
			rp := &cloud.ResourceProviders[i]
			if rp.ParentUUID == "" || rp.UUID == rp.RootUUID {
				rps[rp.Name] = rp
			} else {
				children[rp.RootUUID] = append(children[rp.RootUUID], rp)
			}
		}
	}
	var hyps map[string]*cloudmodel.Hypervisor
	if cloud != nil {
		hyps = hypervisorIndex(cloud.Hypervisors)
	}
	// Each host is its own (the maps above are only read): built on every
	// CPU, as parsing and matching each host's device_spec against its
	// devices is most of the model's time at fleet scale. A fleet's nodes
	// mostly share their [pci] options: each distinct text is parsed once
	// (pcispec.Cache; what asks the host, per host).
	var parsed pcispec.Cache
	v.Hosts = make([]*HostSupply, len(reports))
	parallel(len(reports), func(i int) {
		h := newHostSupply(reports[i], rel, rps, children, &parsed)
		h.serviceState(hyps)
		h.reportCapacity()
		v.Hosts[i] = h
	})
	sort.Slice(v.Hosts, func(i, j int) bool { return v.Hosts[i].Name < v.Hosts[j].Name })
	v.chooseAliases(api)
	// Each host's devices per alias in force, on every CPU: the flavors
	// below only read them.
	parallel(len(v.Hosts), func(i int) {
		h := v.Hosts[i]
		h.supplies = make(map[string]*aliasSupply, len(v.Aliases))
		for name := range v.Aliases {
			s := v.summarizeSupply(name, h)
			h.supplies[name] = &s
		}
	})
	v.with = map[string][]int{}
	for i, h := range v.Hosts {
		for name, s := range h.supplies {
			if len(s.devs) > 0 {
				v.with[name] = append(v.with[name], i)
			}
		}
	}
	if cloud != nil {
		v.vgpuModel(cloud, hyps)
		// Each flavor is judged on its own (the view is only read; vGPU
		// placements are shared under their own locks), on every CPU.
		fits := make([]*FlavorFit, len(cloud.Flavors))
		parallel(len(cloud.Flavors), func(i int) {
			f := &cloud.Flavors[i]
			if vr := v.vgpuRequest(f); HasPCIRequest(f) || vr != nil {
				fits[i] = v.fit(f)
				fits[i].VGPU = vr
			}
		})
		for i, ff := range fits {
			if ff != nil {
				v.Flavors = append(v.Flavors, ff)
			} else {
				v.Plain = append(v.Plain, &cloud.Flavors[i])
			}
		}
		sort.Slice(v.Flavors, func(i, j int) bool { return v.Flavors[i].Flavor.Name < v.Flavors[j].Flavor.Name })
	}
	return v
}

// parallel calls f(0) ... f(n-1) on every CPU and returns when all
// have returned.
func parallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// chooseAliases takes the API node's aliases as the authority, else the
// first host report's that defines valid aliases.
func (v *View) chooseAliases(api *pcispec.Conf) {
	if api != nil {
		v.Aliases, v.AliasErr, v.AliasSource = api.Aliases, api.AliasErr, "--api-conf"
		return
	}
	for _, h := range v.Hosts {
		if h.AliasErr == nil && len(h.Aliases) > 0 {
			v.Aliases, v.AliasSource = h.Aliases, "the host report of "+h.Name
			return
		}
	}
}

// reportOptions returns a host report's values of a nova.conf option.
func reportOptions(c *report.ConfReport, opt novaconf.Option) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, o := range c.Options {
		if o.Option == opt.String() {
			out = append(out, o.Value)
		}
	}
	return out
}

func newHostSupply(r *report.HostReport, fleetRel novarelease.Release, rps map[string]*cloudmodel.ResourceProvider, children map[string][]*cloudmodel.ResourceProvider, parsed *pcispec.Cache) *HostSupply {
	rep := &r.Report
	host := r.HostInfo()
	h := &HostSupply{Name: r.Path, Path: r.Path, Host: host}
	if host == nil {
		return h
	}
	h.Name = host.Hostname
	h.ConfUnread = rep.NovaConf != nil && len(rep.NovaConf.Unreadable) > 0
	rel := fleetRel
	if r, err := novarelease.Parse(rep.NovaRelease); err == nil {
		rel = r // the node's own Nova parses its own nova.conf
	}
	reportInPlacement := false
	for _, val := range reportOptions(rep.NovaConf, novaconf.OptReportInPlacement) {
		reportInPlacement, _ = novaconf.ParseBool(val)
	}
	opts := pcispec.Options{Sysfs: pcispec.LazySysfs(host.Devices), ReportInPlacement: &reportInPlacement}
	var specs []*pcispec.DeviceSpec
	for _, val := range reportOptions(rep.NovaConf, novaconf.OptDeviceSpec) {
		if s, _, err := parsed.ParseDeviceSpecWith(val, rel, opts); err == nil {
			specs = append(specs, s...)
		}
	}
	h.Aliases, _, h.AliasErr = parsed.ParseAliasesWith(reportOptions(rep.NovaConf, novaconf.OptAlias), rel, opts)
	for _, opt := range optEnabledMdevTypes {
		if types := enabledMdevTypes(reportOptions(rep.NovaConf, opt)); len(types) > 0 {
			h.EnabledMdevTypes = types
		}
	}
	h.MdevParents = len(host.Mdev.Parents)

	view := hostview.New(host, nil, nil)
	for i := range host.Devices {
		d := &host.Devices[i]
		var admitting *pcispec.DeviceSpec
		for _, s := range specs {
			if ok, ev := s.Match(d); ok && ev {
				admitting = s
				break
			}
		}
		if admitting == nil {
			if pcidev.IsDisplay(d) && !pcidev.IsHostDisplay(d) && !pcidev.IsBootVGA(d) {
				why := "no [pci]device_spec offers it"
				if h.ConfUnread {
					why = "its nova.conf could not be read when the report was made: run gpupass preflight as root to know whether a device_spec offers it"
				}
				h.Unusable = append(h.Unusable, Unusable{d, why})
			}
			continue
		}
		reason := ""
		switch {
		case pcidev.IsVendorVGPUVF(d):
			// NVIDIA's vendor-specific VFIO framework: the nvidia driver
			// keeps the VF and registers it with VFIO itself, so libvirt
			// must not detach it ("managed": "no", Nova 2025.1 and later);
			// with managed (the default) libvirt would rebind it to
			// vfio-pci, whose probe fails (GP608 says so on the host).
			if managed, set := admitting.Managed(); !set || managed {
				reason = `a VF of NVIDIA's vendor-specific VFIO framework offered without "managed": "no" (libvirt would take it from the nvidia driver and fail)`
			}
		case d.Driver != "" && !pcidev.BoundToVFIO(d):
			reason = "bound to the host driver " + d.Driver
		case d.IOMMUGroup == nil:
			reason = "in no IOMMU group (the IOMMU is off)"
		case len(hostview.GroupBlockers(view, *d.IOMMUGroup)) > 0:
			reason = fmt.Sprintf("its IOMMU group %d is not viable", *d.IOMMUGroup)
		}
		if reason != "" {
			h.Unusable = append(h.Unusable, Unusable{d, reason})
			continue
		}
		numa := -1
		if d.NUMANode != nil {
			numa = *d.NUMANode
		}
		h.Devices = append(h.Devices, &SupplyDevice{Device: d, Type: pcispec.DeviceType(d), Spec: admitting, NUMANode: numa, LargeBAR: pcidev.HasLargeBAR(d)})
	}
	h.numa = h.numaLayout(rep, rel)
	h.capacity(rps[h.Name], children)
	for _, d := range h.Devices {
		d.Used = h.pciUsed[d.Device.Address]
	}
	return h
}

// capacity reads the host's vCPU and RAM from its resource provider, else
// from its report with nova's default allocation ratios; and, with PCI in
// Placement, which devices are taken.
func (h *HostSupply) capacity(rp *cloudmodel.ResourceProvider, children map[string][]*cloudmodel.ResourceProvider) {
	if rp != nil {
		h.Traits = rp.Traits
		if _, ok := rp.Inventories["VCPU"]; !ok && h.Down == "" {
			// nova-compute creates the provider, then reports the
			// inventory: without it Placement has no candidate here (a
			// nova-compute that stopped at start-up, such as on a GP610
			// refusal, leaves the provider empty and the service up).
			h.Down = "its resource provider in Placement has no VCPU inventory: nova-compute has not reported the host's resources (it may have stopped at start-up: see its log and gpupass preflight's GP610)"
		}
		for _, c := range []struct {
			cap   *Capacity
			class string
		}{{&h.VCPU, "VCPU"}, {&h.MemoryMB, "MEMORY_MB"}} {
			inv, ok := rp.Inventories[c.class]
			if !ok {
				continue
			}
			total := int(float64(inv.Total-inv.Reserved) * inv.AllocationRatio)
			free, known := rp.Free(c.class)
			*c.cap = Capacity{Total: total, Free: free, Known: true, FreeKnown: known, From: "placement", MaxUnit: inv.MaxUnit}
		}
		for _, child := range children[rp.UUID] {
			i := strings.LastIndex(child.Name, "_")
			if i < 0 {
				continue
			}
			addr := child.Name[i+1:]
			// A child provider named <host>_<address> is one device with
			// PCI in Placement, whatever its resource class.
			if h.pciUsed == nil {
				h.pciUsed = map[string]bool{}
			}
			for _, used := range child.Usages {
				if used > 0 {
					h.pciUsed[addr] = true
				}
			}
		}
	}
}

// reportCapacity is the last resort for vCPUs and RAM, after Placement and
// the hypervisor list: the host report's CPUs and memory with Nova's
// default allocation ratios.
func (h *HostSupply) reportCapacity() {
	if h.Host == nil {
		return
	}
	if !h.VCPU.Known && h.Host.CPU.LogicalCPUs > 0 {
		h.VCPU = Capacity{Total: int(float64(h.Host.CPU.LogicalCPUs) * defaultCPURatio), MaxUnit: h.Host.CPU.LogicalCPUs, Known: true, From: fmt.Sprintf("the host report (%d CPUs, default ratio %.0f)", h.Host.CPU.LogicalCPUs, defaultCPURatio)}
	}
	if !h.MemoryMB.Known && h.Host.MemoryMB > 0 {
		h.MemoryMB = Capacity{Total: int(float64(h.Host.MemoryMB) * defaultRAMRatio), MaxUnit: int(h.Host.MemoryMB), Known: true, From: "the host report"}
	}
}

// hypervisorIndex finds hypervisors by their service host, their
// hypervisor_hostname and its first label, lower-cased: a host report names
// a host by its kernel host name, Nova by [DEFAULT]host (the short name, by
// default) or by libvirt's FQDN.
func hypervisorIndex(list []cloudmodel.Hypervisor) map[string]*cloudmodel.Hypervisor {
	idx := map[string]*cloudmodel.Hypervisor{}
	for i := range list {
		hv := &list[i]
		for _, name := range []string{hv.ServiceHost, hv.Hostname, shortName(hv.Hostname)} {
			name = strings.ToLower(name)
			if _, taken := idx[name]; name != "" && !taken {
				idx[name] = hv
			}
		}
	}
	return idx
}

func shortName(name string) string {
	short, _, _ := strings.Cut(name, ".")
	return short
}

// serviceState looks the host up in the hypervisor list: a nova-compute
// that is down or disabled takes no new instances, whatever its GPUs.
func (h *HostSupply) serviceState(idx map[string]*cloudmodel.Hypervisor) {
	hv := idx[strings.ToLower(h.Name)]
	if hv == nil {
		hv = idx[strings.ToLower(shortName(h.Name))]
	}
	if hv == nil {
		return
	}
	h.Hypervisor = hv
	switch {
	case hv.State == "down":
		h.Down = fmt.Sprintf("its nova-compute is down (hypervisor %s)", hv.Hostname)
	case hv.Status == "disabled":
		h.Down = fmt.Sprintf("its nova-compute is disabled (hypervisor %s)", hv.Hostname)
	}
	// Capacity from the hypervisor list when Placement gave none and the
	// microversion still reports it (before 2.88): physical counts, with
	// Nova's default allocation ratios.
	if !h.VCPU.Known && hv.VCPUs > 0 {
		total := int(float64(hv.VCPUs) * defaultCPURatio)
		h.VCPU = Capacity{Total: total, Free: total - hv.VCPUsUsed, MaxUnit: hv.VCPUs, Known: true, FreeKnown: true,
			From: fmt.Sprintf("the hypervisor list (%d CPUs, default ratio %.0f)", hv.VCPUs, defaultCPURatio)}
	}
	if !h.MemoryMB.Known && hv.MemoryMB > 0 {
		total := int(float64(hv.MemoryMB) * defaultRAMRatio)
		h.MemoryMB = Capacity{Total: total, Free: total - hv.MemoryMBUsed, MaxUnit: hv.MemoryMB, Known: true, FreeKnown: true, From: "the hypervisor list"}
	}
}

// policyOf is the PCI NUMA affinity policy in force for a flavor: the
// flavor's extra spec wins over the aliases' numa_policy.
func (v *View) policyOf(f *cloudmodel.Flavor, reqs []pcispec.AliasRequest) (string, string) {
	if p, ok := f.ExtraSpecs[SpecNUMAPolicy]; ok {
		return p, SpecNUMAPolicy
	}
	policy := "legacy"
	for _, r := range reqs {
		if a := v.Aliases[r.Name]; a != nil && a.NUMAPolicy != "" && a.NUMAPolicy != "legacy" {
			return a.NUMAPolicy, fmt.Sprintf("alias %s's numa_policy", r.Name)
		}
	}
	return policy, "the default"
}

// instanceNUMANodes is how many NUMA nodes the guest has: hw:numa_nodes,
// or 1 when dedicated CPUs or huge pages give it a NUMA topology; 0 for
// none (then Nova places PCI devices without NUMA constraints).
func instanceNUMANodes(f *cloudmodel.Flavor) int {
	if n, err := strconv.Atoi(f.ExtraSpecs[SpecNUMANodes]); err == nil && n > 0 {
		return n
	}
	if f.ExtraSpecs[SpecCPUPolicy] == "dedicated" || f.ExtraSpecs[SpecPageSize] != "" {
		return 1
	}
	return 0
}

func (v *View) fit(f *cloudmodel.Flavor) *FlavorFit {
	ff := &FlavorFit{Flavor: f, SpecErrs: map[string]error{}}
	for _, key := range []string{SpecAlias, SpecNUMAPolicy} {
		if val, ok := f.ExtraSpecs[key]; ok {
			if err := pcispec.ValidateExtraSpec(key, val, v.Release); err != nil {
				ff.SpecErrs[key] = err
			}
		}
	}
	value := f.ExtraSpecs[SpecAlias]
	if _, err := pcispec.ParseAliasRequest(value); err != nil {
		return ff
	}
	if v.Aliases == nil {
		return ff
	}
	reqs, err := pcispec.ResolveAliasRequest(value, v.Aliases)
	if err != nil {
		if ne, ok := err.(*pcispec.NovaError); ok && ne.Exception == "PciRequestAliasNotDefined" {
			ff.Undefined = strings.TrimSuffix(strings.TrimPrefix(ne.Message, "PCI alias "), " is not defined")
		}
		return ff
	}
	ff.Requests = reqs
	ff.Policy, ff.PolicyFrom = v.policyOf(f, reqs)
	ff.InstanceNUMANodes = instanceNUMANodes(f)
	if ff.guest, ff.NUMAErr = guestTopology(f); ff.guest != nil {
		ff.InstanceNUMANodes = len(ff.guest.cells)
	}
	// A host with none of the devices asked for says nothing about the
	// flavor: it is left out, or a fleet of 10,000 hosts and 500 GPU
	// flavors would hold five million fits (half a gigabyte).
	var with []*HostSupply
	if len(reqs) == 1 {
		for _, i := range v.with[reqs[0].Name] {
			with = append(with, v.Hosts[i])
		}
	} else {
		// The hosts of every request, each once, in Hosts' order.
		var idx []int
		for _, r := range reqs {
			idx = append(idx, v.with[r.Name]...)
		}
		sort.Ints(idx)
		for k, i := range idx {
			if k == 0 || i != idx[k-1] {
				with = append(with, v.Hosts[i])
			}
		}
	}
	fits := make([]HostFit, len(with)) // one allocation per flavor, not per host
	usable := make([]int, len(with)*len(reqs))
	ff.Hosts = make([]*HostFit, len(with))
	for i, h := range with {
		ff.Hosts[i] = &fits[i]
		v.fitHost(ff, h, &fits[i], usable[i*len(reqs):i*len(reqs):(i+1)*len(reqs)])
	}
	return ff
}

// fitHost decides whether the flavor fits a host, and how many more.
func (v *View) fitHost(ff *FlavorFit, h *HostSupply, fit *HostFit, usable []int) {
	*fit = HostFit{Host: h, NUMA: true, NUMACells: true, Size: true, Up: h.Down == "", SMT: true, Usable: usable}
	f := ff.Flavor
	// Devices per request, without taking one twice. With one request (the
	// usual case) everything comes from the host's per-alias summary.
	var buf [4]aliasSupply // on the stack for the usual few requests
	supplies := buf[:0]
	if len(ff.Requests) > len(buf) {
		supplies = make([]aliasSupply, 0, len(ff.Requests))
	}
	supplies = supplies[:len(ff.Requests)]
	var taken map[*SupplyDevice]bool
	if len(ff.Requests) > 1 {
		taken = map[*SupplyDevice]bool{}
	}
	fit.Devices = true
	for i, r := range ff.Requests {
		count := countOf(r)
		sup := *v.supply(r.Name, h)
		if taken != nil {
			var left []*SupplyDevice
			for _, d := range sup.devs {
				if !taken[d] {
					left = append(left, d)
				}
			}
			sup = summarize(left, false)
			for j := 0; j < count && j < len(left); j++ {
				taken[left[j]] = true
			}
		}
		supplies[i] = sup
		fit.Usable = append(fit.Usable, len(sup.devs))
		if len(sup.devs) < count {
			fit.Devices = false // FlavorFit.Shortage says it for the fleet
		}
		if fit.LargeBAR == nil && sup.firstLarge >= 0 && sup.firstLarge < count {
			fit.LargeBAR = sup.devs[sup.firstLarge]
		}
	}
	if fit.Devices && ff.InstanceNUMANodes > 0 {
		fit.NUMA, fit.Why, fit.NUMACells = v.numaFits(ff, h, supplies)
	}
	if !fit.Up && fit.Why == "" {
		fit.Why = h.Down
	}
	for _, c := range []struct {
		cap  Capacity
		want int
		what string
	}{{h.VCPU, f.VCPUs, "vCPUs"}, {h.MemoryMB, f.RAMMB, "MB of RAM"}} {
		if c.cap.Known && c.want > c.cap.PerServer() {
			fit.Size = false
			if fit.Why == "" && fit.Devices { // Why is read only where the devices are
				fit.Why = sizeWhy(c.cap, c.want, c.what)
			}
		}
	}
	if g := ff.guest; g != nil && g.thread != "" {
		var why string
		if fit.SMT, why = smtFits(g.thread, g.threadFrom, h.Traits); !fit.SMT && fit.Why == "" && fit.Devices {
			fit.Why = why
		}
	}
	if !fit.Bootable() {
		return
	}
	// How many more instances fit now.
	fit.MoreFit, fit.MoreFitKnown = -1, true
	limit := func(n int) {
		if fit.MoreFit < 0 || n < fit.MoreFit {
			fit.MoreFit = n
		}
	}
	for i, r := range ff.Requests {
		limit(supplies[i].free / countOf(r))
	}
	if h.pciUsed == nil {
		fit.MoreFitKnown = false // device usage unknown: PCI is not in Placement
	}
	for _, c := range []struct {
		cap  Capacity
		want int
	}{{h.VCPU, f.VCPUs}, {h.MemoryMB, f.RAMMB}} {
		if c.cap.FreeKnown && c.want > 0 {
			limit(max(c.cap.Free, 0) / c.want)
		} else {
			fit.MoreFitKnown = false
		}
	}
	if ff.guest != nil && h.numa != nil && h.numa.problem == "" {
		// The NUMA nodes bound it too, counted on an empty host: with
		// instances there already, it is an upper bound.
		if n := v.numaMore(ff, h, supplies, fit.MoreFit); fit.MoreFit < 0 || n < fit.MoreFit {
			fit.MoreFit = n
			if h.VCPU.Free < h.VCPU.Total || h.MemoryMB.Free < h.MemoryMB.Total || !h.VCPU.FreeKnown {
				fit.MoreFitKnown = false
			}
		}
	}
}

func countOf(r pcispec.AliasRequest) int {
	if !r.Count.IsInt64() || r.Count.Sign() <= 0 {
		if r.Count.Cmp(big.NewInt(0)) <= 0 {
			return 0
		}
		return 1 << 30
	}
	return int(r.Count.Int64())
}

// aliasSupply is what one alias selects on one host: the usable devices,
// how many are free (all, unless PCI in Placement shows them allocated),
// the index of the first with a large BAR (-1: none) and their spread over
// NUMA nodes (set when asked for).
type aliasSupply struct {
	devs       []*SupplyDevice
	free       int
	firstLarge int
	spread     numaSpread
	// freeNodes keys the free devices per node for the NUMA fit's cache
	// (set with the spread).
	freeNodes string
}

func summarize(devs []*SupplyDevice, withSpread bool) aliasSupply {
	s := aliasSupply{devs: devs, firstLarge: -1}
	for i, d := range devs {
		if !d.Used {
			s.free++
		}
		if d.LargeBAR && s.firstLarge < 0 {
			s.firstLarge = i
		}
	}
	if withSpread {
		s.spread = spreadOf(devs)
		s.freeNodes = freeNodesKey(devs)
	}
	return s
}

// supply is the host's aliasSupply for an alias, computed once (New):
// every flavor naming the alias asks the same of the same host.
func (v *View) supply(alias string, h *HostSupply) *aliasSupply {
	if s, ok := h.supplies[alias]; ok {
		return s
	}
	s := v.summarizeSupply(alias, h) // an alias not in force: nothing
	return &s
}

// summarizeSupply is the host's usable devices the alias selects.
func (v *View) summarizeSupply(alias string, h *HostSupply) aliasSupply {
	var devs []*SupplyDevice
	for _, d := range h.Devices {
		if v.selects(alias, d) {
			devs = append(devs, d)
		}
	}
	return summarize(devs, true)
}

// selects reports whether the alias in force selects a usable device.
func (v *View) selects(alias string, d *SupplyDevice) bool {
	a := v.Aliases[alias]
	if a == nil {
		return false
	}
	for _, s := range a.Specs {
		if s.MatchPool(d.Device, d.Type, d.Spec) {
			return true
		}
	}
	return false
}

// numaFits applies the PCI NUMA affinity policy to a guest with a NUMA
// topology of n nodes: with required (and socket) every device must sit
// on one of the guest's nodes; with legacy, devices that report no node
// are allowed too; preferred always fits.
func (v *View) numaFits(ff *FlavorFit, h *HostSupply, supplies []aliasSupply) (bool, string, bool) {
	if ff.guest != nil && h.numa != nil && h.numa.problem == "" {
		return v.numaFitLayout(ff, h, supplies)
	}
	n := ff.InstanceNUMANodes
	if h.Host.NUMANodes > 0 && n > h.Host.NUMANodes {
		return false, fmt.Sprintf("the flavor asks for %d NUMA nodes, the host has %d", n, h.Host.NUMANodes), false
	}
	if ff.Policy == "preferred" {
		return true, "", true
	}
	for i, r := range ff.Requests {
		sp := supplies[i].spread
		if supplies[i].spread.counts == nil { // a leftover of several requests
			sp = spreadOf(supplies[i].devs)
		}
		usable := 0
		for j := 0; j < n && j < len(sp.counts); j++ {
			usable += sp.counts[j]
		}
		if ff.Policy == "legacy" {
			usable += sp.unknown
		}
		if usable < countOf(r) {
			return false, fmt.Sprintf("with the %s NUMA policy only %s %s on the guest's %s, %d asked", ff.Policy, prose.Plural(usable, r.Name+" device"), prose.Verb(usable, "sits", "sit"), prose.Plural(n, "NUMA node"), countOf(r)), true
		}
	}
	return true, "", true
}

// numaSpread is how devices spread over NUMA nodes: the count on each node
// that has any, largest first, and the devices without a node.
type numaSpread struct {
	counts  []int
	unknown int
}

func spreadOf(devs []*SupplyDevice) numaSpread {
	var sp numaSpread
	byNode := map[int]int{}
	for _, d := range devs {
		if d.NUMANode < 0 {
			sp.unknown++
		} else {
			byNode[d.NUMANode]++
		}
	}
	sp.counts = make([]int, 0, len(byNode))
	for _, c := range byNode {
		sp.counts = append(sp.counts, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(sp.counts)))
	return sp
}

// GPUHosts are the hosts with at least one usable GPU (a display-class
// device; a broad device_spec may offer other functions too).
func (v *View) GPUHosts() []*HostSupply {
	var out []*HostSupply
	for _, h := range v.Hosts {
		for _, d := range h.Devices {
			if pcidev.IsDisplay(d.Device) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// Shortage says, when no host has enough devices, what the best host has:
// "no host has 16 usable h100 devices (the most: 8 on gpu-h100-07)".
func (ff *FlavorFit) Shortage() string {
	var parts []string
	for i, r := range ff.Requests {
		best, bestHost := -1, ""
		var down []string // hosts with enough devices that take no instances
		for _, h := range ff.Hosts {
			if i >= len(h.Usable) {
				continue
			}
			if !h.Up {
				if h.Usable[i] >= countOf(r) {
					down = append(down, h.Host.Name+" ("+h.Host.Down+")")
				}
				continue
			}
			if h.Usable[i] > best {
				best, bestHost = h.Usable[i], h.Host.Name
			}
		}
		if best >= countOf(r) {
			continue
		}
		part := fmt.Sprintf("no host has %d usable %s devices", countOf(r), r.Name)
		if len(down) > 0 {
			part = fmt.Sprintf("no host that takes instances has %d usable %s devices", countOf(r), r.Name)
		}
		if best > 0 {
			part += fmt.Sprintf(" (the most: %d on %s)", best, bestHost)
		} else if len(down) == 0 {
			part += " (none has any)"
		}
		if len(down) > 0 {
			part += "; " + prose.ListSep(down, "; ") + " would have them"
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "no host has all the devices asked for on one host"
	}
	return strings.Join(parts, "; ")
}
