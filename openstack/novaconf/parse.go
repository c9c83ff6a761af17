package novaconf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Source is where a value was read: the file (as the host sees the path)
// and the 1-based line of its key, so that every finding about nova.conf
// can point at the line to edit.
type Source struct {
	File string
	Line int
}

// String returns "file:line", or the file alone for a problem with the
// whole file (Line 0).
func (s Source) String() string {
	if s.Line == 0 {
		return s.File
	}
	return s.File + ":" + strconv.Itoa(s.Line)
}

// Value is one assignment as oslo.config reads it.
type Value struct {
	// Group is the section as oslo.config normalises it: lower-cased,
	// except "DEFAULT", which is only recognised in capitals.
	Group string
	// Section is the section name as written ("PCI", "Default").
	Section string
	// Name is the option name as written: oslo.config matches names
	// case-sensitively, so "Device_Spec" is not device_spec.
	Name string
	// Text is the value oslo.config sees: continuation lines joined with
	// "\n" and left-stripped, quotes stripped from a single quoted first
	// line; from Config.Lookup, with "$name" substitution applied as
	// oslo.config applies it when gpupass knows the values substituted
	// exactly (see subst.go), as written otherwise.
	Text string
	// Raw is the value as read, before substitution.
	Raw string
	// Source is the file and the line of the key.
	Source Source
	// EndLine is the value's last line (Source.Line unless it continues).
	EndLine int
	// Deprecated is set by Config.Lookup when the value came through one
	// of the option's deprecated names.
	Deprecated bool
}

// Redacted returns Text safe to print (see Redact).
func (v Value) Redacted() string { return Redact(v.Group, v.Name, v.Text) }

// HoldsSecret reports whether the value is or holds a secret (see the
// function HoldsSecret).
func (v Value) HoldsSecret() bool { return HoldsSecret(v.Group, v.Name, v.Text) }

// Severities of a Problem.
const (
	// SeverityError: oslo.config raises, and nova refuses to start.
	SeverityError = "error"
	// SeverityWarning: oslo.config accepts the line but reads it
	// differently from what its author most likely meant.
	SeverityWarning = "warning"
)

// Problem codes: stable names for what a Problem is about, for checks to
// key on (the messages may be reworded).
const (
	// Errors oslo.config raises (iniparser.ParseError and friends).
	CodeNoDelimiter     = "no-delimiter"            // No ':' or '=' found in assignment
	CodeEmptyKey        = "empty-key"               // Key cannot be empty
	CodeContinuation    = "unexpected-continuation" // Unexpected continuation line
	CodeSectionEnd      = "section-end"             // Invalid section (must end with ])
	CodeSectionEmpty    = "section-empty"           // Empty section name
	CodeNoSection       = "no-section"              // Section must be started before assignment
	CodeBOM             = "bom"                     // a UTF-8 BOM: No ':' or '=' found in assignment, line 1
	CodeInvalidUTF8     = "invalid-utf8"            // Python's UnicodeDecodeError
	CodeMissingFile     = "missing-file"            // ConfigFilesNotFoundError
	CodeMissingDir      = "missing-dir"             // ConfigDirNotFoundError
	CodeUnreadable      = "unreadable"              // the file could not be read (permissions, a directory)
	CodeInlineComment   = "inline-comment"          // warning: "# ..." or "; ..." after a value is part of it
	CodeIndentedComment = "indented-comment"        // warning: an indented "#" line continues the value
	CodeQuotes          = "quotes"                  // warning: quotes oslo.config keeps or half-strips
	CodeBackslash       = "backslash"               // warning: a value line ends in a backslash
	CodeControlChar     = "control-character"       // warning: a control character in a value
	CodeCarriageReturn  = "carriage-return"         // warning: a lone CR, which ends the line for Python
	CodeDefaultCase     = "default-case"            // warning: [Default] / [default], which nova never reads
	CodeSectionSpace    = "section-space"           // warning: [ pci ]
	CodeKeyMalformed    = "key-malformed"           // warning: a key no option can have (a broken continuation?)
	CodeKeyCase         = "key-case"                // warning: a key with capitals (nova's names are lower case)
	CodeRepeatedKey     = "repeated-key"            // warning: a single-valued key set again later in the same file
	CodeSubstitution    = "substitution"            // warning: "$name" in a value, which oslo.config substitutes
	CodeSubstitutionErr = "substitution-failed"     // "$name" naming no option (NoSuchOptError, NoSuchGroupError...): nova cannot read the option
	CodeTooLarge        = "too-large"               // a file larger than MaxFileSize (not read), or with more than MaxValues assignments
)

// Problem is a line oslo.config would reject (SeverityError: nova would
// refuse to start) or misread (SeverityWarning).
type Problem struct {
	Source   Source
	Severity string
	Code     string
	Message  string
	// Line is the offending line, clipped, with secrets redacted.
	Line string
	// OsloLine is the line number oslo.config's own error names, for the
	// errors it raises; it differs from Source.Line only for an assignment
	// before any section, which oslo.config reports at the line that ends
	// the assignment. 0 for warnings and for errors raised outside the
	// parser.
	OsloLine int
	// Option is the option the problem is about, "[group]name" as written
	// ("" when it is about none: a section header, a line ending).
	Option string
	// Count is how many lines of the file have this problem: a warning
	// that recurs for the same option (or, about none, with the same
	// message) is one Problem, at its first line; a repeated key is one
	// Problem counting the lines that set it. 0 and 1 both mean once.
	Count int
	// Repeats are the lines after Source.Line where it recurs, the first
	// maxRepeats of them.
	Repeats []int
}

// String formats a Problem as "file:line: severity: message".
func (p Problem) String() string {
	s := p.Source.String() + ": " + p.Severity + ": " + p.Message
	if p.Line != "" {
		s += ": " + strconv.Quote(p.Line)
	}
	if p.Count > 1 && p.Code != CodeRepeatedKey { // whose message names the lines
		s += fmt.Sprintf(" (and %d more lines)", p.Count-1)
	}
	return s
}

// maxRepeats bounds Problem.Repeats; maxPerCode bounds the distinct
// problems of one code in one file, past which the rest are counted in
// one more Problem: a file of a million faulty lines gives a report of a
// few hundred.
const (
	maxRepeats = 10
	maxPerCode = 100
)

// Section is a section header as written in a file, for checks that look
// for misspelt group names.
type Section struct {
	Name  string // as written, between the brackets
	Group string // as oslo.config normalises it
	Line  int
}

// File is one parsed nova.conf file.
type File struct {
	Name     string
	Values   []Value   // in file order
	Sections []Section // in file order, repeats included
	// Err is the error that stopped the file, as oslo.config stops at its
	// first error; nil when oslo.config reads the whole file. Values holds
	// what was read before it (nova would not start at all, but the other
	// checks still have something to say).
	Err *Problem

	index map[Name][]int // Values by (Group, Name)
}

// Get returns the values of one key in one group (normalised, as Value.Group),
// in file order.
func (f *File) Get(group, name string) []Value {
	idx := f.index[Name{Group: normalizeGroup(group), Name: name}]
	out := make([]Value, len(idx))
	for i, j := range idx {
		out[i] = f.Values[j]
	}
	return out
}

// osloMessages are oslo.config's own words for the errors it raises
// (iniparser.BaseParser and cfg.ConfigParser); each error Problem's Message
// starts with them.
var osloMessages = map[string]string{
	CodeNoDelimiter:  "No ':' or '=' found in assignment",
	CodeEmptyKey:     "Key cannot be empty",
	CodeContinuation: "Unexpected continuation line",
	CodeSectionEnd:   "Invalid section (must end with ])",
	CodeSectionEmpty: "Empty section name",
	CodeNoSection:    "Section must be started before assignment",
	CodeBOM:          "No ':' or '=' found in assignment",
}

// maxProblemLine bounds Problem.Line: enough to recognise the line.
const maxProblemLine = 160

// MaxValues is the most assignments Parse reads of one file, and Load of
// all the files it reads: 1,048,576, far above a real nova.conf (about
// 1,200 with every option set), and the count of a 16 MiB file of
// "virt_type = kvm" lines; a file of shorter lines, or more such files,
// stop there (CodeTooLarge), which bounds the memory of a configuration
// to a few hundred MB whatever its files hold.
const MaxValues = 1 << 20

// maxQuoted bounds a name or value quoted in a Problem's message, so that
// a message is never as big as what it is about.
const maxQuoted = 200

// Parse parses one file's bytes as oslo.config's ConfigParser does. It is
// pure (no filesystem), so it is fuzzed. Errors oslo.config raises stop
// the file, as they stop oslo.config: the File holds what came before, and
// its Err the error. Warnings do not stop it. The one exception: a byte
// that is not UTF-8 is Err (Python fails to decode the file before it
// parses anything), and the lines before it are still parsed, so a parse
// error among them is reported as well; it is what nova says next. The
// problems come in line order.
//
// The cost is linear in the size of the file: a 10 MB value is read in one
// pass (oslo.config has no limit either).
func Parse(name string, data []byte) (*File, []Problem) {
	return parse(name, data, MaxValues, false)
}

// parse is Parse reading at most maxValues assignments; shared says the
// budget is that of several files (Load's), for the message.
func parse(name string, data []byte, maxValues int, shared bool) (*File, []Problem) {
	p := &parser{file: &File{Name: name, index: map[Name][]int{}}, maxValues: maxValues, sharedBudget: shared}
	p.run(data)
	// In line order: the UTF-8 error is recorded last, and a repeated-key
	// warning names an earlier line.
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Source.Line < p.problems[j].Source.Line })
	return p.file, p.problems
}

type parser struct {
	file     *File
	problems []Problem

	maxValues    int  // the assignments it may still read
	sharedBudget bool // maxValues is what earlier files left

	lineNo  int    // oslo's self.lineno: lines read so far
	section string // current section as written, "" before the first
	group   string

	// The assignment being read, if any (oslo's key and value).
	key      string
	keyLine  int
	keyText  string   // its first line, for Problem.Line
	parts    []string // first-line value, then continuation lines
	quoteRaw string   // the first line's value before quote stripping
	secret   bool     // the key names a secret: redact its continuation lines
	// lastSecret: the last key read named a secret, so a stray line after
	// it (a continuation cut off by a blank line or a lone CR) may be part
	// of the secret and is redacted whole.
	lastSecret bool

	seen     map[Name]*seenKey // each single-valued key's lines, for repeated-key
	seenKeys []Name            // the keys of seen, in the order first set
	ended    endedBy           // what ended the last value, for an unexpected continuation
	done     bool

	// folded indexes the warnings by what they are about, so that one
	// recurring on many lines is one Problem with a count; perCode
	// counts the distinct ones of each code, and overflow holds the
	// Problem that counts those past maxPerCode.
	folded   map[foldKey]int
	perCode  map[string]int
	overflow map[string]int
}

// foldKey is what makes two warnings the same problem.
type foldKey struct {
	code, option, message string
}

// endedBy records what ended the last value (or what came last without
// opening one), formatted only when an unexpected continuation needs it.
type endedBy struct {
	what string // "blank", "comment", "section" or ""
	line int
	key  string
}

func (e endedBy) String() string {
	switch e.what {
	case "blank":
		return fmt.Sprintf("the blank line %d ended the value of %s", e.line, clip(e.key, maxQuoted))
	case "comment":
		return fmt.Sprintf("the comment on line %d ended the value of %s (comments cannot sit inside a value)", e.line, clip(e.key, maxQuoted))
	case "section":
		return fmt.Sprintf("the section header on line %d opens no value", e.line)
	}
	return ""
}

type seenKey struct {
	line    int    // the first line that sets it
	text    string // that line
	count   int
	last    int   // the last line that sets it
	repeats []int // the lines after the first, up to maxRepeats
}

func (p *parser) run(data []byte) {
	// Python decodes the whole file before parsing a line: a byte that is
	// not UTF-8 anywhere is the error nova reports, even after a ParseError.
	// The lines before it are still parsed, and an error among them is
	// reported too (it is the next thing nova will say), after this one in
	// File.Err's order.
	badLine := 0
	if !utf8.Valid(data) {
		badLine = invalidUTF8Line(data)
	}
	crWarned := false
	for rest := data; len(rest) > 0 && !p.done; {
		line, next, lone := splitLine(rest)
		rest = next
		p.lineNo++
		if badLine != 0 && p.lineNo >= badLine {
			// Keep what came before the undecodable line; the value open
			// there ends with it.
			break
		}
		if lone && !crWarned {
			crWarned = true
			p.warn(p.lineNo, CodeCarriageReturn, "this line ends in a carriage return without a line feed, which ends the line for oslo.config "+
				"(Python's universal newlines): what follows is read as a new line", string(line))
		}
		p.line(string(line))
	}
	if !p.done && p.key != "" {
		p.flush()
	}
	p.repeatedKeys()
	if badLine != 0 {
		text := strings.ToValidUTF8(physicalLine(data, badLine), "\uFFFD")
		// An indented line after a secret may be the rest of it.
		stray := p.lastSecret && text != "" && (text[0] == ' ' || text[0] == '\t')
		pr := Problem{
			Source: Source{p.file.Name, badLine}, Severity: SeverityError, Code: CodeInvalidUTF8,
			Message: "not valid UTF-8: Python cannot decode the file (UnicodeDecodeError) and nova does not start; " +
				"save it as UTF-8 (a Latin-1 accent in a comment is enough to stop nova)",
			Line: redactLine(p.group, text, stray),
		}
		p.problems = append(p.problems, pr)
		p.file.Err = &pr // what Python raises, before any ParseError
	}
}

// problem records a Problem; the first error is the file's Err. A
// warning already recorded about the same option (or, about none, with
// the same message) is counted instead, and past maxPerCode distinct
// warnings of a code, the others are counted in one more.
func (p *parser) problem(pr Problem) {
	if pr.Severity == SeverityError {
		p.problems = append(p.problems, pr)
		if p.file.Err == nil {
			p.file.Err = &pr
		}
		return
	}
	key := foldKey{code: pr.Code, option: pr.Option}
	if pr.Option == "" {
		key.message = pr.Message
	}
	if p.folded == nil {
		p.folded, p.perCode, p.overflow = map[foldKey]int{}, map[string]int{}, map[string]int{}
	}
	if i, ok := p.folded[key]; ok {
		p.problems[i].recur(pr.Source.Line)
		return
	}
	if p.perCode[pr.Code] >= maxPerCode {
		if i, ok := p.overflow[pr.Code]; ok {
			p.problems[i].recur(pr.Source.Line)
			return
		}
		p.overflow[pr.Code] = len(p.problems)
		p.problems = append(p.problems, Problem{
			Source: pr.Source, Severity: pr.Severity, Code: pr.Code, Count: 1,
			Message: fmt.Sprintf("more lines of this file have problems of this kind (%s), from this line on: gpupass lists the first %d, then counts the others here", pr.Code, maxPerCode),
		})
		return
	}
	p.perCode[pr.Code]++
	p.folded[key] = len(p.problems)
	pr.Count = max(pr.Count, 1)
	p.problems = append(p.problems, pr)
}

// recur counts one more line with the problem.
func (pr *Problem) recur(line int) {
	pr.Count++
	if len(pr.Repeats) < maxRepeats && line != pr.Source.Line {
		pr.Repeats = append(pr.Repeats, line)
	}
}

// repeatedKeys warns, once per key, about single-valued keys set more
// than once in the file: at its first line, with the lines that set it
// again.
func (p *parser) repeatedKeys() {
	for _, k := range p.seenKeys {
		s := p.seen[k]
		if s.count < 2 {
			continue
		}
		msg := fmt.Sprintf("[%s]%s is set again on line %d of this file; it is single-valued, so oslo.config uses only the last value",
			clip(k.Group, maxQuoted), clip(k.Name, maxQuoted), s.last)
		if s.count > 2 {
			msg = fmt.Sprintf("[%s]%s is set %s times in this file (lines %s); it is single-valued, so oslo.config uses only the last value, on line %d",
				clip(k.Group, maxQuoted), clip(k.Name, maxQuoted), thousands(s.count), lineList(s.line, s.repeats, s.count, s.last), s.last)
		}
		p.problem(Problem{
			Source: Source{p.file.Name, s.line}, Severity: SeverityWarning, Code: CodeRepeatedKey,
			Message: msg, Line: redactLine(k.Group, s.text, false), Option: "[" + clip(k.Group, maxQuoted) + "]" + clip(k.Name, maxQuoted),
			Count: s.count, Repeats: s.repeats,
		})
	}
}

// thousands writes n with its thousands separated by commas (1,048,576).
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// lineList writes the lines of a repeated key: the first ones, then
// "…" and the last when there are more.
func lineList(first int, repeats []int, count, last int) string {
	parts := []string{strconv.Itoa(first)}
	for _, l := range repeats {
		parts = append(parts, strconv.Itoa(l))
	}
	if len(parts) < count {
		if len(parts) < count-1 {
			parts = append(parts, "…")
		}
		parts = append(parts, strconv.Itoa(last))
	}
	return strings.Join(parts, ", ")
}

// line is one iteration of BaseParser.parse.
func (p *parser) line(raw string) {
	line := strings.TrimRightFunc(raw, pyIsSpace)
	switch {
	case line == "":
		// A blank line ends a multi-line value.
		if p.key != "" {
			p.ended = endedBy{"blank", p.lineNo, p.key}
			p.flush()
		}
		return
	case line[0] == ' ' || line[0] == '\t':
		if p.key == "" {
			msg := "an indented line continues the value of the key before it, and there is none"
			switch {
			case p.lineNo == 1:
				msg = "the first line is indented, so oslo.config reads it as the continuation of a value"
			case p.ended.what != "":
				msg += ": " + p.ended.String()
			}
			if strings.HasPrefix(strings.TrimLeft(line, " \t"), "#") || strings.HasPrefix(strings.TrimLeft(line, " \t"), ";") {
				msg += "; comments must start in the first column"
			} else if strings.HasPrefix(strings.TrimLeft(line, " \t"), "[") {
				msg += "; section headers must start in the first column"
			}
			p.fail(p.lineNo, p.lineNo, CodeContinuation, msg, raw)
			return
		}
		cont := strings.TrimLeftFunc(line, pyIsSpace)
		p.parts = append(p.parts, cont)
		p.checkValueLine(cont, true)
		return
	}
	if p.key != "" {
		key := p.key
		p.flush()
		if p.done {
			return
		}
		if line[0] == '#' || line[0] == ';' {
			p.ended = endedBy{"comment", p.lineNo, key}
		}
	}
	switch line[0] {
	case '[':
		p.lastSecret = false
		p.ended = endedBy{"section", p.lineNo, ""}
		p.sectionHeader(line, raw)
	case '#', ';':
		// A comment.
	default:
		p.ended = endedBy{}
		p.assignment(line, raw)
	}
}

func (p *parser) sectionHeader(line, raw string) {
	if !strings.HasSuffix(line, "]") {
		msg := "a section header must end with \"]\""
		if i := strings.IndexByte(line, ']'); i > 0 {
			msg += "; nothing may follow it, not even a comment"
		}
		p.fail(p.lineNo, p.lineNo, CodeSectionEnd, msg, raw)
		return
	}
	if len(line) <= 2 {
		p.fail(p.lineNo, p.lineNo, CodeSectionEmpty, "the section has no name", raw)
		return
	}
	p.section = line[1 : len(line)-1]
	p.group = normalizeGroup(p.section)
	p.file.Sections = append(p.file.Sections, Section{Name: p.section, Group: p.group, Line: p.lineNo})
	switch {
	case p.group == "default":
		p.warn(p.lineNo, CodeDefaultCase, "oslo.config recognises the default section only as [DEFAULT] in capitals; "+
			"["+clip(p.section, maxQuoted)+"] is a group called \"default\", which nova never reads, so every option under it is ignored", raw)
	case strings.TrimFunc(p.section, pyIsSpace) == "":
		p.warn(p.lineNo, CodeSectionSpace, "the section name is only blanks: no nova group has that name, so every option under it is ignored", raw)
	case strings.TrimFunc(p.section, pyIsSpace) != p.section:
		p.warn(p.lineNo, CodeSectionSpace, fmt.Sprintf("the section name has spaces around it: oslo.config looks for [%s], not [%s]",
			clip(strings.TrimFunc(p.group, pyIsSpace), maxQuoted), clip(p.section, maxQuoted)), raw)
	}
}

// assignment is _split_key_value: the key and the first line's value.
func (p *parser) assignment(line, raw string) {
	colon := strings.IndexByte(line, ':')
	equal := strings.IndexByte(line, '=')
	if colon < 0 && equal < 0 {
		code, msg := CodeNoDelimiter, "a line that is neither a section, a comment nor \"key = value\""
		switch {
		case p.lineNo == 1 && strings.HasPrefix(line, "\uFEFF"):
			code, msg = CodeBOM, "the file starts with a UTF-8 byte order mark (BOM), which oslo.config reads as text; save the file without BOM"
		case startsWithOtherSpace(raw):
			msg += "; " + otherSpaceHint(raw)
		case strings.IndexFunc(line, isControl) >= 0:
			msg += "; it holds control characters: binary data, or a file that is not text?"
		}
		p.fail(p.lineNo, p.lineNo, code, msg, raw)
		return
	}
	delim := colon
	if colon < 0 || (equal >= 0 && equal < colon) {
		delim = equal
	}
	key, value := line[:delim], line[delim+1:]
	value = strings.TrimFunc(value, pyIsSpace)
	p.quoteRaw = value
	if value != "" && value[0] == value[len(value)-1] && (value[0] == '"' || value[0] == '\'') {
		// Python's value[1:-1], which is "" for a lone quote.
		value = value[1:max(1, len(value)-1)]
	}
	key = strings.TrimFunc(key, pyIsSpace)
	if key == "" {
		p.fail(p.lineNo, p.lineNo, CodeEmptyKey, "nothing before the \""+line[delim:delim+1]+"\"", raw)
		return
	}
	p.key, p.keyLine, p.keyText = key, p.lineNo, raw
	p.parts = append(p.parts[:0], value)
	p.secret = IsSecret(p.group, key)
	p.lastSecret = p.secret
	p.checkKey(key, raw)
	p.checkValueLine(p.quoteRaw, false)
}

// flush is _assignment: the value is complete.
func (p *parser) flush() {
	defer func() { p.key, p.parts = "", p.parts[:0] }()
	if p.section == "" {
		// oslo.config raises when the assignment ends, and names that line.
		msg := "an option before any [section]; nova's general options go under [DEFAULT]"
		if strings.HasPrefix(p.keyText, "\uFEFF") {
			msg = "the file starts with a UTF-8 byte order mark (BOM), which oslo.config reads as text; save the file without BOM"
		}
		p.fail(p.keyLine, p.lineNo, CodeNoSection, msg, p.keyText)
		return
	}
	if len(p.file.Values) >= p.maxValues {
		// Not oslo.config's error (nova reads on): gpupass's bound on
		// the work a configuration costs.
		where := "this file"
		if p.sharedBudget {
			where = "the nova.conf files read (this one and those before it)"
		}
		p.problems = append(p.problems, Problem{
			Source: Source{p.file.Name, p.keyLine}, Severity: SeverityError, Code: CodeTooLarge, Count: 1,
			Message: fmt.Sprintf("more than %s options are set in %s, the most gpupass reads of one configuration "+
				"(a nova.conf that sets every option Nova has sets about 1,200): gpupass stopped reading here, so nothing from this line on is judged",
				thousands(MaxValues), where),
		})
		p.done = true
		return
	}
	text := p.parts[0]
	if len(p.parts) > 1 {
		text = strings.Join(p.parts, "\n")
	}
	end := p.keyLine + len(p.parts) - 1
	p.checkQuotes(end)
	v := Value{Group: p.group, Section: p.section, Name: p.key, Text: text, Raw: text, Source: Source{p.file.Name, p.keyLine}, EndLine: end}
	k := Name{Group: v.Group, Name: v.Name}
	if !multiValued[k] {
		if p.seen == nil {
			p.seen = map[Name]*seenKey{}
		}
		if prev, ok := p.seen[k]; ok {
			prev.count++
			prev.last = v.Source.Line
			if len(prev.repeats) < maxRepeats {
				prev.repeats = append(prev.repeats, v.Source.Line)
			}
		} else {
			p.seen[k] = &seenKey{line: v.Source.Line, text: p.keyText, count: 1, last: v.Source.Line}
			p.seenKeys = append(p.seenKeys, k)
		}
	}
	p.file.index[k] = append(p.file.index[k], len(p.file.Values))
	if len(p.file.Values) == cap(p.file.Values) {
		// Double, where append grows a big slice by a quarter: a file of
		// a million assignments is then copied a few times, not dozens.
		grown := make([]Value, len(p.file.Values), max(64, 2*cap(p.file.Values)))
		copy(grown, p.file.Values)
		p.file.Values = grown
	}
	p.file.Values = append(p.file.Values, v)
}

func (p *parser) fail(line, osloLine int, code, msg, text string) {
	stray := p.lastSecret && (code == CodeContinuation || code == CodeNoDelimiter)
	p.problem(Problem{
		Source: Source{p.file.Name, line}, Severity: SeverityError, Code: code,
		Message:  osloMessages[code] + " (" + msg + "; nova will not start)",
		Line:     redactLine(p.group, text, stray),
		OsloLine: osloLine,
	})
	p.done = true
}

func (p *parser) warn(line int, code, msg, text string) {
	p.problem(Problem{
		Source: Source{p.file.Name, line}, Severity: SeverityWarning, Code: code,
		Message: msg, Line: redactLine(p.group, text, false),
	})
}

// warnValue is warn about a line of the current value: the key's line, or
// a continuation line, which is redacted whole when the key names a secret.
func (p *parser) warnValue(line int, code, msg string, cont bool, text string) {
	shown := p.keyText
	if cont {
		shown = text
	}
	p.problem(Problem{
		Source: Source{p.file.Name, line}, Severity: SeverityWarning, Code: code,
		Message: msg, Line: redactLine(p.group, shown, p.secret && cont),
		Option: p.option(),
	})
}

// option is the key being read, as a Problem's Option.
func (p *parser) option() string {
	return "[" + clip(p.group, maxQuoted) + "]" + clip(p.key, maxQuoted)
}

// warnKey is warn about the key being read.
func (p *parser) warnKey(code, msg, text string) {
	p.problem(Problem{
		Source: Source{p.file.Name, p.lineNo}, Severity: SeverityWarning, Code: code,
		Message: msg, Line: redactLine(p.group, text, false),
		Option: p.option(),
	})
}

// checkKey warns about keys no nova option can have.
func (p *parser) checkKey(key, raw string) {
	if p.lineNo == 1 && strings.HasPrefix(key, "\uFEFF") {
		return // the BOM error says it
	}
	for _, r := range key {
		if !(r == '_' || r == '-' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			msg := fmt.Sprintf("%q is not an option name (it holds %q): is this a broken continuation line, or a missing \"=\"?", clip(key, 40), r)
			if startsWithOtherSpace(raw) {
				msg += " " + otherSpaceHint(raw)
			}
			p.warnKey(CodeKeyMalformed, msg, raw)
			return
		}
	}
	if strings.ToLower(key) != key {
		p.warnKey(CodeKeyCase, fmt.Sprintf("option names are case-sensitive and nova's are lower case: oslo.config does not read %q as %q",
			clip(key, maxQuoted), clip(strings.ToLower(key), maxQuoted)), raw)
	}
}

// checkValueLine warns about what oslo.config keeps in a value that its
// author probably did not mean to: comments, backslashes, control
// characters, $ substitutions.
func (p *parser) checkValueLine(s string, cont bool) {
	if cont && (s[0] == '#' || s[0] == ';') {
		p.warnValue(p.lineNo, CodeIndentedComment, "this indented line continues the value of "+clip(p.key, maxQuoted)+
			": oslo.config has no indented comments, so it is part of the value", cont, s)
	} else if i := inlineComment(s); i >= 0 {
		what := strconv.Quote(clip(s[i:], 40))
		if p.secret {
			what = "what follows " + string(s[i])
		}
		p.warnValue(p.lineNo, CodeInlineComment, fmt.Sprintf("oslo.config has no inline comments: %s is part of the value of %s",
			what, clip(p.key, maxQuoted)), cont, s)
	}
	if strings.HasSuffix(s, "\\") {
		p.warnValue(p.lineNo, CodeBackslash, "oslo.config does not join lines at a backslash: it stays in the value, and the next line "+
			"is read on its own (indent it to continue the value)", cont, s)
	}
	if i := strings.IndexFunc(s, isControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		p.warnValue(p.lineNo, CodeControlChar, fmt.Sprintf("the value holds a control character (%U at byte %d): binary garbage?", r, i+1), cont, s)
	}
	// Substitution is how nova.conf says "[vnc]server_listen = $my_ip":
	// warn only for the options gpupass reads and for secrets, where a "$"
	// is most likely meant literally (JSON, a password).
	if substitutes(s) && (p.secret || tableKeys[p.key]) {
		p.warnValue(p.lineNo, CodeSubstitution, "oslo.config replaces $name and ${name} with the value of another option when nova reads this one "+
			"(and nova fails if there is no such option); write $$ for a literal $", cont, s)
	}
}

// checkQuotes warns where oslo.config's quote stripping (first and last
// character of the first line's value, when they are the same quote) is
// not what a reader would expect.
func (p *parser) checkQuotes(end int) {
	raw := p.quoteRaw
	if raw == "" && len(p.parts) > 1 {
		// "key =" and the quoted value on the next lines: continuation
		// lines are never unquoted.
		first, last := p.parts[1], p.parts[len(p.parts)-1]
		if (first[0] == '"' || first[0] == '\'') && last[len(last)-1] == first[0] {
			p.warnValue(p.keyLine, CodeQuotes, fmt.Sprintf("oslo.config strips quotes only on the key's own line: the %c around "+
				"the continuation lines (to line %d) stay in the value", first[0], end), false, "")
		}
		return
	}
	if raw == "" || (raw[0] != '"' && raw[0] != '\'') {
		return
	}
	q := raw[0]
	stripped := raw[len(raw)-1] == q
	switch {
	case len(p.parts) > 1 && !stripped:
		p.warnValue(p.keyLine, CodeQuotes, fmt.Sprintf("oslo.config strips quotes only when they enclose the first line of a value: "+
			"the %c on line %d and any on the continuation lines (to line %d) stay in the value", q, p.keyLine, end), false, "")
	case len(p.parts) > 1:
		p.warnValue(p.keyLine, CodeQuotes, fmt.Sprintf("oslo.config strips the quotes of the first line only: the continuation lines "+
			"(to line %d) are outside them, and any quotes on them stay", end), false, "")
	case !stripped:
		p.warnValue(p.keyLine, CodeQuotes, fmt.Sprintf("the value starts with %c but does not end with it: oslo.config keeps the quote", q), false, "")
	case len(raw) > 1 && strings.IndexByte(raw[1:len(raw)-1], q) >= 0:
		p.warnValue(p.keyLine, CodeQuotes, fmt.Sprintf("oslo.config removes only the first and the last %c: the ones inside stay in the value", q), false, "")
	case len(raw) == 1:
		p.warnValue(p.keyLine, CodeQuotes, fmt.Sprintf("a lone %c: oslo.config strips it as if it were a pair, leaving an empty value", q), false, "")
	}
}

// splitLine returns the first line of data without its terminator, the
// rest, and whether it ended in a lone "\r". Python's universal newlines:
// "\n", "\r\n" and "\r" end a line; nothing else does ("\v", "\f",
// U+2028 and the others str.splitlines knows stay in the line).
func splitLine(data []byte) (line, rest []byte, loneCR bool) {
	for i, c := range data {
		switch c {
		case '\n':
			return data[:i], data[i+1:], false
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				return data[:i], data[i+2:], false
			}
			return data[:i], data[i+1:], true
		}
	}
	return data, nil, false
}

// invalidUTF8Line returns the line (universal newlines) of the first byte
// that is not UTF-8.
func invalidUTF8Line(data []byte) int {
	line := 1
	for rest := data; len(rest) > 0; line++ {
		l, next, _ := splitLine(rest)
		if !utf8.Valid(l) {
			return line
		}
		rest = next
	}
	return line
}

// physicalLine returns line n (1-based, universal newlines) of data.
func physicalLine(data []byte, n int) string {
	rest := data
	for i := 1; len(rest) > 0; i++ {
		l, next, _ := splitLine(rest)
		if i == n {
			return string(l)
		}
		rest = next
	}
	return ""
}

// pyIsSpace is Python's str.isspace for one character: Unicode White_Space
// (what unicode.IsSpace reports) plus U+001C..U+001F, which Python counts
// as separators. strip(), lstrip() and rstrip() without arguments strip
// these.
func pyIsSpace(r rune) bool {
	switch {
	case r == ' ' || '\t' <= r && r <= '\r' || 0x1c <= r && r <= 0x1f:
		return true
	case r < 0x80:
		return false
	}
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}

// startsWithOtherSpace reports whether a line starts with whitespace that
// Python strips but oslo.config does not take as indentation (only space
// and tab are): a non-breaking space pasted from a web page, say.
func startsWithOtherSpace(line string) bool {
	r, _ := utf8.DecodeRuneInString(line)
	return r != ' ' && r != '\t' && pyIsSpace(r)
}

func otherSpaceHint(line string) string {
	r, _ := utf8.DecodeRuneInString(line)
	return fmt.Sprintf("the line starts with %U, which oslo.config does not take as indentation (only spaces and tabs are): "+
		"it is not a continuation line", r)
}

// inlineComment returns where something that looks like an inline comment
// starts ("#" or ";" after a space or tab, outside a double-quoted string,
// so that a JSON alias named "gpu #1" is not one), or -1.
func inlineComment(s string) int {
	inString := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inString:
			i++
		case c == '"':
			inString = !inString
		case (c == '#' || c == ';') && !inString && i > 0 && (s[i-1] == ' ' || s[i-1] == '\t'):
			return i
		}
	}
	return -1
}

// isControl reports the characters that do not belong in a configuration
// value: C0 controls but tab, DEL, and C1 controls.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f || 0x80 <= r && r < 0xa0
}

// substitutes reports whether oslo.config's string.Template would
// substitute something in s: "$" followed by an identifier ([_a-z],
// case-insensitive) or "{", not escaped as "$$" (oslo.config also reads
// "\$" as "$$").
func substitutes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '$' {
			i++
			continue
		}
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		switch c := s[i+1]; {
		case c == '$':
			i++
		case c == '{' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			return true
		}
	}
	return false
}

// normalizeGroup is cfg._normalize_group_name.
func normalizeGroup(g string) string {
	if g == "DEFAULT" {
		return g
	}
	return pyLower(g)
}

// pyLower is Python's str.lower as far as it matters here: strings.ToLower,
// except that U+0130 (İ) becomes "i\u0307" in Python, where Go gives a
// plain "i" that would make [PCİ] the group pci. (Python's other
// differences, such as a final sigma, never produce an ASCII name, so they
// cannot make a section match a nova group.)
func pyLower(s string) string {
	if strings.ContainsRune(s, '\u0130') {
		s = strings.ReplaceAll(s, "\u0130", "i\u0307")
	}
	return strings.ToLower(s)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
