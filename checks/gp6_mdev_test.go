package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/hostview"
	"github.com/gpupass/gpupass/openstack/mdevconf"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

const mdevConfPath = "/etc/nova/nova.conf"

func intp(n int) *int { return &n }

// a40Type is one of the A40's mdev types as a VF offers it
// (docs/research/vgpu-layouts.md 1.2: nvidia-558 "NVIDIA A40-2Q",
// max_instance=24; a free VF has available_instances 1).
func a40Type(id, name string, maxInstance, available int) hostinfo.MdevType {
	return hostinfo.MdevType{ID: id, Name: name, DeviceAPI: "vfio-pci", MaxInstance: maxInstance, Available: intp(available),
		Description: fmt.Sprintf("num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=7680x4320, max_instance=%d", maxInstance)}
}

// a40Host is an Ampere A40 whose SR-IOV VFs are the mdev parents (research
// section 2): PF 0000:e8:00.0 on nvidia with four VFs enabled (of 32) by
// an enabled unit ordered before nova-compute, each VF offering A40-2Q and
// A40-48Q, the vGPU manager loaded and mdevctl installed.
func a40Host() *hostinfo.Host {
	h := readyHost()
	h.Kernel.Cmdline = "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt"
	pf := dev("0000:e8:00.0", "10de", "2235", "030200", "nvidia", 40)
	pf.Model = "GA102GL [A40]"
	vfs := []string{"0000:e8:00.4", "0000:e8:00.5", "0000:e8:00.6", "0000:e8:00.7"}
	pf.SRIOV = &pcidev.SRIOV{TotalVFs: 32, NumVFs: len(vfs), VFs: vfs}
	h.Devices = []pcidev.Device{h.Devices[0], pf, h.Devices[2]}
	for i, a := range vfs {
		vf := dev(a, "10de", "2235", "030200", "nvidia", 41+i)
		vf.PhysFn = pf.Address
		h.Devices = append(h.Devices, vf)
		h.Mdev.Parents = append(h.Mdev.Parents, hostinfo.MdevParent{Address: a, Types: []hostinfo.MdevType{
			a40Type("nvidia-558", "NVIDIA A40-2Q", 24, 1),
			a40Type("nvidia-566", "NVIDIA A40-48Q", 1, 1),
		}})
	}
	h.Mdev.Bus = true
	h.Mdev.Mdevctl = "/usr/sbin/mdevctl"
	h.Modules = append(h.Modules, hostinfo.Module{Name: "nvidia", State: hostinfo.ModuleLoaded}, hostinfo.Module{Name: "nvidia_vgpu_vfio", State: hostinfo.ModuleLoaded})
	h.BootUnits = []hostinfo.BootUnit{{
		Name: "nvidia-sriov-manage@0000:e8:00.0.service", File: "/etc/systemd/system/nvidia-sriov-manage@.service", Enabled: true,
		WantedBy: []string{"multi-user.target"}, After: []string{"nvidia-vgpu-mgr.service"}, Before: []string{"nova-compute.service"},
		ExecStart: []string{"/usr/lib/nvidia/sriov-manage -e 0000:e8:00.0"},
	}}
	return h
}

// v100Host is a Volta V100 that is itself the mdev parent (no SR-IOV),
// with one mdev of GRID V100-1Q in use (research 1.2).
func v100Host() *hostinfo.Host {
	h := readyHost()
	h.Kernel.Cmdline = "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt"
	gpu := dev("0000:86:00.0", "10de", "1db4", "030200", "nvidia", 30)
	h.Devices = []pcidev.Device{h.Devices[0], gpu, h.Devices[2]}
	const uuid = "aa618089-8b16-4d01-a136-25a0f3c73123"
	q1 := hostinfo.MdevType{ID: "nvidia-105", Name: "GRID V100-1Q", DeviceAPI: "vfio-pci", MaxInstance: 16, Available: intp(15), Devices: []string{uuid}}
	q4 := hostinfo.MdevType{ID: "nvidia-299", Name: "GRID V100-4C", DeviceAPI: "vfio-pci", MaxInstance: 4, Available: intp(0)}
	h.Mdev = hostinfo.Mdev{
		Bus:         true,
		Parents:     []hostinfo.MdevParent{{Address: gpu.Address, Types: []hostinfo.MdevType{q1, q4}}},
		Devices:     []hostinfo.MdevDevice{{UUID: uuid, Type: "nvidia-105", Parent: gpu.Address}},
		Definitions: []hostinfo.MdevDefinition{{File: "/etc/mdevctl.d/0000:86:00.0/" + uuid, UUID: uuid, Parent: gpu.Address, Type: "nvidia-105", Start: "auto"}},
		Mdevctl:     "/usr/sbin/mdevctl",
	}
	h.Modules = append(h.Modules, hostinfo.Module{Name: "nvidia", State: hostinfo.ModuleLoaded}, hostinfo.Module{Name: "nvidia_vgpu_vfio", State: hostinfo.ModuleLoaded})
	return h
}

func release(t *testing.T, name string) novarelease.Release {
	t.Helper()
	r, err := novarelease.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func at(line int) novaconf.Source { return novaconf.Source{File: mdevConfPath, Line: line} }

func confValue(group, name, text string, line int) *novaconf.Value {
	return &novaconf.Value{Group: group, Section: group, Name: name, Text: text, Source: at(line), EndLine: line}
}

// enabledConf is [devices]enabled_mdev_types = types at line 2, as
// mdevconf gives it for one type used on every parent.
func enabledConf(rel novarelease.Release, types ...string) *mdevconf.Conf {
	c := &mdevconf.Conf{
		Release:      rel,
		Enabled:      types,
		EnabledValue: confValue("devices", "enabled_mdev_types", strings.Join(types, ","), 2),
		Used:         types,
		Mapping:      map[string]string{},
		Classes:      map[string]string{},
		MaxInstances: map[string]int{},
	}
	if len(types) == 1 {
		c.Default = types[0]
		c.DefaultClass = "VGPU"
	}
	return c
}

// withGroup adds [mdev_typ] at line with device_addresses on the next line
// (none when addrs is empty), mapped as the release would.
func withGroup(c *mdevconf.Conf, typ string, line int, addrs ...string) *mdevconf.Conf {
	g := mdevconf.Group{Type: typ, Section: "mdev_" + typ, Where: at(line), DeviceAddresses: addrs}
	if len(addrs) > 0 {
		g.AddressesValue = confValue("mdev_"+typ, "device_addresses", strings.Join(addrs, ","), line+1)
		for _, a := range addrs {
			c.Mapping[a] = typ
			c.Classes[a] = "VGPU"
		}
	}
	c.Groups = append(c.Groups, g)
	return c
}

// runMdevCheck runs one check on a Pass carrying the mdev configuration
// literally (as Run will once mdevconf.Parse is wired), and summarises the
// result as runOne does.
func runMdevCheck(t *testing.T, c *Check, h *hostinfo.Host, conf *mdevconf.Conf, rel novarelease.Release) (outcome, []report.Finding) {
	t.Helper()
	in := &Inputs{Host: h, NovaRelease: rel}
	pass := &Pass{Check: c, Inputs: in, Mdev: conf}
	if h != nil {
		pass.Host = hostview.New(h, nil, nil)
	}
	if err := runSafely(c, pass); err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	o := outcome{Status: report.StatusPass}
	if pass.skip != "" {
		o.Status = report.StatusSkip
		checkWording(t, c.ID+" skip reason", pass.skip)
	}
	for _, f := range pass.findings {
		if f.ID != c.ID || f.Name != c.Name {
			t.Errorf("finding carries %s %s, want %s %s", f.ID, f.Name, c.ID, c.Name)
		}
		if f.Message == "" {
			t.Errorf("%s: finding without a message", c.ID)
		}
		if f.Severity != report.Info && f.Remediation == "" {
			t.Errorf("%s: %s finding without remediation: %s", c.ID, f.Severity, f.Message)
		}
		if f.Severity != report.Info {
			o.Status = report.StatusFail
		}
		checkWording(t, c.ID+" message", f.Message)
		checkWording(t, c.ID+" remediation", f.Remediation)
		o.Findings = append(o.Findings, string(f.Severity)+" "+f.Subject.Ref)
	}
	return o, pass.findings
}

func TestMdevChecks(t *testing.T) {
	zed, r2024_1, r2024_2, r2025_1 := release(t, "zed"), release(t, "2024.1"), release(t, "2024.2"), release(t, "2025.1")
	const uuid = "aa618089-8b16-4d01-a136-25a0f3c73123"
	a40VFs := []string{"0000:e8:00.4", "0000:e8:00.5", "0000:e8:00.6", "0000:e8:00.7"}
	tests := []struct {
		name     string
		check    *Check
		host     *hostinfo.Host
		conf     func(rel novarelease.Release) *mdevconf.Conf
		release  novarelease.Release
		want     outcome
		contains []string
		source   string
	}{
		// GP601
		{name: "GP601 the type's human name instead of its ID", check: MdevTypeUnknown, host: a40Host(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "NVIDIA A40-2Q") },
			want:     outcome{report.StatusFail, []string{"error [devices]enabled_mdev_types"}},
			contains: []string{`"NVIDIA A40-2Q"`, "human name of the mdev type nvidia-558 (offered by 4 parents)", "enabled_mdev_types = nvidia-558", "Nova 2025.1"}, source: mdevConfPath + ":2"},
		{name: "GP601 a typo names the nearest offered type", check: MdevTypeUnknown, host: a40Host(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-58") },
			want:     outcome{report.StatusFail, []string{"error [devices]enabled_mdev_types"}},
			contains: []string{"nvidia-58, which no mdev parent of this host offers", "nearest type it offers is nvidia-558 (NVIDIA A40-2Q)", "enabled_mdev_types = nvidia-558"}},
		{name: "GP601 an ID in the wrong case", check: MdevTypeUnknown, host: a40Host(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "NVIDIA-558") },
			want:     outcome{report.StatusFail, []string{"error [devices]enabled_mdev_types"}},
			contains: []string{"compared with their case"}},
		{name: "GP601 the rename of a group follows", check: MdevTypeUnknown, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "NVIDIA A40-2Q", "nvidia-566"), "NVIDIA A40-2Q", 4, "0000:e8:00.4")
			},
			want:     outcome{report.StatusFail, []string{"error [devices]enabled_mdev_types"}},
			contains: []string{"enabled_mdev_types = nvidia-558,nvidia-566", "rename [mdev_NVIDIA A40-2Q] (" + mdevConfPath + ":4) to [mdev_nvidia-558]"}},
		{name: "GP601 a group for a type not enabled", check: MdevTypeUnknown, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-558"), "nvidia-566", 4, "0000:e8:00.4")
			},
			want:     outcome{report.StatusFail, []string{"warning [mdev_nvidia-566]"}},
			contains: []string{"[mdev_nvidia-566] at " + mdevConfPath + ":4 is for the mdev type nvidia-566 (NVIDIA A40-48Q)", "ignores the group", "enabled_mdev_types = nvidia-558,nvidia-566"}},
		{name: "GP601 a group's name is not case-sensitive", check: MdevTypeUnknown, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-558"), "NVIDIA-558", 4, "0000:e8:00.4")
			},
			want: outcome{report.StatusPass, nil}},
		{name: "GP601 offered", check: MdevTypeUnknown, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-558") },
			want: outcome{report.StatusPass, nil}},
		{name: "GP601 classic host", check: MdevTypeUnknown, host: readyHost(), release: r2025_1,
			conf: func(novarelease.Release) *mdevconf.Conf { return &mdevconf.Conf{} },
			want: outcome{report.StatusSkip, nil}},

		// GP602
		{name: "GP602 an address under two types stops nova-compute", check: MdevAddressInvalid, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(withGroup(enabledConf(r, "nvidia-558", "nvidia-566"), "nvidia-558", 4, "0000:e8:00.4"), "nvidia-566", 7, "0000:e8:00.4")
				c.StartErr = &mdevconf.StartError{Exception: "InvalidLibvirtMdevConfig", Message: "Invalid configuration for mdev-capable devices: duplicate types for PCI ID 0000:e8:00.4", Where: at(8)}
				c.Used = nil
				return c
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-566]device_addresses"}},
			contains: []string{"Nova 2025.1's nova-compute does not start", `InvalidLibvirtMdevConfig: "Invalid configuration for mdev-capable devices: duplicate types for PCI ID 0000:e8:00.4"`, "under one [mdev_<type>] group only"}, source: mdevConfPath + ":8"},
		{name: "GP602 an invalid mdev_class stops nova-compute", check: MdevAddressInvalid, host: nil, release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(enabledConf(r, "nvidia-558"), "nvidia-558", 4)
				c.Groups[0].MdevClass = "nvidia"
				c.Groups[0].ClassValue = confValue("mdev_nvidia-558", "mdev_class", "nvidia", 5)
				c.StartErr = &mdevconf.StartError{Exception: "ConfigFileValueError", Message: "Value for option mdev_class from LocationInfo(location=<Locations.user: (4, True)>, detail='/etc/nova/nova.conf') is not valid: Invalid config value nvidia", Where: at(5)}
				return c
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-558]mdev_class"}},
			contains: []string{"ConfigFileValueError", "CUSTOM_"}, source: mdevConfPath + ":5"},
		{name: "GP602 the PF of an SR-IOV GPU instead of its VFs", check: MdevAddressInvalid, host: a40Host(), release: r2024_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-558"), "nvidia-558", 4, "0000:e8:00.0")
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-558]device_addresses"}},
			contains: []string{"0000:e8:00.0 (10de:2235 GA102GL [A40]), the physical function of an SR-IOV GPU", "its 4 virtual functions are the mdev parents", "device_addresses = " + strings.Join(a40VFs, ",")}, source: mdevConfPath + ":5"},
		{name: "GP602 an address in upper case never matches", check: MdevAddressInvalid, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-558"), "nvidia-558", 4, "0000:E8:00.4", "0000:e8:00.5")
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-558]device_addresses"}},
			contains: []string{"0000:E8:00.4, written differently from the mdev parent 0000:e8:00.4", "device_addresses = 0000:e8:00.4,0000:e8:00.5"}},
		{name: "GP602 an address in upper case, without a host (lint)", check: MdevAddressInvalid, host: nil, release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-558"), "nvidia-558", 4, "0000:E8:00.4", "0000:e8:00:5")
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-558]device_addresses", "error [mdev_nvidia-558]device_addresses"}},
			contains: []string{"0000:E8:00.4, written differently from the address 0000:e8:00.4", "0000:e8:00:5, written differently from the address 0000:e8:00.5", "device_addresses = 0000:e8:00.4,0000:e8:00.5 (this line also applies"}},
		{name: "GP602 an address that is not an mdev parent", check: MdevAddressInvalid, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-558"), "nvidia-558", 4, "0000:42:00.0", "0000:99:00.0")
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-558]device_addresses", "error [mdev_nvidia-558]device_addresses"}},
			contains: []string{"0000:42:00.0 (144d:a80a), which is not an mdev parent of this host", "0000:99:00.0, and this host has no PCI device or mdev parent at that address", "the parents of this host that offer nvidia-558 are 0000:e8:00.4"}},
		{name: "GP602 parents that do not offer the type", check: MdevAddressInvalid, host: func() *hostinfo.Host {
			h := v100Host()
			for _, a := range []string{"0000:87:00.0", "0000:88:00.0"} {
				h.Devices = append(h.Devices, dev(a, "10de", "1db4", "030200", "nvidia", 31))
				h.Mdev.Parents = append(h.Mdev.Parents, hostinfo.MdevParent{Address: a, Types: h.Mdev.Parents[0].Types[:1]})
			}
			return h
		}(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(enabledConf(r, "nvidia-105", "nvidia-299"), "nvidia-299", 4, "0000:86:00.0", "0000:87:00.0", "0000:88:00.0")
				c.Default = "nvidia-105"
				return c
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-299]device_addresses"}},
			contains: []string{"[mdev_nvidia-299]device_addresses lists 0000:87:00.0, 0000:88:00.0, mdev parents that do not offer nvidia-299 (GRID V100-4C)", "0000:87:00.0 offers nvidia-105 (GRID V100-1Q).", "device_addresses = 0000:86:00.0; the parents of this host that offer nvidia-299 are 0000:86:00.0"}},
		{name: "GP602 a duplicate behind the error that stops nova-compute", check: MdevAddressInvalid, host: a40Host(), release: r2024_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(withGroup(enabledConf(r, "nvidia-558", "nvidia-566"), "nvidia-558", 4, "e8:00.6", "0000:e8:00.5"), "nvidia-566", 7, "0000:e8:00.5")
				c.StartErr = &mdevconf.StartError{Exception: "InvalidLibvirtMdevConfig", Message: "Invalid configuration for mdev-capable devices: incorrect PCI address: e8:00.6", Where: at(5)}
				c.Used, c.Mapping = nil, nil
				return c
			},
			want:     outcome{report.StatusFail, []string{"error [mdev_nvidia-558]device_addresses", "error [mdev_nvidia-566]device_addresses"}},
			contains: []string{"0000:e8:00.5 is listed in [mdev_nvidia-558] and in [mdev_nvidia-566]: once " + mdevConfPath + ":5 is corrected, Nova 2024.1's nova-compute stops on this one"}},
		{name: "GP602 the addresses of a type no parent offers are GP601's", check: MdevAddressInvalid, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-256"), "nvidia-256", 4, a40VFs...)
			},
			want: outcome{report.StatusPass, nil}},
		{name: "GP602 addresses Zed ignores are not judged", check: MdevAddressInvalid, host: a40Host(), release: zed,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(enabledConf(r, "nvidia-558", "nvidia-566"), "nvidia-558", 4, "0000:99:00.0")
				c.Mapping, c.Used, c.Default = map[string]string{}, []string{"nvidia-558"}, "nvidia-558"
				return c
			},
			want: outcome{report.StatusPass, nil}},
		{name: "GP602 VF addresses", check: MdevAddressInvalid, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				return withGroup(enabledConf(r, "nvidia-558"), "nvidia-558", 4, a40VFs...)
			},
			want: outcome{report.StatusPass, nil}},

		// GP603
		{name: "GP603 Zed uses the first type only", check: MdevTypesAmbiguous, host: v100Host(), release: zed,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(enabledConf(r, "nvidia-105", "nvidia-299"), "nvidia-105", 4, "0000:86:00.0")
				c.Mapping, c.Classes, c.Used, c.Default = map[string]string{}, map[string]string{}, []string{"nvidia-105"}, "nvidia-105"
				c.Dropped = []mdevconf.Dropped{{Type: "nvidia-299", Why: "no [mdev_nvidia-299] device_addresses: only the first type is used"}}
				c.Warnings = []mdevconf.Diagnostic{{Message: "The mdev type 'nvidia-299' was listed in '[devices] enabled_mdev_types' but no corresponding '[mdev_nvidia-299]' group or '[mdev_nvidia-299] device_addresses' option was defined. Only the first type 'nvidia-105' will be used.", Where: at(2)}}
				return c
			},
			want:     outcome{report.StatusFail, []string{"warning [devices]enabled_mdev_types"}},
			contains: []string{"Nova zed then uses only the first type, nvidia-105 (GRID V100-1Q), on every mdev parent", "mdev_class", "never offers nvidia-299 (GRID V100-4C)", "nova-compute logs: 'The mdev type 'nvidia-299'", "[mdev_nvidia-299] device_addresses = 0000:86:00.0", "Before 2024.1 every type needs device_addresses"}},
		{name: "GP603 Zed's log line names the first type, not the dropped one", check: MdevTypesAmbiguous, host: v100Host(), release: zed,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := enabledConf(r, "nvidia-105", "nvidia-299")
				c.Used, c.Default = []string{"nvidia-105"}, "nvidia-105"
				c.Dropped = []mdevconf.Dropped{{Type: "nvidia-299"}}
				c.Warnings = []mdevconf.Diagnostic{{Message: "The mdev type 'nvidia-105' was listed in '[devices] enabled_mdev_types' but no corresponding '[mdev_nvidia-105]' group or '[mdev_nvidia-105] device_addresses' option was defined. Only the first type 'nvidia-105' will be used.", Where: at(2)}}
				return c
			},
			want:     outcome{report.StatusFail, []string{"warning [devices]enabled_mdev_types"}},
			contains: []string{"nova-compute logs: 'The mdev type 'nvidia-105'"}},
		{name: "GP603 2024.1 drops the second type without addresses", check: MdevTypesAmbiguous, host: a40Host(), release: r2024_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := enabledConf(r, "nvidia-558", "nvidia-566")
				c.Used, c.Default = []string{"nvidia-558"}, "nvidia-558"
				c.Dropped = []mdevconf.Dropped{{Type: "nvidia-566", Why: "the default type is already nvidia-558"}}
				c.Warnings = []mdevconf.Diagnostic{{Message: "Mdev type default already set to  nvidia-558 so nvidia-566 will not be used.", Where: at(2)}}
				return c
			},
			want:     outcome{report.StatusFail, []string{"warning [devices]enabled_mdev_types"}},
			contains: []string{"Nova 2024.1 makes nvidia-558 (NVIDIA A40-2Q) the type of every mdev parent no group lists, and drops nvidia-566 (NVIDIA A40-48Q)", "From 2024.1 one type may go without device_addresses", "[mdev_nvidia-566] device_addresses = " + strings.Join(a40VFs, ",")}},
		{name: "GP603 2024.1: one default and one listed", check: MdevTypesAmbiguous, host: a40Host(), release: r2024_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(enabledConf(r, "nvidia-558", "nvidia-566"), "nvidia-566", 4, "0000:e8:00.4")
				c.Default = "nvidia-558"
				return c
			},
			want: outcome{report.StatusPass, nil}},
		{name: "GP603 what else nova-compute logs", check: MdevTypesAmbiguous, host: v100Host(), release: zed,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(enabledConf(r, "nvidia-105"), "nvidia-105", 4, "0000:86:00.0")
				c.Mapping = map[string]string{}
				c.Warnings = []mdevconf.Diagnostic{{Message: "with one enabled type, [mdev_nvidia-105] is not read: its device_addresses and mdev_class are ignored", Where: at(5)}}
				return c
			},
			want:     outcome{report.StatusFail, []string{"warning [devices]enabled_mdev_types"}},
			contains: []string{"Nova zed: with one enabled type"}, source: mdevConfPath + ":5"},

		{name: "GP603 warnings other checks report are not repeated", check: MdevTypesAmbiguous, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(withGroup(enabledConf(r, "nvidia-558"), "nvidia-558", 4, "0000:E8:00.4"), "nvidia-566", 7)
				c.Warnings = []mdevconf.Diagnostic{
					{Message: "[mdev_nvidia-566] is for type nvidia-566, which [devices]enabled_mdev_types does not list: Nova ignores the section", Where: at(7)},
					{Message: `device address "0000:E8:00.4" passes Nova's check but matches no mdev parent`, Where: at(5)},
					{Message: `Option "enabled_vgpu_types" from group "devices" is deprecated. Use option "enabled_mdev_types" from group "devices".`, Where: at(2)},
				}
				return c
			},
			want:     outcome{report.StatusFail, []string{"warning [devices]enabled_mdev_types"}},
			contains: []string{`Nova 2025.1: Option "enabled_vgpu_types" from group "devices" is deprecated.`, "Rename it as the message says"}, source: mdevConfPath + ":2"},
		// GP604
		{name: "GP604 an mdev of another type on the parent", check: MdevCapacity, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev.Parents[0].Types[0].Available = intp(0)
			return h
		}(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-299") },
			want: outcome{report.StatusFail, []string{"warning 0000:86:00.0", "info gpu01"}},
			contains: []string{"Nova 2025.1 gives nvidia-299 (GRID V100-4C) to 0000:86:00.0 of 0000:86:00.0 (10de:1db4), which holds mdevs of nvidia-105 (GRID V100-1Q)",
				"mdevctl stop --uuid " + uuid + " && mdevctl undefine --uuid " + uuid, "available_instances of nvidia-299 is 0 on 0000:86:00.0: the GPU offers none.", "Nova 2025.1 offers 0 vGPUs of nvidia-299 (GRID V100-4C) on this host: 0 in use and 0 more on 1 parent."}},
		{name: "GP604 available_instances 0 and none of the type", check: MdevCapacity, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev.Devices, h.Mdev.Parents[0].Types[0].Devices, h.Mdev.Definitions = nil, nil, nil
			return h
		}(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-299") },
			want:     outcome{report.StatusFail, []string{"warning 0000:86:00.0", "info gpu01"}},
			contains: []string{"offers no nvidia-299 (GRID V100-4C): available_instances is 0 on 1 parent (0000:86:00.0)", "cat /sys/class/mdev_bus/0000:86:00.0/mdev_supported_types/nvidia-299/available_instances"}},
		{name: "GP604 what the type can still offer", check: MdevCapacity, host: v100Host(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want:     outcome{report.StatusPass, []string{"info gpu01"}},
			contains: []string{"Nova 2025.1 offers 16 vGPUs of nvidia-105 (GRID V100-1Q) on this host: 1 in use and 15 more on 1 parent."}},
		{name: "GP604 SR-IOV VFs without max_instances overstate", check: MdevCapacity, host: a40Host(), release: r2024_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-566") },
			want:     outcome{report.StatusFail, []string{"warning [devices]enabled_mdev_types", "info gpu01"}},
			contains: []string{"Nova 2024.1 gives nvidia-566 (NVIDIA A40-48Q) to 4 virtual functions of the SR-IOV GPU 0000:e8:00.0", "while the GPU takes at most 1 of them (max_instance=1 per GPU)", "Add to a new [mdev_nvidia-566] section: max_instances = 1", "The GPU behind these VFs holds at most 1."}},
		{name: "GP604 max_instances caps the VFs", check: MdevCapacity, host: a40Host(), release: r2024_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := withGroup(enabledConf(r, "nvidia-566"), "nvidia-566", 4)
				c.MaxInstances["nvidia-566"] = 1
				return c
			},
			want:     outcome{report.StatusPass, []string{"info gpu01"}},
			contains: []string{"offers 1 vGPU of nvidia-566 (NVIDIA A40-48Q) on this host: 0 in use and 1 more on 4 parents. [mdev_nvidia-566]max_instances = 1 caps it: 3 parents offer no more."}},
		{name: "GP604 before 2024.1 there is no max_instances to suggest", check: MdevCapacity, host: a40Host(), release: zed,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-566") },
			want: outcome{report.StatusPass, []string{"info gpu01"}}},

		{name: "GP604 a configuration that stops nova-compute", check: MdevCapacity, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf {
				c := enabledConf(r, "nvidia-558")
				c.Used, c.Default = nil, ""
				c.StartErr = &mdevconf.StartError{Exception: "InvalidLibvirtMdevConfig", Message: "Invalid configuration for mdev-capable devices: incorrect PCI address: 41:00.4", Where: at(5)}
				return c
			},
			want: outcome{report.StatusSkip, nil}},
		// GP605
		{name: "GP605 no mdev bus", check: VGPUHostStack, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev = hostinfo.Mdev{}
			h.Modules = h.Modules[:len(h.Modules)-1]
			return h
		}(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want:     outcome{report.StatusFail, []string{"error gpu01", "error gpu01"}},
			contains: []string{"no mdev bus (/sys/class/mdev_bus is absent)", "nvidia_vgpu_vfio is not loaded", "modprobe nvidia_vgpu_vfio && systemctl enable --now nvidia-vgpu-mgr.service"}},
		{name: "GP605 VFs not enabled", check: VGPUHostStack, host: func() *hostinfo.Host {
			h := a40Host()
			d := device(t, h, "0000:e8:00.0")
			d.SRIOV.NumVFs, d.SRIOV.VFs = 0, nil
			h.Devices = h.Devices[:3]
			h.Mdev.Parents = nil
			h.BootUnits = nil
			return h
		}(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-558") },
			want:     outcome{report.StatusFail, []string{"error 0000:e8:00.0"}},
			contains: []string{"no virtual function enabled (sriov_numvfs is 0 of 32)", "/usr/lib/nvidia/sriov-manage -e 0000:e8:00.0", "Before=nova-compute.service", "systemctl enable nvidia-sriov-manage@0000:e8:00.0.service"}},
		{name: "GP605 nothing enables the VFs at boot", check: VGPUHostStack, host: func() *hostinfo.Host {
			h := a40Host()
			h.BootUnits[0].Enabled = false
			return h
		}(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-558") },
			want:     outcome{report.StatusFail, []string{"error 0000:e8:00.0"}},
			contains: []string{"no enabled unit creates them at boot", "nvidia-sriov-manage@0000:e8:00.0.service would, and is not enabled", "systemctl enable nvidia-sriov-manage@0000:e8:00.0.service"}},
		{name: "GP605 the unit is not ordered before nova-compute", check: VGPUHostStack, host: func() *hostinfo.Host {
			h := a40Host()
			h.BootUnits[0].Before = nil
			return h
		}(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-558") },
			want:     outcome{report.StatusFail, []string{"warning 0000:e8:00.0"}},
			contains: []string{"is not ordered before nova-compute", "Add Before=nova-compute.service to the [Unit] section of /etc/systemd/system/nvidia-sriov-manage@.service"}},
		{name: "GP605 ready", check: VGPUHostStack, host: a40Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-558") },
			want: outcome{report.StatusPass, nil}},
		{name: "GP605 the vendor framework is GP607's", check: VGPUHostStack, host: func() *hostinfo.Host {
			h := a40Host()
			h.Mdev = hostinfo.Mdev{}
			device(t, h, "0000:e8:00.4").VGPU = &pcidev.VendorVGPU{CurrentKnown: true}
			return h
		}(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-558") },
			want: outcome{report.StatusSkip, nil}},

		// GP606
		{name: "GP606 the vendor framework is GP607's", check: MdevPersistence, host: func() *hostinfo.Host {
			h := a40Host()
			h.Mdev = hostinfo.Mdev{}
			device(t, h, "0000:e8:00.4").VGPU = &pcidev.VendorVGPU{CurrentKnown: true}
			return h
		}(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-558") },
			want: outcome{report.StatusSkip, nil}},
		{name: "GP606 2024.2 without mdevctl", check: MdevPersistence, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev.Mdevctl = ""
			return h
		}(), release: r2024_2,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want:     outcome{report.StatusFail, []string{"warning gpu01"}},
			contains: []string{"Nova 2024.2 creates the mdev of each vGPU through libvirt", "apt-get install mdevctl"}},
		{name: "GP606 2024.2 with libvirt older than 7.3.0 writes sysfs", check: MdevPersistence, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev.Mdevctl = ""
			h.Virt.Libvirt.Version = "7.0.0"
			return h
		}(), release: r2024_2,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want: outcome{report.StatusPass, nil}},
		{name: "GP606 2024.1 without mdevctl", check: MdevPersistence, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev.Mdevctl = ""
			return h
		}(), release: r2024_1,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want: outcome{report.StatusPass, nil}},
		{name: "GP606 2025.1: an undefined mdev is gone after a reboot", check: MdevPersistence, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev.Definitions = nil
			return h
		}(), release: r2025_1,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want:     outcome{report.StatusFail, []string{"warning gpu01"}},
			contains: []string{"1 mdev has no mdevctl definition (/etc/mdevctl.d): " + uuid, "Nova 2025.1 re-creates no mdev", "mdevctl define --uuid " + uuid + " --parent 0000:86:00.0 --type nvidia-105 --auto"}},
		{name: "GP606 Zed: undefined mdevs do not survive a reboot", check: MdevPersistence, host: func() *hostinfo.Host {
			h := v100Host()
			h.Mdev.Definitions = nil
			return h
		}(), release: zed,
			conf:     func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want:     outcome{report.StatusPass, []string{"info gpu01"}},
			contains: []string{"will not survive a reboot", "Nova zed re-creates those its instances use"}},
		{name: "GP606 defined", check: MdevPersistence, host: v100Host(), release: r2025_1,
			conf: func(r novarelease.Release) *mdevconf.Conf { return enabledConf(r, "nvidia-105") },
			want: outcome{report.StatusPass, nil}},
		{name: "GP606 classic host", check: MdevPersistence, host: readyHost(), release: r2025_1,
			conf: func(novarelease.Release) *mdevconf.Conf { return nil },
			want: outcome{report.StatusSkip, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, findings := runMdevCheck(t, tt.check, tt.host, tt.conf(tt.release), tt.release)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			var text strings.Builder
			for _, f := range findings {
				text.WriteString(f.Message + "\n" + f.Remediation + "\n")
			}
			for _, s := range tt.contains {
				if !strings.Contains(text.String(), s) {
					t.Errorf("findings do not mention %q:\n%s", s, text.String())
				}
			}
			if tt.source != "" && (len(findings) == 0 || findings[0].Source != tt.source) {
				t.Errorf("source: want %s in %+v", tt.source, findings)
			}
		})
	}
}

// TestMdevChecksSkipClassicHosts: on a host with neither mdev types in
// nova.conf nor mdev parents, every mdev check is skipped with a reason.
func TestMdevChecksSkipClassicHosts(t *testing.T) {
	for _, c := range InSection(All, "GP6") {
		if !strings.HasPrefix(c.ID, "GP60") || c.ID > "GP606" {
			continue
		}
		got, _ := runMdevCheck(t, c, readyHost(), &mdevconf.Conf{Release: release(t, "2025.1")}, release(t, "2025.1"))
		if got.Status != report.StatusSkip || len(got.Findings) != 0 {
			t.Errorf("%s on a classic host: %+v, want skipped", c.ID, got)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"nvidia-558", "nvidia-558", 0}, {"nvidia-58", "nvidia-558", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
