package cloud

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// Hostile servers: ones that try to take the credentials to another host,
// to keep gpupass reading for ever, or to fill its memory. Every test bounds
// itself (within), so that a broken bound fails it instead of hanging it.

// within runs fn with a context that ends after limit, and fails the test
// when fn needed that context to stop (the bound under test did not hold) or
// has still not returned a few seconds later.
func within(t *testing.T, limit time.Duration, fn func(ctx context.Context)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	select {
	case <-done:
	case <-time.After(limit + 5*time.Second):
		t.Fatalf("still running %s after the test's own limit of %s: a bound is broken", 5*time.Second, limit)
	}
	if ctx.Err() != nil {
		t.Errorf("only the test's own limit of %s stopped it: a bound is broken", limit)
	}
}

// otherHost is a second server, on another port of the loopback address:
// another host as far as the client may know. It records whatever reaches
// it.
type otherHost struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []string // "METHOD path"
	tokens   []string // the X-Auth-Token values received
	bodies   []string // the request bodies received
}

// newOtherHost starts one; handle answers (nil: an empty 200).
func newOtherHost(t *testing.T, handle http.HandlerFunc) *otherHost {
	t.Helper()
	o := &otherHost{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		o.mu.Lock()
		o.requests = append(o.requests, r.Method+" "+r.URL.Path)
		if tok := r.Header.Get("X-Auth-Token"); tok != "" {
			o.tokens = append(o.tokens, tok)
		}
		if len(body) > 0 {
			o.bodies = append(o.bodies, string(body))
		}
		o.mu.Unlock()
		if handle != nil {
			handle(w, r)
		}
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// nothingReached fails the test when any request reached the other host.
func (o *otherHost) nothingReached(t *testing.T) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.requests) > 0 {
		t.Errorf("%d requests reached the other host %s: %q, tokens %q, bodies %q", len(o.requests), o.srv.URL, o.requests, o.tokens, o.bodies)
	}
}

// redirectTo answers with a redirect of the given status to base + the
// request's path and query.
func redirectTo(code int, base string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		target := base + r.URL.Path
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", target)
		w.WriteHeader(code)
	}
}

// withUserinfo puts thief:stolen-pw@ into a URL, which no message may show.
func withUserinfo(u string) string {
	return strings.Replace(u, "://", "://thief:stolen-pw@", 1)
}

// forgedToken answers as Keystone would, with a token of its own whose
// catalog points at the fake cloud.
func forgedToken(fc *fakeCloud) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Subject-Token", "forged-token-from-elsewhere")
		writeJSON(w, 201, strings.ReplaceAll(string(readFixture(nil, "keystone/token.json")), "{{URL}}", fc.URL()))
	}
}

// stolenFlavors answers any compute or placement request with data of its
// own: a flavor list for a flavor list, empty lists otherwise.
func stolenFlavors(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.Contains(r.URL.Path, "/flavors"):
		writeJSON(w, 200, `{"flavors": [{"id": "stolen", "name": "from-another-host", "ram": 1, "vcpus": 1, "disk": 1, "extra_specs": {}}]}`)
	case strings.Contains(r.URL.Path, "/os-hypervisors"):
		writeJSON(w, 200, `{"hypervisors": []}`)
	case strings.Contains(r.URL.Path, "/resource_providers"):
		writeJSON(w, 200, `{"resource_providers": [], "inventories": {}, "usages": {}, "traits": []}`)
	default:
		writeJSON(w, 404, `{"error": {"message": "no"}}`)
	}
}

// TestRedirectToAnotherHost (issue 12, item 3): a compute or placement
// endpoint that redirects to another scheme, host or port is not followed:
// nothing (no token above all) reaches the other host, and the part is lost
// with a message naming the endpoint and where the redirect pointed, its
// credentials redacted. Without the flavor list nothing can be audited
// (Fetch fails: exit 2); without another part, that part is a gap.
func TestRedirectToAnotherHost(t *testing.T) {
	for _, tc := range []struct {
		name  string
		match func(*http.Request) bool
		code  int
		// fatal: Fetch fails; else part is the gap.
		fatal bool
		part  string
	}{
		{"compute version document", func(r *http.Request) bool { return r.URL.Path == "/compute/v2.1/" }, 302, true, cloudmodel.PartFlavors},
		{"flavor list", pathHas("/flavors/detail"), 302, true, cloudmodel.PartFlavors},
		{"flavor list 307", pathHas("/flavors/detail"), 307, true, cloudmodel.PartFlavors},
		{"flavor list 301", pathHas("/flavors/detail"), 301, true, cloudmodel.PartFlavors},
		{"hypervisors", pathHas("/os-hypervisors"), 302, false, cloudmodel.PartHypervisors},
		{"placement providers", func(r *http.Request) bool { return r.URL.Path == "/placement/resource_providers" }, 302, false, cloudmodel.PartPlacement},
		{"a provider's usages", pathHas("/usages"), 303, false, cloudmodel.PartPlacement},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fc := newFakeCloud(t)
			other := newOtherHost(t, stolenFlavors)
			fc.intercept(-1, tc.match, redirectTo(tc.code, withUserinfo(other.srv.URL)))
			var debug syncBuffer
			opts := options(t, fc.env())
			opts.Debug = &debug
			var snap *cloudmodel.Snapshot
			var err error
			within(t, 20*time.Second, func(ctx context.Context) {
				client, cerr := Connect(ctx, opts)
				if cerr != nil {
					err = cerr
					return
				}
				snap, err = client.Fetch(ctx)
			})
			other.nothingReached(t)
			var msg string
			if tc.fatal {
				msg = wantError(t, err, KindNothingRead, "nothing could be audited").Error()
			} else if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			g := gapFor(snap, tc.part)
			if g == nil {
				t.Fatalf("no %s gap: %+v", tc.part, snap.Incomplete)
			}
			for _, s := range []string{msg, g.Reason} {
				if s == "" {
					continue
				}
				for _, want := range []string{fc.URL() + "/", fmt.Sprintf("HTTP %d redirects to %s/", tc.code, other.srv.URL), "another port", "would send the token there"} {
					if !strings.Contains(s, want) {
						t.Errorf("message %q does not say %q", s, want)
					}
				}
				if strings.Contains(s, "stolen-pw") || strings.Contains(s, "thief") {
					t.Errorf("message %q shows the redirect's credentials", s)
				}
			}
			if g.Status != tc.code {
				t.Errorf("gap status %d, want %d", g.Status, tc.code)
			}
			for _, f := range snap.Flavors {
				if f.ID == "stolen" {
					t.Errorf("a flavor of the other host was read: %+v", f)
				}
			}
			if !tc.fatal && len(snap.Flavors) != 3 {
				t.Errorf("%d flavors, want 3: the other parts are still read", len(snap.Flavors))
			}
			if !strings.Contains(debug.String(), "-> redirect refused: HTTP "+fmt.Sprint(tc.code)+" redirects to "+other.srv.URL+"/") || strings.Contains(debug.String(), "stolen-pw") {
				t.Errorf("the debug log does not show the refusal, or shows credentials:\n%s", debug.String())
			}
		})
	}
}

// TestRedirectSameHost: a redirect that keeps the scheme, host and port is
// followed, with the token (the fake cloud answers 401 without it).
func TestRedirectSameHost(t *testing.T) {
	fc := newFakeCloud(t)
	fc.intercept(1, pathHas("/flavors/detail"), redirectTo(302, fc.URL()))
	fc.intercept(1, pathHas("/resource_providers/"), redirectTo(307, fc.URL()))
	var snap *cloudmodel.Snapshot
	var err error
	within(t, 20*time.Second, func(ctx context.Context) {
		client, cerr := Connect(ctx, options(t, fc.env()))
		if cerr != nil {
			err = cerr
			return
		}
		snap, err = client.Fetch(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Flavors) != 3 || len(snap.ResourceProviders) != 3 || len(snap.Incomplete) != 0 {
		t.Fatalf("%d flavors, %d providers, gaps %+v", len(snap.Flavors), len(snap.ResourceProviders), snap.Incomplete)
	}
	if n := fc.count("/flavors/detail"); n != 2 || snap.Requests.Flavors != 2 {
		t.Errorf("%d flavor requests reached the cloud, %d counted; want 2 (the redirect and its target)", n, snap.Requests.Flavors)
	}
}

// TestKeystoneRedirect (issue 12, item 3): the token request is never
// redirected. A 307 or 308 would send the password (or the application
// credential secret) again, to wherever the Location says; a 302 would make
// gpupass take a token another server made up. Same host or not, the
// redirect is refused: nothing reaches the other host, Keystone got the
// credentials once, and Connect fails (exit 2) naming Keystone's URL and the
// redirect's.
func TestKeystoneRedirect(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      int
		sameHost  bool
		appCred   bool
		wantWords []string
	}{
		{"307 to another host", 307, false, false, nil},
		{"308 to another host, application credential", 308, false, true, nil},
		{"302 to another host", 302, false, false, nil},
		{"303 to another host", 303, false, false, nil},
		{"307 on the same host", 307, true, false, nil},
		{"302 on the same host", 302, true, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fc := newFakeCloud(t)
			fc.users["admin"] = canaryPassword
			other := newOtherHost(t, forgedToken(fc))
			env := fc.env()
			env["OS_PASSWORD"] = canaryPassword
			if tc.appCred {
				fc.appCreds["ac-1"] = canaryAppSecret
				env = map[string]string{"OS_AUTH_URL": fc.authURL(), "OS_AUTH_TYPE": "v3applicationcredential",
					"OS_APPLICATION_CREDENTIAL_ID": "ac-1", "OS_APPLICATION_CREDENTIAL_SECRET": canaryAppSecret}
			}
			target := other.srv.URL
			if tc.sameHost {
				target = fc.URL()
				// The Location's own target answers as Keystone would,
				// once: the redirect is what must not be followed.
				fc.intercept(1, func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/moved/") }, forgedToken(fc))
			}
			fc.intercept(1, pathHas("/auth/tokens"), func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				redirectTo(tc.code, withUserinfo(target)+"/moved")(w, r)
			})
			var debug syncBuffer
			opts := options(t, env)
			opts.Debug = &debug
			var err error
			within(t, 20*time.Second, func(ctx context.Context) { _, err = Connect(ctx, opts) })
			other.nothingReached(t)
			e := wantError(t, err, KindRedirect, "Keystone at "+fc.authURL(), fmt.Sprintf("HTTP %d redirects the token request to %s/moved/", tc.code, target),
				"never follows a redirect of the token request")
			for _, secret := range []string{canaryPassword, canaryAppSecret, "stolen-pw", "forged-token"} {
				if strings.Contains(e.Error(), secret) || strings.Contains(debug.String(), secret) {
					t.Errorf("%q in the error or the debug log:\n%s\n%s", secret, e, debug.String())
				}
			}
			if n := fc.count("/auth/tokens"); n != 1 {
				t.Errorf("%d token requests reached Keystone, want 1", n)
			}
			if n := fc.count("/moved/"); n != 0 {
				t.Errorf("%d requests followed the redirect on the same host", n)
			}
		})
	}
}

// TestKeystoneVersionsElsewhere (issue 12, item 3, the same hole by another
// door): with an unversioned auth URL, Keystone's version document names the
// v3 API's URL, and gophercloud posts the credentials there. One on another
// scheme, host or port is refused.
func TestKeystoneVersionsElsewhere(t *testing.T) {
	fc := newFakeCloud(t)
	other := newOtherHost(t, forgedToken(fc))
	fc.intercept(-1, func(r *http.Request) bool { return r.URL.Path == "/identity/" }, func(w http.ResponseWriter, r *http.Request) {
		body := strings.ReplaceAll(string(readFixture(nil, "keystone/versions.json")), "{{URL}}/identity", withUserinfo(other.srv.URL))
		writeJSON(w, 300, body)
	})
	env := fc.env()
	env["OS_AUTH_URL"] = fc.URL() + "/identity"
	var err error
	within(t, 20*time.Second, func(ctx context.Context) { _, err = Connect(ctx, options(t, env)) })
	other.nothingReached(t)
	e := wantError(t, err, KindRedirect, "Keystone at "+fc.URL()+"/identity", other.srv.URL+"/v3/", "another port", "only to the auth URL's scheme, host and port")
	if strings.Contains(e.Error(), "stolen-pw") {
		t.Errorf("error %q shows the URL's credentials", e)
	}

	// On the auth URL's own scheme, host and port, the document is followed
	// (TestUnversionedAuthURL), whatever the path.
	fc2 := newFakeCloud(t)
	fc2.intercept(-1, func(r *http.Request) bool { return r.URL.Path == "/identity/" }, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 300, strings.ReplaceAll(string(readFixture(nil, "keystone/versions.json")), "{{URL}}", fc2.URL()))
	})
	env = fc2.env()
	env["OS_AUTH_URL"] = fc2.URL() + "/identity"
	within(t, 20*time.Second, func(ctx context.Context) { _, err = Connect(ctx, options(t, env)) })
	if err != nil {
		t.Errorf("Connect with a version document on the same host: %v", err)
	}
}

// endlessPages answers a paged list with pages of size items whose next
// link always names a new marker, as a broken or hostile server might; it
// counts the pages it served.
func endlessPages(key string, size func(page int64) int, served *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := served.Add(1)
		var body strings.Builder
		fmt.Fprintf(&body, `{%q: [`, key)
		for i := range size(n) {
			if i > 0 {
				body.WriteString(",")
			}
			id := fmt.Sprintf("%s-%07d-%05d", key, n, i)
			if key == "flavors" {
				fmt.Fprintf(&body, `{"id": %q, "name": %q, "ram": 1024, "vcpus": 1, "disk": 1, "os-flavor-access:is_public": true, "extra_specs": {}}`, id, id)
			} else {
				fmt.Fprintf(&body, `{"id": %q, "hypervisor_hostname": %q, "state": "up", "status": "enabled"}`, id, id)
			}
		}
		fmt.Fprintf(&body, `], "%s_links": [{"rel": "next", "href": "http://nova.internal:8774/v2.1/x?limit=1000&marker=%s-%07d"}]}`, key, key, n)
		writeJSON(w, 200, body.String())
	}
}

// TestEndlessPages (issue 12, item 4): a list whose next-page links name a
// new marker on every page ends: after maxListed items' worth of pages of the
// first page's size, and never after more than maxPages pages. What was read
// is kept, and the gap says why the rest is not.
func TestEndlessPages(t *testing.T) {
	every := func(n int) func(int64) int { return func(int64) int { return n } }
	for _, tc := range []struct {
		name, key, part string
		size            func(page int64) int
		// the pages asked for, and the items read in them
		wantPages, wantItems int
	}{
		{"flavors, one a page", "flavors", cloudmodel.PartFlavors, every(1), maxPages, maxPages},
		{"flavors, 1000 a page", "flavors", cloudmodel.PartFlavors, every(1000), maxListed / 1000, maxListed},
		{"flavors, 30000 a page", "flavors", cloudmodel.PartFlavors, every(30000), 4, 120000},
		// The item bound holds when later pages are larger than the first.
		{"flavors, one then 30000 a page", "flavors", cloudmodel.PartFlavors,
			func(n int64) int { return map[bool]int{true: 1, false: 30000}[n == 1] }, 5, 120001},
		{"hypervisors, 7 a page", "hypervisors", cloudmodel.PartHypervisors, every(7), maxPages, 7 * maxPages},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fc := newFakeCloud(t)
			var served atomic.Int64
			path := "/flavors/detail"
			if tc.key == "hypervisors" {
				path = "/os-hypervisors/detail"
			}
			fc.intercept(-1, pathHas(path), endlessPages(tc.key, tc.size, &served))
			var snap *cloudmodel.Snapshot
			var err error
			within(t, 30*time.Second, func(ctx context.Context) {
				client, cerr := Connect(ctx, options(t, fc.env()))
				if cerr != nil {
					err = cerr
					return
				}
				snap, err = client.Fetch(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := served.Load(); n != int64(tc.wantPages) {
				t.Errorf("%d pages asked for, want %d", n, tc.wantPages)
			}
			g := gapFor(snap, tc.part)
			want := fmt.Sprintf("only the first %d %s were read", tc.wantItems, tc.key)
			if g == nil || !strings.Contains(g.Reason, want) || !strings.Contains(g.Reason, fmt.Sprintf("did not end after %d pages", tc.wantPages)) ||
				!strings.Contains(g.Reason, "next-page links keep naming new markers") {
				t.Fatalf("gap %+v, want one saying %q", g, want)
			}
			got := len(snap.Flavors)
			if tc.key == "hypervisors" {
				got = len(snap.Hypervisors)
			}
			if got != tc.wantItems {
				t.Errorf("%d %s kept, want the %d read", got, tc.key, tc.wantItems)
			}
		})
	}
}

// TestPagesLoop: a next-page link back to a marker already followed, or
// without a marker, ends the list with a gap.
func TestPagesLoop(t *testing.T) {
	for _, tc := range []struct {
		name  string
		links []string // the next link of page 1, 2, 3...
	}{
		{"same marker", []string{"?marker=a", "?marker=a"}},
		{"back to an earlier marker", []string{"?marker=a", "?marker=b", "?marker=a"}},
		{"no marker", []string{"?limit=1000"}},
		{"a link of 5000 bytes", []string{"?marker=" + strings.Repeat("m", 5000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fc := newFakeCloud(t)
			var served atomic.Int64
			fc.intercept(-1, pathHas("/os-hypervisors/detail"), func(w http.ResponseWriter, r *http.Request) {
				n := int(served.Add(1))
				link := tc.links[min(n, len(tc.links))-1]
				writeJSON(w, 200, fmt.Sprintf(`{"hypervisors": [{"id": "h%d", "hypervisor_hostname": "h%d"}], "hypervisors_links": [{"rel": "next", "href": "http://nova/v2.1/os-hypervisors/detail%s"}]}`, n, n, link))
			})
			var snap *cloudmodel.Snapshot
			within(t, 20*time.Second, func(ctx context.Context) {
				client, err := Connect(ctx, options(t, fc.env()))
				if err == nil {
					snap, err = client.Fetch(ctx)
				}
				if err != nil {
					t.Error(err)
				}
			})
			if snap == nil {
				return
			}
			if n := served.Load(); n != int64(len(tc.links)) {
				t.Errorf("%d pages served, want %d", n, len(tc.links))
			}
			g := gapFor(snap, cloudmodel.PartHypervisors)
			if g == nil || !(strings.Contains(g.Reason, "does not move on") || strings.Contains(g.Reason, "bytes long, more than a marker needs")) {
				t.Fatalf("gap %+v", g)
			}
			if len(g.Reason) > 1000 {
				t.Errorf("a gap reason of %d bytes: %q", len(g.Reason), g.Reason)
			}
		})
	}
}

// hang answers nothing until the request is abandoned (or 30 s). It reads
// the request's body first: the server notices a closed connection only
// then.
func hang(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(30 * time.Second):
	}
}

// TestDeadline (issue 12, item 4): --timeout bounds one request, --deadline
// the whole conversation with the cloud. A Keystone or a flavor list that
// outlasts it is an error (exit 2); another part is a gap; both say which
// limit ran out.
func TestDeadline(t *testing.T) {
	const deadline = 400 * time.Millisecond
	want := "the audit's time limit of 400ms (--deadline) ran out"
	opts := func(fc *fakeCloud) Options {
		o := options(t, fc.env())
		o.Timeout = 20 * time.Second
		o.Deadline = deadline
		return o
	}

	t.Run("keystone", func(t *testing.T) {
		fc := newFakeCloud(t)
		fc.intercept(-1, pathHas("/auth/tokens"), hang)
		var err error
		start := time.Now()
		within(t, 10*time.Second, func(ctx context.Context) { _, err = Connect(ctx, opts(fc)) })
		wantError(t, err, KindTimeout, "Keystone at "+fc.authURL(), want)
		if took := time.Since(start); took > deadline+2*time.Second {
			t.Errorf("Connect took %s with a deadline of %s", took, deadline)
		}
	})

	t.Run("flavors", func(t *testing.T) {
		fc := newFakeCloud(t)
		fc.intercept(-1, pathHas("/flavors/detail"), hang)
		var snap *cloudmodel.Snapshot
		var err error
		within(t, 10*time.Second, func(ctx context.Context) {
			client, cerr := Connect(ctx, opts(fc))
			if cerr != nil {
				err = cerr
				return
			}
			snap, err = client.Fetch(ctx)
		})
		wantError(t, err, KindNothingRead, "nothing could be audited", "the flavor list at "+fc.URL(), want)
		if g := gapFor(snap, cloudmodel.PartFlavors); g == nil || !strings.Contains(g.Reason, want) {
			t.Errorf("flavors gap %+v", g)
		}
	})

	t.Run("placement and slow endless hypervisor pages", func(t *testing.T) {
		fc := newFakeCloud(t)
		fc.intercept(-1, pathHas("/resource_providers/"), hang)
		var served atomic.Int64
		pages := endlessPages("hypervisors", func(int64) int { return 1 }, &served)
		fc.intercept(-1, pathHas("/os-hypervisors/detail"), func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(20 * time.Millisecond)
			pages(w, r)
		})
		var snap *cloudmodel.Snapshot
		var err error
		within(t, 10*time.Second, func(ctx context.Context) {
			client, cerr := Connect(ctx, opts(fc))
			if cerr != nil {
				err = cerr
				return
			}
			snap, err = client.Fetch(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Flavors) != 3 {
			t.Errorf("%d flavors", len(snap.Flavors))
		}
		for _, part := range []string{cloudmodel.PartPlacement, cloudmodel.PartHypervisors} {
			if g := gapFor(snap, part); g == nil || !strings.Contains(g.Reason, want) {
				t.Errorf("%s gap %+v, want one saying %q", part, g, want)
			}
		}
		if g := gapFor(snap, cloudmodel.PartHypervisors); g != nil && !strings.Contains(g.Reason, "only the first") {
			t.Errorf("hypervisors gap %q does not say how many were read", g.Reason)
		}
	})
}

// endlessBody answers 200 (or code) with headers, then a JSON string that
// does not end, up to limit bytes; written counts what left.
func endlessBody(code int, header http.Header, prefix string, limit int64, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		n, err := io.WriteString(w, prefix)
		written.Add(int64(n))
		if err != nil {
			return
		}
		chunk := []byte(strings.Repeat("a", 1<<20))
		for written.Load() < limit {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

// TestKeystoneBodyCap (issue 12, item 4): the token answer is read up to 64
// MiB, as every other answer; a larger one fails Connect (exit 2) without
// reading the rest.
func TestKeystoneBodyCap(t *testing.T) {
	fc := newFakeCloud(t)
	var written atomic.Int64
	fc.intercept(-1, pathHas("/auth/tokens"), endlessBody(201, http.Header{"X-Subject-Token": {fakeToken}}, `{"token": {"methods": ["password"], "x": "`, 256<<20, &written))
	opts := options(t, fc.env())
	opts.Timeout = 30 * time.Second // reading 64 MiB under the race detector takes seconds
	var err error
	within(t, 40*time.Second, func(ctx context.Context) { _, err = Connect(ctx, opts) })
	wantError(t, err, KindServer, "Keystone at "+fc.authURL(), "the answer is larger than 64 MiB")
	// What the client did not read stays in the socket buffers (up to
	// tcp_rmem's 32 MiB and tcp_wmem's 4 MiB here).
	if n := written.Load(); n > maxBody+48<<20 {
		t.Errorf("the server wrote %d MiB before the client gave up, want about 64", n>>20)
	}
}

// TestComputeBodyCap (held: 200 MB compute bodies refused): a hypervisor
// list larger than 64 MiB is a gap, and the rest is not read.
func TestComputeBodyCap(t *testing.T) {
	fc := newFakeCloud(t)
	var written atomic.Int64
	fc.intercept(-1, pathHas("/os-hypervisors"), endlessBody(200, nil, `{"hypervisors": [{"id": "`, 200<<20, &written))
	opts := options(t, fc.env())
	opts.Timeout = 30 * time.Second // reading 64 MiB under the race detector takes seconds
	var snap *cloudmodel.Snapshot
	within(t, 40*time.Second, func(ctx context.Context) {
		client, err := Connect(ctx, opts)
		if err == nil {
			snap, err = client.Fetch(ctx)
		}
		if err != nil {
			t.Error(err)
		}
	})
	if snap == nil {
		return
	}
	if g := gapFor(snap, cloudmodel.PartHypervisors); g == nil || !strings.Contains(g.Reason, "the answer is larger than 64 MiB") {
		t.Errorf("gap %+v", g)
	}
	if n := written.Load(); n > maxBody+48<<20 {
		t.Errorf("the server wrote %d MiB before the client gave up, want about 64", n>>20)
	}
}

// TestErrorBodyCap: the body of an error answer, which gophercloud reads
// whole to quote the server's message, is capped too.
func TestErrorBodyCap(t *testing.T) {
	fc := newFakeCloud(t)
	var written atomic.Int64
	fc.intercept(-1, pathHas("/os-hypervisors"), endlessBody(403, nil, `{"forbidden": {"message": "`, 256<<20, &written))
	opts := options(t, fc.env())
	opts.Timeout = 30 * time.Second // reading 64 MiB under the race detector takes seconds
	var snap *cloudmodel.Snapshot
	within(t, 40*time.Second, func(ctx context.Context) {
		client, err := Connect(ctx, opts)
		if err == nil {
			snap, err = client.Fetch(ctx)
		}
		if err != nil {
			t.Error(err)
		}
	})
	if snap == nil {
		return
	}
	if g := gapFor(snap, cloudmodel.PartHypervisors); g == nil || g.Status != 403 || len(g.Reason) > 1000 {
		t.Errorf("gap %+v", g)
	}
	if n := written.Load(); n > maxBody+48<<20 {
		t.Errorf("the server wrote %d MiB before the client gave up, want about 64", n>>20)
	}
}

// TestRedactURL: credentials in a URL go, parseable or not.
func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://u:pw@host:5000/v3":           "http://host:5000/v3",
		"http://u:p w@host/v3?x=1":           "http://host/v3?x=1",
		"https://u:p%zz@host/":               "https://host/",
		"http://host/v3":                     "http://host/v3",
		"http://a@b@host:1/p@q":              "http://host:1/p@q",
		"http://[::1]:5000/v3?marker=u:pw@x": "http://[::1]:5000/v3?marker=u:pw@x",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
