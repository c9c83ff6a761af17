package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/utils"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// The microversions asked for, or the server's maximum when it is lower.
const (
	// flavorMicroversion: 2.61 puts the extra specs in the flavor list.
	flavorMicroversion = "2.61"
	// hypervisorMicroversion: the last one whose hypervisors still carry
	// vcpus, memory_mb and running_vms (2.88 dropped them); 2.33 and later
	// page the list, 2.53 and later give UUIDs.
	hypervisorMicroversion = "2.87"
	// placementMicroversion: 1.14 gives the providers' parent and root.
	placementMicroversion = "1.14"
)

// fetch is the state of one Fetch.
type fetch struct {
	c    *Client
	snap *cloudmodel.Snapshot
	prog *progress

	mu   sync.Mutex // guards gaps
	gaps []cloudmodel.Gap
}

// Fetch reads everything audit needs: flavors with their extra specs,
// hypervisors, and placement's resource providers with their inventories,
// usages and traits. The compute and placement parts are read concurrently.
//
// A part that fails (403 on placement, a private-flavor listing not allowed,
// a 5xx after retries, a timeout) is recorded in Snapshot.Incomplete and the
// rest is returned. Fetch returns an error only when nothing could be
// audited: when the flavor list, the subject of every cloud check, could not
// be read at all (compute missing from the catalog, unreachable, refusing,
// failing). The error is an *Error of kind KindNothingRead that names the
// compute endpoint and the cause (and wraps context.Canceled when the context
// was cancelled); the Snapshot is returned with it all the same, so that its
// gaps and request counts can be reported.
//
// Fetch ends by Options.Deadline (counted from the start of Connect): a
// part not read by then is a gap that says so, or the error above when it is
// the flavor list.
func (c *Client) Fetch(ctx context.Context) (*cloudmodel.Snapshot, error) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	snap := &cloudmodel.Snapshot{
		AuthURL:   c.authURL,
		Region:    firstNonEmpty(c.settings.region, c.region),
		Interface: c.settings.iface,
		Project:   c.project,
		User:      c.user,
		Admin:     c.isAdmin(),
	}
	f := &fetch{c: c, snap: snap, prog: startProgress(c.opts.Progress, c.opts.progressDelay)}
	var wg sync.WaitGroup
	wg.Go(func() { f.computePart(ctx) })
	wg.Go(func() { f.placementPart(ctx) })
	wg.Wait()
	f.prog.stop()

	sort.SliceStable(f.gaps, func(i, j int) bool { return gapOrder(f.gaps[i].Part) < gapOrder(f.gaps[j].Part) })
	snap.Incomplete = f.gaps
	if snap.Incomplete == nil {
		snap.Incomplete = []cloudmodel.Gap{}
	}
	snap.Requests = c.tr.stats()

	if snap.Flavors == nil {
		var cause string
		var others []string
		status := 0
		for _, g := range f.gaps {
			if g.Part == cloudmodel.PartFlavors && cause == "" {
				cause, status = g.Reason, g.Status
			} else {
				others = append(others, g.Part+": "+g.Reason)
			}
		}
		msg := fmt.Sprintf("nothing could be audited: the flavor list could not be read (%s): %s", c.settings.source, cause)
		if len(others) > 0 {
			msg += "; also missing: " + strings.Join(others, "; ")
		}
		return snap, c.errorf(KindNothingRead, status, ctx.Err(), "%s", msg)
	}
	return snap, nil
}

func gapOrder(part string) int {
	order := []string{cloudmodel.PartFlavors, cloudmodel.PartPrivateFlavors, cloudmodel.PartExtraSpecs, cloudmodel.PartHypervisors, cloudmodel.PartPlacement}
	for i, p := range order {
		if p == part {
			return i
		}
	}
	return len(order)
}

func (f *fetch) gap(g cloudmodel.Gap) {
	g.Reason = f.c.redact.clean(g.Reason)
	g.Endpoint = redactURL(g.Endpoint)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gaps = append(f.gaps, g)
}

// withMicroversion is a copy of a service client that asks for microversion
// mv ("" = none, the base version).
func withMicroversion(sc *gophercloud.ServiceClient, mv string) *gophercloud.ServiceClient {
	cp := *sc
	cp.Microversion = mv
	return &cp
}

// get sends a GET and returns the body of a 200 (or of another status in
// ok). Errors are gophercloud's (with the status) or the transport's.
func (f *fetch) get(ctx context.Context, sc *gophercloud.ServiceClient, u, kind string, ok ...int) ([]byte, error) {
	if ok == nil {
		ok = []int{200}
	}
	resp, err := sc.Get(withKind(ctx, kind), u, nil, &gophercloud.RequestOpts{KeepResponseBody: true, OkCodes: ok})
	if err != nil {
		return nil, deadlineCause(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, &timeoutError{after: f.c.opts.Timeout}
		}
		return nil, deadlineCause(ctx, err)
	}
	if len(body) > maxBody {
		return nil, errBodyTooLarge
	}
	return body, nil
}

// networkFailure: the endpoint could not be talked to at all (or sends
// gpupass elsewhere), so trying its other URLs is pointless.
func networkFailure(fl failure) bool {
	return fl.kind == KindUnreachable || fl.kind == KindTLS || fl.kind == KindTimeout || fl.kind == KindRedirect
}

// stopsTheRest: a failure that the other requests of a part would all meet
// (refused credentials, a redirect elsewhere), so that they are not sent.
// The deadline stops them through the context.
func stopsTheRest(fl failure) bool {
	return fl.kind == KindForbidden || fl.kind == KindAuth || fl.kind == KindRedirect
}

// discover reads a service's version document and returns its maximum
// microversion ("" when it announces none). The catalog URL is tried first;
// when it does not answer with a version document and it has a path after
// the version (Nova's old /v2.1/{project_id}), the versioned base is tried.
func (f *fetch) discover(ctx context.Context, sc *gophercloud.ServiceClient, wantID string) (string, error) {
	urls := []string{sc.Endpoint}
	if base, err := utils.BaseVersionedEndpoint(sc.Endpoint); err == nil {
		if base = gophercloud.NormalizeURL(base); base != sc.Endpoint {
			urls = append(urls, base)
		}
	}
	plain := withMicroversion(sc, "")
	var lastErr error
	for _, u := range urls {
		body, err := f.get(ctx, plain, u, kindVersions, 200, 300)
		if err == nil {
			maxVersion, err := parseVersions(body, wantID)
			if err == nil {
				return maxVersion, nil
			}
			lastErr = fmt.Errorf("GET %s: %w", u, err)
			continue
		}
		lastErr = err
		if networkFailure(classify(err)) {
			break
		}
	}
	return "", lastErr
}

// reason words a failure of a part for Gap.Reason.
func (f *fetch) reason(what, u string, err error) (string, int) {
	fl := classify(err)
	u = redactURL(u)
	var msg string
	switch fl.kind {
	case KindUnreachable:
		msg = fmt.Sprintf("cannot reach %s at %s: %s", what, u, fl.detail)
	case KindTLS:
		msg = fmt.Sprintf("TLS failure with %s at %s: %s; %s", what, u, fl.detail, tlsHint)
	case KindTimeout:
		msg = fmt.Sprintf("%s at %s: %s", what, u, fl.detail)
	case KindForbidden:
		msg = fmt.Sprintf("%s was refused to these credentials (%s): it needs the admin role", what, fl.detail)
	case KindAuth:
		msg = fmt.Sprintf("%s at %s rejected the token (%s)", what, u, fl.detail)
	case KindRedirect:
		msg = fmt.Sprintf("%s at %s: %s; if the service has moved there, correct its endpoint in the catalog (openstack endpoint list)", what, u, fl.detail)
	default:
		switch {
		case fl.status >= 500:
			msg = fmt.Sprintf("%s at %s failed: %s (after %d retries)", what, u, fl.detail, f.c.tr.retries)
		case fl.status == 404:
			msg = fmt.Sprintf("%s at %s: %s: is the catalog's endpoint right?", what, u, fl.detail)
		default:
			msg = fmt.Sprintf("%s at %s: %s", what, u, fl.detail)
		}
	}
	return msg, fl.status
}

// computePart reads flavors (with extra specs) and hypervisors.
func (f *fetch) computePart(ctx context.Context) {
	c := f.c
	maxMV, discoverErr := f.discover(ctx, c.compute, "v2.1")
	if discoverErr != nil && networkFailure(classify(discoverErr)) {
		reason, status := f.reason("the compute endpoint (from the catalog)", c.compute.Endpoint, discoverErr)
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartFlavors, Endpoint: c.compute.Endpoint, Reason: reason, Status: status})
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartHypervisors, Endpoint: c.compute.Endpoint, Reason: reason, Status: status})
		return
	}
	f.snap.ComputeMaxMicroversion = maxMV
	flavorMV, hypervisorMV := "", ""
	if maxMV != "" {
		flavorMV = minMicroversion(flavorMicroversion, maxMV)
		hypervisorMV = minMicroversion(hypervisorMicroversion, maxMV)
	}
	var wg sync.WaitGroup
	wg.Go(func() { f.flavors(ctx, flavorMV, discoverErr) })
	wg.Go(func() { f.hypervisors(ctx, hypervisorMV) })
	wg.Wait()
}

// flavors lists every flavor, public and private, 1,000 a page, and reads
// their extra specs: inline from microversion 2.61 on, flavor by flavor (a
// bounded worker pool) before.
func (f *fetch) flavors(ctx context.Context, mv string, discoverErr error) {
	c := f.c
	sc := withMicroversion(c.compute, mv)
	listURL := sc.ServiceURL("flavors", "detail")
	flavors, withoutSpecs, failedURL, err := f.listFlavors(ctx, sc, fmt.Sprintf("%s?is_public=None&limit=%d", listURL, flavorPageSize))
	if err != nil && len(flavors) == 0 && classify(err).kind == KindForbidden {
		reason, status := f.reason("listing all flavors, public and private (is_public=None),", failedURL, err)
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartPrivateFlavors, Endpoint: failedURL, Status: status,
			Reason: reason + "; only the public flavors and the project's own private flavors are audited"})
		flavors, withoutSpecs, failedURL, err = f.listFlavors(ctx, sc, fmt.Sprintf("%s?limit=%d", listURL, flavorPageSize))
	} else if err == nil && !c.isAdmin() {
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartPrivateFlavors, Endpoint: listURL, Reason: fmt.Sprintf(
			"%s has no admin role in project %s: Nova lists it the public flavors and the private flavors shared with its project only (and no disabled ones); the private flavors of other projects are not audited",
			firstNonEmpty(c.user, "the user"), firstNonEmpty(c.project, "(none)"))})
	}
	if err != nil {
		reason, status := f.reason("the flavor list", failedURL, err)
		if discoverErr != nil {
			reason += fmt.Sprintf("; the compute endpoint's version document could not be read either (%s): is the catalog's compute URL %s right?", classify(discoverErr).detail, c.compute.Endpoint)
		}
		if len(flavors) > 0 {
			reason = fmt.Sprintf("only the first %d flavors were read: %s", len(flavors), reason)
		}
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartFlavors, Endpoint: failedURL, Reason: reason, Status: status})
		if len(flavors) == 0 {
			return
		}
	}
	f.snap.ComputeMicroversion = mv
	f.snap.Flavors = flavors
	if atLeast(mv, flavorMicroversion) {
		if withoutSpecs > 0 {
			f.gap(cloudmodel.Gap{Part: cloudmodel.PartExtraSpecs, Endpoint: listURL, Reason: fmt.Sprintf(
				"%d of %d flavors came without their extra specs at microversion %s: Nova's policy (os_compute_api:os-flavor-extra-specs:index) hides them from these credentials",
				withoutSpecs, len(flavors), mv)})
		}
		return
	}
	f.extraSpecs(ctx, sc, flavors)
}

// listFlavors follows the flavor list's pages from first. It returns the
// flavors read (a non-nil slice when the first page was read), how many came
// without extra specs, and on failure the URL that failed.
func (f *fetch) listFlavors(ctx context.Context, sc *gophercloud.ServiceClient, first string) ([]cloudmodel.Flavor, int, string, error) {
	var flavors []cloudmodel.Flavor
	withoutSpecs := 0
	var pages pager
	for u := first; u != ""; {
		body, err := f.get(ctx, sc, u, cloudmodel.PartFlavors)
		if err != nil {
			return flavors, withoutSpecs, u, err
		}
		page, err := parseFlavorPage(body)
		if err != nil {
			return flavors, withoutSpecs, u, err
		}
		if flavors == nil {
			flavors = make([]cloudmodel.Flavor, 0, len(page.flavors))
		}
		flavors = append(flavors, page.flavors...)
		withoutSpecs += page.withoutSpecs
		f.prog.flavors.Store(int64(len(flavors)))
		next, err := pages.next(u, len(page.flavors), page.next)
		if err != nil {
			return flavors, withoutSpecs, u, err
		}
		u = next
	}
	return flavors, withoutSpecs, "", nil
}

// extraSpecs reads each flavor's extra specs, a bounded number at a time
// (clouds older than microversion 2.61). A 401 or 403 stops the rest: they
// would all fail the same way.
func (f *fetch) extraSpecs(ctx context.Context, sc *gophercloud.ServiceClient, flavors []cloudmodel.Flavor) {
	f.prog.specsTotal.Store(int64(len(flavors)))
	var mu sync.Mutex
	var firstErr error
	var firstURL string
	parallel(ctx, f.c.opts.workers, len(flavors), func(ctx context.Context, i int) bool {
		u := sc.ServiceURL("flavors", url.PathEscape(flavors[i].ID), "os-extra_specs")
		body, err := f.get(ctx, sc, u, cloudmodel.PartExtraSpecs)
		var specs map[string]string
		if err == nil {
			specs, err = parseExtraSpecs(body)
		}
		if err == nil {
			flavors[i].ExtraSpecs = specs
			f.prog.specsDone.Add(1)
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr, firstURL = err, u
		}
		return !stopsTheRest(classify(err))
	})
	missing := 0
	for _, fl := range flavors {
		if fl.ExtraSpecs == nil {
			missing++
		}
	}
	if missing == 0 {
		return
	}
	what := "the extra specs"
	reason := fmt.Sprintf("the extra specs of %d of %d flavors could not be read", missing, len(flavors))
	status := 0
	if firstErr != nil {
		var r string
		r, status = f.reason(what, firstURL, firstErr)
		reason += ": " + r
	} else if ctx.Err() != nil {
		reason += ": " + interrupted(ctx)
	}
	f.gap(cloudmodel.Gap{Part: cloudmodel.PartExtraSpecs, Endpoint: firstURL, Reason: reason, Status: status})
}

// parallel calls fn for 0..n-1 on at most workers goroutines. fn returns
// false to stop the calls not yet started; a cancelled context stops them too.
func parallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if !fn(ctx, i) {
					cancel()
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

// hypervisors reads os-hypervisors/detail, all pages.
func (f *fetch) hypervisors(ctx context.Context, mv string) {
	sc := withMicroversion(f.c.compute, mv)
	listURL := sc.ServiceURL("os-hypervisors", "detail")
	u := listURL
	if atLeast(mv, "2.33") {
		u = fmt.Sprintf("%s?limit=%d", listURL, flavorPageSize)
	}
	var hypervisors []cloudmodel.Hypervisor
	var pages pager
	var err error
	for u != "" {
		var body []byte
		body, err = f.get(ctx, sc, u, cloudmodel.PartHypervisors)
		var page hypervisorPage
		if err == nil {
			page, err = parseHypervisorPage(body)
		}
		if err != nil {
			break
		}
		if hypervisors == nil {
			hypervisors = make([]cloudmodel.Hypervisor, 0, len(page.hypervisors))
		}
		hypervisors = append(hypervisors, page.hypervisors...)
		f.prog.hypervisors.Store(int64(len(hypervisors)))
		var next string
		if next, err = pages.next(u, len(page.hypervisors), page.next); err != nil {
			break
		}
		u = next
	}
	if err != nil {
		reason, status := f.reason("the hypervisor list", u, err)
		if len(hypervisors) > 0 {
			reason = fmt.Sprintf("only the first %d hypervisors were read: %s", len(hypervisors), reason)
		}
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartHypervisors, Endpoint: u, Reason: reason, Status: status})
	}
	f.snap.Hypervisors = hypervisors
	if hypervisors != nil {
		f.snap.HypervisorMicroversion = mv
	}
}

// placementPart reads the resource providers, then the inventories, usages
// and traits of each (three requests per provider, two for one without
// inventory, a bounded number at a time: placement has no bulk call for
// them).
func (f *fetch) placementPart(ctx context.Context) {
	c := f.c
	if c.placement == nil {
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartPlacement, Endpoint: "placement", Reason: c.placementMissing + "; host capacity and PCI devices in Placement are not audited"})
		return
	}
	maxMV, err := f.discover(ctx, c.placement, "v1.0")
	if err != nil && networkFailure(classify(err)) {
		reason, status := f.reason("the placement endpoint (from the catalog)", c.placement.Endpoint, err)
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartPlacement, Endpoint: c.placement.Endpoint, Reason: reason, Status: status})
		return
	}
	mv := ""
	if maxMV != "" {
		mv = minMicroversion(placementMicroversion, maxMV)
	}
	sc := withMicroversion(c.placement, mv)
	listURL := sc.ServiceURL("resource_providers")
	body, err := f.get(ctx, sc, listURL, cloudmodel.PartPlacement)
	var providers []cloudmodel.ResourceProvider
	if err == nil {
		providers, err = parseProviders(body)
	}
	if err != nil {
		reason, status := f.reason("the placement resource provider list", listURL, err)
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartPlacement, Endpoint: listURL, Reason: reason + "; host capacity and PCI devices in Placement are not audited", Status: status})
		return
	}
	f.prog.providersTotal.Store(int64(len(providers)))
	withTraits := atLeast(mv, "1.6")

	var mu sync.Mutex
	var firstErr error
	var firstURL, firstName string
	parallel(ctx, f.c.opts.workers, len(providers), func(ctx context.Context, i int) bool {
		rp := &providers[i]
		base := sc.ServiceURL("resource_providers", url.PathEscape(rp.UUID))
		var failed error
		var failedURL string
		read := func(what string, parse func([]byte) error) {
			if failed != nil {
				return
			}
			u := base + "/" + what
			body, err := f.get(ctx, sc, u, cloudmodel.PartPlacement)
			if err == nil {
				err = parse(body)
			}
			if err != nil {
				failed, failedURL = err, u
			}
		}
		read("inventories", func(b []byte) (err error) { rp.Inventories, err = parseInventories(b); return })
		if failed == nil && len(rp.Inventories) == 0 {
			// Nothing can be allocated from a provider without inventory
			// (a PCI parent, an empty host): it has no usages to ask for.
			rp.Usages = map[string]int{}
		} else {
			read("usages", func(b []byte) (err error) { rp.Usages, err = parseUsages(b); return })
		}
		if withTraits {
			read("traits", func(b []byte) (err error) { rp.Traits, err = parseTraits(b); return })
		}
		f.prog.providersDone.Add(1)
		if failed == nil {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr, firstURL, firstName = failed, failedURL, rp.Name
		}
		return !stopsTheRest(classify(failed))
	})
	f.snap.ResourceProviders = providers
	f.snap.PlacementMicroversion = mv
	unread := 0
	for _, rp := range providers {
		if rp.Inventories == nil || rp.Usages == nil || (withTraits && rp.Traits == nil) {
			unread++
		}
	}
	if unread > 0 {
		reason := fmt.Sprintf("%d of %d resource providers could not be read in full", unread, len(providers))
		status := 0
		if firstErr != nil {
			var r string
			r, status = f.reason(fmt.Sprintf("resource provider %q", firstName), firstURL, firstErr)
			reason += ": " + r
		} else if ctx.Err() != nil {
			reason += ": " + interrupted(ctx)
		}
		f.gap(cloudmodel.Gap{Part: cloudmodel.PartPlacement, Endpoint: firstURL, Reason: reason, Status: status})
	}
}

// maxLink bounds a next-page link: it carries a marker (an ID), the limit
// and the filters, and every later request, debug line and gap repeats it.
const maxLink = 4096

// pager follows the next-page links of a list (flavors, hypervisors) and
// ends the list where a server, broken or hostile, would keep it going: at a
// link that does not move on (no marker, or a marker already followed), and
// past maxListed items or maxPages pages, whichever comes first, however
// fresh the markers. At the first page's size, maxListed items are
// ceil(maxListed / size) pages.
type pager struct {
	pages, items int
	limit        int // pages, from the first page's size
	first        int // the first page's size
	seen         map[string]bool
}

// next is the URL of the page after the one at u, which held n items and
// whose next-page link is href: "" at the end of the list (no link, or an
// empty page), or an error when the list must end before.
func (p *pager) next(u string, n int, href string) (string, error) {
	p.pages++
	p.items += n
	if p.pages == 1 {
		p.first = n
		size := max(n, 1)
		p.limit = min(maxPages, (maxListed+size-1)/size)
		p.seen = map[string]bool{}
	}
	if href == "" || n == 0 {
		return "", nil
	}
	if len(href) > maxLink {
		return "", fmt.Errorf("the next-page link is %d bytes long, more than a marker needs (%d at most): %q", len(href), maxLink, clip(href))
	}
	next := pageURL(u, href)
	marker := markerOf(next)
	if marker == "" || p.seen[marker] {
		return "", fmt.Errorf("the next-page link %q does not move on", clip(href))
	}
	if p.items >= maxListed {
		return "", fmt.Errorf("the list did not end after %d pages and %d items, more than gpupass reads of one list (%d): its next-page links keep naming new markers",
			p.pages, p.items, maxListed)
	}
	if p.pages >= p.limit {
		return "", fmt.Errorf("the list did not end after %d pages, the most gpupass follows when the first page holds %d (it reads at most %d items of one list, in at most %d pages): its next-page links keep naming new markers",
			p.pages, p.first, maxListed, maxPages)
	}
	p.seen[marker] = true
	return next, nil
}
