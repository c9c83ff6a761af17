// Package fastjson decodes JSON into Go values as encoding/json's Unmarshal
// does, in one pass, for the kinds of value gpupass's documents are made
// of: a fleet audit reads hundreds of megabytes of host reports and a
// recorded cloud, and encoding/json is most of its time.
package fastjson

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Decoder decodes JSON documents into Go values as encoding/json's
// Unmarshal does, in one pass over the bytes. encoding/json scans every
// byte twice (once to find the value's end, once to decode it) through a
// state machine, then sets each field through reflection's slowest paths.
//
// It never answers differently from encoding/json: whenever the input is
// not what it decodes with certainty — a syntax error, a type mismatch, a
// key that matches a field only case-insensitively, a repeated key, an
// escape sequence or a byte above 0x7f in a string it does not unescape
// itself, a kind of Go value it does not know — it gives up with
// ErrFallback, and the caller decodes the same bytes with encoding/json,
// which says what is wrong as it always has (Unmarshal does both).
// FuzzUnmarshal here and report's FuzzFastDecode hold the two equal on
// every input where this one succeeds.
//
// With Intern, strings are interned across the documents a Decoder
// decodes: a fleet's reports repeat the same driver, vendor, model, module
// and option strings thousands of times, and one copy of each is kept (up
// to internMax strings of at most internLen bytes).
//
// A Decoder is for one goroutine at a time; its zero value is ready.
type Decoder struct {
	// Intern keeps one copy of each short string decoded.
	Intern bool
	// Drop names, by struct type, the JSON keys not to decode: they are
	// skipped (their syntax still checked) and the field stays zero.
	Drop map[reflect.Type]map[string]bool
	// Borrow names the slice types whose decoded slices are left in the
	// decoder's scratch slice instead of copied out: valid only until the
	// decoder's next document, for a caller that copies them before (the
	// audit's devices, converted to hostinfo's at once).
	Borrow map[reflect.Type]bool
	// Memo names struct types whose values are remembered by their JSON
	// bytes, across the documents the Decoder decodes: the same bytes again
	// are only scanned for their end, and give a copy of the value decoded
	// the first time, its slices, maps and pointers shared (the caller must
	// not change them). A fleet's host reports repeat the same PCI
	// functions, byte for byte, thousands of times. Memoized says which
	// values were the same.
	Memo map[reflect.Type]bool

	data   []byte
	pos    int
	intern map[string]string
	// scratch holds one slice per slice type decoded, reused.
	scratch map[reflect.Type]reflect.Value
	// memo maps a Memo type's values' bytes to their entries in memoVals
	// (memoBytes of keys in all); memoIDs are, by type, the entries of this
	// document's values, in order; inMemo is set while a memoized value is
	// decoded.
	memo      map[reflect.Type]map[string]int
	memoVals  []reflect.Value
	memoBytes int
	memoIDs   map[reflect.Type][]int
	inMemo    bool
}

// Memoized returns, for the last document decoded, the memo entry of each
// value of the Memo type t, in the order they were decoded (for a slice of
// them, the slice's order): two values with the same entry had the same
// bytes, in this document or another the Decoder decoded, and so are the
// same value; -1 is a value not remembered (a null, or past the memo's
// bounds). Values of Memo types within a memoized value are decoded as
// any other value: not remembered, not listed. The slice is the
// Decoder's, valid until its next document.
func (d *Decoder) Memoized(t reflect.Type) []int { return d.memoIDs[t] }

// Bounds of the memo: entries kept, bytes of one value, bytes in all.
const (
	memoMax      = 1 << 16
	memoLen      = 64 << 10
	memoAllBytes = 64 << 20
)

// memoized decodes the value at d.pos into v (a Memo type t) with decode,
// or, when the same bytes were decoded before, gives the value then.
func (d *Decoder) memoized(t reflect.Type, v reflect.Value, decode decodeFunc) error {
	if d.inMemo {
		return decode(d, v)
	}
	if d.memoIDs == nil {
		d.memoIDs = map[reflect.Type][]int{}
	}
	if d.peek() != '{' {
		d.memoIDs[t] = append(d.memoIDs[t], -1)
		return decode(d, v)
	}
	start := d.pos
	if err := d.skip(); err != nil {
		return err
	}
	raw := d.data[start:d.pos]
	byBytes := d.memo[t]
	if id, ok := byBytes[string(raw)]; ok {
		v.Set(d.memoVals[id])
		d.memoIDs[t] = append(d.memoIDs[t], id)
		return nil
	}
	end := d.pos
	d.pos = start
	d.inMemo = true
	err := decode(d, v)
	d.inMemo = false
	if err != nil {
		return err
	}
	if d.pos != end {
		return ErrFallback // cannot be: skip and decode read the same value
	}
	if len(d.memoVals) >= memoMax || len(raw) > memoLen || d.memoBytes+len(raw) > memoAllBytes {
		d.memoIDs[t] = append(d.memoIDs[t], -1)
		return nil
	}
	if byBytes == nil {
		if d.memo == nil {
			d.memo = map[reflect.Type]map[string]int{}
		}
		byBytes = map[string]int{}
		d.memo[t] = byBytes
	}
	c := reflect.New(t).Elem()
	c.Set(v)
	id := len(d.memoVals)
	d.memoVals = append(d.memoVals, c)
	d.memoBytes += len(raw)
	byBytes[string(raw)] = id
	d.memoIDs[t] = append(d.memoIDs[t], id)
	return nil
}

// ErrFallback is Decode's answer when the input is not one it decodes with
// certainty: decode it with encoding/json instead.
var ErrFallback = errors.New("fast decode: fall back to encoding/json")

// Unmarshal decodes data into v (a non-nil pointer to a zero value) as
// encoding/json's Unmarshal does, with its errors: the fast path first,
// encoding/json on the same bytes when it gives up (v zeroed again
// before). A v that is not zero is left to encoding/json, which merges.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !rv.Elem().IsZero() {
		return json.Unmarshal(data, v)
	}
	var d Decoder
	if d.Decode(data, v) == nil {
		return nil
	}
	rv.Elem().SetZero()
	return json.Unmarshal(data, v)
}

const (
	internMax = 1 << 16
	internLen = 256
)

// Decode decodes data into v (a non-nil pointer) or returns ErrFallback.
// On ErrFallback, v may be partly filled: decode into a fresh value.
func (d *Decoder) Decode(data []byte, v any) (err error) {
	d.data, d.pos = data, 0
	for t, ids := range d.memoIDs {
		d.memoIDs[t] = ids[:0]
	}
	d.inMemo = false
	if d.Intern && d.intern == nil {
		d.intern = map[string]string{}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ErrFallback
	}
	dec := decoderFor(rv.Type().Elem())
	if dec == nil {
		return ErrFallback
	}
	d.skipSpace()
	if err := dec(d, rv.Elem()); err != nil {
		return err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return ErrFallback // more than one value, or garbage after it
	}
	return nil
}

// decodeFunc decodes the value at d.pos into v (settable), leaving d.pos
// after it.
type decodeFunc func(d *Decoder, v reflect.Value) error

// decoders caches the decodeFunc of each type decoded from (nil for a
// type the fast path does not handle); decoderMu serialises building them.
var (
	decoders  sync.Map // reflect.Type -> decodeFunc
	decoderMu sync.Mutex
)

// decoderFor returns the decodeFunc of t, nil when the fast path does not
// handle t or something it holds.
func decoderFor(t reflect.Type) decodeFunc {
	if f, ok := decoders.Load(t); ok {
		return f.(decodeFunc)
	}
	decoderMu.Lock()
	defer decoderMu.Unlock()
	if f, ok := decoders.Load(t); ok {
		return f.(decodeFunc)
	}
	var f decodeFunc
	if supports(t, map[reflect.Type]bool{}) {
		b := &builder{cells: map[reflect.Type]*decodeFunc{}}
		f = b.get(t)
	}
	decoders.Store(t, f)
	return f
}

// Supports reports whether Decode takes values of type t: a type it does
// not handle (a []byte, an embedded struct, a ",string" option, an
// Unmarshaler) makes every document fall back to encoding/json, correct
// but silently slow; callers test their types with it.
func Supports(t reflect.Type) bool { return decoderFor(t) != nil }

// builder builds the decodeFuncs of a type and all it holds; a recursive
// type calls itself through its cell.
type builder struct {
	cells map[reflect.Type]*decodeFunc
}

func (b *builder) get(t reflect.Type) decodeFunc {
	if cell, ok := b.cells[t]; ok {
		if *cell != nil {
			return *cell
		}
		return func(d *Decoder, v reflect.Value) error { return (*cell)(d, v) }
	}
	cell := new(decodeFunc)
	b.cells[t] = cell
	*cell = b.build(t)
	return *cell
}

// supports reports whether the fast path handles t and all it holds.
func supports(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true // being checked further up
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return !implementsUnmarshaler(t)
	case reflect.Pointer:
		return !implementsUnmarshaler(t) && supports(t.Elem(), seen)
	case reflect.Slice:
		// Byte slices are base64 in encoding/json: not here.
		return t.Elem().Kind() != reflect.Uint8 && !implementsUnmarshaler(t) && supports(t.Elem(), seen)
	case reflect.Map:
		return t.Key().Kind() == reflect.String && !implementsUnmarshaler(t.Key()) && !implementsUnmarshaler(t) && supports(t.Elem(), seen)
	case reflect.Interface:
		return t.NumMethod() == 0
	case reflect.Struct:
		if implementsUnmarshaler(t) {
			return false
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				return false // embedded fields are promoted: not here
			}
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			if _, opts, _ := strings.Cut(tag, ","); hasOption(opts, "string") {
				return false
			}
			if !supports(f.Type, seen) {
				return false
			}
		}
		return true
	}
	return false
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
)

func implementsUnmarshaler(t reflect.Type) bool {
	for _, t := range []reflect.Type{t, reflect.PointerTo(t)} {
		if t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) {
			return true
		}
	}
	return false
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

func (b *builder) build(t reflect.Type) decodeFunc {
	switch t.Kind() {
	case reflect.Bool:
		return decodeBool
	case reflect.String:
		return decodeString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return decodeUint
	case reflect.Float32, reflect.Float64:
		return decodeFloat
	case reflect.Pointer:
		return pointerDecoder(t, b.get(t.Elem()))
	case reflect.Slice:
		return sliceDecoder(t, b.get(t.Elem()))
	case reflect.Map:
		return mapDecoder(t, b.get(t.Elem()))
	case reflect.Interface:
		return decodeInterface
	case reflect.Struct:
		return structDecoder(t, b)
	}
	return nil
}

// Whitespace and literals.

func (d *Decoder) skipSpace() {
	data, pos := d.data, d.pos
	for pos < len(data) {
		switch data[pos] {
		case ' ', '\t', '\r':
			pos++
		case '\n':
			// An indented document: a new line, then its indent, eight
			// spaces at a time.
			pos++
			for pos+8 <= len(data) && binary.LittleEndian.Uint64(data[pos:]) == eightSpaces {
				pos += 8
			}
		default:
			d.pos = pos
			return
		}
	}
	d.pos = pos
}

const eightSpaces = 0x2020202020202020

// peek returns the next non-space byte, 0 at the end.
func (d *Decoder) peek() byte {
	d.skipSpace()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// literal consumes lit (true, false, null) or fails.
func (d *Decoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return ErrFallback
	}
	d.pos += len(lit)
	return nil
}

// null consumes a null when there is one.
func (d *Decoder) null() (bool, error) {
	if d.peek() != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

// rawString returns the bytes of a string without escapes and with only
// ASCII in it (esc false), or the whole quoted string (esc true) for
// encoding/json to unquote; d.pos is after the closing quote.
func (d *Decoder) rawString() (b []byte, esc bool, err error) {
	if d.peek() != '"' {
		return nil, false, ErrFallback
	}
	start := d.pos
	d.pos++
	for i := d.pos; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '"':
			if esc {
				d.pos = i + 1
				return d.data[start:d.pos], true, nil
			}
			b = d.data[d.pos:i]
			d.pos = i + 1
			return b, false, nil
		case c == '\\':
			esc = true
			i++ // the escaped byte, whatever it is, does not end the string
		case c < 0x20:
			return nil, false, ErrFallback
		case c >= utf8.RuneSelf:
			esc = true
		}
	}
	return nil, false, ErrFallback
}

// str decodes a string value.
func (d *Decoder) str() (string, error) {
	b, esc, err := d.rawString()
	if err != nil {
		return "", err
	}
	if esc {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return "", ErrFallback
		}
		return d.internString(s), nil
	}
	return d.internBytes(b), nil
}

func (d *Decoder) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.intern != nil && len(b) <= internLen && len(d.intern) < internMax {
		d.intern[s] = s
	}
	return s
}

func (d *Decoder) internString(s string) string {
	if t, ok := d.intern[s]; ok {
		return t
	}
	if d.intern != nil && len(s) <= internLen && len(d.intern) < internMax {
		d.intern[s] = s
	}
	return s
}

// number returns a JSON number's literal, checked against JSON's grammar.
func (d *Decoder) number() ([]byte, error) {
	d.skipSpace()
	start, i, n := d.pos, d.pos, len(d.data)
	if i < n && d.data[i] == '-' {
		i++
	}
	switch {
	case i < n && d.data[i] == '0':
		i++
	case i < n && d.data[i] >= '1' && d.data[i] <= '9':
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	default:
		return nil, ErrFallback
	}
	if i < n && d.data[i] == '.' {
		i++
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			return nil, ErrFallback
		}
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			return nil, ErrFallback
		}
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return d.data[start:i], nil
}

// skip passes over any one value, checking its syntax.
func (d *Decoder) skip() error {
	switch c := d.peek(); c {
	case '{':
		d.pos++
		if d.peek() == '}' {
			d.pos++
			return nil
		}
		for {
			if _, _, err := d.rawString(); err != nil {
				return err
			}
			if d.peek() != ':' {
				return ErrFallback
			}
			d.pos++
			if err := d.skip(); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				return nil
			default:
				return ErrFallback
			}
		}
	case '[':
		d.pos++
		if d.peek() == ']' {
			d.pos++
			return nil
		}
		for {
			if err := d.skip(); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				return nil
			default:
				return ErrFallback
			}
		}
	case '"':
		b, esc, err := d.rawString()
		if err == nil && esc && !json.Valid(b) {
			return ErrFallback
		}
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		_, err := d.number()
		return err
	}
}

// Scalars. A null leaves the value as it is, as encoding/json does.

func decodeBool(d *Decoder, v reflect.Value) error {
	switch d.peek() {
	case 't':
		v.SetBool(true)
		return d.literal("true")
	case 'f':
		v.SetBool(false)
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return ErrFallback
}

func decodeString(d *Decoder, v reflect.Value) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	s, err := d.str()
	if err != nil {
		return err
	}
	v.SetString(s)
	return nil
}

func decodeInt(d *Decoder, v reflect.Value) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	b, err := d.number()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || v.OverflowInt(n) {
		return ErrFallback
	}
	v.SetInt(n)
	return nil
}

func decodeUint(d *Decoder, v reflect.Value) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	b, err := d.number()
	if err != nil {
		return err
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil || v.OverflowUint(n) {
		return ErrFallback
	}
	v.SetUint(n)
	return nil
}

func decodeFloat(d *Decoder, v reflect.Value) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	b, err := d.number()
	if err != nil {
		return err
	}
	f, err := strconv.ParseFloat(string(b), v.Type().Bits())
	if err != nil || v.OverflowFloat(f) {
		return ErrFallback
	}
	v.SetFloat(f)
	return nil
}

// decodeInterface decodes into an empty interface as encoding/json does:
// objects as map[string]any, arrays as []any, numbers as float64.
func decodeInterface(d *Decoder, v reflect.Value) error {
	x, err := d.anyValue()
	if err != nil {
		return err
	}
	if x == nil {
		v.SetZero()
		return nil
	}
	v.Set(reflect.ValueOf(x))
	return nil
}

func (d *Decoder) anyValue() (any, error) {
	switch c := d.peek(); c {
	case '{':
		d.pos++
		m := map[string]any{}
		if d.peek() == '}' {
			d.pos++
			return m, nil
		}
		for {
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			if _, dup := m[k]; dup {
				return nil, ErrFallback
			}
			if d.peek() != ':' {
				return nil, ErrFallback
			}
			d.pos++
			x, err := d.anyValue()
			if err != nil {
				return nil, err
			}
			m[k] = x
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				return m, nil
			default:
				return nil, ErrFallback
			}
		}
	case '[':
		d.pos++
		a := []any{}
		if d.peek() == ']' {
			d.pos++
			return a, nil
		}
		for {
			x, err := d.anyValue()
			if err != nil {
				return nil, err
			}
			a = append(a, x)
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				return a, nil
			default:
				return nil, ErrFallback
			}
		}
	case '"':
		return d.str()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		b, err := d.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return nil, ErrFallback
		}
		return f, nil
	}
}

// Composites.

func pointerDecoder(t reflect.Type, elem decodeFunc) decodeFunc {
	return func(d *Decoder, v reflect.Value) error {
		if isNull, err := d.null(); isNull || err != nil {
			if err == nil {
				v.SetZero()
			}
			return err
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return elem(d, v.Elem())
	}
}

func sliceDecoder(t reflect.Type, elem decodeFunc) decodeFunc {
	return func(d *Decoder, v reflect.Value) error {
		if isNull, err := d.null(); isNull || err != nil {
			if err == nil {
				v.SetZero()
			}
			return err
		}
		if d.peek() != '[' {
			return ErrFallback
		}
		d.pos++
		if !v.IsNil() && v.Len() > 0 {
			return ErrFallback // a repeated key: encoding/json reuses the array
		}
		if d.peek() == ']' {
			d.pos++
			v.Set(reflect.MakeSlice(t, 0, 0))
			return nil
		}
		// The elements are decoded into a scratch slice of this type that
		// the decoder keeps (a nested array of the same type gets its
		// own), then copied once into a slice of their exact length: no
		// growing, no spare capacity kept.
		s, put := d.scratchFor(t)
		defer put(&s)
		n := 0
		for {
			if n == s.Len() {
				s = reflect.AppendSlice(s, reflect.MakeSlice(t, max(n, 8), max(n, 8)))
			}
			e := s.Index(n)
			e.SetZero()
			if err := elem(d, e); err != nil {
				return err
			}
			n++
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				if d.Borrow[t] {
					v.Set(s.Slice3(0, n, n))
					return nil
				}
				out := reflect.MakeSlice(t, n, n)
				reflect.Copy(out, s.Slice(0, n))
				v.Set(out)
				return nil
			default:
				return ErrFallback
			}
		}
	}
}

// scratchFor lends the decoder's scratch slice of type t (length = its
// capacity); put gives it back.
func (d *Decoder) scratchFor(t reflect.Type) (reflect.Value, func(*reflect.Value)) {
	if d.scratch == nil {
		d.scratch = map[reflect.Type]reflect.Value{}
	}
	s, ok := d.scratch[t]
	if !ok {
		s = reflect.MakeSlice(t, 0, 0)
	}
	// Taken while lent: a nested array of the same type starts its own.
	d.scratch[t] = reflect.MakeSlice(t, 0, 0)
	return s, func(s *reflect.Value) {
		if s.Len() <= scratchMax {
			d.scratch[t] = *s
		}
	}
}

// scratchMax bounds the elements a scratch slice keeps between documents.
const scratchMax = 1 << 12

func mapDecoder(t reflect.Type, elem decodeFunc) decodeFunc {
	return func(d *Decoder, v reflect.Value) error {
		if isNull, err := d.null(); isNull || err != nil {
			if err == nil {
				v.SetZero()
			}
			return err
		}
		if d.peek() != '{' {
			return ErrFallback
		}
		d.pos++
		if !v.IsNil() {
			return ErrFallback // a repeated key: encoding/json merges
		}
		m := reflect.MakeMap(t)
		v.Set(m)
		if d.peek() == '}' {
			d.pos++
			return nil
		}
		ev := reflect.New(t.Elem()).Elem()
		for {
			k, err := d.str()
			if err != nil {
				return err
			}
			key := reflect.ValueOf(k).Convert(t.Key())
			if m.MapIndex(key).IsValid() {
				return ErrFallback // a repeated key
			}
			if d.peek() != ':' {
				return ErrFallback
			}
			d.pos++
			ev.SetZero()
			if err := elem(d, ev); err != nil {
				return err
			}
			m.SetMapIndex(key, ev)
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				return nil
			default:
				return ErrFallback
			}
		}
	}
}

type fieldPlan struct {
	name  string
	index int
	dec   decodeFunc
}

func structDecoder(t reflect.Type, b *builder) decodeFunc {
	var fields []fieldPlan
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fields = append(fields, fieldPlan{name: name, index: i})
	}
	byName := make(map[string]int, len(fields))
	for i := range fields {
		if _, dup := byName[fields[i].name]; dup {
			return nil // two fields of one name: encoding/json's rules, not here
		}
		byName[fields[i].name] = i
	}
	if len(fields) > 64 {
		return nil
	}
	// The decoders last: a field of the struct's own type finds the
	// cache entry already there.
	for i := range fields {
		fields[i].dec = b.get(t.Field(fields[i].index).Type)
	}
	decodeFields := fieldsDecoder(t, fields, byName)
	return func(d *Decoder, v reflect.Value) error {
		if d.Memo != nil && d.Memo[t] {
			return d.memoized(t, v, decodeFields)
		}
		return decodeFields(d, v)
	}
}

// fieldsDecoder decodes a struct's object, field by field.
func fieldsDecoder(t reflect.Type, fields []fieldPlan, byName map[string]int) decodeFunc {
	return func(d *Decoder, v reflect.Value) error {
		if isNull, err := d.null(); isNull || err != nil {
			return err
		}
		if d.peek() != '{' {
			return ErrFallback
		}
		d.pos++
		if d.peek() == '}' {
			d.pos++
			return nil
		}
		var seen uint64
		next := 0
		drop := d.Drop[t]
		for {
			key, esc, err := d.rawString()
			if err != nil || esc {
				return ErrFallback
			}
			if d.peek() != ':' {
				return ErrFallback
			}
			d.pos++
			// Fields mostly come in declaration order: try the next one
			// before the map.
			i := -1
			if next < len(fields) && fields[next].name == string(key) {
				i = next
			} else if j, ok := byName[string(key)]; ok {
				i = j
			}
			if i < 0 {
				for j := range fields {
					if strings.EqualFold(fields[j].name, string(key)) {
						return ErrFallback // encoding/json matches it case-insensitively
					}
				}
				if err := d.skip(); err != nil {
					return err
				}
			} else {
				if seen&(1<<i) != 0 {
					return ErrFallback
				}
				seen |= 1 << i
				next = i + 1
				if drop[fields[i].name] {
					err = d.skip()
				} else {
					err = fields[i].dec(d, v.Field(fields[i].index))
				}
				if err != nil {
					return err
				}
			}
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				return nil
			default:
				return ErrFallback
			}
		}
	}
}
