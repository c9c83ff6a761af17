package main

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/internal/fastjson"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// TestAuditChangesNoDevice: ReadHostReports gives the hosts that report
// the same PCI function one decoded and converted copy of it (their
// slices and pointers shared, report.auditMemo), and the hosts with the
// same devices one list of them. That is only right if
// (1) each host's devices are what reading its report alone gives, and
// (2) nothing the audit does changes a host's inventory, or one host's
// change would be every host's. The same for their mdev parents. Both are checked here, on a fleet of the
// fixtures' reports, each twice under two host names, audited against
// both recorded clouds.
func TestAuditChangesNoDevice(t *testing.T) {
	fixtures := []string{"h100-hgx", "a100-sriov", "nvme-shared-group", "l40s-vendor-vfio", "l40s-numa", "v100-mdev", "a40-sriov-mdev", "epyc-mi210", "gh200-nvgrace", "turing-workstation"}
	dir := fleetReports(t, fixtures...)
	for _, f := range fixtures {
		data, err := os.ReadFile(filepath.Join(dir, f+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			Host struct {
				Hostname string `json:"hostname"`
			} `json:"host"`
		}
		if err := fastjson.Unmarshal(data, &probe); err != nil || probe.Host.Hostname == "" {
			t.Fatalf("%s: no host name (%v)", f, err)
		}
		twin := strings.Replace(string(data), `"hostname": "`+probe.Host.Hostname+`"`, `"hostname": "`+probe.Host.Hostname+`-twin"`, 1)
		if twin == string(data) {
			t.Fatalf("%s: could not rename the host", f)
		}
		if err := os.WriteFile(filepath.Join(dir, f+"-twin.json"), []byte(twin), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One reader (ReadHostReports has one per CPU, each with its memo), so
	// that what is shared does not depend on which reader read which file.
	procs := runtime.GOMAXPROCS(1)
	reports, err := report.ReadHostReports("--reports", dir)
	runtime.GOMAXPROCS(procs)
	if err != nil {
		t.Fatal(err)
	}
	// What each report alone gives, decoded by encoding/json.
	alone := func() map[string]any {
		out := map[string]any{}
		for _, r := range reports {
			one, err := report.ReadHostReport(r.Path)
			if err != nil {
				t.Fatal(err)
			}
			out[r.Path] = one.HostInfo()
		}
		return out
	}
	check := func(when string, want map[string]any) {
		t.Helper()
		for _, r := range reports {
			if diff := cmp.Diff(want[r.Path], r.HostInfo()); diff != "" {
				t.Fatalf("%s, %s: the host differs from its report read alone (-alone +fleet):\n%s", when, r.Path, diff)
			}
		}
	}
	want := alone()
	check("as read", want)

	// The devices are shared, or this test tests nothing.
	shared := 0
	seen := map[uintptr]string{}
	for _, r := range reports {
		for _, d := range r.HostInfo().Devices {
			if len(d.BARs) == 0 {
				continue
			}
			p := reflect.ValueOf(d.BARs).Pointer()
			if other, ok := seen[p]; ok && other != r.Path {
				shared++
			}
			seen[p] = r.Path
		}
	}
	if shared == 0 {
		t.Fatal("no two hosts share a device's BARs: ReadHostReports no longer shares devices, and this test checks nothing")
	}
	// A host and its twin share one list of devices.
	lists := map[uintptr]int{}
	for _, r := range reports {
		if devs := r.HostInfo().Devices; len(devs) > 0 {
			lists[reflect.ValueOf(devs).Pointer()]++
		}
	}
	if len(lists) != len(fixtures) {
		t.Fatalf("%d device lists for %d hosts of %d kinds: the hosts with the same devices should share one list", len(lists), len(reports), len(fixtures))
	}
	// And their mdev parents (the vGPU fixtures), with their types.
	parents := map[uintptr]int{}
	for _, r := range reports {
		if ps := r.HostInfo().Mdev.Parents; len(ps) > 0 {
			parents[reflect.ValueOf(ps).Pointer()]++
			parents[reflect.ValueOf(ps[0].Types).Pointer()]++
		}
	}
	if len(parents) == 0 {
		t.Fatal("no host has mdev parents: the fleet lacks its vGPU fixtures")
	}
	for p, n := range parents {
		if n != 2 {
			t.Errorf("a list of mdev parents or of their types (%#x) is had by %d hosts, want the host and its twin", p, n)
		}
	}

	api, err := (&confOptions{apiConf: []string{"../../testdata/api-conf/controller.conf"}}).apiConfSet()
	if err != nil {
		t.Fatal(err)
	}
	for _, cloud := range []string{"cloud.json", "vgpu-cloud.json"} {
		snap, err := readCloudFile(filepath.Join("..", "..", "testdata", "audit", cloud))
		if err != nil {
			t.Fatal(err)
		}
		for _, rel := range []string{"zed", "2025.1"} {
			nr, err := novarelease.Parse(rel)
			if err != nil {
				t.Fatal(err)
			}
			rep := checks.Run(&checks.Inputs{NovaRelease: nr, Cloud: snap, Reports: reports, APIConf: api}, checks.InSection(checks.All, "GP4"))
			if rep.Audit == nil || rep.Audit.Counts.Hosts != 2*len(fixtures) {
				t.Fatalf("%s, %s: the audit saw %+v", cloud, rel, rep.Audit)
			}
			check("after the audit of "+cloud+" with "+rel, want)
		}
	}
}
