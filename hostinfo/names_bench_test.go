package hostinfo

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/gpupass/gpupass/internal/fakehost"
	"github.com/jaypipes/pcidb"
)

// distPCIIDs is the distribution's full database (Debian's pci.ids
// package, or hwdata): what names() reads on a real host.
func distPCIIDs(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	tb.Skip("no full pci.ids (/usr/share/misc/pci.ids: apt-get install pci.ids)")
	return ""
}

// pciIDsLookupSet is what names() asks of pci.ids for some hosts: their
// vendor IDs and vendor+device keys.
type pciIDsLookupSet struct {
	name              string
	vendors, products []string
}

func newLookupSet(name string, hosts ...*fakehost.Host) pciIDsLookupSet {
	s := pciIDsLookupSet{name: name}
	seenV, seenP := map[string]bool{}, map[string]bool{}
	for _, h := range hosts {
		for _, d := range h.Devices {
			v, p := fmt.Sprintf("%04x", d.Vendor), fmt.Sprintf("%04x%04x", d.Vendor, d.Device)
			if !seenV[v] {
				seenV[v] = true
				s.vendors = append(s.vendors, v)
			}
			if !seenP[p] {
				seenP[p] = true
				s.products = append(s.products, p)
			}
		}
	}
	return s
}

// pciIDsLookupSets: a 1,000-function synthetic host, and the shipped
// fixture hosts (testdata/hosts) together.
func pciIDsLookupSets() []pciIDsLookupSet {
	var fixtures []*fakehost.Host
	for _, f := range fakehost.Fixtures() {
		fixtures = append(fixtures, f.Host)
	}
	return []pciIDsLookupSet{
		newLookupSet("synthetic-1000", fakehost.Synthetic(1000)),
		newLookupSet("fixtures", fixtures...),
	}
}

// gpupassNames is one names() lookup: lookupPCIIDs on the set.
func gpupassNames(tb testing.TB, path string, s pciIDsLookupSet) (vendors, products map[string]string) {
	vendors = make(map[string]string, len(s.vendors))
	products = make(map[string]string, len(s.products))
	for _, v := range s.vendors {
		vendors[v] = ""
	}
	for _, p := range s.products {
		products[p] = ""
	}
	bad, err := lookupPCIIDs(path, vendors, products)
	if err != nil || bad != 0 {
		tb.Fatalf("lookupPCIIDs(%s): line %d, %v", path, bad, err)
	}
	return vendors, products
}

// openPCIDB opens path with pcidb as ghw would, given the file
// (WithPath) and told not to fetch it (in pcidb v1.1.1 that is
// EnableNetworkFetch false; later versions call it
// WithDisableNetworkFetch).
func openPCIDB(tb testing.TB, path string) *pcidb.PCIDB {
	db, err := pcidb.New(pcidb.WithPath(path), &pcidb.WithOption{EnableNetworkFetch: new(bool)})
	if err != nil {
		tb.Fatalf("pcidb.New(%s): %v", path, err)
	}
	return db
}

// pcidbNames is the lookup of gpupassNames in pcidb's maps.
func pcidbNames(db *pcidb.PCIDB, s pciIDsLookupSet) (vendors, products map[string]string) {
	vendors = make(map[string]string, len(s.vendors))
	products = make(map[string]string, len(s.products))
	for _, v := range s.vendors {
		vendors[v] = ""
		if e, ok := db.Vendors[v]; ok {
			vendors[v] = e.Name
		}
	}
	for _, p := range s.products {
		products[p] = ""
		if e, ok := db.Products[p]; ok {
			products[p] = e.Name
		}
	}
	return vendors, products
}

// heldBytes is the heap in use, after a full GC, while the value hold
// returns is alive: hold runs a lookup and returns all it built (for
// pcidb its whole database and the names taken from it; for
// lookupPCIIDs the names). B/op counts every allocation, garbage
// included: lookupPCIIDs's peak heap is at most its B/op, pcidb's at
// least its held-B.
func heldBytes(hold func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	held := hold()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(held)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// BenchmarkPCIIDs times one names() lookup of a host's IDs in the full
// distribution pci.ids, by lookupPCIIDs (gpupass) and by pcidb, its peer,
// in the same run: bench/pciids-vs-pcidb.sh runs it and prints the
// ratios. That both find the same names is TestLookupPCIIDsAgreesWithPCIDB's
// business (every ID of the same file).
func BenchmarkPCIIDs(b *testing.B) {
	path := distPCIIDs(b)
	for _, s := range pciIDsLookupSets() {
		b.Run(s.name+"/gpupass", func(b *testing.B) {
			held := heldBytes(func() any {
				v, p := gpupassNames(b, path, s)
				return []map[string]string{v, p}
			})
			b.ReportAllocs()
			for b.Loop() {
				gpupassNames(b, path, s)
			}
			b.ReportMetric(float64(held), "held-B")
			b.ReportMetric(float64(len(s.vendors)+len(s.products)), "ids")
		})
		b.Run(s.name+"/pcidb", func(b *testing.B) {
			held := heldBytes(func() any {
				db := openPCIDB(b, path)
				v, p := pcidbNames(db, s)
				return []any{db, v, p}
			})
			b.ReportAllocs()
			for b.Loop() {
				pcidbNames(openPCIDB(b, path), s)
			}
			b.ReportMetric(float64(held), "held-B")
			b.ReportMetric(float64(len(s.vendors)+len(s.products)), "ids")
		})
	}
}
