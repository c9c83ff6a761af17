package boot

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// generateFixtures are the fixture hosts whose generated nova.conf and
// flavors must boot a server: every fixture with a GPU to give to guests
// by PCI passthrough (the vGPU fixtures are generate's --vgpu-type, and
// mdevs are not in this harness yet).
var generateFixtures = []string{"h100-hgx", "epyc-mi210", "a100-sriov", "boot-vga-gpu", "acs-override", "quirks", "nvme-shared-group", "turing-workstation", "gh200-nvgrace"}

// parseINI reads the nova.conf text generate writes: [group] lines and
// "option = value" lines, comments and blank lines aside.
func parseINI(text string) conf {
	c := conf{}
	group := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			group = strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if ok && group != "" {
				if c[group] == nil {
					c[group] = map[string][]string{}
				}
				k = strings.TrimSpace(k)
				c[group][k] = append(c[group][k], strings.TrimSpace(v))
			}
		}
	}
	return c
}

// generated is the host case of what `gpupass generate all` writes for a
// fixture under a release's rules: the compute node's [pci] options and the
// API node's aliases and filters (one process: the API's aliases win), and
// its flavors, each to boot once. ok is false when generate gives no GPU.
func generated(t *testing.T, e *env, s suite, fixture string) (hostCase, bool) {
	raw := e.gpupassRun(t, "generate", "all", "--root", "testdata/hosts/"+fixture, "--nova-release", s.Release, "--format", "json")
	var g struct {
		NovaConf struct {
			Compute string `json:"compute"`
			API     string `json:"api"`
		} `json:"nova_conf"`
		Flavors []struct {
			Name       string            `json:"name"`
			VCPUs      int               `json:"vcpus"`
			RAMMB      int               `json:"ram_mb"`
			DiskGB     int               `json:"disk_gb"`
			ExtraSpecs map[string]string `json:"extra_specs"`
		} `json:"flavors"`
		GPUs []struct {
			Address string `json:"address"`
		} `json:"gpus"`
		Companions []string `json:"companions"`
		Kernel     struct {
			Cmdline string `json:"cmdline"`
		} `json:"kernel"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("generate all --root testdata/hosts/%s: %v", fixture, err)
	}
	if len(g.Flavors) == 0 {
		return hostCase{}, false
	}
	c := parseINI(g.NovaConf.Compute)
	for group, opts := range parseINI(g.NovaConf.API) {
		for opt, vals := range opts {
			c = c.with(group, opt, vals...)
		}
	}
	hc := hostCase{Name: "generate-" + fixture, Fixture: fixture, Conf: c, Generated: true}
	// The host as generate's plan leaves it, which the audit judges: the
	// GPUs and their companions (the other functions of their IOMMU
	// groups) bound to vfio-pci by ID at boot (modprobe.d and the kernel's
	// vfio-pci.ids), with the kernel command line it writes. fakelibvirt
	// knows no drivers and no IOMMU groups, so Nova boots these flavors on
	// the host as it is, where a real boot fails in VFIO until the plan is
	// applied (turing-workstation: the card's USB and UCSI functions on
	// host drivers, GP202).
	bind := map[string]bool{}
	for _, g := range g.GPUs {
		bind[g.Address] = true
	}
	for _, a := range g.Companions {
		bind[a] = true
	}
	hc.Edit = func(host map[string]any) {
		if k, ok := host["kernel"].(map[string]any); ok && g.Kernel.Cmdline != "" {
			k["cmdline"] = g.Kernel.Cmdline
		}
		devs, _ := host["pci_devices"].([]any)
		for _, d := range devs {
			m, _ := d.(map[string]any)
			if addr, _ := m["address"].(string); bind[addr] {
				m["driver"], m["driver_module"] = "vfio-pci", "vfio_pci"
			}
		}
	}
	for _, f := range g.Flavors {
		hc.Flavors = append(hc.Flavors, flavor{Name: f.Name, VCPUs: f.VCPUs, RAMMB: f.RAMMB, DiskGB: f.DiskGB, Specs: f.ExtraSpecs})
	}
	return hc, true
}
