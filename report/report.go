package report

// Schema names the JSON report format; it changes only with an
// incompatible change of the report.
const Schema = "gpupass/report/v1"

// Status of a check in a report.
type Status string

// The statuses: the check ran and found nothing of its severity or
// worse (pass), found something (fail), or could not run (skip, with a
// reason).
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
	Host *Host `json:"host,omitempty"`
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

// ExitCode is the process status for a report: 1 when it has error
// findings, or warnings when failOn is Warning; 0 otherwise.
func (r Report) ExitCode(failOn Severity) int {
	if r.Summary.Errors > 0 || failOn == Warning && r.Summary.Warnings > 0 {
		return 1
	}
	return 0
}

// Merge adds another run's check results, findings and counts to r (and
// its drift sides, when it has them).
func (r *Report) Merge(o Report) {
	r.Checks = append(r.Checks, o.Checks...)
	r.Findings = append(r.Findings, o.Findings...)
	r.Summary.Errors += o.Summary.Errors
	r.Summary.Warnings += o.Summary.Warnings
	r.Summary.Infos += o.Summary.Infos
	if o.Drift != nil {
		r.Drift = o.Drift
	}
}
