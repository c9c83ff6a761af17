package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
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
//	gpupass_gpu_info{command,address,vendor_id,device_id,model,driver,iommu_group,numa_node,passthrough} 1
//	gpupass_last_run_timestamp_seconds{command} when the report was made
//	gpupass_flavor_bootable{command,flavor,flavor_id} 1 or 0 (audit only)
//	gpupass_flavor_more_instances{command,flavor,flavor_id,exact} how many more fit (audit only)
//
// gpu_info lists the GPUs of the report's host (none for lint, audit and
// diff, which have no host): its display-class functions but a BMC's or
// a hypervisor's display adapter, and any other passthrough GPU (an
// accelerator named with --gpu). passthrough is "true" for those the
// checks treated as passthrough GPUs.
func Prometheus(w io.Writer, r report.Report) error {
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
		case report.StatusFail:
			v = "0"
		case report.StatusSkip:
			v = "-1"
		}
		p.sample("gpupass_check_status", v, "id", c.ID, "name", c.Name)
	}

	p.family("gpupass_findings", "Findings of the last gpupass run by severity.")
	p.sample("gpupass_findings", strconv.Itoa(r.Summary.Errors), "severity", string(report.Error))
	p.sample("gpupass_findings", strconv.Itoa(r.Summary.Warnings), "severity", string(report.Warning))
	p.sample("gpupass_findings", strconv.Itoa(r.Summary.Infos), "severity", string(report.Info))

	if r.Host != nil {
		passthrough := map[string]bool{}
		for _, a := range r.PassthroughGPUs {
			passthrough[a] = true
		}
		var gpus []promGPU
		for i := range r.Host.Devices {
			d := &r.Host.Devices[i]
			if isGPU(d) || passthrough[d.Address] {
				gpus = append(gpus, promGPU{d, passthrough[d.Address]})
			}
		}
		p.gpuInfo(gpus)
	}
	if r.Audit != nil {
		p.flavors(r.Audit.Flavors)
	}
	p.lastRun(at)
	return p.flush()
}

// flavors writes an audit's GPU flavors: whether a server with each can
// boot, and how many more fit now where the audit could count them (no
// sample when it could not: an unknown is not a zero). Each family is
// written only when there are flavors.
func (p *promWriter) flavors(fs []report.AuditFlavor) {
	if len(fs) == 0 {
		return
	}
	seen := map[string]bool{}
	p.family("gpupass_flavor_bootable", "Whether a server with this GPU flavor can boot now, as gpupass audit judged it: 1 yes, 0 no (the audit's findings say why).")
	for _, f := range fs {
		if seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		v := "0"
		if f.Bootable {
			v = "1"
		}
		p.sample("gpupass_flavor_bootable", v, "flavor", f.Name, "flavor_id", f.ID)
	}
	counted := false
	for _, f := range fs {
		counted = counted || f.MoreInstances != nil
	}
	if !counted {
		return
	}
	clear(seen)
	p.family("gpupass_flavor_more_instances", "How many more servers with this GPU flavor fit now, as gpupass audit counted them; exact=\"false\": an upper bound. No sample when the audit could not count them.")
	for _, f := range fs {
		if f.MoreInstances == nil || seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		p.sample("gpupass_flavor_more_instances", strconv.Itoa(*f.MoreInstances), "flavor", f.Name, "flavor_id", f.ID, "exact", strconv.FormatBool(f.MoreExact))
	}
}

// InventoryPrometheus writes an inventory's GPUs as gpupass_gpu_info (as
// Prometheus chooses them), with the build and the time at.
func InventoryPrometheus(w io.Writer, inv report.Inventory, at time.Time) error {
	p := newPromWriter(w, "inventory")
	p.buildInfo(inv.Tool.Version)
	var gpus []promGPU
	add := func(ds []report.InventoryDevice) {
		for i := range ds {
			if isGPU(&ds[i].Device) || ds[i].Passthrough {
				gpus = append(gpus, promGPU{&ds[i].Device, ds[i].Passthrough})
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

// isGPU is a display-class function that is not a BMC's or a
// hypervisor's display adapter.
func isGPU(d *report.Device) bool {
	return pcidev.IsDisplayClass(d.Class) && !pcidev.IsHostDisplayVendor(d.VendorID)
}

type promGPU struct {
	*report.Device
	passthrough bool
}

// gpuInfo writes the family only when there are GPUs: a family without
// samples says nothing.
func (p *promWriter) gpuInfo(gpus []promGPU) {
	if len(gpus) == 0 {
		return
	}
	p.family("gpupass_gpu_info", "A GPU of the host (always 1): its IDs, model, driver (empty: none bound), IOMMU group (empty: none), NUMA node (-1: none given, empty: unknown), and whether gpupass counts it as a passthrough GPU.")
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
			"numa_node", optInt(d.NUMANode),
			"passthrough", strconv.FormatBool(d.passthrough))
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
