package hostview

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// sriovVGPUHost is an A40 PF with two VFs as mdev parents (research
// section 2) and the units that could enable its VFs.
func sriovVGPUHost() *hostinfo.Host {
	avail := 1
	types := []hostinfo.MdevType{
		{ID: "nvidia-566", Name: "NVIDIA A40-48Q", MaxInstance: 1, Available: &avail},
		{ID: "nvidia-558", Name: "NVIDIA A40-2Q", MaxInstance: 24, Available: &avail, Devices: []string{"bb"}},
	}
	return &hostinfo.Host{
		Devices: []pcidev.Device{
			{Address: "0000:e8:00.0", VendorID: "10de", Class: "030200", Driver: "nvidia", SRIOV: &pcidev.SRIOV{TotalVFs: 32, NumVFs: 2, VFs: []string{"0000:e8:00.5", "0000:e8:00.4"}}},
			{Address: "0000:e8:00.4", VendorID: "10de", Class: "030200", PhysFn: "0000:e8:00.0"},
			{Address: "0000:e8:00.5", VendorID: "10de", Class: "030200", PhysFn: "0000:e8:00.0"},
		},
		Mdev: hostinfo.Mdev{
			Bus:         true,
			Parents:     []hostinfo.MdevParent{{Address: "0000:e8:00.4", Types: types}, {Address: "0000:e8:00.5", Types: types[:1]}},
			Devices:     []hostinfo.MdevDevice{{UUID: "aa", Type: "nvidia-566", Parent: "0000:e8:00.5"}},
			Definitions: []hostinfo.MdevDefinition{{UUID: "AA", Parent: "0000:e8:00.5", Type: "nvidia-566"}},
		},
		BootUnits: []hostinfo.BootUnit{
			{Name: "other.service", Enabled: true, ExecStart: []string{"/usr/lib/nvidia/sriov-manage -e 0000:17:00.0"}},
			{Name: "all.service", Enabled: false, ExecStart: []string{"/usr/lib/nvidia/sriov-manage -e ALL"}},
			{Name: "numvfs.service", Enabled: true, ExecStart: []string{"/bin/sh -c 'echo 32 > /sys/bus/pci/devices/0000:e8:00.0/sriov_numvfs'"}, Before: []string{"nova-compute.service"}},
			{Name: "nvidia-sriov-manage@0000:e8:00.0.service", Enabled: true},
		},
	}
}

func TestVGPUViews(t *testing.T) {
	v := New(sriovVGPUHost(), nil, nil)
	offered := v.OfferedTypes()
	var ids []string
	for _, o := range offered {
		ids = append(ids, o.ID)
	}
	if diff := cmp.Diff([]string{"nvidia-558", "nvidia-566"}, ids); diff != "" {
		t.Errorf("offered types (-want +got):\n%s", diff)
	}
	if o := v.OfferedType("nvidia-566"); o == nil || len(o.Parents) != 2 || o.Name != "NVIDIA A40-48Q" || o.MaxInstance != 1 {
		t.Errorf("nvidia-566: %+v", o)
	}
	if got := v.TypesNamed(" nvidia a40-2q "); len(got) != 1 || got[0].ID != "nvidia-558" {
		t.Errorf("TypesNamed: %+v", got)
	}
	if got := v.TypesNamed(""); got != nil {
		t.Errorf("TypesNamed(\"\"): %+v", got)
	}
	var vfs []string
	for _, d := range v.VFs("0000:e8:00.0") {
		vfs = append(vfs, d.Address)
	}
	if diff := cmp.Diff([]string{"0000:e8:00.4", "0000:e8:00.5"}, vfs); diff != "" {
		t.Errorf("VFs (-want +got):\n%s", diff)
	}
	if got := v.ParentVFs("0000:e8:00.0"); len(got) != 2 {
		t.Errorf("ParentVFs: %d", len(got))
	}
	if gpu := v.GPUOf("0000:e8:00.5"); gpu == nil || gpu.Address != "0000:e8:00.0" {
		t.Errorf("GPUOf a VF: %+v", gpu)
	}
	if gpu := v.GPUOf("mtty"); gpu != nil {
		t.Errorf("GPUOf a virtual parent: %+v", gpu)
	}
	if !v.IsVF("0000:e8:00.4") || v.IsVF("0000:e8:00.0") {
		t.Error("IsVF")
	}
	// The mdev sysfs lists, and the one only a type directory lists.
	var uuids []string
	for _, m := range v.Mdevs() {
		uuids = append(uuids, m.UUID+" "+m.Type+" "+m.Parent)
	}
	if diff := cmp.Diff([]string{"aa nvidia-566 0000:e8:00.5", "bb nvidia-558 0000:e8:00.4"}, uuids); diff != "" {
		t.Errorf("Mdevs (-want +got):\n%s", diff)
	}
	if v.MdevDefinition("aa") == nil || v.MdevDefinition("bb") != nil {
		t.Error("MdevDefinition")
	}
	var units []string
	for _, u := range v.VFUnits("0000:e8:00.0") {
		units = append(units, u.Name)
	}
	if diff := cmp.Diff([]string{"numvfs.service", "nvidia-sriov-manage@0000:e8:00.0.service", "all.service"}, units); diff != "" {
		t.Errorf("VFUnits (-want +got):\n%s", diff)
	}
	if _, ok := OrderedBefore(v.Host.BootUnits[2]); !ok {
		t.Error("Before=nova-compute.service not seen")
	}
	if _, ok := OrderedBefore(hostinfo.BootUnit{Before: []string{"openstack-nova-compute.service"}}); !ok {
		t.Error("Before=openstack-nova-compute.service not seen")
	}
	if _, ok := OrderedBefore(hostinfo.BootUnit{Before: []string{"nova-compute-foo.service"}}); ok {
		t.Error("another unit taken for nova-compute")
	}
}
