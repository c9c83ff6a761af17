//go:build linux

package main

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/snapshot"
)

// analystSecret stands for the content of the files of the machine
// running gpupass.
const analystSecret = "ANALYST-OWN-FILE-3b9f"

// plantOutsideLinks points files and a device of a host tree at a
// directory outside it (absolute and ../../.. links), which holds the
// analyst's files.
func plantOutsideLinks(t *testing.T, root, outside string) {
	t.Helper()
	write := func(p, content string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "cmdline"), "intel_iommu=on "+analystSecret+"\n")
	write(filepath.Join(outside, "hostname"), analystSecret+"\n")
	dev := filepath.Join(outside, "device")
	for name, content := range map[string]string{"vendor": "0x10de\n", "device": "0x2330\n", "class": "0x030200\n", "driver_override": analystSecret + "\n"} {
		write(filepath.Join(dev, name), content)
	}
	link := func(hostPath, target string) {
		p := filepath.Join(root, hostPath)
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	climb := strings.Repeat("../", 20)
	link("proc/cmdline", filepath.Join(outside, "cmdline"))
	os.Remove(filepath.Join(root, "proc/sys/kernel/hostname"))
	link("etc/hostname", climb+strings.TrimPrefix(filepath.Join(outside, "hostname"), "/"))
	link("sys/bus/pci/devices/0000:18:00.0", dev)
}

// A host tree, or an extracted snapshot given as a folder, whose files
// link outside it never makes gpupass read the analyst's own files: not
// into the report, not into a snapshot's files or manifest.
func TestRootLinksOutsideAreNotRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := filepath.Join(dir, "analyst")
	tree := filepath.Join(dir, "tree")
	copyHost(t, filepath.Join(hostsDir, "h100-hgx"), tree)
	plantOutsideLinks(t, tree, outside)

	for _, args := range [][]string{
		{"preflight", "--format", "json"},
		{"preflight"},
		{"inventory", "--all", "--format", "json"},
	} {
		_, out, errOut := gpupass(t, nil, append(args, "--root", tree)...)
		if strings.Contains(out+errOut, analystSecret) {
			t.Errorf("%s printed the analyst's file:\n%s%s", strings.Join(args, " "), out, errOut)
		}
	}

	tarball := filepath.Join(dir, "s.tar.gz")
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", tree, "-o", tarball); code != 0 {
		t.Fatalf("snapshot: exit %d: %s", code, errOut)
	}
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		if strings.Contains(string(data), analystSecret) {
			t.Errorf("the snapshot's %s holds the analyst's file", h.Name)
		}
	}

	// A snapshot extracted into a folder, then given as --root.
	clean := filepath.Join(dir, "clean.tar.gz")
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", filepath.Join(hostsDir, "h100-hgx"), "-o", clean); code != 0 {
		t.Fatalf("snapshot: exit %d: %s", code, errOut)
	}
	s, err := snapshot.Open(clean)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plantOutsideLinks(t, s.Root, outside)
	_, out, errOut := gpupass(t, nil, "preflight", "--format", "json", "--root", filepath.Dir(s.Root))
	if strings.Contains(out+errOut, analystSecret) {
		t.Errorf("preflight of an extracted snapshot printed the analyst's file:\n%s%s", out, errOut)
	}
	if !strings.Contains(out, `"path": "/proc/cmdline"`) {
		t.Errorf("no note on /proc/cmdline, which links outside the folder:\n%s", out)
	}
}

// Links that resolve inside the root (absolute, or climbing past it) are
// followed there, and a snapshot of such a tree records every path used:
// preflight reads the same from the snapshot as from the tree.
func TestRootLinksInsideRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	copyHost(t, filepath.Join(hostsDir, "h100-hgx"), tree)
	move := func(hostPath, to, target string) {
		from := filepath.Join(tree, hostPath)
		dst := filepath.Join(tree, to)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(from, dst); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, from); err != nil {
			t.Fatal(err)
		}
	}
	move("proc/cmdline", "boot/cmdline", "/boot/cmdline")
	move("etc/modprobe.d", "usr/lib/modprobe.d", strings.Repeat("../", 12)+"usr/lib/modprobe.d")
	move("etc/nova", "srv/nova", "/srv/nova")
	_, want, _ := gpupass(t, nil, "preflight", "--format", "json", "--root", filepath.Join(hostsDir, "h100-hgx"))
	_, fromTree, _ := gpupass(t, nil, "preflight", "--format", "json", "--root", tree)
	tarball := filepath.Join(dir, "s.tar.gz")
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", tree, "-o", tarball); code != 0 {
		t.Fatalf("snapshot: exit %d: %s", code, errOut)
	}
	_, fromSnapshot, _ := gpupass(t, nil, "preflight", "--format", "json", "--root", tarball)
	want = generatedAt.ReplaceAllString(want, "")
	fromTree = generatedAt.ReplaceAllString(fromTree, "")
	fromSnapshot = generatedAt.ReplaceAllString(fromSnapshot, "")
	if fromTree != want {
		t.Errorf("links inside the root read differently from the files themselves:\n%s", firstDiff(want, fromTree))
	}
	if fromSnapshot != fromTree {
		t.Errorf("the snapshot reads differently from the tree:\n%s", firstDiff(fromTree, fromSnapshot))
	}
}
