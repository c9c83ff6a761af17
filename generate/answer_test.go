package generate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/report"
)

// conf reads nova.conf text as the node's configuration, at /etc/nova/nova.conf.
func conf(t *testing.T, text string) *novaconf.Config {
	t.Helper()
	cfg, problems := novaconf.Load(memFiles{"/etc/nova/nova.conf": text}, []string{"/etc/nova/nova.conf"}, nil)
	if len(problems) > 0 {
		t.Fatalf("%v", problems)
	}
	return cfg
}

func finding(id string, kind, ref, source string) report.Finding {
	return report.Finding{ID: id, Name: "name-of-" + id, Severity: report.Error, Subject: report.Subject{Kind: kind, Ref: ref}, Source: source,
		Message: "what " + id + " says.", Remediation: "What to do."}
}

func sources(values []novaconf.Value) []string {
	var out []string
	for _, v := range values {
		out = append(out, v.Source.String())
	}
	return out
}

// A problem names a finding by check and subject (and line, when it has
// one): not every finding of the check.
func TestNames(t *testing.T) {
	p := &Plan{}
	p.problem("shared", Ref{ID: "GP202", Subject: report.Subject{Kind: "device", Ref: "0000:3e:00.0"}},
		Ref{ID: "GP305", Subject: report.Subject{Kind: "option", Ref: "[pci]device_spec"}, Source: "/etc/nova/nova.conf:2"})
	for _, tt := range []struct {
		ref  Ref
		want bool
	}{
		{Ref{ID: "GP202", Subject: report.Subject{Kind: "device", Ref: "0000:3e:00.0"}}, true},
		{Ref{ID: "GP202", Subject: report.Subject{Kind: "device", Ref: "0000:3e:00.1"}}, false},
		{Ref{ID: "GP203", Subject: report.Subject{Kind: "device", Ref: "0000:3e:00.0"}}, false},
		{Ref{ID: "GP305", Subject: report.Subject{Kind: "option", Ref: "[pci]device_spec"}, Source: "/etc/nova/nova.conf:2"}, true},
		{Ref{ID: "GP305", Subject: report.Subject{Kind: "option", Ref: "[pci]device_spec"}, Source: "/etc/nova/nova.conf:3"}, false},
	} {
		if got := p.Names(tt.ref); got != tt.want {
			t.Errorf("Names(%+v) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

// Without a GPU selected, the plan still fixes what preflight reports:
// the device_spec and alias lines it names go (an SR-IOV networking entry
// stays), virt_type is set, the filter added, report_in_placement turned
// on for a scheduler that uses Placement, files' modes tightened; an
// error it cannot fix is named, with preflight's words.
func TestAnswersWithoutGPUs(t *testing.T) {
	h := host("ro", "GenuineIntel")
	text := "[pci]\n" +
		"device_spec = {}\n" + // line 2: GP305
		`device_spec = {"vendor_id": "8086", "physical_network": "physnet1"}` + "\n" + // 3: networking
		`device_spec = {"vendor_id": "10de", "product_id": "2330"}` + "\n" + // 4: fine
		`alias = {"name": "a", "bogus": 1}` + "\n" + // 5: GP307
		"[libvirt]\nvirt_type = qemu\n" + // 7: GP313
		"[filter_scheduler]\nenabled_filters = ComputeFilter\n" // 9: GP310
	api := conf(t, "[filter_scheduler]\npci_in_placement = true\nenabled_filters = ComputeFilter,PciPassthroughFilter\n")
	opts := Options{
		Conf: conf(t, text), APIConf: api,
		Findings: []report.Finding{
			finding("GP305", "option", "[pci]device_spec", "/etc/nova/nova.conf:2"),
			finding("GP307", "option", "[pci]alias", "/etc/nova/nova.conf:5"),
			finding("GP313", "option", "[libvirt]virt_type", "/etc/nova/nova.conf:7"),
			finding("GP312", "option", "[pci]report_in_placement", ""),
			finding("GP314", "file", "/etc/nova/secret.conf", ""),
			finding("GP301", "file", "/etc/nova/nova.conf", "/etc/nova/nova.conf:12"),
			finding("GP999", "host", "gpu01", ""),
			{ID: "GP303", Severity: report.Warning, Subject: report.Subject{Kind: "option", Ref: "[pci]device_spec"}},
		},
	}
	// No GPU for guests: every display function of the host is taken.
	for i := range h.Devices {
		h.Devices[i].DisplayClients = []string{"Xorg"}
	}
	p := build(t, h, opts)
	if len(p.Models) != 0 {
		t.Fatalf("models %+v", p.Models)
	}
	if diff := cmp.Diff([]string{"/etc/nova/nova.conf:2", "/etc/nova/nova.conf:5", "/etc/nova/nova.conf:7", "/etc/nova/nova.conf:9"}, sources(p.Replaced())); diff != "" {
		t.Errorf("replaced (-want +got):\n%s", diff)
	}
	// The node's own filters get PciPassthroughFilter, from the
	// scheduler's list.
	if got := p.ComputeConf(); got != "[pci]\nreport_in_placement = True\n\n[libvirt]\nvirt_type = kvm\n\n[filter_scheduler]\nenabled_filters = ComputeFilter,PciPassthroughFilter\n" {
		t.Errorf("compute snippet:\n%s", got)
	}
	if diff := cmp.Diff([]string{"/etc/nova/secret.conf"}, p.Options.ExposedFiles); diff != "" {
		t.Errorf("exposed files (-want +got):\n%s", diff)
	}
	fixed := map[string]bool{}
	for _, a := range p.Answers {
		fixed[a.ID] = a.Fixed
	}
	if diff := cmp.Diff(map[string]bool{"GP305": true, "GP307": true, "GP313": true, "GP312": true, "GP314": true, "GP301": false, "GP999": false}, fixed); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	var unfixed []string
	for _, pr := range p.Problems {
		unfixed = append(unfixed, pr.Text)
	}
	want := []string{"/etc/nova/nova.conf:12: what GP301 says. What to do. (GP301)", "what GP999 says. What to do. (GP999)"}
	if diff := cmp.Diff(want, unfixed[len(unfixed)-2:]); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	out, err := Write(p, "all")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"No GPU is selected for passthrough.\n", "# Preflight's errors this plan fixes:\n", "GP305 name-of-GP305: [pci]device_spec at /etc/nova/nova.conf:2 (nova.conf:\n#     the line is removed)",
		"#    /etc/nova/nova.conf:2: device_spec = {}\n", "chmod 0640 /etc/nova/secret.conf", "virt_type = kvm\n", "# Not fixed by this plan:\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("missing %q in:\n%s", s, out)
		}
	}
	if strings.Contains(out, "nothing to configure") || strings.Contains(out, "physnet1") {
		t.Errorf("a plan that changes things says nothing to configure, or removes the networking entry:\n%s", out)
	}
	j, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if len(j.PreflightErrors) != 7 || !j.PreflightErrors[0].Fixed || j.PreflightErrors[5].Fixed || j.PreflightErrors[6].How != "what GP999 says. What to do. (GP999)" {
		t.Errorf("preflight_errors %+v", j.PreflightErrors)
	}
}

// A report_in_placement already on stays as it is: neither removed nor
// written again (nova-compute refuses to have it turned off).
func TestReportInPlacementKept(t *testing.T) {
	for _, placement := range []bool{false, true} {
		p := build(t, host("ro", "GenuineIntel"), Options{Placement: placement, Conf: conf(t, "[pci]\nreport_in_placement = true\n")})
		if strings.Contains(p.ComputeConf(), "report_in_placement") || len(p.Replaced()) != 0 {
			t.Errorf("--placement %v: snippet %q, replaced %v", placement, p.ComputeConf(), sources(p.Replaced()))
		}
	}
	// Off, with --placement: replaced by the snippet's.
	p := build(t, host("ro", "GenuineIntel"), Options{Placement: true, Conf: conf(t, "[pci]\nreport_in_placement = false\n")})
	if !strings.Contains(p.ComputeConf(), "report_in_placement = True") || len(p.Replaced()) != 1 {
		t.Errorf("snippet %q, replaced %v", p.ComputeConf(), sources(p.Replaced()))
	}
}

// The kernel command line: what turns the IOMMU off goes whatever the
// GPUs; intel_iommu=on comes where the IOMMU is off; additions go before
// "--".
func TestKernelWithoutGPUs(t *testing.T) {
	h := host("ro intel_iommu=off,sm_on intremap=off nointremap quiet -- single", "GenuineIntel")
	for i := range h.Devices {
		h.Devices[i].DisplayClients = []string{"Xorg"}
	}
	p := build(t, h, Options{})
	k := p.Kernel()
	if diff := cmp.Diff(KernelChange{Add: []string{"intel_iommu=on", "iommu=pt"}, Remove: []string{"intel_iommu=off,sm_on", "intremap=off", "nointremap"}}, k); diff != "" {
		t.Errorf("kernel (-want +got):\n%s", diff)
	}
	if got := p.NewCmdline(); got != "ro quiet intel_iommu=on iommu=pt -- single" {
		t.Errorf("new command line %q", got)
	}
	// The IOMMU on and nothing turning it off: nothing to change.
	h.Kernel.Cmdline = "ro quiet"
	if k := build(t, h, Options{}).Kernel(); len(k.Add)+len(k.Remove) != 0 {
		t.Errorf("kernel %+v", k)
	}
	// The IOMMU off without a parameter saying so: turned on.
	h.IOMMU = hostinfo.IOMMU{}
	if k := build(t, h, Options{}).Kernel(); !cmp.Equal(k.Add, []string{"intel_iommu=on", "iommu=pt"}) {
		t.Errorf("kernel %+v", k)
	}
}

// vfio missing: a modules-load.d file where the kernel loads modules; a
// problem where it loads none.
func TestModulesLoad(t *testing.T) {
	h := host("ro", "GenuineIntel")
	h.Modules = []hostinfo.Module{{Name: "nvidia", State: hostinfo.ModuleLoaded}}
	p := build(t, h, Options{Findings: []report.Finding{{ID: "GP106", Severity: report.Error, Subject: report.Subject{Kind: "host", Ref: "gpu01"},
		Fix: []report.Fix{{Target: "modules-load.d", Action: "add", Text: "vfio\nvfio_iommu_type1\nvfio_pci"}}}}})
	if got := p.ModulesLoad(); got != "vfio\nvfio_pci\nvfio_iommu_type1\n" || len(p.Answers) != 1 || !p.Answers[0].Fixed {
		t.Errorf("modules-load.d %q, answers %+v", got, p.Answers)
	}
	h.Modules = nil
	p = build(t, h, Options{Findings: p.Options.Findings})
	if p.ModulesLoad() != "" || len(p.Answers) != 1 || p.Answers[0].Fixed || !strings.Contains(p.Answers[0].How, "without module support") {
		t.Errorf("modules-load.d %q, answers %+v", p.ModulesLoad(), p.Answers)
	}
}
