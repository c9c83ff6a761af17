package hostinfo

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// The NUMA layout the audit fits a guest's NUMA cells into, as the kernel
// describes it (Documentation/ABI/stable/sysfs-devices-node and
// Documentation/admin-guide/mm/hugetlbpage.rst): each node's CPUs
// (nodeN/cpulist), memory (the "Node N MemTotal" line of nodeN/meminfo)
// and huge page pools (nodeN/hugepages/hugepages-<size>kB/nr_hugepages and
// free_hugepages); and the CPUs online (/sys/devices/system/cpu/online,
// Documentation/ABI/testing/sysfs-devices-system-cpu). libvirt reads the
// same files for the capabilities Nova builds its host NUMA topology from.

// NUMANode is one NUMA node of the host, /sys/devices/system/node/nodeN.
type NUMANode struct {
	ID int
	// CPUs is the node's cpulist in the kernel's form ("0-15,32-47"; ""
	// for a node without CPUs); parse it with ParseCPUList.
	CPUs string
	// MemoryKB is the "Node N MemTotal" line of nodeN/meminfo.
	MemoryKB int64
	// HugePages are the node's huge page pools, by size (smallest first);
	// nil when nodeN/hugepages could not be read.
	HugePages []HugePages
	// Socket is the physical package of the node's CPUs
	// (/sys/devices/system/cpu/cpuN/topology/physical_package_id,
	// Documentation/ABI/stable/sysfs-devices-system-cpu), when every CPU of
	// the node has the same one, as libvirt gives a cell a socket; nil when
	// unknown, when they differ, or for a node without CPUs. Nova's
	// "socket" PCI NUMA affinity policy needs it on every node.
	Socket *int
}

// HugePages is one huge page pool of a node,
// nodeN/hugepages/hugepages-<SizeKB>kB.
type HugePages struct {
	SizeKB int64
	// Total is nr_hugepages, Free free_hugepages.
	Total, Free int64
}

// maxCPUID bounds the CPU numbers a cpulist may hold: the kernel's
// NR_CPUS is at most 8192 on the architectures Nova runs on
// (CONFIG_NR_CPUS_RANGE_END), and a list naming more is not the kernel's.
const maxCPUID = 8191

// ParseCPUList parses the kernel's CPU list format (bitmap_parselist,
// "%*pbl"): comma-separated CPU numbers and ranges, "0-3,8-11", with an
// optional stride "0-31:2/4" accepted as the kernel does; empty for no
// CPU. The CPUs come back sorted, each once.
func ParseCPUList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []int{}, nil
	}
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		if part == "" {
			return nil, fmt.Errorf("%q: an empty item between commas", clip(s))
		}
		lo, hi, stride, err := parseCPURange(part)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", clip(s), err)
		}
		for start := lo; start <= hi; start += stride.step {
			for c := start; c < start+stride.used && c <= hi; c++ {
				out = append(out, c)
			}
		}
	}
	// The kernel writes them sorted and once each; a list that is not
	// (written by hand) is made so.
	if !sort.IntsAreSorted(out) {
		sort.Ints(out)
	}
	uniq := out[:0]
	for _, c := range out {
		if len(uniq) == 0 || c != uniq[len(uniq)-1] {
			uniq = append(uniq, c)
		}
	}
	if uniq == nil {
		uniq = []int{}
	}
	return uniq, nil
}

type cpuStride struct{ used, step int }

// parseCPURange parses "N", "N-M" or "N-M:used/group".
func parseCPURange(part string) (lo, hi int, stride cpuStride, err error) {
	rng, grp, hasGroup := strings.Cut(part, ":")
	a, b, isRange := strings.Cut(rng, "-")
	if lo, err = parseCPUNumber(a); err != nil {
		return
	}
	hi = lo
	if isRange {
		if hi, err = parseCPUNumber(b); err != nil {
			return
		}
		if hi < lo {
			err = fmt.Errorf("range %q ends before it starts", part)
			return
		}
	}
	stride = cpuStride{used: 1, step: 1}
	if hasGroup {
		if !isRange {
			err = fmt.Errorf("%q: a stride needs a range", part)
			return
		}
		u, g, ok := strings.Cut(grp, "/")
		if !ok {
			err = fmt.Errorf("%q: a stride is used/group", part)
			return
		}
		if stride.used, err = parseCPUNumber(u); err != nil {
			return
		}
		if stride.step, err = parseCPUNumber(g); err != nil {
			return
		}
		if stride.used == 0 || stride.step == 0 || stride.used > stride.step {
			err = fmt.Errorf("%q: stride %d/%d", part, stride.used, stride.step)
		}
	}
	return
}

func parseCPUNumber(s string) (int, error) {
	if s == "" || len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a CPU number", clip(s))
	}
	n, _ := strconv.Atoi(s)
	if n > maxCPUID {
		return 0, fmt.Errorf("CPU %d is beyond the kernel's largest CPU number (%d)", n, maxCPUID)
	}
	return n, nil
}

// FormatCPUList writes sorted, distinct CPU numbers in the kernel's form.
func FormatCPUList(cpus []int) string {
	var b strings.Builder
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(cpus[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return b.String()
}

// ParseNodeMemTotalKB reads the "Node N MemTotal: <n> kB" line of node N's
// meminfo (drivers/base/node.c, node_read_meminfo).
func ParseNodeMemTotalKB(r io.Reader, node int) (int64, error) {
	scanner := bufio.NewScanner(r)
	prefix := fmt.Sprintf("Node %d ", node)
	for scanner.Scan() {
		line := scanner.Text()
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		key, value, ok := strings.Cut(rest, ":")
		if !ok || key != "MemTotal" {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("meminfo's Node %d MemTotal: want \"<n> kB\", got %q", node, clip(strings.TrimSpace(value)))
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb < 0 || kb > 1<<50 {
			return 0, fmt.Errorf("meminfo's Node %d MemTotal: %q is not a number of kB", node, clip(fields[0]))
		}
		return kb, nil
	}
	if err := scanner.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no \"Node %d MemTotal\" line", node)
}

// ParseHugePagesDirName reads the page size of a hugepages-<size>kB
// directory.
func ParseHugePagesDirName(name string) (int64, error) {
	s, ok := strings.CutPrefix(name, "hugepages-")
	if ok {
		s, ok = strings.CutSuffix(s, "kB")
	}
	if !ok || s == "" || strings.TrimLeft(s, "0123456789") != "" || len(s) > 12 {
		return 0, fmt.Errorf("%q: want hugepages-<size>kB", clip(name))
	}
	kb, _ := strconv.ParseInt(s, 10, 64)
	if kb == 0 {
		return 0, fmt.Errorf("%q: a page size of 0 kB", clip(name))
	}
	return kb, nil
}

// numaTopology reads each node's CPUs, memory and huge pages, and the CPUs
// online. A node whose cpulist or meminfo cannot be read or parsed leaves
// the whole layout unknown (a partial one would misplace guests), with a
// note naming the file; huge pages that cannot be read leave that node's
// pools unknown.
func (c *collector) numaTopology(dir string, nodes []int) {
	if s, ok := c.readText("/sys/devices/system/cpu/online", true); ok {
		if cpus, err := ParseCPUList(s); err != nil {
			c.note("/sys/devices/system/cpu/online", "cpulist %v", err)
		} else {
			c.host.CPUsOnline = FormatCPUList(cpus)
		}
	}
	sort.Ints(nodes)
	topo := make([]NUMANode, 0, len(nodes))
	for _, id := range nodes {
		n := NUMANode{ID: id}
		base := fmt.Sprintf("%s/node%d", dir, id)
		// Missing (a snapshot taken before gpupass read them, a tree made
		// by hand): unknown, without a note; unreadable is noted.
		s, ok := c.readText(base+"/cpulist", true)
		if !ok {
			return
		}
		cpus, err := ParseCPUList(s)
		if err != nil {
			c.note(base+"/cpulist", "cpulist %v: the NUMA layout is left unknown", err)
			return
		}
		n.CPUs = FormatCPUList(cpus)
		s, ok = c.readText(base+"/meminfo", true)
		if !ok {
			return
		}
		if n.MemoryKB, err = ParseNodeMemTotalKB(strings.NewReader(s), id); err != nil {
			c.note(base+"/meminfo", "%v: the NUMA layout is left unknown", err)
			return
		}
		n.HugePages = c.hugePages(base + "/hugepages")
		n.Socket = c.nodeSocket(cpus)
		topo = append(topo, n)
	}
	c.host.NUMATopology = topo
}

// nodeSocket is the physical package all the CPUs share; nil when a
// CPU's is missing (an older snapshot, a tree made by hand), unreadable or
// not a package number (noted), or when they differ.
func (c *collector) nodeSocket(cpus []int) *int {
	socket := -1
	for _, cpu := range cpus {
		file := fmt.Sprintf("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpu)
		s, ok := c.readText(file, true)
		if !ok {
			return nil
		}
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 {
			// arm64 kernels before 5.x wrote -1 where firmware named no
			// package: unknown, as libvirt then has no socket either.
			if err != nil {
				c.note(file, "%q is not a package number", clip(strings.TrimSpace(s)))
			}
			return nil
		}
		if socket >= 0 && v != socket {
			return nil
		}
		socket = v
	}
	if socket < 0 {
		return nil
	}
	return &socket
}

// hugePages reads a node's huge page pools; nil when unknown: the
// directory is missing (a kernel without hugetlbfs, or a snapshot taken
// before gpupass read it) or cannot be read (noted).
func (c *collector) hugePages(dir string) []HugePages {
	entries, err := c.fs.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		c.note(dir, "%s: the node's huge pages are left unknown", describeErr(err))
		return nil
	}
	pools := []HugePages{}
	for _, e := range entries {
		size, err := ParseHugePagesDirName(e.Name())
		if err != nil {
			c.note(dir+"/"+e.Name(), "%v", err)
			continue
		}
		p := HugePages{SizeKB: size}
		ok := true
		for _, f := range []struct {
			name string
			to   *int64
		}{{"nr_hugepages", &p.Total}, {"free_hugepages", &p.Free}} {
			file := dir + "/" + e.Name() + "/" + f.name
			s, read := c.readText(file, false)
			if !read {
				ok = false
				break
			}
			v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || v < 0 {
				c.note(file, "%q is not a number of pages", clip(strings.TrimSpace(s)))
				ok = false
				break
			}
			*f.to = v
		}
		if !ok {
			c.note(dir+"/"+e.Name(), "the node's %d kB pages are left unknown", size)
			return nil
		}
		pools = append(pools, p)
	}
	sort.Slice(pools, func(i, j int) bool { return pools[i].SizeKB < pools[j].SizeKB })
	return pools
}
