package cloud

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeCloud is Keystone, the Nova API and Placement in one httptest server,
// answering with the bodies recorded from a real Zed cloud under testdata/
// (in the manner of gophercloud's testhelper fixtures), with Nova's paging,
// microversion and is_public semantics for flavors, and knobs to inject
// failures. Its catalog points at itself:
//
//	/identity/v3   Keystone      /compute/v2.1  Nova      /placement  Placement
type fakeCloud struct {
	t   *testing.T
	srv *httptest.Server

	// The cloud.
	users          map[string]string // user name -> password (domain Default/Corp)
	appCreds       map[string]string // application credential ID -> secret
	token          string            // the X-Subject-Token issued
	admin          bool              // the token has the admin role
	computeMax     string            // max compute microversion; "" = announces none
	placementMax   string            // max placement microversion
	flavors        []fakeFlavor      // sorted by ID, as Nova sorts them
	project        string            // the token's project ID, for flavor access
	dropCatalog    []string          // service types left out of the catalog
	catalogURL     map[string]string // service type -> URL overriding the fake's own
	editCatalog    func([]any) []any // last changes to the token's catalog
	hideSpecsAbove bool              // policy hides extra_specs inline (2.61+)

	mu          sync.Mutex
	requests    []fakeRequest
	auths       []map[string]any // the auth request bodies received
	intercepts  []*intercept
	inflight    int
	maxInflight int // of per-flavor extra-spec requests
}

type fakeFlavor struct {
	ID, Name   string
	Public     bool
	Disabled   bool
	Projects   []string // projects with access to a private flavor
	ExtraSpecs map[string]string
	VCPUs, RAM int
}

type fakeRequest struct {
	Method, Path, Query, Microversion string
	Token                             bool // an X-Auth-Token was sent
}

// intercept answers matching requests in place of the fake cloud, times
// times (-1: always).
type intercept struct {
	match  func(r *http.Request) bool
	times  int
	handle http.HandlerFunc
}

const fakeToken = "gAAAAA-token-canary-5e1d9c7a"

// newFakeCloud starts a small cloud: admin/secret, the three flavors recorded
// from the lab (a private one among them), the sample hypervisors, and three
// resource providers (a compute node and two H100s as child providers).
func newFakeCloud(t *testing.T) *fakeCloud {
	t.Helper()
	fc := unstartedFakeCloud(t)
	fc.srv = httptest.NewServer(http.HandlerFunc(fc.serve))
	t.Cleanup(fc.srv.Close)
	return fc
}

// newFakeCloudTLS is the fake cloud over HTTPS, with httptest's own
// certificate (for 127.0.0.1 and example.com).
func newFakeCloudTLS(t *testing.T) *fakeCloud {
	t.Helper()
	fc := unstartedFakeCloud(t)
	fc.srv = httptest.NewUnstartedServer(http.HandlerFunc(fc.serve))
	fc.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused on purpose
	fc.srv.StartTLS()
	t.Cleanup(fc.srv.Close)
	return fc
}

func unstartedFakeCloud(t *testing.T) *fakeCloud {
	fc := &fakeCloud{
		t:            t,
		users:        map[string]string{"admin": "secret"},
		appCreds:     map[string]string{},
		token:        fakeToken,
		admin:        true,
		computeMax:   "2.93",
		placementMax: "1.39",
		project:      "bed654548a7341a1b1bd097fa486d6d3",
		catalogURL:   map[string]string{},
		flavors: []fakeFlavor{
			{ID: "25da1cf8-fa47-454e-baac-4ead91d70207", Name: "gpu.l40s.private", Public: false, VCPUs: 8, RAM: 65536,
				ExtraSpecs: map[string]string{"pci_passthrough:alias": "l40s"}},
			{ID: "4ac14e6a-5e7d-428a-ba71-3658f57a782c", Name: "m1.medium", Public: true, VCPUs: 2, RAM: 4096,
				ExtraSpecs: map[string]string{}},
			{ID: "dc238e60-44c3-4d2e-af36-5ded630b6f1d", Name: "gpu.h100", Public: true, VCPUs: 16, RAM: 131072,
				ExtraSpecs: map[string]string{"hw:pci_numa_affinity_policy": "preferred", "pci_passthrough:alias": "h100:1"}},
		},
	}
	return fc
}

// manyFlavors replaces the flavors with n generated ones, every third one
// private, each with extra specs.
func (fc *fakeCloud) manyFlavors(n int) {
	fc.flavors = make([]fakeFlavor, n)
	for i := range fc.flavors {
		fc.flavors[i] = fakeFlavor{
			ID: fmt.Sprintf("f%05d", i), Name: fmt.Sprintf("gpu.%d", i), Public: i%3 != 0, VCPUs: 1 + i%32, RAM: 1024 * (1 + i%64),
			ExtraSpecs: map[string]string{"pci_passthrough:alias": fmt.Sprintf("h100:%d", 1+i%8), "hw:cpu_policy": "dedicated"},
		}
	}
}

// intercept makes the next times requests matching match answer with
// handle (times -1: all of them).
func (fc *fakeCloud) intercept(times int, match func(*http.Request) bool, handle http.HandlerFunc) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.intercepts = append(fc.intercepts, &intercept{match: match, times: times, handle: handle})
}

// pathHas matches requests whose path contains s.
func pathHas(s string) func(*http.Request) bool {
	return func(r *http.Request) bool { return strings.Contains(r.URL.Path, s) }
}

// status answers with a status and an OpenStack error body.
func status(code int, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error": {"code": %d, "message": %q}}`, code, message)
	}
}

// fixture answers with a recorded body.
func fixture(code int, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(readFixture(nil, name))
	}
}

func readFixture(t *testing.T, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		if t != nil {
			t.Fatal(err)
		}
		panic(err)
	}
	return data
}

// URL is the fake's base URL.
func (fc *fakeCloud) URL() string { return fc.srv.URL }

// authURL is Keystone's v3 URL.
func (fc *fakeCloud) authURL() string { return fc.srv.URL + "/identity/v3" }

// env is a plain OS_* environment for admin.
func (fc *fakeCloud) env() map[string]string {
	return map[string]string{
		"OS_AUTH_URL":            fc.authURL(),
		"OS_USERNAME":            "admin",
		"OS_PASSWORD":            "secret",
		"OS_PROJECT_NAME":        "admin",
		"OS_USER_DOMAIN_NAME":    "Default",
		"OS_PROJECT_DOMAIN_NAME": "Default",
	}
}

// count counts the requests whose path contains s.
func (fc *fakeCloud) count(s string) int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	n := 0
	for _, r := range fc.requests {
		if strings.Contains(r.Path, s) {
			n++
		}
	}
	return n
}

func (fc *fakeCloud) recorded() []fakeRequest {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return slices.Clone(fc.requests)
}

func (fc *fakeCloud) lastAuth() map[string]any {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(fc.auths) == 0 {
		fc.t.Fatal("no authentication request reached the fake cloud")
	}
	return fc.auths[len(fc.auths)-1]
}

func (fc *fakeCloud) serve(w http.ResponseWriter, r *http.Request) {
	mv := microversionOf(r)
	fc.mu.Lock()
	fc.requests = append(fc.requests, fakeRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Microversion: mv, Token: r.Header.Get("X-Auth-Token") != ""})
	var handler http.HandlerFunc
	for _, ic := range fc.intercepts {
		if ic.times != 0 && ic.match(r) {
			if ic.times > 0 {
				ic.times--
			}
			handler = ic.handle
			break
		}
	}
	fc.mu.Unlock()
	if handler != nil {
		handler(w, r)
		return
	}
	path := r.URL.Path
	if r.Method == http.MethodPost && path == "/identity/v3/auth/tokens" {
		fc.authenticate(w, r)
		return
	}
	if r.Method != http.MethodGet {
		status(405, "the fake cloud only reads")(w, r)
		return
	}
	if path != "/identity/" && path != "/compute/" && path != "/compute/v2.1/" && path != "/placement/" && path != "/placement" &&
		r.Header.Get("X-Auth-Token") != fc.token {
		fixture(401, "keystone/error-401.json")(w, r)
		return
	}
	switch {
	case path == "/identity/":
		fc.template(w, 300, "keystone/versions.json")
	case path == "/compute/":
		fc.template(w, 200, "nova/versions.json")
	case path == "/compute/v2.1/":
		fc.computeVersion(w)
	case path == "/compute/v2.1/flavors/detail":
		fc.listFlavors(w, r, mv)
	case strings.HasPrefix(path, "/compute/v2.1/flavors/") && strings.HasSuffix(path, "/os-extra_specs"):
		fc.extraSpecs(w, strings.TrimSuffix(strings.TrimPrefix(path, "/compute/v2.1/flavors/"), "/os-extra_specs"))
	case path == "/compute/v2.1/os-hypervisors/detail":
		fc.hypervisors(w, r, mv)
	case path == "/placement/" || path == "/placement":
		body := strings.Replace(string(readFixture(fc.t, "placement/versions.json")), `"1.39"`, strconv.Quote(fc.placementMax), 1)
		writeJSON(w, 200, body)
	case path == "/placement/resource_providers":
		fixture(200, "placement/resource_providers.json")(w, r)
	case strings.HasPrefix(path, "/placement/resource_providers/"):
		uuid, what, _ := strings.Cut(strings.TrimPrefix(path, "/placement/resource_providers/"), "/")
		if mv == "" && what == "traits" {
			status(404, "traits need placement 1.6")(w, r)
			return
		}
		fixture(200, fmt.Sprintf("placement/%s-%s.json", what, uuid))(w, r)
	default:
		fixture(404, "nova/error-404.json")(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprint(w, body)
}

// template answers with a fixture whose {{URL}} is the fake's URL.
func (fc *fakeCloud) template(w http.ResponseWriter, code int, name string) {
	writeJSON(w, code, strings.ReplaceAll(string(readFixture(fc.t, name)), "{{URL}}", fc.srv.URL))
}

func (fc *fakeCloud) computeVersion(w http.ResponseWriter) {
	var doc map[string]map[string]any
	json.Unmarshal([]byte(strings.ReplaceAll(string(readFixture(fc.t, "nova/version-v2.1.json")), "{{URL}}", fc.srv.URL)), &doc)
	doc["version"]["version"] = fc.computeMax
	if fc.computeMax == "" {
		doc["version"]["min_version"] = ""
	}
	body, _ := json.Marshal(doc)
	writeJSON(w, 200, string(body))
}

// microversionOf reads the compute or placement microversion asked for.
func microversionOf(r *http.Request) string {
	if v := r.Header.Get("OpenStack-API-Version"); v != "" {
		_, mv, _ := strings.Cut(v, " ")
		return mv
	}
	return r.Header.Get("X-OpenStack-Nova-API-Version")
}

// authenticate is Keystone's POST /v3/auth/tokens for password and
// application-credential auth.
func (fc *fakeCloud) authenticate(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		status(400, "bad json")(w, r)
		return
	}
	fc.mu.Lock()
	fc.auths = append(fc.auths, body)
	fc.mu.Unlock()
	identity := dig(body, "auth", "identity")
	ok := false
	switch {
	case dig(identity, "password") != nil:
		user := dig(identity, "password", "user")
		name, _ := dig(user, "name").(string)
		if dig(user, "id") == "44872667cc814844a29758441f31c744" {
			name = "admin"
		}
		password, _ := dig(user, "password").(string)
		want, known := fc.users[name]
		ok = known && password == want && (dig(user, "domain") != nil || dig(user, "id") != nil)
	case dig(identity, "application_credential") != nil:
		ac := dig(identity, "application_credential")
		id, _ := dig(ac, "id").(string)
		if id == "" {
			name, _ := dig(ac, "name").(string)
			id = "name:" + name
		}
		secret, _ := dig(ac, "secret").(string)
		want, known := fc.appCreds[id]
		ok = known && secret == want
	}
	if !ok {
		fixture(401, "keystone/error-401.json")(w, r)
		return
	}
	var token map[string]any
	json.Unmarshal([]byte(strings.ReplaceAll(string(readFixture(fc.t, "keystone/token.json")), "{{URL}}", fc.srv.URL)), &token)
	tok := token["token"].(map[string]any)
	if dig(body, "auth", "scope") == nil && dig(identity, "application_credential") == nil {
		// An unscoped token: no project, no roles, no catalog.
		delete(tok, "project")
		delete(tok, "roles")
		tok["catalog"] = []any{}
	}
	if !fc.admin {
		tok["roles"] = []any{map[string]any{"id": "fe0ee95cf83b4ac69c11795826cb5a18", "name": "member"}, map[string]any{"id": "44877c3", "name": "reader"}}
	}
	var catalog []any
	for _, entry := range tok["catalog"].([]any) {
		e := entry.(map[string]any)
		if slices.Contains(fc.dropCatalog, e["type"].(string)) {
			continue
		}
		if u, ok := fc.catalogURL[e["type"].(string)]; ok {
			for _, ep := range e["endpoints"].([]any) {
				ep.(map[string]any)["url"] = u
			}
		}
		catalog = append(catalog, e)
	}
	if fc.editCatalog != nil && catalog != nil {
		catalog = fc.editCatalog(catalog)
	}
	tok["catalog"] = catalog
	out, _ := json.Marshal(token)
	w.Header().Set("X-Subject-Token", fc.token)
	writeJSON(w, 201, string(out))
}

// dig walks nested JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// atLeastFake compares microversions for the fake ("" is 2.1).
func atLeastFake(mv, want string) bool {
	if mv == "" {
		mv = "2.1"
	}
	return atLeast(mv, want)
}

// listFlavors is Nova's GET /flavors/detail: sorted by ID, is_public
// filtering for admins and non-admins, limit capped at 1,000 (Nova's
// osapi_max_limit), marker paging, a next link when a page is full — with a
// host name of Nova's own, not the catalog's, as behind a proxy.
func (fc *fakeCloud) listFlavors(w http.ResponseWriter, r *http.Request, mv string) {
	if mv != "" && fc.computeMax != "" && atLeast(mv, fc.computeMax) && mv != fc.computeMax {
		status(406, "Version "+mv+" is not supported by the API.")(w, r)
		return
	}
	q := r.URL.Query()
	var visible []fakeFlavor
	for _, f := range fc.flavors {
		switch {
		case !fc.admin:
			if f.Disabled || (!f.Public && !slices.Contains(f.Projects, fc.project)) {
				continue
			}
		case strings.EqualFold(q.Get("is_public"), "none"):
		case q.Get("is_public") == "false":
			if f.Public {
				continue
			}
		default:
			if !f.Public && !slices.Contains(f.Projects, fc.project) {
				continue
			}
		}
		visible = append(visible, f)
	}
	limit := 1000
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < limit {
		limit = l
	}
	start := 0
	if marker := q.Get("marker"); marker != "" {
		start = slices.IndexFunc(visible, func(f fakeFlavor) bool { return f.ID == marker }) + 1
		if start == 0 {
			status(400, "marker ["+marker+"] not found")(w, r)
			return
		}
	}
	page := visible[start:min(start+limit, len(visible))]
	var out []map[string]any
	for _, f := range page {
		m := map[string]any{
			"id": f.ID, "name": f.Name, "ram": f.RAM, "disk": 20, "swap": "", "OS-FLV-EXT-DATA:ephemeral": 0,
			"OS-FLV-DISABLED:disabled": f.Disabled, "vcpus": f.VCPUs, "os-flavor-access:is_public": f.Public, "rxtx_factor": 1.0,
			"links": []map[string]string{{"rel": "self", "href": "http://nova.internal:8774/v2.1/flavors/" + f.ID}},
		}
		if atLeastFake(mv, "2.55") {
			m["description"] = nil
		}
		if atLeastFake(mv, "2.61") && !fc.hideSpecsAbove {
			m["extra_specs"] = f.ExtraSpecs
		}
		out = append(out, m)
	}
	doc := map[string]any{"flavors": out}
	if out == nil {
		doc["flavors"] = []any{}
	}
	if len(page) == limit {
		q.Set("marker", page[len(page)-1].ID)
		doc["flavors_links"] = []map[string]string{{"rel": "next", "href": "http://nova.internal:8774/v2.1/flavors/detail?" + q.Encode()}}
	}
	body, _ := json.Marshal(doc)
	writeJSON(w, 200, string(body))
}

// extraSpecs is GET /flavors/{id}/os-extra_specs; it takes a few
// milliseconds, so that concurrent requests overlap and can be counted.
func (fc *fakeCloud) extraSpecs(w http.ResponseWriter, id string) {
	fc.mu.Lock()
	fc.inflight++
	fc.maxInflight = max(fc.maxInflight, fc.inflight)
	fc.mu.Unlock()
	defer func() {
		fc.mu.Lock()
		fc.inflight--
		fc.mu.Unlock()
	}()
	time.Sleep(3 * time.Millisecond)
	for _, f := range fc.flavors {
		if f.ID == id {
			body, _ := json.Marshal(map[string]any{"extra_specs": f.ExtraSpecs})
			writeJSON(w, 200, string(body))
			return
		}
	}
	writeJSON(w, 404, `{"itemNotFound": {"code": 404, "message": "Flavor could not be found."}}`)
}

// hypervisors is GET /os-hypervisors/detail with Nova's own samples: the
// 2.1 body (integer IDs, no paging), the 2.53 one (UUIDs, a next link with
// limit=1) or the 2.88 one (no vCPU or memory fields); the second page is
// empty.
func (fc *fakeCloud) hypervisors(w http.ResponseWriter, r *http.Request, mv string) {
	if r.URL.Query().Get("marker") != "" {
		writeJSON(w, 200, `{"hypervisors": []}`)
		return
	}
	switch {
	case atLeastFake(mv, "2.88"):
		fixture(200, "nova/hypervisors-2.88.json")(w, r)
	case atLeastFake(mv, "2.53"):
		fixture(200, "nova/hypervisors-2.53.json")(w, r)
	default:
		fixture(200, "nova/hypervisors-2.1.json")(w, r)
	}
}

// mapEnv turns a map into a Getenv.
func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}
