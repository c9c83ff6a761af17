package hostinfo

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"
)

// pciIDsPaths are where distributions install the PCI ID database, in the
// order pciutils and ghw look for it.
var pciIDsPaths = []string{
	"/usr/share/hwdata/pci.ids",
	"/usr/share/misc/pci.ids",
	"/usr/share/hwdata/pci.ids.gz",
	"/usr/share/misc/pci.ids.gz",
}

// names fills vendor and model names from pci.ids. The database is looked
// up under the root only, never on the machine running gpupass, so a
// captured host reads the same everywhere; override reads a given file.
//
// The database is read by lookupPCIIDs, not pcidb: pcidb's discovery
// would look in the user's cache first and, when told to by the
// environment, fetch the database from the network and write it to that
// cache.
func (c *collector) names(override string) {
	dbPath := override
	if dbPath == "" {
		for _, p := range pciIDsPaths {
			resolved, err := c.fs.Resolve(p)
			if err == nil {
				dbPath = c.fs.Path(resolved)
				c.fs.Record(p, AccessRead)
				c.host.PCIIDs = p
				break
			}
		}
		if dbPath == "" {
			c.note(pciIDsPaths[1], "no pci.ids database under the root: devices are listed without vendor and model names (install pci.ids or hwdata, or pass --pci-ids)")
			return
		}
	} else {
		if _, err := os.Stat(override); err != nil {
			c.note(override, "%s: devices are listed without names", describeErr(err))
			return
		}
		c.host.PCIIDs = override
	}
	vendors := make(map[string]string)
	products := make(map[string]string)
	for _, d := range c.host.Devices {
		vendors[d.VendorID] = ""
		products[d.VendorID+d.DeviceID] = ""
	}
	bad, err := lookupPCIIDs(dbPath, vendors, products)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "missing"
		}
		c.note(c.host.PCIIDs, "%s: devices are listed without names", msg)
		c.host.PCIIDs = ""
		return
	}
	if bad > 0 {
		c.note(c.host.PCIIDs, "line %d is not a pci.ids entry; skipped", bad)
	}
	for i := range c.host.Devices {
		d := &c.host.Devices[i]
		d.VendorName = vendors[d.VendorID]
		d.Model = products[d.VendorID+d.DeviceID]
	}
}

// lookupPCIIDs fills in the names of the vendor IDs and vendor+device IDs
// that are the keys of vendors and products from a pci.ids database,
// gzipped if its name ends in .gz. It returns the number of the first
// malformed line, or 0.
//
// It reads the database as github.com/jaypipes/pcidb (which ghw uses)
// does and finds the same names, but keeps only the ones asked for:
// building pcidb's maps of the whole 1.3 MB database cost more than
// reading every device of a 1,000-function host. pcidb also panics on a
// malformed line, where this skips it.
func lookupPCIIDs(dbPath string, vendors, products map[string]string) (bad int, err error) {
	f, err := os.Open(dbPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(dbPath, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return 0, err
		}
		r = zr
	}
	// pcidb's parser, line by line (its bufio.Scanner, which stops at a
	// read error or a line over 64 KiB): a line is a class (C), a vendor
	// (no tab), a product or subclass (one tab), or a subsystem or
	// programming interface (two tabs); a vendor line ends a class block.
	// Offsets count runes, as pcidb indexes []rune(line).
	var (
		inClass   bool
		hasVendor bool
		key       []byte // the current vendor's ID, then a product's key
	)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		// need is the fewest runes pcidb slices the line at; idAt, nameAt
		// the rune offsets of the ID and name kept, for vendors and products.
		var need, idAt, nameAt int
		switch {
		case line[0] == 'C':
			inClass, need = true, 6
		case line[0] != '\t':
			inClass, need, idAt, nameAt = false, 6, 0, 6
		case len(line) > 1 && line[1] != '\t' && inClass:
			need = 5
		case len(line) > 1 && line[1] != '\t':
			need, idAt, nameAt = 7, 1, 7
		case inClass:
			need = 6
		default:
			need = 13
		}
		ascii := len(line) >= need
		for i := 0; ascii && i < need; i++ {
			ascii = line[i] < utf8.RuneSelf
		}
		var runes []rune
		if !ascii {
			// Rare: a short line or one with non-ASCII text in its IDs.
			if utf8.RuneCount(line) < need {
				bad = cmp.Or(bad, n)
				if idAt == 0 && nameAt > 0 {
					hasVendor = false // its products cannot be told apart
				}
				continue
			}
			runes = []rune(string(line))
		}
		if nameAt == 0 {
			continue // a class, subclass, subsystem or programming interface
		}
		// field is line[from:to] in runes (to < 0: to the end).
		field := func(from, to int) []byte {
			if runes == nil {
				if to < 0 {
					return line[from:]
				}
				return line[from:to]
			}
			if to < 0 {
				return []byte(string(runes[from:]))
			}
			return []byte(string(runes[from:to]))
		}
		if idAt == 0 {
			key = append(key[:0], field(0, 4)...)
			hasVendor = true
			if _, ok := vendors[string(key)]; ok {
				vendors[string(key)] = runeString(field(nameAt, -1))
			}
			continue
		}
		if !hasVendor {
			bad = cmp.Or(bad, n) // a product before any vendor
			continue
		}
		vendorLen := len(key)
		key = append(key, field(idAt, idAt+4)...)
		if _, ok := products[string(key)]; ok {
			products[string(key)] = runeString(field(nameAt, -1))
		}
		key = key[:vendorLen]
	}
	return bad, nil
}

// runeString is string([]rune(string(b))): invalid UTF-8 bytes become
// U+FFFD each, as in pcidb's names.
func runeString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string([]rune(string(b)))
}
