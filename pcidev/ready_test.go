package pcidev

import "testing"

func TestReadyForVFIO(t *testing.T) {
	vgpu := &VendorVGPU{}
	for _, tt := range []struct {
		name   string
		d      Device
		ready  bool
		onHost bool
	}{
		{"vfio-pci", Device{Driver: "vfio-pci"}, true, false},
		{"variant driver", Device{Driver: "nvgrace_gpu_vfio_pci"}, true, false},
		{"pci-stub", Device{Driver: "pci-stub"}, true, false},
		{"vendor-framework VF on nvidia", Device{Driver: "nvidia", PhysFn: "0000:41:00.0", VGPU: vgpu}, true, false},
		{"VF on nvidia without nvidia/", Device{Driver: "nvidia", PhysFn: "0000:41:00.0"}, false, true},
		{"nvidia/ but on another driver", Device{Driver: "nouveau", VGPU: vgpu}, false, true},
		{"no driver", Device{}, false, false},
	} {
		if got := ReadyForVFIO(&tt.d); got != tt.ready {
			t.Errorf("%s: ReadyForVFIO = %v, want %v", tt.name, got, tt.ready)
		}
		if got := OnHostDriver(&tt.d); got != tt.onHost {
			t.Errorf("%s: OnHostDriver = %v, want %v", tt.name, got, tt.onHost)
		}
	}
}

func TestVFIODriverFor(t *testing.T) {
	for id, want := range map[string]string{"10de:2342": "nvgrace_gpu_vfio_pci", "10de:2348": "nvgrace_gpu_vfio_pci", "10de:2330": "vfio-pci", ":": "vfio-pci"} {
		d := Device{VendorID: id[:len(id)/2], DeviceID: id[len(id)/2+1:]}
		if got := VFIODriverFor(&d); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
}
