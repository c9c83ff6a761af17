//go:build unix

package hostinfo_test

import (
	"strings"
	"syscall"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
)

// A FIFO where a vGPU file is expected is noted and left unknown, never
// read (opening one for reading waits for a writer for ever).
func TestVGPUFilesNeverBlock(t *testing.T) {
	h := buildVendorVGPUHost(t, map[string][2]string{"4": {creatableL40S, deleteAttr}})
	current := "/sys/bus/pci/devices/0000:3d:00.4/nvidia/current_vgpu_type"
	t4 := pciDev{sysPath: "pci0000:00/0000:00:03.0/0000:3b:00.0", attrs: nvidiaAttrs("1eb8"), driver: "nvidia", group: 40}
	h.pciDevice(t4)
	h.mdevParent(t4, mdevType{id: "nvidia-222", name: "GRID T4-1B", available: "1\n"})
	avail := "/sys/devices/" + t4.sysPath + "/mdev_supported_types/nvidia-222/available_instances"
	unit := "/etc/systemd/system/fifo.service"
	for _, p := range []string{"/sys/devices/pci0000:3a/0000:3a:00.0/0000:3d:00.4/nvidia/current_vgpu_type", avail, unit} {
		if p != avail {
			h.dir(p[:strings.LastIndex(p, "/")])
		}
		if p == avail {
			if err := syscall.Unlink(h.path(p)); err != nil {
				t.Fatal(err)
			}
		}
		if err := syscall.Mkfifo(h.path(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var host *hostinfo.Host
	withDeadline(t, "Collect", func() { host = h.collect(hostinfo.Options{}) })
	if v := device(t, host, "0000:3d:00.4").VGPU; v == nil || v.CurrentKnown || !v.CreatableKnown {
		t.Errorf("VGPU %+v", v)
	}
	if ty := host.Mdev.Parent("0000:3b:00.0").Type("nvidia-222"); ty.Available != nil {
		t.Errorf("available_instances %v from a FIFO", *ty.Available)
	}
	for _, p := range []string{current, "/sys/class/mdev_bus/0000:3b:00.0/mdev_supported_types/nvidia-222/available_instances", unit} {
		if notes := notesFor(host, p); len(notes) != 1 {
			t.Errorf("notes for %s: %+v (all: %+v)", p, notes, host.Notes)
		}
	}
}
