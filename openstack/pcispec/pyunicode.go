package pcispec

import "sort"

//go:generate sh -c "/usr/bin/python3 gen_pyunicode.py > pyunicode_tables.go"
//go:generate /usr/bin/python3 gen_pyunicode.py --names pynames.txt.gz

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

func inRanges(r rune, rs []runeRange) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].hi >= r })
	return i < len(rs) && rs[i].lo <= r
}

// pyIsSpace is Python's str.isspace() for one character (Py_UNICODE_ISSPACE).
func pyIsSpace(r rune) bool {
	if r < 0x80 {
		return r == ' ' || (r >= 0x09 && r <= 0x0d) || (r >= 0x1c && r <= 0x1f)
	}
	return inRanges(r, pySpaceRanges)
}

// pyDecimal is the decimal value of a Unicode decimal digit (Python's
// unicodedata.decimal, which int() and re's \d use), or -1.
func pyDecimal(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x80 {
		return -1
	}
	i := sort.Search(len(pyDecimalRanges), func(i int) bool { return pyDecimalRanges[i].hi >= r })
	if i < len(pyDecimalRanges) && pyDecimalRanges[i].lo <= r {
		return int(r-pyDecimalRanges[i].lo) % 10
	}
	return -1
}

// pyIsPrintable is Python's str.isprintable() for one character.
func pyIsPrintable(r rune) bool {
	if r >= 0x20 && r < 0x7f {
		return true
	}
	return !inRanges(r, pyNonPrintableRanges)
}

// pyIsIdentifier is Python's str.isidentifier().
func pyIsIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 {
			if !inRanges(r, pyIDStartRanges) {
				return false
			}
		} else if !inRanges(r, pyIDContinueRanges) {
			return false
		}
	}
	return true
}

// pyStrip is Python's str.strip() with no argument: it removes the
// characters str.isspace() accepts, which are more than Go's
// strings.TrimSpace removes (U+001C to U+001F).
func pyStrip(s string) string {
	rs := []rune(s)
	i, j := 0, len(rs)
	for i < j && pyIsSpace(rs[i]) {
		i++
	}
	for j > i && pyIsSpace(rs[j-1]) {
		j--
	}
	if i == 0 && j == len(rs) {
		return s
	}
	return string(rs[i:j])
}

// pyLen is Python's len() of a str: the number of code points.
func pyLen(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// pyASCIILower is str.lower() restricted to what matters when the result
// is compared with ASCII words: no non-ASCII character lowers to one of
// the ASCII letters those words use.
func pyASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
