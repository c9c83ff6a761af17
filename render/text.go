package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/report"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

type textWriter struct {
	w     io.Writer
	opts  Options
	width int
	err   error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) paint(color, s string) string {
	if !t.opts.Color {
		return s
	}
	return color + s + ansiReset
}

// Text writes the report for people, like virt-host-validate: one line per
// check grouped by section, findings with their remediation under it, and
// a summary line. It fits in 80 columns.
func Text(w io.Writer, r report.Report, opts Options) error {
	t := &textWriter{w: w, opts: opts, width: opts.Width}
	if t.width <= 0 {
		t.width = 80
	}
	t.header(r)
	findings := map[string][]report.Finding{}
	for _, f := range r.Findings {
		findings[f.ID] = append(findings[f.ID], f)
	}
	for _, section := range checks.Sections {
		var in []report.CheckResult
		for _, c := range r.Checks {
			if strings.HasPrefix(c.ID, section.Prefix) {
				in = append(in, c)
			}
		}
		if len(in) == 0 {
			continue
		}
		t.printf("\n%s\n", t.paint(ansiBold, section.Title))
		for _, c := range foldSkipped(in) {
			t.check(c, findings[c.ID])
		}
	}
	t.notes(r)
	t.summary(r)
	return t.err
}

func (t *textWriter) header(r report.Report) {
	title := "gpupass " + r.Command
	if r.Host != nil {
		title += ": " + orUnknown(r.Host.Hostname)
	} else if r.Drift != nil {
		title += ": " + orUnknown(r.Drift.Current.Hostname)
	}
	if r.NovaRelease != "" {
		title += " (Nova " + r.NovaRelease + " rules)"
	}
	t.printf("%s\n", t.paint(ansiBold, title))
	if h := r.Host; h != nil {
		var facts []string
		if h.Kernel.Release != "" {
			facts = append(facts, "kernel "+h.Kernel.Release)
		}
		if h.CPU.Model != "" {
			facts = append(facts, h.CPU.Model)
		}
		facts = append(facts, prose.Plural(len(h.Devices), "PCI function"), prose.Plural(h.IOMMU.Groups, "IOMMU group"))
		if h.NUMANodes > 0 {
			facts = append(facts, prose.Plural(h.NUMANodes, "NUMA node"))
		}
		t.printf("%s", wrap(strings.Join(facts, ", "), "", "", t.width))
	}
	if d := r.Drift; d != nil {
		t.driftSide("baseline", d.Baseline)
		if r.Host == nil {
			t.driftSide("current", d.Current)
		}
	}
	for _, c := range []*report.ConfReport{r.NovaConf, r.APIConf} {
		if c == nil {
			continue
		}
		var files []string
		for _, f := range c.Files {
			files = append(files, f.Path)
		}
		label := "nova.conf"
		if c.Role == "api" {
			label = "--api-conf"
		}
		layout := ""
		if c.Layout != "" && c.Layout != "given" {
			layout = " (" + c.Layout + " layout)"
		}
		// What this user could not read, and why: not broken, unknown.
		var unread []string
		for _, u := range c.Unreadable {
			unread = append(unread, u.Path+" ("+u.Reason+")")
		}
		line := label + ": " + strings.Join(files, ", ") + layout
		switch {
		case len(files) == 0 && len(unread) > 0:
			line = label + ": not readable as this user: " + strings.Join(unread, ", ") + layout + "; run as root to check it"
		case len(unread) > 0:
			line += "; not readable as this user: " + strings.Join(unread, ", ")
		case len(files) == 0:
			line = label + ": (no file could be read)" + layout
		}
		t.printf("%s", wrap(line, "", "  ", t.width))
	}
}

// foldSkipped makes one line of the checks of a section skipped for the
// same reason, when there are three or more of them: the drift checks
// without --baseline are "GP501-GP510 (10 checks)", the nova.conf checks
// of a host without one "GP301-GP310, GP312-GP314 (13 checks)". The line
// takes the place of the first of them; JSON lists every check.
func foldSkipped(cs []report.CheckResult) []report.CheckResult {
	const least = 3
	byReason := map[string][]int{}
	for i, c := range cs {
		if c.Status == report.StatusSkip {
			byReason[c.Reason] = append(byReason[c.Reason], i)
		}
	}
	var out []report.CheckResult
	for i, c := range cs {
		at := byReason[c.Reason]
		if c.Status != report.StatusSkip || len(at) < least {
			out = append(out, c)
			continue
		}
		if at[0] != i {
			continue // folded into the line of the first
		}
		// Runs of neighbours in the section are ranges.
		var ranges []string
		for start := 0; start < len(at); {
			end := start
			for end+1 < len(at) && at[end+1] == at[end]+1 {
				end++
			}
			r := cs[at[start]].ID
			if end > start {
				r += "-" + cs[at[end]].ID
			}
			ranges = append(ranges, r)
			start = end + 1
		}
		out = append(out, report.CheckResult{
			ID:     strings.Join(ranges, ", "),
			Name:   fmt.Sprintf("(%d checks)", len(at)),
			Status: report.StatusSkip,
			Reason: c.Reason,
		})
	}
	return out
}

// driftSide says which report one side of a drift comparison is.
func (t *textWriter) driftSide(label string, s report.DriftSide) {
	var facts []string
	for _, f := range []string{s.Hostname, s.GeneratedAt} {
		if f != "" {
			facts = append(facts, f)
		}
	}
	if s.Kernel != "" {
		facts = append(facts, "kernel "+s.Kernel)
	}
	if s.NovaVersion != "" {
		facts = append(facts, "Nova "+s.NovaVersion)
	}
	line := label + ": " + s.Path
	if len(facts) > 0 {
		line += " (" + strings.Join(facts, ", ") + ")"
	}
	t.printf("%s", wrap(line, "", "  ", t.width))
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown host)"
	}
	return s
}

// check writes a check's line and its findings.
func (t *textWriter) check(c report.CheckResult, findings []report.Finding) {
	var errors, warnings, infos int
	for _, f := range findings {
		switch f.Severity {
		case report.Error:
			errors++
		case report.Warning:
			warnings++
		case report.Info:
			infos++
		}
	}
	word, color, detail := "PASS", ansiGreen, ""
	switch {
	case c.Status == report.StatusSkip:
		word, color, detail = "SKIP", ansiDim, c.Reason
	case errors > 0:
		word, color, detail = "FAIL", ansiRed, counts(errors, warnings, infos)
	case warnings > 0:
		word, color, detail = "WARN", ansiYellow, counts(errors, warnings, infos)
	case infos > 0:
		word, color, detail = "INFO", ansiCyan, counts(errors, warnings, infos)
	}
	label := "  " + c.ID + " " + c.Name + " "
	status := word
	if detail != "" {
		status += " (" + detail + ")"
	}
	// Dots lead the eye to the status, which ends at the right margin when
	// it fits there; a long reason goes on its own lines, and so does one
	// with parentheses of its own (never "SKIP (needs X (Y))").
	const statusColumn = 36
	dots := statusColumn - utf8.RuneCountInString(label)
	if dots < 3 {
		dots = 3
	}
	line := label + strings.Repeat(".", dots) + " "
	if utf8.RuneCountInString(line+status) <= t.width && !strings.Contains(detail, "(") {
		t.printf("%s%s\n", line, t.paint(color, word)+strings.TrimPrefix(status, word))
	} else {
		t.printf("%s%s\n", line, t.paint(color, word))
		if detail != "" {
			t.printf("%s", wrap(detail, "      ", "      ", t.width))
		}
	}
	t.findings(findings)
}

func counts(errors, warnings, infos int) string {
	var parts []string
	add := func(n int, word string) {
		if n > 0 {
			parts = append(parts, prose.Plural(n, word))
		}
	}
	add(errors, "error")
	add(warnings, "warning")
	add(infos, "info")
	return strings.Join(parts, ", ")
}

// findingMessage writes a finding's severity, message and source; its
// remediation is written by findings, once for the findings that share it.
func (t *textWriter) findingMessage(f report.Finding) {
	label, color := "error", ansiRed
	switch f.Severity {
	case report.Warning:
		label, color = "warning", ansiYellow
	case report.Info:
		label, color = "info", ansiCyan
	}
	const indent = "      "
	first := "    " + label + ": "
	text := wrap(f.Message, first, indent, t.width)
	if t.opts.Color {
		text = strings.Replace(text, label+":", t.paint(color, label+":"), 1)
	}
	t.printf("%s", text)
	if f.Source != "" {
		t.printf("%s", wrap("at "+f.Source, indent, indent, t.width))
	}
}

// maxNotes bounds the notes shown in text; JSON has them all.
const maxNotes = 10

func (t *textWriter) notes(r report.Report) {
	if r.Host == nil || len(r.Host.Notes) == 0 {
		return
	}
	groups := groupNotes(r.Host.Notes)
	t.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("Could not read (%d)", len(r.Host.Notes))))
	for i, g := range groups {
		if i == maxNotes {
			t.printf("  ... and more (--format json lists them all under host.notes)\n")
			break
		}
		line := g.path + ": " + g.message
		if g.count > 1 {
			line = fmt.Sprintf("%s: %s (%d devices)", g.path, g.message, g.count)
		}
		t.printf("%s", wrap(line, "  ", "    ", t.width))
	}
}

type noteGroup struct {
	path, message string
	count         int
}

// groupNotes folds the same note about many PCI devices (a capture without
// resource files, say) into one line with a * for the address.
func groupNotes(notes []report.Note) []noteGroup {
	const devices = "/sys/bus/pci/devices/"
	var out []noteGroup
	index := map[string]int{}
	for _, n := range notes {
		pattern := n.Path
		if rest, ok := strings.CutPrefix(pattern, devices); ok {
			if _, file, ok := strings.Cut(rest, "/"); ok {
				pattern = devices + "*/" + file
			}
		}
		key := pattern + "\x00" + n.Message
		if i, ok := index[key]; ok {
			out[i].count++
			out[i].path = pattern
			continue
		}
		index[key] = len(out)
		out = append(out, noteGroup{path: n.Path, message: n.Message, count: 1})
	}
	return out
}

func (t *textWriter) summary(r report.Report) {
	var pass, fail, skip int
	for _, c := range r.Checks {
		switch c.Status {
		case report.StatusPass:
			pass++
		case report.StatusFail:
			fail++
		case report.StatusSkip:
			skip++
		}
	}
	findings := counts(r.Summary.Errors, r.Summary.Warnings, r.Summary.Infos)
	if findings == "" {
		findings = "no findings"
	}
	line := fmt.Sprintf("Summary: %s; checks: %d passed, %d failed, %d skipped.", findings, pass, fail, skip)
	color := ansiGreen
	if r.Summary.Errors > 0 {
		color = ansiRed
	} else if r.Summary.Warnings > 0 {
		color = ansiYellow
	}
	t.printf("\n%s", t.paint(color, strings.TrimSuffix(wrap(line, "", "  ", t.width), "\n"))+"\n")
}

// wrap breaks text into lines of at most width columns: the first line
// starts with first, the others with rest. Words longer than a line (a
// path, a command) are not broken, except a comma-separated list (the
// addresses Nova's messages join with ","), which is broken after its
// commas. Every line ends with a newline.
func wrap(text, first, rest string, width int) string {
	var b strings.Builder
	room := width - utf8.RuneCountInString(rest)
	for pi, paragraph := range strings.Split(text, "\n") {
		prefix := first
		if pi > 0 {
			prefix = rest
		}
		line := prefix
		lineLen := utf8.RuneCountInString(prefix)
		empty := true
		var words []string
		for _, word := range strings.Fields(paragraph) {
			words = append(words, splitList(word, room)...)
		}
		for _, word := range words {
			n := utf8.RuneCountInString(word)
			if !empty && lineLen+1+n > width {
				b.WriteString(line + "\n")
				line, lineLen, empty = rest, utf8.RuneCountInString(rest), true
			}
			if !empty {
				line += " "
				lineLen++
			}
			line += word
			lineLen += n
			empty = false
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// splitList breaks a word longer than room columns after its commas into
// pieces of at most room columns (a piece without a comma stays whole).
func splitList(word string, room int) []string {
	if room <= 0 || utf8.RuneCountInString(word) <= room || !strings.Contains(word, ",") {
		return []string{word}
	}
	var out []string
	piece := ""
	for _, item := range strings.SplitAfter(word, ",") {
		if piece != "" && utf8.RuneCountInString(piece+item) > room {
			out = append(out, piece)
			piece = ""
		}
		piece += item
	}
	return append(out, piece)
}
