package fakehost

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// scratch is a directory for the trees the tests build, on a tmpfs when
// the machine has one: a synthetic host is tens of thousands of files,
// and disks make that slow.
var (
	scratchOnce sync.Once
	scratchDir  string
	scratchErr  error
	builtMu     sync.Mutex
	built       = map[string]string{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if scratchDir != "" {
		os.RemoveAll(scratchDir)
	}
	os.Exit(code)
}

func scratch(t testing.TB) string {
	t.Helper()
	scratchOnce.Do(func() {
		for _, base := range []string{"/dev/shm", ""} {
			if base != "" {
				if info, err := os.Stat(base); err != nil || !info.IsDir() {
					continue
				}
			}
			scratchDir, scratchErr = os.MkdirTemp(base, "fakehost-test-")
			if scratchErr == nil {
				return
			}
		}
	})
	if scratchErr != nil {
		t.Fatal(scratchErr)
	}
	return scratchDir
}

// buildFixture builds a fixture once per test binary and returns its root.
func buildFixture(t *testing.T, f Fixture) string {
	t.Helper()
	builtMu.Lock()
	defer builtMu.Unlock()
	if dir, ok := built[f.Name]; ok {
		return dir
	}
	dir := filepath.Join(scratch(t), f.Name)
	if err := f.Host.Build(dir); err != nil {
		t.Fatalf("build %s: %v", f.Name, err)
	}
	built[f.Name] = dir
	return dir
}

// node of a tree on disk, read without following symlinks.
type diskEntry struct {
	kind   string // dir, file, link
	data   []byte
	target string
}

func readTree(root string) (map[string]diskEntry, error) {
	out := map[string]diskEntry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = diskEntry{kind: "link", target: target}
		case info.IsDir():
			// Directories are implied by what they hold: git keeps no
			// empty directory, so a fresh clone lacks the empty ones
			// (holders/, an IOMMU-less /sys/class/iommu) that Build makes.
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = diskEntry{kind: "file", data: data}
		}
		return nil
	})
	return out, err
}

// diffTrees describes how two trees differ: paths only in one, changed
// kinds, contents, symlink targets. Permission bits are not compared: git
// keeps only the executable bit.
func diffTrees(want, got map[string]diskEntry) []string {
	var diffs []string
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inGot:
			diffs = append(diffs, fmt.Sprintf("%s: committed (%s) but the spec does not build it", p, w.kind))
		case !inWant:
			diffs = append(diffs, fmt.Sprintf("%s: built from the spec (%s) but not committed", p, g.kind))
		case w.kind != g.kind:
			diffs = append(diffs, fmt.Sprintf("%s: committed is a %s, spec builds a %s", p, w.kind, g.kind))
		case w.kind == "link" && w.target != g.target:
			diffs = append(diffs, fmt.Sprintf("%s: committed link -> %s, spec -> %s", p, w.target, g.target))
		case w.kind == "file" && !bytes.Equal(w.data, g.data):
			diffs = append(diffs, fmt.Sprintf("%s: %s", p, contentDiff(w.data, g.data)))
		}
	}
	return diffs
}

func contentDiff(want, got []byte) string {
	if isText(want) && isText(got) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				return fmt.Sprintf("line %d: committed %q, spec %q", i+1, w, g)
			}
		}
	}
	n := min(len(want), len(got))
	for i := range n {
		if want[i] != got[i] {
			return fmt.Sprintf("byte %#x: committed %#02x, spec %#02x (%d vs %d bytes)", i, want[i], got[i], len(want), len(got))
		}
	}
	return fmt.Sprintf("committed %d bytes, spec %d bytes", len(want), len(got))
}

func isText(b []byte) bool {
	for _, c := range b {
		if c == 0 || c > 0x7e || c < 0x20 && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// resolve follows symlinks inside root the way the kernel would, with
// Lstat and Readlink only, and fails on loops or paths leaving root.
func resolve(root, rel string) (string, error) {
	parts := strings.Split(path.Clean(rel), "/")
	cur := ""
	hops := 0
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if cur == "" {
				return "", fmt.Errorf("%s leaves the root", rel)
			}
			cur = path.Dir(cur)
			if cur == "." {
				cur = ""
			}
			continue
		}
		next := path.Join(cur, part)
		info, err := os.Lstat(filepath.Join(root, filepath.FromSlash(next)))
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return "", errors.New("too many levels of symbolic links")
		}
		target, err := os.Readlink(filepath.Join(root, filepath.FromSlash(next)))
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			cur = ""
		}
		parts = append(strings.Split(target, "/"), parts...)
	}
	return cur, nil
}

func readAttr(t *testing.T, root, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

// damaged lists the functions a fixture damages on purpose.
func damaged(h *Host) map[string]bool {
	out := map[string]bool{}
	for _, d := range h.Damage {
		if d.Addr != "" {
			out[d.Addr] = true
		}
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := Fixtures(), Fixtures()
	for i := range a {
		ta, err := a[i].Host.tree()
		if err != nil {
			t.Fatal(err)
		}
		tb, err := b[i].Host.tree()
		if err != nil {
			t.Fatal(err)
		}
		if len(ta) != len(tb) {
			t.Fatalf("%s: %d entries, then %d", a[i].Name, len(ta), len(tb))
		}
		for p, e := range ta {
			f := tb[p]
			if f == nil || f.kind != e.kind || f.target != e.target || !bytes.Equal(f.data, e.data) || f.mode != e.mode {
				t.Fatalf("%s: %s differs between two builds", a[i].Name, p)
			}
		}
	}
}

func TestBuildRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Fixtures()[0].Host.Build(dir); err == nil {
		t.Fatal("Build wrote into a non-empty directory")
	}
}

func TestSpecErrors(t *testing.T) {
	cases := map[string][]Device{
		"bad address":    {{Addr: "0:1:2.3"}},
		"unknown parent": {{Addr: "0000:01:00.0", Parent: "0000:00:01.0"}},
		"parent not a bridge": {
			{Addr: "0000:00:01.0", Class: 0x030000},
			{Addr: "0000:01:00.0", Parent: "0000:00:01.0"},
		},
		"empty bridge": {{Addr: "0000:00:01.0", Class: 0x060400}},
		"duplicate":    {{Addr: "0000:00:01.0"}, {Addr: "0000:00:01.0"}},
	}
	for name, devs := range cases {
		h := &Host{Hostname: "x", KernelRelease: "6.8.0", Devices: devs}
		if _, err := h.tree(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
