package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// largeBAR is a GP207 finding as the check writes it, on one GPU.
func largeBAR(addr, size string) report.Finding {
	return report.Finding{
		ID: "GP207", Name: "large-bar", Severity: report.Info,
		Subject:     report.Subject{Kind: "device", Ref: addr},
		Message:     addr + " (10de:2330 GH100[H100 SXM5 80GB]) has a " + size + " 64-bit BAR (BAR1): its guests need the q35 machine type, UEFI firmware and enough guest physical address bits.",
		Remediation: "Set on the images used with this GPU: openstack image set --property hw_machine_type=q35 --property hw_firmware_type=uefi IMAGE.",
	}
}

func textOf(t *testing.T, findings []report.Finding) string {
	t.Helper()
	r := report.Report{Command: "preflight", Checks: []report.CheckResult{{ID: "GP207", Name: "large-bar", Status: report.StatusPass}}, Findings: findings}
	var b strings.Builder
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Eight GPUs with the same finding are one message naming all eight and
// one fix, not eight messages and eight fixes.
func TestTextFoldsFindingsThatDifferOnlyBySubject(t *testing.T) {
	addrs := []string{"0000:18:00.0", "0000:19:00.0", "0000:3a:00.0", "0000:3b:00.0", "0000:9a:00.0", "0000:9b:00.0", "0000:ba:00.0", "0000:bb:00.0"}
	var fs []report.Finding
	for _, a := range addrs {
		fs = append(fs, largeBAR(a, "128 GiB"))
	}
	out := textOf(t, fs)
	if n := strings.Count(out, "has a 128 GiB 64-bit"); n != 1 {
		t.Errorf("the message is written %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "fix:"); n != 1 {
		t.Errorf("the fix is written %d times, want once:\n%s", n, out)
	}
	// Every device is named, in order, after the message and before the fix.
	from, to := strings.Index(out, "same for 8 devices: "), strings.Index(out, "fix:")
	if from < 0 || to < from {
		t.Fatalf("no list of the 8 devices before the fix:\n%s", out)
	}
	list := out[from:to]
	last := -1
	for _, a := range addrs {
		i := strings.Index(list, a)
		if i <= last {
			t.Errorf("%s is not listed after the one before it:\n%s", a, out)
		}
		last = i
	}
	if !strings.Contains(out, "INFO (8 infos)") {
		t.Errorf("the check line no longer counts every finding:\n%s", out)
	}
	for i, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line %d is wider than 80 columns: %q", i+1, line)
		}
	}
}

// The list is bounded on a host with many: the first ones, how many more,
// and where to see them all.
func TestTextFoldBoundsTheSubjects(t *testing.T) {
	var fs []report.Finding
	for i := range maxSubjects + 4 {
		fs = append(fs, largeBAR(fmt.Sprintf("0000:%02x:00.0", i+1), "128 GiB"))
	}
	out := textOf(t, fs)
	want := fmt.Sprintf("same for %d devices:", maxSubjects+4)
	last := fmt.Sprintf("0000:%02x:00.0 and 4 more (--format json lists each)", maxSubjects)
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, want) || !strings.Contains(flat, last) {
		t.Errorf("no %q ... %q:\n%s", want, last, out)
	}
	if strings.Contains(out, fmt.Sprintf("0000:%02x:00.0", maxSubjects+1)) {
		t.Errorf("the list goes past %d subjects:\n%s", maxSubjects, out)
	}
}

// Messages that differ by more than their subject are each written; a fix
// they share is written once, after them, saying it is for all of them.
// Findings with fixes of their own keep them.
func TestTextFoldsASharedFix(t *testing.T) {
	fs := []report.Finding{
		largeBAR("0000:18:00.0", "128 GiB"),
		largeBAR("0000:19:00.0", "64 GiB"),
		largeBAR("0000:1a:00.0", "128 GiB"),
	}
	other := largeBAR("0000:1b:00.0", "32 GiB")
	other.Remediation = "Something else for 0000:1b:00.0."
	fs = append(fs, other)
	out := textOf(t, fs)
	for _, want := range []string{
		"info: 0000:18:00.0 (10de:2330 GH100[H100 SXM5 80GB]) has a 128 GiB",
		"same for 2 devices: 0000:18:00.0, 0000:1a:00.0\n",
		"info: 0000:19:00.0 (10de:2330 GH100[H100 SXM5 80GB]) has a 64 GiB",
		"fix (all 3 above): Set on the images",
		"info: 0000:1b:00.0 (10de:2330 GH100[H100 SXM5 80GB]) has a 32 GiB",
		"fix: Something else for 0000:1b:00.0.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Set on the images"); n != 1 {
		t.Errorf("the shared fix is written %d times:\n%s", n, out)
	}
	// The fix comes after the last message it is for, and before the next.
	if !(strings.Index(out, "64 GiB") < strings.Index(out, "fix (all 3 above)") && strings.Index(out, "fix (all 3 above)") < strings.Index(out, "32 GiB")) {
		t.Errorf("the shared fix is not after its messages:\n%s", out)
	}
}

// Findings whose messages do not name their subject are folded only when
// identical, and then every subject is listed.
func TestTextFoldNamesSubjectsAMessageDoesNot(t *testing.T) {
	alias := func(name string) report.Finding {
		return report.Finding{ID: "GP207", Name: "large-bar", Severity: report.Warning, Subject: report.Subject{Kind: "alias", Ref: name},
			Message: "The alias is defined differently.", Remediation: "Give every node the same lines."}
	}
	out := textOf(t, []report.Finding{alias("a100"), alias("h100")})
	if !strings.Contains(out, "same for 2 aliases: a100, h100\n") || strings.Count(out, "defined differently") != 1 {
		t.Errorf("not folded with both aliases named:\n%s", out)
	}
}

// Checks of a section skipped for one reason fold into one line even when
// others sit between them; the IDs say which.
func TestTextFoldsSkipsWithTheSameReason(t *testing.T) {
	const noConf = "needs a nova.conf (none found under the root; --nova-conf names one)"
	var cs []report.CheckResult
	for i := 301; i <= 314; i++ {
		reason := noConf
		if i == 311 {
			reason = noConf + " and the nova-api node's nova.conf (--api-conf)"
		}
		cs = append(cs, report.CheckResult{ID: fmt.Sprintf("GP%d", i), Name: fmt.Sprintf("n%d", i), Status: report.StatusSkip, Reason: reason})
	}
	cs = append(cs,
		report.CheckResult{ID: "GP201", Name: "gpu-host-driver", Status: report.StatusSkip, Reason: "no GPU on this host"},
		report.CheckResult{ID: "GP202", Name: "group-not-viable", Status: report.StatusSkip, Reason: "no passthrough GPU on this host"},
		report.CheckResult{ID: "GP203", Name: "group-shared", Status: report.StatusSkip, Reason: "no passthrough GPU on this host"},
		report.CheckResult{ID: "GP209", Name: "vfio-ids-unknown", Status: report.StatusPass},
		report.CheckResult{ID: "GP212", Name: "sriov-gpu-pf", Status: report.StatusSkip, Reason: "no passthrough GPU on this host"},
	)
	var b strings.Builder
	if err := Text(&b, report.Report{Command: "preflight", Checks: cs}, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"  GP301-GP310, GP312-GP314 (13 checks) ... SKIP\n      needs a nova.conf (none found",
		"  GP311 n311 ",
		"  GP201 gpu-host-driver ............ SKIP (no GPU on this host)\n  GP202-GP203, GP212 (3 checks) .... SKIP (no passthrough GPU on this host)\n  GP209 vfio-ids-unknown ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "needs a nova.conf (none found"); n != 2 {
		t.Errorf("the reason is written %d times, want 2 (the folded line and GP311):\n%s", n, out)
	}
}

// A reason with parentheses of its own is never put in the status's.
func TestTextNoNestedParenthesesInAStatus(t *testing.T) {
	r := report.Report{Command: "preflight", Checks: []report.CheckResult{
		{ID: "GP311", Name: "alias-mismatch", Status: report.StatusSkip, Reason: "needs --api-conf (the API node's)"},
	}}
	var b strings.Builder
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "SKIP\n      needs --api-conf (the API node's)\n") {
		t.Errorf("the reason is not on a line of its own:\n%s", out)
	}
}

// The audit folds its cloud-wide findings as preflight does, and lists the
// findings about flavors without GPUs in the report's order, every time.
func TestAuditTextFoldsAndKeepsOrder(t *testing.T) {
	alias := func(name, nodes string) report.Finding {
		return report.Finding{ID: "GP409", Name: "alias-inconsistent-fleet", Severity: report.Warning, Subject: report.Subject{Kind: "alias", Ref: name},
			Message: "Alias \"" + name + "\" is defined on " + nodes + ".", Remediation: "Give every node the same [pci]alias lines."}
	}
	policy := func(flavor, value string) report.Finding {
		return report.Finding{ID: "GP401", Name: "extra-spec-invalid", Severity: report.Error, Subject: report.Subject{Kind: "flavor", Ref: flavor},
			Message: "Flavor " + flavor + " has the NUMA policy " + value + "."}
	}
	r := report.Report{Command: "audit", Audit: &report.AuditReport{}, Findings: []report.Finding{
		policy("m1.a", "x"), policy("m1.b", "y"), policy("m1.c", "z"), policy("m1.d", "w"),
		alias("a100", "gpu01"), alias("h100", "gpu02"), alias("l40s", "gpu03"),
	}}
	var first string
	for i := range 20 {
		var b strings.Builder
		if err := AuditText(&b, r, Options{}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if i == 0 {
			first = out
		} else if out != first {
			t.Fatalf("the audit's text differs between two runs:\n%s\n---\n%s", first, out)
		}
	}
	if n := strings.Count(first, "Give every node"); n != 1 {
		t.Errorf("the shared fix is written %d times:\n%s", n, first)
	}
	if !strings.Contains(first, "fix (all 3 above): Give every node") {
		t.Errorf("the fix does not say it is for all three:\n%s", first)
	}
	if a, b, c, d := strings.Index(first, "m1.a "), strings.Index(first, "m1.b "), strings.Index(first, "m1.c "), strings.Index(first, "m1.d "); a < 0 || b < a || c < b || d < c {
		t.Errorf("flavor findings out of the report's order:\n%s", first)
	}
}
