package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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

// TestGenerateRoundTrip applies what `generate all` says to a copy of each
// fixture, makes the copy look as the kernel would after the reboot (the
// functions vfio-pci.ids claims bound to vfio-pci, the vfio modules
// loaded, /dev/vfio/GROUP for groups wholly on vfio), and runs preflight on
// it: no GP2xx or GP3xx error, and every selected GPU offered by a
// device_spec and selected by an alias.
func TestGenerateRoundTrip(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(hostsDir, name)
			host, err := hostinfo.Collect(src, hostinfo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			fsys, _ := hostinfo.NewFS(src)
			rel, _ := novarelease.Parse("2024.1")
			opts := generate.Options{Release: rel}
			if conf := collect.NodeConf(fsys, nil, nil); conf != nil {
				opts.Conf, opts.ExposedFiles = conf, conf.ExposedSecretFiles()
			}
			plan, err := generate.Build(host, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Models) == 0 {
				// The boot VGA GPU is only given with --gpu all.
				all, _ := pcidev.ParseSelector("all")
				opts.GPUs = []pcidev.Selector{all}
				if plan, err = generate.Build(host, opts); err != nil {
					t.Fatal(err)
				}
			}
			if len(plan.Models) == 0 {
				var why []string
				for _, l := range plan.Left {
					why = append(why, l.Device.Address+": "+l.Why)
				}
				t.Skipf("nothing to generate, even with --gpu all: %s", strings.Join(why, "; "))
			}
			from := src
			if host.IOMMU.Groups == 0 {
				// The IOMMU is off (in the firmware, which the plan says to
				// change, or on the command line, which it changes): start
				// from the fixture as it comes up with the IOMMU on.
				from = iommuOnTree(t, name)
			}
			dst := filepath.Join(t.TempDir(), "root")
			copyTree(t, from, dst)
			applyPlan(t, dst, plan)

			_, out, errOut := gpupass(t, nil, "preflight", "--root", dst, "--format", "json", "--nova-release", "2024.1")
			var r report.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			t.Logf("after generate: %d errors, %d warnings, %d infos", r.Summary.Errors, r.Summary.Warnings, r.Summary.Infos)
			// What the plan itself says configuration cannot fix (GP205, a
			// device without a reset method) may remain.
			known := strings.Join(plan.Problems, " ")
			for _, f := range r.Findings {
				if strings.Contains(known, "("+f.ID+")") {
					continue
				}
				if f.Severity == report.Error && (strings.HasPrefix(f.ID, "GP2") || strings.HasPrefix(f.ID, "GP3")) {
					t.Errorf("after generate: %s %s: %s", f.ID, f.Subject.Ref, f.Message)
				}
				if f.ID == "GP306" || f.ID == "GP308" {
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
				if bound[d.Address] != "vfio-pci" {
					t.Errorf("%s is on %q after the reboot", d.Address, bound[d.Address])
				}
			}
			// Every selected GPU is offered and selected, in Nova's terms.
			conf := collect.NodeConf(mustFS(t, dst), nil, nil)
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
		})
	}
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

// copyTree copies a fixture: symlinks as symlinks, files with their mode.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
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

// applyPlan does what the operator and the next boot would: the files
// edited and written, the command line changed, the devices rebound.
func applyPlan(t *testing.T, root string, p *generate.Plan) {
	t.Helper()
	under := func(hostPath string) string { return filepath.Join(root, filepath.FromSlash(hostPath)) }
	// nova.conf: the replaced lines removed, the compute snippet added.
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
		if err := os.Chmod(under(f), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	confDir := "/etc/nova/nova.conf.d"
	writeFile(t, under(confDir+"/50-gpupass.conf"), p.ComputeConf())
	writeFile(t, under(generate.ModprobePath), p.ModprobeConf())
	writeFile(t, under("/proc/cmdline"), p.NewCmdline()+"\n")

	// The next boot: vfio-pci takes what it claims.
	drv := under("/sys/bus/pci/drivers/vfio-pci")
	if err := os.MkdirAll(drv, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(drv, "module")); err != nil {
		_ = os.Symlink("../../../../module/vfio_pci", filepath.Join(drv, "module"))
	}
	groups := map[string]bool{}
	for _, d := range p.Bound() {
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
			groups[strconv.Itoa(*d.IOMMUGroup)] = true
		}
	}
	modules, _ := os.ReadFile(under("/proc/modules"))
	if !strings.Contains(string(modules), "\nvfio_pci ") && !strings.HasPrefix(string(modules), "vfio_pci ") {
		extra := "vfio_iommu_type1 49152 0 - Live 0x0000000000000000\nvfio_pci 16384 0 - Live 0x0000000000000000\n" +
			"vfio_pci_core 94208 1 vfio_pci, Live 0x0000000000000000\nvfio 69632 3 vfio_iommu_type1,vfio_pci,vfio_pci_core, Live 0x0000000000000000\n"
		writeFile(t, under("/proc/modules"), string(modules)+extra)
		for _, m := range []string{"vfio", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1"} {
			writeFile(t, under("/sys/module/"+m+"/initstate"), "live\n")
		}
	}
	writeFile(t, under("/dev/vfio/vfio"), "")
	for g := range groups {
		writeFile(t, under("/dev/vfio/"+g), "")
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
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
	var keep []string
	for i, l := range strings.SplitAfter(string(data), "\n") {
		if !lines[i+1] {
			keep = append(keep, l)
		}
	}
	writeFile(t, path, strings.Join(keep, ""))
}
