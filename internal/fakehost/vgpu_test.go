package fakehost

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// walkIORT walks an IORT as libvirt's virAcpiParseIORT does (nodes from
// nodes_offset while inside the table, advancing by each node's length)
// and counts the node types.
func walkIORT(t *testing.T, b []byte) map[byte]int {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 48 || string(b[0:4]) != "IORT" {
		t.Fatalf("not an IORT (%d bytes)", len(b))
	}
	if n := le.Uint32(b[4:]); int(n) != len(b) {
		t.Errorf("header length %d, table %d bytes", n, len(b))
	}
	var sum byte
	for _, c := range b {
		sum += c
	}
	if sum != 0 {
		t.Errorf("checksum: bytes add up to %#x", sum)
	}
	types := map[byte]int{}
	nodes := int(le.Uint32(b[36:]))
	pos := int(le.Uint32(b[40:]))
	for i := 0; i < nodes && pos < len(b); i++ {
		length := int(le.Uint16(b[pos+1:]))
		if length < 16 || pos+length > len(b) {
			t.Fatalf("node %d at %#x: length %d", i, pos, length)
		}
		types[b[pos]]++
		if m := le.Uint32(b[pos+8:]); m > 0 {
			ref := int(le.Uint32(b[pos+12:]))
			target := int(le.Uint32(b[pos+ref+12:]))
			if target < 48 || target >= len(b) {
				t.Errorf("node %d maps to offset %#x, outside the nodes", i, target)
			}
		}
		pos += length
	}
	if pos != len(b) {
		t.Errorf("nodes end at %#x, table at %#x", pos, len(b))
	}
	return types
}

func TestIORTTable(t *testing.T) {
	got := walkIORT(t, iortTable(gh200NVGrace().IORT, "NVIDIA"))
	if got[iortITSGroup] != 1 || got[iortRootComplex] != 3 || got[iortSMMUv3] != 3 || len(got) != 3 {
		t.Errorf("gh200-nvgrace IORT node types %v, want ITS 1, root complex 3, SMMUv3 3", got)
	}
	got = walkIORT(t, iortTable(gh200NoSMMU().IORT, "NVIDIA"))
	if got[iortSMMUv3] != 0 || got[iortRootComplex] != 3 {
		t.Errorf("gh200-no-smmu IORT node types %v, want no SMMUv3", got)
	}
}

// TestVGPUFixtureFacts pins what the vGPU fixtures exist to show, read
// from the built trees.
func TestVGPUFixtureFacts(t *testing.T) {
	byName := map[string]Fixture{}
	for _, f := range Fixtures() {
		byName[f.Name] = f
	}
	read := func(t *testing.T, root, p string) string {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	count := func(root, p string) int {
		e, _ := os.ReadDir(filepath.Join(root, p))
		return len(e)
	}
	t.Run("a40-sriov-mdev", func(t *testing.T) {
		root := buildFixture(t, byName["a40-sriov-mdev"])
		if n := count(root, "sys/class/mdev_bus"); n != 32 {
			t.Errorf("%d mdev parents, want the 32 VFs", n)
		}
		if _, err := os.Lstat(filepath.Join(root, "sys/class/mdev_bus/0000:3b:00.0")); err == nil {
			t.Error("the PF is an mdev parent")
		}
		vf := "sys/bus/pci/devices/0000:3b:00.4/mdev_supported_types/"
		if n := count(root, vf); n != 22 {
			t.Errorf("%d types on 3b:00.4, want nvidia-555..576", n)
		}
		if got := read(t, root, vf+"nvidia-558/name"); got != "NVIDIA A40-2Q\n" {
			t.Errorf("nvidia-558 name %q", got)
		}
		if got := read(t, root, vf+"nvidia-558/available_instances"); got != "0\n" {
			t.Errorf("3b:00.4 holds a vGPU but offers %q more", got)
		}
		if got := read(t, root, "sys/bus/pci/devices/0000:3b:00.7/mdev_supported_types/nvidia-558/available_instances"); got != "1\n" {
			t.Errorf("free VF 3b:00.7 offers %q nvidia-558", got)
		}
		if got := read(t, root, "sys/bus/pci/devices/0000:3b:00.7/mdev_supported_types/nvidia-560/available_instances"); got != "0\n" {
			t.Errorf("free VF 3b:00.7 offers %q nvidia-560 while the card runs nvidia-558", got)
		}
		if !strings.Contains(read(t, root, "etc/systemd/system/nvidia-sriov-manage@.service"), "Before = nova-compute.service") {
			t.Error("the sriov-manage unit is not ordered before nova-compute")
		}
		if target, err := os.Readlink(filepath.Join(root, "etc/systemd/system/multi-user.target.wants/nvidia-sriov-manage@0000:3b:00.0.service")); err != nil || target != "/etc/systemd/system/nvidia-sriov-manage@.service" {
			t.Errorf("unit not enabled as systemctl enables it: %q (%v)", target, err)
		}
	})
	t.Run("v100-mdev", func(t *testing.T) {
		root := buildFixture(t, byName["v100-mdev"])
		def := read(t, root, "etc/mdevctl.d/0000:3b:00.0/"+v100MdevUUID)
		if def != "{\n  \"mdev_type\": \"nvidia-105\",\n  \"start\": \"auto\",\n  \"attrs\": []\n}" {
			t.Errorf("mdevctl definition %q", def)
		}
		if !strings.Contains(read(t, root, "var/lib/dpkg/status"), "Package: libvirt-daemon\nStatus: install ok installed\n") {
			t.Error("no installed libvirt-daemon stanza")
		}
	})
	t.Run("l40s-vendor-vfio", func(t *testing.T) {
		root := buildFixture(t, byName["l40s-vendor-vfio"])
		if _, err := os.Lstat(filepath.Join(root, "sys/class/mdev_bus")); err == nil {
			t.Error("the vendor framework host has an mdev bus")
		}
		dev := "sys/bus/pci/devices/"
		if got := read(t, root, dev+"0000:3d:00.4/nvidia/current_vgpu_type"); got != "1148\n" {
			t.Errorf("3d:00.4 current_vgpu_type %q", got)
		}
		if got := read(t, root, dev+"0000:3d:01.0/nvidia/current_vgpu_type"); got != "0\n" {
			t.Errorf("3d:01.0 current_vgpu_type %q", got)
		}
		if got := read(t, root, dev+"0000:3d:01.0/nvidia/creatable_vgpu_types"); got != "ID    : vGPU Name\n1148  : NVIDIA L40S-2Q\n" {
			t.Errorf("3d:01.0 creatable_vgpu_types %q", got)
		}
		if _, err := os.Lstat(filepath.Join(root, dev+"0000:3d:00.0/nvidia")); err == nil {
			t.Error("the PF has an nvidia/ directory")
		}
		if target, _ := os.Readlink(filepath.Join(root, dev+"0000:3d:00.4/driver")); filepath.Base(target) != "nvidia" {
			t.Errorf("VF driver %q, want nvidia", target)
		}
	})
	t.Run("gh200-nvgrace", func(t *testing.T) {
		root := buildFixture(t, byName["gh200-nvgrace"])
		cpu := read(t, root, "proc/cpuinfo")
		if strings.Contains(cpu, "flags") || !strings.Contains(cpu, "CPU part\t: 0xd4f\n") {
			t.Error("/proc/cpuinfo is not in the arm64 format")
		}
		if info, err := os.Stat(filepath.Join(root, "sys/firmware/acpi/tables/IORT")); err != nil || info.Mode().Perm() != 0o400 {
			t.Errorf("IORT: %v %v, want mode 0400", info, err)
		}
		if n := count(root, "sys/class/iommu"); n != 3 {
			t.Errorf("%d IOMMU units, want 3 SMMUv3", n)
		}
		for _, p := range []string{"dev/kvm", "sys/class/iommu/smmu3.0x0000000013000000/devices/0009:01:00.0"} {
			if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
				t.Error(err)
			}
		}
		gpu := "sys/bus/pci/devices/0009:01:00.0/"
		if got := read(t, root, gpu+"driver_override"); got != "nvgrace_gpu_vfio_pci\n" {
			t.Errorf("driver_override %q", got)
		}
		if target, _ := os.Readlink(filepath.Join(root, gpu+"driver")); filepath.Base(target) != "nvgrace_gpu_vfio_pci" {
			t.Errorf("GPU driver %q", target)
		}
	})
	t.Run("gh200-no-smmu", func(t *testing.T) {
		root := buildFixture(t, byName["gh200-no-smmu"])
		if n := count(root, "sys/class/iommu") + count(root, "sys/kernel/iommu_groups"); n != 0 {
			t.Errorf("%d IOMMU units and groups without an SMMU", n)
		}
		if _, err := os.Lstat(filepath.Join(root, "sys/bus/pci/devices/0009:01:00.0/driver")); err == nil {
			t.Error("the GPU is bound without an IOMMU group")
		}
	})
	t.Run("a40-vgpu-stack-missing", func(t *testing.T) {
		root := buildFixture(t, byName["a40-vgpu-stack-missing"])
		mods := read(t, root, "proc/modules")
		if strings.Contains(mods, "nvidia_vgpu_vfio") || strings.Contains(mods, "\nmdev ") {
			t.Error("the vGPU manager or mdev is loaded")
		}
		if got := read(t, root, "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs"); got != "0\n" {
			t.Errorf("sriov_numvfs %q", got)
		}
	})
}
