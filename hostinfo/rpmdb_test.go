package hostinfo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// The databases under testdata/rpmdb were written by rpm 4.18 itself
// (hack/mk-rpmdb.sh; testdata/rpmdb/README.md): 28 packages, among them
// libvirt-daemon-driver-qemu 10.0.0-6.el9, libvirt-daemon 10.0.0-6.el9,
// qemu-kvm-core 17:8.2.0-11.el9, 24 fillers of about 4.3 KB each (the
// Packages table has an interior root, every filler spills onto an
// overflow page) and bigheader, a 25 KB header on a chain of overflow
// pages. wal/ is the same database with a live WAL holding one committed
// transaction that upgraded qemu-kvm-core to 17:9.0.0-10.el9.

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "rpmdb", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readRPMDB reads a database held in memory; wal nil means none.
func readRPMDB(db, wal []byte) (*hostinfo.RPMDB, error) {
	if wal == nil {
		return hostinfo.ReadRPMDB("rpmdb.sqlite", bytes.NewReader(db), int64(len(db)), "", nil, 0)
	}
	return hostinfo.ReadRPMDB("rpmdb.sqlite", bytes.NewReader(db), int64(len(db)), "rpmdb.sqlite-wal", bytes.NewReader(wal), int64(len(wal)))
}

// nevras lists packages as rpm -qa --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}' does, sorted.
func nevras(db *hostinfo.RPMDB) []string {
	var out []string
	for _, p := range db.Packages {
		epoch := int32(0)
		if p.Epoch != nil {
			epoch = *p.Epoch
		}
		out = append(out, fmt.Sprintf("%s %d:%s-%s %s", p.Name, epoch, p.Version, p.Release, p.Arch))
	}
	sort.Strings(out)
	return out
}

func findPackage(db *hostinfo.RPMDB, name string) []hostinfo.RPMPackage {
	var out []hostinfo.RPMPackage
	for _, p := range db.Packages {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

func TestReadRPMDB(t *testing.T) {
	mainDB := readTestdata(t, "main/rpmdb.sqlite")
	walDB, wal := readTestdata(t, "wal/rpmdb.sqlite"), readTestdata(t, "wal/rpmdb.sqlite-wal")
	for _, tt := range []struct {
		name      string
		db, wal   []byte
		qemu      string
		walFrames int
	}{
		{"main file", mainDB, nil, "17:8.2.0-11.el9", 0},
		// The WAL's committed upgrade wins over the main file's pages.
		{"with its WAL", walDB, wal, "17:9.0.0-10.el9", 17},
		// The same main file without its WAL is the database before the
		// upgrade: proof that the WAL, not the main file, carried it.
		{"WAL's main file alone", walDB, nil, "17:8.2.0-11.el9", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, err := readRPMDB(tt.db, tt.wal)
			if err != nil {
				t.Fatal(err)
			}
			if len(db.Packages) != 28 || len(db.Damaged) != 0 || db.WALFrames != tt.walFrames {
				t.Errorf("%d packages, damaged %v, %d WAL frames; want 28, none, %d", len(db.Packages), db.Damaged, db.WALFrames, tt.walFrames)
			}
			for name, want := range map[string]string{
				"libvirt-daemon-driver-qemu": "10.0.0-6.el9",
				"libvirt-daemon":             "10.0.0-6.el9",
				"bigheader":                  "2.0-1",
				"filler-24":                  "1.0-1",
				"qemu-kvm-core":              tt.qemu,
			} {
				got := findPackage(db, name)
				if len(got) != 1 || got[0].EVR() != want || got[0].Arch != "noarch" {
					t.Errorf("%s: %+v, want one at %s noarch", name, got, want)
				}
			}
			if q := findPackage(db, "qemu-kvm-core"); len(q) == 1 && (q[0].Epoch == nil || *q[0].Epoch != 17 || q[0].Version != strings.SplitN(tt.qemu[3:], "-", 2)[0]) {
				t.Errorf("qemu-kvm-core %+v: want epoch 17 and the upstream version alone in Version", q[0])
			}
			if p := findPackage(db, "libvirt-daemon"); len(p) == 1 && p[0].Epoch != nil {
				t.Errorf("libvirt-daemon has no EPOCH tag, got epoch %d", *p[0].Epoch)
			}
		})
	}
}

// TestRPMDBOracle holds the reader to rpm itself: rpm -qa on copies of
// the committed databases, and on a database made afresh by
// hack/mk-rpmdb.sh with whatever rpm is installed. CI runs it with
// GPUPASS_RPM=1 (apt-get install rpm); there, a missing rpm fails it.
func TestRPMDBOracle(t *testing.T) {
	if os.Getenv("GPUPASS_RPM") != "1" {
		t.Skip("GPUPASS_RPM=1 runs rpm as the oracle (Debian: apt-get install rpm)")
	}
	if _, err := exec.LookPath("rpm"); err != nil {
		t.Fatalf("GPUPASS_RPM=1 but %v", err)
	}
	fresh := t.TempDir()
	script, _ := filepath.Abs("../hack/mk-rpmdb.sh")
	if out, err := exec.Command(script, fresh).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	for _, dir := range []string{"testdata/rpmdb/main", "testdata/rpmdb/wal", fresh + "/main", fresh + "/wal"} {
		t.Run(dir, func(t *testing.T) {
			// rpm may checkpoint or create -shm: it gets a copy.
			tmp := t.TempDir()
			var db, wal []byte
			for _, name := range []string{"rpmdb.sqlite", "rpmdb.sqlite-wal"} {
				data, err := os.ReadFile(filepath.Join(dir, name))
				if errors.Is(err, os.ErrNotExist) && name != "rpmdb.sqlite" {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if name == "rpmdb.sqlite" {
					db = data
				} else {
					wal = data
				}
				if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readRPMDB(db, wal)
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("rpm", "--dbpath", tmp, "-qa", "--qf", "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}\n").Output()
			if err != nil {
				t.Fatalf("rpm -qa: %v", err)
			}
			want := strings.Fields(strings.ReplaceAll(string(out), " ", "\x00"))
			for i := range want {
				want[i] = strings.ReplaceAll(want[i], "\x00", " ")
			}
			sort.Strings(want)
			if len(want) < 28 {
				t.Fatalf("rpm lists %d packages: not the test database", len(want))
			}
			if diff := cmp.Diff(want, nevras(got)); diff != "" {
				t.Errorf("reader vs rpm -qa (-rpm +reader):\n%s", diff)
			}
		})
	}
}

// maxReader records the furthest byte read.
type maxReader struct {
	r   *bytes.Reader
	max int64
}

func (m *maxReader) ReadAt(p []byte, off int64) (int, error) {
	m.max = max(m.max, off+int64(len(p)))
	return m.r.ReadAt(p, off)
}

func wantSQLiteError(t *testing.T, err error, what string, wantIn ...string) {
	t.Helper()
	var se *hostinfo.SQLiteError
	if !errors.As(err, &se) || se.File == "" {
		t.Fatalf("%s: error %v, want an SQLiteError naming the file", what, err)
	}
	for _, w := range wantIn {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not say %q", what, err, w)
		}
	}
}

// Truncated at every page boundary: an error when a page the walk needs
// is cut off, the whole answer when only pages it never reads (rpm's
// index tables) are.
func TestRPMDBTruncated(t *testing.T) {
	db := readTestdata(t, "main/rpmdb.sqlite")
	full, err := readRPMDB(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := &maxReader{r: bytes.NewReader(db)}
	if _, err := hostinfo.ReadRPMDB("rpmdb.sqlite", m, int64(len(db)), "", nil, 0); err != nil {
		t.Fatal(err)
	}
	const ps = 4096
	errs := 0
	for cut := 0; cut < len(db); cut += ps {
		got, err := readRPMDB(db[:cut], nil)
		if int64(cut) < m.max {
			wantSQLiteError(t, err, fmt.Sprintf("cut at %d", cut))
			errs++
			continue
		}
		if err != nil || !cmp.Equal(nevras(got), nevras(full)) {
			t.Errorf("cut at %d, after every page read: %v, %v", cut, err, got)
		}
	}
	if errs < 10 {
		t.Errorf("only %d truncations reached a needed page: the test database is too small to mean anything", errs)
	}
	// A WAL cut anywhere loses its only commit frame (the last): the main
	// file's answer, as SQLite's recovery gives it.
	walDB, wal := readTestdata(t, "wal/rpmdb.sqlite"), readTestdata(t, "wal/rpmdb.sqlite-wal")
	before, err := readRPMDB(walDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{0, 1, 31, 32, 33, 32 + 4120, 32 + 4120*16, 32 + 4120*17 - 1} {
		got, err := readRPMDB(walDB, wal[:cut])
		if err != nil || got.WALFrames != 0 || !cmp.Equal(nevras(got), nevras(before)) {
			t.Errorf("WAL cut at %d: %v, %d frames; want the main file's packages", cut, err, got.WALFrames)
		}
	}
}

func patch(b []byte, off int, v ...byte) []byte {
	c := bytes.Clone(b)
	copy(c[off:], v)
	return c
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// Corruption at the places the walk trusts: each an error naming the
// page, never a panic or a hang.
func TestRPMDBCorrupt(t *testing.T) {
	db := readTestdata(t, "main/rpmdb.sqlite")
	const ps = 4096
	pageOff := func(n int) int { return (n - 1) * ps }
	// Page 2 is Packages' root, an interior page (0x05) whose right-most
	// pointer is at offset 8; its first cell's child pointer is at the
	// offset its first cell pointer gives.
	if db[pageOff(2)] != 0x05 {
		t.Fatalf("page 2 type 0x%02x: the test database changed", db[pageOff(2)])
	}
	firstCell := int(binary.BigEndian.Uint16(db[pageOff(2)+12:]))
	child := int(binary.BigEndian.Uint32(db[pageOff(2)+firstCell:]))
	// The child is a leaf whose first cell is a filler or bigheader
	// spilling onto overflow pages: its overflow pointer ends the cell.
	leafCell := pageOff(child) + int(binary.BigEndian.Uint16(db[pageOff(child)+8:]))
	payload, plen := sqliteVarint(db[leafCell:])
	_, rlen := sqliteVarint(db[leafCell+plen:])
	U := ps
	X, M := U-35, (U-12)*32/255-23
	local := int(payload)
	if local > X {
		if K := M + (local-M)%(U-4); K <= X {
			local = K
		} else {
			local = M
		}
	}
	ovfl := leafCell + plen + rlen + local
	if int(payload) <= X {
		t.Fatalf("first leaf cell holds %d bytes, no overflow: the test database changed", payload)
	}
	for _, tt := range []struct {
		name string
		db   []byte
		want []string
	}{
		{"magic", patch(db, 0, 'X'), []string{"not an SQLite 3 database"}},
		{"page size 1000", patch(db, 16, 0x03, 0xe8), []string{"page size 1000"}},
		{"read version 3", patch(db, 19, 3), []string{"read version 3"}},
		{"usable size < 480", patch(db, 16, 0x02, 0x00, 2, 2, 255), []string{"usable page size 257"}},
		{"UTF-16", patch(db, 56, be32(2)...), []string{"text encoding 2"}},
		{"root page type", patch(db, pageOff(2), 0x0a), []string{"page 2:", "page type 0x0a"}},
		{"cell count beyond the page", patch(db, pageOff(2)+3, 0xff, 0xff), []string{"page 2:", "cells"}},
		{"cell pointer into the header", patch(db, pageOff(2)+12, 0, 4), []string{"page 2:", "outside the cell content area"}},
		{"cycle: root's right-most child is itself", patch(db, pageOff(2)+8, be32(2)...), []string{"page 2:", "second time"}},
		{"two parents: right-most child is the first child", patch(db, pageOff(2)+8, be32(uint32(child))...), []string{fmt.Sprintf("page %d:", child), "second time"}},
		{"child beyond the file", patch(db, pageOff(2)+firstCell, be32(1<<30)...), []string{"outside the database's"}},
		{"overflow pointer to the root", patch(db, ovfl, be32(2)...), []string{"page 2:", "second time"}},
		{"overflow pointer to itself's page", patch(db, ovfl, be32(uint32(child))...), []string{fmt.Sprintf("page %d:", child), "second time"}},
		{"overflow pointer 0", patch(db, ovfl, be32(0)...), []string{"overflow chain ends"}},
		{"payload size absurd", patch(db, leafCell, 0xff, 0xff, 0xff, 0xff, 0x7f), []string{"payload of"}},
		{"schema: no Packages", bytes.ReplaceAll(db, []byte("tablePackagesPackages"), []byte("tableXackagesPackages")), []string{"no table Packages"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readRPMDB(tt.db, nil)
			wantSQLiteError(t, err, tt.name, tt.want...)
		})
	}
}

// sqliteVarint decodes an SQLite varint (for the tests' own navigation).
func sqliteVarint(b []byte) (int64, int) {
	var v int64
	for i := 0; i < 9; i++ {
		if i == 8 {
			return v<<8 | int64(b[i]), 9
		}
		v = v<<7 | int64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, 9
}

// offsetsReader records where reads start.
type offsetsReader struct {
	r    *bytes.Reader
	offs map[int64]bool
}

func (o *offsetsReader) ReadAt(p []byte, off int64) (int, error) {
	o.offs[off] = true
	return o.r.ReadAt(p, off)
}

// Every byte of the first 64 of every page the walk reads flipped, one
// at a time (page headers, cell pointers, overflow pages' next pointers),
// and the database header's: an answer or an SQLiteError, never a panic,
// and never a package without a name.
func TestRPMDBFlippedBytes(t *testing.T) {
	db := readTestdata(t, "main/rpmdb.sqlite")
	read := &offsetsReader{r: bytes.NewReader(db), offs: map[int64]bool{}}
	if _, err := hostinfo.ReadRPMDB("rpmdb.sqlite", read, int64(len(db)), "", nil, 0); err != nil {
		t.Fatal(err)
	}
	var offsets []int
	for off := range read.offs {
		n := 64
		if off == 0 {
			n = 100 + 64 // page 1: the database header, then its b-tree header
		}
		for i := 0; i < n; i++ {
			offsets = append(offsets, int(off)+i)
		}
	}
	if len(read.offs) < 30 {
		t.Fatalf("the walk read %d pages: the test database changed", len(read.offs))
	}
	errs := 0
	for _, off := range offsets {
		c := patch(db, off, db[off]^0xff)
		got, err := readRPMDB(c, nil)
		if err != nil {
			var se *hostinfo.SQLiteError
			if !errors.As(err, &se) {
				t.Fatalf("byte %d flipped: %v is not an SQLiteError", off, err)
			}
			errs++
			continue
		}
		for _, p := range got.Packages {
			if p.Name == "" {
				t.Fatalf("byte %d flipped: a package without a name", off)
			}
		}
	}
	if errs < len(read.offs) {
		t.Errorf("%d flipped bytes of %d gave an error: fewer than one a page", errs, len(offsets))
	}
}

// The WAL's frames: the committed transaction counts only when every
// frame up to its commit frame has the header's salts and a cumulative
// checksum that holds; the checksum's byte order is the magic's.
func TestRPMDBWALFrames(t *testing.T) {
	walDB, wal := readTestdata(t, "wal/rpmdb.sqlite"), readTestdata(t, "wal/rpmdb.sqlite-wal")
	const frame = 24 + 4096
	qemu := func(t *testing.T, w []byte) string {
		t.Helper()
		got, err := readRPMDB(walDB, w)
		if err != nil {
			t.Fatal(err)
		}
		q := findPackage(got, "qemu-kvm-core")
		if len(q) != 1 {
			t.Fatalf("qemu-kvm-core: %+v", q)
		}
		return q[0].EVR()
	}
	if got := qemu(t, wal); got != "17:9.0.0-10.el9" {
		t.Fatalf("intact WAL: %s", got)
	}
	for _, tt := range []struct {
		name string
		wal  []byte
	}{
		{"a page byte of frame 3 changed", patch(wal, 32+2*frame+24+100, wal[32+2*frame+24+100]^1)},
		{"frame 5's salt-1 changed", patch(wal, 32+4*frame+8, wal[32+4*frame+8]^1)},
		{"the commit frame's checksum changed", patch(wal, 32+16*frame+20, wal[32+16*frame+20]^1)},
		{"the WAL header's checksum changed", patch(wal, 24, wal[24]^1)},
		{"not a WAL", patch(wal, 0, 0, 0, 0, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := qemu(t, tt.wal); got != "17:8.2.0-11.el9" {
				t.Errorf("qemu-kvm-core %s: a broken frame before the commit must lose the transaction", got)
			}
		})
	}
	t.Run("frames after the commit without one of their own", func(t *testing.T) {
		// A second copy of frame 1, re-checksummed so it is valid, but no
		// commit after it: ignored.
		w := append(bytes.Clone(wal), wal[32:32+frame]...)
		rechecksum(w, binary.LittleEndian)
		if got := qemu(t, w); got != "17:9.0.0-10.el9" {
			t.Errorf("qemu-kvm-core %s", got)
		}
	})
	t.Run("big-endian checksums", func(t *testing.T) {
		w := bytes.Clone(wal)
		binary.BigEndian.PutUint32(w[0:4], 0x377f0683)
		rechecksum(w, binary.BigEndian)
		if got := qemu(t, w); got != "17:9.0.0-10.el9" {
			t.Errorf("qemu-kvm-core %s from a big-endian WAL", got)
		}
		// The same bytes under the little-endian magic: every checksum fails.
		binary.BigEndian.PutUint32(w[0:4], 0x377f0682)
		if got := qemu(t, w); got != "17:8.2.0-11.el9" {
			t.Errorf("qemu-kvm-core %s: checksums of the wrong byte order accepted", got)
		}
	})
	t.Run("page size differs from the database's", func(t *testing.T) {
		w := bytes.Clone(wal)
		binary.BigEndian.PutUint32(w[8:12], 8192)
		rechecksum(w[:32], binary.LittleEndian)
		_, err := readRPMDB(walDB, w)
		wantSQLiteError(t, err, "WAL page size", "rpmdb.sqlite-wal", "page size 8192")
	})
}

// rechecksum rewrites a WAL's header and frame checksums in order.
func rechecksum(w []byte, order binary.ByteOrder) {
	sum := func(b []byte, s0, s1 uint32) (uint32, uint32) {
		for i := 0; i+8 <= len(b); i += 8 {
			s0 += order.Uint32(b[i:]) + s1
			s1 += order.Uint32(b[i+4:]) + s0
		}
		return s0, s1
	}
	s0, s1 := sum(w[:24], 0, 0)
	binary.BigEndian.PutUint32(w[24:], s0)
	binary.BigEndian.PutUint32(w[28:], s1)
	ps := int(binary.BigEndian.Uint32(w[8:12]))
	for off := 32; off+24+ps <= len(w); off += 24 + ps {
		s0, s1 = sum(w[off:off+8], s0, s1)
		s0, s1 = sum(w[off+24:off+24+ps], s0, s1)
		binary.BigEndian.PutUint32(w[off+16:], s0)
		binary.BigEndian.PutUint32(w[off+20:], s1)
	}
}

// rpmHeader builds a header blob as headerExport writes it.
func rpmHeader(entries [][4]uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(entries)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	for _, e := range entries {
		for _, v := range e {
			b = binary.BigEndian.AppendUint32(b, v)
		}
	}
	return append(b, data...)
}

func TestParseRPMHeader(t *testing.T) {
	// NAME "qemu-kvm-core" at 0, VERSION "8.2.0" at 14, RELEASE "11.el9"
	// at 20, EPOCH 17 at 28 (aligned), ARCH "x86_64" at 32.
	data := []byte("qemu-kvm-core\x008.2.0\x0011.el9\x00\x00\x00\x00\x00\x11x86_64\x00")
	good := [][4]uint32{{1000, 6, 0, 1}, {1001, 6, 14, 1}, {1002, 6, 20, 1}, {1003, 4, 28, 1}, {1022, 6, 32, 1}}
	p, err := hostinfo.ParseRPMHeader(rpmHeader(good, data))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "qemu-kvm-core" || p.EVR() != "17:8.2.0-11.el9" || p.Arch != "x86_64" {
		t.Errorf("%+v %s", p, p.EVR())
	}
	with := func(i int, e [4]uint32) [][4]uint32 {
		c := append([][4]uint32(nil), good...)
		c[i] = e
		return c
	}
	for _, tt := range []struct {
		name string
		blob []byte
		want string
	}{
		{"empty", nil, "shorter than its 8-byte intro"},
		{"one byte short", rpmHeader(good, data)[:len(rpmHeader(good, data))-1], "make"},
		{"one byte long", append(rpmHeader(good, data), 0), "make"},
		{"il beyond rpm's limit", append(be32(0x10000), be32(0)...), "beyond rpm's limits"},
		{"dl beyond rpm's limit", append(be32(1), be32(0x10000000)...), "beyond rpm's limits"},
		{"no entries", rpmHeader(nil, nil), "no entries"},
		{"NAME past the data", rpmHeader(with(0, [4]uint32{1000, 6, 99, 1}), data), "NAME (tag 1000): data offset 99"},
		{"NAME negative offset", rpmHeader(with(0, [4]uint32{1000, 6, 0xfffffff0, 1}), data), "data offset -16"},
		{"NAME an int", rpmHeader(with(0, [4]uint32{1000, 4, 28, 1}), data), "type 4"},
		{"VERSION unterminated", rpmHeader(with(1, [4]uint32{1001, 6, 14, 1}), data[:19]), "runs past"},
		{"EPOCH misaligned", rpmHeader(with(3, [4]uint32{1003, 4, 27, 1}), data), "not aligned"},
		{"EPOCH past the data", rpmHeader(with(3, [4]uint32{1003, 4, 40, 1}), data), "outside"},
		{"EPOCH a string", rpmHeader(with(3, [4]uint32{1003, 6, 28, 1}), data), "want an int32"},
		{"no RELEASE", rpmHeader(with(2, [4]uint32{1004, 6, 20, 1}), data), "no RELEASE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hostinfo.ParseRPMHeader(tt.blob)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	// An ARCH of the legacy int type is no name: left empty, not an error.
	p, err = hostinfo.ParseRPMHeader(rpmHeader(with(4, [4]uint32{1022, 4, 28, 1}), data))
	if err != nil || p.Arch != "" {
		t.Errorf("int ARCH: %+v, %v", p, err)
	}
}

func FuzzParseRPMHeader(f *testing.F) {
	data := []byte("qemu-kvm-core\x008.2.0\x0011.el9\x00\x00\x00\x00\x00\x11x86_64\x00")
	f.Add(rpmHeader([][4]uint32{{1000, 6, 0, 1}, {1001, 6, 14, 1}, {1002, 6, 20, 1}, {1003, 4, 28, 1}, {1022, 6, 32, 1}}, data))
	f.Fuzz(func(t *testing.T, blob []byte) {
		p, err := hostinfo.ParseRPMHeader(blob)
		if err != nil {
			return
		}
		// Nothing in the header format keeps two entries from pointing at
		// the same data (the fuzzer found NAME, VERSION, RELEASE and ARCH
		// on one string), so the strings need not add up to less than the
		// blob; each must be in it.
		if p.Name == "" {
			t.Fatalf("%+v from %d bytes: no name", p, len(blob))
		}
		for _, s := range []string{p.Name, p.Version, p.Release, p.Arch} {
			if strings.IndexByte(s, 0) >= 0 || !bytes.Contains(blob, []byte(s)) {
				t.Fatalf("%q: not a NUL-free string of the blob", s)
			}
		}
	})
}

// FuzzReadRPMDB walks arbitrary database and WAL files (corpus:
// testdata/fuzz/FuzzReadRPMDB, tiny 512-byte-page databases with rpm
// headers, one with a WAL): an answer or an error, within the read cap.
func FuzzReadRPMDB(f *testing.F) {
	f.Add([]byte("SQLite format 3\x00"), []byte{})
	f.Fuzz(func(t *testing.T, db, wal []byte) {
		var w *bytes.Reader
		if len(wal) > 0 {
			w = bytes.NewReader(wal)
		}
		var got *hostinfo.RPMDB
		var err error
		if w != nil {
			got, err = hostinfo.ReadRPMDB("db", bytes.NewReader(db), int64(len(db)), "db-wal", w, int64(len(wal)))
		} else {
			got, err = hostinfo.ReadRPMDB("db", bytes.NewReader(db), int64(len(db)), "", nil, 0)
		}
		if err != nil {
			var se *hostinfo.SQLiteError
			if !errors.As(err, &se) || (se.File != "db" && se.File != "db-wal") {
				t.Fatalf("%v: not an SQLiteError naming the file", err)
			}
			return
		}
		for _, p := range got.Packages {
			if p.Name == "" {
				t.Fatalf("package without a name: %+v", p)
			}
		}
	})
}

// writeFile writes bytes into a host tree.
func (h *hostTree) writeBytes(hostPath string, data []byte) {
	h.t.Helper()
	p := h.path(hostPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func TestCollectVirtFromRPM(t *testing.T) {
	mainDB := readTestdata(t, "main/rpmdb.sqlite")
	walDB, wal := readTestdata(t, "wal/rpmdb.sqlite"), readTestdata(t, "wal/rpmdb.sqlite-wal")
	const rhel9 = "/var/lib/rpm/rpmdb.sqlite"
	want := func(from, qemu string) hostinfo.Virt {
		return hostinfo.Virt{
			Libvirt: hostinfo.Component{Package: "libvirt-daemon-driver-qemu", PackageVersion: "10.0.0-6.el9", Version: "10.0.0", From: "rpm database " + from},
			QEMU:    hostinfo.Component{Package: "qemu-kvm-core", PackageVersion: qemu, Version: strings.SplitN(qemu[3:], "-", 2)[0], From: "rpm database " + from},
		}
	}
	t.Run("RHEL 9", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.writeBytes(rhel9, mainDB)
		host := h.collect(hostinfo.Options{})
		if diff := cmp.Diff(want(rhel9, "17:8.2.0-11.el9"), host.Virt); diff != "" {
			t.Errorf("Virt mismatch (-want +got):\n%s", diff)
		}
		if len(host.Notes) > 0 {
			for _, n := range host.Notes {
				if strings.Contains(n.Path, "rpm") {
					t.Errorf("unexpected note %v", n)
				}
			}
		}
	})
	t.Run("RHEL 9 with a live WAL", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.writeBytes(rhel9, walDB)
		h.writeBytes(rhel9+"-wal", wal)
		host := h.collect(hostinfo.Options{})
		if diff := cmp.Diff(want(rhel9, "17:9.0.0-10.el9"), host.Virt); diff != "" {
			t.Errorf("Virt mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("RHEL 10: /var/lib/rpm links to /usr/lib/sysimage/rpm", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.writeBytes("/usr/lib/sysimage/rpm/rpmdb.sqlite", walDB)
		h.writeBytes("/usr/lib/sysimage/rpm/rpmdb.sqlite-wal", wal)
		h.link("/var/lib/rpm", "../../usr/lib/sysimage/rpm")
		host := h.collect(hostinfo.Options{})
		if diff := cmp.Diff(want(rhel9, "17:9.0.0-10.el9"), host.Virt); diff != "" {
			t.Errorf("Virt mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("sysimage alone", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.writeBytes("/usr/lib/sysimage/rpm/rpmdb.sqlite", mainDB)
		host := h.collect(hostinfo.Options{})
		if diff := cmp.Diff(want("/usr/lib/sysimage/rpm/rpmdb.sqlite", "17:8.2.0-11.el9"), host.Virt); diff != "" {
			t.Errorf("Virt mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("dpkg first", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.file("/var/lib/dpkg/status", bookwormStatus)
		h.writeBytes(rhel9, mainDB)
		host := h.collect(hostinfo.Options{})
		if host.Virt.Libvirt.From != "dpkg status /var/lib/dpkg/status" || host.Virt.QEMU.Package != "qemu-system-x86" {
			t.Errorf("Virt %+v: dpkg's status file comes first", host.Virt)
		}
	})
	t.Run("corrupt: noted with the page, nothing taken", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.writeBytes(rhel9, patch(mainDB, 4096, 0x0a))
		host := h.collect(hostinfo.Options{})
		notes := notesFor(host, rhel9)
		if host.Virt != (hostinfo.Virt{}) || len(notes) != 1 || !strings.Contains(notes[0].Message, rhel9+": page 2: page type 0x0a") {
			t.Errorf("Virt %+v, notes %v; want none, and a note naming page 2", host.Virt, notes)
		}
	})
	t.Run("a WAL that is not a regular file: noted, nothing taken", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.writeBytes(rhel9, walDB)
		h.dir(rhel9 + "-wal")
		host := h.collect(hostinfo.Options{})
		notes := notesFor(host, rhel9+"-wal")
		if host.Virt != (hostinfo.Virt{}) || len(notes) != 1 || !strings.Contains(notes[0].Message, "newest changes") {
			t.Errorf("Virt %+v, notes %v; want none, and a note on the WAL", host.Virt, notes)
		}
	})
	for _, other := range []struct{ path, says string }{
		{"/var/lib/rpm/Packages", "BerkeleyDB"},
		{"/usr/lib/sysimage/rpm/Packages.db", "NDB"},
	} {
		t.Run(other.says+": not read, noted", func(t *testing.T) {
			h := newHostTree(t)
			h.file("/proc/cpuinfo", intelCPUInfo)
			h.file(other.path, "\x00\x06\x15\x61 not read")
			host := h.collect(hostinfo.Options{})
			notes := notesFor(host, other.path)
			if host.Virt != (hostinfo.Virt{}) || len(notes) != 1 || !strings.Contains(notes[0].Message, other.says) {
				t.Errorf("Virt %+v, notes %v; want a note saying %s", host.Virt, notes, other.says)
			}
		})
	}
	t.Run("no package database: silent", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		host := h.collect(hostinfo.Options{})
		for _, n := range host.Notes {
			if strings.Contains(n.Path, "rpm") {
				t.Errorf("note %v on a host without rpm", n)
			}
		}
	})
}
