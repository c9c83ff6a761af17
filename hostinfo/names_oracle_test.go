package hostinfo

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jaypipes/pcidb"
)

// lookupPCIIDs parses pci.ids as pciutils does; pcidb (which ghw uses)
// stays its oracle on well-formed databases, where the two must find the
// same names, and TestLookupPCIIDsDisagreesWithPCIDB lists where they
// part. The lspci oracle is in names_lspci_test.go.

// pciIDsFiles are the well-formed databases at hand: ghw's testdata copy
// (a module of the build, always there) and the distribution's.
func pciIDsFiles(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/jaypipes/ghw").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/jaypipes/ghw: %v", err)
	}
	ghw := filepath.Join(strings.TrimSpace(string(out)), "testdata", "usr", "share", "hwdata", "pci.ids")
	if _, err := os.Stat(ghw); err != nil {
		t.Fatalf("ghw's testdata pci.ids: %v", err)
	}
	files := []string{ghw}
	if dist := distPCIIDsFile(t); dist != "" {
		files = append(files, dist)
	}
	return files
}

// distPCIIDsFile is the distribution's full pci.ids, "" where there is
// none; with GPUPASS_LSPCI=1 it must be there (Debian's libpci3, which
// lspci needs, depends on the pci.ids package).
func distPCIIDsFile(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("GPUPASS_LSPCI") == "1" {
		t.Fatal("GPUPASS_LSPCI=1 but there is no /usr/share/misc/pci.ids: apt-get install pci.ids")
	}
	return ""
}

func TestLookupPCIIDsAgreesWithPCIDB(t *testing.T) {
	for _, path := range pciIDsFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		gz := filepath.Join(t.TempDir(), "pci.ids.gz")
		if err := os.WriteFile(gz, gzipped(t, data), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, gz} {
			comparePCIDB(t, p, true)
		}
	}
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// loadPCIDB is pcidb's database from path, nil where pcidb fails or
// panics.
func loadPCIDB(path string) (db *pcidb.PCIDB) {
	defer func() {
		if recover() != nil {
			db = nil // pcidb panics on some malformed lines
		}
	}()
	db, err := pcidb.New(pcidb.WithPath(path), &pcidb.WithOption{EnableNetworkFetch: new(bool)})
	if err != nil {
		return nil
	}
	return db
}

// comparePCIDB asks lookupPCIIDs for every ID pcidb knows and compares the
// names; it returns false when pcidb itself cannot read the file.
func comparePCIDB(t *testing.T, path string, mustLoad bool) bool {
	t.Helper()
	db := loadPCIDB(path)
	if db == nil {
		if mustLoad {
			t.Fatalf("pcidb cannot read %s", path)
		}
		return false
	}
	vendors, products := map[string]string{}, map[string]string{}
	for id := range db.Vendors {
		vendors[id] = ""
	}
	for id := range db.Products {
		products[id] = ""
	}
	bad, err := lookupPCIIDs(path, vendors, products)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if bad != 0 {
		t.Errorf("%s: line %d is malformed, says lookupPCIIDs", path, bad)
	}
	mismatches := 0
	for id, v := range db.Vendors {
		if vendors[id] != v.Name {
			mismatches++
			if mismatches < 5 {
				t.Errorf("%s: vendor %q is %q, pcidb says %q", path, id, vendors[id], v.Name)
			}
		}
	}
	for id, p := range db.Products {
		if products[id] != p.Name {
			mismatches++
			if mismatches < 5 {
				t.Errorf("%s: product %q is %q, pcidb says %q", path, id, products[id], p.Name)
			}
		}
	}
	if mustLoad && len(db.Products) < 100 {
		t.Errorf("%s: only %d products", path, len(db.Products))
	}
	return true
}

// pcidbPanics stands for pcidb panicking in the table below.
const pcidbPanics = "(panics)"

// TestLookupPCIIDsDisagreesWithPCIDB is the list of what pcidb and
// lookupPCIIDs still read differently, each checked against both: none of
// it occurs in a well-formed database (the distribution's pci.ids has
// none), all of it is how pciutils reads pci.ids (names-parse.c), and
// where pciutils refuses a line this skips it with a note instead.
// pcidb slices every line at fixed rune offsets (0:4 and 6: for a
// vendor, 1:5 and 7: for a device) without looking at what it slices,
// takes any line not starting with a tab or C for a vendor, keeps the
// last of two entries, and reads with a bufio.Scanner whose error it
// drops.
func TestLookupPCIIDsDisagreesWithPCIDB(t *testing.T) {
	long := "# " + strings.Repeat("x", 70_000) + "\n"
	tests := []struct {
		name, db string
		gz       bool   // write db gzipped and truncated
		key      string // a vendor (4 digits) or vendor+device (8) key
		want     string // lookupPCIIDs's name
		wantBad  int    // its first malformed line
		pcidb    string // pcidb's name for key, or pcidbPanics
	}{
		{name: "one space after the ID (pciutils takes any run of blanks)",
			db: "10de NVIDIA Corporation\n", key: "10de", want: "NVIDIA Corporation", pcidb: "VIDIA Corporation"},
		{name: "a tab after the ID",
			db: "10de  NVIDIA Corporation\n\t2330\tGH100\n", key: "10de2330", want: "GH100", pcidb: "H100"},
		{name: "upper-case hex (pciutils reads either case; sysfs writes lower)",
			db: "10DE  NVIDIA Corporation\n\t2330  GH100\n", key: "10de2330", want: "GH100", pcidb: ""},
		{name: "trailing blank (pciutils drops one)",
			db: "10de  NVIDIA Corporation \n", key: "10de", want: "NVIDIA Corporation", pcidb: "NVIDIA Corporation "},
		{name: "a CR inside a line (pciutils ends a line at its first CR; both take CRLF)",
			db: "10de  NVIDIA Corporation\rjunk\n", key: "10de", want: "NVIDIA Corporation", pcidb: "NVIDIA Corporation\rjunk"},
		{name: "a vendor listed twice (pciutils: duplicate entry; the first stays)",
			db: "10de  NVIDIA Corporation\n10de  Impostor\n", key: "10de", want: "NVIDIA Corporation", wantBad: 2, pcidb: "Impostor"},
		{name: "a device listed twice",
			db: "10de  NVIDIA Corporation\n\t2330  GH100\n\t2330  Impostor\n", key: "10de2330", want: "GH100", wantBad: 3, pcidb: "Impostor"},
		{name: "a comment indented by a tab",
			db: "10de  NVIDIA Corporation\n\t# 2330  not yet\n", key: "10de# 23", want: "", pcidb: "  not yet"},
		{name: "a reserved block (another capital and a space) and its lines",
			db: "X 1234  Future\n\t2330  Not a device\n", key: "X 12", want: "", pcidb: "  Future"},
		{name: "a short vendor line, skipped with its devices",
			db: "10de\n\t2330  GH100\n1002  AMD\n", key: "1002", want: "AMD", wantBad: 1, pcidb: pcidbPanics},
		{name: "a device before any vendor",
			db: "\t2330  GH100\n10de  NVIDIA Corporation\n", key: "10de", want: "NVIDIA Corporation", wantBad: 1, pcidb: pcidbPanics},
		{name: "a bad hex digit in a device ID",
			db: "10de  NVIDIA Corporation\n\t23g0  GH100\n", key: "10de23g0", want: "", wantBad: 2, pcidb: "GH100"},
		{name: "a line over 64 KiB (pcidb's scanner stops there, silently)",
			db: "10de  NVIDIA Corporation\n" + long + "1002  AMD\n", key: "1002", want: "AMD", wantBad: 2, pcidb: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pci.ids")
			if err := os.WriteFile(path, []byte(tt.db), 0o644); err != nil {
				t.Fatal(err)
			}
			vendors, products := map[string]string{}, map[string]string{}
			m := vendors
			if len(tt.key) > 4 {
				m = products
			}
			m[tt.key] = ""
			bad, err := lookupPCIIDs(path, vendors, products)
			if err != nil {
				t.Fatal(err)
			}
			if m[tt.key] != tt.want || bad != tt.wantBad {
				t.Errorf("lookupPCIIDs: %q, line %d; want %q, line %d", m[tt.key], bad, tt.want, tt.wantBad)
			}
			got := pcidbPanics
			if db := loadPCIDB(path); db != nil {
				got = ""
				if v, ok := db.Vendors[tt.key]; ok {
					got = v.Name
				} else if p, ok := db.Products[tt.key]; ok {
					got = p.Name
				}
			}
			if got != tt.pcidb {
				t.Errorf("pcidb: %q, want %q (pcidb changed: update the list)", got, tt.pcidb)
			}
		})
	}
}

// A truncated gzip: pcidb returns what it read before the break and no
// error; lookupPCIIDs says so, and names() then lists devices without
// names, with a note.
func TestLookupPCIIDsTruncatedGzip(t *testing.T) {
	var db strings.Builder
	for v := range 2000 {
		fmt.Fprintf(&db, "%04x  Vendor %d\n\t0001  Device of vendor %d\n", v, v, v)
	}
	gz := gzipped(t, []byte(db.String()))
	path := filepath.Join(t.TempDir(), "pci.ids.gz")
	if err := os.WriteFile(path, gz[:len(gz)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := lookupPCIIDs(path, map[string]string{"0000": ""}, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("lookupPCIIDs on a truncated gzip: %v, want a line number and unexpected EOF", err)
	}
	if pdb := loadPCIDB(path); pdb == nil || len(pdb.Vendors) == 0 || len(pdb.Vendors) >= 2000 {
		t.Errorf("pcidb was expected to read part of the truncated file without an error")
	}
	host, err := Collect(filepath.Join("..", "testdata", "hosts", "boot-vga-gpu"), Options{PCIIDs: path})
	if err != nil {
		t.Fatal(err)
	}
	noted := false
	for _, n := range host.Notes {
		noted = noted || n.Path == path && strings.Contains(n.Message, "unexpected EOF: devices are listed without names")
	}
	if !noted || host.PCIIDs != "" {
		t.Errorf("Collect: PCIIDs %q, notes %+v; want a note on the truncated database", host.PCIIDs, host.Notes)
	}
	for _, d := range host.Devices {
		if d.VendorName != "" || d.Model != "" {
			t.Errorf("%s named %q %q from a truncated database", d.Address, d.VendorName, d.Model)
		}
	}
}

const (
	modelX2    = `[0-9a-fA-F]{2}`
	modelX4    = `[0-9a-fA-F]{4}`
	modelNamed = `[ \t][ \t]*([^ \t].*)$`
)

var (
	modelClass     = regexp.MustCompile(`^C ` + modelX2 + modelNamed)
	modelGeneric   = regexp.MustCompile(`^S (` + modelX4 + `)$`)
	modelReserved  = regexp.MustCompile(`^[A-Z] `)
	modelVendor    = regexp.MustCompile(`^(` + modelX4 + `)` + modelNamed)
	modelDevice    = regexp.MustCompile(`^\t(` + modelX4 + `)` + modelNamed)
	modelSubclass  = regexp.MustCompile(`^\t` + modelX2 + modelNamed)
	modelSubsystem = regexp.MustCompile(`^\t\t` + modelX4 + `[ \t]` + modelX4 + modelNamed)
	modelProgIf    = regexp.MustCompile(`^\t\t` + modelX2 + modelNamed)
)

// pciIDsModel is a second reading of the grammar pciIDsParser documents,
// written for plainness rather than speed (regular expressions, every
// entry kept): the fuzz target's oracle for any input. Its names are
// keyed in lower case, as lookupPCIIDs is asked.
func pciIDsModel(content string) (vendors, products map[string]string, bad int) {
	vendors, products = map[string]string{}, map[string]string{}
	seen := map[string]bool{} // vendors and vendor+device keys listed
	block, vendor, hasDevice := "", "", false
	skip := -1
	lines := strings.Split(content, "\n")
	if strings.HasSuffix(content, "\n") {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		nest := len(line) - len(strings.TrimLeft(line, "\t"))
		if len(line) > 1022 || strings.Contains(line, "\x00") {
			bad, skip = cmpOr(bad, i+1), nest
			continue
		}
		line, _, _ = strings.Cut(line, "\r")
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			line = line[:len(line)-1]
		}
		if rest := strings.TrimLeft(line, " \t"); rest == "" || rest[0] == '#' {
			continue
		}
		nest = len(line) - len(strings.TrimLeft(line, "\t"))
		if skip >= 0 && nest > skip {
			continue
		}
		skip = -1
		ok := true
		switch {
		case nest > 0 && block == "reserved":
		case nest == 0 && strings.HasPrefix(line, "C "):
			ok = modelClass.MatchString(line)
			if ok {
				block, hasDevice = "class", false
			}
		case nest == 0 && strings.HasPrefix(line, "S "):
			m := modelGeneric.FindStringSubmatch(line)
			ok = m != nil && seen[strings.ToLower(m[1])]
			if ok {
				block, hasDevice = "generic", false
			}
		case nest == 0 && modelReserved.MatchString(line):
			block, hasDevice = "reserved", false
		case nest == 0:
			m := modelVendor.FindStringSubmatch(line)
			ok = m != nil && !seen[strings.ToLower(m[1])]
			if ok {
				vendor = strings.ToLower(m[1])
				seen[vendor] = true
				vendors[vendor] = validName([]byte(m[2]))
				block, hasDevice = "vendor", false
			}
		case nest == 1 && block == "vendor":
			m := modelDevice.FindStringSubmatch(line)
			ok = m != nil && !seen[vendor+strings.ToLower(m[1])]
			if ok {
				key := vendor + strings.ToLower(m[1])
				seen[key] = true
				products[key] = validName([]byte(m[2]))
				hasDevice = true
			}
		case nest == 1 && block == "generic":
			ok = modelDevice.MatchString(line)
		case nest == 1 && block == "class":
			ok = modelSubclass.MatchString(line)
		case nest == 2 && block == "vendor":
			ok = hasDevice && modelSubsystem.MatchString(line)
		case nest == 2 && block == "class":
			ok = modelProgIf.MatchString(line)
		default:
			ok = false
		}
		if !ok {
			bad, skip = cmpOr(bad, i+1), nest
		}
	}
	return vendors, products, bad
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// canonicalPCIIDs reports whether every line of content is in the one
// shape pcidb reads right (a comment from its first column, or an entry
// with lower-case IDs, two spaces and a name without trailing blanks)
// and lookupPCIIDs finds no malformed line: there the two must agree.
var canonicalLine = regexp.MustCompile(`^(#.*|(C [0-9a-f]{2}|[0-9a-f]{4}|\t[0-9a-f]{2}|\t[0-9a-f]{4}|\t\t[0-9a-f]{2}|\t\t[0-9a-f]{4} [0-9a-f]{4})  [^ \t\r]([^\r]*[^ \t\r])?)?$`)

func canonicalPCIIDs(content string, bad int) bool {
	if bad != 0 {
		return false
	}
	for _, line := range strings.Split(content, "\n") {
		if !canonicalLine.MatchString(line) {
			return false
		}
	}
	return true
}

func FuzzLookupPCIIDs(f *testing.F) {
	f.Add("10de  NVIDIA Corporation\n\t2330  GH100[H100 SXM5 80GB]\n\t\t10de 16c1  H100 SXM5 80GB\n")
	f.Add("# comment\n1002  AMD\n\t740f  Aldebaran/MI200 [Instinct MI210]\nC 03  Display controller\n\t00  VGA compatible controller\n")
	f.Add("x\n\tyyyy\n10de  \u00e9\u00e9\n")
	f.Add("\t2330  product before vendor\n")
	f.Add("10DE\tNVIDIA \r\n\t2330 GH100\n10de  again\n\t\t10de 16c1  sub\n")
	f.Add("10de  NVIDIA\nS 10de\n\t16c1  generic\nX 12  reserved\n\t2330  skipped\n\t\t\tdeep\n")
	f.Add("10de  NVIDIA\n\t2330  GH100\n\t2330  dup\n1002  AMD\n\t0001  \xff\xfe name\n")
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(t.TempDir(), "pci.ids")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		// Never panics, whatever the file, and finds what the model
		// finds: names and the first malformed line.
		wantV, wantP, wantBad := pciIDsModel(content)
		vendors := map[string]string{"10de": ""}
		products := map[string]string{"10de2330": ""}
		for k := range wantV {
			vendors[k] = ""
		}
		for k := range wantP {
			products[k] = ""
		}
		bad, err := lookupPCIIDs(path, vendors, products)
		if err != nil {
			t.Fatal(err)
		}
		if bad != wantBad {
			t.Errorf("first malformed line %d, the model says %d", bad, wantBad)
		}
		for _, m := range []struct {
			what      string
			got, want map[string]string
		}{{"vendor", vendors, wantV}, {"product", products, wantP}} {
			keys := make([]string, 0, len(m.got))
			for k := range m.got {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if m.got[k] != m.want[k] {
					t.Errorf("%s %q is %q, the model says %q", m.what, k, m.got[k], m.want[k])
				}
			}
		}
		// Where the file is in pcidb's one shape, pcidb agrees too.
		if canonicalPCIIDs(content, wantBad) && !comparePCIDB(t, path, false) {
			t.Errorf("pcidb cannot read a canonical file")
		}
	})
}
