package render

import (
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/report"
)

// The text output folds what repeats, so that eight GPUs with the same
// large BAR read as one finding naming the eight, not forty lines saying
// the same thing. JSON keeps one finding per subject; only the text folds.
//
// Two levels:
//   - findings of one check whose messages differ only by their subject
//     (the subject's ref replaced, the severity, source and remediation
//     the same) are one entry: the first message as written, then every
//     subject, bounded by maxSubjects;
//   - entries with the same remediation are written together and the fix
//     once, after the last of them.

// maxSubjects bounds the subjects a folded finding lists: more than the
// GPUs of the largest nodes (16), so that on a GPU node every device
// concerned is named; a host with thousands of functions gets "and N more"
// and --format json for the rest.
const maxSubjects = 16

// findingEntry is one or more findings shown as one.
type findingEntry struct {
	first    report.Finding
	subjects []string // distinct refs, in order
	count    int      // findings folded into it
}

// findingCluster is entries that share a remediation, shown together with
// the fix once.
type findingCluster struct {
	entries []*findingEntry
	count   int
}

// foldFindings folds a list of findings for text, in the order of their
// first appearance.
func foldFindings(findings []report.Finding) []*findingCluster {
	var entries []*findingEntry
	byKey := map[string]*findingEntry{}
	for _, f := range findings {
		key := strings.Join([]string{f.ID, string(f.Severity), f.Subject.Kind, withoutSubject(f.Message, f.Subject.Ref), f.Remediation, f.Source}, "\x00")
		e := byKey[key]
		if e == nil {
			e = &findingEntry{first: f}
			byKey[key] = e
			entries = append(entries, e)
		}
		e.count++
		if !containsString(e.subjects, f.Subject.Ref) {
			e.subjects = append(e.subjects, f.Subject.Ref)
		}
	}
	var clusters []*findingCluster
	byFix := map[string]*findingCluster{}
	for _, e := range entries {
		f := e.first
		var c *findingCluster
		if f.Remediation != "" {
			key := f.ID + "\x00" + f.Remediation
			c = byFix[key]
			if c == nil {
				c = &findingCluster{}
				byFix[key] = c
				clusters = append(clusters, c)
			}
		} else {
			c = &findingCluster{}
			clusters = append(clusters, c)
		}
		c.entries = append(c.entries, e)
		c.count += e.count
	}
	return clusters
}

// withoutSubject is a message with its subject's ref replaced, so that
// messages about different subjects compare equal when only the subject
// differs.
func withoutSubject(message, ref string) string {
	if ref == "" {
		return message
	}
	return strings.ReplaceAll(message, ref, "\x01")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// subjectNoun names n subjects of a kind: "8 devices", "2 aliases".
func subjectNoun(n int, kind string) string {
	switch kind {
	case "device":
		return prose.Plural(n, "device")
	case "group":
		return prose.Plural(n, "IOMMU group")
	case "option":
		return prose.Plural(n, "option")
	case "alias":
		return prose.PluralOf(n, "alias", "aliases")
	case "flavor":
		return prose.Plural(n, "flavor")
	case "host":
		return prose.Plural(n, "host")
	case "file":
		return prose.Plural(n, "file")
	case "mdev":
		return prose.Plural(n, "mediated device")
	case "mdev-type":
		return prose.Plural(n, "mdev type")
	}
	return prose.Plural(n, "subject")
}

// findings writes a check's findings, folded.
func (t *textWriter) findings(findings []report.Finding) {
	const indent = "      "
	for _, c := range foldFindings(findings) {
		for _, e := range c.entries {
			t.findingMessage(e.first)
			if len(e.subjects) > 1 {
				line := "same for " + subjectNoun(len(e.subjects), e.first.Subject.Kind) + ": " + prose.ListUpTo(e.subjects, maxSubjects, ", ")
				if len(e.subjects) > maxSubjects {
					line += " (--format json lists each)"
				}
				t.printf("%s", wrap(line, indent, indent+"     ", t.width))
			}
		}
		if rem := c.entries[0].first.Remediation; rem != "" {
			label := "fix: "
			if len(c.entries) > 1 {
				label = "fix (all " + strconv.Itoa(c.count) + " above): "
			}
			t.printf("%s", wrap(label+rem, indent, indent+"     ", t.width))
		}
	}
}
