package checks

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Nova as the judge of GP609, GP610 and GP611: testdata/vforacle/oracle.py
// runs, for every case of cases.json (a host's PCI devices, libvirt and
// QEMU versions, and the [pci] section of its nova.conf), the steps of
// nova-compute's start-up these checks judge, with Nova's own code of
// three releases: the Whitelist (devspec) load of ComputeManager.init_host,
// LibvirtDriver._check_pci_whitelist (2025.1 and later), and
// pci_placement_translator.update_provider_tree_for_pci with
// report_in_placement. expected.json is its answer.
//
// TestVFNovaOracleAgreement holds gpupass to it offline: Nova refuses to
// start if and only if GP302, GP609, GP610 or GP611 reports an error, and
// then an error of the case's check (or GP302's, for a device_spec Nova
// cannot parse) names Nova's exception class. TestVFNovaOracleUpToDate
// (GPUPASS_ORACLE=1, as .ci/run sets) re-runs the oracle and fails when
// its answer is not expected.json, or when it cannot run.

const vfOracleDir = "testdata/vforacle"

// vfOracleJudged maps the code the oracle runs to the gpupass releases it
// judges: Zed's, 2025.1's and 2026.2's code their own releases (Debian's
// python3-nova 26.2.2, 31.0.0 and 34.0.0), and 34.0.0's also 2026.1,
// recorded: no package of Nova 33 is at hand, and 33.0.2's devspec,
// whitelist and _check_pci_whitelist are 34.0.0's (tags compared in the
// openstack/nova mirror); its translator differs (vfOracleCodeDiffers).
var vfOracleJudged = map[string][]string{"zed": {"zed"}, "2025.1": {"2025.1"}, "2026.2": {"2026.1", "2026.2"}}

// vfOracleCodeDiffers are the cases where the code that judges a recorded
// release ("case/release") is not that release's: Nova's answer does not
// apply to it, and gpupass answers as the release's own code would.
var vfOracleCodeDiffers = map[string]string{
	// 34.0.0's _get_traits_for_dev adds HW_PCI_LIVE_MIGRATABLE to a device
	// whose device_spec has live_migratable true (not in 33.0.2's): the
	// VFs of one PF with and without it make 34.0.0 refuse to start, 33.x
	// start.
	"gp610-mixed-mixed-lm/2026.1": "33.x's translator gives no HW_PCI_LIVE_MIGRATABLE trait",
	"gp610-lm-yes-and-no/2026.1":  "33.x's translator gives no HW_PCI_LIVE_MIGRATABLE trait",
}

// vfOracleDisagreements are the verdicts where gpupass and Nova's code
// differ today ("case/code"), found by this oracle and reported for
// checks/gp6_vf.go to be fixed there. The test holds each to its
// disagreement: once gpupass agrees, it fails until the entry is removed,
// so the list cannot outlive the fix. Nothing else may disagree. There are
// none.
var vfOracleDisagreements = map[string]string{}

type vfOracleDevice struct {
	Address       string `json:"address"`
	VendorID      string `json:"vendor_id"`
	ProductID     string `json:"product_id"`
	PhysFn        string `json:"physfn"`
	SRIOVTotalVFs int    `json:"sriov_totalvfs"`
}

type vfOracleCase struct {
	Host    string   `json:"host"`
	Check   string   `json:"check"`
	Libvirt string   `json:"libvirt"`
	QEMU    string   `json:"qemu"`
	PCI     []string `json:"pci"`
	Note    string   `json:"note"`
}

type vfOracleCases struct {
	Hosts map[string]struct {
		Hostname string           `json:"hostname"`
		Devices  []vfOracleDevice `json:"devices"`
	} `json:"hosts"`
	Cases map[string]vfOracleCase `json:"cases"`
}

type vfOracleAnswer struct {
	Starts       bool   `json:"starts"`
	Step         string `json:"step"`
	ErrorClass   string `json:"error_class"`
	ErrorMessage string `json:"error_message"`
}

type vfOracleExpected struct {
	Nova  string                               `json:"nova"`
	Cases map[string]map[string]vfOracleAnswer `json:"cases"`
}

func vfOracleLoad(t *testing.T) (*vfOracleCases, *vfOracleExpected) {
	t.Helper()
	var cases vfOracleCases
	var exp vfOracleExpected
	for name, v := range map[string]any{"cases.json": &cases, "expected.json": &exp} {
		data, err := os.ReadFile(filepath.Join(vfOracleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return &cases, &exp
}

// vfOracleHost is the case's host as hostinfo would read it: VFs with
// their physfn, PFs with sriov_totalvfs and their virtfn links.
func vfOracleHost(t *testing.T, cases *vfOracleCases, name string, c vfOracleCase) *hostinfo.Host {
	t.Helper()
	spec, ok := cases.Hosts[c.Host]
	if !ok {
		t.Fatalf("case %s: no host %q", name, c.Host)
	}
	h := readyHost()
	h.Hostname = spec.Hostname
	h.Devices = nil
	for i, d := range spec.Devices {
		class := "030200"
		if d.VendorID != "10de" {
			class = "020000"
		}
		pd := dev(d.Address, d.VendorID, d.ProductID, class, "vfio-pci", 10+i)
		pd.PhysFn = d.PhysFn
		if d.SRIOVTotalVFs > 0 {
			pd.SRIOV = &pcidev.SRIOV{TotalVFs: d.SRIOVTotalVFs}
		}
		h.Devices = append(h.Devices, pd)
	}
	for i := range h.Devices {
		if pf := h.Devices[i].PhysFn; pf != "" {
			p := device(t, h, pf)
			p.SRIOV.NumVFs++
			p.SRIOV.VFs = append(p.SRIOV.VFs, h.Devices[i].Address)
		}
	}
	h.Virt = hostinfo.Virt{
		Libvirt: hostinfo.Component{Package: "libvirt-daemon", Version: c.Libvirt, From: "dpkg status /var/lib/dpkg/status"},
		QEMU:    hostinfo.Component{Package: "qemu-system-x86", Version: c.QEMU, From: "dpkg status /var/lib/dpkg/status"},
	}
	return h
}

func TestVFNovaOracleAgreement(t *testing.T) {
	cases, exp := vfOracleLoad(t)
	if len(cases.Cases) < 20 {
		t.Fatalf("only %d cases in cases.json", len(cases.Cases))
	}
	names := make([]string, 0, len(cases.Cases))
	for n := range cases.Cases {
		names = append(names, n)
	}
	sort.Strings(names)
	refusals := map[string]int{}
	for _, name := range names {
		c := cases.Cases[name]
		answers, ok := exp.Cases[name]
		if !ok {
			t.Errorf("case %s: not in expected.json (re-run oracle.py)", name)
			continue
		}
		if len(answers) != len(vfOracleJudged) {
			t.Errorf("case %s: expected.json has %d releases, want %d", name, len(answers), len(vfOracleJudged))
		}
		for code, relNames := range vfOracleJudged {
			nova, ok := answers[code]
			if !ok {
				t.Errorf("case %s: no answer of Nova %s", name, code)
				continue
			}
			if !nova.Starts {
				refusals[c.Check]++
			}
			for _, relName := range relNames {
				t.Run(name+"/"+relName, func(t *testing.T) {
					vfOracleJudge(t, cases, name, c, code, relName, nova)
				})
			}
		}
	}
	// The cases reach every rule: some refusal of each check's.
	for _, id := range []string{"GP609", "GP610", "GP611"} {
		if refusals[id] == 0 {
			t.Errorf("no case where Nova refuses to start for a %s rule", id)
		}
	}
}

// vfOracleJudge holds gpupass's release relName to the answer of Nova's
// code on one case.
func vfOracleJudge(t *testing.T, cases *vfOracleCases, name string, c vfOracleCase, code, relName string, nova vfOracleAnswer) {
	rel, err := novarelease.Parse(relName)
	if err != nil {
		t.Fatal(err)
	}
	in := &Inputs{
		Host:        vfOracleHost(t, cases, name, c),
		NovaConf:    testConf(t, "compute", confFile{"/etc/nova/nova.conf", pciConf(c.PCI...), 0o640}),
		NovaRelease: rel,
	}
	r := Run(in, []*Check{DeviceSpecInvalid, LiveMigration, PlacementVFMix, OneTimeUse})
	var errs []report.Finding
	var all strings.Builder
	for _, f := range r.Findings {
		all.WriteString(string(f.Severity) + " " + f.ID + ": " + f.Message + "\n")
		if f.Severity == report.Error {
			errs = append(errs, f)
		}
	}
	novaSays := "nova-compute starts"
	if !nova.Starts {
		novaSays = "nova-compute refuses to start at " + nova.Step + ": " + nova.ErrorClass + ": " + nova.ErrorMessage
	}
	if differs, ok := vfOracleCodeDiffers[name+"/"+relName]; ok {
		if nova.Starts == (len(errs) == 0) {
			t.Fatalf("Nova %s's code: %s, and gpupass %s agrees, though %s: remove %q from vfOracleCodeDiffers", code, novaSays, relName, differs, name+"/"+relName)
		}
		t.Logf("Nova %s's code does not judge %s here (%s): it says %s; gpupass %s reports %d errors", code, relName, differs, novaSays, relName, len(errs))
		return
	}
	known, isKnown := vfOracleDisagreements[name+"/"+code]
	if nova.Starts != (len(errs) == 0) {
		if isKnown {
			t.Logf("known disagreement (%s): Nova %s: %s; gpupass reports %d errors", known, code, novaSays, len(errs))
			return
		}
		t.Fatalf("Nova %s (gpupass %s): %s; gpupass reports %d errors:\n%s", code, relName, novaSays, len(errs), all.String())
	}
	if isKnown {
		t.Fatalf("gpupass now agrees with Nova %s here (%s): remove %q from vfOracleDisagreements", code, novaSays, name+"/"+code)
	}
	if nova.Starts {
		return
	}
	for _, f := range errs {
		if (f.ID == c.Check || f.ID == "GP302" && nova.Step == "device_spec") && strings.Contains(f.Message, nova.ErrorClass) {
			return
		}
	}
	t.Errorf("Nova %s: %s; no error of %s names %s:\n%s", code, novaSays, c.Check, nova.ErrorClass, all.String())
}

func TestVFNovaOracleUpToDate(t *testing.T) {
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("re-running Nova's code needs /usr/bin/python3 with python3-nova (apt install python3-nova) and " +
			"Debian's python3-nova 31.0.0 and 34.0.0 extracted (bash hack/nova-pkgs.sh /tmp/nova): " +
			"GPUPASS_ORACLE=1 go test ./checks -run TestVFNovaOracleUpToDate (GPUPASS_NOVA_PKGS=/tmp/nova); " +
			"to refresh expected.json: cd checks/testdata/vforacle && LC_ALL=C.UTF-8 /usr/bin/python3 oracle.py /tmp/nova > expected.json")
	}
	pkgs := os.Getenv("GPUPASS_NOVA_PKGS")
	if pkgs == "" {
		pkgs = "/tmp/nova"
	}
	python := os.Getenv("GPUPASS_PYTHON")
	if python == "" {
		python = "/usr/bin/python3"
	}
	cmd := exec.Command(python, "oracle.py", pkgs)
	cmd.Dir = vfOracleDir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle.py could not run Nova's code (is python3-nova installed, and %s extracted by hack/nova-pkgs.sh?): %v\n%s", pkgs, err, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join(vfOracleDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(out, want) {
		return
	}
	var got, had vfOracleExpected
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("oracle.py output: %v", err)
	}
	_ = json.Unmarshal(want, &had)
	for name, c := range got.Cases {
		if e, ok := had.Cases[name]; !ok {
			t.Errorf("case %s: not in expected.json", name)
		} else if !reflect.DeepEqual(c, e) {
			a, _ := json.Marshal(c)
			b, _ := json.Marshal(e)
			t.Errorf("case %s: Nova says\n%s\nexpected.json says\n%s", name, a, b)
		}
	}
	t.Errorf("expected.json is not oracle.py's output; regenerate it (see the skip message) and review the diff")
}
