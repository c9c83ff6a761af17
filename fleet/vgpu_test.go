package fleet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// The groups Nova's ResourceRequest._process_extra_specs makes of a
// flavor's extra specs (nova/scheduler/utils.py, XS_KEYPAT; RequestGroup.
// add_resource and add_trait in nova/objects/request_spec.py).
func TestParseResourceGroups(t *testing.T) {
	groups, policy, bad := ParseResourceGroups(map[string]string{
		"resources:VGPU":             "1",
		"resources10:VGPU":           "1",
		"resources2:CUSTOM_NVIDIA_1": " 2 ",
		"resources_gpu:VGPU":         "1",   // any [a-zA-Z0-9_-]{1,64} suffix
		"resources3:VGPU":            "0",   // strip_zeros drops it
		"resources4:VGPU":            "-1",  // "Resource amounts must be nonnegative integers"
		"resources5:vgpu":            "1",   // "Received an invalid ResourceClass"
		"resources6:VGPU":            "one", // not an integer
		"trait2:CUSTOM_A40":          "required",
		"trait2:CUSTOM_OLD":          "forbidden",
		"trait7:CUSTOM_X":            "maybe", // "Only (required, forbidden) traits are supported"
		"resources:VGPU_extra:x":     "1",     // the name is everything after the first colon
		"hw:cpu_policy":              "dedicated",
		"group_policy":               "isolated",
	})
	type g struct {
		Suffix              string
		Resources           map[string]int
		Required, Forbidden []string
	}
	var got []g
	for _, x := range groups {
		got = append(got, g{x.Suffix, x.Resources, x.Required, x.Forbidden})
	}
	want := []g{
		{"", map[string]int{"VGPU": 1}, nil, nil},
		{"2", map[string]int{"CUSTOM_NVIDIA_1": 2}, []string{"CUSTOM_A40"}, []string{"CUSTOM_OLD"}},
		{"10", map[string]int{"VGPU": 1}, nil, nil},
		{"_gpu", map[string]int{"VGPU": 1}, nil, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if policy != "" || bad != "isolated" {
		t.Errorf("policy %q, ignored %q", policy, bad)
	}
}

// Amounts are read as Python's int() reads them (Nova's ResourceRequest
// does int(val)): signs, underscores between digits, white space and
// Unicode decimal digits; what int() refuses drops the amount.
func TestResourceAmountsAsPython(t *testing.T) {
	for v, want := range map[string]int{
		"+2": 2, "1_0": 10, "\t3\n": 3, "\u0663": 3, "\u00a04": 4,
		"1__0": 0, "_1": 0, "0x2": 0, "2.0": 0, "99999999999999999999": 0,
	} {
		groups, _, _ := ParseResourceGroups(map[string]string{"resources:VGPU": v})
		got := 0
		if len(groups) == 1 {
			got = groups[0].Resources["VGPU"]
		}
		if got != want {
			t.Errorf("resources:VGPU=%q: %d, want %d", v, got, want)
		}
	}
}

// sriovCloud is one host with n VF providers of VGPU, total 1 each.
func sriovCloud(n, used int, flavors ...cloudmodel.Flavor) *cloudmodel.Snapshot {
	snap := &cloudmodel.Snapshot{Flavors: flavors}
	inv := func(total int) cloudmodel.Inventory {
		return cloudmodel.Inventory{Total: total, MinUnit: 1, MaxUnit: total, StepSize: 1, AllocationRatio: 1}
	}
	snap.ResourceProviders = append(snap.ResourceProviders, cloudmodel.ResourceProvider{UUID: "root", Name: "gpu-a16-01", RootUUID: "root",
		Inventories: map[string]cloudmodel.Inventory{"VCPU": inv(1024), "MEMORY_MB": inv(4 << 20)}, Usages: map[string]int{}})
	for i := 0; i < n; i++ {
		u := 0
		if i < used {
			u = 1
		}
		snap.ResourceProviders = append(snap.ResourceProviders, cloudmodel.ResourceProvider{
			UUID: fmt.Sprintf("vf%d", i), Name: fmt.Sprintf("gpu-a16-01_pci_0000_41_%02x_%d", (i+4)/8, (i+4)%8), ParentUUID: "root", RootUUID: "root",
			Inventories: map[string]cloudmodel.Inventory{"VGPU": inv(1)}, Usages: map[string]int{"VGPU": u}})
	}
	return snap
}

// 8 groups of one vGPU each, isolated, on 64 VF providers: placed without
// trying every permutation (identical providers are one choice), and
// counted exactly: 60 free VFs take 7 instances of 8.
func TestVGPUPlacementScales(t *testing.T) {
	specs := map[string]string{"group_policy": "isolate"}
	for i := 1; i <= 8; i++ {
		specs[fmt.Sprintf("resources%d:VGPU", i)] = "1"
	}
	f := cloudmodel.Flavor{Name: "vgpu.8x1", VCPUs: 8, RAMMB: 1024, ExtraSpecs: specs}
	rel, _ := novarelease.Parse("2026.1")
	start := time.Now()
	v := New(sriovCloud(64, 4, f), nil, rel, nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("placing took %s", d)
	}
	r := v.Flavors[0].VGPU
	if r == nil || len(r.Problems) != 0 || len(r.Hosts) != 1 || !r.Hosts[0].Bootable() || r.Hosts[0].MoreFit != 7 {
		t.Fatalf("request %+v, hosts %+v", r, r.Hosts)
	}
	// 9 groups on a host with 8 free VFs: no.
	specs["resources9:VGPU"] = "1"
	v = New(sriovCloud(12, 4, f), nil, rel, nil)
	if h := v.Flavors[0].VGPU.Hosts[0]; !h.Providers || h.MoreFit != 0 {
		t.Errorf("9 groups, 8 free of 12 VFs: providers %v (capacity: 12 VFs), more %d", h.Providers, h.MoreFit)
	}
	v = New(sriovCloud(8, 0, f), nil, rel, nil)
	if h := v.Flavors[0].VGPU.Hosts[0]; h.Providers {
		t.Errorf("9 groups on 8 VFs fit: %+v", h)
	}
	// Under none, two groups may share a provider: a PF of total 2 takes
	// both groups of one instance.
	pf := sriovCloud(1, 0, cloudmodel.Flavor{Name: "vgpu.2x1", VCPUs: 1, RAMMB: 1, ExtraSpecs: map[string]string{"resources1:VGPU": "1", "resources2:VGPU": "1", "group_policy": "none"}})
	pf.ResourceProviders[1].Inventories["VGPU"] = cloudmodel.Inventory{Total: 2, MaxUnit: 2, StepSize: 1, AllocationRatio: 1}
	if h := New(pf, nil, rel, nil).Flavors[0].VGPU.Hosts[0]; !h.Bootable() || h.MoreFit != 1 {
		t.Errorf("group_policy=none on one PF of 2: %+v", h)
	}
	pf.Flavors[0].ExtraSpecs["group_policy"] = "isolate"
	if h := New(pf, nil, rel, nil).Flavors[0].VGPU.Hosts[0]; h.Providers {
		t.Errorf("group_policy=isolate on one PF: %+v", h)
	}
}

// ParseResourceGroups never panics, keeps only positive amounts and
// required/forbidden traits, and orders groups as it says.
func FuzzParseResourceGroups(f *testing.F) {
	f.Add("resources1:VGPU", "1", "trait1:CUSTOM_X", "required", "group_policy", "isolate")
	f.Add("resources:CUSTOM_NVIDIA_558", " +2 ", "resources_a-b:VGPU", "1_0", "trait:X", "forbidden")
	f.Add("resources10:VGPU", "-1", "resources9:VGPU", "0", "group_policy", "isolated")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		groups, policy, bad := ParseResourceGroups(map[string]string{k1: v1, k2: v2, k3: v3})
		if policy != "" && policy != "none" && policy != "isolate" || (policy != "" && bad != "") {
			t.Fatalf("policy %q, ignored %q", policy, bad)
		}
		for i, g := range groups {
			if i > 0 && !suffixLess(groups[i-1].Suffix, g.Suffix) {
				t.Fatalf("groups out of order: %q then %q", groups[i-1].Suffix, g.Suffix)
			}
			if len(g.Resources)+len(g.Required)+len(g.Forbidden) == 0 {
				t.Fatalf("empty group %q", g.Suffix)
			}
			for c, n := range g.Resources {
				if n <= 0 || g.Keys[c] == "" {
					t.Fatalf("group %q: %s=%d from %q", g.Suffix, c, n, g.Keys[c])
				}
			}
		}
	})
}

// TestPlacementSharedByKey: flavors asking the same vGPU groups share how
// they place on a host (VGPUHost.placed), and what each gets is what
// placing it alone gives; requests that differ in an amount, a trait, a
// group or the group policy do not share.
func TestPlacementSharedByKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "audit", "vgpu-cloud.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cloud cloudmodel.Snapshot
	if err := json.Unmarshal(data, &cloud); err != nil {
		t.Fatal(err)
	}
	// Each flavor again with other vCPUs and RAM: the same key, another
	// flavor (fitting or too big for a host).
	for _, f := range append([]cloudmodel.Flavor(nil), cloud.Flavors...) {
		for _, vcpus := range []int{1, 64} {
			g := f
			g.Name, g.ID, g.VCPUs, g.RAMMB = fmt.Sprintf("%s-%d", f.Name, vcpus), fmt.Sprintf("%s-%d", f.ID, vcpus), vcpus, 1024*vcpus
			cloud.Flavors = append(cloud.Flavors, g)
		}
	}
	rel, _ := novarelease.Parse("2026.2")
	v := New(&cloud, nil, rel, nil)
	keys := map[string]bool{}
	requests := 0
	for _, ff := range v.Flavors {
		r := ff.VGPU
		if r == nil {
			continue
		}
		requests++
		keys[r.key] = true
		for i, h := range v.VGPUHosts {
			got := r.Hosts[i]
			h.placed.Clear()
			alone := r.fitHost(ff.Flavor, h)
			if diff := cmp.Diff(alone, got, cmp.AllowUnexported(VGPUHost{}), cmpopts.IgnoreFields(VGPUHost{}, "placed")); diff != "" {
				t.Errorf("%s on %s: shared placement differs from placing it alone (-alone +shared):\n%s", ff.Flavor.Name, h.Name, diff)
			}
		}
	}
	if len(keys) == 0 || len(keys)*3 > requests {
		t.Fatalf("%d vGPU requests, %d keys: each key should be three flavors'", requests, len(keys))
	}
	key := func(specs ...string) string {
		groups, policy, _ := ParseResourceGroups(specsOf(specs...))
		r := &VGPURequest{Policy: policy, classes: map[string]bool{"VGPU": true, "CUSTOM_NVIDIA_558": true}}
		for _, g := range groups { // those asking a vGPU class, as vgpuRequest keeps them
			if g.Resources["VGPU"] > 0 || g.Resources["CUSTOM_NVIDIA_558"] > 0 {
				r.Groups = append(r.Groups, g)
			}
		}
		return r.placementKey()
	}
	base := key("resources1:VGPU", "1", "resources2:VGPU", "1", "group_policy", "isolate")
	for _, other := range [][]string{
		{"resources1:VGPU", "2", "resources2:VGPU", "1", "group_policy", "isolate"},
		{"resources1:VGPU", "1", "resources2:VGPU", "1", "group_policy", "none"},
		{"resources1:VGPU", "1", "resources2:VGPU", "1"},
		{"resources1:VGPU", "1", "resources2:VGPU", "1", "resources3:VGPU", "1", "group_policy", "isolate"},
		{"resources1:VGPU", "1", "resources2:VGPU", "1", "group_policy", "isolate", "trait1:CUSTOM_VGPU_T4", "required"},
		{"resources1:VGPU", "1", "resources2:VGPU", "1", "group_policy", "isolate", "trait2:CUSTOM_VGPU_T4", "forbidden"},
		{"resources1:CUSTOM_NVIDIA_558", "1", "resources2:VGPU", "1", "group_policy", "isolate"},
	} {
		if key(other...) == base {
			t.Errorf("%q places like the base request: the key misses what differs", other)
		}
	}
	if key("resources2:VGPU", "1", "resources1:VGPU", "1", "group_policy", "isolate", "resources:VCPU", "4") != base {
		t.Error("the same groups (with a VCPU from the root) have another key")
	}
}

func specsOf(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
