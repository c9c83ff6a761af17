package mdevconf

import (
	"fmt"
	"math/big"
	"strings"
	"unicode"
)

// What Python and oslo.config do with the text of an option, as far as
// the mdev options need it: re's \d and int()'s digits, str.isspace,
// repr() of a str (oslo.config's and int()'s error messages quote the
// value with it). openstack/pcispec has the same knowledge for
// device_spec, generated from Python's own tables; it is in the same
// layer, so it cannot be imported here, and these few functions are
// written again, on Go's unicode tables (see pyDecimal).

// pyIsSpace is Python's str.isspace() for one character.
func pyIsSpace(r rune) bool {
	switch {
	case r < 0x80:
		return r == ' ' || (r >= 0x09 && r <= 0x0d) || (r >= 0x1c && r <= 0x1f)
	case r == 0x85, r == 0xa0, r == 0x1680, r >= 0x2000 && r <= 0x200a,
		r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// unicode15Digits are the decimal digits Unicode 15.0 added (Kawi, Nag
// Mundari). Go's tables are Unicode 15; Python 3.11 (Debian bookworm,
// where Zed runs) is Unicode 14 and does not know them; Python 3.13
// (trixie and later, Nova 2025.1 on) does.
func unicode15Digit(r rune) bool {
	return (r >= 0x11f50 && r <= 0x11f59) || (r >= 0x1e4f0 && r <= 0x1e4f9)
}

// pyDecimal is the value of a Unicode decimal digit (category Nd: what
// re's \d matches in a str pattern and int() accepts), or -1. py14 is a
// Python of Unicode 14 (3.11). Every run of Nd characters starts at a
// zero, so a digit's value is its distance from its range's start,
// modulo 10.
func pyDecimal(r rune, py14 bool) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) || (py14 && unicode15Digit(r)) {
		return -1
	}
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// pyRepr is Python's repr() of a str.
func pyRepr(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f || unicode.IsPrint(r):
			// Python's non-printable characters are Cc, Cf, Cs, Co, Cn
			// and Z* but the space: what unicode.IsPrint leaves out.
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}

// pyTruncate is Python's "%.Ns": the first n code points.
func pyTruncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// pyMaxStrDigits is Python's default sys.get_int_max_str_digits() (3.11
// and later).
const pyMaxStrDigits = 4300

// pyInt is Python's int(s) for a str (base 10): surrounding white space,
// a sign, single underscores between digits and any Unicode decimal digit
// are accepted. It returns the ValueError's message when int() raises.
func pyInt(s string, py14 bool) (*big.Int, string) {
	invalid := "invalid literal for int() with base 10: " + pyReprTruncated(s)
	// _PyUnicode_TransformDecimalAndSpaceToASCII: white space becomes
	// ' ', decimal digits ASCII digits; any other non-ASCII character is
	// invalid.
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 127:
			b.WriteRune(r)
		case pyIsSpace(r):
			b.WriteByte(' ')
		default:
			d := pyDecimal(r, py14)
			if d < 0 {
				return nil, invalid
			}
			b.WriteByte(byte('0' + d))
		}
	}
	t := b.String()
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	i := 0
	for i < len(t) && isSpace(t[i]) {
		i++
	}
	neg := false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		neg = t[i] == '-'
		i++
	}
	if i < len(t) && t[i] == '_' {
		return nil, invalid
	}
	var digits strings.Builder
	prev := byte(0)
	for i < len(t) && ((t[i] >= '0' && t[i] <= '9') || t[i] == '_') {
		if t[i] == '_' {
			if prev == '_' {
				return nil, invalid
			}
		} else {
			digits.WriteByte(t[i])
		}
		prev = t[i]
		i++
	}
	if prev == '_' {
		return nil, invalid
	}
	if digits.Len() > pyMaxStrDigits {
		return nil, fmt.Sprintf("Exceeds the limit (%d digits) for integer string conversion: value has %d digits; "+
			"use sys.set_int_max_str_digits() to increase the limit", pyMaxStrDigits, digits.Len())
	}
	if digits.Len() == 0 {
		return nil, invalid
	}
	for i < len(t) && isSpace(t[i]) {
		i++
	}
	if i != len(t) {
		return nil, invalid
	}
	v, _ := new(big.Int).SetString(digits.String(), 10)
	if neg {
		v.Neg(v)
	}
	return v, ""
}

// pyReprTruncated is "%.200R" % s, as int()'s error message quotes it.
func pyReprTruncated(s string) string { return pyTruncate(pyRepr(s), 200) }
