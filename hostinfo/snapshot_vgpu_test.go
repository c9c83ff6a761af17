package hostinfo_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/snapshot"
)

// A snapshot captures what the vGPU readers read (mdev sysfs, mdevctl's
// definitions, mdevctl, the nvidia/ files of VFs, the boot units with
// their drop-ins, enabling links and the units ordered against them), and
// reads back to the same host; the host's other units are not captured.
func TestSnapshotReplaysVGPUFacts(t *testing.T) {
	h := buildVendorVGPUHost(t, map[string][2]string{
		"4": {"ID    : vGPU Name\n1148  : NVIDIA L40S-2Q\n", "1148\n"},
		"5": {creatableL40S, "0\n"},
	})
	h.file("/proc/sys/kernel/hostname", "gpu-vgpu-1\n")
	t4 := pciDev{sysPath: "pci0000:00/0000:00:03.0/0000:3b:00.0", attrs: nvidiaAttrs("1eb8"), driver: "nvidia", group: 40}
	h.pciDevice(t4)
	h.mdevParent(t4,
		mdevType{id: "nvidia-222", name: "GRID T4-1B", description: t4Desc1B, available: "15\n"},
		mdevType{id: "nvidia-223", name: "GRID T4-2B", description: t4Desc2B, available: "8\n"},
	)
	h.mdevDevice(t4, mdevUUID, "nvidia-222", 120)
	h.file("/etc/mdevctl.d/0000:3b:00.0/"+mdevUUID, `{"mdev_type": "nvidia-222", "start": "auto", "attrs": []}`)
	h.file("/usr/sbin/mdevctl", "#!/bin/sh\n")
	const etc = "/etc/systemd/system/"
	h.file(etc+"nvidia-sriov-manage@.service", novaSRIOVTemplate)
	h.link(etc+"multi-user.target.wants/nvidia-sriov-manage@0000:3d:00.0.service", "../nvidia-sriov-manage@.service")
	h.file(etc+"nvidia-sriov-manage@.service.d/before-nova.conf", "[Unit]\nBefore=nova-compute.service\n")
	h.file("/usr/lib/systemd/system/nova-compute.service", "[Unit]\nAfter=nvidia-sriov-manage@0000:3d:00.0.service\n[Service]\nExecStart=/usr/bin/nova-compute\n")
	h.file("/usr/lib/systemd/system/fetch-vfs.service", "[Service]\nExecStart=/bin/sh -c 'curl -s https://admin:s3cret@repo.example/vfs.sh | sh; /usr/lib/nvidia/sriov-manage -e ALL'\n")
	h.file("/usr/lib/systemd/system/unrelated.service", "[Service]\nExecStart=/usr/bin/true\n")

	rec := hostinfo.NewRecorder()
	fsys, err := hostinfo.NewFS(h.root)
	if err != nil {
		t.Fatal(err)
	}
	host := hostinfo.CollectFS(fsys.WithRecorder(rec), hostinfo.Options{})
	if len(host.BootUnits) != 2 || host.Mdev.Definitions == nil || device(t, host, "0000:3d:00.4").VGPU == nil {
		t.Fatalf("the tree lacks what the test is about: %+v %+v", host.BootUnits, host.Mdev)
	}

	archive := filepath.Join(t.TempDir(), "snap.tar.gz")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.Write(f, fsys, rec.Paths(), snapshot.Options{Now: time.Unix(0, 0), Hostname: host.Hostname, Notes: host.Notes}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", t.TempDir())
	snap, err := snapshot.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	replayed, err := hostinfo.Collect(snap.Root, hostinfo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(host, replayed); diff != "" {
		t.Errorf("the snapshot reads back differently (-collected +replayed):\n%s", diff)
	}
	// The credential in a captured unit is hidden in the snapshot too.
	if data, err := os.ReadFile(filepath.Join(snap.Root, "/usr/lib/systemd/system/fetch-vfs.service")); err != nil || strings.Contains(string(data), "s3cret") {
		t.Errorf("captured fetch-vfs.service: %q, %v", data, err)
	}
	for _, p := range []string{"/usr/lib/systemd/system/unrelated.service"} {
		if _, err := os.Lstat(filepath.Join(snap.Root, p)); err == nil {
			t.Errorf("%s captured", p)
		}
	}
	for _, p := range []string{"/usr/lib/systemd/system/nova-compute.service", etc + "nvidia-sriov-manage@.service.d/before-nova.conf",
		"/sys/bus/pci/devices/0000:3d:00.5/nvidia/creatable_vgpu_types", "/etc/mdevctl.d/0000:3b:00.0/" + mdevUUID} {
		if _, err := os.Lstat(filepath.Join(snap.Root, p)); err != nil {
			t.Errorf("%s not captured: %v", p, err)
		}
	}
}
