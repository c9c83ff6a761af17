package pcidev

import (
	"fmt"
	"strings"
)

// IsDisplay reports a display-class function (base class 0x03: VGA, 3D
// controller, other display controller).
func IsDisplay(d *Device) bool { return IsDisplayClass(d.Class) }

// IsDisplayClass is IsDisplay for a class code (6 hex digits).
func IsDisplayClass(class string) bool { return strings.HasPrefix(class, "03") }

// IsBridge reports a PCI-to-PCI or CardBus bridge. vfio accepts these in a
// group whatever their driver (their header type is not "normal"), so a
// root port on pcieport does not spoil a group.
func IsBridge(d *Device) bool {
	return strings.HasPrefix(d.Class, "0604") || strings.HasPrefix(d.Class, "0609") || strings.HasPrefix(d.Class, "0607")
}

// hostDisplayVendors make the display adapters of BMCs and hypervisors:
// never GPUs anyone passes through.
var hostDisplayVendors = map[string]string{
	"1a03": "ASPEED BMC", "102b": "Matrox", "1af4": "virtio", "1b36": "QEMU",
	"1234": "Bochs", "1013": "Cirrus Logic", "15ad": "VMware", "1414": "Hyper-V",
}

// IsHostDisplay reports the display adapter of a BMC or a hypervisor
// (ASPEED, Matrox, virtio, QEMU...): never a GPU anyone passes through. It
// goes by the vendor, so ask it of display functions (a virtio NIC is no
// display adapter).
func IsHostDisplay(d *Device) bool { return IsHostDisplayVendor(d.VendorID) }

// IsHostDisplayVendor is IsHostDisplay for a vendor ID.
func IsHostDisplayVendor(vendorID string) bool { return hostDisplayVendors[vendorID] != "" }

// HostDisplayMaker names the maker of a BMC's or hypervisor's display
// adapter ("ASPEED BMC", "QEMU"), or "" for any other vendor.
func HostDisplayMaker(d *Device) string { return hostDisplayVendors[d.VendorID] }

// SlotOf is a PCI address without its function: the card a function is on.
func SlotOf(addr string) string {
	if i := strings.LastIndexByte(addr, '.'); i >= 0 {
		return addr[:i]
	}
	return addr
}

// IsVF reports a virtual function (it has a physfn link).
func IsVF(d *Device) bool { return d.PhysFn != "" }

// IsBootVGA reports the function the firmware and the host console use.
func IsBootVGA(d *Device) bool { return d.BootVGA != nil && *d.BootVGA }

// HasNoReset reports a function that cannot be reset between guests: its
// reset_method is known and empty. (nil is unknown: a kernel before 5.15,
// or unreadable.)
func HasNoReset(d *Device) bool { return d.ResetMethod != nil && len(d.ResetMethod) == 0 }

// LargeBARSize is the BAR size from which guests need a 64-bit MMIO window
// larger than the default of older machine types and SeaBIOS.
const LargeBARSize = 32 << 30

// LargestBAR is the device's largest 64-bit BAR of LargeBARSize or more,
// or nil.
func LargestBAR(d *Device) *BAR {
	var largest *BAR
	for i := range d.BARs {
		b := &d.BARs[i]
		if b.Is64Bit && b.Size >= LargeBARSize && (largest == nil || b.Size > largest.Size) {
			largest = b
		}
	}
	return largest
}

// HasLargeBAR reports a 64-bit BAR of LargeBARSize or more: guests need
// q35 and UEFI for it.
func HasLargeBAR(d *Device) bool { return LargestBAR(d) != nil }

// Unreadable reports whether an attribute of the device (or the whole
// device) could not be read: the field is unknown, not empty.
func Unreadable(d *Device, field string) bool {
	for _, f := range d.Unreadable {
		if f == field || f == "device" {
			return true
		}
	}
	return false
}

// Describe names a device for an operator: address, IDs and model.
func Describe(d *Device) string {
	ids := d.VendorID + ":" + d.DeviceID
	if d.VendorID == "" || d.DeviceID == "" {
		ids = "unknown ID"
	}
	if d.Model != "" {
		return fmt.Sprintf("%s (%s %s)", d.Address, ids, d.Model)
	}
	return fmt.Sprintf("%s (%s)", d.Address, ids)
}
