package hostinfo_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// The parsers read files a host (or a capture of one) hands us: whatever
// bytes they hold must not panic the collector. Each target also checks
// an invariant that would catch a parser accepting what it should not.
// Seeds are added with f.Add; more live in testdata/fuzz/<FuzzName>/.

func FuzzParseCmdline(f *testing.F) {
	for _, s := range []string{
		"BOOT_IMAGE=/vmlinuz-6.8.0 root=UUID=5f1c ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2330,10de:22e8 quiet\n",
		`dyndbg="file vfio_pci_core.c +p" "a=b c" -- init "x y"`,
		`"`, `a="`, `""=`, "=a=b", "a=\xa0b", "-- -- --",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := hostinfo.ParseCmdline(s)
		for _, p := range c.Params {
			if !p.HasValue && p.Key == "--" {
				t.Fatalf("%q: \"--\" kept as a parameter", s)
			}
			if p.HasValue && p.Key == "" {
				t.Fatalf("%q: value %q without a key", s, p.Value)
			}
			// A parameter the kernel could have produced from plain
			// text renders back to the same parameter. Quotes cannot be
			// escaped on the kernel command line, so a key or value
			// holding one has no faithful rendering; a key needs no
			// white space either (it came from quoting).
			if p.Key == "" || strings.Contains(p.Key+p.Value, `"`) || hasKernelSpace(p.Key) {
				continue
			}
			got := hostinfo.ParseCmdline(p.String())
			if diff := cmp.Diff(hostinfo.Cmdline{Params: []hostinfo.Param{p}}, got); diff != "" {
				t.Fatalf("%q: parameter %#v renders as %q, which parses differently (-want +got):\n%s", s, p, p.String(), diff)
			}
		}
	})
}

// hasKernelSpace reports a byte the kernel's isspace accepts; it works on
// bytes because the kernel does: 0xa0 inside U+00A0 splits a word too.
func hasKernelSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0:
			return true
		}
	}
	return false
}

func FuzzParseModprobeConf(f *testing.F) {
	for _, s := range []string{
		"options vfio-pci ids=10de:2330,10de:22e8 disable_vga=1\nsoftdep nvidia pre: vfio-pci\nblacklist nouveau\n",
		"options vfio_pci \\\nids=10de:2330\\\r\n# comment \\\nalias pci:v*d*bc0[2-3]* nv\n",
		"  # x\ninstall nouveau /bin/false\r\nalias a] b\nblacklist [\n\\",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "/etc/modprobe.d/fuzz.conf"
		directives, errs := hostinfo.ParseModprobeConf(file, data)
		lines := bytes.Count(data, []byte("\n")) + 1
		if len(directives)+len(errs) > lines {
			t.Fatalf("%d directives and %d errors from %d lines", len(directives), len(errs), lines)
		}
		prev := 0
		for _, d := range directives {
			if d.File != file || d.Line < 1 || d.Line > lines || d.Line <= prev {
				t.Fatalf("directive %+v: bad location (file has %d lines, previous directive on %d)", d, lines, prev)
			}
			prev = d.Line
			switch d.Command {
			case "alias", "blacklist", "options", "install", "remove", "softdep", "weakdep":
			default:
				t.Fatalf("directive %+v: unknown command accepted", d)
			}
			// Module is one word, already normalised: no blank, no NUL,
			// and no '-' outside a [...] class.
			if d.Module == "" || strings.ContainsAny(d.Module, " \t\n\x00") {
				t.Fatalf("directive %+v: module is not one word", d)
			}
			depth := 0
			for _, c := range d.Module {
				switch {
				case c == '[':
					depth = 1
				case c == ']':
					depth = 0
				case c == '-' && depth == 0:
					t.Fatalf("directive %+v: module not normalised", d)
				}
			}
			if d.Args != strings.TrimSpace(d.Args) || strings.ContainsAny(d.Args, "\n\x00") {
				t.Fatalf("directive %+v: args not one trimmed line", d)
			}
		}
		for _, err := range errs {
			if !strings.HasPrefix(err.Error(), file+":") {
				t.Fatalf("error %q does not name the file", err)
			}
		}
	})
}

func FuzzParseCPUInfo(f *testing.F) {
	f.Add([]byte(intelCPUInfo))
	f.Add([]byte(amdCPUInfo))
	f.Add([]byte(armCPUInfo))
	f.Add([]byte(graceCPUInfo))
	f.Add([]byte("processor : 0\naddress sizes : -1 bits physical\nflags : vmx svm\n\n\nprocessor"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cpu, err := hostinfo.ParseCPUInfo(bytes.NewReader(data))
		if err != nil {
			return
		}
		if cpu.Virtualization != "" && cpu.Virtualization != "vmx" && cpu.Virtualization != "svm" {
			t.Fatalf("Virtualization = %q", cpu.Virtualization)
		}
		if cpu.LogicalCPUs < 0 || cpu.LogicalCPUs > bytes.Count(data, []byte("processor")) {
			t.Fatalf("LogicalCPUs = %d from %d \"processor\" words", cpu.LogicalCPUs, bytes.Count(data, []byte("processor")))
		}
		if strings.TrimSpace(cpu.Vendor) != cpu.Vendor || strings.TrimSpace(cpu.Model) != cpu.Model {
			t.Fatalf("untrimmed vendor %q or model %q", cpu.Vendor, cpu.Model)
		}
		switch cpu.Arch {
		case "", "x86_64":
			if cpu.Implementer != "" || cpu.Part != "" {
				t.Fatalf("arch %q with arm64 IDs %q %q", cpu.Arch, cpu.Implementer, cpu.Part)
			}
		case "aarch64":
			if len(cpu.Implementer) != 4 || cpu.Part != "" && len(cpu.Part) != 5 {
				t.Fatalf("arm64 IDs not in the kernel's spelling: %q %q", cpu.Implementer, cpu.Part)
			}
		default:
			t.Fatalf("Arch = %q", cpu.Arch)
		}
	})
}

func FuzzParseMemTotalMB(f *testing.F) {
	f.Add([]byte("MemTotal:       30601816 kB\nMemFree:        29562264 kB\n"))
	f.Add([]byte("MemTotal: 9223372036854775807 kB\n"))
	f.Add([]byte("MemTotal: -1 kB\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mb, err := hostinfo.ParseMemTotalMB(bytes.NewReader(data))
		if err == nil && mb < 0 {
			t.Fatalf("negative memory %d MiB", mb)
		}
		if err != nil && mb != 0 {
			t.Fatalf("error %v with %d MiB", err, mb)
		}
	})
}

func FuzzParseResource(f *testing.F) {
	f.Add([]byte(gpuResource))
	f.Add([]byte(bridgeResource))
	f.Add([]byte("0x0000000000002000 0x000000000000207f 0x0000000000040101\n"))
	f.Add([]byte("0x0000000000000000 0xffffffffffffffff 0x0000000000000200\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bars, err := hostinfo.ParseResource(data)
		if err != nil {
			if bars != nil {
				t.Fatalf("error %v with BARs %+v", err, bars)
			}
			return
		}
		prev := -1
		for _, b := range bars {
			if b.Index < 0 || b.Index >= 6 || b.Index <= prev {
				t.Fatalf("BAR %+v: index out of 0-5 or out of order", b)
			}
			prev = b.Index
			if b.Size == 0 {
				t.Fatalf("BAR %+v: size 0", b)
			}
		}
	})
}

func FuzzParseHexAttr(f *testing.F) {
	f.Add([]byte("0x10de\n"), uint8(4))
	f.Add([]byte("0x030200\n"), uint8(6))
	f.Add([]byte("0xFFFFFFFFFFFFFFFF"), uint8(16))
	f.Add([]byte("0x00000000000000000001"), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, d uint8) {
		digits := 1 + int(d)%16
		got, err := hostinfo.ParseHexAttr(data, digits)
		if err != nil {
			return
		}
		if len(got) != digits {
			t.Fatalf("ParseHexAttr(%q, %d) = %q: want %d digits", data, digits, got, digits)
		}
		for _, c := range got {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				t.Fatalf("ParseHexAttr(%q, %d) = %q: not lower-case hex", data, digits, got)
			}
		}
		again, err := hostinfo.ParseHexAttr([]byte("0x"+got+"\n"), digits)
		if err != nil || again != got {
			t.Fatalf("ParseHexAttr(0x%s) = %q, %v: want it unchanged", got, again, err)
		}
	})
}

func FuzzParseIntAttr(f *testing.F) {
	f.Add([]byte("-1\n"))
	f.Add([]byte("+07\n"))
	f.Add([]byte("9223372036854775808"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := hostinfo.ParseIntAttr(data)
		if err != nil {
			return
		}
		back, err := hostinfo.ParseIntAttr([]byte(strconv.Itoa(n) + "\n"))
		if err != nil || back != n {
			t.Fatalf("ParseIntAttr(%q) = %d, which does not read back (%d, %v)", data, n, back, err)
		}
	})
}

func FuzzParseBoolAttr(f *testing.F) {
	f.Add([]byte("1\n"))
	f.Add([]byte("0"))
	f.Add([]byte("Y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := hostinfo.ParseBoolAttr(data)
		if err != nil {
			return
		}
		want := "0"
		if b {
			want = "1"
		}
		if got := strings.TrimSpace(string(data)); got != want {
			t.Fatalf("ParseBoolAttr(%q) = %v", data, b)
		}
	})
}

func FuzzParseResetMethod(f *testing.F) {
	f.Add([]byte("flr bus\n"))
	f.Add([]byte("\n"))
	f.Add([]byte("device_specific\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		methods, err := hostinfo.ParseResetMethod(data)
		if err != nil {
			return
		}
		if methods == nil {
			t.Fatalf("ParseResetMethod(%q) = nil without an error: nil means unknown", data)
		}
		for _, m := range methods {
			if m == "" || strings.ContainsAny(m, " \t\n\x00") {
				t.Fatalf("ParseResetMethod(%q): method %q", data, m)
			}
		}
	})
}

func FuzzParseProcModules(f *testing.F) {
	f.Add([]byte("vfio_pci 16384 0 - Live 0x0000000000000000\nnvidia 56823808 2 nvidia_uvm,nvidia_modeset, Live 0x0 (POE)\n"))
	f.Add([]byte("x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		names, _ := hostinfo.ParseProcModules(bytes.NewReader(data))
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, " \t\n/") {
				t.Fatalf("module name %q", n)
			}
		}
	})
}

func FuzzParseModulesBuiltin(f *testing.F) {
	f.Add([]byte("kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/pci/vfio-pci-core.ko\n"))
	f.Add([]byte(".ko\n/\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		names, _ := hostinfo.ParseModulesBuiltin(bytes.NewReader(data))
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, " \t\n/-.") {
				t.Fatalf("module name %q", n)
			}
		}
	})
}

func FuzzParseDriverctl(f *testing.F) {
	f.Add("pci-0000:01:00.0", []byte("vfio-pci\n"))
	f.Add("pci-10000:01:00.0", []byte("vfio-pci"))
	f.Add("usb-1-1", []byte("usbhid\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		o, err := hostinfo.ParseDriverctl(name, data)
		if err != nil {
			return
		}
		if "pci-"+o.Address != name {
			t.Fatalf("ParseDriverctl(%q) address %q", name, o.Address)
		}
		if _, err := pcidev.ParseAddress(o.Address); err != nil {
			t.Fatalf("ParseDriverctl(%q) address %q: %v", name, o.Address, err)
		}
		if o.Driver == "" || o.Driver != strings.TrimSpace(string(data)) || strings.ContainsAny(o.Driver, " /") {
			t.Fatalf("ParseDriverctl(%q, %q) driver %q", name, data, o.Driver)
		}
	})
}

func FuzzParseNovaMetadataDir(f *testing.F) {
	for _, s := range []string{"nova-26.2.1.dist-info", "nova-26.2.1-py3.11.egg-info", "nova-compute-1.0.dist-info", "nova--py.egg-info"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v := hostinfo.ParseNovaMetadataDir(name)
		if v == "" {
			return
		}
		if v[0] < '0' || v[0] > '9' || !strings.HasPrefix(name, "nova-"+v) {
			t.Fatalf("ParseNovaMetadataDir(%q) = %q", name, v)
		}
		if !strings.HasSuffix(name, ".dist-info") && !strings.HasSuffix(name, ".egg-info") {
			t.Fatalf("ParseNovaMetadataDir(%q) = %q from a name that is not metadata", name, v)
		}
	})
}

func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0-3,8-11\n", "0", "", "\n", "0-", "1-0", "0-8191", "0-31:2/4", ",", "0,,1", "00-01", "9999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := hostinfo.ParseCPUList(s)
		if err != nil {
			return
		}
		for i, c := range cpus {
			if c < 0 || c > 8191 || i > 0 && cpus[i-1] >= c {
				t.Fatalf("%q: %v is not sorted, distinct CPU numbers", s, cpus)
			}
		}
		// The kernel's form of the set parses back to the set.
		again, err := hostinfo.ParseCPUList(hostinfo.FormatCPUList(cpus))
		if err != nil || !cmp.Equal(again, cpus) {
			t.Fatalf("%q: %v formats as %q, which parses as %v, %v", s, cpus, hostinfo.FormatCPUList(cpus), again, err)
		}
	})
}

func FuzzParseNodeMemTotalKB(f *testing.F) {
	for _, s := range []string{"Node 0 MemTotal:       262144000 kB\nNode 0 MemFree: 1 kB\n", "Node 0 MemTotal: x kB", "Node 0 MemTotal:", "Node 1 MemTotal: 5 kB", ""} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, node int) {
		kb, err := hostinfo.ParseNodeMemTotalKB(strings.NewReader(s), node)
		if err == nil && (kb < 0 || !strings.Contains(s, "MemTotal")) {
			t.Fatalf("%q node %d: %d kB from a meminfo without a MemTotal of its own", s, node, kb)
		}
	})
}

func FuzzParseHugePagesDirName(f *testing.F) {
	for _, s := range []string{"hugepages-2048kB", "hugepages-1048576kB", "hugepages-kB", "hugepages-0kB", "hugepages-2048", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kb, err := hostinfo.ParseHugePagesDirName(s)
		if err == nil && (kb <= 0 || s != "hugepages-"+strconv.FormatInt(kb, 10)+"kB" && !strings.HasPrefix(s, "hugepages-0")) {
			t.Fatalf("%q: %d kB", s, kb)
		}
	})
}
