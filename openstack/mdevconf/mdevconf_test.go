package mdevconf

import (
	"github.com/gpupass/gpupass/internal/pysem"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// load reads nova.conf texts (one file each, in order) as nova-compute
// would be given them.
func load(t testing.TB, texts ...string) *novaconf.Set {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i, text := range texts {
		name := filepath.Join(dir, "nova"+string(rune('a'+i))+".conf")
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	return novaconf.LoadSet("compute", "given", novaconf.DirReader(""), files, nil, os.Stat)
}

func rel(t testing.TB, name string) novarelease.Release {
	t.Helper()
	r, err := novarelease.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseNil(t *testing.T) {
	if Parse(nil, novarelease.Newest()) != nil {
		t.Error("Parse(nil) is not nil")
	}
	if Parse(&novaconf.Set{}, novarelease.Newest()) != nil {
		t.Error("Parse of a set without configuration is not nil")
	}
}

// outcome is what a release makes of a configuration, for comparison.
type outcome struct {
	Used         []string
	Mapping      map[string]string
	Classes      map[string]string
	Default      string
	DefaultClass string
	MaxInstances map[string]int
	Err          string
}

func outcomeOf(c *Conf) outcome {
	o := outcome{Used: c.Used, Mapping: c.Mapping, Classes: c.Classes, Default: c.Default, DefaultClass: c.DefaultClass, MaxInstances: c.MaxInstances}
	if c.StartErr != nil {
		o.Err = c.StartErr.Message
	}
	return o
}

const twoTypesOneWithout = `[devices]
enabled_mdev_types = nvidia-35, nvidia-36

[mdev_nvidia-35]
device_addresses = 0000:84:00.0
mdev_class = CUSTOM_A

[mdev_nvidia-36]
`

// The same files give different answers per release: each expectation
// is read from Nova's code of that release (see parse.go) and checked
// against it by the oracle (oracle_test.go).
func TestReleaseRules(t *testing.T) {
	cases := []struct {
		name, conf   string
		zed, caracal outcome
	}{
		{
			name: "two types, one without addresses",
			conf: twoTypesOneWithout,
			// Zed: the second type lacks device_addresses: only the
			// first is used, everywhere, as VGPU.
			zed: outcome{Used: []string{"nvidia-35"}, Default: "nvidia-35", DefaultClass: "VGPU"},
			// 2024.1+: nvidia-36 is the default for the other parents,
			// and its class is VGPU (the default dict).
			caracal: outcome{Used: []string{"nvidia-35", "nvidia-36"}, Mapping: map[string]string{"0000:84:00.0": "nvidia-35"},
				Classes: map[string]string{"0000:84:00.0": "CUSTOM_A"}, Default: "nvidia-36", DefaultClass: "VGPU"},
		},
		{
			name: "single type with addresses",
			conf: "[devices]\nenabled_mdev_types = nvidia-35\n[mdev_nvidia-35]\ndevice_addresses = 0000:84:00.0\nmdev_class = CUSTOM_A\n",
			// Zed never reads the group of a single type.
			zed: outcome{Used: []string{"nvidia-35"}, Default: "nvidia-35", DefaultClass: "VGPU"},
			caracal: outcome{Used: []string{"nvidia-35"}, Mapping: map[string]string{"0000:84:00.0": "nvidia-35"},
				Classes: map[string]string{"0000:84:00.0": "CUSTOM_A"}},
		},
		{
			name:    "single type with a malformed address",
			conf:    "[devices]\nenabled_mdev_types = nvidia-35\n[mdev_nvidia-35]\ndevice_addresses = 84:00.0\n",
			zed:     outcome{Used: []string{"nvidia-35"}, Default: "nvidia-35", DefaultClass: "VGPU"},
			caracal: outcome{Err: "Invalid configuration for mdev-capable devices: incorrect PCI address: 84:00.0"},
		},
		{
			name:    "same address in two groups",
			conf:    "[devices]\nenabled_mdev_types = a, b\n[mdev_a]\ndevice_addresses = 0000:84:00.0\n[vgpu_b]\ndevice_addresses = 0000:85:00.0,0000:84:00.0\n",
			zed:     outcome{Err: "Invalid configuration for mdev-capable devices: duplicate types for PCI ID 0000:84:00.0"},
			caracal: outcome{Err: "Invalid configuration for mdev-capable devices: duplicate types for PCI ID 0000:84:00.0"},
		},
		{
			name:    "unescaped dot",
			conf:    "[devices]\nenabled_mdev_types = a, b\n[mdev_a]\ndevice_addresses = 0000:84:00x0\n[mdev_b]\ndevice_addresses = 0000:85:00.0\n",
			zed:     outcome{Used: []string{"a", "b"}, Mapping: map[string]string{"0000:84:00x0": "a", "0000:85:00.0": "b"}, Classes: map[string]string{"0000:84:00x0": "VGPU", "0000:85:00.0": "VGPU"}},
			caracal: outcome{Used: []string{"a", "b"}, Mapping: map[string]string{"0000:84:00x0": "a", "0000:85:00.0": "b"}, Classes: map[string]string{"0000:84:00x0": "VGPU", "0000:85:00.0": "VGPU"}},
		},
		{
			name:    "two address-less types",
			conf:    "[devices]\nenabled_vgpu_types = a, b\n[mdev_b]\nmax_instances = 4\n",
			zed:     outcome{Used: []string{"a"}, Default: "a", DefaultClass: "VGPU"},
			caracal: outcome{Used: []string{"a"}, Default: "a", DefaultClass: "VGPU", MaxInstances: map[string]int{"b": 4}},
		},
		{
			name:    "bad mdev_class",
			conf:    "[devices]\nenabled_mdev_types = a, b\n[mdev_a]\ndevice_addresses = 0000:84:00.0\nmdev_class = custom_x\n[mdev_b]\ndevice_addresses = 0000:85:00.0\n",
			zed:     outcome{Err: "Value for option mdev_class from LocationInfo(location=<Locations.user: (4, True)>, detail='FILE') is not valid: Value 'custom_x' doesn't match regex '^(VGPU|CUSTOM_[A-Z0-9_]+)$'"},
			caracal: outcome{Err: "Value for option mdev_class from LocationInfo(location=<Locations.user: (4, True)>, detail='FILE') is not valid: Value 'custom_x' doesn't match regex '^(VGPU|CUSTOM_[A-Z0-9_]+)$'"},
		},
		{
			name:    "max_instances 0",
			conf:    "[devices]\nenabled_mdev_types = a\n[mdev_a]\nmax_instances = 0\n",
			zed:     outcome{Used: []string{"a"}, Default: "a", DefaultClass: "VGPU"},
			caracal: outcome{Err: "Value for option max_instances from LocationInfo(location=<Locations.user: (4, True)>, detail='FILE') is not valid: Should be greater than or equal to 1"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := load(t, tc.conf)
			file := set.Files[0].Path
			for _, want := range []struct {
				rel string
				o   outcome
			}{{"zed", tc.zed}, {"2023.2", tc.zed}, {"2024.1", tc.caracal}, {"2026.1", tc.caracal}} {
				w := want.o
				w.Err = strings.ReplaceAll(w.Err, "FILE", file)
				got := outcomeOf(Parse(set, rel(t, want.rel)))
				if !reflect.DeepEqual(got, w) {
					t.Errorf("%s:\n got %+v\nwant %+v", want.rel, got, w)
				}
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	set := load(t, twoTypesOneWithout)
	c := Parse(set, rel(t, "zed"))
	if len(c.Warnings) == 0 {
		t.Fatal("zed: no warning")
	}
	if c.Warnings[0].Code != CodeNovaLog ||
		c.Warnings[0].Message != "The mdev type 'nvidia-36' was listed in '[devices] enabled_mdev_types' but no corresponding '[mdev_nvidia-36]' group or '[mdev_nvidia-36] device_addresses' option was defined. Only the first type 'nvidia-35' will be used." {
		t.Errorf("zed warnings = %+v", c.Warnings)
	}
	if want := (novaconf.Source{File: set.Files[0].Path, Line: 8}); c.Warnings[0].Where != want {
		t.Errorf("warning at %v, want %v ([mdev_nvidia-36])", c.Warnings[0].Where, want)
	}
	if len(c.Dropped) != 1 || c.Dropped[0].Type != "nvidia-36" || c.Dropped[0].Why == "" {
		t.Errorf("zed dropped = %+v", c.Dropped)
	}
	// 2024.1 logs nothing for one address-less type.
	if c := Parse(set, rel(t, "2024.1")); len(c.Warnings) != 0 || len(c.Dropped) != 0 {
		t.Errorf("2024.1: warnings %+v, dropped %+v", c.Warnings, c.Dropped)
	}

	set = load(t, "[devices]\nenabled_vgpu_types = a, b\n[vgpu_a]\nmdev_class = CUSTOM_X\ndevice_addresses = 0000:84:00.0\n[mdev_c]\ndevice_addresses=0000:86:00.0\n")
	c = Parse(set, rel(t, "2025.1"))
	codes := map[string]int{}
	for _, w := range c.Warnings {
		codes[w.Code]++
		if w.Where.File == "" || w.Where.Line == 0 {
			t.Errorf("warning without a line: %+v", w)
		}
	}
	// enabled_vgpu_types and [vgpu_a]device_addresses deprecated; b's
	// default-already-set; [vgpu_a]mdev_class and [mdev_c] ignored.
	if want := map[string]int{CodeDeprecated: 2, CodeNovaLog: 0, CodeIgnored: 2}; codes[CodeDeprecated] != 2 || codes[CodeIgnored] != 2 {
		t.Errorf("warning codes %v, want %v: %+v", codes, want, c.Warnings)
	}
	if !reflect.DeepEqual(c.Classes, map[string]string{"0000:84:00.0": "VGPU"}) {
		t.Errorf("classes %v: [vgpu_a]mdev_class is not read", c.Classes)
	}
}

func TestNeverMatches(t *testing.T) {
	set := load(t, "[devices]\nenabled_mdev_types = a, b\n[mdev_a]\ndevice_addresses = 0000:8A:00.0\n[mdev_b]\ndevice_addresses = 0000:85:00x1\n")
	c := Parse(set, rel(t, "2024.1"))
	var msgs []string
	for _, w := range c.Warnings {
		if w.Code == CodeNeverMatches {
			msgs = append(msgs, w.Message)
		}
	}
	if len(msgs) != 2 || !strings.Contains(msgs[0], "write 0000:8a:00.0") || !strings.Contains(msgs[1], "write 0000:85:00.1") {
		t.Errorf("never-matches warnings: %q", msgs)
	}
	if typ, _ := c.TypeOf("0000:8a:00.0"); typ != "" {
		t.Errorf("TypeOf(0000:8a:00.0) = %q: Nova compares the text", typ)
	}
}

func TestTypeOf(t *testing.T) {
	set := load(t, twoTypesOneWithout)
	for _, tc := range []struct{ rel, addr, typ, class string }{
		{"zed", "0000:84:00.0", "nvidia-35", "VGPU"},
		{"zed", "0000:85:00.0", "nvidia-35", "VGPU"},
		{"2024.1", "0000:84:00.0", "nvidia-35", "CUSTOM_A"},
		{"2024.1", "0000:85:00.0", "nvidia-36", "VGPU"},
	} {
		typ, class := Parse(set, rel(t, tc.rel)).TypeOf(tc.addr)
		if typ != tc.typ || class != tc.class {
			t.Errorf("%s TypeOf(%s) = %s, %s; want %s, %s", tc.rel, tc.addr, typ, class, tc.typ, tc.class)
		}
	}
}

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct {
		s    string
		zed  bool
		py13 bool
	}{
		{"0000:84:00.0", true, true},
		{"0000:84:00x0", true, true},
		{"0000:84:00.8", false, false},
		{"84:00.0", false, false},
		{"0000:84:00.0\n", true, true},
		{"0000:84:00\n0", false, false},
		{"000٠:84:00.0", true, true},           // ARABIC-INDIC DIGIT ZERO is \d
		{"000\U00011f50:84:00.0", false, true}, // KAWI DIGIT ZERO: Unicode 15
		{"0000:84:00.0 ", false, false},        // stripped by ListOpt before, but not by the regex
		{"0000:84:00.00", false, false},
	} {
		if got := parseAddress(tc.s, pysem.Py311); got != tc.zed {
			t.Errorf("parseAddress(%q) (Python 3.11) = %v", tc.s, got)
		}
		if got := parseAddress(tc.s, pysem.Py313); got != tc.py13 {
			t.Errorf("parseAddress(%q) (Python 3.13) = %v", tc.s, got)
		}
	}
}
