package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/report"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnit writes one testcase per check: a failure when the check has error
// findings (or warnings, with FailOn warning), skipped when it was skipped;
// other findings go to system-out.
func JUnit(w io.Writer, r report.Report, opts Options) error {
	suiteName := "gpupass." + r.Command
	if r.Host != nil && r.Host.Hostname != "" {
		suiteName += "." + r.Host.Hostname
	}
	suite := junitSuite{Name: suiteName}
	findings := map[string][]report.Finding{}
	for _, f := range r.Findings {
		findings[f.ID] = append(findings[f.ID], f)
	}
	for _, c := range r.Checks {
		tc := junitCase{Classname: "gpupass." + sectionSlug(c.ID), Name: c.ID + " " + c.Name}
		var failing, other []string
		for _, f := range findings[c.ID] {
			text := fmt.Sprintf("%s [%s %s] %s", f.Severity, f.Subject.Kind, f.Subject.Ref, f.Message)
			if f.Remediation != "" {
				text += "\nfix: " + f.Remediation
			}
			if f.Severity == report.Error || f.Severity == report.Warning && opts.FailOn == report.Warning {
				failing = append(failing, text)
			} else {
				other = append(other, text)
			}
		}
		switch {
		case c.Status == report.StatusSkip:
			tc.Skipped = &junitMessage{Message: c.Reason}
			suite.Skipped++
		case len(failing) > 0:
			first := strings.SplitN(failing[0], "\n", 2)[0]
			tc.Failure = &junitMessage{Message: first, Type: "error", Text: strings.Join(failing, "\n\n")}
			suite.Failures++
		}
		tc.SystemOut = strings.Join(other, "\n\n")
		suite.Cases = append(suite.Cases, tc)
		suite.Tests++
	}
	doc := junitSuites{Name: "gpupass", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func sectionSlug(id string) string {
	for _, s := range checks.Sections {
		if strings.HasPrefix(id, s.Prefix) {
			return strings.ReplaceAll(strings.ToLower(strings.ReplaceAll(s.Title, ".", "-")), " ", "-")
		}
	}
	return "other"
}
