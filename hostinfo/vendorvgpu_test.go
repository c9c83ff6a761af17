package hostinfo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
)

// creatableL40S is creatable_vgpu_types of a free L40S VF as the driver
// writes it (docs/research/vgpu-layouts.md 3.2), shortened.
const creatableL40S = "ID    : vGPU Name\n" +
	"1145  : NVIDIA L40S-1B\n" +
	"1148  : NVIDIA L40S-2Q\n" +
	"1156  : NVIDIA L40S-48Q\n"

// buildVendorVGPUHost lays out an L40S under NVIDIA's vendor-specific
// VFIO framework: the PF and its VFs bound to nvidia, each VF with
// physfn, a vfio-dev/ directory and nvidia/{creatable,current}_vgpu_type;
// no mdev bus. files maps a VF's function to its two files' contents.
func buildVendorVGPUHost(t *testing.T, files map[string][2]string) *hostTree {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	pf := pciDev{sysPath: "pci0000:3a/0000:3a:00.0/0000:3d:00.0", attrs: nvidiaAttrs("26b9"), driver: "nvidia", group: 80}
	pf.attrs["sriov_totalvfs"] = "32\n"
	pf.attrs["sriov_numvfs"] = fmt.Sprintf("%d\n", len(files))
	h.pciDevice(pf)
	i := 0
	for _, fn := range []string{"4", "5", "6", "7"} {
		content, ok := files[fn]
		if !ok {
			continue
		}
		addr := "0000:3d:00." + fn
		vf := pciDev{sysPath: "pci0000:3a/0000:3a:00.0/" + addr, attrs: nvidiaAttrs("26b9"), driver: "nvidia", group: 81 + i}
		dir := h.pciDevice(vf)
		h.link(dir+"/physfn", "../0000:3d:00.0")
		h.link("/sys/devices/"+pf.sysPath+fmt.Sprintf("/virtfn%d", i), "../"+addr)
		h.dir(dir + fmt.Sprintf("/vfio-dev/vfio%d", i))
		if content[0] != deleteAttr {
			h.file(dir+"/nvidia/creatable_vgpu_types", content[0])
		}
		if content[1] != deleteAttr {
			h.file(dir+"/nvidia/current_vgpu_type", content[1])
		}
		i++
	}
	return h
}

func TestCollectVendorVGPU(t *testing.T) {
	h := buildVendorVGPUHost(t, map[string][2]string{
		// A VF with a vGPU: the list shrinks to its type.
		"4": {"ID    : vGPU Name\n1148  : NVIDIA L40S-2Q\n", "1148\n"},
		// A free VF.
		"5": {creatableL40S, "0\n"},
		// A card whose vGPUs are all taken: the header alone.
		"6": {"ID    : vGPU Name\n", "0\n"},
		// Garbage, and a file missing.
		"7": {"ID    : vGPU Name\nnot a table\n", deleteAttr},
	})
	host := h.collect(hostinfo.Options{})
	for addr, want := range map[string]*pcidev.VendorVGPU{
		"0000:3d:00.0": nil,
		"0000:3d:00.4": {Creatable: []pcidev.VGPUType{{ID: 1148, Name: "NVIDIA L40S-2Q"}}, CreatableKnown: true, Current: 1148, CurrentKnown: true},
		"0000:3d:00.5": {Creatable: []pcidev.VGPUType{{ID: 1145, Name: "NVIDIA L40S-1B"}, {ID: 1148, Name: "NVIDIA L40S-2Q"}, {ID: 1156, Name: "NVIDIA L40S-48Q"}},
			CreatableKnown: true, CurrentKnown: true},
		"0000:3d:00.6": {CreatableKnown: true, CurrentKnown: true},
		"0000:3d:00.7": {},
	} {
		if diff := cmp.Diff(want, device(t, host, addr).VGPU); diff != "" {
			t.Errorf("%s VGPU (-want +got):\n%s", addr, diff)
		}
	}
	dir := "/sys/bus/pci/devices/0000:3d:00.7/nvidia/"
	for file, says := range map[string]string{
		dir + "creatable_vgpu_types": `line 2: "not a table" is not a vGPU type's ID and name`,
		dir + "current_vgpu_type":    "missing",
	} {
		notes := notesFor(host, file)
		if len(notes) != 1 || !strings.Contains(notes[0].Message, says) {
			t.Errorf("notes for %s = %+v; want one saying %q", file, notes, says)
		}
	}
	if len(notesFor(host, "/sys/bus/pci/devices/0000:3d:00.5/nvidia/current_vgpu_type")) != 0 {
		t.Errorf("note on a readable file: %+v", host.Notes)
	}
	if host.Mdev.Bus || host.Mdev.Parents != nil {
		t.Errorf("mdev state on a host without an mdev bus: %+v", host.Mdev)
	}
}

func TestParseCreatableVGPUTypes(t *testing.T) {
	for in, want := range map[string][]pcidev.VGPUType{
		creatableL40S:         {{ID: 1145, Name: "NVIDIA L40S-1B"}, {ID: 1148, Name: "NVIDIA L40S-2Q"}, {ID: 1156, Name: "NVIDIA L40S-48Q"}},
		"ID    : vGPU Name\n": nil,
		"":                    nil,
		// Without the header, as an H200 example shows it.
		"1428 : NVIDIA H200X-141C\n1414 : NVIDIA H200X-1-18C\n":  {{ID: 1428, Name: "NVIDIA H200X-141C"}, {ID: 1414, Name: "NVIDIA H200X-1-18C"}},
		"ID    : vGPU Name\r\n941   : NVIDIA RTX6000-Ada-1Q\r\n": {{ID: 941, Name: "NVIDIA RTX6000-Ada-1Q"}},
	} {
		got, err := hostinfo.ParseCreatableVGPUTypes([]byte(in))
		if err != nil {
			t.Errorf("ParseCreatableVGPUTypes(%q): %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ParseCreatableVGPUTypes(%q) (-want +got):\n%s", in, diff)
		}
	}
	for _, in := range []string{
		"ID : vGPU Name\n1148 NVIDIA L40S-2Q\n", "1148 :\n", ": NVIDIA L40S-2Q\n", "-3 : x\n", "0 : x\n", "+3 : x\n",
		"1148 : a\nID : vGPU Name\n", "\x00\x01\n", "99999999999999999999 : x\n",
	} {
		if got, err := hostinfo.ParseCreatableVGPUTypes([]byte(in)); err == nil {
			t.Errorf("ParseCreatableVGPUTypes(%q) = %v, nil; want an error", in, got)
		}
	}
}

func TestParseCurrentVGPUType(t *testing.T) {
	for in, want := range map[string]int{"0\n": 0, "1148\n": 1148, " 7 ": 7} {
		if got, err := hostinfo.ParseCurrentVGPUType([]byte(in)); err != nil || got != want {
			t.Errorf("ParseCurrentVGPUType(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "\n", "-1\n", "-0", "+1", "1148 : NVIDIA L40S-2Q\n", "0x47c"} {
		if got, err := hostinfo.ParseCurrentVGPUType([]byte(in)); err == nil {
			t.Errorf("ParseCurrentVGPUType(%q) = %d, nil; want an error", in, got)
		}
	}
}
