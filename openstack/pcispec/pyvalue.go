package pcispec

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// pyKind is the Python type of a decoded JSON value.
type pyKind int

const (
	pyNone pyKind = iota
	pyBool
	pyInt
	pyFloat
	pyStr
	pyList
	pyDict
)

// pyValue is a value as Python's json module decodes it: dicts keep the
// position of a key's first occurrence and the value of its last, integers
// are unbounded, and floats may be nan or infinite.
type pyValue struct {
	kind pyKind
	b    bool
	i    *big.Int
	f    float64
	s    string
	list []*pyValue
	keys []string
	vals map[string]*pyValue
	// dups lists the keys that occurred more than once (last one wins).
	dups []string
}

func pyStrValue(s string) *pyValue { return &pyValue{kind: pyStr, s: s} }

func newPyDict() *pyValue { return &pyValue{kind: pyDict, vals: map[string]*pyValue{}} }

// set is dict.__setitem__.
func (v *pyValue) set(k string, x *pyValue) {
	if _, ok := v.vals[k]; ok {
		v.dups = append(v.dups, k)
	} else {
		v.keys = append(v.keys, k)
	}
	v.vals[k] = x
}

// get is dict.get: nil when absent.
func (v *pyValue) get(k string) *pyValue { return v.vals[k] }

// pop is dict.pop(k, None): nil when absent.
func (v *pyValue) pop(k string) *pyValue {
	x, ok := v.vals[k]
	if !ok {
		return nil
	}
	delete(v.vals, k)
	for i, kk := range v.keys {
		if kk == k {
			v.keys = append(v.keys[:i:i], v.keys[i+1:]...)
			break
		}
	}
	return x
}

// copyDict is a shallow dict copy.
func (v *pyValue) copyDict() *pyValue {
	c := newPyDict()
	for _, k := range v.keys {
		c.set(k, v.vals[k])
	}
	return c
}

// typeName is type(v).__name__.
func (v *pyValue) typeName() string {
	switch v.kind {
	case pyNone:
		return "NoneType"
	case pyBool:
		return "bool"
	case pyInt:
		return "int"
	case pyFloat:
		return "float"
	case pyStr:
		return "str"
	case pyList:
		return "list"
	}
	return "dict"
}

// depth is the nesting of containers: 0 for a scalar, 1 for a flat list
// or dict.
func (v *pyValue) depth() int {
	d := 0
	switch v.kind {
	case pyList:
		for _, x := range v.list {
			d = max(d, x.depth())
		}
	case pyDict:
		for _, k := range v.keys {
			d = max(d, v.vals[k].depth())
		}
	default:
		return 0
	}
	return d + 1
}

// truthy is bool(v).
func (v *pyValue) truthy() bool {
	if v == nil {
		return false
	}
	switch v.kind {
	case pyNone:
		return false
	case pyBool:
		return v.b
	case pyInt:
		return v.i.Sign() != 0
	case pyFloat:
		return v.f != 0
	case pyStr:
		return v.s != ""
	case pyList:
		return len(v.list) != 0
	}
	return len(v.keys) != 0
}

// pyStr is str(v).
func pyStrOf(v *pyValue) string {
	if v.kind == pyStr {
		return v.s
	}
	return pyRepr(v)
}

// pyRepr is repr(v).
func pyRepr(v *pyValue) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v *pyValue) {
	switch v.kind {
	case pyNone:
		b.WriteString("None")
	case pyBool:
		if v.b {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case pyInt:
		b.WriteString(v.i.String())
	case pyFloat:
		b.WriteString(pyFloatRepr(v.f))
	case pyStr:
		b.WriteString(pyStrRepr(v.s))
	case pyList:
		b.WriteByte('[')
		for i, x := range v.list {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, x)
		}
		b.WriteByte(']')
	case pyDict:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStrRepr(k))
			b.WriteString(": ")
			writeRepr(b, v.vals[k])
		}
		b.WriteByte('}')
	}
}

// pyStrRepr is repr() of a str.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(int(r)))
		case r < 0x7f:
			b.WriteRune(r)
		case pyIsPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteString(`\x` + hex2(int(r)))
		case r <= 0xffff:
			b.WriteString(`\u` + hexN(int(r), 4))
		default:
			b.WriteString(`\U` + hexN(int(r), 8))
		}
	}
	b.WriteByte(quote)
	return b.String()
}

func hex2(n int) string { return hexN(n, 2) }

func hexN(n, w int) string {
	s := strconv.FormatInt(int64(n), 16)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

// pyFloatRepr is repr() of a float: the shortest digits that round-trip,
// in fixed notation when the decimal exponent is in [-4, 16), else in
// exponent notation with at least two exponent digits.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	sign := ""
	if math.Signbit(f) {
		sign = "-"
		f = -f
	}
	if f == 0 {
		return sign + "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1 // digits are 0.DIGITS × 10^decpt
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			return sign + "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			return sign + digits[:decpt] + "." + digits[decpt:]
		}
	}
	m := digits[:1]
	if len(digits) > 1 {
		m += "." + digits[1:]
	}
	x := decpt - 1
	xs := "+"
	if x < 0 {
		xs = "-"
		x = -x
	}
	xd := strconv.Itoa(x)
	if len(xd) < 2 {
		xd = "0" + xd
	}
	return sign + m + "e" + xs + xd
}
