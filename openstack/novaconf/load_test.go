package novaconf

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// mapReader serves host paths ("/etc/nova/nova.conf") from a MapFS.
func mapReader(m fstest.MapFS) Reader {
	trim := func(p string) string { return strings.TrimPrefix(p, "/") }
	return ReaderFuncs{
		File: func(p string) ([]byte, error) { return fs.ReadFile(m, trim(p)) },
		Dir:  func(p string) ([]fs.DirEntry, error) { return fs.ReadDir(m, trim(p)) },
	}
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func lookupStrings(c *Config, opt Option) []string {
	var out []string
	for _, v := range c.Lookup(opt) {
		s := fmt.Sprintf("%s=%s@%s", Name{v.Group, v.Name}, v.Text, v.Source)
		if v.Deprecated {
			s += " (deprecated)"
		}
		out = append(out, s)
	}
	return out
}

func TestLookup(t *testing.T) {
	r := mapReader(fstest.MapFS{
		"a.conf": file("[pci]\ndevice_spec = a1\npassthrough_whitelist = a-dep\n[DEFAULT]\npci_passthrough_whitelist = a-dep2\n" +
			"[database]\nconnection = db-a\n[libvirt]\nvirt_type = qemu\n"),
		"b.conf": file("[DEFAULT]\nsql_connection = db-b\n[PCI]\ndevice_spec = b1\n"),
		"c.conf": file("[libvirt]\nvirt_type = lxc\nvirt_type = kvm\n[DEFAULT]\nsql_connection = db-c-dep\n[database]\nconnection = db-c\n"),
	})
	c, problems := Load(r, []string{"/a.conf", "/b.conf", "/c.conf"}, nil)
	for _, p := range problems {
		if p.Severity == SeverityError {
			t.Fatal(p)
		}
	}
	tests := []struct {
		opt  Option
		want []string
	}{
		// Multi: file by file; in a file, the last deprecated name first.
		{OptDeviceSpec, []string{
			"[DEFAULT]pci_passthrough_whitelist=a-dep2@/a.conf:5 (deprecated)",
			"[pci]passthrough_whitelist=a-dep@/a.conf:3 (deprecated)",
			"[pci]device_spec=a1@/a.conf:2",
			"[pci]device_spec=b1@/b.conf:4",
		}},
		// Single: the last value in the last file that sets it.
		{OptVirtType, []string{"[libvirt]virt_type=kvm@/c.conf:3"}},
		// The current name beats a deprecated one later in the same file.
		{OptDatabaseConnection, []string{"[database]connection=db-c@/c.conf:7"}},
		{OptAlias, nil},
	}
	for _, tt := range tests {
		if got := lookupStrings(c, tt.opt); !slices.Equal(got, tt.want) {
			t.Errorf("Lookup(%s):\n got %q\nwant %q", tt.opt, got, tt.want)
		}
	}
	// A deprecated name in a later file beats the current name in an
	// earlier one; [DATABASE] in the declaration is normalised.
	c2, _ := Load(r, []string{"/a.conf", "/b.conf"}, nil)
	if got := lookupStrings(c2, OptAPIDatabaseConnection); !slices.Equal(got, []string{"[DEFAULT]sql_connection=db-b@/b.conf:2 (deprecated)"}) {
		t.Errorf("Lookup(api_database) = %q", got)
	}
	dbDep := Option{Group: "x", Name: "connection", Deprecated: []Name{{"DATABASE", "connection"}}}
	if got := lookupStrings(c2, dbDep); !slices.Equal(got, []string{"[database]connection=db-a@/a.conf:7 (deprecated)"}) {
		t.Errorf("Lookup with group DATABASE = %q", got)
	}
	if got := len(c.Values()); got != 11 {
		t.Errorf("Values() has %d values, want 11", got)
	}
}

func TestLoadOrderAndErrors(t *testing.T) {
	r := mapReader(fstest.MapFS{
		"etc/nova/nova.conf":                  file("[libvirt]\nvirt_type = qemu\n"),
		"etc/nova/nova.conf.d/10-gpu.conf":    file("[pci]\ndevice_spec = 10\n"),
		"etc/nova/nova.conf.d/9-late.conf":    file("[pci]\ndevice_spec = 9\n"),
		"etc/nova/nova.conf.d/B.conf":         file("[pci]\ndevice_spec = B\n"),
		"etc/nova/nova.conf.d/.hidden.conf":   file("[pci]\ndevice_spec = hidden\n"),
		"etc/nova/nova.conf.d/x.conf.rpmsave": file("[pci]\ndevice_spec = rpmsave\n"),
		"etc/nova/nova.conf.d/x.CONF":         file("[pci]\ndevice_spec = upper\n"),
		"etc/nova/nova.conf.d/sub.conf/a":     file(""),
		"etc/nova/bad.conf":                   file("[pci\n"),
	})
	c, problems := Load(r,
		[]string{"/etc/nova/nova.conf", "/etc/nova/missing.conf", "/etc/nova/bad.conf", "/etc/nova/nova.conf"},
		[]string{"/etc/nova/nova.conf.d", "/etc/nova/missing.d"})
	wantFiles := []string{"/etc/nova/nova.conf", "/etc/nova/bad.conf", "/etc/nova/nova.conf",
		"/etc/nova/nova.conf.d/10-gpu.conf", "/etc/nova/nova.conf.d/9-late.conf", "/etc/nova/nova.conf.d/B.conf"}
	if got := c.Files(); !slices.Equal(got, wantFiles) {
		t.Errorf("Files() = %q\nwant %q", got, wantFiles)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Source.String()+" "+p.Code)
	}
	want := []string{
		"/etc/nova/missing.conf missing-file",
		"/etc/nova/bad.conf:1 section-end",
		"/etc/nova/nova.conf.d/sub.conf unreadable",
		"/etc/nova/missing.d missing-dir",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q\nwant %q", got, want)
	}
	if got := lookupStrings(c, OptDeviceSpec); len(got) != 3 || !strings.HasPrefix(got[0], "[pci]device_spec=10@") {
		t.Errorf("device_spec = %q", got)
	}
}

// A file the operator named that this user may not read is a Problem (the
// command refuses it), said in a whole sentence; the deployment's own
// files are DiscoverSet's, for which it is Unreadable
// (TestDiscoverSetUnreadable).
func TestLoadPermissionDenied(t *testing.T) {
	r := ReaderFuncs{
		File: func(p string) ([]byte, error) { return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission} },
		Dir:  func(p string) ([]fs.DirEntry, error) { return nil, errors.New("boom") },
	}
	c, problems := Load(r, []string{"/etc/nova/nova.conf"}, []string{"/etc/nova/nova.conf.d"})
	if len(problems) != 2 || problems[0].Code != CodeUnreadable || problems[0].Message != "permission denied: the user gpupass runs as cannot read it (run gpupass as root)" ||
		problems[1].Code != CodeUnreadable || problems[1].Source.File != "/etc/nova/nova.conf.d" {
		t.Errorf("problems %v", problems)
	}
	if len(c.Unreadable()) != 0 {
		t.Errorf("named files are Problems, not Unreadable: %v", c.Unreadable())
	}
}

// A deployment's directory this user cannot look into (/etc/nova 0750
// root:nova, as packages install it) is one Unreadable directory: not a
// missing nova.conf, and not four files that may not exist. A file that
// stat sees but that cannot be read is Unreadable by its own name.
func TestDiscoverSetUnreadable(t *testing.T) {
	denied := func(p string) error { return &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission} }
	missing := func(p string) error { return &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist} }
	tests := []struct {
		name string
		// file and stat say what reading and stat'ing a path give.
		file, stat func(p string) error
		want       []Unreadable
		layout     string
	}{
		{
			name: "/etc/nova cannot be looked into",
			file: func(p string) error {
				if strings.HasPrefix(p, "/etc/nova/") {
					return denied(p)
				}
				return missing(p)
			},
			stat: func(p string) error {
				if strings.HasPrefix(p, "/etc/nova/") {
					return denied(p)
				}
				if p == "/etc/nova" || p == "/etc" {
					return nil
				}
				return missing(p)
			},
			want:   []Unreadable{{"/etc/nova", ReasonNoLookInto}},
			layout: "packages",
		},
		{
			name: "nova.conf 0600, the rest absent",
			file: func(p string) error {
				if p == "/etc/nova/nova.conf" {
					return denied(p)
				}
				return missing(p)
			},
			stat: func(p string) error {
				if p == "/etc/nova/nova.conf" {
					return nil
				}
				return missing(p)
			},
			want:   []Unreadable{{"/etc/nova/nova.conf", ReasonPermission}},
			layout: "packages",
		},
		{
			name:   "nothing there",
			file:   missing,
			stat:   missing,
			layout: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ReaderFuncs{
				File: func(p string) ([]byte, error) { return nil, tc.file(p) },
				Dir:  func(p string) ([]fs.DirEntry, error) { return nil, tc.file(p) },
			}
			stat := func(p string) (fs.FileInfo, error) { return nil, tc.stat(p) }
			set := DiscoverSet("compute", r, stat)
			if tc.layout == "" {
				if set != nil {
					t.Fatalf("set %+v, want none", set)
				}
				return
			}
			if set == nil || set.Layout != tc.layout || len(set.Problems) != 0 || !set.Unread() {
				t.Fatalf("set %+v", set)
			}
			if got := set.Unreadable(); !slices.Equal(got, tc.want) {
				t.Errorf("Unreadable() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	tests := []struct {
		name        string
		fs          fstest.MapFS
		layout      string
		files, dirs []string
	}{
		{"nothing", fstest.MapFS{"etc/hostname": file("x")}, "", nil, nil},
		{"packages", fstest.MapFS{
			"etc/nova/nova.conf":               file(""),
			"etc/nova/nova-compute.conf":       file(""),
			"etc/nova/nova.conf.d/a.conf":      file(""),
			"etc/kolla/nova-compute/nova.conf": file(""),
		}, "packages", []string{"/etc/nova/nova.conf", "/etc/nova/nova-compute.conf"}, []string{"/etc/nova/nova.conf.d"}},
		{"etc fallback", fstest.MapFS{"etc/nova.conf": file("")}, "packages", []string{"/etc/nova.conf"}, nil},
		{"dir only", fstest.MapFS{"etc/nova/nova-compute.conf.d/a.conf": file("")}, "packages", nil, []string{"/etc/nova/nova-compute.conf.d"}},
		{"kolla", fstest.MapFS{"etc/kolla/nova-compute/nova.conf": file(""), "etc/nova/README": file("")}, "kolla",
			[]string{"/etc/kolla/nova-compute/nova.conf"}, nil},
		{"tripleo", fstest.MapFS{"var/lib/config-data/puppet-generated/nova_libvirt/etc/nova/nova.conf": file("")}, "tripleo",
			[]string{"/var/lib/config-data/puppet-generated/nova_libvirt/etc/nova/nova.conf"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layout, files, dirs := DiscoverLayout(mapReader(tt.fs))
			if layout != tt.layout || !slices.Equal(files, tt.files) || !slices.Equal(dirs, tt.dirs) {
				t.Errorf("DiscoverLayout = %q %q %q, want %q %q %q", layout, files, dirs, tt.layout, tt.files, tt.dirs)
			}
			if f, d := Discover(mapReader(tt.fs)); !slices.Equal(f, tt.files) || !slices.Equal(d, tt.dirs) {
				t.Errorf("Discover = %q %q", f, d)
			}
		})
	}
}

func TestDirReader(t *testing.T) {
	c, problems := Load(DirReader(oracleDir), []string{"basic.conf"}, []string{"multi/dir-sorted/conf.d"})
	if len(problems) != 0 || len(c.Files()) != 5 {
		t.Errorf("files %q, problems %v", c.Files(), problems)
	}
	if _, err := DirReader("").ReadFile(oracleDir + "/basic.conf"); err != nil {
		t.Error(err)
	}
}

// bigValue is a nova.conf whose device_spec is one line of n bytes.
func bigValue(n int) []byte {
	return []byte("[pci]\ndevice_spec = \"" + strings.Repeat("a", n) + "\"\nalias = x\n")
}

// TestHugeValue: a 10 MB value is read whole, in time and memory linear in
// its size (oslo.config accepts it too: it has no limit).
func TestHugeValue(t *testing.T) {
	data := bigValue(10 << 20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f, problems := Parse("nova.conf", data)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if len(f.Values) != 2 || len(f.Values[0].Text) != 10<<20 || len(problems) != 0 {
		t.Fatalf("%d values, %d problems", len(f.Values), len(problems))
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("10 MB value: %v, %d MB allocated", elapsed, alloc>>20)
	if alloc > 40<<20 {
		t.Errorf("parsing a 10 MB file allocated %d MB", alloc>>20)
	}
	// Linear: a value 4 times bigger costs about 4 times more, not 16.
	small := time.Now()
	Parse("nova.conf", bigValue(10<<20/4))
	ratio := float64(elapsed) / float64(time.Since(small))
	if ratio > 12 {
		t.Errorf("10 MB takes %.1f times as long as 2.5 MB: quadratic?", ratio)
	}
	// And 10 MB of continuation lines.
	cont := []byte("[pci]\ndevice_spec = [\n" + strings.Repeat("  {\"address\": \"0000:41:00.0\"},\n", (10<<20)/32) + "  ]\n")
	start = time.Now()
	f, _ = Parse("nova.conf", cont)
	if len(f.Values) != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("continuation lines: %d values in %v", len(f.Values), time.Since(start))
	}
}

func BenchmarkParse10MB(b *testing.B) {
	data := bigValue(10 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Parse("nova.conf", data)
	}
}

// BenchmarkParseTypical: a 400-line nova.conf of comments, sections,
// multi-line device_spec entries and plain options.
func BenchmarkParseTypical(b *testing.B) {
	var sb strings.Builder
	for i := range 50 {
		fmt.Fprintf(&sb, "# section %d\n[group%d]\ntransport_url = rabbit://nova:x@ctl:5672/\noption_%d = value\n\n[pci]\n"+
			"device_spec = {\"vendor_id\": \"10de\",\n  \"product_id\": \"2330\"}\n", i, i, i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Parse("nova.conf", data)
	}
}
