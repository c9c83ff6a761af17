//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// placementVersion is the microversion the vGPU test talks to Placement
// with: nested providers (1.14), consumer generations (1.28), nested-aware
// allocation candidates (1.29), and the lab's Placement (8.0.0, Zed) serves
// up to 1.39.
const placementVersion = "placement 1.36"

// TestVGPUPlacementAsJudge builds the vGPU test cloud's provider trees
// (testdata/audit/vgpu-cloud.json: a T4 PF, two V100 PFs, 32 A40 VFs, with
// their usages as allocations) in the lab's real Placement, asks it for
// allocation candidates with the query Nova builds from each vGPU flavor
// (ResourceRequest.to_querystring: the flavor's vCPUs, RAM and disk in the
// unnumbered group, resources$S, required$S, group_policy), and holds
// gpupass's verdicts to its answers: a flavor gpupass says fits now must
// get candidates, one it says cannot (GP410, GP403, GP405) must get none or
// a 400. The trees are removed at the end, whatever happens.
func TestVGPUPlacementAsJudge(t *testing.T) {
	l := setup(t)
	data, err := os.ReadFile(filepath.Join(l.repo, "testdata", "audit", "vgpu-cloud.json"))
	if err != nil {
		t.Fatal(err)
	}
	var snap cloudmodel.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	tok := l.mustToken(t, "admin", "secret", "admin")
	pl := strings.TrimSuffix(l.env["PLACEMENT_URL"], "/")
	call := func(method, path string, body any) apiResponse {
		t.Helper()
		resp, err := l.do(method, pl+path, tok, body, "OpenStack-API-Version", placementVersion)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp
	}
	must := func(method, path string, body any, ok ...int) {
		t.Helper()
		resp := call(method, path, body)
		for _, s := range ok {
			if resp.status == s {
				return
			}
		}
		t.Fatalf("%s %s: %d %s", method, path, resp.status, resp.body)
	}

	// Only the vGPU hosts' trees (the H100 and Ironic providers are not
	// needed to judge vGPU flavors, and the seeded cloud has its own).
	var trees []cloudmodel.ResourceProvider
	roots := map[string]bool{}
	for _, rp := range snap.ResourceProviders {
		if rp.ParentUUID != "" && strings.Contains(rp.Name, "_pci_") {
			roots[rp.RootUUID] = true
		}
	}
	for _, rp := range snap.ResourceProviders {
		if roots[rp.RootUUID] {
			trees = append(trees, rp)
		}
	}
	sort.SliceStable(trees, func(i, j int) bool { return trees[i].ParentUUID == "" && trees[j].ParentUUID != "" })
	consumers := map[string]string{} // root uuid -> consumer uuid
	t.Cleanup(func() {
		for _, c := range consumers {
			l.do("DELETE", pl+"/allocations/"+c, tok, nil, "OpenStack-API-Version", placementVersion)
		}
		for i := len(trees) - 1; i >= 0; i-- {
			l.do("DELETE", pl+"/resource_providers/"+trees[i].UUID, tok, nil, "OpenStack-API-Version", placementVersion)
		}
	})
	for _, rp := range trees {
		body := map[string]any{"uuid": rp.UUID, "name": rp.Name}
		if rp.ParentUUID != "" {
			body["parent_provider_uuid"] = rp.ParentUUID
		}
		must("POST", "/resource_providers", body, http.StatusOK)
		invs := map[string]any{}
		for class, inv := range rp.Inventories {
			if strings.HasPrefix(class, "CUSTOM_") {
				must("PUT", "/resource_classes/"+class, nil, http.StatusCreated, http.StatusNoContent)
			}
			invs[class] = map[string]any{"total": inv.Total, "reserved": inv.Reserved, "min_unit": inv.MinUnit, "max_unit": inv.MaxUnit, "step_size": inv.StepSize, "allocation_ratio": inv.AllocationRatio}
		}
		must("PUT", "/resource_providers/"+rp.UUID+"/inventories", map[string]any{"resource_provider_generation": 0, "inventories": invs}, http.StatusOK)
		if len(rp.Traits) > 0 {
			for _, tr := range rp.Traits {
				if strings.HasPrefix(tr, "CUSTOM_") {
					must("PUT", "/traits/"+tr, nil, http.StatusCreated, http.StatusNoContent)
				}
			}
			must("PUT", "/resource_providers/"+rp.UUID+"/traits", map[string]any{"resource_provider_generation": 1, "traits": rp.Traits}, http.StatusOK)
		}
	}
	// The usages, as one consumer per host.
	allocs := map[string]map[string]any{}
	for _, rp := range trees {
		res := map[string]int{}
		for class, n := range rp.Usages {
			if n > 0 {
				res[class] = n
			}
		}
		if len(res) == 0 {
			continue
		}
		if allocs[rp.RootUUID] == nil {
			allocs[rp.RootUUID] = map[string]any{}
		}
		allocs[rp.RootUUID][rp.UUID] = map[string]any{"resources": res}
	}
	for root, a := range allocs {
		consumer := "7e57" + root[4:]
		consumers[root] = consumer
		must("PUT", "/allocations/"+consumer, map[string]any{"allocations": a, "project_id": "gpupass-vgpu-test", "user_id": "gpupass-vgpu-test", "consumer_generation": nil}, http.StatusNoContent)
	}

	// gpupass's verdicts on the same cloud (no hypervisor list: every host
	// is taken to be up, as Placement does not know).
	snap.Hypervisors = nil
	for _, release := range []string{"2024.1", "2026.1"} {
		rel, _ := novarelease.Parse(release)
		v := fleet.New(&snap, nil, rel, nil)
		for _, ff := range v.Flavors {
			r := ff.VGPU
			if r == nil {
				continue
			}
			fitsNow := r.Blocked() == nil
			if fitsNow {
				fitsNow = false
				for _, h := range r.Hosts {
					fitsNow = fitsNow || (h.Bootable() && h.MoreFit > 0)
				}
			}
			q := novaQuery(ff.Flavor)
			resp := call("GET", "/allocation_candidates?"+q, nil)
			var got struct {
				AllocationRequests []json.RawMessage `json:"allocation_requests"`
			}
			candidates := 0
			switch resp.status {
			case http.StatusOK:
				if err := json.Unmarshal(resp.body, &got); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				candidates = len(got.AllocationRequests)
			case http.StatusBadRequest:
				// Placement refuses the query: nothing can be scheduled.
			default:
				t.Fatalf("GET /allocation_candidates?%s: %d %s", q, resp.status, resp.body)
			}
			if fitsNow != (candidates > 0) {
				t.Errorf("Nova %s, flavor %s: gpupass says fits now %v (problems %v), Placement gives %d candidates (status %d) for %s: %s",
					release, ff.Flavor.Name, fitsNow, r.Problems, candidates, resp.status, q, resp.body)
			} else {
				t.Logf("Nova %s, flavor %s: both say %v (%d candidates, status %d)", release, ff.Flavor.Name, fitsNow, candidates, resp.status)
			}
		}
	}
}

// novaQuery is the allocation candidates query Nova's ResourceRequest
// builds from a flavor (nova/scheduler/utils.py: _process_extra_specs, the
// flavor's VCPU, MEMORY_MB and DISK_GB in the unnumbered group, then
// to_querystring), limit left out.
func novaQuery(f *cloudmodel.Flavor) string {
	groups, policy, _ := fleet.ParseResourceGroups(f.ExtraSpecs)
	q := url.Values{}
	unnumbered := map[string]int{"VCPU": f.VCPUs, "MEMORY_MB": f.RAMMB, "DISK_GB": f.DiskGB + f.EphemeralGB}
	for _, g := range groups {
		if !g.Numbered() {
			for c, n := range g.Resources {
				unnumbered[c] = n
			}
			if len(g.Required)+len(g.Forbidden) > 0 {
				q.Set("required", traitList(g))
			}
			continue
		}
		var res []string
		for c, n := range g.Resources {
			res = append(res, fmt.Sprintf("%s:%d", c, n))
		}
		sort.Strings(res)
		q.Set("resources"+g.Suffix, strings.Join(res, ","))
		if len(g.Required)+len(g.Forbidden) > 0 {
			q.Set("required"+g.Suffix, traitList(g))
		}
	}
	var res []string
	for c, n := range unnumbered {
		if n > 0 {
			res = append(res, fmt.Sprintf("%s:%d", c, n))
		}
	}
	sort.Strings(res)
	q.Set("resources", strings.Join(res, ","))
	if policy != "" {
		q.Set("group_policy", policy)
	}
	return q.Encode()
}

func traitList(g *fleet.ResourceGroup) string {
	list := append([]string{}, g.Required...)
	for _, t := range g.Forbidden {
		list = append(list, "!"+t)
	}
	return strings.Join(list, ",")
}
