package pysem

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Kind is the Python type of a decoded JSON value.
type Kind int

const (
	KindNone Kind = iota
	KindBool
	KindInt
	KindFloat
	KindStr
	KindList
	KindDict
)

// Value is a value as Python's json module decodes it: dicts keep the
// position of a key's first occurrence and the value of its last, integers
// are unbounded, and floats may be nan or infinite.
type Value struct {
	Kind  Kind
	Bool  bool     // KindBool
	Int   *big.Int // KindInt
	Float float64  // KindFloat
	Str   string   // KindStr
	List  []*Value // KindList
	// Keys are a KindDict's keys, in order.
	Keys []string
	vals map[string]*Value
	// Dups lists the keys json.loads met more than once (the last value
	// wins, at the first one's position).
	Dups []string
}

// NewStr is a str.
func NewStr(s string) *Value { return &Value{Kind: KindStr, Str: s} }

// NewDict is an empty dict.
func NewDict() *Value { return &Value{Kind: KindDict, vals: map[string]*Value{}} }

// Set is dict.__setitem__: a new key goes last, an existing one keeps
// its position.
func (v *Value) Set(k string, x *Value) {
	if _, ok := v.vals[k]; !ok {
		v.Keys = append(v.Keys, k)
	}
	v.vals[k] = x
}

// setJSON is what json.loads does for a key: Set, noting a duplicate.
func (v *Value) setJSON(k string, x *Value) {
	if _, ok := v.vals[k]; ok {
		v.Dups = append(v.Dups, k)
	}
	v.Set(k, x)
}

// Get is dict.get: nil when absent.
func (v *Value) Get(k string) *Value { return v.vals[k] }

// Pop is dict.pop(k, None): nil when absent.
func (v *Value) Pop(k string) *Value {
	x, ok := v.vals[k]
	if !ok {
		return nil
	}
	delete(v.vals, k)
	for i, kk := range v.Keys {
		if kk == k {
			v.Keys = append(v.Keys[:i:i], v.Keys[i+1:]...)
			break
		}
	}
	return x
}

// CopyDict is a shallow dict copy.
func (v *Value) CopyDict() *Value {
	c := NewDict()
	for _, k := range v.Keys {
		c.Set(k, v.vals[k])
	}
	return c
}

// TypeName is type(v).__name__.
func (v *Value) TypeName() string {
	switch v.Kind {
	case KindNone:
		return "NoneType"
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindStr:
		return "str"
	case KindList:
		return "list"
	}
	return "dict"
}

// Depth is the nesting of containers: 0 for a scalar, 1 for a flat list
// or dict.
func (v *Value) Depth() int {
	d := 0
	switch v.Kind {
	case KindList:
		for _, x := range v.List {
			d = max(d, x.Depth())
		}
	case KindDict:
		for _, k := range v.Keys {
			d = max(d, v.vals[k].Depth())
		}
	default:
		return 0
	}
	return d + 1
}

// Truthy is bool(v).
func (v *Value) Truthy() bool {
	if v == nil {
		return false
	}
	switch v.Kind {
	case KindNone:
		return false
	case KindBool:
		return v.Bool
	case KindInt:
		return v.Int.Sign() != 0
	case KindFloat:
		return v.Float != 0
	case KindStr:
		return v.Str != ""
	case KindList:
		return len(v.List) != 0
	}
	return len(v.Keys) != 0
}

// StrOf is str(v), as Python 3.11 writes it (see StrRepr).
func StrOf(v *Value) string {
	if v.Kind == KindStr {
		return v.Str
	}
	return Repr(v)
}

// Repr is repr(v), as Python 3.11 writes it (see StrRepr).
func Repr(v *Value) string { return Py311.Repr(v) }

// Repr is repr(x) in Python v.
func (v Version) Repr(x *Value) string {
	var b strings.Builder
	v.writeRepr(&b, x)
	return b.String()
}

func (py Version) writeRepr(b *strings.Builder, v *Value) {
	switch v.Kind {
	case KindNone:
		b.WriteString("None")
	case KindBool:
		if v.Bool {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case KindInt:
		b.WriteString(v.Int.String())
	case KindFloat:
		b.WriteString(FloatRepr(v.Float))
	case KindStr:
		b.WriteString(py.StrRepr(v.Str))
	case KindList:
		b.WriteByte('[')
		for i, x := range v.List {
			if i > 0 {
				b.WriteString(", ")
			}
			py.writeRepr(b, x)
		}
		b.WriteByte(']')
	case KindDict:
		b.WriteByte('{')
		for i, k := range v.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(py.StrRepr(k))
			b.WriteString(": ")
			py.writeRepr(b, v.vals[k])
		}
		b.WriteByte('}')
	}
}

// StrRepr is repr() of a str as Python 3.11 writes it: the form
// gpupass's own messages quote values in. Later Pythons print some
// characters 3.11 escapes (those Unicode 15 and 16 assigned): Nova's
// messages quote them so, which Version.StrRepr writes.
func StrRepr(s string) string { return Py311.StrRepr(s) }

// StrRepr is repr() of a str in Python v.
func (v Version) StrRepr(s string) string {
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
		case v.IsPrintable(r):
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

// FloatRepr is repr() of a float: the shortest digits that round-trip,
// in fixed notation when the decimal exponent is in [-4, 16), else in
// exponent notation with at least two exponent digits.
func FloatRepr(f float64) string {
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
