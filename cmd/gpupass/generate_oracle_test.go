package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gpupass/gpupass/generate"
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// TestGenerateNovaOracle gives what generate writes for every fixture to
// Nova itself (Debian's python3-nova, release Zed): nova.conf as nova-compute
// and nova-api parse it, and the flavor extra specs as the API validates
// them. GPUPASS_ORACLE=1 runs it (CI does).
func TestGenerateNovaOracle(t *testing.T) {
	t.Parallel()
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("needs python3-nova: GPUPASS_ORACLE=1 go test ./cmd/gpupass -run TestGenerateNovaOracle")
	}
	zed, _ := novarelease.Parse("zed")
	script, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "generate", "nova_accepts.py"))
	type flavor struct {
		Name       string      `json:"name"`
		ExtraSpecs [][2]string `json:"extra_specs"`
	}
	type oracleCase struct {
		ID      string   `json:"id"`
		Compute string   `json:"compute"`
		API     string   `json:"api"`
		Flavors []flavor `json:"flavors"`
		aliases int
	}
	var cases []oracleCase
	dir := t.TempDir()
	for _, name := range fixtureNames(t) {
		host, err := hostinfo.Collect(filepath.Join(hostsDir, name), hostinfo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, policy := range []string{"", "preferred", "required", "legacy"} {
			plan, err := generate.Build(host, generate.Options{Release: zed, NUMAPolicy: policy})
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Models) == 0 {
				continue
			}
			c := oracleCase{ID: name + "/" + policy, aliases: len(plan.Models)}
			c.Compute = filepath.Join(dir, name+"-"+policy+"-compute.conf")
			c.API = filepath.Join(dir, name+"-"+policy+"-api.conf")
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
	}
	manifest := filepath.Join(dir, "cases.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(manifest, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", script, manifest).Output()
	if err != nil {
		t.Fatalf("nova_accepts.py: %v", err)
	}
	var verdicts map[string]struct {
		Compute, API   string
		ComputeAliases []string `json:"compute_aliases"`
		EnabledFilters []string `json:"enabled_filters"`
		Flavors        map[string]string
	}
	if err := json.Unmarshal(out, &verdicts); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	checked := 0
	for _, c := range cases {
		got, ok := verdicts[c.ID]
		if !ok {
			t.Errorf("%s: no verdict", c.ID)
			continue
		}
		if got.Compute != "ok" || got.API != "ok" {
			t.Errorf("%s: Nova rejects the generated nova.conf: compute: %s; api: %s", c.ID, got.Compute, got.API)
		}
		if len(got.ComputeAliases) != c.aliases || !slices.Contains(got.EnabledFilters, "PciPassthroughFilter") {
			t.Errorf("%s: Nova reads aliases %v and filters %v", c.ID, got.ComputeAliases, got.EnabledFilters)
		}
		for f, verdict := range got.Flavors {
			if verdict != "ok" {
				t.Errorf("%s: Nova rejects flavor %s: %s", c.ID, f, verdict)
			}
		}
		if len(got.Flavors) != len(c.Flavors) {
			t.Errorf("%s: Nova judged %d flavors of %d", c.ID, len(got.Flavors), len(c.Flavors))
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no fixture had anything to generate")
	}
}
