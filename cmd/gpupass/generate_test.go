package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/generate"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/report"
)

// Every fixture's plan, reviewed: testdata/golden/generate/FIXTURE.txt.
// Twice, to prove the output deterministic.
func TestGenerateGolden(t *testing.T) {
	t.Parallel()
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(hostsDir, name)
			code, out, errOut := gpupass(t, nil, "generate", "all", "--root", root)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			_, again, _ := gpupass(t, nil, "generate", "all", "--root", root)
			if again != out {
				t.Error("two runs on the same host differ")
			}
			golden(t, filepath.Join("..", "..", "testdata", "golden", "generate", name+".txt"), out)
		})
	}
}

// What generate writes is what Nova accepts (gpupass's transcription of
// its parsers: pcispec; Nova itself in TestGenerateNovaOracle) and what the
// nova.conf reader reads back unchanged.
func TestGenerateParses(t *testing.T) {
	t.Parallel()
	rel, _ := novarelease.Parse("2024.1")
	for _, name := range fixtureNames(t) {
		host, err := hostinfo.Collect(filepath.Join(hostsDir, name), hostinfo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, placement := range []bool{false, true} {
			plan, err := generate.Build(host, generate.Options{Release: rel, Placement: placement, NUMAPolicy: "preferred"})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(plan.Models) == 0 {
				continue
			}
			for role, text := range map[string]string{"compute": plan.ComputeConf(), "api": plan.APIConf()} {
				cfg, problems := novaconf.Load(memReader{"/nova.conf": text}, []string{"/nova.conf"}, nil)
				if len(problems) > 0 {
					t.Errorf("%s %s conf: %v\n%s", name, role, problems, text)
				}
				aliases := cfg.Lookup(novaconf.OptAlias)
				if len(aliases) != len(plan.Models) {
					t.Errorf("%s %s conf: %d aliases read back, want %d", name, role, len(aliases), len(plan.Models))
				}
				var texts []string
				for _, a := range aliases {
					texts = append(texts, a.Text)
				}
				parsed, _, err := pcispec.ParseAliasesWith(texts, rel, pcispec.Options{})
				if err != nil || len(parsed) != len(plan.Models) {
					t.Errorf("%s %s conf: aliases %v: %v", name, role, parsed, err)
				}
				if role == "api" {
					filters := cfg.Lookup(novaconf.OptEnabledFilters)
					if len(filters) != 1 || !strings.Contains(filters[0].Text, "PciPassthroughFilter") {
						t.Errorf("%s: enabled_filters %v", name, filters)
					}
					continue
				}
				specs := cfg.Lookup(novaconf.OptDeviceSpec)
				for _, s := range specs {
					on := placement
					if _, _, err := pcispec.ParseDeviceSpecWith(s.Text, rel, pcispec.Options{Sysfs: pcispec.SysfsFromInventory(host.Devices), ReportInPlacement: &on}); err != nil {
						t.Errorf("%s: device_spec %s: %v", name, s.Text, err)
					}
				}
			}
			for _, f := range plan.Flavors() {
				for _, kv := range f.ExtraSpecs {
					if kv[0] == "hw:numa_nodes" {
						continue // not a spec pcispec validates; Nova's oracle does
					}
					if err := pcispec.ValidateExtraSpec(kv[0], kv[1], rel); err != nil {
						t.Errorf("%s: flavor %s: %s=%s: %v", name, f.Name, kv[0], kv[1], err)
					}
				}
			}
		}
	}
}

// memReader serves nova.conf files from memory.
type memReader map[string]string

func (m memReader) ReadFile(path string) ([]byte, error) {
	if s, ok := m[path]; ok {
		return []byte(s), nil
	}
	return nil, os.ErrNotExist
}

func (m memReader) ReadDir(string) ([]os.DirEntry, error) { return nil, os.ErrNotExist }

// The flavors generate writes boot on the host they were made for, by the
// audit's own judgement (GP403-GP405 silent, the verdict bootable), once the
// host is as generate leaves it: its nova.conf replaced by the generated
// one, the GPUs on vfio-pci.
func TestGenerateFlavorsFitTheirHost(t *testing.T) {
	t.Parallel()
	rel, _ := novarelease.Parse("2024.1")
	for _, name := range []string{"h100-hgx", "a100-sriov", "turing-workstation", "epyc-mi210"} {
		host, err := hostinfo.Collect(filepath.Join(hostsDir, name), hostinfo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := generate.Build(host, generate.Options{Release: rel})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range plan.Bound() { // as after the reboot
			d.Driver = "vfio-pci"
		}
		conf := &report.ConfReport{Role: "compute"}
		cfg, _ := novaconf.Load(memReader{"/nova.conf": plan.ComputeConf()}, []string{"/nova.conf"}, nil)
		for _, opt := range []novaconf.Option{novaconf.OptDeviceSpec, novaconf.OptAlias} {
			for _, v := range cfg.Lookup(opt) {
				conf.Options = append(conf.Options, report.ConfOption{Option: opt.String(), Value: v.Text, Source: v.Source.String()})
			}
		}
		rep := &report.HostReport{Path: name + ".json", Report: report.Report{Schema: report.Schema, Command: "preflight", NovaRelease: rel.Name, Host: report.FromHost(host), NovaConf: conf}}
		snap := &cloudmodel.Snapshot{}
		for _, f := range plan.Flavors() {
			cf := cloudmodel.Flavor{ID: f.Name, Name: f.Name, VCPUs: f.VCPUs, RAMMB: f.RAMMB, IsPublic: true, ExtraSpecs: map[string]string{}}
			for _, kv := range f.ExtraSpecs {
				cf.ExtraSpecs[kv[0]] = kv[1]
			}
			snap.Flavors = append(snap.Flavors, cf)
		}
		api := loadConfText(t, plan.APIConf())
		r := checks.Run(&checks.Inputs{NovaRelease: rel, Cloud: snap, Reports: []*report.HostReport{rep}, APIConf: api}, checks.InSection(checks.All, "GP4"))
		for _, f := range r.Findings {
			if f.Severity == report.Error {
				t.Errorf("%s: %s %s: %s", name, f.ID, f.Subject.Ref, f.Message)
			}
		}
		if r.Audit == nil || r.Audit.Counts.Bootable != len(plan.Flavors()) || r.Audit.Counts.GPUFlavors == 0 {
			t.Errorf("%s: %+v of %d generated flavors bootable", name, r.Audit.Counts, len(plan.Flavors()))
			for _, f := range r.Audit.Flavors {
				t.Logf("  %s: %s", f.Name, f.Verdict)
			}
		}
	}
}

// generate reads the host and writes nothing under it.
func TestGenerateIsReadOnly(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "turing-workstation")
	before := snapshotTree(t, root)
	for _, a := range generate.Artifacts {
		if code, _, errOut := gpupass(t, nil, "generate", a, "--root", root); code != exitOK {
			t.Fatalf("%s: exit %d: %s", a, code, errOut)
		}
	}
	gpupass(t, nil, "generate", "all", "--root", root, "--format", "json")
	if diff := cmp.Diff(before, snapshotTree(t, root)); diff != "" {
		t.Errorf("the tree changed (-before +after):\n%s", diff)
	}
}

// --output writes atomically and refuses to overwrite without --force.
func TestGenerateOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "gpupass-vfio.conf")
	root := filepath.Join(hostsDir, "turing-workstation")
	if code, stdout, errOut := gpupass(t, nil, "generate", "modprobe", "--root", root, "--output", out); code != exitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), "options vfio-pci ids=10de:10f7,10de:1ad6,10de:1ad7,10de:1e07\n") {
		t.Fatalf("%v: %s", err, data)
	}
	if err := os.WriteFile(out, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := gpupass(t, nil, "generate", "modprobe", "--root", root, "--output", out)
	if code != exitFailure || !strings.Contains(errOut, "--force") {
		t.Errorf("overwrite without --force: exit %d, %s", code, errOut)
	}
	if data, _ := os.ReadFile(out); string(data) != "mine\n" {
		t.Error("the file was overwritten without --force")
	}
	if code, _, errOut := gpupass(t, nil, "generate", "modprobe", "--root", root, "--output", out, "--force"); code != exitOK {
		t.Fatalf("--force: exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile(out); !strings.HasPrefix(string(data), "# gpupass generate modprobe") {
		t.Errorf("--force did not write: %s", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// Generating from a preflight report gives the same nova.conf and flavors
// as generating on the host.
func TestGenerateFromReport(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "h100-hgx")
	_, rep, _ := gpupass(t, nil, "preflight", "--root", root, "--format", "json")
	path := filepath.Join(t.TempDir(), "h100.json")
	if err := os.WriteFile(path, []byte(rep), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, artifact := range []string{"nova-conf", "flavor"} {
		_, onHost, _ := gpupass(t, nil, "generate", artifact, "--root", root)
		code, fromReport, errOut := gpupass(t, nil, "generate", artifact, "--from-report", path)
		if code != exitOK || fromReport != onHost || !strings.Contains(onHost, " alias h100\n") {
			t.Errorf("%s: exit %d (%s); from the report:\n%s\non the host:\n%s", artifact, code, errOut, fromReport, onHost)
		}
	}
}

// Bad flags are exit 2 with a message naming the flag.
func TestGenerateBadInput(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "h100-hgx")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "grub", "--root", root}, "unknown artifact"},
		{[]string{"generate", "all", "--root", root, "--numa-policy", "strict"}, "--numa-policy strict"},
		{[]string{"generate", "all", "--root", root, "--alias-name", "h100"}, "--alias-name h100"},
		{[]string{"generate", "all", "--root", root, "--alias-name", "10de:2330=a,b"}, "cannot hold ':' or ','"},
		{[]string{"generate", "all", "--root", root, "--placement", "--nova-release", "zed"}, "2023.1 or later"},
		{[]string{"generate", "all", "--from-report", filepath.Join(hostsDir, "h100-hgx", "etc", "hostname")}, "not JSON"},
		{[]string{"generate", "all", "--root", root, "--gpu", "nvidia"}, "--gpu nvidia"},
		// A selector that matches nothing is a mistake, not "nothing to configure".
		{[]string{"generate", "all", "--root", root, "--gpu", "10de:9999"}, "--gpu 10de:9999 matches no PCI function"},
		{[]string{"generate", "all", "--root", root, "--gpu", "0000:d9:00.0"}, "--gpu 0000:d9:00.0 matches no PCI function"},
		{[]string{"generate", "all", "--root", root, "--gpu", "0000:99:00.0"}, "--gpu 0000:99:00.0 names a PCI bridge"},
		{[]string{"generate", "nova-conf", "--root", root, "--gpu", "0000:18:00.0", "--gpu", "10de:9999"}, "--gpu 10de:9999 matches no PCI function"},
		{[]string{"generate", "all", "--root", root, "--gpu", "0000:1a:00.2"}, "--gpu 0000:1a:00.2 names only virtual functions"},
		{[]string{"generate", "all", "--root", root, "--alias-name", "10de:9999=x"}, "--alias-name 10de:9999=x: no PCI function on gpu-h100-07 has the ID 10de:9999"},
		{[]string{"generate", "all", "--root", root, "--gpu", "0000:18:00.0", "--alias-name", "15b3:1021=x"}, "--alias-name 15b3:1021=x: 15b3:1021 is not a GPU selected for passthrough"},
	} {
		code, out, errOut := gpupass(t, nil, tt.args...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", tt.args, code, out, errOut, tt.want)
		}
	}
}

// --gpu, --alias-name, --numa-policy and --placement shape the output.
func TestGenerateOptions(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "h100-hgx")
	_, out, errOut := gpupass(t, nil, "generate", "nova-conf", "--root", root, "--gpu", "0000:18:00.0", "--gpu", "0000:19:00.0",
		"--alias-name", "10de:2330=h100", "--numa-policy", "required", "--placement", "--nova-release", "2024.1")
	for _, want := range []string{
		`device_spec = {"vendor_id": "10de", "product_id": "2330", "address": "0000:18:00.0", "resource_class": "CUSTOM_H100"}`,
		`device_spec = {"vendor_id": "10de", "product_id": "2330", "address": "0000:19:00.0", "resource_class": "CUSTOM_H100"}`,
		`alias = {"name": "h100", "vendor_id": "10de", "product_id": "2330", "device_type": "type-PCI", "numa_policy": "required", "resource_class": "CUSTOM_H100"}`,
		"report_in_placement = True",
		"pci_in_placement = True",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in:\n%s%s", want, out, errOut)
		}
	}
	// Before Zed the compute node's option is passthrough_whitelist.
	_, old, _ := gpupass(t, nil, "generate", "nova-conf", "--root", root, "--nova-release", "yoga")
	if !strings.Contains(old, "\npassthrough_whitelist = {\"vendor_id\": \"10de\", \"product_id\": \"2330\"}\n") || strings.Contains(old, "\ndevice_spec =") {
		t.Errorf("--nova-release yoga:\n%s", old)
	}
	if code, _, errOut := gpupass(t, nil, "generate", "nova-conf", "--root", root, "--nova-release", "yoga", "--placement"); code != exitFailure || !strings.Contains(errOut, "2023.1") {
		t.Errorf("--placement before Zed: exit %d, %s", code, errOut)
	}
	// Six H100s stay with the host: the two are bound by address.
	_, mod, _ := gpupass(t, nil, "generate", "modprobe", "--root", root, "--gpu", "0000:18:00.0")
	if strings.Contains(mod, "\noptions vfio-pci ids=") || !strings.Contains(mod, "driverctl set-override 0000:18:00.0 vfio-pci") {
		t.Errorf("a partly selected model must be bound by address:\n%s", mod)
	}
}

// loadConfText reads a nova.conf text as the API node's configuration.
func loadConfText(t *testing.T, text string) *novaconf.Set {
	t.Helper()
	cfg, problems := novaconf.Load(memReader{"/api.conf": text}, []string{"/api.conf"}, nil)
	if len(problems) > 0 {
		t.Fatalf("%v", problems)
	}
	return &novaconf.Set{Role: "api", Layout: "given", Config: cfg}
}

// generate all --format json is the same plan as the text, for tools.
func TestGenerateJSON(t *testing.T) {
	t.Parallel()
	for _, name := range fixtureNames(t) {
		root := filepath.Join(hostsDir, name)
		code, out, errOut := gpupass(t, nil, "generate", "all", "--root", root, "--format", "json")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		var j generate.PlanJSON
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, text, _ := gpupass(t, nil, "generate", "all", "--root", root)
		if j.Schema != generate.JSONSchema || j.GPUs == nil || j.Flavors == nil || j.Kernel.Add == nil {
			t.Errorf("%s: %+v", name, j)
		}
		for _, g := range j.GPUs {
			if !strings.Contains(text, g.Address+" (") || !strings.Contains(text, "alias "+g.Alias) {
				t.Errorf("%s: GPU %+v not in the text", name, g)
			}
		}
		for _, f := range j.Flavors {
			if !strings.Contains(text, "--vcpus "+strconv.Itoa(f.VCPUs)+" ") || !strings.Contains(text, " "+f.Name+"\n") {
				t.Errorf("%s: flavor %+v not in the text", name, f)
			}
		}
		if len(j.GPUs) > 0 && (!strings.Contains(text, j.Modprobe.Content) || !strings.Contains(text, j.NovaConf.Compute)) {
			t.Errorf("%s: the JSON's files differ from the text's", name)
		}
	}
	for _, args := range [][]string{{"generate", "flavor", "--format", "json"}, {"generate", "all", "--format", "junit"}} {
		code, out, errOut := gpupass(t, nil, append(args, "--root", filepath.Join(hostsDir, "h100-hgx"))...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, "--format") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

// An alias name Nova takes reaches the flavor commands as one shell word,
// whatever it holds; one Nova or the shell cannot carry is exit 2.
func TestGenerateQuotesNames(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "turing-workstation")
	for name, want := range map[string]string{
		"rtx 2080ti": "openstack flavor create --vcpus 10 --ram 28672 --disk 100 --property pci_passthrough:alias='rtx 2080ti:1' 'gpu.rtx 2080ti.1'\n",
		"x;rm -rf ~": "openstack flavor create --vcpus 10 --ram 28672 --disk 100 --property pci_passthrough:alias='x;rm -rf ~:1' 'gpu.x;rm -rf ~.1'\n",
		"it's":       `openstack flavor create --vcpus 10 --ram 28672 --disk 100 --property pci_passthrough:alias='it'\''s:1' 'gpu.it'\''s.1'` + "\n",
	} {
		code, out, errOut := gpupass(t, nil, "generate", "flavor", "--root", root, "--alias-name", "10de:1e07="+name)
		if code != exitOK || !strings.HasSuffix(out, want) {
			t.Errorf("%q: exit %d (%s), want the flavor command\n%s\nin:\n%s", name, code, errOut, want, out)
		}
	}
	for name, why := range map[string]string{
		"a:b":       "cannot hold ':' or ','",
		"a\nb":      "U+000A",
		" padded":   "starts or ends with a space",
		"$my_alias": "$NAME",
	} {
		code, out, errOut := gpupass(t, nil, "generate", "all", "--root", root, "--alias-name", "10de:1e07="+name)
		if code != exitFailure || out != "" || !strings.Contains(errOut, why) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q (want %q)", name, code, out, errOut, why)
		}
	}
}

// TestGenerateNovaOracleAliasNames asks Nova itself (Debian's python3-nova,
// Zed) about alias names: generate refuses a name exactly when Nova cannot
// carry it through nova.conf (oslo.config and the alias schema), the
// flavor's extra spec and its translation, and the flavor name.
// GPUPASS_ORACLE=1 runs it (CI does, with TestGenerateNovaOracle).
func TestGenerateNovaOracleAliasNames(t *testing.T) {
	t.Parallel()
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("needs python3-nova: GPUPASS_ORACLE=1 go test ./cmd/gpupass -run TestGenerateNovaOracleAliasNames")
	}
	long := strings.Repeat("a", 255-len("gpu..8"))
	names := []string{"", "a:b", "a,b", "a$b", "a${b}", "a$$", `a\$`, "$\u017f", " x", "x ", "x\u00a0", "a\nb", "a\tb", "\x1b[31mred",
		"a\u2028b", "a\u200bb", "gpu \U0001F600", "$(id)", "$x", "a$", "$$", "${x}", "$_", "$X", "$é", "$1", `\$`, `a\`, "a$ b",
		long, long + "a", "h100", "a b", "日本語", "x\u00a0y", "Ä", "a\u0300", "rtx 2080ti", "x;rm -rf ~", "it's", `a"b\c`, "`id`",
		"(id)", "a|b&c", "*", "~root", "#x", "é gpu", "a  b"}
	dir := t.TempDir()
	type nameCase struct {
		Name string `json:"name"`
		Conf string `json:"conf"`
	}
	var cases []nameCase
	for i, name := range names {
		// The alias line as generate writes it (JSON, nothing escaped for
		// HTML), whatever the verdict.
		var alias bytes.Buffer
		enc := json.NewEncoder(&alias)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]string{"name": name, "vendor_id": "10de", "product_id": "2330", "device_type": "type-PCI"}); err != nil {
			t.Fatal(err)
		}
		conf := filepath.Join(dir, fmt.Sprintf("case%d.conf", i))
		if err := os.WriteFile(conf, []byte("[pci]\nalias = "+alias.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, nameCase{name, conf})
	}
	manifest := filepath.Join(dir, "names.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(manifest, data, 0o644); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "generate", "nova_names.py"))
	out, err := exec.Command("/usr/bin/python3", script, manifest).Output()
	if err != nil {
		t.Fatalf("nova_names.py: %v", err)
	}
	var verdicts []string
	if err := json.Unmarshal(out, &verdicts); err != nil || len(verdicts) != len(names) {
		t.Fatalf("%v: %s", err, out)
	}
	refused := 0
	for i, name := range names {
		ours := generate.CheckAliasName(name)
		if (ours == nil) != (verdicts[i] == "ok") {
			t.Errorf("%q: gpupass says %v, Nova says %s", name, ours, verdicts[i])
		}
		if ours != nil {
			refused++
		}
	}
	if refused == 0 || refused == len(names) {
		t.Errorf("%d of %d names refused: the cases do not tell the two apart", refused, len(names))
	}
}

// Every comment line of every document generate writes for every fixture,
// with the default selection and with --gpu all, is at most 80 characters
// (commands and configuration lines stay whole, however long).
func TestGenerateCommentWidth(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, name := range fixtureNames(t) {
		root := filepath.Join(hostsDir, name)
		for _, extra := range [][]string{nil, {"--gpu", "all"}} {
			for _, artifact := range generate.Artifacts {
				args := append([]string{"generate", artifact, "--root", root}, extra...)
				code, out, errOut := gpupass(t, nil, args...)
				if code != exitOK {
					t.Fatalf("%v: exit %d: %s", args, code, errOut)
				}
				for i, line := range strings.Split(out, "\n") {
					if !strings.HasPrefix(line, "#") {
						continue
					}
					checked++
					if n := utf8.RuneCountInString(line); n > generate.Width {
						t.Errorf("%v: line %d has %d characters:\n%s", args, i+1, n, line)
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d comment lines checked", checked)
	}
}

// A host whose preflight reports errors that configuration fixes gets a
// plan that fixes them, even with no GPU to give (issue 11 item 5:
// nvme-shared-group's device_spec = {} offers the host's console, storage
// and NICs, and generate said "nothing to configure"); the text and the
// JSON say what is fixed and what is not.
func TestGenerateFixesPreflightErrors(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "nvme-shared-group")
	code, out, errOut := gpupass(t, nil, "generate", "all", "--root", root)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"#   GP305 device-spec-too-broad: [pci]device_spec at /etc/nova/nova.conf:2",
		"#    /etc/nova/nova.conf:2: device_spec = {}\n",
		"# Not fixed by this plan:\n#   0000:3d:00.0 (10de:26b9) shares IOMMU group 13 with 0000:3e:00.0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "nothing to configure") {
		t.Errorf("says nothing to configure:\n%s", out)
	}
	_, out, _ = gpupass(t, nil, "generate", "all", "--root", root, "--format", "json")
	var j generate.PlanJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range j.PreflightErrors {
		got[e.ID+" "+e.Subject.Ref] = e.Fixed
	}
	if diff := cmp.Diff(map[string]bool{"GP202 0000:3e:00.0": false, "GP305 [pci]device_spec": true}, got); diff != "" {
		t.Errorf("preflight_errors (-want +got):\n%s", diff)
	}
	if len(j.NovaConf.Replaces) != 1 || j.NovaConf.Replaces[0] != "/etc/nova/nova.conf:2" || len(j.Problems) != 1 {
		t.Errorf("replaces %v, problems %v", j.NovaConf.Replaces, j.Problems)
	}
}

// From a report, the plan answers the report's host findings: the same
// answers as on the host; drift findings of a --baseline run are not the
// plan's to answer.
func TestGenerateFromReportAnswers(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "nouveau-no-vfio")
	dir := t.TempDir()
	_, base, _ := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--format", "json")
	writeFile(t, filepath.Join(dir, "base.json"), base)
	_, rep, _ := gpupass(t, nil, "preflight", "--root", root, "--format", "json", "--baseline", filepath.Join(dir, "base.json"))
	writeFile(t, filepath.Join(dir, "r.json"), rep)
	if !strings.Contains(rep, `"id": "GP5`) {
		t.Fatalf("the report has no drift finding:\n%s", rep)
	}
	answers := func(args ...string) map[string]bool {
		code, out, errOut := gpupass(t, nil, append([]string{"generate", "all", "--format", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var j generate.PlanJSON
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, e := range j.PreflightErrors {
			got[e.ID+" "+e.Subject.Ref] = e.Fixed
		}
		return got
	}
	onHost, fromReport := answers("--root", root), answers("--from-report", filepath.Join(dir, "r.json"))
	if diff := cmp.Diff(onHost, fromReport); diff != "" || len(onHost) != 4 {
		t.Errorf("on the host %v; from the report (-host +report):\n%s", onHost, diff)
	}
}
