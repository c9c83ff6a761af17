package pcidev

import (
	"fmt"
	"strconv"
	"strings"
)

// Selector is one --gpu value.
type Selector struct {
	Raw     string
	All     bool
	Vendor  string
	Device  string
	Address string
}

// ParseSelector accepts "all", VENDOR:DEVICE in hex (10de:2330), or a PCI
// address (0000:41:00.0, or 41:00.0 in domain 0000).
func ParseSelector(s string) (Selector, error) {
	raw := s
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "all" {
		return Selector{Raw: raw, All: true}, nil
	}
	if strings.Contains(s, ".") {
		if strings.Count(s, ":") == 1 {
			s = "0000:" + s
		}
		a, err := ParseAddress(s)
		if err != nil {
			return Selector{}, fmt.Errorf("--gpu %s: %v", raw, err)
		}
		return Selector{Raw: raw, Address: a.String()}, nil
	}
	vendor, device, ok := strings.Cut(s, ":")
	if ok && len(vendor) == 4 && len(device) == 4 {
		if _, err := strconv.ParseUint(vendor+device, 16, 32); err == nil {
			return Selector{Raw: raw, Vendor: vendor, Device: device}, nil
		}
	}
	return Selector{}, fmt.Errorf("--gpu %s: want all, VENDOR:DEVICE (10de:2330) or a PCI address (0000:41:00.0)", raw)
}

// Unmatched returns the selectors that name none of the devices. "all"
// is never unmatched: it selects whatever GPUs there are, possibly none.
func Unmatched(selectors []Selector, devices []Device) []Selector {
	var out []Selector
	for _, s := range selectors {
		if s.All {
			continue
		}
		found := false
		for i := range devices {
			if s.Matches(&devices[i]) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, s)
		}
	}
	return out
}

// Matches reports whether the selector names the device. "all" names
// every display-class function except the display adapters of BMCs and
// hypervisors (ASPEED, Matrox, virtio, QEMU...).
func (s Selector) Matches(d *Device) bool {
	switch {
	case s.All:
		return IsDisplay(d) && !IsHostDisplay(d)
	case s.Address != "":
		return d.Address == s.Address
	}
	return d.VendorID == s.Vendor && d.DeviceID == s.Device
}
