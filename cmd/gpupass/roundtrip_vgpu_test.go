package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/generate"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// vgpuRoundTrips are the vGPU fixtures (internal/fakehost, issue 13), each
// generated for at the releases whose rules differ: Zed reads no group for
// one type, 2024.1 adds max_instances and optional device_addresses, 2025.1
// passes the vendor framework's VFs through. vgpuType "" keeps the type
// the fixture is configured for (else the first it offers).
var vgpuRoundTrips = []struct {
	fixture, release, vgpuType string
}{
	{"v100-mdev", "zed", ""},
	{"v100-mdev", "2024.1", ""},
	{"a40-sriov-mdev", "zed", ""},
	{"a40-sriov-mdev", "2024.1", ""},
	{"a40-sriov-mdev", "2025.1", ""},
	{"l40s-vendor-vfio", "2025.1", ""},
	{"gh200-nvgrace", "2025.1", ""},
}

// TestGenerateRoundTripVGPU is TestGenerateRoundTrip for vGPU hosts:
// generate, apply (nova.conf, the units enabled and, for the vendor
// framework, run: the VFs typed), preflight again with the same release.
// Every GP1xx-GP3xx and GP6xx error left must be one the plan names, and
// none it says it fixes may remain. A missing fixture fails: these cases
// land with the fixtures.
func TestGenerateRoundTripVGPU(t *testing.T) {
	t.Parallel()
	for _, rt := range vgpuRoundTrips {
		t.Run(rt.fixture+"/"+rt.release, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join(hostsDir, rt.fixture)
			if _, err := os.Stat(src); err != nil {
				t.Fatalf("fixture %s is missing (%v): the vGPU round trip needs it (internal/fakehost builds it)", rt.fixture, err)
			}
			opts := &generateOptions{globalOptions: &globalOptions{root: src, format: "text"}}
			opts.novaRelease, opts.vgpuType = rt.release, rt.vgpuType
			plan, err := buildPlan(opts)
			if err != nil {
				t.Fatal(err)
			}
			if plan.VGPU == nil && generate.IsVGPUHost(plan.Host) && rt.vgpuType == "" {
				if first := firstOffered(plan.Host); first != "" {
					opts.vgpuType = first
					if plan, err = buildPlan(opts); err != nil {
						t.Fatalf("--vgpu-type %s: %v", first, err)
					}
				}
			}
			for _, a := range plan.Answers {
				if !a.Fixed && !plan.Names(a.Ref) {
					t.Errorf("before: %s %s is neither fixed nor named", a.ID, a.Subject.Ref)
				}
			}
			for _, artifact := range generate.Artifacts {
				if _, err := generate.Write(plan, artifact); err != nil {
					t.Fatalf("%s: %v", artifact, err)
				}
			}
			dst := filepath.Join(t.TempDir(), "root")
			copyTree(t, src, dst)
			applyPlan(t, dst, plan)
			applyVGPU(t, dst, plan)
			_, out, errOut := gpupass(t, nil, "preflight", "--root", dst, "--format", "json", "--nova-release", rt.release)
			var r report.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			t.Logf("vGPU %v; after generate: %d errors, %d warnings, %d infos", plan.VGPU != nil, r.Summary.Errors, r.Summary.Warnings, r.Summary.Infos)
			for _, f := range r.Findings {
				if f.Severity != report.Error || !strings.HasPrefix(f.ID, "GP1") && !strings.HasPrefix(f.ID, "GP2") && !strings.HasPrefix(f.ID, "GP3") && !strings.HasPrefix(f.ID, "GP6") {
					continue
				}
				ref := generate.RefOf(f)
				ref.Source = strings.TrimPrefix(ref.Source, dst)
				for _, a := range plan.Fixed() {
					if a.ID == ref.ID && a.Subject == ref.Subject && (a.Source == "" || a.Source == ref.Source) {
						t.Errorf("after generate: %s %s remains, which the plan says it fixes (%s): %s", f.ID, f.Subject.Ref, a.How, f.Message)
					}
				}
				if !plan.Names(ref) {
					t.Errorf("after generate: %s %s %s, which the plan does not name: %s", f.ID, f.Subject.Ref, f.Source, f.Message)
				}
			}
			if rt.fixture == "gh200-nvgrace" {
				variantStays(t, dst)
			}
			if v := plan.VGPU; v != nil && v.Framework == generate.FrameworkVendor {
				after, err := hostinfo.Collect(dst, hostinfo.Options{})
				if err != nil {
					t.Fatal(err)
				}
				typed := map[string]int{}
				for _, d := range after.Devices {
					if d.VGPU != nil {
						typed[d.Address] = d.VGPU.Current
					}
				}
				for _, g := range v.GPUs {
					for _, vf := range g.Parents {
						if got := typed[vf]; v.Type != strconv.Itoa(got) {
							t.Errorf("%s has the vGPU type %d after the unit ran, want %s", vf, got, v.Type)
						}
					}
				}
			}
		})
	}
}

// firstOffered is the first vGPU type a host offers where a vGPU fits now.
func firstOffered(h *hostinfo.Host) string {
	for _, p := range h.Mdev.Parents {
		for _, mt := range p.Types {
			if mt.Available != nil && *mt.Available > 0 {
				return mt.ID
			}
		}
	}
	for _, d := range h.Devices {
		if d.VGPU != nil && d.VGPU.CurrentKnown && d.VGPU.Current == 0 && len(d.VGPU.Creatable) > 0 {
			return strconv.Itoa(d.VGPU.Creatable[0].ID)
		}
	}
	return ""
}

// applyVGPU installs and enables the plan's units as systemctl enable
// would (a link in multi-user.target.wants) and, for the vendor framework,
// does what its unit does at boot: the VFs get the type.
func applyVGPU(t *testing.T, root string, p *generate.Plan) {
	t.Helper()
	v := p.VGPU
	if v == nil {
		return
	}
	under := func(hostPath string) string { return filepath.Join(root, filepath.FromSlash(hostPath)) }
	wants := under("/etc/systemd/system/multi-user.target.wants")
	if err := os.MkdirAll(wants, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, u := range v.Units {
		writeFile(t, under(u.Path), u.Content)
		for _, c := range u.Enable {
			if len(c) < 3 || c[1] != "enable" {
				continue
			}
			name := c[len(c)-1]
			link := filepath.Join(wants, name)
			_ = os.Remove(link)
			if err := os.Symlink(u.Path, link); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v.Framework != generate.FrameworkVendor {
		return
	}
	for _, g := range v.GPUs {
		for _, vf := range g.Parents {
			writeFile(t, under("/sys/bus/pci/devices/"+vf+"/nvidia/current_vgpu_type"), v.Type+"\n")
		}
	}
}

// variantStays holds the plan for gh200-nvgrace to what its GPU needs:
// after the plan is applied and the host rebooted, 0009:01:00.0 is still on
// its variant driver nvgrace_gpu_vfio_pci (vfio-pci cannot use its device
// memory), and the device_spec that offers it says "managed": "no" (or
// libvirt rebinds it to vfio-pci when a guest starts).
func variantStays(t *testing.T, root string) {
	t.Helper()
	const gpu, driver = "0009:01:00.0", "nvgrace_gpu_vfio_pci"
	after, err := hostinfo.Collect(root, hostinfo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var dev *pcidev.Device
	for i := range after.Devices {
		if after.Devices[i].Address == gpu {
			dev = &after.Devices[i]
		}
	}
	if dev == nil {
		t.Fatalf("%s is gone after generate", gpu)
	}
	if dev.Driver != driver {
		t.Errorf("%s is on %q after generate, want %s", gpu, dev.Driver, driver)
	}
	rel, _ := novarelease.Parse("2025.1")
	offered := false
	for _, v := range collect.NodeConf(mustFS(t, root), nil, nil).Lookup(novaconf.OptDeviceSpec) {
		specs, _, err := pcispec.ParseDeviceSpecWith(v.Text, rel, pcispec.Options{Sysfs: pcispec.SysfsFromInventory(after.Devices)})
		if err != nil {
			t.Errorf("device_spec at %s: %v", v.Source, err)
			continue
		}
		for _, s := range specs {
			if ok, _ := s.Match(dev); !ok {
				continue
			}
			offered = true
			if s.Tags["managed"] != "false" {
				t.Errorf("device_spec at %s offers %s without \"managed\": \"no\" (managed %q): libvirt would move it to vfio-pci", v.Source, gpu, s.Tags["managed"])
			}
		}
	}
	if !offered {
		t.Errorf("no device_spec offers %s after generate", gpu)
	}
}
