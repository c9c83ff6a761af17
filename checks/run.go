package checks

import (
	"fmt"
	"strings"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/openstack/mdevconf"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/report"
)

// needText says what a skipped check lacked, and how to give it.
var needText = map[Input]string{
	NeedHost:     "a host (preflight reads one; lint does not)",
	NeedNovaConf: "a nova.conf (none found under the root; --nova-conf names one)",
	NeedAPIConf:  "the nova-api node's nova.conf (--api-conf)",
	NeedCloud:    "the cloud's APIs (audit)",
	NeedReports:  "host reports (--reports DIR of preflight JSON reports)",
	NeedBaseline: "a known-good report to compare with (preflight --baseline FILE, or gpupass diff OLD NEW)",
}

// needText says what a skipped check lacked: needText's words, or which
// nova.conf files could not be read as this user, and why.
func (in *Inputs) needText(need Input) string {
	var c *novaconf.Set
	switch need {
	case NeedNovaConf:
		c = in.NovaConf
	case NeedAPIConf:
		c = in.APIConf
	}
	if c.Unread() {
		what := "a nova.conf"
		if need == NeedAPIConf {
			what = "the nova-api node's nova.conf"
		}
		var why []string
		for _, u := range c.Unreadable() {
			why = append(why, u.Path+": "+u.Reason)
		}
		return what + " readable by this user (run gpupass as root; " + strings.Join(why, "; ") + ")"
	}
	return needText[need]
}

// unreadConf says, for a check that judges a configuration of which some
// files could not be read as this user, which and why; "" otherwise.
func (in *Inputs) unreadConf(c *Check) string {
	var parts []string
	total := 0
	for _, need := range c.Needs {
		var set *novaconf.Set
		switch need {
		case NeedNovaConf:
			set = in.NovaConf
		case NeedAPIConf:
			set = in.APIConf
		}
		if list, n := unreadList(set); n > 0 {
			parts = append(parts, list)
			total += n
		}
	}
	if total == 0 {
		return ""
	}
	if total == 1 {
		return strings.Join(parts, ", ") + " is not readable by this user: what it sets is unknown; run gpupass as root to check it"
	}
	return strings.Join(parts, ", ") + " are not readable by this user: what they set is unknown; run gpupass as root to check them"
}

// unreadList names a set's unreadable paths with why ("/etc/nova
// (permission denied: cannot look into it)"), and counts them.
func unreadList(c *novaconf.Set) (string, int) {
	var out []string
	for _, u := range c.Unreadable() {
		out = append(out, u.Path+" ("+u.Reason+")")
	}
	return strings.Join(out, ", "), len(out)
}

// Run applies the checks, in order, to the inputs. It never fails: a check
// that cannot run is skipped with the reason.
func Run(in *Inputs, catalog []*Check) report.Report {
	r := report.Report{Schema: report.Schema, Checks: []report.CheckResult{}, Findings: []report.Finding{}}
	if in.NovaRelease.Name != "" {
		r.NovaRelease = in.NovaRelease.Name
	}
	r.Host = report.FromHost(in.Host)
	r.NovaConf = report.FromConf(in.NovaConf)
	r.APIConf = report.FromConf(in.APIConf)
	pciInPlacement := pciInPlacementOf(in)
	var sysfs pcispec.Sysfs
	if in.Host != nil {
		sysfs = pcispec.SysfsFromInventory(in.Host.Devices)
	}
	conf := pcispec.ParseConf(in.NovaConf, in.NovaRelease, sysfs, pciInPlacement)
	api := pcispec.ParseConf(in.APIConf, in.NovaRelease, nil, pciInPlacement)
	mdev := mdevconf.Parse(in.NovaConf, in.NovaRelease)
	var view *hostview.View
	if in.Host != nil {
		view = hostview.New(in.Host, in.GPUs, conf)
		for _, g := range view.GPUs {
			r.PassthroughGPUs = append(r.PassthroughGPUs, g.Device.Address)
		}
	}
	fleetView := fleet.New(in.Cloud, in.Reports, in.NovaRelease, api)
	r.Audit = fleetView.Report(in.Cloud, in.NovaReleaseFrom)
	var before, after *hostinfo.Host
	if in.has(NeedBaseline) {
		before, after = in.Baseline.Host.HostInfo(), in.Current.Host.HostInfo()
	}
	for _, c := range catalog {
		result := report.CheckResult{ID: c.ID, Name: c.Name, Status: report.StatusPass}
		var missing []string
		for _, need := range c.Needs {
			if !in.has(need) {
				missing = append(missing, in.needText(need))
			}
		}
		if len(missing) > 0 {
			result.Status = report.StatusSkip
			result.Reason = "needs " + strings.Join(missing, " and ")
			r.Checks = append(r.Checks, result)
			continue
		}
		// Part of a configuration could not be read as this user: what
		// it sets is unknown, so a check of the whole is not judged.
		if why := in.unreadConf(c); why != "" && !c.PerFile {
			result.Status, result.Reason = report.StatusSkip, why
			r.Checks = append(r.Checks, result)
			continue
		}
		pass := &Pass{Check: c, Inputs: in, Host: view, Conf: conf, API: api, Mdev: mdev, Fleet: fleetView, Before: before, After: after}
		err := runSafely(c, pass)
		switch {
		case err != nil:
			result.Status, result.Reason = report.StatusSkip, "could not run: "+err.Error()
			pass.findings = nil
		case pass.skip != "":
			result.Status, result.Reason = report.StatusSkip, pass.skip
		case len(pass.findings) == 0:
			// A per-file check passes only the files it could read.
			if why := in.unreadConf(c); why != "" {
				result.Status, result.Reason = report.StatusSkip, why+" (the files read pass)"
			}
		}
		for _, f := range pass.findings {
			switch f.Severity {
			case report.Error:
				r.Summary.Errors++
				result.Status = report.StatusFail
			case report.Warning:
				r.Summary.Warnings++
				result.Status = report.StatusFail
			case report.Info:
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
