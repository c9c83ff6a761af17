package pcidev

import (
	"strings"
	"testing"
)

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"all", "10de:2330", "0000:41:00.0", "41:00.0", "10000:01:00.0", "nvidia", ":", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := ParseSelector(s)
		if err != nil {
			if !strings.Contains(err.Error(), "--gpu") {
				t.Errorf("error %q does not name the flag", err)
			}
			return
		}
		switch {
		case sel.All:
		case sel.Address != "":
			if _, err := ParseAddress(sel.Address); err != nil {
				t.Errorf("selector address %q does not parse: %v", sel.Address, err)
			}
		case len(sel.Vendor) != 4 || len(sel.Device) != 4:
			t.Errorf("selector %+v has no valid target", sel)
		}
	})
}

func FuzzParseIDClaim(f *testing.F) {
	for _, s := range []string{"10de:2330", "10de:2330:10de:16c1", "10de:2330:ffffffff:ffffffff:030000:ff0000", "10de", "::", "1:2:3:4:5:6:7"} {
		f.Add(s)
	}
	gpu := &Device{VendorID: "10de", DeviceID: "2330", Class: "030200", SubsystemVendorID: "10de", SubsystemDeviceID: "16c1"}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseIDClaim(s)
		c.Err = err
		if err != nil && c.Matches(gpu) {
			t.Errorf("malformed %q matches a device", s)
		}
	})
}
