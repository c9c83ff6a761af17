package render

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// The audit's header names the release on a line of its own, with its
// reason unbracketed: a reason with parentheses of its own never nests.
func TestAuditHeaderNamesTheReleaseWithoutNesting(t *testing.T) {
	r := report.Report{Command: "audit", NovaRelease: "2026.1", Audit: &report.AuditReport{
		Cloud:           &report.AuditCloud{AuthURL: "http://keystone:5000/v3", Region: "RegionOne", Project: "admin", User: "admin"},
		NovaReleaseFrom: "the newest known release, as the compute API names no release and the host reports disagree: 2026.1 on gpu02; 2024.1 on gpu01 (use --nova-release)",
	}}
	var b strings.Builder
	if err := AuditText(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := "gpupass audit: admin in admin at http://keystone:5000/v3 (RegionOne)\nNova 2026.1 rules: the newest known release, as the compute API names no release\n  and the host reports disagree: 2026.1 on gpu02; 2024.1 on gpu01 (use\n  --nova-release)\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("header:\n%s\nwant:\n%s", out, want)
	}
	for i, line := range strings.Split(out, "\n") {
		depth := 0
		for _, c := range line {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth > 1 {
				t.Errorf("line %d nests parentheses: %q", i+1, line)
				break
			}
		}
	}
}
