package novaconf

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A dynamic group is read like a declared one: Lookup with the group's
// name, its deprecated group as a deprecated name (oslo.config's rules for
// which file and which name win are the same; see Config.Lookup).
func TestDynamicGroups(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.conf")
	b := filepath.Join(dir, "b.conf")
	os.WriteFile(a, []byte("[MDEV_nvidia-35]\ndevice_addresses = 0000:84:00.0\n[vgpu_nvidia-35]\ndevice_addresses = 0000:85:00.0\nfoo = 1\n"), 0o644)
	os.WriteFile(b, []byte("[pci]\nalias = {}\n[vgpu_nvidia-35]\ndevice_addresses = 0000:86:00.0\n"), 0o644)
	cfg, problems := Load(DirReader(""), []string{a, b}, nil)
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	got := cfg.SectionsWithPrefix("mdev_", "vgpu_")
	want := []SectionAt{
		{File: a, Section: Section{Name: "MDEV_nvidia-35", Group: "mdev_nvidia-35", Line: 1}},
		{File: a, Section: Section{Name: "vgpu_nvidia-35", Group: "vgpu_nvidia-35", Line: 3}},
		{File: b, Section: Section{Name: "vgpu_nvidia-35", Group: "vgpu_nvidia-35", Line: 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SectionsWithPrefix = %+v\nwant %+v", got, want)
	}
	if got[2].Where() != (Source{File: b, Line: 3}) {
		t.Errorf("Where = %v", got[2].Where())
	}
	opt := Option{Group: "mdev_NVIDIA-35", Name: "device_addresses", Type: TypeList,
		Deprecated: []Name{{Group: "vgpu_NVIDIA-35", Name: "device_addresses"}}}
	// The deprecated group in the later file wins over the current group
	// in an earlier one.
	vs := cfg.Lookup(opt)
	if len(vs) != 1 || vs[0].Text != "0000:86:00.0" || !vs[0].Deprecated || vs[0].Source != (Source{File: b, Line: 4}) {
		t.Errorf("Lookup = %+v", vs)
	}
	var keys []string
	for _, v := range cfg.GroupValues("VGPU_nvidia-35") {
		keys = append(keys, v.Name+"@"+v.Source.String())
	}
	if want := []string{"device_addresses@" + a + ":4", "foo@" + a + ":5", "device_addresses@" + b + ":4"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("GroupValues = %q, want %q", keys, want)
	}
	if NormalizeGroup("MDEV_X") != "mdev_x" || NormalizeGroup("DEFAULT") != "DEFAULT" {
		t.Error("NormalizeGroup")
	}
}
