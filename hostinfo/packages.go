package hostinfo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// The libvirt and QEMU versions Nova's rules depend on (vGPU live
// migration, live_migratable) are read from the distribution's package
// database, never by running a binary: preflight runs on captured trees
// too, and runs nothing. dpkg's status file is read on Debian and Ubuntu;
// where there is none, rpm's SQLite database (RHEL/Rocky/Alma 9,
// Fedora 33 and later; rpmdb.go reads it, WAL included, without an
// SQLite library: modernc.org/sqlite's cold build took 71 s of CPU, far
// more than the ~20 s a dependency may add). rpm's older BerkeleyDB
// (RHEL 8) and NDB (SUSE) databases are not read: a note says so.
//
// A deployment that runs libvirt in a container (Kolla, TripleO,
// OpenStack-Helm) installs neither package on the host: the host's
// database does not know the libvirt and QEMU Nova uses, and Host.Virt is
// empty there too.

// DpkgStatusPath is dpkg's database of installed packages.
const DpkgStatusPath = "/var/lib/dpkg/status"

// The packages that carry libvirt's and QEMU's versions on Debian and
// Ubuntu, in the order they are preferred: the QEMU driver of libvirt
// (what Nova talks to), then the daemon; the system emulator of the host's
// architecture, then the others (built from the same QEMU source, so of
// the same version), then Ubuntu's qemu-kvm.
var (
	dpkgLibvirtPackages = []string{"libvirt-daemon-driver-qemu", "libvirt-daemon", "libvirt-daemon-system"}
	dpkgQEMUPackages    = map[string][]string{
		ArchX86:   {"qemu-system-x86", "qemu-system-x86-64", "qemu-kvm", "qemu-system-arm"},
		ArchARM64: {"qemu-system-arm", "qemu-kvm", "qemu-system-x86", "qemu-system-x86-64"},
	}
)

// DpkgPackage is one stanza of dpkg's status file, the fields gpupass
// reads of it.
type DpkgPackage struct {
	// Line is the stanza's first line in the file.
	Line    int
	Package string
	// Status is "want flag state": "install ok installed".
	Status  string
	Version string
}

// Installed reports whether the package's files are in place at its
// version: the third word of Status is "installed" (dpkg(1), INFORMATION
// ABOUT PACKAGES; "config-files", "half-installed", "unpacked" and the
// others are not).
func (p DpkgPackage) Installed() bool {
	words := strings.Fields(p.Status)
	return len(words) == 3 && words[2] == "installed"
}

// DpkgError is a line of the status file dpkg would not parse.
type DpkgError struct {
	Line int
	Msg  string
}

func (e *DpkgError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseDpkgStatus parses dpkg's status file, which is deb822 (deb822(5)):
// stanzas separated by blank lines, "Name: value" fields, continuation
// lines starting with a space or a tab, a field at most once per stanza.
// A line that breaks this is a *DpkgError with its number, and nothing is
// returned: dpkg itself refuses a status file it cannot parse ("parsing
// file '/var/lib/dpkg/status' near line N"), so no package's state can be
// trusted from it. A stanza without Package is skipped.
func ParseDpkgStatus(data []byte) ([]DpkgPackage, error) {
	var out []DpkgPackage
	var cur DpkgPackage
	seen := map[string]bool{}
	inStanza := false
	flush := func() {
		if inStanza && cur.Package != "" {
			out = append(out, cur)
		}
		cur, inStanza = DpkgPackage{}, false
		clear(seen)
	}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(make([]byte, 0, 64<<10), maxAttrSize)
	lineNo := 0
	for scanner.Scan() {
		lineNo++
		line := strings.TrimSuffix(scanner.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !inStanza {
				return nil, &DpkgError{lineNo, "a continuation line outside a field"}
			}
			continue // the fields read here are single-line
		}
		if line[0] == '#' && !inStanza {
			continue // deb822 allows comments between stanzas
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, &DpkgError{lineNo, fmt.Sprintf("want \"Field: value\", got %q", clip(line))}
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, &DpkgError{lineNo, fmt.Sprintf("field %s given twice in one stanza", clip(name))}
		}
		seen[key] = true
		if !inStanza {
			cur.Line, inStanza = lineNo, true
		}
		value = strings.TrimSpace(value)
		switch key {
		case "package":
			cur.Package = value
		case "status":
			cur.Status = value
		case "version":
			cur.Version = value
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, &DpkgError{lineNo + 1, err.Error()}
	}
	flush()
	return out, nil
}

// DebianUpstreamVersion turns a Debian package version into the upstream
// version it packages: "[epoch:]upstream[-revision]" (deb-version(7)) loses
// its epoch and its revision (with any binNMU "+bN" or stable update
// "+deb12u2" in it); the upstream part loses a repack suffix (+dfsg, +ds,
// +git..., any "+" suffix); "A+reallyB" is B (Debian's way of going back to
// an older upstream). What is left must be numbers separated by dots.
// "1:7.2+dfsg-7+deb12u18+b3" is 7.2: Debian's QEMU versions omit the micro
// version the binary prints (7.2.22). An upstream part with "~" is a
// pre-release ("9.0.0~rc2" comes before 9.0.0) and is refused rather than
// taken for the release.
func DebianUpstreamVersion(v string) (string, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return "", errors.New("empty version")
	}
	if epoch, rest, ok := strings.Cut(s, ":"); ok {
		if !isDigits(epoch) {
			return "", fmt.Errorf("%q: epoch %q is not a number", clip(v), clip(epoch))
		}
		s = rest
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	if _, after, ok := strings.Cut(s, "+really"); ok {
		s = after
	}
	if base, pre, ok := strings.Cut(s, "~"); ok {
		return "", fmt.Errorf("%q: a pre-release (%s~%s) of upstream %s, not the release", clip(v), clip(base), clip(pre), clip(base))
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	if !isDottedNumbers(s) {
		return "", fmt.Errorf("%q: upstream part %q is not numbers separated by dots", clip(v), clip(s))
	}
	return s, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isDottedNumbers(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !isDigits(part) {
			return false
		}
	}
	return true
}

// dpkgComponent is the first installed package of names, as a Component
// without its upstream version, and that package; nil when none is
// installed.
func dpkgComponent(installed map[string]DpkgPackage, names []string) (Component, *DpkgPackage) {
	for _, name := range names {
		if p, ok := installed[name]; ok {
			return Component{Package: p.Package, PackageVersion: p.Version, From: "dpkg status " + DpkgStatusPath}, &p
		}
	}
	return Component{}, nil
}

// virt reads the libvirt and QEMU versions from dpkg's status file, or,
// on a host without one, from rpm's database. No database at all is
// silent; an unreadable or malformed one, or a version that is not a
// release, is noted.
func (c *collector) virt() {
	data, err := c.fs.ReadFile(DpkgStatusPath)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.note(DpkgStatusPath, "%s: the libvirt and QEMU versions are unknown", describeErr(err))
			return
		}
		c.virtFromRPM()
		return
	}
	packages, err := ParseDpkgStatus(data)
	if err != nil {
		c.note(DpkgStatusPath, "%v; dpkg itself would refuse this file: the libvirt and QEMU versions are unknown", err)
		return
	}
	installed := map[string]DpkgPackage{}
	for _, p := range packages {
		if p.Installed() {
			installed[p.Package] = p
		}
	}
	qemuNames := dpkgQEMUPackages[ArchX86]
	if c.host.CPU.IsARM64() {
		qemuNames = dpkgQEMUPackages[ArchARM64]
	}
	for _, part := range []struct {
		into  *Component
		names []string
	}{{&c.host.Virt.Libvirt, dpkgLibvirtPackages}, {&c.host.Virt.QEMU, qemuNames}} {
		comp, p := dpkgComponent(installed, part.names)
		if p == nil {
			continue
		}
		version, err := DebianUpstreamVersion(p.Version)
		if err != nil {
			c.note(DpkgStatusPath, "line %d: package %s: %v; its upstream version is unknown", p.Line, p.Package, err)
		}
		comp.Version = version
		*part.into = comp
	}
}

// RPMDBPaths are where rpm keeps its SQLite database: RHEL 9 and Fedora
// 33-35 in /var/lib/rpm; RHEL 10 and Fedora 36 and later in
// /usr/lib/sysimage/rpm, with /var/lib/rpm a symlink to it (read through
// the symlink, inside the root, like every path).
var RPMDBPaths = []string{"/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"}

// rpmOtherDBs are rpm's other database formats, which are not read:
// BerkeleyDB's Packages (RHEL 8 and older; rpm's lib/backend/bdb_ro.cc)
// and NDB's Packages.db (SUSE; lib/backend/ndb/glue.cc).
var rpmOtherDBs = []struct{ path, what string }{
	{"/var/lib/rpm/Packages", "a BerkeleyDB rpm database (RHEL 8 and older)"},
	{"/usr/lib/sysimage/rpm/Packages", "a BerkeleyDB rpm database (RHEL 8 and older)"},
	{"/var/lib/rpm/Packages.db", "an NDB rpm database (SUSE)"},
	{"/usr/lib/sysimage/rpm/Packages.db", "an NDB rpm database (SUSE)"},
}

// The RPM packages that carry libvirt's and QEMU's versions on RHEL and
// Fedora, in the order they are preferred: libvirt's QEMU driver (what
// Nova talks to; RHEL's minimal KVM install is libvirt-daemon-driver-qemu
// plus qemu-kvm-core, libvirt's docs/kbase/rpm-deployment.rst), then the
// daemon and the meta-packages; RHEL's qemu-kvm-core (qemu-kvm.spec
// %package -n qemu-kvm-core) and qemu-kvm, then Fedora's per-target
// emulators (qemu.spec %package system-x86-core, system-aarch64-core),
// the host's own architecture first.
var (
	rpmLibvirtPackages = []string{"libvirt-daemon-driver-qemu", "libvirt-daemon", "libvirt-daemon-kvm", "libvirt"}
	rpmQEMUPackages    = map[string][]string{
		ArchX86:   {"qemu-kvm-core", "qemu-kvm", "qemu-system-x86-core", "qemu-system-aarch64-core"},
		ArchARM64: {"qemu-kvm-core", "qemu-kvm", "qemu-system-aarch64-core", "qemu-system-x86-core"},
	}
)

// virtFromRPM reads the libvirt and QEMU versions from rpm's SQLite
// database and its write-ahead log. Nothing is taken from a database
// whose WAL cannot be read: its newest transactions (an upgrade) may be
// there only.
func (c *collector) virtFromRPM() {
	for _, dbPath := range RPMDBPaths {
		f, err := c.fs.Open(dbPath)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			c.note(dbPath, "%s: the libvirt and QEMU versions are unknown", describeErr(err))
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			c.note(dbPath, "%s: the libvirt and QEMU versions are unknown", describeErr(err))
			return
		}
		walPath := dbPath + "-wal"
		var wal io.ReaderAt
		var walSize int64
		w, err := c.fs.Open(walPath)
		switch {
		case err == nil:
			defer w.Close()
			wi, err := w.Stat()
			if err != nil {
				c.note(walPath, "%s: rpm's newest changes may be there only; the libvirt and QEMU versions are unknown", describeErr(err))
				return
			}
			wal, walSize = w, wi.Size()
		case !errors.Is(err, fs.ErrNotExist):
			c.note(walPath, "%s: rpm's newest changes may be there only; the libvirt and QEMU versions are unknown", describeErr(err))
			return
		}
		db, err := ReadRPMDB(dbPath, f, info.Size(), walPath, wal, walSize)
		if err != nil {
			c.note(dbPath, "%v; the libvirt and QEMU versions are unknown", err)
			return
		}
		c.rpmComponents(dbPath, db)
		return
	}
	for _, other := range rpmOtherDBs {
		if c.fs.Exists(other.path) {
			c.note(other.path, "%s: gpupass reads only rpm's SQLite database (rpmdb.sqlite, RHEL 9 and later); the libvirt and QEMU versions are unknown", other.what)
			return
		}
	}
}

// rpmComponents fills Host.Virt from the packages of an rpm database.
func (c *collector) rpmComponents(dbPath string, db *RPMDB) {
	if len(db.Damaged) > 0 {
		c.note(dbPath, "%d package header(s) would not parse, and are skipped as rpm skips them (first: %s); a libvirt or QEMU among them is not seen", len(db.Damaged), db.Damaged[0])
	}
	byName := map[string][]RPMPackage{}
	for _, p := range db.Packages {
		byName[p.Name] = append(byName[p.Name], p)
	}
	qemuNames := rpmQEMUPackages[ArchX86]
	if c.host.CPU.IsARM64() {
		qemuNames = rpmQEMUPackages[ArchARM64]
	}
	for _, part := range []struct {
		into  *Component
		names []string
	}{{&c.host.Virt.Libvirt, rpmLibvirtPackages}, {&c.host.Virt.QEMU, qemuNames}} {
		for _, name := range part.names {
			found := byName[name]
			if len(found) == 0 {
				continue
			}
			// Two instances of one name (an upgrade interrupted between
			// adding the new header and removing the old): the one added
			// last, as its hnum says, is taken, and the other noted.
			p := found[len(found)-1]
			for _, other := range found[:len(found)-1] {
				if other.EVR() != p.EVR() {
					c.note(dbPath, "package %s is installed twice, %s (hnum %d) and %s (hnum %d): the later, %s, is taken", name, other.EVR(), other.Hnum, p.EVR(), p.Hnum, p.EVR())
				}
			}
			comp := Component{Package: p.Name, PackageVersion: p.EVR(), From: "rpm database " + dbPath}
			if isDottedNumbers(p.Version) {
				comp.Version = p.Version
			} else {
				c.note(dbPath, "package %s: version %q is not numbers separated by dots; its upstream version is unknown", name, clip(p.Version))
			}
			*part.into = comp
			break
		}
	}
}
