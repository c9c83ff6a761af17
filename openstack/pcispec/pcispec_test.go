package pcispec

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

func rel(t *testing.T, name string) novarelease.Release {
	t.Helper()
	r, err := novarelease.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

func hasWarning(diags []Diagnostic, substr string) bool {
	for _, d := range diags {
		if d.Severity == "warning" && strings.Contains(d.Message, substr) {
			return true
		}
	}
	return false
}

// The device_spec rules that changed after Zed (nova/pci/devspec.py):
// managed and live_migratable are strict booleans from 2025.1 (31.0.0,
// commits 12905dade3 and f9c5f50376), one_time_use from 2025.2 (32.0.0,
// 28a266461a), which also requires [pci]report_in_placement.
func TestDeviceSpecReleaseRules(t *testing.T) {
	type want struct {
		rel string
		ok  bool
		msg string
	}
	cases := []struct {
		value string
		opts  Options
		wants []want
	}{
		{`{"vendor_id": "10de", "managed": "maybe"}`, Options{}, []want{
			{"zed", true, ""}, {"2024.2", true, ""},
			{"2025.1", false, "Invalid [pci]device_spec config: Cannot parse tag 'managed': Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"},
			{"2026.1", false, "Cannot parse tag 'managed'"},
		}},
		{`{"vendor_id": "10de", "live_migratable": 2}`, Options{}, []want{
			{"zed", true, ""}, {"2025.1", false, "Cannot parse tag 'live_migratable': Unrecognized value '2'"},
		}},
		{`{"vendor_id": "10de", "managed": null, "live_migratable": true}`, Options{}, []want{
			{"zed", true, ""}, {"2025.1", true, ""},
		}},
		{`{"vendor_id": "10de", "one_time_use": "yes"}`, Options{ReportInPlacement: ptr(false)}, []want{
			{"zed", true, ""}, {"2025.1", true, ""},
			{"2025.2", false, "Invalid [pci]device_spec config: one_time_use=true requires pci.report_in_placement to be enabled"},
		}},
		{`{"vendor_id": "10de", "one_time_use": "yes"}`, Options{ReportInPlacement: ptr(true)}, []want{
			{"2025.2", true, ""},
		}},
		{`{"vendor_id": "10de", "one_time_use": "sometimes"}`, Options{}, []want{
			{"2025.1", true, ""}, {"2025.2", false, "Cannot parse tag 'one_time_use'"},
		}},
		// managed is checked before one_time_use.
		{`{"vendor_id": "10de", "managed": "x", "one_time_use": "true"}`, Options{ReportInPlacement: ptr(false)}, []want{
			{"2025.2", false, "Cannot parse tag 'managed'"},
		}},
	}
	for _, c := range cases {
		for _, w := range c.wants {
			_, _, err := ParseDeviceSpecWith(c.value, rel(t, w.rel), c.opts)
			if (err == nil) != w.ok {
				t.Errorf("%s on %s: err %v, want ok=%v", c.value, w.rel, err, w.ok)
				continue
			}
			if err != nil && !strings.Contains(err.Error(), w.msg) {
				t.Errorf("%s on %s: %q does not contain %q", c.value, w.rel, err, w.msg)
			}
		}
	}
}

func TestDeviceSpecTagsPerRelease(t *testing.T) {
	v := `{"vendor_id": "10de", "managed": "Yes", "live_migratable": 0, "one_time_use": "no"}`
	specs, diags, err := ParseDeviceSpec(v, rel(t, "zed"))
	if err != nil {
		t.Fatal(err)
	}
	if specs[0].Tags["managed"] != "Yes" {
		t.Errorf("zed keeps managed as given, got %q", specs[0].Tags["managed"])
	}
	if _, set := specs[0].Managed(); set {
		t.Error("zed: Managed() is set")
	}
	if !hasWarning(diags, `tag "managed" has an effect from Nova 2025.1 only`) {
		t.Errorf("zed: no warning for managed: %v", diags)
	}
	specs, _, err = ParseDeviceSpec(v, rel(t, "2025.2"))
	if err != nil {
		t.Fatal(err)
	}
	s := specs[0]
	if s.Tags["managed"] != "true" || s.Tags["live_migratable"] != "false" || s.Tags["one_time_use"] != "false" {
		t.Errorf("2025.2 normalises the booleans: %v", s.Tags)
	}
	if m, set := s.Managed(); !m || !set {
		t.Error("Managed() = false")
	}
	if l, set := s.LiveMigratable(); l || !set {
		t.Error("LiveMigratable() wrong")
	}
	if o, set := s.OneTimeUse(); o || !set {
		t.Error("OneTimeUse() wrong")
	}
}

// Alias rules after Zed (nova/pci/request.py): resource_class and traits
// from 2023.1 (27.0.0, b10482cbc0); live_migratable from 2025.1 (31.0.0,
// 099859ecf0); from 2025.2 (32.0.0, acc6221660 and 0bfac5c7fe; backported
// to 31.3.1) every entry needs vendor_id and product_id (or resource_class
// when [filter_scheduler]pci_in_placement), and pci_in_placement allows
// one entry per alias.
func TestAliasReleaseRules(t *testing.T) {
	rc := `{"name": "a100", "vendor_id": "10de", "product_id": "20b5", "resource_class": "CUSTOM_A100", "traits": "CUSTOM_X"}`
	if _, _, err := ParseAliases([]string{rc}, rel(t, "zed")); err == nil ||
		err.Error() != "Invalid PCI alias definition: Additional properties are not allowed ('resource_class', 'traits' were unexpected)" {
		t.Errorf("zed: %v", err)
	}
	aliases, _, err := ParseAliases([]string{rc}, rel(t, "2023.1"))
	if err != nil {
		t.Fatalf("2023.1: %v", err)
	}
	s := aliases["a100"].Specs[0]
	if s.ResourceClass != "CUSTOM_A100" || len(s.Traits) != 1 || s.Traits[0] != "CUSTOM_X" {
		t.Errorf("2023.1: %+v", s)
	}

	lm := `{"name": "a", "vendor_id": "10de", "product_id": "20b5", "live_migratable": "YES"}`
	if _, _, err := ParseAliases([]string{lm}, rel(t, "2024.2")); err == nil {
		t.Error("2024.2 accepts live_migratable")
	}
	aliases, _, err = ParseAliases([]string{lm}, rel(t, "2025.1"))
	if err != nil || aliases["a"].Specs[0].LiveMigratable != "true" {
		t.Errorf("2025.1: %v %+v", err, aliases)
	}
	_, _, err = ParseAliases([]string{`{"name": "a", "live_migratable": "maybe"}`}, rel(t, "2025.1"))
	if err == nil || !strings.HasPrefix(err.Error(), "Invalid PCI alias definition: Unrecognized value 'maybe'") {
		t.Errorf("2025.1 live_migratable maybe: %v", err)
	}

	noIDs := []string{`{"name": "b"}`, `{"name": "a", "vendor_id": "10de"}`}
	if _, diags, err := ParseAliases(noIDs, rel(t, "2025.1")); err != nil || !hasWarning(diags, "31.3.1") {
		t.Errorf("2025.1: %v %v", err, diags)
	}
	_, _, err = ParseAliases(noIDs, rel(t, "2025.2"))
	if err == nil || err.Error() != "The PCI alias(es) a,b does not have vendor_id and product_id fields set." {
		t.Errorf("2025.2: %v", err)
	}
	rcOnly := []string{`{"name": "a", "resource_class": "CUSTOM_A"}`}
	if _, _, err := ParseAliasesWith(rcOnly, rel(t, "2025.2"), Options{PCIInPlacement: ptr(true)}); err != nil {
		t.Errorf("2025.2 in placement, resource_class only: %v", err)
	}
	if _, _, err := ParseAliasesWith(rcOnly, rel(t, "2025.2"), Options{PCIInPlacement: ptr(false)}); err == nil {
		t.Error("2025.2 not in placement accepts an alias without ids")
	}
	two := []string{
		`{"name": "gpu", "vendor_id": "10de", "product_id": "20b5", "device_type": "type-PCI"}`,
		`{"name": "gpu", "vendor_id": "10de", "product_id": "20b0", "device_type": "type-PCI"}`,
	}
	if _, _, err := ParseAliasesWith(two, rel(t, "2025.2"), Options{PCIInPlacement: ptr(false)}); err != nil {
		t.Errorf("2025.2: %v", err)
	}
	_, _, err = ParseAliasesWith(two, rel(t, "2025.2"), Options{PCIInPlacement: ptr(true)})
	if err == nil || !strings.HasPrefix(err.Error(), "The PCI alias(es) gpu have multiple specs but [filter_scheduler]pci_in_placement is True.") {
		t.Errorf("2025.2 multispec in placement: %v", err)
	}
}

// Repeated alias names are OR-ed, but only when every entry sets
// device_type: Nova compares the first entry's dev_type with the new one's
// and the KeyError surfaces as its message. In every release.
func TestAliasRepeatedNames(t *testing.T) {
	for _, r := range novarelease.All {
		_, _, err := ParseAliases([]string{
			`{"name": "gpu", "vendor_id": "10de", "product_id": "20b5"}`,
			`{"name": "gpu", "vendor_id": "10de", "product_id": "20b0"}`,
		}, r)
		if err == nil || err.Error() != "Invalid PCI alias definition: 'dev_type'" {
			t.Errorf("%s: %v", r, err)
		}
		_, _, err = ParseAliases([]string{
			`{"name": "gpu", "vendor_id": "10de", "product_id": "20b5", "device_type": "type-PCI", "numa_policy": "required"}`,
			`{"name": " gpu ", "vendor_id": "10de", "product_id": "20b0", "device_type": "type-PCI"}`,
		}, r)
		if err == nil || err.Error() != "Invalid PCI alias definition: NUMA policy mismatch for alias 'gpu'" {
			t.Errorf("%s: %v", r, err)
		}
	}
	aliases, _, err := ParseAliases([]string{
		`{"name": "gpu", "vendor_id": "10de", "product_id": "20b5", "device_type": "type-PF"}`,
		`{"name": "gpu", "vendor_id": "10de", "product_id": "20b0", "device_type": "type-PF"}`,
	}, rel(t, "zed"))
	if err != nil || len(aliases["gpu"].Specs) != 2 || aliases["gpu"].DeviceType != TypePF || aliases["gpu"].NUMAPolicy != "legacy" {
		t.Errorf("OR-merge: %v %+v", err, aliases["gpu"])
	}
}

func TestQuirkyHexIsAcceptedWithAWarning(t *testing.T) {
	zed := rel(t, "zed")
	for _, v := range []string{"0x10de", "+10de", "10_de", " 10de ", "١٠de", "\u300010de", "010de"} {
		specs, diags, err := ParseDeviceSpec(`{"vendor_id": "`+v+`", "product_id": "0x2330"}`, zed)
		if err != nil {
			t.Errorf("%q: %v", v, err)
			continue
		}
		if specs[0].VendorID != "10de" || specs[0].ProductID != "2330" {
			t.Errorf("%q: %s:%s", v, specs[0].VendorID, specs[0].ProductID)
		}
		if !hasWarning(diags, "vendor_id") {
			t.Errorf("%q: no warning: %v", v, diags)
		}
	}
	for _, v := range []string{"10DE", "10de"} {
		_, diags, err := ParseDeviceSpec(`{"vendor_id": "`+v+`"}`, zed)
		if err != nil || len(diags) != 0 {
			t.Errorf("%q: %v %v", v, err, diags)
		}
	}
	_, _, err := ParseDeviceSpec(`{"product_id": "\u001c2330"}`, zed)
	if err == nil || err.Error() != `Invalid [pci]device_spec config: property product_id ('`+"\x1c"+`2330') does not parse as a hex number.` {
		t.Errorf("int() does not take U+001C: %v", err)
	}
	specs, diags, err := ParseDeviceSpec(`{"vendor_id": "-1"}`, zed)
	if err != nil || specs[0].VendorID != "-001" || !hasWarning(diags, "negative") {
		t.Errorf("-1: %v %v %v", specs, diags, err)
	}
}

func TestPythonOnlyRegexIsEvaluated(t *testing.T) {
	zed := rel(t, "zed")
	// A lookahead and a backreference: Go's regexp has neither; gpupass's
	// matcher evaluates them as Python does.
	specs, diags, err := ParseDeviceSpec(`{"address": {"bus": "(?=0)0a", "function": "(0)\\1?"}}`, zed)
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 0 {
		t.Errorf("warnings: %v", diags)
	}
	for addr, want := range map[string]bool{"0000:0a:00.0": true, "0000:0b:00.0": false, "0000:0a:00.1": false} {
		if got, ok := specs[0].Match(&pcidev.Device{Address: addr, VendorID: "10de", DeviceID: "2330"}); got != want || !ok {
			t.Errorf("%s: matched %v (evaluable %v), want %v", addr, got, ok, want)
		}
	}
	// A pattern that needs more backtracking than gpupass allows is
	// accepted (Nova accepts it), named in a warning, and its matches are
	// not evaluable.
	specs, diags, err = ParseDeviceSpec(`{"address": {"slot": "(?:(?:0?){1000}){1000}x"}}`, zed)
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(diags, "more backtracking than gpupass allows") {
		t.Errorf("no warning: %v", diags)
	}
	if _, ok := specs[0].Match(&pcidev.Device{Address: "0000:0a:00.0", VendorID: "10de", DeviceID: "1"}); ok {
		t.Error("a pattern past the budget was evaluated")
	}
	// re.match is anchored at the start only: "0" matches any bus that
	// starts with 0; "0$" matches no slot (slots have two digits).
	specs, _, err = ParseDeviceSpec(`{"address": {"bus": "0"}}`, zed)
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{"0000:0a:00.0": true, "0000:0f:1f.7": true, "0000:10:00.0": false, "0000:a0:00.0": false} {
		if got, ok := specs[0].Match(&pcidev.Device{Address: addr, VendorID: "10de", DeviceID: "1"}); got != want || !ok {
			t.Errorf("bus 0, %s: %v %v", addr, got, ok)
		}
	}
	specs, _, err = ParseDeviceSpec(`{"address": {"slot": "0$"}}`, zed)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := specs[0].Match(&pcidev.Device{Address: "0000:00:00.0", VendorID: "10de", DeviceID: "1"}); got || !ok {
		t.Errorf("slot 0$: %v %v", got, ok)
	}
	// What Python rejects, Nova rejects.
	_, _, err = ParseDeviceSpec(`{"address": {"bus": "(?<=0*)a"}}`, zed)
	if err == nil || !strings.HasPrefix(err.Error(), "The PCI address {'bus': '(?<=0*)a'} has an incorrect format.") {
		t.Errorf("variable-width lookbehind: %v", err)
	}
	_, _, err = ParseDeviceSpec(`{"address": {"bus": "a{4294967295}"}}`, zed)
	if ne, ok := err.(*NovaError); !ok || ne.Exception != "OverflowError" {
		t.Errorf("huge repeat: %v", err)
	}
}

func TestMatchPFAddressMatchesItsVFs(t *testing.T) {
	zed := rel(t, "zed")
	pf := pcidev.Device{Address: "0000:0a:00.0", VendorID: "8086", DeviceID: "1572", SRIOV: &pcidev.SRIOV{TotalVFs: 8, NumVFs: 1, VFs: []string{"0000:0a:02.0"}}}
	vf := pcidev.Device{Address: "0000:0a:02.0", VendorID: "8086", DeviceID: "154c", PhysFn: "0000:0a:00.0"}
	other := pcidev.Device{Address: "0000:0b:00.0", VendorID: "8086", DeviceID: "154c", PhysFn: "0000:0b:00.1"}
	// Host unknown: the VF's physfn tells that the address is a PF's.
	specs, _, err := ParseDeviceSpec(`{"address": "0000:0a:00.0"}`, zed)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    pcidev.Device
		want bool
	}{{pf, true}, {vf, true}, {other, false}} {
		if got, ok := specs[0].Match(&c.d); got != c.want || !ok {
			t.Errorf("host unknown, %s: %v %v", c.d.Address, got, ok)
		}
	}
	// Host known.
	sysfs := SysfsFromInventory([]pcidev.Device{pf, vf, other})
	specs, _, err = ParseDeviceSpecWith(`{"address": "0000:0a:00.0"}`, zed, Options{Sysfs: sysfs})
	if err != nil {
		t.Fatal(err)
	}
	if !specs[0].Address.PhysicalFunction {
		t.Error("not seen as a PF")
	}
	if got, ok := specs[0].Match(&vf); !got || !ok {
		t.Errorf("VF: %v %v", got, ok)
	}
	// A glob with a wildcard is not an exact address: no PF matching.
	specs, _, _ = ParseDeviceSpecWith(`{"address": "*:0a:00.0"}`, zed, Options{Sysfs: sysfs})
	if got, ok := specs[0].Match(&vf); got || !ok {
		t.Errorf("wildcard PF address matched the VF: %v %v", got, ok)
	}
	// Partial forms.
	specs, _, _ = ParseDeviceSpec(`{"address": ":0a:02."}`, zed)
	if got, ok := specs[0].Match(&vf); !got || !ok {
		t.Errorf(":0a:02.: %v %v", got, ok)
	}
	specs, _, _ = ParseDeviceSpec(`{"address": ".0"}`, zed)
	if got, _ := specs[0].Match(&other); !got {
		t.Error(".0 did not match function 0")
	}
}

func TestRemoteManagedPFOnARealHost(t *testing.T) {
	// sysfs has no "product" file, so Nova refuses every remote_managed
	// spec that names a PF.
	pf := pcidev.Device{Address: "0000:0a:00.0", VendorID: "15b3", DeviceID: "101d", SRIOV: &pcidev.SRIOV{TotalVFs: 8, NumVFs: 1, VFs: []string{"0000:0a:00.2"}}}
	vf := pcidev.Device{Address: "0000:0a:00.2", VendorID: "15b3", DeviceID: "101e", PhysFn: "0000:0a:00.0"}
	opts := Options{Sysfs: SysfsFromInventory([]pcidev.Device{pf, vf})}
	_, _, err := ParseDeviceSpecWith(`{"address": "0000:0a:00.0", "product_id": "101e", "remote_managed": "true"}`, rel(t, "2025.2"), opts)
	if ne, ok := err.(*NovaError); !ok || ne.Exception != "PciDeviceNotFoundById" {
		t.Errorf("got %v", err)
	}
	_, diags, err := ParseDeviceSpec(`{"address": "0000:0a:00.0", "remote_managed": "yes"}`, rel(t, "zed"))
	if err != nil || !hasWarning(diags, "remote_managed PFs are not supported") {
		t.Errorf("host unknown: %v %v", err, diags)
	}
}

func TestDeviceType(t *testing.T) {
	cases := []struct {
		d    pcidev.Device
		want string
	}{
		{pcidev.Device{Address: "0000:41:00.0"}, TypePCI},
		{pcidev.Device{Address: "0000:41:00.0", SRIOV: &pcidev.SRIOV{TotalVFs: 16}}, TypePF},
		{pcidev.Device{Address: "0000:41:00.0", SRIOV: &pcidev.SRIOV{TotalVFs: 0}}, TypePCI},
		{pcidev.Device{Address: "0000:41:00.4", PhysFn: "0000:41:00.0"}, TypeVF},
		{pcidev.Device{Address: "0000:41:00.4", PhysFn: "0000:41:00.0", SRIOV: &pcidev.SRIOV{TotalVFs: 2}}, TypeVF},
	}
	for _, c := range cases {
		if got := DeviceType(&c.d); got != c.want {
			t.Errorf("%+v: %s, want %s", c.d, got, c.want)
		}
	}
}

func TestAliasMatch(t *testing.T) {
	aliases, diags, err := ParseAliases([]string{
		`{"name": "a100", "vendor_id": "10DE", "product_id": "20b5", "device_type": "type-PCI"}`,
		`{"name": "qat", "capability_type": "pci", "vendor_id": "8086", "product_id": "4443"}`,
	}, rel(t, "zed"))
	if err != nil {
		t.Fatal(err)
	}
	gpu := &pcidev.Device{Address: "0000:41:00.0", VendorID: "10de", DeviceID: "20b5"}
	if !aliases["a100"].Specs[0].Match(gpu, DeviceType(gpu)) {
		t.Error("a100 does not match (IDs compare without case)")
	}
	if aliases["a100"].Specs[0].Match(gpu, TypePF) {
		t.Error("a100 matches a type-PF device")
	}
	qat := &pcidev.Device{Address: "0000:3d:00.0", VendorID: "8086", DeviceID: "4443"}
	if aliases["qat"].Specs[0].Match(qat, TypePCI) {
		t.Error("capability_type matched a device whose device_spec has no such tag")
	}
	if !hasWarning(diags, "capability_type") {
		t.Errorf("no capability_type warning: %v", diags)
	}
	specs, _, _ := ParseDeviceSpec(`{"vendor_id": "8086", "capability_type": "PCI"}`, rel(t, "zed"))
	if !aliases["qat"].Specs[0].MatchPool(qat, TypePCI, specs[0]) {
		t.Error("capability_type did not match the device_spec tag")
	}
}

func TestAliasRequests(t *testing.T) {
	reqs, err := ParseAliasRequest(" a100 : 2, t4:١")
	if err != nil || len(reqs) != 2 || reqs[0].String() != "a100:2" || reqs[1].String() != "t4:1" {
		t.Errorf("%v %v", reqs, err)
	}
	for v, msg := range map[string]string{
		"a100":      "not enough values to unpack (expected 2, got 1)",
		"a100:1:2":  "too many values to unpack (expected 2)",
		"a100:two":  "invalid literal for int() with base 10: 'two'",
		"a100:1,t4": "not enough values to unpack (expected 2, got 1)",
	} {
		if _, err := ParseAliasRequest(v); err == nil || err.Error() != msg {
			t.Errorf("%q: %v", v, err)
		}
	}
	aliases, _, _ := ParseAliases([]string{`{"name": "a100", "vendor_id": "10de", "product_id": "20b5"}`}, rel(t, "zed"))
	// An undefined alias is reported before a later malformed part.
	if _, err := ResolveAliasRequest("t4:1,a100", aliases); err == nil || err.Error() != "PCI alias t4 is not defined" {
		t.Errorf("%v", err)
	}
}

func TestValidateExtraSpec(t *testing.T) {
	zed := rel(t, "zed")
	for _, c := range []struct{ key, value, msg string }{
		{"pci_passthrough:alias", "a100:2", ""},
		{"pci_passthrough:alias", "a100:2, t4:1", ""},
		{"pci_passthrough:alias", "a100:٢", ""},
		// Nova's API accepts it; the request translation then fails.
		{"pci_passthrough:alias", "a100,t4:1", ""},
		{"pci_passthrough:alias", "a100:-1", `Validation failed; 'a100:-1' is not of the format '[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*'.`},
		{"pci_passthrough:alias", "a100", `Validation failed; 'a100' is not of the format '[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*'.`},
		{"pci_passthrough:aliases", "a100:1", "Validation failed; extra spec 'pci_passthrough:aliases' does not appear to be a valid extra spec."},
		{"hw:pci_numa_affinity_policy", "socket", ""},
		{"hw:pci_numa_affinity_policy", "Required", "Validation failed; 'Required' is not one of: required, preferred, legacy, socket."},
		{"hw:cpu_policy", "whatever", ""},
		{"trait:CUSTOM_GPU", "required", ""},
	} {
		err := ValidateExtraSpec(c.key, c.value, zed)
		if (err == nil) != (c.msg == "") || err != nil && err.Error() != c.msg {
			t.Errorf("%s=%q: %v, want %q", c.key, c.value, err, c.msg)
		}
	}
}

func TestDiagnostics(t *testing.T) {
	zed := rel(t, "zed")
	_, diags, err := ParseDeviceSpec(`{"vendor_id": "10de", "physical_netwrok": "physnet1", "trusted": true, "vendor_id": "10de"}`, zed)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`tag "physical_netwrok" is not one Nova zed uses`, `tag "trusted" is True`, `key "vendor_id" is given more than once`} {
		if !hasWarning(diags, w) {
			t.Errorf("no warning %q in %v", w, diags)
		}
	}
	_, diags, _ = ParseDeviceSpec(`{"devname": "", "address": ""}`, zed)
	if !hasWarning(diags, "devname '' is empty") || !hasWarning(diags, "address '' is empty") {
		t.Errorf("%v", diags)
	}
	_, diags, _ = ParseAliases([]string{`{"name": "a", "vendor_id": "10de\n", "product_id": "١٠de"}`}, zed)
	if !hasWarning(diags, "vendor_id '10de\\n'") || !hasWarning(diags, "product_id '١٠de'") {
		t.Errorf("%v", diags)
	}
}

func TestErrorsAreNovaErrors(t *testing.T) {
	for _, v := range []string{"", "{", `{"vendor_id": 5}`, `{"product_id": 5}`, `{"address": 5}`, `{"address": {"bus": 5}}`, `[5]`, `"x"`} {
		_, _, err := ParseDeviceSpec(v, rel(t, "zed"))
		ne, ok := err.(*NovaError)
		if !ok || ne.Exception == "" || ne.Message == "" {
			t.Errorf("%q: %#v", v, err)
		}
	}
}

// LazySysfs answers as SysfsFromInventory does, and builds nothing until
// asked.
func TestLazySysfs(t *testing.T) {
	devs := append([]pcidev.Device{}, fuzzDevices...)
	devs[0].Net = []string{"ens1f0"}
	// A function with SR-IOV and no VFs, one with a negative count, and an
	// address given twice (the tree keeps the last).
	devs = append(devs,
		pcidev.Device{Address: "0000:b1:00.0", VendorID: "15b3", DeviceID: "101d", SRIOV: &pcidev.SRIOV{}},
		pcidev.Device{Address: "0000:b2:00.0", VendorID: "15b3", DeviceID: "101d", SRIOV: &pcidev.SRIOV{TotalVFs: -1}},
		pcidev.Device{Address: "0000:b3:00.0", VendorID: "15b3", DeviceID: "101d", SRIOV: &pcidev.SRIOV{TotalVFs: 4}},
		pcidev.Device{Address: "0000:b3:00.0", VendorID: "15b3", DeviceID: "101d"},
		pcidev.Device{Address: "0000:b4:00.0", VendorID: "15b3", DeviceID: "101d"},
		pcidev.Device{Address: "0000:b4:00.0", VendorID: "15b3", DeviceID: "101d", SRIOV: &pcidev.SRIOV{TotalVFs: 4}})
	tree := SysfsFromInventory(devs)
	lazy := LazySysfs(devs)
	for _, spec := range []string{`{"vendor_id": "10de", "product_id": "2330"}`, `{"address": "0000:0a:00.0"}`} {
		if _, _, err := ParseDeviceSpecWith(spec, novarelease.Newest(), Options{Sysfs: lazy}); err != nil {
			t.Fatal(err)
		}
	}
	if lazy.(*lazySysfs).tree != nil {
		t.Error("a vendor/product spec, or an exact address, built the sysfs tree")
	}
	for _, a := range [][4]string{{"0000", "0a", "00", "0"}, {"0000", "0a", "00", "5"}, {"0000", "41", "00", "0"}, {"ffff", "0a", "00", "0"}, {"0000", "0a", "00", "0/"},
		{"0000", "b1", "00", "0"}, {"0000", "b2", "00", "0"}, {"0000", "b3", "00", "0"}, {"0000", "b4", "00", "0"}, {"0000", "B4", "00", "0"}, {"", "", "", ""}} {
		if got, want := lazy.IsPhysicalFunction(a[0], a[1], a[2], a[3]), tree.IsPhysicalFunction(a[0], a[1], a[2], a[3]); got != want {
			t.Errorf("IsPhysicalFunction%v = %v, want %v", a, got, want)
		}
	}
	for _, name := range []string{"ens1f0", "eth9", "..", ""} {
		a1, pf1 := lazy.FunctionByIfname(name)
		a2, pf2 := tree.FunctionByIfname(name)
		if a1 != a2 || pf1 != pf2 {
			t.Errorf("FunctionByIfname(%q) = %q %v, want %q %v", name, a1, pf1, a2, pf2)
		}
	}
	if got, want := lazy.IsPhysicalFunction("0000", "b4", "00", "0"), true; got != want {
		t.Errorf("IsPhysicalFunction of the second 0000:b4:00.0 (4 VFs) = %v", got)
	}
	for _, addr := range []string{"0000:0a:00.0", "0000:41:00.0", "0000:99:00.0"} {
		v1, e1 := lazy.VFProductIDByPFAddr(addr)
		v2, e2 := tree.VFProductIDByPFAddr(addr)
		if v1 != v2 || (e1 == nil) != (e2 == nil) {
			t.Errorf("VFProductIDByPFAddr(%q) = %q %v, want %q %v", addr, v1, e1, v2, e2)
		}
		vn1, p1, e1 := lazy.PCIIDsByPCIAddr(addr)
		vn2, p2, e2 := tree.PCIIDsByPCIAddr(addr)
		if vn1 != vn2 || p1 != p2 || (e1 == nil) != (e2 == nil) {
			t.Errorf("PCIIDsByPCIAddr(%q) differs", addr)
		}
	}
	if v, _ := lazy.VFProductIDByPFAddr("0000:0a:00.0"); v != "154c" {
		t.Errorf("the PF's VF device ID is %q, want 154c", v)
	}
}

// TestEachReleaseReadsWithItsPython: what Python changed between the
// releases' Pythons (3.11 for Zed, 3.13 for 2025.1, 3.14 for 2026.2)
// changes what each release accepts. Checked against the real Pythons by
// internal/pysem's differential tests.
func TestEachReleaseReadsWithItsPython(t *testing.T) {
	zed, epoxy := rel(t, "zed"), rel(t, "2025.1")
	for _, tc := range []struct {
		spec       string
		zed, epoxy bool // accepted
	}{
		{`{"address": {"bus": "(?t)0"}}`, true, false},            // TEMPLATE flag, gone in 3.13
		{`{"address": {"bus": "(0)(?( 1)0)"}}`, true, false},      // conditional read with int() in 3.11
		{`{"address": {"bus": "0\\z"}}`, false, false},            // \z only from 3.14
		{`{"vendor_id": "` + "\U00011F51" + `0de"}`, false, true}, // a Kawi digit: Unicode 15
	} {
		_, _, errZ := ParseDeviceSpec(tc.spec, zed)
		_, _, errE := ParseDeviceSpec(tc.spec, epoxy)
		if (errZ == nil) != tc.zed || (errE == nil) != tc.epoxy {
			t.Errorf("%s: zed %v, 2025.1 %v; want accepted %v, %v", tc.spec, errZ, errE, tc.zed, tc.epoxy)
		}
	}
	// Deep nesting: 3.13's json decodes a list nested 1,000 deep (Nova then
	// finds no dict), and words the RecursionError of deepcopy without
	// "while calling a Python object".
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	_, _, errZ := ParseDeviceSpec(deep, zed)
	_, _, errE := ParseDeviceSpec(deep, epoxy)
	if ne, ok := errZ.(*NovaError); !ok || ne.Exception != "RecursionError" {
		t.Errorf("list 1,000 deep, zed: %v", errZ)
	}
	if ne, ok := errE.(*NovaError); !ok || ne.Exception != "PciConfigInvalidSpec" {
		t.Errorf("list 1,000 deep, 2025.1: %v", errE)
	}
	deep = strings.Repeat(`{"a": `, 500) + "1" + strings.Repeat("}", 500)
	_, _, errZ = ParseDeviceSpec(deep, zed)
	_, _, errE = ParseDeviceSpec(deep, epoxy)
	if errZ == nil || errZ.Error() != "maximum recursion depth exceeded while calling a Python object" ||
		errE == nil || errE.Error() != "maximum recursion depth exceeded" {
		t.Errorf("dict 500 deep: zed %v, 2025.1 %v", errZ, errE)
	}
	_, _, errZ = ParseAliases([]string{`{"name": "a", "vendor_id": "10de", "product_id": "2330",}`}, zed)
	_, _, errE = ParseAliases([]string{`{"name": "a", "vendor_id": "10de", "product_id": "2330",}`}, epoxy)
	if errZ == nil || !strings.Contains(errZ.Error(), "Expecting property name enclosed in double quotes") ||
		errE == nil || !strings.Contains(errE.Error(), "Illegal trailing comma before end of object") {
		t.Errorf("trailing comma: zed %v, 2025.1 %v", errZ, errE)
	}
}
