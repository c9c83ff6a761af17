package hostinfo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/internal/fakehost"
)

// lspci (pciutils) is the oracle of the names: it reads the same sysfs
// tree (its linux-sysfs back end pointed at ROOT/sys/bus/pci) and the
// same pci.ids (-i), and gpupass must name every device as it does.
// These tests run where lspci is installed and skip elsewhere, except
// that GPUPASS_LSPCI=1 (set by .ci/run, which installs pciutils) turns
// the skip into a failure, so CI cannot lose them unnoticed.
//
// Where lspci and gpupass differ, systematically, and how the tests
// allow for it:
//   - lspci prints a placeholder for an ID missing from pci.ids ("Device
//     [26b9]" with -vmm -nn, "NVIDIA Corporation Device [10de:26b9]" with
//     plain -nn), gpupass an empty name (lspciSays);
//   - lspci cuts a name too long for its buffer (lspciSays);
//   - lspci refuses a whole database at its first bad line ("Parse error
//     at FILE, line N", exit status 1), gpupass skips the line and notes
//     its number: on a malformed database only that number is compared;
//   - lspci takes a name missing from the file from udev's hwdb when
//     there is one; gpupass reads the file alone, so hwdb is turned off;
//   - an ID gpupass cannot read (the quirks fixture's binary vendor file)
//     is one lspci reads as something (vendor 0000): a difference of the
//     readers, not of the names; gpupass must then name nothing.

func lspciOrSkip(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("lspci")
	if err != nil {
		if os.Getenv("GPUPASS_LSPCI") == "1" {
			t.Fatal("GPUPASS_LSPCI=1 but lspci is not on PATH: apt-get install pciutils")
		}
		t.Skip("lspci (pciutils) is not installed; GPUPASS_LSPCI=1 makes this a failure")
	}
	return p
}

// lspciDevice is one function as lspci -vmm -nn shows it.
type lspciDevice struct {
	vendorID, deviceID string
	vendor, device     string // as printed, before " [id]"
}

var lspciField = regexp.MustCompile(`^(.*) \[([0-9a-f]{4})\]$`)

// lspciErr is lspci failing on the database: pciutils stops at the first
// line it refuses, "lspci: Parse error at FILE, line N".
type lspciErr struct {
	msg  string
	line int
}

func (e *lspciErr) Error() string { return fmt.Sprintf("%s, line %d", e.msg, e.line) }

var lspciDBError = regexp.MustCompile(`^lspci: (.*) at (.*), line (\d+)$`)

// runLspci lists the functions under root with names from ids, by
// address, or the database error lspci stopped at.
//
// -vmm is lspci -nn in its machine-readable verbose form: one field a
// line, so that a vendor name and a device name are told apart (plain
// -nn prints "VENDOR DEVICE [vvvv:dddd]", and names have spaces). -D
// prints the domain, as gpupass does. hwdb.disable=1 keeps udev's hwdb
// out: lspci would take a name missing from the file from there.
func runLspci(t *testing.T, lspci, root, ids string) (map[string]lspciDevice, *lspciErr) {
	t.Helper()
	cmd := exec.Command(lspci, "-vmm", "-nn", "-D", "-A", "linux-sysfs",
		"-O", "sysfs.path="+filepath.Join(root, "sys", "bus", "pci"), "-O", "hwdb.disable=1", "-i", ids)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if m := lspciDBError.FindStringSubmatch(msg); m != nil && m[2] == ids {
			var n int
			fmt.Sscan(m[3], &n)
			return nil, &lspciErr{m[1], n}
		}
		t.Fatalf("lspci on %s with %s: %v\n%s", root, ids, err, msg)
	}
	devices := map[string]lspciDevice{}
	var slot string
	var d lspciDevice
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), ":\t")
		switch key {
		case "Slot":
			slot, d = val, lspciDevice{}
		case "Vendor", "Device":
			m := lspciField.FindStringSubmatch(val)
			if m == nil {
				// Only a name too long for lspci's buffer loses its
				// " [id]": see lspciSays.
				m = []string{val, val, ""}
			}
			if key == "Vendor" {
				d.vendor, d.vendorID = m[1], m[2]
			} else {
				d.device, d.deviceID = m[1], m[2]
				devices[slot] = d
			}
		}
	}
	if len(devices) == 0 {
		t.Fatalf("lspci lists no device under %s:\n%s", root, out)
	}
	return devices, nil
}

// lspciSays is what lspci -vmm -nn prints for a name gpupass found (""
// when it found none), for the field "Vendor" or "Device" of ID id. The
// differences are lspci's, and systematic:
//   - an ID missing from pci.ids is printed as "Vendor [10de]" or
//     "Device [26b9]" (pciutils' format_name), where gpupass leaves the
//     name empty;
//   - a name that does not fit lspci's 128-byte buffer with its " [id]"
//     is cut to 124 bytes and "..." (format_name again: -vmm's buffers
//     are 128 bytes); the distribution's pci.ids has no vendor or device
//     name that long today, its subsystems have.
func lspciSays(field, name, id string) string {
	if name == "" {
		return field
	}
	full := name + " [" + id + "]"
	if len(full) > 127 {
		return full[:124] + "..."
	}
	return name
}

// compareWithLspci compares the names Collect gives every device of the
// tree under root, from the database ids, with lspci's.
func compareWithLspci(t *testing.T, lspci, root, ids string) {
	t.Helper()
	listed, lerr := runLspci(t, lspci, root, ids)
	if lerr != nil {
		t.Fatalf("lspci refuses %s: %v", ids, lerr)
	}
	host, err := Collect(root, Options{PCIIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range host.Notes {
		if strings.Contains(n.Path, "pci.ids") || n.Path == ids {
			t.Errorf("note on the database: %+v", n)
		}
	}
	named := 0
	for _, d := range host.Devices {
		l, ok := listed[d.Address]
		if !ok {
			t.Errorf("%s: not listed by lspci", d.Address)
			continue
		}
		delete(listed, d.Address)
		if d.VendorID == "" || d.DeviceID == "" {
			// gpupass could not read the IDs (the quirks fixture's
			// binary vendor file): no names, whatever lspci made of it.
			if d.VendorName != "" || d.Model != "" {
				t.Errorf("%s: IDs unread but named %q %q", d.Address, d.VendorName, d.Model)
			}
			continue
		}
		// (an ID is "" where lspci cut the name and the ID with it)
		if l.vendorID != "" && l.vendorID != d.VendorID || l.deviceID != "" && l.deviceID != d.DeviceID {
			t.Errorf("%s: lspci reads %s:%s, gpupass %s:%s", d.Address, l.vendorID, l.deviceID, d.VendorID, d.DeviceID)
			continue
		}
		if want := lspciSays("Vendor", d.VendorName, d.VendorID); l.vendor != want {
			t.Errorf("%s: vendor %q, lspci says %q", d.Address, d.VendorName, l.vendor)
		}
		if want := lspciSays("Device", d.Model, d.DeviceID); l.device != want {
			t.Errorf("%s: model %q, lspci says %q", d.Address, d.Model, l.device)
		}
		if d.Model != "" {
			named++
		}
	}
	for addr := range listed {
		t.Errorf("%s: listed by lspci, not by gpupass", addr)
	}
	if named == 0 {
		t.Errorf("no device of %s has a model name: nothing was compared", root)
	}
}

// fixtureRoots are the committed fixture trees.
func fixtureRoots(t *testing.T) map[string]string {
	t.Helper()
	dir := filepath.Join("..", "testdata", "hosts")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	roots := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			roots[e.Name()] = filepath.Join(dir, e.Name())
		}
	}
	if len(roots) < 10 {
		t.Fatalf("only %d fixture trees under %s", len(roots), dir)
	}
	return roots
}

// Every fixture, and a synthetic host of a few hundred functions (which
// Collect reads on several goroutines: each name must land on its own
// device), named from its own pci.ids excerpt and from the distribution's
// full database, device by device.
func TestNamesAgreeWithLspci(t *testing.T) {
	lspci := lspciOrSkip(t)
	dist := distPCIIDsFile(t)
	roots := fixtureRoots(t)
	roots["synthetic-256"] = syntheticRoot(t, 256)
	for name, root := range roots {
		t.Run(name, func(t *testing.T) {
			compareWithLspci(t, lspci, root, filepath.Join(root, "usr", "share", "misc", "pci.ids"))
			if dist != "" {
				compareWithLspci(t, lspci, root, dist)
			}
		})
	}
}

// syntheticRoot builds fakehost.Synthetic(functions), on tmpfs where
// there is one (thousands of small files are slow on a disk).
func syntheticRoot(t *testing.T, functions int) string {
	t.Helper()
	dir := t.TempDir()
	if d, err := os.MkdirTemp("/dev/shm", "gpupass-test-"); err == nil {
		dir = d
		t.Cleanup(func() { os.RemoveAll(d) })
	}
	root := filepath.Join(dir, "root")
	if err := fakehost.Synthetic(functions).Build(root); err != nil {
		t.Fatal(err)
	}
	return root
}

// lspciCaseTree is the fixture the odd databases name: its excerpt has
// vendors with devices and subsystems, and a class section.
const lspciCaseTree = "boot-vga-gpu"

// TestLookupPCIIDsAgreesWithLspciOnOddDatabases gives lspci and gpupass
// databases that are well-formed in pciutils' grammar without being in
// the canonical shape (lspci must name the devices as gpupass does), and
// malformed ones (lspci stops at the first bad line, and gpupass must
// note that line; it goes on where lspci stops, so only the line number
// is compared there).
func TestLookupPCIIDsAgreesWithLspciOnOddDatabases(t *testing.T) {
	lspci := lspciOrSkip(t)
	root := fixtureRoots(t)[lspciCaseTree]
	data, err := os.ReadFile(filepath.Join(root, "usr", "share", "misc", "pci.ids"))
	if err != nil {
		t.Fatal(err)
	}
	ex := parseExcerpt(t, string(data))
	long := func(n int) string { return "#" + strings.Repeat("x", n-1) }
	tests := []struct {
		name string
		db   string
		bad  bool // lspci refuses it
	}{
		{name: "as shipped", db: ex.text()},
		{name: "one space after every ID", db: ex.mapEntries(func(s string) string { return strings.Replace(s, "  ", " ", 1) })},
		{name: "a tab after every ID", db: ex.mapEntries(func(s string) string { return strings.Replace(s, "  ", "\t", 1) })},
		{name: "many blanks after every ID", db: ex.mapEntries(func(s string) string { return strings.Replace(s, "  ", " \t \t ", 1) })},
		{name: "upper-case IDs", db: ex.mapEntries(upperID)},
		{name: "CRLF line ends", db: strings.ReplaceAll(ex.text(), "\n", "\r\n")},
		{name: "a trailing space on every entry", db: ex.mapEntries(func(s string) string { return s + " " })},
		{name: "two trailing blanks on every entry (one stays)", db: ex.mapEntries(func(s string) string { return s + "\t " })},
		{name: "indented comments and blank lines between entries", db: ex.mapEntries(func(s string) string { return s + "\n\t# note\n  \n\t\n" })},
		{name: "a generic subsystem block and a reserved block", db: ex.text() + "S " + ex.firstVendor + "\n\t1234  Generic\n\t5678  Other\nX 12  Reserved\n\tzzzz  anything\n\t\t\tdeep\n"},
		{name: "a device name too long for lspci's buffer (lspci cuts it)", db: ex.replace(ex.firstDevice, ex.lines[ex.firstDevice]+strings.Repeat(" and more", 20))},
		{name: "a comment of 1,022 bytes", db: ex.insert(ex.firstDevice, long(1022))},
		{name: "a comment of 1,023 bytes", db: ex.insert(ex.firstDevice, long(1023)), bad: true},
		{name: "a NUL in a comment", db: ex.insert(ex.firstDevice, "# a\x00b"), bad: true},
		{name: "a vendor without a name", db: ex.insert(ex.firstVendorLine, "ffff"), bad: true},
		{name: "a vendor ID and a blank, no name", db: ex.insert(ex.firstVendorLine, "ffff  "), bad: true},
		{name: "a short vendor ID", db: ex.insert(ex.firstVendorLine, "fff  Short"), bad: true},
		{name: "a bad hex digit in a device ID", db: ex.insert(ex.firstDevice, "\t0g00  Bad"), bad: true},
		{name: "a device ID without a blank after it", db: ex.insert(ex.firstDevice, "\t00000  Run-on"), bad: true},
		{name: "three tabs deep", db: ex.insert(ex.firstDevice+1, "\t\t\t0000  Deep"), bad: true},
		{name: "a subsystem under no device", db: ex.insert(ex.firstVendorLine, "ffff  Vendor\n\t\tffff 0000  Orphan"), bad: true},
		{name: "a device before any vendor", db: "\t0000  Orphan\n" + ex.text(), bad: true},
		{name: "a vendor listed twice", db: ex.text() + ex.lines[ex.firstVendorLine] + "\n", bad: true},
		{name: "a device listed twice", db: ex.insert(ex.firstDevice+1, ex.lines[ex.firstDevice]), bad: true},
		{name: "a generic subsystem block of an unlisted vendor", db: ex.insert(ex.firstVendorLine, "S fffe"), bad: true},
		{name: "a generic subsystem block with a name", db: ex.text() + "S " + ex.firstVendor + "  Name\n", bad: true},
		{name: "a bad class ID", db: ex.text() + "C 0g  Bad class\n", bad: true},
		{name: "a 4-digit subclass", db: ex.text() + "C fe  Class\n\tfe00  Subclass\n", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := filepath.Join(t.TempDir(), "pci.ids")
			if err := os.WriteFile(ids, []byte(tt.db), 0o644); err != nil {
				t.Fatal(err)
			}
			_, lerr := runLspci(t, lspci, root, ids)
			if (lerr != nil) != tt.bad {
				t.Fatalf("lspci refuses the database: %v, the test expects %v", lerr, tt.bad)
			}
			bad, err := lookupPCIIDs(ids, map[string]string{}, map[string]string{})
			if err != nil {
				t.Fatal(err)
			}
			if lerr != nil {
				if bad != lerr.line {
					t.Errorf("first malformed line %d; lspci: %v", bad, lerr)
				}
				// and Collect degrades to a note, never a panic
				host, err := Collect(root, Options{PCIIDs: ids})
				if err != nil {
					t.Fatal(err)
				}
				want := fmt.Sprintf("line %d is not a pci.ids entry; skipped", lerr.line)
				found := false
				for _, n := range host.Notes {
					found = found || n.Path == ids && n.Message == want
				}
				if !found {
					t.Errorf("no note %q on %s: %+v", want, ids, host.Notes)
				}
				return
			}
			if bad != 0 {
				t.Errorf("line %d is malformed, says lookupPCIIDs; lspci reads the file", bad)
			}
			compareWithLspci(t, lspci, root, ids)
		})
	}
}

// pciIDsExcerpt is a fixture's pci.ids, line by line.
type pciIDsExcerpt struct {
	lines           []string
	firstVendorLine int    // index of the first vendor line that has devices
	firstVendor     string // its ID
	firstDevice     int    // index of its first device line
}

var excerptEntry = regexp.MustCompile(`^(C [0-9a-f]{2}|\t{0,2}[0-9a-f]{2,4}( [0-9a-f]{4})?)  \S`)

func parseExcerpt(t *testing.T, text string) *pciIDsExcerpt {
	t.Helper()
	ex := &pciIDsExcerpt{lines: strings.Split(strings.TrimSuffix(text, "\n"), "\n"), firstVendorLine: -1}
	for i, l := range ex.lines {
		if i > 0 && strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, "\t\t") && ex.firstVendorLine < 0 &&
			!strings.HasPrefix(ex.lines[i-1], "\t") && !strings.HasPrefix(ex.lines[i-1], "#") && !strings.HasPrefix(ex.lines[i-1], "C ") {
			ex.firstVendorLine, ex.firstVendor, ex.firstDevice = i-1, ex.lines[i-1][:4], i
		}
	}
	if ex.firstVendorLine < 0 {
		t.Fatal("the excerpt has no vendor with devices")
	}
	return ex
}

func (ex *pciIDsExcerpt) text() string { return strings.Join(ex.lines, "\n") + "\n" }

// mapEntries applies f to every entry line (not to comments and blank
// lines).
func (ex *pciIDsExcerpt) mapEntries(f func(string) string) string {
	var b strings.Builder
	n := 0
	for _, l := range ex.lines {
		if excerptEntry.MatchString(l) {
			l = f(l)
			n++
		}
		b.WriteString(l + "\n")
	}
	if n < 10 {
		panic(errors.New("the excerpt has too few entries to test on"))
	}
	return b.String()
}

// replace puts line in place of the line of index i.
func (ex *pciIDsExcerpt) replace(i int, line string) string {
	lines := append([]string{}, ex.lines...)
	lines[i] = line
	return strings.Join(lines, "\n") + "\n"
}

// insert puts line before the line of index i.
func (ex *pciIDsExcerpt) insert(i int, line string) string {
	lines := append(append(append([]string{}, ex.lines[:i]...), line), ex.lines[i:]...)
	return strings.Join(lines, "\n") + "\n"
}

// upperID writes the hex IDs of an entry line in upper case.
func upperID(s string) string {
	id, rest, _ := strings.Cut(s, "  ")
	return strings.ToUpper(id) + "  " + rest
}
