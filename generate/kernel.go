package generate

import (
	"slices"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/hostinfo"
)

// KernelChange is what to add to and remove from the kernel command line.
type KernelChange struct {
	Add, Remove []string
}

// cmdline is the host's kernel command line, parsed as the kernel does.
func (p *Plan) cmdline() hostinfo.Cmdline { return hostinfo.ParseCmdline(p.Host.Kernel.Cmdline) }

// iommuOff are the parameters that turn the IOMMU off (GP103, GP104) or
// its interrupt remapping (GP105), as the checks find them.
func iommuOff(c hostinfo.Cmdline) []hostinfo.Param {
	var out []hostinfo.Param
	for _, key := range []string{"intel_iommu", "amd_iommu", "iommu", "intremap"} {
		for _, param := range c.Lookup(key) {
			if hostinfo.ValueHas(param.Value, "off") {
				out = append(out, param)
			}
		}
	}
	return append(out, c.Lookup("nointremap")...)
}

// iommuActive reports an IOMMU the kernel uses: a unit or a group.
func (p *Plan) iommuActive() bool { return len(p.Host.IOMMU.Units) > 0 || p.Host.IOMMU.Groups > 0 }

// Kernel works out the kernel command-line change for the plan. Whatever
// the GPUs, the parameters that turn the IOMMU or its interrupt remapping
// off go, and intel_iommu=on (with iommu=pt) comes where an Intel host's
// IOMMU is off. With GPUs: iommu=pt (x86 only), one vfio-pci.ids with
// every ID bound by ID (the kernel keeps only the last of repeated
// parameters; never the IDs of a variant driver's devices, which bind
// through driverctl), no pci-stub.ids (vfio-pci takes them instead,
// GP211), and rd.driver.pre=vfio-pci where dracut builds the initramfs
// and vfio-pci takes some function.
func (p *Plan) Kernel() KernelChange {
	var k KernelChange
	c := p.cmdline()
	has := func(key, value string) bool {
		last, ok := c.Last(key)
		return ok && hostinfo.ValueHas(last.Value, value)
	}
	for _, param := range iommuOff(c) {
		k.Remove = append(k.Remove, param.String())
	}
	gpus := len(p.Models) > 0
	turnOn := gpus || !p.iommuActive() || len(k.Remove) > 0
	if turnOn && p.Host.CPU.IOMMUVendor() == "intel" && !has("intel_iommu", "on") {
		k.Add = append(k.Add, "intel_iommu=on")
	}
	// iommu= is an x86 parameter (kernel-parameters.txt marks it [X86]):
	// an aarch64 host's SMMU needs none.
	if (gpus || len(k.Add) > 0) && !has("iommu", "pt") && !p.Host.CPU.IsARM64() {
		k.Add = append(k.Add, "iommu=pt")
	}
	if !gpus {
		return k
	}
	for _, param := range c.Lookup("pci-stub.ids") {
		k.Remove = append(k.Remove, param.String())
	}
	ids, _ := p.IDBinding()
	old := c.Lookup("vfio-pci.ids")
	have := map[string]bool{}
	for _, param := range old {
		for _, id := range strings.Split(param.Value, ",") {
			have[strings.ToLower(id)] = true
		}
	}
	missing := false
	for _, id := range ids {
		missing = missing || !have[id]
	}
	if missing || len(old) > 1 {
		for id := range have {
			if id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, param := range old {
			k.Remove = append(k.Remove, param.String())
		}
		k.Add = append(k.Add, "vfio-pci.ids="+strings.Join(ids, ","))
	}
	if p.dracut() && len(p.VFIOPCIBound()) > 0 && !has("rd.driver.pre", "vfio-pci") {
		k.Add = append(k.Add, "rd.driver.pre=vfio-pci")
	}
	return k
}

// NewCmdline is the kernel command line after the change: the removed
// parameters gone, the added ones after the others (and before "--", which
// hands the rest to init).
func (p *Plan) NewCmdline() string {
	k := p.Kernel()
	if len(k.Add)+len(k.Remove) == 0 {
		return p.Host.Kernel.Cmdline
	}
	c := p.cmdline()
	var out []string
	for _, param := range c.Params {
		if !slices.Contains(k.Remove, param.String()) {
			out = append(out, param.String())
		}
	}
	out = append(out, k.Add...)
	if len(c.Init) > 0 {
		out = append(append(out, "--"), c.Init...)
	}
	return strings.Join(out, " ")
}
