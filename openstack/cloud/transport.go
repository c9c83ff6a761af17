package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
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
// anything that could change the cloud, bounds each attempt with the timeout,
// retries 5xx answers and reset connections with exponential backoff, counts
// every request and writes the debug log. It never sees or logs a request
// body, and logs no header value but the microversion.
type transport struct {
	base    http.RoundTripper
	timeout time.Duration
	retries int
	backoff time.Duration // before the first retry; doubled for each next one
	debug   io.Writer     // nil: no debug log
	redact  *redactor

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

// allowed says whether a request may leave: reads, and the token request of
// the authentication itself.
func allowed(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	case http.MethodPost:
		path := strings.TrimRight(req.URL.Path, "/")
		return kindOf(req.Context()) == cloudmodel.PartIdentity &&
			(strings.HasSuffix(path, "/auth/tokens") || strings.HasSuffix(path, "/v2.0/tokens"))
	}
	return false
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !allowed(req) {
		if req.Body != nil {
			req.Body.Close()
		}
		t.logf("%s %s -> refused: %v", req.Method, redactURL(req.URL.String()), ErrReadOnly)
		return nil, fmt.Errorf("refusing %s %s: %w", req.Method, redactURL(req.URL.String()), ErrReadOnly)
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
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
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
