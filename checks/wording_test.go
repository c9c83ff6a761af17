package checks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/fleet"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// wordingFaults lists what an operator should never read in a message:
// "(s)" plurals, a count of one with a plural noun, parentheses nested in
// parentheses, and a name repeated in parentheses after itself.
func wordingFaults(text string) []string {
	var faults []string
	if strings.Contains(text, "(s)") {
		faults = append(faults, `"(s)" plural`)
	}
	if m := onePlural.FindString(text); m != "" {
		faults = append(faults, "a plural after one: "+m)
	}
	if m := repeatedName.FindStringSubmatch(text); m != nil && m[1] == m[2] {
		faults = append(faults, "a name repeated in parentheses: "+m[0])
	}
	// Quoted text (Nova's own messages, regular expressions, commands) is
	// not ours to word.
	unquoted := quoted.ReplaceAllString(text, "''")
	depth := 0
	for _, c := range unquoted {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth > 1 {
			faults = append(faults, "nested parentheses")
			break
		}
	}
	return faults
}

var (
	onePlural    = regexp.MustCompile(`(^|[^.\d:])\b1 (more )?((GPU|host|device|instance|flavor|model|line|file|path|node|alias|function)e?s|instance fit)\b`)
	repeatedName = regexp.MustCompile(`\b([\w.-]+) \(([\w.-]+)\)`)
	quoted       = regexp.MustCompile("'[^']*'|`[^`]*`|\"[^\"]*\"")
)

func checkWording(t *testing.T, where, text string) {
	t.Helper()
	for _, fault := range wordingFaults(text) {
		t.Errorf("%s: %s in %q", where, fault, text)
	}
}

func TestWordingFaults(t *testing.T) {
	for text, bad := range map[string]bool{
		"This host has 1 GPUs of vendor 10de.":                true,
		"up to 1 more instances fit":                          true,
		"up to 1 more instance fit":                           true,
		"1 flavor(s) without GPUs":                            true,
		"Nova zed (zed) rules applied":                        true,
		"Nova 2024.1 (caracal) rules applied":                 false,
		"a (b (c))":                                           true,
		"a (b) (c)":                                           false,
		"Nova says 'x (y (z))' (ValidationError)":             false,
		"This host has 1 GPU model of vendor 10de: 10de:2330": false,
		"2 hosts; 1 more instance fits":                       false,
	} {
		if got := len(wordingFaults(text)) > 0; got != bad {
			t.Errorf("%q: faulty %v, want %v", text, got, bad)
		}
	}
}

// GP304's near miss counts GPU models, not GPUs, and says "1 GPU model".
func TestNearMissCountsModels(t *testing.T) {
	noMatch := `device_spec = {"vendor_id": "10de", "product_id": "2331"}`
	for _, tt := range []struct {
		name string
		host *hostinfo.Host
		want string
	}{
		{"one H100", readyHost(), " This host has 1 GPU model of vendor 10de: 10de:2330."},
		{"two H100s", twoGPUHost(), " This host has 1 GPU model of vendor 10de: 10de:2330."},
		{"an H100 and an L40S", func() *hostinfo.Host {
			h := twoGPUHost()
			h.Devices[len(h.Devices)-1].DeviceID = "26b9"
			return h
		}(), " This host has 2 GPU models of vendor 10de: 10de:2330, 10de:26b9."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := &Inputs{Host: tt.host, NovaConf: testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf(noMatch), 0o640})}
			_, findings := runConf(t, DeviceSpecNoMatch, in)
			if len(findings) != 1 || !strings.HasSuffix(findings[0].Message, tt.want) {
				t.Fatalf("findings %+v, want a message ending %q", findings, tt.want)
			}
			checkWording(t, "GP304", findings[0].Message)
		})
	}
}

// GP108 names the release and its code name, but Zed only once: its
// name is its code name.
func TestNovaReleaseNamesZedOnce(t *testing.T) {
	for name, want := range map[string]string{
		"zed":    "Nova zed rules applied: given.",
		"2024.1": "Nova 2024.1 (caracal) rules applied: given.",
	} {
		rel, err := novarelease.Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		r := Run(&Inputs{Host: readyHost(), NovaRelease: rel, NovaReleaseFrom: "given"}, []*Check{NovaRelease})
		if len(r.Findings) != 1 || r.Findings[0].Message != want {
			t.Errorf("%s: %+v, want %q", name, r.Findings, want)
		}
	}
}

// The host checks whose messages list what marks a GPU for passthrough,
// or where a setting is made, nest no parentheses: a driverctl override
// and a modprobe.d claim name their file in parentheses of their own.
func TestHostMessagesNestNoParentheses(t *testing.T) {
	h := readyHost()
	h.Kernel.Cmdline = "intel_iommu=on iommu=pt"
	h.Modprobe = []hostinfo.Directive{
		{File: "/etc/modprobe.d/vfio.conf", Line: 1, Command: "options", Module: "vfio_pci", Args: "ids=10de:2330"},
		{File: "/etc/modprobe.d/iommu.conf", Line: 2, Command: "options", Module: "vfio_iommu_type1", Args: "allow_unsafe_interrupts=1"},
	}
	h.Driverctl = []hostinfo.DriverOverride{{Address: "0000:41:00.0", Driver: "vfio-pci", File: "/etc/driverctl.d/pci-0000:41:00.0"}}
	// GP306: prepared, offered by no device_spec.
	in := &Inputs{Host: h, NovaConf: testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf("alias = " + h100Alias), 0o640})}
	_, findings := runConf(t, GPUNotExposed, in)
	// GP105: unsafe interrupts set in modprobe.d.
	_, more := runOne(t, InterruptRemapping, h)
	findings = append(findings, more...)
	// GP201: claimed at boot, taken by the host driver.
	taken := readyHost()
	taken.Modprobe = h.Modprobe[:1]
	taken.Driverctl = h.Driverctl
	device(t, taken, "0000:41:00.0").Driver = "nvidia"
	_, more = runOne(t, GPUHostDriver, taken)
	findings = append(findings, more...)
	ids := map[string]bool{}
	for _, f := range findings {
		ids[f.ID] = true
		checkWording(t, f.ID, f.Message)
		checkWording(t, f.ID+" fix", f.Remediation)
	}
	for _, id := range []string{"GP105", "GP201", "GP306"} {
		if !ids[id] {
			t.Errorf("no %s finding to read: %v", id, findings)
		}
	}
}

// The audit's messages and verdicts agree with their counts, nest no
// parentheses, and GP405 names the largest host without brackets in
// brackets.
func TestAuditWording(t *testing.T) {
	reports := []*report.HostReport{hostReport(readyHost(), []string{h100Spec}, []string{h100Alias})}
	snap := &cloudmodel.Snapshot{Flavors: []cloudmodel.Flavor{
		flavor("gpu.h100.1", 16, 65536, fleet.SpecAlias, "h100:1"),
		flavor("gpu.h100.1.numa", 16, 65536, fleet.SpecAlias, "h100:1", fleet.SpecNUMAPolicy, "bogus"),
		flavor("gpu.numa", 16, 65536, fleet.SpecAlias, "h100:2", fleet.SpecNUMANodes, "1", fleet.SpecNUMAPolicy, "required"),
		flavor("gpu.huge", 10000, 65536, fleet.SpecAlias, "h100:1"),
		flavor("m1.small", 1, 2048),
	}}
	rel, _ := novarelease.Parse("2024.1")
	r := Run(&Inputs{NovaRelease: rel, Cloud: snap, Reports: reports}, InSection(All, "GP4"))
	messages := map[string]string{}
	for _, f := range r.Findings {
		messages[f.ID] = f.Message
		checkWording(t, f.ID, f.Message)
		checkWording(t, f.ID+" fix", f.Remediation)
	}
	for _, f := range r.Audit.Flavors {
		checkWording(t, f.Name+" verdict", f.Verdict)
	}
	for id, want := range map[string]string{
		"GP405": "more than any GPU host offers; the largest is gpu01, with",
		"GP407": "is bootable on 1 host; ",
		"GP408": "1 flavor without GPUs can land on the GPU hosts",
	} {
		if !strings.Contains(messages[id], want) {
			t.Errorf("%s: %q lacks %q", id, messages[id], want)
		}
	}
}

// Every message, fix, skip reason and verdict in the reviewed golden
// reports is free of the faults above: the catalog as operators read it.
func TestGoldenReportsWording(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "*", "*.json"))
	if err != nil || len(files) < 10 {
		t.Fatalf("golden reports: %v (%d)", err, len(files))
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var r report.Report
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		name := filepath.Base(path)
		for _, f := range r.Findings {
			checkWording(t, name+" "+f.ID, f.Message)
			checkWording(t, name+" "+f.ID+" fix", f.Remediation)
		}
		for _, c := range r.Checks {
			checkWording(t, name+" "+c.ID+" skip", c.Reason)
		}
		if r.Audit != nil {
			for _, f := range r.Audit.Flavors {
				checkWording(t, name+" "+f.Name+" verdict", f.Verdict)
			}
		}
	}
}
