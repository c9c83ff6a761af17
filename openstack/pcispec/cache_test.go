package pcispec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

// TestCacheAgreesWithParse: through one Cache, every device_spec and alias
// value of the agreement corpus, parsed with every release and with the
// options and host of its own case and of another case (so the same text
// meets hosts that answer differently), gives exactly what parsing it
// afresh gives: the same entries bound to the same host, the same
// diagnostics, the same error. Each is asked twice, the second time from
// what the cache remembered.
func TestCacheAgreesWithParse(t *testing.T) {
	// Every field, unexported too; a NaN tag equals itself (cmp only then:
	// it is slow).
	diff := func(want, got any) string {
		if reflect.DeepEqual(want, got) {
			return ""
		}
		return cmp.Diff(want, got, cmp.Exporter(func(reflect.Type) bool { return true }), cmpopts.EquateNaNs())
	}
	cases := loadCorpus(t)
	var c Cache
	specs, aliases, asked := 0, 0, 0
	for pass := range 2 {
		for i := range cases {
			for _, host := range []*corpusCase{&cases[i], &cases[(i*7+3)%len(cases)]} {
				opts := host.options()
				for _, rel := range novarelease.All {
					switch cases[i].Kind {
					case "device_spec":
						var value string
						if json.Unmarshal(cases[i].Input, &value) != nil {
							continue
						}
						want, wantDiags, wantErr := ParseDeviceSpecWith(value, rel, opts)
						got, gotDiags, gotErr := c.ParseDeviceSpecWith(value, rel, opts)
						if diff := diff([]any{want, wantDiags, wantErr}, []any{got, gotDiags, gotErr}); diff != "" {
							t.Fatalf("pass %d, %s with %s's host, %s: cached differs from parsed (-parsed +cached):\n%s", pass, cases[i].ID, host.ID, rel, diff)
						}
						for j := range got {
							if got[j].sysfs != want[j].sysfs {
								t.Fatalf("pass %d, %s with %s's host, %s: entry %d is bound to another host", pass, cases[i].ID, host.ID, rel, j)
							}
						}
						specs++
						if a := (&askedSysfs{inner: opts.Sysfs}); opts.Sysfs != nil {
							o := opts
							o.Sysfs = a
							_, _, _ = ParseDeviceSpecWith(value, rel, o)
							if a.asked {
								asked++
							}
						}
					case "alias":
						var values []string
						if json.Unmarshal(cases[i].Input, &values) != nil {
							continue
						}
						want, wantDiags, wantErr := ParseAliasesWith(values, rel, opts)
						got, gotDiags, gotErr := c.ParseAliasesWith(values, rel, opts)
						if diff := diff([]any{want, wantDiags, wantErr}, []any{got, gotDiags, gotErr}); diff != "" {
							t.Fatalf("pass %d, %s, %s: cached aliases differ from parsed ones (-parsed +cached):\n%s", pass, cases[i].ID, rel, diff)
						}
						aliases++
					}
				}
			}
		}
	}
	t.Logf("%d device_spec and %d alias parses agree (%d device_spec parses asked their host)", specs, aliases, asked)
	if specs < 1000 || aliases < 1000 || asked == 0 {
		t.Errorf("the corpus gave %d device_spec parses (%d asking the host) and %d alias parses: not the corpus", specs, asked, aliases)
	}
}

// TestCacheBindsEachHost: a devname spec parsed for one host and given
// from the cache to another matches that host's interface, not the first
// host's; an exact address, which parsing asks the host about, is parsed
// per host.
func TestCacheBindsEachHost(t *testing.T) {
	nic := func(addr, ifname string, totalVFs int) pcidev.Device {
		d := pcidev.Device{Address: addr, VendorID: "15b3", DeviceID: "101d", Class: "020000", Net: []string{ifname}}
		if totalVFs > 0 {
			d.SRIOV = &pcidev.SRIOV{TotalVFs: totalVFs}
		}
		return d
	}
	hostA := []pcidev.Device{nic("0000:3b:00.0", "ens1", 0)}
	hostB := []pcidev.Device{nic("0000:5e:00.0", "ens1", 0), nic("0000:3b:00.0", "ens9", 8)}
	rel := novarelease.All[len(novarelease.All)-1]
	var c Cache
	parse := func(value string, devs []pcidev.Device) []*DeviceSpec {
		t.Helper()
		specs, _, err := c.ParseDeviceSpecWith(value, rel, Options{Sysfs: SysfsFromInventory(devs)})
		if err != nil || len(specs) != 1 {
			t.Fatalf("%s: %v %v", value, specs, err)
		}
		return specs
	}
	devname := `{"devname": "ens1"}`
	a, b := parse(devname, hostA)[0], parse(devname, hostB)[0]
	if ok, _ := a.Match(&hostA[0]); !ok {
		t.Errorf("host A's devname spec does not match its ens1 (%s)", hostA[0].Address)
	}
	if ok, _ := b.Match(&hostB[0]); !ok {
		t.Errorf("host B's devname spec, from the cache, does not match its ens1 (%s)", hostB[0].Address)
	}
	if ok, _ := b.Match(&hostB[1]); ok {
		t.Errorf("host B's devname spec, from the cache, matches %s: host A's ens1", hostB[1].Address)
	}
	exact := `{"address": "0000:3b:00.0"}`
	pa, pb := parse(exact, hostA)[0], parse(exact, hostB)[0]
	if pa.Address.PhysicalFunction || !pb.Address.PhysicalFunction {
		t.Errorf("an exact address: PhysicalFunction %v on host A (no VFs), %v on host B (8 VFs); want false, true",
			pa.Address.PhysicalFunction, pb.Address.PhysicalFunction)
	}
}

// TestCacheConcurrent: hosts parsing the same values at once (the audit
// builds its hosts on every CPU) get what parsing gives; run with -race.
func TestCacheConcurrent(t *testing.T) {
	var c Cache
	rel := novarelease.All[len(novarelease.All)-1]
	values := []string{`{"vendor_id": "10de", "product_id": "2330"}`, `{"address": "0000:3b:00.0"}`, `{"devname": "ens1"}`, `[{"vendor_id": "10de"}, {"vendor_id": "1002"}]`}
	aliasValues := []string{`{"name": "h100", "vendor_id": "10de", "product_id": "2330"}`}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			devs := []pcidev.Device{{Address: "0000:3b:00.0", VendorID: "15b3", DeviceID: "101d", Class: "020000", Net: []string{fmt.Sprintf("ens%d", g%2)}}}
			opts := Options{Sysfs: SysfsFromInventory(devs)}
			for range 50 {
				for _, v := range values {
					want, _, wantErr := ParseDeviceSpecWith(v, rel, opts)
					got, _, gotErr := c.ParseDeviceSpecWith(v, rel, opts)
					if len(want) != len(got) || !reflect.DeepEqual(wantErr, gotErr) || len(got) > 0 && (*got[0]).VendorID != (*want[0]).VendorID {
						t.Errorf("%s: cached differs from parsed", v)
						return
					}
					for _, s := range got {
						s.Match(&devs[0])
					}
				}
				if _, _, err := c.ParseAliasesWith(aliasValues, rel, opts); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
