package render_test

import (
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/fakehost"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/report"
)

// syntheticReport builds fakehost.Synthetic(n) (on tmpfs when there is
// one), collects it and runs every check, as preflight would.
func syntheticReport(b *testing.B, n int) report.Report {
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
	r := checks.Run(&checks.Inputs{Host: host, NovaRelease: novarelease.Newest(), NovaReleaseFrom: "benchmark"}, checks.All)
	r.Command = "preflight"
	r.Tool = report.Tool{Version: "bench"}
	return r
}

// countingWriter discards what it is given and counts it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func benchmarkRender(b *testing.B, format render.Format) {
	for _, n := range []int{1000, 2000, 4000} {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			r := syntheticReport(b, n)
			functions := len(r.Host.Devices)
			var size countingWriter
			if err := render.Report(&size, format, r, render.Options{}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size.n)
			b.ReportAllocs()
			for b.Loop() {
				if err := render.Report(io.Discard, format, r, render.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(functions), "ns/function")
		})
	}
}

// BenchmarkRenderJSON renders --format json reports of synthetic hosts
// (the whole host inventory and every finding).
func BenchmarkRenderJSON(b *testing.B) { benchmarkRender(b, render.FormatJSON) }

// BenchmarkRenderText renders --format text reports of synthetic hosts.
func BenchmarkRenderText(b *testing.B) { benchmarkRender(b, render.FormatText) }
