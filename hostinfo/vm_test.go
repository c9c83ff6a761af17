package hostinfo_test

import (
	"path/filepath"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
)

// The real Firecracker capture is a virtual machine (the CPU's hypervisor
// flag) on a kernel without module support (no /proc/modules); the H100
// server is neither.
func TestVirtualMachineAndModuleSupport(t *testing.T) {
	for _, tc := range []struct {
		host          string
		vm, noModules bool
	}{
		{"real-firecracker-vm", true, true},
		{"h100-hgx", false, false},
	} {
		h, err := hostinfo.Collect(filepath.Join("..", "testdata", "hosts", tc.host), hostinfo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if h.CPU.Hypervisor != tc.vm || h.Kernel.NoModuleSupport != tc.noModules {
			t.Errorf("%s: hypervisor %v, no module support %v; want %v, %v", tc.host, h.CPU.Hypervisor, h.Kernel.NoModuleSupport, tc.vm, tc.noModules)
		}
	}
	// A tree without /proc says nothing about modules.
	h := newHostTree(t)
	h.dir("/sys/bus/pci/devices")
	if host := h.collect(hostinfo.Options{}); host.Kernel.NoModuleSupport {
		t.Error("no /proc, yet no module support claimed")
	}
}
