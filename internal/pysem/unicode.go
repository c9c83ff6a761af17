package pysem

import "sort"

//go:generate sh -c "chroot ${GPUPASS_NOVA_CHROOTS:-/tmp/chroot}/bookworm python3 - < gen_unicode.py > unicode_py311.go"
//go:generate sh -c "chroot ${GPUPASS_NOVA_CHROOTS:-/tmp/chroot}/trixie python3 - < gen_unicode.py > unicode_py313.go"
//go:generate sh -c "chroot ${GPUPASS_NOVA_CHROOTS:-/tmp/chroot}/sid python3 - < gen_unicode.py > unicode_py314.go"
//go:generate sh gen_names.sh

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

func inRanges(r rune, rs []runeRange) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].hi >= r })
	return i < len(rs) && rs[i].lo <= r
}

// unicodeTables are one Python's character properties (gen_unicode.py).
type unicodeTables struct {
	unicode                                           string
	space, decimal, nonPrintable, idStart, idContinue []runeRange
}

// UnicodeVersion is the Unicode version of Python v's unicodedata.
func (v Version) UnicodeVersion() string { return v.tables().unicode }

// IsSpace is Python's str.isspace() for one character (Py_UNICODE_ISSPACE);
// the same in every Python gpupass emulates.
func IsSpace(r rune) bool {
	if r < 0x80 {
		return r == ' ' || (r >= 0x09 && r <= 0x0d) || (r >= 0x1c && r <= 0x1f)
	}
	return inRanges(r, unicodePy311.space)
}

// Decimal is the value of a Unicode decimal digit in Python v
// (unicodedata.decimal, which int() and re's \d use), or -1.
func (v Version) Decimal(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x80 {
		return -1
	}
	rs := v.tables().decimal
	i := sort.Search(len(rs), func(i int) bool { return rs[i].hi >= r })
	if i < len(rs) && rs[i].lo <= r {
		return int(r-rs[i].lo) % 10
	}
	return -1
}

// IsPrintable is Python v's str.isprintable() for one character, which
// repr() uses.
func (v Version) IsPrintable(r rune) bool {
	if r >= 0x20 && r < 0x7f {
		return true
	}
	return !inRanges(r, v.tables().nonPrintable)
}

// IsIdentifier is Python v's str.isidentifier().
func (v Version) IsIdentifier(s string) bool {
	if s == "" {
		return false
	}
	t := v.tables()
	for i, r := range s {
		if i == 0 {
			if !inRanges(r, t.idStart) {
				return false
			}
		} else if !inRanges(r, t.idContinue) {
			return false
		}
	}
	return true
}

// isAlpha is str.isalpha() for the characters flag parsing meets; only
// the choice between two error messages depends on it.
func (v Version) isAlpha(r rune) bool {
	return isASCIILetter(r) || (r > 0x7f && inRanges(r, v.tables().idStart) && r != '_')
}

// Strip is Python's str.strip() with no argument: it removes the
// characters str.isspace() accepts, which are more than Go's
// strings.TrimSpace removes (U+001C to U+001F).
func Strip(s string) string {
	rs := []rune(s)
	i, j := 0, len(rs)
	for i < j && IsSpace(rs[i]) {
		i++
	}
	for j > i && IsSpace(rs[j-1]) {
		j--
	}
	if i == 0 && j == len(rs) {
		return s
	}
	return string(rs[i:j])
}

// Len is Python's len() of a str: the number of code points.
func Len(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// ASCIILower is str.lower() restricted to what matters when the result
// is compared with ASCII words: no non-ASCII character lowers to one of
// the ASCII letters those words use.
func ASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Truncate is Python's "%.Ns" precision: the first n code points.
func Truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
