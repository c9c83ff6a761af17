package fleet

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// TestVendorFrameworkVFsSupply: the VFs of NVIDIA's vendor-specific VFIO
// framework stay on the nvidia driver, which registers them with VFIO; with
// "managed": "no" (Nova 2025.1 and later) Nova boots them, so the audit
// counts them (found by the boot matrix on l40s-vendor-vfio with Nova
// 2025.1: the audit called them bound to a host driver).
func TestVendorFrameworkVFsSupply(t *testing.T) {
	rep, err := report.ReadHostReport(filepath.Join("..", "testdata", "golden", "preflight", "l40s-vendor-vfio.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		release string
		usable  int
	}{{"2025.1", 4}, {"2026.2", 4}} {
		rel, _ := novarelease.Parse(tc.release)
		v := New(&cloudmodel.Snapshot{}, []*report.HostReport{rep}, rel, nil)
		if len(v.Hosts) != 1 {
			t.Fatalf("%s: %d hosts", tc.release, len(v.Hosts))
		}
		h := v.Hosts[0]
		if len(h.Devices) != tc.usable {
			t.Errorf("%s: %d usable devices, want %d (unusable: %v)", tc.release, len(h.Devices), tc.usable, h.Unusable)
		}
		offered := map[string]string{"0000:3d:00.4": "", "0000:3d:00.5": "", "0000:3d:00.6": "", "0000:3d:00.7": ""}
		for _, u := range h.Unusable {
			if _, ok := offered[u.Device.Address]; ok {
				offered[u.Device.Address] = u.Reason
			}
		}
		for addr, why := range offered {
			if tc.usable == 0 && !strings.Contains(why, `without "managed": "no"`) {
				t.Errorf("%s: %s unusable because %q", tc.release, addr, why)
			}
		}
	}
}
