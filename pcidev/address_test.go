package pcidev_test

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gpupass/gpupass/pcidev"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want pcidev.Address
		// canonical is String() of the result.
		canonical string
		wantErr   bool
	}{
		{in: "0000:01:00.0", want: pcidev.Address{Bus: 1}, canonical: "0000:01:00.0"},
		{in: "0000:ff:1f.7", want: pcidev.Address{Bus: 0xff, Device: 0x1f, Function: 7}, canonical: "0000:ff:1f.7"},
		{in: "ffff:00:00.0", want: pcidev.Address{Domain: 0xffff}, canonical: "ffff:00:00.0"},
		// Intel VMD puts its devices in domains from 0x10000.
		{in: "10000:01:00.0", want: pcidev.Address{Domain: 0x10000, Bus: 1}, canonical: "10000:01:00.0"},
		{in: "fffff:e1:1e.6", want: pcidev.Address{Domain: 0xfffff, Bus: 0xe1, Device: 0x1e, Function: 6}, canonical: "fffff:e1:1e.6"},
		{in: "0000:0A:1F.3", want: pcidev.Address{Bus: 0x0a, Device: 0x1f, Function: 3}, canonical: "0000:0a:1f.3"},
		{in: "0000:01:20.0", wantErr: true}, // device above 0x1f
		{in: "0000:01:00.8", wantErr: true}, // function above 7
		{in: "01:00.0", wantErr: true},      // no domain
		{in: "0000:01:00", wantErr: true},   // no function
		{in: "0000:1:00.0", wantErr: true},
		{in: "000:01:00.0", wantErr: true},
		{in: "100000:01:00.0", wantErr: true},
		{in: "0000:01:00.00", wantErr: true},
		{in: "0000:0g:00.0", wantErr: true},
		{in: "+000:01:00.0", wantErr: true},
		{in: "0000:01:0-.0", wantErr: true},
		{in: "0000:01:00.0\n", wantErr: true},
		{in: "pci0000:00", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := pcidev.ParseAddress(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("address mismatch (-want +got):\n%s", diff)
			}
			if s := got.String(); s != tt.canonical {
				t.Errorf("String() = %q, want %q", s, tt.canonical)
			}
			back, err := pcidev.ParseAddress(got.String())
			if err != nil || back != got {
				t.Errorf("ParseAddress(String()) = %+v, %v; want %+v", back, err, got)
			}
		})
	}
}

func TestAddressSlot(t *testing.T) {
	a, err := pcidev.ParseAddress("10000:e1:1e.6")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Slot(); got != "10000:e1:1e" {
		t.Errorf("Slot() = %q, want 10000:e1:1e", got)
	}
}

// Less orders numerically: a plain string sort would put 10000:... before
// ffff:... and 0000:00:1f.0 after 0000:00:02.0 only by luck of padding.
func TestAddressLess(t *testing.T) {
	in := []string{"10000:00:00.0", "ffff:00:00.0", "0000:01:00.0", "0000:00:1f.7", "0000:00:02.1", "0000:00:02.0", "0001:00:00.0"}
	want := []string{"0000:00:02.0", "0000:00:02.1", "0000:00:1f.7", "0000:01:00.0", "0001:00:00.0", "ffff:00:00.0", "10000:00:00.0"}
	addrs := make([]pcidev.Address, len(in))
	for i, s := range in {
		a, err := pcidev.ParseAddress(s)
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = a
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].Less(addrs[j]) })
	var got []string
	for _, a := range addrs {
		got = append(got, a.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
	a, b := addrs[0], addrs[1]
	if b.Less(a) || a.Less(a) {
		t.Errorf("Less is not a strict order: %v < %v = %v, %v < %v = %v", b, a, b.Less(a), a, a, a.Less(a))
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"0000:01:00.0", "10000:e1:1f.7", "0000:0A:00.0", "00000:01:00.0", "0000:01:20.0", "pci0000:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := pcidev.ParseAddress(s)
		if err != nil {
			return
		}
		if a.Device > 0x1f || a.Function > 7 || a.Domain > 0xfffff {
			t.Fatalf("ParseAddress(%q) = %+v: out of range", s, a)
		}
		back, err := pcidev.ParseAddress(a.String())
		if err != nil || back != a {
			t.Fatalf("ParseAddress(%q) = %+v, String %q parses to %+v, %v", s, a, a.String(), back, err)
		}
		if a.Less(a) || a.Less(back) {
			t.Fatalf("%v is less than itself", a)
		}
	})
}
