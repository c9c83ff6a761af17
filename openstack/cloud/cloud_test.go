package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

var update = flag.Bool("update", false, "rewrite the golden snapshots under testdata/golden")

func TestMain(m *testing.M) {
	// gophercloud's clouds.Parse reads these with os.Getenv; the tests
	// inject their environment, so the real one must not leak in.
	for _, v := range []string{"OS_CACERT", "OS_CERT", "OS_KEY"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}

// options are test options: the given environment only, no config dirs but
// an empty one, short timeouts and backoff.
func options(t *testing.T, env map[string]string) Options {
	t.Helper()
	return Options{
		Getenv:     mapEnv(env),
		ConfigDirs: []string{t.TempDir()},
		Timeout:    5 * time.Second,
		backoff:    time.Millisecond,
	}
}

func connect(t *testing.T, opts Options) *Client {
	t.Helper()
	client, err := Connect(context.Background(), opts)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return client
}

func fetchAll(t *testing.T, opts Options) *cloudmodel.Snapshot {
	t.Helper()
	snap, err := connect(t, opts).Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return snap
}

// gapFor is the snapshot's gap for a part, or nil.
func gapFor(snap *cloudmodel.Snapshot, part string) *cloudmodel.Gap {
	for i := range snap.Incomplete {
		if snap.Incomplete[i].Part == part {
			return &snap.Incomplete[i]
		}
	}
	return nil
}

func wantError(t *testing.T, err error, kind Kind, substrings ...string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want an *Error of kind %s", err, err, kind)
	}
	if e.Kind != kind {
		t.Errorf("error kind %s, want %s: %v", e.Kind, kind, e)
	}
	for _, s := range substrings {
		if !strings.Contains(e.Error(), s) {
			t.Errorf("error %q does not say %q", e.Error(), s)
		}
	}
	return e
}

// TestFetchSmallCloud reads the recorded small cloud and compares the
// snapshot with testdata/golden/small-cloud.json.
func TestFetchSmallCloud(t *testing.T) {
	fc := newFakeCloud(t)
	snap := fetchAll(t, options(t, fc.env()))

	got, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(bytes.ReplaceAll(got, []byte(fc.URL()), []byte("{{URL}}")), '\n')
	golden := filepath.Join("testdata", "golden", "small-cloud.json")
	if *update {
		os.MkdirAll(filepath.Dir(golden), 0o755)
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readFixture(t, "golden/small-cloud.json")
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("snapshot differs from %s (-want +got; go test -run TestFetchSmallCloud -update to accept):\n%s", golden, diff)
	}

	var back cloudmodel.Snapshot
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(got), mustJSONIndent(t, back)+"\n"); diff != "" {
		t.Errorf("the snapshot does not survive a JSON round trip (-before +after):\n%s", diff)
	}

	want1 := cloudmodel.RequestStats{Identity: 1, Versions: 2, Flavors: 1, Hypervisors: 2, Placement: 10, Total: 16}
	if snap.Requests != want1 {
		t.Errorf("requests %+v, want %+v", snap.Requests, want1)
	}
	// The PCI devices are child providers of the compute node.
	var gpus int
	for _, rp := range snap.ResourceProviders {
		if free, ok := rp.Free("CUSTOM_PCI_10DE_2330"); ok {
			gpus++
			if rp.ParentUUID != "8a1e6c3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f" || rp.RootUUID != rp.ParentUUID {
				t.Errorf("GPU provider %s: parent %q root %q", rp.Name, rp.ParentUUID, rp.RootUUID)
			}
			wantFree := map[string]int{"compute1_0000:41:00.0": 0, "compute1_0000:42:00.0": 1}[rp.Name]
			if free != wantFree {
				t.Errorf("%s: %d CUSTOM_PCI_10DE_2330 free, want %d", rp.Name, free, wantFree)
			}
		}
		if rp.Name == "compute1" {
			// VCPU: (64-4)*4 - 16; MEMORY_MB: (524288-8192)*1 - 131072.
			if free, _ := rp.Free("VCPU"); free != 224 {
				t.Errorf("compute1: %d VCPU free, want 224", free)
			}
			if free, _ := rp.Free("MEMORY_MB"); free != 385024 {
				t.Errorf("compute1: %d MEMORY_MB free, want 385024", free)
			}
		}
	}
	if gpus != 2 {
		t.Errorf("%d providers with CUSTOM_PCI_10DE_2330, want 2", gpus)
	}
}

func mustJSONIndent(t *testing.T, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPlacementRequests: three requests per provider, two for one without
// inventory, and a 429 waits and retries.
func TestPlacementRequests(t *testing.T) {
	fc := newFakeCloud(t)
	list := strings.Replace(string(readFixture(t, "placement/resource_providers.json")), `"resource_providers": [`,
		`"resource_providers": [{"uuid": "0b0b0b0b-0000-4000-8000-000000000000", "name": "empty", "generation": 0, "parent_provider_uuid": null, "root_provider_uuid": "0b0b0b0b-0000-4000-8000-000000000000"},`, 1)
	fc.intercept(1, func(r *http.Request) bool { return r.URL.Path == "/placement/resource_providers" }, status(429, "slow down"))
	fc.intercept(-1, func(r *http.Request) bool { return r.URL.Path == "/placement/resource_providers" }, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, list)
	})
	fc.intercept(-1, pathHas("/0b0b0b0b-0000-4000-8000-000000000000/inventories"), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"resource_provider_generation": 0, "inventories": {}}`)
	})
	fc.intercept(-1, pathHas("/0b0b0b0b-0000-4000-8000-000000000000/traits"), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"resource_provider_generation": 0, "traits": []}`)
	})
	snap := fetchAll(t, options(t, fc.env()))
	if len(snap.ResourceProviders) != 4 || len(snap.Incomplete) != 0 {
		t.Fatalf("%d providers, gaps %+v", len(snap.ResourceProviders), snap.Incomplete)
	}
	// 2 list requests (the 429 and its retry), 3 x 3, 2 for the empty one.
	if snap.Requests.Placement != 13 || snap.Requests.Retries != 1 {
		t.Errorf("%d placement requests and %d retries, want 13 and 1", snap.Requests.Placement, snap.Requests.Retries)
	}
	if rp := snap.ResourceProviders[0]; rp.Usages == nil || rp.Traits == nil || len(rp.Inventories) != 0 {
		t.Errorf("empty provider %+v", rp)
	}
	resp := &http.Response{Header: http.Header{"Retry-After": {"120"}}}
	if got := retryAfter(resp); got != maxRetryAfter {
		t.Errorf("Retry-After 120 waits %s, want the bound %s", got, maxRetryAfter)
	}
}

// TestUnscoped: no project, no catalog; the message says so.
func TestUnscoped(t *testing.T) {
	fc := newFakeCloud(t)
	env := fc.env()
	delete(env, "OS_PROJECT_NAME")
	_, err := Connect(context.Background(), options(t, env))
	wantError(t, err, KindCatalog, "unscoped token", "OS_PROJECT_NAME")
}

// TestFlavorPages: 2,500 flavors at microversion 2.61+ are three requests,
// extra specs inline, never one per flavor.
func TestFlavorPages(t *testing.T) {
	for _, tc := range []struct{ flavors, requests int }{{2500, 3}, {2000, 3}, {1000, 2}, {999, 1}, {0, 1}} {
		t.Run(fmt.Sprint(tc.flavors), func(t *testing.T) {
			fc := newFakeCloud(t)
			fc.manyFlavors(tc.flavors)
			snap := fetchAll(t, options(t, fc.env()))
			if len(snap.Flavors) != tc.flavors {
				t.Fatalf("%d flavors, want %d", len(snap.Flavors), tc.flavors)
			}
			if snap.Requests.Flavors != tc.requests || snap.Requests.ExtraSpecs != 0 {
				t.Errorf("%d flavor requests and %d extra-spec requests, want %d and 0", snap.Requests.Flavors, snap.Requests.ExtraSpecs, tc.requests)
			}
			if snap.ComputeMicroversion != "2.61" {
				t.Errorf("microversion %q, want 2.61", snap.ComputeMicroversion)
			}
			seen := map[string]bool{}
			for i, f := range snap.Flavors {
				if seen[f.ID] {
					t.Fatalf("flavor %s listed twice", f.ID)
				}
				seen[f.ID] = true
				if f.ExtraSpecs["hw:cpu_policy"] != "dedicated" || f.IsPublic != (i%3 != 0) {
					t.Fatalf("flavor %d: %+v", i, f)
				}
			}
			// Every page was asked for on the catalog's endpoint, not on
			// the host name of Nova's next links.
			for _, r := range fc.recorded() {
				if strings.Contains(r.Path, "/flavors/detail") && (!strings.Contains(r.Query, "is_public=None") || !strings.Contains(r.Query, "limit=1000") || r.Microversion != "2.61") {
					t.Errorf("flavor request %s?%s at %q", r.Path, r.Query, r.Microversion)
				}
			}
			if gapFor(snap, cloudmodel.PartPrivateFlavors) != nil || len(snap.Incomplete) != 0 {
				t.Errorf("gaps: %+v", snap.Incomplete)
			}
		})
	}
}

// TestOldMicroversion: a cloud older than 2.61 (Queens: 2.60) costs one
// extra-spec request per flavor, a bounded number at a time.
func TestOldMicroversion(t *testing.T) {
	fc := newFakeCloud(t)
	fc.computeMax = "2.60"
	fc.manyFlavors(60)
	opts := options(t, fc.env())
	opts.workers = 5
	snap := fetchAll(t, opts)
	if snap.ComputeMicroversion != "2.60" || snap.HypervisorMicroversion != "2.60" {
		t.Errorf("microversions %q / %q, want 2.60", snap.ComputeMicroversion, snap.HypervisorMicroversion)
	}
	if snap.Requests.Flavors != 1 || snap.Requests.ExtraSpecs != 60 {
		t.Errorf("%d flavor and %d extra-spec requests, want 1 and 60", snap.Requests.Flavors, snap.Requests.ExtraSpecs)
	}
	for _, f := range snap.Flavors {
		if f.ExtraSpecs["hw:cpu_policy"] != "dedicated" {
			t.Fatalf("flavor %s: extra specs %v", f.ID, f.ExtraSpecs)
		}
	}
	if fc.maxInflight > 5 || fc.maxInflight < 2 {
		t.Errorf("%d extra-spec requests at once, want 2 to 5 (the worker bound)", fc.maxInflight)
	}
	if len(snap.Incomplete) != 0 {
		t.Errorf("gaps: %+v", snap.Incomplete)
	}

	// The default bound is 8.
	fc.maxInflight = 0
	fetchAll(t, options(t, fc.env()))
	if fc.maxInflight > 8 {
		t.Errorf("%d extra-spec requests at once, want at most 8", fc.maxInflight)
	}
}

// TestNoMicroversions: an endpoint that announces no microversions is read at
// the base version, without microversion headers.
func TestNoMicroversions(t *testing.T) {
	fc := newFakeCloud(t)
	fc.computeMax = ""
	snap := fetchAll(t, options(t, fc.env()))
	if snap.ComputeMicroversion != "" || snap.Requests.ExtraSpecs != 3 || len(snap.Flavors) != 3 {
		t.Errorf("microversion %q, %d extra-spec requests, %d flavors", snap.ComputeMicroversion, snap.Requests.ExtraSpecs, len(snap.Flavors))
	}
	if snap.Hypervisors[0].ID != "1" || snap.Hypervisors[0].VCPUs != 2 {
		t.Errorf("2.1 hypervisor %+v", snap.Hypervisors[0])
	}
	for _, r := range fc.recorded() {
		if strings.HasPrefix(r.Path, "/compute") && r.Microversion != "" {
			t.Errorf("%s sent microversion %q", r.Path, r.Microversion)
		}
	}
}

// TestHypervisorsWithoutCapacity: from 2.88 Nova no longer reports vCPUs and
// memory; gpupass stays at 2.87 while the cloud has it, and gives zeros when
// only the 2.88 fields are there.
func TestHypervisorsWithoutCapacity(t *testing.T) {
	fc := newFakeCloud(t)
	snap := fetchAll(t, options(t, fc.env()))
	if snap.HypervisorMicroversion != "2.87" || snap.Hypervisors[0].VCPUs != 2 || snap.Hypervisors[0].MemoryMB != 8192 {
		t.Errorf("at %s: %+v", snap.HypervisorMicroversion, snap.Hypervisors)
	}
	page, err := parseHypervisorPage(readFixture(t, "nova/hypervisors-2.88.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := cloudmodel.Hypervisor{ID: "b1e43b5f-eec1-44e0-9f10-7b4945c0226d", Hostname: "host2", ServiceHost: "compute1", State: "up", Status: "enabled", Type: "fake"}
	if diff := cmp.Diff([]cloudmodel.Hypervisor{want}, page.hypervisors); diff != "" {
		t.Errorf("2.88 hypervisors (-want +got):\n%s", diff)
	}
}

func TestAuthFailed(t *testing.T) {
	fc := newFakeCloud(t)
	env := fc.env()
	env["OS_PASSWORD"] = "wrong-password-canary-41"
	_, err := Connect(context.Background(), options(t, env))
	e := wantError(t, err, KindAuth, `authentication failed for user "admin" (domain Default) at `+fc.authURL(), "check the password", "HTTP 401")
	if e.Status != 401 || strings.Contains(e.Error(), "wrong-password-canary-41") {
		t.Errorf("status %d, message %q", e.Status, e.Error())
	}
	if fc.count("/compute") != 0 {
		t.Error("requests went on after a failed authentication")
	}
}

// TestPlacementForbidden: a 403 on placement is a gap; the rest is read.
func TestPlacementForbidden(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(-1, pathHas("/placement/resource_providers"), fixture(403, "placement/error-403.json"))
	snap := fetchAll(t, options(t, fc.env()))
	g := gapFor(snap, cloudmodel.PartPlacement)
	if g == nil || g.Status != 403 || !strings.Contains(g.Reason, "Policy does not allow placement:resource_providers:list") || !strings.Contains(g.Reason, "admin role") {
		t.Fatalf("placement gap %+v", g)
	}
	if snap.ResourceProviders != nil || len(snap.Flavors) != 3 || len(snap.Hypervisors) != 1 {
		t.Errorf("providers %v, %d flavors, %d hypervisors", snap.ResourceProviders, len(snap.Flavors), len(snap.Hypervisors))
	}
}

// TestAllFlavorsForbidden: when is_public=None is refused, the flavors the
// project sees are listed instead, and the private ones are marked missing.
func TestAllFlavorsForbidden(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(-1, func(r *http.Request) bool {
		return strings.HasSuffix(r.URL.Path, "/flavors/detail") && r.URL.Query().Get("is_public") != ""
	}, fixture(403, "nova/error-403.json"))
	snap := fetchAll(t, options(t, fc.env()))
	g := gapFor(snap, cloudmodel.PartPrivateFlavors)
	if g == nil || g.Status != 403 || !strings.Contains(g.Reason, "is_public=None") || !strings.Contains(g.Reason, "only the public flavors") {
		t.Fatalf("private flavors gap %+v", g)
	}
	if len(snap.Flavors) != 2 || gapFor(snap, cloudmodel.PartFlavors) != nil {
		t.Errorf("%d flavors (want the 2 public ones), gaps %+v", len(snap.Flavors), snap.Incomplete)
	}
}

// TestNotAdmin: a member sees public flavors only, no hypervisors, no
// placement; each is a gap and the flavors are still returned.
func TestNotAdmin(t *testing.T) {
	fc := newFakeCloud(t)
	fc.admin = false
	fc.intercept(-1, pathHas("/os-hypervisors"), fixture(403, "nova/error-403.json"))
	fc.intercept(-1, pathHas("/placement/resource_providers"), fixture(403, "placement/error-403.json"))
	snap := fetchAll(t, options(t, fc.env()))
	if snap.Admin || len(snap.Flavors) != 2 {
		t.Errorf("admin %v, %d flavors", snap.Admin, len(snap.Flavors))
	}
	for _, part := range []string{cloudmodel.PartPrivateFlavors, cloudmodel.PartHypervisors, cloudmodel.PartPlacement} {
		if gapFor(snap, part) == nil {
			t.Errorf("no gap for %s: %+v", part, snap.Incomplete)
		}
	}
	if g := gapFor(snap, cloudmodel.PartPrivateFlavors); !strings.Contains(g.Reason, "no admin role") {
		t.Errorf("private flavors gap %+v", g)
	}
}

// TestExtraSpecsHidden: at 2.61 a policy can leave extra_specs out.
func TestExtraSpecsHidden(t *testing.T) {
	fc := newFakeCloud(t)
	fc.hideSpecsAbove = true
	snap := fetchAll(t, options(t, fc.env()))
	g := gapFor(snap, cloudmodel.PartExtraSpecs)
	if g == nil || !strings.Contains(g.Reason, "3 of 3 flavors") || snap.Flavors[0].ExtraSpecs != nil {
		t.Errorf("gap %+v, specs %v", g, snap.Flavors[0].ExtraSpecs)
	}
}

// TestRetry: a 500, then a 503, then the answer: two retries, no gap.
func TestRetry(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(1, pathHas("/flavors/detail"), status(500, "boom"))
	fc.intercept(1, pathHas("/flavors/detail"), status(503, "busy"))
	snap := fetchAll(t, options(t, fc.env()))
	if len(snap.Flavors) != 3 || len(snap.Incomplete) != 0 {
		t.Fatalf("%d flavors, gaps %+v", len(snap.Flavors), snap.Incomplete)
	}
	if snap.Requests.Flavors != 3 || snap.Requests.Retries != 2 {
		t.Errorf("%d flavor requests, %d retries; want 3 and 2", snap.Requests.Flavors, snap.Requests.Retries)
	}
}

// TestRetryBound: a 500 forever is retried 3 times, then is a gap.
func TestRetryBound(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(-1, pathHas("/os-hypervisors"), status(500, "hypervisor boom"))
	var debug bytes.Buffer
	opts := options(t, fc.env())
	opts.Debug = &debug
	snap := fetchAll(t, opts)
	g := gapFor(snap, cloudmodel.PartHypervisors)
	if g == nil || g.Status != 500 || !strings.Contains(g.Reason, "after 3 retries") || !strings.Contains(g.Reason, "hypervisor boom") {
		t.Fatalf("gap %+v", g)
	}
	if fc.count("/os-hypervisors") != 4 || snap.Requests.Hypervisors != 4 || snap.Hypervisors != nil {
		t.Errorf("%d hypervisor requests (want 4: 1 + 3 retries), hypervisors %v", fc.count("/os-hypervisors"), snap.Hypervisors)
	}
	if !strings.Contains(debug.String(), "(retry 3/3 in 4ms)") {
		t.Errorf("debug log without the retries:\n%s", debug.String())
	}
	// Retries: 1 asks for none.
	fc2 := newFakeCloud(t)
	fc2.intercept(-1, pathHas("/os-hypervisors"), status(502, "bad gateway"))
	opts = options(t, fc2.env())
	opts.Retries = -1
	fetchAll(t, opts)
	if n := fc2.count("/os-hypervisors"); n != 1 {
		t.Errorf("%d hypervisor requests with Retries -1, want 1", n)
	}
}

// TestTimeout: an answer slower than the timeout is a gap, and the fetch
// does not wait for it.
func TestTimeout(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(-1, pathHas("/placement/resource_providers"), func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	opts := options(t, fc.env())
	opts.Timeout = 200 * time.Millisecond
	start := time.Now()
	snap := fetchAll(t, opts)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("fetch took %s with a 200ms timeout", took)
	}
	g := gapFor(snap, cloudmodel.PartPlacement)
	if g == nil || !strings.Contains(g.Reason, "no answer within 200ms (--timeout)") {
		t.Fatalf("gap %+v", g)
	}
	if len(snap.Flavors) != 3 {
		t.Errorf("%d flavors", len(snap.Flavors))
	}
}

// TestTimeoutReadingBody: the timeout also bounds reading the answer.
func TestTimeoutReadingBody(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(-1, pathHas("/os-hypervisors"), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"hypervisors": [`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	opts := options(t, fc.env())
	opts.Timeout = 200 * time.Millisecond
	snap := fetchAll(t, opts)
	if g := gapFor(snap, cloudmodel.PartHypervisors); g == nil || !strings.Contains(g.Reason, "no answer within 200ms") {
		t.Fatalf("gap %+v", g)
	}
}

// TestConnectionReset: a dropped connection is retried.
func TestConnectionReset(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(1, pathHas("/flavors/detail"), func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			tcp.SetLinger(0) // a RST, not a FIN
		}
		conn.Close()
	})
	snap := fetchAll(t, options(t, fc.env()))
	if len(snap.Flavors) != 3 || len(snap.Incomplete) != 0 {
		t.Fatalf("%d flavors, gaps %+v", len(snap.Flavors), snap.Incomplete)
	}
	if fc.count("/flavors/detail") != 2 {
		t.Errorf("%d flavor requests, want 2", fc.count("/flavors/detail"))
	}
}

func TestUnreachable(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + listener.Addr().String() + "/v3"
	listener.Close()
	env := map[string]string{"OS_AUTH_URL": closed, "OS_USERNAME": "admin", "OS_PASSWORD": "secret", "OS_PROJECT_NAME": "admin"}
	_, err = Connect(context.Background(), options(t, env))
	wantError(t, err, KindUnreachable, "cannot reach Keystone at "+closed+": dial tcp "+listener.Addr().String(), "connection refused")

	// A compute endpoint in the catalog that does not answer: flavors and
	// hypervisors are gaps naming it; placement is still read.
	fc := newFakeCloud(t)
	fc.catalogURL["compute"] = "http://" + listener.Addr().String() + "/v2.1"
	snap, err := connect(t, options(t, fc.env())).Fetch(context.Background())
	wantError(t, err, KindNothingRead, "nothing could be audited: the flavor list could not be read", "cannot reach the compute endpoint (from the catalog) at http://"+listener.Addr().String()+"/v2.1/: dial tcp")
	for _, part := range []string{cloudmodel.PartFlavors, cloudmodel.PartHypervisors} {
		g := gapFor(snap, part)
		if g == nil || !strings.Contains(g.Reason, "cannot reach the compute endpoint (from the catalog) at http://"+listener.Addr().String()+"/v2.1/") {
			t.Errorf("%s gap %+v", part, g)
		}
	}
	if len(snap.ResourceProviders) != 3 {
		t.Errorf("%d providers", len(snap.ResourceProviders))
	}
}

// TestWrongCatalogURL: a compute URL that is not Nova's.
func TestWrongCatalogURL(t *testing.T) {
	fc := newFakeCloud(t)
	fc.catalogURL["compute"] = fc.URL() + "/nova-typo/v2.1"
	snap, err := connect(t, options(t, fc.env())).Fetch(context.Background())
	if e := wantError(t, err, KindNothingRead, "HTTP 404"); e.Status != 404 {
		t.Errorf("status %d", e.Status)
	}
	g := gapFor(snap, cloudmodel.PartFlavors)
	if g == nil || g.Status != 404 || !strings.Contains(g.Reason, "is the catalog's compute URL "+fc.URL()+"/nova-typo/v2.1/ right?") {
		t.Fatalf("flavors gap %+v", g)
	}
}

func TestMissingCatalogEntry(t *testing.T) {
	fc := newFakeCloud(t)
	fc.dropCatalog = []string{"placement"}
	snap := fetchAll(t, options(t, fc.env()))
	g := gapFor(snap, cloudmodel.PartPlacement)
	if g == nil || !strings.Contains(g.Reason, "no placement endpoint in the catalog for interface public (the catalog has no placement service at all)") {
		t.Fatalf("placement gap %+v", g)
	}
	if snap.ResourceProviders != nil || len(snap.Flavors) != 3 {
		t.Error("placement read without an endpoint, or flavors not read")
	}

	// The wrong region: the message says which regions there are.
	env := fc.env()
	env["OS_REGION_NAME"] = "RegionTwo"
	fc.dropCatalog = nil
	_, err := Connect(context.Background(), options(t, env))
	wantError(t, err, KindCatalog, "no compute endpoint in the catalog for region RegionTwo, interface public (it has RegionOne/admin, RegionOne/internal, RegionOne/public")

	// Nothing to audit without compute.
	fc.dropCatalog = []string{"compute"}
	_, err = Connect(context.Background(), options(t, fc.env()))
	wantError(t, err, KindCatalog, "nothing to audit: no compute endpoint in the catalog for interface public (the catalog has no compute service at all)")
}

// TestRegions: without a region asked for, placement comes from compute's
// region even when another region's placement is listed first.
func TestRegions(t *testing.T) {
	fc := newFakeCloud(t)
	fc.editCatalog = func(catalog []any) []any {
		for _, entry := range catalog {
			e := entry.(map[string]any)
			if e["type"] == "placement" {
				other := map[string]any{"interface": "public", "region": "RegionZero", "url": "http://127.0.0.1:1/placement"}
				e["endpoints"] = append([]any{other}, e["endpoints"].([]any)...)
			}
		}
		return catalog
	}
	env := fc.env()
	delete(env, "OS_REGION_NAME")
	snap := fetchAll(t, options(t, env))
	if snap.Region != "RegionOne" || len(snap.ResourceProviders) != 3 {
		t.Errorf("region %q, %d providers, gaps %+v", snap.Region, len(snap.ResourceProviders), snap.Incomplete)
	}
	// Asked for, RegionZero has placement only.
	env["OS_REGION_NAME"] = "RegionZero"
	_, err := Connect(context.Background(), options(t, env))
	wantError(t, err, KindCatalog, "no compute endpoint in the catalog for region RegionZero, interface public (it has RegionOne/admin")
}

// TestNotKeystone: an auth URL that is not Keystone's.
func TestNotKeystone(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(-1, pathHas("/web/v3/auth/tokens"), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Welcome</body></html>")
	})
	env := fc.env()
	env["OS_AUTH_URL"] = fc.URL() + "/web/v3"
	_, err := Connect(context.Background(), options(t, env))
	wantError(t, err, KindServer, "Keystone at "+fc.URL()+"/web/v3 answered HTTP 200", "is the auth URL right?")

	fc.intercept(-1, pathHas("/nowhere/v3/auth/tokens"), fixture(404, "nova/error-404.json"))
	env["OS_AUTH_URL"] = fc.URL() + "/nowhere/v3"
	_, err = Connect(context.Background(), options(t, env))
	wantError(t, err, KindServer, "answered HTTP 404", "is the auth URL right?")
}

// TestNothingRead: Fetch fails only when no part could be read.
func TestNothingRead(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(-1, func(r *http.Request) bool {
		return r.Method == http.MethodGet && r.URL.Path != "/compute/v2.1/" && r.URL.Path != "/placement/"
	}, status(503, "down for maintenance"))
	opts := options(t, fc.env())
	opts.Retries = 1
	snap, err := connect(t, opts).Fetch(context.Background())
	wantError(t, err, KindNothingRead, "nothing could be audited: the flavor list could not be read (the OS_* environment variables): the flavor list at", "also missing: hypervisors:", "placement:", "down for maintenance")
	if snap == nil || len(snap.Incomplete) != 3 || snap.Requests.Total == 0 {
		t.Errorf("snapshot %+v", snap)
	}
}

// TestReadOnly: the client's HTTP client refuses anything but reads and the
// token request, and a whole fetch sends nothing else.
func TestReadOnly(t *testing.T) {
	fc := newFakeCloud(t)
	var debug bytes.Buffer
	opts := options(t, fc.env())
	opts.Debug = &debug
	client := connect(t, opts)
	if _, err := client.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := len(fc.recorded())
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for _, path := range []string{"/compute/v2.1/flavors", "/placement/resource_providers", "/identity/v3/auth/tokens"} {
			req, _ := http.NewRequest(method, fc.URL()+path, strings.NewReader(`{"flavor": {}}`))
			resp, err := client.httpClient.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Errorf("%s %s was sent", method, path)
				continue
			}
			if !errors.Is(err, ErrReadOnly) {
				t.Errorf("%s %s: %v, want ErrReadOnly", method, path, err)
			}
		}
	}
	if after := len(fc.recorded()); after != before {
		t.Errorf("%d refused requests reached the server", after-before)
	}
	// Through gophercloud too.
	_, err := client.compute.Post(context.Background(), client.compute.ServiceURL("flavors"), map[string]any{"flavor": map[string]any{"name": "x"}}, nil, nil)
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("gophercloud POST: %v, want ErrReadOnly", err)
	}
	posts := 0
	for _, r := range fc.recorded() {
		switch {
		case r.Method == http.MethodGet:
		case r.Method == http.MethodPost && r.Path == "/identity/v3/auth/tokens":
			posts++
		default:
			t.Errorf("%s %s reached the cloud", r.Method, r.Path)
		}
	}
	if posts != 1 {
		t.Errorf("%d token requests, want 1", posts)
	}
	if !strings.Contains(debug.String(), "POST "+fc.URL()+"/compute/v2.1/flavors -> refused: gpupass is read-only") {
		t.Errorf("debug log does not show the refusal:\n%s", debug.String())
	}
}

// TestProgress: the progress line is written and erased.
func TestProgress(t *testing.T) {
	fc := newFakeCloud(t)
	fc.computeMax = "2.50"
	fc.manyFlavors(200)
	out := &syncBuffer{}
	opts := options(t, fc.env())
	opts.Progress = out
	opts.progressDelay = time.Nanosecond
	fetchAll(t, opts)
	got := out.String()
	if !strings.Contains(got, "\rreading the cloud: ") || !strings.Contains(got, " flavors") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("progress output %q", got)
	}

	// A fast fetch writes nothing.
	out = &syncBuffer{}
	opts = options(t, fc.env())
	opts.Progress = out
	fetchAll(t, opts)
	if out.String() != "" {
		t.Errorf("progress output %q for a fetch shorter than the delay", out.String())
	}
}

func TestFree(t *testing.T) {
	rp := cloudmodel.ResourceProvider{
		Inventories: map[string]cloudmodel.Inventory{
			"VCPU":      {Total: 64, Reserved: 4, AllocationRatio: 4},
			"MEMORY_MB": {Total: 1000, Reserved: 0, AllocationRatio: 1.5},
			"PGPU":      {Total: 2, AllocationRatio: 1},
		},
		Usages: map[string]int{"VCPU": 250, "MEMORY_MB": 100},
	}
	for class, want := range map[string]int{"VCPU": -10, "MEMORY_MB": 1400, "PGPU": 2} {
		if got, ok := rp.Free(class); !ok || got != want {
			t.Errorf("Free(%s) = %d, %v; want %d, true", class, got, ok, want)
		}
	}
	if _, ok := rp.Free("CUSTOM_PCI_10DE_2330"); ok {
		t.Error("Free of a class without inventory is known")
	}
}

func TestCancelled(t *testing.T) {
	fc := newFakeCloud(t)
	client := connect(t, options(t, fc.env()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := client.Fetch(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a cancelled context: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
