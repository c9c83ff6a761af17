package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// A plan answers every error preflight reports on its host: it fixes
// what configuration can fix (kernel arguments, modprobe.d, modules-load.d,
// nova.conf lines removed or replaced, file modes) and names the rest as
// problems (firmware, hardware, a slot, or a line only the operator can
// mend). Build takes preflight's findings (Options.Findings, from the same
// host, selection, nova.conf and release) and records an Answer for each
// error; TestGenerateRoundTrip applies plans to copies of every fixture
// and its variants and holds every error of the preflight that follows to
// a problem of the plan that names it.

// Problem is what the plan does not fix, as a sentence for the operator,
// with the preflight findings it accounts for.
type Problem struct {
	Text     string
	Findings []Ref
}

// Ref names a preflight finding: its check and subject and, for a finding
// about one line of a file, the line (file:line).
type Ref struct {
	ID      string
	Subject report.Subject
	Source  string
}

// covers reports whether the ref names the finding: the same check and
// subject, and the same line when the ref names one.
func (r Ref) covers(f Ref) bool {
	return r.ID == f.ID && r.Subject == f.Subject && (r.Source == "" || r.Source == f.Source)
}

// RefOf is the ref of a finding.
func RefOf(f report.Finding) Ref { return Ref{ID: f.ID, Subject: f.Subject, Source: f.Source} }

// Answer is what the plan does about one of preflight's error findings.
type Answer struct {
	Ref
	// Name is the check's name (group-not-viable).
	Name string
	// Fixed: applying the plan makes the finding go. How then says by
	// what (the kernel command line, modprobe.d, nova.conf...); otherwise
	// it is the text of the problem that names the finding.
	Fixed bool
	How   string
}

// Names reports whether a problem of the plan names the finding.
func (p *Plan) Names(f Ref) bool {
	for _, pr := range p.Problems {
		for _, r := range pr.Findings {
			if r.covers(f) {
				return true
			}
		}
	}
	return false
}

// problem adds a problem the plan's own analysis found.
func (p *Plan) problem(text string, refs ...Ref) {
	p.Problems = append(p.Problems, Problem{Text: text, Findings: refs})
}

// answerFindings records an answer for every error finding, naming as a
// problem each one the plan neither fixes nor already names.
func (p *Plan) answerFindings() {
	for _, f := range p.Options.Findings {
		if f.Severity != report.Error {
			continue
		}
		a := Answer{Ref: RefOf(f), Name: f.Name}
		if how, ok := p.fixes(f); ok {
			a.Fixed, a.How = true, how
		} else {
			if !p.Names(a.Ref) {
				p.problem(unfixedText(f), a.Ref)
			}
			for _, pr := range p.Problems {
				for _, r := range pr.Findings {
					if r.covers(a.Ref) && a.How == "" {
						a.How = pr.Text
					}
				}
			}
		}
		p.Answers = append(p.Answers, a)
	}
}

// unfixedText says a finding the plan does not fix, and what preflight
// says to do about it.
func unfixedText(f report.Finding) string {
	where := ""
	if f.Source != "" {
		where = f.Source + ": "
	}
	text := where + f.Message
	if f.Remediation != "" {
		text += " " + f.Remediation
	}
	return text + " (" + f.ID + ")"
}

// fixes reports whether applying the plan makes the finding go, and by
// what. It is the plan's claim; the round trip holds it to preflight.
func (p *Plan) fixes(f report.Finding) (string, bool) {
	switch f.ID {
	case "GP107":
		// An error when the driver has taken passthrough GPUs: none is one
		// once the device_spec that offers them goes.
		if taken := addressesOf(f.Evidence["bound_now"]); len(taken) > 0 {
			unoffered := true
			for _, a := range taken {
				unoffered = unoffered && p.unoffered(a)
			}
			if unoffered {
				return unofferedHow, true
			}
		}
		return p.carriesOutAll(f)
	case "GP103", "GP104", "GP105", "GP106":
		return p.carriesOutAll(f)
	case "GP201", "GP205", "GP206":
		if f.Subject.Kind != "device" {
			break
		}
		if f.ID == "GP201" && p.binds(f.Subject.Ref) {
			return p.bindingHow(f.Subject.Ref), true
		}
		if p.unoffered(f.Subject.Ref) {
			return unofferedHow, true
		}
	case "GP202":
		if f.Subject.Kind != "device" {
			break
		}
		if p.binds(f.Subject.Ref) {
			return p.bindingHow(f.Subject.Ref), true
		}
		// The group is only a passthrough GPU's because of a device_spec
		// the plan removes.
		gpus := p.passthroughInGroup(f.Subject.Ref)
		unoffered := len(gpus) > 0
		for _, g := range gpus {
			unoffered = unoffered && p.unoffered(g)
		}
		if unoffered {
			return unofferedHow, true
		}
	case "GP302", "GP305", "GP309":
		if p.removes(f.Source) {
			if len(p.Models) > 0 {
				return "nova.conf: the line is replaced", true
			}
			return "nova.conf: the line is removed", true
		}
	case "GP313":
		if p.removes(f.Source) && p.fixVirtType() {
			return "nova.conf: virt_type = kvm", true
		}
	case "GP307":
		if p.replacesInvalidAliases(onAPIConf(f)) {
			return "nova.conf: the aliases Nova rejects are removed", true
		}
	case "GP310":
		if f.Source != "" && p.removes(f.Source) || f.Source == "" && p.apiFilters() != nil {
			return "nova.conf: PciPassthroughFilter added", true
		}
	case "GP311":
		if p.syncsAliases() {
			return "nova.conf: the same aliases on both nodes", true
		}
	case "GP312":
		if f.Subject.Ref == "[pci]report_in_placement" && p.writesReportInPlacement() {
			return "nova.conf: report_in_placement turned on", true
		}
	case "GP314":
		if f.Subject.Kind == "file" && slices.Contains(p.Options.ExposedFiles, f.Subject.Ref) {
			return "chmod 0640", true
		}
	default:
		return p.fixesVGPU(f)
	}
	return "", false
}

// fixesVGPU answers the GP6xx errors a vGPU plan fixes: the mdev options
// it rewrites (GP601-GP603, GP604's missing max_instances), the unit that
// enables a GPU's VFs before nova-compute (GP605), the vendor framework's
// device_spec, alias and VF types (GP607), and the device_spec lines whose
// managed tag is wrong, which it replaces (GP608). GP604's other cases
// (no instance left, mdevs of another type), GP605's missing vGPU manager,
// GP606 (mdevctl), GP609-GP612 are the operator's: they are named.
func (p *Plan) fixesVGPU(f report.Finding) (string, bool) {
	v := p.VGPU
	if v == nil {
		return "", false
	}
	rewrites := f.Source == "" || p.removes(f.Source)
	switch f.ID {
	case "GP601", "GP602", "GP603":
		if !rewrites {
			break
		}
		if v.Framework == FrameworkVendor {
			return "nova.conf: the mdev options go (this host has no mdev bus)", true
		}
		return "nova.conf: enabled_mdev_types = " + v.Type + " (and its group) replaces them", true
	case "GP604":
		_, about := f.Evidence["max_instances"]
		if p.MaxInstances() > 0 && (about || strings.Contains(f.Message, "max_instances")) {
			return fmt.Sprintf("nova.conf: [mdev_%s] max_instances = %d", v.Type, p.MaxInstances()), true
		}
	case "GP605":
		if f.Subject.Kind == "device" && p.unitCovers(f.Subject.Ref) {
			return "a systemd unit enables the virtual functions at boot, before nova-compute", true
		}
		if v.Framework == FrameworkVendor && f.Source != "" && p.removes(f.Source) {
			return "nova.conf: enabled_mdev_types goes (this host has no mdev bus)", true
		}
	case "GP607":
		if v.Framework == FrameworkVendor && rewrites {
			return "nova.conf: device_spec of the typed VFs with managed: no, a type-VF alias; a unit types the VFs at boot", true
		}
	case "GP608":
		if f.Source != "" && p.removes(f.Source) {
			return "nova.conf: the line is replaced", true
		}
	}
	return "", false
}

// unitCovers reports whether the plan's units (or the host's it keeps)
// enable the VFs of the GPU at address, or of the GPU a VF at address
// belongs to, before nova-compute.
func (p *Plan) unitCovers(address string) bool {
	v := p.VGPU
	if v == nil || len(v.Units) == 0 && len(v.UnitsKept) == 0 {
		return false
	}
	for _, g := range v.GPUs {
		if g.GPU.Address == address || slices.Contains(g.Parents, address) {
			return true
		}
	}
	return false
}

// carriesOutAll reports whether the plan makes every structured fix of
// the finding (GP103-GP107 say what fixes them: kernel arguments,
// modprobe.d and modules-load.d lines; a finding without a fix, such as
// interrupt remapping missing from the hardware, has none), and where.
func (p *Plan) carriesOutAll(f report.Finding) (string, bool) {
	if len(f.Fix) == 0 {
		return "", false
	}
	var hows []string
	for _, fx := range f.Fix {
		how, ok := p.carriesOut(fx)
		if !ok {
			return "", false
		}
		if !slices.Contains(hows, how) {
			hows = append(hows, how)
		}
	}
	return strings.Join(hows, " and "), true
}

// unofferedHow says why a device's findings go with the plan.
const unofferedHow = "no longer offered to guests: the device_spec lines that admit it go"

// unoffered reports a display function that preflight counts as a
// passthrough GPU only because a device_spec line the plan removes admits
// it: after the plan it is not one, and what preflight said of it as one
// goes. A GPU the plan binds, one --gpu names, one bound to vfio-pci or
// claimed for it at boot stays one.
func (p *Plan) unoffered(address string) bool {
	var d *pcidev.Device
	for i := range p.Host.Devices {
		if p.Host.Devices[i].Address == address {
			d = &p.Host.Devices[i]
		}
	}
	if d == nil || p.binds(address) || hostview.New(p.Host, p.Options.GPUs, nil).IsPassthroughGPU(d) {
		return false
	}
	removed := map[novaconf.Source]bool{}
	for _, v := range p.Replaced() {
		removed[v.Source] = true
	}
	sysfs := pcispec.LazySysfs(p.Host.Devices)
	admitted := false
	for _, v := range lookup(p.Options.Conf, novaconf.OptDeviceSpec) {
		specs, _, err := pcispec.ParseDeviceSpecWith(v.Text, p.Options.Release, pcispec.Options{Sysfs: sysfs})
		if err != nil {
			continue
		}
		for _, s := range specs {
			if ok, evaluable := s.Match(d); ok || !evaluable {
				admitted = true
				if !removed[v.Source] {
					return false
				}
			}
		}
	}
	return admitted
}

// passthroughInGroup are the display functions in the IOMMU group of the
// device at address, itself apart.
func (p *Plan) passthroughInGroup(address string) []string {
	var group *int
	for i := range p.Host.Devices {
		if p.Host.Devices[i].Address == address {
			group = p.Host.Devices[i].IOMMUGroup
		}
	}
	if group == nil {
		return nil
	}
	var out []string
	for i := range p.Host.Devices {
		d := &p.Host.Devices[i]
		if d.Address != address && d.IOMMUGroup != nil && *d.IOMMUGroup == *group && pcidev.IsDisplay(d) {
			out = append(out, d.Address)
		}
	}
	return out
}

// addressesOf reads a list of addresses from a finding's evidence, as
// checks write it or as JSON decodes it.
func addressesOf(v any) []string {
	switch list := v.(type) {
	case []string:
		return list
	case []any:
		var out []string
		for _, x := range list {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// carriesOut reports whether the plan makes a finding's structured fix,
// and where.
func (p *Plan) carriesOut(fx report.Fix) (string, bool) {
	switch fx.Target {
	case "kernel-cmdline":
		k := p.Kernel()
		list := k.Remove
		if fx.Action == "add" {
			list = k.Add
		}
		for _, arg := range list {
			if sameParam(arg, fx.Text) {
				return "kernel command line", true
			}
		}
	case "modprobe.d":
		if fx.Action != "add" {
			return "", false
		}
		if ids, ok := strings.CutPrefix(fx.Text, "options vfio-pci ids="); ok {
			for _, id := range strings.Split(ids, ",") {
				if !p.claims(id) {
					return "", false
				}
			}
			return "modprobe.d", true
		}
		for _, line := range strings.Split(p.ModprobeConf(), "\n") {
			if hostinfo.NormalizeModule(line) == hostinfo.NormalizeModule(fx.Text) {
				return "modprobe.d", true
			}
		}
	case "modules-load.d":
		if fx.Action == "add" && p.ModulesLoad() != "" {
			return "modules-load.d", true
		}
	case "driverctl":
		for _, d := range p.Bound() {
			if strings.Contains(fx.Text, " "+d.Address+" ") && strings.Contains(fx.Text, p.VFIODriver(d)) {
				return p.bindingHow(d.Address), true
			}
		}
	}
	return "", false
}

// sameParam compares kernel parameters as the kernel does: '-' and '_'
// alike in the name, the value as it is.
func sameParam(a, b string) bool {
	ka, va, _ := strings.Cut(a, "=")
	kb, vb, _ := strings.Cut(b, "=")
	return hostinfo.ParamKeyEqual(ka, kb) && va == vb
}

// binds reports whether the plan binds the function to vfio-pci at boot.
func (p *Plan) binds(address string) bool {
	for _, d := range p.Bound() {
		if d.Address == address {
			return true
		}
	}
	return false
}

// claims reports whether every function with the vendor:device ID that
// the plan binds is claimed, by ID or by address.
func (p *Plan) claims(id string) bool {
	for _, d := range p.Bound() {
		if d.VendorID+":"+d.DeviceID == id {
			return true
		}
	}
	return false
}

func (p *Plan) bindingHow(address string) string {
	for _, d := range p.Bound() {
		if d.Address == address && p.onVariant(d) {
			return "bound to " + p.VFIODriver(d) + " at boot, by driverctl"
		}
	}
	_, byAddr := p.IDBinding()
	for _, d := range byAddr {
		if d.Address == address {
			return "bound to vfio-pci at boot, by address"
		}
	}
	return "bound to vfio-pci at boot, by ID"
}

// removes reports whether the plan removes the nova.conf line at source.
func (p *Plan) removes(source string) bool {
	if source == "" {
		return false
	}
	for _, v := range append(p.Replaced(), p.APIReplaced()...) {
		if v.Source.String() == source {
			return true
		}
	}
	return false
}

// replacesInvalidAliases reports whether the plan removes the alias lines
// Nova rejects from the node's nova.conf (api false) or the API node's.
func (p *Plan) replacesInvalidAliases(api bool) bool {
	if api {
		return p.Options.APIConf != nil && len(p.APIReplaced()) > 0
	}
	return p.replacesAliases()
}

// Fixed are the answers the plan fixes, Unfixed those it names.
func (p *Plan) Fixed() []Answer   { return p.answers(true) }
func (p *Plan) Unfixed() []Answer { return p.answers(false) }

func (p *Plan) answers(fixed bool) []Answer {
	var out []Answer
	for _, a := range p.Answers {
		if a.Fixed == fixed {
			out = append(out, a)
		}
	}
	return out
}

// exposedFiles are the nova.conf files whose mode the plan tightens: the
// ones Options names, and those preflight reports (GP314), which a report
// carries when the files' modes are not at hand.
func exposedFiles(opts Options) []string {
	out := append([]string(nil), opts.ExposedFiles...)
	for _, f := range opts.Findings {
		if f.ID == "GP314" && f.Severity == report.Error && f.Subject.Kind == "file" && !slices.Contains(out, f.Subject.Ref) {
			out = append(out, f.Subject.Ref)
		}
	}
	return out
}

// hostProblems names what configuration cannot change on the host itself:
// the IOMMU off in the firmware (GP102), and vfio missing from a kernel
// that loads no modules (GP106).
func (p *Plan) hostProblems() {
	h := p.Host
	host := report.Subject{Kind: "host", Ref: h.Hostname}
	if h.ACPI.Readable {
		switch h.CPU.IOMMUVendor() {
		case "intel":
			if !h.ACPI.HasTable("DMAR") {
				p.problem("The firmware describes no Intel IOMMU (no ACPI DMAR table): enable VT-d in the BIOS/UEFI setup first (GP102); no kernel argument replaces it.", Ref{ID: "GP102", Subject: host})
			}
		case "amd":
			if !h.ACPI.HasTable("IVRS") {
				p.problem("The firmware describes no AMD IOMMU (no ACPI IVRS table): enable AMD-Vi / IOMMU in the BIOS/UEFI setup first (GP102); no kernel argument replaces it.", Ref{ID: "GP102", Subject: host})
			}
		}
	}
	if len(p.Options.ConfUnread) > 0 {
		p.problem(fmt.Sprintf("nova.conf could not all be read as this user (%s): the [pci] lines this plan replaces and the alias names flavors already use are unknown, so the nova.conf snippet may repeat or contradict them. Run gpupass generate as root.", strings.Join(p.Options.ConfUnread, "; ")))
	}
	if len(p.missingVFIO()) > 0 && !p.kernelLoadsModules() {
		what := fmt.Sprintf("The vfio modules (%s) are", strings.Join(p.missingVFIO(), ", "))
		if len(p.missingVFIO()) == 1 {
			what = fmt.Sprintf("The vfio module %s is", p.missingVFIO()[0])
		}
		p.problem(fmt.Sprintf("%s neither loaded nor built in, and this kernel runs without module support (no /proc/modules, or no module loaded at all): no modules-load.d file can load them. Boot a kernel with VFIO built in (CONFIG_VFIO, CONFIG_VFIO_PCI, CONFIG_VFIO_IOMMU_TYPE1) (GP106).", what), Ref{ID: "GP106", Subject: host})
	}
}

// requiredVFIO are the VFIO modules the plan's host needs: vfio-pci's when
// the plan binds GPUs to it, else what the host's devices need
// (hostview.RequiredVFIOModules: the mdev core for mdev vGPUs,
// vfio_pci_core for variant drivers and NVIDIA's vendor framework).
func (p *Plan) requiredVFIO() []string {
	if len(p.VFIOPCIBound()) > 0 {
		return pcidev.RequiredVFIOModules
	}
	if len(p.Models) > 0 {
		// Every GPU goes to a variant driver, built on vfio_pci_core:
		// vfio_pci only where something else on the host uses it.
		out := []string{"vfio"}
		if p.hostUsesVFIOPCI() {
			out = append(out, "vfio_pci")
		}
		out = append(out, "vfio_pci_core", "vfio_iommu_type1")
		if len(p.Host.Mdev.Parents) > 0 {
			out = append(out, "mdev")
		}
		return out
	}
	mdev := p.VGPU != nil && p.VGPU.Framework == FrameworkMdev
	return hostview.RequiredVFIOModules(hostview.New(p.Host, p.Options.GPUs, nil), mdev)
}

// hostUsesVFIOPCI reports a function on vfio-pci, or bound to it at boot
// by driver_override or driverctl.
func (p *Plan) hostUsesVFIOPCI() bool {
	for _, d := range p.Host.Devices {
		if d.Driver == pcidev.DriverVFIOPCI || d.DriverOverride == pcidev.DriverVFIOPCI {
			return true
		}
	}
	for _, o := range p.Host.Driverctl {
		if o.Driver == pcidev.DriverVFIOPCI {
			return true
		}
	}
	return false
}

// missingVFIO are the VFIO modules the host needs (requiredVFIO) that are
// neither loaded nor built in.
func (p *Plan) missingVFIO() []string {
	var out []string
	for _, name := range p.requiredVFIO() {
		found := false
		for _, m := range p.Host.Modules {
			if m.Name == name && (m.State == hostinfo.ModuleLoaded || m.State == hostinfo.ModuleBuiltin) {
				found = true
			}
		}
		if !found {
			out = append(out, name)
		}
	}
	return out
}

// kernelLoadsModules reports a kernel with modules loaded (/proc/modules
// lists some): one without module support lists none.
func (p *Plan) kernelLoadsModules() bool {
	if p.Host.Kernel.NoModuleSupport {
		return false // hostinfo saw no /proc/modules, or nomodule
	}
	for _, m := range p.Host.Modules {
		if m.State == hostinfo.ModuleLoaded {
			return true
		}
	}
	return false
}

// ModulesLoadPath is where the modules-load.d file goes.
const ModulesLoadPath = "/etc/modules-load.d/gpupass-vfio.conf"

// ModulesLoad is the modules-load.d file that loads the VFIO modules at
// every boot, when some are neither loaded nor built in (GP106) and the
// kernel loads modules; "" otherwise.
func (p *Plan) ModulesLoad() string {
	if len(p.missingVFIO()) == 0 || !p.kernelLoadsModules() {
		return ""
	}
	return strings.Join(p.requiredVFIO(), "\n") + "\n"
}
