package pysem

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// names.txt.gz holds the names unicodedata.lookup accepts in each Python
// (character names and aliases, Unicode 14.0 in 3.11, 15.1 in 3.13, 16.0
// in 3.14), which \N{...} in a Python regex needs; gen_unicode.py --names
// writes it and describes its format.
//
//go:embed names.txt.gz
var namesGz []byte

var names struct {
	once   sync.Once
	names  []string           // sorted, upper case
	since  map[string]Version // names not known to every Python
	ascii  map[string]rune    // names of the characters that can match ASCII
	hangul map[string]bool    // syllable suffixes
	// algorithmic holds, per Python, the names computed from a code
	// point: a prefix and the code point's hex digits.
	algorithmic map[Version]map[string][]runeRange
}

func loadNames() {
	zr, err := gzip.NewReader(bytes.NewReader(namesGz))
	if err != nil {
		panic("pysem: names.txt.gz: " + err.Error())
	}
	names.ascii = map[string]rune{}
	names.hangul = map[string]bool{}
	names.since = map[string]Version{}
	names.algorithmic = map[Version]map[string][]runeRange{}
	var l, v, t []string
	prev := ""
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		switch c := line[0]; {
		case c == 'N' || (c >= 'D' && c <= 'K'):
			k := int(line[1]) - 32
			name := prev[:k] + line[2:]
			names.names = append(names.names, name)
			if c != 'N' {
				names.since[name] = Version(300 + int(c-'A') + 10)
			}
			prev = name
		case c == 'A':
			hex, name, _ := strings.Cut(line[2:], " ")
			r, _ := strconv.ParseInt(hex, 16, 32)
			names.ascii[name] = rune(r)
		case c == 'L':
			l = strings.Split(line[2:], ",")
		case c == 'V':
			v = strings.Split(line[2:], ",")
		case c == 'T':
			t = strings.Split(line[2:], ",")
		case c == 'C':
			f := strings.SplitN(line[1:], " ", 4)
			ver, _ := strconv.Atoi(f[0])
			lo, _ := strconv.ParseInt(f[1], 16, 32)
			hi, _ := strconv.ParseInt(f[2], 16, 32)
			v := Version(ver)
			if names.algorithmic[v] == nil {
				names.algorithmic[v] = map[string][]runeRange{}
			}
			names.algorithmic[v][f[3]] = append(names.algorithmic[v][f[3]], runeRange{rune(lo), rune(hi)})
		}
	}
	if err := sc.Err(); err != nil {
		panic("pysem: names.txt.gz: " + err.Error())
	}
	for _, a := range l {
		for _, b := range v {
			for _, c := range t {
				names.hangul[a+b+c] = true
			}
		}
	}
	sort.Strings(names.names)
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// lookupName is unicodedata.lookup(name) in Python v, for \N{name} in a
// regex: ok is false when Python raises (an unknown name, or a named
// sequence of several characters). The character is exact when it can
// match ASCII text, and U+FFFD (which matches no ASCII character)
// otherwise.
func (v Version) lookupName(name string) (r rune, ok bool) {
	names.once.Do(loadNames)
	if v >= Py314 {
		// 3.14 matches the algorithmic names without regard to case too.
		name = asciiUpper(name)
	}
	if s, found := strings.CutPrefix(name, "HANGUL SYLLABLE "); found {
		return 0xfffd, names.hangul[s]
	}
	for prefix, ranges := range names.algorithmic[v.namesVersion()] {
		s, found := strings.CutPrefix(name, prefix)
		if !found {
			continue
		}
		if len(s) != 4 && len(s) != 5 {
			return 0, false
		}
		var c rune
		for _, d := range s {
			switch {
			case d >= '0' && d <= '9':
				c = c*16 + d - '0'
			case d >= 'A' && d <= 'F':
				c = c*16 + d - 'A' + 10
			default:
				return 0, false
			}
		}
		return 0xfffd, inRanges(c, ranges)
	}
	u := asciiUpper(name)
	if c, found := names.ascii[u]; found {
		return c, true
	}
	i := sort.SearchStrings(names.names, u)
	if i == len(names.names) || names.names[i] != u {
		return 0, false
	}
	if since, found := names.since[u]; found && since > v {
		return 0, false
	}
	return 0xfffd, true
}

// namesVersion is the Python whose name table v uses.
func (v Version) namesVersion() Version {
	switch {
	case v >= Py314:
		return Py314
	case v >= Py313:
		return Py313
	}
	return Py311
}
