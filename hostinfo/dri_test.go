package hostinfo_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

func TestParseDRI(t *testing.T) {
	for in, want := range map[string]string{
		"i915 dev=0000:00:02.0 master=pci:0000:00:02.0 unique=0000:00:02.0\n":     "0000:00:02.0",
		"nvidia-drm dev=0000:01:00.0 unique=0000:01:00.0\n":                       "0000:01:00.0",
		"simple-framebuffer dev=simple-framebuffer.0 unique=simple-framebuffer.0": "",
		"": "",
	} {
		if got := hostinfo.ParseDRIName(in); got != want {
			t.Errorf("ParseDRIName(%q) = %q, want %q", in, got, want)
		}
	}
	clients := "             command   tgid dev master a   uid      magic\n" +
		"                Xorg   1423   0   y    y     0          0\n" +
		"         gnome-shell   2210 128   n    n  1000          0\n\n"
	if diff := cmp.Diff([]string{"Xorg", "gnome-shell"}, hostinfo.ParseDRIClients(clients)); diff != "" {
		t.Errorf("ParseDRIClients (-want +got):\n%s", diff)
	}
}

// Collect names the display servers that hold a GPU open, from debugfs.
func TestCollectDisplayClients(t *testing.T) {
	root := copyFixture(t, "turing-workstation")
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sys/kernel/debug/dri/0/name", "i915 dev=0000:00:02.0 master=pci:0000:00:02.0 unique=0000:00:02.0\n")
	write("sys/kernel/debug/dri/0/clients", "  command tgid dev master a uid magic\n     Xorg 1423 0 y y 0 0\n  firefox 3000 128 n n 1000 0\n")
	write("sys/kernel/debug/dri/128/name", "i915 dev=0000:00:02.0 unique=0000:00:02.0\n")
	write("sys/kernel/debug/dri/128/clients", "  command tgid dev master a uid magic\n gnome-shell 2210 128 n n 1000 0\n")
	host, err := hostinfo.Collect(root, hostinfo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range host.Devices {
		want := []string(nil)
		if d.Address == "0000:00:02.0" {
			want = []string{"Xorg", "gnome-shell"}
		}
		if diff := cmp.Diff(want, d.DisplayClients); diff != "" {
			t.Errorf("%s: display clients (-want +got):\n%s", d.Address, diff)
		}
	}
}

func FuzzParseDRIClients(f *testing.F) {
	f.Add("command tgid\nXorg 1 0 y y 0 0\n")
	f.Add("\n\n x\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range hostinfo.ParseDRIClients(s) {
			if c == "" || strings.ContainsAny(c, " \t\n") {
				t.Fatalf("command %q", c)
			}
		}
		if a := hostinfo.ParseDRIName(s); a != "" {
			if _, err := pcidev.ParseAddress(a); err != nil {
				t.Fatalf("address %q: %v", a, err)
			}
		}
	})
}

// copyFixture copies testdata/hosts/NAME (symlinks as symlinks).
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "testdata", "hosts", name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
