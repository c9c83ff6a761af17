package pcispec

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

// pynames.txt.gz holds the names Python's unicodedata.lookup accepts (the
// Unicode 14.0.0 names and aliases of Python 3.11), which \N{...} in a
// Python regex needs; gen_pyunicode.py --names writes it and describes
// its format.
//
//go:embed pynames.txt.gz
var pyNamesGz []byte

var pyNames struct {
	once   sync.Once
	names  []string        // sorted, upper case
	ascii  map[string]rune // names of the characters that can match ASCII
	hangul map[string]bool // syllable suffixes
	cjk    []runeRange
}

func loadPyNames() {
	zr, err := gzip.NewReader(bytes.NewReader(pyNamesGz))
	if err != nil {
		panic("pcispec: pynames.txt.gz: " + err.Error())
	}
	pyNames.ascii = map[string]rune{}
	pyNames.hangul = map[string]bool{}
	var l, v, t []string
	prev := ""
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		switch line[0] {
		case 'N':
			k := int(line[1]) - 32
			name := prev[:k] + line[2:]
			pyNames.names = append(pyNames.names, name)
			prev = name
		case 'A':
			hex, name, _ := strings.Cut(line[2:], " ")
			c, _ := strconv.ParseInt(hex, 16, 32)
			pyNames.ascii[name] = rune(c)
		case 'L':
			l = strings.Split(line[2:], ",")
		case 'V':
			v = strings.Split(line[2:], ",")
		case 'T':
			t = strings.Split(line[2:], ",")
		case 'C':
			f := strings.Fields(line[2:])
			lo, _ := strconv.ParseInt(f[0], 16, 32)
			hi, _ := strconv.ParseInt(f[1], 16, 32)
			pyNames.cjk = append(pyNames.cjk, runeRange{rune(lo), rune(hi)})
		}
	}
	if err := sc.Err(); err != nil {
		panic("pcispec: pynames.txt.gz: " + err.Error())
	}
	for _, a := range l {
		for _, b := range v {
			for _, c := range t {
				pyNames.hangul[a+b+c] = true
			}
		}
	}
	sort.Strings(pyNames.names)
}

// pyUnicodeLookup is unicodedata.lookup(name) for \N{name} in a regex: ok
// is false when Python raises (an unknown name, or a named sequence of
// several characters). The character is exact when it can match ASCII
// text, and U+FFFD (which matches no ASCII character) otherwise.
func pyUnicodeLookup(name string) (r rune, ok bool) {
	pyNames.once.Do(loadPyNames)
	if s, found := strings.CutPrefix(name, "HANGUL SYLLABLE "); found {
		return 0xfffd, pyNames.hangul[s]
	}
	if s, found := strings.CutPrefix(name, "CJK UNIFIED IDEOGRAPH-"); found {
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
		return 0xfffd, inRanges(c, pyNames.cjk)
	}
	upper := []byte(name)
	for i, b := range upper {
		if b >= 'a' && b <= 'z' {
			upper[i] = b - 'a' + 'A'
		}
	}
	u := string(upper)
	if c, found := pyNames.ascii[u]; found {
		return c, true
	}
	i := sort.SearchStrings(pyNames.names, u)
	return 0xfffd, i < len(pyNames.names) && pyNames.names[i] == u
}
