package fleet

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// The guest's NUMA cells fitted into the host's NUMA nodes as Nova's
// scheduler does it (NUMATopologyFilter, which calls
// nova/virt/hardware.py numa_fit_instance_to_host; read in Zed 26.2.2,
// 2025.1 31.0.0 and 2026.2 34.0.0, where the rules below are the same):
//
//   - the guest's topology comes from the flavor (numa_get_constraints):
//     hw:numa_nodes cells, with hw:numa_cpus.N / hw:numa_mem.N or an even
//     split; hw:cpu_policy dedicated or mixed (hw:cpu_dedicated_mask)
//     pins CPUs; hw:mem_page_size asks huge pages; any of these gives the
//     guest a NUMA topology, else the filter passes every host;
//   - the host's cells are what nova-compute's libvirt driver reports
//     (_get_host_numa_topology): each node's CPUs split into shared ones
//     (cpu_shared_set, vcpu_pin_set, else all online) and dedicated ones
//     (cpu_dedicated_set; without it, the shared set again unless
//     cpu_shared_set alone is set), its memory (MemTotal), and its page
//     pools: the huge pages, and the small pages left over, less
//     reserved_huge_pages;
//   - each guest cell must fit a distinct host cell (_numa_fit_instance_cell):
//     shared vCPUs no more than the cell's shared CPUs, and no more than
//     the cell's shared CPUs × cpu_allocation_ratio in use; pinned vCPUs
//     no more than its free dedicated CPUs (one more for
//     hw:emulator_threads_policy=isolate); memory no more than its
//     small pages (free ones when pinned; × ram_allocation_ratio in use),
//     or its free huge pages of the size asked, in whole pages;
//   - host cell permutations are tried until one also gives the PCI
//     requests their devices under the NUMA affinity policy (required:
//     on the guest's nodes; legacy: there or on no node; preferred:
//     anywhere; socket: on the guest's nodes' sockets, when every node's
//     socket is known).
//
// Before any of that, the flavor's CPU extra specs are checked as
// numa_get_constraints checks them, in its order: hw:cpu_policy,
// hw:cpu_thread_policy and hw:emulator_threads_policy values,
// hw:cpu_realtime and its mask, hw:cpu_dedicated_mask, resources:VCPU and
// resources:PCPU against the policy and the vCPUs, the
// trait:HW_CPU_HYPERTHREADING trait against the thread policy, and each
// policy against the CPU policy; a refusal is Nova's exception.
//
// The CPU thread policy is Placement's: isolate forbids and require
// requires the trait HW_CPU_HYPERTHREADING of the host's provider
// (smtFits). Host reports do not carry the CPU siblings, so the fit counts
// CPUs as if each were a core: what Nova does under isolate, which only
// takes hosts without SMT; under require the count is a bound.

// Page size requests (nova/virt/hardware.py MEMPAGES_*).
const (
	pagesSmall = -1
	pagesLarge = -2
	pagesAny   = -3
)

// Extra specs of the guest's NUMA topology.
const (
	specNUMACPUs       = "hw:numa_cpus."
	specNUMAMem        = "hw:numa_mem."
	specDedicatedMask  = "hw:cpu_dedicated_mask"
	specEmulatorPolicy = "hw:emulator_threads_policy"
	specThreadPolicy   = "hw:cpu_thread_policy"
	specRealtime       = "hw:cpu_realtime"
	specRealtimeMask   = "hw:cpu_realtime_mask"
)

// guestCell is one NUMA cell of the guest.
type guestCell struct {
	shared, pinned int // vCPUs floating and pinned
	memoryMB       int
}

// guestNUMA is the guest's NUMA topology; nil for none.
type guestNUMA struct {
	cells    []guestCell
	policy   string // shared, dedicated, mixed
	pageSize int    // 0: none asked; pagesSmall/Large/Any or KiB
	isolate  bool   // hw:emulator_threads_policy=isolate
	thread   string // hw:cpu_thread_policy (or the hyperthreading trait's), "" for none
	// threadFrom is the extra spec that set thread, as name=value.
	threadFrom string
}

// traitHyperthreading is the trait of a compute node with SMT (the
// libvirt driver's has_hyperthreading: a CPU with siblings). Nova's
// scheduler asks Placement for it under hw:cpu_thread_policy=require and
// forbids it under isolate (ResourceRequest._translate_pinning_policies).
const traitHyperthreading = "HW_CPU_HYPERTHREADING"

// smtFits says whether a host whose provider's traits are traits (nil:
// unknown) is one Placement gives a guest of thread policy thread, and,
// when not, why.
func smtFits(thread, from string, traits []string) (bool, string) {
	if traits == nil {
		return true, ""
	}
	smt := hasTrait(traits, traitHyperthreading)
	switch {
	case thread == "isolate" && smt:
		return false, from + " asks Placement for a host without SMT (trait " + traitHyperthreading + " forbidden), and this host's provider has the trait"
	case thread == "require" && !smt:
		return false, from + " asks Placement for a host with SMT (trait " + traitHyperthreading + " required), and this host's provider lacks it"
	}
	return true, ""
}

func (g *guestNUMA) pins() bool { return g.policy == "dedicated" || g.policy == "mixed" }

// guestTopology is the flavor's NUMA topology as numa_get_constraints
// builds it; nil without one, and an error in Nova's terms for specs
// Nova refuses when the server is created.
func guestTopology(f *cloudmodel.Flavor) (*guestNUMA, error) {
	es := f.ExtraSpecs
	g := &guestNUMA{policy: "shared"}
	// The CPU policies, checked in numa_get_constraints' order (the first
	// refusal is Nova's).
	cpuPolicy := es[SpecCPUPolicy] // "" for none
	switch cpuPolicy {
	case "", "shared", "dedicated", "mixed":
	default:
		return nil, fmt.Errorf("hw:cpu_policy=%s is not shared, dedicated or mixed (InvalidCPUAllocationPolicy)", cpuPolicy)
	}
	thread := es[specThreadPolicy]
	switch thread {
	case "", "prefer", "isolate", "require":
	default:
		return nil, fmt.Errorf("hw:cpu_thread_policy=%s is not prefer, isolate or require (InvalidCPUThreadAllocationPolicy)", thread)
	}
	realtime, err := realtimeCPUs(f)
	if err != nil {
		return nil, err
	}
	mask, err := dedicatedMask(f)
	if err != nil {
		return nil, err
	}
	emulator := es[specEmulatorPolicy]
	switch emulator {
	case "", "share", "isolate":
	default:
		return nil, fmt.Errorf("hw:emulator_threads_policy=%s is not share or isolate (InvalidEmulatorThreadsPolicy)", emulator)
	}
	vcpuRes, pcpuRes := vcpuPCPUResources(es)
	switch {
	case cpuPolicy != "" && (vcpuRes != 0 || pcpuRes != 0):
		return nil, fmt.Errorf("resources:VCPU or resources:PCPU with hw:cpu_policy: use one or the other (InvalidRequest)")
	case vcpuRes != 0 && pcpuRes != 0:
		return nil, fmt.Errorf("both resources:VCPU and resources:PCPU: use one or the other (InvalidRequest)")
	case pcpuRes != 0 && emulator == "isolate" && f.VCPUs+1 != pcpuRes:
		return nil, fmt.Errorf("resources:PCPU=%d for %d vCPUs with hw:emulator_threads_policy=isolate: exactly one a vCPU and one for the emulator threads (InvalidRequest)", pcpuRes, f.VCPUs)
	case pcpuRes != 0 && emulator != "isolate" && f.VCPUs != pcpuRes:
		return nil, fmt.Errorf("resources:PCPU=%d for %d vCPUs: exactly one a vCPU (InvalidRequest)", pcpuRes, f.VCPUs)
	case pcpuRes != 0:
		cpuPolicy = "dedicated"
	case vcpuRes != 0:
		cpuPolicy = "shared"
	}
	threadFrom := specThreadPolicy + "=" + thread
	if ht := hyperthreadingTrait(es); ht != "" {
		if thread != "" {
			return nil, fmt.Errorf("trait:HW_CPU_HYPERTHREADING with hw:cpu_thread_policy: use one or the other (InvalidRequest)")
		}
		switch ht {
		case "forbidden":
			thread = "isolate"
		case "required":
			thread = "require"
		}
		threadFrom = "trait:" + traitHyperthreading + "=" + ht
	}
	switch cpuPolicy {
	case "", "shared":
		switch {
		case thread != "":
			return nil, fmt.Errorf("%s needs dedicated CPUs (hw:cpu_policy=dedicated or mixed) (CPUThreadPolicyConfigurationInvalid)", threadFrom)
		case emulator == "isolate":
			return nil, fmt.Errorf("hw:emulator_threads_policy=isolate needs dedicated CPUs (hw:cpu_policy=dedicated or mixed) (BadRequirementEmulatorThreadsPolicy)")
		case mask != nil:
			return nil, fmt.Errorf("hw:cpu_dedicated_mask needs hw:cpu_policy=mixed (RequiredMixedInstancePolicy)")
		case realtime != nil:
			return nil, fmt.Errorf("hw:cpu_realtime needs dedicated CPUs (hw:cpu_policy=dedicated or mixed) (RealtimeConfigurationInvalid)")
		}
	case "dedicated":
		if mask != nil {
			return nil, fmt.Errorf("hw:cpu_dedicated_mask needs hw:cpu_policy=mixed (RequiredMixedInstancePolicy)")
		}
	case "mixed":
		switch {
		case realtime != nil && mask != nil:
			return nil, fmt.Errorf("hw:cpu_policy=mixed with both hw:cpu_realtime_mask and hw:cpu_dedicated_mask: give one (RequiredMixedOrRealtimeCPUMask)")
		case realtime == nil && mask == nil:
			return nil, fmt.Errorf("hw:cpu_policy=mixed without hw:cpu_dedicated_mask (RequiredMixedOrRealtimeCPUMask)")
		case mask == nil:
			mask = realtime
		}
	}
	if cpuPolicy == "dedicated" || cpuPolicy == "mixed" {
		g.policy = cpuPolicy
	}
	g.thread, g.threadFrom = thread, threadFrom
	dedicated := map[int]bool{}
	for c := range mask {
		dedicated[c] = true
	}
	if g.policy == "dedicated" {
		for c := range f.VCPUs {
			dedicated[c] = true
		}
	}
	g.isolate = emulator == "isolate" && g.pins()
	nodes := 0
	if v, ok := es[SpecNUMANodes]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("hw:numa_nodes=%s is not a number of NUMA nodes of at least 1 (InvalidNUMANodesNumber)", v)
		}
		nodes = n
	}
	if v := es[SpecPageSize]; v != "" {
		size, err := parsePageSize(v)
		if err != nil {
			return nil, err
		}
		g.pageSize = size
	}
	if nodes == 0 && g.pageSize == 0 && !g.pins() {
		return nil, nil
	}
	nodes = max(nodes, 1)
	cpuLists, memList, manual, err := manualCells(es, nodes)
	if err != nil {
		return nil, err
	}
	if !manual {
		if f.VCPUs%nodes != 0 || f.RAMMB%nodes != 0 {
			return nil, fmt.Errorf("%d vCPUs and %d MB do not divide evenly into hw:numa_nodes=%d (ImageNUMATopologyAsymmetric)", f.VCPUs, f.RAMMB, nodes)
		}
		per := f.VCPUs / nodes
		for n := range nodes {
			var cpus []int
			for c := n * per; c < (n+1)*per; c++ {
				cpus = append(cpus, c)
			}
			cpuLists = append(cpuLists, cpus)
			memList = append(memList, f.RAMMB/nodes)
		}
	} else {
		seen := map[int]bool{}
		total := 0
		for n, cpus := range cpuLists {
			for _, c := range cpus {
				if c >= f.VCPUs {
					return nil, fmt.Errorf("hw:numa_cpus.%d names vCPU %d of a %d-vCPU flavor (ImageNUMATopologyCPUOutOfRange)", n, c, f.VCPUs)
				}
				if seen[c] {
					return nil, fmt.Errorf("vCPU %d is in two hw:numa_cpus.N (ImageNUMATopologyCPUDuplicates)", c)
				}
				seen[c] = true
			}
			total += memList[n]
		}
		if len(seen) != f.VCPUs {
			return nil, fmt.Errorf("hw:numa_cpus.N leave %d of the %d vCPUs in no NUMA node (ImageNUMATopologyCPUsUnassigned)", f.VCPUs-len(seen), f.VCPUs)
		}
		if total != f.RAMMB {
			return nil, fmt.Errorf("hw:numa_mem.N add up to %d MB, the flavor has %d (ImageNUMATopologyMemoryOutOfRange)", total, f.RAMMB)
		}
	}
	for n, cpus := range cpuLists {
		c := guestCell{memoryMB: memList[n]}
		for _, cpu := range cpus {
			if dedicated[cpu] {
				c.pinned++
			} else {
				c.shared++
			}
		}
		g.cells = append(g.cells, c)
	}
	return g, nil
}

// manualCells reads hw:numa_cpus.N and hw:numa_mem.N: both for every node,
// or neither.
func manualCells(es map[string]string, nodes int) ([][]int, []int, bool, error) {
	var cpuLists [][]int
	var memList []int
	anyCPU, anyMem := false, false
	for key := range es {
		anyCPU = anyCPU || strings.HasPrefix(key, specNUMACPUs)
		anyMem = anyMem || strings.HasPrefix(key, specNUMAMem)
	}
	if !anyCPU && !anyMem {
		return nil, nil, false, nil
	}
	if anyCPU != anyMem {
		return nil, nil, false, fmt.Errorf("hw:numa_cpus.N and hw:numa_mem.N go together (ImageNUMATopologyIncomplete)")
	}
	for n := range nodes {
		cpuSpec, okC := es[specNUMACPUs+strconv.Itoa(n)]
		memSpec, okM := es[specNUMAMem+strconv.Itoa(n)]
		if !okC || !okM {
			return nil, nil, false, fmt.Errorf("hw:numa_cpus.%d and hw:numa_mem.%d are needed for each of the hw:numa_nodes=%d nodes (ImageNUMATopologyIncomplete)", n, n, nodes)
		}
		cpus, err := parseNovaCPUSpec(cpuSpec)
		if err != nil {
			return nil, nil, false, fmt.Errorf("hw:numa_cpus.%d=%s: %v", n, cpuSpec, err)
		}
		mem, err := strconv.Atoi(strings.TrimSpace(memSpec))
		if err != nil {
			return nil, nil, false, fmt.Errorf("hw:numa_mem.%d=%s is not a number of MB", n, memSpec)
		}
		cpuLists = append(cpuLists, cpus)
		memList = append(memList, mem)
	}
	// Keys beyond hw:numa_nodes make the lists longer than the nodes.
	for key := range es {
		for _, prefix := range []string{specNUMACPUs, specNUMAMem} {
			if rest, ok := strings.CutPrefix(key, prefix); ok {
				if i, err := strconv.Atoi(rest); err == nil && i >= nodes {
					return nil, nil, false, fmt.Errorf("%s is beyond hw:numa_nodes=%d (ImageNUMATopologyIncomplete)", key, nodes)
				}
			}
		}
	}
	return cpuLists, memList, true, nil
}

// vcpuPCPUResources sums resources[N]:VCPU and resources[N]:PCPU as
// _get_vcpu_pcpu_resources does: re.match of resources([1-9][0-9]*)?:VCPU
// (anchored at the start only), the values read by Python's int(), those
// it cannot read left out.
func vcpuPCPUResources(es map[string]string) (vcpus, pcpus int) {
	for key, val := range es {
		for _, c := range []struct {
			class string
			n     *int
		}{{"VCPU", &vcpus}, {"PCPU", &pcpus}} {
			if m := resourceKey.FindStringSubmatch(key); m != nil && strings.HasPrefix(key[len(m[0]):], c.class) {
				if n, err := pyInt(val); err == nil {
					*c.n += n
				}
			}
		}
	}
	return vcpus, pcpus
}

// resourceKey is the "resources[N]:" of a resources extra spec.
var resourceKey = regexp.MustCompile(`^resources(?:[1-9][0-9]*)?:`)

// hyperthreadingTrait is _get_hyperthreading_trait: the value of the
// first trait[N]:HW_CPU_HYPERTHREADING extra spec (re.match: anchored at
// the start only), "" for none. The flavor's keys are taken sorted (Nova
// takes them in the order the database gives).
func hyperthreadingTrait(es map[string]string) string {
	keys := make([]string, 0, len(es))
	for k := range es {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if htTraitKey.MatchString(k) {
			return es[k]
		}
	}
	return ""
}

var htTraitKey = regexp.MustCompile(`^trait(?:[1-9][0-9]*)?:HW_CPU_HYPERTHREADING`)

// cpuMask reads a CPU mask of a flavor of vcpus vCPUs as Nova does: a
// mask starting with "^" excludes from every vCPU.
func cpuMask(mask string, vcpus int) (map[int]bool, error) {
	spec := mask
	if strings.HasPrefix(strings.TrimSpace(mask), "^") {
		spec = fmt.Sprintf("0-%d,%s", vcpus-1, mask)
	}
	cpus, err := parseNovaCPUSpec(spec)
	if err != nil {
		return nil, err
	}
	out := map[int]bool{}
	for _, c := range cpus {
		out[c] = true
	}
	return out, nil
}

// realtimeCPUs is get_realtime_cpu_constraint: nil without hw:cpu_realtime,
// else the realtime vCPUs (hw:cpu_realtime_mask, or all).
func realtimeCPUs(f *cloudmodel.Flavor) (map[int]bool, error) {
	es := f.ExtraSpecs
	if !novaconf.BoolFromString(es[specRealtime]) {
		return nil, nil
	}
	rt := map[int]bool{}
	if mask := es[specRealtimeMask]; mask != "" {
		m, err := cpuMask(mask, f.VCPUs)
		if err != nil {
			return nil, fmt.Errorf("hw:cpu_realtime_mask=%s: %v", mask, err)
		}
		rt = m
	} else {
		for c := range f.VCPUs {
			rt[c] = true
		}
	}
	if len(rt) == 0 {
		return nil, fmt.Errorf("hw:cpu_realtime_mask leaves no realtime vCPU (RealtimeMaskNotFoundOrInvalid)")
	}
	switch emulator := es[specEmulatorPolicy]; emulator {
	case "", "share", "isolate":
		if len(rt) == f.VCPUs && emulator == "" && allBelow(rt, f.VCPUs) {
			return nil, fmt.Errorf("hw:cpu_realtime on every vCPU needs hw:cpu_realtime_mask or hw:emulator_threads_policy (RealtimeMaskNotFoundOrInvalid)")
		}
	default:
		return nil, fmt.Errorf("hw:emulator_threads_policy=%s is not share or isolate (InvalidEmulatorThreadsPolicy)", emulator)
	}
	if !allBelow(rt, f.VCPUs) {
		return nil, fmt.Errorf("hw:cpu_realtime_mask names vCPUs a %d-vCPU flavor does not have (RealtimeMaskNotFoundOrInvalid)", f.VCPUs)
	}
	return rt, nil
}

// dedicatedMask is get_dedicated_cpu_constraint: nil without
// hw:cpu_dedicated_mask, else the dedicated vCPUs.
func dedicatedMask(f *cloudmodel.Flavor) (map[int]bool, error) {
	mask := f.ExtraSpecs[specDedicatedMask]
	if mask == "" {
		return nil, nil
	}
	pcpus, err := cpuMask(mask, f.VCPUs)
	if err != nil {
		return nil, fmt.Errorf("hw:cpu_dedicated_mask=%s: %v", mask, err)
	}
	shared := 0
	for c := range f.VCPUs {
		if !pcpus[c] {
			shared++
		}
	}
	if len(pcpus) == 0 || shared == 0 {
		return nil, fmt.Errorf("hw:cpu_dedicated_mask=%s leaves no shared or no dedicated vCPU (InvalidMixedInstanceDedicatedMask)", mask)
	}
	if !allBelow(pcpus, f.VCPUs) {
		return nil, fmt.Errorf("hw:cpu_dedicated_mask=%s names vCPUs a %d-vCPU flavor does not have (InvalidMixedInstanceDedicatedMask)", mask, f.VCPUs)
	}
	return pcpus, nil
}

// allBelow reports whether every CPU of set is below n.
func allBelow(set map[int]bool, n int) bool {
	for c := range set {
		if c < 0 || c >= n {
			return false
		}
	}
	return true
}

// parsePageSize reads hw:mem_page_size as Nova does: small, large, any,
// a number of KiB, or a size with a unit (2MB, 1GiB).
func parsePageSize(v string) (int, error) {
	switch v {
	case "small":
		return pagesSmall, nil
	case "large":
		return pagesLarge, nil
	case "any":
		return pagesAny, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && strings.TrimLeft(v, "0123456789") == "" {
		return n, nil
	}
	num := strings.TrimRight(v, "KMGTPEiBb")
	unit := v[len(num):]
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	mult := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MiB": 1 << 20,
		"G": 1 << 30, "GB": 1 << 30, "GiB": 1 << 30, "T": 1 << 40, "TB": 1 << 40, "TiB": 1 << 40}[unit]
	if err != nil || mult == 0 || n < 0 {
		return 0, fmt.Errorf("hw:mem_page_size=%s is not small, large, any or a page size (MemoryPageSizeInvalid)", v)
	}
	return int(n * mult / 1024), nil
}

// parseNovaCPUSpec reads a CPU set as nova's parse_cpu_spec does:
// "1-4,^3,6", white space around items ignored, exclusions last.
func parseNovaCPUSpec(spec string) ([]int, error) {
	in, out := map[int]bool{}, map[int]bool{}
	num := func(s string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 1<<16 {
			return 0, fmt.Errorf("%q is not a CPU number", strings.TrimSpace(s))
		}
		return n, nil
	}
	for _, rule := range strings.Split(spec, ",") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		to := in
		if a, b, isRange := strings.Cut(rule, "-"); isRange {
			if strings.HasPrefix(a, "^") {
				to, a = out, a[1:]
			}
			lo, err1 := num(a)
			hi, err2 := num(b)
			if err1 != nil || err2 != nil || lo > hi {
				return nil, fmt.Errorf("invalid range expression %q", rule)
			}
			for c := lo; c <= hi; c++ {
				to[c] = true
			}
			continue
		}
		if strings.HasPrefix(rule, "^") {
			to, rule = out, rule[1:]
		}
		c, err := num(rule)
		if err != nil {
			return nil, fmt.Errorf("invalid expression %q", rule)
		}
		to[c] = true
	}
	var cpus []int
	for c := range in {
		if !out[c] {
			cpus = append(cpus, c)
		}
	}
	sort.Ints(cpus)
	return cpus, nil
}

// hostCell is one NUMA cell of the host as Nova's libvirt driver reports
// it, with what is in use.
type hostCell struct {
	id int
	// socket is the node's CPU package, -1 when unknown (libvirt gives
	// the cell none, Nova's socket policy then finds no device off the
	// guest's own nodes).
	socket         int
	shared, pinned int // CPUs of cpu_shared_set / cpu_dedicated_set
	memoryMB       int
	pages          []pagePool // smallest first
	// In use: shared vCPUs, pinned CPUs, memory (MB).
	cpuUsage, pinnedUsed, memUsage int
}

// pagePool is a page size of a host cell: total, reserved and used
// pages.
type pagePool struct {
	sizeKB                int
	total, reserved, used int
}

func (p pagePool) free() int { return p.total - p.used - p.reserved }

// hostNUMA is a host's NUMA layout for the fit, read once per host.
type hostNUMA struct {
	cells []hostCell
	// cpuRatio and ramRatio are the allocation ratios the filter uses.
	cpuRatio, ramRatio float64
	// problem says why the layout is not judged (it is unknown, or the
	// compute's CPU options stop nova-compute); "" when it is.
	problem string
	// key identifies the layout: hosts with the same key fit alike.
	key string
}

// numaLayout builds the host's cells from its report: the NUMA nodes
// and the compute's CPU and memory options.
func (h *HostSupply) numaLayout(rep *report.Report, rel novarelease.Release) *hostNUMA {
	hn := &hostNUMA{}
	conf := rep.NovaConf
	last := func(opt novaconf.Option) (string, bool) {
		vals := reportOptions(conf, opt)
		if len(vals) == 0 {
			return "", false
		}
		return vals[len(vals)-1], true
	}
	hn.cpuRatio, hn.ramRatio = initialRatios(rel)
	for _, r := range []struct {
		opt, initial novaconf.Option
		to           *float64
	}{{novaconf.OptCPUAllocationRatio, novaconf.OptInitialCPUAllocationRatio, &hn.cpuRatio}, {novaconf.OptRAMAllocationRatio, novaconf.OptInitialRAMAllocationRatio, &hn.ramRatio}} {
		if v, ok := last(r.initial); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f > 0 {
				*r.to = f
			}
		}
		if v, ok := last(r.opt); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f > 0 {
				*r.to = f
			}
		}
	}
	topo := h.Host.NUMATopology
	if len(topo) == 0 {
		hn.problem = "its report does not give the NUMA nodes' CPUs and memory (preflight before gpupass read them)"
		return hn
	}
	nodeCPUs := make([][]int, len(topo))
	var all []int
	for i, n := range topo {
		cpus, err := hostinfo.ParseCPUList(n.CPUs)
		if err != nil {
			hn.problem = fmt.Sprintf("NUMA node %d's CPUs %q: %v", n.ID, n.CPUs, err)
			return hn
		}
		nodeCPUs[i] = cpus
		all = append(all, cpus...)
	}
	online := all
	if h.Host.CPUsOnline != "" {
		if cpus, err := hostinfo.ParseCPUList(h.Host.CPUsOnline); err == nil {
			online = cpus
		}
	}
	onlineSet := setOf(online)
	parseSet := func(opt novaconf.Option) (cpuSet, string, error) {
		v, ok := last(opt)
		if !ok || strings.TrimSpace(v) == "" {
			return nil, "", nil
		}
		cpus, err := parseNovaCPUSpec(v)
		if err != nil {
			return nil, v, fmt.Errorf("%s = %s: %v", opt, v, err)
		}
		for _, c := range cpus {
			if !onlineSet.has(c) {
				return nil, v, fmt.Errorf("%s = %s names CPU %d, which is not online (%s): nova-compute refuses to start", opt, v, c, hostinfo.FormatCPUList(online))
			}
		}
		return setOf(cpus), v, nil
	}
	pinSet, pinText, err := parseSet(novaconf.OptVCPUPinSet)
	if err == nil {
		var sharedSet, dedSet cpuSet
		var sharedText, dedText string
		sharedSet, sharedText, err = parseSet(novaconf.OptCPUSharedSet)
		if err == nil {
			dedSet, dedText, err = parseSet(novaconf.OptCPUDedicatedSet)
		}
		if err == nil {
			shared, dedicated := hn.cpuSets(onlineSet, pinSet, pinText, sharedSet, sharedText, dedSet, dedText)
			hn.cells = buildCells(topo, nodeCPUs, shared, dedicated, reportOptions(conf, novaconf.OptReservedHugePages))
		}
	}
	if err != nil {
		hn.problem = err.Error()
	}
	hn.key = fmt.Sprint(hn.cells, hn.cpuRatio, hn.ramRatio)
	return hn
}

// cpuSets are the host CPUs for shared and for pinned vCPUs
// (_get_vcpu_available, _get_pcpu_available and the legacy fallback of
// _get_host_numa_topology).
func (hn *hostNUMA) cpuSets(online, pin cpuSet, pinText string, shared cpuSet, sharedText string, dedicated cpuSet, dedText string) (cpuSet, cpuSet) {
	var vcpus cpuSet
	switch {
	case pinText != "":
		vcpus = pin
	case sharedText != "":
		vcpus = shared
	case dedText != "":
		vcpus = cpuSet{}
	default:
		vcpus = online
	}
	pcpus := dedicated
	if dedText == "" {
		pcpus = cpuSet{}
	}
	if pcpus.count() == 0 && !(sharedText != "" && pinText == "") {
		pcpus = vcpus
	}
	return vcpus, pcpus
}

func buildCells(topo []hostinfo.NUMANode, nodeCPUs [][]int, shared, dedicated cpuSet, reservedHuge []string) []hostCell {
	reserved := parseReservedHugePages(reservedHuge)
	cells := make([]hostCell, len(topo))
	for i, n := range topo {
		c := hostCell{id: n.ID, socket: -1, memoryMB: int(n.MemoryKB / 1024)}
		if n.Socket != nil {
			c.socket = *n.Socket
		}
		for _, cpu := range nodeCPUs[i] {
			if shared.has(cpu) {
				c.shared++
			}
			if dedicated.has(cpu) {
				c.pinned++
			}
		}
		smallKB := n.MemoryKB
		for _, p := range n.HugePages {
			smallKB -= p.SizeKB * p.Total
		}
		c.pages = append(c.pages, pagePool{sizeKB: 4, total: int(max(smallKB, 0) / 4), reserved: reserved[[2]int{n.ID, 4}]})
		for _, p := range n.HugePages {
			c.pages = append(c.pages, pagePool{sizeKB: int(p.SizeKB), total: int(p.Total), reserved: reserved[[2]int{n.ID, int(p.SizeKB)}]})
		}
		cells[i] = c
	}
	return cells
}

// parseReservedHugePages reads reserved_huge_pages values
// ("node:0,size:2048,count:64"; size may carry a unit) by node and size.
func parseReservedHugePages(values []string) map[[2]int]int {
	out := map[[2]int]int{}
	for _, v := range values {
		kv := map[string]string{}
		for _, item := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(item, ":")
			kv[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		node, err1 := strconv.Atoi(kv["node"])
		count, err2 := strconv.Atoi(kv["count"])
		size, err3 := strconv.Atoi(kv["size"])
		if err3 != nil {
			if s, err := parsePageSize(kv["size"]); err == nil && s > 0 {
				size, err3 = s, nil
			}
		}
		if err1 == nil && err2 == nil && err3 == nil {
			out[[2]int{node, size}] = count
		}
	}
	return out
}

// initialRatios are the allocation ratios a compute node starts with when
// nova.conf sets none: 16.0 and 1.5 up to Zed, 4.0 and 1.0 from 2023.1.
func initialRatios(rel novarelease.Release) (float64, float64) {
	if rel.Major > 0 && rel.Major < 27 {
		return 16.0, 1.5
	}
	return 4.0, 1.0
}

// cpuSet is a set of CPU numbers, indexed by CPU.
type cpuSet []bool

func setOf(cpus []int) cpuSet {
	size := 0
	for _, c := range cpus {
		size = max(size, c+1)
	}
	s := make(cpuSet, size)
	for _, c := range cpus {
		s[c] = true
	}
	return s
}

func (s cpuSet) has(c int) bool { return c >= 0 && c < len(s) && s[c] }

func (s cpuSet) count() int {
	n := 0
	for _, in := range s {
		if in {
			n++
		}
	}
	return n
}

// fitCell is _numa_fit_instance_cell: whether the guest cell fits the
// host cell, the page size it takes (0: none asked), and why not.
func fitCell(hc *hostCell, gc guestCell, g *guestNUMA, cpuRatio, ramRatio float64, reserved int) (int, string) {
	memKB := gc.memoryMB * 1024
	pageSize := 0
	if g.pageSize != 0 {
		var sizes []int
		for i := len(hc.pages) - 1; i >= 0; i-- { // largest first
			sizes = append(sizes, hc.pages[i].sizeKB)
		}
		switch g.pageSize {
		case pagesSmall:
			sizes = sizes[len(sizes)-1:]
		case pagesLarge:
			sizes = sizes[:len(sizes)-1]
		case pagesAny:
		default:
			sizes = []int{g.pageSize}
		}
		for _, s := range sizes {
			p := hc.pool(s)
			if p != nil && memKB <= p.free()*p.sizeKB && memKB%p.sizeKB == 0 {
				pageSize = s
				break
			}
		}
		if pageSize == 0 {
			freeMB := 0
			for _, s := range sizes {
				if p := hc.pool(s); p != nil {
					freeMB += p.free() * p.sizeKB / 1024
				}
			}
			return 0, fmt.Sprintf("%d MB of RAM in %s; the node has %d MB free in %s", gc.memoryMB, pageSizeText(g.pageSize), freeMB, pageSizeText(g.pageSize))
		}
	} else {
		small := hc.pages[0]
		avail := small.total * small.sizeKB
		if g.pins() {
			avail = small.free() * small.sizeKB
		}
		if memKB > avail || memKB%small.sizeKB != 0 {
			return 0, fmt.Sprintf("%d MB of RAM; the node has %d MB outside huge pages", gc.memoryMB, avail/1024)
		}
	}
	if g.pins() {
		need := gc.pinned + reserved
		if need > hc.pinned {
			return 0, fmt.Sprintf("%d dedicated CPUs%s; the node has %d", need, isolateText(reserved), hc.pinned)
		}
	}
	if g.policy != "dedicated" && gc.shared > hc.shared {
		return 0, fmt.Sprintf("%d shared vCPUs; the node has %d shared CPUs", gc.shared, hc.shared)
	}
	if g.pins() {
		need := gc.pinned + reserved
		if need > hc.pinned-hc.pinnedUsed {
			return 0, fmt.Sprintf("%d dedicated CPUs%s; %d of the node's %d are free", need, isolateText(reserved), hc.pinned-hc.pinnedUsed, hc.pinned)
		}
	}
	if g.policy != "dedicated" {
		if float64(hc.cpuUsage+gc.shared) > float64(hc.shared)*cpuRatio {
			return 0, fmt.Sprintf("%d vCPUs; the node takes %g more (%s × cpu_allocation_ratio %g)", gc.shared, float64(hc.shared)*cpuRatio-float64(hc.cpuUsage), prose.Plural(hc.shared, "shared CPU"), cpuRatio)
		}
		if float64(hc.memUsage+gc.memoryMB) > float64(hc.memoryMB)*ramRatio {
			return 0, fmt.Sprintf("%d MB of RAM; the node takes %g MB more (%d MB × ram_allocation_ratio %g)", gc.memoryMB, float64(hc.memoryMB)*ramRatio-float64(hc.memUsage), hc.memoryMB, ramRatio)
		}
	}
	return pageSize, ""
}

func isolateText(reserved int) string {
	if reserved > 0 {
		return " (one for the emulator threads)"
	}
	return ""
}

func pageSizeText(size int) string {
	switch size {
	case pagesSmall:
		return "small pages"
	case pagesLarge:
		return "huge pages"
	case pagesAny:
		return "pages of any size"
	}
	if size >= 1<<20 {
		return fmt.Sprintf("%d GiB pages", size>>20)
	}
	if size >= 1<<10 {
		return fmt.Sprintf("%d MiB pages", size>>10)
	}
	return fmt.Sprintf("%d KiB pages", size)
}

func (hc *hostCell) pool(sizeKB int) *pagePool {
	for i := range hc.pages {
		if hc.pages[i].sizeKB == sizeKB {
			return &hc.pages[i]
		}
	}
	return nil
}

// numaPlacement is a guest's cells placed on host cells: the host cell
// index of each guest cell and the page size each takes.
type numaPlacement struct {
	cells, pages []int
}

// pciCheck reports whether the PCI requests can take their devices on
// the chosen host cells (indexes into the layout's cells).
type pciCheck func(chosen []int) bool

// fitGuest is numa_fit_instance_to_host: the first permutation of host
// cells that fits every guest cell (and the PCI requests), or nil and why
// the best cells do not.
func (hn *hostNUMA) fitGuest(g *guestNUMA, pci pciCheck, pciByNode map[int]int) (*numaPlacement, string) {
	n, m := len(g.cells), len(hn.cells)
	if n > m {
		return nil, fmt.Sprintf("the flavor asks for %d NUMA nodes, the host has %d", n, m)
	}
	order := hn.order(g, pci != nil, pciByNode)
	// Whether guest cell j fits host cell i, and why not, computed once.
	fits := make([][]string, m)
	pages := make([][]int, m)
	for i := range hn.cells {
		fits[i] = make([]string, n)
		pages[i] = make([]int, n)
		for j, gc := range g.cells {
			reserved := 0
			if j == 0 && g.isolate {
				reserved = 1
			}
			pages[i][j], fits[i][j] = fitCell(&hn.cells[i], gc, g, hn.cpuRatio, hn.ramRatio, reserved)
		}
	}
	chosen := make([]int, 0, n)
	used := make([]bool, m)
	pciRefused := false
	var try func(j int) bool
	try = func(j int) bool {
		if j == n {
			if pci != nil && !pci(chosen) {
				pciRefused = true
				return false
			}
			return true
		}
		for _, i := range order {
			if used[i] || fits[i][j] != "" {
				continue
			}
			used[i] = true
			chosen = append(chosen, i)
			if try(j + 1) {
				return true
			}
			chosen = chosen[:len(chosen)-1]
			used[i] = false
		}
		return false
	}
	if try(0) {
		p := &numaPlacement{cells: append([]int(nil), chosen...), pages: make([]int, n)}
		for j, i := range chosen {
			p.pages[j] = pages[i][j]
		}
		return p, ""
	}
	if pciRefused {
		return nil, ""
	}
	// Why: the first guest cell that no host cell takes, else the cells
	// cannot all be placed on distinct nodes.
	for j, gc := range g.cells {
		ok := false
		for i := range m {
			ok = ok || fits[i][j] == ""
		}
		if !ok {
			return nil, hn.refusal(g, j, gc, fits)
		}
	}
	return nil, fmt.Sprintf("its %s do not fit %s of the host's at once", prose.Plural(n, "NUMA node"), prose.Plural(n, "distinct node"))
}

// refusal words why no host node takes guest cell j: what the flavor asks
// of one node and what the nodes have.
func (hn *hostNUMA) refusal(g *guestNUMA, j int, gc guestCell, fits [][]string) string {
	asks := fmt.Sprintf("hw:numa_nodes=%d asks", len(g.cells))
	if len(g.cells) == 1 && g.pins() {
		asks = "hw:cpu_policy=" + g.policy + " gives the guest one NUMA node and asks"
	}
	// The same reason on every node reads once.
	first := fits[0][j]
	same := true
	for i := range hn.cells {
		same = same && fits[i][j] == first
	}
	what := fmt.Sprintf("%s %s in one NUMA node", asks, cellAsk(g, gc))
	if same {
		return what + ": " + nodeReason(first, len(hn.cells))
	}
	var parts []string
	for i := range hn.cells {
		parts = append(parts, fmt.Sprintf("node %d: %s", hn.cells[i].id, strings.SplitN(fits[i][j], "; ", 2)[len(strings.SplitN(fits[i][j], "; ", 2))-1]))
	}
	return what + ": " + strings.Join(parts, ", ")
}

func cellAsk(g *guestNUMA, gc guestCell) string {
	var parts []string
	switch {
	case gc.pinned > 0 && gc.shared > 0:
		parts = append(parts, fmt.Sprintf("%d dedicated and %d shared vCPUs", gc.pinned, gc.shared))
	case gc.pinned > 0:
		parts = append(parts, fmt.Sprintf("%d dedicated vCPUs", gc.pinned))
	default:
		parts = append(parts, fmt.Sprintf("%d vCPUs", gc.shared))
	}
	mem := fmt.Sprintf("%d MB of RAM", gc.memoryMB)
	if g.pageSize != 0 {
		mem += " in " + pageSizeText(g.pageSize)
	}
	return strings.Join(append(parts, mem), " and ")
}

// nodeReason turns fitCell's reason into "the host's nodes have ...".
func nodeReason(why string, nodes int) string {
	_, have, ok := strings.Cut(why, "; ")
	if !ok {
		return why
	}
	each := ""
	if nodes > 1 {
		each = " each"
	}
	return "the host's nodes have" + strings.TrimPrefix(strings.TrimPrefix(have, "the node has"), "the node takes") + each
}

// order is the order numa_fit_instance_to_host tries the host cells in
// when the guest has fewer cells than the host (spreading, the default of
// [compute]packing_host_numa_cells_allocation_strategy): most free memory
// first, then least used CPUs (most free dedicated CPUs for pinned
// guests), then most free PCI devices when the guest asks for some
// (fewest when not); each sort stable, as Python's sorted is.
func (hn *hostNUMA) order(g *guestNUMA, pciAsked bool, pciByNode map[int]int) []int {
	order := make([]int, len(hn.cells))
	for i := range order {
		order[i] = i
	}
	if len(g.cells) >= len(hn.cells) {
		return order
	}
	cells := hn.cells
	sort.SliceStable(order, func(a, b int) bool {
		return cells[order[a]].memoryMB-cells[order[a]].memUsage > cells[order[b]].memoryMB-cells[order[b]].memUsage
	})
	if g.policy == "shared" {
		sort.SliceStable(order, func(a, b int) bool { return cells[order[a]].cpuUsage < cells[order[b]].cpuUsage })
	} else {
		sort.SliceStable(order, func(a, b int) bool {
			return cells[order[a]].pinned-cells[order[a]].pinnedUsed > cells[order[b]].pinned-cells[order[b]].pinnedUsed
		})
	}
	if pciByNode != nil {
		sort.SliceStable(order, func(a, b int) bool {
			pa, pb := pciByNode[cells[order[a]].id], pciByNode[cells[order[b]].id]
			if pciAsked {
				return pa > pb
			}
			return pa < pb
		})
	}
	return order
}

// take records the guest on its host cells (numa_usage_from_instance_numa).
func (hn *hostNUMA) take(g *guestNUMA, p *numaPlacement) {
	for j, i := range p.cells {
		hc, gc := &hn.cells[i], g.cells[j]
		hc.memUsage += gc.memoryMB
		hc.cpuUsage += gc.shared
		if g.pins() {
			hc.pinnedUsed += gc.pinned
			if j == 0 && g.isolate {
				hc.pinnedUsed++
			}
		}
		// The page size taken, else the smallest
		// (_numa_pagesize_usage_from_cell).
		size := p.pages[j]
		if size <= 0 {
			size = hc.pages[0].sizeKB
		}
		if pool := hc.pool(size); pool != nil {
			pool.used += gc.memoryMB * 1024 / size
		}
	}
}

// clone copies the layout, usage included.
func (hn *hostNUMA) clone() *hostNUMA {
	c := *hn
	c.cells = make([]hostCell, len(hn.cells))
	for i, hc := range hn.cells {
		hc.pages = append([]pagePool(nil), hc.pages...)
		c.cells[i] = hc
	}
	return &c
}

// numaFitLayout is numaFits on a host whose NUMA layout is known: the
// guest's cells placed as Nova places them, the PCI requests' devices on
// the chosen nodes as the policy says.
func (v *View) numaFitLayout(ff *FlavorFit, h *HostSupply, supplies []aliasSupply) (ok bool, why string, cellsFit bool) {
	r := ff.numaResult(h, supplies)
	return r.ok, r.why, r.cellsFit
}

// numaMore is how many more instances of the flavor fit the host's NUMA
// nodes, its devices included, counting from an empty host; at most
// limit (-1: no limit known).
func (v *View) numaMore(ff *FlavorFit, h *HostSupply, supplies []aliasSupply, limit int) int {
	r := ff.numaResult(h, supplies)
	if r.more < 0 {
		r.more = countMore(ff, h.numa, supplies, maxNUMAMore)
	}
	if limit >= 0 && limit < r.more {
		return limit
	}
	return r.more
}

// maxNUMAMore bounds the count of instances that fit a host's nodes.
const maxNUMAMore = 4096

// numaOutcome is a flavor's NUMA fit on a host, computed once for all the
// hosts with the same layout and the same free devices on each node (a
// fleet is made of few kinds of hosts).
type numaOutcome struct {
	ok, cellsFit bool
	why          string
	more         int // -1: not counted yet
}

// numaKey is a kind of host for a flavor: its layout's key and its free
// devices per node for each request (strings the host already holds, so
// a lookup allocates nothing with one request).
type numaKey struct{ layout, devices string }

func (ff *FlavorFit) numaResult(h *HostSupply, supplies []aliasSupply) *numaOutcome {
	key := numaKey{layout: h.numa.key}
	for i := range ff.Requests {
		nodes := supplies[i].freeNodes
		if nodes == "" {
			nodes = freeNodesKey(supplies[i].devs)
		}
		if i == 0 {
			key.devices = nodes
		} else {
			key.devices += "|" + nodes
		}
	}
	if r, ok := ff.numaCache[key]; ok {
		return r
	}
	r := &numaOutcome{more: -1}
	pools := pciPools(ff, supplies)
	p, why := h.numa.fitGuest(ff.guest, pools.check(ff, h.numa), pools.byNode())
	switch {
	case p != nil:
		r.ok, r.cellsFit = true, true
	case why == "":
		// The cells fit, but not with the devices.
		r.why, r.cellsFit = pools.refusal(ff, h.numa), true
	default:
		r.why = why
	}
	if ff.numaCache == nil {
		ff.numaCache = map[numaKey]*numaOutcome{}
	}
	ff.numaCache[key] = r
	return r
}

// freeNodesKey says how many free devices sit on each NUMA node.
func freeNodesKey(devs []*SupplyDevice) string {
	byNode := map[int]int{}
	for _, d := range devs {
		if !d.Used {
			byNode[d.NUMANode]++
		}
	}
	nodes := make([]int, 0, len(byNode))
	for n := range byNode {
		nodes = append(nodes, n)
	}
	sort.Ints(nodes)
	var b strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&b, "%d:%d,", n, byNode[n])
	}
	b.WriteByte('.') // never "": "" means not computed
	return b.String()
}

// countMore places guests one after the other on an empty copy of the
// layout until one does not fit, at most limit.
func countMore(ff *FlavorFit, layout *hostNUMA, supplies []aliasSupply, limit int) int {
	hn := layout.clone()
	pools := pciPools(ff, supplies)
	for n := 0; ; n++ {
		if n >= limit {
			return n
		}
		p, _ := hn.fitGuest(ff.guest, pools.check(ff, hn), pools.byNode())
		if p == nil {
			return n
		}
		hn.take(ff.guest, p)
		pools.take(ff, hn, p.cells)
	}
}

// devicePools are the free devices of each PCI request by NUMA node
// (node -1: none reported).
type devicePools []map[int]int

func pciPools(ff *FlavorFit, supplies []aliasSupply) devicePools {
	pools := make(devicePools, len(ff.Requests))
	for i := range ff.Requests {
		pools[i] = map[int]int{}
		for _, d := range supplies[i].devs {
			if !d.Used {
				pools[i][d.NUMANode]++
			}
		}
	}
	return pools
}

// allowed reports whether a device on node may serve a guest on the
// chosen cells under the policy (PciDeviceStats._filter_pools_for_numa_cells
// and, for socket, _filter_pools_for_socket_affinity: a device on any node
// of the chosen nodes' sockets, when every node's socket is known; the
// guest's own nodes come first, and they are on those sockets).
func allowed(policy string, node int, hn *hostNUMA, chosen []int) bool {
	if policy == "preferred" {
		return true
	}
	if node < 0 {
		return policy == "legacy"
	}
	for _, i := range chosen {
		if hn.cells[i].id == node {
			return true
		}
	}
	if policy != "socket" {
		return false
	}
	socket := -1
	for _, c := range hn.cells {
		if c.socket < 0 {
			return false
		}
		if c.id == node {
			socket = c.socket
		}
	}
	for _, i := range chosen {
		if socket >= 0 && hn.cells[i].socket == socket {
			return true
		}
	}
	return false
}

// check is the PCI check of a fit; nil when the flavor asks no device.
func (pools devicePools) check(ff *FlavorFit, hn *hostNUMA) pciCheck {
	if len(ff.Requests) == 0 {
		return nil
	}
	return func(chosen []int) bool { return pools.fits(ff, hn, chosen) }
}

// byNode counts the free devices on each node, for the order of the
// cells; nil without devices (the host's PCI stats sort nothing then).
func (pools devicePools) byNode() map[int]int {
	if len(pools) == 0 {
		return nil
	}
	out := map[int]int{}
	for _, p := range pools {
		for node, n := range p {
			out[node] += n
		}
	}
	return out
}

func (pools devicePools) fits(ff *FlavorFit, hn *hostNUMA, chosen []int) bool {
	for i, r := range ff.Requests {
		n := 0
		for node, free := range pools[i] {
			if allowed(ff.Policy, node, hn, chosen) {
				n += free
			}
		}
		if n < countOf(r) {
			return false
		}
	}
	return true
}

// take removes a placed guest's devices: from its own nodes first.
func (pools devicePools) take(ff *FlavorFit, hn *hostNUMA, chosen []int) {
	for i, r := range ff.Requests {
		want := countOf(r)
		var nodes []int
		for _, c := range chosen {
			nodes = append(nodes, hn.cells[c].id)
		}
		var rest []int
		for node := range pools[i] {
			if !slicesContains(nodes, node) && allowed(ff.Policy, node, hn, chosen) {
				rest = append(rest, node)
			}
		}
		sort.Ints(rest)
		for _, node := range append(nodes, rest...) {
			n := min(want, pools[i][node])
			pools[i][node] -= n
			want -= n
		}
	}
}

func slicesContains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// refusal says why the PCI devices refuse every placement of the cells.
func (pools devicePools) refusal(ff *FlavorFit, hn *hostNUMA) string {
	for i, r := range ff.Requests {
		var on []string
		for _, c := range hn.cells {
			if n := pools[i][c.id]; n > 0 {
				on = append(on, fmt.Sprintf("%d on node %d", n, c.id))
			}
		}
		if n := pools[i][-1]; n > 0 {
			on = append(on, fmt.Sprintf("%d on no node", n))
		}
		where := "none free"
		if len(on) > 0 {
			where = strings.Join(on, ", ")
		}
		if countOf(r) > 1 || len(ff.guest.cells) > 0 {
			return fmt.Sprintf("with the %s NUMA policy the %d %s devices asked must sit on the guest's %s, and no placement of them gets enough (%s)",
				ff.Policy, countOf(r), r.Name, prose.Plural(len(ff.guest.cells), "NUMA node"), where)
		}
	}
	return "the PCI devices asked cannot sit on the guest's NUMA nodes"
}
