package hostinfo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// hostTree builds a small host tree (sysfs, procfs, /etc, ...) under a
// temporary directory, laid out the way the kernel lays it out, so Collect
// is tested on the same shapes it meets on a real node.
type hostTree struct {
	t    *testing.T
	root string
}

func newHostTree(t *testing.T) *hostTree {
	t.Helper()
	return &hostTree{t: t, root: t.TempDir()}
}

// path is where a host path lives on this machine.
func (h *hostTree) path(hostPath string) string {
	return filepath.Join(h.root, filepath.FromSlash(path.Clean("/"+hostPath)))
}

// file writes a host file, creating its directories.
func (h *hostTree) file(hostPath, content string) {
	h.t.Helper()
	p := h.path(hostPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// dir creates a host directory.
func (h *hostTree) dir(hostPath string) {
	h.t.Helper()
	if err := os.MkdirAll(h.path(hostPath), 0o755); err != nil {
		h.t.Fatal(err)
	}
}

// link creates a symlink at hostPath with target written as is (relative
// or absolute, exactly as the kernel or a package would write it).
func (h *hostTree) link(hostPath, target string) {
	h.t.Helper()
	p := h.path(hostPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		h.t.Fatal(err)
	}
}

// collect runs Collect on the tree and fails the test if it errors: on a
// host tree Collect degrades fields, it never fails the run.
func (h *hostTree) collect(opts hostinfo.Options) *hostinfo.Host {
	h.t.Helper()
	host, err := hostinfo.Collect(h.root, opts)
	if err != nil {
		h.t.Fatalf("Collect(%s): %v", h.root, err)
	}
	return host
}

// pciDev describes one PCI function to create in sysfs.
type pciDev struct {
	// sysPath is the device's directory under /sys/devices, from the root
	// bus down: "pci0000:00/0000:00:01.0/0000:01:00.0". The nesting is
	// what tells the parent bridge.
	sysPath string
	// attrs are the attribute files, written verbatim.
	attrs map[string]string
	// driver is the bound driver's name; "" leaves the device unbound.
	driver string
	// group is the IOMMU group; -1 for none.
	group int
}

// depth is how many ".." lead from the device directory back to /sys.
func (d pciDev) depth() int { return strings.Count(d.sysPath, "/") + 2 }

func (d pciDev) addr() string { return path.Base(d.sysPath) }

// pciDevice creates the device directory with its attributes, the
// /sys/bus/pci/devices link to it, and the driver and iommu_group links,
// all relative as the kernel writes them.
func (h *hostTree) pciDevice(d pciDev) string {
	h.t.Helper()
	devDir := "/sys/devices/" + d.sysPath
	h.dir(devDir)
	for name, content := range d.attrs {
		h.file(devDir+"/"+name, content)
	}
	up := strings.Repeat("../", d.depth())
	h.link("/sys/bus/pci/devices/"+d.addr(), "../../../devices/"+d.sysPath)
	if d.driver != "" {
		h.dir("/sys/bus/pci/drivers/" + d.driver)
		h.link(devDir+"/driver", up+"bus/pci/drivers/"+d.driver)
	}
	if d.group >= 0 {
		g := "/sys/kernel/iommu_groups/" + strconv.Itoa(d.group)
		h.dir(g + "/devices")
		h.link(devDir+"/iommu_group", up+"kernel/iommu_groups/"+strconv.Itoa(d.group))
	}
	return devDir
}

// attrs returns base with overrides applied; an override of deleteAttr
// removes the attribute, to build a device that lacks one file.
func attrs(base map[string]string, overrides map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(overrides))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range overrides {
		if v == deleteAttr {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// deleteAttr in an override map removes the attribute.
const deleteAttr = "\x00delete"

func intPtr(n int) *int    { return &n }
func boolPtr(b bool) *bool { return &b }

// notesFor returns the notes about one host path.
func notesFor(host *hostinfo.Host, hostPath string) []hostinfo.Note {
	var out []hostinfo.Note
	for _, n := range host.Notes {
		if n.Path == hostPath {
			out = append(out, n)
		}
	}
	return out
}

// device returns the collected device at addr, failing the test when the
// device is missing.
func device(t *testing.T, host *hostinfo.Host, addr string) pcidev.Device {
	t.Helper()
	for _, d := range host.Devices {
		if d.Address == addr {
			return d
		}
	}
	t.Fatalf("device %s not collected", addr)
	return pcidev.Device{}
}

// recordTree maps every path under root (relative) to its mode, symlink
// target, size and content hash, without following links, so a test can
// tell whether anything under root was written, created or removed.
func recordTree(t *testing.T, root string) map[string]treeEntry {
	t.Helper()
	out := map[string]treeEntry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := treeEntry{Mode: info.Mode()}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			if e.Target, err = os.Readlink(p); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			e.Size, e.Hash = info.Size(), hex.EncodeToString(sum[:])
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
