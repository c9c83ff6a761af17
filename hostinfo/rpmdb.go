package hostinfo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// This file reads rpm's SQLite database (RHEL/Rocky/Alma 9 and later,
// Fedora 33 and later) without an SQLite library: a read-only walk of the
// one table rpm keeps its package headers in, plus its write-ahead log,
// and a parser of the RPM headers found there. Only what rpm writes is
// read; anything else is an error naming the file and the page.
//
// Sources (docs/research/vgpu-layouts.md 5.3):
//   - the SQLite file format, https://www.sqlite.org/fileformat2.html
//     (read as Debian's sqlite3-doc 3.40.1 ships it): the 100-byte header
//     (1.3), b-tree pages (1.6), overflow pages (1.7), the record format
//     (2.1), sqlite_schema (2.6), the WAL file and its checksum (4.1,
//     4.2), the reader algorithm (4.5);
//   - rpm's lib/backend/sqlite.cc: table Packages(hnum INTEGER PRIMARY KEY
//     AUTOINCREMENT, blob BLOB NOT NULL), journal_mode WAL kept with
//     SQLITE_FCNTL_PERSIST_WAL, wal_autocheckpoint 10000;
//   - rpm's lib/rpmdb.cc stores headerExport(h) as the blob; lib/header.cc
//     doExport writes il and dl big-endian (ei[0] = htonl(il); ei[1] =
//     htonl(dl)), no magic, then il 16-byte entries, then dl bytes of data;
//     its limits HEADER_TAGS_MAX 0xffff, HEADER_DATA_MAX 0x0fffffff;
//   - rpm's include/rpm/rpmtag.h: RPMTAG_NAME 1000, VERSION 1001,
//     RELEASE 1002, EPOCH 1003 (int32), ARCH 1022; RPM_INT32_TYPE 4,
//     RPM_STRING_TYPE 6; docs/manual/format_header.md: entries {tag, type,
//     offset, count} big-endian, INT32 data aligned to 4 bytes.
// (rpm-software-management/rpm at a8f0192a.)

// RPMPackage is one installed package as rpm's database holds it.
type RPMPackage struct {
	// Hnum is the package's row in the Packages table (rpm's header
	// number).
	Hnum    int64
	Name    string
	Version string
	Release string
	// Epoch is the EPOCH tag; nil when the package has none (rpm then
	// compares it as 0).
	Epoch *int32
	Arch  string
}

// EVR is the package's version as rpm writes it: [epoch:]version-release.
func (p RPMPackage) EVR() string {
	evr := p.Version + "-" + p.Release
	if p.Epoch != nil {
		evr = strconv.FormatInt(int64(*p.Epoch), 10) + ":" + evr
	}
	return evr
}

// RPM header tags and types (rpmtag.h).
const (
	rpmTagName    = 1000
	rpmTagVersion = 1001
	rpmTagRelease = 1002
	rpmTagEpoch   = 1003
	rpmTagArch    = 1022

	rpmTypeInt32  = 4
	rpmTypeString = 6

	rpmHeaderTagsMax = 0x0000ffff // HEADER_TAGS_MAX
	rpmHeaderDataMax = 0x0fffffff // HEADER_DATA_MAX
)

// ParseRPMHeader reads the name, epoch, version, release and arch of a
// header as rpm's database stores it (headerExport: il, dl, il index
// entries, dl bytes of data; no magic). The blob must be exactly as long
// as il and dl say, as rpm's hdrblobInit requires; NAME, VERSION and
// RELEASE must be strings inside the data; EPOCH, when present, an int32.
func ParseRPMHeader(blob []byte) (RPMPackage, error) {
	var p RPMPackage
	if len(blob) < 8 {
		return p, fmt.Errorf("header of %d bytes: shorter than its 8-byte intro", len(blob))
	}
	il := binary.BigEndian.Uint32(blob[0:4])
	dl := binary.BigEndian.Uint32(blob[4:8])
	if il > rpmHeaderTagsMax || dl > rpmHeaderDataMax {
		return p, fmt.Errorf("header says %d entries and %d data bytes: beyond rpm's limits", il, dl)
	}
	if il == 0 {
		return p, errors.New("header has no entries")
	}
	want := 8 + 16*uint64(il) + uint64(dl)
	if uint64(len(blob)) != want {
		return p, fmt.Errorf("header of %d bytes, but its %d entries and %d data bytes make %d", len(blob), il, dl, want)
	}
	index := blob[8 : 8+16*il]
	data := blob[8+16*il:]
	var have [3]bool
	for i := uint32(0); i < il; i++ {
		e := index[16*i : 16*i+16]
		tag := binary.BigEndian.Uint32(e[0:4])
		typ := binary.BigEndian.Uint32(e[4:8])
		off := int32(binary.BigEndian.Uint32(e[8:12]))
		count := binary.BigEndian.Uint32(e[12:16])
		var dst *string
		switch tag {
		case rpmTagName:
			dst = &p.Name
		case rpmTagVersion:
			dst = &p.Version
		case rpmTagRelease:
			dst = &p.Release
		case rpmTagArch:
			dst = &p.Arch
		case rpmTagEpoch:
			if typ != rpmTypeInt32 || count < 1 {
				return p, fmt.Errorf("EPOCH (tag %d) has type %d count %d, want an int32", tag, typ, count)
			}
			if off < 0 || off%4 != 0 || int64(off)+4 > int64(len(data)) {
				return p, fmt.Errorf("EPOCH (tag %d) at data offset %d: outside the %d data bytes or not aligned", tag, off, len(data))
			}
			epoch := int32(binary.BigEndian.Uint32(data[off : off+4]))
			p.Epoch = &epoch
			continue
		default:
			continue
		}
		name := map[uint32]string{rpmTagName: "NAME", rpmTagVersion: "VERSION", rpmTagRelease: "RELEASE", rpmTagArch: "ARCH"}[tag]
		if typ != rpmTypeString {
			if tag == rpmTagArch {
				continue // "legacy used int" (rpmtag.h): not a name
			}
			return p, fmt.Errorf("%s (tag %d) has type %d, want a string (%d)", name, tag, typ, rpmTypeString)
		}
		s, err := rpmString(data, off)
		if err != nil {
			return p, fmt.Errorf("%s (tag %d): %v", name, tag, err)
		}
		*dst = s
		if tag <= rpmTagRelease {
			have[tag-rpmTagName] = true
		}
	}
	for i, name := range []string{"NAME", "VERSION", "RELEASE"} {
		if !have[i] {
			return p, fmt.Errorf("header has no %s (tag %d)", name, rpmTagName+i)
		}
	}
	if p.Name == "" {
		return p, errors.New("header has an empty NAME")
	}
	return p, nil
}

// rpmString is the NUL-terminated string at off in a header's data.
func rpmString(data []byte, off int32) (string, error) {
	if off < 0 || int64(off) >= int64(len(data)) {
		return "", fmt.Errorf("data offset %d outside the %d data bytes", off, len(data))
	}
	for i := int(off); i < len(data); i++ {
		if data[i] == 0 {
			return string(data[off:i]), nil
		}
	}
	return "", fmt.Errorf("string at data offset %d runs past the data's end", off)
}

// RPMDB is what ReadRPMDB found in an rpm database.
type RPMDB struct {
	// Packages are the installed packages, by Hnum.
	Packages []RPMPackage
	// Damaged are the headers that would not parse, as "hnum N: why".
	// rpm skips such a header too ("rpmdb: damaged header #N retrieved --
	// skipping").
	Damaged []string
	// WALFrames counts the committed frames of the write-ahead log that
	// were read over the main file.
	WALFrames int
}

// SQLiteError is a database file gpupass cannot read as SQLite writes it.
type SQLiteError struct {
	// File is the file as the caller named it; Page the page, 0 for the
	// file as a whole.
	File string
	Page uint32
	Msg  string
}

func (e *SQLiteError) Error() string {
	if e.Page == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s: page %d: %s", e.File, e.Page, e.Msg)
}

// rpmdbMaxRead caps the bytes one ReadRPMDB reads, main file and WAL
// together: rpm databases are 50-300 MB; a file that needs more is not
// what rpm writes.
const rpmdbMaxRead = 1 << 30

// rpmdbMaxPayload caps one row's payload: rpm refuses headers of 256 MiB
// and more (HEADER_DATA_MAX).
const rpmdbMaxPayload = rpmHeaderDataMax

// btreeMaxDepth is the deepest b-tree SQLite itself accepts
// (BTCURSOR_MAX_DEPTH in btreeInt.h: deeper is "assumed corrupt").
const btreeMaxDepth = 20

// ReadRPMDB reads every package header of rpm's SQLite database db
// (dbSize bytes), with its write-ahead log wal (walSize bytes; nil when
// there is none). name and walName name the files in errors. Reads are
// page by page, at most rpmdbMaxRead bytes in all.
func ReadRPMDB(name string, db io.ReaderAt, dbSize int64, walName string, wal io.ReaderAt, walSize int64) (*RPMDB, error) {
	s, err := openSQLite(name, db, dbSize, walName, wal, walSize)
	if err != nil {
		return nil, err
	}
	root, err := s.tableRoot("Packages")
	if err != nil {
		return nil, err
	}
	out := &RPMDB{WALFrames: s.walFrames}
	err = s.walkTable(root, func(page uint32, rowid int64, payload []byte) error {
		cols, err := parseRecord(payload)
		if err != nil {
			return &SQLiteError{File: s.name, Page: page, Msg: fmt.Sprintf("row %d: %v", rowid, err)}
		}
		// hnum is an alias of the rowid (INTEGER PRIMARY KEY): its column
		// holds NULL; blob is the second column.
		if len(cols) < 2 || cols[1].kind != sqlBlob {
			return &SQLiteError{File: s.name, Page: page, Msg: fmt.Sprintf("row %d of Packages has no blob in its second column: not rpm's Packages table", rowid)}
		}
		p, err := ParseRPMHeader(cols[1].bytes)
		if err != nil {
			out.Damaged = append(out.Damaged, fmt.Sprintf("hnum %d: %v", rowid, err))
			return nil
		}
		p.Hnum = rowid
		out.Packages = append(out.Packages, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sqliteFile is an SQLite database opened for reading: its header's
// facts, and which pages its committed WAL frames replace.
type sqliteFile struct {
	name     string
	db       io.ReaderAt
	dbSize   int64
	walName  string
	wal      io.ReaderAt
	pageSize int
	usable   int
	nPages   uint32
	// walPage maps a page number to the offset of its newest committed
	// frame's page data in the WAL.
	walPage   map[uint32]int64
	walFrames int
	budget    int64
	// seen holds every page a walk has used: a page reached twice (a
	// cycle, or two parents) is corruption, and the walk stops.
	seen map[uint32]bool
}

func openSQLite(name string, db io.ReaderAt, dbSize int64, walName string, wal io.ReaderAt, walSize int64) (*sqliteFile, error) {
	s := &sqliteFile{name: name, db: db, dbSize: dbSize, walName: walName, wal: wal, budget: rpmdbMaxRead, seen: map[uint32]bool{}}
	fail := func(format string, args ...any) error {
		return &SQLiteError{File: name, Msg: fmt.Sprintf(format, args...)}
	}
	if dbSize < 100 {
		return nil, fail("%d bytes: shorter than SQLite's 100-byte header", dbSize)
	}
	var h [100]byte
	if err := s.readAt(db, h[:], 0, name); err != nil {
		return nil, err
	}
	if string(h[:16]) != "SQLite format 3\x00" {
		return nil, fail("not an SQLite 3 database (its first 16 bytes are not \"SQLite format 3\\0\")")
	}
	ps := int(binary.BigEndian.Uint16(h[16:18]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 {
		return nil, fail("page size %d: not a power of two from 512 to 65536", ps)
	}
	if h[19] > 2 {
		return nil, fail("file format read version %d: SQLite itself cannot read it (1 and 2 only)", h[19])
	}
	if h[21] != 64 || h[22] != 32 || h[23] != 32 {
		return nil, fail("payload fractions %d/%d/%d: SQLite requires 64/32/32", h[21], h[22], h[23])
	}
	s.pageSize = ps
	s.usable = ps - int(h[20])
	if s.usable < 480 {
		return nil, fail("usable page size %d (page size %d less %d reserved bytes): SQLite requires at least 480", s.usable, ps, h[20])
	}
	if enc := binary.BigEndian.Uint32(h[56:60]); enc != 1 {
		return nil, fail("text encoding %d: rpm writes UTF-8 (1), nothing else is read", enc)
	}
	// The in-header size is valid when non-zero and the change counter
	// matches version-valid-for (fileformat2 1.3.7); else the file's size.
	n := binary.BigEndian.Uint32(h[28:32])
	if n == 0 || binary.BigEndian.Uint32(h[24:28]) != binary.BigEndian.Uint32(h[92:96]) {
		n = uint32(min(dbSize/int64(ps), 1<<31-2))
	}
	s.nPages = n
	if wal != nil {
		if err := s.readWAL(walSize); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// readAt reads len(buf) bytes at off, counted against the budget.
func (s *sqliteFile) readAt(r io.ReaderAt, buf []byte, off int64, file string) error {
	s.budget -= int64(len(buf))
	if s.budget < 0 {
		return &SQLiteError{File: file, Msg: fmt.Sprintf("more than %d MiB read: not an rpm database gpupass reads", rpmdbMaxRead>>20)}
	}
	n, err := r.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return &SQLiteError{File: file, Msg: fmt.Sprintf("truncated: %d bytes at offset %d, only %d there", len(buf), off, n)}
	}
	return fmt.Errorf("%s: %w", file, err)
}

// WAL magic numbers: the low bit says the checksums' byte order
// (fileformat2 4.2).
const (
	walMagicLE = 0x377f0682
	walMagicBE = 0x377f0683
)

// readWAL indexes the committed frames of the write-ahead log as SQLite's
// recovery does (fileformat2 4.1, 4.5): a valid header, then frames whose
// salts match the header's and whose cumulative checksum holds, up to the
// first that does not; of those, the frames up to the last commit frame
// (non-zero "database size after commit") count, and a page's last such
// frame replaces the page in the main file. A WAL with a bad header is
// empty, as SQLite treats it.
func (s *sqliteFile) readWAL(walSize int64) error {
	if walSize < 32 {
		return nil
	}
	var h [32]byte
	if err := s.readAt(s.wal, h[:], 0, s.walName); err != nil {
		return err
	}
	magic := binary.BigEndian.Uint32(h[0:4])
	if magic != walMagicLE && magic != walMagicBE {
		return nil
	}
	var order binary.ByteOrder = binary.LittleEndian
	if magic == walMagicBE {
		order = binary.BigEndian
	}
	if binary.BigEndian.Uint32(h[4:8]) != 3007000 {
		return nil
	}
	s0, s1 := walChecksum(order, h[:24], 0, 0)
	if s0 != binary.BigEndian.Uint32(h[24:28]) || s1 != binary.BigEndian.Uint32(h[28:32]) {
		return nil
	}
	if ps := int(binary.BigEndian.Uint32(h[8:12])); ps != s.pageSize {
		return &SQLiteError{File: s.walName, Msg: fmt.Sprintf("page size %d, the database's is %d", ps, s.pageSize)}
	}
	salt := h[16:24]
	frameSize := int64(24 + s.pageSize)
	pending := map[uint32]int64{}
	committed := map[uint32]int64{}
	frames := 0
	frame := make([]byte, frameSize)
	for off := int64(32); off+frameSize <= walSize; off += frameSize {
		if err := s.readAt(s.wal, frame, off, s.walName); err != nil {
			return err
		}
		pgno := binary.BigEndian.Uint32(frame[0:4])
		if pgno == 0 || string(frame[8:16]) != string(salt) {
			break
		}
		s0, s1 = walChecksum(order, frame[:8], s0, s1)
		s0, s1 = walChecksum(order, frame[24:], s0, s1)
		if s0 != binary.BigEndian.Uint32(frame[16:20]) || s1 != binary.BigEndian.Uint32(frame[20:24]) {
			break
		}
		pending[pgno] = off + 24
		frames++
		if size := binary.BigEndian.Uint32(frame[4:8]); size != 0 {
			for p, o := range pending {
				committed[p] = o
			}
			clear(pending)
			s.nPages = size
			s.walFrames = frames
		}
	}
	// Frames after the last commit frame are an unfinished transaction:
	// pending is dropped.
	s.walPage = committed
	return nil
}

// walChecksum continues SQLite's WAL checksum over b (a multiple of 8
// bytes): s0 += x(i) + s1; s1 += x(i+1) + s0 (fileformat2 4.2).
func walChecksum(order binary.ByteOrder, b []byte, s0, s1 uint32) (uint32, uint32) {
	for i := 0; i+8 <= len(b); i += 8 {
		s0 += order.Uint32(b[i:]) + s1
		s1 += order.Uint32(b[i+4:]) + s0
	}
	return s0, s1
}

// page reads page n, from its committed WAL frame when it has one, and
// marks it used: a page used twice is an error.
func (s *sqliteFile) page(n uint32) ([]byte, error) {
	if n == 0 || n > s.nPages {
		return nil, &SQLiteError{File: s.name, Page: n, Msg: fmt.Sprintf("page number outside the database's %d pages", s.nPages)}
	}
	if s.seen[n] {
		return nil, &SQLiteError{File: s.name, Page: n, Msg: "reached a second time: the pages form a cycle or share a child"}
	}
	s.seen[n] = true
	buf := make([]byte, s.pageSize)
	if off, ok := s.walPage[n]; ok {
		if err := s.readAt(s.wal, buf, off, s.walName); err != nil {
			return nil, err
		}
		return buf, nil
	}
	off := int64(n-1) * int64(s.pageSize)
	if off+int64(s.pageSize) > s.dbSize {
		return nil, &SQLiteError{File: s.name, Page: n, Msg: fmt.Sprintf("truncated: the file ends at byte %d, before this page", s.dbSize)}
	}
	if err := s.readAt(s.db, buf, off, s.name); err != nil {
		return nil, err
	}
	return buf, nil
}

// tableRoot finds a table's root page in sqlite_schema (page 1).
func (s *sqliteFile) tableRoot(table string) (uint32, error) {
	var root int64
	found := false
	err := s.walkTable(1, func(page uint32, rowid int64, payload []byte) error {
		cols, err := parseRecord(payload)
		if err != nil {
			return &SQLiteError{File: s.name, Page: page, Msg: fmt.Sprintf("sqlite_schema row %d: %v", rowid, err)}
		}
		if len(cols) < 4 || cols[0].kind != sqlText || cols[1].kind != sqlText {
			return &SQLiteError{File: s.name, Page: page, Msg: fmt.Sprintf("sqlite_schema row %d: not (type, name, tbl_name, rootpage, sql)", rowid)}
		}
		if string(cols[0].bytes) != "table" || string(cols[1].bytes) != table {
			return nil
		}
		if cols[3].kind != sqlInt || cols[3].int < 2 || cols[3].int > int64(s.nPages) {
			return &SQLiteError{File: s.name, Page: page, Msg: fmt.Sprintf("sqlite_schema: table %s has no valid root page", table)}
		}
		root, found = cols[3].int, true
		return nil
	})
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, &SQLiteError{File: s.name, Msg: fmt.Sprintf("no table %s: not an rpm database", table)}
	}
	return uint32(root), nil
}

// walkTable calls fn with every row of the table b-tree rooted at root,
// in rowid order, each payload whole (overflow pages followed).
func (s *sqliteFile) walkTable(root uint32, fn func(page uint32, rowid int64, payload []byte) error) error {
	return s.walkPage(root, 0, fn)
}

func (s *sqliteFile) walkPage(n uint32, depth int, fn func(page uint32, rowid int64, payload []byte) error) error {
	if depth > btreeMaxDepth {
		return &SQLiteError{File: s.name, Page: n, Msg: fmt.Sprintf("b-tree deeper than %d levels", btreeMaxDepth)}
	}
	buf, err := s.page(n)
	if err != nil {
		return err
	}
	fail := func(format string, args ...any) error {
		return &SQLiteError{File: s.name, Page: n, Msg: fmt.Sprintf(format, args...)}
	}
	hdr := 0
	if n == 1 {
		hdr = 100
	}
	if hdr+8 > s.usable {
		return fail("no room for a b-tree page header")
	}
	kind := buf[hdr]
	var headerLen int
	switch kind {
	case 0x0d:
		headerLen = 8
	case 0x05:
		headerLen = 12
	default:
		return fail("page type 0x%02x where a table b-tree page (0x05 or 0x0d) belongs", kind)
	}
	cells := int(binary.BigEndian.Uint16(buf[hdr+3:]))
	ptrs := hdr + headerLen
	if ptrs+2*cells > s.usable {
		return fail("%d cells: more than the page holds", cells)
	}
	for i := 0; i < cells; i++ {
		off := int(binary.BigEndian.Uint16(buf[ptrs+2*i:]))
		if off < ptrs+2*cells || off >= s.usable {
			return fail("cell %d at offset %d: outside the cell content area", i, off)
		}
		cell := buf[off:s.usable]
		if kind == 0x05 {
			if len(cell) < 4 {
				return fail("cell %d: truncated child pointer", i)
			}
			child := binary.BigEndian.Uint32(cell[:4])
			if _, _, ok := varint(cell[4:]); !ok {
				return fail("cell %d: bad rowid varint", i)
			}
			if err := s.walkPage(child, depth+1, fn); err != nil {
				return err
			}
			continue
		}
		rowid, payload, err := s.leafCell(n, i, cell)
		if err != nil {
			return err
		}
		if err := fn(n, rowid, payload); err != nil {
			return err
		}
	}
	if kind == 0x05 {
		right := binary.BigEndian.Uint32(buf[hdr+8:])
		return s.walkPage(right, depth+1, fn)
	}
	return nil
}

// leafCell reads a table leaf cell: payload size, rowid, the local part
// of the payload, and the overflow chain for the rest. How much stays
// local is fileformat2 1.6's rule for table leaves: X = U-35; M =
// ((U-12)*32/255)-23; K = M+((P-M)%(U-4)); all P when P <= X, else K when
// K <= X, else M.
func (s *sqliteFile) leafCell(page uint32, i int, cell []byte) (int64, []byte, error) {
	fail := func(format string, args ...any) error {
		return &SQLiteError{File: s.name, Page: page, Msg: fmt.Sprintf("cell %d: ", i) + fmt.Sprintf(format, args...)}
	}
	p, n1, ok := varint(cell)
	if !ok {
		return 0, nil, fail("bad payload size varint")
	}
	rowid, n2, ok := varint(cell[n1:])
	if !ok {
		return 0, nil, fail("bad rowid varint")
	}
	if p < 0 || p > rpmdbMaxPayload {
		return 0, nil, fail("payload of %d bytes: beyond what rpm stores", p)
	}
	P := int(p)
	U := s.usable
	X := U - 35
	M := (U-12)*32/255 - 23
	local := P
	if P > X {
		K := M + (P-M)%(U-4)
		local = M
		if K <= X {
			local = K
		}
	}
	body := cell[n1+n2:]
	if local > len(body) || (local < P && local+4 > len(body)) {
		return 0, nil, fail("payload runs past the page's end")
	}
	if int64(P-local) > int64(s.nPages)*int64(U-4) {
		return 0, nil, fail("payload of %d bytes: more than the database's %d pages hold", P, s.nPages)
	}
	payload := make([]byte, 0, min(P, local+64*(U-4)))
	payload = append(payload, body[:local]...)
	if local == P {
		return rowid, payload, nil
	}
	next := binary.BigEndian.Uint32(body[local:])
	for len(payload) < P {
		if next == 0 {
			return 0, nil, fail("overflow chain ends with %d of %d payload bytes", len(payload), P)
		}
		buf, err := s.page(next)
		if err != nil {
			return 0, nil, err
		}
		n := min(P-len(payload), U-4)
		payload = append(payload, buf[4:4+n]...)
		next = binary.BigEndian.Uint32(buf[:4])
	}
	if next != 0 {
		return 0, nil, fail("overflow chain continues to page %d after the payload's end", next)
	}
	return rowid, payload, nil
}

// varint decodes SQLite's big-endian varint (fileformat2 1.6): 1 to 9
// bytes, the ninth contributing all 8 bits.
func varint(b []byte) (int64, int, bool) {
	var v uint64
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0, false
		}
		if i == 8 {
			return int64(v<<8 | uint64(b[i])), 9, true
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return int64(v), i + 1, true
		}
	}
	return 0, 0, false
}

type sqlKind int

const (
	sqlNull sqlKind = iota
	sqlInt
	sqlFloat
	sqlText
	sqlBlob
)

// sqlValue is one column of a record; floats are kept as their bits.
type sqlValue struct {
	kind  sqlKind
	int   int64
	bytes []byte
}

// parseRecord decodes a record (fileformat2 2.1): a header of varints
// (its own size, then one serial type per column), then the values.
func parseRecord(payload []byte) ([]sqlValue, error) {
	hlen, n, ok := varint(payload)
	if !ok || hlen < int64(n) || hlen > int64(len(payload)) {
		return nil, fmt.Errorf("record header size %d: outside the %d-byte record", hlen, len(payload))
	}
	header := payload[n:hlen]
	body := payload[hlen:]
	var cols []sqlValue
	for len(header) > 0 {
		st, m, ok := varint(header)
		if !ok || st < 0 {
			return nil, errors.New("bad serial type varint")
		}
		header = header[m:]
		var size int64
		v := sqlValue{}
		switch {
		case st == 0:
			v.kind = sqlNull
		case st >= 1 && st <= 6:
			v.kind = sqlInt
			size = [...]int64{0, 1, 2, 3, 4, 6, 8}[st]
		case st == 7:
			v.kind, size = sqlFloat, 8
		case st == 8 || st == 9:
			v.kind, v.int = sqlInt, st-8
		case st == 10 || st == 11:
			return nil, fmt.Errorf("serial type %d: reserved, never in a well-formed database", st)
		case st%2 == 0:
			v.kind, size = sqlBlob, (st-12)/2
		default:
			v.kind, size = sqlText, (st-13)/2
		}
		if size > int64(len(body)) {
			return nil, fmt.Errorf("column %d of %d bytes runs past the record's end", len(cols), size)
		}
		val := body[:size]
		body = body[size:]
		switch v.kind {
		case sqlInt:
			if size > 0 {
				var x int64
				if val[0]&0x80 != 0 {
					x = -1
				}
				for _, c := range val {
					x = x<<8 | int64(c)
				}
				v.int = x
			}
		case sqlFloat, sqlText, sqlBlob:
			v.bytes = val
		}
		cols = append(cols, v)
	}
	return cols, nil
}
