package fakehost

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFixtureFacts pins what each fixture exists to show (the README's
// claims), read from the built trees as a reader would find them.
func TestFixtureFacts(t *testing.T) {
	fixtures := map[string]Fixture{}
	for _, f := range Fixtures() {
		fixtures[f.Name] = f
	}
	type tree struct {
		t    *testing.T
		root string
	}
	open := func(t *testing.T, name string) tree { return tree{t, buildFixture(t, fixtures[name])} }
	exists := func(tr tree, p string) bool {
		_, err := os.Lstat(filepath.Join(tr.root, p))
		return err == nil
	}
	dev := func(addr string) string { return "sys/bus/pci/devices/" + addr }
	group := func(tr tree, addr string) string {
		g, err := resolve(tr.root, dev(addr)+"/iommu_group")
		if err != nil {
			return ""
		}
		return filepath.Base(g)
	}
	members := func(tr tree, g string) []string {
		entries, _ := os.ReadDir(filepath.Join(tr.root, "sys/kernel/iommu_groups", g, "devices"))
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	driver := func(tr tree, addr string) string {
		target, err := os.Readlink(filepath.Join(tr.root, dev(addr), "driver"))
		if err != nil {
			return ""
		}
		return filepath.Base(target)
	}
	attr := func(tr tree, p string) string { return readAttr(tr.t, tr.root, p) }
	modules := func(tr tree) string { return attr(tr, "proc/modules") }
	empty := func(tr tree, p string) bool {
		entries, err := os.ReadDir(filepath.Join(tr.root, p))
		return err == nil && len(entries) == 0
	}

	t.Run("h100-hgx", func(t *testing.T) {
		tr := open(t, "h100-hgx")
		for _, a := range []string{"0000:18:00.0", "0000:19:00.0", "0000:3a:00.0", "0000:3b:00.0", "0000:9a:00.0", "0000:9b:00.0", "0000:ba:00.0", "0000:bb:00.0",
			"0000:1b:00.0", "0000:1c:00.0", "0000:1d:00.0", "0000:1e:00.0"} {
			g := group(tr, a)
			if driver(tr, a) != "vfio-pci" || len(members(tr, g)) != 1 || !exists(tr, "dev/vfio/"+g) {
				t.Errorf("%s: driver %s, group %s %v", a, driver(tr, a), g, members(tr, g))
			}
		}
		if attr(tr, dev("0000:18:00.0")+"/numa_node") != "0" || attr(tr, dev("0000:bb:00.0")+"/numa_node") != "1" {
			t.Error("GPU NUMA nodes")
		}
		if attr(tr, dev("0000:02:00.0")+"/boot_vga") != "1" || driver(tr, "0000:02:00.0") != "ast" {
			t.Error("ASPEED is not the boot VGA on ast")
		}
		m := modules(tr)
		if strings.Contains(m, "nouveau") || strings.Contains(m, "nvidia") || !strings.Contains(m, "vfio_pci ") {
			t.Errorf("modules:\n%s", m)
		}
		if !exists(tr, "sys/firmware/acpi/tables/DMAR") || !exists(tr, "dev/kvm") || !exists(tr, "dev/vfio/vfio") {
			t.Error("DMAR, /dev/kvm or /dev/vfio/vfio missing")
		}
		if attr(tr, dev("0000:1a:00.0")+"/sriov_numvfs") != "4" {
			t.Error("ConnectX-7 VFs")
		}
	})
	t.Run("turing-workstation", func(t *testing.T) {
		tr := open(t, "turing-workstation")
		want := []string{"0000:00:01.0", "0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3"}
		if g := members(tr, "1"); !slices.Equal(g, want) {
			t.Errorf("group 1: %v", g)
		}
		for addr, drv := range map[string]string{"0000:01:00.0": "vfio-pci", "0000:01:00.1": "snd_hda_intel", "0000:01:00.2": "xhci_hcd", "0000:01:00.3": "nvidia-gpu", "0000:00:01.0": "pcieport"} {
			if driver(tr, addr) != drv {
				t.Errorf("%s: driver %q, want %s", addr, driver(tr, addr), drv)
			}
		}
		if attr(tr, dev("0000:00:02.0")+"/boot_vga") != "1" || attr(tr, dev("0000:01:00.0")+"/boot_vga") != "0" {
			t.Error("boot_vga")
		}
	})
	for _, name := range []string{"vtd-off-firmware", "iommu-off-kernel"} {
		t.Run(name, func(t *testing.T) {
			tr := open(t, name)
			if !empty(tr, "sys/class/iommu") || !empty(tr, "sys/kernel/iommu_groups") {
				t.Error("IOMMU units or groups present")
			}
			if exists(tr, "sys/firmware/acpi/tables/DMAR") != (name == "iommu-off-kernel") {
				t.Error("DMAR table")
			}
			if driver(tr, "0000:3b:00.0") != "" || exists(tr, dev("0000:3b:00.0")+"/iommu_group") {
				t.Error("T4 bound or grouped")
			}
			if strings.Contains(attr(tr, "proc/cmdline"), "intel_iommu") != (name == "vtd-off-firmware") {
				t.Error("cmdline")
			}
			if exists(tr, dev("0000:3b:00.0")+"/reset_method") != (name == "vtd-off-firmware") {
				t.Error("reset_method presence does not follow the kernel version")
			}
		})
	}
	t.Run("nouveau-no-vfio", func(t *testing.T) {
		tr := open(t, "nouveau-no-vfio")
		if driver(tr, "0000:3b:00.0") != "nouveau" || driver(tr, "0000:3b:00.1") != "snd_hda_intel" {
			t.Error("drivers")
		}
		if strings.Contains(modules(tr), "vfio") || exists(tr, "dev/vfio") || exists(tr, "sys/module/vfio") || !strings.Contains(modules(tr), "nouveau ") {
			t.Error("vfio present or nouveau missing")
		}
		if g := members(tr, group(tr, "0000:3b:00.0")); !slices.Equal(g, []string{"0000:3b:00.0", "0000:3b:00.1"}) {
			t.Errorf("GPU group %v", g)
		}
	})
	t.Run("nvme-shared-group", func(t *testing.T) {
		tr := open(t, "nvme-shared-group")
		want := []string{"0000:3a:00.0", "0000:3b:00.0", "0000:3c:08.0", "0000:3c:10.0", "0000:3d:00.0", "0000:3e:00.0"}
		if g := members(tr, group(tr, "0000:3d:00.0")); !slices.Equal(g, want) {
			t.Errorf("GPU group %v", g)
		}
		if driver(tr, "0000:3d:00.0") != "vfio-pci" || driver(tr, "0000:3e:00.0") != "nvme" {
			t.Error("drivers")
		}
	})
	t.Run("epyc-mi210", func(t *testing.T) {
		tr := open(t, "epyc-mi210")
		data, err := os.ReadFile(filepath.Join(tr.root, dev("0000:83:00.0"), "reset_method"))
		if err != nil || len(data) != 0 {
			t.Errorf("reset_method %q %v", data, err)
		}
		if driver(tr, "0000:83:00.0") != "vfio-pci" || !exists(tr, "sys/firmware/acpi/tables/IVRS") || !exists(tr, "sys/class/iommu/ivhd7") {
			t.Error("MI210 driver, IVRS or ivhd units")
		}
		if group(tr, "0000:00:00.0") != "" || group(tr, "0000:00:00.2") != "" {
			t.Error("root complex or IOMMU function grouped")
		}
		if !strings.HasPrefix(attr(tr, dev("0000:83:00.0")+"/resource"), "0x") || !strings.Contains(attr(tr, dev("0000:83:00.0")+"/resource"), "0x000000000014220c") {
			t.Error("64-bit prefetchable BAR0")
		}
	})
	t.Run("a100-sriov", func(t *testing.T) {
		tr := open(t, "a100-sriov")
		if attr(tr, dev("0000:81:00.0")+"/sriov_totalvfs") != "20" || attr(tr, dev("0000:81:00.0")+"/sriov_numvfs") != "0" || driver(tr, "0000:81:00.0") != "vfio-pci" {
			t.Error("A100 SR-IOV or driver")
		}
	})
	t.Run("boot-vga-gpu", func(t *testing.T) {
		tr := open(t, "boot-vga-gpu")
		if attr(tr, dev("0000:17:00.0")+"/boot_vga") != "1" || driver(tr, "0000:17:00.0") != "vfio-pci" || driver(tr, "0000:17:00.1") != "vfio-pci" {
			t.Error("A6000")
		}
	})
	t.Run("acs-override", func(t *testing.T) {
		tr := open(t, "acs-override")
		if g0, g1 := group(tr, "0000:08:00.0"), group(tr, "0000:08:00.1"); g0 == g1 || g0 == "" {
			t.Errorf("GPU functions in groups %s and %s", g0, g1)
		}
		if attr(tr, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts") != "Y" {
			t.Error("allow_unsafe_interrupts")
		}
	})
	t.Run("quirks", func(t *testing.T) {
		tr := open(t, "quirks")
		if !exists(tr, "sys/devices/pci0000:00/0000:00:0e.0/pci10000:00/10000:00:06.0/10000:01:00.0") || exists(tr, dev("10000:01:00.0")+"/iommu_group") {
			t.Error("VMD layout")
		}
		if exists(tr, dev("0000:00:08.0")+"/driver") || exists(tr, dev("0000:00:0a.0")+"/resource") {
			t.Error("GNA driver link or PMT resource file present")
		}
		if target, _ := os.Readlink(filepath.Join(tr.root, dev("0000:00:14.0"), "driver")); target != "driver" {
			t.Errorf("driver loop: %q", target)
		}
		if data, _ := os.ReadFile(filepath.Join(tr.root, dev("0000:00:14.2"), "class")); len(data) != 0 {
			t.Error("class not empty")
		}
		if strings.Contains(modules(tr), "vfio") || !strings.Contains(attr(tr, "lib/modules/6.6.52-gentoo-dist/modules.builtin"), "vfio-pci.ko") ||
			exists(tr, "sys/module/vfio_pci/initstate") || !exists(tr, "sys/module/vfio_pci/parameters") {
			t.Error("built-in vfio")
		}
		if attr(tr, dev("0000:01:00.0")+"/driver_override") != "vfio-pci" || attr(tr, "etc/driverctl.d/pci-0000:01:00.0") != "vfio-pci" {
			t.Error("driverctl override")
		}
	})
}
