package hostinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/pcidev"
)

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
func ParseResource(data []byte) ([]pcidev.BAR, error) {
	var bars []pcidev.BAR
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
			bars = append(bars, pcidev.BAR{
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
