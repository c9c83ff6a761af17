package pcispec

import (
	"fmt"
	"math/big"
	"strings"
)

// pyMaxStrDigits is Python's default sys.get_int_max_str_digits(): int()
// refuses decimal strings with more digits (Python 3.11 and later, and
// the security updates of older ones).
const pyMaxStrDigits = 4300

// pyIntResult is the outcome of Python's int(s, base).
type pyIntResult struct {
	// Value is the number; nil when int() raised.
	Value *big.Int
	// Err is the ValueError message when int() raised.
	Err string
	// Canonical is false when the text is not the plain form: a sign, a
	// 0x prefix, underscores, surrounding white space or non-ASCII digits.
	Canonical bool
}

// pyParseInt is Python's int(s, base) for a str s and base 10 or 16
// (PyLong_FromUnicodeObject): surrounding white space (any character
// str.isspace() accepts), a sign, "0x" for base 16, single underscores
// between digits and any Unicode decimal digit are accepted.
func pyParseInt(s string, base int) pyIntResult {
	invalid := pyIntResult{Err: fmt.Sprintf("invalid literal for int() with base %d: %s", base, pyTruncate(pyRepr(pyStrValue(s)), 200))}
	// _PyUnicode_TransformDecimalAndSpaceToASCII: white space becomes ' ',
	// decimal digits become ASCII digits, anything else non-ASCII (and
	// DEL) ends the string as an invalid character.
	var b strings.Builder
	canonical := true
	for _, r := range s {
		switch {
		case r < 127:
			b.WriteRune(r)
		case pyIsSpace(r):
			b.WriteByte(' ')
			canonical = false
		default:
			d := pyDecimal(r)
			if d < 0 {
				return invalid
			}
			b.WriteByte(byte('0' + d))
			canonical = false
		}
	}
	t := b.String()
	i := 0
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	for i < len(t) && isSpace(t[i]) {
		i++
		canonical = false
	}
	neg := false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		neg = t[i] == '-'
		i++
		canonical = false
	}
	if base == 16 && i+1 < len(t) && t[i] == '0' && (t[i+1] == 'x' || t[i+1] == 'X') {
		i += 2
		canonical = false
		if i < len(t) && t[i] == '_' {
			i++
		}
	}
	if i < len(t) && t[i] == '_' {
		return invalid
	}
	digitValue := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return int(c - '0')
		case c >= 'a' && c <= 'z':
			return int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			return int(c-'A') + 10
		}
		return 99
	}
	var digits strings.Builder
	prev := byte(0)
	for i < len(t) && (digitValue(t[i]) < base || t[i] == '_') {
		if t[i] == '_' {
			if prev == '_' {
				return invalid
			}
			canonical = false
		} else {
			digits.WriteByte(t[i])
		}
		prev = t[i]
		i++
	}
	if prev == '_' {
		return invalid
	}
	if base == 10 && digits.Len() > pyMaxStrDigits {
		return pyIntResult{Err: pyDigitsLimitError(digits.Len())}
	}
	if digits.Len() == 0 {
		return invalid
	}
	for i < len(t) && isSpace(t[i]) {
		i++
		canonical = false
	}
	if i != len(t) {
		return invalid
	}
	v, ok := new(big.Int).SetString(digits.String(), base)
	if !ok {
		return invalid
	}
	if neg {
		v.Neg(v)
	}
	return pyIntResult{Value: v, Canonical: canonical}
}

// pyFormatHex is Python's "%0Nx" % v: lower-case hex, zero-padded to width
// (the sign counts in the width).
func pyFormatHex(v *big.Int, width int) string {
	if v.Sign() < 0 {
		s := new(big.Int).Neg(v).Text(16)
		for len(s)+1 < width {
			s = "0" + s
		}
		return "-" + s
	}
	s := v.Text(16)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// pyDigitsLimitError is the ValueError Python raises for a decimal string
// longer than pyMaxStrDigits digits.
func pyDigitsLimitError(n int) string {
	return fmt.Sprintf("Exceeds the limit (%d digits) for integer string conversion: value has %d digits; use sys.set_int_max_str_digits() to increase the limit", pyMaxStrDigits, n)
}

// pyTruncate is Python's "%.Ns" precision: the first n code points.
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
