package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/generate"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/fakehost"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// roundTrip is a host to generate for: a fixture, or a variant of one
// made by change on a copy, generated for with flags, and with an
// --api-conf file when apiConf is set.
type roundTrip struct {
	name, fixture string
	change        func(t *testing.T, root string)
	gpus          []string
	apiConf       string
	// release is --nova-release; "" takes the fixture's installed Nova,
	// or 2024.1 when it has none.
	release string
}

// roundTrips are every fixture, as it is and with --gpu all, and variants
// that make preflight report the errors no fixture has: the IOMMU and
// interrupt remapping turned off on the command line, the vfio modules
// missing, no KVM, a nova.conf line oslo.config rejects, an SR-IOV
// networking device_spec to keep, and an API node whose filters, aliases
// and Placement mode are wrong.
func roundTrips(t *testing.T) []roundTrip {
	var out []roundTrip
	for _, name := range fixtureNames(t) {
		out = append(out, roundTrip{name: name, fixture: name}, roundTrip{name: name + "/gpu-all", fixture: name, gpus: []string{"all"}})
	}
	appendTo := func(rel, text string) func(*testing.T, string) {
		return func(t *testing.T, root string) {
			data, err := os.ReadFile(filepath.Join(root, rel))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(root, rel), strings.TrimSuffix(string(data), "\n")+text)
		}
	}
	return append(out,
		roundTrip{name: "h100-hgx/iommu-off", fixture: "h100-hgx",
			change: appendTo("proc/cmdline", " intel_iommu=off,sm_on intremap=off nointremap iommu=off\n")},
		roundTrip{name: "epyc-mi210/amd-iommu-off", fixture: "epyc-mi210", change: appendTo("proc/cmdline", " amd_iommu=off\n")},
		roundTrip{name: "h100-hgx/no-vfio", fixture: "h100-hgx", change: func(t *testing.T, root string) {
			data, _ := os.ReadFile(filepath.Join(root, "proc/modules"))
			var keep []string
			for _, l := range strings.SplitAfter(string(data), "\n") {
				if !strings.HasPrefix(l, "vfio") {
					keep = append(keep, l)
				}
			}
			writeFile(t, filepath.Join(root, "proc/modules"), strings.Join(keep, ""))
			for _, m := range []string{"vfio", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1"} {
				if err := os.RemoveAll(filepath.Join(root, "sys/module", m)); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Remove(filepath.Join(root, "dev/vfio/vfio")); err != nil {
				t.Fatal(err)
			}
		}},
		roundTrip{name: "h100-hgx/no-kvm", fixture: "h100-hgx", change: func(t *testing.T, root string) {
			data, _ := os.ReadFile(filepath.Join(root, "proc/cpuinfo"))
			writeFile(t, filepath.Join(root, "proc/cpuinfo"), strings.ReplaceAll(string(data), " vmx", ""))
			if err := os.Remove(filepath.Join(root, "dev/kvm")); err != nil {
				t.Fatal(err)
			}
		}},
		roundTrip{name: "h100-hgx/conf-syntax", fixture: "h100-hgx", change: appendTo("etc/nova/nova.conf",
			"\n[DEFAULT]\nthis line has no equals sign\n\n[pci]\ndevice_spec = {\"vendor_id\": \"15b3\", \"product_id\": \"101e\", \"physical_network\": \"physnet1\"}\n")},
		roundTrip{name: "turing-workstation/broad-spec", fixture: "turing-workstation", change: appendTo("etc/nova/nova.conf",
			"\n[pci]\ndevice_spec = {\"vendor_id\": \"8086\"}\n[libvirt]\nvirt_type = lxc\n")},
		roundTrip{name: "nvme-shared-group/sriov-net", fixture: "nvme-shared-group", change: appendTo("etc/nova/nova.conf",
			"\ndevice_spec = {\"vendor_id\": \"8086\", \"physical_network\": \"physnet1\"}\n")},
		roundTrip{name: "a100-sriov/api-placement", fixture: "a100-sriov", apiConf: "[filter_scheduler]\nenabled_filters = ComputeFilter,ImagePropertiesFilter\npci_in_placement = true\n\n[pci]\n" +
			`alias = {"name": "a100", "vendor_id": "10de", "product_id": "20b2", "device_type": "type-PCI"}` + "\n" +
			`alias = {"name": "t4", "vendor_id": "10de", "product_id": "1eb8", "device_type": "type-PCI"}` + "\n"},
		// A VF offered with one_time_use, which Nova 2025.2 and later
		// refuse on VFs (GP611's error; the fixture's own 2025.1 ignores
		// the tag).
		roundTrip{name: "l40s-vendor-vfio/one-time-use-vf", fixture: "l40s-vendor-vfio", release: "2026.1", change: func(t *testing.T, root string) {
			conf := filepath.Join(root, "etc/nova/nova.conf")
			data, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, conf, strings.Replace(string(data), `"address": "0000:3d:00.7", `, `"address": "0000:3d:00.7", "one_time_use": "yes", `, 1))
		}},
		roundTrip{name: "nvme-shared-group/api-invalid", fixture: "nvme-shared-group", apiConf: "[pci]\n" +
			`alias = {"name": "l40s", "vendor_id": "10de", "product_id": "26b9"}` + "\n" + `alias = {"name": "x", "bogus": 1}` + "\n"},
		roundTrip{name: "boot-vga-gpu/api-mismatch", fixture: "boot-vga-gpu", gpus: []string{"all"}, apiConf: "[filter_scheduler]\nenabled_filters = ComputeFilter,PciPassthroughFilter\n\n[pci]\n" +
			`alias = {"name": "a6000", "vendor_id": "10de", "product_id": "2230", "device_type": "type-PCI", "numa_policy": "required"}` + "\n" +
			`alias = {"name": "t4", "vendor_id": "10de", "product_id": "1eb8", "device_type": "type-PCI"}` + "\n"},
	)
}

// TestGenerateRoundTrip holds generate to its promise on every fixture and
// variant: a plan fixes every error preflight reports that configuration
// can fix, and names the others. It builds the plan as `generate` does
// (buildPlan: preflight's findings, then generate.Build), applies it to a
// copy of the host as the operator and the next boot would (lines
// removed, files written, modes changed, the command line changed, the
// modules the plan loads loaded, the devices vfio-pci claims bound to it;
// where the plan fixes the IOMMU, or names the firmware as what must turn
// it on, the copy starts from the fixture's spec with the IOMMU on), and
// runs preflight on the copy with the same flags. Every GP1xx-GP3xx error
// that remains must be one the plan names, for that check and that
// subject (and that line); none of those it says it fixes may remain.
// Every selected GPU ends on vfio-pci, offered by a device_spec and
// selected by an alias.
func TestGenerateRoundTrip(t *testing.T) {
	t.Parallel()
	// When every case ran: some error must have remained, named, and
	// every check of the catalog that reports errors on a host must have
	// reported one somewhere, so that the property covers it.
	cases := roundTrips(t)
	var named, ran atomic.Int64
	var mu sync.Mutex
	reported := map[string]bool{}
	t.Cleanup(func() {
		if t.Failed() || ran.Load() != int64(len(cases)) {
			return
		}
		if named.Load() == 0 {
			t.Error("no error remained anywhere that a plan names: the variants do not reach what configuration cannot fix")
		}
		for _, c := range checks.InSection(checks.All, "GP1", "GP2", "GP3", "GP6") {
			if c.Severity == report.Error && !reported[c.ID] {
				t.Errorf("%s %s reported no error on any fixture or variant: add a variant that makes it", c.ID, c.Name)
			}
		}
	})
	for _, rt := range cases {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel() // the file system's calls dominate: overlap them
			defer ran.Add(1)
			// A variant is made on a copy, which the plan is then applied
			// to; a fixture is read where it is, and copied to apply.
			src := filepath.Join(hostsDir, rt.fixture)
			dst := filepath.Join(t.TempDir(), "root")
			if rt.change != nil {
				copyTree(t, src, dst)
				rt.change(t, dst)
				src = dst
			}
			var apiFiles []string
			if rt.apiConf != "" {
				api := filepath.Join(t.TempDir(), "api.conf")
				writeFile(t, api, rt.apiConf)
				apiFiles = []string{api}
			}
			opts := &generateOptions{globalOptions: &globalOptions{root: src, format: "text"}}
			// The release of the Nova the fixture has installed (the vGPU
			// hosts' rules depend on it), else 2024.1.
			release := rt.release
			if m, _ := filepath.Glob(filepath.Join(hostsDir, rt.fixture, "usr/lib/python3/dist-packages/nova-*.dist-info")); release == "" && len(m) == 0 {
				release = "2024.1"
			}
			opts.gpus, opts.novaRelease, opts.conf.apiConf = rt.gpus, release, apiFiles
			plan, err := buildPlan(opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(rt.gpus) > 0 && rt.change == nil && rt.apiConf == "" {
				// --gpu all on a fixture: only worth applying where it
				// selects other devices than the default, which the
				// fixture's own case applies.
				byDefault := *opts
				byDefault.gpus = nil
				other, err := buildPlan(&byDefault)
				if err != nil {
					t.Fatal(err)
				}
				if slices.Equal(addresses(other.Bound()), addresses(plan.Bound())) {
					t.Logf("--gpu all selects what the default selects: %v", addresses(plan.Bound()))
					return
				}
			}
			errorsBefore := 0
			for _, f := range plan.Options.Findings {
				if f.Severity == report.Error {
					errorsBefore++
					mu.Lock()
					reported[f.ID] = true
					mu.Unlock()
				}
			}
			if len(plan.Answers) != errorsBefore {
				t.Fatalf("%d answers for %d errors", len(plan.Answers), errorsBefore)
			}
			for _, a := range plan.Answers {
				switch {
				case a.Fixed:
				case !plan.Names(a.Ref):
					t.Errorf("before: %s %s is neither fixed nor named", a.ID, a.Subject.Ref)
				default:
					if why := unfixable(plan, a); why != "" {
						t.Logf("not fixed, rightly: %s %s: %s", a.ID, a.Subject.Ref, why)
					} else {
						t.Errorf("before: %s %s %s is only named, though configuration can fix it: %s", a.ID, a.Subject.Ref, a.Source, a.How)
					}
				}
			}
			// Generating is deterministic, and the documents hold what the
			// plan says.
			for _, artifact := range generate.Artifacts {
				if _, err := generate.Write(plan, artifact); err != nil {
					t.Fatalf("%s: %v", artifact, err)
				}
			}

			if plan.Host.IOMMU.Groups == 0 && hasSpec(rt.fixture) && turnsIOMMUOn(plan) {
				// The IOMMU is off, in the firmware (which the plan says to
				// change) or on the command line (which it changes): start
				// from the fixture as it comes up with the IOMMU on.
				dst = iommuOnTree(t, rt.fixture)
				if rt.change != nil {
					rt.change(t, dst)
				}
			} else if rt.change == nil {
				copyTree(t, src, dst)
			}
			removed := applyPlan(t, dst, plan)
			args := []string{"preflight", "--root", dst, "--format", "json", "--nova-release", "2024.1"}
			for _, g := range rt.gpus {
				args = append(args, "--gpu", g)
			}
			if len(apiFiles) > 0 {
				apiAfter := filepath.Join(t.TempDir(), "api-after")
				copyTree(t, filepath.Dir(apiFiles[0]), apiAfter)
				after := filepath.Join(apiAfter, "api.conf")
				lines := map[int]bool{}
				for _, v := range plan.APIReplaced() {
					for l := v.Source.Line; l <= max(v.EndLine, v.Source.Line); l++ {
						lines[l] = true
					}
				}
				removeLines(t, after, lines)
				removed[apiFiles[0]] = lines
				snippet := filepath.Join(apiAfter, "api-gpupass.conf")
				writeFile(t, snippet, plan.APIConf())
				args = append(args, "--api-conf", after, "--api-conf", snippet)
			}
			_, out, errOut := gpupass(t, nil, args...)
			var r report.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			t.Logf("%d errors before (%d fixed); after generate: %d errors, %d warnings, %d infos",
				errorsBefore, len(plan.Fixed()), r.Summary.Errors, r.Summary.Warnings, r.Summary.Infos)
			inPlan := map[string]bool{}
			for _, m := range plan.Models {
				for _, d := range m.Devices {
					inPlan[d.Address] = true
				}
			}
			for _, f := range r.Findings {
				ref := generate.RefOf(f)
				ref.Source = sourceBefore(f.Source, removed, apiFiles, dst)
				// With the API node's lines the snippet replaces removed
				// and its snippet beside them, findings about the API
				// node name the file as given.
				switch {
				case f.Severity == report.Error && (strings.HasPrefix(f.ID, "GP1") || strings.HasPrefix(f.ID, "GP2") || strings.HasPrefix(f.ID, "GP3")):
					for _, a := range plan.Fixed() {
						if a.ID == ref.ID && a.Subject == ref.Subject && a.Source == ref.Source {
							t.Errorf("after generate: %s %s %s remains, which the plan says it fixes (%s): %s", f.ID, f.Subject.Ref, f.Source, a.How, f.Message)
						}
					}
					if plan.Names(ref) {
						named.Add(1)
						continue
					}
					t.Errorf("after generate: %s %s %s, which the plan does not name: %s", f.ID, f.Subject.Ref, f.Source, f.Message)
				case f.ID == "GP306" && inPlan[f.Subject.Ref], f.ID == "GP308" && f.Severity != report.Info && len(plan.Models) > 0:
					t.Errorf("after generate: %s %s: %s", f.ID, f.Subject.Ref, f.Message)
				}
			}
			after, err := hostinfo.Collect(dst, hostinfo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			bound := map[string]string{}
			for _, d := range after.Devices {
				bound[d.Address] = d.Driver
			}
			for _, d := range plan.Bound() {
				if want := pcidev.VFIODriverFor(d); bound[d.Address] != want {
					t.Errorf("%s is on %q after the reboot, want %s", d.Address, bound[d.Address], want)
				}
			}
			// Every selected GPU is offered and selected, in Nova's terms.
			conf := collect.NodeConf(mustFS(t, dst), nil, nil)
			rel, _ := novarelease.Parse("2024.1")
			sysfs := pcispec.SysfsFromInventory(after.Devices)
			var specs []*pcispec.DeviceSpec
			for _, v := range conf.Lookup(novaconf.OptDeviceSpec) {
				s, _, err := pcispec.ParseDeviceSpecWith(v.Text, rel, pcispec.Options{Sysfs: sysfs})
				if err != nil {
					t.Errorf("device_spec at %s: %v", v.Source, err)
				}
				specs = append(specs, s...)
			}
			var texts []string
			for _, v := range conf.Lookup(novaconf.OptAlias) {
				texts = append(texts, v.Text)
			}
			aliases, _, err := pcispec.ParseAliasesWith(texts, rel, pcispec.Options{})
			if err != nil {
				t.Errorf("aliases: %v", err)
			}
			for _, m := range plan.Models {
				if aliases[m.Alias] == nil {
					t.Errorf("alias %s not defined after generate", m.Alias)
				}
				for _, d := range m.Devices {
					offered := false
					for _, s := range specs {
						if ok, _ := s.Match(d); ok {
							offered = true
						}
					}
					if !offered {
						t.Errorf("%s is not offered by any device_spec after generate", d.Address)
					}
				}
			}
			// SR-IOV networking entries are never the plan's to remove.
			for _, v := range plan.Replaced() {
				if strings.Contains(v.Text, "physical_network") {
					t.Errorf("the plan removes the networking device_spec at %s", v.Source)
				}
			}
		})
	}
}

// unfixable says why configuration cannot fix an error the plan names
// instead of fixing; "" when it can. The reasons are the test's own, from
// what each check means, not the plan's.
func unfixable(p *generate.Plan, a generate.Answer) string {
	var finding report.Finding
	for _, f := range p.Options.Findings {
		if generate.RefOf(f) == a.Ref {
			finding = f
		}
	}
	inLeftGroup := func(address string) bool {
		for _, d := range p.Host.Devices {
			if d.Address != address || d.IOMMUGroup == nil {
				continue
			}
			for _, l := range p.Left {
				if l.Device.IOMMUGroup != nil && *l.Device.IOMMUGroup == *d.IOMMUGroup {
					return true
				}
			}
		}
		return false
	}
	switch a.ID {
	case "GP101":
		return "the CPU's virtualization is off in the firmware, or missing"
	case "GP102":
		return "the IOMMU is off in the firmware"
	case "GP103", "GP105":
		if len(finding.Fix) == 0 {
			return "the kernel lacks it whatever its command line says (its build, or the hardware)"
		}
	case "GP106":
		if p.ModulesLoad() == "" {
			return "no modules-load.d file loads vfio in a kernel without module support, or makes /dev/vfio/vfio"
		}
	case "GP201":
		for _, l := range p.Left {
			if l.Device.Address == a.Subject.Ref {
				return "a GPU the plan leaves with the host: " + l.Why
			}
		}
	case "GP202":
		if inLeftGroup(a.Subject.Ref) {
			return "in the IOMMU group of a GPU the plan leaves with the host"
		}
	case "GP205":
		return "the device has no reset method (hardware, firmware)"
	case "GP301":
		return "only the operator knows what the line meant"
	case "GP601", "GP602", "GP603", "GP605", "GP607", "GP608":
		if p.VGPU == nil {
			return "no vGPU type chosen (--vgpu-type), or the release cannot take the one configured: the plan leaves the vGPU set-up as it is"
		}
		if a.ID == "GP605" {
			return "the vGPU manager is not loaded (NVIDIA's host driver package), which no configuration loads"
		}
	case "GP604":
		return "no instance left on a parent, or mdevs of another type on it: only removing those mdevs frees it"
	case "GP606":
		return "mdevctl is a package to install"
	case "GP609", "GP610", "GP611":
		return "libvirt and QEMU versions, live migration and Placement choices are the operator's"
	}
	return ""
}

func addresses(devices []*pcidev.Device) []string {
	var out []string
	for _, d := range devices {
		out = append(out, d.Address)
	}
	return out
}

// turnsIOMMUOn reports a plan that turns the IOMMU on: it names the
// firmware as what must (GP102), or changes the command line for it.
func turnsIOMMUOn(p *generate.Plan) bool {
	for _, a := range p.Answers {
		if a.ID == "GP102" || a.Fixed && (a.ID == "GP103" || a.ID == "GP104") {
			return true
		}
	}
	return false
}

// hasSpec reports a fixture built from a fakehost spec (not captured).
func hasSpec(name string) bool {
	for _, f := range fakehost.Fixtures() {
		if f.Name == name {
			return true
		}
	}
	return false
}

// sourceBefore maps a finding's file:line on the host after the plan back
// to the line it had before: applyPlan removed lines, so later ones moved
// up. Paths under the copy and the API node's copy are the ones given.
func sourceBefore(source string, removed map[string]map[int]bool, apiFiles []string, root string) string {
	i := strings.LastIndexByte(source, ':')
	if i < 0 {
		return source
	}
	file, lineText := source[:i], source[i+1:]
	line, err := strconv.Atoi(lineText)
	if err != nil {
		return source
	}
	if len(apiFiles) > 0 && filepath.Base(file) == "api.conf" {
		file = apiFiles[0]
	}
	gone := removed[file]
	before := 0
	for n := 0; n < line; {
		before++
		if !gone[before] {
			n++
		}
	}
	return file + ":" + strconv.Itoa(before)
}

// iommuOnTree builds the fixture's spec with the IOMMU on (firmware table,
// unit, groups): the host after its firmware and kernel turn it on.
func iommuOnTree(t *testing.T, name string) string {
	t.Helper()
	for _, f := range fakehost.Fixtures() {
		if f.Name != name {
			continue
		}
		on, err := f.Host.IOMMUOn()
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "iommu-on")
		if err := on.Build(dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Skipf("%s has no IOMMU groups and no spec to turn it on in", name)
	return ""
}

func mustFS(t *testing.T, root string) hostinfo.FS {
	t.Helper()
	fsys, err := hostinfo.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// copyTree copies a fixture: directories made, symlinks as symlinks,
// files hard-linked where the file system allows (copied otherwise). The
// tests' writers never write through a link: writeFile, removeLines and
// chmodCopy replace the file first, so the fixture stays as it is.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		if os.Link(path, target) == nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil // unreadable on purpose (the quirks fixture): leave it out
		}
		return os.WriteFile(target, data, info.Mode().Perm()|0o200)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// chmodCopy changes the mode of a file of a copied tree, on a copy of
// its own (not the fixture's, which a hard link would share).
func chmodCopy(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(data))
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// applyPlan does what the operator and the next boot would: the files
// edited and written, the command line changed, the modules loaded, the
// devices rebound. It returns the lines it removed, by file (host paths).
func applyPlan(t *testing.T, root string, p *generate.Plan) map[string]map[int]bool {
	t.Helper()
	under := func(hostPath string) string { return filepath.Join(root, filepath.FromSlash(hostPath)) }
	// nova.conf and modprobe.d: the replaced lines removed.
	drop := map[string]map[int]bool{}
	for _, v := range p.Replaced() {
		if drop[v.Source.File] == nil {
			drop[v.Source.File] = map[int]bool{}
		}
		for l := v.Source.Line; l <= max(v.EndLine, v.Source.Line); l++ {
			drop[v.Source.File][l] = true
		}
	}
	for _, d := range p.ReplacedModprobe() {
		if drop[d.File] == nil {
			drop[d.File] = map[int]bool{}
		}
		drop[d.File][d.Line] = true
	}
	for file, lines := range drop {
		removeLines(t, under(file), lines)
	}
	for _, f := range p.Options.ExposedFiles { // chmod 0640, as the plan says
		chmodCopy(t, under(f), 0o640)
	}
	if compute := p.ComputeConf(); compute != "" {
		writeFile(t, under("/etc/nova/nova.conf.d/50-gpupass.conf"), compute)
	}
	if modprobe := p.ModprobeConf(); modprobe != "" {
		writeFile(t, under(generate.ModprobePath), modprobe)
	}
	writeFile(t, under("/proc/cmdline"), p.NewCmdline()+"\n")

	// The next boot: the modules modules-load.d names load (with their
	// dependencies), where the kernel loads modules at all.
	modules, modErr := os.ReadFile(under("/proc/modules"))
	if load := p.ModulesLoad(); load != "" && modErr == nil {
		writeFile(t, under(generate.ModulesLoadPath), load)
		extra := "vfio_iommu_type1 49152 0 - Live 0x0000000000000000\nvfio_pci 16384 0 - Live 0x0000000000000000\n" +
			"vfio_pci_core 94208 1 vfio_pci, Live 0x0000000000000000\nvfio 69632 3 vfio_iommu_type1,vfio_pci,vfio_pci_core, Live 0x0000000000000000\n"
		writeFile(t, under("/proc/modules"), string(modules)+extra)
		for _, m := range []string{"vfio", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1"} {
			writeFile(t, under("/sys/module/"+m+"/initstate"), "live\n")
		}
		writeFile(t, under("/dev/vfio/vfio"), "")
	}
	after, err := hostinfo.Collect(root, hostinfo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	vfioPCI := false
	for _, m := range after.Modules {
		if m.Name == "vfio_pci" {
			vfioPCI = true
		}
	}
	// driverctl: the plan's overrides, persistent; with the host's, they
	// decide the driver at the next boot (driver_override: only the named
	// driver may bind).
	for _, o := range p.Overrides() {
		writeFile(t, under("/etc/driverctl.d/pci-"+o.Device.Address), o.Driver+"\n")
	}
	overrides := map[string]string{}
	for _, o := range after.Driverctl {
		overrides[o.Address] = o.Driver
	}
	for _, o := range p.Overrides() {
		overrides[o.Device.Address] = o.Driver
	}
	// Otherwise vfio-pci takes what it claims, by ID.
	claimed := map[string]bool{}
	for _, param := range hostinfo.ParseCmdline(p.NewCmdline()).Lookup("vfio-pci.ids") {
		for _, id := range strings.Split(param.Value, ",") {
			claimed[id] = true
		}
	}
	for _, line := range strings.Split(p.ModprobeConf(), "\n") {
		if ids, ok := strings.CutPrefix(line, "options vfio-pci ids="); ok {
			for _, id := range strings.Split(ids, ",") {
				claimed[id] = true
			}
		}
	}
	for _, d := range p.Bound() {
		name := overrides[d.Address]
		if name == "" && claimed[d.VendorID+":"+d.DeviceID] {
			name = "vfio-pci"
		}
		if name == "" || name == "vfio-pci" && !vfioPCI {
			continue // nothing binds it, or vfio-pci cannot
		}
		module := strings.ReplaceAll(name, "-", "_")
		drv := under("/sys/bus/pci/drivers/" + name)
		if err := os.MkdirAll(drv, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Lstat(filepath.Join(drv, "module")); err != nil {
			_ = os.Symlink("../../../../module/"+module, filepath.Join(drv, "module"))
		}
		devLink := under("/sys/bus/pci/devices/" + d.Address)
		devDir, err := filepath.EvalSymlinks(devLink)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(devDir, drv)
		os.Remove(filepath.Join(devDir, "driver"))
		if err := os.Symlink(rel, filepath.Join(devDir, "driver")); err != nil {
			t.Fatal(err)
		}
		back, _ := filepath.Rel(drv, devDir)
		_ = os.Symlink(back, filepath.Join(drv, d.Address))
		if d.IOMMUGroup != nil {
			writeFile(t, under("/dev/vfio/"+strconv.Itoa(*d.IOMMUGroup)), "")
		}
	}
	return drop
}

// writeFile writes a new file at path, mode 0644, replacing what was
// there (never writing through it: it may be a fixture's, hard-linked).
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// removeLines deletes 1-based lines from a file.
func removeLines(t *testing.T, path string, lines map[int]bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for i, l := range strings.SplitAfter(string(data), "\n") {
		if !lines[i+1] {
			keep = append(keep, l)
		}
	}
	writeFile(t, path, strings.Join(keep, ""))
	if err := os.Chmod(path, info.Mode().Perm()); err != nil { // its mode kept (GP314 reads it)
		t.Fatal(err)
	}
}
