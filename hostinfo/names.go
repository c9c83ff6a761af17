package hostinfo

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
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
// The database is read by lookupPCIIDs, not pcidb: see there why.
func (c *collector) names(override string) {
	var db *os.File
	var err error
	if override == "" {
		for _, p := range pciIDsPaths {
			resolved, rerr := c.fs.Resolve(p)
			if rerr != nil {
				continue
			}
			c.host.PCIIDs = p
			// Opened by the path it resolved to, inside the root; noted
			// by the path asked for, which a snapshot captures with its
			// links.
			db, err = c.fs.t.open(resolved)
			c.fs.Record(p, AccessRead)
			break
		}
		if c.host.PCIIDs == "" {
			c.note(pciIDsPaths[1], "no pci.ids database under the root: devices are listed without vendor and model names (install pci.ids or hwdata, or pass --pci-ids)")
			return
		}
	} else {
		c.host.PCIIDs = override
		db, err = openLocal(override)
	}
	if err != nil {
		c.note(c.host.PCIIDs, "%s: devices are listed without names", describeErr(err))
		c.host.PCIIDs = ""
		return
	}
	defer db.Close()
	vendors := make(map[string]string)
	products := make(map[string]string)
	for _, d := range c.host.Devices {
		vendors[d.VendorID] = ""
		products[d.VendorID+d.DeviceID] = ""
	}
	bad, err := scanPCIIDs(db, strings.HasSuffix(c.host.PCIIDs, ".gz"), vendors, products)
	if err != nil {
		c.note(c.host.PCIIDs, "%s: devices are listed without names", describeErr(err))
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
// that are the keys of vendors and products (lower-case hex, "10de" and
// "10de2330") from a pci.ids database, gzipped if its name ends in .gz.
// It returns the number of the first line that is not an entry, or 0;
// an error when the file cannot be opened or read to its end (a
// truncated .gz, say).
//
// It parses the database as pciutils does (lib/names-parse.c, what
// lspci reads): see pciIDsParser. Where pciutils stops at the first bad
// line with an error, this skips the line (and the entries nested under
// it) and goes on; names from the lines before and after it stay.
//
// Why not github.com/jaypipes/pcidb, which ghw uses and which stays an
// oracle in the tests. Measured by BenchmarkPCIIDs with
// bench/pciids-vs-pcidb.sh on 2026-12-06 (2-vCPU AMD EPYC virtual
// machine, Linux 6.18, Go 1.26.8), both in one run on Debian's full
// pci.ids (2023.04.10, 1.36 MB), looking up the IDs of a 1,000-function
// synthetic host (median of 7): lookupPCIIDs 2.25 ms, 55 KB allocated in
// 92 allocations; pcidb v1.1.1 (New with WithPath and network fetch off,
// then the same lookups) 25.0 ms (25 to 35 ms across runs that day),
// 12.1 MB in 189,111 allocations, and 6.0 MB held at once, since it
// builds maps of the whole database for a few dozen names; peak RSS of a
// test process running one lookup 16.5 MB against 23.7 MB. The IDs of
// all the fixture hosts together cost the same (2.02 ms against 25.7 ms).
// pcidb also panics on a malformed line (a short line: slice bounds out
// of range; a device before any vendor: nil dereference), stops silently
// at a line over 64 KiB or a read error (a truncated .gz gives part of
// the names and no error), and slices every line at fixed rune offsets,
// so that one space or a tab after an ID shifts the name. Unless given a
// path it looks in $HOME/.cache/pci.ids first, takes the file from
// $PCIDB_PATH, and with PCIDB_ENABLE_NETWORK_FETCH=1 downloads the
// database into that cache: options avoid that (WithPath, network fetch
// off); they do not avoid the cost or the panics.
func lookupPCIIDs(dbPath string, vendors, products map[string]string) (bad int, err error) {
	f, err := openLocal(dbPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return scanPCIIDs(f, strings.HasSuffix(dbPath, ".gz"), vendors, products)
}

// scanPCIIDs is lookupPCIIDs on an open database, gzipped when gz.
func scanPCIIDs(f io.Reader, gz bool, vendors, products map[string]string) (bad int, err error) {
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return 0, err
		}
		r = zr
	}
	// The buffer is far longer than the longest line pciutils accepts
	// (maxPCIIDsLine): a longer line is skipped, never held.
	br := bufio.NewReaderSize(r, 16<<10)
	p := &pciIDsParser{vendors: vendors, products: products, skip: -1}
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			nest := leadingTabs(line)
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			p.malformed(n, nest)
		} else if len(line) > 0 {
			p.line(n, bytes.TrimSuffix(line, []byte{'\n'}))
		}
		switch err {
		case nil:
		case io.EOF:
			return p.bad, nil
		default:
			return p.bad, fmt.Errorf("line %d: %w", n, err)
		}
	}
}

// maxPCIIDsLine is the longest line pciutils reads, in bytes before its
// newline: lib/names-parse.c reads lines with fgets into a 1,024-byte
// buffer (MAX_LINE) and refuses one that does not fit with its newline
// and the terminating NUL ("Line too long").
const maxPCIIDsLine = 1022

// pciIDsBlock is the kind of top-level entry the lines nested under it
// (by leading tabs) belong to.
type pciIDsBlock uint8

const (
	blockNone             pciIDsBlock = iota // before the first top-level entry
	blockVendor                              // "10de  NVIDIA Corporation": devices, their subsystems
	blockGenericSubsystem                    // "S 10de": subsystems by ID alone
	blockClass                               // "C 03  Display controller": subclasses, programming interfaces
	blockUnknown                             // another capital and a space: reserved, skipped with its lines
)

// pciIDsParser reads pci.ids line by line with the grammar of pciutils'
// lib/names-parse.c, which the header of pci.ids itself sums up:
//
//	vendor  vendor_name
//		device  device_name				<-- single tab
//			subvendor subdevice  subsystem_name	<-- two tabs
//	C class	class_name
//		subclass	subclass_name		<-- single tab
//			prog-if  prog-if_name		<-- two tabs
//
// A line ends at its first CR or LF and loses one trailing space or tab;
// one made only of spaces and tabs, or whose first other character is #,
// is a comment. The leading tabs give its depth. IDs are hex digits of
// either case (4 for vendors, devices and subsystems, 2 for classes),
// each followed by a space or a tab; the name is what follows once the
// spaces and tabs after the ID are skipped, and must not be empty.
// "S XXXX" (exactly) opens a block of generic subsystems of a vendor
// already listed; another capital letter and a space opens a block
// reserved for future use, skipped with everything nested under it.
//
// A line pciutils refuses is malformed here: a bad or short ID, a
// missing separator or name, a depth its block does not allow (a
// subsystem under no device, anything three tabs deep), a line over
// maxPCIIDsLine bytes or holding a NUL byte, and a vendor, or a device of
// a vendor, listed twice (pciutils' "Duplicate entry"; the first stays).
// Duplicate subsystems and classes are not looked for: no name gpupass
// shows comes from them. Where pciutils stops at such a line, the parser
// notes the first one in bad, skips it and the lines nested under it
// (their parent is unknown), and goes on.
type pciIDsParser struct {
	vendors, products map[string]string
	bad               int // the first malformed line, 0 for none
	// skip >= 0 skips the lines nested deeper than it: those under the
	// last malformed line.
	skip      int
	block     pciIDsBlock
	hasDevice bool    // the vendor block has a device line (subsystems may follow)
	key       [8]byte // the vendor's ID, then the device's, in lower-case hex

	vendorSeen [1 << 16 / 64]uint64 // vendor IDs listed so far
	deviceSeen [1 << 16 / 64]uint64 // device IDs listed in the current vendor block
	devices    []uint16             // the bits set in deviceSeen, to clear them
}

func (p *pciIDsParser) malformed(n, nest int) {
	p.bad = cmp.Or(p.bad, n)
	p.skip = nest
}

// line parses line n, its newline removed.
func (p *pciIDsParser) line(n int, line []byte) {
	if len(line) > maxPCIIDsLine || bytes.IndexByte(line, 0) >= 0 {
		p.malformed(n, leadingTabs(line))
		return
	}
	if i := bytes.IndexByte(line, '\r'); i >= 0 {
		line = line[:i]
	}
	if k := len(line); k > 0 && isBlank(line[k-1]) {
		line = line[:k-1]
	}
	i := 0
	for i < len(line) && isBlank(line[i]) {
		i++
	}
	if i == len(line) || line[i] == '#' {
		return
	}
	nest := leadingTabs(line)
	if p.skip >= 0 {
		if nest > p.skip {
			return
		}
		p.skip = -1
	}
	if !p.entry(nest, line[nest:]) {
		p.malformed(n, nest)
	}
}

// entry parses one entry, s, nest tabs deep; false means malformed, and
// leaves the parser as it was.
func (p *pciIDsParser) entry(nest int, s []byte) bool {
	if nest > 0 && p.block == blockUnknown {
		return true
	}
	switch nest {
	case 0:
		return p.topLevel(s)
	case 1:
		switch p.block {
		case blockVendor:
			id, ok := hexID(s, 4)
			name := pciIDsName(s, 5)
			if !ok || !afterID(s, 4) || name == nil || p.deviceSeen[id/64]&(1<<(id%64)) != 0 {
				return false
			}
			p.deviceSeen[id/64] |= 1 << (id % 64)
			p.devices = append(p.devices, id)
			p.hasDevice = true
			putHex(p.key[4:], id)
			if _, ok := p.products[string(p.key[:])]; ok {
				p.products[string(p.key[:])] = validName(name)
			}
			return true
		case blockGenericSubsystem:
			_, ok := hexID(s, 4)
			return ok && afterID(s, 4) && pciIDsName(s, 5) != nil
		case blockClass:
			_, ok := hexID(s, 2)
			return ok && afterID(s, 2) && pciIDsName(s, 3) != nil
		}
		return false
	case 2:
		switch p.block {
		case blockVendor:
			_, ok1 := hexID(s, 4)
			var ok2 bool
			if len(s) > 5 {
				_, ok2 = hexID(s[5:], 4)
			}
			return p.hasDevice && ok1 && afterID(s, 4) && ok2 && afterID(s, 9) && pciIDsName(s, 10) != nil
		case blockClass:
			_, ok := hexID(s, 2)
			return ok && afterID(s, 2) && pciIDsName(s, 3) != nil
		}
		return false
	}
	return false
}

// topLevel parses an entry that is not nested: a class, a generic
// subsystem block, a reserved block or a vendor.
func (p *pciIDsParser) topLevel(s []byte) bool {
	if len(s) >= 2 && s[1] == ' ' && 'A' <= s[0] && s[0] <= 'Z' {
		switch s[0] {
		case 'C':
			_, ok := hexID(s[2:], 2)
			if !ok || !afterID(s, 4) || pciIDsName(s, 5) == nil {
				return false
			}
			p.block = blockClass
		case 'S':
			id, ok := hexID(s[2:], 4)
			if !ok || len(s) != 6 || p.vendorSeen[id/64]&(1<<(id%64)) == 0 {
				return false
			}
			p.block = blockGenericSubsystem
		default:
			p.block = blockUnknown
		}
		p.hasDevice = false
		return true
	}
	id, ok := hexID(s, 4)
	name := pciIDsName(s, 5)
	if !ok || !afterID(s, 4) || name == nil || p.vendorSeen[id/64]&(1<<(id%64)) != 0 {
		return false
	}
	p.vendorSeen[id/64] |= 1 << (id % 64)
	for _, d := range p.devices {
		p.deviceSeen[d/64] = 0
	}
	p.devices = p.devices[:0]
	p.block, p.hasDevice = blockVendor, false
	putHex(p.key[:4], id)
	if _, ok := p.vendors[string(p.key[:4])]; ok {
		p.vendors[string(p.key[:4])] = validName(name)
	}
	return true
}

// hexID parses the first digits bytes of s as a hex ID of either case.
func hexID(s []byte, digits int) (uint16, bool) {
	if len(s) < digits {
		return 0, false
	}
	var v uint16
	for _, c := range s[:digits] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	return v, true
}

// afterID reports whether an ID ending at s[i] is followed by a space or
// a tab.
func afterID(s []byte, i int) bool { return i < len(s) && isBlank(s[i]) }

// pciIDsName is the name from s[at:] on, its leading spaces and tabs
// skipped; nil when there is none.
func pciIDsName(s []byte, at int) []byte {
	for at < len(s) && isBlank(s[at]) {
		at++
	}
	if at >= len(s) {
		return nil
	}
	return s[at:]
}

func putHex(dst []byte, id uint16) {
	const digits = "0123456789abcdef"
	dst[0], dst[1], dst[2], dst[3] = digits[id>>12], digits[id>>8&15], digits[id>>4&15], digits[id&15]
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func leadingTabs(line []byte) int {
	n := 0
	for n < len(line) && line[n] == '\t' {
		n++
	}
	return n
}

// validName is b as a string, each byte that is not valid UTF-8 replaced
// by U+FFFD: names go to JSON, where encoding/json would replace them
// so, and to text and Prometheus labels, which must be UTF-8; this way a
// name reads the same in every format. pci.ids itself is UTF-8.
func validName(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string([]rune(string(b)))
}
