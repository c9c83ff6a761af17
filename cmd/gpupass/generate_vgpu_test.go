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
