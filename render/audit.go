package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/report"
)

// AuditText writes an audit for people: one block per GPU flavor, its
// verdict first, its findings under it; then the findings about the cloud
// as a whole, the checks that could not run, and a summary line.
func AuditText(w io.Writer, r report.Report, opts Options) error {
	t := &textWriter{w: w, opts: opts, width: opts.Width}
	if t.width <= 0 {
		t.width = 80
	}
	a := r.Audit
	title := "gpupass audit"
	if a != nil && a.Cloud != nil {
		who := a.Cloud.AuthURL
		if a.Cloud.Project != "" {
			who = a.Cloud.User + " in " + a.Cloud.Project + " at " + who
		}
		if a.Cloud.Region != "" {
			who += " (" + a.Cloud.Region + ")"
		}
		title += ": " + who
	}
	t.printf("%s", wrap(t.paint(ansiBold, title), "", "  ", t.width+boldSlack(t)))
	// The release and why it applies on a line of their own: the reason
	// may hold parentheses of its own, and never nests in the title's.
	if r.NovaRelease != "" {
		rules := "Nova " + r.NovaRelease + " rules"
		if a != nil && a.NovaReleaseFrom != "" {
			rules += ": " + a.NovaReleaseFrom
		}
		t.printf("%s", wrap(rules, "", "  ", t.width))
	}
	byFlavor := map[string][]report.Finding{}
	var general []report.Finding
	for _, f := range r.Findings {
		if f.Subject.Kind == "flavor" {
			byFlavor[f.Subject.Ref] = append(byFlavor[f.Subject.Ref], f)
		} else {
			general = append(general, f)
		}
	}
	if a != nil {
		facts := fmt.Sprintf("%s, %d with GPUs (%d bootable); %s", prose.Plural(a.Counts.Flavors, "flavor"), a.Counts.GPUFlavors, a.Counts.Bootable, prose.Plural(a.Counts.Hosts, "host report"))
		if a.AliasesFrom != "" {
			facts += "; aliases from " + a.AliasesFrom
		}
		t.printf("%s", wrap(facts, "", "  ", t.width))
		for _, g := range a.Incomplete {
			t.printf("%s", wrap(t.paint(ansiYellow, "incomplete:")+" "+g.Part+": "+g.Reason, "", "  ", t.width+colorSlack(t)))
		}
		if len(a.Flavors) > 0 {
			t.printf("\n%s\n", t.paint(ansiBold, "GPU flavors"))
		}
		for _, f := range a.Flavors {
			asks := f.Alias
			if f.Resources != "" {
				asks = strings.TrimPrefix(asks+", "+f.Resources, ", ")
			}
			head := fmt.Sprintf("%s (%s, %s, %s RAM)", f.Name, asks, prose.Plural(f.VCPUs, "vCPU"), humanSize(uint64(f.RAMMB)<<20))
			t.printf("%s", wrap(head, "  ", "      ", t.width))
			color := ansiGreen
			if !f.Bootable {
				color = ansiRed
				if strings.HasPrefix(f.Verdict, "unknown") {
					color = ansiYellow
				}
			}
			t.printf("%s", wrap(t.paint(color, f.Verdict), "    ", "      ", t.width+colorSlack(t)))
			var shown []report.Finding
			for _, finding := range byFlavor[f.Name] {
				if finding.ID != "GP407" { // its message is the verdict's
					shown = append(shown, finding)
				}
			}
			t.findings(shown)
			delete(byFlavor, f.Name)
		}
	}
	// Findings about flavors that ask for no GPU (an invalid NUMA policy on
	// one, say), then about the cloud.
	// In the report's order, not the map's.
	for _, f := range r.Findings {
		if _, left := byFlavor[f.Subject.Ref]; left && f.Subject.Kind == "flavor" {
			general = append(general, f)
		}
	}
	if len(general) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Cloud"))
		t.findings(general)
	}
	// Checks skipped for one reason are one line, as in preflight's text;
	// folded over every check, so that a range never spans one that ran.
	var skipped []report.CheckResult
	for _, c := range foldSkipped(r.Checks) {
		if c.Status == report.StatusSkip {
			skipped = append(skipped, c)
		}
	}
	if len(skipped) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Not checked"))
		for _, c := range skipped {
			t.printf("%s", wrap(c.ID+" "+c.Name+": "+c.Reason, "  ", "    ", t.width))
		}
	}
	t.summary(r)
	return t.err
}

// boldSlack lets a bold line be as long as a plain one.
func boldSlack(t *textWriter) int {
	if t.opts.Color {
		return len(ansiBold) + len(ansiReset)
	}
	return 0
}
