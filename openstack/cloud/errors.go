package cloud

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gophercloud/gophercloud/v2"
)

// Kind classifies an Error, so that the caller can choose an exit status or a
// hint without parsing messages.
type Kind string

// The kinds of Error.
const (
	// KindConfig: the connection settings are missing or wrong (no cloud,
	// unknown cloud name, unreadable clouds.yaml or CA file, bad flag value).
	KindConfig Kind = "config"
	// KindAuth: Keystone refused the credentials (401).
	KindAuth Kind = "auth"
	// KindForbidden: a 403.
	KindForbidden Kind = "forbidden"
	// KindUnreachable: no connection (refused, DNS, reset, no route).
	KindUnreachable Kind = "unreachable"
	// KindTLS: the TLS handshake failed (unknown CA, wrong host name).
	KindTLS Kind = "tls"
	// KindTimeout: no answer within Options.Timeout.
	KindTimeout Kind = "timeout"
	// KindCatalog: the service catalog lacks the endpoints needed.
	KindCatalog Kind = "catalog"
	// KindServer: an unexpected answer (5xx after retries, 404, not JSON).
	KindServer Kind = "server"
	// KindNothingRead: Fetch could not read the flavor list, so nothing
	// can be audited.
	KindNothingRead Kind = "nothing-read"
	// KindRedirect: Keystone redirected the token request, or an endpoint
	// redirected to another scheme, host or port (or named one for the
	// credentials), and gpupass did not follow: the credentials or the
	// token would have gone there.
	KindRedirect Kind = "redirect"
)

// ErrReadOnly is wrapped by the error returned for any request gpupass
// refuses to send because it could change the cloud.
var ErrReadOnly = errors.New("gpupass is read-only")

// Error is the error type of Connect and Fetch: a message an operator can act
// on, which never contains a password, token or application-credential secret.
type Error struct {
	Kind Kind
	// Status is the HTTP status behind the error, 0 when there was none.
	Status int
	// Msg is the whole message.
	Msg string
	err error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap gives the cause, for errors.Is (context.Canceled, ErrReadOnly...).
func (e *Error) Unwrap() error { return e.err }

// redactor removes known secrets from any text that leaves the package.
type redactor struct {
	mu      sync.RWMutex
	secrets []string
}

func (r *redactor) add(secret string) {
	// Very short "secrets" would blank out ordinary words; they are not
	// worth protecting that way and are rejected by Keystone anyway.
	if len(secret) >= 4 {
		r.mu.Lock()
		r.secrets = append(r.secrets, secret)
		r.mu.Unlock()
	}
}

func (r *redactor) clean(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// failure is what went wrong with one request, classified.
type failure struct {
	kind   Kind
	status int
	// detail is a short explanation: the server's own error message, or the
	// network error.
	detail string
	err    error
}

// classify turns an error from gophercloud or net/http into a failure.
func classify(err error) failure {
	var code gophercloud.ErrUnexpectedResponseCode
	var codePtr *gophercloud.ErrUnexpectedResponseCode
	switch {
	case errors.As(err, &codePtr):
		code = *codePtr
	case errors.As(err, &code):
	default:
		return classifyTransport(err)
	}
	f := failure{status: code.Actual, err: err}
	f.detail = fmt.Sprintf("HTTP %d", code.Actual)
	if msg := serverMessage(code.Body); msg != "" {
		f.detail += ": " + msg
	}
	switch {
	case code.Actual == 401:
		f.kind = KindAuth
	case code.Actual == 403:
		f.kind = KindForbidden
	default:
		f.kind = KindServer
	}
	return f
}

// classifyTransport classifies an error that is not an HTTP status.
func classifyTransport(err error) failure {
	f := failure{kind: KindServer, err: err, detail: transportDetail(err)}
	var timeout *timeoutError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var recordHeader tls.RecordHeaderError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var redirect *redirectError
	var foreign *foreignAuthError
	var deadline *deadlineError
	switch {
	case errors.As(err, &redirect):
		f.kind, f.status, f.detail = KindRedirect, redirect.status, redirect.Error()
	case errors.As(err, &foreign):
		f.kind, f.detail = KindRedirect, foreign.Error()
	case errors.As(err, &deadline):
		f.kind, f.detail = KindTimeout, deadline.Error()
	case errors.Is(err, errBodyTooLarge):
		f.detail = errBodyTooLarge.Error()
	case errors.Is(err, ErrReadOnly):
		f.kind = KindConfig
	case errors.Is(err, context.Canceled):
		f.kind = KindTimeout
		f.detail = "interrupted"
	case errors.As(err, &timeout), errors.Is(err, context.DeadlineExceeded):
		f.kind = KindTimeout
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &recordHeader):
		f.kind = KindTLS
	case errors.As(err, &dnsErr), errors.As(err, &opErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		f.kind = KindUnreachable
	default:
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			f.kind = KindTimeout
		}
	}
	return f
}

// transportDetail is the network error without net/http's `Get "URL":`
// prefix (messages name the URL themselves).
func transportDetail(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// tlsHint is appended to TLS failures.
const tlsHint = "if the cloud uses a private CA, pass its certificate with --os-cacert FILE (or OS_CACERT, or cacert: in clouds.yaml)"

// redactURL drops any user:password@ from a URL, also from one that does
// not parse (a password with a space or a bad escape in it).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil {
		if u.User == nil {
			return raw
		}
		u.User = nil
		out := u.String()
		// A URL with an empty host and a path starting with "//" (as
		// "//@//@") serialises into text that parses with a userinfo
		// again: withhold it rather than quote anything that looks like
		// one.
		if v, err := url.Parse(out); err != nil || v.User != nil {
			return withheldURL
		}
		return out
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}

// withheldURL stands for a URL whose userinfo cannot be removed cleanly.
const withheldURL = "(a URL withheld: its userinfo could not be removed)"

// maxQuoted bounds a value a server chose (a Location, a next-page link)
// when a message quotes it.
const maxQuoted = 200

// clip shortens s to at most maxQuoted bytes (on a rune boundary), marking
// the cut.
func clip(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// originChange says how to differs from from in scheme, host or port ("" when
// it does not): "https instead of http", "another host", "another port". A
// port left out is the scheme's default.
func originChange(from, to *url.URL) string {
	var changes []string
	fromScheme, toScheme := strings.ToLower(from.Scheme), strings.ToLower(to.Scheme)
	if fromScheme != toScheme {
		changes = append(changes, fmt.Sprintf("%s instead of %s", toScheme, fromScheme))
	}
	if !strings.EqualFold(strings.TrimSuffix(from.Hostname(), "."), strings.TrimSuffix(to.Hostname(), ".")) {
		changes = append(changes, "another host")
	} else if fromScheme == toScheme && portOf(from) != portOf(to) {
		changes = append(changes, "another port")
	}
	return strings.Join(changes, ", ")
}

// portOf is a URL's port, or its scheme's default.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// redirectError is a redirect gpupass refused to follow: one to another
// scheme, host or port (Go would forward X-Auth-Token there: it strips only
// Authorization and cookies), or any redirect of the token request (a 307 or
// 308 would send the credentials again; a 301, 302 or 303 turns it into a
// GET whose answer is a token made up by whoever answers it).
type redirectError struct {
	status int    // the redirect's HTTP status
	to     string // where it pointed: credentials removed, clipped
	change string // how to differs from where the request went first ("": it does not)
	token  bool   // the token request was redirected
	authed bool   // the request carried the token
}

func (e *redirectError) Error() string {
	if e.token {
		where := ""
		if e.change != "" {
			where = " (" + e.change + ")"
		}
		return fmt.Sprintf("HTTP %d redirects the token request to %s%s: gpupass never follows a redirect of the token request, as it would send the credentials again, or take a token from whoever answers there", e.status, e.to, where)
	}
	why := ""
	if e.authed {
		why = ", as it would send the token there"
	}
	return fmt.Sprintf("HTTP %d redirects to %s (%s): gpupass does not follow a redirect to another scheme, host or port%s", e.status, e.to, e.change, why)
}

// foreignAuthError: the token request was about to leave the auth URL's
// scheme, host and port. An unversioned auth URL leads there when Keystone's
// version document names another URL for the identity API.
type foreignAuthError struct {
	to     string // the identity API's URL, credentials removed, clipped
	change string
}

func (e *foreignAuthError) Error() string {
	return fmt.Sprintf("its version document names %s as the identity API (%s), and gpupass sends the credentials only to the auth URL's scheme, host and port", e.to, e.change)
}

// deadlineError: the run's overall time limit (Options.Deadline) passed.
type deadlineError struct{ limit time.Duration }

func (e *deadlineError) Error() string {
	return fmt.Sprintf("the audit's time limit of %s (--deadline) ran out", e.limit)
}
func (e *deadlineError) Timeout() bool { return true }
func (e *deadlineError) Unwrap() error { return context.DeadlineExceeded }

// deadlineCause is err, or the deadline error when err came of the run's
// deadline passing (ctx ended with it as its cause).
func deadlineCause(ctx context.Context, err error) error {
	var deadline *deadlineError
	if err != nil && ctx.Err() != nil && errors.As(context.Cause(ctx), &deadline) {
		return deadline
	}
	return err
}

// interrupted says why ctx ended: the run's deadline, or the caller.
func interrupted(ctx context.Context) string {
	var deadline *deadlineError
	if errors.As(context.Cause(ctx), &deadline) {
		return deadline.Error()
	}
	return "interrupted"
}

// errBodyTooLarge: an answer longer than maxBody.
var errBodyTooLarge = fmt.Errorf("the answer is larger than %d MiB", maxBody>>20)
