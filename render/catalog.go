package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/checks"
)

// CatalogEntry is a check's documentation as JSON.
type CatalogEntry struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Severity string   `json:"severity"`
	Needs    []string `json:"needs"`
	Summary  string   `json:"summary"`
	Why      string   `json:"why"`
	Fix      string   `json:"fix"`
	Links    []string `json:"links"`
}

// CatalogJSON writes the catalog (or one check) as JSON.
func CatalogJSON(w io.Writer, catalog []*checks.Check) error {
	entries := make([]CatalogEntry, 0, len(catalog))
	for _, c := range catalog {
		needs := make([]string, len(c.Needs))
		for i, n := range c.Needs {
			needs[i] = string(n)
		}
		entries = append(entries, CatalogEntry{c.ID, c.Name, string(c.Severity), needs, c.Doc.Summary, c.Doc.Why, c.Doc.Fix, c.Doc.Links})
	}
	return JSON(w, entries)
}

// CatalogList writes one line per check.
func CatalogList(w io.Writer, catalog []*checks.Check, opts Options) error {
	t := &textWriter{w: w, opts: opts, width: 80}
	for _, section := range checks.Sections {
		first := true
		for _, c := range catalog {
			if !strings.HasPrefix(c.ID, section.Prefix) {
				continue
			}
			if first {
				t.printf("\n%s\n", t.paint(ansiBold, section.Title))
				first = false
			}
			t.printf("  %s %s (%s)\n", c.ID, c.Name, c.Severity)
			t.printf("%s", wrap(c.Doc.Summary, "        ", "        ", t.width))
		}
	}
	t.printf("\n%s", wrap("gpupass checks ID explains one check.", "", "", t.width))
	return t.err
}

// CatalogDoc writes one check's documentation.
func CatalogDoc(w io.Writer, c *checks.Check, opts Options) error {
	t := &textWriter{w: w, opts: opts, width: 80}
	t.printf("%s\n", t.paint(ansiBold, c.ID+" "+c.Name)+" ("+string(c.Severity)+")")
	t.printf("\n%s", wrap(c.Doc.Summary, "", "", t.width))
	t.printf("\n%s\n%s", t.paint(ansiBold, "Why it matters"), wrap(c.Doc.Why, "  ", "  ", t.width))
	t.printf("\n%s\n%s", t.paint(ansiBold, "How to fix it"), wrap(c.Doc.Fix, "  ", "  ", t.width))
	if len(c.Doc.Links) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "See"))
		for _, l := range c.Doc.Links {
			t.printf("  %s\n", l)
		}
	}
	return t.err
}

// CatalogMarkdown writes docs/checks.md.
func CatalogMarkdown(w io.Writer, catalog []*checks.Check) error {
	var b strings.Builder
	b.WriteString("# gpupass checks\n\n")
	b.WriteString("Generated from the catalog in `checks/` by `go test ./render -run TestCatalogMarkdown -update`; do not edit by hand.\n")
	b.WriteString("IDs and names are stable: scripts may depend on them. `gpupass checks ID` shows the same text.\n")
	for _, section := range checks.Sections {
		first := true
		for _, c := range catalog {
			if !strings.HasPrefix(c.ID, section.Prefix) {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n## %s\n\n| ID | name | severity | finds |\n|---|---|---|---|\n", section.Title)
				for _, c2 := range catalog {
					if strings.HasPrefix(c2.ID, section.Prefix) {
						fmt.Fprintf(&b, "| [%s](#%s) | `%s` | %s | %s |\n", c2.ID, strings.ToLower(c2.ID+"-"+c2.Name), c2.Name, c2.Severity, c2.Doc.Summary)
					}
				}
				first = false
			}
			fmt.Fprintf(&b, "\n### %s %s\n\n%s\n\n**Severity:** %s. **Needs:** %s.\n\n**Why it matters.** %s\n\n**How to fix it.** %s\n", c.ID, c.Name, c.Doc.Summary, c.Severity, needsList(c), c.Doc.Why, c.Doc.Fix)
			if len(c.Doc.Links) > 0 {
				b.WriteString("\n**See:** ")
				for i, l := range c.Doc.Links {
					if i > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "<%s>", l)
				}
				b.WriteString("\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func needsList(c *checks.Check) string {
	var s []string
	for _, n := range c.Needs {
		s = append(s, string(n))
	}
	return strings.Join(s, ", ")
}
