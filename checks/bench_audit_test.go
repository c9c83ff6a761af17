//go:build unix

package checks

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// auditFleet is a cloud of hosts compute nodes, each a copy of the h100-hgx
// fixture (8 H100s among its PCI functions) with its own name and report,
// registered in Placement with PCI in Placement (one child provider per
// GPU, some in use); and flavors flavors, one in ten with a GPU alias
// (counts 1, 2, 4, 8 and 16, some with a NUMA policy), the rest without.
func auditFleet(b *testing.B, hosts, flavors int) *Inputs {
	b.Helper()
	host, err := hostinfo.Collect(filepath.Join("..", "testdata", "hosts", "h100-hgx"), hostinfo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	alias := `{"name": "h100", "vendor_id": "10de", "product_id": "2330", "device_type": "type-PCI", "numa_policy": "preferred"}`
	spec := `{"vendor_id": "10de", "product_id": "2330"}`
	snap := &cloudmodel.Snapshot{AuthURL: "http://keystone:5000/v3", Project: "admin", User: "admin"}
	var reports []*report.HostReport
	for i := range hosts {
		h := *host
		h.Hostname = fmt.Sprintf("gpu-%04d", i)
		reports = append(reports, hostReport(&h, []string{spec}, []string{alias}))
		root := fmt.Sprintf("rp-%04d", i)
		snap.ResourceProviders = append(snap.ResourceProviders, cloudmodel.ResourceProvider{
			UUID: root, Name: h.Hostname, RootUUID: root,
			Inventories: map[string]cloudmodel.Inventory{
				"VCPU":      {Total: 224, Reserved: 8, AllocationRatio: 1},
				"MEMORY_MB": {Total: 2063790, Reserved: 16384, AllocationRatio: 1},
			},
			Usages: map[string]int{"VCPU": 16 * (i % 8), "MEMORY_MB": 65536 * (i % 8)},
		})
		for _, d := range h.Devices {
			if d.VendorID != "10de" || d.DeviceID != "2330" {
				continue
			}
			used := 0
			if i%3 == 0 {
				used = 1
			}
			snap.ResourceProviders = append(snap.ResourceProviders, cloudmodel.ResourceProvider{
				UUID: root + "-" + d.Address, Name: h.Hostname + "_" + d.Address, ParentUUID: root, RootUUID: root,
				Inventories: map[string]cloudmodel.Inventory{"CUSTOM_PCI_10DE_2330": {Total: 1, AllocationRatio: 1}},
				Usages:      map[string]int{"CUSTOM_PCI_10DE_2330": used},
			})
		}
	}
	counts := []int{1, 2, 4, 8, 16}
	for i := range flavors {
		if i%10 != 0 {
			snap.Flavors = append(snap.Flavors, flavor(fmt.Sprintf("m1.%04d", i), 1+i%16, 2048*(1+i%8)))
			continue
		}
		n := counts[(i/10)%len(counts)]
		specs := []string{fleet.SpecAlias, fmt.Sprintf("h100:%d", n)}
		if i%20 == 0 {
			specs = append(specs, fleet.SpecNUMANodes, "1", fleet.SpecNUMAPolicy, "required")
		}
		snap.Flavors = append(snap.Flavors, flavor(fmt.Sprintf("gpu.%04d", i), 16*n, 65536*n, specs...))
	}
	rel, _ := novarelease.Parse("2024.1")
	return &Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}
}

// BenchmarkAudit runs the GP4xx checks over the fleet: what `gpupass
// audit` does once the cloud and the reports are read. The issue's target
// is under 1 s of CPU for 5,000 flavors and 2,000 host reports.
func BenchmarkAudit(b *testing.B) {
	for _, size := range []struct{ flavors, hosts int }{{1000, 200}, {5000, 2000}} {
		b.Run(fmt.Sprintf("flavors=%d/hosts=%d", size.flavors, size.hosts), func(b *testing.B) {
			in := auditFleet(b, size.hosts, size.flavors)
			checks := InSection(All, "GP4")
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				r := Run(in, checks)
				if r.Audit == nil || r.Audit.Counts.GPUFlavors != size.flavors/10 || r.Audit.Counts.Hosts != size.hosts {
					b.Fatalf("audit counts %+v", r.Audit.Counts)
				}
				if r.Audit.Counts.Bootable == 0 || r.Audit.Counts.Bootable == r.Audit.Counts.GPUFlavors {
					b.Fatalf("%d of %d GPU flavors bootable: the fleet should make some bootable and some not", r.Audit.Counts.Bootable, r.Audit.Counts.GPUFlavors)
				}
			}
			// CPU of the whole process (the garbage collector's too), per run.
			b.ReportMetric((cpuTime(b)-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
