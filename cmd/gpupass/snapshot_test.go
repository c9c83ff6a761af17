package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/internal/fakehost"
	"github.com/gpupass/gpupass/snapshot"
)

var generatedAt = regexp.MustCompile(`"generated_at": "[^"]*",?\n`)

// TestSnapshotRoundTrip is the snapshot's contract: on every fixture,
// preflight, inventory and generate read the same from a snapshot of the
// tree as from the tree itself.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(hostsDir, name)
			tarball := filepath.Join(dir, name+".tar.gz")
			code, out, errOut := gpupass(t, nil, "snapshot", "--root", root, "-o", tarball)
			if code != 0 {
				t.Fatalf("snapshot: exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, "Wrote "+tarball) {
				t.Errorf("snapshot said %q", out)
			}
			// The tarball itself once; the tree it extracts to for the
			// other commands (extraction is most of a run's cost).
			s, err := snapshot.Open(tarball)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for i, args := range [][]string{
				{"preflight", "--format", "json"},
				{"preflight", "--format", "text", "--gpu", "all"},
				{"inventory", "--all", "--format", "json"},
				{"generate", "all"},
			} {
				from := tarball
				if i > 0 {
					from = filepath.Dir(s.Root)
				}
				wantCode, want, wantErr := gpupass(t, nil, append(args, "--root", root)...)
				gotCode, got, gotErr := gpupass(t, nil, append(args, "--root", from)...)
				want = generatedAt.ReplaceAllString(want, "")
				got = generatedAt.ReplaceAllString(got, "")
				if gotCode != wantCode || got != want || gotErr != wantErr {
					t.Errorf("%s: from the snapshot exit %d, from the tree %d; outputs differ:\n%s", strings.Join(args, " "), gotCode, wantCode, firstDiff(want+wantErr, got+gotErr))
				}
			}
		})
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  tree:     " + x + "\n  snapshot: " + y
		}
	}
	return "(same)"
}

// tarMembers reads a snapshot's members and their content.
func tarMembers(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out[h.Name] = string(body)
		if h.Typeflag == tar.TypeSymlink {
			out[h.Name] = "-> " + h.Linkname
		}
	}
}

func TestSnapshotManifestAndRedaction(t *testing.T) {
	t.Parallel()
	var all bytes.Buffer
	for _, name := range fixtureNames(t) {
		code, out, errOut := gpupass(t, nil, "snapshot", "--root", filepath.Join(hostsDir, name), "-o", "-")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		if !strings.Contains(errOut, "Wrote stdout: snapshot of ") {
			t.Errorf("%s: the summary goes to stderr with -o -: %q", name, errOut)
		}
		members := tarMembers(t, []byte(out))
		for _, body := range members {
			all.WriteString(body)
		}
		var m snapshot.Manifest
		if err := json.Unmarshal([]byte(members["gpupass-snapshot/manifest.json"]), &m); err != nil {
			t.Fatalf("%s: manifest: %v", name, err)
		}
		if m.Schema != snapshot.Schema || m.Hostname == "" || m.CreatedAt != "2026-11-23T12:00:00Z" || m.Tool.Version == "" || m.Members != len(members)-1 {
			t.Errorf("%s: manifest %+v (archive has %d members)", name, m, len(members))
		}
		switch name {
		case "quirks":
			// The collection's notes say what could not be read.
			if !strings.Contains(members["gpupass-snapshot/manifest.json"], "/sys/bus/pci/devices/0000:00:1f.5/vendor") {
				t.Errorf("quirks: the manifest does not list the binary vendor file: %+v", m.Unreadable)
			}
		case "boot-vga-gpu":
			if len(m.Redacted) == 0 || m.Redacted[0].Path != "/etc/nova/nova.conf" {
				t.Errorf("boot-vga-gpu: redacted %+v, want /etc/nova/nova.conf", m.Redacted)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(all.String(), s) {
			t.Errorf("a snapshot holds the secret %q", s)
		}
	}
}

// TestSnapshotSize: a 1,000-function host, with the full pci.ids of this
// machine when it has one, fits in 2 MB.
func TestSnapshotSize(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a 1,000-function host")
	}
	dir := t.TempDir()
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() { // tmpfs: 15,000 files
		if d, err := os.MkdirTemp("/dev/shm", "gpupass-test-"); err == nil {
			dir = d
			t.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	root := filepath.Join(dir, "root")
	if err := fakehost.Synthetic(1000).Build(root); err != nil {
		t.Fatal(err)
	}
	if full, err := os.ReadFile("/usr/share/misc/pci.ids"); err == nil {
		if err := os.WriteFile(filepath.Join(root, "usr/share/misc/pci.ids"), full, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tarball := filepath.Join(t.TempDir(), "s.tar.gz")
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", root, "-o", tarball); code != 0 {
		t.Fatal(errOut)
	}
	info, err := os.Stat(tarball)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("1,000-function host: %d bytes", info.Size())
	if info.Size() > 2<<20 {
		t.Errorf("snapshot of a 1,000-function host is %d bytes, over 2 MB", info.Size())
	}
	// and it holds every device
	data, _ := os.ReadFile(tarball)
	n := 0
	for name := range tarMembers(t, data) {
		if strings.HasPrefix(name, "gpupass-snapshot/root/sys/bus/pci/devices/") {
			n++
		}
	}
	if n < 1000 {
		t.Errorf("the snapshot holds %d of the 1,000 functions", n)
	}
}

func TestSnapshotBadRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tar.gz")
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", filepath.Join(hostsDir, "turing-workstation"), "-o", good); code != 0 {
		t.Fatal(errOut)
	}
	data, _ := os.ReadFile(good)
	truncated := filepath.Join(dir, "truncated.tar.gz")
	os.WriteFile(truncated, data[:len(data)/2], 0o644)
	notOne := filepath.Join(dir, "notes.txt")
	os.WriteFile(notOne, []byte("hello\n"), 0o644)
	for _, c := range []struct{ root, want string }{
		{truncated, "snapshot " + truncated + ": truncated"},
		{notOne, "snapshot " + notOne + ": not a gpupass snapshot"},
	} {
		for _, cmd := range []string{"preflight", "inventory", "generate"} {
			args := []string{cmd, "--root", c.root}
			if cmd == "generate" {
				args = []string{cmd, "all", "--root", c.root}
			}
			code, out, errOut := gpupass(t, nil, args...)
			if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and %q", strings.Join(args, " "), code, out, errOut, c.want)
			}
		}
	}
	// An extracted snapshot is a root too.
	s, err := snapshot.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	extracted := filepath.Dir(s.Root)
	code1, want, _ := gpupass(t, nil, "preflight", "--format", "json", "--root", good)
	code2, got, errOut := gpupass(t, nil, "preflight", "--format", "json", "--root", extracted)
	if code1 != code2 || generatedAt.ReplaceAllString(got, "") != generatedAt.ReplaceAllString(want, "") {
		t.Errorf("preflight on the extracted snapshot %s differs (exit %d, %s)", extracted, code2, errOut)
	}
	// snapshot wants -o
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", filepath.Join(hostsDir, "quirks")); code != 2 || !strings.Contains(errOut, "snapshot needs -o FILE.tar.gz") {
		t.Errorf("snapshot without -o: exit %d, %q", code, errOut)
	}
}
