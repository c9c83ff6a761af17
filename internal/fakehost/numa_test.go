package fakehost

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFixtureNUMALayout holds every fixture's NUMA layout to its spec and
// to the kernel's rules: the nodes' cpulists partition the CPUs online,
// their MemTotal lines add up to the host's, each node shows the huge
// page sizes its CPU supports, and each device's numa_node is a node
// whose CPUs are its local_cpulist.
func TestFixtureNUMALayout(t *testing.T) {
	for _, f := range Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			root := buildFixture(t, f)
			read := func(p string) string {
				data, err := os.ReadFile(filepath.Join(root, p))
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(string(data))
			}
			h := f.Host
			nodes := h.numaNodes()
			seen := map[int]int{}
			var memKB uint64
			nodeCPUs := map[int]string{}
			for i := range nodes {
				dir := fmt.Sprintf("sys/devices/system/node/node%d", i)
				list := read(dir + "/cpulist")
				nodeCPUs[i] = list
				for _, c := range expandCPUList(t, list) {
					if prev, dup := seen[c]; dup {
						t.Errorf("CPU %d on node %d and node %d", c, prev, i)
					}
					seen[c] = i
				}
				var kb uint64
				if _, err := fmt.Sscanf(read(dir+"/meminfo"), fmt.Sprintf("Node %d MemTotal: %%d kB", i), &kb); err != nil {
					t.Errorf("%s/meminfo: %v", dir, err)
				}
				memKB += kb
				for _, p := range h.hugePagePools() {
					nr := read(fmt.Sprintf("%s/hugepages/hugepages-%dkB/nr_hugepages", dir, p.SizeKB))
					if want := pagesOn(p, i); nr != strconv.Itoa(want) {
						t.Errorf("node %d: %d kB pages %s, want %d", i, p.SizeKB, nr, want)
					}
				}
			}
			if len(seen) != h.CPU.LogicalCPUs() {
				t.Errorf("the nodes hold %d CPUs, the host has %d", len(seen), h.CPU.LogicalCPUs())
			}
			if online := expandCPUList(t, read("sys/devices/system/cpu/online")); len(online) != len(seen) {
				t.Errorf("%d CPUs online, %d on nodes", len(online), len(seen))
			}
			if h.MemTotalKB-memKB >= uint64(nodes) {
				t.Errorf("the nodes' MemTotal add up to %d kB, the host's is %d", memKB, h.MemTotalKB)
			}
			for _, d := range h.Devices {
				if d.NUMANode < 0 || damaged(h)[d.Addr] {
					continue
				}
				if d.NUMANode >= nodes {
					t.Errorf("%s: numa_node %d on a host of %d nodes", d.Addr, d.NUMANode, nodes)
					continue
				}
				dir, err := resolve(root, "sys/bus/pci/devices/"+d.Addr)
				if err != nil {
					continue
				}
				if got := read(dir + "/local_cpulist"); got != nodeCPUs[d.NUMANode] {
					t.Errorf("%s: local_cpulist %s, node %d's cpulist %s", d.Addr, got, d.NUMANode, nodeCPUs[d.NUMANode])
				}
			}
		})
	}
}

// The known case: 2 nodes of 32 CPUs and 250 GiB, 2 GPUs each.
func TestL40SNUMAFixture(t *testing.T) {
	var h *Host
	for _, f := range Fixtures() {
		if f.Name == "l40s-numa" {
			h = f.Host
		}
	}
	if h == nil {
		t.Fatal("no l40s-numa fixture")
	}
	gpus := map[int]int{}
	for _, d := range h.Devices {
		if d.Vendor == 0x10de && d.Class>>16 == 0x03 {
			gpus[d.NUMANode]++
		}
	}
	if h.numaNodes() != 2 || h.CPU.LogicalCPUs() != 64 || h.MemTotalKB != 2*250<<20 || gpus[0] != 2 || gpus[1] != 2 {
		t.Errorf("l40s-numa: %d nodes, %d CPUs, %d kB, GPUs by node %v: want 2, 64, %d, 2 and 2", h.numaNodes(), h.CPU.LogicalCPUs(), h.MemTotalKB, gpus, 2*250<<20)
	}
}

func pagesOn(p HugePagePool, node int) int {
	if node < len(p.PerNode) {
		return p.PerNode[node]
	}
	return 0
}

func expandCPUList(t *testing.T, s string) []int {
	t.Helper()
	var out []int
	if s == "" {
		return out
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			t.Fatalf("cpulist %q: %v", s, err)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				t.Fatalf("cpulist %q: %v", s, err)
			}
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	return out
}
