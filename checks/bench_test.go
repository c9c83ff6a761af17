package checks_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/fakehost"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// collectSynthetic builds fakehost.Synthetic(n) (on tmpfs when there is
// one) and collects it, as preflight would.
func collectSynthetic(b *testing.B, n int) *checks.Inputs {
	b.Helper()
	dir := b.TempDir()
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "gpupass-bench-"); err == nil {
			dir = d
			b.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	root := dir + "/root"
	if err := fakehost.Synthetic(n).Build(root); err != nil {
		b.Fatal(err)
	}
	host, err := hostinfo.Collect(root, hostinfo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return &checks.Inputs{Host: host, NovaRelease: novarelease.Newest(), NovaReleaseFrom: "benchmark"}
}

// BenchmarkRun runs every check on collected synthetic hosts.
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000} {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			in := collectSynthetic(b, n)
			functions := len(in.Host.Devices)
			b.ReportAllocs()
			for b.Loop() {
				r := checks.Run(in, checks.All)
				if len(r.Checks) != len(checks.All) {
					b.Fatalf("%d check results for %d checks", len(r.Checks), len(checks.All))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(functions), "ns/function")
		})
	}
}
