package pcispec

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/gpupass/gpupass/internal/pysem"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

// The agreement corpus: testdata/novaconf/*.jsonl, with Nova's verdicts
// recorded by testdata/novaconf/oracle.py (Nova Zed, python3-nova 26.2.2).

const corpusDir = "../../testdata/novaconf"

// knownDisagreements are corpus cases where gpupass knowingly differs from
// Nova, with the reason; they are logged rather than failed, and the
// agreement figure counts them as disagreements. There are none.
var knownDisagreements = map[string]string{}

type corpusCase struct {
	ID      string            `json:"id"`
	Kind    string            `json:"kind"`
	Input   json.RawMessage   `json:"input"`
	Origin  string            `json:"origin"`
	Host    *SysfsTree        `json:"host"`
	Mock    *caseMock         `json:"mock"`
	Conf    map[string]bool   `json:"conf"`
	Devices json.RawMessage   `json:"devices"`
	Pools   []json.RawMessage `json:"pools"`
	Nova    map[string]json.RawMessage
}

type caseDevice struct {
	VendorID   string  `json:"vendor_id"`
	ProductID  string  `json:"product_id"`
	Address    string  `json:"address"`
	ParentAddr *string `json:"parent_addr"`
	// Capabilities carry the VPD card serial number a remote_managed
	// spec needs.
	Capabilities struct {
		VPD struct {
			CardSerialNumber string `json:"card_serial_number"`
		} `json:"vpd"`
	} `json:"capabilities"`
}

type caseMock struct {
	IsPF                   *bool    `json:"is_physical_function"`
	GetFunctionByIfname    []any    `json:"get_function_by_ifname"`
	GetVFProductIDByPFAddr *string  `json:"get_vf_product_id_by_pf_addr"`
	GetPCIIDsByPCIAddr     []string `json:"get_pci_ids_by_pci_addr"`
	tree                   *SysfsTree
}

// mockSysfs answers as the functions Nova's unit tests mock; the rest
// comes from the (empty) host.
func (m *caseMock) IsPhysicalFunction(d, b, s, f string) bool {
	if m.IsPF != nil {
		return *m.IsPF
	}
	return m.tree.IsPhysicalFunction(d, b, s, f)
}

func (m *caseMock) FunctionByIfname(name string) (string, bool) {
	if m.GetFunctionByIfname != nil {
		addr, _ := m.GetFunctionByIfname[0].(string)
		pf, _ := m.GetFunctionByIfname[1].(bool)
		return addr, pf
	}
	return m.tree.FunctionByIfname(name)
}

func (m *caseMock) VFProductIDByPFAddr(pf string) (string, *NovaError) {
	if m.GetVFProductIDByPFAddr != nil {
		return *m.GetVFProductIDByPFAddr, nil
	}
	return m.tree.VFProductIDByPFAddr(pf)
}

func (m *caseMock) PCIIDsByPCIAddr(addr string) (string, string, *NovaError) {
	if m.GetPCIIDsByPCIAddr != nil {
		return m.GetPCIIDsByPCIAddr[0], m.GetPCIIDsByPCIAddr[1], nil
	}
	return m.tree.PCIIDsByPCIAddr(addr)
}

type specResult struct {
	VendorID  string            `json:"vendor_id"`
	ProductID string            `json:"product_id"`
	Devname   *string           `json:"devname"`
	Address   []string          `json:"address"`
	IsPF      bool              `json:"is_pf"`
	Tags      map[string]string `json:"tags"`
}

type aliasResult struct {
	NUMAPolicy string              `json:"numa_policy"`
	Specs      []map[string]string `json:"specs"`
}

type verdict struct {
	OK        bool                   `json:"ok"`
	Exception string                 `json:"exception"`
	Error     string                 `json:"error"`
	Specs     []specResult           `json:"specs"`
	Matches   json.RawMessage        `json:"matches"`
	Aliases   map[string]aliasResult `json:"aliases"`
	Requests  [][2]string            `json:"requests"`
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	pattern := filepath.Join(corpusDir, "*.jsonl")
	if p := os.Getenv("GPUPASS_NOVACONF_CORPUS"); p != "" {
		pattern = p // another corpus, such as one made by a fuzzer
	}
	return loadCases(t, pattern)
}

func loadCases(t *testing.T, pattern string) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", corpusDir, err)
	}
	var cases []corpusCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var c corpusCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			cases = append(cases, c)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return cases
}

func (c *corpusCase) options() Options {
	tree := c.Host
	if tree == nil {
		tree = &SysfsTree{}
	}
	rip := c.Conf["report_in_placement"]
	pip := c.Conf["pci_in_placement"]
	opts := Options{Sysfs: tree, ReportInPlacement: &rip, PCIInPlacement: &pip}
	if c.Mock != nil {
		c.Mock.tree = tree
		opts.Sysfs = c.Mock
	}
	return opts
}

// outcome is what gpupass says about a case, in the oracle's terms.
type outcome struct {
	ok        bool
	exception string
	message   string
	// detail lists differences in what was parsed or matched; empty when
	// gpupass agrees.
	detail []string
	// unevaluable counts matches gpupass could not evaluate (each also
	// a detail: the case fails).
	unevaluable int
	matches     int
}

func errOutcome(err error) outcome {
	ne, ok := err.(*NovaError)
	if !ok {
		return outcome{exception: "?", message: err.Error()}
	}
	return outcome{exception: ne.Exception, message: ne.Message}
}

func runCase(c *corpusCase, rel novarelease.Release, want *verdict) outcome {
	opts := c.options()
	switch c.Kind {
	case "device_spec":
		var value string
		if err := json.Unmarshal(c.Input, &value); err != nil {
			return outcome{detail: []string{err.Error()}}
		}
		specs, _, err := ParseDeviceSpecWith(value, rel, opts)
		if err != nil {
			return errOutcome(err)
		}
		o := outcome{ok: true}
		if want != nil && want.OK {
			o.detail = compareSpecs(specs, want.Specs)
			compareMatches(c, specs, want.Matches, &o)
		}
		return o
	case "alias":
		var values []string
		if err := json.Unmarshal(c.Input, &values); err != nil {
			return outcome{detail: []string{err.Error()}}
		}
		aliases, _, err := ParseAliasesWith(values, rel, opts)
		if err != nil {
			return errOutcome(err)
		}
		o := outcome{ok: true}
		if want != nil && want.OK {
			o.detail = compareAliases(aliases, want.Aliases)
			compareAliasMatches(c, aliases, want.Matches, &o)
		}
		return o
	case "alias_request":
		var in struct {
			Aliases []string `json:"aliases"`
			Request string   `json:"request"`
		}
		if err := json.Unmarshal(c.Input, &in); err != nil {
			return outcome{detail: []string{err.Error()}}
		}
		aliases, _, err := ParseAliasesWith(in.Aliases, rel, opts)
		if err != nil {
			o := errOutcome(err)
			o.exception = "aliases: " + o.exception
			return o
		}
		reqs, err := ResolveAliasRequest(in.Request, aliases)
		if err != nil {
			return errOutcome(err)
		}
		o := outcome{ok: true}
		if want != nil && want.OK {
			var got [][2]string
			for _, r := range reqs {
				got = append(got, [2]string{r.Name, r.Count.String()})
			}
			if fmt.Sprint(got) != fmt.Sprint(want.Requests) {
				o.detail = append(o.detail, fmt.Sprintf("requests %q, Nova %q", got, want.Requests))
			}
		}
		return o
	case "extra_spec":
		var in struct{ Key, Value string }
		if err := json.Unmarshal(c.Input, &in); err != nil {
			return outcome{detail: []string{err.Error()}}
		}
		if err := ValidateExtraSpec(in.Key, in.Value, rel); err != nil {
			return errOutcome(err)
		}
		return outcome{ok: true}
	}
	return outcome{detail: []string{"unknown kind " + c.Kind}}
}

func compareSpecs(specs []*DeviceSpec, want []specResult) []string {
	var diffs []string
	if len(specs) != len(want) {
		return []string{fmt.Sprintf("%d specs, Nova %d", len(specs), len(want))}
	}
	for i, s := range specs {
		w := want[i]
		if s.VendorID != w.VendorID || s.ProductID != w.ProductID {
			diffs = append(diffs, fmt.Sprintf("spec %d: ids %s:%s, Nova %s:%s", i, s.VendorID, s.ProductID, w.VendorID, w.ProductID))
		}
		if w.Devname != nil {
			if s.DevName != *w.Devname {
				diffs = append(diffs, fmt.Sprintf("spec %d: devname %q, Nova %q", i, s.DevName, *w.Devname))
			}
		} else if s.Address == nil {
			diffs = append(diffs, fmt.Sprintf("spec %d: no address, Nova %v", i, w.Address))
		} else {
			f := s.Address.fields()
			if fmt.Sprint(f[:]) != fmt.Sprint(w.Address) {
				diffs = append(diffs, fmt.Sprintf("spec %d: address %q, Nova %q", i, f, w.Address))
			}
			if s.Address.PhysicalFunction != w.IsPF {
				diffs = append(diffs, fmt.Sprintf("spec %d: PF %v, Nova %v", i, s.Address.PhysicalFunction, w.IsPF))
			}
		}
		if fmt.Sprint(s.Tags) != fmt.Sprint(nonNil(w.Tags)) {
			diffs = append(diffs, fmt.Sprintf("spec %d: tags %q, Nova %q", i, s.Tags, w.Tags))
		}
	}
	return diffs
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (d caseDevice) device() *pcidev.Device {
	dev := &pcidev.Device{Address: d.Address, VendorID: d.VendorID, DeviceID: d.ProductID}
	if d.ParentAddr != nil {
		dev.PhysFn = *d.ParentAddr
	}
	return dev
}

// devices are the case's devices; a string names a set in devices.json.
func (c *corpusCase) devices() ([]caseDevice, error) {
	var devs []caseDevice
	if len(c.Devices) == 0 {
		return nil, nil
	}
	var name string
	if json.Unmarshal(c.Devices, &name) != nil {
		return devs, json.Unmarshal(c.Devices, &devs)
	}
	data, err := os.ReadFile(filepath.Join(corpusDir, "devices.json"))
	if err != nil {
		return nil, err
	}
	var sets map[string][]caseDevice
	if err := json.Unmarshal(data, &sets); err != nil {
		return nil, err
	}
	if sets[name] == nil {
		return nil, fmt.Errorf("devices.json has no set %q", name)
	}
	return sets[name], nil
}

func compareMatches(c *corpusCase, specs []*DeviceSpec, raw json.RawMessage, o *outcome) {
	if len(raw) == 0 {
		return
	}
	devs, err := c.devices()
	if err != nil {
		o.detail = append(o.detail, "devices: "+err.Error())
		return
	}
	var want [][]any
	if err := json.Unmarshal(raw, &want); err != nil {
		o.detail = append(o.detail, "matches: "+err.Error())
		return
	}
	for i, d := range devs {
		for j, s := range specs {
			got, evaluable := s.MatchVPD(d.device(), d.Capabilities.VPD.CardSerialNumber)
			w, isBool := want[i][j].(bool)
			o.matches++
			switch {
			case !evaluable:
				// Every match must be evaluable (issue 14): one that is
				// not fails the case.
				o.unevaluable++
				o.detail = append(o.detail, fmt.Sprintf("device %s, spec %d: gpupass cannot evaluate the match, Nova %v", d.Address, j, want[i][j]))
			case !isBool:
				o.detail = append(o.detail, fmt.Sprintf("device %s, spec %d: matched %v, Nova raised %v", d.Address, j, got, want[i][j]))
			case got != w:
				o.detail = append(o.detail, fmt.Sprintf("device %s, spec %d: matched %v, Nova %v", d.Address, j, got, w))
			}
		}
	}
}

func compareAliases(got map[string]*Alias, want map[string]aliasResult) []string {
	var diffs []string
	if len(got) != len(want) {
		diffs = append(diffs, fmt.Sprintf("%d aliases, Nova %d", len(got), len(want)))
	}
	for name, w := range want {
		a := got[name]
		if a == nil {
			diffs = append(diffs, fmt.Sprintf("alias %q missing", name))
			continue
		}
		if a.NUMAPolicy != w.NUMAPolicy {
			diffs = append(diffs, fmt.Sprintf("alias %q: policy %s, Nova %s", name, a.NUMAPolicy, w.NUMAPolicy))
		}
		var specs []map[string]string
		for _, s := range a.Specs {
			specs = append(specs, s.Spec)
		}
		if fmt.Sprint(specs) != fmt.Sprint(w.Specs) {
			diffs = append(diffs, fmt.Sprintf("alias %q: specs %q, Nova %q", name, specs, w.Specs))
		}
	}
	return diffs
}

func compareAliasMatches(c *corpusCase, aliases map[string]*Alias, raw json.RawMessage, o *outcome) {
	if len(raw) == 0 {
		return
	}
	var want map[string][][]bool
	if err := json.Unmarshal(raw, &want); err != nil {
		o.detail = append(o.detail, "matches: "+err.Error())
		return
	}
	for name, perSpec := range want {
		a := aliases[name]
		if a == nil {
			continue
		}
		for i, row := range perSpec {
			for j, pool := range c.Pools {
				dev, devType, spec := poolDevice(pool)
				got := a.Specs[i].MatchPool(dev, devType, spec)
				o.matches++
				if got != row[j] {
					o.detail = append(o.detail, fmt.Sprintf("alias %q spec %d, pool %d: matched %v, Nova %v", name, i, j, got, row[j]))
				}
			}
		}
	}
}

// poolDevice splits a device pool into the device, its type and the
// device_spec tags.
func poolDevice(raw json.RawMessage) (*pcidev.Device, string, *DeviceSpec) {
	v, err := pysem.Py311.LoadJSON(string(raw), pyJSONMaxDepthAlias)
	if err != nil {
		panic(err)
	}
	dev := &pcidev.Device{}
	devType := ""
	tags := pysem.NewDict()
	for _, k := range v.Keys {
		x := v.Get(k)
		switch k {
		case "vendor_id":
			dev.VendorID = x.Str
		case "product_id":
			dev.DeviceID = x.Str
		case "dev_type":
			devType = x.Str
		default:
			tags.Set(k, x)
		}
	}
	return dev, devType, &DeviceSpec{tags: tags}
}

func TestCorpusAgreesWithNovaZed(t *testing.T) {
	checkAgreement(t, loadCorpus(t), "zed", true)
}

// TestReleasesAgreeWithNova checks the rules that changed after Zed against
// each release's own code (testdata/novaconf/releases, judged by oracle.py
// --release with the release's nova/pci modules).
func TestReleasesAgreeWithNova(t *testing.T) {
	pattern := filepath.Join(corpusDir, "releases", "*.jsonl")
	if p := os.Getenv("GPUPASS_NOVACONF_RELEASES"); p != "" {
		pattern = p
	}
	cases := loadCases(t, pattern)
	for _, rel := range novarelease.All {
		t.Run(rel.Name, func(t *testing.T) {
			var judged []corpusCase
			for _, c := range cases {
				if _, ok := c.Nova[rel.Name]; ok {
					judged = append(judged, c)
				}
			}
			if len(judged) == 0 {
				t.Skipf("no case judged by Nova %s", rel.Name)
			}
			checkAgreement(t, judged, rel.Name, false)
		})
	}
}

// checkAgreement runs every case with release relName's rules and fails on
// any difference from Nova's recorded verdict: accept/reject, the error
// (exception and message), what was parsed, and device matches.
func checkAgreement(t *testing.T, cases []corpusCase, relName string, byOrigin bool) {
	rel := mustRelease(relName)
	origins := map[string]int{}
	var agree, accept, msgAgree, failed, matches, unevaluable int
	for i := range cases {
		c := &cases[i]
		src := strings.SplitN(c.Origin, ":", 2)[0]
		origins[src]++
		raw, ok := c.Nova[relName]
		if !ok {
			t.Errorf("%s: no recorded Nova %s verdict (run oracle.py --update)", c.ID, relName)
			continue
		}
		var want verdict
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		got := runCase(c, rel, &want)
		matches += got.matches
		unevaluable += got.unevaluable
		known := knownDisagreements[c.ID]
		report := func(format string, args ...any) {
			if known != "" {
				t.Logf("%s (known disagreement: %s): "+format, append([]any{c.ID, known}, args...)...)
				return
			}
			failed++
			t.Errorf("%s [%s]: "+format, append([]any{c.ID, c.Origin}, args...)...)
		}
		if got.ok != want.OK {
			report("gpupass ok=%v (%s: %s), Nova ok=%v (%s: %s)\ninput: %s", got.ok, got.exception, got.message, want.OK, want.Exception, want.Error, c.Input)
			continue
		}
		accept++
		if !got.ok {
			if got.exception == want.Exception && sameClipped(got.message, want.Error) {
				msgAgree++
			} else {
				report("message %s: %q, Nova %s: %q", got.exception, got.message, want.Exception, want.Error)
				continue
			}
		} else {
			msgAgree++
		}
		if len(got.detail) > 0 {
			report("%s", strings.Join(got.detail, "; "))
			continue
		}
		agree++
	}
	n := len(cases)
	if byOrigin {
		var list []string
		for o, k := range origins {
			list = append(list, fmt.Sprintf("%s %d", o, k))
		}
		sort.Strings(list)
		t.Logf("corpus: %d cases (%s)", n, strings.Join(list, ", "))
	}
	t.Logf("agreement with Nova %s: accept/reject %d/%d (%.1f%%), messages %d/%d, parsed values and matches %d/%d; %d device matches compared, %d of them not evaluable by gpupass",
		relName, accept, n, 100*float64(accept)/float64(n), msgAgree, n, agree, n, matches, unevaluable)
	if failed > 0 {
		t.Errorf("%d cases disagree with Nova", failed)
	}
}

// TestOracleVerdictsAreCurrent re-runs oracle.py, Nova's own code, and
// checks that the recorded verdicts are what Nova says: Zed's (python3-nova)
// for the corpus and the release cases, and, when GPUPASS_NOVA_GIT names a
// clone of openstack/nova, the later releases' for the release cases.
func TestOracleVerdictsAreCurrent(t *testing.T) {
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("set GPUPASS_ORACLE=1 to re-run Nova's own parser over the corpus (needs python3-nova: python3 -c 'import nova'; GPUPASS_NOVA_GIT=<clone of openstack/nova> adds the later releases)")
	}
	python := ""
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import nova.pci.devspec").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Fatal("GPUPASS_ORACLE=1 but no python3 can import nova: install python3-nova")
	}
	corpus, _ := filepath.Glob(filepath.Join(corpusDir, "*.jsonl"))
	releases, _ := filepath.Glob(filepath.Join(corpusDir, "releases", "*.jsonl"))
	runs := []struct {
		release string
		files   []string
	}{{"zed", append(append([]string{}, corpus...), releases...)}}
	if git := os.Getenv("GPUPASS_NOVA_GIT"); git != "" {
		for _, rel := range novarelease.All[1:] {
			runs = append(runs, struct {
				release string
				files   []string
			}{rel.Name, releases})
		}
	}
	for _, run := range runs {
		t.Run(run.release, func(t *testing.T) {
			args := append([]string{filepath.Join(corpusDir, "oracle.py")}, run.files...)
			if run.release != "zed" {
				args = append([]string{args[0], "--release", run.release, "--nova-git", os.Getenv("GPUPASS_NOVA_GIT")}, run.files...)
			}
			cmd := exec.Command(python, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("oracle.py: %v\n%s", err, stderr.String())
			}
			recorded := map[string]string{}
			for _, f := range run.files {
				for _, c := range loadCases(t, f) {
					if v, ok := c.Nova[run.release]; ok {
						recorded[c.ID] = normJSON(t, v)
					}
				}
			}
			n := 0
			for _, line := range bytes.Split(out, []byte("\n")) {
				if len(bytes.TrimSpace(line)) == 0 {
					continue
				}
				var r map[string]json.RawMessage
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatalf("oracle output: %v: %s", err, line)
				}
				var id string
				_ = json.Unmarshal(r["id"], &id)
				n++
				if got := normJSON(t, r[run.release]); got != recorded[id] {
					t.Errorf("%s: Nova %s now says %s; recorded %s", id, run.release, got, recorded[id])
				}
			}
			if n != len(recorded) {
				t.Errorf("oracle judged %d cases, %d are recorded", n, len(recorded))
			}
			t.Logf("oracle (Nova %s) re-judged %d cases", run.release, n)
		})
	}
}

func normJSON(t *testing.T, raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// sameClipped reports whether gpupass's message is Nova's, but for the
// values over maxQuoted bytes that it clips with "…" (Nova quotes them
// whole): every piece between the "…" is Nova's text, in order, the first
// at its start and the last at its end.
func sameClipped(got, nova string) bool {
	if got == nova {
		return true
	}
	pieces := strings.Split(got, "…")
	if len(pieces) < 2 || !strings.HasPrefix(nova, pieces[0]) || !strings.HasSuffix(nova, pieces[len(pieces)-1]) {
		return false
	}
	rest := nova[len(pieces[0]):]
	for _, piece := range pieces[1 : len(pieces)-1] {
		i := strings.Index(rest, piece)
		if i < 0 {
			return false
		}
		rest = rest[i+len(piece):]
	}
	return len(rest) >= len(pieces[len(pieces)-1])
}
