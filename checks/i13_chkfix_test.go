package checks

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/pcidev"
)

// GP207 on aarch64 speaks of the virt machine type and AAVMF, never of
// q35, which does not exist there.
func TestLargeBARAarch64NoQ35(t *testing.T) {
	h := gh200Host()
	gpu := device(t, h, "0009:01:00.0")
	gpu.BARs = []pcidev.BAR{{Index: 0, Size: 16 << 20}, {Index: 2, Size: 128 << 30, Is64Bit: true, Prefetchable: true}}
	_, findings := statusOf(t, &Inputs{Host: h}, LargeBAR)
	fs := findings["GP207"]
	if len(fs) != 1 {
		t.Fatalf("GP207 findings = %v, want 1", fs)
	}
	text := fs[0].Message + " " + fs[0].Remediation
	if strings.Contains(text, "q35=") || strings.Contains(text, "=q35") || strings.Contains(text, "x86_64") {
		t.Errorf("GP207 on aarch64 advises q35: %s", text)
	}
	for _, want := range []string{"virt", "aarch64=virt", "hw_firmware_type=uefi", "AAVMF"} {
		if !strings.Contains(text, want) {
			t.Errorf("GP207 on aarch64 does not say %q: %s", want, text)
		}
	}
}
