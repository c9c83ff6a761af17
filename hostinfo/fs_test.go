package hostinfo

import (
	"os"
	"path/filepath"
	"testing"
)

// An absolute symlink anywhere in a configuration path resolves inside the
// root: the machine running gpupass has its own /usr/lib/modprobe.d.
func TestResolveStaysInRoot(t *testing.T) {
	root := t.TempDir()
	mk := func(p, content string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(p, target string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	mk("proc/cmdline", "ro\n")
	mk("usr/lib/gpu/vfio.conf", "options vfio-pci ids=10de:2330\n")
	link("etc/modprobe.d", "/usr/lib/gpu")
	link("etc/driverctl.d", "../usr/lib/missing")
	link("etc/loop/a", "/etc/loop/a")

	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fsys.Resolve("/etc/modprobe.d/vfio.conf")
	if err != nil || got != "/usr/lib/gpu/vfio.conf" {
		t.Errorf("Resolve = %q, %v; want /usr/lib/gpu/vfio.conf", got, err)
	}
	entries, err := fsys.ReadConfigDir("/etc/modprobe.d")
	if err != nil || len(entries) != 1 || entries[0].Name() != "vfio.conf" {
		t.Errorf("ReadConfigDir: %v, %v", entries, err)
	}
	if _, err := fsys.Resolve("/etc/loop/a"); err == nil {
		t.Error("a symlink loop resolved")
	}
	if _, err := fsys.ReadConfigDir("/etc/driverctl.d"); !os.IsNotExist(err) {
		t.Errorf("dangling link: %v, want not-exist", err)
	}

	h, err := Collect(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Modprobe) != 1 || h.Modprobe[0].Module != "vfio_pci" || h.Modprobe[0].File != "/etc/modprobe.d/vfio.conf" {
		t.Errorf("modprobe through a directory link: %+v", h.Modprobe)
	}
}
