package report

// DriftReport names the two reports a drift comparison was between.
type DriftReport struct {
	Baseline DriftSide `json:"baseline"`
	Current  DriftSide `json:"current"`
}

// DriftSide is one side of a comparison.
type DriftSide struct {
	// Path is the report file; "" for the host preflight has just read.
	Path        string `json:"path,omitempty"`
	Hostname    string `json:"hostname,omitempty"`
	GeneratedAt string `json:"generated_at,omitempty"`
	ToolVersion string `json:"tool_version,omitempty"`
	Kernel      string `json:"kernel,omitempty"`
	NovaVersion string `json:"nova_version,omitempty"`
}
