package hostinfo_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// Abridged from real /proc/cpuinfo files; only the fields ParseCPUInfo reads
// and a few neighbours are kept, with the kernel's tab-colon layout.
const (
	intelCPUInfo = `processor	: 0
vendor_id	: GenuineIntel
cpu family	: 6
model		: 143
model name	: Intel(R) Xeon(R) Platinum 8480+
flags		: fpu vme de pse tsc msr pae mce cx8 apic vmx smx est tm2 ssse3
vmx flags	: vnmi preemption_timer posted_intr invvpid ept_x_only
bugs		: spectre_v1 spectre_v2
address sizes	: 46 bits physical, 57 bits virtual
power management:

processor	: 1
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Platinum 8480+
flags		: fpu vme de pse tsc msr pae mce cx8 apic vmx smx est tm2 ssse3
address sizes	: 46 bits physical, 57 bits virtual
power management:

`
	amdCPUInfo = `processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 25
model		: 1
model name	: AMD EPYC 7763 64-Core Processor
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr svm extapic cr8_legacy
address sizes	: 48 bits physical, 48 bits virtual
power management: ts ttp tm hwpstate cpb eff_freq_ro [13] [14]

processor	: 1
vendor_id	: AuthenticAMD
model name	: AMD EPYC 7763 64-Core Processor
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr svm extapic cr8_legacy
address sizes	: 48 bits physical, 48 bits virtual

processor	: 2
vendor_id	: AuthenticAMD
model name	: AMD EPYC 7763 64-Core Processor
flags		: fpu svm
address sizes	: 48 bits physical, 48 bits virtual
`
	// NVIDIA Grace, two of its 72 cores: the layout and values of a real
	// capture (Breno Leitao on linux-serial, 2025-07-03, Message-ID
	// aGaQBghdAl8VGWmV@gmail.com; docs/research/vgpu-layouts.md 4.3).
	graceCPUInfo = `processor	: 0
BogoMIPS	: 2000.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm sb paca pacg dcpodp sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 dgh bti
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd4f
CPU revision	: 0

processor	: 1
BogoMIPS	: 2000.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm sb paca pacg dcpodp sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 dgh bti
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd4f
CPU revision	: 0

`
	// arm64 has no vendor_id, model name, flags or address sizes.
	armCPUInfo = `processor	: 0
BogoMIPS	: 50.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1

processor	: 1
BogoMIPS	: 50.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1
`
)

func TestParseCPUInfo(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    hostinfo.CPU
		wantErr string
	}{
		{
			name: "Intel with VT-x",
			in:   intelCPUInfo,
			want: hostinfo.CPU{Vendor: "GenuineIntel", Model: "Intel(R) Xeon(R) Platinum 8480+", LogicalCPUs: 2, Virtualization: "vmx", PhysicalAddressBits: 46, Arch: "x86_64"},
		},
		{
			name: "AMD with AMD-V, three processors",
			in:   amdCPUInfo,
			want: hostinfo.CPU{Vendor: "AuthenticAMD", Model: "AMD EPYC 7763 64-Core Processor", LogicalCPUs: 3, Virtualization: "svm", PhysicalAddressBits: 48, Arch: "x86_64"},
		},
		{
			name: "arm64 without vendor_id: Neoverse N1 (Ampere Altra)",
			in:   armCPUInfo,
			want: hostinfo.CPU{LogicalCPUs: 2, Arch: "aarch64", Implementer: "0x41", Part: "0xd0c", Model: "Neoverse-N1"},
		},
		{
			name: "NVIDIA Grace: Neoverse V2",
			in:   graceCPUInfo,
			want: hostinfo.CPU{LogicalCPUs: 2, Arch: "aarch64", Implementer: "0x41", Part: "0xd4f", Model: "Neoverse-V2"},
		},
		{
			// Upper-case hex and a part unknown to the table: the
			// IDs in the kernel's spelling, no model guessed.
			name: "arm64 core gpupass does not name",
			in:   "processor\t: 0\nCPU implementer\t: 0x51\nCPU architecture: 8\nCPU part\t: 0X801\n",
			want: hostinfo.CPU{LogicalCPUs: 1, Arch: "aarch64", Implementer: "0x51", Part: "0x801"},
		},
		{
			name: "arm64 implementer that is not a byte",
			in:   "processor\t: 0\nCPU implementer\t: 0x141\nCPU part\t: 0xd4f\n",
			want: hostinfo.CPU{LogicalCPUs: 1},
		},
		{
			name: "x86 vendor beside arm64 fields: x86, the arm64 IDs dropped",
			in:   "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t: fpu vmx\nCPU implementer\t: 0x41\nCPU part\t: 0xd4f\n",
			want: hostinfo.CPU{LogicalCPUs: 1, Vendor: "GenuineIntel", Virtualization: "vmx", Arch: "x86_64"},
		},
		{
			// A guest without nested virtualisation: the first
			// processor's flags decide, later ones are not consulted.
			name: "virtualisation flag only on a later processor",
			in:   "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse vmx\n",
			want: hostinfo.CPU{Vendor: "GenuineIntel", LogicalCPUs: 2, Arch: "x86_64"},
		},
		{
			name: "address sizes that are not a number",
			in:   "processor\t: 0\naddress sizes\t: many bits physical, 48 bits virtual\n",
			want: hostinfo.CPU{LogicalCPUs: 1},
		},
		{
			name:    "garbage line",
			in:      "processor\t: 0\nvendor_id\t: GenuineIntel\nthis line has no colon\n",
			wantErr: "line 3",
		},
		{name: "empty", in: "", wantErr: "no processor entries"},
		{name: "blank lines only", in: "\n\n", wantErr: "no processor entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseCPUInfo(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CPU mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMemTotalMB(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr bool
	}{
		{name: "real meminfo", in: "MemTotal:       30601816 kB\nMemFree:        29562264 kB\n", want: 29884},
		{name: "not on the first line", in: "MemFree: 1 kB\nMemTotal: 2097152 kB\n", want: 2048},
		{name: "rounds down", in: "MemTotal: 1023 kB\n", want: 0},
		{name: "missing", in: "MemFree: 1 kB\n", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "other unit", in: "MemTotal: 12 MB\n", wantErr: true},
		{name: "no unit", in: "MemTotal: 12\n", wantErr: true},
		{name: "negative", in: "MemTotal: -5 kB\n", wantErr: true},
		{name: "not a number", in: "MemTotal: lots kB\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseMemTotalMB(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %d MiB, want %d", got, tt.want)
			}
		})
	}
}

func TestIOMMUOfCPUVendor(t *testing.T) {
	for vendor, want := range map[string][2]string{
		"GenuineIntel": {"intel", "DMAR"}, "AuthenticAMD": {"amd", "IVRS"}, "HygonGenuine": {"amd", "IVRS"}, "ARM": {"", ""}, "": {"", ""},
	} {
		c := hostinfo.CPU{Vendor: vendor}
		table, _ := c.IOMMUTable()
		if c.IOMMUVendor() != want[0] || table != want[1] {
			t.Errorf("%q: %q %q, want %v", vendor, c.IOMMUVendor(), table, want)
		}
	}
}
