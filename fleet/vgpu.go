package fleet

// This file models flavors that ask for virtual GPUs (mediated devices)
// through Placement resource classes, and the providers Nova's libvirt
// driver makes for them.
//
// What a flavor asks: Nova's ResourceRequest (nova/scheduler/utils.py,
// identical in Zed 26.2.2 and 2026.2 34.0.0) reads every extra spec whose
// key matches ^(resources|trait)([a-zA-Z0-9_-]{1,64})?:(.*)$ (XS_KEYPAT):
// "resources:VGPU=1" adds to the unnumbered group, "resources1:VGPU=1" to
// group "1", "trait1:CUSTOM_X=required" to group "1"'s required traits;
// group_policy is none or isolate, anything else is logged and ignored
// (_add_group_policy). RequestGroup.add_resource (nova/objects/
// request_spec.py) keeps only CUSTOM_* or standard classes with a
// non-negative integer amount; strip_zeros drops zero amounts.
//
// What Placement does with it (placement 8.0.0, the Zed lab's): a numbered
// group is satisfied by one provider (use_same_provider); the unnumbered
// group takes each class from one provider of the tree and its traits
// collectively from the providers in play (_check_traits_for_alloc_request);
// more than one numbered group without group_policy is a 400 ("The
// "group_policy" parameter is required when specifying more than one
// "resources{N}" parameter", handlers/allocation_candidate.py), and Nova
// only defaults group_policy to none when at most one numbered group comes
// from the flavor (resources_from_request_spec); isolate puts numbered
// groups on distinct providers (_satisfies_group_policy); an amount must
// lie within min_unit..max_unit and be a multiple of step_size.
//
// What the providers are: nova/virt/libvirt/driver.py _ensure_pgpu_providers
// names one child of the compute node's root provider per mdev parent
// "<nodename>_<libvirt nodedev name>", e.g. host_pci_0000_84_00_0, with an
// inventory of VGPU or the type's mdev_class, max_unit = total
// (_get_gpu_inventories). On SR-IOV GPUs every VF is a parent: one provider
// per VF, each of total 1. PCI devices tracked in Placement are named
// "<nodename>_<PCI ADDRESS>" (0000:84:00.0, with colons) instead and are
// not vGPU providers.
//
// What the compute node does with the allocation: until Nova 2026.1
// (33.0.0) _allocate_mdevs took only the first provider's allocation
// ("More than one allocation was passed over to libvirt while at the moment
// libvirt only supports one. Only the first allocation will be looked
// up.", Zed 26.2.2 and 2025.1 31.0.0); openstack/nova commit 55a36f8f6a
// "Support multiple allocations for vGPUs" (first tag 33.0.0, release note
// bug-1758086-e9d147380d149789.yaml) honours every group.

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gpupass/gpupass/internal/pysem"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novaconf"
)

// SpecGroupPolicy is the flavor extra spec that says how numbered request
// groups share providers.
const SpecGroupPolicy = "group_policy"

// ClassVGPU is Placement's standard resource class of virtual GPUs.
const ClassVGPU = "VGPU"

// MultiVGPURelease is the Nova major version whose libvirt driver claims
// the mdevs of every vGPU allocation of an instance (2026.1, 33.0.0);
// before it only the first provider's allocation became mdevs.
const MultiVGPURelease = 33

// xsKey is Nova's ResourceRequest.XS_KEYPAT.
var xsKey = regexp.MustCompile(`^(resources|trait)([a-zA-Z0-9_-]{1,64})?:(.*)$`)

// nodedevName is the tail libvirt gives a PCI mdev parent in a provider's
// name: pci_0000_84_00_0.
var nodedevName = regexp.MustCompile(`_pci_([0-9a-f]{4})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$`)

// ResourceGroup is one request group of a flavor, as Nova's
// ResourceRequest builds it from the extra specs.
type ResourceGroup struct {
	// Suffix is "" for the unnumbered group, else the N of resourcesN.
	Suffix string
	// Resources are the amounts by class (zeros and invalid values left
	// out, as Nova leaves them out); Keys the extra spec of each.
	Resources map[string]int
	Keys      map[string]string
	// Required and Forbidden are the traits, sorted; TraitKeys the extra
	// spec of each.
	Required, Forbidden []string
	TraitKeys           map[string]string
}

// Numbered reports a resourcesN group (one provider satisfies it).
func (g *ResourceGroup) Numbered() bool { return g.Suffix != "" }

// ParseResourceGroups reads a flavor's request groups and group_policy as
// Nova does: groups with neither resources nor traits are left out, the
// unnumbered group comes first, numbered groups in suffix order. policy is
// "" when none is set or the value is not none or isolate (Nova ignores
// it); badPolicy is then the value Nova ignored.
func ParseResourceGroups(specs map[string]string) (groups []*ResourceGroup, policy, badPolicy string) {
	bySuffix := map[string]*ResourceGroup{}
	get := func(s string) *ResourceGroup {
		g := bySuffix[s]
		if g == nil {
			g = &ResourceGroup{Suffix: s, Resources: map[string]int{}, Keys: map[string]string{}, TraitKeys: map[string]string{}}
			bySuffix[s] = g
		}
		return g
	}
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		val := specs[key]
		if key == SpecGroupPolicy {
			if val == "none" || val == "isolate" {
				policy = val
			} else {
				badPolicy = val
			}
			continue
		}
		m := xsKey.FindStringSubmatch(key)
		if m == nil {
			continue
		}
		prefix, suffix, name := m[1], m[2], m[3]
		switch prefix {
		case "resources":
			if !strings.HasPrefix(name, "CUSTOM_") && !standardClass(name) {
				continue // Nova logs "Received an invalid ResourceClass"
			}
			n, err := pyInt(val)
			if err != nil || n <= 0 {
				continue // negative or not a number: Nova skips it; zero: strip_zeros
			}
			g := get(suffix)
			g.Resources[name], g.Keys[name] = n, key
		case "trait":
			g := get(suffix)
			switch val {
			case "required":
				g.Required = append(g.Required, name)
			case "forbidden":
				g.Forbidden = append(g.Forbidden, name)
			default:
				continue
			}
			g.TraitKeys[name] = key
		}
	}
	for _, g := range bySuffix {
		if len(g.Resources) == 0 && len(g.Required) == 0 && len(g.Forbidden) == 0 {
			continue // strip_zeros drops empty groups (from_request_spec)
		}
		sort.Strings(g.Required)
		sort.Strings(g.Forbidden)
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return suffixLess(groups[i].Suffix, groups[j].Suffix) })
	return groups, policy, badPolicy
}

// suffixLess orders group suffixes: "" first, numbers by value, then text.
func suffixLess(a, b string) bool {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	switch {
	case a == "" || b == "":
		return a == "" && b != ""
	case ea == nil && eb == nil:
		return na < nb
	case (ea == nil) != (eb == nil):
		return ea == nil
	}
	return a < b
}

// pyInt is Python's int() of an extra spec's value (internal/pysem, as
// pcispec reads extra specs): white space, a sign, underscores between
// digits and Unicode decimal digits are accepted; a number beyond int64
// is an error here (Placement takes none that large).
func pyInt(s string) (int, error) {
	r := pysem.Py311.ParseInt(s, 10)
	if r.Value == nil {
		return 0, errors.New(r.Err)
	}
	if !r.Value.IsInt64() {
		return 0, fmt.Errorf("%s is too large", r.Value)
	}
	return int(r.Value.Int64()), nil
}

// standardClass reports the standard resource classes of os-resource-classes
// that matter to a flavor (the rest of orc.STANDARDS is accepted too, but a
// flavor asking for them is no concern of the audit).
func standardClass(name string) bool {
	switch name {
	case "VCPU", "MEMORY_MB", "DISK_GB", "PCPU", "VGPU", "VGPU_DISPLAY_HEAD", "PGPU", "SRIOV_NET_VF",
		"NUMA_SOCKET", "NUMA_CORE", "NUMA_THREAD", "NUMA_MEMORY_MB", "IPV4_ADDRESS", "MEM_ENCRYPTION_CONTEXT",
		"FPGA", "NET_BW_EGR_KILOBIT_PER_SEC", "NET_BW_IGR_KILOBIT_PER_SEC", "NET_PACKET_RATE_KILOPACKET_PER_SEC",
		"NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC", "NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC", "PMEM_NAMESPACE_SMALL",
		"PMEM_NAMESPACE_MEDIUM", "PMEM_NAMESPACE_LARGE", "PCI_DEVICE":
		return true
	}
	return false
}

// VGPUProvider is a child provider Nova's libvirt driver made for one mdev
// parent.
type VGPUProvider struct {
	RP *cloudmodel.ResourceProvider
	// Host is the root provider's name (the nodename).
	Host string
	// Parent is the mdev parent's PCI address (0000:84:00.0) read back from
	// the provider's name; the name's tail when it is not a PCI nodedev.
	Parent string
}

// VGPUHost is a compute node with vGPU providers.
type VGPUHost struct {
	// Name is the root provider's name.
	Name      string
	Root      *cloudmodel.ResourceProvider
	Providers []*VGPUProvider
	// VCPU and MemoryMB are the root provider's.
	VCPU, MemoryMB Capacity
	Hypervisor     *cloudmodel.Hypervisor
	// Down says why the scheduler passes the host over ("" when it does not).
	Down string
	// Supply is the host's report, when --reports has one.
	Supply *HostSupply
	// placed remembers, by VGPURequest.key, how a request places on this
	// host: every flavor asking the same groups gets the same answer.
	placed sync.Map // string -> *placement
}

// placement is how a request's groups place on a host (fitHost): whether
// its providers could ever give one instance, and, from what they have
// free, how many more fit and how many at once. Filled once, under mu.
type placement struct {
	mu                     sync.Mutex
	capacityDone, freeDone bool
	providers              bool
	more, atMin, atMax     int
	atKnown                bool
}

// isVGPUProvider tells a provider of mdevs from other children of a root:
// a VGPU inventory, or a name <root>_pci_dddd_bb_ss_f (libvirt's nodedev
// name: PCI in Placement names its providers with the address itself).
func isVGPUProvider(rp *cloudmodel.ResourceProvider, root string) bool {
	if _, ok := rp.Inventories[ClassVGPU]; ok {
		return true
	}
	return len(rp.Inventories) > 0 && strings.HasPrefix(rp.Name, root+"_") && nodedevName.MatchString(rp.Name)
}

// parentOf reads the mdev parent's address back from a provider's name.
func parentOf(name, root string) string {
	if m := nodedevName.FindStringSubmatch(name); m != nil {
		return fmt.Sprintf("%s:%s:%s.%s", m[1], m[2], m[3], m[4])
	}
	return strings.TrimPrefix(name, root+"_")
}

// vgpuModel finds the vGPU hosts and the classes offered, looks the hosts
// up in the hypervisor list and links them to their host reports.
func (v *View) vgpuModel(cloud *cloudmodel.Snapshot, hyps map[string]*cloudmodel.Hypervisor) {
	v.vgpuOffered, v.anyOffered = map[string]bool{}, map[string]bool{}
	for _, rp := range cloud.ResourceProviders {
		for c := range rp.Inventories {
			v.anyOffered[c] = true
		}
	}
	v.VGPUHosts = vgpuHosts(cloud)
	byName := map[string]*HostSupply{}
	for _, h := range v.Hosts {
		byName[strings.ToLower(h.Name)] = h
	}
	for _, h := range v.VGPUHosts {
		for _, p := range h.Providers {
			for c := range p.RP.Inventories {
				v.vgpuOffered[c] = true
			}
		}
		hv := hyps[strings.ToLower(h.Name)]
		if hv == nil {
			hv = hyps[strings.ToLower(shortName(h.Name))]
		}
		if hv != nil {
			h.Hypervisor = hv
			switch {
			case hv.State == "down":
				h.Down = fmt.Sprintf("its nova-compute is down (hypervisor %s)", hv.Hostname)
			case hv.Status == "disabled":
				h.Down = fmt.Sprintf("its nova-compute is disabled (hypervisor %s)", hv.Hostname)
			}
		}
		s := byName[strings.ToLower(h.Name)]
		if s == nil {
			s = byName[strings.ToLower(shortName(h.Name))]
		}
		if s != nil {
			h.Supply, s.VGPU = s, h
		}
	}
}

// mdevHostsWithoutProviders names the hosts whose reports enable mdev types
// or show mdev parents while Placement has no vGPU provider under them.
func (v *View) mdevHostsWithoutProviders() []string {
	if !v.PlacementKnown {
		return nil
	}
	var out []string
	for _, h := range v.Hosts {
		if h.VGPU != nil {
			continue
		}
		switch {
		case len(h.EnabledMdevTypes) > 0:
			out = append(out, fmt.Sprintf("%s (enabled_mdev_types = %s)", h.Name, strings.Join(h.EnabledMdevTypes, ",")))
		case h.MdevParents > 0:
			out = append(out, fmt.Sprintf("%s (%s)", h.Name, plural(h.MdevParents, "mdev parent")))
		}
	}
	return out
}

// vgpuHosts collects the compute nodes with vGPU providers, by root
// provider, sorted by name.
func vgpuHosts(cloud *cloudmodel.Snapshot) []*VGPUHost {
	if cloud == nil {
		return nil
	}
	byUUID := map[string]*cloudmodel.ResourceProvider{}
	for i := range cloud.ResourceProviders {
		rp := &cloud.ResourceProviders[i]
		byUUID[rp.UUID] = rp
	}
	hosts := map[string]*VGPUHost{}
	for i := range cloud.ResourceProviders {
		rp := &cloud.ResourceProviders[i]
		if rp.ParentUUID == "" || rp.RootUUID == rp.UUID {
			continue
		}
		root := byUUID[rp.RootUUID]
		if root == nil || !isVGPUProvider(rp, root.Name) {
			continue
		}
		h := hosts[root.UUID]
		if h == nil {
			h = &VGPUHost{Name: root.Name, Root: root}
			for _, c := range []struct {
				cap   *Capacity
				class string
			}{{&h.VCPU, "VCPU"}, {&h.MemoryMB, "MEMORY_MB"}} {
				if inv, ok := root.Inventories[c.class]; ok {
					free, known := root.Free(c.class)
					*c.cap = Capacity{Total: inv.Capacity(), Free: free, Known: true, FreeKnown: known, From: "placement", MaxUnit: inv.MaxUnit}
				}
			}
			hosts[root.UUID] = h
		}
		h.Providers = append(h.Providers, &VGPUProvider{RP: rp, Host: root.Name, Parent: parentOf(rp.Name, root.Name)})
	}
	out := make([]*VGPUHost, 0, len(hosts))
	for _, h := range hosts {
		sort.Slice(h.Providers, func(i, j int) bool { return h.Providers[i].RP.Name < h.Providers[j].RP.Name })
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// VGPURequest is what a flavor asks of vGPU providers, and how it fits.
type VGPURequest struct {
	// Groups are the flavor's request groups that ask for a vGPU class;
	// All every group (the group_policy rule counts them all).
	Groups, All []*ResourceGroup
	// Policy is the group_policy in force ("" for none set); BadPolicy a
	// value Nova ignored.
	Policy, BadPolicy string
	// Problems are why no host can ever satisfy it, or why Nova's release
	// does not give the guest what Placement allocates (GP410).
	Problems []VGPUProblem
	// Hosts is the fit on each vGPU host.
	Hosts []*VGPUHostFit
	// classes are the vGPU classes the groups ask (other classes in them,
	// VCPU in the unnumbered group say, come from the root).
	classes map[string]bool
	// key is what placing it reads of it (its groups' vGPU amounts and
	// traits, in order, and the group policy): requests with one key place
	// alike on every host.
	key string
}

// placementKey is r.key: what place, atOnce and their walk read of r.
func (r *VGPURequest) placementKey() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policy=%q", r.Policy)
	for _, g := range r.Groups {
		fmt.Fprintf(&b, ";group%q", g.Suffix)
		var cs []string
		for c := range g.Resources {
			if r.classes[c] {
				cs = append(cs, c)
			}
		}
		sort.Strings(cs)
		for _, c := range cs {
			fmt.Fprintf(&b, ",%q=%d", c, g.Resources[c])
		}
		fmt.Fprintf(&b, ",required=%q,forbidden=%q", g.Required, g.Forbidden)
	}
	return b.String()
}

// VGPUProblem is one reason a vGPU flavor cannot work as written.
type VGPUProblem struct {
	// Kind is one of the Problem* constants.
	Kind string
	// Key is the extra spec at fault ("resources1:VGPU", "group_policy").
	Key string
	// Message says it, naming providers and hosts; Fix says what to do;
	// Short is the verdict's few words.
	Message, Fix, Short string
	// Providers are the providers the message names (bounded).
	Providers []string
	// Release is the Nova release whose rule applies ("" when it is
	// Placement's rule, the same in every release).
	Release string
	// Blocks is true when no server of the flavor can be scheduled (the
	// other problems boot with fewer vGPUs than asked).
	Blocks bool
}

// The kinds of VGPUProblem.
const (
	ProblemClassNotOffered = "class-not-offered"
	ProblemAmountTooBig    = "amount-too-big"
	ProblemTraitMissing    = "trait-missing"
	ProblemGroupsIgnored   = "groups-ignored"
	ProblemNoGroupPolicy   = "group-policy-missing"
)

// VGPUHostFit is how a vGPU flavor fits one host.
type VGPUHostFit struct {
	Host *VGPUHost
	// Providers: the host's providers satisfy every group (capacity, not
	// usage); Size: vCPUs and RAM fit the root provider; Up: its
	// nova-compute takes instances.
	Providers, Size, Up bool
	// Why says what fails once the providers are there.
	Why string
	// MoreFit is how many more instances fit now (exact: Placement's
	// usages are known).
	MoreFit int
	// AtOnceMin and AtOnceMax bound how many servers one request for
	// several gets on the host (see atOnce); AtOnceKnown is false when the
	// allocations were too many to look at.
	AtOnceMin, AtOnceMax int
	AtOnceKnown          bool
	// Most is the most of a vGPU class asked that one provider of the host
	// gives in one allocation; Offering counts the host's providers of the
	// classes asked (for the shortage message).
	Most, Offering int
}

// Bootable reports whether the flavor fits the host.
func (h *VGPUHostFit) Bootable() bool { return h.Providers && h.Size && h.Up }

// vgpuClass reports whether a class is one the audit judges as a vGPU: VGPU,
// or a CUSTOM_ class that a vGPU provider offers, or a CUSTOM_ class that no
// provider offers at all and is not PCI in Placement's CUSTOM_PCI_ (it
// cannot be told from a mistyped mdev_class). Classes offered by other
// providers only (PCI in Placement, device_spec resource_class, Ironic)
// are not.
func vgpuClass(class string, vgpuOffered, anyOffered map[string]bool) bool {
	switch {
	case class == ClassVGPU:
		return true
	case !strings.HasPrefix(class, "CUSTOM_"):
		return false
	case vgpuOffered[class]:
		return true
	}
	return !anyOffered[class] && !strings.HasPrefix(class, "CUSTOM_PCI_")
}

// vgpuRequest builds a flavor's VGPURequest; nil when it asks for no vGPU
// class.
func (v *View) vgpuRequest(f *cloudmodel.Flavor) *VGPURequest {
	groups, policy, bad := ParseResourceGroups(f.ExtraSpecs)
	r := &VGPURequest{All: groups, Policy: policy, BadPolicy: bad, classes: map[string]bool{}}
	for _, g := range groups {
		asks := false
		for c := range g.Resources {
			if vgpuClass(c, v.vgpuOffered, v.anyOffered) {
				r.classes[c], asks = true, true
			}
		}
		if asks {
			r.Groups = append(r.Groups, g)
		}
	}
	if len(r.Groups) == 0 {
		return nil
	}
	r.problems(f, v)
	r.key = r.placementKey()
	for _, h := range v.VGPUHosts {
		r.Hosts = append(r.Hosts, r.fitHost(f, h))
	}
	return r
}

// classes are a group's vGPU classes, sorted.
func (v *View) classes(g *ResourceGroup) []string {
	var out []string
	for c := range g.Resources {
		if vgpuClass(c, v.vgpuOffered, v.anyOffered) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// maxPerAllocation is the most of a class one allocation can take from a
// provider: its capacity, bounded by max_unit.
func maxPerAllocation(rp *cloudmodel.ResourceProvider, class string) int {
	inv, ok := rp.Inventories[class]
	if !ok {
		return 0
	}
	n := inv.Capacity()
	if inv.MaxUnit > 0 && inv.MaxUnit < n {
		n = inv.MaxUnit
	}
	return n
}

func (r *VGPURequest) problems(f *cloudmodel.Flavor, v *View) {
	rel := v.Release
	// Placement: more than one numbered group needs a group_policy.
	numbered := 0
	for _, g := range r.All {
		if g.Numbered() && len(g.Resources) > 0 {
			numbered++
		}
	}
	if numbered > 1 && r.Policy == "" {
		why := "it sets none"
		if r.BadPolicy != "" {
			why = fmt.Sprintf("its group_policy=%s is neither none nor isolate, and Nova ignores it", r.BadPolicy)
		}
		r.Problems = append(r.Problems, VGPUProblem{Kind: ProblemNoGroupPolicy, Key: SpecGroupPolicy, Blocks: true,
			Short:   fmt.Sprintf("%d numbered request groups and no group_policy: Placement refuses the query", numbered),
			Message: fmt.Sprintf("Flavor %s has %d numbered request groups and no group_policy (%s): Placement refuses the allocation candidates query (\"The group_policy parameter is required when specifying more than one resources{N} parameter\"), so every server create fails with No valid host.", f.Name, numbered, why),
			Fix:     fmt.Sprintf("openstack flavor set --property group_policy=isolate %s (each group on its own provider; none lets groups share one)", shellWord(f.Name))})
	}
	hostsEnabling := v.mdevHostsWithoutProviders()
	allocations := 0
	for _, g := range r.Groups {
		classes := v.classes(g)
		if g.Numbered() {
			allocations++
		} else {
			allocations += len(classes)
		}
		for _, c := range classes {
			key := g.Keys[c]
			offering := v.offering(c)
			if len(offering) == 0 {
				msg := fmt.Sprintf("Flavor %s asks %s=%d, and no resource provider offers %s", f.Name, key, g.Resources[c], c)
				fix := fmt.Sprintf("Correct the class in the flavor (openstack flavor unset --property %s %s, then set the class an [mdev_<type>] mdev_class gives), or configure vGPUs on a compute node", key, shellWord(f.Name))
				if c == ClassVGPU {
					msg = fmt.Sprintf("Flavor %s asks %s=%d, and no compute node has a vGPU provider (a child provider <host>_pci_<address> with a VGPU inventory)", f.Name, key, g.Resources[c])
					fix = "Enable an mdev type on the GPU hosts ([devices] enabled_mdev_types, see gpupass preflight there) and restart nova-compute; its VGPU providers then appear in Placement (openstack resource provider list)"
				}
				if len(hostsEnabling) > 0 {
					msg += fmt.Sprintf("; yet the host reports of %s enable mdev types: their nova-compute has not reported them to Placement (not restarted, or no mdev parent offers the type: gpupass preflight on them says which)", strings.Join(hostsEnabling, ", "))
				}
				r.Problems = append(r.Problems, VGPUProblem{Kind: ProblemClassNotOffered, Key: key, Blocks: true, Short: "no resource provider offers " + c,
					Message: msg + ": every server create fails with No valid host.", Fix: fix + "."})
				continue
			}
			most, mostOn := 0, ""
			for _, p := range offering {
				if n := maxPerAllocation(p.RP, c); n > most {
					most, mostOn = n, p.RP.Name
				}
			}
			if want := g.Resources[c]; want > most {
				sriov := ""
				if most == 1 {
					sriov = " (on SR-IOV GPUs Nova makes one provider per VF, each of total 1)"
				}
				var split []string
				for i := 1; i <= want && i <= 4; i++ {
					split = append(split, fmt.Sprintf("resources%d:%s=1", i, c))
				}
				if want > 4 {
					split = append(split, "...")
				}
				fix := fmt.Sprintf("Ask one vGPU per numbered group (%s, group_policy=isolate), which Nova honours from 2026.1 (33.0.0)", strings.Join(split, ", "))
				if rel.Major < MultiVGPURelease {
					fix += fmt.Sprintf("; under Nova %s's rules ask one vGPU per flavor", rel.Name)
				}
				r.Problems = append(r.Problems, VGPUProblem{Kind: ProblemAmountTooBig, Key: key, Blocks: true, Providers: providerNames(offering),
					Short: fmt.Sprintf("%s=%d, and no provider gives more than %d in one allocation", key, want, most),
					Message: fmt.Sprintf("Flavor %s asks %s=%d: Placement takes %s's %s from one provider, and the most any of the %s offering it gives in one allocation is %d (%s)%s: every server create fails with No valid host.",
						f.Name, key, want, groupWord(g), c, plural(len(offering), "provider"), most, mostOn, sriov),
					Fix: fix + "."})
			}
		}
		// Traits: a numbered group's on the one provider; the unnumbered
		// group's on the providers in play (the root and the vGPU ones).
		for _, t := range g.Required {
			carried := false
			for _, c := range classes {
				for _, p := range v.offering(c) {
					if hasTrait(p.RP.Traits, t) || (!g.Numbered() && hasTrait(v.rootOf(p).Traits, t)) {
						carried = true
					}
				}
			}
			if carried || len(classes) == 0 {
				continue
			}
			where := "no provider of " + strings.Join(classes, ", ") + " carries it"
			if !g.Numbered() {
				where += ", nor does the root provider of any vGPU host"
			}
			r.Problems = append(r.Problems, VGPUProblem{Kind: ProblemTraitMissing, Key: g.TraitKeys[t], Blocks: true,
				Short:   fmt.Sprintf("%s=required, and %s", g.TraitKeys[t], where),
				Message: fmt.Sprintf("Flavor %s requires %s=required (%s), and %s: every server create fails with No valid host.", f.Name, g.TraitKeys[t], groupWord(g), where),
				Fix:     fmt.Sprintf("Set the trait on the pGPU providers that should serve the flavor (openstack --os-placement-api-version 1.6 resource provider trait set --trait %s ... PROVIDER_UUID, keeping their other traits), or unset it from the flavor.", t)})
		}
	}
	if allocations > 1 && rel.Major < MultiVGPURelease && r.Blocked() == nil {
		// One group can hold them all only where a provider gives as many.
		total, most := 0, 0
		for _, g := range r.Groups {
			for _, c := range v.classes(g) {
				total += g.Resources[c]
				for _, p := range v.offering(c) {
					most = max(most, maxPerAllocation(p.RP, c))
				}
			}
		}
		fix := "Upgrade the compute nodes to Nova 2026.1 or later; until then ask one vGPU per flavor (no provider gives more in one allocation: on SR-IOV GPUs each VF is a provider of one vGPU)."
		if most >= total {
			fix = fmt.Sprintf("Ask all %d vGPUs in one group (resources:%s=%d; a provider of this cloud gives up to %d in one allocation), or upgrade the compute nodes to Nova 2026.1 or later.", total, v.classes(r.Groups[0])[0], total, most)
		}
		r.Problems = append(r.Problems, VGPUProblem{Kind: ProblemGroupsIgnored,
			Short: fmt.Sprintf("Nova %s gives the guest only the first of its %d vGPU allocations", rel.Name, allocations), Key: r.Groups[len(r.Groups)-1].Keys[v.classes(r.Groups[len(r.Groups)-1])[0]], Release: rel.Name,
			Message: fmt.Sprintf("Flavor %s asks vGPUs in %d request groups (%s): Nova %s's libvirt driver turns only the first provider's allocation into mdevs (\"Only the first allocation will be looked up\"), so the guest gets fewer vGPUs than Placement allocates to it; every group is honoured from Nova 2026.1 (33.0.0).", f.Name, allocations, r.Describe(), rel.Name),
			Fix:     fix})
	}
}

func groupWord(g *ResourceGroup) string {
	if g.Numbered() {
		return "group " + g.Suffix
	}
	return "the unnumbered group"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// shellWord quotes a word for a shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:=,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func hasTrait(traits []string, t string) bool {
	for _, x := range traits {
		if x == t {
			return true
		}
	}
	return false
}

func providerNames(ps []*VGPUProvider) []string {
	out := make([]string, 0, len(ps))
	for i, p := range ps {
		if i == evidenceMost {
			out = append(out, fmt.Sprintf("and %d more", len(ps)-i))
			break
		}
		out = append(out, p.RP.Name)
	}
	return out
}

// evidenceMost bounds provider lists.
const evidenceMost = 20

// offering lists the vGPU providers with an inventory of a class.
func (v *View) offering(class string) []*VGPUProvider {
	var out []*VGPUProvider
	for _, h := range v.VGPUHosts {
		for _, p := range h.Providers {
			if _, ok := p.RP.Inventories[class]; ok {
				out = append(out, p)
			}
		}
	}
	return out
}

func (v *View) rootOf(p *VGPUProvider) *cloudmodel.ResourceProvider {
	for _, h := range v.VGPUHosts {
		if h.Name == p.Host {
			return h.Root
		}
	}
	return &cloudmodel.ResourceProvider{}
}

// fitHost decides whether the flavor's vGPU groups fit a host, and how many
// more instances fit now.
func (r *VGPURequest) fitHost(f *cloudmodel.Flavor, h *VGPUHost) *VGPUHostFit {
	fit := &VGPUHostFit{Host: h, Size: true, Up: h.Down == ""}
	capacity := func(p *VGPUProvider, c string) int {
		inv, ok := p.RP.Inventories[c]
		if !ok {
			return 0
		}
		return inv.Capacity()
	}
	free := func(p *VGPUProvider, c string) int {
		n, _ := p.RP.Free(c)
		return n
	}
	pl := r.placementOn(h)
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if !pl.capacityDone {
		pl.providers, pl.capacityDone = r.place(h, capacity, 1) == 1, true
	}
	fit.Providers = pl.providers
	for _, p := range h.Providers {
		offers := false
		for c := range r.classes {
			if _, ok := p.RP.Inventories[c]; ok {
				fit.Most, offers = max(fit.Most, maxPerAllocation(p.RP, c)), true
			}
		}
		if offers {
			fit.Offering++
		}
	}
	if !fit.Up {
		fit.Why = h.Down
	}
	for _, c := range []struct {
		cap  Capacity
		want int
		what string
	}{{h.VCPU, f.VCPUs, "vCPUs"}, {h.MemoryMB, f.RAMMB, "MB of RAM"}} {
		if c.cap.Known && c.want > c.cap.PerServer() {
			fit.Size = false
			if fit.Why == "" {
				fit.Why = sizeWhy(c.cap, c.want, c.what)
			}
		}
	}
	if !fit.Bootable() {
		return fit
	}
	if !pl.freeDone {
		pl.more = r.place(h, free, moreFitMost)
		pl.atMin, pl.atMax, pl.atKnown = r.atOnce(h, free)
		pl.freeDone = true
	}
	fit.MoreFit = pl.more
	for _, c := range []struct {
		cap  Capacity
		want int
	}{{h.VCPU, f.VCPUs}, {h.MemoryMB, f.RAMMB}} {
		if c.cap.FreeKnown && c.want > 0 {
			fit.MoreFit = min(fit.MoreFit, max(c.cap.Free, 0)/c.want)
		}
	}
	fit.AtOnceMin, fit.AtOnceMax, fit.AtOnceKnown = pl.atMin, pl.atMax, pl.atKnown
	fit.AtOnceMin, fit.AtOnceMax = min(fit.AtOnceMin, fit.MoreFit), min(fit.AtOnceMax, fit.MoreFit)
	return fit
}

// placementOn is the host's placement of requests with r's key.
func (r *VGPURequest) placementOn(h *VGPUHost) *placement {
	if r.key == "" {
		r.key = r.placementKey()
	}
	if p, ok := h.placed.Load(r.key); ok {
		return p.(*placement)
	}
	p, _ := h.placed.LoadOrStore(r.key, &placement{})
	return p.(*placement)
}

// atOnceVisits bounds the allocations atOnce looks at on one host.
const atOnceVisits = 10000

// atOnce says how many servers of one request (a multi-create,
// --min-count) the host takes. Nova's scheduler claims every server of a
// request with the same allocation candidate of a host, the first that
// Placement gave (host.allocation_candidates[0] in SchedulerManager._schedule,
// the same in Zed, 2025.1 and 2026.2: "TODO(jaypipes): Loop through all
// allocation_requests instead of just trying the first one"), and nothing
// re-filters the candidates of vGPU providers between the servers (PCI in
// Placement has PciPassthroughFilter for that). Which candidate comes first
// is Placement's order, unknown here: lo and hi are the fewest and the most
// servers any one candidate takes. known is false when the candidates are
// too many to look at.
func (r *VGPURequest) atOnce(h *VGPUHost, avail func(*VGPUProvider, string) int) (lo, hi int, known bool) {
	choices := r.choices()
	left := startingAmounts(h, avail)
	picked := make([]int, len(choices))
	leaves, found := 0, false
	complete := !r.walk(h, choices, picked, 0, left, func() bool {
		if leaves++; leaves > atOnceVisits {
			return true
		}
		// The same allocation again and again: how many times it fits in
		// what the providers have now.
		need := map[int]map[string]int{}
		for j, ch := range choices {
			if need[picked[j]] == nil {
				need[picked[j]] = map[string]int{}
			}
			for _, c := range ch.classes {
				need[picked[j]][c] += ch.group.Resources[c]
			}
		}
		k := moreFitMost
		for pi, cs := range need {
			for c, n := range cs {
				if n > 0 {
					k = min(k, avail(h.Providers[pi], c)/n)
				}
			}
		}
		if k > 0 {
			if !found || k < lo {
				lo = k
			}
			hi, found = max(hi, k), true
		}
		return false
	})
	if !complete {
		return 0, 0, false
	}
	return lo, hi, true
}

// moreFitMost bounds the count of instances placed one by one.
const moreFitMost = 10000

// choice is one allocation an instance needs: a numbered group's classes
// from one provider, or one class of the unnumbered group.
type choice struct {
	group   *ResourceGroup
	classes []string
}

// place counts how many instances, up to most, the host's providers take one
// after the other with avail(provider, class) to start from, as Placement
// would place them: each numbered group on one provider (distinct ones
// under isolate), each class of the unnumbered group on one provider, the
// amounts within min_unit, max_unit and step_size, the traits as asked.
func (r *VGPURequest) place(h *VGPUHost, avail func(*VGPUProvider, string) int, most int) int {
	choices := r.choices()
	left := startingAmounts(h, avail)
	n := 0
	for n < most {
		picked := make([]int, len(choices))
		if !r.walk(h, choices, picked, 0, left, func() bool { return true }) {
			break
		}
		for i, ch := range choices {
			for _, c := range ch.classes {
				left[picked[i]][c] -= ch.group.Resources[c]
			}
		}
		n++
	}
	return n
}

// choices are the allocations one instance needs: each numbered group's
// classes from one provider, each class of the unnumbered group from one.
func (r *VGPURequest) choices() []choice {
	var choices []choice
	for _, g := range r.Groups {
		var cs []string
		for c := range g.Resources {
			if r.classes[c] {
				cs = append(cs, c)
			}
		}
		sort.Strings(cs)
		if g.Numbered() {
			choices = append(choices, choice{g, cs})
		} else {
			for _, c := range cs {
				choices = append(choices, choice{g, []string{c}})
			}
		}
	}
	return choices
}

// startingAmounts is avail(provider, class) of every class of every
// provider of the host, by provider index.
func startingAmounts(h *VGPUHost, avail func(*VGPUProvider, string) int) []map[string]int {
	left := make([]map[string]int, len(h.Providers))
	for i, p := range h.Providers {
		left[i] = map[string]int{}
		for c := range p.RP.Inventories {
			left[i][c] = avail(p, c)
		}
	}
	return left
}

// walk picks a provider for choices[i:], backtracking, and calls visit on
// each complete pick whose traits hold, until visit says stop (then walk
// returns true, picked holding that pick). Providers in the same state are
// tried once per level (32 identical VF providers are one choice, not 32).
func (r *VGPURequest) walk(h *VGPUHost, choices []choice, picked []int, i int, left []map[string]int, visit func() (stop bool)) bool {
	if i == len(choices) {
		return r.traitsHold(h, choices, picked) && visit()
	}
	ch := choices[i]
	tried := map[string]bool{}
	for pi, p := range h.Providers {
		if !fits(p.RP, ch, left[pi]) {
			continue
		}
		if ch.group.Numbered() {
			if !hasAll(p.RP.Traits, ch.group.Required) || hasAny(p.RP.Traits, ch.group.Forbidden) {
				continue
			}
			if r.Policy == "isolate" && usedByOtherGroup(choices, picked, i, pi) {
				continue
			}
		}
		state := stateKey(p, left[pi], choices, picked, i, pi)
		if tried[state] {
			continue
		}
		tried[state] = true
		for _, c := range ch.classes {
			left[pi][c] -= ch.group.Resources[c]
		}
		picked[i] = pi
		stop := r.walk(h, choices, picked, i+1, left, visit)
		for _, c := range ch.classes {
			left[pi][c] += ch.group.Resources[c]
		}
		if stop {
			return true
		}
	}
	return false
}

// fits reports whether a provider can give a choice's amounts now.
func fits(rp *cloudmodel.ResourceProvider, ch choice, left map[string]int) bool {
	for _, c := range ch.classes {
		inv, ok := rp.Inventories[c]
		want := ch.group.Resources[c]
		if !ok || left[c] < want || (inv.MinUnit > 0 && want < inv.MinUnit) || (inv.MaxUnit > 0 && want > inv.MaxUnit) || (inv.StepSize > 1 && want%inv.StepSize != 0) {
			return false
		}
	}
	return true
}

func usedByOtherGroup(choices []choice, picked []int, i, pi int) bool {
	for j := 0; j < i; j++ {
		if choices[j].group.Numbered() && choices[j].group != choices[i].group && picked[j] == pi {
			return true
		}
	}
	return false
}

// stateKey says what makes two providers interchangeable at a level: what
// is left of each class, the traits, and which earlier choices took it.
func stateKey(p *VGPUProvider, left map[string]int, choices []choice, picked []int, i, pi int) string {
	var b strings.Builder
	classes := make([]string, 0, len(left))
	for c := range left {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		fmt.Fprintf(&b, "%s=%d,", c, left[c])
	}
	b.WriteString(strings.Join(p.RP.Traits, ","))
	for j := 0; j < i; j++ {
		if picked[j] == pi {
			fmt.Fprintf(&b, ";%d", j)
		}
	}
	return b.String()
}

// traitsHold checks the unnumbered group's traits on the providers in play:
// the root (its vCPUs and RAM) and the vGPU providers picked for it.
func (r *VGPURequest) traitsHold(h *VGPUHost, choices []choice, picked []int) bool {
	for _, g := range r.Groups {
		if g.Numbered() || (len(g.Required) == 0 && len(g.Forbidden) == 0) {
			continue
		}
		traits := append([]string{}, h.Root.Traits...)
		if hasAny(h.Root.Traits, g.Forbidden) {
			return false
		}
		for i, ch := range choices {
			if ch.group == g {
				p := h.Providers[picked[i]].RP
				if hasAny(p.Traits, g.Forbidden) {
					return false
				}
				traits = append(traits, p.Traits...)
			}
		}
		if !hasAll(traits, g.Required) {
			return false
		}
	}
	return true
}

func hasAll(traits, want []string) bool {
	for _, t := range want {
		if !hasTrait(traits, t) {
			return false
		}
	}
	return true
}

func hasAny(traits, unwanted []string) bool {
	for _, t := range unwanted {
		if hasTrait(traits, t) {
			return true
		}
	}
	return false
}

// enabledMdevTypes reads [devices]enabled_mdev_types (or its old name
// enabled_vgpu_types) from a host report's nova.conf options.
func enabledMdevTypes(opts []string) []string {
	var out []string
	for _, val := range opts {
		out = nil // the last setting wins
		for _, t := range strings.Split(val, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// optEnabledMdevTypes are the option's names a report may carry.
var optEnabledMdevTypes = []novaconf.Option{
	{Group: "devices", Name: "enabled_mdev_types"},
	{Group: "devices", Name: "enabled_vgpu_types"},
}

// Blocked is the first problem that keeps every server of the flavor from
// being scheduled, or nil.
func (r *VGPURequest) Blocked() *VGPUProblem {
	for i := range r.Problems {
		if r.Problems[i].Blocks {
			return &r.Problems[i]
		}
	}
	return nil
}

// Problem returns the problem of a kind, or nil.
func (r *VGPURequest) Problem(kind string) *VGPUProblem {
	for i := range r.Problems {
		if r.Problems[i].Kind == kind {
			return &r.Problems[i]
		}
	}
	return nil
}

// Describe writes what the flavor asks of vGPU providers as its extra specs
// say it: "resources1:VGPU=1, resources2:VGPU=1, group_policy=isolate".
func (r *VGPURequest) Describe() string {
	var parts []string
	for _, g := range r.Groups {
		classes := make([]string, 0, len(g.Resources))
		for c := range g.Resources {
			if r.classes[c] {
				classes = append(classes, c)
			}
		}
		sort.Strings(classes)
		for _, c := range classes {
			parts = append(parts, fmt.Sprintf("%s=%d", g.Keys[c], g.Resources[c]))
		}
		for _, t := range g.Required {
			parts = append(parts, g.TraitKeys[t]+"=required")
		}
		for _, t := range g.Forbidden {
			parts = append(parts, g.TraitKeys[t]+"=forbidden")
		}
	}
	if r.Policy != "" {
		parts = append(parts, SpecGroupPolicy+"="+r.Policy)
	}
	return strings.Join(parts, ", ")
}

// Shortage says, when no host takes the flavor, what the hosts have: "no
// host has vGPU providers for all 4 groups (the most one provider gives: 1
// on gpu-a40-01)".
func (r *VGPURequest) Shortage() string {
	var down []string
	best, bestHost, most, mostHost := 0, "", 0, ""
	for _, h := range r.Hosts {
		if h.Providers && !h.Up {
			down = append(down, h.Host.Name+" ("+h.Host.Down+")")
		}
		if h.Most > best {
			best, bestHost = h.Most, h.Host.Name
		}
		if h.Offering > most {
			most, mostHost = h.Offering, h.Host.Name
		}
	}
	what := "the vGPUs it asks"
	if n := len(r.Groups); n > 1 {
		what = fmt.Sprintf("vGPU providers for all %d groups", n)
	}
	if len(down) > 0 {
		return fmt.Sprintf("no host that takes instances has %s; %s would have them", what, strings.Join(down, "; "))
	}
	if len(r.Hosts) == 0 {
		return "no compute node has a vGPU provider"
	}
	if len(r.Groups) > 1 {
		return fmt.Sprintf("no host has %s (the most on one host: %s, on %s)", what, plural(most, "provider"), mostHost)
	}
	return fmt.Sprintf("no host has %s (the most one provider gives in one allocation: %d, on %s)", what, best, bestHost)
}
