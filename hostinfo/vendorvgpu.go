package hostinfo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/pcidev"
)

// NVIDIA's vendor-specific VFIO framework (vGPU 17 and later on kernels
// with vfio-pci-core): the nvidia driver creates a directory nvidia/ on
// each VF it registers with VFIO, holding creatable_vgpu_types and
// current_vgpu_type (NVIDIA's vgpu-vfio-pci-core.c;
// docs/research/vgpu-layouts.md section 3.2). Newer drivers add files
// (gpu_instance_id, placement_id, vgpu_params...) that gpupass does not
// read.

// vendorVGPU reads a function's nvidia/ directory. What cannot be read or
// parsed is left unknown (CreatableKnown, CurrentKnown false) with a note
// naming the file.
func (r *deviceReader) vendorVGPU() *pcidev.VendorVGPU {
	v := &pcidev.VendorVGPU{}
	r.fs.rec.note(r.dir+"/nvidia", AccessFollow)
	dir, err := r.sys.openDir("nvidia")
	if err != nil {
		r.note("nvidia", "%s: its vGPU types are unknown", describeErr(err))
		return v
	}
	defer dir.close()
	read := func(name string) ([]byte, bool) {
		r.fs.rec.note(r.dir+"/nvidia/"+name, AccessRead)
		data, err := dir.readFile(name)
		if err != nil {
			r.note("nvidia/"+name, "%s", describeErr(err))
			return nil, false
		}
		return data, true
	}
	if data, ok := read("creatable_vgpu_types"); ok {
		types, err := ParseCreatableVGPUTypes(data)
		if err != nil {
			r.note("nvidia/creatable_vgpu_types", "%v", err)
		} else {
			v.Creatable, v.CreatableKnown = types, true
		}
	}
	if data, ok := read("current_vgpu_type"); ok {
		id, err := ParseCurrentVGPUType(data)
		if err != nil {
			r.note("nvidia/current_vgpu_type", "%v", err)
		} else {
			v.Current, v.CurrentKnown = id, true
		}
	}
	return v
}

// ParseCreatableVGPUTypes parses nvidia/creatable_vgpu_types: a header
// "ID    : vGPU Name", then one "%-5d : %s" line per type
// ("1148  : NVIDIA L40S-2Q"), in the file's order. The header alone (or
// an empty file) lists no type: nil. Some captures show the lines without
// the header, which is accepted too. A line that is neither the header
// nor an ID and a name is an error: the whole list is then unknown.
func ParseCreatableVGPUTypes(data []byte) ([]pcidev.VGPUType, error) {
	var types []pcidev.VGPUType
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		idText, name, ok := strings.Cut(line, ":")
		idText, name = strings.TrimSpace(idText), strings.TrimSpace(name)
		if ok && idText == "ID" && strings.Join(strings.Fields(name), " ") == "vGPU Name" {
			if len(types) > 0 {
				return nil, fmt.Errorf("line %d: a second header", n+1)
			}
			continue
		}
		id, err := strconv.Atoi(idText)
		if !ok || err != nil || id <= 0 || idText[0] == '+' || name == "" {
			return nil, fmt.Errorf("line %d: %q is not a vGPU type's ID and name", n+1, clip(line))
		}
		types = append(types, pcidev.VGPUType{ID: id, Name: name})
	}
	return types, nil
}

// ParseCurrentVGPUType parses nvidia/current_vgpu_type: the ID of the
// vGPU type created on the VF ("%d\n"), 0 when none is.
func ParseCurrentVGPUType(data []byte) (int, error) {
	s := strings.TrimSpace(string(data))
	id, err := strconv.Atoi(s)
	if err != nil || s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q: not a vGPU type ID", clip(s))
	}
	return id, nil
}
