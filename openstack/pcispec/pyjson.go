package pcispec

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Python's JSON scanner fails with RecursionError when containers nest
// deeper than the interpreter's recursion limit (1000) allows, less the
// frames already on the stack. These are the depths at which Nova Zed
// fails under the oracle (testdata/novaconf/oracle.py); nova-compute's
// own, deeper stack may fail a few levels earlier.
const (
	pyJSONMaxDepthDeviceSpec = 988
	pyJSONMaxDepthAlias      = 989
)

// pyJSONError is what json.loads raises.
type pyJSONError struct {
	// Exception is the Python exception class: JSONDecodeError, ValueError
	// or RecursionError.
	Exception string
	Message   string
}

func (e *pyJSONError) Error() string { return e.Message }

// pyJSONLoads is oslo_serialization.jsonutils.loads, that is Python's
// json.loads with its defaults: NaN, Infinity and -Infinity are accepted,
// duplicate keys keep the last value, integers are unbounded (but for
// Python's 4300-digit conversion limit), any value may be at the top level,
// and only space, tab, CR and LF are white space. Errors carry Python's
// messages, positions counted in code points.
func pyJSONLoads(s string, maxDepth int) (*pyValue, error) {
	d := &pyJSONDecoder{src: []rune(s), maxDepth: maxDepth}
	if len(d.src) > 0 && d.src[0] == '\ufeff' {
		return nil, d.errAt("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
	}
	idx := d.skipWS(0)
	v, end, err := d.scanOnce(idx, 0)
	if err != nil {
		return nil, err
	}
	end = d.skipWS(end)
	if end != len(d.src) {
		return nil, d.errAt("Extra data", end)
	}
	return v, nil
}

type pyJSONDecoder struct {
	src      []rune
	maxDepth int
}

// stopIteration is the scanner's "no value here", which raw_decode turns
// into "Expecting value" at pos.
type stopIteration struct{ pos int }

func (s *stopIteration) Error() string { return "StopIteration" }

func (d *pyJSONDecoder) errAt(msg string, pos int) *pyJSONError {
	line := 1
	lastNL := -1
	for i := 0; i < pos && i < len(d.src); i++ {
		if d.src[i] == '\n' {
			line++
			lastNL = i
		}
	}
	col := pos - lastNL
	return &pyJSONError{Exception: "JSONDecodeError", Message: fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, pos)}
}

func isJSONSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func (d *pyJSONDecoder) skipWS(i int) int {
	for i < len(d.src) && isJSONSpace(d.src[i]) {
		i++
	}
	return i
}

func (d *pyJSONDecoder) hasAt(i int, lit string) bool {
	for j, r := range []rune(lit) {
		if i+j >= len(d.src) || d.src[i+j] != r {
			return false
		}
	}
	return true
}

// scanOnce reads one value at idx; it returns the value and the index
// after it.
func (d *pyJSONDecoder) scanOnce(idx, depth int) (*pyValue, int, error) {
	v, end, err := d.scan(idx, depth)
	if si, ok := err.(*stopIteration); ok {
		return nil, 0, d.errAt("Expecting value", si.pos)
	}
	return v, end, err
}

func (d *pyJSONDecoder) scan(idx, depth int) (*pyValue, int, error) {
	if idx >= len(d.src) {
		return nil, 0, &stopIteration{idx}
	}
	switch d.src[idx] {
	case '"':
		s, end, err := d.scanString(idx + 1)
		if err != nil {
			return nil, 0, err
		}
		return pyStrValue(s), end, nil
	case '{':
		if depth >= d.maxDepth {
			return nil, 0, &pyJSONError{Exception: "RecursionError", Message: "maximum recursion depth exceeded while decoding a JSON object from a unicode string"}
		}
		return d.parseObject(idx+1, depth+1)
	case '[':
		if depth >= d.maxDepth {
			return nil, 0, &pyJSONError{Exception: "RecursionError", Message: "maximum recursion depth exceeded while decoding a JSON array from a unicode string"}
		}
		return d.parseArray(idx+1, depth+1)
	case 'n':
		if d.hasAt(idx, "null") {
			return &pyValue{kind: pyNone}, idx + 4, nil
		}
	case 't':
		if d.hasAt(idx, "true") {
			return &pyValue{kind: pyBool, b: true}, idx + 4, nil
		}
	case 'f':
		if d.hasAt(idx, "false") {
			return &pyValue{kind: pyBool}, idx + 5, nil
		}
	case 'N':
		if d.hasAt(idx, "NaN") {
			return &pyValue{kind: pyFloat, f: math.NaN()}, idx + 3, nil
		}
	case 'I':
		if d.hasAt(idx, "Infinity") {
			return &pyValue{kind: pyFloat, f: math.Inf(1)}, idx + 8, nil
		}
	case '-':
		if d.hasAt(idx, "-Infinity") {
			return &pyValue{kind: pyFloat, f: math.Inf(-1)}, idx + 9, nil
		}
	}
	return d.matchNumber(idx)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func (d *pyJSONDecoder) matchNumber(start int) (*pyValue, int, error) {
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
				return nil, 0, &pyJSONError{Exception: "ValueError", Message: "could not convert string to float: " + clipQuoted(pyStrRepr(text))}
			}
		}
		return &pyValue{kind: pyFloat, f: f}, idx, nil
	}
	ndigits := len(strings.TrimPrefix(text, "-"))
	if ndigits > pyMaxStrDigits {
		return nil, 0, &pyJSONError{Exception: "ValueError", Message: pyDigitsLimitError(ndigits)}
	}
	n, _ := new(big.Int).SetString(text, 10)
	return &pyValue{kind: pyInt, i: n}, idx, nil
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
func (d *pyJSONDecoder) scanString(begin int) (string, int, error) {
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

func (d *pyJSONDecoder) parseObject(idx, depth int) (*pyValue, int, error) {
	src := d.src
	endIdx := len(src) - 1
	obj := newPyDict()
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
			obj.set(key, val)
			idx = d.skipWS(next)
			if idx <= endIdx && src[idx] == '}' {
				break
			}
			if idx > endIdx || src[idx] != ',' {
				return nil, 0, d.errAt("Expecting ',' delimiter", idx)
			}
			idx = d.skipWS(idx + 1)
		}
	}
	return obj, idx + 1, nil
}

func (d *pyJSONDecoder) parseArray(idx, depth int) (*pyValue, int, error) {
	src := d.src
	endIdx := len(src) - 1
	arr := &pyValue{kind: pyList}
	idx = d.skipWS(idx)
	if idx > endIdx || src[idx] != ']' {
		for {
			val, next, err := d.scan(idx, depth)
			if err != nil {
				return nil, 0, err
			}
			arr.list = append(arr.list, val)
			idx = d.skipWS(next)
			if idx <= endIdx && src[idx] == ']' {
				break
			}
			if idx > endIdx || src[idx] != ',' {
				return nil, 0, d.errAt("Expecting ',' delimiter", idx)
			}
			idx = d.skipWS(idx + 1)
		}
	}
	return arr, idx + 1, nil
}
