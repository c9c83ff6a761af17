package checks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

const (
	h100Spec  = `{"vendor_id": "10de", "product_id": "2330"}`
	h100Alias = `{"name": "h100", "vendor_id": "10de", "product_id": "2330", "device_type": "type-PCI"}`
)

func pciConf(lines ...string) string { return "[pci]\n" + strings.Join(lines, "\n") + "\n" }

func TestPCIConfChecks(t *testing.T) {
	const conf = "/etc/nova/nova.conf"
	compute := func(t *testing.T, text string) *novaconf.Set {
		return testConf(t, "compute", confFile{conf, text, 0o640})
	}
	api := func(t *testing.T, text string) *novaconf.Set {
		return testConf(t, "api", confFile{"/srv/api/nova.conf", text, 0o640})
	}
	sriov := func(h *hostinfo.Host) { h.Devices[1].SRIOV = &pcidev.SRIOV{TotalVFs: 20} }
	audioOn := func(driver string) func(*hostinfo.Host) {
		return func(h *hostinfo.Host) {
			h.Devices = append(h.Devices, dev("0000:41:00.1", "10de", "22ba", "040300", driver, 1))
		}
	}
	tests := []struct {
		name     string
		check    *Check
		host     func(*hostinfo.Host)
		conf     string
		apiConf  string
		release  string
		want     outcome
		contains []string
	}{
		{name: "GP302 not JSON", check: DeviceSpecInvalid, conf: pciConf(`device_spec = {"vendor_id": "10de",`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}}, contains: []string{"nova-compute will not start"}},
		{name: "GP302 non-canonical hex accepted with a warning", check: DeviceSpecInvalid, conf: pciConf(`device_spec = {"vendor_id": "0x10de", "product_id": "2330"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}},
		{name: "GP302 valid", check: DeviceSpecInvalid, conf: pciConf("device_spec = " + h100Spec), want: outcome{report.StatusPass, nil}},

		{name: "GP304 product typo", check: DeviceSpecNoMatch, conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2331"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{"matches no PCI device", "10de:2330"}},
		{name: "GP304 matches", check: DeviceSpecNoMatch, conf: pciConf("device_spec = " + h100Spec), want: outcome{report.StatusPass, nil}},
		{name: "GP304 no device_spec", check: DeviceSpecNoMatch, conf: pciConf(), want: outcome{report.StatusSkip, nil}},

		{name: "GP305 {} offers the host's NVMe and bridges", check: DeviceSpecTooBroad, conf: pciConf("device_spec = {}"),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}}, contains: []string{"0000:42:00.0 (144d:a80a) (storage on nvme)", "0000:40:01.1 (8086:352a) (a bridge)"}},
		{name: "GP305 vendor-wide spec offers the audio on its host driver", check: DeviceSpecTooBroad, host: audioOn("snd_hda_intel"), conf: pciConf(`device_spec = {"vendor_id": "10de"}`),
			want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}}, contains: []string{"(on snd_hda_intel)"}},
		{name: "GP305 vendor-wide spec offers the vfio audio alone", check: DeviceSpecTooBroad, host: audioOn("vfio-pci"), conf: pciConf(`device_spec = {"vendor_id": "10de"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}, contains: []string{"without its GPU"}},
		{name: "GP305 SR-IOV networking entry is left alone", check: DeviceSpecTooBroad, conf: pciConf(`device_spec = {"vendor_id": "144d", "physical_network": "physnet1"}`),
			want: outcome{report.StatusPass, nil}},
		{name: "GP305 the boot VGA GPU on vfio-pci is GP206's", check: DeviceSpecTooBroad, host: func(h *hostinfo.Host) { yes := true; h.Devices[1].BootVGA = &yes },
			conf: pciConf("device_spec = " + h100Spec), want: outcome{report.StatusPass, nil}},
		{name: "GP305 the BMC console", check: DeviceSpecTooBroad, host: func(h *hostinfo.Host) {
			yes := true
			bmc := dev("0000:02:00.0", "1a03", "2000", "030000", "ast", 5)
			bmc.BootVGA = &yes
			h.Devices = append(h.Devices, bmc)
		}, conf: pciConf(`device_spec = {"vendor_id": "1a03"}`), want: outcome{report.StatusFail, []string{"error [pci]device_spec " + conf + ":2"}}, contains: []string{"the console display on ast"}},
		{name: "GP305 exact spec", check: DeviceSpecTooBroad, conf: pciConf("device_spec = " + h100Spec), want: outcome{report.StatusPass, nil}},

		{name: "GP306 GPU on vfio with no device_spec", check: GPUNotExposed, conf: pciConf("alias = " + h100Alias),
			want: outcome{report.StatusFail, []string{"warning 0000:41:00.0 "}}, contains: []string{`device_spec = {"vendor_id": "10de", "product_id": "2330"}`}},
		{name: "GP306 exposed", check: GPUNotExposed, conf: pciConf("device_spec = " + h100Spec), want: outcome{report.StatusPass, nil}},

		{name: "GP307 alias without a name", check: AliasInvalid, conf: pciConf(`alias = {"vendor_id": "10de"}`),
			want: outcome{report.StatusFail, []string{"error [pci]alias " + conf + ":2"}}, contains: []string{"PciInvalidAlias"}},
		{name: "GP307 invalid on the API node", check: AliasInvalid, conf: pciConf("alias = " + h100Alias), apiConf: pciConf(`alias = {"name": "h100", "numa_policy": "sometimes"}`),
			want: outcome{report.StatusFail, []string{"error [pci]alias /srv/api/nova.conf:2"}}, contains: []string{"of --api-conf"}},
		{name: "GP307 valid", check: AliasInvalid, conf: pciConf("alias = " + h100Alias), want: outcome{report.StatusPass, nil}},
		{name: "GP307 resource_class alias, scheduler's option unknown", check: AliasInvalid, release: "2025.1",
			conf: pciConf(`alias = {"name": "l40s-2q", "device_type": "type-VF", "resource_class": "CUSTOM_L40S_2Q"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]alias " + conf + ":2"}}, contains: []string{"accepts it only when [filter_scheduler]pci_in_placement is true"}},
		{name: "GP307 resource_class alias, the node's nova.conf sets pci_in_placement", check: AliasInvalid, release: "2025.1",
			conf: pciConf(`alias = {"name": "l40s-2q", "device_type": "type-VF", "resource_class": "CUSTOM_L40S_2Q"}`) + "[filter_scheduler]\npci_in_placement = true\n",
			want: outcome{report.StatusPass, nil}},

		{name: "GP308 only an alias for another model", check: AliasNoDevice, conf: pciConf("device_spec = "+h100Spec, `alias = {"name": "t4", "vendor_id": "10de", "product_id": "1eb8"}`),
			want: outcome{report.StatusFail, []string{"warning t4 " + conf + ":3"}}, contains: []string{"no GPU flavor can be scheduled here"}},
		{name: "GP308 another model's alias beside a working one is info", check: AliasNoDevice,
			conf: pciConf("device_spec = "+h100Spec, "alias = "+h100Alias, `alias = {"name": "t4", "vendor_id": "10de", "product_id": "1eb8"}`),
			want: outcome{report.StatusPass, []string{"info t4 " + conf + ":4"}}},

		{name: "GP309 type-PCI alias for an SR-IOV GPU", check: AliasDeviceType, host: sriov, conf: pciConf("device_spec = "+h100Spec, "alias = "+h100Alias),
			want: outcome{report.StatusFail, []string{"error h100 " + conf + ":3"}}, contains: []string{"type-PF", `"device_type": "type-PF"`}},
		{name: "GP309 type-PF alias for it", check: AliasDeviceType, host: sriov, conf: pciConf("device_spec = "+h100Spec, "alias = "+strings.Replace(h100Alias, "type-PCI", "type-PF", 1)),
			want: outcome{report.StatusPass, nil}},

		{name: "GP311 aliases differ from the API node", check: AliasMismatch, conf: pciConf("alias = " + h100Alias),
			apiConf: pciConf(`alias = {"name": "h100", "vendor_id": "10de", "product_id": "2330", "device_type": "type-PF"}`, `alias = {"name": "t4", "vendor_id": "10de", "product_id": "1eb8"}`),
			want:    outcome{report.StatusFail, []string{"error h100 " + conf + ":2", "error t4 "}}, contains: []string{"differs", `"t4" is defined on the API node but not`}},
		{name: "GP311 same aliases", check: AliasMismatch, conf: pciConf("alias = " + h100Alias), apiConf: pciConf("alias = " + h100Alias), want: outcome{report.StatusPass, nil}},
		{name: "GP311 without --api-conf", check: AliasMismatch, conf: pciConf("alias = " + h100Alias), want: outcome{report.StatusSkip, nil}},

		{name: "GP312 scheduler in Placement, node not reporting", check: PlacementMode, conf: pciConf("device_spec = " + h100Spec),
			apiConf: "[filter_scheduler]\npci_in_placement = true\n", want: outcome{report.StatusFail, []string{"error [pci]report_in_placement "}}},
		{name: "GP312 resource_class without report_in_placement", check: PlacementMode, conf: pciConf(`device_spec = {"vendor_id": "10de", "product_id": "2330", "resource_class": "CUSTOM_H100"}`),
			want: outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":2"}}},
		{name: "GP312 pci_in_placement unknown to Zed", check: PlacementMode, conf: pciConf("device_spec = " + h100Spec), release: "zed",
			apiConf: "[filter_scheduler]\npci_in_placement = false\n", want: outcome{report.StatusFail, []string{"warning [filter_scheduler]pci_in_placement /srv/api/nova.conf:2"}}},
		{name: "GP312 consistent", check: PlacementMode, conf: pciConf("report_in_placement = true", "device_spec = "+h100Spec),
			apiConf: "[filter_scheduler]\npci_in_placement = true\n", want: outcome{report.StatusPass, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := readyHost()
			if tt.host != nil {
				tt.host(h)
			}
			in := &Inputs{Host: h, NovaConf: compute(t, tt.conf)}
			if tt.apiConf != "" {
				in.APIConf = api(t, tt.apiConf)
			}
			if tt.release != "" {
				in.NovaRelease, _ = novarelease.Parse(tt.release)
			}
			got, findings := runConf(t, tt.check, in)
			// Compare subjects and sources; a trailing space in want
			// means "any source".
			for i := range got.Findings {
				if i < len(tt.want.Findings) && strings.HasSuffix(tt.want.Findings[i], " ") {
					got.Findings[i] = got.Findings[i][:strings.LastIndex(got.Findings[i], " ")+1]
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
				for _, f := range findings {
					t.Logf("%s %s: %s", f.ID, f.Severity, f.Message)
				}
			}
			var text strings.Builder
			for _, f := range findings {
				text.WriteString(f.Message + "\n" + f.Remediation + "\n")
			}
			for _, s := range tt.contains {
				if !strings.Contains(text.String(), s) {
					t.Errorf("findings do not mention %q:\n%s", s, text.String())
				}
			}
		})
	}
}

// A GPU that device_spec admits is a passthrough GPU even when nothing
// else marks it (its host driver is then GP201's business).
func TestDeviceSpecMakesPassthroughGPU(t *testing.T) {
	h := readyHost()
	h.Kernel.Cmdline = "intel_iommu=on iommu=pt"
	h.Devices[1].Driver = "nvidia"
	in := &Inputs{Host: h, NovaConf: testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf("device_spec = " + h100Spec), 0o640})}
	got, findings := runConf(t, GPUHostDriver, in)
	if got.Status != report.StatusFail || len(findings) != 1 || !strings.Contains(findings[0].Message, "admitted by [pci]device_spec at /etc/nova/nova.conf:2") {
		t.Errorf("GP201 = %+v %v", got, findings)
	}
}

// TestDeviceSpecInvalidBounded: a device_spec of 256 KiB (a regular
// expression too complex to evaluate, one Python rejects) gives GP302 findings
// of bounded size: the pattern clipped in the message, the value in the
// evidence cut at 4 KiB.
func TestDeviceSpecInvalidBounded(t *testing.T) {
	big := strings.Repeat("a", 256<<10)
	for name, spec := range map[string]string{
		"too complex to evaluate": `{"address": {"domain": ".*", "bus": "` + big + `|(?:(?:0?){1000}){1000}x", "slot": ".*", "function": ".*"}}`,
		"Python rejects":          `{"address": {"domain": ".*", "bus": "(` + big + `", "slot": ".*", "function": ".*"}}`,
	} {
		in := &Inputs{Host: readyHost(), NovaConf: testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf("device_spec = " + spec), 0o640})}
		_, findings := runConf(t, DeviceSpecInvalid, in)
		if len(findings) == 0 {
			t.Errorf("%s: no GP302 finding", name)
		}
		for _, f := range findings {
			value, _ := f.Evidence["value"].(string)
			if len(f.Message) > 2000 || len(value) > maxEvidenceValue+len("…") || !strings.HasSuffix(value, "…") {
				t.Errorf("%s: message of %d bytes, evidence value of %d: %.200s", name, len(f.Message), len(value), f.Message)
			}
		}
	}
}
