package fleet

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

const (
	l40sSpec  = `{"vendor_id": "10de", "product_id": "26b9"}`
	l40sAlias = `{"name": "l40s", "vendor_id": "10de", "product_id": "26b9", "device_type": "type-PCI", "numa_policy": "required"}`
)

// numaHostReport is the l40s-numa fixture's report (issue 14's host: two
// nodes of 32 CPUs and 250 GiB, two L40S on each) with these nova.conf
// options besides its device_spec and alias.
func numaHostReport(t *testing.T, opts ...string) *report.HostReport {
	t.Helper()
	host, err := hostinfo.Collect(filepath.Join("..", "testdata", "hosts", "l40s-numa"), hostinfo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conf := &report.ConfReport{Role: "compute", Options: []report.ConfOption{
		{Option: "[pci]device_spec", Value: l40sSpec, Source: "/etc/nova/nova.conf:5"},
		{Option: "[pci]alias", Value: l40sAlias, Source: "/etc/nova/nova.conf:6"},
	}}
	for i := 0; i+1 < len(opts); i += 2 {
		conf.Options = append(conf.Options, report.ConfOption{Option: opts[i], Value: opts[i+1], Source: "/etc/nova/nova.conf:9"})
	}
	return &report.HostReport{Path: "reports/l40s-numa.json", Report: report.Report{Schema: report.Schema, Command: "preflight", NovaRelease: "2025.1", Host: report.FromHost(host), NovaConf: conf}}
}

func numaFlavor(name string, vcpus, ramMB int, specs ...string) cloudmodel.Flavor {
	f := cloudmodel.Flavor{ID: "id-" + name, Name: name, VCPUs: vcpus, RAMMB: ramMB, IsPublic: true, ExtraSpecs: map[string]string{}}
	for i := 0; i+1 < len(specs); i += 2 {
		f.ExtraSpecs[specs[i]] = specs[i+1]
	}
	return f
}

func numaVerdicts(t *testing.T, rep *report.HostReport, flavors ...cloudmodel.Flavor) map[string]report.AuditFlavor {
	t.Helper()
	rel, _ := novarelease.Parse("2025.1")
	v := New(&cloudmodel.Snapshot{Flavors: flavors}, []*report.HostReport{rep}, rel, nil)
	out := map[string]report.AuditFlavor{}
	for _, af := range v.Report(nil, "").Flavors {
		out[af.Name] = af
	}
	return out
}

// The known case: Nova's NUMATopologyFilter refuses a one-node
// guest of 48 vCPUs, or of 300,000 MB, on a host whose nodes have 32 CPUs
// and 250 GiB; the audit called both bootable.
func TestNUMAFitKnownCase(t *testing.T) {
	got := numaVerdicts(t, numaHostReport(t),
		numaFlavor("numa1.48cpu", 48, 65536, SpecAlias, "l40s:1", SpecNUMANodes, "1"),
		numaFlavor("numa1.300g", 16, 300000, SpecAlias, "l40s:1", SpecNUMANodes, "1"),
		numaFlavor("numa2.48cpu", 48, 65536, SpecAlias, "l40s:2", SpecNUMANodes, "2"),
		numaFlavor("nonuma.300g", 16, 300000, SpecAlias, "l40s:1"),
		numaFlavor("pinned.32", 32, 65536, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated"),
		numaFlavor("pinned.33", 33, 65536, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated"),
		numaFlavor("numa1.3gpu", 16, 65536, SpecAlias, "l40s:3", SpecNUMANodes, "1"),
		numaFlavor("numa2.3gpu", 16, 65536, SpecAlias, "l40s:3", SpecNUMANodes, "2"),
		numaFlavor("numa1.1g-pages", 16, 65536, SpecAlias, "l40s:1", SpecPageSize, "1GB"),
		numaFlavor("asym", 15, 65536, SpecAlias, "l40s:1", SpecNUMANodes, "2"),
	)
	wantVerdicts(t, got, map[string]string{
		"numa1.48cpu":    "cannot boot: cmp-l40s-numa-01: hw:numa_nodes=1 asks 48 vCPUs and 65536 MB of RAM in one NUMA node: the host's nodes have 32 shared CPUs each",
		"numa1.300g":     "cannot boot: cmp-l40s-numa-01: hw:numa_nodes=1 asks 16 vCPUs and 300000 MB of RAM in one NUMA node: the host's nodes have 256000 MB outside huge pages each",
		"numa2.48cpu":    "bootable on 1 host (cmp-l40s-numa-01)",
		"nonuma.300g":    "bootable on 1 host (cmp-l40s-numa-01)",
		"pinned.32":      "bootable on 1 host (cmp-l40s-numa-01)",
		"pinned.33":      "cannot boot: cmp-l40s-numa-01: hw:cpu_policy=dedicated gives the guest one NUMA node and asks 33 dedicated vCPUs and 65536 MB of RAM in one NUMA node: the host's nodes have 32 each",
		"numa1.3gpu":     "cannot boot: cmp-l40s-numa-01: with the required NUMA policy the 3 l40s devices asked must sit on the guest's 1 NUMA node, and no placement of them gets enough (2 on node 0, 2 on node 1)",
		"numa2.3gpu":     "bootable on 1 host (cmp-l40s-numa-01)",
		"numa1.1g-pages": "cannot boot: cmp-l40s-numa-01: hw:numa_nodes=1 asks 16 vCPUs and 65536 MB of RAM in 1 GiB pages in one NUMA node: the host's nodes have 0 MB free in 1 GiB pages each",
		"asym":           "cannot boot: Nova rejects its NUMA extra specs — 15 vCPUs and 65536 MB do not divide evenly into hw:numa_nodes=2 (ImageNUMATopologyAsymmetric)",
	})
}

// How many more fit: the NUMA nodes bound it. 16 vCPUs and 64 GiB with
// one l40s on the guest's node (required): each node takes 3 by memory
// (256000 MB) and 2 by GPUs, so 4 in all, where the host's totals
// (64 CPUs x 4, 500 GiB) would allow 7.
func TestNUMAMoreFit(t *testing.T) {
	got := numaVerdicts(t, numaHostReport(t),
		numaFlavor("numa1", 16, 65536, SpecAlias, "l40s:1", SpecNUMANodes, "1"),
		numaFlavor("numa1.96g", 16, 98304, SpecAlias, "l40s:1", SpecNUMANodes, "1"),
		numaFlavor("plain", 16, 65536, SpecAlias, "l40s:1"))
	for name, want := range map[string]int{"numa1": 4, "numa1.96g": 4, "plain": 4} {
		if v := got[name]; v.MoreInstances == nil || *v.MoreInstances != want {
			t.Errorf("%s: %s, want %d more", name, v.Verdict, want)
		}
	}
	// 128 GiB per guest: one per node by memory.
	got = numaVerdicts(t, numaHostReport(t), numaFlavor("numa1.128g", 16, 131072, SpecAlias, "l40s:1", SpecNUMANodes, "1"))
	if v := got["numa1.128g"]; v.MoreInstances == nil || *v.MoreInstances != 2 {
		t.Errorf("numa1.128g: %s, want 2 more", v.Verdict)
	}
}

// The compute's CPU options split each node's CPUs as nova-compute does.
func TestNUMAFitCPUSets(t *testing.T) {
	pinned := numaFlavor("pinned.16", 16, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated")
	shared := numaFlavor("shared.16", 16, 8192, SpecAlias, "l40s:1", SpecNUMANodes, "1")
	for _, c := range []struct {
		name           string
		opts           []string
		pinned, shared bool
		why            string
	}{
		{"no sets: every CPU both", nil, true, true, ""},
		// 8 dedicated CPUs per node (2-5,34-37 / 18-21,50-53), no shared.
		{"dedicated only", []string{"[compute]cpu_dedicated_set", "2-5,34-37,18-21,50-53"}, false, false, "8 each"},
		{"dedicated and shared", []string{"[compute]cpu_dedicated_set", "0-15,16-31", "[compute]cpu_shared_set", "32-63"}, true, true, ""},
		{"shared only: no dedicated", []string{"[compute]cpu_shared_set", "0-63"}, false, true, "0 each"},
		{"vcpu_pin_set wins", []string{"[DEFAULT]vcpu_pin_set", "0-7,16-23", "[compute]cpu_shared_set", "0-63"}, false, false, "8 each"},
		{"not online", []string{"[compute]cpu_dedicated_set", "0-127"}, true, true, ""},
	} {
		got := numaVerdicts(t, numaHostReport(t, c.opts...), pinned, shared)
		if got["pinned.16"].Bootable != c.pinned || got["shared.16"].Bootable != c.shared {
			t.Errorf("%s: pinned %v (%s), shared %v (%s); want %v, %v", c.name, got["pinned.16"].Bootable, got["pinned.16"].Verdict, got["shared.16"].Bootable, got["shared.16"].Verdict, c.pinned, c.shared)
		}
		if c.why != "" && !strings.Contains(got["pinned.16"].Verdict, c.why) {
			t.Errorf("%s: %q, want it to say %q", c.name, got["pinned.16"].Verdict, c.why)
		}
	}
}

// The CPU extra specs Nova refuses when the server is created are the
// audit's "cannot boot" (each rule is held to Nova by the NUMA oracle),
// and a thread policy the audit cannot judge (host reports carry no CPU
// siblings) is said in the verdict, whose count is then a bound.
func TestNUMAThreadPolicies(t *testing.T) {
	got := numaVerdicts(t, numaHostReport(t),
		numaFlavor("isolate.shared", 8, 8192, SpecAlias, "l40s:1", "hw:cpu_thread_policy", "isolate"),
		numaFlavor("emulator.shared", 8, 8192, SpecAlias, "l40s:1", "hw:emulator_threads_policy", "isolate"),
		numaFlavor("ht-trait.shared", 8, 8192, SpecAlias, "l40s:1", "trait:HW_CPU_HYPERTHREADING", "forbidden"),
		numaFlavor("isolate.pinned", 8, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated", "hw:cpu_thread_policy", "isolate"),
		numaFlavor("require.pinned", 8, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated", "hw:cpu_thread_policy", "require"),
		numaFlavor("prefer.pinned", 8, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated", "hw:cpu_thread_policy", "prefer"),
		numaFlavor("pcpu.short", 8, 8192, SpecAlias, "l40s:1", "resources:PCPU", "4"),
		numaFlavor("pcpu.emulator", 8, 8192, SpecAlias, "l40s:1", "resources:PCPU", "8", "hw:emulator_threads_policy", "isolate"),
	)
	wantVerdicts(t, got, map[string]string{
		"isolate.shared":  "cannot boot: Nova rejects its NUMA extra specs — hw:cpu_thread_policy=isolate needs dedicated CPUs (hw:cpu_policy=dedicated or mixed) (CPUThreadPolicyConfigurationInvalid)",
		"emulator.shared": "cannot boot: Nova rejects its NUMA extra specs — hw:emulator_threads_policy=isolate needs dedicated CPUs (hw:cpu_policy=dedicated or mixed) (BadRequirementEmulatorThreadsPolicy)",
		"ht-trait.shared": "cannot boot: Nova rejects its NUMA extra specs — trait:HW_CPU_HYPERTHREADING=forbidden needs dedicated CPUs",
		"pcpu.emulator":   "cannot boot: Nova rejects its NUMA extra specs — resources:PCPU=8 for 8 vCPUs with hw:emulator_threads_policy=isolate: exactly one a vCPU and one for the emulator threads (InvalidRequest)",
		"pcpu.short":      "cannot boot: Nova rejects its NUMA extra specs — resources:PCPU=4 for 8 vCPUs: exactly one a vCPU (InvalidRequest)",
		"isolate.pinned":  "bootable on 1 host (cmp-l40s-numa-01); up to 4 more instances fit (hw:cpu_thread_policy=isolate is not judged",
		"require.pinned":  "bootable on 1 host (cmp-l40s-numa-01); up to 4 more instances fit (hw:cpu_thread_policy=require is not judged",
		"prefer.pinned":   "bootable on 1 host (cmp-l40s-numa-01); up to 4 more instances fit",
	})
	// prefer is Nova's default packing: judged, nothing to say.
	if v := got["prefer.pinned"].Verdict; strings.Contains(v, "thread_policy") {
		t.Errorf("prefer.pinned: %q", v)
	}
}

// With Placement read, the CPU thread policy is the SMT trait of the
// host's provider, as Nova's scheduler asks it (isolate forbids
// HW_CPU_HYPERTHREADING, require requires it; the boot matrix holds it to
// Nova): judged where the traits are known.
func TestNUMAThreadPolicySMT(t *testing.T) {
	flavors := []cloudmodel.Flavor{
		numaFlavor("isolate", 8, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated", "hw:cpu_thread_policy", "isolate"),
		numaFlavor("require", 8, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated", "hw:cpu_thread_policy", "require"),
		numaFlavor("ht-forbidden", 8, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated", "trait:HW_CPU_HYPERTHREADING", "forbidden"),
		numaFlavor("pinned", 8, 8192, SpecAlias, "l40s:1", SpecCPUPolicy, "dedicated"),
	}
	rel, _ := novarelease.Parse("2025.1")
	for _, tc := range []struct {
		traits []string
		want   map[string]string
	}{
		{[]string{"HW_CPU_HYPERTHREADING", "HW_CPU_X86_AVX2"}, map[string]string{
			"isolate":      "cannot boot: cmp-l40s-numa-01: hw:cpu_thread_policy=isolate asks Placement for a host without SMT (trait HW_CPU_HYPERTHREADING forbidden), and this host's provider has the trait",
			"ht-forbidden": "cannot boot: cmp-l40s-numa-01: trait:HW_CPU_HYPERTHREADING=forbidden asks Placement for a host without SMT",
			"require":      "bootable on 1 host (cmp-l40s-numa-01); up to ",
			"pinned":       "bootable on 1 host (cmp-l40s-numa-01)",
		}},
		{[]string{"HW_CPU_X86_AVX2"}, map[string]string{
			"isolate":      "bootable on 1 host (cmp-l40s-numa-01)",
			"ht-forbidden": "bootable on 1 host (cmp-l40s-numa-01)",
			"require":      "cannot boot: cmp-l40s-numa-01: hw:cpu_thread_policy=require asks Placement for a host with SMT (trait HW_CPU_HYPERTHREADING required), and this host's provider lacks it",
			"pinned":       "bootable on 1 host (cmp-l40s-numa-01)",
		}},
	} {
		root := cloudmodel.ResourceProvider{UUID: "rp-1", Name: "cmp-l40s-numa-01", RootUUID: "rp-1", Traits: tc.traits,
			Inventories: map[string]cloudmodel.Inventory{
				"VCPU":      {Total: 64, AllocationRatio: 1},
				"PCPU":      {Total: 64, AllocationRatio: 1},
				"MEMORY_MB": {Total: 512000, AllocationRatio: 1},
			}}
		v := New(&cloudmodel.Snapshot{Flavors: flavors, ResourceProviders: []cloudmodel.ResourceProvider{root}}, []*report.HostReport{numaHostReport(t)}, rel, nil)
		got := map[string]string{}
		for _, af := range v.Report(nil, "").Flavors {
			got[af.Name] = af.Verdict
		}
		for name, want := range tc.want {
			if !strings.HasPrefix(got[name], want) {
				t.Errorf("traits %q, %s: verdict\n  %q\nwant it to start with\n  %q", tc.traits, name, got[name], want)
			}
			if strings.Contains(got[name], "is not judged") {
				t.Errorf("traits %q, %s: Placement's traits are known, and the verdict says %q", tc.traits, name, got[name])
			}
		}
		if !strings.Contains(got["require"], "the count is a bound") && strings.HasPrefix(got["require"], "bootable") {
			t.Errorf("traits %q: require: %q does not say its count is a bound", tc.traits, got["require"])
		}
	}
}

// wantVerdicts checks each flavor's verdict starts as want says.
func wantVerdicts(t *testing.T, got map[string]report.AuditFlavor, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if v := got[name].Verdict; !strings.HasPrefix(v, w) {
			t.Errorf("%s: verdict\n  %q\nwant it to start with\n  %q", name, v, w)
		}
	}
}
