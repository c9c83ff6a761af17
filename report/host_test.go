package report_test

import (
	"bytes"
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

// The report's side filled the same way comes back from hostinfo's: a
// field added to a report type and not carried fails here.
func TestReportHostCarriesEveryField(t *testing.T) {
	var h report.Host
	n := 0
	fill(reflect.ValueOf(&h).Elem(), &n)
	back := report.FromHost(h.HostInfo())
	if diff := cmp.Diff(&h, back); diff != "" {
		t.Errorf("a report field is lost on the way (-filled +back):\n%s", diff)
	}
	// The types that mirror hostinfo's one for one have as many fields.
	for _, pair := range [][2]reflect.Type{
		{reflect.TypeOf(hostinfo.CPU{}), reflect.TypeOf(report.CPU{})},
		{reflect.TypeOf(hostinfo.ACPI{}), reflect.TypeOf(report.ACPI{})},
		{reflect.TypeOf(hostinfo.IORT{}), reflect.TypeOf(report.IORT{})},
		{reflect.TypeOf(hostinfo.Mdev{}), reflect.TypeOf(report.Mdev{})},
		{reflect.TypeOf(hostinfo.MdevParent{}), reflect.TypeOf(report.MdevParent{})},
		{reflect.TypeOf(hostinfo.MdevType{}), reflect.TypeOf(report.MdevType{})},
		{reflect.TypeOf(hostinfo.MdevDevice{}), reflect.TypeOf(report.MdevDevice{})},
		{reflect.TypeOf(hostinfo.MdevDefinition{}), reflect.TypeOf(report.MdevDefinition{})},
		{reflect.TypeOf(hostinfo.Virt{}), reflect.TypeOf(report.Virt{})},
		{reflect.TypeOf(hostinfo.Component{}), reflect.TypeOf(report.Component{})},
		{reflect.TypeOf(hostinfo.BootUnit{}), reflect.TypeOf(report.BootUnit{})},
		{reflect.TypeOf(pcidev.VGPUType{}), reflect.TypeOf(report.VGPUType{})},
	} {
		if a, b := pair[0].NumField(), pair[1].NumField(); a != b {
			t.Errorf("%v has %d fields, %v %d", pair[0], a, pair[1], b)
		}
	}
	// VendorVGPU's four fields are two in the report, each null when
	// unknown: every combination comes back.
	for _, v := range []pcidev.VendorVGPU{
		{},
		{CreatableKnown: true},
		{CreatableKnown: true, Creatable: []pcidev.VGPUType{{ID: 1148, Name: "NVIDIA L40S-2Q"}}},
		{CurrentKnown: true},
		{CurrentKnown: true, Current: 1148},
	} {
		d := pcidev.Device{Address: "0000:41:00.4", VGPU: &v}
		rd := report.FromDevice(&d)
		if diff := cmp.Diff(d, rd.PCIDevice()); diff != "" {
			t.Errorf("VGPU %+v (-want +back):\n%s", v, diff)
		}
	}
}

// A host without any of issue 13's facts encodes none of their keys: the
// reports of classic hosts stay as they were.
func TestHostJSONOmitsAbsentVirtualizationFacts(t *testing.T) {
	h := &hostinfo.Host{Hostname: "gpu01", Devices: []pcidev.Device{{Address: "0000:41:00.0"}}}
	data, err := json.Marshal(report.FromHost(h))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"mdev"`, `"virt"`, `"boot_units"`, `"iort"`, `"arch"`, `"implementer"`, `"part"`, `"vgpu"`} {
		if bytes.Contains(data, []byte(key)) {
			t.Errorf("%s in a classic host's JSON: %s", key, data)
		}
	}
}

// The new facts encode under the contract's names.
func TestHostJSONVirtualizationNames(t *testing.T) {
	avail, group := 0, 31
	h := &hostinfo.Host{
		CPU:  hostinfo.CPU{Arch: "aarch64", Implementer: "0x41", Part: "0xd4f"},
		ACPI: hostinfo.ACPI{Readable: true, Tables: []string{"IORT"}, IORT: &hostinfo.IORT{ITSGroups: 1, SMMUv3: 2, RootComplexes: 1}},
		Mdev: hostinfo.Mdev{Bus: true, Mdevctl: "/usr/sbin/mdevctl",
			Parents: []hostinfo.MdevParent{{Address: "0000:e8:00.4", Types: []hostinfo.MdevType{{
				ID: "nvidia-558", Name: "NVIDIA A40-2Q", DeviceAPI: "vfio-pci", Available: &avail, MaxInstance: 24,
				Devices: []string{"aa618089-8b16-4d01-a136-25a0f3c73123"}}}}},
			Devices: []hostinfo.MdevDevice{{UUID: "aa618089-8b16-4d01-a136-25a0f3c73123", Type: "nvidia-558", Parent: "0000:e8:00.4", IOMMUGroup: &group}},
			Definitions: []hostinfo.MdevDefinition{{File: "/etc/mdevctl.d/0000:e8:00.4/aa618089-8b16-4d01-a136-25a0f3c73123",
				UUID: "aa618089-8b16-4d01-a136-25a0f3c73123", Parent: "0000:e8:00.4", Type: "nvidia-558", Start: "auto"}},
		},
		Virt: hostinfo.Virt{Libvirt: hostinfo.Component{Package: "libvirt-daemon", PackageVersion: "10.0.0-2ubuntu8", Version: "10.0.0", From: "dpkg status /var/lib/dpkg/status"}},
		BootUnits: []hostinfo.BootUnit{{Name: "nvidia-sriov-manage@0000:41:00.0.service", File: "/etc/systemd/system/nvidia-sriov-manage@.service",
			Enabled: true, WantedBy: []string{"multi-user.target"}, After: []string{"nvidia-vgpu-mgr.service"},
			ExecStart: []string{"/usr/lib/nvidia/sriov-manage -e 0000:41:00.0"}}},
		Devices: []pcidev.Device{
			{Address: "0000:41:00.4", VGPU: &pcidev.VendorVGPU{CreatableKnown: true, CurrentKnown: true}},
			{Address: "0000:41:00.5", VGPU: &pcidev.VendorVGPU{Creatable: []pcidev.VGPUType{{ID: 1148, Name: "NVIDIA L40S-2Q"}}, CreatableKnown: true}},
		},
	}
	data, err := json.Marshal(report.FromHost(h))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"cpu":{"vendor":"","model":"","logical_cpus":0,"virtualization":"","physical_address_bits":0,"arch":"aarch64","implementer":"0x41","part":"0xd4f"}`,
		`"iort":{"its_groups":1,"smmu_v3":2,"smmu":0,"root_complexes":1}`,
		`"mdev":{"bus":true,"parents":[{"address":"0000:e8:00.4","types":[{"id":"nvidia-558","name":"NVIDIA A40-2Q","device_api":"vfio-pci","available_instances":0,"max_instance":24,"devices":["aa618089-8b16-4d01-a136-25a0f3c73123"]}]}]`,
		`"devices":[{"uuid":"aa618089-8b16-4d01-a136-25a0f3c73123","type":"nvidia-558","parent":"0000:e8:00.4","iommu_group":31}]`,
		`"definitions":[{"file":"/etc/mdevctl.d/0000:e8:00.4/aa618089-8b16-4d01-a136-25a0f3c73123","uuid":"aa618089-8b16-4d01-a136-25a0f3c73123","parent":"0000:e8:00.4","type":"nvidia-558","start":"auto"}],"mdevctl":"/usr/sbin/mdevctl"}`,
		`"virt":{"libvirt":{"package":"libvirt-daemon","package_version":"10.0.0-2ubuntu8","version":"10.0.0","from":"dpkg status /var/lib/dpkg/status"}}`,
		`"boot_units":[{"name":"nvidia-sriov-manage@0000:41:00.0.service","file":"/etc/systemd/system/nvidia-sriov-manage@.service","enabled":true,"wanted_by":["multi-user.target"],"after":["nvidia-vgpu-mgr.service"],"exec_start":["/usr/lib/nvidia/sriov-manage -e 0000:41:00.0"]}]`,
		// Known and empty is [] and 0; unknown is null.
		`"vgpu":{"creatable_vgpu_types":[],"current_vgpu_type":0}`,
		`"vgpu":{"creatable_vgpu_types":[{"id":1148,"name":"NVIDIA L40S-2Q"}],"current_vgpu_type":null}`,
	} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("JSON lacks %s\nin %s", want, data)
		}
	}
	// And it decodes back to the same host.
	var back report.Host
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(h, back.HostInfo()); diff != "" {
		t.Errorf("JSON round trip (-host +decoded):\n%s", diff)
	}
}
