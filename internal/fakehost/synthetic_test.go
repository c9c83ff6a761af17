package fakehost

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSynthetic(t *testing.T) {
	start := time.Now()
	h := Synthetic(2000)
	specTime := time.Since(start)
	if len(h.Devices) < 2000 {
		t.Fatalf("Synthetic(2000) has %d functions", len(h.Devices))
	}
	dir := filepath.Join(scratch(t), "synthetic-2000")
	defer os.RemoveAll(dir)
	start = time.Now()
	if err := h.Build(dir); err != nil {
		t.Fatal(err)
	}
	// Timings are logged, not asserted: they are the disk's as much as ours.
	t.Logf("%d functions: spec %v, build %v", len(h.Devices), specTime, time.Since(start))
	checkInvariants(t, dir, h)

	groups := map[int][]Device{}
	vfs, gpus := 0, 0
	for _, d := range h.Devices {
		if d.IOMMUGroup >= 0 {
			groups[d.IOMMUGroup] = append(groups[d.IOMMUGroup], d)
		}
		if d.PhysFn != "" {
			vfs++
		}
		if d.Vendor == 0x10de && d.Class>>8 == 0x0300 {
			gpus++
		}
	}
	if vfs < 1500 || gpus < 8 || gpus > 16 {
		t.Errorf("%d VFs, %d GPUs", vfs, gpus)
	}
	for g, members := range groups {
		for _, d := range members {
			if d.PhysFn != "" && len(members) != 1 {
				t.Errorf("VF %s shares group %d with %d functions", d.Addr, g, len(members))
			}
			if d.Vendor == 0x10de && d.Class>>8 == 0x0300 && len(members) != 2 {
				t.Errorf("GPU %s: group %d has %d functions, want VGA and audio", d.Addr, g, len(members))
			}
		}
	}
}

func TestSyntheticScales(t *testing.T) {
	base := len(Synthetic(0).Devices) // the platform, GPUs and NVMe drives
	for _, n := range []int{100, 1000, 5000} {
		h := Synthetic(n)
		if len(h.Devices) < n || len(h.Devices) > max(base, n+2) {
			t.Errorf("Synthetic(%d): %d functions", n, len(h.Devices))
		}
		if _, err := h.tree(); err != nil {
			t.Errorf("Synthetic(%d): %v", n, err)
		}
	}
}

func BenchmarkSyntheticTree(b *testing.B) {
	h := Synthetic(5000)
	for b.Loop() {
		if _, err := h.tree(); err != nil {
			b.Fatal(err)
		}
	}
}
