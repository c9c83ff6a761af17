package hostinfo_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// gpuResource is the resource file of a GPU with SR-IOV as the kernel
// prints it (drivers/pci/pci-sysfs.c, resource_show): one "start end
// flags" line per resource, BARs 0-5, the expansion ROM (6), then the
// SR-IOV VF BARs (7-12). BAR 2 is 64 GiB, 64-bit, prefetchable (flags
// 0x14220c: IORESOURCE_MEM|PREFETCH|MEM_64); BAR 3 is its upper half.
const gpuResource = `0x00000000fb000000 0x00000000fbffffff 0x0000000000040200
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000381000000000 0x0000381fffffffff 0x000000000014220c
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000382000000000 0x0000382001ffffff 0x000000000014220c
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x00000000fc000000 0x00000000fc07ffff 0x0000000000046200
0x0000383000000000 0x000038300fffffff 0x000000000014220c
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000384000000000 0x000038403fffffff 0x000000000014220c
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
`

// bridgeResource is a PCIe root port: no BARs in use, then the ROM, the
// (empty) IOV lines and the I/O, memory and prefetchable bridge windows
// (13-16), which are not BARs.
const bridgeResource = `0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000001000 0x0000000000001fff 0x0000000000000101
0x00000000fb000000 0x00000000fc0fffff 0x0000000000000200
0x0000381000000000 0x000038400fffffff 0x0000000000102201
0x0000000000000000 0x0000000000000000 0x0000000000000000
`

func TestParseResource(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []pcidev.BAR
		wantErr bool
	}{
		{
			name: "GPU with a 64 GiB BAR, ROM and SR-IOV lines",
			in:   gpuResource,
			want: []pcidev.BAR{
				{Index: 0, Size: 16 << 20},
				{Index: 2, Size: 64 << 30, Is64Bit: true, Prefetchable: true},
				{Index: 4, Size: 32 << 20, Is64Bit: true, Prefetchable: true},
			},
		},
		{
			name: "bridge windows are not BARs",
			in:   bridgeResource,
		},
		{
			name: "I/O BAR",
			in:   "0x0000000000002000 0x000000000000207f 0x0000000000040101\n",
			want: []pcidev.BAR{{Index: 0, Size: 128, IO: true}},
		},
		{name: "unused all-zero line", in: "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"},
		{name: "empty file", in: ""},
		{
			// A region with no IORESOURCE_IO or IORESOURCE_MEM flag is
			// not a BAR in use.
			name: "range without type flags",
			in:   "0x0000000000001000 0x0000000000001fff 0x0000000000000000\n",
		},
		{name: "short line", in: "0x0000000000002000 0x000000000000207f\n", wantErr: true},
		{name: "four fields", in: "0x0 0x1 0x200 0x0\n", wantErr: true},
		{name: "no 0x prefix", in: "0000000000002000 000000000000207f 0000000000040101\n", wantErr: true},
		{name: "not hex", in: "0x00000000000020zz 0x000000000000207f 0x0000000000040101\n", wantErr: true},
		{name: "more than 64 bits", in: "0x10000000000000000 0x000000000000207f 0x0000000000040101\n", wantErr: true},
		{name: "signed number", in: "0x-1 0x000000000000207f 0x0000000000040101\n", wantErr: true},
		{name: "malformed line after good ones", in: gpuResource + "garbage\n", wantErr: true},
		{
			// 2^64 bytes do not fit the Size field: refusing the file is
			// better than reporting a BAR of size 0.
			name:    "region covering the whole 64-bit space",
			in:      "0x0000000000000000 0xffffffffffffffff 0x0000000000000200\n",
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseResource([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("BARs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseHexAttr(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		digits  int
		want    string
		wantErr bool
	}{
		{name: "vendor", in: "0x10de\n", digits: 4, want: "10de"},
		{name: "class", in: "0x030200\n", digits: 6, want: "030200"},
		{name: "upper case", in: "0x10DE\n", digits: 4, want: "10de"},
		{name: "padded to width", in: "0x3\n", digits: 4, want: "0003"},
		{name: "surrounding blanks", in: " 0x10de \n", digits: 4, want: "10de"},
		{name: "largest 4-digit", in: "0xffff", digits: 4, want: "ffff"},
		{name: "full 64 bits", in: "0xffffffffffffffff\n", digits: 16, want: "ffffffffffffffff"},
		{name: "missing 0x", in: "10de\n", digits: 4, wantErr: true},
		{name: "upper case X", in: "0X10de\n", digits: 4, wantErr: true},
		{name: "too large for the width", in: "0x10000\n", digits: 4, wantErr: true},
		{name: "class too large", in: "0x1030200\n", digits: 6, wantErr: true},
		{name: "only the prefix", in: "0x\n", digits: 4, wantErr: true},
		{name: "empty (truncated file)", in: "", digits: 4, wantErr: true},
		{name: "garbage", in: "0xg00d\n", digits: 4, wantErr: true},
		{name: "sign", in: "0x+10\n", digits: 4, wantErr: true},
		{name: "underscore", in: "0x10_de\n", digits: 4, wantErr: true},
		{name: "binary", in: "0x10\x00de", digits: 4, wantErr: true},
		{name: "two values", in: "0x10de 0x10de\n", digits: 4, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseHexAttr([]byte(tt.in), tt.digits)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseHexAttr(%q, %d) err = %v, want error %v", tt.in, tt.digits, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseHexAttr(%q, %d) = %q, want %q", tt.in, tt.digits, got, tt.want)
			}
		})
	}
}

func TestParseIntAttr(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{in: "-1\n", want: -1},
		{in: "0\n", want: 0},
		{in: "3", want: 3},
		{in: " 12 \n", want: 12},
		{in: "", wantErr: true},
		{in: "abc\n", wantErr: true},
		{in: "1.5\n", wantErr: true},
		{in: "0x10\n", wantErr: true},
		{in: "1 2\n", wantErr: true},
	}
	for _, tt := range tests {
		got, err := hostinfo.ParseIntAttr([]byte(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseIntAttr(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseBoolAttr(t *testing.T) {
	tests := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{in: "1\n", want: true},
		{in: "0\n", want: false},
		{in: "1", want: true},
		{in: "", wantErr: true},
		{in: "2\n", wantErr: true},
		{in: "Y\n", wantErr: true},
		{in: "true\n", wantErr: true},
	}
	for _, tt := range tests {
		got, err := hostinfo.ParseBoolAttr([]byte(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseBoolAttr(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseResetMethod(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{name: "several methods", in: "flr bus\n", want: []string{"flr", "bus"}},
		{name: "device specific", in: "device_specific\n", want: []string{"device_specific"}},
		// The kernel writes an empty line when no method is left (after
		// `echo > reset_method`): known to be none, so empty, not nil.
		{name: "empty line", in: "\n", want: []string{}},
		{name: "empty file", in: "", want: []string{}},
		{name: "binary", in: "flr\x00bus\n", wantErr: true},
		{name: "escape", in: "\x1b[0m\n", wantErr: true},
		{name: "DEL", in: "flr\x7f\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseResetMethod([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("methods mismatch (-want +got):\n%s", diff)
			}
			if !tt.wantErr && got == nil {
				t.Error("got nil, want a non-nil slice: nil means unknown")
			}
		})
	}
}

func TestKernelAtLeast(t *testing.T) {
	tests := []struct {
		release      string
		major, minor int
		want         bool
	}{
		{"6.8.0-49-generic", 5, 15, true},
		{"5.15", 5, 15, true},
		{"5.15.0-1062-azure", 5, 15, true},
		{"5.14.21-150500.55.49-default", 5, 15, false},
		{"5.4.0", 5, 15, false},
		{"4.18.0-553.el8_10.x86_64", 5, 15, false},
		{"4.18.0-553.el8_10.x86_64", 4, 18, true},
		{"10.0.0", 5, 15, true},
		{"6.1-rc1", 6, 1, true},
		{"5.15", 6, 0, false},
		{"garbage", 5, 15, false},
		{"", 5, 15, false},
		{"6", 5, 15, false},
		{"6.x", 5, 15, false},
		{"x.15", 5, 15, false},
	}
	for _, tt := range tests {
		if got := hostinfo.KernelAtLeast(tt.release, tt.major, tt.minor); got != tt.want {
			t.Errorf("KernelAtLeast(%q, %d, %d) = %v, want %v", tt.release, tt.major, tt.minor, got, tt.want)
		}
	}
}

// Error messages quote the bad input; a huge garbage file must not turn
// into a huge message.
func TestParseErrorsAreClipped(t *testing.T) {
	garbage := []byte(strings.Repeat("x", 10000))
	_, hexErr := hostinfo.ParseHexAttr(garbage, 4)
	_, resErr := hostinfo.ParseResource(garbage)
	for name, err := range map[string]error{"ParseHexAttr": hexErr, "ParseResource": resErr} {
		if err == nil {
			t.Errorf("%s accepted 10000 bytes of garbage", name)
		} else if len(err.Error()) > 200 {
			t.Errorf("%s error is %d bytes long, want it clipped", name, len(err.Error()))
		}
	}
}
