package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/internal/redact"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// confViews are the parsed configurations a check looks at.
func (p *Pass) confViews() []*pcispec.Conf {
	var out []*pcispec.Conf
	for _, v := range []*pcispec.Conf{p.Conf, p.API} {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// DeviceSpecInvalid is GP302.
var DeviceSpecInvalid = &Check{
	ID: "GP302", Name: "device-spec-invalid", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "Every [pci]device_spec entry is one Nova accepts; entries Nova reads differently from how they look get a warning.",
		Why:     "nova-compute parses [pci]device_spec when it starts and refuses to start on an entry it rejects (PciConfigInvalidSpec and friends). Some entries Nova accepts still surprise: non-canonical hex (0x10de, +10de, Unicode digits) and regular expressions gpupass cannot evaluate.",
		Fix:     "Correct the entry as the message says; device_spec is JSON: {\"vendor_id\": \"10de\", \"product_id\": \"2330\"}, or an \"address\" glob or regex.",
		Links:   []string{"https://docs.openstack.org/nova/latest/configuration/config.html#pci.device_spec"},
	},
	Run: runDeviceSpecInvalid,
}

// runDeviceSpecInvalid is GP302's Run.
func runDeviceSpecInvalid(p *Pass) error {
	for _, v := range p.confViews() {
		if v.Conf.Role == "api" {
			continue // device_spec is read by nova-compute only
		}
		for _, e := range v.Specs {
			if e.Err != nil {
				p.Report(report.Finding{
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     fmt.Sprintf("Nova %s rejects this [pci]device_spec, and nova-compute will not start: %s", p.Inputs.NovaRelease.Name, pcispec.Message(e.Err)),
					Remediation: "Correct the entry; a device_spec is a JSON object (or a list of them) such as {\"vendor_id\": \"10de\", \"product_id\": \"2330\"}.",
					Evidence:    map[string]any{"value": evidenceValue(e.Value)},
				})
			}
			for _, d := range e.Diags {
				if d.IgnoredTag == "managed" {
					continue // GP608 managed-mismatch says it
				}
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     d.Message,
					Remediation: specDiagRemedy(d),
					Evidence:    map[string]any{"value": evidenceValue(e.Value)},
				})
			}
		}
	}
	return nil
}

// maxEvidenceValue bounds an option's value in a finding's evidence: a
// real device_spec is under 1 KiB; a hostile one of megabytes would be
// copied into every finding about it.
const maxEvidenceValue = 4 << 10

// evidenceValue is an option's value for a finding's evidence: redacted,
// then clipped to maxEvidenceValue bytes with "…".
func evidenceValue(v novaconf.Value) string { return redact.Clip(v.Redacted(), maxEvidenceValue) }

// specLabel describes a device_spec entry for messages.
func specLabel(e *pcispec.SpecEntry, s *pcispec.DeviceSpec) string {
	text := e.Value.Redacted()
	if len(e.Specs) > 1 {
		return fmt.Sprintf("entry %d of %s", s.Index+1, clipText(text))
	}
	return clipText(text)
}

func clipText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// DeviceSpecNoMatch is GP304.
var DeviceSpecNoMatch = &Check{
	ID: "GP304", Name: "device-spec-no-match", Severity: report.Warning, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "Every [pci]device_spec entry matches a device on this host.",
		Why:     "An entry that matches nothing is usually a typo (a product_id of the wrong model, an address from another host): the GPU it was meant for is not offered, and flavors asking for it fail with No valid host.",
		Fix:     "Compare the entry with `lspci -nn` (vendor:product) or `gpupass inventory`, and correct it.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runDeviceSpecNoMatch,
}

// runDeviceSpecNoMatch is GP304's Run.
func runDeviceSpecNoMatch(p *Pass) error {
	if p.Conf == nil || len(p.Conf.Specs) == 0 {
		p.Skipf("no [pci]device_spec is set")
		return nil
	}
	devices := p.Inputs.Host.Devices
	for i := range p.Conf.Specs {
		e := &p.Conf.Specs[i]
		for _, s := range e.Specs {
			matched, evaluable := false, true
			for j := range devices {
				ok, ev := s.Match(&devices[j])
				evaluable = evaluable && ev
				if ok && ev {
					matched = true
					break
				}
			}
			if matched || !evaluable {
				continue
			}
			p.Report(report.Finding{
				Subject:     optionSubject(novaconf.OptDeviceSpec),
				Source:      e.Value.Source.String(),
				Message:     fmt.Sprintf("[pci]device_spec %s matches no PCI device on this host.%s", specLabel(e, s), nearMiss(s, devices)),
				Remediation: "Correct the entry to the vendor_id/product_id (lspci -nn) or address of the GPU it is for, or remove it if this host has no such device.",
				Evidence:    map[string]any{"value": evidenceValue(e.Value), "vendor_id": s.VendorID, "product_id": s.ProductID},
			})
		}
	}
	return nil
}

// nearMiss names the devices of the entry's vendor, when the product is
// what is wrong.
func nearMiss(s *pcispec.DeviceSpec, devices []pcidev.Device) string {
	if s.VendorID == pcispec.Any || s.ProductID == pcispec.Any {
		return ""
	}
	seen := map[string]bool{}
	var models []string
	for i := range devices {
		d := &devices[i]
		if d.VendorID != s.VendorID || d.PhysFn != "" || !pcidev.IsDisplay(d) {
			continue
		}
		key := d.VendorID + ":" + d.DeviceID
		if seen[key] {
			continue
		}
		seen[key] = true
		name := key
		if d.Model != "" {
			name += " " + d.Model
		}
		models = append(models, name)
	}
	if len(models) == 0 {
		return ""
	}
	sort.Strings(models)
	// Models, not GPUs: eight H100s are one model.
	return fmt.Sprintf(" This host has %s of vendor %s: %s.", prose.Plural(len(models), "GPU model"), s.VendorID, prose.List(models))
}

// DeviceSpecTooBroad is GP305.
var DeviceSpecTooBroad = &Check{
	ID: "GP305", Name: "device-spec-too-broad", Severity: report.Error, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "No [pci]device_spec entry offers devices the host uses itself (boot display, storage, its NICs, bridges, anything on a host driver) or non-GPU functions.",
		Why:     "Nova offers every device an entry matches. When a guest is given one, libvirt detaches it from its host driver: an entry such as {} or {\"vendor_id\": \"8086\"} can hand the host's NVMe, NIC or console to a tenant. A GPU card's audio or USB function offered alone lets a guest take it without its GPU.",
		Fix:     "Narrow the entry to the GPU's vendor_id and product_id (and address, when some GPUs of the model stay with the host). SR-IOV network entries carry physical_network and are left alone.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runDeviceSpecTooBroad,
}

// runDeviceSpecTooBroad is GP305's Run.
func runDeviceSpecTooBroad(p *Pass) error {
	if p.Conf == nil || len(p.Conf.Specs) == 0 {
		p.Skipf("no [pci]device_spec is set")
		return nil
	}
	devices := p.Inputs.Host.Devices
	for i := range p.Conf.Specs {
		e := &p.Conf.Specs[i]
		for _, s := range e.Specs {
			if _, ok := s.PhysicalNetwork(); ok || s.RemoteManaged() {
				continue // an SR-IOV networking entry
			}
			var hostUsed, companions, other []string
			var hostPriority []int
			for j := range devices {
				d := &devices[j]
				if ok, ev := s.Match(d); !ok || !ev {
					continue
				}
				switch why := hostUse(d); {
				case why != "":
					hostUsed = append(hostUsed, pcidev.Describe(d)+" ("+why+")")
					hostPriority = append(hostPriority, usePriority(why))
				case pcidev.IsDisplay(d):
				case p.Host.IsCompanion(d):
					companions = append(companions, pcidev.Describe(d))
				default:
					other = append(other, pcidev.Describe(d))
				}
			}
			// What hurts most first: the console, storage, the network.
			hostUsed = byPriority(hostUsed, hostPriority)
			label := specLabel(e, s)
			for _, kind := range []struct {
				severity    report.Severity
				devices     []string
				evidence    string
				message     string
				remediation string
			}{
				{report.Error, hostUsed, "host_devices", "offers devices this host uses itself: %s. A guest given one takes it from the host.",
					"Narrow the entry to the GPUs: {\"vendor_id\": \"VVVV\", \"product_id\": \"PPPP\"} from lspci -nn, plus \"address\" when only some GPUs of that model are for guests."},
				{report.Warning, companions, "companions", "offers GPU cards' other functions as devices of their own: %s. A guest can be given one without its GPU, which then cannot be assigned.",
					"Match only the GPU function (its product_id, or the address with function .0); claim the other functions for vfio-pci at boot so the IOMMU group stays viable."},
				{report.Warning, other, "devices", "offers functions that are not GPUs: %s.",
					"If these are meant for guests, keep them in an entry of their own; otherwise narrow this one to the GPUs."},
			} {
				if len(kind.devices) == 0 {
					continue
				}
				p.Report(report.Finding{
					Severity:    kind.severity,
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     fmt.Sprintf("[pci]device_spec %s "+kind.message, label, prose.List(kind.devices)),
					Remediation: kind.remediation,
					Evidence:    map[string]any{kind.evidence: kind.devices},
				})
			}
		}
	}
	return nil
}

// hostUse says why the host needs a device for itself: its console
// display, its storage or network on host drivers, a bridge, anything else
// bound to a host driver. "" when nothing says so. A GPU on vfio-pci is
// for guests even when it is the boot display (that is GP206's finding),
// and a GPU on a host driver that a device_spec admits is GP201's.
func hostUse(d *pcidev.Device) string {
	onHostDriver := d.Driver != "" && !pcidev.BoundToVFIO(d)
	switch {
	case pcidev.IsDisplay(d) && onHostDriver && pcidev.IsBootVGA(d):
		return "the console display on " + d.Driver
	case pcidev.IsDisplay(d) && onHostDriver && pcidev.IsHostDisplay(d):
		return pcidev.HostDisplayMaker(d) + " display on " + d.Driver
	case pcidev.IsDisplay(d):
		return ""
	case pcidev.IsBridge(d) || strings.HasPrefix(d.Class, "0600"):
		return "a bridge"
	case strings.HasPrefix(d.Class, "01") && onHostDriver:
		return "storage on " + d.Driver
	case strings.HasPrefix(d.Class, "02") && onHostDriver:
		return "network on " + d.Driver
	case onHostDriver:
		return "on " + d.Driver
	}
	return ""
}

// usePriority orders host uses by how much giving the device away hurts.
func usePriority(why string) int {
	for i, prefix := range []string{"the console", "storage", "network", "ASPEED", "on ", "a bridge"} {
		if strings.HasPrefix(why, prefix) {
			return i
		}
	}
	return 3
}

// byPriority returns items ordered by their priorities, stably.
func byPriority(items []string, priorities []int) []string {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return priorities[idx[a]] < priorities[idx[b]] })
	out := make([]string, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	return out
}

// GPUNotExposed is GP306.
var GPUNotExposed = &Check{
	ID: "GP306", Name: "gpu-not-exposed", Severity: report.Warning, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "Every GPU bound to vfio-pci is offered to Nova by a [pci]device_spec entry.",
		Why:     "A GPU prepared for passthrough that no device_spec matches is never offered: Nova does not know it exists, and flavors asking for it fail with No valid host while the GPU sits idle.",
		Fix:     "Add a [pci]device_spec entry for it ({\"vendor_id\": ..., \"product_id\": ...}) and restart nova-compute.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runGPUNotExposed,
}

// runGPUNotExposed is GP306's Run.
func runGPUNotExposed(p *Pass) error {
	if len(p.Host.GPUs) == 0 {
		p.Skipf("no passthrough GPU on this host")
		return nil
	}
	for _, g := range p.Host.GPUs {
		d := g.Device
		if !pcidev.BoundToVFIO(d) && len(p.Host.BootClaims(d)) == 0 {
			continue
		}
		if len(p.Conf.Admitting(d)) > 0 || p.Conf.Unevaluable(d) {
			continue
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s is prepared for passthrough — %s — but no [pci]device_spec offers it: Nova will never assign it.", pcidev.Describe(d), strings.Join(g.Why, "; ")),
			Remediation: fmt.Sprintf("Add to [pci] in nova.conf: device_spec = {\"vendor_id\": \"%s\", \"product_id\": \"%s\"} (or with \"address\": \"%s\" for this GPU alone), then restart nova-compute.", d.VendorID, d.DeviceID, d.Address),
			Evidence:    map[string]any{"why_passthrough": g.Why},
		})
	}
	return nil
}

func aliasSubject(name string) report.Subject { return report.Subject{Kind: "alias", Ref: name} }

// AliasInvalid is GP307.
var AliasInvalid = &Check{
	ID: "GP307", Name: "alias-invalid", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "The [pci]alias definitions are ones Nova accepts (its JSON schema for the release, and repeated names that agree).",
		Why:     "Nova validates the aliases when it translates a flavor's pci_passthrough:alias: an invalid alias fails every server create that uses any alias (PciInvalidAlias), on the API node, and makes nova-compute's own PCI handling fail.",
		Fix:     "Correct the alias as the message says; an alias is JSON such as {\"name\": \"h100\", \"vendor_id\": \"10de\", \"product_id\": \"2330\", \"device_type\": \"type-PCI\"}.",
		Links:   []string{"https://docs.openstack.org/nova/latest/configuration/config.html#pci.alias"},
	},
	Run: runAliasInvalid,
}

// runAliasInvalid is GP307's Run.
func runAliasInvalid(p *Pass) error {
	for _, v := range p.confViews() {
		source := ""
		if len(v.AliasValues) > 0 {
			source = v.AliasValues[0].Source.String()
		}
		if v.AliasErr != nil {
			p.Report(report.Finding{
				Subject:     optionSubject(novaconf.OptAlias),
				Source:      source,
				Message:     fmt.Sprintf("Nova %s rejects the [pci]alias definitions%s: %s", p.Inputs.NovaRelease.Name, confWhose(v), pcispec.Message(v.AliasErr)),
				Remediation: "Correct the alias the message names. Every alias of a name repeated on several lines must agree on numa_policy and set device_type.",
				Evidence:    map[string]any{"conf": v.Conf.Role},
			})
		}
		for _, d := range v.AliasDiags {
			p.Report(report.Finding{
				Severity:    report.Warning,
				Subject:     optionSubject(novaconf.OptAlias),
				Source:      source,
				Message:     d.Message,
				Remediation: aliasDiagRemedy(d),
				Evidence:    map[string]any{"conf": v.Conf.Role},
			})
		}
	}
	return nil
}

// specDiagRemedy is the fix for one kind of device_spec warning (the
// messages pcispec's devspec.go writes).
func specDiagRemedy(d pcispec.Diagnostic) string {
	m := d.Message
	switch {
	case d.IgnoredTag != "":
		return fmt.Sprintf("Remove the %q tag until this node runs the Nova release the message names, or upgrade Nova; until then it has no effect.", d.IgnoredTag)
	case strings.Contains(m, "one_time_use=true"):
		return "Set [pci]report_in_placement = true on this node, or remove one_time_use from the entry."
	case strings.HasPrefix(m, "remote_managed"):
		return "remote_managed is for the VFs of SmartNIC/DPU ports: remove it from entries that are not, and check the interface and PF it names on this node."
	case strings.HasPrefix(m, "devname") && strings.Contains(m, "is empty"):
		return "Remove the empty devname, or name the network interface; a GPU has none, so match it by address or by vendor_id and product_id."
	case strings.HasPrefix(m, "devname"):
		return "Check the interface name with ls /sys/class/net on this node; a GPU has no network interface, so match a GPU by address or by vendor_id and product_id instead."
	case strings.HasPrefix(m, "address") && strings.Contains(m, "is empty"):
		return "Write the device's address (DDDD:BB:SS.F, as lspci -D shows it), or remove the empty address key."
	case strings.Contains(m, "given more than once"):
		return "Give each key once in the entry: Nova keeps only the last value."
	case strings.Contains(m, "white space"):
		return "Remove the white space from the value."
	case strings.Contains(m, "is not one of domain, bus, slot, function"):
		return "Use only the keys domain, bus, slot and function in an address object."
	case strings.Contains(m, "regex"):
		return "Prefer an exact address or a glob (0000:41:*.*), which gpupass can check, to a regular expression."
	case strings.Contains(m, "is not one Nova"):
		return "Check the key's spelling against Nova's device_spec keys (vendor_id, product_id, address, devname, physical_network, remote_managed, trusted, resource_class, traits, managed, live_migratable, one_time_use); keep it only if it is meant as a free-form tag that aliases request."
	case strings.Contains(m, "not a string"):
		return "Write the tag's value as a JSON string, such as \"true\"."
	case strings.Contains(m, "is negative"), strings.Contains(m, "hex digits"):
		return "Write IDs as four lower-case hex digits (\"10de\") and addresses as DDDD:BB:SS.F."
	}
	return "Correct the entry as the message says."
}

// aliasDiagRemedy is the fix for one kind of alias warning (the messages
// pcispec's alias.go writes).
func aliasDiagRemedy(d pcispec.Diagnostic) string {
	m := d.Message
	switch {
	case strings.Contains(m, "is accepted from Nova"):
		return "Remove the key until every nova-api and nova-compute in the cloud runs the release the message names."
	case strings.Contains(m, "given more than once"):
		return "Give each key once in the alias: Nova keeps only the last value."
	case strings.Contains(m, "never equals a device's ID"):
		return "Write vendor_id and product_id as four lower-case hex digits, such as \"10de\"."
	case strings.Contains(m, "capability_type"):
		return "Remove capability_type from the alias, or set the same tag in the device_spec of the devices it is for."
	case strings.Contains(m, "pci_in_placement"):
		return "Set [filter_scheduler]pci_in_placement = true on nova-api and the schedulers (and [pci]report_in_placement on the compute nodes), or write the alias without what needs it."
	case strings.Contains(m, "defined more than once"):
		return "Set device_type on every definition of this alias name."
	}
	return "Rewrite the alias so that it means the same to every release in the cloud."
}

func confWhose(v *pcispec.Conf) string {
	if v.Conf.Role == "api" {
		return " of --api-conf"
	}
	return ""
}

// aliasSelection is what an alias selects among the devices device_spec
// admits on a host.
type aliasSelection struct {
	selected []*pcidev.Device
	// wrongType are devices whose IDs an alias entry names but whose Nova
	// device type is not the entry's device_type.
	wrongType []*pcidev.Device
	wantTypes []string
}

func selectAlias(a *pcispec.Alias, p *Pass) aliasSelection {
	var sel aliasSelection
	types := map[string]bool{}
	for i := range p.Inputs.Host.Devices {
		d := &p.Inputs.Host.Devices[i]
		matches := p.Conf.Admitting(d)
		if len(matches) == 0 {
			continue
		}
		devType := pcispec.DeviceType(d)
		picked, idsMatch := false, false
		for _, spec := range a.Specs {
			for _, m := range matches {
				if spec.MatchPool(d, devType, m.Spec) {
					picked = true
				}
			}
			// The same IDs, whatever the type (Nova compares lower-cased).
			if (spec.VendorID == "" || strings.EqualFold(spec.VendorID, d.VendorID)) &&
				(spec.ProductID == "" || strings.EqualFold(spec.ProductID, d.DeviceID)) {
				idsMatch = true
				if spec.DeviceType != "" {
					types[spec.DeviceType] = true
				}
			}
		}
		switch {
		case picked:
			sel.selected = append(sel.selected, d)
		case idsMatch:
			sel.wrongType = append(sel.wrongType, d)
		}
	}
	for t := range types {
		sel.wantTypes = append(sel.wantTypes, t)
	}
	sort.Strings(sel.wantTypes)
	return sel
}

// AliasNoDevice is GP308.
var AliasNoDevice = &Check{
	ID: "GP308", Name: "alias-no-device", Severity: report.Warning, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "The [pci]alias names select devices that device_spec offers on this host.",
		Why:     "A flavor asks for devices by alias; only devices that both match the alias and are offered by device_spec can be assigned. When no alias selects anything here, no GPU flavor can land on this host. (Aliases for other hosts' GPU models are expected: those are reported as info.)",
		Fix:     "Make an alias's vendor_id/product_id those of this host's GPUs, and make sure device_spec offers them.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html#configure-a-flavor-api"},
	},
	Run: runAliasNoDevice,
}

// runAliasNoDevice is GP308's Run.
func runAliasNoDevice(p *Pass) error {
	if p.Conf == nil || p.Conf.AliasErr != nil || len(p.Conf.Aliases) == 0 {
		p.Skipf("no valid [pci]alias is set")
		return nil
	}
	var empty []string
	anySelected := false
	for _, name := range pcispec.SortedAliasNames(p.Conf.Aliases) {
		sel := selectAlias(p.Conf.Aliases[name], p)
		switch {
		case len(sel.selected) > 0:
			anySelected = true
		case len(sel.wrongType) == 0:
			empty = append(empty, name)
		}
	}
	severity := report.Info
	if !anySelected && len(p.Host.GPUs) > 0 {
		severity = report.Warning
	}
	for _, name := range empty {
		a := p.Conf.Aliases[name]
		var ids []string
		for _, s := range a.Specs {
			ids = append(ids, s.VendorID+":"+s.ProductID)
		}
		msg := fmt.Sprintf("Alias %q (%s) selects no device that [pci]device_spec offers on this host.", name, strings.Join(ids, ", "))
		if severity == report.Warning {
			msg += " No alias does: no GPU flavor can be scheduled here."
		}
		p.Report(report.Finding{
			Severity:    severity,
			Subject:     aliasSubject(name),
			Source:      sourceOfAlias(p.Conf, name),
			Message:     msg,
			Remediation: "If this host's GPUs should serve the alias, match their vendor_id/product_id (lspci -nn) in the alias and in device_spec.",
			Evidence:    map[string]any{"ids": ids},
		})
	}
	return nil
}

// sourceOfAlias finds the file:line of an alias's first definition.
func sourceOfAlias(v *pcispec.Conf, name string) string {
	for _, val := range v.AliasValues {
		if strings.Contains(val.Text, `"`+name+`"`) {
			return val.Source.String()
		}
	}
	if len(v.AliasValues) > 0 {
		return v.AliasValues[0].Source.String()
	}
	return ""
}

// AliasDeviceType is GP309.
var AliasDeviceType = &Check{
	ID: "GP309", Name: "alias-device-type", Severity: report.Error, Needs: []Input{NeedHost, NeedNovaConf},
	Doc: Doc{
		Summary: "An alias's device_type is the type Nova gives the devices it names.",
		Why:     "Nova's libvirt driver classifies a device with SR-IOV capability as type-PF (A100, H100 PCIe, L40S...), a virtual function as type-VF, anything else as type-PCI. An alias whose device_type differs never matches: every flavor using it fails with No valid host.",
		Fix:     "Set the alias's device_type to the type the finding names (or drop device_type to accept any).",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runAliasDeviceType,
}

// runAliasDeviceType is GP309's Run.
func runAliasDeviceType(p *Pass) error {
	if p.Conf == nil || p.Conf.AliasErr != nil || len(p.Conf.Aliases) == 0 {
		p.Skipf("no valid [pci]alias is set")
		return nil
	}
	for _, name := range pcispec.SortedAliasNames(p.Conf.Aliases) {
		sel := selectAlias(p.Conf.Aliases[name], p)
		if len(sel.selected) > 0 || len(sel.wrongType) == 0 {
			continue
		}
		d := sel.wrongType[0]
		got := pcispec.DeviceType(d)
		why := ""
		switch got {
		case pcispec.TypePF:
			why = " (it has SR-IOV capability, even with no VF enabled)"
		case pcispec.TypeVF:
			why = " (it is a virtual function)"
		}
		p.Report(report.Finding{
			Subject:     aliasSubject(name),
			Source:      sourceOfAlias(p.Conf, name),
			Message:     fmt.Sprintf("Alias %q asks for device_type %s, but Nova classifies %s as %s%s: the alias never matches, and flavors using it fail with No valid host.", name, strings.Join(sel.wantTypes, " or "), pcidev.Describe(d), got, why),
			Remediation: fmt.Sprintf("In the alias, set \"device_type\": \"%s\" (on this and the API nodes' nova.conf).", got),
			Evidence:    map[string]any{"alias_device_type": sel.wantTypes, "nova_device_type": got, "device": d.Address},
		})
	}
	return nil
}

// AliasMismatch is GP311.
var AliasMismatch = &Check{
	ID: "GP311", Name: "alias-mismatch", Severity: report.Error, Needs: []Input{NeedNovaConf, NeedAPIConf},
	Doc: Doc{
		Summary: "The compute node defines the same [pci]alias set as the nova-api node (--api-conf).",
		Why:     "The API node translates a flavor's alias into a device request; the compute node uses its own alias definitions when it claims devices and applies the NUMA policy. When they differ, requests are built for devices the compute node does not match, or with another NUMA policy.",
		Fix:     "Keep [pci]alias identical on API, conductor, scheduler and compute nodes (one shared configuration snippet).",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html#configure-nova-api"},
	},
	Run: runAliasMismatch,
}

// runAliasMismatch is GP311's Run.
func runAliasMismatch(p *Pass) error {
	local, api := p.Conf, p.API
	if local.AliasErr != nil || api.AliasErr != nil {
		p.Skipf("an alias set is invalid (see GP307)")
		return nil
	}
	names := map[string]bool{}
	for n := range local.Aliases {
		names[n] = true
	}
	for n := range api.Aliases {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, name := range sorted {
		l, a := local.Aliases[name], api.Aliases[name]
		var msg string
		switch {
		case l == nil:
			msg = fmt.Sprintf("Alias %q is defined on the API node but not in this node's nova.conf.", name)
		case a == nil:
			msg = fmt.Sprintf("Alias %q is defined here but not on the API node: flavors cannot request it.", name)
		case aliasKey(l) != aliasKey(a):
			msg = fmt.Sprintf("Alias %q differs between this node (%s) and the API node (%s).", name, aliasKey(l), aliasKey(a))
		default:
			continue
		}
		source := sourceOfAlias(local, name)
		if l == nil {
			source = sourceOfAlias(api, name)
		}
		p.Report(report.Finding{
			Subject:     aliasSubject(name),
			Source:      source,
			Message:     msg,
			Remediation: "Copy the API node's [pci]alias lines to every compute node (or the other way round), so both define the same aliases.",
			Evidence:    map[string]any{"here": aliasKeyOrNone(l), "api": aliasKeyOrNone(a)},
		})
	}
	return nil
}

// aliasKey is an alias's definition in a comparable form.
func aliasKey(a *pcispec.Alias) string {
	var parts []string
	for _, s := range a.Specs {
		keys := make([]string, 0, len(s.Spec))
		for k := range s.Spec {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+s.Spec[k])
		}
		parts = append(parts, "{"+strings.Join(kv, ", ")+"}")
	}
	sort.Strings(parts)
	return strings.Join(parts, " or ") + " numa_policy=" + a.NUMAPolicy
}

func aliasKeyOrNone(a *pcispec.Alias) string {
	if a == nil {
		return ""
	}
	return aliasKey(a)
}

// PlacementMode is GP312.
var PlacementMode = &Check{
	ID: "GP312", Name: "placement-mode", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "PCI in Placement is set up consistently: report_in_placement on compute nodes when the scheduler uses pci_in_placement, and resource_class/traits only where they take effect.",
		Why:     "With [filter_scheduler]pci_in_placement the scheduler allocates PCI devices in Placement: compute nodes that do not set [pci]report_in_placement report none, so no PCI flavor lands on them. device_spec resource_class/traits only mean something when the node reports to Placement, alias resource_class/traits only when the scheduler uses it.",
		Fix:     "Enable [pci]report_in_placement on every GPU compute node before [filter_scheduler]pci_in_placement on the schedulers; drop resource_class/traits where they are ignored.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html#pci-tracking-in-placement"},
	},
	Run: runPlacementMode,
}

// runPlacementMode is GP312's Run.
func runPlacementMode(p *Pass) error {
	rel := p.Inputs.NovaRelease
	c := p.Inputs.NovaConf
	reportInPlacement, _ := c.Bool(novaconf.OptReportInPlacement)
	pciInPlacement := pciInPlacementOf(p.Inputs)
	for _, cv := range p.confViews() {
		for _, v := range cv.Conf.Lookup(novaconf.OptPCIInPlacement) {
			if since := novaconf.OptPCIInPlacement.Since; since != "" && !releaseAtLeast(rel, since) {
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     optionSubject(novaconf.OptPCIInPlacement),
					Source:      v.Source.String(),
					Message:     fmt.Sprintf("%s is set, but Nova %s does not have it (it arrived in %s): it is ignored.", novaconf.OptPCIInPlacement, rel.Name, since),
					Remediation: "Remove it, or upgrade Nova first.",
				})
			}
		}
	}
	if c.Role != "api" && pciInPlacement != nil && *pciInPlacement && !reportInPlacement {
		p.Report(report.Finding{
			Subject:     optionSubject(novaconf.OptReportInPlacement),
			Message:     "The scheduler allocates PCI devices in Placement ([filter_scheduler]pci_in_placement = true) but this node does not report its devices there ([pci]report_in_placement is false): no PCI flavor can land here.",
			Remediation: "Set [pci] report_in_placement = true on this node and restart nova-compute (it cannot be turned off again once on).",
		})
	}
	if p.Conf != nil && c.Role != "api" && !reportInPlacement {
		for _, e := range p.Conf.Specs {
			for _, s := range e.Specs {
				_, hasRC := s.ResourceClass()
				if !hasRC && len(s.Traits()) == 0 {
					continue
				}
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     optionSubject(novaconf.OptDeviceSpec),
					Source:      e.Value.Source.String(),
					Message:     fmt.Sprintf("[pci]device_spec %s sets resource_class or traits, which only take effect with [pci]report_in_placement = true.", specLabel(&e, s)),
					Remediation: "Enable [pci]report_in_placement, or drop the tags.",
				})
			}
		}
	}
	if p.Conf != nil && pciInPlacement != nil && !*pciInPlacement {
		for _, name := range pcispec.SortedAliasNames(p.Conf.Aliases) {
			for _, s := range p.Conf.Aliases[name].Specs {
				if s.ResourceClass == "" && len(s.Traits) == 0 {
					continue
				}
				p.Report(report.Finding{
					Severity:    report.Warning,
					Subject:     aliasSubject(name),
					Source:      sourceOfAlias(p.Conf, name),
					Message:     fmt.Sprintf("Alias %q sets resource_class or traits, which the scheduler only uses with [filter_scheduler]pci_in_placement = true.", name),
					Remediation: "Enable pci_in_placement on the schedulers (after report_in_placement on the compute nodes), or drop them.",
				})
				break
			}
		}
	}
	return nil
}

// releaseAtLeast reports whether rel is the named release or newer.
func releaseAtLeast(rel novarelease.Release, name string) bool {
	r, err := novarelease.Parse(name)
	return err != nil || rel.AtLeast(r)
}

// pciInPlacementOf reads [filter_scheduler]pci_in_placement from the
// scheduler's configuration: --api-conf when given; the linted file
// itself; a compute node's own configuration when it sets the option, and
// unknown when it does not.
func pciInPlacementOf(in *Inputs) *bool {
	var c *novaconf.Set
	switch {
	case in.APIConf != nil && in.APIConf.Config != nil:
		c = in.APIConf
	case in.NovaConf != nil && in.NovaConf.Config != nil && in.NovaConf.Role == "lint":
		c = in.NovaConf
	case in.NovaConf != nil && in.NovaConf.Config != nil:
		// A compute node's nova.conf is not the scheduler's, but one that
		// sets the option says how the cloud is run (deployment tools
		// write one nova.conf for every node); unset, it says nothing.
		if b, set := in.NovaConf.Bool(novaconf.OptPCIInPlacement); set {
			return &b
		}
		return nil
	default:
		return nil
	}
	b, _ := c.Bool(novaconf.OptPCIInPlacement)
	return &b
}
