// Command auditfleet builds a fleet for bench/audit-fleet.sh: host reports
// made from real preflight reports of the fixture hosts, and the recorded
// cloud (the --save-cloud format) and API node nova.conf that go with them.
//
//	auditfleet -templates DIR -hosts 10000 -flavors 5000 -o OUT
//
// DIR holds `gpupass preflight --root testdata/hosts/NAME --format json`
// reports, one per fixture, named NAME.json. OUT gets reports/ (one report
// per host), cloud.json and api.conf. The fleet is deterministic: the same
// arguments give the same files.
//
// Hosts are drawn from the fixtures by weight (mostly healthy GPU hosts:
// H100 HGX, L40S, A100, MI210, GH200; some vGPU hosts; and some broken
// ones: IOMMU off, VT-d off in firmware, nouveau bound, a shared IOMMU
// group, ACS override), then varied: host name, some GPUs (with their
// other functions) removed, GPUs moved between NUMA nodes or their node
// unknown, CPUs and memory. Each host has a hypervisor (a few down or
// disabled) and a Placement root provider with VCPU, MEMORY_MB and
// DISK_GB inventories and usages, plus one child provider per usable GPU
// on hosts that report PCI devices in Placement and one VGPU provider per
// mdev parent on vGPU hosts. One flavor in ten asks for GPUs (by alias,
// counts 1 to 16, NUMA policies and guest NUMA topologies, vGPU
// resources, an undefined alias now and then); the others are plain.
//
// It is test tooling: nothing of it is in the gpupass binary.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/report"
)

// template is a fixture's report and how often it appears in the fleet
// (weights are per 1,000 hosts).
type template struct {
	name   string
	weight int
}

// The fleet's mix: weights per 1,000 hosts. Healthy GPU hosts dominate, as
// in a real GPU cloud; the broken ones are a few percent each.
var mix = []template{
	{"h100-hgx", 250},
	{"l40s-vendor-vfio", 80},
	{"l40s-placement-mix", 50},
	{"l40s-livemig-bookworm", 30},
	{"a100-sriov", 110},
	{"epyc-mi210", 60},
	{"gh200-nvgrace", 90},
	{"v100-mdev", 50},
	{"a40-sriov-mdev", 10},
	{"boot-vga-gpu", 40},
	{"turing-workstation", 20},
	{"quirks", 10},
	// broken, in their different ways
	{"acs-override", 25},
	{"nvme-shared-group", 25},
	{"nouveau-no-vfio", 30},
	{"iommu-off-kernel", 30},
	{"vtd-off-firmware", 30},
	{"gh200-no-smmu", 20},
	{"l40s-managed-mismatch", 20},
	{"l40s-vendor-misconfigured", 20},
}

// aliases the API node defines: the fixtures' GPUs, by name.
var aliases = []struct{ name, vendor, product, extra string }{
	{"h100", "10de", "2330", `, "device_type": "type-PCI", "numa_policy": "preferred"`},
	{"a100", "10de", "20b2", `, "device_type": "type-PCI"`},
	{"l40s", "10de", "26b9", `, "device_type": "type-PF"`},
	{"mi210", "1002", "740f", `, "device_type": "type-PCI"`},
	{"gh200", "10de", "2342", `, "device_type": "type-PCI"`},
	{"a6000", "10de", "2230", `, "device_type": "type-PCI"`},
	{"rtx4000", "10de", "1eb1", `, "device_type": "type-PCI"`},
	{"t4", "10de", "1eb8", `, "device_type": "type-PCI"`},
	{"rtx2080ti", "10de", "1e07", `, "device_type": "type-PCI"`},
	{"rtx3090", "10de", "2204", `, "device_type": "type-PCI"`},
	{"a10", "10de", "2206", `, "device_type": "type-PCI"`},
}

func main() {
	templates := flag.String("templates", "", "`DIR` of fixture preflight reports (NAME.json)")
	hosts := flag.Int("hosts", 10000, "host reports to write")
	flavors := flag.Int("flavors", 5000, "flavors in the recorded cloud")
	out := flag.String("o", "", "output `DIR` (reports/, cloud.json, api.conf)")
	flag.Parse()
	if *templates == "" || *out == "" || *hosts <= 0 || *flavors <= 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: auditfleet -templates DIR -hosts N -flavors N -o DIR")
		os.Exit(2)
	}
	if err := run(*templates, *hosts, *flavors, *out); err != nil {
		fmt.Fprintln(os.Stderr, "auditfleet:", err)
		os.Exit(1)
	}
}

func run(dir string, hosts, flavors int, out string) error {
	// Each fixture's report is decoded once per host made from it: the
	// variations change it in place.
	raw := map[string][]byte{}
	var names []string
	for _, t := range mix {
		data, err := os.ReadFile(filepath.Join(dir, t.name+".json"))
		if err != nil {
			return err
		}
		raw[t.name] = data
		for range t.weight {
			names = append(names, t.name)
		}
	}
	if err := os.MkdirAll(filepath.Join(out, "reports"), 0o755); err != nil {
		return err
	}
	snap := &cloudmodel.Snapshot{
		AuthURL: "https://keystone.bench.example:5000/v3", Region: "RegionOne", Interface: "public",
		Project: "admin", User: "admin", Admin: true,
		ComputeMicroversion: "2.61", ComputeMaxMicroversion: "2.96", HypervisorMicroversion: "2.53", PlacementMicroversion: "1.39",
		Incomplete: []cloudmodel.Gap{},
	}
	var bytes int64
	for i := range hosts {
		name := names[(i*7919)%len(names)] // spread the mix over the fleet
		rep, err := report.DecodePreflight(strings.NewReader(string(raw[name])))
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		vary(rep, i)
		path := filepath.Join(out, "reports", rep.Host.Hostname+".json")
		n, err := writeReport(path, rep)
		if err != nil {
			return err
		}
		bytes += n
		register(snap, rep, i)
	}
	addFlavors(snap, flavors)
	if err := writeJSON(filepath.Join(out, "cloud.json"), snap); err != nil {
		return err
	}
	var conf strings.Builder
	conf.WriteString("# the API node of bench/audit-fleet.sh's fleet\n[filter_scheduler]\nenabled_filters = ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,NUMATopologyFilter,PciPassthroughFilter\n\n[pci]\n")
	for _, a := range aliases {
		fmt.Fprintf(&conf, "alias = {\"name\": %q, \"vendor_id\": %q, \"product_id\": %q%s}\n", a.name, a.vendor, a.product, a.extra)
	}
	if err := os.WriteFile(filepath.Join(out, "api.conf"), []byte(conf.String()), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d host reports (%.1f MB, %.1f KB each on average), %d flavors, %d resource providers\n",
		hosts, float64(bytes)/1e6, float64(bytes)/float64(hosts)/1e3, len(snap.Flavors), len(snap.ResourceProviders))
	return nil
}

// vary makes host i of the fleet from its fixture's report.
func vary(rep *report.Report, i int) {
	h := rep.Host
	h.Hostname = fmt.Sprintf("%s-%05d", strings.SplitN(h.Hostname, ".", 2)[0], i)
	rep.GeneratedAt = fmt.Sprintf("2026-12-01T%02d:%02d:%02dZ", i/3600%24, i/60%60, i%60)
	gpus := rep.PassthroughGPUs
	// Fewer GPUs on some hosts: drop the last k with every function of
	// their slot (the audio, USB and UCSI functions of the card).
	if k := i % 4; k > 0 && len(gpus) > k {
		gone := map[string]bool{}
		for _, a := range gpus[len(gpus)-k:] {
			gone[slot(a)] = true
		}
		h.Devices = slices.DeleteFunc(h.Devices, func(d report.Device) bool { return gone[slot(d.Address)] })
		rep.PassthroughGPUs = gpus[:len(gpus)-k]
	}
	// NUMA: on two-node hosts, every GPU on node 0 on some, the node
	// unknown on others.
	if h.NUMANodes > 1 {
		gpu := map[string]bool{}
		for _, a := range rep.PassthroughGPUs {
			gpu[a] = true
		}
		for j := range h.Devices {
			d := &h.Devices[j]
			if !gpu[d.Address] {
				continue
			}
			switch i % 9 {
			case 3:
				zero := 0
				d.NUMANode = &zero
			case 6:
				d.NUMANode = nil
			}
		}
	}
	// Sizes: a quarter of the hosts have half the memory, some fewer CPUs.
	if i%4 == 2 {
		h.MemoryMB /= 2
	}
	if i%5 == 4 && h.CPU.LogicalCPUs >= 32 {
		h.CPU.LogicalCPUs -= 16
	}
}

// slot is a PCI address without its function.
func slot(addr string) string {
	if j := strings.LastIndexByte(addr, '.'); j > 0 {
		return addr[:j]
	}
	return addr
}

// register adds host i's hypervisor and resource providers.
func register(snap *cloudmodel.Snapshot, rep *report.Report, i int) {
	h := rep.Host
	state, status := "up", "enabled"
	switch {
	case i%53 == 0:
		state = "down"
	case i%61 == 0:
		status = "disabled"
	}
	snap.Hypervisors = append(snap.Hypervisors, cloudmodel.Hypervisor{
		ID: uuid("hv", i), Hostname: h.Hostname + ".bench.example", ServiceHost: h.Hostname,
		State: state, Status: status, Type: "QEMU",
	})
	root := uuid("rp", i)
	cpus := max(h.CPU.LogicalCPUs, 1)
	mem := max(int(h.MemoryMB), 1024)
	busy := i % 8 // eighths of the host in use
	snap.ResourceProviders = append(snap.ResourceProviders, cloudmodel.ResourceProvider{
		UUID: root, Name: h.Hostname, RootUUID: root, Generation: 1 + i%5,
		Inventories: map[string]cloudmodel.Inventory{
			"VCPU":      {Total: cpus, Reserved: 4, MinUnit: 1, MaxUnit: cpus, StepSize: 1, AllocationRatio: 4},
			"MEMORY_MB": {Total: mem, Reserved: 8192, MinUnit: 1, MaxUnit: mem, StepSize: 1, AllocationRatio: 1},
			"DISK_GB":   {Total: 3500, MinUnit: 1, MaxUnit: 3500, StepSize: 1, AllocationRatio: 1},
		},
		Usages: map[string]int{"VCPU": cpus * 4 * busy / 8, "MEMORY_MB": (mem - 8192) * busy / 8, "DISK_GB": 80 * busy},
		Traits: traits(status),
	})
	inPlacement := false
	if rep.NovaConf != nil {
		for _, o := range rep.NovaConf.Options {
			if o.Option == "[pci]report_in_placement" && strings.EqualFold(o.Value, "true") {
				inPlacement = true
			}
		}
	}
	n := 0
	if inPlacement {
		for _, d := range h.Devices {
			if !slices.Contains(rep.PassthroughGPUs, d.Address) && d.PhysFn == "" {
				continue
			}
			if d.Driver != "vfio-pci" && d.Driver != "nvidia" {
				continue
			}
			class := "CUSTOM_PCI_" + strings.ToUpper(d.VendorID+"_"+d.DeviceID)
			used := 0
			if (i+n)%3 == 0 {
				used = 1
			}
			snap.ResourceProviders = append(snap.ResourceProviders, cloudmodel.ResourceProvider{
				UUID: uuid("pci", i*100+n), Name: h.Hostname + "_" + d.Address, ParentUUID: root, RootUUID: root, Generation: 1,
				Inventories: map[string]cloudmodel.Inventory{class: {Total: 1, MinUnit: 1, MaxUnit: 1, StepSize: 1, AllocationRatio: 1}},
				Usages:      map[string]int{class: used},
				Traits:      []string{},
			})
			n++
		}
	}
	if h.Mdev != nil {
		for _, p := range h.Mdev.Parents {
			name := h.Hostname + "_pci_" + strings.NewReplacer(":", "_", ".", "_").Replace(p.Address)
			total := 16
			if len(h.Mdev.Parents) > 4 {
				total = 1 // SR-IOV: one VF per provider
			}
			snap.ResourceProviders = append(snap.ResourceProviders, cloudmodel.ResourceProvider{
				UUID: uuid("vgpu", i*100+n), Name: name, ParentUUID: root, RootUUID: root, Generation: 1,
				Inventories: map[string]cloudmodel.Inventory{"VGPU": {Total: total, MinUnit: 1, MaxUnit: total, StepSize: 1, AllocationRatio: 1}},
				Usages:      map[string]int{"VGPU": (i + n) % (total + 1)},
				Traits:      []string{},
			})
			n++
		}
	}
}

// traits are a root provider's traits, as nova-compute sets them.
func traits(status string) []string {
	if status == "disabled" {
		return []string{"COMPUTE_NET_VIF_MODEL_VIRTIO", "COMPUTE_STATUS_DISABLED", "HW_CPU_X86_VMX"}
	}
	return []string{"COMPUTE_NET_VIF_MODEL_VIRTIO", "HW_CPU_X86_VMX"}
}

// uuid is a made-up, well-formed, unique UUID.
func uuid(kind string, i int) string {
	var k uint32
	for _, c := range kind {
		k = k*31 + uint32(c)
	}
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", k, i)
}

// addFlavors adds n flavors: one in ten asks for GPUs.
func addFlavors(snap *cloudmodel.Snapshot, n int) {
	counts := []int{1, 2, 4, 8, 1, 2, 16}
	for i := range n {
		f := cloudmodel.Flavor{ID: fmt.Sprintf("%d", 1000+i), IsPublic: i%7 != 0, DiskGB: 40 + 20*(i%5), ExtraSpecs: map[string]string{}}
		if i%10 != 0 {
			f.Name = fmt.Sprintf("m%d.%04d", 1+i%3, i)
			f.VCPUs, f.RAMMB = 1<<(i%6), 2048<<(i%6)
			if i%3 == 0 {
				f.ExtraSpecs["hw:cpu_policy"] = "dedicated"
			}
			if i%11 == 0 {
				f.ExtraSpecs["hw:mem_page_size"] = "large"
			}
			snap.Flavors = append(snap.Flavors, f)
			continue
		}
		g := i / 10
		switch {
		case g%17 == 5: // vGPU
			f.Name = fmt.Sprintf("vgpu.%04d", i)
			f.VCPUs, f.RAMMB = 8, 32768
			f.ExtraSpecs["resources:VGPU"] = fmt.Sprint(1 + g%2)
		case g%29 == 7: // an alias the API node does not define
			f.Name = fmt.Sprintf("gpu.b200.%04d", i)
			f.VCPUs, f.RAMMB = 32, 262144
			f.ExtraSpecs["pci_passthrough:alias"] = "b200:1"
		default:
			a := aliases[g%len(aliases)]
			c := counts[(g/len(aliases))%len(counts)]
			f.Name = fmt.Sprintf("gpu.%s.%d.%04d", a.name, c, i)
			f.VCPUs, f.RAMMB = 8*c, 32768*c
			f.ExtraSpecs["pci_passthrough:alias"] = fmt.Sprintf("%s:%d", a.name, c)
			switch g % 6 {
			case 1:
				f.ExtraSpecs["hw:pci_numa_affinity_policy"] = "required"
				f.ExtraSpecs["hw:numa_nodes"] = "1"
			case 2:
				f.ExtraSpecs["hw:numa_nodes"] = "2"
				f.ExtraSpecs["hw:cpu_policy"] = "dedicated"
			case 3:
				f.ExtraSpecs["hw:pci_numa_affinity_policy"] = "socket"
				f.ExtraSpecs["hw:mem_page_size"] = "1GB"
			case 4:
				f.ExtraSpecs["os:secure_boot"] = "required"
				f.ExtraSpecs["hw:machine_type"] = "q35"
			}
		}
		snap.Flavors = append(snap.Flavors, f)
	}
	sort.SliceStable(snap.Flavors, func(a, b int) bool { return snap.Flavors[a].ID < snap.Flavors[b].ID })
}

// writeReport writes a report as preflight does (render.JSON) and returns
// its size.
func writeReport(path string, rep *report.Report) (int64, error) {
	if err := writeJSON(path, rep); err != nil {
		return 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func writeJSON(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = render.JSON(f, v)
	return errors.Join(err, f.Close())
}
