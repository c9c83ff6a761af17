package mdevconf

import (
	"github.com/gpupass/gpupass/internal/pysem"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// FuzzParse feeds arbitrary nova.conf text (one or two files) to Parse
// under every release: it never panics, everything it says about the
// configuration carries the file:line it is about, and what it says nova
// uses is consistent. The seeds are the oracle's cases and the corpus in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(oracleDir, "cases", "*.conf"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, []byte(nil))
		}
	}
	f.Add([]byte("[devices]\nenabled_mdev_types = a, b\n[mdev_a]\ndevice_addresses = 0000:84:00.0\n"), []byte("[vgpu_b]\ndevice_addresses = 0000:84:00.0\n[mdev_a]\nmdev_class = x\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		files := map[string][]byte{"/etc/nova/nova.conf": a}
		names := []string{"/etc/nova/nova.conf"}
		if b != nil {
			files["/etc/nova/nova-compute.conf"] = b
			names = append(names, "/etc/nova/nova-compute.conf")
		}
		r := novaconf.ReaderFuncs{
			File: func(p string) ([]byte, error) { return files[p], nil },
			Dir:  func(string) ([]fs.DirEntry, error) { return nil, nil },
		}
		set := novaconf.LoadSet("compute", "given", r, names, nil, func(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist })
		for _, rel := range novarelease.All {
			c := Parse(set, rel)
			check(t, rel, c)
		}
	})
}

func check(t *testing.T, rel novarelease.Release, c *Conf) {
	t.Helper()
	if c == nil {
		t.Fatalf("%s: Parse returned nil for a loaded set", rel)
	}
	if e := c.StartErr; e != nil {
		if e.Where.File == "" || e.Exception == "" || e.Message == "" {
			t.Fatalf("%s: StartErr without its source or text: %+v", rel, e)
		}
		if c.Used != nil || c.Mapping != nil || c.Default != "" {
			t.Fatalf("%s: nova-compute does not start, yet Used %q Mapping %v Default %q", rel, c.Used, c.Mapping, c.Default)
		}
	}
	for _, w := range c.Warnings {
		if w.Where.File == "" || w.Code == "" || w.Message == "" {
			t.Fatalf("%s: warning without its source: %+v", rel, w)
		}
	}
	for _, u := range c.Used {
		if !slices.Contains(c.Enabled, u) {
			t.Fatalf("%s: used type %q is not enabled (%q)", rel, u, c.Enabled)
		}
	}
	for a, typ := range c.Mapping {
		if !parseAddress(a, pysem.ForNova(rel.Major)) || !slices.Contains(c.Used, typ) && typ != "" {
			t.Fatalf("%s: mapping %q -> %q: not an address Nova accepts, or a type not used", rel, a, typ)
		}
		if _, ok := c.Classes[a]; !ok {
			t.Fatalf("%s: %q mapped without a class", rel, a)
		}
	}
	for _, cl := range c.ResourceClasses {
		if cl != VGPU && !strings.HasPrefix(cl, "CUSTOM_") {
			t.Fatalf("%s: resource class %q", rel, cl)
		}
	}
	if len(c.Used) > 0 && c.EnabledValue == nil {
		t.Fatalf("%s: types used without enabled_mdev_types", rel)
	}
	for _, g := range c.Groups {
		if g.Where.File == "" || g.Where.Line == 0 {
			t.Fatalf("%s: group %q without its header's line", rel, g.Section)
		}
	}
}
