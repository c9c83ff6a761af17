package hostinfo_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/fakehost"
)

// benchSizes are the synthetic host sizes benchmarked: ns/function staying
// flat across them shows that collection cost is linear in devices.
var benchSizes = []int{1000, 2000, 4000}

// syntheticTree writes fakehost.Synthetic(n) and returns its root and its
// number of PCI functions. The tree goes to tmpfs (/dev/shm) when there is
// one: on a disk, writing 4,000 functions takes tens of seconds.
func syntheticTree(b *testing.B, n int) (string, int) {
	b.Helper()
	h := fakehost.Synthetic(n)
	dir := b.TempDir()
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "gpupass-bench-"); err == nil {
			dir = d
			b.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	root := dir + "/root"
	if err := h.Build(root); err != nil {
		b.Fatal(err)
	}
	return root, len(h.Devices)
}

// BenchmarkCollect reads synthetic hosts the way preflight does (the
// host's own pci.ids excerpt for names). The peer to compare with is
// lspci -nnk on the same tree: see bench/preflight-vs-lspci.sh.
func BenchmarkCollect(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			root, functions := syntheticTree(b, n)
			b.ReportAllocs()
			for b.Loop() {
				host, err := hostinfo.Collect(root, hostinfo.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(host.Devices) != functions {
					b.Fatalf("collected %d functions, the tree has %d", len(host.Devices), functions)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(functions), "ns/function")
		})
	}
}

// BenchmarkCollectFullPCIIDs is BenchmarkCollect at 2,000 functions with
// the distribution's full pci.ids (about 1.3 MB) instead of the tree's
// excerpt, as on a real host; skipped where there is none.
func BenchmarkCollectFullPCIIDs(b *testing.B) {
	const ids = "/usr/share/misc/pci.ids"
	if _, err := os.Stat(ids); err != nil {
		b.Skipf("no %s on this machine", ids)
	}
	root, functions := syntheticTree(b, 2000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hostinfo.Collect(root, hostinfo.Options{PCIIDs: ids}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(functions), "ns/function")
}
