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
	switch {
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

// redactURL drops any user:password@ from a URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}
