package pcidev

import (
	"fmt"
	"strconv"
	"strings"
)

// pciAnyID is PCI_ANY_ID: a field that matches any value.
const pciAnyID = 0xffffffff

// IDClaim is one entry of vfio-pci.ids or pci-stub.ids: the driver binds
// every device it matches when it loads.
type IDClaim struct {
	Driver string
	// Raw is the entry as written (10de:2330).
	Raw string
	// Source is "kernel command line" or file:line of an options line.
	Source string
	// Err is set when the kernel would reject the entry.
	Err error

	vendor, device, subVendor, subDevice, class, classMask uint32
}

// ParseIDClaim parses vendor:device[:subvendor:subdevice[:class:class_mask]]
// in hex, as vfio-pci and pci-stub read their ids parameter (missing
// subsystem fields match anything; class and mask default to 0).
func ParseIDClaim(raw string) (IDClaim, error) {
	c := IDClaim{Raw: raw, subVendor: pciAnyID, subDevice: pciAnyID}
	parts := strings.Split(raw, ":")
	if len(parts) < 2 || len(parts) > 6 {
		return c, fmt.Errorf("%q: want vendor:device[:subvendor:subdevice[:class:class_mask]]", raw)
	}
	fields := []*uint32{&c.vendor, &c.device, &c.subVendor, &c.subDevice, &c.class, &c.classMask}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 16, 32)
		if err != nil || p == "" {
			return c, fmt.Errorf("%q: %q is not a hex ID", raw, p)
		}
		*fields[i] = uint32(n)
	}
	return c, nil
}

// Matches reports whether the claim binds the device.
func (c IDClaim) Matches(d *Device) bool {
	if c.Err != nil {
		return false
	}
	match := func(want uint32, have string) bool {
		if want == pciAnyID {
			return true
		}
		n, err := strconv.ParseUint(have, 16, 32)
		return err == nil && uint32(n) == want
	}
	if !match(c.vendor, d.VendorID) || !match(c.device, d.DeviceID) ||
		!match(c.subVendor, d.SubsystemVendorID) || !match(c.subDevice, d.SubsystemDeviceID) {
		return false
	}
	if c.classMask != 0 {
		class, err := strconv.ParseUint(d.Class, 16, 32)
		if err != nil || (uint32(class)^c.class)&c.classMask != 0 {
			return false
		}
	}
	return true
}
