package checks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
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
	Host *hostinfo.Host `json:"host,omitempty"`
	// PassthroughGPUs are the addresses of the host's passthrough GPUs,
	// as the checks counted them (bound to or claimed for vfio-pci or
	// pci-stub, offered by device_spec, or named with --gpu), in address
	// order; omitted when there is none.
	PassthroughGPUs []string `json:"passthrough_gpus,omitempty"`
	// NovaConf is what the node's (or the linted) nova.conf sets for the
	// options gpupass reads, secrets redacted; APIConf the same for
	// --api-conf.
	NovaConf *ConfReport `json:"nova_conf,omitempty"`
	APIConf  *ConfReport `json:"api_conf,omitempty"`
	// Audit is the audit's view of the cloud and its hosts.
	Audit *AuditReport `json:"audit,omitempty"`
	// Drift names the reports the drift checks compared (preflight
	// --baseline, diff).
	Drift    *DriftReport  `json:"drift,omitempty"`
	Summary  Summary       `json:"summary"`
	Checks   []CheckResult `json:"checks"`
	Findings []Finding     `json:"findings"`
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

// needText says what a skipped check lacked, and how to give it.
var needText = map[Input]string{
	NeedHost:     "a host (preflight reads one; lint does not)",
	NeedNovaConf: "a nova.conf (none found under the root; --nova-conf names one)",
	NeedAPIConf:  "the nova-api node's nova.conf (--api-conf)",
	NeedCloud:    "the cloud's APIs (audit)",
	NeedReports:  "host reports (--reports DIR of preflight JSON reports)",
	NeedBaseline: "a known-good report to compare with (preflight --baseline FILE, or gpupass diff OLD NEW)",
}

// Run applies the checks, in order, to the inputs. It never fails: a check
// that cannot run is skipped with the reason.
func Run(in *Inputs, catalog []*Check) Report {
	r := Report{Schema: Schema, Checks: []CheckResult{}, Findings: []Finding{}}
	if in.NovaRelease.Name != "" {
		r.NovaRelease = in.NovaRelease.Name
	}
	r.Host = in.Host
	r.NovaConf = in.NovaConf.report()
	r.APIConf = in.APIConf.report()
	pciInPlacement := pciInPlacementOf(in)
	conf := newConfView(in.NovaConf, in.NovaRelease, in.Host, pciInPlacement)
	api := newConfView(in.APIConf, in.NovaRelease, nil, pciInPlacement)
	var view *HostView
	if in.Host != nil {
		view = NewHostView(in.Host, in.GPUs, conf)
		for _, g := range view.GPUs {
			r.PassthroughGPUs = append(r.PassthroughGPUs, g.Device.Address)
		}
	}
	fleet := newFleetView(in, api)
	r.Audit = fleet.report(in.Cloud)
	if r.Audit != nil {
		r.Audit.NovaReleaseFrom = in.NovaReleaseFrom
	}
	for _, c := range catalog {
		result := CheckResult{ID: c.ID, Name: c.Name, Status: StatusPass}
		var missing []string
		for _, need := range c.Needs {
			if !in.has(need) {
				missing = append(missing, needText[need])
			}
		}
		if len(missing) > 0 {
			result.Status = StatusSkip
			result.Reason = "needs " + strings.Join(missing, " and ")
			r.Checks = append(r.Checks, result)
			continue
		}
		pass := &Pass{Check: c, Inputs: in, Host: view, Conf: conf, API: api, Fleet: fleet}
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

// ConfReport is a nova.conf in a report: the files read and the values of
// the options gpupass reads (never a secret).
type ConfReport struct {
	Role    string           `json:"role"`
	Layout  string           `json:"layout,omitempty"`
	Files   []ConfFileReport `json:"files"`
	Options []ConfOption     `json:"options"`
}

// ConfFileReport is a file read, with its permission bits ("0640"; "" when
// unknown).
type ConfFileReport struct {
	Path string `json:"path"`
	Mode string `json:"mode,omitempty"`
}

// ConfOption is one value of an option.
type ConfOption struct {
	// Option is the option's current name ("[pci]device_spec").
	Option string `json:"option"`
	// Name is the name it was set under, when that is a deprecated one.
	Name   string `json:"name,omitempty"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Lookup returns the values the report recorded for an option, as
// novaconf.Config.Lookup would (nil for a nil report). EndLine is not
// recorded: it is the key's line.
func (r *ConfReport) Lookup(opt novaconf.Option) []novaconf.Value {
	if r == nil {
		return nil
	}
	var out []novaconf.Value
	for _, o := range r.Options {
		if o.Option != opt.String() {
			continue
		}
		v := novaconf.Value{Group: opt.Group, Name: opt.Name, Text: o.Value}
		if o.Name != "" {
			v.Deprecated = true
			if g, n, ok := strings.Cut(strings.TrimPrefix(o.Name, "["), "]"); ok {
				v.Group, v.Name = g, n
			}
		}
		v.Section = v.Group
		if i := strings.LastIndexByte(o.Source, ':'); i > 0 {
			line, err := strconv.Atoi(o.Source[i+1:])
			if err == nil {
				v.Source = novaconf.Source{File: o.Source[:i], Line: line}
			}
		}
		if v.Source.File == "" {
			v.Source = novaconf.Source{File: o.Source}
		}
		v.EndLine = v.Source.Line
		out = append(out, v)
	}
	return out
}

func (c *NovaConf) report() *ConfReport {
	if c == nil || c.Config == nil {
		return nil
	}
	r := &ConfReport{Role: c.Role, Layout: c.Layout, Files: []ConfFileReport{}, Options: []ConfOption{}}
	for _, f := range c.Files {
		mode := ""
		if f.Mode != 0 {
			mode = fmt.Sprintf("%04o", f.Mode.Perm())
		}
		r.Files = append(r.Files, ConfFileReport{Path: f.Path, Mode: mode})
	}
	for _, opt := range novaconf.Options {
		if opt.Secret {
			continue
		}
		for _, v := range c.Config.Lookup(opt) {
			o := ConfOption{Option: opt.String(), Value: v.Redacted(), Source: v.Source.String()}
			if v.Deprecated {
				o.Name = fmt.Sprintf("[%s]%s", v.Group, v.Name)
			}
			r.Options = append(r.Options, o)
		}
	}
	return r
}
