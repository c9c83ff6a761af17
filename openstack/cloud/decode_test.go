package cloud

import (
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// The recorded bodies decode as Nova and Placement meant them.
func TestParseRecordedFlavors(t *testing.T) {
	page, err := parseFlavorPage(readFixture(t, "nova/flavors-2.61-page1.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []cloudmodel.Flavor{
		{ID: "25da1cf8-fa47-454e-baac-4ead91d70207", Name: "gpu.l40s.private", VCPUs: 8, RAMMB: 65536, DiskGB: 50,
			ExtraSpecs: map[string]string{"pci_passthrough:alias": "l40s"}},
		{ID: "4ac14e6a-5e7d-428a-ba71-3658f57a782c", Name: "m1.medium", VCPUs: 2, RAMMB: 4096, DiskGB: 20, IsPublic: true,
			ExtraSpecs: map[string]string{}},
	}
	if diff := cmp.Diff(want, page.flavors); diff != "" {
		t.Errorf("page 1 (-want +got):\n%s", diff)
	}
	if page.next != "{{URL}}/compute/v2.1/flavors/detail?is_public=None&limit=2&marker=4ac14e6a-5e7d-428a-ba71-3658f57a782c" || page.withoutSpecs != 0 {
		t.Errorf("next %q, %d without specs", page.next, page.withoutSpecs)
	}

	page, err = parseFlavorPage(readFixture(t, "nova/flavors-2.61-page2.json"))
	if err != nil {
		t.Fatal(err)
	}
	want = []cloudmodel.Flavor{{ID: "dc238e60-44c3-4d2e-af36-5ded630b6f1d", Name: "gpu.h100", Description: "one H100", VCPUs: 16, RAMMB: 131072,
		DiskGB: 100, EphemeralGB: 10, SwapMB: 1024, IsPublic: true,
		ExtraSpecs: map[string]string{"hw:pci_numa_affinity_policy": "preferred", "pci_passthrough:alias": "h100:1"}}}
	if diff := cmp.Diff(want, page.flavors); diff != "" || page.next != "" {
		t.Errorf("page 2 (-want +got):\n%s\nnext %q", diff, page.next)
	}

	// Below 2.61: no extra_specs key, so nil specs, counted.
	for _, name := range []string{"nova/flavors-2.1.json", "nova/flavors-2.55.json"} {
		page, err = parseFlavorPage(readFixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(page.flavors) != 3 || page.withoutSpecs != 3 || page.flavors[0].ExtraSpecs != nil || page.flavors[2].SwapMB != 1024 || page.flavors[0].SwapMB != 0 {
			t.Errorf("%s: %+v", name, page)
		}
	}

	specs, err := parseExtraSpecs(readFixture(t, "nova/extra-specs.json"))
	if err != nil || specs["pci_passthrough:alias"] != "h100:1" {
		t.Errorf("extra specs %v, %v", specs, err)
	}
	specs, err = parseExtraSpecs(readFixture(t, "nova/extra-specs-empty.json"))
	if err != nil || specs == nil || len(specs) != 0 {
		t.Errorf("empty extra specs %#v, %v", specs, err)
	}
}

func TestParseRecordedPlacement(t *testing.T) {
	providers, err := parseProviders(readFixture(t, "placement/resource_providers.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(providers) != 3 || providers[1].Name != "compute1_0000:41:00.0" || providers[1].ParentUUID != providers[0].UUID || providers[0].RootUUID != providers[0].UUID {
		t.Errorf("providers %+v", providers)
	}
	// Before 1.14 there is no root: a provider is its own.
	old, err := parseProviders([]byte(`{"resource_providers": [{"uuid": "u1", "name": "n", "generation": 2}]}`))
	if err != nil || old[0].RootUUID != "u1" || old[0].ParentUUID != "" {
		t.Errorf("pre-1.14 provider %+v, %v", old, err)
	}
	inv, err := parseInventories(readFixture(t, "placement/inventories-8a1e6c3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (cloudmodel.Inventory{Total: 64, Reserved: 4, MinUnit: 1, MaxUnit: 2147483647, StepSize: 1, AllocationRatio: 4}); inv["VCPU"] != want {
		t.Errorf("VCPU inventory %+v, want %+v", inv["VCPU"], want)
	}
	usages, err := parseUsages(readFixture(t, "placement/usages-5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d.json"))
	if err != nil || usages["CUSTOM_PCI_10DE_2330"] != 1 {
		t.Errorf("usages %v, %v", usages, err)
	}
	traits, err := parseTraits(readFixture(t, "placement/traits-8a1e6c3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f.json"))
	if err != nil || strings.Join(traits, ",") != "COMPUTE_STATUS_DISABLED,HW_CPU_X86_AVX2" {
		t.Errorf("traits %v, %v (want them sorted)", traits, err)
	}
	// A missing allocation ratio is placement's default, 1.0.
	inv, err = parseInventories([]byte(`{"inventories": {"PGPU": {"total": 4}}}`))
	if err != nil || inv["PGPU"].AllocationRatio != 1 {
		t.Errorf("inventory %+v, %v", inv, err)
	}
}

func TestParseVersions(t *testing.T) {
	for _, tc := range []struct {
		fixture, id, want string
	}{
		{"nova/versions.json", "v2.1", "2.93"},
		{"nova/version-v2.1.json", "v2.1", "2.93"},
		{"placement/versions.json", "v1.0", "1.39"},
	} {
		got, err := parseVersions(readFixture(t, tc.fixture), tc.id)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.fixture, got, err, tc.want)
		}
	}
	// The v2.0 entry of Nova's root announces no microversions.
	if got, err := parseVersions(readFixture(t, "nova/versions.json"), "v2.0"); err != nil || got != "" {
		t.Errorf("v2.0: %q, %v", got, err)
	}
	for _, bad := range []string{`<html>`, `{}`, `{"versions": []}`, `{"version": {"id": "v2.1", "version": "two"}}`, `{"versions": 3}`} {
		if got, err := parseVersions([]byte(bad), "v2.1"); err == nil {
			t.Errorf("%s: %q, no error", bad, got)
		}
	}
	if got, err := parseVersions(readFixture(t, "keystone/versions.json"), "v3.14"); err != nil || got != "" {
		t.Errorf("keystone: %q, %v", got, err)
	}
}

func TestMicroversions(t *testing.T) {
	for _, tc := range []struct{ want, max, min string }{
		{"2.61", "2.93", "2.61"}, {"2.61", "2.60", "2.60"}, {"2.61", "2.61", "2.61"}, {"2.87", "2.100", "2.87"}, {"1.14", "1.10", "1.10"}, {"2.61", "", "2.61"},
	} {
		if got := minMicroversion(tc.want, tc.max); got != tc.min {
			t.Errorf("minMicroversion(%s, %s) = %s, want %s", tc.want, tc.max, got, tc.min)
		}
	}
	if !atLeast("2.100", "2.61") || atLeast("2.9", "2.61") || atLeast("", "2.1") || !atLeast("1.14", "1.6") {
		t.Error("atLeast compares as strings")
	}
}

func TestFlexInt(t *testing.T) {
	for in, want := range map[string]int{`1024`: 1024, `""`: 0, `null`: 0, `1.0`: 1, `"12"`: 12, `-3`: -3, `" 7 "`: 7} {
		var n flexInt
		if err := n.UnmarshalJSON([]byte(in)); err != nil || int(n) != want {
			t.Errorf("%s: %d, %v; want %d", in, n, err, want)
		}
	}
	for _, in := range []string{`1e30`, `"abc"`, `true`, `{}`, `"NaN"`, `9223372036854775808`} {
		var n flexInt
		if err := n.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s: %d, no error", in, n)
		}
	}
}

func TestServerMessage(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{string(readFixture(t, "nova/error-403.json")), "Policy doesn't allow os_compute_api:os-hypervisors:list-detail to be performed."},
		{string(readFixture(t, "keystone/error-401.json")), "The request you have made requires authentication."},
		{string(readFixture(t, "placement/error-403.json")), "Policy does not allow placement:resource_providers:list to be performed."},
		{"<html><head><title>502 Bad Gateway</title></head></html>", "502 Bad Gateway"},
		{"upstream connect error\n", "upstream connect error"},
		{"", ""},
		{strings.Repeat("é", 300), strings.Repeat("é", 200) + "…"},
	} {
		if got := serverMessage([]byte(tc.body)); got != tc.want {
			t.Errorf("serverMessage(%.40q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestPageURL(t *testing.T) {
	// Nova's links name its own host (and, before 2.18, the project); the
	// next page is asked for on the catalog's endpoint.
	got := pageURL("https://cloud.example.com:8774/v2.1/flavors/detail?is_public=None&limit=1000",
		"http://nova-api.internal:8774/v2.1/6f70656e/flavors/detail?is_public=None&limit=1000&marker=abc")
	if want := "https://cloud.example.com:8774/v2.1/flavors/detail?is_public=None&limit=1000&marker=abc"; got != want {
		t.Errorf("pageURL = %s, want %s", got, want)
	}
	if markerOf(got) != "abc" {
		t.Errorf("marker %q", markerOf(got))
	}
	if pageURL("https://x/", "http://y/no-query") != "" || pageURL("https://x/", "%zz") != "" {
		t.Error("unusable links give a URL")
	}
}

// TestServerMessageLargeBody: quoting an error answer of 64 MiB costs what
// quoting its start does, not four times its size in runes.
func TestServerMessageLargeBody(t *testing.T) {
	body := []byte("upstream said: " + strings.Repeat("a", maxBody-20))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	msg := serverMessage(body)
	runtime.ReadMemStats(&after)
	if !strings.HasPrefix(msg, "upstream said: aaa") || utf8.RuneCountInString(msg) != 201 {
		t.Errorf("message %.40q… of %d runes", msg, utf8.RuneCountInString(msg))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("serverMessage allocated %d MiB for a body of 64 MiB", alloc>>20)
	}
}
