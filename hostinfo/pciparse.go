package hostinfo

import (
	"bufio"
	"bytes"
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
		if !isHexDigit(c) {
			return 0, fmt.Errorf("%q is not hexadecimal", s)
		}
	}
	return strconv.ParseUint(s, 16, 64)
}

func isHexDigit(c rune) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// ParseHexAttr parses a sysfs hex attribute such as vendor ("0x10de\n") or
// class ("0x030200\n") into lower-case hex of exactly digits digits.
func ParseHexAttr(data []byte, digits int) (string, error) {
	s := strings.TrimSpace(string(data))
	hex, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return "", fmt.Errorf("%q: want 0x followed by %d hex digits", clip(s), digits)
	}
	v, err := parseHexDigits(hex)
	// 1<<64 wraps to 0 in a uint64: 16 digits hold any value.
	if err != nil || len(hex) > 16 || digits < 16 && v >= 1<<(4*uint(digits)) {
		return "", fmt.Errorf("%q: want 0x followed by %d hex digits", clip(s), digits)
	}
	return fmt.Sprintf("%0*x", digits, v), nil
}

// ParseIntAttr parses a decimal sysfs attribute such as numa_node ("-1").
func ParseIntAttr(data []byte) (int, error) {
	s := strings.TrimSpace(string(data))
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q: not a decimal number", clip(s))
	}
	return v, nil
}

// ParseBoolAttr parses a 0/1 sysfs attribute such as boot_vga.
func ParseBoolAttr(data []byte) (bool, error) {
	switch strings.TrimSpace(string(data)) {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, fmt.Errorf("%q: want 0 or 1", clip(strings.TrimSpace(string(data))))
}

// ParseResetMethod parses reset_method: the kernel lists the usable methods
// separated by spaces (flr, pm, bus, device_specific, acpi, cxl_bus), and
// writes an empty line when there is none.
func ParseResetMethod(data []byte) ([]string, error) {
	if !isPrintable(data) {
		return nil, fmt.Errorf("%q: not text", clip(string(data)))
	}
	methods := strings.Fields(string(data))
	if methods == nil {
		methods = []string{}
	}
	return methods, nil
}

// Flags of a resource line, from include/linux/ioport.h.
const (
	ioresourceIO       = 0x00000100
	ioresourceMem      = 0x00000200
	ioresourcePrefetch = 0x00002000
	ioresourceMem64    = 0x00100000
)

// ParseResource parses a device's resource file: one line per resource,
// "start end flags" in hex. Lines 0-5 are the BARs (then the expansion ROM,
// the SR-IOV BARs and, for bridges, the windows, which are not BARs).
// Unused BARs (all zero, or the upper half of a 64-bit BAR) are left out.
func ParseResource(data []byte) ([]BAR, error) {
	var bars []BAR
	scanner := bufio.NewScanner(bytes.NewReader(data))
	index := 0
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: want \"start end flags\", got %q", index+1, clip(line))
		}
		var nums [3]uint64
		for i, f := range fields {
			hex, ok := strings.CutPrefix(f, "0x")
			v, err := parseHexDigits(hex)
			if !ok || err != nil || len(hex) > 16 {
				return nil, fmt.Errorf("line %d: %q is not a 0x-prefixed 64-bit hex number", index+1, clip(f))
			}
			nums[i] = v
		}
		start, end, flags := nums[0], nums[1], nums[2]
		if index < 6 && flags&(ioresourceIO|ioresourceMem) != 0 && end > start {
			size := end - start + 1
			if size == 0 {
				return nil, fmt.Errorf("line %d: region %#x-%#x is too large for a BAR", index+1, start, end)
			}
			bars = append(bars, BAR{
				Index:        index,
				Size:         size,
				Is64Bit:      flags&ioresourceMem64 != 0,
				Prefetchable: flags&ioresourcePrefetch != 0,
				IO:           flags&ioresourceIO != 0,
			})
		}
		index++
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	return bars, nil
}

func isPrintable(data []byte) bool {
	for _, b := range data {
		if b < 0x20 && b != '\n' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}

// clip keeps error messages readable when a file holds garbage.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
