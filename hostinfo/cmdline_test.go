package hostinfo_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// The expectations below are what the kernel's next_arg (lib/cmdline.c)
// and parse_args (kernel/params.c) make of each command line, worked out
// from that code: a check that reads vfio-pci.ids or intel_iommu from
// /proc/cmdline must see what the kernel saw, not what a shell would.
func TestParseCmdline(t *testing.T) {
	kv := func(k, v string) hostinfo.Param { return hostinfo.Param{Key: k, Value: v, HasValue: true} }
	flag := func(k string) hostinfo.Param { return hostinfo.Param{Key: k} }
	tests := []struct {
		name string
		in   string
		want hostinfo.Cmdline
	}{
		{name: "empty string", in: "", want: hostinfo.Cmdline{}},
		{name: "only white space", in: " \t\n\r\v\f ", want: hostinfo.Cmdline{}},
		{
			name: "typical grub line with trailing newline",
			in:   "BOOT_IMAGE=/vmlinuz-6.8.0-49-generic root=UUID=5f1c ro intel_iommu=on iommu=pt quiet splash\n",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{
				kv("BOOT_IMAGE", "/vmlinuz-6.8.0-49-generic"),
				// Only the first '=' separates key from value.
				kv("root", "UUID=5f1c"),
				flag("ro"), kv("intel_iommu", "on"), kv("iommu", "pt"), flag("quiet"), flag("splash"),
			}},
		},
		{
			name: "quoted value keeps its spaces",
			in:   `dyndbg="file vfio_pci_core.c +p" quiet`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("dyndbg", "file vfio_pci_core.c +p"), flag("quiet")}},
		},
		{
			name: "whole parameter quoted gives the same value",
			in:   `"dyndbg=file vfio_pci_core.c +p" quiet`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("dyndbg", "file vfio_pci_core.c +p"), flag("quiet")}},
		},
		{
			name: "quoted parameter without value loses its quotes",
			in:   `"quiet"`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("quiet")}},
		},
		{
			// next_arg removes only a quote that opens the value (and the
			// one ending the word); quotes inside a value stay.
			name: "quotes inside a value are kept",
			in:   `a=b"c d"e next`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("a", `b"c d"e`), flag("next")}},
		},
		{
			name: "empty value is not a missing value",
			in:   `vfio-pci.ids= quiet=""`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("vfio-pci.ids", ""), kv("quiet", "")}},
		},
		{
			name: "unterminated quote runs to the end",
			in:   `a="b c d`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("a", "b c d")}},
		},
		{
			name: "tabs newlines and other white space separate",
			in:   "a=1\tb=2\nc\rd\ve\ff",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("a", "1"), kv("b", "2"), flag("c"), flag("d"), flag("e"), flag("f")}},
		},
		{
			// The kernel's ctype table marks 0xa0 (Latin-1 no-break
			// space) as white space, so isspace() splits there too.
			name: "byte 0xa0 separates like the kernel's isspace",
			in:   "a=1\xa0b=2",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("a", "1"), kv("b", "2")}},
		},
		{
			name: "trailing and repeated spaces",
			in:   "  quiet    splash   ",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("quiet"), flag("splash")}},
		},
		{
			name: "lone quote is one empty parameter",
			in:   `"`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("")}},
		},
		{
			// next_arg stores the index of the first '=' in a variable
			// where 0 means "none": an '=' that starts the word does not
			// split it, the next one does.
			name: "leading equals sign does not start a value",
			in:   "=foo =a=b",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("=foo"), kv("=a", "b")}},
		},
		{
			name: "quote closed before the equals sign stays in the key",
			in:   `"a b"=c`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv(`a b"`, "c")}},
		},
		{
			name: "double dash ends the kernel's part",
			in:   "ro quiet -- single nosplash",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("ro"), flag("quiet")}, Init: []string{"single", "nosplash"}},
		},
		{
			// init/main.c hands the rest to init through next_arg and
			// set_init_arg: quotes are removed and param=value rejoined.
			name: "init arguments are split and unquoted like parameters",
			in:   `ro -- "a b" c="d e" f`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("ro")}, Init: []string{"a b", "c=d e", "f"}},
		},
		{
			// parse_args stops at a second "--" and start_kernel drops
			// what follows it.
			name: "second double dash ends init's arguments",
			in:   "ro -- a -- b",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("ro")}, Init: []string{"a"}},
		},
		{
			name: "quoted double dash also ends the kernel's part",
			in:   `ro "--" x`,
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("ro")}, Init: []string{"x"}},
		},
		{
			name: "double dash at the end leaves no init arguments",
			in:   "ro --",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{flag("ro")}},
		},
		{
			name: "double dash with a value is an ordinary parameter",
			in:   "--=x quiet",
			want: hostinfo.Cmdline{Params: []hostinfo.Param{kv("--", "x"), flag("quiet")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hostinfo.ParseCmdline(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseCmdline(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestCmdlineLookup(t *testing.T) {
	c := hostinfo.ParseCmdline("vfio-pci.ids=10de:2330 quiet vfio_pci.ids=10de:22e8 intel-iommu=on")
	tests := []struct {
		name     string
		key      string
		want     []hostinfo.Param
		wantLast string
	}{
		{
			// '-' and '_' are the same character in parameter names
			// (parameqn in kernel/params.c), so both spellings count and
			// the last one given is the one the module keeps.
			name: "dash and underscore spellings both match",
			key:  "vfio_pci.ids",
			want: []hostinfo.Param{
				{Key: "vfio-pci.ids", Value: "10de:2330", HasValue: true},
				{Key: "vfio_pci.ids", Value: "10de:22e8", HasValue: true},
			},
			wantLast: "10de:22e8",
		},
		{
			name:     "lookup by the dashed spelling",
			key:      "intel_iommu",
			want:     []hostinfo.Param{{Key: "intel-iommu", Value: "on", HasValue: true}},
			wantLast: "on",
		},
		{
			name: "names are case sensitive",
			key:  "VFIO_PCI.IDS",
		},
		{
			name: "a prefix is not a match",
			key:  "vfio_pci",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, c.Lookup(tt.key)); diff != "" {
				t.Errorf("Lookup(%q) mismatch (-want +got):\n%s", tt.key, diff)
			}
			last, ok := c.Last(tt.key)
			if ok != (tt.want != nil) || last.Value != tt.wantLast {
				t.Errorf("Last(%q) = %+v, %v; want value %q, %v", tt.key, last, ok, tt.wantLast, tt.want != nil)
			}
		})
	}
}

func TestParamKeyEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"intel_iommu", "intel-iommu", true},
		{"vfio-pci.ids", "vfio_pci.ids", true},
		{"a-b_c", "a_b-c", true},
		{"a-b", "a_c", false},
		{"quiet", "quiet ", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := hostinfo.ParamKeyEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("ParamKeyEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParamString(t *testing.T) {
	tests := []struct {
		name string
		p    hostinfo.Param
		want string
	}{
		{name: "flag", p: hostinfo.Param{Key: "quiet"}, want: "quiet"},
		{name: "empty value keeps the equals sign", p: hostinfo.Param{Key: "a", HasValue: true}, want: "a="},
		{name: "plain value", p: hostinfo.Param{Key: "iommu", Value: "pt", HasValue: true}, want: "iommu=pt"},
		{name: "space is quoted", p: hostinfo.Param{Key: "dyndbg", Value: "file a.c +p", HasValue: true}, want: `dyndbg="file a.c +p"`},
		{name: "tab is quoted", p: hostinfo.Param{Key: "a", Value: "x\ty", HasValue: true}, want: "a=\"x\ty\""},
		// Any byte the kernel takes for white space would split an
		// unquoted value: a newline must be quoted as well.
		{name: "newline is quoted", p: hostinfo.Param{Key: "a", Value: "x\ny", HasValue: true}, want: "a=\"x\ny\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			// What String renders must parse back to the same parameter.
			if diff := cmp.Diff([]hostinfo.Param{tt.p}, hostinfo.ParseCmdline(tt.p.String()).Params); diff != "" {
				t.Errorf("ParseCmdline(String()) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
