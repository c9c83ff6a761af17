package checks

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// GP404 says when the guest's NUMA nodes fit no host's nodes (issue 14's
// known case), apart from the PCI policy; a policy that cannot be met
// keeps its own message.
func TestGP404GuestNUMACells(t *testing.T) {
	host, err := hostinfo.Collect(filepath.Join("..", "testdata", "hosts", "l40s-numa"), hostinfo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	spec := `{"vendor_id": "10de", "product_id": "26b9"}`
	alias := `{"name": "l40s", "vendor_id": "10de", "product_id": "26b9", "device_type": "type-PCI", "numa_policy": "required"}`
	snap := &cloudmodel.Snapshot{Flavors: []cloudmodel.Flavor{
		flavor("numa1.48cpu", 48, 65536, fleet.SpecAlias, "l40s:1", fleet.SpecNUMANodes, "1"),
		flavor("numa1.3gpu", 16, 65536, fleet.SpecAlias, "l40s:3", fleet.SpecNUMANodes, "1"),
		flavor("numa2.48cpu", 48, 65536, fleet.SpecAlias, "l40s:2", fleet.SpecNUMANodes, "2"),
	}}
	rel, _ := novarelease.Parse("2025.1")
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: []*report.HostReport{hostReport(host, []string{spec}, []string{alias})}}, InSection(All, "GP4"))
	got := map[string]string{}
	for _, f := range r.Findings {
		if f.ID == "GP404" {
			got[f.Subject.Ref] = f.Message
		}
	}
	for name, want := range map[string]string{
		"numa1.48cpu": "its guest NUMA topology fits the NUMA nodes of no host with the devices (cmp-l40s-numa-01: hw:numa_nodes=1 asks 48 vCPUs and 65536 MB of RAM in one NUMA node: the host's nodes have 32 shared CPUs each)",
		"numa1.3gpu":  "its required PCI NUMA policy (from alias l40s's numa_policy) cannot be met",
	} {
		if !strings.Contains(got[name], want) {
			t.Errorf("GP404 on %s: %q, want it to say %q", name, got[name], want)
		}
	}
	if msg, ok := got["numa2.48cpu"]; ok {
		t.Errorf("GP404 on numa2.48cpu, which fits two nodes: %s", msg)
	}
}
