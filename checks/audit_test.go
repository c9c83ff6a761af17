package checks

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloud"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// hostReport makes a preflight report of a host with the given nova.conf
// device_spec and alias values.
func hostReport(h *hostinfo.Host, specs, aliases []string) *HostReport {
	conf := &ConfReport{Role: "compute", Files: []ConfFileReport{{Path: "/etc/nova/nova.conf", Mode: "0640"}}}
	for _, s := range specs {
		conf.Options = append(conf.Options, ConfOption{Option: "[pci]device_spec", Value: s, Source: "/etc/nova/nova.conf:2"})
	}
	for _, a := range aliases {
		conf.Options = append(conf.Options, ConfOption{Option: "[pci]alias", Value: a, Source: "/etc/nova/nova.conf:3"})
	}
	return &HostReport{Path: "reports/" + h.Hostname + ".json", Report: Report{Schema: Schema, Command: "preflight", NovaRelease: "2024.1", Host: h, NovaConf: conf}}
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

func flavor(name string, vcpus, ramMB int, specs ...string) cloud.Flavor {
	f := cloud.Flavor{ID: "id-" + name, Name: name, VCPUs: vcpus, RAMMB: ramMB, IsPublic: true, ExtraSpecs: map[string]string{}}
	for i := 0; i+1 < len(specs); i += 2 {
		f.ExtraSpecs[specs[i]] = specs[i+1]
	}
	return f
}

func TestAudit(t *testing.T) {
	preferred := strings.Replace(h100Alias, `"device_type"`, `"numa_policy": "preferred", "device_type"`, 1)
	reports := []*HostReport{
		hostReport(readyHost(), []string{h100Spec}, []string{h100Alias}),
		hostReport(twoGPUHost(), []string{h100Spec}, []string{preferred}),
	}
	snap := &cloud.Snapshot{
		AuthURL: "http://keystone:5000/v3", Project: "admin", User: "admin",
		Flavors: []cloud.Flavor{
			flavor("gpu.h100.1", 16, 65536, specAlias, "h100:1"),
			flavor("gpu.h100.1.q35", 16, 65536, specAlias, "h100:1", specSecureBoot, "required"),
			flavor("gpu.bad", 16, 65536, specAlias, "h100"),
			flavor("gpu.l40s", 16, 65536, specAlias, "l40s:1"),
			flavor("gpu.h100.4", 64, 65536, specAlias, "h100:4"),
			flavor("gpu.numa", 16, 65536, specAlias, "h100:2", specNUMANodes, "1", specNUMAPolicy, "required"),
			flavor("gpu.huge", 10000, 65536, specAlias, "h100:1"),
			flavor("m1.small", 1, 2048),
			flavor("m1.kept-off", 1, 2048, "trait:CUSTOM_GPU_HOST", "forbidden"),
		},
		ResourceProviders: []cloud.ResourceProvider{{
			UUID: "rp1", Name: "gpu01", RootUUID: "rp1",
			Inventories: map[string]cloud.Inventory{"VCPU": {Total: 224, AllocationRatio: 1}, "MEMORY_MB": {Total: 2000000, Reserved: 4096, AllocationRatio: 1}},
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
	verdicts := map[string]AuditFlavor{}
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
		"gpu.numa":   "cannot boot: gpu02: with the required NUMA policy only 1 h100 device(s) sit on the guest's 1 NUMA node(s), 2 asked",
		"gpu.huge":   "cannot boot: gpu01: 10000 vCPUs asked",
	} {
		if v := verdicts[name]; v.Bootable || !strings.HasPrefix(v.Verdict, prefix) {
			t.Errorf("%s: verdict %q, want it to start with %q", name, v.Verdict, prefix)
		}
	}
	if r.Audit.Counts != (AuditFlavorInfo{Flavors: 9, GPUFlavors: 7, Bootable: 2, Hosts: 2}) {
		t.Errorf("counts %+v", r.Audit.Counts)
	}
	if r.Summary.Errors != 5 {
		t.Errorf("summary %+v", r.Summary)
	}
}

// Without reports the supply checks skip, saying how to give them.
func TestAuditWithoutReports(t *testing.T) {
	snap := &cloud.Snapshot{Flavors: []cloud.Flavor{flavor("gpu.bad", 1, 1, specAlias, "h100")}}
	r := Run(&Inputs{NovaRelease: novarelease.Newest(), Cloud: snap}, InSection(All, "GP4"))
	status := map[string]string{}
	for _, c := range r.Checks {
		status[c.ID] = string(c.Status)
		if c.Status == StatusSkip && !strings.Contains(c.Reason, "--") {
			t.Errorf("%s skipped without saying which flag gives its input: %q", c.ID, c.Reason)
		}
	}
	if status["GP401"] != "fail" || status["GP403"] != "skip" || status["GP402"] != "skip" {
		t.Errorf("statuses %v", status)
	}
}
