package report_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/report"
)

// The NUMA layout goes into a report and back unchanged, unknown huge
// pages (nil) staying unknown.
func TestNUMARoundTrip(t *testing.T) {
	h := &hostinfo.Host{Hostname: "n", CPUsOnline: "0-63", NUMATopology: []hostinfo.NUMANode{
		{ID: 0, CPUs: "0-15,32-47", MemoryKB: 262144000, HugePages: []hostinfo.HugePages{{SizeKB: 1048576, Total: 16, Free: 12}}},
		{ID: 1, CPUs: "16-31,48-63", MemoryKB: 262144000},
	}}
	back := report.FromHost(h).HostInfo()
	if diff := cmp.Diff(h.NUMATopology, back.NUMATopology); diff != "" || back.CPUsOnline != "0-63" {
		t.Errorf("round trip (-want +got):\n%s; cpus_online %q", diff, back.CPUsOnline)
	}
}

// A report whose NUMA layout no preflight writes is refused, naming the
// field; one without a layout (older reports) is read.
func TestDecodePreflightNUMA(t *testing.T) {
	const head = `{"schema": "gpupass/report/v1", "command": "preflight", "host": {"hostname": "n"`
	for _, c := range []struct{ host, err string }{
		{`, "numa_topology": [{"id": 0, "cpus": "0-", "memory_kb": 1}]`, `host.numa_topology[0].cpus: "0-": "" is not a CPU number`},
		{`, "numa_topology": [{"id": 0, "cpus": "0", "memory_kb": 1}, {"id": 0, "cpus": "1", "memory_kb": 1}]`, "host.numa_topology[1].id: node 0 is negative or listed twice"},
		{`, "numa_topology": [{"id": 0, "cpus": "0", "memory_kb": 1, "huge_pages": [{"size_kb": 2048, "total": 1, "free": 2}]}]`, "host.numa_topology[0].huge_pages[0]"},
		{`, "cpus_online": "0-3,"`, "host.cpus_online"},
		{``, ""},
		{`, "numa_topology": [{"id": 0, "cpus": "", "memory_kb": 1, "huge_pages": null}], "cpus_online": "0-3"`, ""},
	} {
		_, err := report.DecodePreflight(strings.NewReader(head + c.host + "}}"))
		if c.err == "" {
			if err != nil {
				t.Errorf("%s: %v", c.host, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error saying %q", c.host, err, c.err)
		}
	}
}
