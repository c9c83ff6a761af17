package pysem

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// This file decides whether Python's re.compile accepts a pattern (Python
// 3.11, the Python of Debian bookworm's Nova), and translates the patterns
// it can into Go regexps that give re.match's answer on PCI address fields.
//
// The parser follows the grammar of Python's sre parser: escapes (\d \s \w
// \b \A \Z, \xhh, \uhhhh, \Uhhhhhhhh, \N{name}, octal, group references),
// character sets, the quantifiers * + ? {m,n} with their lazy (?) and
// possessive (+) forms, groups ((...), (?:...), (?P<name>...), (?P=name),
// (?#...), lookarounds, (?(id)yes|no), atomic (?>...)), inline flags at the
// start and scoped flags, and verbose mode. What Python rejects, it
// rejects; what Python accepts, it accepts (\N{name} is checked against
// Python's table of Unicode names, pynames.txt.gz).

const (
	pyMaxRepeat = 4294967295 // _sre.MAXREPEAT on 64-bit builds
	pyMaxGroups = 1073741823 // _sre.MAXGROUPS on 64-bit builds
	// pyReMaxDepth is the parser nesting (two levels per group) at which
	// Python's recursive parser exceeds the recursion limit under the
	// oracle: 489 nested groups fail.
	pyReMaxDepth = 977
)

// ReError is an exception re.compile raises.
type ReError struct {
	// Exception is "re.error", or OverflowError, ValueError, RuntimeError
	// or RecursionError, which Nova does not catch.
	Exception string
	Message   string
}

func (e *ReError) Error() string { return e.Message }

// Python's re flags.
const (
	reI = 1 << iota // IGNORECASE
	reL             // LOCALE
	reM             // MULTILINE
	reS             // DOTALL
	reU             // UNICODE
	reX             // VERBOSE
	reA             // ASCII
	reT             // TEMPLATE
)

// flagOf is the flag of an inline flag letter, 0 for none: 't'
// (TEMPLATE) is one up to Python 3.12.
func (v Version) flagOf(c rune) int {
	switch c {
	case 'i':
		return reI
	case 'L':
		return reL
	case 'm':
		return reM
	case 's':
		return reS
	case 'x':
		return reX
	case 'a':
		return reA
	case 'u':
		return reU
	case 't':
		if v < Py313 {
			return reT
		}
	}
	return 0
}

const reTypeFlags = reA | reL | reU

// globalFlags are the flags that cannot be scoped: TEMPLATE up to 3.12,
// and DEBUG, which has no letter.
func (v Version) globalFlags() int {
	if v < Py313 {
		return reT
	}
	return 0
}

// reOp is an sre opcode of the parsed pattern.
type reOp int

const (
	opLiteral reOp = iota
	opNotLiteral
	opAny
	opIn
	opAt
	opBranch
	opSubpattern
	opRepeat
	opGroupRef
	opGroupRefExists
	opAssert
	opAtomic
)

// Anchors (opAt).
const (
	atBeginning = iota
	atBeginningString
	atBoundary
	atNonBoundary
	atEnd
	atEndString
)

// Categories inside sets.
const (
	catDigit = iota
	catNotDigit
	catSpace
	catNotSpace
	catWord
	catNotWord
)

type reSetItem struct {
	kind   int // 0 literal, 1 range, 2 category
	lo, hi rune
	cat    int
}

type reNode struct {
	op     reOp
	c      rune // literal
	at     int
	set    []reSetItem
	negate bool
	// group: opSubpattern's group number (0 = non-capturing); opGroupRef and
	// opGroupRefExists's group.
	group         int
	addF, delF    int
	min, max      int64
	lazy, possess bool
	dir           int // opAssert: 1 ahead, -1 behind
	behind        int // opAssert behind: the width it looks back
	neg           bool
	sub           []*reNode   // opSubpattern, opRepeat, opAssert, opAtomic, yes branch
	no            []*reNode   // opGroupRefExists
	alts          [][]*reNode // opBranch
}

type reState struct {
	v          Version
	flags      int
	groupdict  map[string]int
	widths     []*width // per group; nil while open
	lookbehind int      // -1 when not inside a lookbehind, else groups at its start
	// refpos lists the groups conditionals name by number, each with the
	// position of its first reference, in order.
	refpos [][2]int
}

func (st *reState) groups() int { return len(st.widths) }

func (st *reState) checkgroup(g int) bool { return g < st.groups() && st.widths[g] != nil }

// reAbort carries an error raised while the tokenizer advances.
type reAbort struct{ err *ReError }

type reTokenizer struct {
	src   []rune
	index int
	next  string // "" is end of pattern
	err   *ReError
}

// reErr is re.error(msg, pattern, pos): the position, and the line and
// column when the pattern has a newline.
func reErr(msg string, src []rune, pos int) *ReError {
	msg = fmt.Sprintf("%s at position %d", msg, pos)
	if slices.Contains(src, '\n') {
		line, last := 1, -1
		for i := 0; i < pos && i < len(src); i++ {
			if src[i] == '\n' {
				line++
				last = i
			}
		}
		msg = fmt.Sprintf("%s (line %d, column %d)", msg, line, pos-last)
	}
	return &ReError{Exception: "re.error", Message: msg}
}

func newReTokenizer(s string) *reTokenizer {
	t := &reTokenizer{src: []rune(s)}
	t.advance()
	return t
}

func (t *reTokenizer) advance() {
	i := t.index
	if i >= len(t.src) {
		t.next = ""
		return
	}
	c := string(t.src[i])
	if t.src[i] == '\\' {
		i++
		if i >= len(t.src) {
			// Python raises as soon as the tokenizer reaches it.
			panic(reAbort{reErr("bad escape (end of pattern)", t.src, len(t.src)-1)})
		}
		c += string(t.src[i])
	}
	t.index = i + 1
	t.next = c
}

func (t *reTokenizer) match(c string) bool {
	if t.next != "" && c == t.next {
		t.advance()
		return true
	}
	return false
}

func (t *reTokenizer) get() string {
	c := t.next
	t.advance()
	return c
}

func (t *reTokenizer) tell() int { return t.index - len([]rune(t.next)) }

func (t *reTokenizer) seek(i int) { t.index = i; t.advance() }

func (t *reTokenizer) error(msg string, offset int) *ReError {
	return reErr(msg, t.src, t.tell()-offset)
}

func (t *reTokenizer) getwhile(n int, set string) string {
	var b strings.Builder
	for range n {
		c := t.next
		if c == "" || len([]rune(c)) != 1 || !strings.Contains(set, c) {
			break
		}
		b.WriteString(c)
		t.advance()
	}
	return b.String()
}

func (t *reTokenizer) getuntil(term, name string) (string, *ReError) {
	var b strings.Builder
	n := 0
	for {
		c := t.next
		t.advance()
		if c == "" {
			if n == 0 {
				return "", t.error("missing "+name, 0)
			}
			return "", t.error(fmt.Sprintf("missing %s, unterminated name", term), n)
		}
		if c == term {
			if n == 0 {
				return "", t.error("missing "+name, 1)
			}
			return b.String(), nil
		}
		b.WriteString(c)
		n += len([]rune(c))
	}
}

const (
	reDigits    = "0123456789"
	reOctDigits = "01234567"
	reHexDigits = "0123456789abcdefABCDEF"
)

// asciiDigits is str.isdecimal() and str.isascii().
func asciiDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// pyReParse parses a pattern as re.compile(pattern) does and returns the
// parsed pattern with its global flags, or the exception Python raises.
func (v Version) parse(pattern string) (nodes []*reNode, state *reState, rerr *ReError) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(reAbort)
			if !ok {
				panic(r)
			}
			nodes, state, rerr = nil, nil, a.err
		}
	}()
	t := newReTokenizer(pattern)
	st := &reState{v: v, groupdict: map[string]int{}, widths: []*width{nil}, lookbehind: -1}
	p, err := parseSub(t, st, false, 0)
	if err == nil {
		err = t.err
	}
	if err != nil {
		return nil, nil, err
	}
	if st.flags&reA != 0 && st.flags&reU != 0 {
		return nil, nil, &ReError{Exception: "ValueError", Message: "ASCII and UNICODE flags are incompatible"}
	}
	if t.next != "" {
		return nil, nil, t.error("unbalanced parenthesis", 0)
	}
	for _, r := range st.refpos {
		if r[0] >= st.groups() {
			return nil, nil, reErr(fmt.Sprintf("invalid group reference %d", r[0]), t.src, r[1])
		}
	}
	// The compiler's checks: look-behinds need a fixed width that fits,
	// and the (deprecated) TEMPLATE flag forbids repeats.
	if err := checkCompile(p, st); err != nil {
		return nil, nil, err
	}
	return p, st, nil
}

func parseSub(t *reTokenizer, st *reState, verbose bool, nested int) ([]*reNode, *ReError) {
	if nested > pyReMaxDepth {
		return nil, &ReError{Exception: "RecursionError", Message: "maximum recursion depth exceeded"}
	}
	var items [][]*reNode
	for {
		item, err := parseSeq(t, st, verbose, nested+1, nested == 0 && len(items) == 0)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		if !t.match("|") {
			break
		}
		if nested == 0 {
			verbose = st.flags&reX != 0
		}
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return []*reNode{{op: opBranch, alts: items}}, nil
}

func parseSeq(t *reTokenizer, st *reState, verbose bool, nested int, first bool) ([]*reNode, *ReError) {
	var seq []*reNode
	for {
		if t.err != nil {
			return nil, t.err
		}
		this := t.next
		if this == "" || this == "|" || this == ")" {
			break
		}
		t.get()
		if t.err != nil {
			return nil, t.err
		}
		if verbose {
			if len([]rune(this)) == 1 && strings.Contains(" \t\n\r\v\f", this) {
				continue
			}
			if this == "#" {
				for {
					c := t.get()
					if c == "" || c == "\n" {
						break
					}
				}
				continue
			}
		}
		r := []rune(this)
		switch {
		case r[0] == '\\':
			n, err := reEscape(t, this, st)
			if err != nil {
				return nil, err
			}
			seq = append(seq, n)
		case !strings.ContainsRune(".\\[{()*+?^$|", r[0]):
			seq = append(seq, &reNode{op: opLiteral, c: r[0]})
		case this == "[":
			n, err := parseSet(t, st)
			if err != nil {
				return nil, err
			}
			seq = append(seq, n)
		case strings.ContainsRune("*+?{", r[0]):
			here := t.tell()
			var lo, hi int64
			switch this {
			case "?":
				lo, hi = 0, 1
			case "*":
				lo, hi = 0, pyMaxRepeat
			case "+":
				lo, hi = 1, pyMaxRepeat
			case "{":
				if t.next == "}" {
					seq = append(seq, &reNode{op: opLiteral, c: '{'})
					continue
				}
				lo, hi = 0, pyMaxRepeat
				los := t.getwhile(1<<30, reDigits)
				his := ""
				if t.match(",") {
					his = t.getwhile(1<<30, reDigits)
				} else {
					his = los
				}
				if !t.match("}") {
					seq = append(seq, &reNode{op: opLiteral, c: '{'})
					t.seek(here)
					continue
				}
				if los != "" {
					v, ok := repeatCount(los)
					if !ok {
						return nil, &ReError{Exception: "OverflowError", Message: "the repetition number is too large"}
					}
					lo = v
				}
				if his != "" {
					v, ok := repeatCount(his)
					if !ok {
						return nil, &ReError{Exception: "OverflowError", Message: "the repetition number is too large"}
					}
					hi = v
					if hi < lo {
						return nil, t.error("min repeat greater than max repeat", t.tell()-here)
					}
				}
			}
			if len(seq) == 0 || seq[len(seq)-1].op == opAt {
				return nil, t.error("nothing to repeat", t.tell()-here+len(r))
			}
			last := seq[len(seq)-1]
			if last.op == opRepeat {
				return nil, t.error("multiple repeat", t.tell()-here+len(r))
			}
			item := []*reNode{last}
			if last.op == opSubpattern && last.group == 0 && last.addF == 0 && last.delF == 0 {
				item = last.sub
			}
			n := &reNode{op: opRepeat, min: lo, max: hi, sub: item}
			if t.match("?") {
				n.lazy = true
			} else if t.match("+") {
				n.possess = true
			}
			seq[len(seq)-1] = n
		case this == ".":
			seq = append(seq, &reNode{op: opAny})
		case this == "(":
			n, skip, err := parseGroup(t, st, verbose, nested, first, len(seq) > 0)
			if err != nil {
				return nil, err
			}
			if skip == 2 { // global flags
				verbose = st.flags&reX != 0
				continue
			}
			if n != nil {
				seq = append(seq, n)
			}
		case this == "^":
			seq = append(seq, &reNode{op: opAt, at: atBeginning})
		case this == "$":
			seq = append(seq, &reNode{op: opAt, at: atEnd})
		}
	}
	// Unpack plain non-capturing groups, as Python does.
	var out []*reNode
	for _, n := range seq {
		if n.op == opSubpattern && n.group == 0 && n.addF == 0 && n.delF == 0 {
			out = append(out, n.sub...)
		} else {
			out = append(out, n)
		}
	}
	return out, nil
}

// repeatCount is int() of a {m,n} count, and whether it is below MAXREPEAT.
func repeatCount(s string) (int64, bool) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Cmp(big.NewInt(pyMaxRepeat)) >= 0 {
		return 0, false
	}
	return v.Int64(), true
}

// parseGroup parses what follows "(". skip is 1 for a comment, 2 for
// global flags.
func parseGroup(t *reTokenizer, st *reState, verbose bool, nested int, first, nonEmpty bool) (*reNode, int, *ReError) {
	start := t.tell() - 1
	capture := true
	atomic := false
	name := ""
	hasName := false
	addF, delF := 0, 0
	if t.match("?") {
		char := t.get()
		if t.err != nil {
			return nil, 0, t.err
		}
		switch {
		case char == "":
			return nil, 0, t.error("unexpected end of pattern", 0)
		case char == "P":
			switch {
			case t.match("<"):
				n, err := t.getuntil(">", "group name")
				if err != nil {
					return nil, 0, err
				}
				if !st.v.IsIdentifier(n) {
					return nil, 0, t.error(fmt.Sprintf("bad character in group name %s", st.v.StrRepr(n)), len([]rune(n))+1)
				}
				name, hasName = n, true
			case t.match("="):
				n, err := t.getuntil(")", "group name")
				if err != nil {
					return nil, 0, err
				}
				if !st.v.IsIdentifier(n) {
					return nil, 0, t.error(fmt.Sprintf("bad character in group name %s", st.v.StrRepr(n)), len([]rune(n))+1)
				}
				gid, ok := st.groupdict[n]
				if !ok {
					return nil, 0, t.error(fmt.Sprintf("unknown group name %s", st.v.StrRepr(n)), len([]rune(n))+1)
				}
				if !st.checkgroup(gid) {
					return nil, 0, t.error("cannot refer to an open group", len([]rune(n))+1)
				}
				if err := checkLookbehindGroup(t, st, gid); err != nil {
					return nil, 0, err
				}
				return &reNode{op: opGroupRef, group: gid}, 0, nil
			default:
				c := t.get()
				if t.err != nil {
					return nil, 0, t.err
				}
				if c == "" {
					return nil, 0, t.error("unexpected end of pattern", 0)
				}
				return nil, 0, t.error("unknown extension ?P"+c, len([]rune(c))+2)
			}
		case char == ":":
			capture = false
		case char == "#":
			for {
				if t.next == "" {
					return nil, 0, t.error("missing ), unterminated comment", t.tell()-start)
				}
				if t.get() == ")" {
					break
				}
				if t.err != nil {
					return nil, 0, t.err
				}
			}
			return nil, 1, nil
		case char == "=" || char == "!" || char == "<":
			dir := 1
			c := char
			saved := st.lookbehind
			if char == "<" {
				c = t.get()
				if t.err != nil {
					return nil, 0, t.err
				}
				if c == "" {
					return nil, 0, t.error("unexpected end of pattern", 0)
				}
				if c != "=" && c != "!" {
					return nil, 0, t.error("unknown extension ?<"+c, len([]rune(c))+2)
				}
				dir = -1
				if st.lookbehind < 0 {
					st.lookbehind = st.groups()
				}
			}
			p, err := parseSub(t, st, verbose, nested+1)
			if err != nil {
				return nil, 0, err
			}
			if dir < 0 && saved < 0 {
				st.lookbehind = -1
			}
			if !t.match(")") {
				return nil, 0, t.error("missing ), unterminated subpattern", t.tell()-start)
			}
			return &reNode{op: opAssert, dir: dir, neg: c == "!", sub: p}, 0, nil
		case char == "(":
			condname, err := t.getuntil(")", "group name")
			if err != nil {
				return nil, 0, err
			}
			var cond int
			n := len([]rune(condname))
			badName := t.error(fmt.Sprintf("bad character in group name %s", st.v.StrRepr(condname)), n+1)
			if st.v >= Py313 && !asciiDigits(condname) || st.v < Py313 && st.v.IsIdentifier(condname) {
				// 3.13 takes anything but ASCII digits for a name.
				if !st.v.IsIdentifier(condname) {
					return nil, 0, badName
				}
				gid, ok := st.groupdict[condname]
				if !ok {
					return nil, 0, t.error(fmt.Sprintf("unknown group name %s", st.v.StrRepr(condname)), n+1)
				}
				cond = gid
			} else {
				// 3.11 reads a number with int(): a sign, white space,
				// underscores and any Unicode digit pass.
				r := st.v.ParseInt(condname, 10)
				if r.Value == nil || r.Value.Sign() < 0 {
					return nil, 0, badName
				}
				if r.Value.Sign() == 0 {
					return nil, 0, t.error("bad group number", n+1)
				}
				if r.Value.Cmp(big.NewInt(pyMaxGroups)) >= 0 {
					return nil, 0, t.error("invalid group reference "+r.Value.String(), n+1)
				}
				cond = int(r.Value.Int64())
				if !slices.ContainsFunc(st.refpos, func(r [2]int) bool { return r[0] == cond }) {
					st.refpos = append(st.refpos, [2]int{cond, t.tell() - n - 1})
				}
			}
			if err := checkLookbehindGroup(t, st, cond); err != nil {
				return nil, 0, err
			}
			yes, err := parseSeq(t, st, verbose, nested+1, false)
			if err != nil {
				return nil, 0, err
			}
			var no []*reNode
			if t.match("|") {
				no, err = parseSeq(t, st, verbose, nested+1, false)
				if err != nil {
					return nil, 0, err
				}
				if no == nil {
					no = []*reNode{}
				}
				if t.next == "|" {
					return nil, 0, t.error("conditional backref with more than two branches", 0)
				}
			}
			if !t.match(")") {
				return nil, 0, t.error("missing ), unterminated subpattern", t.tell()-start)
			}
			return &reNode{op: opGroupRefExists, group: cond, sub: yes, no: no}, 0, nil
		case char == ">":
			capture = false
			atomic = true
		case char == "-" || len([]rune(char)) == 1 && st.v.flagOf([]rune(char)[0]) != 0:
			a, d, global, err := parseFlags(t, st, char)
			if err != nil {
				return nil, 0, err
			}
			if global {
				if !first || nonEmpty {
					return nil, 0, t.error("global flags not at the start of the expression", t.tell()-start)
				}
				return nil, 2, nil
			}
			addF, delF = a, d
			capture = false
		default:
			return nil, 0, t.error("unknown extension ?"+char, len([]rune(char))+1)
		}
	}
	group := 0
	if capture {
		gid := st.groups()
		st.widths = append(st.widths, nil)
		if st.groups() > pyMaxGroups {
			return nil, 0, t.error("too many groups", 0)
		}
		if hasName {
			if og, ok := st.groupdict[name]; ok {
				return nil, 0, t.error(fmt.Sprintf("redefinition of group name %s as group %d; was group %d", st.v.StrRepr(name), gid, og), len([]rune(name))+1)
			}
			st.groupdict[name] = gid
		}
		group = gid
	}
	subVerbose := (verbose || addF&reX != 0) && delF&reX == 0
	p, err := parseSub(t, st, subVerbose, nested+1)
	if err != nil {
		return nil, 0, err
	}
	if !t.match(")") {
		return nil, 0, t.error("missing ), unterminated subpattern", t.tell()-start)
	}
	if group != 0 {
		w := st.seqWidth(p)
		st.widths[group] = &w
	}
	if atomic {
		return &reNode{op: opAtomic, sub: p}, 0, nil
	}
	return &reNode{op: opSubpattern, group: group, addF: addF, delF: delF, sub: p}, 0, nil
}

func checkLookbehindGroup(t *reTokenizer, st *reState, gid int) *ReError {
	if st.lookbehind >= 0 {
		if !st.checkgroup(gid) {
			return t.error("cannot refer to an open group", 0)
		}
		if gid >= st.lookbehind {
			return t.error("cannot refer to group defined in the same lookbehind subpattern", 0)
		}
	}
	return nil
}

func parseFlags(t *reTokenizer, st *reState, char string) (add, del int, global bool, err *ReError) {
	isAlpha := func(s string) bool {
		r := []rune(s)
		return len(r) == 1 && st.v.isAlpha(r[0])
	}
	flagOf := func(s string) int {
		r := []rune(s)
		if len(r) != 1 {
			return 0
		}
		return st.v.flagOf(r[0])
	}
	if char != "-" {
		for {
			flag := flagOf(char)
			if char == "L" {
				return 0, 0, false, t.error("bad inline flags: cannot use 'L' flag with a str pattern", 0)
			}
			add |= flag
			if flag&reTypeFlags != 0 && add&reTypeFlags != flag {
				return 0, 0, false, t.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible", 0)
			}
			char = t.get()
			if t.err != nil {
				return 0, 0, false, t.err
			}
			if char == "" {
				return 0, 0, false, t.error("missing -, : or )", 0)
			}
			if char == ")" || char == "-" || char == ":" {
				break
			}
			if flagOf(char) == 0 {
				msg := "missing -, : or )"
				if isAlpha(char) {
					msg = "unknown flag"
				}
				return 0, 0, false, t.error(msg, len([]rune(char)))
			}
		}
	}
	if char == ")" {
		st.flags |= add
		return 0, 0, true, nil
	}
	if add&st.v.globalFlags() != 0 {
		return 0, 0, false, t.error("bad inline flags: cannot turn on global flag", 1)
	}
	if char == "-" {
		char = t.get()
		if t.err != nil {
			return 0, 0, false, t.err
		}
		if char == "" {
			return 0, 0, false, t.error("missing flag", 0)
		}
		if flagOf(char) == 0 {
			msg := "missing flag"
			if isAlpha(char) {
				msg = "unknown flag"
			}
			return 0, 0, false, t.error(msg, len([]rune(char)))
		}
		for {
			flag := flagOf(char)
			if flag&reTypeFlags != 0 {
				return 0, 0, false, t.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", 0)
			}
			del |= flag
			char = t.get()
			if t.err != nil {
				return 0, 0, false, t.err
			}
			if char == "" {
				return 0, 0, false, t.error("missing :", 0)
			}
			if char == ":" {
				break
			}
			if flagOf(char) == 0 {
				msg := "missing :"
				if isAlpha(char) {
					msg = "unknown flag"
				}
				return 0, 0, false, t.error(msg, len([]rune(char)))
			}
		}
	}
	if del&st.v.globalFlags() != 0 {
		return 0, 0, false, t.error("bad inline flags: cannot turn off global flag", 1)
	}
	if add&del != 0 {
		return 0, 0, false, t.error("bad inline flags: flag turned on and off", 1)
	}
	return add, del, false, nil
}

func parseSet(t *reTokenizer, st *reState) (*reNode, *ReError) {
	here := t.tell() - 1
	var set []reSetItem
	negate := t.match("^")
	for {
		this := t.get()
		if t.err != nil {
			return nil, t.err
		}
		if this == "" {
			return nil, t.error("unterminated character set", t.tell()-here)
		}
		if this == "]" && len(set) > 0 {
			break
		}
		var code1 reSetItem
		isCat1 := false
		if []rune(this)[0] == '\\' {
			it, cat, err := reClassEscape(t, this, st)
			if err != nil {
				return nil, err
			}
			code1, isCat1 = it, cat
		} else {
			code1 = reSetItem{kind: 0, lo: []rune(this)[0]}
		}
		if t.match("-") {
			that := t.get()
			if t.err != nil {
				return nil, t.err
			}
			if that == "" {
				return nil, t.error("unterminated character set", t.tell()-here)
			}
			if that == "]" {
				set = append(set, code1, reSetItem{kind: 0, lo: '-'})
				break
			}
			var code2 reSetItem
			isCat2 := false
			if []rune(that)[0] == '\\' {
				it, cat, err := reClassEscape(t, that, st)
				if err != nil {
					return nil, err
				}
				code2, isCat2 = it, cat
			} else {
				code2 = reSetItem{kind: 0, lo: []rune(that)[0]}
			}
			msg := fmt.Sprintf("bad character range %s-%s", this, that)
			off := len([]rune(this)) + 1 + len([]rune(that))
			if isCat1 || isCat2 {
				return nil, t.error(msg, off)
			}
			if code2.lo < code1.lo {
				return nil, t.error(msg, off)
			}
			set = append(set, reSetItem{kind: 1, lo: code1.lo, hi: code2.lo})
		} else {
			set = append(set, code1)
		}
		if len(set) == 0 {
			// An item was added above; this cannot happen.
			break
		}
	}
	return &reNode{op: opIn, set: set, negate: negate}, nil
}

// reClassEscape is an escape inside a set; cat reports a category.
func reClassEscape(t *reTokenizer, esc string, st *reState) (reSetItem, bool, *ReError) {
	if c, ok := reSimpleEscape(esc); ok {
		return reSetItem{kind: 0, lo: c}, false, nil
	}
	switch esc {
	case `\d`:
		return reSetItem{kind: 2, cat: catDigit}, true, nil
	case `\D`:
		return reSetItem{kind: 2, cat: catNotDigit}, true, nil
	case `\s`:
		return reSetItem{kind: 2, cat: catSpace}, true, nil
	case `\S`:
		return reSetItem{kind: 2, cat: catNotSpace}, true, nil
	case `\w`:
		return reSetItem{kind: 2, cat: catWord}, true, nil
	case `\W`:
		return reSetItem{kind: 2, cat: catNotWord}, true, nil
	}
	c := []rune(esc)[1]
	lit, handled, err := reCodeEscape(t, esc, st)
	if handled {
		return reSetItem{kind: 0, lo: lit}, false, err
	}
	switch {
	case strings.ContainsRune(reOctDigits, c):
		e := esc + t.getwhile(2, reOctDigits)
		v := octal(e[1:])
		if v > 0o377 {
			return reSetItem{}, false, t.error(fmt.Sprintf("octal escape value %s outside of range 0-0o377", e), len([]rune(e)))
		}
		return reSetItem{kind: 0, lo: rune(v)}, false, nil
	case strings.ContainsRune(reDigits, c):
		return reSetItem{}, false, t.error("bad escape "+esc, len([]rune(esc)))
	}
	if isASCIILetter(c) {
		return reSetItem{}, false, t.error("bad escape "+esc, len([]rune(esc)))
	}
	return reSetItem{kind: 0, lo: c}, false, nil
}

func octal(s string) int {
	v := 0
	for _, r := range s {
		v = v*8 + int(r-'0')
	}
	return v
}

func reSimpleEscape(esc string) (rune, bool) {
	switch esc {
	case `\a`:
		return '\a', true
	case `\b`:
		return '\b', true
	case `\f`:
		return '\f', true
	case `\n`:
		return '\n', true
	case `\r`:
		return '\r', true
	case `\t`:
		return '\t', true
	case `\v`:
		return '\v', true
	case `\\`:
		return '\\', true
	}
	return 0, false
}

// reCodeEscape handles \x, \u, \U and \N, common to sets and patterns.
func reCodeEscape(t *reTokenizer, esc string, st *reState) (rune, bool, *ReError) {
	c := []rune(esc)[1]
	hexEsc := func(n int) (rune, *ReError) {
		e := esc + t.getwhile(n, reHexDigits)
		if len([]rune(e)) != n+2 {
			return 0, t.error("incomplete escape "+e, len([]rune(e)))
		}
		v, _ := new(big.Int).SetString(e[2:], 16)
		if v.Int64() >= 1<<31 && st.v < Py313 {
			// 3.11's chr() cannot take it as a C int: an OverflowError,
			// which the parser does not turn into re.error (3.13 does).
			return 0, &ReError{Exception: "OverflowError", Message: "Python int too large to convert to C int"}
		}
		if v.Int64() > 0x10ffff {
			return 0, t.error("bad escape "+e, len([]rune(e)))
		}
		return rune(v.Int64()), nil
	}
	switch c {
	case 'x':
		r, err := hexEsc(2)
		return r, true, err
	case 'u':
		r, err := hexEsc(4)
		return r, true, err
	case 'U':
		r, err := hexEsc(8)
		return r, true, err
	case 'N':
		if !t.match("{") {
			return 0, true, t.error("missing {", 0)
		}
		name, err := t.getuntil("}", "character name")
		if err != nil {
			return 0, true, err
		}
		r, ok := st.v.lookupName(name)
		if !ok {
			return 0, true, t.error(fmt.Sprintf("undefined character name %s", st.v.StrRepr(name)), len([]rune(name))+4)
		}
		return r, true, nil
	}
	return 0, false, nil
}

func reEscape(t *reTokenizer, esc string, st *reState) (*reNode, *ReError) {
	switch esc {
	case `\A`:
		return &reNode{op: opAt, at: atBeginningString}, nil
	case `\b`:
		return &reNode{op: opAt, at: atBoundary}, nil
	case `\B`:
		return &reNode{op: opAt, at: atNonBoundary}, nil
	case `\Z`:
		return &reNode{op: opAt, at: atEndString}, nil
	case `\z`:
		if st.v >= Py314 {
			return &reNode{op: opAt, at: atEndString}, nil
		}
	case `\d`, `\D`, `\s`, `\S`, `\w`, `\W`:
		it, _, _ := reClassEscape(t, esc, st)
		return &reNode{op: opIn, set: []reSetItem{it}}, nil
	}
	if c, ok := reSimpleEscape(esc); ok {
		return &reNode{op: opLiteral, c: c}, nil
	}
	c := []rune(esc)[1]
	lit, handled, err := reCodeEscape(t, esc, st)
	if err != nil {
		return nil, err
	}
	if handled {
		return &reNode{op: opLiteral, c: lit}, nil
	}
	switch {
	case c == '0':
		e := esc + t.getwhile(2, reOctDigits)
		return &reNode{op: opLiteral, c: rune(octal(e[1:]))}, nil
	case strings.ContainsRune(reDigits, c):
		e := esc
		if t.next != "" && len([]rune(t.next)) == 1 && strings.Contains(reDigits, t.next) {
			e += t.get()
			r := []rune(e)
			if strings.ContainsRune(reOctDigits, r[1]) && strings.ContainsRune(reOctDigits, r[2]) &&
				t.next != "" && len([]rune(t.next)) == 1 && strings.Contains(reOctDigits, t.next) {
				e += t.get()
				v := octal(e[1:])
				if v > 0o377 {
					return nil, t.error(fmt.Sprintf("octal escape value %s outside of range 0-0o377", e), len([]rune(e)))
				}
				return &reNode{op: opLiteral, c: rune(v)}, nil
			}
		}
		g := 0
		for _, r := range e[1:] {
			g = g*10 + int(r-'0')
		}
		if g < st.groups() {
			if !st.checkgroup(g) {
				return nil, t.error("cannot refer to an open group", len([]rune(e)))
			}
			if err := checkLookbehindGroup(t, st, g); err != nil {
				return nil, err
			}
			return &reNode{op: opGroupRef, group: g}, nil
		}
		return nil, t.error(fmt.Sprintf("invalid group reference %d", g), len([]rune(e))-1)
	}
	if isASCIILetter(c) {
		return nil, t.error("bad escape "+esc, len([]rune(esc)))
	}
	return &reNode{op: opLiteral, c: c}, nil
}

// width is SubPattern.getwidth(): the least and most characters a
// subpattern matches, capped as Python caps them.
type width struct{ lo, hi *big.Int }

var (
	bigMaxRepeat = big.NewInt(pyMaxRepeat)
	// bigMaxWidth is 3.13's MAXWIDTH.
	bigMaxWidth = new(big.Int).Lsh(big.NewInt(1), 64)
)

func (st *reState) seqWidth(seq []*reNode) width {
	lo, hi := new(big.Int), new(big.Int)
	add := func(w width) {
		lo.Add(lo, w.lo)
		hi.Add(hi, w.hi)
	}
	for _, n := range seq {
		switch n.op {
		case opBranch:
			// 3.11 starts the minimum at MAXREPEAT - 1, 3.13 at MAXWIDTH.
			i, j := new(big.Int).Sub(bigMaxRepeat, big.NewInt(1)), new(big.Int)
			if st.v >= Py313 {
				i.Set(bigMaxWidth)
			}
			for _, a := range n.alts {
				w := st.seqWidth(a)
				if w.lo.Cmp(i) < 0 {
					i = w.lo
				}
				if w.hi.Cmp(j) > 0 {
					j = w.hi
				}
			}
			add(width{i, j})
		case opAtomic, opSubpattern:
			add(st.seqWidth(n.sub))
		case opRepeat:
			w := st.seqWidth(n.sub)
			lo.Add(lo, new(big.Int).Mul(w.lo, big.NewInt(n.min)))
			if st.v >= Py313 && n.max == pyMaxRepeat && w.hi.Sign() != 0 {
				hi.Set(bigMaxWidth)
			} else {
				hi.Add(hi, new(big.Int).Mul(w.hi, big.NewInt(n.max)))
			}
		case opLiteral, opNotLiteral, opAny, opIn:
			add(width{big.NewInt(1), big.NewInt(1)})
		case opGroupRef:
			if w := st.widths[n.group]; w != nil {
				add(*w)
			}
		case opGroupRefExists:
			w := st.seqWidth(n.sub)
			i, j := w.lo, w.hi
			if n.no != nil {
				w2 := st.seqWidth(n.no)
				if w2.lo.Cmp(i) < 0 {
					i = w2.lo
				}
				if w2.hi.Cmp(j) > 0 {
					j = w2.hi
				}
			} else {
				i = new(big.Int)
			}
			add(width{i, j})
		}
	}
	capAt := func(v, c *big.Int) *big.Int {
		if v.Cmp(c) > 0 {
			return new(big.Int).Set(c)
		}
		return v
	}
	if st.v >= Py313 {
		return width{capAt(lo, bigMaxWidth), capAt(hi, bigMaxWidth)}
	}
	return width{capAt(lo, new(big.Int).Sub(bigMaxRepeat, big.NewInt(1))), capAt(hi, bigMaxRepeat)}
}

// checkCompile is the compiler's checks: look-behinds need a fixed width
// that fits, and 3.11's (deprecated) TEMPLATE flag forbids repeats.
func checkCompile(seq []*reNode, st *reState) *ReError {
	for _, n := range seq {
		if n.op == opRepeat && st.flags&reT != 0 {
			op := "MAX_REPEAT"
			if n.lazy {
				op = "MIN_REPEAT"
			} else if n.possess {
				op = "POSSESSIVE_REPEAT"
			}
			return &ReError{Exception: "re.error", Message: "internal: unsupported template operator " + op}
		}
		if n.op == opAssert && n.dir < 0 {
			w := st.seqWidth(n.sub)
			if st.v >= Py313 && w.lo.Cmp(big.NewInt(1<<32-1)) > 0 {
				return &ReError{Exception: "re.error", Message: "looks too much behind"}
			}
			if w.lo.Cmp(w.hi) != 0 {
				return &ReError{Exception: "re.error", Message: "look-behind requires fixed-width pattern"}
			}
			if w.lo.Cmp(big.NewInt(1<<31)) >= 0 {
				return &ReError{Exception: "RuntimeError", Message: "invalid SRE code"}
			}
			n.behind = int(w.lo.Int64())
		}
		for _, s := range [][]*reNode{n.sub, n.no} {
			if err := checkCompile(s, st); err != nil {
				return err
			}
		}
		for _, a := range n.alts {
			if err := checkCompile(a, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// foldASCII lists what an ASCII subject character c is equal to under
// Python's IGNORECASE: itself, its other case, and the non-ASCII
// characters that Python's case-insensitive matching pairs with it.
func foldASCII(c rune, flags int) []rune {
	out := []rune{c}
	switch {
	case c >= 'a' && c <= 'z':
		out = append(out, c-'a'+'A')
	case c >= 'A' && c <= 'Z':
		out = append(out, c-'A'+'a')
	}
	if flags&reA == 0 {
		switch c {
		case 'i', 'I':
			out = append(out, 0x130, 0x131)
		case 's', 'S':
			out = append(out, 0x17f)
		case 'k', 'K':
			out = append(out, 0x212a)
		}
	}
	return out
}

// nodeMatchesASCII reports whether a one-character node matches the ASCII
// character c.
func nodeMatchesASCII(n *reNode, c rune, flags int) bool {
	cands := []rune{c}
	if flags&reI != 0 {
		cands = foldASCII(c, flags)
	}
	switch n.op {
	case opAny:
		return c != '\n' || flags&reS != 0
	case opLiteral, opNotLiteral:
		hit := false
		for _, x := range cands {
			if x == n.c {
				hit = true
			}
		}
		return hit == (n.op == opLiteral)
	}
	hit := false
	for _, it := range n.set {
		switch it.kind {
		case 0:
			for _, x := range cands {
				if x == it.lo {
					hit = true
				}
			}
		case 1:
			for _, x := range cands {
				if x >= it.lo && x <= it.hi {
					hit = true
				}
			}
		case 2:
			if categoryMatchesASCII(it.cat, c, flags) {
				hit = true
			}
		}
	}
	return hit != n.negate
}

func categoryMatchesASCII(cat int, c rune, flags int) bool {
	digit := c >= '0' && c <= '9'
	space := c == ' ' || (c >= '\t' && c <= '\r')
	if flags&reA == 0 {
		space = IsSpace(c)
	}
	word := digit || isASCIILetter(c) || c == '_'
	switch cat {
	case catDigit:
		return digit
	case catNotDigit:
		return !digit
	case catSpace:
		return space
	case catNotSpace:
		return !space
	case catWord:
		return word
	}
	return !word
}
