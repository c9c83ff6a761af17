package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gpupass/gpupass/internal/judges"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// novaTestCase is one line of testdata/novatests/<release>.jsonl: a
// [pci]device_spec or [pci]alias value Nova's own tests gave its parser,
// the options in force, and Nova's verdict (see the README there).
type novaTestCase struct {
	Test              string    `json:"test"`
	Release           string    `json:"release"`
	Nova              string    `json:"nova"`
	Option            string    `json:"option"`
	Via               string    `json:"via"`
	Values            []*string `json:"values"`
	ReportInPlacement bool      `json:"report_in_placement"`
	PCIInPlacement    *bool     `json:"pci_in_placement"`
	Verdict           string    `json:"verdict"`
	Overall           string    `json:"overall"`
	Exception         string    `json:"exception"`
	Message           string    `json:"message"`
	Startup           *struct {
		Verdict, Exception, Message string
	} `json:"startup"`
	HostDependent  bool     `json:"host_dependent"`
	HostConsulted  []string `json:"host_consulted"`
	NotExpressible string   `json:"not_expressible"`
	ParserMocked   []string `json:"parser_mocked"`
}

// novaTestReleases are the corpus files, one per real release.
var novaTestReleases = []string{"zed", "2025.1", "2026.2"}

func readNovaTestCases(t *testing.T, path string) []novaTestCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []novaTestCase
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var c novaTestCase
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		out = append(out, c)
	}
	return out
}

// confValue writes v as a nova.conf value oslo.config reads back as v:
// "$" doubled (oslo.config substitutes), a value with white space or a
// quote at its ends wrapped in quotes (oslo.config strips both), further
// lines indented (continuation lines). ok is false for what no nova.conf
// line can say: a line of a multi-line value that starts or ends with
// white space or is empty (oslo.config strips and ends values there), a
// "\r", or "\$" (oslo.config reads it as "$$").
func confValue(v string) (string, bool) {
	if strings.Contains(v, "\r") || strings.Contains(v, `\$`) {
		return "", false
	}
	v = strings.ReplaceAll(v, "$", "$$")
	lines := strings.Split(v, "\n")
	if len(lines) == 1 {
		if v != strings.TrimSpace(v) || v != "" && (v[0] == '"' || v[0] == '\'') {
			return `"` + v + `"`, true
		}
		return v, true
	}
	for i, l := range lines {
		if l == "" || l != strings.TrimSpace(l) || i == 0 && (l[0] == '"' || l[0] == '\'') {
			return "", false
		}
	}
	return strings.Join(lines, "\n    "), true
}

// TestLintNovaTestsCorpus holds gpupass lint to Nova's own verdicts on the
// device_spec and alias values of Nova's unit and functional tests, per
// release: where Nova refused the value (its parser, or nova-compute's
// start-up), lint reports an error on that option and exits 1; where Nova
// accepted it, lint reports no error on it. Host-dependent cases
// (remote_managed specs, whose verdict is the host's sysfs) are listed, not
// counted.
func TestLintNovaTestsCorpus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, rel := range novaTestReleases {
		t.Run(rel, func(t *testing.T) {
			// The unit tests' inputs, then the functional tests' (recorded
			// by hack/novatests-functional.sh, not re-extracted in CI).
			corpus := filepath.Join("..", "..", "testdata", "novatests")
			cases := readNovaTestCases(t, filepath.Join(corpus, rel+".jsonl"))
			unitCases := len(cases)
			cases = append(cases, readNovaTestCases(t, filepath.Join(corpus, rel+".functional.jsonl"))...)
			var functionalCounted int
			lintRel := rel
			if _, err := novarelease.Parse(rel); err != nil {
				lintRel = "2026.1"
				t.Logf("gpupass does not know Nova %s yet: its cases are judged with the rules of %s", rel, lintRel)
			}
			seen := map[string]bool{}
			var counted, agree, refused, hostDep, inexpressible, empty, mocked int
			for i, c := range cases {
				if c.Release != rel {
					t.Fatalf("case %d (%s) is from release %s, in %s's file", i, c.Test, c.Release, rel)
				}
				var lines []string
				ok := c.NotExpressible == ""
				for _, v := range c.Values {
					if v == nil {
						ok = false
						break
					}
					s, fine := confValue(*v)
					ok = ok && fine
					lines = append(lines, s)
				}
				switch {
				case len(c.ParserMocked) > 0:
					mocked++
					t.Logf("the test mocked Nova's parser (%s), not counted: %s %s", strings.Join(c.ParserMocked, ", "), c.Test, c.Option)
					continue
				case c.HostDependent:
					hostDep++
					t.Logf("host-dependent, not counted: %s %s %q (Nova: %s %s)", c.Test, c.Option, derefAll(c.Values), c.Overall, c.Exception)
					continue
				case !ok:
					inexpressible++
					t.Logf("not expressible in a nova.conf, not counted: %s %s %q", c.Test, c.Option, derefAll(c.Values))
					continue
				case len(lines) == 0:
					empty++ // no value: nothing for lint to judge
					continue
				}
				var b strings.Builder
				fmt.Fprintf(&b, "[pci]\nreport_in_placement = %s\n", pyBool(c.ReportInPlacement))
				first := 3
				for _, l := range lines {
					fmt.Fprintf(&b, "%s = %s\n", c.Option, l)
				}
				last := strings.Count(b.String(), "\n")
				if c.PCIInPlacement != nil {
					fmt.Fprintf(&b, "[filter_scheduler]\npci_in_placement = %s\n", pyBool(*c.PCIInPlacement))
				}
				conf := b.String()
				if seen[conf] {
					continue // the same nova.conf from another test: judged once
				}
				seen[conf] = true
				counted++
				if i >= unitCases {
					functionalCounted++
				}
				path := filepath.Join(dir, fmt.Sprintf("%s-%d.conf", rel, i))
				if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
					t.Fatal(err)
				}
				code, findings := lintErrorsOn(t, path, lintRel, c.Option, first, last)
				novaRefuses := c.Overall == "refused"
				why := c.Exception + ": " + c.Message
				if c.Startup != nil && c.Startup.Verdict == "refused" {
					why = "at start-up, " + c.Startup.Exception + ": " + c.Startup.Message
				}
				switch {
				case novaRefuses && (code != exitFindings || len(findings) == 0):
					t.Errorf("%s: Nova %s refuses (%s), lint exits %d with no error on [pci]%s:\n%s", c.Test, c.Nova, why, code, c.Option, conf)
				case !novaRefuses && len(findings) > 0:
					t.Errorf("%s: Nova %s accepts, lint reports %q:\n%s", c.Test, c.Nova, findings, conf)
				default:
					agree++
				}
				if novaRefuses {
					refused++
				}
			}
			t.Logf("Nova %s: %d cases (%d refused by Nova; %d only from the functional tests), lint agrees on %d; listed, not counted: %d host-dependent, %d not expressible in a nova.conf, %d with Nova's parser mocked by the test; %d records without a value",
				rel, counted, refused, functionalCounted, agree, hostDep, inexpressible, mocked, empty)
			if counted < 50 || refused < 10 || functionalCounted < 20 {
				t.Errorf("only %d cases, %d refused, %d from the functional tests: the corpus is not Nova's test inputs", counted, refused, functionalCounted)
			}
		})
	}
}

func derefAll(vs []*string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		if v != nil {
			out[i] = *v
		}
	}
	return out
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// lintErrorsOn runs lint on path with the rules of rel and returns its
// status and the error findings about option (lines first to last of
// the file, or the option, or, for an alias, an alias).
func lintErrorsOn(t *testing.T, path, rel, option string, first, last int) (int, []string) {
	t.Helper()
	code, out, errOut := gpupass(t, nil, "lint", "--format", "json", "--nova-release", rel, path)
	if code != exitOK && code != exitFindings {
		t.Fatalf("lint %s: exit %d: %s", path, code, errOut)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var got []string
	for _, f := range r.Findings {
		if f.Severity != report.Error {
			continue
		}
		on := f.Subject.Ref == "[pci]"+option || option == "alias" && f.Subject.Kind == "alias"
		if file, line, ok := strings.Cut(f.Source, path+":"); ok && file == "" {
			if n, err := strconv.Atoi(line); err == nil && first <= n && n <= last {
				on = true
			}
		}
		if on {
			got = append(got, f.ID+": "+f.Message)
		}
	}
	return code, got
}

// TestNovaTestsCorpusCurrent re-extracts the corpus from Nova's own tests
// in each release's chroot (testdata/novatests/extract.sh) and fails if
// the committed file is not what Nova's tests feed Nova today.
// GPUPASS_NOVA_CHROOTS names the directory holding bookworm/, trixie/ and
// sid/; GPUPASS_NOVATESTS_RELEASES (space-separated) limits the releases
// re-extracted. The unit tests' file (<release>.jsonl) is re-extracted
// always (CI does); the functional tests' (<release>.functional.jsonl,
// modules-functional.txt: about ten minutes a release) with
// GPUPASS_NOVATESTS_FUNCTIONAL=1, as hack/novatests-functional.sh does.
func TestNovaTestsCorpusCurrent(t *testing.T) {
	root := os.Getenv("GPUPASS_NOVA_CHROOTS")
	if root == "" {
		t.Skip("re-extracting Nova's test inputs needs the release chroots: GPUPASS_NOVA_CHROOTS=/tmp/chroot go test ./cmd/gpupass -run TestNovaTestsCorpusCurrent " +
			"(a directory with bookworm/, trixie/ and sid/, made by hack/nova-chroot.sh; as root; GPUPASS_NOVATESTS_FUNCTIONAL=1 for the functional tests' files too); " +
			"to refresh a release's file: bash testdata/novatests/extract.sh CHROOT testdata/novatests/RELEASE.jsonl, and review the diff")
	}
	releases := novaTestReleases
	if only := os.Getenv("GPUPASS_NOVATESTS_RELEASES"); only != "" {
		releases = strings.Fields(only)
	}
	dir := filepath.Join("..", "..", "testdata", "novatests")
	type corpusFile struct{ suffix, modules string }
	files := []corpusFile{{".jsonl", "modules.txt"}}
	if os.Getenv("GPUPASS_NOVATESTS_FUNCTIONAL") == "1" {
		files = append(files, corpusFile{".functional.jsonl", "modules-functional.txt"})
	} else {
		t.Log("the functional tests' files are not re-extracted (GPUPASS_NOVATESTS_FUNCTIONAL=1 does)")
	}
	for _, rel := range releases {
		judge, ok := judges.ByRelease(rel)
		suite := judge.Suite
		if !ok {
			t.Fatalf("GPUPASS_NOVATESTS_RELEASES: no release %q (%q)", rel, novaTestReleases)
		}
		for _, file := range files {
			t.Run(rel+file.suffix, func(t *testing.T) {
				t.Parallel()
				chroot := filepath.Join(root, suite)
				if _, err := os.Stat(filepath.Join(chroot, "usr/lib/python3/dist-packages/nova/__init__.py")); err != nil {
					t.Fatalf("GPUPASS_NOVA_CHROOTS is set, and %s has no Nova: %v", chroot, err)
				}
				name := rel + file.suffix
				out := filepath.Join(t.TempDir(), name)
				cmd := exec.Command("bash", filepath.Join(dir, "extract.sh"), chroot, out)
				modules, err := filepath.Abs(filepath.Join(dir, file.modules))
				if err != nil {
					t.Fatal(err)
				}
				cmd.Env = append(os.Environ(), "GPUPASS_NOVATESTS_MODULES="+modules)
				var stderr strings.Builder
				cmd.Stderr = &stderr
				start := time.Now()
				if err := cmd.Run(); err != nil {
					t.Fatalf("extract.sh %s: %v\n%s", chroot, err, tail(stderr.String(), 4000))
				}
				t.Logf("Nova %s: %s re-extracted in %s", rel, name, time.Since(start).Round(time.Second))
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) == string(want) {
					return
				}
				gl, wl := lineSet(string(got)), lineSet(string(want))
				n := 0
				for l := range gl {
					if !wl[l] && n < 10 {
						t.Errorf("Nova's tests now give: %s", l)
						n++
					}
				}
				for l := range wl {
					if !gl[l] && n < 20 {
						t.Errorf("no longer given: %s", l)
						n++
					}
				}
				t.Errorf("testdata/novatests/%s is stale (%d lines, re-extracted %d): re-extract it (see the skip message) and review the diff", name, len(wl), len(gl))
			})
		}
	}
}

func lineSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		out[l] = true
	}
	return out
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
