package pcispec

import (
	"github.com/gpupass/gpupass/internal/pysem"
	"regexp"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

// The seed corpora under testdata/fuzz/ are inputs of the agreement
// corpus (testdata/novaconf).

func fuzzRelease(i uint8) novarelease.Release {
	return novarelease.All[int(i)%len(novarelease.All)]
}

func checkNovaError(t *testing.T, err error) {
	t.Helper()
	ne, ok := err.(*NovaError)
	if !ok {
		t.Fatalf("error %T %v is not a *NovaError", err, err)
	}
	if ne.Exception == "" || ne.Message == "" {
		t.Fatalf("incomplete error %#v", ne)
	}
}

var canonicalID = regexp.MustCompile(`^(\*|[0-9a-f]{4}|-[0-9a-f]{3,})$`)

var fuzzDevices = []pcidev.Device{
	{Address: "0000:0a:00.0", VendorID: "8086", DeviceID: "1572", SRIOV: &pcidev.SRIOV{TotalVFs: 8, NumVFs: 1, VFs: []string{"0000:0a:00.5"}}},
	{Address: "0000:0a:00.5", VendorID: "8086", DeviceID: "154c", PhysFn: "0000:0a:00.0"},
	{Address: "0000:41:00.0", VendorID: "10de", DeviceID: "2330"},
	{Address: "10000:01:00.0", VendorID: "8086", DeviceID: "0b60"},
}

func FuzzParseDeviceSpec(f *testing.F) {
	for _, s := range []string{
		`{"vendor_id": "10de", "product_id": "2330"}`,
		`{"address": "0000:41:00.*", "physical_network": null}`,
		`[{"address": {"domain": ".*", "bus": "0a", "slot": "00", "function": "[0-7]"}}, {"devname": "eth0"}]`,
		`{"vendor_id": "0x10de", "product_id": "+23_30", "address": ":0a:00."}`,
		`{"address": {"bus": "(?P<b>0)(?P=b)|(?<=x)"}, "remote_managed": "yes", "managed": "no"}`,
	} {
		f.Add(s, uint8(0))
	}
	sysfs := SysfsFromInventory(fuzzDevices)
	f.Fuzz(func(t *testing.T, value string, r uint8) {
		rel := fuzzRelease(r)
		opts := Options{}
		if r&0x80 != 0 {
			opts.Sysfs = sysfs
		}
		specs, _, err := ParseDeviceSpecWith(value, rel, opts)
		specs2, _, err2 := ParseDeviceSpecWith(value, rel, opts)
		if (err == nil) != (err2 == nil) || len(specs) != len(specs2) {
			t.Fatalf("not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			checkNovaError(t, err)
			if err.Error() != err2.Error() {
				t.Fatalf("not deterministic: %q / %q", err, err2)
			}
			return
		}
		for _, s := range specs {
			if !canonicalID.MatchString(s.VendorID) || !canonicalID.MatchString(s.ProductID) {
				t.Fatalf("ids %q:%q", s.VendorID, s.ProductID)
			}
			if (s.Address == nil) == (s.DevName == "") {
				t.Fatalf("address %v and devname %q", s.Address, s.DevName)
			}
			for i := range fuzzDevices {
				s.Match(&fuzzDevices[i])
			}
		}
	})
}

func FuzzParseAliases(f *testing.F) {
	f.Add(`{"name": "a100", "vendor_id": "10de", "product_id": "20b5", "device_type": "type-PCI"}`, `{"name": "a100", "vendor_id": "10de", "product_id": "20b0", "device_type": "type-PCI"}`, uint8(0))
	f.Add(`{"name": " t4 ", "numa_policy": "socket", "capability_type": "pci"}`, `{"name": "x", "foo": 1}`, uint8(2))
	f.Add(`{"name": "a", "resource_class": "CUSTOM_A", "live_migratable": "yes"}`, `[`, uint8(6))
	f.Fuzz(func(t *testing.T, a, b string, r uint8) {
		rel := fuzzRelease(r)
		opts := Options{}
		if r&0x80 != 0 {
			opts.PCIInPlacement = ptr(r&0x40 != 0)
		}
		aliases, _, err := ParseAliasesWith([]string{a, b}, rel, opts)
		if err != nil {
			checkNovaError(t, err)
			return
		}
		for name, al := range aliases {
			if al.Name != name || name != pysem.Strip(name) || len(al.Specs) == 0 {
				t.Fatalf("alias %q: %+v", name, al)
			}
			if !contains(NUMAPolicies, al.NUMAPolicy) {
				t.Fatalf("policy %q", al.NUMAPolicy)
			}
			for _, s := range al.Specs {
				if s.DeviceType != "" && s.DeviceType != TypePCI && s.DeviceType != TypePF && s.DeviceType != TypeVF {
					t.Fatalf("device type %q", s.DeviceType)
				}
				if s.DeviceType != al.Specs[0].DeviceType {
					t.Fatalf("OR-ed specs of different types: %+v", al)
				}
				for i := range fuzzDevices {
					s.Match(&fuzzDevices[i], DeviceType(&fuzzDevices[i]))
				}
			}
		}
	})
}

func FuzzParseAliasRequest(f *testing.F) {
	for _, s := range []string{"a100:2", "a100:2, t4:1", " a : ١ ", "a:1_0", "a,b:1", "a:1:2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		reqs, err := ParseAliasRequest(value)
		if err != nil {
			checkNovaError(t, err)
			return
		}
		if len(reqs) != strings.Count(value, ",")+1 {
			t.Fatalf("%d requests from %q", len(reqs), value)
		}
		for _, r := range reqs {
			if r.Name != pysem.Strip(r.Name) || r.Count == nil {
				t.Fatalf("request %+v", r)
			}
		}
	})
}

func FuzzValidateExtraSpec(f *testing.F) {
	f.Add("pci_passthrough:alias", "a100:2,t4:1")
	f.Add("hw:pci_numa_affinity_policy", "socket")
	f.Add("pci_passthrough:foo", "x")
	f.Fuzz(func(t *testing.T, key, value string) {
		for _, rel := range novarelease.All {
			err := ValidateExtraSpec(key, value, rel)
			if err != nil {
				checkNovaError(t, err)
				if !strings.HasPrefix(err.Error(), "Validation failed; ") {
					t.Fatalf("message %q", err)
				}
				continue
			}
			switch key {
			case ExtraSpecAlias:
				// What the API accepts has name:count parts whose counts
				// are decimal digits; names may hold commas, which the
				// request translation then refuses.
				if !strings.Contains(value, ":") {
					t.Fatalf("accepted %q", value)
				}
				if !strings.Contains(value, ",") && len(value) < pysem.MaxStrDigits {
					if _, err := ParseAliasRequest(value); err != nil {
						t.Fatalf("accepted %q, which Nova's translation refuses: %v", value, err)
					}
				}
			case ExtraSpecNUMAPolicy:
				if !contains(NUMAPolicies, value) {
					t.Fatalf("accepted policy %q", value)
				}
			}
		}
	})
}
