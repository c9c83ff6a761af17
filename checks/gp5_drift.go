package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/drift"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Drift: the GP5xx checks compare a host's known-good preflight report (the
// baseline) with its state today (the current report), so that an upgrade
// of the kernel, the GPU driver or Nova that silently undoes part of the
// passthrough set-up is named, old → new. They are pure functions of the
// two reports.

// NoBaseline is the reason the drift checks are skipped in a preflight
// without a baseline.
const NoBaseline = "no --baseline given"

// Drift runs the drift checks (GP5xx) between a baseline report and the
// current one. Without a baseline every drift check is skipped, saying
// so. Both reports must carry a host (preflight reports do).
func Drift(baseline, current *report.Report) report.Report {
	catalog := InSection(All, "GP5")
	if baseline == nil {
		r := report.Report{Schema: report.Schema, Checks: []report.CheckResult{}, Findings: []report.Finding{}}
		for _, c := range catalog {
			r.Checks = append(r.Checks, report.CheckResult{ID: c.ID, Name: c.Name, Status: report.StatusSkip, Reason: NoBaseline})
		}
		return r
	}
	r := Run(&Inputs{Baseline: baseline, Current: current}, catalog)
	if current != nil {
		r.Drift = &report.DriftReport{Baseline: drift.Side(baseline), Current: drift.Side(current)}
	}
	return r
}

// driftHost is the current host, the subject of host-wide drift findings.
func driftHost(p *Pass) report.Subject {
	return report.Subject{Kind: "host", Ref: p.After.Hostname}
}

const absent = "(none)"

func orAbsent(s string) string {
	if s == "" {
		return absent
	}
	return s
}

const rebaseline = "If the change is intended, take a new baseline: gpupass preflight --format json > BASELINE.json."

// needDevices skips a device check when either report lists no PCI
// function (sysfs unreadable, or a report without an inventory).
func needDevices(p *Pass) bool {
	switch {
	case len(p.Before.Devices) == 0:
		p.Skipf("the baseline lists no PCI devices (/sys/bus/pci was unreadable then)")
		return false
	case len(p.After.Devices) == 0:
		p.Skipf("the current report lists no PCI devices (/sys/bus/pci was unreadable)")
		return false
	}
	return true
}

func deviceFacts(d *pcidev.Device) map[string]any {
	m := map[string]any{"address": d.Address, "vendor_id": d.VendorID, "device_id": d.DeviceID, "class": d.Class, "driver": d.Driver}
	if d.Model != "" {
		m["model"] = d.Model
	}
	return m
}

// GPUDriverChanged is GP501.
var GPUDriverChanged = &Check{
	ID: "GP501", Name: "gpu-driver-changed", Severity: report.Error, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "Every GPU, and every function the baseline gave to vfio-pci or pci-stub, is bound to the same driver as in the baseline.",
		Why:     "A new kernel, initramfs or GPU driver package can let the host driver (nvidia, nouveau, amdgpu, snd_hda_intel) probe a device before vfio-pci claims it: the node still advertises the GPU to Nova, but the guest fails to start. A move from vfio-pci to a host driver is an error; to no driver at all a warning (nothing keeps the host drivers away any more); from no driver to a host driver a warning; other moves (to vfio-pci, between host drivers, vfio-pci and pci-stub) are infos.",
		Fix:     "Restore the boot-time claim: vfio-pci.ids on the kernel command line or options vfio-pci ids= with softdep lines in modprobe.d, rebuild the initramfs for the new kernel (update-initramfs -u -k all, dracut -f --regenerate-all) and reboot; gpupass generate kernel-args / modprobe print the lines. driverctl set-override ADDRESS vfio-pci rebinds at once.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html", "https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runGPUDriverChanged,
}

// runGPUDriverChanged is GP501's Run.
func runGPUDriverChanged(p *Pass) error {
	if !needDevices(p) {
		return nil
	}
	before, after := drift.ByAddress(p.Before), drift.ByAddress(p.After)
	for _, addr := range drift.Compared(p.Before, p.After) {
		b, a := before[addr], after[addr]
		if b == nil || a == nil || b.Driver == a.Driver || pcidev.Unreadable(b, "driver") || pcidev.Unreadable(a, "driver") {
			continue
		}
		if b.VendorID != a.VendorID || b.DeviceID != a.DeviceID {
			continue // another device in the slot: GP502's finding
		}
		sev, why, fix := report.Info, "", ""
		switch {
		case pcidev.BoundToVFIO(b) && a.Driver != "" && !pcidev.BoundToVFIO(a):
			sev = report.Error
			why = "the host driver now holds it: it can no longer be assigned to a guest, while Nova may still offer it."
			fix = fmt.Sprintf("Find what let %s take it — a new kernel or driver package whose initramfs lacks the vfio-pci claim, a removed vfio-pci.ids, softdep or blacklist — and restore it (gpupass generate kernel-args and gpupass generate modprobe print the lines; rebuild the initramfs: update-initramfs -u -k all or dracut -f --regenerate-all). Now: driverctl set-override %s %s.", a.Driver, addr, b.Driver)
		case pcidev.BoundToVFIO(b) && pcidev.BoundToVFIO(a):
			why = "it stays reserved for passthrough."
		case pcidev.BoundToVFIO(b):
			sev = report.Warning
			why = "nothing holds it for passthrough any more: a host driver loaded later can take it."
			fix = fmt.Sprintf("Restore the boot-time claim (vfio-pci.ids, options vfio-pci ids=, driverctl), or now: driverctl set-override %s %s.", addr, b.Driver)
		case b.Driver == "" && !pcidev.BoundToVFIO(a):
			sev = report.Warning
			why = "a host driver now holds a GPU that was free."
			fix = "If the GPU is meant for guests, claim it for vfio-pci at boot (gpupass generate all says how)."
		case pcidev.BoundToVFIO(a):
			why = "it is now reserved for passthrough."
		default:
			why = "it stays with the host."
		}
		if fix == "" {
			fix = rebaseline
		} else {
			fix += " " + rebaseline
		}
		p.Report(report.Finding{
			Severity:    sev,
			Subject:     deviceSubject(a),
			Message:     fmt.Sprintf("%s: driver %s → %s; %s", pcidev.Describe(a), orAbsent(b.Driver), orAbsent(a.Driver), why),
			Remediation: fix,
			Evidence:    map[string]any{"address": addr, "before": b.Driver, "after": a.Driver},
		})
	}
	return nil
}

// GPUMissing is GP502.
var GPUMissing = &Check{
	ID: "GP502", Name: "gpu-missing", Severity: report.Error, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "Every GPU of the baseline, and every function it gave to vfio-pci or pci-stub, is still on the PCI bus at its address, with the same vendor and device ID.",
		Why:     "A GPU that fell off the bus (a PCIe link or power fault, an Xid that took the card down, a firmware setting, a card pulled) is capacity Nova still counts until nova-compute's next resource update, and guests that had it are broken. A GPU gone is an error; a non-display function gone (an HDMI audio function hidden by the card's firmware) or another device now at the address a warning.",
		Fix:     "Check the hardware: dmesg and the BMC's event log for PCIe or GPU errors (Xid), reseat or replace the card, check the firmware's slot settings; then restart nova-compute so Placement sees the real inventory.",
		Links:   []string{"https://docs.kernel.org/PCI/pcieaer-howto.html", "https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runGPUMissing,
}

// runGPUMissing is GP502's Run.
func runGPUMissing(p *Pass) error {
	if !needDevices(p) {
		return nil
	}
	after := drift.ByAddress(p.After)
	bh := p.Before
	first := drift.ByAddress(bh)
	for i := range bh.Devices {
		b := &bh.Devices[i]
		if !drift.Tracked(b) || first[b.Address] != b {
			continue
		}
		a := after[b.Address]
		switch {
		case a == nil:
			sev, what := report.Error, "GPU"
			if !pcidev.IsDisplay(b) {
				sev, what = report.Warning, "function"
			}
			p.Report(report.Finding{
				Severity: sev,
				Subject:  deviceSubject(b),
				Message:  fmt.Sprintf("The %s %s, on %s in the baseline, is no longer on the PCI bus: %s → (gone).", what, pcidev.Describe(b), orAbsent(b.Driver), b.Address),
				Remediation: "Look for the cause in dmesg (PCIe AER, link down, NVIDIA Xid) and the BMC's event log; reseat or replace the card, or re-enable the slot in the firmware. Then restart nova-compute so that Placement no longer counts it. " +
					"If it was removed on purpose, take a new baseline: gpupass preflight --format json > BASELINE.json.",
				Evidence: map[string]any{"address": b.Address, "before": deviceFacts(b), "after": nil},
			})
		case b.VendorID != a.VendorID || b.DeviceID != a.DeviceID:
			if b.VendorID == "" || a.VendorID == "" || b.DeviceID == "" || a.DeviceID == "" {
				continue // unknown IDs: cannot tell
			}
			p.Report(report.Finding{
				Severity:    report.Warning,
				Subject:     deviceSubject(a),
				Message:     fmt.Sprintf("%s now holds another device: %s:%s → %s (%s).", b.Address, b.VendorID, b.DeviceID, pcidev.Describe(a), orAbsent(a.Driver)),
				Remediation: "If the card was replaced, check that [pci]device_spec and [pci]alias still match the new model (GP304, GP308) and that the flavors ask for it; then take a new baseline.",
				Evidence:    map[string]any{"address": b.Address, "before": deviceFacts(b), "after": deviceFacts(a)},
			})
		}
	}
	return nil
}

// GPUAppeared is GP503.
var GPUAppeared = &Check{
	ID: "GP503", Name: "gpu-appeared", Severity: report.Info, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "No GPU is on the PCI bus that the baseline did not list (info).",
		Why:     "A new GPU, or a GPU that moved to another address (another slot, a renumbered bus after a firmware update), is not yet prepared for passthrough unless a vendor/product device_spec already covers it; device_spec entries by address no longer match a moved one.",
		Fix:     "If the GPU is meant for guests, run gpupass generate all for what to add, then take a new baseline.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runGPUAppeared,
}

// runGPUAppeared is GP503's Run.
func runGPUAppeared(p *Pass) error {
	if !needDevices(p) {
		return nil
	}
	before := drift.ByAddress(p.Before)
	ah := p.After
	for i := range ah.Devices {
		a := &ah.Devices[i]
		if !drift.Tracked(a) || !pcidev.IsDisplay(a) || before[a.Address] != nil {
			continue
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(a),
			Message:     fmt.Sprintf("New GPU %s on driver %s: (absent) → %s.", pcidev.Describe(a), orAbsent(a.Driver), a.Address),
			Remediation: "If it is meant for guests, gpupass generate all says what to configure; then take a new baseline: gpupass preflight --format json > BASELINE.json.",
			Evidence:    map[string]any{"address": a.Address, "before": nil, "after": deviceFacts(a)},
		})
	}
	return nil
}

func groupFacts(group *int, members []string) any {
	if group == nil {
		return nil
	}
	return map[string]any{"group": *group, "members": members}
}

// IOMMUGroupChanged is GP504.
var IOMMUGroupChanged = &Check{
	ID: "GP504", Name: "iommu-group-changed", Severity: report.Error, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "The IOMMU groups of the GPUs (and of the functions on vfio-pci) hold the same functions as in the baseline.",
		Why:     "vfio assigns whole IOMMU groups. A new kernel or firmware can change PCIe ACS handling, a removed pcie_acs_override merges groups, a card moved to another slot shares a switch: a group that gained a function on a host driver can no longer be assigned (GP202). A GPU left without any group (the IOMMU off) is an error; a group that gained an endpoint a warning; a group that lost functions or was only renumbered an info.",
		Fix:     "See GP202 and GP203 for whether the group is still viable; restore the IOMMU and ACS settings (firmware, kernel command line) the baseline had, or move the card to an isolated slot.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html#groups-devices-and-iommus"},
	},
	Run: runIOMMUGroupChanged,
}

// runIOMMUGroupChanged is GP504's Run.
func runIOMMUGroupChanged(p *Pass) error {
	if !needDevices(p) {
		return nil
	}
	bh, ah := p.Before, p.After
	if bh.IOMMU.Groups > 0 && ah.IOMMU.Groups == 0 && len(ah.IOMMU.Units) == 0 {
		p.Report(report.Finding{
			Severity:    report.Error,
			Subject:     driftHost(p),
			Message:     fmt.Sprintf("The IOMMU is off: IOMMU groups %d → 0; no device can be assigned to a guest (see GP102, GP103, GP104).", bh.IOMMU.Groups),
			Remediation: "Turn the IOMMU back on: VT-d / AMD-Vi in the firmware, intel_iommu=on on Intel, no iommu=off or amd_iommu=off on the kernel command line.",
			Evidence:    map[string]any{"before": bh.IOMMU.Groups, "after": 0},
		})
		return nil
	}
	before, after := drift.ByAddress(bh), drift.ByAddress(ah)
	done := map[string]bool{}
	for _, addr := range drift.Compared(bh, ah) {
		b, a := before[addr], after[addr]
		if b == nil || a == nil || done[addr] {
			continue
		}
		bg, bm, ok1 := drift.GroupMembers(bh, b)
		ag, am, ok2 := drift.GroupMembers(ah, a)
		if !ok1 || !ok2 {
			continue
		}
		for _, m := range bm {
			done[m] = true
		}
		for _, m := range am {
			done[m] = true
		}
		ev := map[string]any{"address": addr, "before": groupFacts(bg, bm), "after": groupFacts(ag, am)}
		switch {
		case bg == nil && ag == nil:
		case bg != nil && ag == nil:
			p.Report(report.Finding{
				Severity:    report.Error,
				Subject:     deviceSubject(a),
				Message:     fmt.Sprintf("%s is in no IOMMU group any more: %s → (none); it cannot be assigned to a guest.", pcidev.Describe(a), groupRef(*bg)),
				Remediation: "Check that the IOMMU is on (GP102, GP103) and the kernel command line (GP104).",
				Evidence:    ev,
			})
		case bg == nil:
			p.Report(report.Finding{
				Severity:    report.Info,
				Subject:     report.Subject{Kind: "group", Ref: groupRef(*ag)},
				Message:     fmt.Sprintf("%s is now in an IOMMU group: (none) → %s.", pcidev.Describe(a), groupRef(*ag)),
				Remediation: rebaseline,
				Evidence:    ev,
			})
		default:
			added, removed := drift.Minus(am, bm), drift.Minus(bm, am)
			if len(added) == 0 && len(removed) == 0 && *bg == *ag {
				continue
			}
			sev := report.Info
			for _, m := range added {
				if d := after[m]; d != nil && !pcidev.IsBridge(d) {
					sev = report.Warning
				}
			}
			var changes []string
			if *bg != *ag {
				changes = append(changes, fmt.Sprintf("was renumbered %s → %s", groupRef(*bg), groupRef(*ag)))
			}
			if len(added) > 0 {
				var names []string
				for _, m := range added {
					names = append(names, pcidev.Describe(after[m])+" on "+orAbsent(after[m].Driver))
				}
				changes = append(changes, "now also holds "+prose.List(names))
			}
			if len(removed) > 0 {
				changes = append(changes, "no longer holds "+prose.List(removed))
			}
			fix := rebaseline
			if sev == report.Warning {
				fix = "See GP202 and GP203 for whether the group can still be assigned; restore the firmware ACS and kernel command-line settings of the baseline (pcie_acs_override, iommu), or move the card to a slot whose root port isolates it. " + rebaseline
			}
			p.Report(report.Finding{
				Severity:    sev,
				Subject:     report.Subject{Kind: "group", Ref: groupRef(*ag)},
				Message:     fmt.Sprintf("The IOMMU group of %s %s; members %s → %s.", pcidev.Describe(a), strings.Join(changes, "; "), strings.Join(bm, " "), strings.Join(am, " ")),
				Remediation: fix,
				Evidence:    ev,
			})
		}
	}
	return nil
}

// KernelCmdlineChanged is GP505.
var KernelCmdlineChanged = &Check{
	ID: "GP505", Name: "kernel-cmdline-changed", Severity: report.Error, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "The kernel command line's IOMMU, isolation, boot-time claim and console parameters are those of the baseline.",
		Why: "Kernel and bootloader upgrades rewrite the command line (a new grub.cfg from a template, a distribution default, kernelstub): losing intel_iommu=on, vfio-pci.ids or rd.driver.pre=vfio-pci gives the GPUs back to the host at the next boot. " +
			"Compared: intel_iommu, amd_iommu, iommu, iommu.*, amd_iommu_intr, intremap, nointremap, pcie_acs_override, vfio.*, vfio_iommu_type1.*, vfio-pci.*, pci-stub.*, modprobe.blacklist, module_blacklist, rd.driver.blacklist, rdblacklist, rd.driver.pre, rd.driver.post, initcall_blacklist, nouveau.modeset, nomodeset, video and pci. " +
			"A value that turns the IOMMU or interrupt remapping off is an error; other changes of intel_iommu / amd_iommu, of isolation (pcie_acs_override, vfio_iommu_type1.*, vfio.*) and of what claims devices at boot (vfio-pci.*, pci-stub.*, blacklists, rd.driver.*, initcall_blacklist) are warnings; the IOMMU mode (iommu=pt, iommu.*) and console parameters are infos.",
		Fix:   "Restore the parameters in the bootloader configuration (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub or grub2-mkconfig; or grubby --update-kernel=ALL --args=...) and reboot.",
		Links: []string{"https://docs.kernel.org/admin-guide/kernel-parameters.html"},
	},
	Run: runKernelCmdlineChanged,
}

// runKernelCmdlineChanged is GP505's Run.
func runKernelCmdlineChanged(p *Pass) error {
	bc, ac := p.Before.Kernel.Cmdline, p.After.Kernel.Cmdline
	switch {
	case bc == "":
		p.Skipf("the baseline has no kernel command line (/proc/cmdline was unreadable)")
		return nil
	case ac == "":
		p.Skipf("the current report has no kernel command line (/proc/cmdline was unreadable)")
		return nil
	}
	before, border := drift.WatchedParams(hostinfo.ParseCmdline(bc))
	after, aorder := drift.WatchedParams(hostinfo.ParseCmdline(ac))
	keys := append(border, drift.Minus(aorder, border)...)
	for _, k := range keys {
		bs, as := drift.ParamStrings(before[k]), drift.ParamStrings(after[k])
		if drift.SameParams(before[k], after[k]) {
			continue
		}
		rule, _ := drift.WatchedParam(k)
		sev := report.Info
		switch rule.Class {
		case "iommu":
			sev = report.Warning
			if drift.TurnsOff(after[k], k) && !drift.TurnsOff(before[k], k) {
				sev = report.Error
			}
		case "iommu-mode", "intremap":
			if (k == "iommu" || rule.Class == "intremap") && drift.TurnsOff(after[k], k) && !drift.TurnsOff(before[k], k) {
				sev = report.Error
			}
		case "isolation", "claim":
			sev = report.Warning
		}
		old, cur := strings.Join(bs, " "), strings.Join(as, " ")
		if old == "" {
			old = "(absent)"
		}
		if cur == "" {
			cur = "(absent)"
		}
		var consequence string
		switch {
		case sev == report.Error:
			consequence = "it turns the IOMMU or interrupt remapping off: no device can be assigned to a guest."
		case rule.Class == "claim":
			consequence = "what claims the GPUs (or keeps host drivers off them) at boot changed."
		case rule.Class == "isolation":
			consequence = "the isolation between devices and guests changed."
		case rule.Class == "iommu":
			consequence = "whether the IOMMU is on now depends on the kernel's default."
		default:
			consequence = "passthrough still works, but the host differs from the baseline."
		}
		p.Report(report.Finding{
			Severity:    sev,
			Subject:     driftHost(p),
			Message:     fmt.Sprintf("Kernel command line: %s → %s; %s", old, cur, consequence),
			Remediation: "If the change came with an upgrade and was not meant, restore it. " + cmdlineHowTo(bs, as) + " " + rebaseline,
			Evidence:    map[string]any{"parameter": k, "before": bs, "after": as},
		})
	}
	return nil
}

func moduleState(m hostinfo.Module, ok bool) string {
	if !ok {
		return "(not loaded)"
	}
	return string(m.State)
}

// ModulesChanged is GP506.
var ModulesChanged = &Check{
	ID: "GP506", Name: "modules-changed", Severity: report.Warning, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "The GPU, vfio and kvm kernel modules loaded (or built in) are those of the baseline; other module changes are summed up as an info.",
		Why:     "A new GPU driver package or kernel can start loading nvidia, nouveau or amdgpu at boot, or build vfio-pci into the kernel (then options vfio-pci lines in modprobe.d no longer apply: the ids must be on the kernel command line). A GPU host driver newly loaded, or a vfio or kvm module no longer present, is a warning; a GPU driver gone, a vfio or kvm module added, a change between loaded and built in, or a parameter change of these modules an info; other modules one info.",
		Fix:     "Blacklist or softdep the GPU host driver again (gpupass generate modprobe), load vfio-pci and vfio_iommu_type1 at boot (/etc/modules-load.d), rebuild the initramfs and reboot.",
		Links:   []string{"https://docs.kernel.org/driver-api/vfio.html", "https://man7.org/linux/man-pages/man5/modprobe.d.5.html"},
	},
	Run: runModulesChanged,
}

// runModulesChanged is GP506's Run.
func runModulesChanged(p *Pass) error {
	bm, am := p.Before.Modules, p.After.Modules
	switch {
	case bm == nil:
		p.Skipf("the baseline has no module list (/proc/modules was unreadable, or an older report)")
		return nil
	case am == nil:
		p.Skipf("the current report has no module list (/proc/modules was unreadable)")
		return nil
	}
	before, after := drift.ModuleIndex(bm), drift.ModuleIndex(am)
	names := map[string]bool{}
	for n := range before {
		names[n] = true
	}
	for n := range after {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var loaded, unloaded []string
	for _, n := range sorted {
		b, inB := before[n]
		a, inA := after[n]
		kind := drift.ModuleKind(n)
		if kind == "" {
			switch {
			case inA && !inB:
				loaded = append(loaded, n)
			case inB && !inA:
				unloaded = append(unloaded, n)
			}
			continue
		}
		sev, why := report.Info, ""
		switch {
		case inA && !inB && kind == "gpu":
			sev, why = report.Warning, "a GPU host driver now loads: it takes every GPU that vfio-pci has not claimed first (see GP107, GP501)."
		case inB && !inA && kind != "gpu":
			sev, why = report.Warning, map[string]string{"vfio": "without it devices cannot be assigned to guests (see GP106).", "kvm": "without it there are no KVM guests (see GP101)."}[kind]
		case inA && !inB:
			why = "it is now present."
		case inB && !inA:
			why = "the GPU host driver no longer loads."
		case b.State != a.State:
			why = "its state changed"
			if n == "vfio_pci" && a.State == hostinfo.ModuleBuiltin {
				why += ": built in, vfio-pci ignores options vfio-pci lines in modprobe.d; its ids must be on the kernel command line (vfio-pci.ids=)"
			}
			why += "."
		case drift.ParamsText(b.Params) != drift.ParamsText(a.Params):
			p.Report(report.Finding{
				Severity:    report.Info,
				Subject:     driftHost(p),
				Message:     fmt.Sprintf("Module %s parameters: %s → %s.", n, orAbsent(drift.ParamsText(b.Params)), orAbsent(drift.ParamsText(a.Params))),
				Remediation: rebaseline,
				Evidence:    map[string]any{"module": n, "before": b.Params, "after": a.Params},
			})
			continue
		default:
			continue
		}
		fix := rebaseline
		if sev == report.Warning {
			if kind == "gpu" {
				fix = fmt.Sprintf("If the GPUs are for guests, keep %s off them: softdep %s pre: vfio-pci (or blacklist %s) in /etc/modprobe.d, rebuild the initramfs and reboot (gpupass generate modprobe). %s", n, n, n, rebaseline)
			} else {
				fix = fmt.Sprintf("Load it at boot: echo %s > /etc/modules-load.d/%s.conf (and modprobe %s now). %s", n, n, n, rebaseline)
			}
		}
		var ev map[string]any
		bState, aState := any(nil), any(nil)
		if inB {
			bState = string(b.State)
		}
		if inA {
			aState = string(a.State)
		}
		ev = map[string]any{"module": n, "before": bState, "after": aState}
		p.Report(report.Finding{
			Severity:    sev,
			Subject:     driftHost(p),
			Message:     fmt.Sprintf("Module %s: %s → %s; %s", n, moduleState(b, inB), moduleState(a, inA), why),
			Remediation: fix,
			Evidence:    ev,
		})
	}
	if len(loaded) > 0 || len(unloaded) > 0 {
		var parts []string
		if len(loaded) > 0 {
			parts = append(parts, "now loaded: "+prose.List(loaded))
		}
		if len(unloaded) > 0 {
			parts = append(parts, "no longer loaded: "+prose.List(unloaded))
		}
		p.Report(report.Finding{
			Severity:    report.Info,
			Subject:     driftHost(p),
			Message:     "Other modules changed: " + strings.Join(parts, "; ") + ".",
			Remediation: rebaseline,
			Evidence:    map[string]any{"before": nonNil(unloaded), "after": nonNil(loaded)},
		})
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func optionName(name string, opt novaconf.Option) string {
	if name == "" {
		return opt.String()
	}
	return name
}

// PCIConfChanged is GP507.
var PCIConfChanged = &Check{
	ID: "GP507", Name: "pci-conf-changed", Severity: report.Error, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "The node's [pci]device_spec and [pci]alias values are those of the baseline (compared as JSON: reformatting is not a change).",
		Why:     "Configuration management and package upgrades rewrite nova.conf: a device_spec lost or narrowed means nova-compute stops offering GPUs to Placement, an alias changed means flavors ask for something else. Every device_spec entry gone is an error (the node offers no PCI device); some entries removed or changed, or an alias removed or changed, a warning; entries only added, or only moved to another option name (passthrough_whitelist to device_spec), an info.",
		Fix:     "Restore the entries in nova.conf (or the configuration management that writes it) and restart nova-compute; gpupass generate nova-conf prints entries for this host.",
		Links:   []string{"https://docs.openstack.org/nova/latest/configuration/config.html#pci", "https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runPCIConfChanged,
}

// runPCIConfChanged is GP507's Run.
func runPCIConfChanged(p *Pass) error {
	bc, ac := p.Inputs.Baseline.NovaConf, p.Inputs.Current.NovaConf
	for _, side := range []struct {
		name string
		c    *report.ConfReport
	}{{"the baseline", bc}, {"the current report", ac}} {
		if side.c != nil && len(side.c.Unreadable) > 0 {
			p.Skipf("part of the nova.conf of %s could not be read by the user gpupass ran as (%s: %s): its [pci] values are unknown", side.name, side.c.Unreadable[0].Path, side.c.Unreadable[0].Reason)
			return nil
		}
	}
	if bc == nil {
		if ac == nil {
			p.Skipf("neither report has a nova.conf")
		} else {
			p.Skipf("the baseline has no nova_conf (no nova.conf was found then, or it is an older report)")
		}
		return nil
	}
	for _, opt := range []novaconf.Option{novaconf.OptDeviceSpec, novaconf.OptAlias} {
		be, ae := drift.ConfEntries(bc, opt), drift.ConfEntries(ac, opt)
		removed, added := drift.EntryDiff(be, ae), drift.EntryDiff(ae, be)
		isSpec := opt.String() == novaconf.OptDeviceSpec.String()
		subject := report.Subject{Kind: "option", Ref: opt.String()}
		ev := map[string]any{"before": nonNil(drift.EntryValues(be)), "after": nonNil(drift.EntryValues(ae))}
		if len(removed) == 0 && len(added) == 0 {
			// Same values: a rename (deprecated name to the current one)?
			var bn, an []string
			for _, e := range be {
				bn = append(bn, optionName(e.Name, opt))
			}
			for _, e := range ae {
				an = append(an, optionName(e.Name, opt))
			}
			if strings.Join(bn, " ") != strings.Join(an, " ") && len(ae) > 0 {
				p.Report(report.Finding{
					Severity:    report.Info,
					Subject:     subject,
					Message:     fmt.Sprintf("%s is now set as %s (was %s), with the same values.", opt, strings.Join(uniq(an), ", "), strings.Join(uniq(bn), ", ")),
					Remediation: rebaseline,
					Evidence:    map[string]any{"before": bn, "after": an},
					Source:      ae[0].Source,
				})
			}
			continue
		}
		sev := report.Info
		switch {
		case isSpec && len(ae) == 0:
			sev = report.Error
		case len(removed) > 0:
			sev = report.Warning
		}
		var msg string
		switch {
		case len(removed) == 1 && len(added) == 1:
			msg = fmt.Sprintf("%s changed: %s → %s.", opt, clipText(removed[0].Value), clipText(added[0].Value))
		default:
			var parts []string
			for _, e := range removed {
				parts = append(parts, "removed "+clipText(e.Value))
			}
			for _, e := range added {
				parts = append(parts, "added "+clipText(e.Value))
			}
			msg = fmt.Sprintf("%s changed (%d → %d values): %s.", opt, len(be), len(ae), strings.Join(parts, "; "))
		}
		switch {
		case sev == report.Error && ac == nil:
			msg += " No nova.conf was found now: this node offers no PCI device to Nova."
		case sev == report.Error:
			msg += " No device_spec is left: this node offers no PCI device to Nova."
		case !isSpec && len(removed) > 0:
			msg += " Flavors asking for a changed or removed alias are placed differently, or not at all."
		case len(removed) > 0:
			msg += " Devices the removed entries offered are no longer offered to Nova."
		}
		source := ""
		if len(added) > 0 {
			source = added[0].Source
		}
		p.Report(report.Finding{
			Severity:    sev,
			Subject:     subject,
			Message:     msg,
			Remediation: "If the change was not meant (a configuration management run, a package's default nova.conf), restore the values of the baseline and restart nova-compute; see GP302–GP309 for whether the new values work. " + rebaseline,
			Evidence:    ev,
			Source:      source,
		})
	}
	return nil
}

func novaText(version, release string) string {
	switch {
	case version != "" && release != "":
		return fmt.Sprintf("Nova %s (%s)", version, release)
	case version != "":
		return "Nova " + version
	case release != "":
		return "Nova " + release + " rules"
	}
	return "no Nova"
}

// NovaReleaseChanged is GP508.
var NovaReleaseChanged = &Check{
	ID: "GP508", Name: "nova-release-changed", Severity: report.Warning, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "The Nova installed on the node (host.nova.version) and the release whose rules apply (nova_release) are those of the baseline.",
		Why:     "Nova's PCI options and their rules change between releases: passthrough_whitelist became device_spec in Zed, alias fields arrive and become mandatory (2025.2 wants vendor_id and product_id in every alias). An upgrade to another release, a downgrade, or Nova no longer found is a warning; a new version within the same release, Nova newly found, or other rules applied with the same version an info.",
		Fix:     "Read the release notes' upgrade section for [pci]; check the GP3xx findings of this preflight, which apply the new release's rules, and gpupass lint the API node's nova.conf with --nova-release; then take a new baseline.",
		Links:   []string{"https://releases.openstack.org/", "https://docs.openstack.org/releasenotes/nova/"},
	},
	Run: runNovaReleaseChanged,
}

// runNovaReleaseChanged is GP508's Run.
func runNovaReleaseChanged(p *Pass) error {
	bv, br := drift.NovaOf(p.Inputs.Baseline)
	av, ar := drift.NovaOf(p.Inputs.Current)
	if bv == "" && br == "" {
		p.Skipf("the baseline records neither a Nova version nor a release")
		return nil
	}
	if bv == av && br == ar {
		return nil
	}
	sev, why := report.Info, ""
	switch {
	case bv != "" && av == "":
		sev, why = report.Warning, "Nova is no longer found under the root (a move to containers, or an uninstall?)."
	case bv == "" && av != "":
		why = "the baseline found no Nova installation."
	case br != ar:
		sev, why = report.Warning, fmt.Sprintf("the release changed, and with it the rules for [pci] options (the checks above apply %s's).", orAbsent(ar))
	case bv != av:
		why = "same release."
	default:
		why = "other rules applied (--nova-release)."
	}
	p.Report(report.Finding{
		Severity:    sev,
		Subject:     driftHost(p),
		Message:     fmt.Sprintf("%s → %s; %s", novaText(bv, br), novaText(av, ar), why),
		Remediation: "Check the GP3xx findings (the new release's rules), rename options the release deprecates (GP303), and lint the API node's nova.conf: gpupass lint --nova-release " + orAbsent(ar) + " /etc/nova/nova.conf. " + rebaseline,
		Evidence: map[string]any{
			"before": map[string]any{"version": bv, "release": br},
			"after":  map[string]any{"version": av, "release": ar},
		},
	})
	return nil
}

// KernelChanged is GP509.
var KernelChanged = &Check{
	ID: "GP509", Name: "kernel-changed", Severity: report.Info, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "The running kernel release is that of the baseline (info: context for the other drift findings).",
		Why:     "A kernel upgrade alone is routine, but it comes with a new initramfs, new module builds (a DKMS GPU driver rebuilt for it) and possibly new ACS quirks: when passthrough broke after one, the other drift findings say what it changed.",
		Fix:     "Nothing to fix by itself. If passthrough broke with the new kernel, look at the other GP5xx findings; boot the previous kernel to confirm.",
		Links:   []string{"https://docs.kernel.org/admin-guide/kernel-parameters.html"},
	},
	Run: runKernelChanged,
}

// runKernelChanged is GP509's Run.
func runKernelChanged(p *Pass) error {
	b, a := p.Before.Kernel.Release, p.After.Kernel.Release
	switch {
	case b == "":
		p.Skipf("the baseline has no kernel release")
		return nil
	case a == "":
		p.Skipf("the current report has no kernel release (/proc/sys/kernel/osrelease was unreadable)")
		return nil
	case a == b:
		return nil
	}
	p.Report(report.Finding{
		Severity:    report.Info,
		Subject:     driftHost(p),
		Message:     fmt.Sprintf("Kernel %s → %s.", b, a),
		Remediation: rebaseline,
		Evidence:    map[string]any{"before": b, "after": a},
	})
	return nil
}

// BaselineOtherHost is GP510.
var BaselineOtherHost = &Check{
	ID: "GP510", Name: "baseline-other-host", Severity: report.Warning, Needs: []Input{NeedBaseline},
	Doc: Doc{
		Summary: "The baseline is a report of this host (same hostname).",
		Why:     "Comparing with another host's report is allowed — a known-good sibling of the same model is a useful reference — but then the differences are between two hosts, not changes over time, and device addresses, IOMMU group numbers and names may differ for reasons that are not drift. gpupass warns rather than refusing.",
		Fix:     "Give the baseline of this host, or pass --hostname when the host was renamed; otherwise read the other drift findings as differences from the reference host.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runBaselineOtherHost,
}

// runBaselineOtherHost is GP510's Run.
func runBaselineOtherHost(p *Pass) error {
	b, a := p.Before.Hostname, p.After.Hostname
	switch {
	case b == "":
		p.Skipf("the baseline has no hostname")
		return nil
	case a == "":
		p.Skipf("the current report has no hostname (--hostname names the host)")
		return nil
	}
	if a == b {
		return nil
	}
	p.Report(report.Finding{
		Severity:    report.Warning,
		Subject:     driftHost(p),
		Message:     fmt.Sprintf("The baseline is a report of another host: %s → %s; the drift findings are differences between the two hosts.", b, a),
		Remediation: "Compare with this host's own known-good report, or pass --hostname if the host was renamed.",
		Evidence:    map[string]any{"before": b, "after": a},
	})
	return nil
}

func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}
