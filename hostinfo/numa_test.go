package hostinfo_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

func TestParseCPUList(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		err  string
	}{
		{"0-3,8-11\n", []int{0, 1, 2, 3, 8, 9, 10, 11}, ""},
		{"5", []int{5}, ""},
		{"\n", []int{}, ""},
		{"3,1,1-2", []int{1, 2, 3}, ""},
		{"0-7:2/4", []int{0, 1, 4, 5}, ""},
		{"0-", nil, `"" is not a CPU number`},
		{"0-3,", nil, "an empty item"},
		{"3-1", nil, "ends before it starts"},
		{"0-3,8-1x", nil, `"1x" is not a CPU number`},
		{"99999", nil, "beyond the kernel's largest CPU number"},
		{"1:2/4", nil, "a stride needs a range"},
		{"0-7:4/2", nil, "stride 4/2"},
	} {
		got, err := hostinfo.ParseCPUList(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseCPUList(%q) = %v, %v: want an error saying %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, c.want) {
			t.Errorf("ParseCPUList(%q) = %v, %v: want %v", c.in, got, err, c.want)
		}
	}
	if got := hostinfo.FormatCPUList([]int{0, 1, 2, 3, 8, 10, 11}); got != "0-3,8,10-11" {
		t.Errorf("FormatCPUList = %q, want 0-3,8,10-11", got)
	}
}

func TestParseNodeMemTotalKB(t *testing.T) {
	const meminfo = "Node 1 MemTotal:       262144000 kB\nNode 1 MemFree:        200000000 kB\n"
	if kb, err := hostinfo.ParseNodeMemTotalKB(strings.NewReader(meminfo), 1); err != nil || kb != 262144000 {
		t.Errorf("node 1 = %d, %v: want 262144000", kb, err)
	}
	// Node 0's line is not node 1's.
	if _, err := hostinfo.ParseNodeMemTotalKB(strings.NewReader(meminfo), 0); err == nil || !strings.Contains(err.Error(), `no "Node 0 MemTotal" line`) {
		t.Errorf("node 0 of node 1's meminfo: %v, want no line", err)
	}
	for _, bad := range []string{"Node 0 MemTotal: lots kB\n", "Node 0 MemTotal: 12 MB\n", "Node 0 MemTotal: -5 kB\n"} {
		if _, err := hostinfo.ParseNodeMemTotalKB(strings.NewReader(bad), 0); err == nil || !strings.Contains(err.Error(), "Node 0 MemTotal") {
			t.Errorf("%q: %v, want an error about Node 0 MemTotal", bad, err)
		}
	}
}

// A two-node host: the layout is read, with each node's huge pages.
func TestCollectNUMATopology(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cpuinfo", "processor\t: 0\n")
	h.file("/sys/devices/system/cpu/online", "0-63\n")
	for i, cpus := range []string{"0-15,32-47", "16-31,48-63"} {
		n := "/sys/devices/system/node/node" + string(rune('0'+i))
		h.file(n+"/cpulist", cpus+"\n")
		h.file(n+"/meminfo", "Node "+string(rune('0'+i))+" MemTotal:       262144000 kB\nNode "+string(rune('0'+i))+" MemFree:        1000 kB\n")
		h.file(n+"/hugepages/hugepages-2048kB/nr_hugepages", "0\n")
		h.file(n+"/hugepages/hugepages-2048kB/free_hugepages", "0\n")
		h.file(n+"/hugepages/hugepages-1048576kB/nr_hugepages", "16\n")
		h.file(n+"/hugepages/hugepages-1048576kB/free_hugepages", "12\n")
	}
	host := h.collect(hostinfo.Options{})
	pools := []hostinfo.HugePages{{SizeKB: 2048}, {SizeKB: 1048576, Total: 16, Free: 12}}
	want := []hostinfo.NUMANode{
		{ID: 0, CPUs: "0-15,32-47", MemoryKB: 262144000, HugePages: pools},
		{ID: 1, CPUs: "16-31,48-63", MemoryKB: 262144000, HugePages: pools},
	}
	if diff := cmp.Diff(want, host.NUMATopology); diff != "" {
		t.Errorf("NUMATopology (-want +got):\n%s", diff)
	}
	if host.CPUsOnline != "0-63" || host.NUMANodes != 2 {
		t.Errorf("CPUsOnline %q, NUMANodes %d: want 0-63, 2", host.CPUsOnline, host.NUMANodes)
	}
}

// Bad input names the file and leaves the layout unknown; what cannot
// be read is skipped with a note; no panic.
func TestCollectNUMATopologyBadInput(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		dirs  []string
		note  string // the path of the note
		says  string
		known bool // the layout is still known
	}{
		{"truncated cpulist", map[string]string{"node0/cpulist": "0-", "node0/meminfo": "Node 0 MemTotal: 1024 kB\n"}, nil,
			"/sys/devices/system/node/node0/cpulist", `"" is not a CPU number`, false},
		{"garbage meminfo", map[string]string{"node0/cpulist": "0-3\n", "node0/meminfo": "Node 0 MemTotal: \x01\x02 kB\n"}, nil,
			"/sys/devices/system/node/node0/meminfo", "not text", false},
		{"meminfo without MemTotal", map[string]string{"node0/cpulist": "0-3\n", "node0/meminfo": "Node 0 MemFree: 5 kB\n"}, nil,
			"/sys/devices/system/node/node0/meminfo", `no "Node 0 MemTotal" line`, false},
		{"cpulist unreadable", map[string]string{"node0/meminfo": "Node 0 MemTotal: 1024 kB\n"}, []string{"node0/cpulist"},
			"/sys/devices/system/node/node0/cpulist", "", false},
		{"huge pages unreadable", map[string]string{"node0/cpulist": "0-3\n", "node0/meminfo": "Node 0 MemTotal: 1024 kB\n",
			"node0/hugepages/hugepages-2048kB/free_hugepages": "0\n"}, []string{"node0/hugepages/hugepages-2048kB/nr_hugepages"},
			"/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "", true},
		{"huge pages garbage", map[string]string{"node0/cpulist": "0-3\n", "node0/meminfo": "Node 0 MemTotal: 1024 kB\n",
			"node0/hugepages/hugepages-2048kB/nr_hugepages": "many\n", "node0/hugepages/hugepages-2048kB/free_hugepages": "0\n"}, nil,
			"/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "not a number of pages", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHostTree(t)
			h.file("/proc/cpuinfo", "processor\t: 0\n")
			for p, content := range c.files {
				h.file("/sys/devices/system/node/"+p, content)
			}
			for _, d := range c.dirs {
				h.dir("/sys/devices/system/node/" + d) // a directory where a file belongs: cannot be read
			}
			host := h.collect(hostinfo.Options{})
			if (host.NUMATopology != nil) != c.known {
				t.Errorf("NUMATopology = %+v, want known: %v", host.NUMATopology, c.known)
			}
			if c.known && host.NUMATopology[0].HugePages != nil {
				t.Errorf("huge pages = %+v, want unknown (nil)", host.NUMATopology[0].HugePages)
			}
			found := false
			for _, n := range host.Notes {
				if n.Path == c.note && strings.Contains(n.Message, c.says) {
					found = true
				}
			}
			if !found {
				t.Errorf("no note on %s saying %q: %+v", c.note, c.says, host.Notes)
			}
		})
	}
}

// Each node's socket is its CPUs' physical_package_id when they agree:
// unknown (nil) when one is missing, when they differ (libvirt then gives
// the cell no socket), and noted when one is not a number.
func TestCollectNUMASockets(t *testing.T) {
	pkg := func(cpu int) string {
		return "/sys/devices/system/cpu/cpu" + strconv.Itoa(cpu) + "/topology/physical_package_id"
	}
	build := func(t *testing.T, packages map[int]string) *hostTree {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", "processor\t: 0\n")
		for i, cpus := range []string{"0-1", "2-3"} {
			n := "/sys/devices/system/node/node" + strconv.Itoa(i)
			h.file(n+"/cpulist", cpus+"\n")
			h.file(n+"/meminfo", "Node "+strconv.Itoa(i)+" MemTotal: 1024 kB\n")
		}
		for cpu, v := range packages {
			h.file(pkg(cpu), v)
		}
		return h
	}
	socket := func(n hostinfo.NUMANode) string {
		if n.Socket == nil {
			return "unknown"
		}
		return strconv.Itoa(*n.Socket)
	}
	for _, c := range []struct {
		name     string
		packages map[int]string
		want     [2]string
		note     string
	}{
		{"one socket a node", map[int]string{0: "0\n", 1: "0\n", 2: "1\n", 3: "1\n"}, [2]string{"0", "1"}, ""},
		{"two nodes a socket", map[int]string{0: "0\n", 1: "0\n", 2: "0\n", 3: "0\n"}, [2]string{"0", "0"}, ""},
		{"a node over two sockets", map[int]string{0: "0\n", 1: "1\n", 2: "1\n", 3: "1\n"}, [2]string{"unknown", "1"}, ""},
		{"one missing", map[int]string{0: "0\n", 2: "1\n", 3: "1\n"}, [2]string{"unknown", "1"}, ""},
		{"arm64's -1", map[int]string{0: "-1\n", 1: "-1\n", 2: "0\n", 3: "0\n"}, [2]string{"unknown", "0"}, ""},
		{"garbage", map[int]string{0: "0\n", 1: "0\n", 2: "x\n", 3: "1\n"}, [2]string{"0", "unknown"}, pkg(2)},
	} {
		t.Run(c.name, func(t *testing.T) {
			host := build(t, c.packages).collect(hostinfo.Options{})
			if len(host.NUMATopology) != 2 {
				t.Fatalf("NUMATopology = %+v", host.NUMATopology)
			}
			if got := [2]string{socket(host.NUMATopology[0]), socket(host.NUMATopology[1])}; got != c.want {
				t.Errorf("sockets %v, want %v", got, c.want)
			}
			noted := false
			for _, n := range host.Notes {
				noted = noted || n.Path == c.note
			}
			if (c.note != "") != noted {
				t.Errorf("note on %q: %v; notes %+v", c.note, noted, host.Notes)
			}
		})
	}
}
