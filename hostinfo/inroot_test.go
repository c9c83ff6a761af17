package hostinfo_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
)

// secret is what the analyst's own files hold in these tests: it must
// never reach a Host.
const secret = "ANALYST-OWN-FILE"

// outsideTree is a directory beside the host tree, standing for the
// machine running gpupass: the same paths, each file holding the secret.
func outsideTree(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	for _, p := range []string{
		"proc/cmdline", "proc/sys/kernel/hostname", "etc/hostname", "etc/os-release",
		"etc/modprobe.d/vfio.conf", "usr/share/hwdata/pci.ids", "proc/cpuinfo", "proc/modules",
	} {
		full := filepath.Join(out, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		content := secret + "\n"
		switch p {
		case "etc/modprobe.d/vfio.conf":
			content = "options vfio-pci ids=" + secret + "\n"
		case "usr/share/hwdata/pci.ids":
			content = "10de  " + secret + "\n\t2330  " + secret + "\n"
		case "etc/os-release":
			content = "ID=" + secret + "\nPRETTY_NAME=" + secret + "\n"
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A device directory, attributes and all.
	dev := filepath.Join(out, "sys/devices/pci0000:00/0000:00:01.0/"+gpuAddr)
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"vendor": "0x10de\n", "device": "0x2330\n", "class": "0x030200\n", "resource": gpuResource, "driver_override": secret + "\n"} {
		if err := os.WriteFile(filepath.Join(dev, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// climb is a relative target that goes up past any root first.
func climb(target string) string { return strings.Repeat("../", 24) + strings.TrimPrefix(target, "/") }

// collectBoth collects the tree with the one-call resolution (openat2 on
// Linux) and with the element-by-element walk, and fails unless both give
// the same Host.
func collectBoth(t *testing.T, root string) *hostinfo.Host {
	t.Helper()
	fsys, err := hostinfo.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	fast := hostinfo.CollectFS(fsys, hostinfo.Options{})
	walked := hostinfo.CollectFS(hostinfo.WalkOnly(fsys), hostinfo.Options{})
	a, _ := json.Marshal(fast)
	b, _ := json.Marshal(walked)
	if string(a) != string(b) {
		t.Errorf("openat2 and walk disagree:\n%s\n%s", a, b)
	}
	return fast
}

// A host tree whose files, directories or devices link outside it
// (absolute, or ../../..) never makes gpupass read the analyst's own
// files: every path resolves as if the root were "/", so the link
// finds the tree's own file there, or nothing (a note).
func TestReadsStayInRoot(t *testing.T) {
	out := outsideTree(t)
	gpuDev := "/sys/devices/pci0000:00/0000:00:01.0/" + gpuAddr
	cases := []struct {
		name string
		// plant replaces a path of the tree with a link to the same path
		// outside, or to outsidePath when set.
		plant, outsidePath string
		// prepare runs first (removing what would hide the planted path).
		prepare func(h *hostTree)
		// notePath is a path that must get a note: the field is unknown.
		notePath string
		// unknown says the field is left unknown.
		unknown func(*hostinfo.Host) bool
	}{
		{name: "proc/cmdline", plant: "/proc/cmdline", notePath: "/proc/cmdline",
			unknown: func(h *hostinfo.Host) bool { return h.Kernel.Cmdline == "" }},
		{name: "proc/sys/kernel/hostname", plant: "/proc/sys/kernel/hostname", prepare: func(h *hostTree) { os.Remove(h.path("/etc/hostname")) },
			notePath: "/proc/sys/kernel/hostname", unknown: func(h *hostinfo.Host) bool { return h.Hostname == "" }},
		{name: "etc/hostname", plant: "/etc/hostname", prepare: func(h *hostTree) { os.Remove(h.path("/proc/sys/kernel/hostname")) },
			notePath: "/proc/sys/kernel/hostname", unknown: func(h *hostinfo.Host) bool { return h.Hostname == "" }},
		{name: "proc itself", plant: "/proc", prepare: func(h *hostTree) { os.RemoveAll(h.path("/proc")) },
			notePath: "/proc/cpuinfo", unknown: func(h *hostinfo.Host) bool { return h.Kernel.Cmdline == "" && h.CPU.Vendor == "" }},
		{name: "a PCI device", plant: "/sys/bus/pci/devices/" + gpuAddr, outsidePath: gpuDev, prepare: func(h *hostTree) { os.Remove(h.path("/sys/bus/pci/devices/" + gpuAddr)) },
			notePath: "/sys/bus/pci/devices/" + gpuAddr, unknown: func(h *hostinfo.Host) bool {
				for _, d := range h.Devices {
					if d.Address == gpuAddr {
						return d.VendorID == "" && d.DriverOverride == ""
					}
				}
				return false
			}},
		{name: "a sysfs attribute", plant: gpuDev + "/driver_override",
			notePath: "/sys/bus/pci/devices/" + gpuAddr + "/driver_override", unknown: func(h *hostinfo.Host) bool { return device(t, h, gpuAddr).DriverOverride == "" }},
		{name: "modprobe.d file", plant: "/etc/modprobe.d/vfio.conf", notePath: "/etc/modprobe.d/vfio.conf",
			unknown: func(h *hostinfo.Host) bool { return len(h.Modprobe) == 0 }},
		{name: "pci.ids", plant: "/usr/share/hwdata/pci.ids", notePath: "/usr/share/misc/pci.ids",
			unknown: func(h *hostinfo.Host) bool { return h.PCIIDs == "" }},
	}
	for _, tc := range cases {
		for _, form := range []string{"absolute", "climbing"} {
			t.Run(tc.name+"/"+form, func(t *testing.T) {
				h := buildComputeNode(t)
				if tc.prepare != nil {
					tc.prepare(h)
				}
				target := filepath.Join(out, tc.plant)
				if tc.outsidePath != "" {
					target = filepath.Join(out, tc.outsidePath)
				}
				if form == "climbing" {
					target = climb(target)
				}
				os.RemoveAll(h.path(tc.plant))
				h.link(tc.plant, target)
				host := collectBoth(t, h.root)
				js, _ := json.Marshal(host)
				if strings.Contains(string(js), secret) {
					t.Fatalf("the analyst's file was read through %s -> %s:\n%s", tc.plant, target, js)
				}
				if !tc.unknown(host) {
					t.Errorf("the field fed by %s is not left unknown", tc.plant)
				}
				if len(notesFor(host, tc.notePath)) == 0 {
					t.Errorf("no note for %s; notes: %+v", tc.notePath, host.Notes)
				}
			})
		}
	}
	// os-release: read by ReadSystem.
	for _, form := range []string{"absolute", "climbing"} {
		h := buildComputeNode(t)
		target := filepath.Join(out, "etc/os-release")
		if form == "climbing" {
			target = climb(target)
		}
		h.link("/etc/os-release", target)
		fsys, err := hostinfo.NewFS(h.root)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []hostinfo.FS{fsys, hostinfo.WalkOnly(fsys)} {
			if s := hostinfo.ReadSystem(f); s.ID != "" || s.PrettyName != "" {
				t.Errorf("os-release %s: read the analyst's file: %+v", form, s)
			}
		}
	}
}

// Resolving as if the root were "/" is also what makes a tree read right:
// an absolute link finds the tree's own file, and ".." above the root
// stays at the root, as the host's kernel resolves them.
func TestLinksResolveAsIfRootWereSlash(t *testing.T) {
	for _, target := range []string{"/etc/real-cmdline", climb("/etc/real-cmdline"), "../../../../../../etc/./real-cmdline"} {
		h := buildComputeNode(t)
		h.file("/etc/real-cmdline", "root=/dev/sda1 intel_iommu=on\n")
		os.Remove(h.path("/proc/cmdline"))
		h.link("/proc/cmdline", target)
		// A device reached through an absolute link to its directory.
		os.Remove(h.path("/sys/bus/pci/devices/" + gpuAddr))
		h.link("/sys/bus/pci/devices/"+gpuAddr, "/sys/devices/pci0000:00/0000:00:01.0/"+gpuAddr)
		host := collectBoth(t, h.root)
		if host.Kernel.Cmdline != "root=/dev/sda1 intel_iommu=on" {
			t.Errorf("/proc/cmdline -> %s: cmdline %q", target, host.Kernel.Cmdline)
		}
		if d := device(t, host, gpuAddr); d.VendorID != "10de" || d.Driver != "vfio-pci" {
			t.Errorf("device through an absolute link: %+v", d)
		}
	}
}
