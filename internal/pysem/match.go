package pysem

import (
	"errors"
	"fmt"
	"sync"
)

// Regex is a pattern re.compile accepted, ready for Match.
type Regex struct {
	// Pattern is the Python pattern.
	Pattern string
	v       Version
	nodes   []*reNode
	flags   int
	groups  int
	// cache holds Match's answers by subject: a fleet asks the same few
	// address fields of the same patterns again and again.
	mu    sync.Mutex
	cache map[string]matchResult
}

type matchResult struct {
	ok  bool
	err error
}

// maxCached bounds a Regex's cache (an address field has at most 65536
// values; a fleet shows a few hundred).
const maxCached = 4096

// Compile is re.compile(pattern) in Python v: the compiled pattern, or
// the exception Python raises. Exception is "re.error" for the re
// module's own error (re.PatternError from 3.13, which re.error still
// names), which Nova catches.
func (v Version) Compile(pattern string) (*Regex, *ReError) {
	p, st, err := v.parse(pattern)
	if err != nil {
		return nil, err
	}
	return &Regex{Pattern: pattern, v: v, nodes: p, flags: st.flags, groups: st.groups()}, nil
}

// MatchBudget bounds the work of one Match: the number of steps (a step
// is one pattern node tried at one position) after which Match gives up
// with ErrTooComplex rather than answer. Python itself has no bound: a
// pattern such as (?:(?:0?){1000}){1000}x keeps it busy for minutes on
// "0000". The subjects gpupass matches (PCI address fields, at most four
// hex digits) need a few dozen steps for any pattern in Nova's or
// gpupass's test corpora, and a few thousand for the worst of the
// generated ones; at the bound a Match takes under 2 ms (the first one in
// a process up to 0.2 s, while Go grows the goroutine's stack), and its
// answer is cached with the Regex.
const MatchBudget = 10_000

// ErrTooComplex is Match's error when the pattern needs more than
// MatchBudget steps on the subject.
var ErrTooComplex = errors.New("the pattern needs more backtracking than gpupass allows")

// Match is re.match(pattern, s) is not None: whether the pattern matches
// at the start of s, as Python's sre engine decides (backtracking, the
// first alternative first, greedy, lazy and possessive repeats, groups,
// backreferences, conditionals, lookarounds, atomic groups, scoped flags).
// s must be ASCII (PCI address fields are hex digits); Match returns an
// error for other subjects, and ErrTooComplex past MatchBudget.
func (r *Regex) Match(s string) (bool, error) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false, fmt.Errorf("pysem: Match needs an ASCII subject, not %s", StrRepr(s))
		}
	}
	r.mu.Lock()
	res, found := r.cache[s]
	r.mu.Unlock()
	if found {
		return res.ok, res.err
	}
	res.ok, res.err = r.match(s)
	r.mu.Lock()
	if r.cache == nil {
		r.cache = map[string]matchResult{}
	}
	if len(r.cache) < maxCached {
		r.cache[s] = res
	}
	r.mu.Unlock()
	return res.ok, res.err
}

func (r *Regex) match(s string) (bool, error) {
	ok, _, err := r.matchSteps(s)
	return ok, err
}

// matchSteps is match, and the steps it took.
func (r *Regex) matchSteps(s string) (bool, int, error) {
	m := &matcher{v: r.v, s: s, marks: make([]int, 2*r.groups), budget: MatchBudget}
	for i := range m.marks {
		m.marks[i] = -1
	}
	ok := m.seq(r.nodes, 0, r.flags, func(int) bool { return true })
	if m.exhausted {
		return false, m.steps, ErrTooComplex
	}
	return ok, m.steps, nil
}

// matcher is one Match: continuation-passing backtracking, where each
// node calls k with the position after it and a false return backtracks.
// Group marks are set through a trail so that a failure undoes them,
// except where sre keeps them (a successful lookahead's groups).
type matcher struct {
	v     Version
	s     string
	marks []int // 2 per group: start, end; -1 when unset
	trail []markChange
	// steps counts node visits; past budget, every node fails.
	steps, budget int
	exhausted     bool
}

type markChange struct{ i, old int }

func (m *matcher) setMark(i, pos int) {
	m.trail = append(m.trail, markChange{i, m.marks[i]})
	m.marks[i] = pos
}

func (m *matcher) undo(n int) {
	for len(m.trail) > n {
		c := m.trail[len(m.trail)-1]
		m.marks[c.i] = c.old
		m.trail = m.trail[:len(m.trail)-1]
	}
}

// group is the text of group g, ok false when it did not participate
// (sre: either mark unset, or the end before the start).
func (m *matcher) group(g int) (string, bool) {
	a, b := m.marks[2*g], m.marks[2*g+1]
	if a < 0 || b < 0 || b < a {
		return "", false
	}
	return m.s[a:b], true
}

// seq matches nodes at pos, then k.
func (m *matcher) seq(nodes []*reNode, pos, flags int, k func(int) bool) bool {
	if len(nodes) == 0 {
		return k(pos)
	}
	return m.node(nodes[0], pos, flags, func(p int) bool { return m.seq(nodes[1:], p, flags, k) })
}

// first matches nodes at pos and reports the end of the first match,
// without backtracking into it afterwards (assertions, atomic groups,
// possessive repeats); the marks it set stay set.
func (m *matcher) first(nodes []*reNode, pos, flags int) (int, bool) {
	end := -1
	ok := m.seq(nodes, pos, flags, func(p int) bool { end = p; return true })
	return end, ok
}

func isWordASCII(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func (m *matcher) at(kind, pos, flags int) bool {
	s := m.s
	switch kind {
	case atBeginning:
		return pos == 0 || flags&reM != 0 && s[pos-1] == '\n'
	case atBeginningString:
		return pos == 0
	case atEnd:
		if flags&reM != 0 {
			return pos == len(s) || s[pos] == '\n'
		}
		return pos == len(s) || pos == len(s)-1 && s[pos] == '\n'
	case atEndString:
		return pos == len(s)
	}
	if len(s) == 0 {
		// 3.14 lets \B match the empty string; earlier, neither \b nor
		// \B matches it.
		return kind == atNonBoundary && m.v >= Py314
	}
	before := pos > 0 && isWordASCII(s[pos-1])
	after := pos < len(s) && isWordASCII(s[pos])
	return (before != after) == (kind == atBoundary)
}

// tick counts a step; false once past the budget.
func (m *matcher) tick() bool {
	if m.steps++; m.steps > m.budget {
		m.exhausted = true
		return false
	}
	return true
}

func (m *matcher) node(n *reNode, pos, flags int, k func(int) bool) bool {
	if !m.tick() {
		return false
	}
	t := len(m.trail)
	fail := func() bool { m.undo(t); return false }
	switch n.op {
	case opLiteral, opNotLiteral, opAny, opIn:
		if pos < len(m.s) && nodeMatchesASCII(n, rune(m.s[pos]), flags) {
			return k(pos + 1)
		}
		return false
	case opAt:
		return m.at(n.at, pos, flags) && k(pos)
	case opBranch:
		for _, a := range n.alts {
			if m.seq(a, pos, flags, k) {
				return true
			}
			m.undo(t)
			if m.exhausted {
				return false
			}
		}
		return false
	case opSubpattern:
		f := flags
		if n.addF&reTypeFlags != 0 {
			f &^= reTypeFlags
		}
		f = (f | n.addF) &^ n.delF
		if n.group == 0 {
			return m.seq(n.sub, pos, f, k) || fail()
		}
		m.setMark(2*n.group, pos)
		return m.seq(n.sub, pos, f, func(p int) bool {
			t2 := len(m.trail)
			m.setMark(2*n.group+1, p)
			if k(p) {
				return true
			}
			m.undo(t2)
			return false
		}) || fail()
	case opRepeat:
		if n.possess {
			return m.possessive(n, pos, flags, k) || fail()
		}
		if n.lazy {
			return m.lazy(n, 0, pos, -1, flags, k) || fail()
		}
		return m.greedy(n, 0, pos, -1, flags, k) || fail()
	case opGroupRef:
		g, ok := m.group(n.group)
		if !ok || pos+len(g) > len(m.s) {
			return false
		}
		h := m.s[pos : pos+len(g)]
		if flags&reI != 0 {
			if ASCIILower(g) != ASCIILower(h) {
				return false
			}
		} else if g != h {
			return false
		}
		return k(pos + len(g))
	case opGroupRefExists:
		if _, ok := m.group(n.group); ok {
			return m.seq(n.sub, pos, flags, k) || fail()
		}
		return m.seq(n.no, pos, flags, k) || fail()
	case opAssert:
		start := pos
		if n.dir < 0 {
			// A look-behind has a fixed width: its pattern must match
			// the characters just before pos.
			if pos < n.behind {
				return n.neg && k(pos) || fail()
			}
			start = pos - n.behind
		}
		_, ok := m.first(n.sub, start, flags)
		if m.exhausted {
			return false
		}
		if n.neg {
			// A negative assertion leaves no mark behind.
			m.undo(t)
			return !ok && k(pos) || fail()
		}
		return ok && k(pos) || fail()
	case opAtomic:
		end, ok := m.first(n.sub, pos, flags)
		return ok && k(end) || fail()
	}
	return false
}

// greedy is sre's MAX_UNTIL: count items matched so far, lastPos where
// the last optional item started (-1 for none): an item that matched the
// empty string ends the repeat (zero-width match protection).
func (m *matcher) greedy(n *reNode, count int64, pos, lastPos, flags int, k func(int) bool) bool {
	// An iteration is a step: an empty item (?:){N} has no node to count.
	if !m.tick() {
		return false
	}
	if count < n.min {
		return m.seq(n.sub, pos, flags, func(p int) bool { return m.greedy(n, count+1, p, lastPos, flags, k) })
	}
	if (count < n.max || n.max == pyMaxRepeat) && pos != lastPos {
		t := len(m.trail)
		if m.seq(n.sub, pos, flags, func(p int) bool { return m.greedy(n, count+1, p, pos, flags, k) }) {
			return true
		}
		m.undo(t)
		if m.exhausted {
			return false
		}
	}
	return k(pos)
}

// lazy is sre's MIN_UNTIL: the tail first, then one more item.
func (m *matcher) lazy(n *reNode, count int64, pos, lastPos, flags int, k func(int) bool) bool {
	if !m.tick() {
		return false
	}
	if count < n.min {
		return m.seq(n.sub, pos, flags, func(p int) bool { return m.lazy(n, count+1, p, lastPos, flags, k) })
	}
	t := len(m.trail)
	if k(pos) {
		return true
	}
	m.undo(t)
	if m.exhausted || count >= n.max && n.max != pyMaxRepeat || pos == lastPos {
		return false
	}
	return m.seq(n.sub, pos, flags, func(p int) bool { return m.lazy(n, count+1, p, pos, flags, k) })
}

// possessive is sre's POSSESSIVE_REPEAT: items matched one after the
// other, each its first match, never given back.
func (m *matcher) possessive(n *reNode, pos, flags int, k func(int) bool) bool {
	var count int64
	for ; count < n.min; count++ {
		if !m.tick() {
			return false
		}
		end, ok := m.first(n.sub, pos, flags)
		if !ok {
			return false
		}
		pos = end
	}
	last := -1
	for (count < n.max || n.max == pyMaxRepeat) && pos != last {
		if !m.tick() {
			return false
		}
		t := len(m.trail)
		end, ok := m.first(n.sub, pos, flags)
		if !ok {
			m.undo(t)
			break
		}
		last = pos
		pos = end
		count++
	}
	if m.exhausted {
		return false
	}
	return k(pos)
}
