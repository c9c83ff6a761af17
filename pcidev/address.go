package pcidev

import (
	"fmt"
	"strconv"
	"strings"
)

// Address is a parsed PCI address, domain:bus:device.function.
type Address struct {
	Domain   uint32
	Bus      uint8
	Device   uint8
	Function uint8
}

// ParseAddress parses a full PCI address as sysfs names devices: a domain of
// 4 hex digits, or 5 for the domains of Intel VMD and similar bridges
// (10000:01:00.0), then bus (2), device (2, up to 1f) and function (1, up
// to 7).
func ParseAddress(s string) (Address, error) {
	var a Address
	domain, rest, ok := strings.Cut(s, ":")
	if !ok || (len(domain) != 4 && len(domain) != 5) {
		return a, fmt.Errorf("PCI address %q: want domain:bus:device.function", s)
	}
	bus, rest, ok := strings.Cut(rest, ":")
	if !ok || len(bus) != 2 {
		return a, fmt.Errorf("PCI address %q: want domain:bus:device.function", s)
	}
	dev, fn, ok := strings.Cut(rest, ".")
	if !ok || len(dev) != 2 || len(fn) != 1 {
		return a, fmt.Errorf("PCI address %q: want domain:bus:device.function", s)
	}
	d, err1 := parseHexDigits(domain)
	b, err2 := parseHexDigits(bus)
	v, err3 := parseHexDigits(dev)
	f, err4 := parseHexDigits(fn)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || v > 0x1f || f > 7 {
		return a, fmt.Errorf("PCI address %q: not a valid address", s)
	}
	return Address{Domain: uint32(d), Bus: uint8(b), Device: uint8(v), Function: uint8(f)}, nil
}

// String formats the address the way sysfs does.
func (a Address) String() string {
	return fmt.Sprintf("%04x:%02x:%02x.%x", a.Domain, a.Bus, a.Device, a.Function)
}

// Slot is the address without its function: the functions of one card
// share it (0000:01:00).
func (a Address) Slot() string {
	return fmt.Sprintf("%04x:%02x:%02x", a.Domain, a.Bus, a.Device)
}

// Less orders addresses numerically (a 5-digit domain after all 4-digit ones).
func (a Address) Less(b Address) bool {
	if a.Domain != b.Domain {
		return a.Domain < b.Domain
	}
	if a.Bus != b.Bus {
		return a.Bus < b.Bus
	}
	if a.Device != b.Device {
		return a.Device < b.Device
	}
	return a.Function < b.Function
}

// parseHexDigits accepts only [0-9a-fA-F]+: strconv alone would also take
// a sign or underscores.
func parseHexDigits(s string) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return 0, fmt.Errorf("%q is not hexadecimal", s)
		}
	}
	return strconv.ParseUint(s, 16, 64)
}
