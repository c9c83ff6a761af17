//go:build unix

package hostinfo_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gpupass/gpupass/hostinfo"
)

// withDeadline runs f and fails the test when it has not returned in
// time: a read that blocks on a FIFO never returns.
func withDeadline(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s blocked: still reading after 30 s", what)
	}
}

// A FIFO where a regular file is expected is noted and left unknown, never
// read: opening one for reading waits for a writer for ever.
func TestFIFONeverBlocks(t *testing.T) {
	gpuVendor := "/sys/devices/pci0000:00/0000:00:01.0/" + gpuAddr + "/vendor"
	cases := []struct {
		name, fifo, notePath string
		prepare              func(h *hostTree)
	}{
		{name: "proc/cmdline", fifo: "/proc/cmdline", notePath: "/proc/cmdline"},
		{name: "proc/sys/kernel/hostname", fifo: "/proc/sys/kernel/hostname", notePath: "/proc/sys/kernel/hostname"},
		{name: "etc/hostname", fifo: "/etc/hostname", notePath: "/etc/hostname", prepare: func(h *hostTree) { os.Remove(h.path("/proc/sys/kernel/hostname")) }},
		{name: "a sysfs vendor", fifo: gpuVendor, notePath: "/sys/bus/pci/devices/" + gpuAddr + "/vendor"},
		{name: "modprobe.d", fifo: "/etc/modprobe.d/vfio.conf", notePath: "/etc/modprobe.d/vfio.conf"},
		{name: "pci.ids", fifo: "/usr/share/hwdata/pci.ids", notePath: "/usr/share/hwdata/pci.ids"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := buildComputeNode(t)
			if tc.prepare != nil {
				tc.prepare(h)
			}
			mkfifo(t, h.path(tc.fifo))
			fsys, err := hostinfo.NewFS(h.root)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []hostinfo.FS{fsys, hostinfo.WalkOnly(fsys)} {
				var host *hostinfo.Host
				withDeadline(t, "Collect with a FIFO at "+tc.fifo, func() { host = hostinfo.CollectFS(f, hostinfo.Options{}) })
				notes := notesFor(host, tc.notePath)
				if len(notes) == 0 || !strings.Contains(notes[0].Message, "named pipe") {
					t.Errorf("want a note saying %s is a named pipe; got %+v (all: %+v)", tc.notePath, notes, host.Notes)
				}
			}
		})
	}
	t.Run("--pci-ids", func(t *testing.T) {
		h := buildComputeNode(t)
		fifo := filepath.Join(t.TempDir(), "pci.ids")
		mkfifo(t, fifo)
		var host *hostinfo.Host
		withDeadline(t, "Collect with --pci-ids naming a FIFO", func() { host = h.collect(hostinfo.Options{PCIIDs: fifo}) })
		if notes := notesFor(host, fifo); len(notes) == 0 || !strings.Contains(notes[0].Message, "named pipe") || host.PCIIDs != "" {
			t.Errorf("want a note on %s and no names; got %+v, PCIIDs %q", fifo, notes, host.PCIIDs)
		}
	})
	t.Run("os-release", func(t *testing.T) {
		h := buildComputeNode(t)
		mkfifo(t, h.path("/etc/os-release"))
		h.file("/usr/lib/os-release", "ID=debian\n")
		fsys, err := hostinfo.NewFS(h.root)
		if err != nil {
			t.Fatal(err)
		}
		var s hostinfo.System
		withDeadline(t, "ReadSystem with a FIFO at /etc/os-release", func() { s = hostinfo.ReadSystem(fsys) })
		if s.ID != "debian" {
			t.Errorf("os-release: want the next file read (ID debian), got %+v", s)
		}
	})
	t.Run("a directory", func(t *testing.T) {
		h := buildComputeNode(t)
		os.Remove(h.path("/proc/cmdline"))
		h.dir("/proc/cmdline")
		host := h.collect(hostinfo.Options{})
		if notes := notesFor(host, "/proc/cmdline"); len(notes) == 0 || !strings.Contains(notes[0].Message, "directory") {
			t.Errorf("want a note saying /proc/cmdline is a directory; got %+v", notes)
		}
	})
}

func mkfifo(t *testing.T, name string) {
	t.Helper()
	os.Remove(name)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
}
