package generate

import (
	"sort"
	"strconv"

	"github.com/gpupass/gpupass/report"
)

// JSONSchema names the machine-readable form of a plan.
const JSONSchema = "gpupass/generate/v1"

// PlanJSON is a plan for tools (`gpupass generate all --format json`).
type PlanJSON struct {
	Schema      string     `json:"schema"`
	Host        string     `json:"host"`
	NovaRelease string     `json:"nova_release"`
	GPUs        []GPUJSON  `json:"gpus"`
	Companions  []string   `json:"companions"`
	Left        []LeftJSON `json:"left"`
	Problems    []string   `json:"problems"`
	// PreflightErrors are preflight's errors on the host and, for each,
	// whether the plan fixes it (and how) or names it in problems.
	PreflightErrors []AnswerJSON    `json:"preflight_errors"`
	Kernel          KernelJSON      `json:"kernel"`
	Modprobe        ModprobeJSON    `json:"modprobe"`
	NovaConf        NovaConfJSON    `json:"nova_conf"`
	Flavors         []FlavorJSON    `json:"flavors"`
	Images          *ImagePropsJSON `json:"image_properties,omitempty"`
	// VGPU is the vGPU configuration (--vgpu-type); absent without one.
	VGPU *VGPUJSON `json:"vgpu,omitempty"`
}

// VGPUJSON is a vGPU plan: the type, the GPUs that give it and how many,
// and the systemd units to install.
type VGPUJSON struct {
	// Framework is "mdev" or "vendor-vfio".
	Framework string `json:"framework"`
	// Type is the mdev type ID (nvidia-558) or the vendor framework's
	// numeric ID (1148); Name its human name.
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
	// Class is the Placement resource class (mdev_class, or the VFs'
	// resource_class with --placement).
	Class string `json:"resource_class,omitempty"`
	// Alias is the vendor framework's type-VF alias.
	Alias string `json:"alias,omitempty"`
	// MaxInstances is the [mdev_<type>]max_instances written (0: none).
	MaxInstances int           `json:"max_instances,omitempty"`
	GPUs         []VGPUGPUJSON `json:"gpus"`
	Units        []UnitJSON    `json:"units"`
}

// VGPUGPUJSON is one GPU of a vGPU plan: how many vGPUs it gives, of how
// many it could, and on which mdev parents or VFs.
type VGPUGPUJSON struct {
	Address string   `json:"address"`
	Count   int      `json:"count"`
	Allowed int      `json:"allowed"`
	Parents []string `json:"parents"`
}

// UnitJSON is a systemd unit file and the commands that enable it.
type UnitJSON struct {
	Path    string   `json:"path"`
	Content string   `json:"content"`
	Enable  []string `json:"enable"`
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

// AnswerJSON is one of preflight's errors and what the plan does about it:
// fixed, and how (the kernel command line, modprobe.d, nova.conf...), or
// not, and the problem that says why.
type AnswerJSON struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Subject report.Subject `json:"subject"`
	Source  string         `json:"source,omitempty"`
	Fixed   bool           `json:"fixed"`
	How     string         `json:"how"`
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
	// DriverctlOverrides are every driverctl override the plan sets, with
	// its driver: those of Driverctl (vfio-pci), and the functions that go
	// to a vfio-pci variant driver (nvgrace_gpu_vfio_pci).
	DriverctlOverrides []OverrideJSON `json:"driverctl_overrides"`
	Initramfs          string         `json:"initramfs"`
	// ModulesLoad is the modules-load.d file that loads the vfio modules
	// at boot (content "" when they need none).
	ModulesLoad FileJSON `json:"modules_load"`
}

// OverrideJSON is a driverctl override: driverctl set-override ADDRESS DRIVER.
type OverrideJSON struct {
	Address string `json:"address"`
	Driver  string `json:"driver"`
}

// FileJSON is a file to write.
type FileJSON struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// NovaConfJSON are the snippets.
type NovaConfJSON struct {
	Compute  string   `json:"compute"`
	API      string   `json:"api"`
	Replaces []string `json:"replaces"`
	Chmod    []string `json:"chmod_0640"`
	// APIReplaces are the lines of --api-conf the API snippet replaces.
	APIReplaces []string `json:"api_replaces"`
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
		GPUs: []GPUJSON{}, Companions: []string{}, Left: []LeftJSON{}, Problems: []string{}, PreflightErrors: []AnswerJSON{},
		Flavors: []FlavorJSON{}}
	for _, pr := range p.Problems {
		j.Problems = append(j.Problems, pr.Text)
	}
	for _, a := range p.Answers {
		j.PreflightErrors = append(j.PreflightErrors, AnswerJSON{a.ID, a.Name, a.Subject, a.Source, a.Fixed, a.How})
	}
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
	j.Modprobe = ModprobeJSON{Path: ModprobePath, Content: p.ModprobeConf(), Replaces: []string{}, Driverctl: []string{}, DriverctlOverrides: []OverrideJSON{}, Initramfs: p.initramfs().String(),
		ModulesLoad: FileJSON{Path: ModulesLoadPath, Content: p.ModulesLoad()}}
	for _, d := range p.ReplacedModprobe() {
		j.Modprobe.Replaces = append(j.Modprobe.Replaces, d.File+":"+strconv.Itoa(d.Line))
	}
	_, byAddr := p.IDBinding()
	for _, d := range byAddr {
		j.Modprobe.Driverctl = append(j.Modprobe.Driverctl, d.Address)
	}
	for _, o := range p.Overrides() {
		j.Modprobe.DriverctlOverrides = append(j.Modprobe.DriverctlOverrides, OverrideJSON{o.Device.Address, o.Driver})
	}
	j.NovaConf = NovaConfJSON{Compute: p.ComputeConf(), API: p.APIConf(), Replaces: []string{}, Chmod: append([]string{}, p.Options.ExposedFiles...), APIReplaces: []string{}}
	for _, v := range p.Replaced() {
		j.NovaConf.Replaces = append(j.NovaConf.Replaces, v.Source.String())
	}
	for _, v := range p.APIReplaced() {
		j.NovaConf.APIReplaces = append(j.NovaConf.APIReplaces, v.Source.String())
	}
	for _, f := range p.Flavors() {
		fj := FlavorJSON{Name: f.Name, VCPUs: f.VCPUs, RAMMB: f.RAMMB, DiskGB: f.DiskGB, ExtraSpecs: map[string]string{}}
		for _, kv := range f.ExtraSpecs {
			fj.ExtraSpecs[kv[0]] = kv[1]
		}
		j.Flavors = append(j.Flavors, fj)
	}
	if v := p.VGPU; v != nil {
		j.VGPU = &VGPUJSON{Framework: v.Framework, Type: v.Type, Name: v.Name, Alias: v.Alias, MaxInstances: p.MaxInstances(), GPUs: []VGPUGPUJSON{}, Units: []UnitJSON{}}
		if v.Framework == FrameworkMdev || v.Class != "" {
			j.VGPU.Class = v.Class
		}
		for _, g := range v.GPUs {
			j.VGPU.GPUs = append(j.VGPU.GPUs, VGPUGPUJSON{g.GPU.Address, g.Count, g.Allowed, append([]string{}, g.Parents...)})
		}
		for _, u := range v.Units {
			uj := UnitJSON{Path: u.Path, Content: u.Content, Enable: []string{}}
			for _, c := range u.Enable {
				uj.Enable = append(uj.Enable, c.String())
			}
			j.VGPU.Units = append(j.VGPU.Units, uj)
		}
	}
	if len(large) > 0 {
		j.Images = &ImagePropsJSON{Aliases: large, Properties: map[string]string{"hw_machine_type": p.largeBARMachine(), "hw_firmware_type": "uefi"}}
	}
	return j, nil
}
