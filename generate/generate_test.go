package generate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

func ptr[T any](v T) *T { return &v }

// host has two cards of one model (each a GPU and its audio function) on
// two NUMA nodes, an ASPEED BMC display, and the given kernel command line
// and CPU vendor.
func host(cmdline, vendor string) *hostinfo.Host {
	gpu := func(addr string, node, group int) []pcidev.Device {
		slot := strings.TrimSuffix(addr, ".0")
		return []pcidev.Device{
			{Address: addr, VendorID: "10de", DeviceID: "2330", Class: "030200", Model: "GH100 [H100 SXM5 80GB]", Driver: "nvidia",
				NUMANode: ptr(node), IOMMUGroup: ptr(group), BARs: []pcidev.BAR{{Index: 1, Size: 128 << 30, Is64Bit: true}}, ResetMethod: []string{"flr"}},
			{Address: slot + ".1", VendorID: "10de", DeviceID: "22a3", Class: "040300", Driver: "snd_hda_intel", NUMANode: ptr(node), IOMMUGroup: ptr(group)},
		}
	}
	h := &hostinfo.Host{Hostname: "gpu01", CPU: hostinfo.CPU{Vendor: vendor, LogicalCPUs: 64}, MemoryMB: 512 * 1024, NUMANodes: 2,
		Kernel: hostinfo.Kernel{Cmdline: cmdline}, ACPI: hostinfo.ACPI{Readable: true, Tables: []string{"DMAR", "IVRS"}},
		IOMMU: hostinfo.IOMMU{Groups: 3}, VFIO: hostinfo.VFIO{Container: true}}
	for _, m := range []string{"nvidia", "snd_hda_intel", "vfio", "vfio_pci", "vfio_iommu_type1"} {
		h.Modules = append(h.Modules, hostinfo.Module{Name: m, State: hostinfo.ModuleLoaded})
	}
	h.Devices = append(h.Devices, pcidev.Device{Address: "0000:02:00.0", VendorID: "1a03", DeviceID: "2000", Class: "030000", Driver: "ast", BootVGA: ptr(true), IOMMUGroup: ptr(1)})
	h.Devices = append(h.Devices, gpu("0000:41:00.0", 0, 10)...)
	h.Devices = append(h.Devices, gpu("0000:c1:00.0", 1, 20)...)
	return h
}

func build(t *testing.T, h *hostinfo.Host, opts Options) *Plan {
	t.Helper()
	if opts.Release.Name == "" {
		opts.Release, _ = novarelease.Parse("2024.1")
	}
	p, err := Build(h, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAliasName(t *testing.T) {
	for model, want := range map[string]string{
		"GH100[H100 SXM5 80GB]":              "h100-sxm5-80gb",
		"TU102 [GeForce RTX 2080 Ti Rev. A]": "geforce-rtx-2080-ti-rev-a",
		"AlderLake-S GT1":                    "alderlake-s-gt1",
		"":                                   "gpu-10de-2330",
		"[]":                                 "gpu-10de-2330",
		"X [" + strings.Repeat("Very Long Name ", 6) + "]": "very-long-name-very-long-name-very-long",
	} {
		if got := aliasName(&Model{VendorID: "10de", DeviceID: "2330", Name: model}); got != want {
			t.Errorf("aliasName(%q) = %q, want %q", model, got, want)
		}
	}
}

func TestBuildSelection(t *testing.T) {
	p := build(t, host("ro intel_iommu=off", "GenuineIntel"), Options{})
	if len(p.Models) != 1 || len(p.Models[0].Devices) != 2 || p.Models[0].Alias != "h100-sxm5-80gb" || p.Models[0].ByAddress || !p.Models[0].LargeBAR {
		t.Fatalf("models %+v", p.Models)
	}
	var companions []string
	for _, c := range p.Companions {
		companions = append(companions, c.Address)
	}
	if diff := cmp.Diff([]string{"0000:41:00.1", "0000:c1:00.1"}, companions); diff != "" {
		t.Errorf("companions (-want +got):\n%s", diff)
	}
	if len(p.Left) != 1 || p.Left[0].Device.Address != "0000:02:00.0" || !strings.Contains(p.Left[0].Why, "BMC") {
		t.Errorf("left %+v", p.Left)
	}
	ids, byAddr := p.IDBinding()
	if diff := cmp.Diff([]string{"10de:22a3", "10de:2330"}, ids); diff != "" || byAddr != nil {
		t.Errorf("ids (-want +got):\n%s; by address %v", diff, byAddr)
	}

	// One of the two cards selected: the model is bound and offered by
	// address, its audio function too.
	sel, _ := pcidev.ParseSelector("0000:41:00.0")
	p = build(t, host("ro", "GenuineIntel"), Options{GPUs: []pcidev.Selector{sel}})
	if !p.Models[0].ByAddress || len(p.Models[0].Devices) != 1 {
		t.Fatalf("models %+v", p.Models[0])
	}
	ids, byAddr = p.IDBinding()
	if len(ids) != 0 || len(byAddr) != 2 || byAddr[0].Address != "0000:41:00.0" || byAddr[1].Address != "0000:41:00.1" {
		t.Errorf("ids %v, by address %v", ids, byAddr)
	}
	if got := p.deviceSpecs(); len(got) != 1 || !strings.Contains(got[0], `"address": "0000:41:00.0"`) {
		t.Errorf("device_spec %v", got)
	}
	if strings.Contains(p.ModprobeConf(), "options vfio-pci") {
		t.Errorf("a partly selected model claimed by ID:\n%s", p.ModprobeConf())
	}
}

// A GPU sharing its IOMMU group with another card's function is left out,
// and the plan says configuration cannot fix it.
func TestBuildSharedGroup(t *testing.T) {
	h := host("ro", "GenuineIntel")
	h.Devices = append(h.Devices, pcidev.Device{Address: "0000:42:00.0", VendorID: "144d", DeviceID: "a808", Class: "010802", Driver: "nvme", IOMMUGroup: ptr(10)})
	p := build(t, h, Options{})
	if len(p.Models) != 1 || len(p.Models[0].Devices) != 1 || p.Models[0].Devices[0].Address != "0000:c1:00.0" {
		t.Fatalf("models %+v", p.Models)
	}
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Text, "0000:42:00.0") || !strings.Contains(p.Problems[0].Text, "GP203") {
		t.Errorf("problems %v", p.Problems)
	}
	// Its sibling of the same model stays: the other is bound by address.
	if !p.Models[0].ByAddress {
		t.Error("model not bound by address although a device of it stays with the host")
	}
}

func TestKernel(t *testing.T) {
	for _, tt := range []struct {
		cmdline, vendor string
		system          hostinfo.System
		add, remove     []string
	}{
		{"ro quiet intel_iommu=off", "GenuineIntel", hostinfo.System{ID: "ubuntu"},
			[]string{"intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:22a3,10de:2330"}, []string{"intel_iommu=off"}},
		{"ro amd_iommu=off", "AuthenticAMD", hostinfo.System{ID: "rocky", IDLike: "rhel centos fedora"},
			[]string{"iommu=pt", "vfio-pci.ids=10de:22a3,10de:2330", "rd.driver.pre=vfio-pci"}, []string{"amd_iommu=off"}},
		// Already right, with dashes and underscores mixed and the IDs in
		// another order: nothing to do.
		{"ro intel-iommu=on iommu=pt vfio_pci.ids=10de:2330,10de:22a3", "GenuineIntel", hostinfo.System{}, nil, nil},
		// A second vfio-pci.ids and pci-stub.ids go; one complete list stays.
		{"ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2330 vfio-pci.ids=8086:1234 pci-stub.ids=10de:22a3", "GenuineIntel", hostinfo.System{},
			[]string{"vfio-pci.ids=10de:22a3,10de:2330,8086:1234"}, []string{"pci-stub.ids=10de:22a3", "vfio-pci.ids=10de:2330", "vfio-pci.ids=8086:1234"}},
	} {
		p := build(t, host(tt.cmdline, tt.vendor), Options{System: tt.system})
		k := p.Kernel()
		if diff := cmp.Diff(tt.add, k.Add); diff != "" {
			t.Errorf("%q add (-want +got):\n%s", tt.cmdline, diff)
		}
		if diff := cmp.Diff(tt.remove, k.Remove); diff != "" {
			t.Errorf("%q remove (-want +got):\n%s", tt.cmdline, diff)
		}
		for _, a := range k.Add {
			if !strings.Contains(" "+p.NewCmdline()+" ", " "+a+" ") {
				t.Errorf("%q: new cmdline %q lacks %s", tt.cmdline, p.NewCmdline(), a)
			}
		}
		for _, r := range k.Remove {
			if strings.Contains(" "+p.NewCmdline()+" ", " "+r+" ") {
				t.Errorf("%q: new cmdline %q keeps %s", tt.cmdline, p.NewCmdline(), r)
			}
		}
	}
}

func TestBootAndInitramfsCommands(t *testing.T) {
	for _, tt := range []struct {
		system     hostinfo.System
		boot, init string
	}{
		{hostinfo.System{ID: "ubuntu", IDLike: "debian"}, "update-grub", "update-initramfs -u -k all"},
		{hostinfo.System{ID: "rocky", IDLike: "rhel centos fedora"}, "grubby --update-kernel=ALL", "dracut -f --regenerate-all"},
		{hostinfo.System{ID: "opensuse-leap", IDLike: "suse opensuse"}, "grub2-mkconfig -o /boot/grub2/grub.cfg", "dracut -f --regenerate-all"},
		{hostinfo.System{ID: "pop", IDLike: "ubuntu debian"}, "kernelstub -a iommu=pt", "update-initramfs -u -k all"},
		{hostinfo.System{ID: "arch"}, "grubby", "mkinitcpio -P"},
		{hostinfo.System{}, "The boot set-up is unknown", "# one of: update-initramfs"},
	} {
		p := build(t, host("ro", "GenuineIntel"), Options{System: tt.system})
		out, err := Write(p, "all")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, tt.boot) || !strings.Contains(out, tt.init) {
			t.Errorf("%+v: want %q and %q in:\n%s", tt.system, tt.boot, tt.init, out)
		}
	}
}

func TestFlavors(t *testing.T) {
	p := build(t, host("ro", "GenuineIntel"), Options{})
	var got []string
	for _, f := range p.Flavors() {
		got = append(got, f.Name)
		specs := map[string]string{}
		for _, kv := range f.ExtraSpecs {
			specs[kv[0]] = kv[1]
		}
		// 32 CPUs and 256 GiB per node, one GPU per node: 90% of a node
		// (28 CPUs, 235,929 MB rounded down to whole GiB).
		switch f.Name {
		case "gpu.h100-sxm5-80gb.1":
			if f.VCPUs != 28 || f.RAMMB != 235520 || specs["hw:numa_nodes"] != "1" || specs["hw:pci_numa_affinity_policy"] != "required" {
				t.Errorf("%+v", f)
			}
		case "gpu.h100-sxm5-80gb.2":
			if f.VCPUs != 56 || specs["hw:numa_nodes"] != "2" || specs["pci_passthrough:alias"] != "h100-sxm5-80gb:2" {
				t.Errorf("%+v", f)
			}
		}
	}
	if diff := cmp.Diff([]string{"gpu.h100-sxm5-80gb.1", "gpu.h100-sxm5-80gb.2"}, got); diff != "" {
		t.Errorf("flavors (-want +got):\n%s", diff)
	}
	out, _ := Write(p, "flavor")
	if !strings.Contains(out, "hw_machine_type=q35 --property hw_firmware_type=uefi") {
		t.Errorf("large-BAR GPUs without the image properties:\n%s", out)
	}

	// GPUs whose NUMA node is unknown: the preferred policy, no guest NUMA.
	h := host("ro", "GenuineIntel")
	for i := range h.Devices {
		h.Devices[i].NUMANode = ptr(-1)
	}
	for _, f := range build(t, h, Options{}).Flavors() {
		if len(f.ExtraSpecs) != 2 || f.ExtraSpecs[1] != [2]string{"hw:pci_numa_affinity_policy", "preferred"} {
			t.Errorf("%s: %v", f.Name, f.ExtraSpecs)
		}
	}
}

func sel(s string) pcidev.Selector {
	out, err := pcidev.ParseSelector(s)
	if err != nil {
		panic(err)
	}
	return out
}

func TestOptionsErrors(t *testing.T) {
	h := host("ro", "GenuineIntel")
	zed, _ := novarelease.Parse("zed")
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{NUMAPolicy: "strict"}, "--numa-policy strict"},
		{Options{NUMAPolicy: "socket", Release: zed}, "socket"},
		{Options{AliasNames: map[string]string{"10de:2330": "a:b"}}, "cannot hold ':'"},
		{Options{AliasNames: map[string]string{"10de:ffff": "x"}}, "--alias-name 10de:ffff=x: no PCI function on gpu01 has the ID 10de:ffff"},
		{Options{AliasNames: map[string]string{"1a03:2000": "x"}}, "--alias-name 1a03:2000=x: 1a03:2000 is not a GPU selected"},
		{Options{GPUs: []pcidev.Selector{sel("10de:ffff")}}, "--gpu 10de:ffff matches no PCI function on gpu01"},
		{Options{GPUs: []pcidev.Selector{sel("0000:41:00.0"), sel("0000:42:00.0")}}, "--gpu 0000:42:00.0 matches no PCI function"},
	} {
		if tt.opts.Release.Name == "" {
			tt.opts.Release, _ = novarelease.Parse("2024.1")
		}
		if _, err := Build(h, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.opts, err, tt.want)
		}
	}
}

// A GPU a display server holds open stays with the host unless --gpu names it.
func TestBuildDisplayServer(t *testing.T) {
	h := host("ro", "GenuineIntel")
	h.Devices[1].DisplayClients = []string{"Xorg"} // 0000:41:00.0
	p := build(t, h, Options{})
	if len(p.Models) != 1 || len(p.Models[0].Devices) != 1 || p.Models[0].Devices[0].Address != "0000:c1:00.0" || !p.Models[0].ByAddress {
		t.Fatalf("models %+v", p.Models)
	}
	left := map[string]string{}
	for _, l := range p.Left {
		left[l.Device.Address] = l.Why
	}
	if !strings.Contains(left["0000:41:00.0"], "Xorg") {
		t.Errorf("left %v", left)
	}
	sel, _ := pcidev.ParseSelector("10de:2330")
	p = build(t, h, Options{GPUs: []pcidev.Selector{sel}})
	if len(p.Models[0].Devices) != 2 || len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Text, "in use by Xorg") {
		t.Errorf("with --gpu: models %+v, problems %v", p.Models, p.Problems)
	}
}

// Facts from a report that would reach a file or a command as something
// else than they say are refused, not written.
func TestValidateWords(t *testing.T) {
	for _, tt := range []struct {
		change func(*hostinfo.Host, *Options)
		want   string
	}{
		{func(h *hostinfo.Host, _ *Options) { h.Devices[2].DeviceID = "22A3\"" }, "are not four lower-case hex digits"},
		{func(h *hostinfo.Host, _ *Options) { h.Devices[2].Address = "0000:41:00.1\n" }, "is not a PCI address"},
		{func(h *hostinfo.Host, _ *Options) {
			h.Devices[2].Driver, h.Devices[2].DriverModule = "snd\nblacklist vfio_pci", ""
		}, "is not a module name"},
		{func(h *hostinfo.Host, o *Options) { o.ExposedFiles = []string{"/etc/nova/nova.conf\x1b[2J"} }, "control characters"},
		{func(h *hostinfo.Host, o *Options) { o.ExposedFiles = []string{"nova.conf"} }, "not an absolute path"},
	} {
		h := host("ro", "GenuineIntel")
		var opts Options
		tt.change(h, &opts)
		p := build(t, h, opts)
		if _, err := Write(p, "all"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v, want %q", err, tt.want)
		}
	}
}

// A plan made without reading all of nova.conf says it cannot know the
// lines it replaces; a kernel without module support gets no
// modules-load.d file, whatever modules it lists.
func TestPlanSaysWhatItCouldNotKnow(t *testing.T) {
	p := build(t, host("intel_iommu=on iommu=pt", "GenuineIntel"), Options{ConfUnread: []string{"/etc/nova: permission denied"}})
	found := false
	for _, pr := range p.Problems {
		found = found || strings.Contains(pr.Text, "nova.conf could not all be read as this user (/etc/nova: permission denied)")
	}
	if !found {
		t.Errorf("problems %+v", p.Problems)
	}
	h := host("intel_iommu=on iommu=pt", "GenuineIntel")
	h.Kernel.NoModuleSupport = true
	h.Modules = []hostinfo.Module{{Name: "nvidia", State: hostinfo.ModuleLoaded}} // vfio missing
	p = build(t, h, Options{})
	if p.ModulesLoad() != "" {
		t.Errorf("a modules-load.d file for a kernel without modules:\n%s", p.ModulesLoad())
	}
}

// gh200 is an aarch64 Grace Hopper host: its GPU's VFIO driver is the
// variant driver nvgrace_gpu_vfio_pci, on the given driver now, with a
// persistent driverctl override naming override ("" for none).
func gh200(driver, override string) *hostinfo.Host {
	h := &hostinfo.Host{Hostname: "gh01", CPU: hostinfo.CPU{Arch: hostinfo.ArchARM64, LogicalCPUs: 72}, MemoryMB: 480 * 1024, NUMANodes: 1,
		Kernel: hostinfo.Kernel{Cmdline: "BOOT_IMAGE=/boot/vmlinuz ro"}, IOMMU: hostinfo.IOMMU{Groups: 2}, VFIO: hostinfo.VFIO{Container: true}}
	for _, m := range []string{"vfio", "vfio_pci_core", "vfio_iommu_type1", "nvgrace_gpu_vfio_pci"} {
		h.Modules = append(h.Modules, hostinfo.Module{Name: m, State: hostinfo.ModuleLoaded})
	}
	h.Devices = append(h.Devices, pcidev.Device{Address: "0009:01:00.0", VendorID: "10de", DeviceID: "2342", Class: "030200", Model: "GH100 [GH200 120GB]",
		Driver: driver, NUMANode: ptr(0), IOMMUGroup: ptr(5), ResetMethod: []string{"flr"}})
	if override != "" {
		h.Driverctl = []hostinfo.DriverOverride{{Address: "0009:01:00.0", Driver: override, File: "/etc/driverctl.d/pci-0009:01:00.0"}}
	}
	return h
}

// TestVariantDriverPlan: a GPU whose VFIO driver is a vfio-pci variant
// driver goes to it through driverctl (never vfio-pci.ids, never
// vfio-pci), keeps it when it is there, gets "managed": "no" (2025.1 and
// later; a problem before), and an aarch64 host gets no x86 parameter.
func TestVariantDriverPlan(t *testing.T) {
	r2025, _ := novarelease.Parse("2025.1")
	r2024, _ := novarelease.Parse("2024.2")
	const addr = "0009:01:00.0"
	for _, tt := range []struct {
		name             string
		driver, override string
		release          novarelease.Release
		wantOverride     bool
		wantManaged      bool
	}{
		{"on nvidia", "nvidia", "", r2025, true, true},
		{"unbound", "", "", r2025, true, true},
		{"bound, not persistent", "nvgrace_gpu_vfio_pci", "", r2025, true, true},
		{"bound and persistent", "nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci", r2025, false, true},
		{"old nova", "nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci", r2024, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := build(t, gh200(tt.driver, tt.override), Options{Release: tt.release})
			if len(p.Models) != 1 || len(p.Models[0].Devices) != 1 {
				t.Fatalf("models %+v: want the GH200", p.Models)
			}
			k := p.Kernel()
			for _, a := range k.Add {
				if strings.HasPrefix(a, "iommu=") || strings.HasPrefix(a, "intel_iommu") || strings.HasPrefix(a, "amd_iommu") || strings.HasPrefix(a, "vfio-pci.ids") || strings.HasPrefix(a, "rd.driver.pre") {
					t.Errorf("kernel command line adds %s on an aarch64 host whose GPU goes to a variant driver", a)
				}
			}
			if conf := p.ModprobeConf(); conf != "" {
				t.Errorf("modprobe.d file %q: want none (the variant driver binds through driverctl)", conf)
			}
			if load := p.ModulesLoad(); strings.Contains(load, "vfio_pci\n") {
				t.Errorf("modules-load.d %q loads vfio_pci, which nothing needs", load)
			}
			var got []string
			for _, o := range p.Overrides() {
				got = append(got, o.Command().String())
			}
			var want []string
			if tt.wantOverride {
				want = []string{"driverctl set-override " + addr + " nvgrace_gpu_vfio_pci"}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("overrides (-want +got):\n%s", diff)
			}
			text, err := Write(p, "all")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(text, "vfio-pci.ids=") || strings.Contains(text, "options vfio-pci") || strings.Contains(text, addr+" vfio-pci") {
				t.Errorf("the plan binds the GPU to vfio-pci:\n%s", text)
			}
			if tt.wantOverride != strings.Contains(text, "driverctl set-override "+addr+" nvgrace_gpu_vfio_pci") {
				t.Errorf("override written %v, want %v:\n%s", !tt.wantOverride, tt.wantOverride, text)
			}
			specs := p.deviceSpecs()
			managed := len(specs) == 1 && strings.Contains(specs[0], `"managed": "no"`)
			if managed != tt.wantManaged {
				t.Errorf("device_spec %v: managed no %v, want %v", specs, managed, tt.wantManaged)
			}
			problem := false
			for _, pr := range p.Problems {
				problem = problem || strings.Contains(pr.Text, "2025.1")
			}
			if problem == tt.wantManaged {
				t.Errorf("problem naming 2025.1: %v, want %v (%+v)", problem, !tt.wantManaged, p.Problems)
			}
		})
	}
}

// One module missing is one module: "is", not "are", in the modules-load.d
// note and in the problem a kernel without module support gets.
func TestOneMissingModuleGrammar(t *testing.T) {
	h := host("ro", "GenuineIntel")
	var keep []hostinfo.Module
	for _, m := range h.Modules {
		if m.Name != "vfio_pci" {
			keep = append(keep, m)
		}
	}
	h.Modules = keep
	text, err := Write(build(t, h, Options{}), "all")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(strings.ReplaceAll(text, "#", "")), " ")
	if !strings.Contains(flat, "(vfio_pci is neither loaded nor built in now)") {
		t.Errorf("modules-load.d note:\n%s", text)
	}
	h.Kernel.NoModuleSupport = true
	p := build(t, h, Options{})
	found := false
	for _, pr := range p.Problems {
		found = found || strings.HasPrefix(pr.Text, "The vfio module vfio_pci is neither loaded nor built in")
	}
	if !found {
		t.Errorf("problems %+v: want one saying vfio_pci is neither loaded nor built in", p.Problems)
	}
}

// A GH200's 128 GiB BAR needs UEFI guests, on aarch64's virt machine
// type: the plan told operators to set hw_machine_type=q35, which does not
// exist on aarch64.
func TestLargeBARImageOnAarch64(t *testing.T) {
	r2025, _ := novarelease.Parse("2025.1")
	h := gh200("nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci")
	h.Devices[len(h.Devices)-1].BARs = []pcidev.BAR{{Index: 2, Size: 128 << 30, Is64Bit: true, Prefetchable: true}}
	p := build(t, h, Options{Release: r2025})
	out, err := Write(p, "flavor")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "hw_machine_type=virt --property hw_firmware_type=uefi") || strings.Contains(out, "q35") {
		t.Errorf("aarch64 large-BAR image properties:\n%s", out)
	}
}
