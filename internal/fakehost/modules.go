package fakehost

import (
	"fmt"
	"sort"
	"strings"
)

// modInfo is what the builder knows of a module: its usual size, what
// it uses, where its .ko sits, the PCI driver it registers and the
// parameters it exposes in sysfs with their defaults.
type modInfo struct {
	size   int
	deps   []string
	path   string // under kernel/, as modules.builtin lists it
	driver string // PCI driver name, "" = none
	params map[string]string
	taint  string // " (POE)" for out-of-tree proprietary modules
}

var knownModules = map[string]modInfo{
	"vfio": {size: 69632, deps: []string{"iommufd"}, path: "drivers/vfio/vfio.ko",
		params: map[string]string{"enable_unsafe_noiommu_mode": "N"}},
	"iommufd":          {size: 98304, path: "drivers/iommu/iommufd/iommufd.ko"},
	"vfio_iommu_type1": {size: 49152, deps: []string{"vfio"}, path: "drivers/vfio/vfio_iommu_type1.ko", params: map[string]string{"allow_unsafe_interrupts": "N", "disable_hugepages": "N", "dma_entry_limit": "65535"}},
	// vfio-pci's ids parameter has permission 0: it never shows in sysfs.
	"vfio_pci":      {size: 16384, deps: []string{"vfio_pci_core", "vfio"}, path: "drivers/vfio/pci/vfio-pci.ko", driver: "vfio-pci", params: map[string]string{"disable_vga": "N", "disable_idle_d3": "N", "nointxmask": "N", "enable_sriov": "N", "disable_denylist": "N"}},
	"vfio_pci_core": {size: 94208, deps: []string{"vfio", "irqbypass"}, path: "drivers/vfio/pci/vfio-pci-core.ko"},
	"vfio_virqfd":   {size: 16384, path: "drivers/vfio/vfio_virqfd.ko"},
	"irqbypass":     {size: 12288, path: "virt/lib/irqbypass.ko"},
	"kvm":           {size: 1409024, deps: []string{"irqbypass"}, path: "arch/x86/kvm/kvm.ko", params: map[string]string{"halt_poll_ns": "200000", "ignore_msrs": "N"}},
	"kvm_intel":     {size: 487424, deps: []string{"kvm"}, path: "arch/x86/kvm/kvm-intel.ko", params: map[string]string{"nested": "Y", "ept": "Y", "enable_apicv": "Y"}},
	"kvm_amd":       {size: 245760, deps: []string{"kvm", "ccp"}, path: "arch/x86/kvm/kvm-amd.ko", params: map[string]string{"nested": "1", "npt": "1", "avic": "0", "sev": "0"}},
	"pci_stub":      {size: 12288, path: "drivers/pci/pci-stub.ko", driver: "pci-stub"},

	"nouveau": {size: 3096576, deps: []string{"drm_ttm_helper", "ttm", "drm_display_helper", "drm_kms_helper", "drm", "i2c_algo_bit", "mxm_wmi", "video", "wmi"}, path: "drivers/gpu/drm/nouveau/nouveau.ko", driver: "nouveau", params: map[string]string{"modeset": "-1", "runpm": "-1"}},
	"nvidia":  {size: 56823808, path: "updates/dkms/nvidia.ko", driver: "nvidia", taint: " (POE)"},
	// NVIDIA's vGPU manager (research 2, "Modules": lsmod of an A10 and of
	// an RTX PRO 6000 host).
	"nvidia_vgpu_vfio": {size: 57344, deps: []string{"nvidia", "vfio_pci_core", "mdev", "vfio", "kvm"}, path: "updates/dkms/nvidia-vgpu-vfio.ko", taint: " (POE)"},
	"mdev":             {size: 20480, path: "drivers/vfio/mdev/mdev.ko"},
	// The GH200's vfio-pci variant driver (research 4.1).
	"nvgrace_gpu_vfio_pci": {size: 24576, deps: []string{"vfio_pci_core"}, path: "drivers/vfio/pci/nvgrace-gpu/nvgrace-gpu-vfio-pci.ko", driver: "nvgrace_gpu_vfio_pci"},
	"amdgpu":               {size: 19398656, deps: []string{"amdxcp", "drm_exec", "gpu_sched", "drm_buddy", "drm_suballoc_helper", "drm_ttm_helper", "ttm", "drm_display_helper", "drm_kms_helper", "drm", "i2c_algo_bit", "video"}, path: "drivers/gpu/drm/amd/amdgpu/amdgpu.ko", driver: "amdgpu"},
	"i915":                 {size: 4259840, deps: []string{"drm_buddy", "ttm", "drm_display_helper", "drm_kms_helper", "drm", "cec", "i2c_algo_bit", "video", "wmi"}, path: "drivers/gpu/drm/i915/i915.ko", driver: "i915"},
	"ast":                  {size: 94208, deps: []string{"drm_shmem_helper", "drm_kms_helper", "drm", "i2c_algo_bit"}, path: "drivers/gpu/drm/ast/ast.ko", driver: "ast"},
	"mgag200":              {size: 69632, deps: []string{"drm_shmem_helper", "drm_kms_helper", "drm", "i2c_algo_bit"}, path: "drivers/gpu/drm/mgag200/mgag200.ko", driver: "mgag200"},
	"drm_ttm_helper":       {size: 12288, deps: []string{"ttm", "drm_kms_helper", "drm"}, path: "drivers/gpu/drm/drm_ttm_helper.ko"},
	"ttm":                  {size: 110592, deps: []string{"drm"}, path: "drivers/gpu/drm/ttm/ttm.ko"},
	"drm_display_helper":   {size: 237568, deps: []string{"drm_kms_helper", "drm"}, path: "drivers/gpu/drm/display/drm_display_helper.ko"},
	"drm_kms_helper":       {size: 274432, deps: []string{"drm"}, path: "drivers/gpu/drm/drm_kms_helper.ko"},
	"drm_shmem_helper":     {size: 28672, deps: []string{"drm"}, path: "drivers/gpu/drm/drm_shmem_helper.ko"},
	"drm_buddy":            {size: 20480, path: "drivers/gpu/drm/drm_buddy.ko"},
	"drm_exec":             {size: 12288, deps: []string{"drm"}, path: "drivers/gpu/drm/drm_exec.ko"},
	"drm_suballoc_helper":  {size: 16384, deps: []string{"drm"}, path: "drivers/gpu/drm/drm_suballoc_helper.ko"},
	"gpu_sched":            {size: 61440, deps: []string{"drm"}, path: "drivers/gpu/drm/scheduler/gpu-sched.ko"},
	"amdxcp":               {size: 12288, path: "drivers/gpu/drm/amd/amdxcp/amdxcp.ko"},
	"drm":                  {size: 765952, path: "drivers/gpu/drm/drm.ko"},
	"i2c_algo_bit":         {size: 16384, path: "drivers/i2c/algos/i2c-algo-bit.ko"},
	"cec":                  {size: 94208, path: "drivers/media/cec/core/cec.ko"},
	"mxm_wmi":              {size: 12288, deps: []string{"wmi"}, path: "drivers/platform/x86/mxm-wmi.ko"},
	"video":                {size: 73728, deps: []string{"wmi"}, path: "drivers/acpi/video.ko"},
	"wmi":                  {size: 40960, path: "drivers/platform/x86/wmi.ko"},

	"snd_hda_intel":     {size: 61440, deps: []string{"snd_intel_dspcfg", "snd_hda_codec", "snd_hda_core", "snd_pcm", "snd"}, path: "sound/pci/hda/snd-hda-intel.ko", driver: "snd_hda_intel"},
	"snd_intel_dspcfg":  {size: 36864, deps: []string{"snd_hda_core"}, path: "sound/hda/snd-intel-dspcfg.ko"},
	"snd_hda_codec":     {size: 204800, deps: []string{"snd_hda_core", "snd_pcm"}, path: "sound/pci/hda/snd-hda-codec.ko"},
	"snd_hda_core":      {size: 139264, deps: []string{"snd_pcm"}, path: "sound/hda/snd-hda-core.ko"},
	"snd_pcm":           {size: 196608, deps: []string{"snd"}, path: "sound/core/snd-pcm.ko"},
	"snd":               {size: 143360, path: "sound/core/snd.ko"},
	"xhci_pci":          {size: 24576, deps: []string{"xhci_pci_renesas"}, path: "drivers/usb/host/xhci-pci.ko", driver: "xhci_hcd"},
	"xhci_pci_renesas":  {size: 20480, path: "drivers/usb/host/xhci-pci-renesas.ko"},
	"i2c_nvidia_gpu":    {size: 12288, path: "drivers/i2c/busses/i2c-nvidia-gpu.ko", driver: "nvidia-gpu"},
	"nvme":              {size: 61440, deps: []string{"nvme_core"}, path: "drivers/nvme/host/nvme.ko", driver: "nvme"},
	"nvme_core":         {size: 212992, deps: []string{"nvme_auth"}, path: "drivers/nvme/host/nvme-core.ko"},
	"nvme_auth":         {size: 28672, path: "drivers/nvme/common/nvme-auth.ko"},
	"ahci":              {size: 49152, deps: []string{"libahci"}, path: "drivers/ata/ahci.ko", driver: "ahci"},
	"libahci":           {size: 53248, path: "drivers/ata/libahci.ko"},
	"mlx5_core":         {size: 2441216, deps: []string{"mlxfw", "psample", "tls", "pci_hyperv_intf"}, path: "drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko", driver: "mlx5_core"},
	"mlxfw":             {size: 36864, path: "drivers/net/ethernet/mellanox/mlxfw/mlxfw.ko"},
	"psample":           {size: 20480, path: "net/psample/psample.ko"},
	"tls":               {size: 155648, path: "net/tls/tls.ko"},
	"pci_hyperv_intf":   {size: 12288, path: "drivers/pci/controller/pci-hyperv-intf.ko"},
	"e1000e":            {size: 364544, path: "drivers/net/ethernet/intel/e1000e/e1000e.ko", driver: "e1000e"},
	"igb":               {size: 299008, deps: []string{"dca", "i2c_algo_bit"}, path: "drivers/net/ethernet/intel/igb/igb.ko", driver: "igb"},
	"i40e":              {size: 606208, path: "drivers/net/ethernet/intel/i40e/i40e.ko", driver: "i40e"},
	"tg3":               {size: 212992, path: "drivers/net/ethernet/broadcom/tg3.ko", driver: "tg3"},
	"bnxt_en":           {size: 413696, path: "drivers/net/ethernet/broadcom/bnxt/bnxt_en.ko", driver: "bnxt_en"},
	"dca":               {size: 16384, path: "drivers/dca/dca.ko"},
	"ioatdma":           {size: 73728, deps: []string{"dca"}, path: "drivers/dma/ioat/ioatdma.ko", driver: "ioatdma"},
	"mei_me":            {size: 53248, deps: []string{"mei"}, path: "drivers/misc/mei/mei-me.ko", driver: "mei_me"},
	"mei":               {size: 167936, path: "drivers/misc/mei/mei.ko"},
	"i2c_i801":          {size: 36864, deps: []string{"i2c_smbus"}, path: "drivers/i2c/busses/i2c-i801.ko", driver: "i801_smbus"},
	"i2c_smbus":         {size: 20480, path: "drivers/i2c/i2c-smbus.ko"},
	"lpc_ich":           {size: 28672, path: "drivers/mfd/lpc_ich.ko", driver: "lpc_ich"},
	"spi_intel_pci":     {size: 12288, deps: []string{"spi_intel"}, path: "drivers/spi/spi-intel-pci.ko", driver: "intel-spi"},
	"spi_intel":         {size: 32768, path: "drivers/spi/spi-intel.ko"},
	"intel_pch_thermal": {size: 20480, path: "drivers/thermal/intel/intel_pch_thermal.ko", driver: "intel_pch_thermal"},
	"ptdma":             {size: 24576, path: "drivers/dma/ptdma/ptdma.ko", driver: "ptdma"},
	"intel_vsec":        {size: 20480, path: "drivers/platform/x86/intel/vsec.ko", driver: "intel_vsec"},
	"vmd":               {size: 28672, path: "drivers/pci/controller/vmd.ko", driver: "vmd"},
	"ccp":               {size: 143360, path: "drivers/crypto/ccp/ccp.ko", driver: "ccp"},
	"k10temp":           {size: 16384, path: "drivers/hwmon/k10temp.ko", driver: "k10temp"},
	"i2c_piix4":         {size: 32768, path: "drivers/i2c/busses/i2c-piix4.ko", driver: "piix4_smbus"},
	"ipmi_si":           {size: 86016, deps: []string{"ipmi_msghandler"}, path: "drivers/char/ipmi/ipmi_si.ko"},
	"ipmi_devintf":      {size: 20480, deps: []string{"ipmi_msghandler"}, path: "drivers/char/ipmi/ipmi_devintf.ko"},
	"ipmi_msghandler":   {size: 77824, path: "drivers/char/ipmi/ipmi_msghandler.ko"},
}

// driverModule maps a PCI driver name to the module that registers it,
// for drivers whose name differs from the module's.
var driverModule = func() map[string]string {
	m := map[string]string{}
	for name, mi := range knownModules {
		if mi.driver != "" {
			m[mi.driver] = name
		}
	}
	return m
}()

// builtinDrivers are PCI drivers no module provides.
var builtinDrivers = map[string]bool{"pcieport": true, "shpchp": true, "skl_uncore": true}

// modDeps returns the kernel's dependencies of a module for a kernel
// release: vfio-pci was one module before 5.16, vfio_virqfd went away in
// 6.2 and iommufd arrived then.
func modDeps(name string, kernel [2]int, explicit []string) []string {
	if explicit != nil {
		return explicit
	}
	mi := knownModules[name]
	older := func(maj, min int) bool { return kernel[0] < maj || kernel[0] == maj && kernel[1] < min }
	switch {
	case name == "vfio_pci" && older(5, 16):
		return []string{"vfio_virqfd", "vfio", "irqbypass"}
	case name == "vfio_pci_core" && older(6, 2):
		return []string{"vfio_virqfd", "vfio", "irqbypass"}
	case name == "vfio" && older(6, 2):
		return nil
	case name == "nvme_core" && older(6, 0):
		return nil
	case name == "nvidia_vgpu_vfio" && older(5, 16):
		return []string{"nvidia", "mdev", "vfio", "kvm"}
	}
	return mi.deps
}

// loadedModule is a module as the built tree shows it.
type loadedModule struct {
	name    string
	builtin bool
	size    int
	deps    []string
	params  map[string]string
	taint   string
	usedBy  []string
}

func kernelVersion(release string) [2]int {
	var v [2]int
	fmt.Sscanf(release, "%d.%d", &v[0], &v[1])
	return v
}

// moduleSet resolves the host's modules: those listed, those the bound
// drivers imply, and their dependencies, in load order (dependencies
// first).
func (h *Host) moduleSet(t *topology) []*loadedModule {
	kv := kernelVersion(h.KernelRelease)
	explicit := map[string]*Module{}
	var wanted []string
	for i := range h.Modules {
		m := &h.Modules[i]
		explicit[m.Name] = m
		wanted = append(wanted, m.Name)
	}
	for _, n := range t.nodes {
		if mod := driverModule[n.d.Driver]; mod != "" {
			wanted = append(wanted, mod)
		}
	}
	byName := map[string]*loadedModule{}
	var order []*loadedModule
	var visit func(name string, builtin bool)
	visit = func(name string, builtin bool) {
		if _, seen := byName[name]; seen {
			return
		}
		mi := knownModules[name]
		lm := &loadedModule{name: name, builtin: builtin, size: mi.size, taint: mi.taint}
		if lm.size == 0 {
			lm.size = 16384
		}
		var explicitDeps []string
		if m := explicit[name]; m != nil {
			lm.builtin = m.Builtin
			if m.Size != 0 {
				lm.size = m.Size
			}
			explicitDeps = m.Deps
		}
		byName[name] = lm
		lm.deps = modDeps(name, kv, explicitDeps)
		for _, d := range lm.deps {
			// A built-in module's dependencies are built in too.
			visit(d, lm.builtin)
		}
		order = append(order, lm)
	}
	for _, name := range wanted {
		visit(name, false)
	}
	for _, lm := range order {
		lm.params = h.moduleParams(lm.name, explicit[lm.name])
	}
	// usedBy in /proc/modules order (most recently loaded first).
	for i := len(order) - 1; i >= 0; i-- {
		for _, d := range order[i].deps {
			if dep := byName[d]; dep != nil && !order[i].builtin {
				dep.usedBy = append(dep.usedBy, order[i].name)
			}
		}
	}
	return order
}

// moduleParams resolves a module's parameter files: the module's
// defaults, then modprobe.d "options" lines, then "module.param=" on the
// command line, then the spec's explicit values.
func (h *Host) moduleParams(name string, m *Module) map[string]string {
	defaults := knownModules[name].params
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	set := func(k, v string) {
		old, known := defaults[k]
		if !known {
			return // not exposed in sysfs (vfio-pci's ids) or unknown
		}
		if old == "Y" || old == "N" {
			switch v {
			case "1", "y", "Y", "on":
				v = "Y"
			case "0", "n", "N", "off":
				v = "N"
			}
		}
		out[k] = v
	}
	var files []string
	for p := range h.Files {
		if strings.HasPrefix(p, "etc/modprobe.d/") && strings.HasSuffix(p, ".conf") {
			files = append(files, p)
		}
	}
	sort.Strings(files)
	for _, p := range files {
		for _, line := range strings.Split(h.Files[p], "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && f[0] == "options" && normalizeModule(f[1]) == name {
				for _, kv := range f[2:] {
					if k, v, ok := strings.Cut(kv, "="); ok {
						set(k, v)
					}
				}
			}
		}
	}
	for _, f := range strings.Fields(h.Cmdline) {
		mod, rest, ok := strings.Cut(f, ".")
		if !ok || normalizeModule(mod) != name {
			continue
		}
		if k, v, ok := strings.Cut(rest, "="); ok {
			set(k, v)
		}
	}
	if m != nil {
		for k, v := range m.Params {
			out[k] = v
		}
	}
	return out
}

func normalizeModule(s string) string { return strings.ReplaceAll(s, "-", "_") }

// procModules formats /proc/modules, most recently loaded first.
func procModules(mods []*loadedModule) string {
	var sb strings.Builder
	for i := len(mods) - 1; i >= 0; i-- {
		m := mods[i]
		if m.builtin {
			continue
		}
		used := "-"
		if len(m.usedBy) > 0 {
			used = strings.Join(m.usedBy, ",") + ","
		}
		fmt.Fprintf(&sb, "%s %d %d %s Live 0x0000000000000000%s\n", m.name, m.size, len(m.usedBy), used, m.taint)
	}
	return sb.String()
}

// modulesBuiltin formats modules.builtin: a base set every distribution
// kernel builds in, plus the host's built-in modules.
func modulesBuiltin(mods []*loadedModule, arm64 bool) string {
	arch := "kernel/arch/x86/crypto/crc32c-intel.ko"
	if arm64 {
		arch = "kernel/arch/arm64/crypto/sha2-ce.ko"
	}
	lines := []string{
		arch,
		"kernel/drivers/acpi/button.ko",
		"kernel/drivers/char/tpm/tpm.ko",
		"kernel/drivers/pci/hotplug/shpchp.ko",
		"kernel/drivers/usb/core/usbcore.ko",
		"kernel/drivers/usb/host/xhci-hcd.ko",
		"kernel/fs/ext4/ext4.ko",
		"kernel/fs/jbd2/jbd2.ko",
		"kernel/lib/crc16.ko",
		"kernel/lib/libcrc32c.ko",
	}
	for _, m := range mods {
		if m.builtin {
			p := knownModules[m.name].path
			if p == "" {
				p = "drivers/misc/" + m.name + ".ko"
			}
			lines = append(lines, "kernel/"+p)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}
