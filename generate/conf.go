package generate

import (
	"slices"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/report"
)

// What the plan changes in nova.conf. On the compute node: the [pci]
// device_spec and alias lines it replaces or removes, [pci]
// report_in_placement, [libvirt]virt_type and the node's own
// [filter_scheduler]enabled_filters where they are wrong. On the API and
// scheduler nodes: the same aliases and PciPassthroughFilter. With GPUs
// selected the generated [pci] lines are the whole truth about GPUs: every
// device_spec and alias line of the node goes (SR-IOV networking entries
// stay). Without, only the lines preflight reports as errors go.

// networkSpec reports a device_spec value that offers SR-IOV networking
// (physical_network or remote_managed tags): GP305 leaves those alone, and
// so does the plan.
func networkSpec(text string) bool {
	return strings.Contains(text, "physical_network") || strings.Contains(text, "remote_managed")
}

// errorsOf are the plan's error findings of the given checks.
func (p *Plan) errorsOf(ids ...string) []report.Finding {
	var out []report.Finding
	for _, f := range p.Options.Findings {
		if f.Severity == report.Error && slices.Contains(ids, f.ID) {
			out = append(out, f)
		}
	}
	return out
}

// errorSources are the file:line sources of the plan's error findings of
// the given checks.
func (p *Plan) errorSources(ids ...string) map[string]bool {
	out := map[string]bool{}
	for _, f := range p.errorsOf(ids...) {
		if f.Source != "" {
			out[f.Source] = true
		}
	}
	return out
}

// onAPIConf reports a finding about the --api-conf files (GP307 and GP311
// say so in their evidence).
func onAPIConf(f report.Finding) bool {
	role, _ := f.Evidence["conf"].(string)
	return role == "api"
}

// aliasesInvalid reports a GP307 error on the node's (api false) or the
// API node's (api true) aliases: Nova then rejects every alias of that
// configuration, so all its alias lines go.
func (p *Plan) aliasesInvalid(api bool) bool {
	for _, f := range p.errorsOf("GP307") {
		if onAPIConf(f) == api {
			return true
		}
	}
	return false
}

// syncsAliases reports that the node's aliases are made the API node's:
// with --api-conf, when they differ (GP311) or would differ once the plan
// has changed either side.
func (p *Plan) syncsAliases() bool {
	if p.Options.APIConf == nil {
		return false
	}
	if len(p.errorsOf("GP311")) > 0 {
		return true
	}
	var compute []string
	if p.passesPCI() || p.aliasesInvalid(false) {
		compute = p.aliases()
	} else {
		bad := p.errorSources("GP309")
		for _, v := range lookup(p.Options.Conf, novaconf.OptAlias) {
			if !bad[v.Source.String()] {
				compute = append(compute, v.Text)
			}
		}
	}
	return !sameTexts(compute, append(p.apiKeptAliases(), p.aliases()...))
}

// apiKeptAliases are the API node's alias values the plan keeps.
func (p *Plan) apiKeptAliases() []string {
	replaced := map[novaconf.Source]bool{}
	for _, v := range p.APIReplaced() {
		replaced[v.Source] = true
	}
	var out []string
	for _, v := range lookup(p.Options.APIConf, novaconf.OptAlias) {
		if !replaced[v.Source] {
			out = append(out, v.Text)
		}
	}
	return out
}

// sameTexts reports two lists of values with the same texts, whatever
// their order and white space.
func sameTexts(a, b []string) bool {
	norm := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = strings.Join(strings.Fields(s), " ")
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(norm(a), norm(b))
}

// replacesAliases reports that every alias line of the node goes, for the
// snippet's aliases.
func (p *Plan) replacesAliases() bool {
	return p.passesPCI() || p.aliasesInvalid(false) || p.syncsAliases()
}

// Replaced are the lines of the node's nova.conf that the plan removes:
// the compute snippet replaces them, or they are errors. Kept, PCI lines
// would add to the snippet's, and the last value of the others would win.
func (p *Plan) Replaced() []novaconf.Value {
	conf := p.Options.Conf
	bad := p.errorSources("GP302", "GP305", "GP309")
	var out []novaconf.Value
	for _, v := range lookup(conf, novaconf.OptDeviceSpec) {
		if !networkSpec(v.Text) && (len(p.Models) > 0 || p.VGPU != nil || bad[v.Source.String()]) {
			out = append(out, v)
		}
	}
	for _, v := range lookup(conf, novaconf.OptAlias) {
		if p.replacesAliases() || bad[v.Source.String()] {
			out = append(out, v)
		}
	}
	if p.writesReportInPlacement() {
		out = append(out, lookup(conf, novaconf.OptReportInPlacement)...)
	}
	if p.computeFilters() != nil {
		out = append(out, lookup(conf, novaconf.OptEnabledFilters)...)
	}
	if p.fixVirtType() {
		out = append(out, lookup(conf, novaconf.OptVirtType)...)
	}
	out = append(out, p.replacedMdev()...)
	return bySource(out)
}

// APIReplaced are the lines of the API node's nova.conf (--api-conf) that
// its snippet replaces: the aliases it defines again (all of them when
// Nova rejects the set), enabled_filters when the snippet sets it, and
// pci_in_placement with --placement. Nil without --api-conf.
func (p *Plan) APIReplaced() []novaconf.Value {
	conf := p.Options.APIConf
	if conf == nil {
		return nil
	}
	names := map[string]bool{}
	for _, m := range p.Models {
		names[m.Alias] = true
	}
	if p.VGPU != nil && p.VGPU.Alias != "" {
		names[p.VGPU.Alias] = true
	}
	// When Nova rejects the set, the values it rejects alone go; when
	// each is fine alone (names repeated with different policies), all.
	values := lookup(conf, novaconf.OptAlias)
	invalid := p.aliasesInvalid(true)
	if invalid {
		for _, v := range values {
			if rejected(v.Text, p) {
				invalid = false
			}
		}
	}
	var out []novaconf.Value
	for _, v := range values {
		if invalid || definesAny(v.Text, names, p) {
			out = append(out, v)
		}
	}
	if p.apiFilters() != nil {
		out = append(out, lookup(conf, novaconf.OptEnabledFilters)...)
	}
	if p.Options.Placement {
		out = append(out, lookup(conf, novaconf.OptPCIInPlacement)...)
	}
	return bySource(out)
}

// rejected reports an alias value Nova rejects on its own.
func rejected(text string, p *Plan) bool {
	_, _, err := pcispec.ParseAliasesWith([]string{text}, p.Options.Release, pcispec.Options{})
	return err != nil
}

// definesAny reports an alias value that defines one of the names, or
// that Nova rejects on its own (kept, it would fail the whole set).
func definesAny(text string, names map[string]bool, p *Plan) bool {
	aliases, _, err := pcispec.ParseAliasesWith([]string{text}, p.Options.Release, pcispec.Options{})
	if err != nil {
		return true
	}
	for name := range aliases {
		if names[name] {
			return true
		}
	}
	return false
}

func bySource(values []novaconf.Value) []novaconf.Value {
	sort.SliceStable(values, func(i, j int) bool {
		if values[i].Source.File != values[j].Source.File {
			return values[i].Source.File < values[j].Source.File
		}
		return values[i].Source.Line < values[j].Source.Line
	})
	return values
}

// computeAliases are the alias values of the compute snippet: the
// generated ones, then, with --api-conf, the API node's other aliases as
// they are, so that both nodes define the same set (GP311).
func (p *Plan) computeAliases() []string {
	if !p.replacesAliases() {
		return nil
	}
	out := p.aliases()
	if p.Options.APIConf == nil {
		return out
	}
	return append(out, p.apiKeptAliases()...)
}

// ComputeConf is the compute node's snippet, a complete nova.conf file;
// "" when the node's nova.conf needs nothing added.
func (p *Plan) ComputeConf() string {
	var sections []string
	var pci []string
	for _, v := range p.deviceSpecs() {
		pci = append(pci, p.deviceSpecOption()+" = "+v)
	}
	for _, v := range p.computeAliases() {
		pci = append(pci, "alias = "+confValue(v))
	}
	if p.writesReportInPlacement() {
		pci = append(pci, "report_in_placement = True")
	}
	if len(pci) > 0 {
		sections = append(sections, "[pci]\n"+strings.Join(pci, "\n")+"\n")
	}
	if mdev := p.mdevConf(); mdev != "" {
		sections = append(sections, mdev)
	}
	if p.fixVirtType() {
		// PCI passthrough needs KVM: qemu (emulation) cannot assign devices.
		sections = append(sections, "[libvirt]\nvirt_type = kvm\n")
	}
	if filters := p.computeFilters(); filters != nil {
		// This node's nova.conf sets the scheduler's filters (an all-in-one
		// or a controller that also computes): they need the filter too.
		sections = append(sections, "[filter_scheduler]\nenabled_filters = "+strings.Join(filters, ",")+"\n")
	}
	return strings.Join(sections, "\n")
}

// confValue writes a value of several lines as oslo.config reads it back:
// each continuation line indented.
func confValue(text string) string {
	return strings.ReplaceAll(text, "\n", "\n  ")
}

// fixVirtType reports a node whose [libvirt]virt_type is set to anything
// but kvm (qemu emulates and cannot pass devices through; a typo stops
// nova-compute).
func (p *Plan) fixVirtType() bool {
	vals := lookup(p.Options.Conf, novaconf.OptVirtType)
	return len(vals) > 0 && strings.TrimSpace(vals[len(vals)-1].Text) != "kvm"
}

// writesReportInPlacement reports that the snippet turns on
// [pci]report_in_placement: with --placement, or because the scheduler
// allocates PCI devices in Placement (--api-conf's
// [filter_scheduler]pci_in_placement, GP312), when the node does not
// already. It is never turned off: nova-compute refuses that once on.
func (p *Plan) writesReportInPlacement() bool {
	if isTrue(lookup(p.Options.Conf, novaconf.OptReportInPlacement)) {
		return false
	}
	return p.Options.Placement || isTrue(lookup(p.Options.APIConf, novaconf.OptPCIInPlacement))
}

// isTrue reports whether the last value of a boolean option is true.
func isTrue(values []novaconf.Value) bool {
	if len(values) == 0 {
		return false
	}
	b, err := novaconf.ParseBool(values[len(values)-1].Text)
	return err == nil && b
}

// computeFilters are the filters the compute snippet sets: only where the
// node's own nova.conf sets enabled_filters without PciPassthroughFilter;
// nil otherwise.
func (p *Plan) computeFilters() []string {
	vals := lookup(p.Options.Conf, novaconf.OptEnabledFilters)
	if len(vals) == 0 || hasPCIFilter(vals) {
		return nil
	}
	return p.enabledFilters()
}

// apiFilters are the filters the API snippet sets: with GPUs selected, or
// where preflight says the scheduler's filters lack PciPassthroughFilter
// (GP310 on --api-conf, or on a node whose nova.conf is the scheduler's);
// nil otherwise.
func (p *Plan) apiFilters() []string {
	if p.passesPCI() {
		return p.enabledFilters()
	}
	for _, f := range p.errorsOf("GP310") {
		if f.Source == "" || p.Options.APIConf != nil && hasSource(lookup(p.Options.APIConf, novaconf.OptEnabledFilters), f.Source) {
			return p.enabledFilters()
		}
	}
	return nil
}

func hasSource(values []novaconf.Value, source string) bool {
	for _, v := range values {
		if v.Source.String() == source {
			return true
		}
	}
	return false
}

func hasPCIFilter(values []novaconf.Value) bool {
	return slices.Contains(novaconf.ParseList(values[len(values)-1].Text), pciFilter)
}

// pciFilter is the scheduler filter that places PCI requests.
const pciFilter = "PciPassthroughFilter"

// APIConf is the snippet for the nova-api, scheduler and conductor nodes,
// a complete nova.conf file; "" when they need nothing.
func (p *Plan) APIConf() string {
	var sections []string
	if aliases := p.aliases(); len(aliases) > 0 {
		sections = append(sections, "[pci]\nalias = "+strings.Join(aliases, "\nalias = ")+"\n")
	}
	var sched []string
	if filters := p.apiFilters(); filters != nil {
		sched = append(sched, "enabled_filters = "+strings.Join(filters, ","))
	}
	if p.Options.Placement {
		sched = append(sched, "pci_in_placement = True")
	}
	if len(sched) > 0 {
		sections = append(sections, "[filter_scheduler]\n"+strings.Join(sched, "\n")+"\n")
	}
	return strings.Join(sections, "\n")
}

// enabledFilters are the filters already configured (the API node's
// nova.conf when given, else this node's, else Nova's default) with
// PciPassthroughFilter added.
func (p *Plan) enabledFilters() []string {
	raw := novaconf.OptEnabledFilters.Default
	if vals := p.filterValues(); len(vals) > 0 {
		raw = vals[len(vals)-1].Text
	}
	var out []string
	for _, f := range strings.Split(raw, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if !slices.Contains(out, pciFilter) {
		out = append(out, pciFilter)
	}
	return out
}

// filterValues are enabled_filters as configured: the API node's
// nova.conf (--api-conf) when given, else this node's.
func (p *Plan) filterValues() []novaconf.Value {
	if vals := lookup(p.Options.APIConf, novaconf.OptEnabledFilters); len(vals) > 0 {
		return vals
	}
	return lookup(p.Options.Conf, novaconf.OptEnabledFilters)
}

func (p *Plan) filtersFrom() string {
	if vals := p.filterValues(); len(vals) > 0 {
		return "the filters enabled at " + vals[len(vals)-1].Source.String()
	}
	return "Nova's default filters (give the scheduler's nova.conf with --api-conf to start from its own)"
}

// changesNovaConf reports whether the plan changes nova.conf anywhere.
func (p *Plan) changesNovaConf() bool {
	return len(p.Replaced()) > 0 || len(p.Options.ExposedFiles) > 0 || p.ComputeConf() != "" ||
		p.APIConf() != "" || len(p.APIReplaced()) > 0
}
