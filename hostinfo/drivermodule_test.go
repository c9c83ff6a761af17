package hostinfo_test

import (
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
)

// The module behind a driver comes from /sys/bus/pci/drivers/<d>/module:
// xhci_hcd is provided by xhci_pci, and a softdep must name the module.
func TestDriverModule(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	base := map[string]string{"vendor": "0x10de\n", "device": "0x1ad6\n", "class": "0x0c0330\n", "resource": ""}
	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:01.0/0000:01:00.2", attrs: base, driver: "xhci_hcd", group: 1})
	h.link("/sys/bus/pci/drivers/xhci_hcd/module", "../../../../module/xhci_pci")
	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:00:01.0", attrs: attrs(base, map[string]string{"class": "0x060400\n"}), driver: "pcieport", group: 1})
	host := h.collect(hostinfo.Options{})
	if got := device(t, host, "0000:01:00.2").DriverModule; got != "xhci_pci" {
		t.Errorf("xhci_hcd's module = %q, want xhci_pci", got)
	}
	if got := device(t, host, "0000:00:01.0").DriverModule; got != "" {
		t.Errorf("built-in pcieport's module = %q, want none", got)
	}
}

// A NIC's interfaces are listed, for device_spec entries that name one
// (devname).
func TestNetInterfaces(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	base := map[string]string{"vendor": "0x15b3\n", "device": "0x1021\n", "class": "0x020000\n", "resource": "", "net/enp26s0f0np0/ifindex": "7\n"}
	h.pciDevice(pciDev{sysPath: "pci0000:00/0000:1a:00.0", attrs: base, driver: "mlx5_core", group: 3})
	host := h.collect(hostinfo.Options{})
	if got := device(t, host, "0000:1a:00.0").Net; len(got) != 1 || got[0] != "enp26s0f0np0" {
		t.Errorf("Net = %v, want [enp26s0f0np0]", got)
	}
}
