package hostinfo

import (
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jaypipes/pcidb"
)

// lookupPCIIDs replaces pcidb at run time (pcidb builds maps of the whole
// database, and panics on a malformed line); pcidb stays its oracle here.
func pciIDsFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/jaypipes/ghw").Output(); err == nil {
		files = append(files, filepath.Join(strings.TrimSpace(string(out)), "testdata", "usr", "share", "hwdata", "pci.ids"))
	}
	for _, p := range []string{"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"} {
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Skip("no pci.ids database found (ghw's module or /usr/share/misc/pci.ids)")
	}
	return files
}

func TestLookupPCIIDsAgreesWithPCIDB(t *testing.T) {
	for _, path := range pciIDsFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		gz := filepath.Join(t.TempDir(), "pci.ids.gz")
		f, _ := os.Create(gz)
		zw := gzip.NewWriter(f)
		zw.Write(data)
		zw.Close()
		f.Close()
		for _, p := range []string{path, gz} {
			comparePCIDB(t, p, true)
		}
	}
}

// comparePCIDB asks lookupPCIIDs for every ID pcidb knows and compares the
// names; it returns false when pcidb itself cannot read the file.
func comparePCIDB(t *testing.T, path string, mustLoad bool) bool {
	t.Helper()
	var db *pcidb.PCIDB
	func() {
		defer func() {
			if recover() != nil {
				db = nil // pcidb panics on some malformed lines
			}
		}()
		var err error
		db, err = pcidb.New(pcidb.WithPath(path), &pcidb.WithOption{EnableNetworkFetch: new(bool)})
		if err != nil {
			db = nil
		}
	}()
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
	if _, err := lookupPCIIDs(path, vendors, products); err != nil {
		t.Fatalf("%s: %v", path, err)
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

func FuzzLookupPCIIDs(f *testing.F) {
	f.Add("10de  NVIDIA Corporation\n\t2330  GH100[H100 SXM5 80GB]\n\t\t10de 16c1  H100 SXM5 80GB\n")
	f.Add("# comment\n1002  AMD\n\t740f  Aldebaran/MI200 [Instinct MI210]\nC 03  Display controller\n\t00  VGA compatible controller\n")
	f.Add("x\n\tyyyy\n10de  \u00e9\u00e9\n")
	f.Add("\t2330  product before vendor\n")
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(t.TempDir(), "pci.ids")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		// Never panics, whatever the file; agrees with pcidb whenever
		// pcidb can read it.
		if !comparePCIDB(t, path, false) {
			if _, err := lookupPCIIDs(path, map[string]string{"10de": ""}, map[string]string{"10de2330": ""}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
