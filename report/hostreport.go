package report

import "github.com/gpupass/gpupass/hostinfo"

// HostReport is a preflight JSON report read from audit --reports: what
// one compute node can supply.
//
// Read by ReadHostReports (the audit), Report is the report without what
// the audit does not read: its checks and findings (AuditDrops) are not
// decoded, and the host's inventory is HostInfo's only (Report.Host keeps
// its name): one copy of each host in memory, not two.
// TestAuditReadsNothingDropped holds fleet, the checks and the audit
// command to that.
type HostReport struct {
	// Path is the file it was read from.
	Path   string
	Report Report
	// host is Report.Host as hostinfo's Host, once converted.
	host *hostinfo.Host
}

// HostInfo is the report's host as hostinfo's Host, what the audit judges
// (nil for a report without a host). It is converted on first use, or by
// ReadHostReports while reading; it is not safe to call for the first
// time from two goroutines at once.
func (r *HostReport) HostInfo() *hostinfo.Host {
	if r.host == nil {
		r.host = r.Report.Host.HostInfo()
	}
	return r.host
}
