package hostinfo_test

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jaypipes/ghw"
	"github.com/jaypipes/pcidb"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// ghw ships sysfs/procfs captures of real machines as test data. They are
// read from the module cache and unpacked per test, never copied into this
// repository.

// ghwDir asks the Go tool once where the ghw module is.
var ghwDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/jaypipes/ghw").Output()
	return strings.TrimSpace(string(out)), err
})

// ghwModuleDir is where the Go tool keeps the ghw module.
func ghwModuleDir(t *testing.T) string {
	t.Helper()
	dir, err := ghwDir()
	if err != nil || dir == "" {
		t.Skipf("ghw's module directory is not available (go list -m github.com/jaypipes/ghw: %v): the real-snapshot tests need it", err)
	}
	return dir
}

// unpackSnapshot extracts one of ghw's snapshots into a temporary directory.
func unpackSnapshot(t *testing.T, name string) string {
	t.Helper()
	archive := filepath.Join(ghwModuleDir(t), "testdata", "snapshots", name)
	f, err := os.Open(archive)
	if err != nil {
		t.Skipf("ghw snapshot %s: %v", name, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", archive, err)
	}
	dest := t.TempDir()
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		rel := filepath.Clean(filepath.FromSlash(hdr.Name))
		if rel == "." || !filepath.IsLocal(rel) {
			continue
		}
		p := filepath.Join(dest, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			err = os.Symlink(hdr.Linkname, p)
		case tar.TypeReg:
			var data []byte
			if data, err = io.ReadAll(tr); err == nil {
				err = os.WriteFile(p, data, 0o644)
			}
		}
		if err != nil {
			t.Fatalf("%s: %s: %v", archive, hdr.Name, err)
		}
	}
	return dest
}

// ghwPCIIDs is the pci.ids ghw's own tests use.
func ghwPCIIDs(t *testing.T) string {
	return filepath.Join(ghwModuleDir(t), "testdata", "usr", "share", "hwdata", "pci.ids")
}

// A KVM guest (Q35, virtio devices) with a Tesla P100 passed through to it
// and bound to nvidia. Every fact below was read from the unpacked tree.
func TestSnapshotNvidiaGuest(t *testing.T) {
	t.Parallel()
	root := unpackSnapshot(t, "linux-amd64-accel-nvidia.tar.gz")
	host, err := hostinfo.Collect(root, hostinfo.Options{PCIIDs: ghwPCIIDs(t)})
	if err != nil {
		t.Fatal(err)
	}

	// A guest: its CPU flags include "hypervisor".
	wantCPU := hostinfo.CPU{Vendor: "GenuineIntel", Model: "Intel(R) Xeon(R) CPU E5-2695 v4 @ 2.10GHz", LogicalCPUs: 8, Virtualization: "vmx", PhysicalAddressBits: 46, Hypervisor: true, Arch: "x86_64"}
	if diff := cmp.Diff(wantCPU, host.CPU); diff != "" {
		t.Errorf("CPU mismatch (-want +got):\n%s", diff)
	}
	if host.MemoryMB != 30601816/1024 || host.NUMANodes != 1 {
		t.Errorf("memory %d MiB, %d NUMA nodes; want %d MiB, 1 node", host.MemoryMB, host.NUMANodes, 30601816/1024)
	}
	if len(host.Devices) != 29 {
		t.Errorf("%d devices, want the 29 of /sys/bus/pci/devices", len(host.Devices))
	}

	gpu := device(t, host, "0000:06:00.0")
	// The capture has no resource files and no osrelease, so BARs and
	// reset methods are unknown, and the guest has no vIOMMU.
	wantGPU := pcidev.Device{
		Address: "0000:06:00.0", VendorID: "10de", DeviceID: "15f8", Class: "030200",
		VendorName: "NVIDIA Corporation", Model: "GP100GL [Tesla P100 PCIe 16GB]",
		Driver: "nvidia", NUMANode: intPtr(-1), Parent: "0000:00:01.5",
		Unreadable: []string{"resource"},
	}
	if diff := cmp.Diff(wantGPU, gpu); diff != "" {
		t.Errorf("GPU mismatch (-want +got):\n%s", diff)
	}
	for addr, want := range map[string][4]string{
		// address: vendor, device, class, driver
		"0000:00:00.0": {"8086", "29c0", "060000", ""},
		"0000:00:01.5": {"1b36", "000c", "060400", "pcieport"},
		"0000:00:1f.2": {"8086", "2922", "010601", "ahci"},
		"0000:01:00.6": {"1b36", "000d", "0c0330", ""},
		"0000:05:00.0": {"1af4", "1041", "020000", "virtio-pci"},
	} {
		d := device(t, host, addr)
		if got := [4]string{d.VendorID, d.DeviceID, d.Class, d.Driver}; got != want {
			t.Errorf("%s: got %q, want %q", addr, got, want)
		}
	}
	if p := device(t, host, "0000:01:00.3").Parent; p != "0000:00:01.0" {
		t.Errorf("0000:01:00.3 parent %q, want 0000:00:01.0", p)
	}
	if p := device(t, host, "0000:00:1f.3").Parent; p != "" {
		t.Errorf("0000:00:1f.3 is on the root bus, got parent %q", p)
	}
	if host.IOMMU.Groups != 0 || len(host.IOMMU.Units) != 0 || host.KVM {
		t.Errorf("IOMMU %+v, KVM %v: the guest has neither", host.IOMMU, host.KVM)
	}

	// What the capture lacks is noted, not fatal.
	wantMissing(t, host, "/proc/cmdline", "missing")
	wantMissing(t, host, "/sys/bus/pci/devices/0000:06:00.0/resource", "missing")
	wantMissing(t, host, "/proc/sys/kernel/hostname", "no host name")
	compareWithGhw(t, root, host)
}

// A laptop (Alder Lake i7-1270P) with VT-d on: every device has an IOMMU
// group, several share one (the Thunderbolt controllers with the xHCI).
func TestSnapshotLaptopWithIOMMUGroups(t *testing.T) {
	t.Parallel()
	root := unpackSnapshot(t, "linux-amd64-415ee03b8c4d1c4f07ae2e9d8b3d3d6d.tar.gz")
	host, err := hostinfo.Collect(root, hostinfo.Options{PCIIDs: ghwPCIIDs(t)})
	if err != nil {
		t.Fatal(err)
	}
	wantCPU := hostinfo.CPU{Vendor: "GenuineIntel", Model: "12th Gen Intel(R) Core(TM) i7-1270P", LogicalCPUs: 16, Virtualization: "vmx", PhysicalAddressBits: 46, Arch: "x86_64"}
	if diff := cmp.Diff(wantCPU, host.CPU); diff != "" {
		t.Errorf("CPU mismatch (-want +got):\n%s", diff)
	}
	if host.MemoryMB != 32542668/1024 || host.NUMANodes != 1 {
		t.Errorf("memory %d MiB, %d NUMA nodes; want %d MiB, 1 node", host.MemoryMB, host.NUMANodes, 32542668/1024)
	}
	if len(host.Devices) != 23 {
		t.Errorf("%d devices, want 23", len(host.Devices))
	}
	nvme := device(t, host, "0000:04:00.0")
	wantNVMe := pcidev.Device{
		Address: "0000:04:00.0", VendorID: "144d", DeviceID: "a80a", Class: "010802",
		VendorName: "Samsung Electronics Co Ltd", Model: "NVMe SSD Controller PM9A1/PM9A3/980PRO",
		Driver: "nvme", IOMMUGroup: intPtr(14), NUMANode: intPtr(-1), Parent: "0000:00:06.0",
		Unreadable: []string{"resource"},
	}
	if diff := cmp.Diff(wantNVMe, nvme); diff != "" {
		t.Errorf("NVMe mismatch (-want +got):\n%s", diff)
	}
	igpu := device(t, host, "0000:00:02.0")
	if igpu.Driver != "i915" || igpu.Class != "030000" || igpu.Model != "Alder Lake-P Integrated Graphics Controller" || igpu.IOMMUGroup == nil || *igpu.IOMMUGroup != 0 {
		t.Errorf("integrated GPU %+v: want i915, class 030000, group 0", igpu)
	}
	// Group 8 holds the USB4 xHCI and both Thunderbolt NHIs; group 13 the
	// LPC bridge, audio, SMBus and SPI controllers.
	members := map[int][]string{}
	for _, d := range host.Devices {
		if d.IOMMUGroup == nil {
			t.Errorf("%s has no IOMMU group", d.Address)
			continue
		}
		members[*d.IOMMUGroup] = append(members[*d.IOMMUGroup], d.Address)
	}
	wantGroups := map[int][]string{
		8:  {"0000:00:0d.0", "0000:00:0d.2", "0000:00:0d.3"},
		13: {"0000:00:1f.0", "0000:00:1f.3", "0000:00:1f.4", "0000:00:1f.5"},
		14: {"0000:04:00.0"},
	}
	for g, want := range wantGroups {
		if diff := cmp.Diff(want, members[g]); diff != "" {
			t.Errorf("group %d members mismatch (-want +got):\n%s", g, diff)
		}
	}
	if len(members) != 15 {
		t.Errorf("%d distinct groups, want 15 (0-14)", len(members))
	}
	if d := device(t, host, "0000:00:08.0"); d.Driver != "" || !cmp.Equal(d.Unreadable, []string{"resource"}) {
		t.Errorf("0000:00:08.0 (unbound GNA) = %+v: want no driver and only resource unreadable", d)
	}
	wantMissing(t, host, "/proc/cmdline", "missing")
	wantMissing(t, host, "/sys/bus/pci/devices/0000:04:00.0/resource", "missing")
	compareWithGhw(t, root, host)
}

// wantMissing asserts a note on hostPath whose message contains want.
func wantMissing(t *testing.T, host *hostinfo.Host, hostPath, want string) {
	t.Helper()
	for _, n := range notesFor(host, hostPath) {
		if strings.Contains(n.Message, want) {
			return
		}
	}
	t.Errorf("no note on %s mentioning %q; notes: %+v", hostPath, want, notesFor(host, hostPath))
}

// compareWithGhw reads the same tree with ghw and checks that every device
// ghw lists has the same address, IDs, class, driver, IOMMU group and
// parent in our Host: two independent readers of one capture must agree.
func compareWithGhw(t *testing.T, root string, host *hostinfo.Host) {
	t.Helper()
	off := false
	db, err := pcidb.New(pcidb.WithPath(ghwPCIIDs(t)), &pcidb.WithOption{EnableNetworkFetch: &off})
	if err != nil {
		t.Fatalf("loading ghw's pci.ids: %v", err)
	}
	info, err := ghw.PCI(ghw.WithChroot(root), ghw.WithPCIDB(db), ghw.WithDisableWarnings())
	if err != nil {
		t.Fatalf("ghw.PCI: %v", err)
	}
	if len(info.Devices) != len(host.Devices) {
		t.Errorf("ghw lists %d devices, we list %d", len(info.Devices), len(host.Devices))
	}
	ours := map[string]pcidev.Device{}
	for _, d := range host.Devices {
		ours[d.Address] = d
	}
	type view struct{ Vendor, Device, Class, Driver, Group, Parent string }
	for _, g := range info.Devices {
		d, ok := ours[g.Address]
		if !ok {
			t.Errorf("ghw lists %s, we do not", g.Address)
			continue
		}
		group := ""
		if d.IOMMUGroup != nil {
			group = strconv.Itoa(*d.IOMMUGroup)
		}
		want := view{
			Vendor: g.Vendor.ID, Device: g.Product.ID,
			Class:  g.Class.ID + g.Subclass.ID + g.ProgrammingInterface.ID,
			Driver: g.Driver, Group: g.IOMMUGroup, Parent: g.ParentAddress,
		}
		got := view{Vendor: d.VendorID, Device: d.DeviceID, Class: d.Class, Driver: d.Driver, Group: group, Parent: d.Parent}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s differs from ghw (-ghw +ours):\n%s", g.Address, diff)
		}
	}
}
