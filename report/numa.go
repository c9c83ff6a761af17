package report

import (
	"fmt"

	"github.com/gpupass/gpupass/hostinfo"
)

// NUMANode is one NUMA node of the host ("numa_topology"): its CPUs in the
// kernel's cpulist form, its memory (nodeN/meminfo MemTotal) and its huge
// page pools (null when they could not be read).
type NUMANode struct {
	ID        int         `json:"id"`
	CPUs      string      `json:"cpus"`
	MemoryKB  int64       `json:"memory_kb"`
	HugePages []HugePages `json:"huge_pages"`
	// Socket is the physical package of the node's CPUs; absent when
	// unknown or when they differ.
	Socket *int `json:"socket,omitempty"`
}

// HugePages is one huge page pool of a node: nr_hugepages (total) and
// free_hugepages (free) of hugepages-<size_kb>kB.
type HugePages struct {
	SizeKB int64 `json:"size_kb"`
	Total  int64 `json:"total"`
	Free   int64 `json:"free"`
}

func fromNUMA(nodes []hostinfo.NUMANode) []NUMANode {
	return convertSlice(nodes, func(n *hostinfo.NUMANode) NUMANode {
		return NUMANode{ID: n.ID, CPUs: n.CPUs, MemoryKB: n.MemoryKB, Socket: n.Socket,
			HugePages: convertSlice(n.HugePages, func(p *hostinfo.HugePages) HugePages {
				return HugePages{SizeKB: p.SizeKB, Total: p.Total, Free: p.Free}
			})}
	})
}

func numaHostinfo(nodes []NUMANode) []hostinfo.NUMANode {
	return convertSlice(nodes, func(n *NUMANode) hostinfo.NUMANode {
		return hostinfo.NUMANode{ID: n.ID, CPUs: n.CPUs, MemoryKB: n.MemoryKB, Socket: n.Socket,
			HugePages: convertSlice(n.HugePages, func(p *HugePages) hostinfo.HugePages {
				return hostinfo.HugePages{SizeKB: p.SizeKB, Total: p.Total, Free: p.Free}
			})}
	})
}

// checkNUMA refuses a NUMA layout no preflight writes: a cpulist the
// kernel would not print, a node twice, a negative size. The audit fits
// guests into it, so a damaged one must not pass for a host's.
func (h *Host) checkNUMA() error {
	if h.CPUsOnline != "" {
		if _, err := hostinfo.ParseCPUList(h.CPUsOnline); err != nil {
			return fmt.Errorf("host.cpus_online: %v", err)
		}
	}
	seen := map[int]bool{}
	for i, n := range h.NUMATopology {
		at := fmt.Sprintf("host.numa_topology[%d]", i)
		switch {
		case n.ID < 0 || seen[n.ID]:
			return fmt.Errorf("%s.id: node %d is negative or listed twice", at, n.ID)
		case n.MemoryKB < 0:
			return fmt.Errorf("%s.memory_kb: %d is negative", at, n.MemoryKB)
		case n.Socket != nil && *n.Socket < 0:
			return fmt.Errorf("%s.socket: %d is negative", at, *n.Socket)
		}
		seen[n.ID] = true
		if _, err := hostinfo.ParseCPUList(n.CPUs); err != nil {
			return fmt.Errorf("%s.cpus: %v", at, err)
		}
		for j, p := range n.HugePages {
			if p.SizeKB <= 0 || p.Total < 0 || p.Free < 0 || p.Free > p.Total {
				return fmt.Errorf("%s.huge_pages[%d]: size %d kB, total %d, free %d is not a huge page pool", at, j, p.SizeKB, p.Total, p.Free)
			}
		}
	}
	return nil
}
