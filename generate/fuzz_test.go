package generate

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
)

// Whatever the word, /bin/sh passes the command the word shellQuote
// wrote: alone, as the VALUE of NAME=VALUE, and as the NAME. (NUL cannot
// be in an argument at all.)
func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"", "a b", "it's", "$(id)", "x;rm -rf ~", "\n", "é", "\xff", "=", "a=b'c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) {
			return
		}
		l := Line{{"cmd", s, "--k=" + s, s + "=v"}}
		got := argvShell(t, []Line{l})
		if len(got) != 1 || len(got[0]) != 1 || strings.Join(got[0][0], "\x00") != strings.Join(l[0], "\x00") {
			t.Fatalf("%s: sh passed %q, want %q", l, got, l[0])
		}
	})
}

// A name CheckAliasName takes goes through nova.conf and back as itself,
// makes a pci_passthrough:alias extra spec Nova's grammar (pcispec)
// accepts, and stays one word of the flavor command.
func FuzzAliasName(f *testing.F) {
	for _, s := range append([]string{"h100", "", "a:b", "$x", " x", "日本語"}, hostileNames...) {
		f.Add(s)
	}
	rel, _ := novarelease.Parse("2024.1")
	f.Fuzz(func(t *testing.T, name string) {
		if CheckAliasName(name) != nil {
			return
		}
		p, err := Build(host("ro", "GenuineIntel"), Options{Release: rel, AliasNames: map[string]string{"10de:2330": name}})
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		cfg, problems := novaconf.Load(memFiles{"/n.conf": p.ComputeConf()}, []string{"/n.conf"}, nil)
		if len(problems) > 0 {
			t.Fatalf("%q: %v", name, problems)
		}
		var texts []string
		for _, v := range cfg.Lookup(novaconf.OptAlias) {
			texts = append(texts, v.Text)
		}
		aliases, _, err := pcispec.ParseAliasesWith(texts, rel, pcispec.Options{})
		if err != nil || aliases[name] == nil || len(aliases) != 1 {
			t.Fatalf("%q: read back as %v: %v", name, aliases, err)
		}
		f := p.Flavors()[0]
		if err := pcispec.ValidateExtraSpec("pci_passthrough:alias", f.ExtraSpecs[0][1], rel); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if f.Name != "gpu."+name+".1" {
			t.Fatalf("%q: flavor %q", name, f.Name)
		}
	})
}
