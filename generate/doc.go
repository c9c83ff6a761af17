package generate

import "strings"

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

// wrapped writes a comment, wrapped: first starts its first line and
// rest the others (both "#" and an indent).
func (d *doc) wrapped(first, rest, text string) {
	line := first
	for i, w := range strings.Fields(text) {
		if i > 0 && len(line)+1+len(w) > 96 {
			d.b.WriteString(line + "\n")
			line = rest + w
			continue
		}
		if i > 0 {
			line += " "
		}
		line += w
	}
	d.b.WriteString(line + "\n")
}

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
	d.line(l.comment)
}

func (d *doc) String() string { return d.b.String() }

// docLine is a line of a document: a comment or a command.
type docLine struct {
	comment string
	cmd     Line
}

func (l docLine) text() string {
	if l.cmd != nil {
		return l.cmd.String()
	}
	return l.comment
}

func comment(s string) docLine    { return docLine{comment: s} }
func run(cmds ...Command) docLine { return docLine{cmd: Line(cmds)} }
