package fakehost

import "testing"

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		ids   []int
		nbits int
		list  string
		mask  string
	}{
		{[]int{0, 1}, 2, "0-1", "3"},
		{[]int{0, 1, 2, 3, 8}, 12, "0-3,8", "10f"},
		{[]int{32, 33}, 64, "32-33", "00000003,00000000"},
		{[]int{0, 2, 4}, 40, "0,2,4", "00,00000015"},
	} {
		if got := cpuList(c.ids); got != c.list {
			t.Errorf("cpuList(%v) = %q, want %q", c.ids, got, c.list)
		}
		if got := cpuMask(c.ids, c.nbits); got != c.mask {
			t.Errorf("cpuMask(%v, %d) = %q, want %q", c.ids, c.nbits, got, c.mask)
		}
	}
	if got := (IOMMUUnit{ECap: "f050da"}).NoIR().ECap; got != "f050d2" {
		t.Errorf("NoIR: %s", got)
	}
	d := Device{Vendor: 0x10de, Device: 0x2330, SubVendor: 0x10de, SubDevice: 0x16c1, Class: 0x030200}
	if got := modalias(&d); got != "pci:v000010DEd00002330sv000010DEsd000016C1bc03sc02i00" {
		t.Errorf("modalias %s", got)
	}
	vfs := WithVFs(ConnectX6Dx("0000:41:00.0", "0000:40:01.1", 0, "")[1], 127, "vfio-pci")
	if first, last := vfs[1].Addr, vfs[127].Addr; first != "0000:41:10.1" || last != "0000:41:1f.7" {
		t.Errorf("PF1 VFs %s … %s", first, last)
	}
}
