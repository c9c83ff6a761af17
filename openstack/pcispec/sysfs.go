package pcispec

import (
	"github.com/gpupass/gpupass/internal/pysem"
	"strings"
	"sync"

	"github.com/gpupass/gpupass/pcidev"
)

// Sysfs answers the questions Nova's nova/pci/utils.py asks the compute
// node's sysfs while it parses and matches a device_spec. Nova's answers,
// and so whether it accepts some specs, depend on the host:
//
//   - an address naming an SR-IOV physical function also matches the
//     function's VFs (is_physical_function);
//   - devname is resolved to a PCI address through /sys/class/net
//     (get_function_by_ifname);
//   - a remote_managed spec is refused when its devname does not exist,
//     or when it names a PF, unless its product_id is the PF's VF device
//     ID (get_vf_product_id_by_pf_addr, get_pci_ids_by_pci_addr).
type Sysfs interface {
	// IsPhysicalFunction is utils.is_physical_function: the function
	// DOMAIN:BUS:SLOT.FUNCTION (the strings as given, joined) exists and
	// its sriov_totalvfs is above 0.
	IsPhysicalFunction(domain, bus, slot, function string) bool
	// FunctionByIfname is utils.get_function_by_ifname: the PCI address
	// behind a network interface ("" when there is none) and whether it
	// is a PF.
	FunctionByIfname(ifname string) (address string, isPF bool)
	// VFProductIDByPFAddr is utils.get_vf_product_id_by_pf_addr: the PF's
	// sriov_vf_device. The error is the exception Nova raises.
	VFProductIDByPFAddr(pfAddr string) (string, *NovaError)
	// PCIIDsByPCIAddr is utils.get_pci_ids_by_pci_addr. It reads the files
	// "vendor" and "product"; sysfs has no "product" file (the device ID is
	// in "device"), so on a real host it always fails, and Nova refuses
	// every remote_managed spec that names a PF.
	PCIIDsByPCIAddr(addr string) (vendor, product string, err *NovaError)
}

// SysfsTree is a compute node's sysfs as far as Nova reads it for a
// device_spec. Its JSON form is the "host" of the agreement corpus.
type SysfsTree struct {
	// PCI maps a PCI address, as named under /sys/bus/pci/devices, to the
	// contents of its attribute files ("vendor", "device",
	// "sriov_totalvfs", "sriov_vf_device"...). A file that is not in the
	// map does not exist.
	PCI map[string]map[string]string `json:"pci,omitempty"`
	// Net maps a network interface name to the PCI address its
	// /sys/class/net/NAME/device link points to.
	Net map[string]string `json:"net,omitempty"`
}

// SysfsFromInventory builds the sysfs Nova would see on a host from its
// PCI inventory: vendor, device, sriov_totalvfs, sriov_vf_device taken
// from a PF's VFs when any is enabled, and the network interfaces of NIC
// functions (for devname).
func SysfsFromInventory(devs []pcidev.Device) *SysfsTree {
	t := &SysfsTree{PCI: map[string]map[string]string{}}
	byAddr := map[string]*pcidev.Device{}
	for i := range devs {
		byAddr[devs[i].Address] = &devs[i]
	}
	for i := range devs {
		d := &devs[i]
		files := map[string]string{}
		if d.VendorID != "" {
			files["vendor"] = "0x" + d.VendorID + "\n"
		}
		if d.DeviceID != "" {
			files["device"] = "0x" + d.DeviceID + "\n"
		}
		if d.Class != "" {
			files["class"] = "0x" + d.Class + "\n"
		}
		if d.SRIOV != nil {
			files["sriov_totalvfs"] = itoa(d.SRIOV.TotalVFs) + "\n"
			files["sriov_numvfs"] = itoa(d.SRIOV.NumVFs) + "\n"
			for _, vf := range d.SRIOV.VFs {
				if v := byAddr[vf]; v != nil && v.DeviceID != "" {
					files["sriov_vf_device"] = v.DeviceID + "\n"
					break
				}
			}
		}
		t.PCI[d.Address] = files
	}
	for i := range devs {
		for _, ifname := range devs[i].Net {
			if t.Net == nil {
				t.Net = map[string]string{}
			}
			t.Net[ifname] = devs[i].Address
		}
	}
	for i := range devs {
		d := &devs[i]
		if d.PhysFn == "" {
			continue
		}
		if pf := t.PCI[d.PhysFn]; pf != nil {
			if _, ok := pf["sriov_vf_device"]; !ok && d.DeviceID != "" {
				pf["sriov_vf_device"] = d.DeviceID + "\n"
			}
		}
	}
	return t
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func badPathPart(s string) bool { return strings.ContainsAny(s, "/\x00") }

// IsPhysicalFunction implements Sysfs.
func (t *SysfsTree) IsPhysicalFunction(domain, bus, slot, function string) bool {
	addr := domain + ":" + bus + ":" + slot + "." + function
	if badPathPart(addr) {
		return false
	}
	files, ok := t.PCI[addr]
	if !ok {
		return false
	}
	n, ok := files["sriov_totalvfs"]
	if !ok {
		return false
	}
	r := pysem.Py311.ParseInt(n, 10) // the kernel writes ASCII digits, which every Python reads alike
	return r.Value != nil && r.Value.Sign() > 0
}

// FunctionByIfname implements Sysfs.
func (t *SysfsTree) FunctionByIfname(ifname string) (string, bool) {
	if badPathPart(ifname) || ifname == "." || ifname == ".." {
		return "", false
	}
	addr, ok := t.Net[ifname]
	if !ok {
		return "", false
	}
	files, ok := t.PCI[addr]
	if !ok {
		return "", false
	}
	// os.readlink(...).strip("./") of a link "../../../ADDR".
	addr = strings.Trim(addr, "./")
	n, ok := files["sriov_totalvfs"]
	if !ok {
		return addr, false
	}
	r := pysem.Py311.ParseInt(n, 10) // the kernel writes ASCII digits, which every Python reads alike
	if r.Value == nil {
		return addr, false
	}
	return addr, r.Value.Sign() > 0
}

// readline is Python's f.readline(): up to and including the first "\n".
func readline(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i+1]
	}
	return s
}

// VFProductIDByPFAddr implements Sysfs.
func (t *SysfsTree) VFProductIDByPFAddr(pfAddr string) (string, *NovaError) {
	files, ok := t.PCI[pfAddr]
	var content string
	if ok && !badPathPart(pfAddr) {
		content, ok = files["sriov_vf_device"]
	}
	if !ok {
		return "", pciDeviceNotFoundByID(pfAddr)
	}
	id := pysem.Strip(readline(content))
	if id == "" {
		return "", novaErr("ValueError", "sriov_vf_device file does not contain a VF product ID")
	}
	return id, nil
}

// PCIIDsByPCIAddr implements Sysfs.
func (t *SysfsTree) PCIIDsByPCIAddr(addr string) (string, string, *NovaError) {
	var ids []string
	for _, name := range []string{"vendor", "product"} {
		files, ok := t.PCI[addr]
		var content string
		if ok && !badPathPart(addr) {
			content, ok = files[name]
		}
		if !ok {
			return "", "", pciDeviceNotFoundByID(addr)
		}
		line := readline(content)
		if line == "" {
			return "", "", novaErr("ValueError", "%s file does not contain a valid value", name)
		}
		ids = append(ids, strings.ReplaceAll(pysem.Strip(line), "0x", ""))
	}
	return ids[0], ids[1], nil
}

// LazySysfs is SysfsFromInventory(devs), built the first time Nova's
// parsing or matching asks it something: most device_spec entries (vendor
// and product IDs only) never do, and a fleet audit parses thousands of
// hosts' entries. Safe for concurrent use.
func LazySysfs(devs []pcidev.Device) Sysfs {
	return &lazySysfs{devs: devs}
}

type lazySysfs struct {
	devs []pcidev.Device
	once sync.Once
	tree *SysfsTree
}

func (l *lazySysfs) get() *SysfsTree {
	l.once.Do(func() { l.tree = SysfsFromInventory(l.devs) })
	return l.tree
}

// IsPhysicalFunction implements Sysfs, without building the tree: every
// exact address in a device_spec asks it, on every host of a fleet. In the
// tree, the function's entry is the last device of its address, and its
// sriov_totalvfs is the decimal TotalVFs when it has SR-IOV.
func (l *lazySysfs) IsPhysicalFunction(domain, bus, slot, function string) bool {
	addr := domain + ":" + bus + ":" + slot + "." + function
	if badPathPart(addr) {
		return false
	}
	for i := len(l.devs) - 1; i >= 0; i-- {
		if d := &l.devs[i]; d.Address == addr {
			return d.SRIOV != nil && d.SRIOV.TotalVFs > 0
		}
	}
	return false
}

// FunctionByIfname implements Sysfs.
func (l *lazySysfs) FunctionByIfname(ifname string) (string, bool) {
	return l.get().FunctionByIfname(ifname)
}

// VFProductIDByPFAddr implements Sysfs.
func (l *lazySysfs) VFProductIDByPFAddr(pfAddr string) (string, *NovaError) {
	return l.get().VFProductIDByPFAddr(pfAddr)
}

// PCIIDsByPCIAddr implements Sysfs.
func (l *lazySysfs) PCIIDsByPCIAddr(addr string) (string, string, *NovaError) {
	return l.get().PCIIDsByPCIAddr(addr)
}
