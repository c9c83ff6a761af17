package checks

import (
	"fmt"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
)

// Schema names the JSON report format; it changes only with an
// incompatible change of the report.
const Schema = "gpupass/report/v1"

// Status of a check in a report.
type Status string

const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Report is the result of running checks: the contract of --format json.
type Report struct {
	Schema  string `json:"schema"`
	Command string `json:"command"`
	Tool    Tool   `json:"tool"`
	// GeneratedAt is when the report was made (RFC 3339, UTC).
	GeneratedAt string `json:"generated_at,omitempty"`
	// NovaRelease is the release whose rules were applied.
	NovaRelease string `json:"nova_release,omitempty"`
	// Host is the inventory the checks ran on; with it a preflight
	// report is also a host report for audit --reports.
	Host     *hostinfo.Host `json:"host,omitempty"`
	Summary  Summary        `json:"summary"`
	Checks   []CheckResult  `json:"checks"`
	Findings []Finding      `json:"findings"`
}

// Tool identifies the gpupass build that made a report.
type Tool struct {
	Version string `json:"version"`
}

// Summary counts findings by severity.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

// CheckResult is one check's outcome. Reason says why it was skipped.
type CheckResult struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Run applies the checks, in order, to the inputs. It never fails: a check
// that cannot run is skipped with the reason.
func Run(in *Inputs, catalog []*Check) Report {
	r := Report{Schema: Schema, Checks: []CheckResult{}, Findings: []Finding{}}
	if in.NovaRelease.Name != "" {
		r.NovaRelease = in.NovaRelease.Name
	}
	r.Host = in.Host
	var view *HostView
	if in.Host != nil {
		view = NewHostView(in.Host, in.GPUs)
	}
	for _, c := range catalog {
		result := CheckResult{ID: c.ID, Name: c.Name, Status: StatusPass}
		var missing []string
		for _, need := range c.Needs {
			if !in.has(need) {
				missing = append(missing, string(need))
			}
		}
		if len(missing) > 0 {
			result.Status = StatusSkip
			result.Reason = "needs " + strings.Join(missing, ", ")
			r.Checks = append(r.Checks, result)
			continue
		}
		pass := &Pass{Check: c, Inputs: in, Host: view}
		err := runSafely(c, pass)
		switch {
		case err != nil:
			result.Status, result.Reason = StatusSkip, "could not run: "+err.Error()
			pass.findings = nil
		case pass.skip != "":
			result.Status, result.Reason = StatusSkip, pass.skip
		}
		for _, f := range pass.findings {
			switch f.Severity {
			case Error:
				r.Summary.Errors++
				result.Status = StatusFail
			case Warning:
				r.Summary.Warnings++
				result.Status = StatusFail
			case Info:
				r.Summary.Infos++
			}
		}
		r.Checks = append(r.Checks, result)
		r.Findings = append(r.Findings, pass.findings...)
	}
	return r
}

// runSafely turns a panic in one check into that check's failure to run,
// so one bug cannot take the whole report down.
func runSafely(c *Check, p *Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error in %s: %v", c.ID, v)
		}
	}()
	return c.Run(p)
}

// Lookup finds a check by ID (case-insensitive) or name.
func Lookup(catalog []*Check, key string) *Check {
	for _, c := range catalog {
		if strings.EqualFold(c.ID, key) || c.Name == key {
			return c
		}
	}
	return nil
}

// ExitCode is the process status for a report: 1 when it has error
// findings, or warnings when failOn is Warning; 0 otherwise.
func (r Report) ExitCode(failOn Severity) int {
	if r.Summary.Errors > 0 || failOn == Warning && r.Summary.Warnings > 0 {
		return 1
	}
	return 0
}
