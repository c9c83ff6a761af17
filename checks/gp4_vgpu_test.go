package checks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// vgpuCloud reads the vGPU test cloud: a T4 host (one PF provider of VGPU,
// total 4, 1 used), a V100 host (two PF providers, total 16 each, 3 used),
// an A40 host with SR-IOV (32 VF providers of CUSTOM_NVIDIA_558, total 1,
// 5 used), an H100 host with PCI in Placement and an Ironic node.
func vgpuCloud(t *testing.T) *cloudmodel.Snapshot {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "audit", "vgpu-cloud.json"))
	if err != nil {
		t.Fatal(err)
	}
	var snap cloudmodel.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	return &snap
}

func findingIDs(r report.Report, ids ...string) []string {
	var got []string
	for _, f := range r.Findings {
		for _, id := range ids {
			if f.ID == id {
				got = append(got, f.ID+" "+f.Subject.Ref+" "+str(f.Evidence["problem"]))
			}
		}
	}
	sort.Strings(got)
	return got
}

func str(v any) string {
	if v == nil {
		return ""
	}
	s, _ := v.(string)
	return s
}

// GP410 from Placement alone, under Nova 2024.1's rules and 2026.1's: the
// only difference is the vGPU groups that Nova before 2026.1 does not
// honour.
func TestVGPUFlavorUnsatisfiable(t *testing.T) {
	common := []string{
		"GP410 vgpu.a40.2 amount-too-big",
		"GP410 vgpu.l4-trait trait-missing",
		"GP410 vgpu.l4.1 class-not-offered",
		"GP410 vgpu.no-policy group-policy-missing",
	}
	for _, tt := range []struct {
		release string
		extra   []string
	}{
		{"2024.1", []string{"GP410 vgpu.4x1 groups-ignored", "GP410 vgpu.a40.2x1 groups-ignored"}},
		{"2025.1", []string{"GP410 vgpu.4x1 groups-ignored", "GP410 vgpu.a40.2x1 groups-ignored"}},
		{"2026.1", nil},
	} {
		t.Run(tt.release, func(t *testing.T) {
			rel, _ := novarelease.Parse(tt.release)
			r := Run(&Inputs{NovaRelease: rel, Cloud: vgpuCloud(t)}, []*Check{VGPUFlavorUnsatisfiable})
			want := append(append([]string{}, common...), tt.extra...)
			sort.Strings(want)
			if diff := cmp.Diff(want, findingIDs(r, "GP410")); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
				for _, f := range r.Findings {
					t.Logf("%s: %s", f.Subject.Ref, f.Message)
				}
			}
			for _, f := range r.Findings {
				key := str(f.Evidence["key"])
				if key == "" || !strings.Contains(f.Message, f.Subject.Ref) || !strings.Contains(f.Message, key) {
					t.Errorf("%s: the message names neither the flavor nor the extra spec %q: %s", f.Subject.Ref, key, f.Message)
				}
				if str(f.Evidence["problem"]) == fleet.ProblemGroupsIgnored && (f.Evidence["nova_release"] != tt.release || !strings.Contains(f.Message, "Nova "+tt.release)) {
					t.Errorf("%s: the release whose rule applies is not named: %s %v", f.Subject.Ref, f.Message, f.Evidence)
				}
			}
			verdicts := map[string]report.AuditFlavor{}
			for _, f := range r.Audit.Flavors {
				verdicts[f.Name] = f
			}
			// Not vGPU flavors: the Ironic class is a root's, m1.small asks nothing.
			for _, name := range []string{"bm.gold", "m1.small"} {
				if _, ok := verdicts[name]; ok {
					t.Errorf("%s is judged as a vGPU flavor", name)
				}
			}
			for name, want := range map[string]string{
				// T4 3 free, V100 13 + 16 free; by RAM (196608-8192-32768)/32768 = 4
				// and (393216-8192-49152)/32768 = 10: 3 + 10.
				"vgpu.1": "bootable on 2 hosts (gpu-t4-01.lab, gpu-v100-01.lab); 13 more instances fit",
				// Two from one provider: T4 1, V100 6 + 8 capped at 10 by RAM.
				// One request for several: every server on the same provider of a
				// host, T4 1, V100 6 or 8 as Placement orders them: 7 to 9.
				"vgpu.2":    "bootable on 2 hosts (gpu-t4-01.lab, gpu-v100-01.lab); 11 more instances fit; but one request for several servers gets at most 7 to 9 of them, as Placement orders its candidates: Nova's scheduler gives every server of one request the vGPU providers of the first allocation candidate of each host",
				"vgpu.t4.1": "bootable on 1 host (gpu-t4-01.lab); 3 more instances fit",
				// 27 free VFs, RAM (786432-8192-163840)/32768 = 18.
				// One request for several: all on the first VF Placement gives.
				"vgpu.a40.1": "bootable on 1 host (gpu-a40-01.lab); 18 more instances fit; but one request for several servers gets at most 1 of them: Nova's scheduler gives every server of one request the vGPU providers of the first allocation candidate of each host",
				"vgpu.a40.2": "cannot boot: resources:CUSTOM_NVIDIA_558=2, and no provider gives more than 1 in one allocation",
				"vgpu.4x1":   "cannot boot: no host has vGPU providers for all 4 groups (the most on one host: 2 providers, on gpu-v100-01.lab)",
				"vgpu.l4.1":  "cannot boot: no resource provider offers CUSTOM_NVIDIA_L4_4Q",
			} {
				if got := verdicts[name].Verdict; got != want {
					t.Errorf("%s: verdict %q, want %q", name, got, want)
				}
			}
			// 27 free VFs in pairs on distinct providers: 13, RAM 614400/65536 = 9;
			// one request for several gets 1 (the same two VFs for each).
			a := verdicts["vgpu.a40.2x1"]
			if !a.Bootable || *a.MoreInstances != 9 || a.Resources != "resources1:CUSTOM_NVIDIA_558=1, resources2:CUSTOM_NVIDIA_558=1, group_policy=isolate" ||
				a.AtOnce == nil || *a.AtOnce != 1 || !a.AtOnceExact {
				t.Errorf("vgpu.a40.2x1: %+v", a)
			}
			// Where one request gets as many as fit, at_once is left out.
			if v := verdicts["vgpu.1"]; v.AtOnce != nil || v.AtOnceExact {
				t.Errorf("vgpu.1: at_once %v, exact %v; want none", *v.AtOnce, v.AtOnceExact)
			}
			if v := verdicts["vgpu.2"]; v.AtOnce == nil || *v.AtOnce != 7 || v.AtOnceExact {
				t.Errorf("vgpu.2: %+v; want at_once 7, not exact", v)
			}
			if warned := strings.Contains(a.Verdict, "only the first"); warned != (tt.release != "2026.1") {
				t.Errorf("vgpu.a40.2x1 under %s: %q", tt.release, a.Verdict)
			}
		})
	}
}

// GP403, GP405 and GP407 on vGPU flavors (they need host reports, as for
// PCI flavors; the vGPU hosts themselves come from Placement).
func TestAuditVGPUCapacity(t *testing.T) {
	rel, _ := novarelease.Parse("2026.1")
	reports := []*report.HostReport{hostReport(readyHost(), []string{h100Spec}, []string{h100Alias})}
	r := Run(&Inputs{NovaRelease: rel, Cloud: vgpuCloud(t), Reports: reports}, []*Check{UnschedulableCount, FlavorTooBig, CapacityCheck})
	want := []string{
		"GP403 vgpu.4x1 ",
		"GP405 vgpu.huge ",
		"GP407 vgpu.1 ",
		"GP407 vgpu.2 ",
		"GP407 vgpu.a40.1 ",
		"GP407 vgpu.a40.2x1 ",
		"GP407 vgpu.t4.1 ",
	}
	if diff := cmp.Diff(want, findingIDs(r, "GP403", "GP405", "GP407")); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range r.Findings {
		switch f.Subject.Ref {
		case "vgpu.huge":
			if !strings.Contains(f.Message, "the largest is gpu-v100-01.lab, with 64 vCPUs") {
				t.Errorf("GP405: %s", f.Message)
			}
		case "vgpu.1":
			if f.Evidence["more_instances"] != 13 || !strings.Contains(f.Message, "gpu-t4-01.lab (3), gpu-v100-01.lab (10)") {
				t.Errorf("GP407: %s %v", f.Message, f.Evidence)
			}
		}
	}
	for _, c := range r.Checks {
		if c.Status == report.StatusSkip {
			t.Errorf("%s skipped: %s", c.ID, c.Reason)
		}
	}
}

// A host whose report enables an mdev type while Placement has no vGPU
// provider under it is named where a class is offered by nobody.
func TestVGPUHostReportWithoutProviders(t *testing.T) {
	h := readyHost()
	h.Hostname = "gpu-l4-01"
	rep := hostReport(h, nil, nil)
	rep.Report.NovaConf.Options = append(rep.Report.NovaConf.Options, report.ConfOption{Option: "[devices]enabled_mdev_types", Value: "nvidia-890", Source: "/etc/nova/nova.conf:9"})
	snap := vgpuCloud(t)
	rel, _ := novarelease.Parse("2026.1")
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: []*report.HostReport{rep}}, []*Check{VGPUFlavorUnsatisfiable})
	found := false
	for _, f := range r.Findings {
		if f.Subject.Ref == "vgpu.l4.1" {
			found = true
			if !strings.Contains(f.Message, "gpu-l4-01 (enabled_mdev_types = nvidia-890)") {
				t.Errorf("the host that enables a type is not named: %s", f.Message)
			}
		}
	}
	if !found {
		t.Fatalf("no GP410 on vgpu.l4.1: %+v", r.Findings)
	}
	// Without Placement, GP410 cannot judge and says why.
	snap.ResourceProviders = nil
	r = Run(&Inputs{NovaRelease: rel, Cloud: snap}, []*Check{VGPUFlavorUnsatisfiable})
	if len(r.Findings) != 0 || r.Checks[0].Status != report.StatusSkip || !strings.Contains(r.Checks[0].Reason, "Placement") {
		t.Errorf("without placement: %+v %+v", r.Checks, r.Findings)
	}
}

// A vGPU host whose nova-compute is disabled in the hypervisor list takes
// no instances: its providers do not count, and GP403 says which host
// would have them.
func TestAuditVGPUHostDisabled(t *testing.T) {
	snap := vgpuCloud(t)
	for i := range snap.Hypervisors {
		if snap.Hypervisors[i].Hostname == "gpu-a40-01.lab" {
			snap.Hypervisors[i].Status = "disabled"
		}
	}
	rel, _ := novarelease.Parse("2026.1")
	reports := []*report.HostReport{hostReport(readyHost(), []string{h100Spec}, []string{h100Alias})}
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, []*Check{UnschedulableCount})
	if diff := cmp.Diff([]string{"GP403 vgpu.a40.1 ", "GP403 vgpu.a40.2x1 ", "GP403 vgpu.4x1 "}, findingIDs(r, "GP403"), cmpSorted); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	want := "cannot boot: no host that takes instances has the vGPUs it asks; gpu-a40-01.lab (its nova-compute is disabled (hypervisor gpu-a40-01.lab)) would have them"
	for _, f := range r.Audit.Flavors {
		if f.Name == "vgpu.a40.1" && f.Verdict != want {
			t.Errorf("vgpu.a40.1: %q, want %q", f.Verdict, want)
		}
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string{}, in...)
	sort.Strings(out)
	return out
})
