package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gpupass/gpupass/hostinfo"
)

type member struct {
	name, link string
	typ        byte
	body       string
	size       int64 // a body of this many zero bytes, when body is empty
}

func manifestMember(members int) member {
	m := Manifest{Schema: Schema, Members: members}
	data, _ := json.Marshal(m)
	return member{name: Top + "/manifest.json", typ: tar.TypeReg, body: string(data)}
}

// archive builds a gzipped tar of the members, a manifest counting them
// first.
func archive(t *testing.T, members ...member) []byte {
	t.Helper()
	return archiveWith(t, append([]member{manifestMember(len(members))}, members...)...)
}

func archiveWith(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: 0o644, ModTime: time.Unix(0, 0)}
		var body []byte
		if m.typ == tar.TypeReg {
			body = []byte(m.body)
			if m.body == "" && m.size > 0 {
				body = make([]byte, m.size)
			}
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openBytes writes an archive into a sandbox and opens it with TMPDIR in
// the sandbox: the test can see everything Open wrote.
func openBytes(t *testing.T, data []byte) (*Snapshot, string, error) {
	t.Helper()
	sandbox := t.TempDir()
	tmp := filepath.Join(sandbox, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	name := filepath.Join(sandbox, "snap.tar.gz")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(name)
	return s, sandbox, err
}

// sandboxEntries lists everything under the sandbox but the archive.
func sandboxEntries(t *testing.T, sandbox string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(sandbox, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(sandbox, p)
		if rel != "." && rel != "snap.tar.gz" && rel != "tmp" {
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestOpenRefusesBadArchives(t *testing.T) {
	root := Top + "/root/"
	big := archive(t, member{name: root + "sys/big", typ: tar.TypeReg, size: MaxMemberSize + 1})
	good := archive(t, member{name: root + "proc/cmdline", typ: tar.TypeReg, body: "intel_iommu=on\n"})
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)/2], "truncated"},
		{"truncated at a member boundary", archiveWith(t, manifestMember(3), member{name: root + "a", typ: tar.TypeReg, body: "x"}), "the manifest lists 3 members, the archive holds 1"},
		{"not an archive", []byte("this is not a tarball\n"), "not a gpupass snapshot"},
		{"gzip of garbage", gz(t, []byte(strings.Repeat("garbage", 200))), "not a gpupass snapshot"},
		{"empty", archiveWith(t), "empty archive"},
		{"first member not the manifest", archiveWith(t, member{name: root + "a", typ: tar.TypeReg, body: "x"}), "first member"},
		{"wrong schema", archiveWith(t, member{name: Top + "/manifest.json", typ: tar.TypeReg, body: `{"schema":"other"}`}), `schema "other"`},
		{"path traversal", archive(t, member{name: root + "../../../escaped", typ: tar.TypeReg, body: "x"}), "leads out of the archive"},
		{"absolute path", archive(t, member{name: "/tmp/escaped", typ: tar.TypeReg, body: "x"}), "absolute path"},
		{"outside the top directory", archive(t, member{name: "elsewhere/x", typ: tar.TypeReg, body: "x"}), "outside gpupass-snapshot/"},
		{"absolute symlink", archive(t, member{name: root + "etc/passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}), "absolute symlink target"},
		{"symlink climbing out", archive(t, member{name: root + "sys/x", typ: tar.TypeSymlink, link: "../../../../etc"}), "leads out of the snapshot"},
		{"symlink with .. after a name", archive(t, member{name: root + "sys/x", typ: tar.TypeSymlink, link: "a/../../.."}), `".." after a name`},
		{"member under a symlink", archive(t,
			member{name: root + "sys/x", typ: tar.TypeSymlink, link: "y"},
			member{name: root + "sys/x/file", typ: tar.TypeReg, body: "x"}), "lies under the symlink"},
		{"hard link", archive(t, member{name: root + "etc/shadow", typ: tar.TypeLink, link: Top + "/manifest.json"}), "hard link"},
		{"device", archive(t, member{name: root + "dev/kvm", typ: tar.TypeChar}), "character device"},
		{"huge member", big, "more than the 16777216 a host file can be"},
		{"duplicate", archive(t,
			member{name: root + "proc/cmdline", typ: tar.TypeReg, body: "a"},
			member{name: root + "proc/cmdline", typ: tar.TypeReg, body: "b"}), "appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, sandbox, err := openBytes(t, c.data)
			if err == nil {
				s.Close()
				t.Fatalf("Open accepted it")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "snapshot ") {
				t.Errorf("error %q, want it to name the snapshot and say %q", err, c.want)
			}
			// Nothing left behind, nothing written beside the temp dir.
			if left := sandboxEntries(t, sandbox); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
	t.Run("a good one opens and closes clean", func(t *testing.T) {
		s, sandbox, err := openBytes(t, good)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(s.Root, "proc", "cmdline"))
		if err != nil || string(data) != "intel_iommu=on\n" {
			t.Fatalf("proc/cmdline = %q, %v", data, err)
		}
		if !strings.HasPrefix(s.Root, filepath.Join(sandbox, "tmp")) {
			t.Errorf("extracted to %s, not under TMPDIR", s.Root)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if left := sandboxEntries(t, sandbox); len(left) > 0 {
			t.Errorf("Close left %v", left)
		}
	})
}

func gz(t *testing.T, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func TestCheckLink(t *testing.T) {
	for _, c := range []struct {
		link, target string
		ok           bool
	}{
		{"sys/bus/pci/devices/0000:01:00.0", "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0", true},
		{"sys/devices/pci0000:00/0000:01:00.0/driver", "../../../bus/pci/drivers/vfio-pci", true},
		{"sys/devices/x/driver", "driver", true}, // a loop, but inside
		{"etc/nova/nova.conf", "../kolla/nova.conf", true},
		{"a", "..", false},
		{"a/b", "../..", false},
		{"a/b", "./../c", true},
		{"a/b", "c/../../d", false},
		{"a/b", "/etc", false},
		{"a/b", "", false},
	} {
		if err := checkLink(c.link, c.target); (err == nil) != c.ok {
			t.Errorf("checkLink(%q, %q) = %v, want ok=%v", c.link, c.target, err, c.ok)
		}
	}
}

func TestNormalizeLink(t *testing.T) {
	for _, c := range []struct{ link, target, resolved, rel string }{
		{"/etc/nova/nova.conf", "/etc/kolla/nova.conf", "/etc/kolla/nova.conf", "../kolla/nova.conf"},
		{"/sys/bus/pci/devices/0000:01:00.0", "../../../devices/pci0000:00/0000:01:00.0", "/sys/devices/pci0000:00/0000:01:00.0", "../../../devices/pci0000:00/0000:01:00.0"},
		{"/etc/x", "../../../../y", "/y", "../y"}, // clamped at / as the kernel does
		{"/a/b", "c/../d", "/a/d", "d"},
		{"/a/b", ".", "/a", "."},
	} {
		resolved, rel := normalizeLink(c.link, c.target)
		if resolved != c.resolved || rel != c.rel {
			t.Errorf("normalizeLink(%q, %q) = %q, %q; want %q, %q", c.link, c.target, resolved, rel, c.resolved, c.rel)
		}
		if err := checkLink(strings.TrimPrefix(c.link, "/"), rel); err != nil {
			t.Errorf("the normalized target %q of %s is refused: %v", rel, c.link, err)
		}
	}
}

// TestWriteCapturesAsUsed: each access kind is captured as documented,
// absolute links are made relative, and nova.conf files are redacted.
func TestWriteCapturesAsUsed(t *testing.T) {
	root := t.TempDir()
	write := func(p, data string, mode fs.FileMode) {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("proc/cmdline", "intel_iommu=on\n", 0o444)
	write("sys/firmware/acpi/tables/DMAR", "binary table", 0o400)
	write("dev/kvm", "", 0o660)
	write("etc/kolla/nova.conf", "[DEFAULT]\ntransport_url = rabbit://nova:Sekr1t@ctl/\n", 0o640)
	write("etc/modprobe.d/vfio.conf", "options vfio-pci ids=10de:2330\n", 0o644)
	write("proc/not-used", "never captured", 0o444)
	os.MkdirAll(filepath.Join(root, "etc/nova"), 0o755)
	if err := os.Symlink("/etc/kolla/nova.conf", filepath.Join(root, "etc/nova/nova.conf")); err != nil {
		t.Fatal(err)
	}
	fsys, err := hostinfo.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m, err := Write(&buf, fsys, []hostinfo.Recorded{
		{Path: "/proc/cmdline", Access: hostinfo.AccessRead},
		{Path: "/sys/firmware/acpi/tables", Access: hostinfo.AccessList},
		{Path: "/dev/kvm", Access: hostinfo.AccessExists},
		{Path: "/etc/nova/nova.conf", Access: hostinfo.AccessRead},
		{Path: "/etc/modprobe.d/vfio.conf", Access: hostinfo.AccessRead},
		{Path: "/proc/missing", Access: hostinfo.AccessRead},
	}, Options{ToolVersion: "test", Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Hostname: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Redacted) != 1 || m.Redacted[0].Path != "/etc/kolla/nova.conf" || len(m.Redacted[0].Lines) != 1 || m.Redacted[0].Lines[0] != 2 {
		t.Errorf("redacted = %+v, want /etc/kolla/nova.conf line 2", m.Redacted)
	}
	if m.StandIns != 2 { // DMAR, /dev/kvm
		t.Errorf("stand-ins = %d, want 2", m.StandIns)
	}
	if bytes.Contains(buf.Bytes(), []byte("Sekr1t")) {
		t.Fatal("the archive holds the password")
	}
	got := map[string]string{}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		var body bytes.Buffer
		body.ReadFrom(tr)
		desc := string(h.Typeflag) + " " + fs.FileMode(h.Mode).Perm().String()
		if h.Typeflag == tar.TypeSymlink {
			desc = "-> " + h.Linkname
		} else if h.Typeflag == tar.TypeReg {
			desc += " " + body.String()
		}
		got[strings.TrimPrefix(h.Name, Top+"/root")] = desc
	}
	for name, want := range map[string]string{
		"/proc/cmdline":                  "0 -r--r--r-- intel_iommu=on\n",
		"/sys/firmware/acpi/tables/DMAR": "0 -r--r--r-- ",
		"/dev/kvm":                       "0 -rw-rw---- ",
		"/etc/nova/nova.conf":            "-> ../kolla/nova.conf",
		"/etc/kolla/nova.conf":           "0 -rw-r----- [DEFAULT]\ntransport_url = rabbit://nova:***@ctl/\n",
		"/etc/modprobe.d/vfio.conf":      "0 -rw-r--r-- options vfio-pci ids=10de:2330\n",
	} {
		if got[name] != want {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}
	for _, absent := range []string{"/proc/not-used", "/proc/missing"} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s is in the archive", absent)
		}
	}
}

// FuzzOpen: whatever the archive, Open never panics, and never writes
// outside its temporary directory or leaves it behind on failure.
func FuzzOpen(f *testing.F) {
	root := Top + "/root/"
	t := &testing.T{}
	f.Add(archive(t, member{name: root + "proc/cmdline", typ: tar.TypeReg, body: "x"}))
	f.Add(archive(t, member{name: root + "sys/a", typ: tar.TypeSymlink, link: "../b"}))
	f.Add(archive(t, member{name: root + "../x", typ: tar.TypeReg, body: "x"}))
	f.Add(archive(t, member{name: root + "d", typ: tar.TypeDir}, member{name: root + "d/l", typ: tar.TypeSymlink, link: "../.."}))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, sandbox, err := openBytes(t, data)
		if cerr := Check(bytes.NewReader(data)); err == nil && cerr != nil {
			t.Fatalf("Open accepted what Check refuses: %v", cerr)
		}
		if err == nil {
			// Every symlink stays inside the tree.
			filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type()&fs.ModeSymlink != 0 {
					rel, _ := filepath.Rel(s.Root, p)
					target, _ := os.Readlink(p)
					if cerr := checkLink(filepath.ToSlash(rel), target); cerr != nil {
						t.Fatalf("extracted %s -> %s: %v", rel, target, cerr)
					}
				}
				return nil
			})
			s.Close()
		}
		if left := sandboxEntries(t, sandbox); len(left) > 0 {
			t.Fatalf("left behind: %v (err %v)", left, err)
		}
	})
}
