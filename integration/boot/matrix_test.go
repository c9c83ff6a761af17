package boot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// conf is nova.conf by group and option, each value as the file holds it
// (several for the multi-valued device_spec and alias). The functional stack
// runs every service in one process, so the compute node's and the API
// node's options are one set: the API node's aliases are the compute's.
type conf map[string]map[string][]string

func (c conf) with(group, opt string, vals ...string) conf {
	out := conf{}
	for g, opts := range c {
		out[g] = map[string][]string{}
		for o, v := range opts {
			out[g][o] = append([]string(nil), v...)
		}
	}
	if out[group] == nil {
		out[group] = map[string][]string{}
	}
	out[group][opt] = vals
	return out
}

// each calls f on every value, groups and options in sorted order; f
// learns when a group starts (first).
func (c conf) each(f func(group, opt, val string, first bool)) {
	groups := make([]string, 0, len(c))
	for g := range c {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		opts := make([]string, 0, len(c[g]))
		for o := range c[g] {
			opts = append(opts, o)
		}
		sort.Strings(opts)
		first := true
		for _, o := range opts {
			for _, v := range c[g][o] {
				f(g, o, v, first)
				first = false
			}
		}
	}
}

// options is the conf as a host report lists it (nova_conf.options).
func (c conf) options() []map[string]string {
	var out []map[string]string
	c.each(func(g, o, v string, _ bool) {
		out = append(out, map[string]string{"option": "[" + g + "]" + o, "value": v, "source": "/etc/nova/nova.conf:1"})
	})
	return out
}

// ini is the conf as a nova.conf file, for --api-conf.
func (c conf) ini() string {
	var b strings.Builder
	c.each(func(g, o, v string, first bool) {
		if first {
			fmt.Fprintf(&b, "[%s]\n", g)
		}
		fmt.Fprintf(&b, "%s = %s\n", o, strings.ReplaceAll(v, "\n", "\n "))
	})
	return b.String()
}

// filters is Nova's default enabled_filters of Zed to 2026.2 with the two
// that PCI and NUMA guests need, as gpupass generate writes them plus
// NUMATopologyFilter (which Nova's NUMA guides add).
const filters = "ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,NUMATopologyFilter,PciPassthroughFilter"

// flavor is a flavor of the matrix and what to boot of it.
type flavor struct {
	Name  string
	VCPUs int
	RAMMB int
	Specs map[string]string
	// Counts are sizes of multi-creates (N servers in one request) to
	// boot before the fill; the fill boots one at a time until one fails.
	Counts []int
	// Fill: after the multi-creates, boot one at a time until one fails,
	// to count how many fit; otherwise the flavor boots once.
	Fill   bool
	DiskGB int
}

// hostCase is a host, its nova.conf and the flavors to boot on it.
type hostCase struct {
	Name     string // the case's name: fixture-variant
	Fixture  string // under testdata/hosts
	Hostname string // the name Nova knows the host by; "" for the fixture's
	// Edit changes the fixture's host report (a synthetic host).
	Edit func(host map[string]any)
	// Conf is the nova.conf; nil for the fixture's own (and the filters).
	Conf    conf
	Flavors []flavor
	// Generated: the conf and flavors are gpupass generate's; every flavor
	// must boot.
	Generated bool
}

func specs(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

const (
	alias = "pci_passthrough:alias"
	pol   = "hw:pci_numa_affinity_policy"
	nodes = "hw:numa_nodes"
)

// gpuFlavors are flavors built to hit every GP4xx verdict the audit gives
// for PCI flavors on a host of gpus GPUs of alias a (perNode on its fullest
// NUMA node, numa NUMA nodes), cpus logical CPUs and memMB MB of RAM: bootable with its count of
// how many more fit (GP407), too many devices (GP403), the NUMA policies and
// guest NUMA nodes (GP404), too big (GP405), an undefined alias (GP402) and
// a value Nova rejects (GP401).
func gpuFlavors(a string, gpus, perNode, numa, cpus, memMB int) []flavor {
	n := func(i int) string { return fmt.Sprint(i) }
	fl := []flavor{
		{Name: a + ".1", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":1"), Fill: true},
		{Name: a + ".all", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":"+n(gpus))},
		{Name: a + ".too-many", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":"+n(gpus+1))},
		{Name: a + ".undefined", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "nosuchalias:1")},
		{Name: a + ".bad-value", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a)},
		{Name: a + ".bad-policy", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":1", pol, "sometimes")},
		{Name: a + ".vcpus-over-host", VCPUs: cpus + 1, RAMMB: 4096, Specs: specs(alias, a+":1")},
		{Name: a + ".vcpus-over-ratio", VCPUs: cpus*16 + 1, RAMMB: 4096, Specs: specs(alias, a+":1")},
		{Name: a + ".ram-over-host", VCPUs: 4, RAMMB: 64 * 1024 * 1024, Specs: specs(alias, a+":1")},
	}
	if gpus >= 2 {
		// N at once: all N fit, one more does not.
		fl = append(fl, flavor{Name: a + ".2", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":2"), Counts: []int{gpus / 2, gpus/2 + 1}})
	}
	if gpus >= 4 {
		// How many fit by vCPUs (the host's CPUs at allocation ratio 4)
		// and by RAM (a third of the host's).
		fl = append(fl,
			flavor{Name: a + ".1-vcpus-host", VCPUs: cpus, RAMMB: 4096, Specs: specs(alias, a+":1"), Fill: true},
			flavor{Name: a + ".1-ram-third", VCPUs: 4, RAMMB: memMB / 3, Specs: specs(alias, a+":1"), Fill: true})
	}
	for _, p := range []string{"required", "legacy", "preferred", "socket"} {
		fl = append(fl,
			flavor{Name: a + ".numa1." + p, VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":1", nodes, "1", pol, p)},
			flavor{Name: a + ".numa1-node-full." + p, VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":"+n(perNode+1), nodes, "1", pol, p)},
		)
	}
	if numa >= 2 {
		fl = append(fl,
			flavor{Name: a + ".numa2-all.required", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":"+n(gpus), nodes, "2", pol, "required")},
			flavor{Name: a + ".numa-over-host", VCPUs: 4 * (numa + 1), RAMMB: 4096 * (numa + 1), Specs: specs(alias, a+":1", nodes, n(numa+1))},
		)
	}
	fl = append(fl,
		flavor{Name: a + ".pinned", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":1", "hw:cpu_policy", "dedicated")},
		flavor{Name: a + ".hugepages", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, a+":1", "hw:mem_page_size", "large")},
		flavor{Name: a + ".numa1-vcpus-over-node", VCPUs: cpus/max(numa, 1) + 16, RAMMB: 4096, Specs: specs(alias, a+":1", nodes, "1")},
	)
	return fl
}

// pick is the flavors of those names.
func pick(fl []flavor, names ...string) []flavor {
	var out []flavor
	for _, f := range fl {
		for _, n := range names {
			if f.Name == n {
				out = append(out, f)
			}
		}
	}
	return out
}

func aliasJSON(name, vendor, product, devType, policy string) string {
	s := fmt.Sprintf(`{"name": %q, "vendor_id": %q, "product_id": %q, "device_type": %q`, name, vendor, product, devType)
	if policy != "" {
		s += fmt.Sprintf(`, "numa_policy": %q`, policy)
	}
	return s + "}"
}

// pciConf is a compute node's [pci] section and the scheduler's filters.
func pciConf(specs []string, aliases ...string) conf {
	return conf{
		"pci":              {"device_spec": specs, "alias": aliases},
		"filter_scheduler": {"enabled_filters": {filters}},
	}
}

// placement turns PCI in Placement on: the compute reports its devices
// there and the scheduler asks it for them (2023.1 on; Zed only reports).
func placement(c conf) conf {
	return c.with("pci", "report_in_placement", "true").with("filter_scheduler", "pci_in_placement", "true")
}

// numa2x4 edits h100-hgx into the host of issue 14's known cases: two NUMA
// nodes of 32 CPUs and 250 GiB each, two H100 on each node.
func numa2x4(host map[string]any) {
	host["hostname"] = "numa2x4"
	host["memory_mb"] = 2 * 250 * 1024
	host["numa_nodes"] = 2
	host["cpu"].(map[string]any)["logical_cpus"] = 64
	// The NUMA layout host reports carry since i14-numa, as fakelibvirt
	// numbers it: node 0 has CPUs 0-31, node 1 32-63, 250 GiB each, no
	// huge pages.
	host["cpus_online"] = "0-63"
	var nodes []any
	for i, cpus := range []string{"0-31", "32-63"} {
		nodes = append(nodes, map[string]any{"id": i, "cpus": cpus, "memory_kb": 250 * 1024 * 1024,
			"huge_pages": []any{map[string]any{"size_kb": 2048, "total": 0, "free": 0}, map[string]any{"size_kb": 1048576, "total": 0, "free": 0}}})
	}
	host["numa_topology"] = nodes
	drop := map[string]bool{"0000:3a:00.0": true, "0000:3b:00.0": true, "0000:ba:00.0": true, "0000:bb:00.0": true}
	var keep []any
	for _, d := range host["pci_devices"].([]any) {
		if !drop[d.(map[string]any)["address"].(string)] {
			keep = append(keep, d)
		}
	}
	host["pci_devices"] = keep
}

var (
	h100Spec  = `{"vendor_id": "10de", "product_id": "2330"}`
	mi210Spec = `{"vendor_id": "1002", "product_id": "740f"}`
	a100Spec  = `{"vendor_id": "10de", "product_id": "20b2"}`
)

// matrix is the hosts and flavors the audit is held to.
func matrix() []hostCase {
	h100 := pciConf([]string{h100Spec}, aliasJSON("h100", "10de", "2330", "type-PCI", ""))
	numa := pciConf([]string{h100Spec}, aliasJSON("h100", "10de", "2330", "type-PCI", ""))
	known := []flavor{
		// Issue 14's known cases: a guest NUMA node larger than a host's.
		{Name: "h100.numa1-48vcpus", VCPUs: 48, RAMMB: 4096, Specs: specs(alias, "h100:1", nodes, "1")},
		{Name: "h100.numa1-300000mb", VCPUs: 4, RAMMB: 300000, Specs: specs(alias, "h100:1", nodes, "1")},
		{Name: "h100.48vcpus", VCPUs: 48, RAMMB: 4096, Specs: specs(alias, "h100:1")},
		{Name: "h100.300000mb", VCPUs: 4, RAMMB: 300000, Specs: specs(alias, "h100:1")},
	}
	return []hostCase{
		{Name: "h100-hgx", Fixture: "h100-hgx", Conf: h100, Flavors: gpuFlavors("h100", 8, 4, 2, 128, 2063790)},
		// With PCI in Placement, a flavor asking for every one of the 8 GPUs
		// is 8 request groups over 8 providers: Placement 2025.1 spent over
		// 8 minutes of CPU on its allocation candidates (8^8 combinations)
		// without answering, so the placement variant asks for 1 and 2.
		{Name: "h100-hgx-placement", Fixture: "h100-hgx", Conf: placement(h100), Flavors: pick(gpuFlavors("h100", 8, 4, 2, 128, 2063790), "h100.1", "h100.2", "h100.undefined")},
		{Name: "numa2x4", Fixture: "h100-hgx", Edit: numa2x4, Conf: numa, Flavors: append(gpuFlavors("h100", 4, 2, 2, 64, 512000), known...)},
		{Name: "numa2x4-pinned", Fixture: "h100-hgx", Edit: numa2x4, Conf: numa.with("compute", "cpu_dedicated_set", "0-15,32-47").with("compute", "cpu_shared_set", "16-31,48-63"), Flavors: []flavor{
			{Name: "h100.pinned", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "h100:1", "hw:cpu_policy", "dedicated")},
			{Name: "h100.pinned-over-node", VCPUs: 20, RAMMB: 4096, Specs: specs(alias, "h100:1", "hw:cpu_policy", "dedicated")},
			{Name: "h100.shared", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "h100:1")},
			// The CPU extra specs Nova's API refuses (numa_get_constraints),
			// and thread policies on dedicated CPUs: the harness's host has
			// two threads a core; the audit, which sees no siblings, says so.
			{Name: "h100.thread-shared", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "h100:1", "hw:cpu_thread_policy", "isolate")},
			{Name: "h100.emulator-shared", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "h100:1", "hw:emulator_threads_policy", "isolate")},
			{Name: "h100.pcpu-short", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "h100:1", "resources:PCPU", "2")},
			{Name: "h100.pinned-isolate", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "h100:1", "hw:cpu_policy", "dedicated", "hw:cpu_thread_policy", "isolate")},
			{Name: "h100.pinned-require", VCPUs: 4, RAMMB: 4096, Specs: specs(alias, "h100:1", "hw:cpu_policy", "dedicated", "hw:cpu_thread_policy", "require")},
		}},
		{Name: "epyc-mi210", Fixture: "epyc-mi210", Conf: pciConf([]string{mi210Spec}, aliasJSON("mi210", "1002", "740f", "type-PCI", "")), Flavors: gpuFlavors("mi210", 1, 1, 2, 128, 1031720)},
		// The A100 has SR-IOV: Nova calls it type-PF.
		{Name: "a100-sriov-pf", Fixture: "a100-sriov", Conf: pciConf([]string{a100Spec}, aliasJSON("a100", "10de", "20b2", "type-PF", "")), Flavors: gpuFlavors("a100", 1, 1, 2, 256, 2063725)[:4]},
		{Name: "a100-sriov-pci", Fixture: "a100-sriov", Conf: pciConf([]string{a100Spec}, aliasJSON("a100", "10de", "20b2", "type-PCI", "")), Flavors: gpuFlavors("a100", 1, 1, 2, 256, 2063725)[:1]},
		// VFs of the vendor framework, in Placement, with a type-VF alias by
		// resource class (the fixture's own nova.conf, 2025.1's).
		{Name: "l40s-vendor-vfio", Fixture: "l40s-vendor-vfio", Flavors: gpuFlavors("l40s-2q", 4, 4, 1, 64, 1031759)[:4]},
		// The same with what nova-compute refuses at start-up in Placement
		// mode (GP610: one PF's VFs in two resource classes, the PF beside
		// its VFs, a devname entry).
		{Name: "l40s-placement-mix", Fixture: "l40s-placement-mix", Flavors: gpuFlavors("l40s-2q", 3, 3, 1, 64, 1031759)[:1]},
		{Name: "a100-sriov-pf-placement", Fixture: "a100-sriov", Conf: placement(pciConf([]string{a100Spec}, aliasJSON("a100", "10de", "20b2", "type-PF", ""))), Flavors: gpuFlavors("a100", 1, 1, 2, 256, 2063725)[:3]},
		// vGPU (mdevs): the host's mdev parents, types and available
		// instances, and the mdevs it has, given to fakelibvirt; Nova reports
		// VGPU inventories per parent to Placement and makes the mdevs.
		// Two V100s with 15 and 16 nvidia-105 left and one made: 32.
		{Name: "v100-mdev", Fixture: "v100-mdev", Conf: vgpuConf("nvidia-105"), Flavors: []flavor{
			// One request gets the vGPUs of one GPU: 16 at once, not 17.
			{Name: "vgpu.1", VCPUs: 2, RAMMB: 2048, Specs: specs(vgpu, "1"), Counts: []int{16, 17}, Fill: true},
			{Name: "vgpu.2", VCPUs: 2, RAMMB: 2048, Specs: specs(vgpu, "2"), Counts: []int{8, 9}, Fill: true},
			{Name: "vgpu.17", VCPUs: 2, RAMMB: 2048, Specs: specs(vgpu, "17")},
		}},
		// An A40 in SR-IOV mode: 32 VFs, one nvidia-558 each.
		{Name: "a40-sriov-mdev", Fixture: "a40-sriov-mdev", Conf: vgpuConf("nvidia-558", "mdev_nvidia-558", a40VFs(0, 32)), Flavors: []flavor{
			// A VF takes one: one request for two servers fails.
			{Name: "vgpu.1", VCPUs: 2, RAMMB: 2048, Specs: specs(vgpu, "1"), Counts: []int{2}, Fill: true},
			{Name: "vgpu.2", VCPUs: 2, RAMMB: 2048, Specs: specs(vgpu, "2")},
		}},
		// Two types on the A40's VFs, half each; the GPU already runs an
		// nvidia-560, so no nvidia-558 is available; max_instances = 12
		// caps nvidia-560 from 2024.2 (Zed has no such option).
		{Name: "a40-mdev-capacity", Fixture: "a40-mdev-capacity", Conf: vgpuConf("nvidia-558,nvidia-560", "mdev_nvidia-558", a40VFs(0, 16), "mdev_nvidia-560", a40VFs(16, 32)).with("mdev_nvidia-560", "max_instances", "12"), Flavors: []flavor{
			{Name: "vgpu.1", VCPUs: 2, RAMMB: 2048, Specs: specs(vgpu, "1"), Counts: []int{2}, Fill: true},
		}},
	}
}

const vgpu = "resources:VGPU"

// vgpuConf enables mdev types, with each [mdev_TYPE] group's
// device_addresses given as group, addresses pairs.
func vgpuConf(types string, groups ...string) conf {
	c := conf{"devices": {"enabled_mdev_types": {types}}, "filter_scheduler": {"enabled_filters": {filters}}}
	for i := 0; i+1 < len(groups); i += 2 {
		c = c.with(groups[i], "device_addresses", groups[i+1])
	}
	return c
}

// a40VFs lists the A40's VFs from..to-1 (0000:3b:00.4 is the first; eight
// functions a slot), as device_addresses takes them.
func a40VFs(from, to int) string {
	var out []string
	for i := from; i < to; i++ {
		n := i + 4
		out = append(out, fmt.Sprintf("0000:3b:%02x.%d", n/8, n%8))
	}
	return strings.Join(out, ",")
}

// auditFlavor is a flavor of the audit's JSON report.
type auditFlavor struct {
	Name          string   `json:"name"`
	Bootable      bool     `json:"bootable"`
	Verdict       string   `json:"verdict"`
	Hosts         []string `json:"hosts"`
	MoreInstances *int     `json:"more_instances"`
	MoreExact     bool     `json:"more_exact"`
	AtOnce        *int     `json:"at_once"`
	AtOnceExact   bool     `json:"at_once_exact"`
}

// row is one case of the matrix: the audit's verdict and Nova's outcome.
type row struct {
	Suite, Host, Flavor string
	GP                  auditFlavor
	NovaBoots           bool
	NovaFit             int    // servers that booted, one at a time, before one failed
	NovaFitExact        bool   // a server failed (else the fill stopped at its limit)
	NovaWhy             string // the first failure's kind and message
	Multi               string // the multi-creates: "N:active/N"
	Agree               bool
	Why                 string          // what differs
	Known               string          // the known gap's reason
	Findings            []reportFinding `json:"-"` // the host's preflight findings
}

// reportFinding is a finding of the host's preflight report.
type reportFinding struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// maxFill bounds how many servers the fill boots.
const maxFill = 17

func runHost(t *testing.T, e *env, s suite, hc hostCase, reportJSON []byte) []row {
	var report map[string]any
	if err := json.Unmarshal(reportJSON, &report); err != nil {
		t.Fatal(err)
	}
	var findings struct {
		Findings []reportFinding `json:"findings"`
	}
	if err := json.Unmarshal(reportJSON, &findings); err != nil {
		t.Fatal(err)
	}
	host := report["host"].(map[string]any)
	if hc.Edit != nil {
		hc.Edit(host)
	}
	if hc.Hostname != "" {
		host["hostname"] = hc.Hostname
	}
	report["nova_release"] = s.Release
	nc, _ := report["nova_conf"].(map[string]any)
	if hc.Conf == nil {
		// The fixture's own nova.conf, with the filters PCI and NUMA
		// guests need where it names none.
		hc.Conf = conf{}
		opts, _ := nc["options"].([]any)
		for _, o := range opts {
			m := o.(map[string]any)
			name, val := m["option"].(string), m["value"].(string)
			group, opt, ok := strings.Cut(strings.TrimPrefix(name, "["), "]")
			if !ok {
				continue
			}
			hc.Conf = hc.Conf.with(group, opt, append(hc.Conf[group][opt], val)...)
		}
		if hc.Conf["filter_scheduler"]["enabled_filters"] == nil {
			hc.Conf = hc.Conf.with("filter_scheduler", "enabled_filters", filters)
		}
	}
	if nc == nil {
		nc = map[string]any{"role": "compute", "layout": "packages"}
		report["nova_conf"] = nc
	}
	nc["options"] = hc.Conf.options()
	edited, err := json.MarshalIndent(report, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	in := harnessInput{HostReport: edited, Conf: hc.Conf}
	for _, f := range hc.Flavors {
		c := harnessCase{Name: f.Name, VCPUs: f.VCPUs, RAMMB: f.RAMMB, DiskGB: f.DiskGB, ExtraSpecs: f.Specs, Counts: f.Counts}
		if c.Counts == nil {
			c.Counts = []int{}
		}
		if f.Fill {
			c.Fill = maxFill
		} else if len(c.Counts) == 0 {
			c.Counts = []int{1}
		}
		in.Cases = append(in.Cases, c)
	}
	out := e.runHarness(t, s, hc.Name, in)

	// The audit of what Nova's Placement and API hold, with the host's report.
	dir := filepath.Join(e.out, s.Dir, hc.Name)
	reports := filepath.Join(dir, "reports")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path string, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(reports, "host.json"), edited)
	write(filepath.Join(dir, "cloud.json"), out.Cloud)
	write(filepath.Join(dir, "api.conf"), []byte(hc.Conf.ini()))
	raw := e.gpupassRun(t, "audit", "--from-cloud", filepath.Join(dir, "cloud.json"), "--reports", reports,
		"--api-conf", filepath.Join(dir, "api.conf"), "--nova-release", s.Release, "--format", "json")
	write(filepath.Join(dir, "audit.json"), raw)
	var audit struct {
		Audit struct {
			Flavors []auditFlavor `json:"flavors"`
		} `json:"audit"`
	}
	if err := json.Unmarshal(raw, &audit); err != nil {
		t.Fatalf("audit report: %v", err)
	}
	gp := map[string]auditFlavor{}
	for _, f := range audit.Audit.Flavors {
		gp[f.Name] = f
	}
	if !out.Compute.Started {
		t.Logf("%s on %s: nova-compute did not start: %s", hc.Name, s.Dir, out.Compute.Error)
	}
	for _, ce := range out.ConfErrors {
		t.Logf("%s on %s: nova.conf option not in this release (oslo.config ignores it in a file): %s", hc.Name, s.Dir, ce)
	}
	var rows []row
	for _, c := range out.Cases {
		r := row{Suite: s.Dir, Host: hc.Name, Flavor: c.Name, Findings: findings.Findings}
		f, ok := gp[c.Name]
		if !ok {
			t.Errorf("%s on %s: the audit does not judge flavor %s", hc.Name, s.Dir, c.Name)
			continue
		}
		r.GP = f
		if c.Error != "" {
			t.Errorf("%s on %s: flavor %s: the harness failed: %s", hc.Name, s.Dir, c.Name, c.Error)
			continue
		}
		switch {
		case c.SpecError != "":
			r.NovaWhy = "api: " + c.SpecError
		case c.Fill != nil:
			r.NovaFit = c.Fill.Active
			r.NovaBoots = c.Fill.Active > 0
			if c.Fill.Fault != nil {
				r.NovaFitExact = true
				r.NovaWhy = c.Fill.Fault.Kind + ": " + c.Fill.Fault.Message
			}
		case len(c.Boots) > 0:
			r.NovaBoots = c.Boots[0].Active == c.Boots[0].Count
			r.NovaFit = c.Boots[0].Active
			if len(c.Boots[0].Faults) > 0 {
				r.NovaWhy = c.Boots[0].Faults[0].Kind + ": " + c.Boots[0].Faults[0].Message
			}
		}
		var multi []string
		for _, b := range c.Boots {
			multi = append(multi, fmt.Sprintf("%d at once: %d active", b.Count, b.Active))
		}
		r.Multi = strings.Join(multi, "; ")
		r.Agree, r.Why = compare(r, c, hc.Generated)
		rows = append(rows, r)
	}
	return rows
}

// compare decides whether the audit's verdict is Nova's outcome: bootable
// or not; where bootable, how many more fit (the cloud is empty, so every
// server Nova boots one after the other is one more); where not, whether
// Nova's API refused the request (a value it rejects, an undefined alias)
// or its scheduler or compute did; and a multi-create of N servers all
// boot exactly when N fit.
func compare(r row, c caseOutcome, generated bool) (bool, string) {
	var why []string
	if r.GP.Bootable != r.NovaBoots {
		why = append(why, fmt.Sprintf("gpupass says bootable=%v, Nova %s", r.GP.Bootable, novaSays(r)))
	}
	if generated && !r.NovaBoots {
		why = append(why, "a flavor gpupass generate wrote does not boot")
	}
	apiRefusal := strings.Contains(r.GP.Verdict, "Nova rejects") || strings.Contains(r.GP.Verdict, "is not defined")
	novaAPI := strings.HasPrefix(r.NovaWhy, "api:")
	if !r.GP.Bootable && !r.NovaBoots && apiRefusal != novaAPI {
		why = append(why, fmt.Sprintf("gpupass says why not %q, Nova refused it %s", r.GP.Verdict, map[bool]string{true: "at its API", false: "in its scheduler or compute"}[novaAPI]))
	}
	if r.GP.Bootable && r.NovaBoots && !generated && r.GP.MoreInstances != nil {
		more := *r.GP.MoreInstances
		if r.NovaFitExact && more != r.NovaFit || !r.NovaFitExact && more < r.NovaFit {
			why = append(why, fmt.Sprintf("gpupass says %d more fit, Nova booted %d", more, r.NovaFit))
		}
	}
	if r.GP.Bootable && r.GP.MoreInstances != nil {
		// One request for N: all boot exactly when N fit in one request
		// (at_once where the audit gives it, a floor unless exact).
		limit, exact := *r.GP.MoreInstances, true
		if r.GP.AtOnce != nil {
			limit, exact = *r.GP.AtOnce, r.GP.AtOnceExact
		}
		for _, b := range c.Boots {
			fits, all := b.Count <= limit, b.Active == b.Count
			if b.Count > 1 && (fits && !all || exact && !fits && all) {
				why = append(why, fmt.Sprintf("%d at once: gpupass says %d fit in one request, Nova booted %d", b.Count, limit, b.Active))
			}
		}
	}
	return len(why) == 0, strings.Join(why, "; ")
}

func novaSays(r row) string {
	if r.NovaBoots {
		return fmt.Sprintf("booted %d", r.NovaFit)
	}
	return "refused: " + firstLine(r.NovaWhy)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// reports caches each fixture's preflight report.
var (
	reportsMu sync.Mutex
	reportsBy = map[string][]byte{}
)

func (e *env) report(t *testing.T, fixture string) []byte {
	reportsMu.Lock()
	defer reportsMu.Unlock()
	if b, ok := reportsBy[fixture]; ok {
		return b
	}
	b := e.gpupassRun(t, "preflight", "--root", filepath.Join("testdata", "hosts", fixture), "--format", "json")
	reportsBy[fixture] = b
	return b
}

// TestBootMatrix holds the audit's verdicts to Nova's outcomes on every host
// and flavor of the matrix, for each release asked for.
func TestBootMatrix(t *testing.T) {
	e := setup(t)
	var mu sync.Mutex
	var all []row
	t.Run("matrix", func(t *testing.T) {
		for _, s := range e.suites {
			for _, hc := range matrix() {
				if !e.wanted(hc.Name) {
					continue
				}
				t.Run(s.Dir+"/"+hc.Name, func(t *testing.T) {
					t.Parallel()
					rows := runHost(t, e, s, hc, e.report(t, hc.Fixture))
					mu.Lock()
					all = append(all, rows...)
					mu.Unlock()
				})
			}
			for _, fixture := range generateFixtures {
				if !e.wanted("generate-" + fixture) {
					continue
				}
				t.Run(s.Dir+"/generate-"+fixture, func(t *testing.T) {
					t.Parallel()
					hc, ok := generated(t, e, s, fixture)
					if !ok {
						t.Logf("generate gives %s no GPU flavor: nothing to boot", fixture)
						return
					}
					rows := runHost(t, e, s, hc, e.report(t, hc.Fixture))
					mu.Lock()
					all = append(all, rows...)
					mu.Unlock()
				})
			}
		}
	})
	t.Logf("harness CPU time: %s", time.Duration(e.cpu.Load()).Round(time.Second))
	judge(t, e, all)
}

// judge fails on every disagreement that is not a known gap and on every
// known gap that no longer is one, and writes the matrix.
func judge(t *testing.T, e *env, rows []row) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Suite != b.Suite {
			return a.Suite < b.Suite
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Flavor < b.Flavor
	})
	agree := 0
	for i := range rows {
		r := &rows[i]
		g := knownGap(r.Suite, r.Host, r.Flavor)
		r.Known = g.Reason
		if g.Finding != "" {
			found := false
			for _, f := range r.Findings {
				if f.ID == g.Finding && strings.Contains(f.Message, g.Says) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s %s %s: the known gap says preflight reports it (%s: %q), and the host's report does not", r.Suite, r.Host, r.Flavor, g.Finding, g.Says)
			}
		}
		switch {
		case r.Agree && r.Known != "":
			t.Errorf("%s %s %s: listed as a known gap (%s) but gpupass and Nova now agree: remove it from knownGaps", r.Suite, r.Host, r.Flavor, r.Known)
		case !r.Agree && r.Known == "":
			t.Errorf("%s %s %s: gpupass and Nova disagree: %s\n  gpupass: %s\n  Nova: %s", r.Suite, r.Host, r.Flavor, r.Why, r.GP.Verdict, novaSays(*r))
		}
		if r.Agree {
			agree++
		}
	}
	if len(e.hosts) == 0 {
		for _, k := range unusedGaps(rows) {
			t.Errorf("known gap %q matches no case of the matrix: remove it", k)
		}
	}
	t.Logf("boot matrix: %d cases, %d agree, %d known gaps", len(rows), agree, len(rows)-agree)
	b, _ := json.MarshalIndent(rows, "", " ")
	_ = os.WriteFile(filepath.Join(e.out, "matrix.json"), b, 0o644)
	var md strings.Builder
	fmt.Fprintf(&md, "| release | host | flavor | gpupass | Nova | agree |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		mark := "yes"
		if !r.Agree {
			mark = "no: " + r.Known
		}
		fmt.Fprintf(&md, "| %s | %s | %s | %s | %s | %s |\n", r.Suite, r.Host, r.Flavor, strings.ReplaceAll(r.GP.Verdict, "|", "/"), strings.ReplaceAll(novaSays(r), "|", "/"), mark)
	}
	_ = os.WriteFile(filepath.Join(e.out, "matrix.md"), []byte(md.String()), 0o644)
	t.Logf("the matrix: %s", filepath.Join(e.out, "matrix.md"))
}
