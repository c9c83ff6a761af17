package checks

import (
	"fmt"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/mdevconf"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Input is a kind of data a check needs.
type Input string

const (
	// NeedHost is a collected host (preflight, or a host report).
	NeedHost Input = "host"
	// NeedNovaConf is a nova.conf (the node's, or the files linted).
	NeedNovaConf Input = "nova.conf"
	// NeedAPIConf is the nova-api node's nova.conf (--api-conf).
	NeedAPIConf Input = "--api-conf"
	// NeedCloud is what the cloud's APIs say (flavors, placement).
	NeedCloud Input = "cloud"
	// NeedReports are the compute nodes' preflight reports (--reports).
	NeedReports Input = "host reports"
	// NeedBaseline is a known-good report to compare the current one
	// with (preflight --baseline, gpupass diff).
	NeedBaseline Input = "baseline"
)

// Doc documents a check for operators: `gpupass checks ID` prints it and
// docs/checks.md is generated from it.
type Doc struct {
	// Summary is one line: what the check finds.
	Summary string
	// Why explains what goes wrong for a guest when it fires.
	Why string
	// Fix says how to repair it, in general terms (findings carry the
	// exact lines for the host at hand).
	Fix string
	// Links point to the Nova, libvirt or kernel documentation.
	Links []string
}

// Check is one rule of the catalog.
type Check struct {
	// ID is stable: GP followed by three digits; scripts depend on it.
	ID string
	// Name is a short kebab-case name, also stable.
	Name string
	// Severity is the most severe level the check reports.
	Severity report.Severity
	// Needs lists the inputs without which the check is skipped.
	Needs []Input
	// PerFile is set on a check that judges each nova.conf file read on
	// its own (GP301): it still runs when other files of the
	// configuration could not be read as this user, where the checks that
	// judge the configuration as a whole are skipped.
	PerFile bool
	Doc     Doc
	// Run inspects the inputs through the pass and reports findings. An
	// error means the check could not run: it is shown as skipped with
	// the error as the reason.
	Run func(*Pass) error
}

// Inputs is everything checks may look at. Absent parts are nil.
type Inputs struct {
	Host *hostinfo.Host
	// GPUs are the --gpu selections that add devices to the set of
	// passthrough GPUs.
	GPUs []pcidev.Selector
	// NovaRelease is the release whose rules apply, and NovaReleaseFrom
	// says how it was chosen (for GP108).
	NovaRelease     novarelease.Release
	NovaReleaseFrom string
	// NovaConf is the node's nova.conf (preflight) or the files linted.
	NovaConf *novaconf.Set
	// APIConf is the nova-api / scheduler node's nova.conf (--api-conf).
	APIConf *novaconf.Set
	// Cloud is what the cloud's APIs returned (audit).
	Cloud *cloudmodel.Snapshot
	// Reports are the compute nodes' preflight reports (audit --reports).
	Reports []*report.HostReport
	// Baseline is a known-good preflight report of the host and Current
	// the report to compare with it (preflight's own, or diff's NEW): the
	// drift checks (GP5xx) compare the two. Both carry a host.
	Baseline, Current *report.Report
}

func (in *Inputs) has(need Input) bool {
	switch need {
	case NeedHost:
		return in.Host != nil
	case NeedNovaConf:
		return in.NovaConf != nil && in.NovaConf.Config != nil && !in.NovaConf.Unread()
	case NeedAPIConf:
		return in.APIConf != nil && in.APIConf.Config != nil && !in.APIConf.Unread()
	case NeedCloud:
		return in.Cloud != nil
	case NeedReports:
		return len(in.Reports) > 0
	case NeedBaseline:
		return in.Baseline != nil && in.Baseline.Host != nil && in.Current != nil && in.Current.Host != nil
	}
	return false
}

// Pass is one check's run over the inputs.
type Pass struct {
	Check  *Check
	Inputs *Inputs
	// Host is a view of Inputs.Host with the derived facts checks share
	// (which GPUs are for passthrough, IOMMU group members, boot-time
	// vfio claims); nil when there is no host.
	Host *hostview.View
	// Conf is Inputs.NovaConf's PCI configuration parsed with Nova's
	// rules, and API Inputs.APIConf's; nil when absent.
	Conf, API *pcispec.Conf
	// Mdev is Inputs.NovaConf's mediated-device (vGPU) options and what
	// the release makes of them (mdevconf.Parse); nil without a nova.conf.
	Mdev *mdevconf.Conf
	// Fleet is the cloud and its hosts as the audit sees them; nil
	// without a cloud or host reports.
	Fleet *fleet.View
	// Before and After are the hosts of Inputs.Baseline and
	// Inputs.Current, for the drift checks; nil without a baseline.
	Before, After *hostinfo.Host

	findings []report.Finding
	skip     string
}

// Report records a finding; ID, Name and, when empty, Severity are the
// check's.
func (p *Pass) Report(f report.Finding) {
	f.ID, f.Name = p.Check.ID, p.Check.Name
	if f.Severity == "" {
		f.Severity = p.Check.Severity
	}
	p.findings = append(p.findings, f)
}

// Skipf marks the check as skipped: its question does not apply, or cannot
// be answered, on these inputs.
func (p *Pass) Skipf(format string, args ...any) {
	p.skip = fmt.Sprintf(format, args...)
}
