package pysem

import (
	"fmt"
	"math/big"
	"strings"
)

// MaxStrDigits is Python's default sys.get_int_max_str_digits(): int()
// refuses decimal strings with more digits (Python 3.11 and later, and
// the security updates of older ones).
const MaxStrDigits = 4300

// IntResult is the outcome of Python's int(s, base).
type IntResult struct {
	// Value is the number; nil when int() raised.
	Value *big.Int
	// Err is the ValueError message when int() raised.
	Err string
	// Canonical is false when the text is not the plain form: a sign, a
	// 0x prefix, underscores, surrounding white space or non-ASCII digits.
	Canonical bool
}

// ParseInt is Python's int(s, base) for a str s and base 10 or 16
// (PyLong_FromUnicodeObject): surrounding white space (any character
// str.isspace() accepts), a sign, "0x" for base 16, single underscores
// between digits and any Unicode decimal digit are accepted.
func (v Version) ParseInt(s string, base int) IntResult {
	invalid := IntResult{Err: fmt.Sprintf("invalid literal for int() with base %d: %s", base, Truncate(v.StrRepr(s), 200))}
	// _PyUnicode_TransformDecimalAndSpaceToASCII: white space becomes ' ',
	// decimal digits become ASCII digits, anything else non-ASCII (and
	// DEL) ends the string as an invalid character.
	var b strings.Builder
	canonical := true
	for _, r := range s {
		switch {
		case r < 127:
			b.WriteRune(r)
		case IsSpace(r):
			b.WriteByte(' ')
			canonical = false
		default:
			d := v.Decimal(r)
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
	if base == 10 && digits.Len() > MaxStrDigits {
		return IntResult{Err: digitsLimitError(digits.Len())}
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
	n, ok := new(big.Int).SetString(digits.String(), base)
	if !ok {
		return invalid
	}
	if neg {
		n.Neg(n)
	}
	return IntResult{Value: n, Canonical: canonical}
}

// FormatHex is Python's "%0Nx" % v: lower-case hex, zero-padded to width
// (the sign counts in the width).
func FormatHex(v *big.Int, width int) string {
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

// digitsLimitError is the ValueError Python raises for a decimal string
// longer than MaxStrDigits digits.
func digitsLimitError(n int) string {
	return fmt.Sprintf("Exceeds the limit (%d digits) for integer string conversion: value has %d digits; use sys.set_int_max_str_digits() to increase the limit", MaxStrDigits, n)
}
