package hostinfo

import (
	"slices"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/pcidev"
)

// displayServers are the programs that drive a display: a GPU one of them
// holds open is the host's, not a guest's.
var displayServers = map[string]bool{
	"Xorg": true, "X": true, "Xwayland": true, "gnome-shell": true, "kwin_wayland": true,
	"kwin_x11": true, "sway": true, "weston": true, "mutter": true, "gdm-wayland-session": true,
	"cage": true, "Hyprland": true, "labwc": true, "river": true, "wayfire": true,
}

// dri reads the DRM clients the kernel lists under debugfs
// (/sys/kernel/debug/dri/N/name says "DRIVER dev=ADDRESS ...", N/clients
// lists "command pid dev master ..."): which display servers hold which
// PCI function open. debugfs is root's only and often not mounted; then
// nothing is known and nothing is noted.
func (c *collector) dri() {
	entries, err := c.fs.ReadDir("/sys/kernel/debug/dri")
	if err != nil {
		return
	}
	byAddr := map[string]*pcidev.Device{}
	for i := range c.host.Devices {
		byAddr[c.host.Devices[i].Address] = &c.host.Devices[i]
	}
	for _, e := range entries {
		dir := "/sys/kernel/debug/dri/" + e.Name()
		name, err := c.fs.ReadFile(dir + "/name")
		if err != nil {
			continue
		}
		d := byAddr[ParseDRIName(string(name))]
		if d == nil {
			continue
		}
		clients, err := c.fs.ReadFile(dir + "/clients")
		if err != nil {
			continue
		}
		for _, cmd := range ParseDRIClients(string(clients)) {
			if displayServers[cmd] && !slices.Contains(d.DisplayClients, cmd) {
				d.DisplayClients = append(d.DisplayClients, cmd)
			}
		}
		sort.Strings(d.DisplayClients)
	}
}

// ParseDRIName returns the PCI address of a debugfs dri/N/name file
// ("i915 dev=0000:00:02.0 master=pci:0000:00:02.0 unique=0000:00:02.0"),
// "" when it names none.
func ParseDRIName(s string) string {
	for _, f := range strings.Fields(s) {
		if v, ok := strings.CutPrefix(f, "dev="); ok {
			if a, err := pcidev.ParseAddress(v); err == nil {
				return a.String()
			}
		}
	}
	return ""
}

// ParseDRIClients returns the commands of a debugfs dri/N/clients file:
// a header line, then "command pid dev master a uid magic" per client.
func ParseDRIClients(s string) []string {
	var out []string
	for i, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 2 {
			continue
		}
		out = append(out, f[0])
	}
	return out
}
