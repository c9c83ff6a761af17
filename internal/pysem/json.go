package pysem

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// JSONError is what json.loads raises.
type JSONError struct {
	// Exception is the Python exception class: JSONDecodeError, ValueError
	// or RecursionError.
	Exception string
	Message   string
}

func (e *JSONError) Error() string { return e.Message }

// LoadJSON is oslo_serialization.jsonutils.loads, that is Python v's
// json.loads with its defaults: NaN, Infinity and -Infinity are accepted,
// duplicate keys keep the last value, integers are unbounded (but for
// Python's 4300-digit conversion limit), any value may be at the top level,
// and only space, tab, CR and LF are white space. Errors carry Python's
// messages, positions counted in code points (from 3.13, a comma before
// a closing bracket has its own message). maxDepth is the container
// nesting at which Python's recursion limit stops the decoder, which
// depends on the stack of the caller (Nova's are pcispec's).
func (v Version) LoadJSON(s string, maxDepth int) (*Value, error) {
	d := &jsonDecoder{py: v, src: []rune(s), maxDepth: maxDepth}
	if len(d.src) > 0 && d.src[0] == '\ufeff' {
		return nil, d.errAt("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
	}
	idx := d.skipWS(0)
	x, end, err := d.scanOnce(idx, 0)
	if err != nil {
		return nil, err
	}
	end = d.skipWS(end)
	if end != len(d.src) {
		return nil, d.errAt("Extra data", end)
	}
	return x, nil
}

type jsonDecoder struct {
	py       Version
	src      []rune
	maxDepth int
}

// stopIteration is the scanner's "no value here", which raw_decode turns
// into "Expecting value" at pos.
type stopIteration struct{ pos int }

func (s *stopIteration) Error() string { return "StopIteration" }

func (d *jsonDecoder) errAt(msg string, pos int) *JSONError {
	line := 1
	lastNL := -1
	for i := 0; i < pos && i < len(d.src); i++ {
		if d.src[i] == '\n' {
			line++
			lastNL = i
		}
	}
	col := pos - lastNL
	return &JSONError{Exception: "JSONDecodeError", Message: fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, pos)}
}

func isJSONSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func (d *jsonDecoder) skipWS(i int) int {
	for i < len(d.src) && isJSONSpace(d.src[i]) {
		i++
	}
	return i
}

func (d *jsonDecoder) hasAt(i int, lit string) bool {
	for j, r := range []rune(lit) {
		if i+j >= len(d.src) || d.src[i+j] != r {
			return false
		}
	}
	return true
}

// scanOnce reads one value at idx; it returns the value and the index
// after it.
func (d *jsonDecoder) scanOnce(idx, depth int) (*Value, int, error) {
	v, end, err := d.scan(idx, depth)
	if si, ok := err.(*stopIteration); ok {
		return nil, 0, d.errAt("Expecting value", si.pos)
	}
	return v, end, err
}

func (d *jsonDecoder) scan(idx, depth int) (*Value, int, error) {
	if idx >= len(d.src) {
		return nil, 0, &stopIteration{idx}
	}
	switch d.src[idx] {
	case '"':
		s, end, err := d.scanString(idx + 1)
		if err != nil {
			return nil, 0, err
		}
		return NewStr(s), end, nil
	case '{':
		if depth >= d.maxDepth {
			return nil, 0, &JSONError{Exception: "RecursionError", Message: "maximum recursion depth exceeded while decoding a JSON object from a unicode string"}
		}
		return d.parseObject(idx+1, depth+1)
	case '[':
		if depth >= d.maxDepth {
			return nil, 0, &JSONError{Exception: "RecursionError", Message: "maximum recursion depth exceeded while decoding a JSON array from a unicode string"}
		}
		return d.parseArray(idx+1, depth+1)
	case 'n':
		if d.hasAt(idx, "null") {
			return &Value{Kind: KindNone}, idx + 4, nil
		}
	case 't':
		if d.hasAt(idx, "true") {
			return &Value{Kind: KindBool, Bool: true}, idx + 4, nil
		}
	case 'f':
		if d.hasAt(idx, "false") {
			return &Value{Kind: KindBool}, idx + 5, nil
		}
	case 'N':
		if d.hasAt(idx, "NaN") {
			return &Value{Kind: KindFloat, Float: math.NaN()}, idx + 3, nil
		}
	case 'I':
		if d.hasAt(idx, "Infinity") {
			return &Value{Kind: KindFloat, Float: math.Inf(1)}, idx + 8, nil
		}
	case '-':
		if d.hasAt(idx, "-Infinity") {
			return &Value{Kind: KindFloat, Float: math.Inf(-1)}, idx + 9, nil
		}
	}
	return d.matchNumber(idx)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func (d *jsonDecoder) matchNumber(start int) (*Value, int, error) {
	src := d.src
	endIdx := len(src) - 1
	idx := start
	if src[idx] == '-' {
		idx++
		if idx > endIdx {
			return nil, 0, &stopIteration{start}
		}
	}
	switch {
	case src[idx] >= '1' && src[idx] <= '9':
		idx++
		for idx <= endIdx && isDigit(src[idx]) {
			idx++
		}
	case src[idx] == '0':
		idx++
	default:
		return nil, 0, &stopIteration{start}
	}
	isFloat := false
	if idx < endIdx && src[idx] == '.' && isDigit(src[idx+1]) {
		isFloat = true
		idx += 2
		for idx <= endIdx && isDigit(src[idx]) {
			idx++
		}
	}
	if idx < endIdx && (src[idx] == 'e' || src[idx] == 'E') {
		eStart := idx
		idx++
		if idx < endIdx && (src[idx] == '-' || src[idx] == '+') {
			idx++
		}
		for idx <= endIdx && isDigit(src[idx]) {
			idx++
		}
		if isDigit(src[idx-1]) {
			isFloat = true
		} else {
			idx = eStart
		}
	}
	text := string(src[start:idx])
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			// Out of range: Python gives inf, or 0.0 on underflow, which
			// ParseFloat also returns with the error.
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return nil, 0, &JSONError{Exception: "ValueError", Message: "could not convert string to float: " + d.py.StrRepr(text)}
			}
		}
		return &Value{Kind: KindFloat, Float: f}, idx, nil
	}
	ndigits := len(strings.TrimPrefix(text, "-"))
	if ndigits > MaxStrDigits {
		return nil, 0, &JSONError{Exception: "ValueError", Message: digitsLimitError(ndigits)}
	}
	n, _ := new(big.Int).SetString(text, 10)
	return &Value{Kind: KindInt, Int: n}, idx, nil
}

func hexVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}

// scanString reads a string whose opening quote is at begin-1.
func (d *jsonDecoder) scanString(begin int) (string, int, error) {
	src := d.src
	n := len(src)
	var b strings.Builder
	end := begin
	for {
		next := end
		var c rune
		for ; next < n; next++ {
			c = src[next]
			if c == '"' || c == '\\' {
				break
			}
			if c <= 0x1f {
				return "", 0, d.errAt("Invalid control character at", next)
			}
		}
		if next >= n {
			return "", 0, d.errAt("Unterminated string starting at", begin-1)
		}
		b.WriteString(string(src[end:next]))
		next++
		if c == '"' {
			return b.String(), next, nil
		}
		if next == n {
			return "", 0, d.errAt("Unterminated string starting at", begin-1)
		}
		c = src[next]
		if c != 'u' {
			end = next + 1
			switch c {
			case '"', '\\', '/':
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default:
				return "", 0, d.errAt(`Invalid \escape`, end-2)
			}
			b.WriteRune(c)
			continue
		}
		next++
		end = next + 4
		if end >= n {
			return "", 0, d.errAt(`Invalid \uXXXX escape`, next-1)
		}
		c = 0
		for ; next < end; next++ {
			h := hexVal(src[next])
			if h < 0 {
				return "", 0, d.errAt(`Invalid \uXXXX escape`, end-5)
			}
			c = c<<4 | rune(h)
		}
		if c >= 0xd800 && c <= 0xdbff && end+6 < n && src[next] == '\\' && src[next+1] == 'u' {
			next += 2
			end += 6
			var c2 rune
			for ; next < end; next++ {
				h := hexVal(src[next])
				if h < 0 {
					return "", 0, d.errAt(`Invalid \uXXXX escape`, end-5)
				}
				c2 = c2<<4 | rune(h)
			}
			if c2 >= 0xdc00 && c2 <= 0xdfff {
				c = 0x10000 + (c-0xd800)<<10 + (c2 - 0xdc00)
			} else {
				end -= 6
			}
		}
		// A lone surrogate has no UTF-8 form: it becomes U+FFFD here, as
		// Go strings cannot hold it (Python keeps it).
		b.WriteRune(c)
	}
}

func (d *jsonDecoder) parseObject(idx, depth int) (*Value, int, error) {
	src := d.src
	endIdx := len(src) - 1
	obj := NewDict()
	idx = d.skipWS(idx)
	if idx > endIdx || src[idx] != '}' {
		for {
			if idx > endIdx || src[idx] != '"' {
				return nil, 0, d.errAt("Expecting property name enclosed in double quotes", idx)
			}
			key, next, err := d.scanString(idx + 1)
			if err != nil {
				return nil, 0, err
			}
			idx = d.skipWS(next)
			if idx > endIdx || src[idx] != ':' {
				return nil, 0, d.errAt("Expecting ':' delimiter", idx)
			}
			idx = d.skipWS(idx + 1)
			val, next, err := d.scan(idx, depth)
			if err != nil {
				return nil, 0, err
			}
			obj.setJSON(key, val)
			idx = d.skipWS(next)
			if idx <= endIdx && src[idx] == '}' {
				break
			}
			if idx > endIdx || src[idx] != ',' {
				return nil, 0, d.errAt("Expecting ',' delimiter", idx)
			}
			comma := idx
			idx = d.skipWS(idx + 1)
			if d.py >= Py313 && idx <= endIdx && src[idx] == '}' {
				return nil, 0, d.errAt("Illegal trailing comma before end of object", comma)
			}
		}
	}
	return obj, idx + 1, nil
}

func (d *jsonDecoder) parseArray(idx, depth int) (*Value, int, error) {
	src := d.src
	endIdx := len(src) - 1
	arr := &Value{Kind: KindList}
	idx = d.skipWS(idx)
	if idx > endIdx || src[idx] != ']' {
		for {
			val, next, err := d.scan(idx, depth)
			if err != nil {
				return nil, 0, err
			}
			arr.List = append(arr.List, val)
			idx = d.skipWS(next)
			if idx <= endIdx && src[idx] == ']' {
				break
			}
			if idx > endIdx || src[idx] != ',' {
				return nil, 0, d.errAt("Expecting ',' delimiter", idx)
			}
			comma := idx
			idx = d.skipWS(idx + 1)
			if d.py >= Py313 && idx <= endIdx && src[idx] == ']' {
				return nil, 0, d.errAt("Illegal trailing comma before end of array", comma)
			}
		}
	}
	return arr, idx + 1, nil
}
