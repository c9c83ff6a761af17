package checks

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// hostReport makes a preflight report of a host with the given nova.conf
// device_spec and alias values.
func hostReport(h *hostinfo.Host, specs, aliases []string) *report.HostReport {
	conf := &report.ConfReport{Role: "compute", Files: []report.ConfFileReport{{Path: "/etc/nova/nova.conf", Mode: "0640"}}}
	for _, s := range specs {
		conf.Options = append(conf.Options, report.ConfOption{Option: "[pci]device_spec", Value: s, Source: "/etc/nova/nova.conf:2"})
	}
	for _, a := range aliases {
		conf.Options = append(conf.Options, report.ConfOption{Option: "[pci]alias", Value: a, Source: "/etc/nova/nova.conf:3"})
	}
	return &report.HostReport{Path: "reports/" + h.Hostname + ".json", Report: report.Report{Schema: report.Schema, Command: "preflight", NovaRelease: "2024.1", Host: report.FromHost(h), NovaConf: conf}}
}

// twoGPUHost is readyHost with a second H100 on NUMA node 1.
func twoGPUHost() *hostinfo.Host {
	h := readyHost()
	h.Hostname = "gpu02"
	second := h.Devices[1]
	second.Address = "0000:81:00.0"
	numa, group := 1, 7
	second.NUMANode, second.IOMMUGroup = &numa, &group
	h.Devices = append(h.Devices, second)
	return h
}

func flavor(name string, vcpus, ramMB int, specs ...string) cloudmodel.Flavor {
	f := cloudmodel.Flavor{ID: "id-" + name, Name: name, VCPUs: vcpus, RAMMB: ramMB, IsPublic: true, ExtraSpecs: map[string]string{}}
	for i := 0; i+1 < len(specs); i += 2 {
		f.ExtraSpecs[specs[i]] = specs[i+1]
	}
	return f
}

func TestAudit(t *testing.T) {
	preferred := strings.Replace(h100Alias, `"device_type"`, `"numa_policy": "preferred", "device_type"`, 1)
	reports := []*report.HostReport{
		hostReport(readyHost(), []string{h100Spec}, []string{h100Alias}),
		hostReport(twoGPUHost(), []string{h100Spec}, []string{preferred}),
	}
	snap := &cloudmodel.Snapshot{
		AuthURL: "http://keystone:5000/v3", Project: "admin", User: "admin",
		Flavors: []cloudmodel.Flavor{
			flavor("gpu.h100.1", 16, 65536, fleet.SpecAlias, "h100:1"),
			flavor("gpu.h100.1.q35", 16, 65536, fleet.SpecAlias, "h100:1", fleet.SpecSecureBoot, "required"),
			flavor("gpu.bad", 16, 65536, fleet.SpecAlias, "h100"),
			flavor("gpu.l40s", 16, 65536, fleet.SpecAlias, "l40s:1"),
			flavor("gpu.h100.4", 64, 65536, fleet.SpecAlias, "h100:4"),
			flavor("gpu.numa", 16, 65536, fleet.SpecAlias, "h100:2", fleet.SpecNUMANodes, "1", fleet.SpecNUMAPolicy, "required"),
			flavor("gpu.huge", 10000, 65536, fleet.SpecAlias, "h100:1"),
			flavor("m1.small", 1, 2048),
			flavor("m1.kept-off", 1, 2048, "trait:CUSTOM_GPU_HOST", "forbidden"),
		},
		ResourceProviders: []cloudmodel.ResourceProvider{{
			UUID: "rp1", Name: "gpu01", RootUUID: "rp1",
			Inventories: map[string]cloudmodel.Inventory{"VCPU": {Total: 224, AllocationRatio: 1}, "MEMORY_MB": {Total: 2000000, Reserved: 4096, AllocationRatio: 1}},
			Usages:      map[string]int{"VCPU": 200, "MEMORY_MB": 100000},
		}},
	}
	rel, _ := novarelease.Parse("2024.1")
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, InSection(All, "GP4"))
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.ID+" "+string(f.Severity)+" "+f.Subject.Ref)
	}
	sort.Strings(got)
	want := []string{
		"GP401 error gpu.bad",
		"GP402 error gpu.l40s",
		"GP403 error gpu.h100.4",
		"GP404 error gpu.numa",
		"GP405 error gpu.huge",
		"GP406 warning gpu.h100.1",
		"GP407 info gpu.h100.1",
		"GP407 info gpu.h100.1.q35",
		"GP408 warning cloud",
		"GP409 warning h100",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
		for _, f := range r.Findings {
			t.Logf("%s %s: %s", f.ID, f.Subject.Ref, f.Message)
		}
	}
	verdicts := map[string]report.AuditFlavor{}
	for _, f := range r.Audit.Flavors {
		verdicts[f.Name] = f
	}
	// gpu01: 1 free H100, and (224 - 200) / 16 = 1 by vCPU; gpu02: 2
	// H100s, capacity from its report (224 CPUs x 4), usage unknown.
	if v := verdicts["gpu.h100.1"]; !v.Bootable || v.MoreInstances == nil || *v.MoreInstances != 3 || v.MoreExact ||
		v.Verdict != "bootable on 2 hosts (gpu01, gpu02); up to 3 more instances fit" {
		t.Errorf("gpu.h100.1: %+v", v)
	}
	for name, prefix := range map[string]string{
		"gpu.bad":    "cannot boot: Nova rejects its pci_passthrough:alias",
		"gpu.l40s":   `cannot boot: alias "l40s" is not defined`,
		"gpu.h100.4": "cannot boot: no host has 4 usable h100 devices (the most: 2 on gpu02)",
		"gpu.numa":   "cannot boot: gpu02: with the required NUMA policy only 1 h100 device sits on the guest's 1 NUMA node, 2 asked",
		"gpu.huge":   "cannot boot: gpu01: 10000 vCPUs asked",
	} {
		if v := verdicts[name]; v.Bootable || !strings.HasPrefix(v.Verdict, prefix) {
			t.Errorf("%s: verdict %q, want it to start with %q", name, v.Verdict, prefix)
		}
	}
	if r.Audit.Counts != (report.AuditFlavorInfo{Flavors: 9, GPUFlavors: 7, Bootable: 2, Hosts: 2}) {
		t.Errorf("counts %+v", r.Audit.Counts)
	}
	if r.Summary.Errors != 5 {
		t.Errorf("summary %+v", r.Summary)
	}
}

// Without reports the supply checks skip, saying how to give them.
func TestAuditWithoutReports(t *testing.T) {
	snap := &cloudmodel.Snapshot{Flavors: []cloudmodel.Flavor{flavor("gpu.bad", 1, 1, fleet.SpecAlias, "h100")}}
	r := Run(&Inputs{NovaRelease: novarelease.Newest(), Cloud: snap}, InSection(All, "GP4"))
	status := map[string]string{}
	for _, c := range r.Checks {
		status[c.ID] = string(c.Status)
		if c.Status == report.StatusSkip && !strings.Contains(c.Reason, "--") {
			t.Errorf("%s skipped without saying which flag gives its input: %q", c.ID, c.Reason)
		}
	}
	if status["GP401"] != "fail" || status["GP403"] != "skip" || status["GP402"] != "skip" {
		t.Errorf("statuses %v", status)
	}
}

// A host whose nova-compute is down or disabled in the hypervisor list takes
// no instances: its GPUs do not count, and the verdict says why.
func TestAuditComputeServiceDown(t *testing.T) {
	one := readyHost()  // gpu01: one H100
	two := twoGPUHost() // gpu02: two H100s
	reports := []*report.HostReport{
		hostReport(one, []string{h100Spec}, []string{h100Alias}),
		hostReport(two, []string{h100Spec}, []string{h100Alias}),
	}
	flavors := []cloudmodel.Flavor{
		flavor("gpu.h100.1", 16, 65536, fleet.SpecAlias, "h100:1", fleet.SpecSecureBoot, "required"),
		flavor("gpu.h100.2", 16, 65536, fleet.SpecAlias, "h100:2", fleet.SpecSecureBoot, "required"),
	}
	rel, _ := novarelease.Parse("2024.1")
	audit := func(hyps ...cloudmodel.Hypervisor) report.Report {
		snap := &cloudmodel.Snapshot{Flavors: flavors, Hypervisors: hyps}
		return Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, InSection(All, "GP4"))
	}
	verdicts := func(r report.Report) map[string]string {
		out := map[string]string{}
		for _, f := range r.Audit.Flavors {
			out[f.Name] = f.Verdict
		}
		return out
	}
	ids := func(r report.Report) []string {
		var out []string
		for _, f := range r.Findings {
			if f.ID != "GP408" && f.ID != "GP409" {
				out = append(out, f.ID+" "+f.Subject.Ref)
			}
		}
		sort.Strings(out)
		return out
	}

	// Both up (FQDN hypervisor names, short report names), and capacity
	// from the hypervisor list: 16 CPUs x 4 = 64 vCPUs, 52 used, so 12 free
	// (and one server gets at most the 16 CPUs: Placement's max_unit).
	up := audit(
		cloudmodel.Hypervisor{Hostname: "gpu01.example.com", State: "up", Status: "enabled", VCPUs: 16, VCPUsUsed: 52, MemoryMB: 262144},
		cloudmodel.Hypervisor{Hostname: "gpu02.example.com", ServiceHost: "gpu02", State: "up", Status: "enabled"},
	)
	if v := verdicts(up)["gpu.h100.2"]; v != "bootable on 1 host (gpu02); up to 1 more instance fits" {
		t.Errorf("all up: gpu.h100.2 %q", v)
	}
	if v := verdicts(up)["gpu.h100.1"]; !strings.HasPrefix(v, "bootable on 2 hosts") {
		t.Errorf("all up: gpu.h100.1 %q", v)
	}
	for _, h := range up.Audit.Hosts {
		if h.Service != "up, enabled" || h.Down != "" {
			t.Errorf("all up: host %s service %q down %q", h.Name, h.Service, h.Down)
		}
		if h.Name == "gpu01" && h.VCPUs != 64 {
			t.Errorf("gpu01: %d vCPUs from the hypervisor list, want 16 x 4 = 64", h.VCPUs)
		}
	}

	// gpu02 disabled: the two-GPU flavor has nowhere to go, and says so.
	disabled := audit(
		cloudmodel.Hypervisor{Hostname: "gpu01.example.com", State: "up", Status: "enabled"},
		cloudmodel.Hypervisor{Hostname: "gpu02.example.com", State: "up", Status: "disabled"},
	)
	if diff := cmp.Diff([]string{"GP403 gpu.h100.2", "GP407 gpu.h100.1"}, ids(disabled)); diff != "" {
		t.Errorf("gpu02 disabled: findings (-want +got):\n%s", diff)
	}
	want := "cannot boot: gpu02: its nova-compute is disabled (hypervisor gpu02.example.com)"
	if v := verdicts(disabled)["gpu.h100.2"]; v != want {
		t.Errorf("gpu02 disabled: gpu.h100.2 %q, want %q", v, want)
	}
	if v := verdicts(disabled)["gpu.h100.1"]; !strings.HasPrefix(v, "bootable on 1 host (gpu01)") {
		t.Errorf("gpu02 disabled: gpu.h100.1 %q", v)
	}
	for _, f := range disabled.Findings {
		if f.ID == "GP403" && !strings.Contains(f.Message, "no host that takes instances has 2 usable h100 devices (the most: 1 on gpu01); gpu02 (its nova-compute is disabled (hypervisor gpu02.example.com)) would have them") {
			t.Errorf("GP403 does not name the disabled host: %s", f.Message)
		}
	}

	// Both down: nothing boots; no hypervisor entry at all is not "down".
	down := audit(
		cloudmodel.Hypervisor{Hostname: "gpu01", State: "down", Status: "enabled"},
		cloudmodel.Hypervisor{Hostname: "gpu02", State: "down", Status: "enabled"},
	)
	if diff := cmp.Diff([]string{"GP403 gpu.h100.1", "GP403 gpu.h100.2"}, ids(down)); diff != "" {
		t.Errorf("all down: findings (-want +got):\n%s", diff)
	}
	unknown := audit(cloudmodel.Hypervisor{Hostname: "other", State: "down", Status: "disabled"})
	if v := verdicts(unknown)["gpu.h100.2"]; !strings.HasPrefix(v, "bootable on 1 host (gpu02)") {
		t.Errorf("hosts missing from the hypervisor list: gpu.h100.2 %q", v)
	}
}

// GP408: a flavor is kept off the GPU hosts by forbidding a trait that every
// GPU host's provider carries, or by an aggregate; forbidding some other
// trait does not protect it.
func TestGPUHostsUnprotected(t *testing.T) {
	reports := []*report.HostReport{
		hostReport(readyHost(), []string{h100Spec}, []string{h100Alias}),
		hostReport(twoGPUHost(), []string{h100Spec}, []string{h100Alias}),
	}
	rp := func(uuid, name string, traits ...string) cloudmodel.ResourceProvider {
		return cloudmodel.ResourceProvider{UUID: uuid, Name: name, RootUUID: uuid, Traits: traits}
	}
	snap := &cloudmodel.Snapshot{
		Flavors: []cloudmodel.Flavor{
			flavor("gpu.h100.1", 16, 65536, fleet.SpecAlias, "h100:1"),
			flavor("m1.plain", 1, 2048),
			flavor("m1.forbids-gpu", 1, 2048, "trait:CUSTOM_GPU_PASSTHROUGH", "forbidden"),
			flavor("m1.forbids-other", 1, 2048, "trait:CUSTOM_STORAGE", "forbidden"),
			flavor("m1.aggregate", 1, 2048, "aggregate_instance_extra_specs:pool", "general"),
			flavor("m1.requires-gpu", 1, 2048, "trait:CUSTOM_GPU_PASSTHROUGH", "required"),
		},
		ResourceProviders: []cloudmodel.ResourceProvider{
			rp("rp1", "gpu01", "CUSTOM_GPU_PASSTHROUGH", "HW_CPU_X86_VMX"),
			rp("rp2", "gpu02", "CUSTOM_GPU_PASSTHROUGH", "CUSTOM_STORAGE"),
		},
	}
	rel, _ := novarelease.Parse("2024.1")
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, InSection(All, "GP408"))
	if len(r.Findings) != 1 {
		t.Fatalf("findings %+v", r.Findings)
	}
	f := r.Findings[0]
	ev := f.Evidence
	if diff := cmp.Diff([]string{"m1.forbids-other", "m1.plain", "m1.requires-gpu"}, ev["flavors"]); diff != "" {
		t.Errorf("open flavors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CUSTOM_GPU_PASSTHROUGH"}, ev["gpu_host_traits"]); diff != "" {
		t.Errorf("common traits (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.Remediation, "openstack flavor set --property trait:CUSTOM_GPU_PASSTHROUGH=forbidden FLAVOR") {
		t.Errorf("remediation does not use the GPU hosts' own trait: %s", f.Remediation)
	}

	// Without Placement, any forbidden trait is taken as protection (it
	// cannot be checked), and the fix proposes a trait to create.
	snap.ResourceProviders = nil
	r = Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, InSection(All, "GP408"))
	ev = r.Findings[0].Evidence
	if diff := cmp.Diff([]string{"m1.plain", "m1.requires-gpu"}, ev["flavors"]); diff != "" {
		t.Errorf("without placement: open flavors (-want +got):\n%s", diff)
	}
	if _, ok := ev["gpu_host_traits"]; ok || !strings.Contains(r.Findings[0].Remediation, "CUSTOM_GPU_HOST") {
		t.Errorf("without placement: evidence %v, fix %s", ev, r.Findings[0].Remediation)
	}
}

// A host report made by a user who could not read nova.conf says nothing
// of its aliases or device_spec: GP409 leaves it out, and its GPUs are
// unusable for that reason, not for want of a device_spec.
func TestAuditHostWithUnreadConf(t *testing.T) {
	spec := `{"vendor_id": "10de", "product_id": "2330"}`
	alias := `{"name": "h100", "vendor_id": "10de", "product_id": "2330", "device_type": "type-PCI"}`
	readable := hostReport(readyHost(), []string{spec}, []string{alias})
	other := hostReport(twoGPUHost(), []string{spec}, []string{alias})
	unread := hostReport(func() *hostinfo.Host { h := readyHost(); h.Hostname = "gpu03"; return h }(), nil, nil)
	unread.Report.NovaConf = &report.ConfReport{Role: "compute", Files: []report.ConfFileReport{}, Options: []report.ConfOption{},
		Unreadable: []report.ConfUnreadable{{Path: "/etc/nova", Reason: "permission denied: cannot look into it"}}}
	snap := &cloudmodel.Snapshot{Flavors: []cloudmodel.Flavor{flavor("g1", 8, 8192, "pci_passthrough:alias", "h100:1")}}
	rel, _ := novarelease.Parse("2024.1")
	r := Run(&Inputs{Cloud: snap, Reports: []*report.HostReport{readable, other, unread}, NovaRelease: rel}, []*Check{AliasInconsistentFleet})
	if len(r.Findings) != 0 {
		t.Errorf("GP409 on a host whose aliases are unknown: %+v", r.Findings)
	}
	v := fleet.New(snap, []*report.HostReport{unread}, rel, nil)
	if len(v.Hosts) != 1 || !v.Hosts[0].ConfUnread || len(v.Hosts[0].Unusable) == 0 ||
		!strings.Contains(v.Hosts[0].Unusable[0].Reason, "could not be read when the report was made") {
		t.Errorf("hosts %+v", v.Hosts)
	}
}

// TestAuditMaxUnit: Placement gives one server at most max_unit of a
// class (nova-compute reports the host's CPU count for VCPU), whatever the
// allocation ratio makes of the total; Nova's scheduler finds no candidate
// for a flavor between the two (found by the boot matrix: a 48-vCPU
// flavor on a 32-CPU host with cpu_allocation_ratio 4).
func TestAuditMaxUnit(t *testing.T) {
	reports := []*report.HostReport{hostReport(readyHost(), []string{h100Spec}, []string{h100Alias})}
	snap := &cloudmodel.Snapshot{
		Flavors: []cloudmodel.Flavor{
			flavor("gpu.32", 32, 65536, fleet.SpecAlias, "h100:1"),
			flavor("gpu.48", 48, 65536, fleet.SpecAlias, "h100:1"),
		},
		ResourceProviders: []cloudmodel.ResourceProvider{{
			UUID: "rp1", Name: "gpu01", RootUUID: "rp1",
			Inventories: map[string]cloudmodel.Inventory{
				"VCPU":      {Total: 32, MinUnit: 1, MaxUnit: 32, StepSize: 1, AllocationRatio: 4},
				"MEMORY_MB": {Total: 262144, MinUnit: 1, MaxUnit: 262144, StepSize: 1, AllocationRatio: 1},
			},
			Usages: map[string]int{},
		}},
	}
	rel, _ := novarelease.Parse("2025.1")
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, InSection(All, "GP4"))
	verdicts := map[string]report.AuditFlavor{}
	for _, f := range r.Audit.Flavors {
		verdicts[f.Name] = f
	}
	if v := verdicts["gpu.32"]; !v.Bootable {
		t.Errorf("gpu.32 (as many vCPUs as the host's CPUs): %q", v.Verdict)
	}
	want := "cannot boot: gpu01: 48 vCPUs asked, one server gets at most 32 on this host (Placement's max_unit"
	if v := verdicts["gpu.48"]; v.Bootable || !strings.HasPrefix(v.Verdict, want) {
		t.Errorf("gpu.48: verdict %q, want it to start with %q", v.Verdict, want)
	}
	var gp405 []string
	for _, f := range r.Findings {
		if f.ID == "GP405" {
			gp405 = append(gp405, f.Subject.Ref+": "+f.Message)
		}
	}
	if len(gp405) != 1 || !strings.HasPrefix(gp405[0], "gpu.48: ") || !strings.Contains(gp405[0], "with 32 vCPUs") {
		t.Errorf("GP405: %q, want one on gpu.48 naming 32 vCPUs", gp405)
	}
}

// TestAuditEmptyProvider: a compute node's provider without a VCPU
// inventory gets no allocation candidate: nova-compute created it and
// stopped before reporting (found by the boot matrix: a devname
// device_spec with report_in_placement = true stops Nova 2025.1's
// nova-compute at start-up while the service stays up).
func TestAuditEmptyProvider(t *testing.T) {
	reports := []*report.HostReport{hostReport(readyHost(), []string{h100Spec}, []string{h100Alias})}
	snap := &cloudmodel.Snapshot{
		Flavors:           []cloudmodel.Flavor{flavor("gpu.1", 8, 65536, fleet.SpecAlias, "h100:1")},
		ResourceProviders: []cloudmodel.ResourceProvider{{UUID: "rp1", Name: "gpu01", RootUUID: "rp1", Inventories: map[string]cloudmodel.Inventory{}, Usages: map[string]int{}}},
	}
	rel, _ := novarelease.Parse("2025.1")
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, InSection(All, "GP4"))
	if len(r.Audit.Flavors) != 1 {
		t.Fatalf("%d flavors", len(r.Audit.Flavors))
	}
	v := r.Audit.Flavors[0]
	if v.Bootable || !strings.Contains(v.Verdict, "no VCPU inventory") {
		t.Errorf("gpu.1: %q, want not bootable, naming the empty provider", v.Verdict)
	}
}
