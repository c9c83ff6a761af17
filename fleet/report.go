package fleet

import (
	"fmt"
	"strings"

	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Report is the audit's view of the cloud in a report: where it looked,
// what it could not read, each host's supply and each GPU flavor's
// verdict; nil for a nil view. releaseFrom says why the release applies.
func (v *View) Report(snap *cloudmodel.Snapshot, releaseFrom string) *report.AuditReport {
	if v == nil {
		return nil
	}
	r := &report.AuditReport{Incomplete: []report.Gap{}, Hosts: []report.AuditHost{}, Flavors: []report.AuditFlavor{}, AliasesFrom: v.AliasSource, NovaReleaseFrom: releaseFrom}
	if snap != nil {
		r.Cloud = &report.AuditCloud{AuthURL: snap.AuthURL, Region: snap.Region, Project: snap.Project, User: snap.User, ComputeMicroversion: snap.ComputeMicroversion}
		for _, g := range snap.Incomplete {
			r.Incomplete = append(r.Incomplete, report.Gap{Part: g.Part, Endpoint: g.Endpoint, Reason: g.Reason, Status: g.Status})
		}
		q := snap.Requests
		r.Requests = &report.RequestStats{Identity: q.Identity, Versions: q.Versions, Flavors: q.Flavors, ExtraSpecs: q.ExtraSpecs,
			Hypervisors: q.Hypervisors, Placement: q.Placement, Retries: q.Retries, Total: q.Total}
		r.Counts.Flavors = len(snap.Flavors)
	}
	for _, h := range v.Hosts {
		ah := report.AuditHost{Name: h.Name, Report: h.Path, Usable: []string{}, VCPUs: h.VCPU.Total, MemoryMB: h.MemoryMB.Total, Down: h.Down}
		if hv := h.Hypervisor; hv != nil {
			ah.Service = hv.State + ", " + hv.Status
		}
		for _, d := range h.Devices {
			ah.Usable = append(ah.Usable, pcidev.Describe(d.Device))
		}
		for _, u := range h.Unusable {
			ah.Unusable = append(ah.Unusable, pcidev.Describe(u.Device)+": "+u.Reason)
		}
		r.Hosts = append(r.Hosts, ah)
	}
	r.Counts.Hosts = len(v.Hosts)
	r.Counts.GPUFlavors = len(v.Flavors)
	for _, ff := range v.Flavors {
		af := v.verdict(ff)
		if af.Bootable {
			r.Counts.Bootable++
		}
		r.Flavors = append(r.Flavors, af)
	}
	return r
}

// verdict sums a GPU flavor up in one line, the reason first when it
// cannot boot.
func (v *View) verdict(ff *FlavorFit) report.AuditFlavor {
	f := ff.Flavor
	af := report.AuditFlavor{Name: f.Name, ID: f.ID, Public: f.IsPublic, Alias: f.ExtraSpecs[SpecAlias], VCPUs: f.VCPUs, RAMMB: f.RAMMB, Hosts: []string{}}
	if ff.VGPU != nil {
		af.Resources = ff.VGPU.Describe()
		if !HasPCIRequest(f) {
			v.vgpuVerdict(ff.VGPU, &af)
			return af
		}
	}
	if err := ff.SpecErrs[SpecAlias]; err != nil {
		// Nova's message ends in a parenthesis of its own ("(ValidationError)"):
		// a dash, not another pair around it.
		af.Verdict = "cannot boot: Nova rejects its pci_passthrough:alias — " + pcispec.Message(err)
		return af
	}
	if err := ff.SpecErrs[SpecNUMAPolicy]; err != nil {
		af.Verdict = "cannot boot: Nova rejects its hw:pci_numa_affinity_policy — " + pcispec.Message(err)
		return af
	}
	if ff.NUMAErr != nil {
		af.Verdict = "cannot boot: Nova rejects its NUMA extra specs — " + ff.NUMAErr.Error()
		return af
	}
	switch {
	case v.Aliases == nil && v.AliasErr != nil:
		// Nova's API refuses every PCI flavor ("Invalid PCI alias
		// definition").
		af.Verdict = "cannot boot: Nova rejects the [pci]alias definitions of " + v.AliasSource + " — " + pcispec.Message(v.AliasErr)
		return af
	case v.Aliases == nil:
		af.Verdict = "unknown: no alias definitions (pass --api-conf, or --reports)"
		return af
	case ff.Undefined != "":
		af.Verdict = fmt.Sprintf("cannot boot: alias %q is not defined", ff.Undefined)
		return af
	case ff.Requests == nil:
		af.Verdict = "cannot boot: its pci_passthrough:alias cannot be translated"
		return af
	case len(v.Hosts) == 0:
		af.Verdict = "unknown: no host reports (pass --reports)"
		return af
	}
	more, exact := 0, true
	// Hosts that have the devices but fail otherwise say more than hosts
	// that lack them.
	why := prose.Bounded{}
	for _, h := range ff.Hosts {
		switch {
		case h.Bootable():
			af.Hosts = append(af.Hosts, h.Host.Name)
			more += h.MoreFit
			exact = exact && h.MoreFitKnown
		case h.Devices:
			if why.Next() {
				why.Add(h.Host.Name + ": " + h.Why)
			}
		}
	}
	if len(af.Hosts) == 0 {
		if why.Total() == 0 {
			af.Verdict = "cannot boot: " + ff.Shortage()
		} else {
			af.Verdict = "cannot boot: " + why.Join("; ")
		}
		return af
	}
	// A CPU thread policy: Placement's traits say which hosts have SMT;
	// where they were not read it is not judged. Under require the vCPUs
	// take sibling threads, which host reports do not show: the count is a
	// bound.
	note := ""
	if g := ff.guest; g != nil && (g.thread == "isolate" || g.thread == "require") {
		for _, h := range ff.Hosts {
			if h.Bootable() && h.Host.Traits == nil {
				note, exact = " ("+g.threadFrom+" is not judged: Placement's traits, which say whether a host has SMT, were not read)", false
				break
			}
		}
		if note == "" && g.thread == "require" {
			note, exact = " ("+g.threadFrom+": its vCPUs take sibling threads, which host reports do not show; the count is a bound)", false
		}
	}
	af.Bootable, af.MoreInstances, af.MoreExact = true, &more, exact
	bound := ""
	if !exact {
		bound = "up to "
	}
	af.Verdict = fmt.Sprintf("bootable on %s (%s); %s%d more %s", prose.Plural(len(af.Hosts), "host"), prose.List(af.Hosts), bound, more, prose.Verb(more, "instance fits", "instances fit"))
	af.Verdict += note
	return af
}

// vgpuVerdict sums up a flavor that asks for vGPUs only, from Placement:
// host reports are not needed.
func (v *View) vgpuVerdict(r *VGPURequest, af *report.AuditFlavor) {
	if !v.PlacementKnown {
		af.Verdict = "unknown: Placement could not be read"
		return
	}
	if p := r.Blocked(); p != nil {
		af.Verdict = "cannot boot: " + p.Short
		return
	}
	more := 0
	why := prose.Bounded{}
	for _, h := range r.Hosts {
		switch {
		case h.Bootable():
			af.Hosts = append(af.Hosts, h.Host.Name)
			more += h.MoreFit
		case h.Providers && h.Up:
			if why.Next() {
				why.Add(h.Host.Name + ": " + h.Why)
			}
		}
	}
	if len(af.Hosts) == 0 {
		if why.Total() == 0 {
			af.Verdict = "cannot boot: " + r.Shortage()
		} else {
			af.Verdict = "cannot boot: " + why.Join("; ")
		}
		return
	}
	af.Bootable, af.MoreInstances, af.MoreExact = true, &more, true
	af.Verdict = fmt.Sprintf("bootable on %s (%s); %d more %s", prose.Plural(len(af.Hosts), "host"), prose.List(af.Hosts), more, prose.Verb(more, "instance fits", "instances fit"))
	if p := r.Problem(ProblemGroupsIgnored); p != nil {
		af.Verdict += "; but " + p.Short
	}
	lo, hi, known := 0, 0, true
	for _, h := range r.Hosts {
		if h.Bootable() {
			lo, hi, known = lo+h.AtOnceMin, hi+h.AtOnceMax, known && h.AtOnceKnown
		}
	}
	if known && lo < more {
		af.AtOnce, af.AtOnceExact = &lo, lo == hi
		most := fmt.Sprintf("at most %d of them", lo)
		if lo != hi {
			most = fmt.Sprintf("at most %d to %d of them, as Placement orders its candidates", lo, hi)
		}
		but := "; but"
		if strings.Contains(af.Verdict, "; but ") {
			but = "; and"
		}
		af.Verdict += fmt.Sprintf("%s one request for several servers gets %s: Nova's scheduler gives every server of one request the vGPU providers of the first allocation candidate of each host", but, most)
	}
}
