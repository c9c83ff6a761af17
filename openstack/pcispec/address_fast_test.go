package pcispec

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/internal/pysem"
)

// plainPhysicalAddress gives what the full parse gives, for every address
// it takes, and leaves the rest to it.
func FuzzPlainPhysicalAddress(f *testing.F) {
	for _, s := range []string{"0000:3b:00.0", "0000:3B:1f.7", "0000:3b:20.0", "0000:3b:00.8", "10000:01:00.0", "0000:3b:0g.0", "0000:3b:00.a", "+000:3b:00.0", "0000:3b:00", " 000:3b:00.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		fast := plainPhysicalAddress(addr)
		if fast == nil {
			return
		}
		dbs, fn, _ := strings.Cut(addr, ".")
		parts := strings.Split(dbs, ":")
		p := &specParser{}
		full := &AddressSpec{physical: true}
		var err error
		if full.Function, err = p.hexField("func", pysem.NewStr(fn), 7, 1); err == nil {
			if full.Domain, err = p.hexField("domain", pysem.NewStr(parts[0]), 0xffff, 4); err == nil {
				if full.Bus, err = p.hexField("bus", pysem.NewStr(parts[1]), 0xff, 2); err == nil {
					full.Slot, err = p.hexField("slot", pysem.NewStr(parts[2]), 0x1f, 2)
				}
			}
		}
		if err != nil {
			t.Fatalf("%q: the fast path took it, the full parse refuses it: %v", addr, err)
		}
		if *fast != *full {
			t.Fatalf("%q: fast %+v, full %+v", addr, *fast, *full)
		}
		if len(p.diags) != 0 {
			t.Fatalf("%q: the full parse warns %v; the fast path must leave it", addr, p.diags)
		}
	})
}

// The fast path takes the kernel's addresses, not the others.
func TestPlainPhysicalAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"0000:3b:00.0": "0000 3b 00 0", "0000:3B:1F.7": "0000 3b 1f 7",
		"0000:3b:20.0": "", "0000:3b:00.8": "", "10000:01:00.0": "", "0000:3b:0g.0": "", "+000:3b:00.0": "",
	} {
		got := ""
		if a := plainPhysicalAddress(addr); a != nil {
			got = strings.Join([]string{a.Domain, a.Bus, a.Slot, a.Function}, " ")
		}
		if got != want {
			t.Errorf("%q: %q, want %q", addr, got, want)
		}
	}
}
