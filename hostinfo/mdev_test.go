package hostinfo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// nvidiaAttrs are an NVIDIA GPU function's attributes; device is its
// device ID.
func nvidiaAttrs(device string) map[string]string {
	return map[string]string{"vendor": "0x10de\n", "device": "0x" + device + "\n", "class": "0x030200\n", "resource": oneBAR}
}

// mdevType describes one mdev_supported_types/<id> directory.
type mdevType struct {
	id, name, description string
	available             string
}

// mdevParent registers a device as an mdev parent as the kernel does: the
// /sys/class/mdev_bus link to its directory, and mdev_supported_types
// with each type's files (description left out when "": the kernel hides
// it for drivers without one).
func (h *hostTree) mdevParent(dev pciDev, types ...mdevType) {
	h.t.Helper()
	devDir := "/sys/devices/" + dev.sysPath
	h.link("/sys/class/mdev_bus/"+dev.addr(), "../../devices/"+dev.sysPath)
	for _, t := range types {
		dir := devDir + "/mdev_supported_types/" + t.id
		h.file(dir+"/name", t.name+"\n")
		if t.description != "" {
			h.file(dir+"/description", t.description+"\n")
		}
		h.file(dir+"/device_api", "vfio-pci\n")
		h.file(dir+"/available_instances", t.available)
		h.file(dir+"/create", "")
		h.dir(dir + "/devices")
	}
}

// mdevDevice creates an mdev of a type on a parent: its directory in the
// parent's, the mdev_type link, the type's devices/ entry, the bus link
// and a fake IOMMU group.
func (h *hostTree) mdevDevice(dev pciDev, uuid, typ string, group int) {
	h.t.Helper()
	devDir := "/sys/devices/" + dev.sysPath
	h.file(devDir+"/"+uuid+"/remove", "")
	h.link(devDir+"/"+uuid+"/mdev_type", "../mdev_supported_types/"+typ)
	h.link(devDir+"/mdev_supported_types/"+typ+"/devices/"+uuid, "../../../"+uuid)
	h.link("/sys/bus/mdev/devices/"+uuid, "../../../devices/"+dev.sysPath+"/"+uuid)
	if group >= 0 {
		h.dir(fmt.Sprintf("/sys/kernel/iommu_groups/%d/devices", group))
		h.link(devDir+"/"+uuid+"/iommu_group", strings.Repeat("../", dev.depth()+1)+fmt.Sprintf("kernel/iommu_groups/%d", group))
	}
}

const (
	t4Desc1B = "num_heads=4, frl_config=45, framebuffer=1024M, max_resolution=5120x2880, max_instance=16"
	t4Desc2B = "num_heads=4, frl_config=45, framebuffer=2048M, max_resolution=5120x2880, max_instance=8"
	mdevUUID = "aa618089-8b16-4d01-a136-25a0f3c73123"
)

// A T4 (no SR-IOV) offers its types on the PF; one mdev exists, defined
// persistently by mdevctl.
func TestCollectMdevOnPF(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	t4 := pciDev{sysPath: "pci0000:00/0000:00:03.0/0000:3b:00.0", attrs: nvidiaAttrs("1eb8"), driver: "nvidia", group: 40}
	h.pciDevice(t4)
	h.mdevParent(t4,
		mdevType{id: "nvidia-223", name: "GRID T4-2B", description: t4Desc2B, available: "8\n"},
		mdevType{id: "nvidia-222", name: "GRID T4-1B", description: t4Desc1B, available: "15\n"},
	)
	h.mdevDevice(t4, mdevUUID, "nvidia-222", 120)
	h.file("/etc/mdevctl.d/0000:3b:00.0/"+mdevUUID, "{\n  \"mdev_type\": \"nvidia-222\",\n  \"start\": \"auto\",\n  \"attrs\": []\n}")
	h.file("/usr/sbin/mdevctl", "#!/bin/sh\n")

	host := h.collect(hostinfo.Options{})
	group := 120
	want := hostinfo.Mdev{
		Bus: true,
		Parents: []hostinfo.MdevParent{{Address: "0000:3b:00.0", Types: []hostinfo.MdevType{
			{ID: "nvidia-222", Name: "GRID T4-1B", Description: t4Desc1B, DeviceAPI: "vfio-pci", Available: intPtr(15), MaxInstance: 16, Devices: []string{mdevUUID}},
			{ID: "nvidia-223", Name: "GRID T4-2B", Description: t4Desc2B, DeviceAPI: "vfio-pci", Available: intPtr(8), MaxInstance: 8},
		}}},
		Devices: []hostinfo.MdevDevice{{UUID: mdevUUID, Type: "nvidia-222", Parent: "0000:3b:00.0", IOMMUGroup: &group}},
		Definitions: []hostinfo.MdevDefinition{{File: "/etc/mdevctl.d/0000:3b:00.0/" + mdevUUID, UUID: mdevUUID,
			Parent: "0000:3b:00.0", Type: "nvidia-222", Start: "auto"}},
		Mdevctl: "/usr/sbin/mdevctl",
	}
	if diff := cmp.Diff(want, host.Mdev); diff != "" {
		t.Errorf("Mdev (-want +got):\n%s", diff)
	}
	for _, n := range host.Notes {
		if strings.Contains(n.Path, "mdev") {
			t.Errorf("note on a well-formed tree: %+v", n)
		}
	}
}

// On an Ampere SR-IOV GPU the VFs are the parents, each taking one vGPU:
// the PF keeps its virtfn links, each VF its physfn, and every VF is an
// mdev_bus entry.
func TestCollectMdevOnVFs(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	pf := pciDev{sysPath: "pci0000:e0/0000:e0:01.0/0000:e8:00.0", attrs: nvidiaAttrs("2235"), driver: "nvidia", group: 60}
	pf.attrs["sriov_totalvfs"] = "32\n"
	pf.attrs["sriov_numvfs"] = "2\n"
	h.pciDevice(pf)
	var vfs []pciDev
	for i, fn := range []string{"0000:e8:00.4", "0000:e8:00.5"} {
		vf := pciDev{sysPath: "pci0000:e0/0000:e0:01.0/" + fn, attrs: nvidiaAttrs("2235"), driver: "nvidia", group: 61 + i}
		h.pciDevice(vf)
		h.link("/sys/devices/"+vf.sysPath+"/physfn", "../0000:e8:00.0")
		h.link("/sys/devices/"+pf.sysPath+fmt.Sprintf("/virtfn%d", i), "../"+fn)
		free := "1\n"
		if i == 0 {
			free = "0\n"
		}
		h.mdevParent(vf,
			mdevType{id: "nvidia-558", name: "NVIDIA A40-2Q", description: "num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=7680x4320, max_instance=24", available: free},
			mdevType{id: "nvidia-555", name: "NVIDIA A40-1B", description: "num_heads=4, frl_config=45, framebuffer=1024M, max_resolution=5120x2880, max_instance=32", available: free},
		)
		vfs = append(vfs, vf)
	}
	h.mdevDevice(vfs[0], mdevUUID, "nvidia-558", 200)

	host := h.collect(hostinfo.Options{})
	var parents []string
	for _, p := range host.Mdev.Parents {
		parents = append(parents, p.Address)
		if len(p.Types) != 2 || p.Types[0].ID != "nvidia-555" || p.Types[1].MaxInstance != 24 {
			t.Errorf("parent %s types %+v", p.Address, p.Types)
		}
	}
	if diff := cmp.Diff([]string{"0000:e8:00.4", "0000:e8:00.5"}, parents); diff != "" {
		t.Errorf("parents (-want +got):\n%s", diff)
	}
	if got := *host.Mdev.Parent("0000:e8:00.4").Type("nvidia-558").Available; got != 0 {
		t.Errorf("busy VF's available_instances = %d", got)
	}
	if len(host.Mdev.Devices) != 1 || host.Mdev.Devices[0].Parent != "0000:e8:00.4" || host.Mdev.Devices[0].Type != "nvidia-558" {
		t.Errorf("devices %+v", host.Mdev.Devices)
	}
	if d := device(t, host, "0000:e8:00.0"); d.SRIOV == nil || d.SRIOV.NumVFs != 2 || len(d.SRIOV.VFs) != 2 {
		t.Errorf("PF SR-IOV %+v", d.SRIOV)
	}
	if d := device(t, host, "0000:e8:00.5"); d.PhysFn != "0000:e8:00.0" {
		t.Errorf("VF physfn %q", d.PhysFn)
	}
	if host.Mdev.Mdevctl != "" || host.Mdev.Definitions != nil {
		t.Errorf("mdevctl %q, definitions %+v on a host without them", host.Mdev.Mdevctl, host.Mdev.Definitions)
	}
}

// A host without the mdev core has no mdev state and no note about it.
func TestCollectMdevAbsent(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	host := h.collect(hostinfo.Options{})
	if diff := cmp.Diff(hostinfo.Mdev{}, host.Mdev); diff != "" {
		t.Errorf("Mdev on a host without it (-want +got):\n%s", diff)
	}
	// The mdev core loaded, no parent registered: the bus, empty.
	h.dir("/sys/class/mdev_bus")
	host = h.collect(hostinfo.Options{})
	if !host.Mdev.Bus || host.Mdev.Parents != nil {
		t.Errorf("empty mdev_bus: %+v", host.Mdev)
	}
	for _, n := range host.Notes {
		if strings.Contains(n.Path, "mdev") {
			t.Errorf("note %+v", n)
		}
	}
}

// What cannot be read degrades one field, with a note naming the file;
// the rest is read.
func TestCollectMdevDegrades(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	t4 := pciDev{sysPath: "pci0000:00/0000:00:03.0/0000:3b:00.0", attrs: nvidiaAttrs("1eb8"), driver: "nvidia", group: 40}
	h.pciDevice(t4)
	h.mdevParent(t4,
		mdevType{id: "nvidia-222", name: "GRID T4-1B", description: "num_heads=4, max_instance=many", available: "lots\n"},
		mdevType{id: "nvidia-223", name: "GRID T4-2B", available: "-1\n"},
	)
	h.file("/sys/devices/"+t4.sysPath+"/mdev_supported_types/nvidia-224/available_instances", "4\n") // no name, no device_api
	// Notes name the files as read, through the mdev_bus link.
	typeDir := "/sys/class/mdev_bus/0000:3b:00.0/mdev_supported_types/"
	h.mdevDevice(t4, mdevUUID, "nvidia-222", -1)
	// An mdev whose mdev_type is a file, not a link, and a bus entry that
	// is no UUID.
	other := "0b9a2f6e-39a0-4e5c-9d2b-6b8d3c1e7f00"
	h.file("/sys/devices/"+t4.sysPath+"/"+other+"/mdev_type", "nvidia-222\n")
	h.link("/sys/bus/mdev/devices/"+other, "../../../devices/"+t4.sysPath+"/"+other)
	h.link("/sys/bus/mdev/devices/not-a-uuid", "../../../devices/"+t4.sysPath)
	const defs = "/etc/mdevctl.d/0000:3b:00.0/"
	h.file(defs+mdevUUID, `{"mdev_type": "nvidia-222"}`)                               // no start
	h.file(defs+other, `{"mdev_type": "nvidia-222", "start": "manual", "attrs": [1]}`) // bad attrs
	h.file(defs+"3F2504E0-4F89-11D3-9A0C-0305E82C3301", `{"mdev_type": "nvidia-223", "start": "sometimes"}`)
	h.file(defs+"notes.txt", "hand-written notes\n")
	h.file(defs+"0b9a2f6e-39a0-4e5c-9d2b-6b8d3c1e7f01", `{"mdev_type": "nvidia-222", "start": "auto", "attrs": [{"x": "`+strings.Repeat("y", 70<<10)+`"}]}`)
	h.file("/usr/bin/mdevctl", "")

	host := h.collect(hostinfo.Options{})
	p := host.Mdev.Parent("0000:3b:00.0")
	if p == nil || len(p.Types) != 3 {
		t.Fatalf("parent %+v", p)
	}
	t222, t223, t224 := p.Types[0], p.Types[1], p.Types[2]
	if t222.Available != nil || t222.MaxInstance != 0 || t222.Name != "GRID T4-1B" || len(t222.Devices) != 1 {
		t.Errorf("nvidia-222 %+v", t222)
	}
	if t223.Available != nil || t223.Description != "" {
		t.Errorf("nvidia-223 %+v", t223)
	}
	if t224.Name != "" || t224.DeviceAPI != "" || t224.Available == nil || *t224.Available != 4 {
		t.Errorf("nvidia-224 %+v", t224)
	}
	wantDevices := []hostinfo.MdevDevice{
		{UUID: other, Parent: "0000:3b:00.0"},
		{UUID: mdevUUID, Type: "nvidia-222", Parent: "0000:3b:00.0"},
	}
	if diff := cmp.Diff(wantDevices, host.Mdev.Devices); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
	wantDefs := []hostinfo.MdevDefinition{{File: defs + "3F2504E0-4F89-11D3-9A0C-0305E82C3301", UUID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
		Parent: "0000:3b:00.0", Type: "nvidia-223", Start: "manual"}}
	if diff := cmp.Diff(wantDefs, host.Mdev.Definitions); diff != "" {
		t.Errorf("definitions (-want +got):\n%s", diff)
	}
	if host.Mdev.Mdevctl != "/usr/bin/mdevctl" {
		t.Errorf("mdevctl %q", host.Mdev.Mdevctl)
	}
	for file, says := range map[string]string{
		typeDir + "nvidia-222/description":              `max_instance="many": not a positive number`,
		typeDir + "nvidia-222/available_instances":      `"lots": not a decimal number`,
		typeDir + "nvidia-223/available_instances":      `"-1": not a number of instances`,
		typeDir + "nvidia-224/name":                     "missing",
		typeDir + "nvidia-224/device_api":               "missing",
		"/sys/bus/mdev/devices/" + other + "/mdev_type": "not a readable symlink",
		"/sys/bus/mdev/devices/not-a-uuid":              "not a mediated device's UUID",
		defs + mdevUUID:                                 `"mdev_type" or "start" is missing`,
		defs + other:                                    `"attrs" is not an array of objects`,
		defs + "notes.txt":                              "not named by an mdev UUID",
		defs + "0b9a2f6e-39a0-4e5c-9d2b-6b8d3c1e7f01":   "larger than 65536 bytes",
	} {
		notes := notesFor(host, file)
		if len(notes) != 1 || !strings.Contains(notes[0].Message, says) {
			t.Errorf("notes for %s = %+v; want one saying %q", file, notes, says)
		}
	}
}

func TestParseMdevMaxInstance(t *testing.T) {
	for in, want := range map[string]int{
		"num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=5120x2880, max_instance=24": 24,
		"max_instance=1":                                 1,
		"num_heads=1 , max_instance = 4 ":                4,
		"2 heads, 512M FB, 2560x1600 maximum resolution": 0, // the kernel ABI doc's example
		"":                0,
		"max_instances=3": 0,
	} {
		got, err := hostinfo.ParseMdevMaxInstance(in)
		if err != nil || got != want {
			t.Errorf("ParseMdevMaxInstance(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"max_instance=", "max_instance=0", "max_instance=-2", "max_instance=+2", "max_instance=24x", "max_instance=99999999999999999999"} {
		if got, err := hostinfo.ParseMdevMaxInstance(in); err == nil {
			t.Errorf("ParseMdevMaxInstance(%q) = %d, nil; want an error", in, got)
		}
	}
}

func TestParseMdevctlDefinition(t *testing.T) {
	for in, want := range map[string]hostinfo.MdevDefinition{
		// As mdevctl writes it (serde_json's to_string_pretty).
		"{\n  \"mdev_type\": \"nvidia-558\",\n  \"start\": \"auto\",\n  \"attrs\": []\n}":                                {Type: "nvidia-558", Start: "auto"},
		`{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0xab"}]}`: {Type: "vfio_ap-passthrough", Start: "manual"},
		`{"mdev_type":"nvidia-558","start":"Auto"}`:                                                                      {Type: "nvidia-558", Start: "manual"},
		`{"mdev_type":"nvidia-558","start":1,"attrs":null}`:                                                              {Type: "nvidia-558", Start: "manual"},
		`{"mdev_type":"nvidia-558","start":"auto","extra":{"a":1}}`:                                                      {Type: "nvidia-558", Start: "auto"},
	} {
		got, err := hostinfo.ParseMdevctlDefinition([]byte(in))
		if err != nil || got != want {
			t.Errorf("ParseMdevctlDefinition(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "null", "[]", `"auto"`, "{", `{"start":"auto"}`, `{"mdev_type":null,"start":"auto"}`,
		`{"mdev_type":558,"start":"auto"}`, `{"mdev_type":"a","start":"auto"} {}`,
		`{"mdev_type":"a","start":"auto","attrs":{}}`, `{"mdev_type":"a","start":"auto","attrs":[{}]}`,
		`{"mdev_type":"a","start":"auto","attrs":[{"a":"1","b":"2"}]}`, `{"mdev_type":"a","start":"auto","attrs":[{"a":1}]}`,
		`{"mdev_type":"a","start":"auto","attrs":[null]}`,
	} {
		if got, err := hostinfo.ParseMdevctlDefinition([]byte(in)); err == nil {
			t.Errorf("ParseMdevctlDefinition(%q) = %+v, nil; want an error", in, got)
		}
	}
}
