package checks

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

func flavorSubject(f *cloudmodel.Flavor) report.Subject {
	return report.Subject{Kind: "flavor", Ref: f.Name}
}

func cloudSubject() report.Subject { return report.Subject{Kind: "cloud", Ref: "cloud"} }

// flavorLabel names a flavor with what it asks for.
func flavorLabel(f *cloudmodel.Flavor) string {
	return fmt.Sprintf("Flavor %s (%s=%s)", f.Name, fleet.SpecAlias, f.ExtraSpecs[fleet.SpecAlias])
}

// ExtraSpecInvalid is GP401.
var ExtraSpecInvalid = &Check{
	ID: "GP401", Name: "extra-spec-invalid", Severity: report.Error, Needs: []Input{NeedCloud},
	Doc: Doc{
		Summary: "Every flavor's pci_passthrough:alias and hw:pci_numa_affinity_policy are values Nova accepts.",
		Why:     "Nova validates extra specs only since compute API microversion 2.86: flavors created earlier, or through an older microversion, can hold values Nova refuses when a server is created (\"h100\" without a count, \"h100:two\"), and every boot with them fails.",
		Fix:     "Set the extra spec again with a valid value: openstack flavor set --property pci_passthrough:alias=NAME:COUNT FLAVOR.",
		Links:   []string{"https://docs.openstack.org/nova/latest/configuration/extra-specs.html#pci_passthrough"},
	},
	Run: runExtraSpecInvalid,
}

// runExtraSpecInvalid is GP401's Run.
func runExtraSpecInvalid(p *Pass) error {
	for _, ff := range p.Fleet.Flavors {
		keys := make([]string, 0, len(ff.SpecErrs))
		for k := range ff.SpecErrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p.Report(report.Finding{
				Subject:     flavorSubject(ff.Flavor),
				Message:     fmt.Sprintf("Flavor %s has %s=%q, which Nova rejects: %s. Every server created with it fails.", ff.Flavor.Name, k, ff.Flavor.ExtraSpecs[k], pcispec.Message(ff.SpecErrs[k])),
				Remediation: fmt.Sprintf("openstack flavor set --property %s=%s %s (%s)", k, validForm[k][0], ff.Flavor.Name, validForm[k][1]),
				Evidence:    map[string]any{"key": k, "value": ff.Flavor.ExtraSpecs[k], "flavor_id": ff.Flavor.ID},
			})
		}
	}
	return nil
}

// validForm is what a valid value of each validated extra spec looks like.
var validForm = map[string][2]string{
	fleet.SpecAlias:      {"NAME:COUNT", "such as h100:1; several aliases: h100:1,nvswitch:2"},
	fleet.SpecNUMAPolicy: {"POLICY", "one of required, preferred, legacy, socket"},
}

// AliasUndefined is GP402.
var AliasUndefined = &Check{
	ID: "GP402", Name: "alias-undefined", Severity: report.Error, Needs: []Input{NeedCloud},
	Doc: Doc{
		Summary: "Every alias a flavor names is defined in the API node's [pci]alias.",
		Why:     "nova-api translates pci_passthrough:alias with its own [pci]alias: an alias it does not define makes every server create with the flavor fail (PciRequestAliasNotDefined).",
		Fix:     "Define the alias in [pci]alias on the API, conductor and compute nodes, or fix the flavor's alias name.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html#configure-nova-api"},
	},
	Run: runAliasUndefined,
}

// runAliasUndefined is GP402's Run.
func runAliasUndefined(p *Pass) error {
	v := p.Fleet
	if v.Aliases == nil {
		p.Skipf("no alias definitions: pass --api-conf (the nova-api node's nova.conf) or --reports with host reports")
		return nil
	}
	for _, ff := range v.Flavors {
		if ff.Undefined == "" {
			continue
		}
		p.Report(report.Finding{
			Subject:     flavorSubject(ff.Flavor),
			Message:     fmt.Sprintf("%s names the alias %q, which %s does not define: every server create with it fails (PCI alias %s is not defined).", flavorLabel(ff.Flavor), ff.Undefined, v.AliasSource, ff.Undefined),
			Remediation: fmt.Sprintf("Define %q in [pci]alias on the API and compute nodes, or correct the flavor (defined aliases: %s).", ff.Undefined, strings.Join(pcispec.SortedAliasNames(v.Aliases), ", ")),
			Evidence:    map[string]any{"alias": ff.Undefined, "defined": pcispec.SortedAliasNames(v.Aliases), "aliases_from": v.AliasSource},
		})
	}
	return nil
}

// needHosts skips a supply check without host reports.
func needHosts(p *Pass) bool {
	if len(p.Fleet.Hosts) == 0 {
		p.Skipf("no host reports: pass --reports DIR with preflight JSON reports of the compute nodes")
		return false
	}
	return true
}

// UnschedulableCount is GP403.
var UnschedulableCount = &Check{
	ID: "GP403", Name: "unschedulable-count", Severity: report.Error, Needs: []Input{NeedCloud, NeedReports},
	Doc: Doc{
		Summary: "Some host can supply the number of devices each GPU flavor asks for.",
		Why:     "All devices of a server come from one host. A flavor asking for more matching devices than any single host offers (usable: admitted by device_spec, on vfio-pci, in a viable IOMMU group, on a host whose nova-compute is up and enabled in the hypervisor list) fails with No valid host was found.",
		Fix:     "Lower the count, or prepare more devices of that model on one host (see each host's preflight).",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runUnschedulableCount,
}

// runUnschedulableCount is GP403's Run.
func runUnschedulableCount(p *Pass) error {
	if !needHosts(p) {
		return nil
	}
	for _, ff := range p.Fleet.Flavors {
		if r := ff.VGPU; r != nil && r.Blocked() == nil && p.Fleet.PlacementKnown {
			unschedulableVGPU(p, ff.Flavor, r)
		}
		if ff.Requests == nil {
			continue
		}
		supplied := false
		for _, h := range ff.Hosts {
			supplied = supplied || h.Supplies()
		}
		if supplied {
			continue
		}
		p.Report(report.Finding{
			Subject:     flavorSubject(ff.Flavor),
			Message:     fmt.Sprintf("%s cannot boot: %s. Devices count when the host's preflight shows them admitted by device_spec, on vfio-pci and in a viable IOMMU group, and the host's nova-compute is up and enabled.", flavorLabel(ff.Flavor), ff.Shortage()),
			Remediation: "Lower the count in pci_passthrough:alias, or make more devices of that model usable on one host (gpupass preflight on it says what is missing).",
			Evidence:    map[string]any{"shortage": ff.Shortage()},
		})
	}
	return nil
}

// unschedulableVGPU is GP403 for a flavor's vGPU groups: no host that takes
// instances has providers for all of them at once (GP410 reports the
// groups no provider at all can satisfy).
func unschedulableVGPU(p *Pass, f *cloudmodel.Flavor, r *fleet.VGPURequest) {
	for _, h := range r.Hosts {
		if h.Providers && h.Up {
			return
		}
	}
	var hosts []string
	for _, h := range r.Hosts {
		hosts = append(hosts, fmt.Sprintf("%s (%s)", h.Host.Name, prose.Plural(h.Offering, "provider")))
	}
	p.Report(report.Finding{
		Subject:     flavorSubject(f),
		Message:     fmt.Sprintf("%s cannot boot: %s. Placement must find every group's vGPUs under one compute node, each numbered group on one provider (a distinct one with group_policy=isolate).", vgpuLabel(f, r), r.Shortage()),
		Remediation: "Ask fewer vGPU groups, or give one host more mdev parents of that type (on SR-IOV GPUs, more VFs with the type: one provider per VF).",
		Evidence:    map[string]any{"shortage": r.Shortage(), "resources": r.Describe(), "vgpu_hosts": hosts},
	})
}

// vgpuLabel names a flavor with what it asks of vGPU providers.
func vgpuLabel(f *cloudmodel.Flavor, r *fleet.VGPURequest) string {
	return fmt.Sprintf("Flavor %s (%s)", f.Name, r.Describe())
}

// NUMAUnsatisfiable is GP404.
var NUMAUnsatisfiable = &Check{
	ID: "GP404", Name: "numa-unsatisfiable", Severity: report.Error, Needs: []Input{NeedCloud, NeedReports},
	Doc: Doc{
		Summary: "A GPU flavor's guest NUMA topology fits the NUMA nodes of some host that has the devices, and its PCI NUMA affinity policy can be met there.",
		Why:     "With a guest NUMA topology (hw:numa_nodes, dedicated CPUs or huge pages) and the required or socket policy (the alias's numa_policy, or hw:pci_numa_affinity_policy), every device must sit on one of the guest's NUMA nodes; legacy also accepts devices without NUMA information. When no host has enough devices on few enough nodes, the flavor never boots. And each guest NUMA node must fit one host NUMA node, as Nova's NUMATopologyFilter fits them: its vCPUs within the node's shared CPUs (cpu_shared_set) or its free dedicated ones (cpu_dedicated_set), its RAM within the node's memory outside huge pages, or within its free huge pages of the size hw:mem_page_size asks. A one-node guest of 48 vCPUs never boots on hosts whose nodes have 32 CPUs each, whatever the host's total.",
		Fix:     "Use the preferred policy, fewer devices, or more guest NUMA nodes; check that the hosts report the GPUs' NUMA node (GP208).",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html#pci-numa-affinity-policies"},
	},
	Run: runNUMAUnsatisfiable,
}

// runNUMAUnsatisfiable is GP404's Run.
func runNUMAUnsatisfiable(p *Pass) error {
	if !needHosts(p) {
		return nil
	}
	for _, ff := range p.Fleet.Flavors {
		var withDevices []*fleet.HostFit
		for _, h := range ff.Hosts {
			if h.Supplies() {
				withDevices = append(withDevices, h)
			}
		}
		if len(withDevices) == 0 {
			continue
		}
		why := prose.Bounded{Keep: evidenceMost}
		ok := false
		for _, h := range withDevices {
			if h.NUMA {
				ok = true
				break
			}
			if why.Next() {
				why.Add(h.Host.Name + ": " + h.Why)
			}
		}
		if ok {
			continue
		}
		if !anyCellsFit(withDevices) {
			// The guest's NUMA nodes themselves fit no host's nodes:
			// the PCI policy is not what stops it.
			p.Report(report.Finding{
				Subject:     flavorSubject(ff.Flavor),
				Message:     fmt.Sprintf("%s cannot boot: its guest NUMA topology fits the NUMA nodes of no host with the devices (%s).", flavorLabel(ff.Flavor), why.Join("; ")),
				Remediation: fmt.Sprintf("Give the guest more NUMA nodes (openstack flavor set --property hw:numa_nodes=2 %s) or fewer vCPUs and less RAM per node, so that each guest node fits one host node; or drop the NUMA extra specs the flavor does not need.", ff.Flavor.Name),
				Evidence:    map[string]any{"guest_numa_nodes": ff.InstanceNUMANodes, "hosts": why.Items(), "hosts_total": why.Total()},
			})
			continue
		}
		p.Report(report.Finding{
			Subject: flavorSubject(ff.Flavor),
			Message: fmt.Sprintf("%s cannot boot: its %s PCI NUMA policy (from %s) cannot be met with a %d-node guest on any host with the devices (%s).",
				flavorLabel(ff.Flavor), ff.Policy, ff.PolicyFrom, ff.InstanceNUMANodes, why.Join("; ")),
			Remediation: fmt.Sprintf("Set hw:pci_numa_affinity_policy=preferred on the flavor (openstack flavor set --property hw:pci_numa_affinity_policy=preferred %s), ask for fewer devices, or give the guest more NUMA nodes (hw:numa_nodes).", ff.Flavor.Name),
			Evidence:    map[string]any{"policy": ff.Policy, "policy_from": ff.PolicyFrom, "guest_numa_nodes": ff.InstanceNUMANodes, "hosts": why.Items(), "hosts_total": why.Total()},
		})
	}
	return nil
}

// anyCellsFit reports a host whose NUMA nodes take the guest's cells.
func anyCellsFit(hosts []*fleet.HostFit) bool {
	for _, h := range hosts {
		if h.NUMACells {
			return true
		}
	}
	return false
}

// FlavorTooBig is GP405.
var FlavorTooBig = &Check{
	ID: "GP405", Name: "flavor-too-big", Severity: report.Error, Needs: []Input{NeedCloud, NeedReports},
	Doc: Doc{
		Summary: "A GPU flavor's vCPUs and RAM fit at least one GPU host.",
		Why:     "A GPU flavor can only land on a GPU host: when its vCPUs or RAM exceed every GPU host's capacity ((total - reserved) x allocation ratio, as Placement counts it), it never boots, whatever the GPUs.",
		Fix:     "Size the flavor to the GPU hosts (vCPUs and RAM per GPU in proportion to the host), or raise the hosts' allocation ratios.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/allocation-ratios.html"},
	},
	Run: runFlavorTooBig,
}

// runFlavorTooBig is GP405's Run.
func runFlavorTooBig(p *Pass) error {
	if !needHosts(p) {
		return nil
	}
	vgpuFlavors := 0
	for _, ff := range p.Fleet.Flavors {
		if ff.VGPU != nil && ff.VGPU.Blocked() == nil && p.Fleet.PlacementKnown {
			vgpuFlavors++
			vgpuTooBig(p, ff.Flavor, ff.VGPU)
		}
	}
	gpuHosts := p.Fleet.GPUHosts()
	if len(gpuHosts) == 0 {
		if vgpuFlavors == 0 {
			p.Skipf("no host report shows a usable GPU")
		}
		return nil
	}
	for _, ff := range p.Fleet.Flavors {
		f := ff.Flavor
		if !fleet.HasPCIRequest(f) {
			continue // a vGPU flavor: judged above
		}
		fits := false
		var largest, largestSays string
		bestCPU, bestRAM := 0, 0
		for _, h := range gpuHosts {
			cpuOK := !h.VCPU.Known || f.VCPUs <= h.VCPU.PerServer()
			ramOK := !h.MemoryMB.Known || f.RAMMB <= h.MemoryMB.PerServer()
			if cpuOK && ramOK {
				fits = true
				break
			}
			if cpu, ram := h.VCPU.PerServer(), h.MemoryMB.PerServer(); cpu+ram/1024 > bestCPU+bestRAM/1024 {
				bestCPU, bestRAM = cpu, ram
				largest = fmt.Sprintf("%s: %d vCPUs and %s (from %s)", h.Name, cpu, mebibytes(ram), h.VCPU.From)
				largestSays = fmt.Sprintf("%s, with %d vCPUs and %s, from %s", h.Name, cpu, mebibytes(ram), h.VCPU.From)
			}
		}
		if fits {
			continue
		}
		p.Report(report.Finding{
			Subject:     flavorSubject(f),
			Message:     fmt.Sprintf("Flavor %s asks for %d vCPUs and %s of RAM, more than any GPU host offers; the largest is %s.", f.Name, f.VCPUs, mebibytes(f.RAMMB), largestSays),
			Remediation: fmt.Sprintf("Resize the flavor to at most %d vCPUs and %d MB (openstack flavor create a new one; flavors cannot be resized in place).", bestCPU, bestRAM),
			Evidence:    map[string]any{"vcpus": f.VCPUs, "ram_mb": f.RAMMB, "largest_gpu_host": largest},
		})
	}
	return nil
}

// vgpuTooBig is GP405 for a vGPU flavor: among the hosts whose providers
// can serve it, none has the vCPUs and RAM (the root provider's capacity).
func vgpuTooBig(p *Pass, f *cloudmodel.Flavor, r *fleet.VGPURequest) {
	var best *fleet.VGPUHost
	for _, h := range r.Hosts {
		if !h.Providers {
			continue
		}
		if h.Size {
			return
		}
		if best == nil || h.Host.VCPU.PerServer()+h.Host.MemoryMB.PerServer()/1024 > best.VCPU.PerServer()+best.MemoryMB.PerServer()/1024 {
			best = h.Host
		}
	}
	if best == nil {
		return // no host has the providers: GP403 or GP410
	}
	p.Report(report.Finding{
		Subject:     flavorSubject(f),
		Message:     fmt.Sprintf("%s asks for %d vCPUs and %s of RAM, more than any host with its vGPU providers offers; the largest is %s, with %d vCPUs and %s, from Placement.", vgpuLabel(f, r), f.VCPUs, mebibytes(f.RAMMB), best.Name, best.VCPU.PerServer(), mebibytes(best.MemoryMB.PerServer())),
		Remediation: fmt.Sprintf("Resize the flavor to at most %d vCPUs and %d MB (openstack flavor create a new one; flavors cannot be resized in place).", best.VCPU.PerServer(), best.MemoryMB.PerServer()),
		Evidence:    map[string]any{"vcpus": f.VCPUs, "ram_mb": f.RAMMB, "largest_vgpu_host": fmt.Sprintf("%s: %d vCPUs and %s (from placement)", best.Name, best.VCPU.PerServer(), mebibytes(best.MemoryMB.PerServer()))},
	})
}

// evidenceMost bounds the per-host lists in a finding's evidence: a fleet
// of thousands of hosts would otherwise repeat every host in every finding.
const evidenceMost = 20

// mebibytes writes a RAM size in MB as flavors and Placement count it, with
// GiB or TiB beside it when it is that large: "8388608 MB (8 TiB)".
func mebibytes(mb int) string {
	switch {
	case mb >= 1<<20 && mb%(1<<20) == 0:
		return fmt.Sprintf("%d MB (%d TiB)", mb, mb>>20)
	case mb >= 1<<20:
		return fmt.Sprintf("%d MB (%.1f TiB)", mb, float64(mb)/(1<<20))
	case mb >= 1<<10 && mb%(1<<10) == 0:
		return fmt.Sprintf("%d MB (%d GiB)", mb, mb>>10)
	case mb >= 1<<10:
		return fmt.Sprintf("%d MB (%.1f GiB)", mb, float64(mb)/(1<<10))
	}
	return fmt.Sprintf("%d MB", mb)
}

// LargeBARFirmware is GP406.
var LargeBARFirmware = &Check{
	ID: "GP406", Name: "large-bar-firmware", Severity: report.Warning, Needs: []Input{NeedCloud, NeedReports},
	Doc: Doc{
		Summary: "Flavors that get GPUs with a 64-bit BAR of 32 GiB or more: their guests need the q35 machine type and UEFI.",
		Why:     "Such a BAR only fits the 64-bit MMIO window of a q35 guest with UEFI firmware: with i440fx or SeaBIOS the guest does not see the GPU's memory, or does not boot. A flavor cannot ask for q35 itself (only os:secure_boot implies UEFI and q35): the images must (hw_machine_type=q35, hw_firmware_type=uefi), or the GPU hosts must default to q35 ([libvirt]hw_machine_type).",
		Fix:     "Set hw_machine_type=q35 and hw_firmware_type=uefi on the images used with these flavors, or [libvirt] hw_machine_type = x86_64=q35 on the GPU hosts (UEFI still comes from the image).",
		Links:   []string{"https://docs.openstack.org/glance/latest/admin/useful-image-properties.html", "https://docs.openstack.org/nova/latest/configuration/config.html#libvirt.hw_machine_type"},
	},
	Run: runLargeBARFirmware,
}

// runLargeBARFirmware is GP406's Run.
func runLargeBARFirmware(p *Pass) error {
	if !needHosts(p) {
		return nil
	}
	for _, ff := range p.Fleet.Flavors {
		if len(ff.SpecErrs) > 0 {
			continue // Nova rejects it: GP401 is what matters
		}
		if ff.Flavor.ExtraSpecs[fleet.SpecSecureBoot] == "required" {
			continue // secure boot means UEFI and q35
		}
		for _, h := range ff.Hosts {
			// Only where it would boot: elsewhere it has worse troubles.
			if !h.Bootable() || h.LargeBAR == nil {
				continue
			}
			d := h.LargeBAR.Device
			p.Report(report.Finding{
				Subject:     flavorSubject(ff.Flavor),
				Message:     fmt.Sprintf("%s gets %s on %s, which has a 64-bit BAR of 32 GiB or more: its guests boot only from images with the q35 machine type and UEFI firmware.", flavorLabel(ff.Flavor), pcidev.Describe(d), h.Host.Name),
				Remediation: "On the images used with this flavor: openstack image set --property hw_machine_type=q35 --property hw_firmware_type=uefi IMAGE (or set [libvirt] hw_machine_type = x86_64=q35 in the GPU hosts' nova.conf; UEFI still comes from the image).",
				Evidence:    map[string]any{"host": h.Host.Name, "device": d.Address},
			})
			break
		}
	}
	return nil
}

// Capacity is GP407.
var CapacityCheck = &Check{
	ID: "GP407", Name: "capacity", Severity: report.Info, Needs: []Input{NeedCloud, NeedReports},
	Doc: Doc{
		Summary: "How many more instances of each GPU flavor fit now, and on which hosts.",
		Why:     "Knowing the headroom per flavor before users ask avoids surprise No valid host errors when the last GPUs are taken.",
		Fix:     "Nothing to fix; plan capacity from it. Device usage is exact with PCI in Placement ([pci]report_in_placement); otherwise every usable device counts as free.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html#pci-tracking-in-placement"},
	},
	Run: runCapacityCheck,
}

// runCapacityCheck is GP407's Run.
func runCapacityCheck(p *Pass) error {
	if !needHosts(p) {
		return nil
	}
	for _, ff := range p.Fleet.Flavors {
		if ff.VGPU != nil && !fleet.HasPCIRequest(ff.Flavor) && p.Fleet.PlacementKnown {
			vgpuCapacity(p, ff.Flavor, ff.VGPU)
			continue
		}
		if ff.Requests == nil || len(ff.SpecErrs) > 0 {
			continue // not bootable at all: GP401 and the verdict say why
		}
		hosts, total, exact := 0, 0, true
		names := prose.Bounded{}
		for _, h := range ff.Hosts {
			if !h.Bootable() {
				continue
			}
			hosts++
			total += h.MoreFit
			exact = exact && h.MoreFitKnown
			if names.Next() {
				names.Add(fmt.Sprintf("%s (%d)", h.Host.Name, h.MoreFit))
			}
		}
		if hosts == 0 {
			continue
		}
		note := ""
		if !exact {
			note = " (at most: some usage is unknown, PCI devices are counted free unless PCI is in Placement)"
		}
		p.Report(report.Finding{
			Subject:  flavorSubject(ff.Flavor),
			Message:  fmt.Sprintf("Flavor %s is bootable on %s; %d more %s now%s: %s.", ff.Flavor.Name, prose.Plural(hosts, "host"), total, prose.Verb(total, "instance fits", "instances fit"), note, names.Join(", ")),
			Evidence: map[string]any{"hosts": hosts, "more_instances": total, "exact": exact},
		})
	}
	return nil
}

// vgpuCapacity is GP407 for a vGPU flavor: exact, from Placement's
// inventories and usages.
func vgpuCapacity(p *Pass, f *cloudmodel.Flavor, r *fleet.VGPURequest) {
	if r.Blocked() != nil {
		return
	}
	hosts, total := 0, 0
	names := prose.Bounded{}
	for _, h := range r.Hosts {
		if !h.Bootable() {
			continue
		}
		hosts++
		total += h.MoreFit
		if names.Next() {
			names.Add(fmt.Sprintf("%s (%d)", h.Host.Name, h.MoreFit))
		}
	}
	if hosts == 0 {
		return
	}
	p.Report(report.Finding{
		Subject:  flavorSubject(f),
		Message:  fmt.Sprintf("Flavor %s (%s) is bootable on %s; %d more %s now, by Placement's vGPU inventories and usages: %s.", f.Name, r.Describe(), prose.Plural(hosts, "host"), total, prose.Verb(total, "instance fits", "instances fit"), names.Join(", ")),
		Evidence: map[string]any{"hosts": hosts, "more_instances": total, "exact": true, "resources": r.Describe()},
	})
}

// GPUHostsUnprotected is GP408.
var GPUHostsUnprotected = &Check{
	ID: "GP408", Name: "gpu-hosts-unprotected", Severity: report.Warning, Needs: []Input{NeedCloud, NeedReports},
	Doc: Doc{
		Summary: "Flavors without GPUs cannot land on GPU hosts.",
		Why:     "Unless GPU hosts are reserved, ordinary instances fill their CPUs and RAM, and GPU flavors then fail with No valid host while GPUs sit idle. The usual guards: a trait on the GPU hosts' resource providers that other flavors forbid (trait:CUSTOM_GPU_HOST=forbidden), or host aggregates with AggregateInstanceExtraSpecsFilter.",
		Fix:     "Add a custom trait to the GPU hosts (openstack resource provider trait set) and trait:CUSTOM_...=forbidden to the other flavors, or isolate the GPU hosts in an aggregate.",
		Links:   []string{"https://docs.openstack.org/nova/latest/reference/isolate-aggregates.html", "https://docs.openstack.org/nova/latest/user/flavors.html"},
	},
	Run: runGPUHostsUnprotected,
}

// runGPUHostsUnprotected is GP408's Run.
func runGPUHostsUnprotected(p *Pass) error {
	v := p.Fleet
	gpuHosts := v.GPUHosts()
	if len(gpuHosts) == 0 {
		p.Skipf("no host report shows a usable GPU")
		return nil
	}
	// The traits every GPU host's provider carries: forbidding one of
	// them keeps a flavor off all GPU hosts.
	var common []string
	if v.PlacementKnown {
		common = gpuHosts[0].Traits
		for _, h := range gpuHosts[1:] {
			common = slices.DeleteFunc(slices.Clone(common), func(t string) bool { return !slices.Contains(h.Traits, t) })
		}
	}
	var open []string
	for _, f := range v.Plain {
		if f.Disabled || protectedFlavor(f, v.PlacementKnown, common) {
			continue
		}
		open = append(open, f.Name)
	}
	if len(open) == 0 {
		return nil
	}
	sort.Strings(open)
	var hosts []string
	for _, h := range gpuHosts {
		hosts = append(hosts, h.Name)
	}
	fix := "openstack resource provider trait set --trait CUSTOM_GPU_HOST (plus existing traits) on each GPU host, then openstack flavor set --property trait:CUSTOM_GPU_HOST=forbidden on every other flavor; or put the GPU hosts in an aggregate reserved with AggregateInstanceExtraSpecsFilter."
	for _, t := range common {
		if strings.HasPrefix(t, "CUSTOM_") {
			fix = fmt.Sprintf("The GPU hosts' resource providers all carry %s: for each of these flavors, openstack flavor set --property trait:%s=forbidden FLAVOR (or put the GPU hosts in an aggregate reserved with AggregateInstanceExtraSpecsFilter).", t, t)
			break
		}
	}
	evidence := map[string]any{"flavors": open, "gpu_hosts": hosts}
	if v.PlacementKnown {
		evidence["gpu_host_traits"] = append([]string{}, common...)
	}
	p.Report(report.Finding{
		Subject:     cloudSubject(),
		Message:     fmt.Sprintf("%s without GPUs can land on the GPU hosts (%s): %s.", prose.Plural(len(open), "flavor"), prose.List(hosts), prose.List(open)),
		Remediation: fix,
		Evidence:    evidence,
	})
	return nil
}

// protectedFlavor reports a flavor kept off the GPU hosts: by an aggregate
// extra spec, or by forbidding a trait every GPU host carries (any
// forbidden trait, when Placement could not be read to tell).
func protectedFlavor(f *cloudmodel.Flavor, placementKnown bool, gpuHostTraits []string) bool {
	for k, v := range f.ExtraSpecs {
		if strings.HasPrefix(k, "aggregate_instance_extra_specs:") {
			return true
		}
		if t, ok := strings.CutPrefix(k, "trait:"); ok && v == "forbidden" && (!placementKnown || slices.Contains(gpuHostTraits, t)) {
			return true
		}
	}
	return false
}

// AliasInconsistentFleet is GP409.
var AliasInconsistentFleet = &Check{
	ID: "GP409", Name: "alias-inconsistent-fleet", Severity: report.Warning, Needs: []Input{NeedReports},
	Doc: Doc{
		Summary: "Every compute node (host report) defines the same [pci]alias set, and the same as the API node.",
		Why:     "Aliases are read on the API node to build requests and on compute nodes to claim devices and apply NUMA policies: hosts that disagree place the same flavor differently, or not at all.",
		Fix:     "Distribute one [pci]alias snippet to every node.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html"},
	},
	Run: runAliasInconsistentFleet,
}

// runAliasInconsistentFleet is GP409's Run.
func runAliasInconsistentFleet(p *Pass) error {
	v := p.Fleet
	// Per alias name: definition -> hosts that have it.
	defs := map[string]map[string][]string{}
	record := func(name, key, who string) {
		if defs[name] == nil {
			defs[name] = map[string][]string{}
		}
		defs[name][key] = append(defs[name][key], who)
	}
	hosts := 0
	for _, h := range v.Hosts {
		// A host whose nova.conf could not be read has aliases unknown,
		// not none.
		if h.AliasErr != nil || h.Host == nil || h.ConfUnread {
			continue
		}
		hosts++
		for name, a := range h.Aliases {
			record(name, aliasKey(a), h.Name)
		}
	}
	if p.API != nil && p.API.AliasErr == nil {
		for name, a := range p.API.Aliases {
			record(name, aliasKey(a), "the API node")
		}
		hosts++
	}
	if hosts < 2 {
		p.Skipf("fewer than two alias sets to compare")
		return nil
	}
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		variants := defs[name]
		holders := 0
		for _, who := range variants {
			holders += len(who)
		}
		if len(variants) == 1 && holders == hosts {
			continue
		}
		var parts []string
		keys := make([]string, 0, len(variants))
		for k := range variants {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s on %s", k, prose.List(variants[k])))
		}
		msg := fmt.Sprintf("Alias %q is defined differently across the fleet: %s.", name, strings.Join(parts, "; "))
		if len(variants) == 1 {
			msg = fmt.Sprintf("Alias %q is defined on %d of %d nodes (%s).", name, holders, hosts, prose.List(variants[keys[0]]))
		}
		p.Report(report.Finding{
			Subject:     aliasSubject(name),
			Message:     msg,
			Remediation: "Give every node the same [pci]alias lines (the API node's are the ones flavors are translated with).",
			Evidence:    map[string]any{"variants": len(variants)},
		})
	}
	return nil
}

// VGPUFlavorUnsatisfiable is GP410.
var VGPUFlavorUnsatisfiable = &Check{
	ID: "GP410", Name: "vgpu-flavor-unsatisfiable", Severity: report.Error, Needs: []Input{NeedCloud},
	Doc: Doc{
		Summary: "Every flavor that asks for vGPUs (resources[N]:VGPU or an mdev_class such as CUSTOM_NVIDIA_558) asks for something Placement's vGPU providers can give, and the Nova release gives the guest all of it.",
		Why: "Nova turns a flavor's resources[N] and trait[N] extra specs into one Placement allocation candidates query (nova/scheduler/utils.py ResourceRequest); each mdev parent is a child provider named HOST_pci_ADDRESS with an inventory of VGPU or its mdev_class. " +
			"A class no provider offers, more vGPUs in one group than any provider gives in one allocation (on SR-IOV GPUs each VF is a provider of total 1), a required trait no such provider carries, or two numbered groups without group_policy (Placement answers 400) mean No valid host for every server. " +
			"Before Nova 2026.1 the libvirt driver made mdevs for the first vGPU allocation only: a flavor with several vGPU groups boots with fewer vGPUs than Placement allocated.",
		Fix: "Use the class the hosts' [mdev_TYPE] mdev_class gives (VGPU by default), one vGPU per numbered group on SR-IOV GPUs (resources1:VGPU=1, resources2:VGPU=1, group_policy=isolate; Nova 2026.1 or later), set the trait on the pGPU providers (openstack resource provider trait set), and group_policy whenever there are several numbered groups.",
		Links: []string{
			"https://docs.openstack.org/nova/latest/admin/virtual-gpu.html",
			"https://docs.openstack.org/nova/latest/user/flavors.html",
			"https://docs.openstack.org/placement/latest/usage/provider-tree.html",
			"https://bugs.launchpad.net/nova/+bug/1758086",
		},
	},
	Run: runVGPUFlavorUnsatisfiable,
}

// runVGPUFlavorUnsatisfiable is GP410's Run.
func runVGPUFlavorUnsatisfiable(p *Pass) error {
	v := p.Fleet
	judged := false
	for _, ff := range v.Flavors {
		if ff.VGPU == nil {
			continue
		}
		judged = true
		if !v.PlacementKnown {
			continue
		}
		for _, pr := range ff.VGPU.Problems {
			ev := map[string]any{"flavor_id": ff.Flavor.ID, "key": pr.Key, "problem": pr.Kind, "resources": ff.VGPU.Describe()}
			if val, ok := ff.Flavor.ExtraSpecs[pr.Key]; ok {
				ev["value"] = val
			}
			if len(pr.Providers) > 0 {
				ev["providers"] = pr.Providers
			}
			if pr.Release != "" {
				ev["nova_release"] = pr.Release
			}
			p.Report(report.Finding{Subject: flavorSubject(ff.Flavor), Message: pr.Message, Remediation: pr.Fix, Evidence: ev})
		}
	}
	if judged && !v.PlacementKnown {
		p.Skipf("Placement could not be read (see the audit's incomplete parts): the vGPU providers are unknown")
	}
	return nil
}
