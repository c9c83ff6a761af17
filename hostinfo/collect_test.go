package hostinfo_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

func TestCollectRoot(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, []byte("not a tree"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(base, "empty")
	onlyProc := filepath.Join(base, "onlyproc")
	for _, d := range []string{empty, filepath.Join(onlyProc, "proc")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		root string
		// check judges the error; nil means Collect must succeed.
		check func(error) bool
	}{
		{name: "root that does not exist", root: filepath.Join(base, "missing"), check: func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{name: "root that is a file", root: file, check: func(err error) bool { return err != nil && strings.Contains(err.Error(), "not a directory") }},
		// An empty directory would give an empty, healthy-looking
		// report; it must be refused instead.
		{name: "empty directory", root: empty, check: func(err error) bool { return errors.Is(err, hostinfo.ErrNotHostTree) }},
		{name: "tree with only /proc", root: onlyProc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, err := hostinfo.Collect(tt.root, hostinfo.Options{})
			if tt.check == nil {
				if err != nil || host == nil {
					t.Fatalf("Collect = %v, %v; want a host", host, err)
				}
				return
			}
			if !tt.check(err) {
				t.Errorf("Collect error = %v, not the expected one", err)
			}
			if host != nil {
				t.Errorf("Collect returned a host with error %v", err)
			}
		})
	}
}

// A few vendors and devices, in pci.ids layout (two spaces after the ID,
// tabs for devices).
const testPCIIDs = `# pci.ids subset for tests
8086  Intel Corporation
	352a  Ice Lake PCIe Root Port
	467f  Volume Management Device NVMe RAID Controller
10de  NVIDIA Corporation
	2330  GH100 [H100 SXM5 80GB]
15b3  Mellanox Technologies
	101b  MT28908 Family [ConnectX-6]
	101c  MT28908 Family [ConnectX-6 Virtual Function]
144d  Samsung Electronics Co Ltd
	a80a  NVMe SSD Controller PM9A1/PM9A3/980PRO
`

const oneBAR = "0x00000000fe800000 0x00000000fe803fff 0x0000000000040200\n"

var plainAttrs = map[string]string{
	"vendor":   "0x1af4\n",
	"device":   "0x1041\n",
	"class":    "0x020000\n",
	"resource": oneBAR,
}

var oneBARs = []pcidev.BAR{{Index: 0, Size: 0x4000}}

const (
	gpuAddr = "0000:01:00.0"
	pfAddr  = "0000:02:00.0"
	numVFs  = 12
)

// vfAddr is the address of VF i of the PF at 0000:02:00.0 (first VF
// offset 1, stride 1, as ConnectX cards use).
func vfAddr(i int) string {
	fn := i + 1
	return fmt.Sprintf("0000:02:%02x.%x", fn/8, fn%8)
}

// buildComputeNode lays out a GPU compute node running 6.8: a root port,
// an H100 bound to vfio-pci, an SR-IOV NIC with 12 VFs, a VMD domain and
// six devices each with one broken or missing attribute.
func buildComputeNode(t *testing.T) *hostTree {
	h := newHostTree(t)
	h.file("/proc/sys/kernel/hostname", "compute-7\n")
	h.file("/proc/sys/kernel/osrelease", "6.8.0-49-generic\n")
	h.file("/proc/cmdline", "BOOT_IMAGE=/vmlinuz-6.8.0-49-generic root=UUID=5f1c ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2330\n")
	h.file("/proc/cpuinfo", intelCPUInfo)
	h.file("/proc/meminfo", "MemTotal:       1056467132 kB\nMemFree:        1000000000 kB\n")
	h.file("/proc/modules", "vfio_pci 16384 0 - Live 0x0000000000000000\n"+
		"vfio_pci_core 94208 1 vfio_pci, Live 0x0000000000000000\n"+
		"vfio_iommu_type1 49152 0 - Live 0x0000000000000000\n"+
		"vfio 69632 3 vfio_pci_core,vfio_iommu_type1,vfio_pci, Live 0x0000000000000000\n"+
		"kvm_intel 487424 0 - Live 0x0000000000000000\n"+
		"kvm 1413120 1 kvm_intel, Live 0x0000000000000000\n")
	// vfio is both loaded and listed as built in: the first source wins.
	h.file("/lib/modules/6.8.0-49-generic/modules.builtin", "kernel/drivers/vfio/vfio.ko\nkernel/drivers/pci/pci-stub.ko\n")
	h.file("/sys/module/vfio_pci/initstate", "live\n")
	h.file("/sys/module/vfio_pci/parameters/ids", "10de:2330\n")
	h.file("/sys/module/vfio_pci/parameters/disable_vga", "N\n")
	h.file("/sys/module/vfio_iommu_type1/initstate", "live\n")
	h.file("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n")
	h.file("/sys/module/pci_stub/parameters/ids", "\n")
	// A built-in module with parameters has a /sys/module directory
	// but no initstate.
	h.file("/sys/module/i915/parameters/modeset", "-1\n")
	h.file("/dev/kvm", "")
	h.file("/dev/vfio/vfio", "")
	h.dir("/sys/devices/system/node/node0")
	h.dir("/sys/devices/system/node/node1")
	h.file("/sys/devices/system/node/possible", "0-1\n")
	h.file("/sys/firmware/acpi/tables/DMAR", "DMAR")
	h.file("/sys/firmware/acpi/tables/APIC", "APIC")
	h.file("/sys/firmware/acpi/tables/MCFG", "MCFG")
	h.dir("/sys/firmware/acpi/tables/data")
	h.dir("/sys/firmware/acpi/tables/dynamic")
	for _, unit := range []string{"dmar0", "dmar1"} {
		h.file("/sys/devices/virtual/iommu/"+unit+"/intel-iommu/ecap", "f0205ef\n")
		h.link("/sys/class/iommu/"+unit, "../../devices/virtual/iommu/"+unit)
	}
	h.file("/etc/modprobe.d/vfio.conf", "options vfio-pci ids=10de:2330\nsoftdep nvidia pre: vfio-pci\n")
	h.file("/etc/driverctl.d/pci-"+gpuAddr, "vfio-pci\n")
	h.file("/usr/lib/python3/dist-packages/nova-26.2.1.egg-info/PKG-INFO", "Name: nova\nVersion: 26.2.1\n")
	h.file("/usr/share/hwdata/pci.ids", testPCIIDs)

	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:01.0", driver: "pcieport", group: 12, attrs: map[string]string{
		"vendor": "0x8086\n", "device": "0x352a\n", "class": "0x060400\n",
		"resource": bridgeResource, "numa_node": "-1\n", "driver_override": "(null)\n",
	}})
	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:01.0/" + gpuAddr, driver: "vfio-pci", group: 13, attrs: map[string]string{
		"vendor": "0x10de\n", "device": "0x2330\n", "class": "0x030200\n",
		"subsystem_vendor": "0x10de\n", "subsystem_device": "0x16c1\n",
		"resource": gpuResource, "numa_node": "0\n", "boot_vga": "0\n",
		"reset_method": "flr bus\n", "driver_override": "vfio-pci\n",
	}})
	pfDir := h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:02.0/" + pfAddr, driver: "mlx5_core", group: 14, attrs: map[string]string{
		"vendor": "0x15b3\n", "device": "0x101b\n", "class": "0x020000\n",
		"resource": oneBAR, "numa_node": "1\n", "reset_method": "flr\n",
		"sriov_totalvfs": "16\n", "sriov_numvfs": "12\n",
	}})
	for i := range numVFs {
		vf := vfAddr(i)
		vfDir := h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:02.0/" + vf, group: -1, attrs: map[string]string{
			"vendor": "0x15b3\n", "device": "0x101c\n", "class": "0x020000\n", "resource": oneBAR,
		}})
		h.link(pfDir+"/virtfn"+fmt.Sprint(i), "../"+vf)
		h.link(vfDir+"/physfn", "../"+pfAddr)
	}
	// The VMD controller and the domain 10000 it creates.
	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:0e.0", driver: "vmd", group: 15, attrs: map[string]string{
		"vendor": "0x8086\n", "device": "0x467f\n", "class": "0x010400\n", "resource": oneBAR,
	}})
	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:0e.0/pci10000:00/10000:00:02.0", driver: "pcieport", group: 15, attrs: attrs(plainAttrs, map[string]string{
		"vendor": "0x8086\n", "device": "0x464d\n", "class": "0x060400\n",
	})})
	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:0e.0/pci10000:00/10000:00:02.0/10000:01:00.0", driver: "nvme", group: 15, attrs: attrs(plainAttrs, map[string]string{
		"vendor": "0x144d\n", "device": "0xa80a\n", "class": "0x010802\n",
	})})
	// Devices with one bad attribute each, behind bridge 0000:00:03.0.
	broken := "pci0000:00/0000:00:03.0/"
	h.pciDevice(pciDev{sysPath: broken + "0000:05:00.0", driver: "virtio-pci", group: 20, attrs: attrs(plainAttrs, map[string]string{"vendor": ""})})
	h.pciDevice(pciDev{sysPath: broken + "0000:06:00.0", driver: "virtio-pci", group: 21, attrs: attrs(plainAttrs, map[string]string{"class": "\x00\xff\xfe\x7f garbage"})})
	loopDir := h.pciDevice(pciDev{sysPath: broken + "0000:07:00.0", group: 22, attrs: plainAttrs})
	h.link(loopDir+"/driver", "driver")
	h.pciDevice(pciDev{sysPath: broken + "0000:08:00.0", group: 23, attrs: plainAttrs})
	h.pciDevice(pciDev{sysPath: broken + "0000:09:00.0", driver: "virtio-pci", group: 24, attrs: attrs(plainAttrs, map[string]string{"resource": deleteAttr})})
	h.pciDevice(pciDev{sysPath: broken + "0000:0a:00.0", driver: "virtio-pci", group: 25, attrs: attrs(plainAttrs, map[string]string{"sriov_totalvfs": "-1\n"})})
	return h
}

func TestCollectComputeNode(t *testing.T) {
	h := buildComputeNode(t)
	host := h.collect(hostinfo.Options{})

	wantHost := &hostinfo.Host{
		Hostname: "compute-7",
		Kernel: hostinfo.Kernel{
			Release: "6.8.0-49-generic",
			Cmdline: "BOOT_IMAGE=/vmlinuz-6.8.0-49-generic root=UUID=5f1c ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2330",
		},
		CPU:       hostinfo.CPU{Vendor: "GenuineIntel", Model: "Intel(R) Xeon(R) Platinum 8480+", LogicalCPUs: 2, Virtualization: "vmx", PhysicalAddressBits: 46, Arch: "x86_64"},
		MemoryMB:  1031706,
		KVM:       true,
		NUMANodes: 2,
		ACPI:      hostinfo.ACPI{Readable: true, Tables: []string{"APIC", "DMAR", "MCFG"}},
		IOMMU:     hostinfo.IOMMU{Units: []string{"dmar0", "dmar1"}, Groups: 10, InterruptRemapping: boolPtr(true)},
		VFIO:      hostinfo.VFIO{Container: true},
		Modules: []hostinfo.Module{
			{Name: "i915", State: hostinfo.ModuleBuiltin},
			{Name: "kvm", State: hostinfo.ModuleLoaded},
			{Name: "kvm_intel", State: hostinfo.ModuleLoaded},
			{Name: "pci_stub", State: hostinfo.ModuleBuiltin},
			{Name: "vfio", State: hostinfo.ModuleLoaded},
			{Name: "vfio_iommu_type1", State: hostinfo.ModuleLoaded, Params: map[string]string{"allow_unsafe_interrupts": "N"}},
			{Name: "vfio_pci", State: hostinfo.ModuleLoaded, Params: map[string]string{"disable_vga": "N"}},
			{Name: "vfio_pci_core", State: hostinfo.ModuleLoaded},
		},
		Modprobe: []hostinfo.Directive{
			{File: "/etc/modprobe.d/vfio.conf", Line: 1, Command: "options", Module: "vfio_pci", Args: "ids=10de:2330"},
			{File: "/etc/modprobe.d/vfio.conf", Line: 2, Command: "softdep", Module: "nvidia", Args: "pre: vfio-pci"},
		},
		Driverctl: []hostinfo.DriverOverride{{Address: gpuAddr, Driver: "vfio-pci", File: "/etc/driverctl.d/pci-" + gpuAddr}},
		PCIIDs:    "/usr/share/hwdata/pci.ids",
		Nova:      hostinfo.NovaInstall{Version: "26.2.1", Path: "/usr/lib/python3/dist-packages/nova-26.2.1.egg-info"},
	}
	// Devices without reset_method on 6.8 have none (not "unknown").
	none := []string{}
	wantHost.Devices = []pcidev.Device{
		{
			Address: "0000:00:01.0", VendorID: "8086", DeviceID: "352a", Class: "060400",
			VendorName: "Intel Corporation", Model: "Ice Lake PCIe Root Port",
			Driver: "pcieport", IOMMUGroup: intPtr(12), NUMANode: intPtr(-1), ResetMethod: none,
		},
		{
			Address: "0000:00:0e.0", VendorID: "8086", DeviceID: "467f", Class: "010400",
			VendorName: "Intel Corporation", Model: "Volume Management Device NVMe RAID Controller",
			Driver: "vmd", IOMMUGroup: intPtr(15), ResetMethod: none, BARs: oneBARs,
		},
		{
			Address: gpuAddr, VendorID: "10de", DeviceID: "2330", Class: "030200",
			SubsystemVendorID: "10de", SubsystemDeviceID: "16c1",
			VendorName: "NVIDIA Corporation", Model: "GH100 [H100 SXM5 80GB]",
			Driver: "vfio-pci", DriverOverride: "vfio-pci", IOMMUGroup: intPtr(13), NUMANode: intPtr(0),
			BootVGA: boolPtr(false), ResetMethod: []string{"flr", "bus"},
			BARs: []pcidev.BAR{
				{Index: 0, Size: 16 << 20},
				{Index: 2, Size: 64 << 30, Is64Bit: true, Prefetchable: true},
				{Index: 4, Size: 32 << 20, Is64Bit: true, Prefetchable: true},
			},
			Parent: "0000:00:01.0",
		},
	}
	pf := pcidev.Device{
		Address: pfAddr, VendorID: "15b3", DeviceID: "101b", Class: "020000",
		VendorName: "Mellanox Technologies", Model: "MT28908 Family [ConnectX-6]",
		Driver: "mlx5_core", IOMMUGroup: intPtr(14), NUMANode: intPtr(1), ResetMethod: []string{"flr"},
		BARs: oneBARs, SRIOV: &pcidev.SRIOV{TotalVFs: 16, NumVFs: numVFs}, Parent: "0000:00:02.0",
	}
	var vfs []pcidev.Device
	for i := range numVFs {
		// virtfn10 and virtfn11 sort after virtfn9, not after virtfn1.
		pf.SRIOV.VFs = append(pf.SRIOV.VFs, vfAddr(i))
		vfs = append(vfs, pcidev.Device{
			Address: vfAddr(i), VendorID: "15b3", DeviceID: "101c", Class: "020000",
			VendorName: "Mellanox Technologies", Model: "MT28908 Family [ConnectX-6 Virtual Function]",
			ResetMethod: none, BARs: oneBARs, PhysFn: pfAddr, Parent: "0000:00:02.0",
		})
	}
	wantHost.Devices = append(wantHost.Devices, pf)
	wantHost.Devices = append(wantHost.Devices, vfs...)
	plain := func(addr string, group int, driver string) pcidev.Device {
		return pcidev.Device{
			Address: addr, VendorID: "1af4", DeviceID: "1041", Class: "020000",
			Driver: driver, IOMMUGroup: intPtr(group), ResetMethod: none, BARs: oneBARs, Parent: "0000:00:03.0",
		}
	}
	// Each broken attribute leaves only its own field unknown.
	emptyVendor := plain("0000:05:00.0", 20, "virtio-pci")
	emptyVendor.VendorID, emptyVendor.Unreadable = "", []string{"vendor"}
	binaryClass := plain("0000:06:00.0", 21, "virtio-pci")
	binaryClass.Class, binaryClass.Unreadable = "", []string{"class"}
	driverLoop := plain("0000:07:00.0", 22, "")
	driverLoop.Unreadable = []string{"driver"}
	unbound := plain("0000:08:00.0", 23, "")
	noResource := plain("0000:09:00.0", 24, "virtio-pci")
	noResource.BARs, noResource.Unreadable = nil, []string{"resource"}
	badSRIOV := plain("0000:0a:00.0", 25, "virtio-pci")
	badSRIOV.Unreadable = []string{"sriov_totalvfs"}
	wantHost.Devices = append(wantHost.Devices, emptyVendor, binaryClass, driverLoop, unbound, noResource, badSRIOV,
		pcidev.Device{
			Address: "10000:00:02.0", VendorID: "8086", DeviceID: "464d", Class: "060400", VendorName: "Intel Corporation",
			Driver: "pcieport", IOMMUGroup: intPtr(15), ResetMethod: none, BARs: oneBARs,
		},
		pcidev.Device{
			Address: "10000:01:00.0", VendorID: "144d", DeviceID: "a80a", Class: "010802",
			VendorName: "Samsung Electronics Co Ltd", Model: "NVMe SSD Controller PM9A1/PM9A3/980PRO",
			Driver: "nvme", IOMMUGroup: intPtr(15), ResetMethod: none, BARs: oneBARs, Parent: "10000:00:02.0",
		},
	)

	got := *host
	got.Notes = nil
	if diff := cmp.Diff(wantHost, &got); diff != "" {
		t.Errorf("host mismatch (-want +got):\n%s", diff)
	}

	// One note per broken attribute, naming its file and saying what is
	// wrong with it, and nothing else.
	wantNotes := map[string]string{
		"/sys/bus/pci/devices/0000:05:00.0/vendor":         `"": want 0x`,
		"/sys/bus/pci/devices/0000:06:00.0/class":          "want 0x",
		"/sys/bus/pci/devices/0000:07:00.0/driver":         "does not point into a drivers directory",
		"/sys/bus/pci/devices/0000:09:00.0/resource":       "missing",
		"/sys/bus/pci/devices/0000:0a:00.0/sriov_totalvfs": `"-1"`,
	}
	if len(host.Notes) != len(wantNotes) {
		t.Errorf("got %d notes, want %d: %+v", len(host.Notes), len(wantNotes), host.Notes)
	}
	for _, n := range host.Notes {
		want, ok := wantNotes[n.Path]
		if !ok || !strings.Contains(n.Message, want) {
			t.Errorf("note %+v: want a note on one of %v mentioning %q", n, keys(wantNotes), want)
		}
	}

	// Reading with one worker gives the same host: the order of
	// devices and notes does not depend on scheduling.
	serial := h.collect(hostinfo.Options{Workers: 1})
	if diff := cmp.Diff(host, serial); diff != "" {
		t.Errorf("Workers: 1 gives a different host (-default +serial):\n%s", diff)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// reset_method appeared in 5.15, and since then the kernel hides it on
// devices with no reset method: absent means none on 5.15+, unknown before.
func TestCollectResetMethodByKernel(t *testing.T) {
	tests := []struct {
		name    string
		release string // "" leaves osrelease out
		file    string // deleteAttr leaves reset_method out
		want    []string
	}{
		{name: "absent on 6.8", release: "6.8.0-49-generic\n", file: deleteAttr, want: []string{}},
		{name: "absent on 5.15", release: "5.15.0-1062-azure\n", file: deleteAttr, want: []string{}},
		{name: "absent on 5.4", release: "5.4.0-216-generic\n", file: deleteAttr, want: nil},
		{name: "absent with the kernel unknown", file: deleteAttr, want: nil},
		{name: "empty line on 6.8", release: "6.8.0\n", file: "\n", want: []string{}},
		{name: "backported to an older kernel", release: "4.18.0-553.el8_10.x86_64\n", file: "flr\n", want: []string{"flr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostTree(t)
			if tt.release != "" {
				h.file("/proc/sys/kernel/osrelease", tt.release)
			}
			h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:05.0", group: -1, attrs: attrs(plainAttrs, map[string]string{"reset_method": tt.file})})
			got := device(t, h.collect(hostinfo.Options{}), "0000:00:05.0").ResetMethod
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResetMethod mismatch (-want +got):\n%s", diff)
			}
			if (got == nil) != (tt.want == nil) {
				t.Errorf("ResetMethod = %#v, want %#v (nil means unknown)", got, tt.want)
			}
		})
	}
}

// kmod reads the *.conf files of every directory in one sorted list; a
// name in a higher-priority directory hides the same name further down.
func TestCollectModprobePriority(t *testing.T) {
	h := newHostTree(t)
	h.dir("/proc")
	h.file("/etc/modprobe.d/vfio.conf", "options vfio-pci ids=10de:2330\n")
	h.file("/lib/modprobe.d/vfio.conf", "options vfio_pci ids=dead:beef\n") // hidden
	h.file("/usr/lib/modprobe.d/vfio.conf", "blacklist vfio_pci\n")         // hidden
	h.file("/lib/modprobe.d/aaa.conf", "blacklist nouveau\n")
	h.file("/run/modprobe.d/mmm.conf", "softdep nvidia pre: vfio-pci\n")
	h.file("/usr/local/lib/modprobe.d/nvidia.alias", "alias pci:v000010DEd*sv*sd*bc03sc*i* nvidia\n")
	h.file("/usr/lib/modprobe.d/zzz.conf", "install nouveau /bin/false\n")
	// Not configuration: wrong suffix, hidden, a directory.
	h.file("/etc/modprobe.d/README", "blacklist readme\n")
	h.file("/etc/modprobe.d/old.conf.bak", "blacklist bak\n")
	h.file("/etc/modprobe.d/.hidden.conf", "blacklist hidden\n")
	h.dir("/etc/modprobe.d/sub.conf")
	// An absolute link must be followed inside the root, not on the
	// machine running the tests (which has no /usr/lib/gpupass-test.conf).
	h.file("/usr/lib/gpupass-test.conf", "blacklist radeon\n")
	h.link("/etc/modprobe.d/x.conf", "/usr/lib/gpupass-test.conf")
	// A file with a bad line still gives its good ones.
	h.file("/etc/modprobe.d/y.conf", "blacklist amdgpu\nbogus line\n")

	host := h.collect(hostinfo.Options{})
	want := []hostinfo.Directive{
		{File: "/lib/modprobe.d/aaa.conf", Line: 1, Command: "blacklist", Module: "nouveau"},
		{File: "/run/modprobe.d/mmm.conf", Line: 1, Command: "softdep", Module: "nvidia", Args: "pre: vfio-pci"},
		{File: "/usr/local/lib/modprobe.d/nvidia.alias", Line: 1, Command: "alias", Module: "pci:v000010DEd*sv*sd*bc03sc*i*", Args: "nvidia"},
		{File: "/etc/modprobe.d/vfio.conf", Line: 1, Command: "options", Module: "vfio_pci", Args: "ids=10de:2330"},
		{File: "/etc/modprobe.d/x.conf", Line: 1, Command: "blacklist", Module: "radeon"},
		{File: "/etc/modprobe.d/y.conf", Line: 1, Command: "blacklist", Module: "amdgpu"},
		{File: "/usr/lib/modprobe.d/zzz.conf", Line: 1, Command: "install", Module: "nouveau", Args: "/bin/false"},
	}
	if diff := cmp.Diff(want, host.Modprobe); diff != "" {
		t.Errorf("modprobe directives mismatch (-want +got):\n%s", diff)
	}
	var modprobeNotes []hostinfo.Note
	for _, n := range host.Notes {
		if strings.Contains(n.Path, "modprobe.d") {
			modprobeNotes = append(modprobeNotes, n)
		}
	}
	if len(modprobeNotes) != 1 || modprobeNotes[0].Path != "/etc/modprobe.d/y.conf" || !strings.Contains(modprobeNotes[0].Message, "y.conf:2") {
		t.Errorf("modprobe.d notes = %+v, want one on y.conf naming line 2", modprobeNotes)
	}
}

func TestCollectDriverctl(t *testing.T) {
	h := newHostTree(t)
	h.dir("/proc")
	h.file("/etc/driverctl.d/pci-0000:01:00.0", "vfio-pci\n")
	h.file("/etc/driverctl.d/pci-0000:41:00.0", "\n")
	h.file("/etc/driverctl.d/usb-1-1", "usbhid\n")
	host := h.collect(hostinfo.Options{})
	want := []hostinfo.DriverOverride{{Address: "0000:01:00.0", Driver: "vfio-pci", File: "/etc/driverctl.d/pci-0000:01:00.0"}}
	if diff := cmp.Diff(want, host.Driverctl); diff != "" {
		t.Errorf("driverctl mismatch (-want +got):\n%s", diff)
	}
	for _, p := range []string{"/etc/driverctl.d/pci-0000:41:00.0", "/etc/driverctl.d/usb-1-1"} {
		if len(notesFor(host, p)) != 1 {
			t.Errorf("want one note on %s, got %+v", p, host.Notes)
		}
	}
}

func TestCollectPCIIDs(t *testing.T) {
	// The override lives outside the tree, on the machine running gpupass.
	override := filepath.Join(t.TempDir(), "my.ids")
	if err := os.WriteFile(override, []byte("10de  Override Vendor\n\t2330  Override Model\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		setup     func(h *hostTree)
		opts      hostinfo.Options
		wantDB    string
		wantNames [2]string
		wantNote  string // path of the expected pci.ids note, "" for none
	}{
		{
			name:     "absent",
			setup:    func(h *hostTree) {},
			wantNote: "/usr/share/misc/pci.ids",
		},
		{
			name:      "in hwdata",
			setup:     func(h *hostTree) { h.file("/usr/share/hwdata/pci.ids", testPCIIDs) },
			wantDB:    "/usr/share/hwdata/pci.ids",
			wantNames: [2]string{"NVIDIA Corporation", "GH100 [H100 SXM5 80GB]"},
		},
		{
			// Debian links /usr/share/misc/pci.ids; an absolute link is
			// followed inside the root.
			name: "absolute link in misc",
			setup: func(h *hostTree) {
				h.file("/usr/share/gpupass-test/pci.ids", testPCIIDs)
				h.link("/usr/share/misc/pci.ids", "/usr/share/gpupass-test/pci.ids")
			},
			wantDB:    "/usr/share/misc/pci.ids",
			wantNames: [2]string{"NVIDIA Corporation", "GH100 [H100 SXM5 80GB]"},
		},
		{
			name:      "override wins over the tree's database",
			setup:     func(h *hostTree) { h.file("/usr/share/hwdata/pci.ids", testPCIIDs) },
			opts:      hostinfo.Options{PCIIDs: override},
			wantDB:    override,
			wantNames: [2]string{"Override Vendor", "Override Model"},
		},
		{
			name:     "override that does not exist",
			setup:    func(h *hostTree) { h.file("/usr/share/hwdata/pci.ids", testPCIIDs) },
			opts:     hostinfo.Options{PCIIDs: override + ".missing"},
			wantNote: override + ".missing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// pcidb fetches the database from the network into
			// ~/.cache when the environment tells it to and the file it
			// was given is missing; gpupass must never do that, nor let
			// PCIDB_PATH pick the database.
			t.Setenv("PCIDB_ENABLE_NETWORK_FETCH", "1")
			t.Setenv("PCIDB_PATH", filepath.Join(t.TempDir(), "env.ids"))

			h := newHostTree(t)
			h.dir("/proc")
			tt.setup(h)
			h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:01.0/" + gpuAddr, group: -1, attrs: attrs(plainAttrs, map[string]string{"vendor": "0x10de\n", "device": "0x2330\n"})})
			host := h.collect(tt.opts)

			d := device(t, host, gpuAddr)
			if got := [2]string{d.VendorName, d.Model}; got != tt.wantNames {
				t.Errorf("names = %q, want %q", got, tt.wantNames)
			}
			if host.PCIIDs != tt.wantDB {
				t.Errorf("PCIIDs = %q, want %q", host.PCIIDs, tt.wantDB)
			}
			var notePaths []string
			for _, n := range host.Notes {
				if !strings.Contains(n.Path, ".ids") {
					continue // the tree has no hostname, cmdline, ...
				}
				notePaths = append(notePaths, n.Path)
				if strings.Contains(n.Message, "http") {
					t.Errorf("note %+v: the database was looked for on the network", n)
				}
			}
			var wantPaths []string
			if tt.wantNote != "" {
				wantPaths = []string{tt.wantNote}
			}
			if diff := cmp.Diff(wantPaths, notePaths); diff != "" {
				t.Errorf("pci.ids note paths mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectHostname(t *testing.T) {
	tests := []struct {
		name      string
		proc, etc string // deleteAttr leaves the file out
		want      string
		wantNote  bool
	}{
		{name: "from /proc", proc: "compute-7\n", etc: "stale\n", want: "compute-7"},
		{name: "from /etc when /proc has none", proc: deleteAttr, etc: "compute-8\n", want: "compute-8"},
		{name: "from /etc when /proc is empty", proc: "\n", etc: "  compute-9  \n", want: "compute-9"},
		{name: "from /etc when /proc is binary", proc: "\x00\x01", etc: "compute-10\n", want: "compute-10", wantNote: true},
		{name: "nowhere", proc: deleteAttr, etc: deleteAttr, wantNote: true},
		{name: "both empty", proc: "", etc: "\n", wantNote: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostTree(t)
			h.dir("/proc")
			if tt.proc != deleteAttr {
				h.file("/proc/sys/kernel/hostname", tt.proc)
			}
			if tt.etc != deleteAttr {
				h.file("/etc/hostname", tt.etc)
			}
			host := h.collect(hostinfo.Options{})
			if host.Hostname != tt.want {
				t.Errorf("Hostname = %q, want %q", host.Hostname, tt.want)
			}
			if got := len(notesFor(host, "/proc/sys/kernel/hostname")) > 0; got != tt.wantNote {
				t.Errorf("note on /proc/sys/kernel/hostname: %v, want %v (notes %+v)", got, tt.wantNote, host.Notes)
			}
		})
	}
}

// treeEntry is what the read-only test records of each path.
type treeEntry struct {
	Mode   fs.FileMode
	Target string // symlink target
	Size   int64
	Hash   string // sha256 of a regular file
}

// Collect runs as root on production hypervisors: it must not write,
// create, chmod or relink anything, in the tree or in $HOME.
func TestCollectIsReadOnly(t *testing.T) {
	h := buildComputeNode(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	before := recordTree(t, h.root)
	homeBefore := recordTree(t, home)

	h.collect(hostinfo.Options{})
	h.collect(hostinfo.Options{PCIIDs: h.path("/usr/share/hwdata/pci.ids")})

	if diff := cmp.Diff(before, recordTree(t, h.root)); diff != "" {
		t.Errorf("Collect changed the tree (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(homeBefore, recordTree(t, home)); diff != "" {
		t.Errorf("Collect changed $HOME (-before +after):\n%s", diff)
	}
}
