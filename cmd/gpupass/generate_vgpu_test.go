package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// --vgpu-* on a host without vGPU, or without --vgpu-type, or with a
// count that is no count: exit 2, the reason on stderr, nothing on stdout.
// The vGPU fixtures' cases are in TestGenerateRoundTripVGPU.
func TestGenerateVGPUBadInput(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "h100-hgx")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "all", "--root", root, "--vgpu-type", "nvidia-558"}, "--vgpu-type nvidia-558: gpu-h100-07 offers no vGPU type"},
		{[]string{"generate", "all", "--root", root, "--vgpu-count", "4"}, "--vgpu-count and --vgpu-class need --vgpu-type"},
		{[]string{"generate", "all", "--root", root, "--vgpu-class", "CUSTOM_X"}, "need --vgpu-type"},
		{[]string{"generate", "all", "--root", root, "--vgpu-count", "-1", "--vgpu-type", "1148"}, "--vgpu-count -1: want a positive number"},
		{[]string{"generate", "all", "--root", root, "--vgpu-count", "many"}, "invalid argument \"many\""},
		{[]string{"generate", "all", "--root", root, "--vgpu-type", "x", "--nova-release", "yoga"}, "offers no vGPU type"},
	} {
		code, out, errOut := gpupass(t, nil, tt.args...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", tt.args, code, out, errOut, tt.want)
		}
	}
}

// A flag that contradicts the vGPU type is refused (exit 2, the flag
// named) whether the type comes from --vgpu-type or from the host's
// configuration: the operator gave the flag, and a plan that drops it
// silently is a different answer.
func TestGenerateVGPUFlagsAgainstHostType(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		fixture, vgpuType string
		flags             []string
		want              string
	}{
		{"v100-mdev", "nvidia-105", []string{"--placement"}, "--placement configure PCI devices"},
		{"v100-mdev", "nvidia-105", []string{"--numa-policy", "required"}, "--numa-policy and --placement configure PCI devices"},
		{"l40s-vendor-vfio", "1148", []string{"--vgpu-count", "33"}, "--vgpu-count 33:"},
		{"l40s-vendor-vfio", "1148", []string{"--vgpu-class", "CUSTOM_X"}, "--vgpu-class is the mdev_class"},
	} {
		root := filepath.Join(hostsDir, tt.fixture)
		for _, typeArgs := range [][]string{nil, {"--vgpu-type", tt.vgpuType}} {
			args := append(append([]string{"generate", "all", "--root", root}, typeArgs...), tt.flags...)
			code, out, errOut := gpupass(t, nil, args...)
			if code != exitFailure || out != "" || !strings.HasPrefix(errOut, "gpupass: ") || !strings.Contains(errOut, tt.want) {
				t.Errorf("%s %v: exit %d, stdout %d bytes, stderr %q (want exit 2 and %q)", tt.fixture, args[4:], code, len(out), errOut, tt.want)
			}
		}
	}
}

// --vgpu-count is bounded by what fits in the card's memory, not by its
// free virtual functions: an L40S holds 24 L40S-2Q (48 GB / 2 GB), though
// l40s-vendor-vfio's card has 32 VFs that hold the type or are free.
func TestGenerateVGPUCountFitsMemory(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "l40s-vendor-vfio")
	code, out, errOut := gpupass(t, nil, "generate", "all", "--root", root, "--vgpu-count", "25")
	if code != exitFailure || out != "" || !strings.Contains(errOut, "gives at most 24 vGPUs") {
		t.Errorf("--vgpu-count 25: exit %d, stdout %d bytes, stderr %q (want exit 2 naming the maximum, 24)", code, len(out), errOut)
	}
	code, out, errOut = gpupass(t, nil, "generate", "all", "--root", root, "--vgpu-count", "24")
	if code != exitOK || !strings.Contains(out, "24 vGPUs of 24") {
		t.Errorf("--vgpu-count 24: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	// Without a count, the plan keeps the VFs that hold the type and says
	// plainly how many more it could ask for.
	code, out, _ = gpupass(t, nil, "generate", "all", "--root", root)
	if code != exitOK || !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(out, "#", "")), " "), "--vgpu-count can ask for up to 24 in all") {
		t.Errorf("without --vgpu-count: exit %d, stdout:\n%s", code, out)
	}
}
