package generate

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// doc is a document being written: comments, configuration lines and
// commands. Commands go through run, which renders them shell-quoted
// and keeps them, so that tests can hold every printed command to the
// words it was meant to have.
type doc struct {
	b    strings.Builder
	cmds []Line
}

// line writes text as it is (configuration, data), with a newline.
func (d *doc) line(text string) {
	d.b.WriteString(text + "\n")
}

// text writes text that already ends in newlines.
func (d *doc) text(text string) {
	d.b.WriteString(text)
}

// blank writes an empty line.
func (d *doc) blank() { d.b.WriteString("\n") }

// Width is the widest a comment line of a document gets, in characters:
// comments wrap at it. Commands and configuration lines are never
// wrapped: they must stay whole to work.
const Width = 80

// comment writes text as comment lines of at most Width characters,
// wrapped between words: first starts the first line and rest the others
// (each "#" and an indent). A word too long for a line of its own is cut.
// Control characters, which would end the comment or drive the terminal,
// are written escaped (\x1b).
func (d *doc) comment(first, rest, text string) {
	line, empty := first, true
	flush := func() {
		d.b.WriteString(strings.TrimRight(line, " ") + "\n")
		line, empty = rest, true
	}
	for _, w := range strings.Fields(escapeControls(text)) {
		if !empty && columns(line)+1+columns(w) > Width {
			flush()
		}
		for room := Width - columns(line); columns(w) > room && room > 0 && empty; room = Width - columns(line) {
			cut := cutWord(w, room)
			line += cut
			w = w[len(cut):]
			flush()
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	d.b.WriteString(strings.TrimRight(line, " ") + "\n")
}

// note writes a comment whose lines all start "# ".
func (d *doc) note(text string) { d.comment("# ", "# ", text) }

// columns counts the characters of s.
func columns(s string) int { return utf8.RuneCountInString(s) }

// cutAt is the longest prefix of s of at most n characters.
func cutAt(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// pciAddress is a PCI address as sysfs writes it, or its bus:device.function.
var pciAddress = regexp.MustCompile(`([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]`)

// cutWord is where a word too long for a line is cut, at most n
// characters: after its last comma that fits (a list of addresses breaks
// between items), else never inside a PCI address (the cut moves before
// it), else at n.
func cutWord(w string, n int) string {
	cut := cutAt(w, n)
	if len(cut) == len(w) {
		return cut
	}
	if i := strings.LastIndexByte(cut, ','); i > 0 {
		return cut[:i+1]
	}
	for _, m := range pciAddress.FindAllStringIndex(w, -1) {
		if m[0] < len(cut) && len(cut) < m[1] && m[0] > 0 {
			return cut[:m[0]]
		}
	}
	return cut
}

// escapeControls writes the control characters of s (and Unicode's line
// and paragraph separators) as Go escapes, spaces and tabs apart.
func escapeControls(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
			b.WriteRune(' ')
		case isControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }

// run writes commands on one line, joined with &&.
func (d *doc) run(cmds ...Command) {
	l := Line(cmds)
	d.cmds = append(d.cmds, l)
	d.b.WriteString(l.String() + "\n")
}

// add writes a docLine: a comment or a command.
func (d *doc) add(l docLine) {
	if l.cmd != nil {
		d.run(l.cmd...)
		return
	}
	d.comment(l.first, l.rest, l.text)
}

func (d *doc) String() string { return d.b.String() }

// docLine is a line of a document: a comment (wrapped as doc.comment
// does) or a command.
type docLine struct {
	first, rest, text string
	cmd               Line
}

// remark is a comment line for doc.add.
func remark(first, rest, text string) docLine { return docLine{first: first, rest: rest, text: text} }

// run is a command line for doc.add.
func run(cmds ...Command) docLine { return docLine{cmd: Line(cmds)} }

// String is the line unwrapped: the command, or the comment on one line.
func (l docLine) String() string {
	if l.cmd != nil {
		return l.cmd.String()
	}
	return l.first + l.text
}
