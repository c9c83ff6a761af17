package report_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// Every fixture host goes to the report's types and back unchanged, nil
// and empty slices kept apart (their JSON differs: null or []).
func TestHostRoundTripOnFixtures(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "hosts", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		h, err := hostinfo.Collect(dir, hostinfo.Options{})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		n++
		back := report.FromHost(h).HostInfo()
		if diff := cmp.Diff(h, back); diff != "" {
			t.Errorf("%s: round trip (-collected +back):\n%s", filepath.Base(dir), diff)
		}
	}
	if n < 10 {
		t.Fatalf("only %d fixture hosts found", n)
	}
	if report.FromHost(nil) != nil || (*report.Host)(nil).HostInfo() != nil {
		t.Error("nil must convert to nil")
	}
}

// fill sets every field of v (a pointer) to a non-zero value, through
// structs, slices, maps and pointers, so that a conversion that forgets a
// field shows in a round trip.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := 0; i < 2; i++ {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint64:
		v.SetUint(uint64(*n))
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

// Every field of hostinfo's Host and pcidev's Device reaches the report
// and comes back: a field added there and not here fails this test.
func TestHostConversionCarriesEveryField(t *testing.T) {
	var h hostinfo.Host
	n := 0
	fill(reflect.ValueOf(&h).Elem(), &n)
	back := report.FromHost(&h).HostInfo()
	if diff := cmp.Diff(&h, back); diff != "" {
		t.Errorf("a field is lost on the way (-filled +back):\n%s", diff)
	}
	var d pcidev.Device
	fill(reflect.ValueOf(&d).Elem(), &n)
	rd := report.FromDevice(&d)
	if diff := cmp.Diff(d, rd.PCIDevice()); diff != "" {
		t.Errorf("a device field is lost (-filled +back):\n%s", diff)
	}
	// And the report's types have no field the reader lacks.
	for _, pair := range [][2]reflect.Type{
		{reflect.TypeOf(hostinfo.Host{}), reflect.TypeOf(report.Host{})},
		{reflect.TypeOf(pcidev.Device{}), reflect.TypeOf(report.Device{})},
	} {
		if a, b := pair[0].NumField(), pair[1].NumField(); a != b {
			t.Errorf("%v has %d fields, %v %d", pair[0], a, pair[1], b)
		}
	}
}

// A report's host encodes under the contract's names (a few spot checks;
// the golden reports of cmd/gpupass hold the rest).
func TestHostJSONNames(t *testing.T) {
	g := 7
	h := &hostinfo.Host{Hostname: "gpu01", Devices: []pcidev.Device{{Address: "0000:41:00.0", IOMMUGroup: &g, SRIOV: &pcidev.SRIOV{TotalVFs: 4}}}}
	data, err := json.Marshal(report.FromHost(h))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	devs, _ := m["pci_devices"].([]any)
	if m["hostname"] != "gpu01" || len(devs) != 1 || m["modules"] != nil || m["notes"] != nil {
		t.Fatalf("host JSON %s", data)
	}
	dev := devs[0].(map[string]any)
	if dev["iommu_group"] != 7.0 || dev["sriov"].(map[string]any)["total_vfs"] != 4.0 || dev["reset_method"] != nil {
		t.Errorf("device JSON %v", dev)
	}
}
