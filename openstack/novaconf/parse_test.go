package novaconf

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// valueStrings formats values as "[group]name=text@line" for comparison.
func valueStrings(vs []Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("[%s]%s=%q@%d", v.Group, v.Name, v.Text, v.Source.Line)
	}
	return out
}

func codes(ps []Problem, severity string) []string {
	var out []string
	for _, p := range ps {
		if p.Severity == severity {
			out = append(out, fmt.Sprintf("%s@%d", p.Code, p.Source.Line))
		}
	}
	return out
}

// TestParseRules has one case per rule of oslo.config's parser (each also
// has a file in testdata/oslo that oslo.config itself reads; see
// TestOracleAgreement).
func TestParseRules(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		values []string // "[group]name=\"text\"@line"
		err    string   // "code@line" of the error that stops the file
		oslo   int      // oslo.config's line for it, when it differs
		warns  []string // "code@line"
		errs   []string // all errors, when more than the one that stops the file
	}{
		{name: "equals delimiter", in: "[pci]\nalias = x\n", values: []string{`[pci]alias="x"@2`}},
		{name: "colon delimiter", in: "[pci]\nalias: x\n", values: []string{`[pci]alias="x"@2`}},
		{name: "equals before colon", in: "[pci]\nalias = {\"a\": 1}\n", values: []string{`[pci]alias="{\"a\": 1}"@2`}},
		{name: "colon before equals", in: "[libvirt]\nvirt_type:kvm=1\n", values: []string{`[libvirt]virt_type="kvm=1"@2`}},
		{name: "key and value stripped", in: "[pci]\n alias\t=\t x \t\n"[:0] + "[pci]\nalias \t=\t x \t\n", values: []string{`[pci]alias="x"@2`}},
		{name: "continuation with spaces", in: "[pci]\nalias = {\n    \"a\": 1\n    }\n", values: []string{`[pci]alias="{\n\"a\": 1\n}"@2`}},
		{name: "continuation with tabs", in: "[pci]\nalias = {\n\t\"a\": 1\n \t}\n", values: []string{`[pci]alias="{\n\"a\": 1\n}"@2`}},
		{name: "continuation of an empty first line", in: "[pci]\nalias =\n  x\n", values: []string{`[pci]alias="\nx"@2`}},
		{name: "blank line ends a value", in: "[pci]\nalias = a\n  b\n\nc = d\n", values: []string{`[pci]alias="a\nb"@2`, `[pci]c="d"@5`}},
		{name: "line of spaces ends a value", in: "[pci]\nalias = a\n   \nc = d\n", values: []string{`[pci]alias="a"@2`, `[pci]c="d"@4`}},
		{name: "indented line after a blank line", in: "[pci]\nalias = a\n\n  b\n", values: []string{`[pci]alias="a"@2`}, err: "unexpected-continuation@4"},
		{name: "indented first line", in: "  [DEFAULT]\n", err: "unexpected-continuation@1"},
		{name: "indented line after a section", in: "[pci]\n  alias = a\n", err: "unexpected-continuation@2"},
		{name: "indented line after a comment", in: "[pci]\nalias = a\n# c\n  b\n", values: []string{`[pci]alias="a"@2`}, err: "unexpected-continuation@4"},
		{name: "hash inside a value is kept", in: "[libvirt]\nvirt_type = kvm # default\n", values: []string{`[libvirt]virt_type="kvm # default"@2`}, warns: []string{"inline-comment@2"}},
		{name: "hash inside a JSON string is kept quietly", in: "[pci]\nalias = {\"name\": \"gpu #1\", \"x\": \"a\\\" ;b\"}\n",
			values: []string{`[pci]alias="{\"name\": \"gpu #1\", \"x\": \"a\\\" ;b\"}"@2`}},
		{name: "hash without a space is kept quietly", in: "[pci]\nalias = {\"name\": \"gpu#1\"}\n", values: []string{`[pci]alias="{\"name\": \"gpu#1\"}"@2`}},
		{name: "semicolon inside a value is kept", in: "[libvirt]\nvirt_type = kvm ; default\n", values: []string{`[libvirt]virt_type="kvm ; default"@2`}, warns: []string{"inline-comment@2"}},
		{name: "hash comment", in: "# c\n[pci]\n#alias = a\n", values: nil},
		{name: "semicolon comment", in: "; c\n[pci]\n;alias = a\n", values: nil},
		{name: "indented hash continues the value", in: "[pci]\nalias = a\n  # b\n", values: []string{`[pci]alias="a\n# b"@2`}, warns: []string{"indented-comment@3"}},
		{name: "double quotes stripped", in: "[libvirt]\nvirt_type = \"kvm\"\n", values: []string{`[libvirt]virt_type="kvm"@2`}},
		{name: "single quotes stripped", in: "[libvirt]\nvirt_type = 'kvm'\n", values: []string{`[libvirt]virt_type="kvm"@2`}},
		{name: "first and last quote stripped though not one string", in: "[libvirt]\nvirt_type = \"a\" \"b\"\n", values: []string{`[libvirt]virt_type="a\" \"b"@2`}, warns: []string{"quotes@2"}},
		{name: "mismatched quotes kept", in: "[libvirt]\nvirt_type = 'x\"\n", values: []string{`[libvirt]virt_type="'x\""@2`}, warns: []string{"quotes@2"}},
		{name: "lone quote becomes empty", in: "[libvirt]\nvirt_type = \"\n", values: []string{`[libvirt]virt_type=""@2`}, warns: []string{"quotes@2"}},
		{name: "empty quotes", in: "[libvirt]\nvirt_type = \"\"\n", values: []string{`[libvirt]virt_type=""@2`}},
		{name: "quotes on continuation lines kept", in: "[pci]\nalias =\n  \"x\"\n", values: []string{`[pci]alias="\n\"x\""@2`}, warns: []string{"quotes@2"}},
		{name: "quotes across continuation lines kept", in: "[pci]\nalias = \"a\n  b\"\n", values: []string{`[pci]alias="\"a\nb\""@2`}, warns: []string{"quotes@2"}},
		{name: "quoted first line then continuation", in: "[pci]\nalias = \"a\"\n  b\n", values: []string{`[pci]alias="a\nb"@2`}, warns: []string{"quotes@2"}},
		{name: "section lower-cased", in: "[PCI]\nalias = a\n", values: []string{`[pci]alias="a"@2`}},
		{name: "DEFAULT kept", in: "[DEFAULT]\ntransport_url = r\n", values: []string{`[DEFAULT]transport_url="r"@2`}},
		{name: "Default is not DEFAULT", in: "[Default]\ntransport_url = r\n", values: []string{`[default]transport_url="r"@2`}, warns: []string{"default-case@1"}},
		{name: "empty section name", in: "[]\n", err: "section-empty@1"},
		{name: "section without end bracket", in: "[pci\n", err: "section-end@1"},
		{name: "comment after a section", in: "[pci] # c\n", err: "section-end@1"},
		{name: "trailing blanks after a section", in: "[pci] \t\nalias = a\n", values: []string{`[pci]alias="a"@2`}},
		{name: "spaces inside brackets", in: "[ pci ]\nalias = a\n", values: []string{`[ pci ]alias="a"@2`}, warns: []string{"section-space@1"}},
		{name: "dotless I", in: "[PCİ]\nalias = a\n", values: []string{"[pci\u0307]alias=\"a\"@2"}},
		{name: "duplicate sections merged", in: "[pci]\nalias = a\n[libvirt]\nvirt_type = kvm\n[PCI]\nalias = b\n", values: []string{`[pci]alias="a"@2`, `[libvirt]virt_type="kvm"@4`, `[pci]alias="b"@6`}},
		{name: "repeated multi-valued key", in: "[pci]\ndevice_spec = a\ndevice_spec = b\ndevice_spec = c\n", values: []string{`[pci]device_spec="a"@2`, `[pci]device_spec="b"@3`, `[pci]device_spec="c"@4`}},
		{name: "repeated single-valued key", in: "[libvirt]\nvirt_type = qemu\nvirt_type = kvm\n", values: []string{`[libvirt]virt_type="qemu"@2`, `[libvirt]virt_type="kvm"@3`}, warns: []string{"repeated-key@2"}},
		{name: "assignment before any section", in: "virt_type = kvm\n\n[libvirt]\n", err: "no-section@1", oslo: 2},
		{name: "assignment before any section at the end", in: "# c\nvirt_type = kvm\n  more", err: "no-section@2", oslo: 3},
		{name: "CRLF", in: "[pci]\r\nalias = a\r\n  b\r\n", values: []string{`[pci]alias="a\nb"@2`}},
		{name: "lone CR ends a line", in: "[libvirt]\nvirt_type = kvm\rqemu\n", values: []string{`[libvirt]virt_type="kvm"@2`}, err: "no-delimiter@3", warns: []string{"carriage-return@2"}},
		{name: "CR line ends", in: "[libvirt]\rvirt_type = kvm\r", values: []string{`[libvirt]virt_type="kvm"@2`}, warns: []string{"carriage-return@1"}},
		{name: "BOM before DEFAULT", in: "\ufeff[DEFAULT]\n", err: "bom@1"},
		{name: "BOM before a comment", in: "\ufeff# c\n[DEFAULT]\n", err: "bom@1"},
		{name: "BOM before a key", in: "\ufeffa = b\n[DEFAULT]\n", err: "no-section@1", oslo: 2},
		{name: "NUL in a value", in: "[pci]\nalias = a\x00b\n", values: []string{`[pci]alias="a\x00b"@2`}, warns: []string{"control-character@2"}},
		{name: "binary garbage", in: "[pci]\nalias = a\n\x00\x01\x02\x7f\n", values: []string{`[pci]alias="a"@2`}, err: "no-delimiter@3"},
		{name: "invalid UTF-8", in: "[pci]\nalias = a\nx = caf\xe9\n", values: []string{`[pci]alias="a"@2`}, err: "invalid-utf8@3"},
		{name: "invalid UTF-8 after a parse error", in: "[pci]\nnonsense\n# caf\xe9\n", err: "invalid-utf8@3", errs: []string{"no-delimiter@2", "invalid-utf8@3"}},
		{name: "unterminated JSON across continuations", in: "[pci]\ndevice_spec = {\"a\": \"1\",\n  \"b\": {\"c\": 2\nalias = x\n",
			values: []string{`[pci]device_spec="{\"a\": \"1\",\n\"b\": {\"c\": 2"@2`, `[pci]alias="x"@4`}},
		{name: "key case kept", in: "[pci]\nDevice_Spec = a\n", values: []string{`[pci]Device_Spec="a"@2`}, warns: []string{"key-case@2"}},
		{name: "empty key", in: "[pci]\n= a\n", err: "empty-key@2"},
		{name: "no delimiter", in: "[libvirt]\nvirt_type kvm\n", err: "no-delimiter@2"},
		{name: "Python whitespace stripped", in: "[pci]\x0b\n\x1calias\u00a0= \u3000a\x1f\u2028\n", values: []string{`[pci]alias="a"@2`}},
		{name: "form feed line is blank", in: "[pci]\nalias = a\n\x0c\nb = c\n", values: []string{`[pci]alias="a"@2`, `[pci]b="c"@4`}},
		{name: "vertical tab is not a line break", in: "[pci]\nalias = a\x0bb\n", values: []string{`[pci]alias="a\vb"@2`}, warns: []string{"control-character@2"}},
		{name: "NBSP is not indentation", in: "[pci]\nalias = {\"a\": 1,\n\u00a0\u00a0\"b\": 2}\n",
			values: []string{`[pci]alias="{\"a\": 1,"@2`, `[pci]"b"="2}"@3`}, warns: []string{"key-malformed@3"}},
		{name: "backslash does not join lines", in: "[pci]\nalias = a \\\nb = c\n", values: []string{`[pci]alias="a \\"@2`, `[pci]b="c"@3`}, warns: []string{"backslash@2"}},
		{name: "dollar substitution", in: "[pci]\nalias = a$b\n", values: []string{`[pci]alias="a$b"@2`}, warns: []string{"substitution@2"}},
		{name: "escaped dollars", in: "[pci]\nalias = a$$b \\$c $ $1\n", values: []string{`[pci]alias="a$$b \\$c $ $1"@2`}},
		{name: "no newline at the end", in: "[libvirt]\nvirt_type = kvm", values: []string{`[libvirt]virt_type="kvm"@2`}},
		{name: "empty file", in: ""},
		{name: "empty value", in: "[pci]\nalias =\n", values: []string{`[pci]alias=""@2`}},
		{name: "key with a space", in: "[libvirt]\nvirt type = kvm\n", values: []string{`[libvirt]virt type="kvm"@2`}, warns: []string{"key-malformed@2"}},
		{name: "missing = in a JSON line", in: "[pci]\ndevice_spec {\"a\": \"b\"}\n", values: []string{`[pci]device_spec {"a"="\"b\"}"@2`}, warns: []string{"key-malformed@2", "quotes@2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, problems := Parse("nova.conf", []byte(tt.in))
			if got := valueStrings(f.Values); !slices.Equal(got, tt.values) {
				t.Errorf("values:\n got %q\nwant %q", got, tt.values)
			}
			var gotErr string
			if f.Err != nil {
				gotErr = fmt.Sprintf("%s@%d", f.Err.Code, f.Err.Source.Line)
			}
			if gotErr != tt.err {
				t.Errorf("error %q, want %q (%v)", gotErr, tt.err, problems)
			}
			if f.Err != nil && f.Err.Code != CodeInvalidUTF8 {
				want := tt.oslo
				if want == 0 {
					want = f.Err.Source.Line
				}
				if f.Err.OsloLine != want {
					t.Errorf("oslo line %d, want %d", f.Err.OsloLine, want)
				}
			}
			errs := codes(problems, SeverityError)
			if tt.errs != nil {
				if !slices.Equal(errs, tt.errs) {
					t.Errorf("errors %q, want %q", errs, tt.errs)
				}
			} else if len(errs) > 1 || (len(errs) == 1) != (tt.err != "") {
				t.Errorf("errors %q: want exactly the one that stops the file", errs)
			}
			if got := codes(problems, SeverityWarning); !slices.Equal(got, tt.warns) {
				t.Errorf("warnings %q, want %q\n%v", got, tt.warns, problems)
			}
		})
	}
}

// TestProblemMessages checks that error messages start with oslo.config's
// own words and carry file:line.
func TestProblemMessages(t *testing.T) {
	_, ps := Parse("/etc/nova/nova.conf", []byte("[pci]\nalias = a\n\n  b\n"))
	if len(ps) != 1 {
		t.Fatalf("problems %v", ps)
	}
	p := ps[0]
	if got, want := p.String(), `/etc/nova/nova.conf:4: error: Unexpected continuation line (an indented line continues the value of the key before it, and there is none: the blank line 3 ended the value of alias; nova will not start): "  b"`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if (Source{File: "/etc/nova/nova.conf"}).String() != "/etc/nova/nova.conf" {
		t.Error("a whole-file Source prints the file alone")
	}
}

// TestProblemLineClipped: a problem on a huge line shows the start only.
func TestProblemLineClipped(t *testing.T) {
	_, ps := Parse("x", []byte("[pci]\n"+strings.Repeat("x", 1<<20)+"\n"))
	if len(ps) != 1 || len(ps[0].Line) > maxProblemLine+len("…") {
		t.Fatalf("problems %d, line of %d bytes", len(ps), len(ps[0].Line))
	}
}

func TestFileGet(t *testing.T) {
	f, _ := Parse("x", []byte("[PCI]\nalias = a\n[pci]\nalias = b\n"))
	if got := valueStrings(f.Get("PCI", "alias")); !slices.Equal(got, []string{`[pci]alias="a"@2`, `[pci]alias="b"@4`}) {
		t.Errorf("Get = %q", got)
	}
	if got := f.Sections; len(got) != 2 || got[0].Name != "PCI" || got[0].Group != "pci" || got[1].Line != 3 {
		t.Errorf("Sections = %+v", got)
	}
}

func TestPyIsSpace(t *testing.T) {
	// Python 3.11: [hex(c) for c in range(0x110000) if chr(c).isspace()]
	python := []rune{0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
		0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000}
	var got []rune
	for r := rune(0); r <= 0x10ffff; r++ {
		if pyIsSpace(r) {
			got = append(got, r)
		}
	}
	if !slices.Equal(got, python) {
		t.Errorf("pyIsSpace = %U\nPython     %U", got, python)
	}
}

func TestParseBoolList(t *testing.T) {
	for in, want := range map[string]bool{"True": true, "yes": true, "ON": true, "1": true, "false": false, "No": false, "off": false, "0": false} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "enabled", "True ; comment", " true", "y"} {
		if _, err := ParseBool(in); err == nil {
			t.Errorf("ParseBool(%q) accepted", in)
		}
	}
	for in, want := range map[string][]string{
		"":                     {},
		"A":                    {"A"},
		"A, B,\nC,,":           {"A", "B", "C"},
		"A,,B":                 {"A", "", "B"},
		" ,A":                  {"", "A"},
		"\nA,\nB,\n":           {"A", "B"},
		"A\u00a0,\x1cB":        {"A", "B"},
		"PciPassthroughFilter": {"PciPassthroughFilter"},
	} {
		if got := ParseList(in); !slices.Equal(got, want) {
			t.Errorf("ParseList(%q) = %q, want %q", in, got, want)
		}
	}
}

// BoolFromString answers as oslo_utils.strutils.bool_from_string(s).
func TestBoolFromString(t *testing.T) {
	for s, want := range map[string]bool{
		"1": true, "t": true, "True": true, " yes ": true, "ON": true, "y": true,
		"0": false, "false": false, "": false, "2": false, "yess": false, "off": false, "n": false,
	} {
		if got := BoolFromString(s); got != want {
			t.Errorf("BoolFromString(%q) = %v, want %v", s, got, want)
		}
	}
}
