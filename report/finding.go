package report

// Severity of a finding.
type Severity string

// Subject is what a finding is about.
type Subject struct {
	// Kind is host, device, group, option, alias, flavor or cloud.
	Kind string `json:"kind"`
	// Ref names it: a host name, a PCI address, iommu-group/37, ...
	Ref string `json:"ref"`
}

// Fix is a structured edit that resolves a finding, for tools that apply
// changes; the remediation text says the same for people.
type Fix struct {
	// Target is kernel-cmdline, modprobe.d or driverctl.
	Target string `json:"target"`
	// Path is the file to edit, when the target is a file.
	Path string `json:"path,omitempty"`
	// Action is add or remove.
	Action string `json:"action"`
	// Text is the parameter or line to add or remove.
	Text string `json:"text"`
}

// Finding is one problem (or fact) a check reports.
type Finding struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Severity    Severity       `json:"severity"`
	Subject     Subject        `json:"subject"`
	Message     string         `json:"message"`
	Remediation string         `json:"remediation,omitempty"`
	Evidence    map[string]any `json:"evidence,omitempty"`
	// Source is the file:line the finding is about, for configuration.
	Source string `json:"source,omitempty"`
	Fix    []Fix  `json:"fix,omitempty"`
}

// The severities, most severe first.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)
