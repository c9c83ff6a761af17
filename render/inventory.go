package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/report"
)

// classNames are short names for the classes seen around GPUs; others are
// shown as hex.
var classNames = map[string]string{
	"0300": "VGA", "0302": "3D", "0380": "display", "0403": "audio",
	"0c03": "USB", "0c80": "serial-bus", "0604": "bridge", "0600": "host-bridge",
	"0680": "bridge", "0108": "NVMe", "0106": "SATA", "0200": "ethernet",
	"0207": "infiniband", "0280": "network", "1200": "accelerator", "0880": "system",
}

func className(class string) string {
	if len(class) >= 4 {
		if n, ok := classNames[class[:4]]; ok {
			return n
		}
	}
	if class == "" {
		return "?"
	}
	return class
}

// InventoryText lists IOMMU groups and their functions, two lines per
// function to stay within 80 columns.
func InventoryText(w io.Writer, inv report.Inventory, opts Options) error {
	t := &textWriter{w: w, opts: opts, width: opts.Width}
	if t.width <= 0 {
		t.width = 80
	}
	t.printf("%s\n", t.paint(ansiBold, "gpupass inventory: "+orUnknown(inv.Hostname)))
	if !inv.IOMMUActive {
		t.printf("%s", wrap("No IOMMU groups: the IOMMU is off (see gpupass preflight, GP102 and GP103), so no device can be assigned.", "", "", t.width))
	}
	if len(inv.Groups) == 0 && len(inv.Ungrouped) == 0 {
		t.printf("No GPU found (gpupass inventory --all lists every group).\n")
	}
	for _, g := range inv.Groups {
		state := t.paint(ansiGreen, "viable")
		if !g.Viable {
			var why []string
			for _, b := range g.Blockers {
				drv := b.Driver
				if drv == "" {
					drv = "unknown driver"
				}
				why = append(why, b.Address+" on "+drv)
			}
			state = t.paint(ansiRed, "NOT viable") + " (" + strings.Join(why, ", ") + ")"
		}
		t.printf("\n%s", wrap(fmt.Sprintf("IOMMU group %d: %s", g.ID, state), "", "  ", t.width+colorSlack(t)))
		for _, d := range g.Devices {
			t.device(d)
		}
	}
	if len(inv.Ungrouped) > 0 {
		t.printf("\n%s\n", "Not in any IOMMU group")
		for _, d := range inv.Ungrouped {
			t.device(d)
		}
	}
	return t.err
}

// colorSlack lets a line with escape codes be as long as one without.
func colorSlack(t *textWriter) int {
	if t.opts.Color {
		return len(ansiGreen) + len(ansiReset)
	}
	return 0
}

func (t *textWriter) device(d report.InventoryDevice) {
	driver := d.Driver
	if driver == "" {
		driver = "(no driver)"
	}
	numa := "NUMA ?"
	if d.NUMANode != nil {
		numa = fmt.Sprintf("NUMA %d", *d.NUMANode)
	}
	ids := d.VendorID + ":" + d.DeviceID
	mark := " "
	if d.Passthrough {
		mark = "*"
	}
	t.printf("%s %-13s %-9s %-10s %-16s %s\n", mark, d.Address, ids, className(d.Class), driver, numa)
	var details []string
	if d.Model != "" {
		details = append(details, d.Model)
	}
	if d.Role != "bridge" {
		switch {
		case d.ResetMethod == nil:
		case len(d.ResetMethod) == 0:
			details = append(details, "reset: none")
		default:
			details = append(details, "reset: "+strings.Join(d.ResetMethod, ","))
		}
		if bars := formatBARs(d.BARs); bars != "" {
			details = append(details, "BARs: "+bars)
		}
	}
	if len(details) > 0 {
		t.printf("%s", wrap(strings.Join(details, "; "), "    ", "    ", t.width))
	}
}

func formatBARs(bars []report.BAR) string {
	var parts []string
	for _, b := range bars {
		if b.IO {
			continue
		}
		s := fmt.Sprintf("%d=%s", b.Index, humanSize(b.Size))
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func humanSize(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && n%1024 == 0 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%d%s", n, units[i])
}
