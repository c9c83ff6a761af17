package fleet

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/report"
)

// TestFlavorHostsPerAlias: a flavor is fitted to the hosts with a usable
// device of any alias it asks for, each host once, in host order: a host
// with only one of two aliases' devices is judged (and refused for the
// other), a host with neither is left out.
func TestFlavorHostsPerAlias(t *testing.T) {
	var reports []*report.HostReport
	for _, name := range []string{"h100-hgx", "l40s-numa", "iommu-off-kernel"} {
		rep, err := report.ReadHostReport(filepath.Join("..", "testdata", "golden", "preflight", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, rep)
	}
	rel, _ := novarelease.Parse("2025.1")
	// One alias for the first usable device of each host that has one.
	first := New(nil, reports, rel, nil)
	var values, hostsWith []string
	for _, h := range first.Hosts {
		if len(h.Devices) == 0 {
			continue
		}
		d := h.Devices[0].Device
		values = append(values, fmt.Sprintf(`{"name": "a%d", "vendor_id": "%s", "product_id": "%s", "device_type": "%s"}`, len(values), d.VendorID, d.DeviceID, h.Devices[0].Type))
		hostsWith = append(hostsWith, h.Name)
	}
	if len(values) != 2 {
		t.Fatalf("want two hosts with usable devices and one without, got aliases %q", values)
	}
	// a2 selects what a0 does: a flavor asking for both meets the host twice.
	values = append(values, strings.Replace(values[0], `"a0"`, `"a2"`, 1))
	aliases, _, err := pcispec.ParseAliasesWith(values, rel, pcispec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	flavor := func(name, alias string) cloudmodel.Flavor {
		return cloudmodel.Flavor{Name: name, ID: name, VCPUs: 4, RAMMB: 8192, ExtraSpecs: map[string]string{SpecAlias: alias}}
	}
	cloud := &cloudmodel.Snapshot{Flavors: []cloudmodel.Flavor{
		flavor("both", "a0:1,a1:1"), flavor("reversed", "a1:1,a0:1"), flavor("first", "a0:1"), flavor("second", "a1:1"), flavor("twice", "a0:1,a0:1"), flavor("alike", "a0:1,a2:1"),
	}}
	v := New(cloud, reports, rel, &pcispec.Conf{Aliases: aliases})
	want := map[string][]string{
		"both": hostsWith, "reversed": hostsWith, "first": hostsWith[:1], "second": hostsWith[1:], "twice": hostsWith[:1], "alike": hostsWith[:1],
	}
	if !sort.StringsAreSorted(hostsWith) {
		t.Fatalf("hosts %q are not in the view's order", hostsWith)
	}
	for _, ff := range v.Flavors {
		var got []string
		for _, h := range ff.Hosts {
			got = append(got, h.Host.Name)
		}
		if fmt.Sprint(got) != fmt.Sprint(want[ff.Flavor.Name]) {
			t.Errorf("flavor %s (%s) is fitted to %q, want %q", ff.Flavor.Name, ff.Flavor.ExtraSpecs[SpecAlias], got, want[ff.Flavor.Name])
		}
		if name := ff.Flavor.Name; name == "both" || name == "reversed" {
			for _, h := range ff.Hosts {
				if h.Bootable() {
					t.Errorf("flavor %s boots on %s, which has only one of its aliases' devices", ff.Flavor.Name, h.Host.Name)
				}
			}
		}
	}
	if len(v.Flavors) != len(want) {
		t.Errorf("%d GPU flavors, want %d", len(v.Flavors), len(want))
	}
}
