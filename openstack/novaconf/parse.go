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
	// line, "$name" substitution not applied.
	Text string
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
}

// String formats a Problem as "file:line: severity: message".
func (p Problem) String() string {
	s := p.Source.String() + ": " + p.Severity + ": " + p.Message
	if p.Line != "" {
		s += ": " + strconv.Quote(p.Line)
	}
	return s
}

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
	p := &parser{file: &File{Name: name, index: map[Name][]int{}}}
	p.run(data)
	// In line order: the UTF-8 error is recorded last, and a repeated-key
	// warning names an earlier line.
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Source.Line < p.problems[j].Source.Line })
	return p.file, p.problems
}

type parser struct {
	file     *File
	problems []Problem

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

	seen  map[Name]seenKey // the last single-valued key of each name, for repeated-key
	ended endedBy          // what ended the last value, for an unexpected continuation
	done  bool
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
		return fmt.Sprintf("the blank line %d ended the value of %s", e.line, e.key)
	case "comment":
		return fmt.Sprintf("the comment on line %d ended the value of %s (comments cannot sit inside a value)", e.line, e.key)
	case "section":
		return fmt.Sprintf("the section header on line %d opens no value", e.line)
	}
	return ""
}

type seenKey struct {
	line int
	text string
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

// problem records a Problem; the first error is the file's Err.
func (p *parser) problem(pr Problem) {
	p.problems = append(p.problems, pr)
	if pr.Severity == SeverityError && p.file.Err == nil {
		p.file.Err = &pr
	}
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
			"["+p.section+"] is a group called \"default\", which nova never reads, so every option under it is ignored", raw)
	case strings.TrimFunc(p.section, pyIsSpace) == "":
		p.warn(p.lineNo, CodeSectionSpace, "the section name is only blanks: no nova group has that name, so every option under it is ignored", raw)
	case strings.TrimFunc(p.section, pyIsSpace) != p.section:
		p.warn(p.lineNo, CodeSectionSpace, fmt.Sprintf("the section name has spaces around it: oslo.config looks for [%s], not [%s]",
			strings.TrimFunc(p.group, pyIsSpace), p.section), raw)
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
	text := p.parts[0]
	if len(p.parts) > 1 {
		text = strings.Join(p.parts, "\n")
	}
	end := p.keyLine + len(p.parts) - 1
	p.checkQuotes(end)
	v := Value{Group: p.group, Section: p.section, Name: p.key, Text: text, Source: Source{p.file.Name, p.keyLine}, EndLine: end}
	k := Name{Group: v.Group, Name: v.Name}
	if !multiValued[k] {
		if p.seen == nil {
			p.seen = map[Name]seenKey{}
		}
		if prev, ok := p.seen[k]; ok {
			p.warn(prev.line, CodeRepeatedKey, fmt.Sprintf("[%s]%s is set again on line %d of this file; it is single-valued, so oslo.config uses only the last value",
				v.Group, v.Name, v.Source.Line), prev.text)
		}
		p.seen[k] = seenKey{v.Source.Line, p.keyText}
	}
	p.file.index[k] = append(p.file.index[k], len(p.file.Values))
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
			p.warn(p.lineNo, CodeKeyMalformed, msg, raw)
			return
		}
	}
	if strings.ToLower(key) != key {
		p.warn(p.lineNo, CodeKeyCase, fmt.Sprintf("option names are case-sensitive and nova's are lower case: oslo.config does not read %q as %q",
			key, strings.ToLower(key)), raw)
	}
}

// checkValueLine warns about what oslo.config keeps in a value that its
// author probably did not mean to: comments, backslashes, control
// characters, $ substitutions.
func (p *parser) checkValueLine(s string, cont bool) {
	if cont && (s[0] == '#' || s[0] == ';') {
		p.warnValue(p.lineNo, CodeIndentedComment, "this indented line continues the value of "+p.key+
			": oslo.config has no indented comments, so it is part of the value", cont, s)
	} else if i := inlineComment(s); i >= 0 {
		what := strconv.Quote(clip(s[i:], 40))
		if p.secret {
			what = "what follows " + string(s[i])
		}
		p.warnValue(p.lineNo, CodeInlineComment, fmt.Sprintf("oslo.config has no inline comments: %s is part of the value of %s",
			what, p.key), cont, s)
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
