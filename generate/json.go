package generate

import (
	"sort"
	"strconv"
)

// JSONSchema names the machine-readable form of a plan.
const JSONSchema = "gpupass/generate/v1"

// PlanJSON is a plan for tools (`gpupass generate all --format json`).
type PlanJSON struct {
	Schema      string          `json:"schema"`
	Host        string          `json:"host"`
	NovaRelease string          `json:"nova_release"`
	GPUs        []GPUJSON       `json:"gpus"`
	Companions  []string        `json:"companions"`
	Left        []LeftJSON      `json:"left"`
	Problems    []string        `json:"problems"`
	Kernel      KernelJSON      `json:"kernel"`
	Modprobe    ModprobeJSON    `json:"modprobe"`
	NovaConf    NovaConfJSON    `json:"nova_conf"`
	Flavors     []FlavorJSON    `json:"flavors"`
	Images      *ImagePropsJSON `json:"image_properties,omitempty"`
}

// GPUJSON is a selected GPU.
type GPUJSON struct {
	Address    string `json:"address"`
	VendorID   string `json:"vendor_id"`
	DeviceID   string `json:"device_id"`
	Model      string `json:"model,omitempty"`
	Alias      string `json:"alias"`
	DeviceType string `json:"device_type"`
}

// LeftJSON is a display device left with the host.
type LeftJSON struct {
	Address string `json:"address"`
	Why     string `json:"why"`
}

// KernelJSON is the command-line change.
type KernelJSON struct {
	Add     []string `json:"add"`
	Remove  []string `json:"remove"`
	Cmdline string   `json:"cmdline"`
}

// ModprobeJSON is the modprobe.d file and the by-address bindings.
type ModprobeJSON struct {
	Path      string   `json:"path"`
	Content   string   `json:"content"`
	Replaces  []string `json:"replaces"`
	Driverctl []string `json:"driverctl"`
	Initramfs string   `json:"initramfs"`
}

// NovaConfJSON are the snippets.
type NovaConfJSON struct {
	Compute  string   `json:"compute"`
	API      string   `json:"api"`
	Replaces []string `json:"replaces"`
	Chmod    []string `json:"chmod_0640"`
}

// FlavorJSON is a flavor to create.
type FlavorJSON struct {
	Name       string            `json:"name"`
	VCPUs      int               `json:"vcpus"`
	RAMMB      int               `json:"ram_mb"`
	DiskGB     int               `json:"disk_gb"`
	ExtraSpecs map[string]string `json:"extra_specs"`
}

// ImagePropsJSON are the image properties large-BAR GPUs need.
type ImagePropsJSON struct {
	Aliases    []string          `json:"aliases"`
	Properties map[string]string `json:"properties"`
}

// JSON is the plan for tools. Lists are never null.
func (p *Plan) JSON() (*PlanJSON, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	j := &PlanJSON{Schema: JSONSchema, Host: p.Host.Hostname, NovaRelease: p.Options.Release.Name,
		GPUs: []GPUJSON{}, Companions: []string{}, Left: []LeftJSON{}, Problems: append([]string{}, p.Problems...),
		Flavors: []FlavorJSON{}}
	var large []string
	for _, m := range p.Models {
		for _, d := range m.Devices {
			j.GPUs = append(j.GPUs, GPUJSON{d.Address, m.VendorID, m.DeviceID, m.Name, m.Alias, m.DeviceType})
		}
		if m.LargeBAR {
			large = append(large, m.Alias)
		}
	}
	sort.Slice(j.GPUs, func(a, b int) bool { return j.GPUs[a].Address < j.GPUs[b].Address })
	for _, c := range p.Companions {
		j.Companions = append(j.Companions, c.Address)
	}
	for _, l := range p.Left {
		j.Left = append(j.Left, LeftJSON{l.Device.Address, l.Why})
	}
	k := p.Kernel()
	j.Kernel = KernelJSON{Add: append([]string{}, k.Add...), Remove: append([]string{}, k.Remove...), Cmdline: p.NewCmdline()}
	j.Modprobe = ModprobeJSON{Path: ModprobePath, Content: p.ModprobeConf(), Replaces: []string{}, Driverctl: []string{}, Initramfs: p.initramfs().String()}
	for _, d := range p.ReplacedModprobe() {
		j.Modprobe.Replaces = append(j.Modprobe.Replaces, d.File+":"+strconv.Itoa(d.Line))
	}
	_, byAddr := p.IDBinding()
	for _, d := range byAddr {
		j.Modprobe.Driverctl = append(j.Modprobe.Driverctl, d.Address)
	}
	j.NovaConf = NovaConfJSON{Compute: p.ComputeConf(), API: p.APIConf(), Replaces: []string{}, Chmod: append([]string{}, p.Options.ExposedFiles...)}
	for _, v := range p.Replaced() {
		j.NovaConf.Replaces = append(j.NovaConf.Replaces, v.Source.String())
	}
	for _, f := range p.Flavors() {
		fj := FlavorJSON{Name: f.Name, VCPUs: f.VCPUs, RAMMB: f.RAMMB, DiskGB: f.DiskGB, ExtraSpecs: map[string]string{}}
		for _, kv := range f.ExtraSpecs {
			fj.ExtraSpecs[kv[0]] = kv[1]
		}
		j.Flavors = append(j.Flavors, fj)
	}
	if len(large) > 0 {
		j.Images = &ImagePropsJSON{Aliases: large, Properties: map[string]string{"hw_machine_type": "q35", "hw_firmware_type": "uefi"}}
	}
	if len(p.Models) == 0 { // nothing to change
		j.Kernel = KernelJSON{Add: []string{}, Remove: []string{}, Cmdline: p.Host.Kernel.Cmdline}
		j.Modprobe.Content = ""
		j.NovaConf.Compute, j.NovaConf.API = "", ""
	}
	return j, nil
}
