package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/hostinfo"
)

// The Prometheus text exposition format (version 0.0.4), as node_exporter's
// textfile collector reads it: one file per producer, every family with
// HELP and TYPE, each series once. Every series carries a command label so
// that a preflight and an audit on the same node can write two files to
// the collector's directory without their series colliding.

// Prometheus writes a check report as Prometheus metrics:
//
//	gpupass_build_info{command,version} 1
//	gpupass_check_status{command,id,name} 1 pass, 0 fail, -1 skipped
//	gpupass_findings{command,severity} the count per severity
//	gpupass_gpu_info{command,address,vendor_id,device_id,model,driver,iommu_group,numa_node} 1
//	gpupass_last_run_timestamp_seconds{command} when the report was made
//
// gpu_info lists the display-class functions of the report's host (none
// for lint, audit and diff, which have no host).
func Prometheus(w io.Writer, r checks.Report) error {
	at, err := reportTime(r.GeneratedAt)
	if err != nil {
		return err
	}
	p := newPromWriter(w, r.Command)
	p.buildInfo(r.Tool.Version)

	p.family("gpupass_check_status", "Outcome of a gpupass check: 1 passed, 0 failed (error or warning findings), -1 skipped (see gpupass checks ID).")
	for _, c := range r.Checks {
		v := "1"
		switch c.Status {
		case checks.StatusFail:
			v = "0"
		case checks.StatusSkip:
			v = "-1"
		}
		p.sample("gpupass_check_status", v, "id", c.ID, "name", c.Name)
	}

	p.family("gpupass_findings", "Findings of the last gpupass run by severity.")
	p.sample("gpupass_findings", strconv.Itoa(r.Summary.Errors), "severity", string(checks.Error))
	p.sample("gpupass_findings", strconv.Itoa(r.Summary.Warnings), "severity", string(checks.Warning))
	p.sample("gpupass_findings", strconv.Itoa(r.Summary.Infos), "severity", string(checks.Info))

	if r.Host != nil {
		var gpus []*hostinfo.PCIDevice
		for i := range r.Host.Devices {
			if checks.IsDisplay(&r.Host.Devices[i]) {
				gpus = append(gpus, &r.Host.Devices[i])
			}
		}
		p.gpuInfo(gpus)
	}
	p.lastRun(at)
	return p.flush()
}

// InventoryPrometheus writes an inventory's GPUs (its display-class
// functions) as gpupass_gpu_info, with the build and the time at.
func InventoryPrometheus(w io.Writer, inv checks.Inventory, at time.Time) error {
	p := newPromWriter(w, "inventory")
	p.buildInfo(inv.Tool.Version)
	var gpus []*hostinfo.PCIDevice
	add := func(ds []checks.InventoryDevice) {
		for i := range ds {
			if ds[i].Role == "gpu" {
				gpus = append(gpus, &ds[i].PCIDevice)
			}
		}
	}
	for _, g := range inv.Groups {
		add(g.Devices)
	}
	add(inv.Ungrouped)
	p.gpuInfo(gpus)
	p.lastRun(at)
	return p.flush()
}

// reportTime parses a report's generated_at.
func reportTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("prometheus: the report has no generated_at")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("prometheus: generated_at %q: %v", s, err)
	}
	return t, nil
}

type promWriter struct {
	w       *bufio.Writer
	command string
}

func newPromWriter(w io.Writer, command string) *promWriter {
	return &promWriter{w: bufio.NewWriter(w), command: command}
}

func (p *promWriter) family(name, help string) {
	fmt.Fprintf(p.w, "# HELP %s %s\n# TYPE %s gauge\n", name, escapeHelp(help), name)
}

// sample writes one series: the command label first, then the given
// label pairs.
func (p *promWriter) sample(name, value string, labels ...string) {
	p.w.WriteString(name)
	p.w.WriteString(`{command="`)
	p.w.WriteString(escapeLabel(p.command))
	p.w.WriteByte('"')
	for i := 0; i+1 < len(labels); i += 2 {
		p.w.WriteByte(',')
		p.w.WriteString(labels[i])
		p.w.WriteString(`="`)
		p.w.WriteString(escapeLabel(labels[i+1]))
		p.w.WriteByte('"')
	}
	p.w.WriteString("} ")
	p.w.WriteString(value)
	p.w.WriteByte('\n')
}

func (p *promWriter) buildInfo(version string) {
	p.family("gpupass_build_info", "The gpupass build that wrote these metrics (always 1).")
	p.sample("gpupass_build_info", "1", "version", version)
}

// gpuInfo writes the family only when there are GPUs: a family without
// samples says nothing.
func (p *promWriter) gpuInfo(gpus []*hostinfo.PCIDevice) {
	if len(gpus) == 0 {
		return
	}
	p.family("gpupass_gpu_info", "A display-class PCI function of the host (always 1): its IDs, model, driver (empty: none bound), IOMMU group and NUMA node (empty: none).")
	seen := map[string]bool{}
	for _, d := range gpus {
		// The same function twice would be a duplicate series, which
		// node_exporter rejects along with the whole file.
		if seen[d.Address] {
			continue
		}
		seen[d.Address] = true
		p.sample("gpupass_gpu_info", "1",
			"address", d.Address,
			"vendor_id", d.VendorID,
			"device_id", d.DeviceID,
			"model", d.Model,
			"driver", d.Driver,
			"iommu_group", optInt(d.IOMMUGroup),
			"numa_node", optInt(d.NUMANode))
	}
}

func (p *promWriter) lastRun(at time.Time) {
	p.family("gpupass_last_run_timestamp_seconds", "When gpupass last ran and wrote these metrics (Unix time); a stale value means the runs stopped or failed (exit status 2 leaves the file as it was).")
	p.sample("gpupass_last_run_timestamp_seconds", strconv.FormatInt(at.Unix(), 10))
}

func (p *promWriter) flush() error { return p.w.Flush() }

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

// escapeLabel escapes a label value; the format is UTF-8, so invalid
// bytes (a corrupt sysfs string) become U+FFFD.
func escapeLabel(s string) string {
	return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

func escapeHelp(s string) string {
	return helpEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}
