// Package pysem is what gpupass knows of Python's semantics: the parts of
// CPython that decide what Nova does with the text of an option. Nova
// reads [pci]device_spec and [pci]alias with json.loads, address fields
// with int(x, 16), address regexes with re.compile and re.match, and
// counts with int(x); an operator's value means what those functions make
// of it, in the Python that runs Nova.
//
// The package is a bottom layer: it imports no gpupass package. Each
// function is checked against CPython itself (differential tests in
// this package, run with GPUPASS_PYSEM=1 in CI), for each Python that runs
// a Nova release gpupass judges live (Version).
//
// The API:
//   - Version: Python 3.11, 3.13 or 3.14, and ForNova, the Python a Nova
//     release runs on.
//   - Unicode: IsSpace, Version.Decimal, Version.IsIdentifier, Version.IsPrintable,
//     Strip, Len, ASCIILower, Truncate.
//   - int(): Version.ParseInt, FormatHex.
//   - json.loads: Version.LoadJSON into a Value (Python's dict, list, str,
//     int, float, bool, None), with Version.Repr and Version.StrRepr (and
//     Repr, StrRepr and StrOf, 3.11's forms, for gpupass's own messages).
//   - re: Version.Compile into a Regex, and Regex.Match, a backtracking
//     matcher with Python's re.match semantics for short subjects.
package pysem

import "fmt"

// Version is a CPython minor version, as a number: 311 is Python 3.11.
type Version int

// The Pythons gpupass emulates: those of Debian bookworm (Nova Zed),
// trixie (Nova 2025.1) and sid (Nova 2026.2), the releases judged live.
const (
	Py311 Version = 311
	Py313 Version = 313
	Py314 Version = 314
)

// Versions lists the Pythons gpupass emulates, oldest first.
var Versions = []Version{Py311, Py313, Py314}

func (v Version) String() string { return fmt.Sprintf("%d.%d", int(v)/100, int(v)%100) }

// ForNova is the Python that runs Nova of the given major version (26 for
// Zed) as gpupass models it: what Debian ships with it where Debian
// ships it (bookworm's 3.11 for Zed, trixie's 3.13 for 2025.1, sid's 3.14
// for 2026.2), and for the releases between, the Python of the nearest
// earlier of those: 3.11 up to 2023.2, 3.13 from 2024.1 (Ubuntu 24.04's
// 3.12 has 3.13's rules for everything here but the Unicode 15.1
// ideographs), 3.14 from 2026.2.
func ForNova(major int) Version {
	switch {
	case major >= 34:
		return Py314
	case major >= 29:
		return Py313
	}
	return Py311
}

func (v Version) tables() *unicodeTables {
	switch {
	case v >= Py314:
		return unicodePy314
	case v >= Py313:
		return unicodePy313
	}
	return unicodePy311
}
