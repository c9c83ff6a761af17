package collect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
)

var h100 = filepath.Join("..", "testdata", "hosts", "h100-hgx")

func TestReadNode(t *testing.T) {
	rec := hostinfo.NewRecorder()
	n, err := Read(h100, Options{Hostname: "gpu07", Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	if n.Host.Hostname != "gpu07" || len(n.Host.Devices) == 0 {
		t.Errorf("host %q with %d devices", n.Host.Hostname, len(n.Host.Devices))
	}
	if n.NovaConf == nil || n.NovaConf.Role != "compute" || n.NovaConf.Layout != "packages" || len(n.NovaConf.Files) == 0 {
		t.Fatalf("nova.conf %+v", n.NovaConf)
	}
	if n.System.ID != "ubuntu" {
		t.Errorf("system %+v", n.System)
	}
	if n.Release.Name == "" || n.ReleaseFrom == "" {
		t.Errorf("release %q (%s)", n.Release.Name, n.ReleaseFrom)
	}
	// The recording holds every kind of read: sysfs, nova.conf, os-release.
	seen := map[string]bool{}
	for _, p := range rec.Paths() {
		seen[p.Path] = true
	}
	for _, want := range []string{"/etc/nova/nova.conf", "/etc/os-release", "/proc/cmdline", "/sys/bus/pci/devices"} {
		if !seen[want] {
			t.Errorf("the recording lacks %s", want)
		}
	}
}

func TestReadGivenConfAndRelease(t *testing.T) {
	n, err := Read(h100, Options{NovaConf: []string{"/etc/nova/nova.conf"}, NovaRelease: "caracal"})
	if err != nil {
		t.Fatal(err)
	}
	if n.NovaConf.Layout != "given" || n.Release.Name != "2024.1" || n.ReleaseFrom != "given with --nova-release" {
		t.Errorf("layout %q, release %s (%s)", n.NovaConf.Layout, n.Release.Name, n.ReleaseFrom)
	}
	// A bad release fails before the root is even looked at.
	if _, err := Read("/nonexistent", Options{NovaRelease: "folsom"}); err == nil || !strings.HasPrefix(err.Error(), "--nova-release: ") {
		t.Errorf("bad release: %v", err)
	}
	if _, err := Read(filepath.Join(h100, "nonexistent"), Options{}); err == nil {
		t.Error("a missing root must fail")
	}
}

func TestLocalConf(t *testing.T) {
	if LocalConf("api", nil, nil) != nil {
		t.Error("no file, no configuration")
	}
	c := LocalConf("api", []string{filepath.Join("..", "testdata", "api-conf", "controller.conf")}, nil)
	if c == nil || c.Role != "api" || c.Layout != "given" || len(c.Files) != 1 || c.Files[0].Mode == 0 {
		t.Errorf("api conf %+v", c)
	}
	missing := LocalConf("lint", []string{"/nonexistent/nova.conf"}, nil)
	if missing == nil || len(missing.Files) != 0 || len(missing.Problems) == 0 {
		t.Errorf("a missing file is a problem, not a file: %+v", missing)
	}
}

// A nova.conf under the root larger than gpupass reads is "too large", not
// "cannot be read (run as root)".
func TestNodeConfTooLarge(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"etc/nova", "sys", "proc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(root, "etc", "nova", "nova.conf"))
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(novaconf.MaxFileSize + 1) // sparse
	f.Close()
	fsys, err := hostinfo.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	set := NodeConf(fsys, []string{"/etc/nova/nova.conf"}, nil)
	if set == nil || len(set.Problems) != 1 || set.Problems[0].Code != novaconf.CodeTooLarge || strings.Contains(set.Problems[0].Message, "root") {
		t.Errorf("problems %+v", set.Problems)
	}
}
