package report

// HostReport is a preflight JSON report read from audit --reports: what
// one compute node can supply.
type HostReport struct {
	// Path is the file it was read from.
	Path   string
	Report Report
}
