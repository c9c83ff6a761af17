package generate

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Literal vGPU hosts, after the layouts of docs/research/vgpu-layouts.md:
// a V100 whose PF is the mdev parent (section 1), A40s whose 32 VFs are
// the parents (section 2), and an L40S under NVIDIA's vendor framework
// (section 3: VFs with nvidia/creatable_vgpu_types and current_vgpu_type).

func release(t *testing.T, name string) novarelease.Release {
	t.Helper()
	r, err := novarelease.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func baseHost(name string) *hostinfo.Host {
	h := &hostinfo.Host{Hostname: name, CPU: hostinfo.CPU{Vendor: "GenuineIntel", LogicalCPUs: 96}, MemoryMB: 768 * 1024, NUMANodes: 1,
		Kernel: hostinfo.Kernel{Cmdline: "ro intel_iommu=on iommu=pt"}, ACPI: hostinfo.ACPI{Readable: true, Tables: []string{"DMAR"}},
		IOMMU: hostinfo.IOMMU{Groups: 40}, VFIO: hostinfo.VFIO{Container: true}}
	for _, m := range []string{"nvidia", "nvidia_vgpu_vfio", "mdev", "vfio", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1"} {
		h.Modules = append(h.Modules, hostinfo.Module{Name: m, State: hostinfo.ModuleLoaded})
	}
	h.Devices = append(h.Devices, pcidev.Device{Address: "0000:02:00.0", VendorID: "1a03", DeviceID: "2000", Class: "030000", Driver: "ast", BootVGA: ptr(true), IOMMUGroup: ptr(1)})
	return h
}

// vfAddresses are the 32 VFs of a PF at bus:00.0: functions 4 to 7 of
// slot 0, then slots 1 to 4 (section 2: virtfn0 is x.4).
func vfAddresses(bus string, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		slot, fn := (i+4)/8, (i+4)%8
		out = append(out, fmt.Sprintf("0000:%s:%02x.%d", bus, slot, fn))
	}
	return out
}

// v100Host has two V100s, each its own mdev parent; the first holds one
// mdev of nvidia-105, so its other types offer nothing.
func v100Host() *hostinfo.Host {
	h := baseHost("v100-01")
	for i, addr := range []string{"0000:3b:00.0", "0000:d8:00.0"} {
		h.Devices = append(h.Devices, pcidev.Device{Address: addr, VendorID: "10de", DeviceID: "1db4", Class: "030200", Model: "GV100GL [Tesla V100 PCIe 16GB]", Driver: "nvidia", IOMMUGroup: ptr(10 + i), ResetMethod: []string{"flr"}})
		used := i == 0
		avail := func(n int) *int {
			if used {
				return ptr(0)
			}
			return ptr(n)
		}
		types := []hostinfo.MdevType{
			{ID: "nvidia-105", Name: "GRID V100-1Q", DeviceAPI: "vfio-pci", Available: ptr(16), MaxInstance: 16},
			{ID: "nvidia-106", Name: "GRID V100-2Q", DeviceAPI: "vfio-pci", Available: avail(8), MaxInstance: 8},
			{ID: "nvidia-110", Name: "GRID V100-16Q", DeviceAPI: "vfio-pci", Available: avail(1), MaxInstance: 1},
		}
		if used {
			types[0].Available = ptr(15)
			types[0].Devices = []string{"4b20d080-1b54-4048-85b3-a6a62d165c01"}
		}
		h.Mdev.Parents = append(h.Mdev.Parents, hostinfo.MdevParent{Address: addr, Types: types})
	}
	h.Mdev.Bus = true
	h.Mdev.Devices = []hostinfo.MdevDevice{{UUID: "4b20d080-1b54-4048-85b3-a6a62d165c01", Type: "nvidia-105", Parent: "0000:3b:00.0"}}
	return h
}

// a40Host has A40s with their 32 VFs enabled, each VF an mdev parent
// that takes one vGPU.
func a40Host(buses ...string) *hostinfo.Host {
	h := baseHost("a40-01")
	h.Mdev.Bus = true
	for i, bus := range buses {
		pf := "0000:" + bus + ":00.0"
		vfs := vfAddresses(bus, 32)
		h.Devices = append(h.Devices, pcidev.Device{Address: pf, VendorID: "10de", DeviceID: "2235", Class: "030200", Model: "GA102GL [A40]", Driver: "nvidia",
			IOMMUGroup: ptr(20 + i), SRIOV: &pcidev.SRIOV{TotalVFs: 32, NumVFs: 32, VFs: vfs}})
		for j, vf := range vfs {
			h.Devices = append(h.Devices, pcidev.Device{Address: vf, VendorID: "10de", DeviceID: "2235", Class: "030200", Driver: "nvidia", PhysFn: pf, IOMMUGroup: ptr(100 + 40*i + j)})
			h.Mdev.Parents = append(h.Mdev.Parents, hostinfo.MdevParent{Address: vf, Types: []hostinfo.MdevType{
				{ID: "nvidia-555", Name: "NVIDIA A40-1Q", DeviceAPI: "vfio-pci", Available: ptr(1), MaxInstance: 32},
				{ID: "nvidia-558", Name: "NVIDIA A40-2Q", DeviceAPI: "vfio-pci", Available: ptr(1), MaxInstance: 24},
				{ID: "nvidia-566", Name: "NVIDIA A40-48Q", DeviceAPI: "vfio-pci", Available: ptr(1), MaxInstance: 1},
			}})
		}
	}
	return h
}

// l40sTypes are the start of an L40S VF's creatable_vgpu_types (section
// 3.2's capture), with its largest Q type.
var l40sTypes = []pcidev.VGPUType{
	{ID: 1145, Name: "NVIDIA L40S-1B"}, {ID: 1146, Name: "NVIDIA L40S-2B"}, {ID: 1147, Name: "NVIDIA L40S-1Q"},
	{ID: 1148, Name: "NVIDIA L40S-2Q"}, {ID: 1156, Name: "NVIDIA L40S-48Q"}, {ID: 1157, Name: "NVIDIA L40S-1A"},
}

// l40sVendorHost has an L40S under NVIDIA's vendor framework, its 32 VFs
// enabled; the first typed VFs have the type 1148 and list only it, as the
// driver does once a card has vGPUs.
func l40sVendorHost(typed int) *hostinfo.Host {
	h := baseHost("l40s-01")
	pf := "0000:3d:00.0"
	vfs := vfAddresses("3d", 32)
	h.Devices = append(h.Devices, pcidev.Device{Address: pf, VendorID: "10de", DeviceID: "26b9", Class: "030200", Model: "AD102GL [L40S]", Driver: "nvidia",
		IOMMUGroup: ptr(30), SRIOV: &pcidev.SRIOV{TotalVFs: 32, NumVFs: 32, VFs: vfs}})
	for j, vf := range vfs {
		g := &pcidev.VendorVGPU{Creatable: l40sTypes, CreatableKnown: true, CurrentKnown: true}
		if typed > 0 {
			g.Creatable = []pcidev.VGPUType{{ID: 1148, Name: "NVIDIA L40S-2Q"}}
			if j < typed {
				g.Current = 1148
			}
		}
		h.Devices = append(h.Devices, pcidev.Device{Address: vf, VendorID: "10de", DeviceID: "26b9", Class: "030200", Driver: "nvidia", PhysFn: pf, IOMMUGroup: ptr(200 + j), VGPU: g})
	}
	return h
}

func buildErr(t *testing.T, h *hostinfo.Host, rel string, opts Options) error {
	t.Helper()
	opts.Release = release(t, rel)
	_, err := Build(h, opts)
	if err == nil {
		t.Fatalf("Build(%+v) succeeded", opts)
	}
	return err
}

func buildAt(t *testing.T, h *hostinfo.Host, rel string, opts Options) *Plan {
	t.Helper()
	opts.Release = release(t, rel)
	p := build(t, h, opts)
	for _, artifact := range Artifacts { // pcispec and the word checks accept it
		if _, err := Write(p, artifact); err != nil {
			t.Fatalf("%s: %v", artifact, err)
		}
	}
	return p
}

func wantIn(t *testing.T, what, text string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func problems(p *Plan) string {
	var out []string
	for _, pr := range p.Problems {
		out = append(out, pr.Text)
	}
	return strings.Join(out, "\n")
}

func TestResolveVGPUType(t *testing.T) {
	a40 := hostTypes(a40Host("41"), FrameworkMdev)
	for raw, want := range map[string]string{"nvidia-558": "nvidia-558", "NVIDIA A40-2Q": "nvidia-558", "a40-2q": "nvidia-558", " nvidia a40-48q ": "nvidia-566"} {
		got, err := resolveType(a40, raw)
		if err != nil || got.id != want {
			t.Errorf("resolveType(%q) = %v, %v; want %s", raw, got, err, want)
		}
	}
	_, err := resolveType(a40, "A40-3Q")
	wantIn(t, "unknown type", fmt.Sprint(err), "no type of this host", "nvidia-555 (NVIDIA A40-1Q)", "nvidia-566 (NVIDIA A40-48Q)")
	_, err = resolveType([]vgpuType{{"nvidia-11", "GRID M10-1Q"}, {"i915-GVTg_V5_4", "GRID M10-1Q"}}, "GRID M10-1Q")
	wantIn(t, "ambiguous name", fmt.Sprint(err), "names several types", "nvidia-11 (GRID M10-1Q)", "i915-GVTg_V5_4", "give the ID")
	l40s := hostTypes(l40sVendorHost(0), FrameworkVendor)
	for raw, want := range map[string]string{"1148": "1148", "NVIDIA L40S-2Q": "1148", "L40S-1A": "1157"} {
		if got, err := resolveType(l40s, raw); err != nil || got.id != want {
			t.Errorf("vendor resolveType(%q) = %v, %v; want %s", raw, got, err, want)
		}
	}
	// Through Build: the same error, exit 2 in the command.
	err = buildErr(t, l40sVendorHost(0), "2025.1", Options{VGPUType: "nvidia-558"})
	wantIn(t, "mdev ID on a vendor host", err.Error(), "1148 (NVIDIA L40S-2Q)")
	err = buildErr(t, host("ro", "GenuineIntel"), "2025.1", Options{VGPUType: "nvidia-558"})
	wantIn(t, "no vGPU host", err.Error(), "offers no vGPU type", "sriov-manage")
}

// SR-IOV mdev parents: before 2024.1 one type goes to every VF (no group
// is read), which the plan says; from 2024.1 device_addresses names the
// VFs the GPUs hold and max_instances caps the type on the host.
func TestVGPUMdevSRIOV(t *testing.T) {
	zed := buildAt(t, a40Host("41", "c1"), "zed", Options{VGPUType: "nvidia-558"})
	if got := zed.ComputeConf(); got != "[devices]\nenabled_mdev_types = nvidia-558\n" {
		t.Errorf("zed compute conf:\n%s", got)
	}
	wantIn(t, "zed problems", problems(zed), "Nova zed offers one vGPU on every virtual function", "64 virtual functions", "24 on 0000:41:00.0", "max_instances")
	if len(zed.VGPU.Units) != 1 || zed.VGPU.Units[0].Path != SriovUnitPath || len(zed.VGPU.Units[0].Enable) != 3 {
		t.Errorf("units %+v", zed.VGPU.Units)
	}
	wantIn(t, "unit", zed.VGPU.Units[0].Content, "ExecStart=/usr/lib/nvidia/sriov-manage -e %i", "Before=nova-compute.service", "WantedBy=multi-user.target")
	for _, rel := range []string{"2024.1", "2025.1"} {
		p := buildAt(t, a40Host("41", "c1"), rel, Options{VGPUType: "NVIDIA A40-2Q"})
		want := "[devices]\nenabled_mdev_types = nvidia-558\n\n[mdev_nvidia-558]\ndevice_addresses = " +
			strings.Join(append(vfAddresses("41", 24), vfAddresses("c1", 24)...), ",") + "\nmax_instances = 48\n"
		if got := p.ComputeConf(); got != want {
			t.Errorf("%s compute conf:\n%s\nwant\n%s", rel, got, want)
		}
		if problems(p) != "" || p.APIConf() != "" || len(p.Models) != 0 {
			t.Errorf("%s: problems %q, api %q, models %d", rel, problems(p), p.APIConf(), len(p.Models))
		}
		if f := p.Flavors(); len(f) != 1 || f[0].ExtraSpecs[0] != [2]string{"resources:VGPU", "1"} || f[0].Name != "vgpu.a40-2q.1" {
			t.Errorf("flavors %+v", f)
		}
		if k := p.Kernel(); len(k.Add)+len(k.Remove) != 0 {
			t.Errorf("%s: a vGPU plan changes the kernel command line: %+v", rel, k)
		}
	}
	p := buildAt(t, a40Host("41", "c1"), "2024.1", Options{VGPUType: "nvidia-558", VGPUCount: 8, VGPUClass: "CUSTOM_A40_2Q"})
	wantIn(t, "count and class", p.ComputeConf(), "max_instances = 16\n", "mdev_class = CUSTOM_A40_2Q\n", "0000:41:01.3,0000:c1:00.4")
	if strings.Contains(p.ComputeConf(), "0000:41:01.4") {
		t.Errorf("--vgpu-count 8 names a ninth VF:\n%s", p.ComputeConf())
	}
	if f := p.Flavors(); f[0].ExtraSpecs[0] != [2]string{"resources:CUSTOM_A40_2Q", "1"} {
		t.Errorf("flavor %+v", f)
	}
	one := buildAt(t, a40Host("41", "c1"), "2024.1", Options{VGPUType: "nvidia-558", GPUs: []pcidev.Selector{mustSelector(t, "0000:41:00.0")}})
	wantIn(t, "--gpu", one.ComputeConf(), "max_instances = 24\n", "0000:41:03.3\n")
	if strings.Contains(one.ComputeConf(), "0000:c1") || len(one.VGPU.Units[0].Enable) != 2 {
		t.Errorf("--gpu 0000:41:00.0 gives the other GPU:\n%s", one.ComputeConf())
	}
	for _, c := range []struct {
		rel  string
		opts Options
		want string
	}{
		{"2024.1", Options{VGPUType: "nvidia-558", VGPUCount: 25}, "gives at most 24 vGPUs of nvidia-558 (NVIDIA A40-2Q) (max_instance=24"},
		{"zed", Options{VGPUType: "nvidia-558", VGPUClass: "CUSTOM_X"}, "2024.1 and later read it"},
		{"zed", Options{VGPUType: "nvidia-558", VGPUCount: 4}, "no max_instances to cap it"},
		{"2024.1", Options{VGPUType: "nvidia-558", VGPUClass: "custom_x"}, "VGPU or CUSTOM_"},
		{"2024.1", Options{VGPUType: "nvidia-558", NUMAPolicy: "required"}, "always in Placement"},
		{"2024.1", Options{VGPUCount: 4}, "need --vgpu-type (this host offers nvidia-555"},
		{"2024.1", Options{VGPUType: "nvidia-558", PreZed: true}, "Zed and later"},
	} {
		err := buildErr(t, a40Host("41", "c1"), c.rel, c.opts)
		wantIn(t, fmt.Sprintf("%s %+v", c.rel, c.opts), err.Error(), c.want)
	}
}

func mustSelector(t *testing.T, s string) pcidev.Selector {
	t.Helper()
	sel, err := pcidev.ParseSelector(s)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

// A GPU that is itself the mdev parent: Nova offers all it allows, and
// restricting parents needs 2024.1's group.
func TestVGPUMdevPF(t *testing.T) {
	zed := buildAt(t, v100Host(), "zed", Options{VGPUType: "GRID V100-1Q"})
	if got := zed.ComputeConf(); got != "[devices]\nenabled_mdev_types = nvidia-105\n" || len(zed.VGPU.Units) != 0 || problems(zed) != "" {
		t.Errorf("zed: %q, units %v, problems %q", got, zed.VGPU.Units, problems(zed))
	}
	if g := zed.VGPU.GPUs; len(g) != 2 || g[0].Count != 16 || g[1].Count != 16 {
		t.Errorf("GPUs %+v", g)
	}
	sel := []pcidev.Selector{mustSelector(t, "0000:d8:00.0")}
	err := buildErr(t, v100Host(), "zed", Options{VGPUType: "nvidia-105", GPUs: sel})
	wantIn(t, "zed --gpu", err.Error(), "--gpu: Nova zed reads the [mdev_nvidia-105] group only when several types are enabled")
	p := buildAt(t, v100Host(), "2024.1", Options{VGPUType: "nvidia-105", GPUs: sel})
	if got := p.ComputeConf(); got != "[devices]\nenabled_mdev_types = nvidia-105\n\n[mdev_nvidia-105]\ndevice_addresses = 0000:d8:00.0\n" {
		t.Errorf("2024.1 --gpu:\n%s", got)
	}
	err = buildErr(t, v100Host(), "2024.1", Options{VGPUType: "nvidia-105", VGPUCount: 8})
	wantIn(t, "count on a PF parent", err.Error(), "is itself the mdev parent", "no per-GPU limit")
	// The first V100 holds an mdev of nvidia-105: no other type fits.
	err = buildErr(t, v100Host(), "2024.1", Options{VGPUType: "nvidia-106"})
	wantIn(t, "type blocked", err.Error(), "0000:3b:00.0", "cannot take a vGPU of it now")
}

// NVIDIA's vendor framework: Nova 2025.1's PCI passthrough of the VFs.
func TestVGPUVendor(t *testing.T) {
	p := buildAt(t, l40sVendorHost(0), "2025.1", Options{VGPUType: "1148"})
	conf := p.ComputeConf()
	if n := strings.Count(conf, `"managed": "no"}`); n != 24 {
		t.Errorf("%d device_spec lines with managed no, want 24 (48 GB / 2 GB):\n%s", n, conf)
	}
	wantIn(t, "vendor conf", conf, `device_spec = {"vendor_id": "10de", "product_id": "26b9", "address": "0000:3d:00.4", "managed": "no"}`,
		`alias = {"name": "l40s-2q", "vendor_id": "10de", "product_id": "26b9", "device_type": "type-VF"}`)
	wantIn(t, "vendor api", p.APIConf(), `"device_type": "type-VF"`, "PciPassthroughFilter")
	if strings.Contains(conf, "0000:3d:03.4") || strings.Contains(conf, "enabled_mdev_types") {
		t.Errorf("conf:\n%s", conf)
	}
	if f := p.Flavors(); len(f) != 1 || f[0].ExtraSpecs[0] != [2]string{"pci_passthrough:alias", "l40s-2q:1"} {
		t.Errorf("flavors %+v", f)
	}
	u := p.VGPU.Units[0]
	wantIn(t, "unit", u.Content, "After=nvidia-vgpu-mgr.service", "Before=nova-compute.service", "Type=oneshot", "WantedBy=multi-user.target", "/usr/lib/nvidia/sriov-manage -e 0000:3d:00.0", "t=1148;")
	if p.Options.Release.Name != "2025.1" || p.MaxInstances() != 0 {
		t.Error("max_instances on a vendor plan")
	}
	// L40S-1A takes 1 GB: 48 fit, one per VF: 32.
	if p := buildAt(t, l40sVendorHost(0), "2025.1", Options{VGPUType: "L40S-1A"}); p.VGPU.GPUs[0].Count != 32 {
		t.Errorf("1A count %d, want 32", p.VGPU.GPUs[0].Count)
	}
	// --placement: a resource class of the type.
	pl := buildAt(t, l40sVendorHost(0), "2025.1", Options{VGPUType: "1148", Placement: true, NUMAPolicy: "preferred"})
	wantIn(t, "placement", pl.ComputeConf(), `"managed": "no", "resource_class": "CUSTOM_NVIDIA_L40S_2Q"}`, `"numa_policy": "preferred", "resource_class": "CUSTOM_NVIDIA_L40S_2Q"}`, "report_in_placement = True")
	// A card with vGPUs lists only its type: the plan keeps the VFs that
	// hold it, and --vgpu-count asks for more.
	typed := buildAt(t, l40sVendorHost(8), "2025.1", Options{})
	if typed.VGPU == nil || typed.VGPU.Type != "1148" || typed.VGPU.GPUs[0].Count != 8 || !slices.Equal(typed.VGPU.GPUs[0].Parents, vfAddresses("3d", 8)) {
		t.Fatalf("typed card: %+v", typed.VGPU)
	}
	if more := buildAt(t, l40sVendorHost(8), "2025.1", Options{VGPUCount: 12, VGPUType: "1148"}); more.VGPU.GPUs[0].Count != 12 {
		t.Errorf("--vgpu-count 12 on a typed card: %+v", more.VGPU.GPUs[0])
	}
	for _, c := range []struct {
		h    *hostinfo.Host
		rel  string
		opts Options
		want string
	}{
		{l40sVendorHost(0), "2024.1", Options{VGPUType: "1148"}, "from 2025.1; this is Nova 2024.1"},
		{l40sVendorHost(0), "2025.1", Options{VGPUType: "1148", VGPUCount: 30}, "gives at most 24 vGPUs"},
		{l40sVendorHost(0), "2025.1", Options{VGPUType: "1148", VGPUClass: "CUSTOM_X"}, "--placement gives them a resource class"},
		{l40sVendorHost(0), "2025.1", Options{VGPUType: "1148", AliasNames: map[string]string{"10de:26b9": "a:b"}}, "cannot hold ':'"},
	} {
		err := buildErr(t, c.h, c.rel, c.opts)
		wantIn(t, fmt.Sprintf("%s %+v", c.rel, c.opts), err.Error(), c.want)
	}
	// A type the plan chose itself (the VFs' current one) on a release
	// that cannot pass them: a problem, and the GPUs stay as they are.
	old := buildAt(t, l40sVendorHost(8), "2024.1", Options{})
	if old.VGPU != nil || len(old.Models) != 0 || old.ComputeConf() != "" {
		t.Errorf("2024.1 on a vendor host: %+v, models %d, conf %q", old.VGPU, len(old.Models), old.ComputeConf())
	}
	wantIn(t, "2024.1 problem", problems(old), "configured for the vGPU type 1148 (NVIDIA L40S-2Q)", "from 2025.1")
}

// A vGPU host without a type chosen or configured: its GPUs are not taken
// from the vGPU manager, and the plan names the choices.
func TestVGPUNoType(t *testing.T) {
	p := buildAt(t, a40Host("41"), "2024.1", Options{})
	if p.VGPU != nil || len(p.Models) != 0 || p.ModprobeConf() != "" {
		t.Errorf("vGPU host without a type: vgpu %+v, models %d, modprobe %q", p.VGPU, len(p.Models), p.ModprobeConf())
	}
	wantIn(t, "problem", problems(p), "choose one with --vgpu-type", "nvidia-558 (NVIDIA A40-2Q)")
	// The type nova.conf enables is the one it keeps.
	c := conf(t, "[devices]\nenabled_mdev_types = nvidia-558\n")
	q := buildAt(t, a40Host("41"), "2024.1", Options{Conf: c})
	if q.VGPU == nil || q.VGPU.Type != "nvidia-558" {
		t.Fatalf("enabled type not kept: %+v", q.VGPU)
	}
	// --gpu without a type: whole-GPU passthrough, as asked.
	w := buildAt(t, a40Host("41"), "2024.1", Options{GPUs: []pcidev.Selector{mustSelector(t, "0000:41:00.0")}})
	if w.VGPU != nil || len(w.Models) != 1 {
		t.Errorf("--gpu on a vGPU host: %+v, %d models", w.VGPU, len(w.Models))
	}
}

// The plan replaces the mdev options the node has: the enabled types and
// the groups of the types the host offers or nova.conf enables.
func TestVGPUReplacesMdevLines(t *testing.T) {
	c := conf(t, "[devices]\nenabled_vgpu_types = nvidia-555, nvidia-999\n[mdev_nvidia-555]\ndevice_addresses = 0000:41:00.4\n[vgpu_nvidia-999]\nmdev_class = CUSTOM_Y\n[pci]\ndevice_spec = {\"vendor_id\": \"10de\"}\n")
	p := buildAt(t, a40Host("41"), "2024.1", Options{VGPUType: "nvidia-558", Conf: c})
	if diff := strings.Join(sources(p.Replaced()), " "); diff != "/etc/nova/nova.conf:2 /etc/nova/nova.conf:4 /etc/nova/nova.conf:6 /etc/nova/nova.conf:8" {
		t.Errorf("replaced %s", diff)
	}
}

func TestVGPUAnswers(t *testing.T) {
	c := conf(t, "[devices]\nenabled_mdev_types = nvidia-555, nvidia-558\n[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"managed\": \"yes\"}\n")
	withMsg := func(f report.Finding, msg string) report.Finding { f.Message = msg; return f }
	findings := []report.Finding{
		finding("GP601", "mdev-type", "nvidia-555", "/etc/nova/nova.conf:2"),
		finding("GP603", "option", "[devices]enabled_mdev_types", "/etc/nova/nova.conf:2"),
		withMsg(finding("GP604", "mdev-type", "nvidia-558", ""), "Nova 2024.1 counts every VF: no max_instances"),
		withMsg(finding("GP604", "device", "0000:41:00.4", ""), "available_instances is 0"),
		finding("GP605", "device", "0000:41:00.0", ""),
		finding("GP606", "host", "a40-01", ""),
		finding("GP608", "option", "[pci]device_spec", "/etc/nova/nova.conf:4"),
		finding("GP609", "alias", "x", ""),
	}
	p := buildAt(t, a40Host("41"), "2024.1", Options{VGPUType: "nvidia-558", Conf: c, Findings: findings})
	fixed := map[string]bool{}
	for _, a := range p.Answers {
		fixed[a.ID+" "+a.Subject.Ref] = a.Fixed
	}
	want := map[string]bool{"GP601 nvidia-555": true, "GP603 [devices]enabled_mdev_types": true, "GP604 nvidia-558": true, "GP604 0000:41:00.4": false,
		"GP605 0000:41:00.0": true, "GP606 a40-01": false, "GP608 [pci]device_spec": true, "GP609 x": false}
	if fmt.Sprint(fixed) != fmt.Sprint(want) {
		t.Errorf("answers %v, want %v", fixed, want)
	}
	for _, a := range p.Unfixed() {
		if !p.Names(a.Ref) {
			t.Errorf("%s %s neither fixed nor named", a.ID, a.Subject.Ref)
		}
	}
	// Without a vGPU plan none of them is fixed.
	q := buildAt(t, host("ro", "GenuineIntel"), "2024.1", Options{Findings: findings[:3]})
	if len(q.Fixed()) != 0 {
		t.Errorf("fixed without a vGPU plan: %+v", q.Fixed())
	}
	// The vendor framework's GP607, and the mdev lines it removes.
	v := buildAt(t, l40sVendorHost(0), "2025.1", Options{VGPUType: "1148", Conf: c, Findings: []report.Finding{
		finding("GP607", "device", "0000:3d:00.4", ""), finding("GP601", "mdev-type", "nvidia-555", "/etc/nova/nova.conf:2")}})
	if len(v.Fixed()) != 2 {
		t.Errorf("vendor answers %+v", v.Answers)
	}
}

// systemdUnquote reads one ExecStart= argument as systemd does
// (systemd.service(5) "Command lines": quotes, C escapes, $$; systemd.unit(5):
// %% for %): what the generated unit hands /bin/sh. A lone $ or % would be
// a substitution systemd makes: the test refuses it.
func systemdUnquote(t *testing.T, word string) string {
	t.Helper()
	if len(word) < 2 || word[0] != '"' || word[len(word)-1] != '"' {
		t.Fatalf("not a double-quoted word: %s", word)
	}
	in := word[1 : len(word)-1]
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '\\' && i+1 < len(in):
			i++
			switch in[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '"', '\'':
				b.WriteByte(in[i])
			default:
				t.Fatalf("escape \\%c in %s", in[i], word)
			}
		case c == '"':
			t.Fatalf("unescaped quote in %s", word)
		case (c == '$' || c == '%') && i+1 < len(in) && in[i+1] == c:
			b.WriteByte(c)
			i++
		case c == '$' || c == '%':
			t.Fatalf("systemd would substitute %c at %d of %s", c, i, word)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestSystemdWord(t *testing.T) {
	for _, s := range []string{"plain", `a "b" c`, `back\slash`, "$HOME $(id) ${x} $$", "100% %i %%", "it's", "line\nbreak\ttab"} {
		if got := systemdUnquote(t, systemdWord(s)); got != s {
			t.Errorf("systemdWord(%q) reads back as %q", s, got)
		}
	}
}

// execStarts are the /bin/sh scripts of a unit's ExecStart= lines, as
// systemd hands them to sh.
func execStarts(t *testing.T, unit string) []string {
	var out []string
	for _, line := range strings.Split(unit, "\n") {
		rest, ok := strings.CutPrefix(line, "ExecStart=/bin/sh -c ")
		if ok {
			out = append(out, systemdUnquote(t, rest))
		}
	}
	return out
}

// The vendor unit's scripts, run by sh on a fake sysfs: the VFs get the
// type, a VF that has it is left alone, one with another type is named and
// left alone (the script fails), VFs past the count are not touched, and
// sriov-manage runs only while the VFs are off.
func TestVendorUnitScripts(t *testing.T) {
	p := buildAt(t, l40sVendorHost(0), "2025.1", Options{VGPUType: "1148", VGPUCount: 3})
	scripts := execStarts(t, p.VGPU.Units[0].Content)
	if len(scripts) != 2 {
		t.Fatalf("%d scripts", len(scripts))
	}
	root := t.TempDir()
	sys := filepath.Join(root, "sys") + "/"
	marker := filepath.Join(root, "sriov-manage-ran")
	fake := filepath.Join(root, "sriov-manage")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$@\" >> "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(rel, text string) {
		path := filepath.Join(sys, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(rel string) string {
		data, err := os.ReadFile(filepath.Join(sys, rel))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(data))
	}
	vfs := vfAddresses("3d", 4)
	write("0000:3d:00.0/sriov_numvfs", "0\n")
	write(vfs[0]+"/nvidia/current_vgpu_type", "1148\n")
	write(vfs[1]+"/nvidia/current_vgpu_type", "1157\n")
	write(vfs[2]+"/nvidia/current_vgpu_type", "0\n")
	write(vfs[3]+"/nvidia/current_vgpu_type", "0\n")
	run := func(script string) (int, string) {
		script = strings.ReplaceAll(script, sysfsDevices, sys)
		script = strings.ReplaceAll(script, "/usr/lib/nvidia/sriov-manage", fake)
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := run(scripts[0]); code != 0 {
		t.Fatalf("enable: exit %d: %s", code, out)
	}
	if data, _ := os.ReadFile(marker); string(data) != "-e 0000:3d:00.0\n" {
		t.Errorf("sriov-manage ran with %q", data)
	}
	code, out := run(scripts[1])
	if code != 1 || !strings.Contains(out, vfs[1]+" has the vGPU type 1157, not 1148: left as it is") {
		t.Errorf("types: exit %d: %s", code, out)
	}
	if got := []string{read(vfs[0] + "/nvidia/current_vgpu_type"), read(vfs[1] + "/nvidia/current_vgpu_type"), read(vfs[2] + "/nvidia/current_vgpu_type"), read(vfs[3] + "/nvidia/current_vgpu_type")}; !slices.Equal(got, []string{"1148", "1157", "1148", "0"}) {
		t.Errorf("current types %v, want 1148 1157 1148 0", got)
	}
	// Again, with the VFs on and the other type gone: nothing to enable,
	// and the script succeeds.
	write("0000:3d:00.0/sriov_numvfs", "32\n")
	write(vfs[1]+"/nvidia/current_vgpu_type", "0\n")
	if code, out := run(scripts[0]); code != 0 {
		t.Fatalf("enable again: exit %d: %s", code, out)
	}
	if data, _ := os.ReadFile(marker); string(data) != "-e 0000:3d:00.0\n" {
		t.Errorf("sriov-manage ran again on enabled VFs: %q", data)
	}
	if code, out := run(scripts[1]); code != 0 || read(vfs[1]+"/nvidia/current_vgpu_type") != "1148" {
		t.Errorf("types again: exit %d: %s", code, out)
	}
}

// A vGPU host needs the VFIO modules its devices use, not vfio-pci's:
// the plan loaded vfio_pci on hosts where nothing is bound to it.
func TestVGPUModules(t *testing.T) {
	without := func(h *hostinfo.Host, drop ...string) *hostinfo.Host {
		var keep []hostinfo.Module
		for _, m := range h.Modules {
			if !slices.Contains(drop, m.Name) {
				keep = append(keep, m)
			}
		}
		h.Modules = keep
		return h
	}
	// The vendor framework: vfio_pci_core is what nvidia.ko registers the
	// VFs through; vfio_pci missing is no fault.
	p := buildAt(t, without(l40sVendorHost(4), "vfio_pci", "mdev", "nvidia_vgpu_vfio"), "2025.1", Options{VGPUType: "1148"})
	if got := p.ModulesLoad(); got != "" {
		t.Errorf("vendor framework without vfio_pci: modules-load.d %q", got)
	}
	// mdev vGPUs: the mdev core, not vfio_pci.
	p = buildAt(t, without(v100Host(), "vfio_pci", "mdev"), "2024.1", Options{VGPUType: "nvidia-105"})
	if got := p.ModulesLoad(); got != "vfio\nvfio_iommu_type1\nmdev\n" {
		t.Errorf("mdev host without mdev: modules-load.d %q", got)
	}
}
