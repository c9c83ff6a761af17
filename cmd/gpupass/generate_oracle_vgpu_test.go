package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/generate"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// TestGenerateNovaOracleVGPU gives what generate writes for the vGPU
// fixtures to Nova itself: nova.conf as nova-compute and nova-api load it,
// the flavors' extra specs as the API validates them, and, for mdev hosts,
// LibvirtDriver._get_supported_vgpu_types on the compute file (the types
// Nova uses, which parent gets which type and class, max_instances). Zed
// is Debian's python3-nova (GPUPASS_ORACLE=1); 2025.1 runs when
// GPUPASS_NOVA_PKGS names hack/nova-pkgs.sh's directory (as in .ci/run),
// or GPUPASS_NOVA_2025_1 the dist-packages directory of Nova 31
// (Debian trixie's python3-nova, extracted), beside the host's oslo.
func TestGenerateNovaOracleVGPU(t *testing.T) {
	t.Parallel()
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("needs python3-nova: GPUPASS_ORACLE=1 go test ./cmd/gpupass -run TestGenerateNovaOracleVGPU")
	}
	script, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "generate", "nova_accepts.py"))
	type flavor struct {
		Name       string      `json:"name"`
		ExtraSpecs [][2]string `json:"extra_specs"`
	}
	type oracleCase struct {
		ID      string   `json:"id"`
		Compute string   `json:"compute"`
		API     string   `json:"api"`
		Mdev    bool     `json:"mdev"`
		Flavors []flavor `json:"flavors"`
		plan    *generate.Plan
	}
	runs := map[string]string{"zed": ""}
	switch {
	case os.Getenv("GPUPASS_NOVA_2025_1") != "":
		runs["2025.1"] = os.Getenv("GPUPASS_NOVA_2025_1")
	case os.Getenv("GPUPASS_NOVA_PKGS") != "":
		// hack/nova-pkgs.sh's directory, as the mdev oracle takes it: a
		// missing package fails, it does not skip.
		dir := filepath.Join(os.Getenv("GPUPASS_NOVA_PKGS"), "n31", "usr", "lib", "python3", "dist-packages")
		if _, err := os.Stat(filepath.Join(dir, "nova", "virt", "libvirt", "driver.py")); err != nil {
			t.Fatalf("GPUPASS_NOVA_PKGS: no Nova 2025.1 there (run bash hack/nova-pkgs.sh): %v", err)
		}
		runs["2025.1"] = dir
	default:
		t.Log("neither GPUPASS_NOVA_PKGS nor GPUPASS_NOVA_2025_1 is set: the 2025.1 cases (vendor framework, [mdev_*] groups) are not judged")
	}
	dir := t.TempDir()
	checked := 0
	for rel, pythonPath := range runs {
		release, _ := novarelease.Parse(rel)
		var cases []oracleCase
		for _, name := range []string{"v100-mdev", "a40-sriov-mdev", "l40s-vendor-vfio"} {
			root := filepath.Join(hostsDir, name)
			if _, err := os.Stat(root); err != nil {
				t.Fatalf("fixture %s is missing: %v", name, err)
			}
			host, err := hostinfo.Collect(root, hostinfo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := generate.Build(host, generate.Options{Release: release, VGPUType: firstOffered(host)})
			if err != nil {
				if strings.Contains(err.Error(), "from 2025.1") && rel == "zed" {
					continue // the vendor framework before 2025.1: refused, rightly
				}
				t.Fatalf("%s at %s: %v", name, rel, err)
			}
			c := oracleCase{ID: name + "/" + rel, Mdev: plan.VGPU.Framework == generate.FrameworkMdev, plan: plan}
			c.Compute = filepath.Join(dir, name+"-"+rel+"-compute.conf")
			c.API = filepath.Join(dir, name+"-"+rel+"-api.conf")
			for path, text := range map[string]string{c.Compute: plan.ComputeConf(), c.API: plan.APIConf()} {
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range plan.Flavors() {
				c.Flavors = append(c.Flavors, flavor{f.Name, f.ExtraSpecs})
			}
			cases = append(cases, c)
		}
		manifest := filepath.Join(dir, rel+"-cases.json")
		data, _ := json.Marshal(cases)
		if err := os.WriteFile(manifest, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("/usr/bin/python3", script, manifest)
		if pythonPath != "" {
			cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonPath)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("nova_accepts.py (%s): %v", rel, err)
		}
		var verdicts map[string]struct {
			Compute, API   string
			ComputeAliases []string `json:"compute_aliases"`
			Flavors        map[string]string
			Mdev           *struct {
				Types        []string
				Mapping      map[string]string
				Classes      map[string]string
				MaxInstances map[string]int `json:"max_instances"`
				Default      string
			}
		}
		if err := json.Unmarshal(out, &verdicts); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, c := range cases {
			got, ok := verdicts[c.ID]
			if !ok {
				t.Errorf("%s: no verdict", c.ID)
				continue
			}
			if got.Compute != "ok" || got.API != "ok" {
				t.Errorf("%s: Nova rejects the generated nova.conf: compute: %s; api: %s", c.ID, got.Compute, got.API)
			}
			for f, verdict := range got.Flavors {
				if verdict != "ok" {
					t.Errorf("%s: Nova rejects flavor %s: %s", c.ID, f, verdict)
				}
			}
			v := c.plan.VGPU
			if !c.Mdev {
				if !slices.Contains(got.ComputeAliases, v.Alias) {
					t.Errorf("%s: Nova reads aliases %v, want %s", c.ID, got.ComputeAliases, v.Alias)
				}
				checked++
				continue
			}
			if got.Mdev == nil || !slices.Equal(got.Mdev.Types, []string{v.Type}) {
				t.Errorf("%s: Nova uses the types %+v, want [%s]", c.ID, got.Mdev, v.Type)
				continue
			}
			var parents []string
			for a := range got.Mdev.Mapping {
				parents = append(parents, a)
			}
			sort.Strings(parents)
			var want []string
			if strings.Contains(c.plan.ComputeConf(), "device_addresses") {
				for _, g := range v.GPUs {
					want = append(want, g.Parents...)
				}
				sort.Strings(want)
			}
			if !slices.Equal(parents, want) {
				t.Errorf("%s: Nova maps the parents %v, want %v", c.ID, parents, want)
			}
			if n := c.plan.MaxInstances(); n > 0 && got.Mdev.MaxInstances[v.Type] != n {
				t.Errorf("%s: Nova caps %s at %d, want %d", c.ID, v.Type, got.Mdev.MaxInstances[v.Type], n)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no vGPU case was judged")
	}
}
