package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/pcidev"
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
	cols := inventoryColumns(inv)
	for _, g := range inv.Groups {
		state := t.paint(ansiGreen, "viable")
		if !g.Viable {
			var why []string
			for _, b := range g.Blockers {
				drv := b.Driver
				if drv == "" {
					drv = "an " + unknownDriver
				}
				why = append(why, b.Address+" on "+drv)
			}
			state = t.paint(ansiRed, "NOT viable") + " (" + strings.Join(why, ", ") + ")"
		}
		t.printf("\n%s", wrap(fmt.Sprintf("IOMMU group %d: %s", g.ID, state), "", "  ", t.width+colorSlack(t)))
		for _, d := range g.Devices {
			t.device(d, cols)
		}
	}
	if len(inv.Ungrouped) > 0 {
		t.printf("\n%s\n", "Not in any IOMMU group")
		for _, d := range inv.Ungrouped {
			t.device(d, cols)
		}
	}
	return t.err
}

// unknownDriver is said of a function whose driver could not be read, in
// the device's line and in its group's blockers alike: not "(no driver)",
// which is a function no driver holds.
const unknownDriver = "unknown driver"

// deviceCells are the columns of a function's line.
type deviceCells struct {
	address, ids, class, driver, numa string
}

func inventoryCells(d report.InventoryDevice) deviceCells {
	pd := d.PCIDevice()
	driver := d.Driver
	switch {
	case driver != "":
	case pcidev.Unreadable(&pd, "driver"):
		driver = "(" + unknownDriver + ")"
	default:
		driver = "(no driver)"
	}
	numa := "NUMA ?"
	if d.NUMANode != nil {
		numa = fmt.Sprintf("NUMA %d", *d.NUMANode)
	}
	return deviceCells{address: d.Address, ids: hexID(d.VendorID) + ":" + hexID(d.DeviceID), class: className(d.Class), driver: driver, numa: numa}
}

// hexID is a vendor or device ID, or ???? when it could not be read, so
// that an unknown vendor is not ":7aa4".
func hexID(id string) string {
	if id == "" {
		return "????"
	}
	return id
}

// inventoryColumns are the widths of the columns, from the widest cell of
// each: a class such as host-bridge or a driver such as intel_pch_thermal
// no longer pushes the columns after it out of line. A driver longer than
// maxDriverColumn overflows its own line only.
func inventoryColumns(inv report.Inventory) deviceCells {
	const maxDriverColumn = 20
	var w struct{ address, ids, class, driver int }
	measure := func(d report.InventoryDevice) {
		c := inventoryCells(d)
		w.address = max(w.address, len(c.address))
		w.ids = max(w.ids, len(c.ids))
		w.class = max(w.class, len(c.class))
		w.driver = max(w.driver, min(len(c.driver), maxDriverColumn))
	}
	for _, g := range inv.Groups {
		for _, d := range g.Devices {
			measure(d)
		}
	}
	for _, d := range inv.Ungrouped {
		measure(d)
	}
	pad := func(n int) string { return strings.Repeat(" ", n) }
	return deviceCells{address: pad(w.address), ids: pad(w.ids), class: pad(w.class), driver: pad(w.driver)}
}

// colorSlack lets a line with escape codes be as long as one without.
func colorSlack(t *textWriter) int {
	if t.opts.Color {
		return len(ansiGreen) + len(ansiReset)
	}
	return 0
}

// device writes a function's line, its cells padded to the widths in
// cols (blank strings of the columns' widths), and its details.
func (t *textWriter) device(d report.InventoryDevice, cols deviceCells) {
	c := inventoryCells(d)
	mark := " "
	if d.Passthrough {
		mark = "*"
	}
	cell := func(s, width string) string {
		if len(s) < len(width) {
			return s + width[len(s):]
		}
		return s
	}
	t.printf("%s %s %s %s %s %s\n", mark, cell(c.address, cols.address), cell(c.ids, cols.ids), cell(c.class, cols.class), cell(c.driver, cols.driver), c.numa)
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
