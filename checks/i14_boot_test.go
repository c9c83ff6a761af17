package checks

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// Found by the boot matrix (integration/boot, l40s-vendor-vfio on Zed): when
// the API node's aliases are ones Nova rejects, Nova's API refuses every
// PCI flavor (400 "Invalid PCI alias definition"); the audit said
// "unknown: no alias definitions (pass --api-conf ...)" although --api-conf
// was given.
func TestAuditVerdictInvalidAPIAliases(t *testing.T) {
	rel, _ := novarelease.Parse("zed")
	api := testConf(t, "api", confFile{"/etc/nova/nova.conf", "[pci]\nalias = {\"name\": \"l40s-2q\", \"device_type\": \"type-VF\", \"resource_class\": \"CUSTOM_L40S_2Q\"}\n", 0o640})
	h := readyHost()
	reports := []*report.HostReport{hostReport(h, []string{h100Spec}, []string{h100Alias})}
	snap := &cloudmodel.Snapshot{Flavors: []cloudmodel.Flavor{flavor("gpu.l40s.1", 8, 32768, fleet.SpecAlias, "l40s-2q:1")}}
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports, APIConf: api}, InSection(All, "GP4"))
	if len(r.Audit.Flavors) != 1 {
		t.Fatalf("flavors %+v", r.Audit.Flavors)
	}
	f := r.Audit.Flavors[0]
	want := "cannot boot: Nova rejects the [pci]alias definitions of --api-conf — "
	if f.Bootable || !strings.HasPrefix(f.Verdict, want) || !strings.Contains(f.Verdict, "resource_class") {
		t.Errorf("verdict %q (bootable %v), want it to start %q and name what Nova rejects", f.Verdict, f.Bootable, want)
	}
}
