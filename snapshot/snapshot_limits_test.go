package snapshot

import (
	"archive/tar"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenNameLimits: names longer or deeper than a host's paths are
// refused before they cost anything; the cost of a name is linear in
// its length.
func TestOpenNameLimits(t *testing.T) {
	root := Top + "/root/"
	deepOK := root + strings.Repeat("0000:00:01.0/", MaxDepth-3) + "vendor" // MaxDepth elements
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		// The tarball: one PAX name of 256 KB took 58 s of CPU.
		{"a 256 KB name", archive(t, member{name: root + strings.Repeat("a/", 128<<10) + "f", typ: tar.TypeReg}), "a name of 262167 bytes, longer than any path of a host (4117)"},
		{"a name one byte too long", archive(t, member{name: root + strings.Repeat("x", MaxNameLen-len(root)+1), typ: tar.TypeReg}), "longer than any path of a host"},
		{"too deep", archive(t, member{name: root + strings.Repeat("d/", MaxDepth) + "f", typ: tar.TypeReg}), fmt.Sprintf("%d levels deep, deeper than any path of a host (%d)", MaxDepth+3, MaxDepth)},
		{"a symlink target too long", archive(t, member{name: root + "sys/l", typ: tar.TypeSymlink, link: strings.Repeat("a/", 2048)}), "longer than Linux allows"},
		{"as deep as allowed", archive(t, member{name: deepOK, typ: tar.TypeReg, body: "0x10de\n"}), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			s, sandbox, err := openBytes(t, c.data)
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %s", elapsed)
			}
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if data, err := os.ReadFile(filepath.Join(filepath.Dir(s.Root), strings.TrimPrefix(deepOK, Top+"/"))); err != nil || string(data) != "0x10de\n" {
					t.Errorf("the deep member: %q, %v", data, err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("opened, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || len(err.Error()) > 600 {
				t.Errorf("error %q, want %q, short", err, c.want)
			}
			if left := sandboxEntries(t, sandbox); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
	t.Run("the names together", func(t *testing.T) {
		// Long names, each new: what checking them keeps in memory is
		// bounded. The members' headers go to the extractor directly (a
		// tar of 64 MiB of names takes seconds to encode and decode),
		// checked only.
		x := &extractor{top: &entry{kind: tar.TypeDir, children: map[string]*entry{}}}
		long := strings.Repeat("n", 4000)
		var err error
		for i := 0; err == nil && i < MaxMembers; i++ {
			err = x.write(&tar.Header{Name: fmt.Sprintf("%s%08d/%s", root, i, long), Typeflag: tar.TypeDir, Mode: 0o755}, nil)
		}
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d bytes of member names", MaxNameBytes)) {
			t.Errorf("error %v", err)
		}
	})
}

// TestOpenDuplicateDirectory: the README promises duplicate names are
// refused; a directory given twice is one. A directory whose member comes
// after members under it is not.
func TestOpenDuplicateDirectory(t *testing.T) {
	root := Top + "/root/"
	s, sandbox, err := openBytes(t, archive(t,
		member{name: root + "sys/", typ: tar.TypeDir},
		member{name: root + "sys/", typ: tar.TypeDir}))
	if err == nil {
		s.Close()
		t.Fatal("a directory given twice opened")
	}
	if !strings.Contains(err.Error(), `member "gpupass-snapshot/root/sys/" appears twice`) {
		t.Errorf("error %q", err)
	}
	if left := sandboxEntries(t, sandbox); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	for _, order := range [][]member{
		{{name: root + "sys/", typ: tar.TypeDir}, {name: root + "sys/a", typ: tar.TypeReg, body: "x"}},
		{{name: root + "sys/a", typ: tar.TypeReg, body: "x"}, {name: root + "sys/", typ: tar.TypeDir}},
	} {
		s, _, err := openBytes(t, archive(t, order...))
		if err != nil {
			t.Errorf("%s then %s: %v", order[0].name, order[1].name, err)
			continue
		}
		s.Close()
	}
	for _, c := range [][]member{
		{{name: root + "sys/", typ: tar.TypeDir}, {name: root + "sys", typ: tar.TypeReg, body: "x"}},
		{{name: root + "sys", typ: tar.TypeSymlink, link: "proc"}, {name: root + "sys/", typ: tar.TypeDir}},
		{{name: root + "f", typ: tar.TypeReg, body: "x"}, {name: root + "f/g", typ: tar.TypeReg, body: "x"}},
	} {
		s, _, err := openBytes(t, archive(t, c...))
		if err == nil {
			s.Close()
			t.Errorf("%s (%c) then %s (%c): opened", c[0].name, c[0].typ, c[1].name, c[1].typ)
		}
	}
}

// TestOpenNovaConfCap: the snapshot — two 16 MB nova.conf files
// of one repeated line, 74 KB compressed — is refused at once, naming the
// member, before its content is read; within the cap it opens.
func TestOpenNovaConfCap(t *testing.T) {
	root := Top + "/root/"
	big := strings.Repeat("virt_type = kvm\n", 1_000_000)
	start := time.Now()
	s, _, err := openBytes(t, archive(t,
		member{name: root + "etc/nova/nova.conf", typ: tar.TypeReg, body: big},
		member{name: root + "etc/nova/nova-compute.conf", typ: tar.TypeReg, body: big}))
	if err == nil {
		s.Close()
		t.Fatal("opened")
	}
	if want := `member "gpupass-snapshot/root/etc/nova/nova.conf": a nova.conf of 16000000 bytes, more than the 4194304 bytes a host's nova.conf files come to`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want %q", err, want)
	}
	t.Logf("refused in %s", time.Since(start))
	// Together: the second file crosses the cap.
	half := strings.Repeat("#\n", MaxConfBytes/4+1)
	s, _, err = openBytes(t, archive(t,
		member{name: root + "etc/nova/nova.conf", typ: tar.TypeReg, body: half},
		member{name: root + "etc/nova/nova.conf.d/gpu.conf", typ: tar.TypeReg, body: half}))
	if err == nil {
		s.Close()
		t.Fatal("opened")
	}
	if !strings.Contains(err.Error(), `member "gpupass-snapshot/root/etc/nova/nova.conf.d/gpu.conf" (2097154 bytes) brings the nova.conf files to 4194308 bytes, more than the 4194304 bytes`) {
		t.Errorf("error %q does not name the member that crossed the cap", err)
	}
	// The files hostinfo parses itself are not nova.conf: a full pci.ids
	// and 4 MiB of nova.conf open.
	s, _, err = openBytes(t, archive(t,
		member{name: root + "usr/share/misc/pci.ids", typ: tar.TypeReg, size: 8 << 20},
		member{name: root + "etc/nova/nova.conf", typ: tar.TypeReg, body: strings.Repeat("#\n", MaxConfBytes/2)}))
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	s.Close()
}
