package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// kindKey tags a request's context with its kind (one of the RequestStats
// fields), for counting and for the read-only guard.
type kindKey struct{}

// The request kinds that are not also Gap parts.
const kindVersions = "versions"

func withKind(ctx context.Context, kind string) context.Context {
	return context.WithValue(ctx, kindKey{}, kind)
}

func kindOf(ctx context.Context) string {
	kind, _ := ctx.Value(kindKey{}).(string)
	return kind
}

// transport is the RoundTripper under gophercloud. In order, it refuses
// anything that could change the cloud and a token request to anywhere but
// the auth URL's scheme, host and port, bounds each attempt with the
// timeout, retries 5xx answers and reset connections with exponential
// backoff, counts every request, writes the debug log and caps every answer
// at maxBody. It never sees or logs a request body, and logs no header value
// but the microversion. Its checkRedirect is the HTTP client's redirect
// policy.
type transport struct {
	base    http.RoundTripper
	timeout time.Duration
	retries int
	backoff time.Duration // before the first retry; doubled for each next one
	debug   io.Writer     // nil: no debug log
	redact  *redactor
	// authURL is where the credentials may be sent: a token request to
	// another scheme, host or port is refused (nil: anywhere, for tests of
	// the transport alone).
	authURL *url.URL

	mu       sync.Mutex // guards the counters and debug writes
	requests map[string]int
	retried  int
}

// timeoutError is what an attempt that outlived the timeout fails with.
type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer within %s (--timeout)", e.after)
}
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return false }

// refused says why a request may not leave (nil: it may): only reads, and
// the token request of the authentication itself, to the auth URL's scheme,
// host and port.
func (t *transport) refused(req *http.Request) error {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	case http.MethodPost:
		path := strings.TrimRight(req.URL.Path, "/")
		if kindOf(req.Context()) != cloudmodel.PartIdentity ||
			!(strings.HasSuffix(path, "/auth/tokens") || strings.HasSuffix(path, "/v2.0/tokens")) {
			break
		}
		if t.authURL != nil {
			if change := originChange(t.authURL, req.URL); change != "" {
				api := strings.TrimSuffix(strings.TrimSuffix(path, "/tokens"), "/auth")
				u := *req.URL
				u.Path, u.RawPath, u.RawQuery = api+"/", "", ""
				return &foreignAuthError{to: clip(redactURL(u.String())), change: change}
			}
		}
		return nil
	}
	return fmt.Errorf("refusing %s %s: %w", req.Method, redactURL(req.URL.String()), ErrReadOnly)
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.refused(req); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		why := err
		if errors.Is(err, ErrReadOnly) {
			why = ErrReadOnly // err names the request again
		}
		t.logf("%s %s -> refused: %v", req.Method, clip(redactURL(req.URL.String())), why)
		return nil, err
	}
	kind := kindOf(req.Context())
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 0; ; attempt++ {
		try := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			try = req.Clone(req.Context())
			try.Body = body
		}
		ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
		start := time.Now()
		resp, err := t.base.RoundTrip(try.WithContext(ctx))
		elapsed := time.Since(start)
		t.count(kind, attempt > 0)
		if err != nil && ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil {
			err = &timeoutError{after: t.timeout}
		}

		retry := attempt < t.retries && replayable && req.Context().Err() == nil && retryable(resp, err)
		wait := t.backoff << attempt
		if retry && resp != nil {
			wait = max(wait, retryAfter(resp))
		}
		t.logAttempt(try, resp, err, elapsed, retry, attempt+1, wait)
		if !retry {
			if err != nil {
				cancel()
				return nil, err
			}
			resp.Body = &cancelOnClose{ReadCloser: &cappedBody{ReadCloser: resp.Body}, cancel: cancel}
			return resp, nil
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		cancel()
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}

// retryable: a server error that may pass (not 501 Not Implemented or 505),
// a rate limit (429), or a connection the server dropped.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
			errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	}
	code := resp.StatusCode
	return code == http.StatusTooManyRequests ||
		(code >= 500 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported)
}

// maxRetryAfter bounds the wait a Retry-After header can ask for.
const maxRetryAfter = 10 * time.Second

// retryAfter is the wait a 429 or 503 asks for in seconds (0 when none, at
// most maxRetryAfter).
func retryAfter(resp *http.Response) time.Duration {
	seconds, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || seconds <= 0 {
		return 0
	}
	return min(time.Duration(seconds)*time.Second, maxRetryAfter)
}

// cancelOnClose releases an attempt's timeout when its body is closed: the
// timeout keeps bounding the reading of the body until then.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// cappedBody fails with errBodyTooLarge past maxBody bytes, for every
// answer: gophercloud reads the token request's answer itself, whole.
type cappedBody struct {
	io.ReadCloser
	read int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.read > maxBody {
		return 0, errBodyTooLarge
	}
	// One byte past the cap tells a body of exactly maxBody from a larger one.
	if left := maxBody + 1 - b.read; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if b.read > maxBody {
		return n - int(b.read-maxBody), errBodyTooLarge
	}
	return n, err
}

// maxRedirects is as many redirects as Go follows by default.
const maxRedirects = 10

// checkRedirect is the HTTP client's redirect policy. A redirect that keeps
// the scheme, host and port of the request is followed, with its headers
// (the token among them), up to maxRedirects. One that changes any of them
// is refused before anything is sent there: Go would forward X-Auth-Token,
// as it strips only Authorization and cookies. The token request is never
// redirected, wherever to: a 307 or 308 would post the credentials again,
// and a 301, 302 or 303 would take a token from the answer to a GET.
func (t *transport) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	e := &redirectError{
		to:     clip(redactURL(req.URL.String())),
		change: originChange(first.URL, req.URL),
		token:  first.Method == http.MethodPost,
		authed: first.Header.Get("X-Auth-Token") != "",
	}
	if req.Response != nil {
		e.status = req.Response.StatusCode
	}
	from := clip(redactURL(via[len(via)-1].URL.String()))
	if e.token || e.change != "" {
		t.logf("%s %s -> redirect refused: %s", first.Method, from, e)
		return e
	}
	if len(via) >= maxRedirects {
		t.logf("%s %s -> redirect to %s refused: %d redirects already", first.Method, from, e.to, len(via))
		return fmt.Errorf("stopped after %d redirects, at %s", maxRedirects, e.to)
	}
	t.logf("%s %s -> following the redirect to %s (same scheme, host and port)", first.Method, from, e.to)
	return nil
}

func (t *transport) count(kind string, retry bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.requests == nil {
		t.requests = map[string]int{}
	}
	t.requests[kind]++
	if retry {
		t.retried++
	}
}

// stats is a copy of the counters.
func (t *transport) stats() cloudmodel.RequestStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := cloudmodel.RequestStats{
		Identity:    t.requests[cloudmodel.PartIdentity],
		Versions:    t.requests[kindVersions],
		Flavors:     t.requests[cloudmodel.PartFlavors],
		ExtraSpecs:  t.requests[cloudmodel.PartExtraSpecs],
		Hypervisors: t.requests[cloudmodel.PartHypervisors],
		Placement:   t.requests[cloudmodel.PartPlacement],
		Retries:     t.retried,
	}
	for _, n := range t.requests {
		s.Total += n
	}
	return s
}

// logAttempt writes one debug line per attempt: method, URL with its query,
// the microversion asked for, status and duration. Header values other than
// the microversion and request bodies are never written; the token headers
// are shown as present and redacted.
func (t *transport) logAttempt(req *http.Request, resp *http.Response, err error, elapsed time.Duration, retry bool, attempt int, wait time.Duration) {
	if t.debug == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", req.Method, redactURL(req.URL.String()))
	if v := req.Header.Get("OpenStack-API-Version"); v != "" {
		fmt.Fprintf(&b, " [%s]", v)
	}
	if req.Header.Get("X-Auth-Token") != "" {
		b.WriteString(" X-Auth-Token: <redacted>")
	}
	if req.Method == http.MethodPost {
		b.WriteString(" (request body not shown)")
	}
	if err != nil {
		fmt.Fprintf(&b, " -> error after %s: %s", elapsed.Round(time.Millisecond), transportDetail(err))
	} else {
		fmt.Fprintf(&b, " -> %s in %s", resp.Status, elapsed.Round(time.Millisecond))
		if resp.Header.Get("X-Subject-Token") != "" {
			b.WriteString(" X-Subject-Token: <redacted>")
		}
	}
	if retry {
		fmt.Fprintf(&b, " (retry %d/%d in %s)", attempt, t.retries, wait)
	}
	t.logf("%s", b.String())
}

func (t *transport) logf(format string, args ...any) {
	if t.debug == nil {
		return
	}
	line := t.redact.clean(fmt.Sprintf(format, args...))
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.debug, "debug: %s\n", line)
}
