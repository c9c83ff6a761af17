package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// Options are the connection settings, as the audit command's flags give
// them (empty = not given). Flags override the OS_* environment variables,
// which override the named cloud's entry in clouds.yaml, as in the OpenStack
// CLI.
type Options struct {
	// Cloud is --os-cloud: the cloud of clouds.yaml to use (else OS_CLOUD;
	// with neither, the plain OS_* variables are used).
	Cloud string
	// RegionName is --os-region-name (else OS_REGION_NAME, else the cloud's
	// region_name, else the catalog's first match).
	RegionName string
	// Interface is --os-interface: public (default), internal or admin.
	Interface string
	// CACert is --os-cacert: a PEM CA bundle to verify the cloud's TLS
	// certificates with (else OS_CACERT, else the cloud's cacert).
	CACert string
	// Insecure is --insecure: do not verify TLS certificates. Off by
	// default; when on, Client.Warnings says so.
	Insecure bool
	// Timeout bounds every request (each attempt, and the reading of its
	// answer); 0 = 30 s.
	Timeout time.Duration
	// Deadline bounds the whole conversation with the cloud, from the
	// start of Connect to the end of Fetch (--deadline): past it, what is
	// not read yet is not. 0 = 10 minutes.
	Deadline time.Duration
	// Retries bounds the retries of a request that got a 5xx answer or a
	// reset connection, with exponential backoff (0.5 s, 1 s, 2 s...);
	// 0 = 3, negative = none.
	Retries int
	// Getenv is the environment (tests inject it); nil = os.Getenv.
	Getenv func(string) string
	// Debug is --debug: one line per request attempt (method, URL, status,
	// duration); tokens, secrets and request bodies are never written.
	// nil = off.
	Debug io.Writer
	// Progress receives a progress line, rewritten in place, during long
	// fetches. The caller passes stderr only when it is a terminal. nil = off.
	Progress io.Writer
	// ConfigDirs are the directories searched for clouds.yaml, secure.yaml
	// and clouds-public.yaml (also as .yml and .json); nil = the CLI's
	// standard places: ., $XDG_CONFIG_HOME/openstack, ~/.config/openstack,
	// /etc/openstack. OS_CLIENT_CONFIG_FILE and OS_CLIENT_SECURE_FILE name
	// a file tried before them.
	ConfigDirs []string

	// knobs for tests; zero values mean the defaults.
	backoff       time.Duration // before the first retry (0.5 s)
	workers       int           // concurrent per-flavor / per-provider requests (8)
	progressDelay time.Duration // before the first progress line (1 s)
}

// The defaults.
const (
	defaultTimeout       = 30 * time.Second
	defaultDeadline      = 10 * time.Minute
	defaultRetries       = 3
	defaultBackoff       = 500 * time.Millisecond
	defaultWorkers       = 8
	defaultProgressDelay = time.Second
	// flavorPageSize is the flavor (and hypervisor) page size asked for: Nova's
	// default osapi_max_limit, so 1,000 flavors cost one request.
	flavorPageSize = 1000
	// maxBody bounds a response body read into memory.
	maxBody = 64 << 20
	// maxListed bounds the items of one paged list (flavors, hypervisors)
	// read: 20 times the 5,000 flavors gpupass is built for, and 10 times the
	// 10,000 hosts.
	maxListed = 100_000
	// maxPages bounds the pages of one list, however small.
	maxPages = 1_000
)

// Client is an authenticated, read-only connection to a cloud.
type Client struct {
	settings *settings
	opts     Options
	provider *gophercloud.ProviderClient
	// httpClient is the HTTP client every request goes through (tests
	// check that it refuses writes).
	httpClient *http.Client
	tr         *transport
	redact     *redactor
	// deadline ends the conversation with the cloud (Options.Deadline
	// after Connect started).
	deadline time.Time

	authURL string
	// region is the region of the endpoints found, when none was asked for.
	region  string
	user    string
	project string
	roles   []string

	compute, placement *gophercloud.ServiceClient
	// computeMissing and placementMissing say why an endpoint is nil.
	computeMissing, placementMissing string

	warnings []string
}

// Connect authenticates. Errors are *Error values with a message an operator
// can act on (bad credentials, unknown cloud name in clouds.yaml with the
// file searched, unreachable Keystone with the URL, TLS failure with a hint
// about --os-cacert, no compute endpoint in the catalog for the region and
// interface, with the ones it has, a redirect refused, the deadline passed)
// and never contain a secret. A catalog without placement is not an error:
// Fetch reports it in Snapshot.Incomplete.
func Connect(ctx context.Context, opts Options) (*Client, error) {
	start := time.Now()
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.Deadline <= 0 {
		opts.Deadline = defaultDeadline
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = defaultRetries
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.backoff <= 0 {
		opts.backoff = defaultBackoff
	}
	if opts.workers <= 0 {
		opts.workers = defaultWorkers
	}
	if opts.progressDelay <= 0 {
		opts.progressDelay = defaultProgressDelay
	}

	s, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	red := &redactor{}
	red.add(s.auth.password)
	red.add(s.auth.appSecret)
	c := &Client{settings: s, opts: opts, redact: red, authURL: redactURL(s.auth.authURL), deadline: start.Add(opts.Deadline)}
	authURL, err := c.checkAuthURL()
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	base := http.DefaultTransport.(*http.Transport).Clone()
	base.TLSClientConfig = s.tlsConfig
	base.MaxIdleConnsPerHost = 2 * opts.workers
	c.tr = &transport{
		base:    base,
		timeout: opts.Timeout,
		retries: opts.Retries,
		backoff: opts.backoff,
		debug:   opts.Debug,
		redact:  red,
		authURL: authURL,
	}
	c.httpClient = &http.Client{Transport: c.tr, CheckRedirect: c.tr.checkRedirect}

	provider, err := openstack.NewClient(s.auth.authURL)
	if err != nil {
		return nil, c.errorf(KindConfig, 0, err, "bad auth URL %s: %v", c.authURL, err)
	}
	provider.HTTPClient = *c.httpClient
	provider.UserAgent.Prepend("gpupass")
	c.provider = provider

	if s.insecureFrom != "" {
		c.warnings = append(c.warnings, fmt.Sprintf("TLS certificate verification is off (%s): anyone on the network path can read the credentials and answer in the cloud's name", s.insecureFrom))
	}
	if len(s.envOverrides) > 0 {
		c.warnings = append(c.warnings, fmt.Sprintf("%s from the environment override %s, as in the OpenStack CLI", strings.Join(s.envOverrides, ", "), s.source))
	}

	ao := s.auth.authOptions()
	if err := openstack.Authenticate(withKind(ctx, cloudmodel.PartIdentity), provider, ao); err != nil {
		return nil, c.authError(deadlineCause(ctx, err))
	}
	red.add(provider.Token())
	if err := c.readToken(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkAuthURL rejects an auth URL that cannot be one, and returns it
// parsed.
func (c *Client) checkAuthURL() (*url.URL, error) {
	u, err := url.Parse(c.settings.auth.authURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, c.errorf(KindConfig, 0, nil, "%s: the auth URL %q is not an http(s) URL", c.settings.source, c.authURL)
	}
	return u, nil
}

// bounded is ctx ending at the client's deadline at the latest, with a
// deadlineError as its cause.
func (c *Client) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadlineCause(ctx, c.deadline, &deadlineError{limit: c.opts.Deadline})
}

// errorf builds an *Error whose message has been cleaned of secrets.
func (c *Client) errorf(kind Kind, status int, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Status: status, Msg: c.redact.clean(fmt.Sprintf(format, args...)), err: cause}
}

// authError explains why authentication failed.
func (c *Client) authError(err error) error {
	a := &c.settings.auth
	f := classify(err)
	where := "Keystone at " + c.authURL
	switch f.kind {
	case KindAuth:
		hint := "check the password"
		if a.isAppCred() {
			hint = "check the application credential ID and secret, and that it has not expired"
		} else if scope := c.scopeName(); scope != "" {
			hint += fmt.Sprintf(", and that the user has a role on %s", scope)
		}
		return c.errorf(KindAuth, f.status, err, "authentication failed for %s at %s: %s (%s)", a.who(), c.authURL, hint, f.detail)
	case KindForbidden:
		return c.errorf(KindAuth, f.status, err, "%s refused to authenticate %s (%s)", where, a.who(), f.detail)
	case KindUnreachable:
		return c.errorf(KindUnreachable, 0, err, "cannot reach %s: %s", where, f.detail)
	case KindTLS:
		return c.errorf(KindTLS, 0, err, "TLS failure with %s: %s; %s", where, f.detail, tlsHint)
	case KindTimeout:
		return c.errorf(KindTimeout, 0, err, "%s: %s", where, f.detail)
	case KindRedirect:
		var redirect *redirectError
		var foreign *foreignAuthError
		target := ""
		if errors.As(err, &redirect) {
			target = strings.TrimSuffix(strings.TrimSuffix(redirect.to, "/tokens"), "/auth")
		} else if errors.As(err, &foreign) {
			target = foreign.to
		}
		return c.errorf(KindRedirect, f.status, err, "%s: %s; if %s is your Keystone, make it the auth URL (%s)", where, f.detail, target, c.settings.source)
	}
	if errors.Is(err, errBodyTooLarge) {
		return c.errorf(KindServer, 0, err, "%s: %s", where, f.detail)
	}
	if errors.Is(err, ErrReadOnly) {
		return c.errorf(KindConfig, 0, err, "%s", err)
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return c.errorf(KindServer, 0, err, "%s answered something that is not Keystone's (%v): is the auth URL right? It is Keystone's URL, usually ending in /v3", where, err)
	}
	if f.status == 0 {
		// gophercloud's own checks of the options (missing domain...), or an
		// answer that is not Keystone's.
		return c.errorf(KindConfig, 0, err, "cannot authenticate %s at %s: %s", a.who(), c.authURL, f.detail)
	}
	hint := ": is the auth URL right? It is Keystone's URL, usually ending in /v3"
	if f.status >= 500 {
		hint = fmt.Sprintf(" (after %d retries)", c.tr.retries)
	}
	return c.errorf(KindServer, f.status, err, "%s answered %s%s", where, f.detail, hint)
}

// scopeName names the project (or domain) asked for, for messages.
func (c *Client) scopeName() string {
	ao := c.settings.auth.authOptions()
	if ao.Scope == nil {
		return ""
	}
	sc := ao.Scope
	switch {
	case sc.ProjectID != "":
		return "project " + sc.ProjectID
	case sc.ProjectName != "":
		return fmt.Sprintf("project %q (domain %s)", sc.ProjectName, firstNonEmpty(sc.DomainName, sc.DomainID))
	case sc.DomainName != "" || sc.DomainID != "":
		return "domain " + firstNonEmpty(sc.DomainName, sc.DomainID)
	case sc.System:
		return "the system scope"
	}
	return ""
}

// readToken takes the user, project, roles and catalog from the token and
// finds the compute and placement endpoints.
func (c *Client) readToken() error {
	result, ok := c.provider.GetAuthResult().(tokens.CreateResult)
	if !ok {
		return c.errorf(KindServer, 0, nil, "Keystone at %s did not answer with an identity v3 token: gpupass needs Keystone v3", c.authURL)
	}
	if user, err := result.ExtractUser(); err == nil && user != nil {
		c.user = firstNonEmpty(user.Name, user.ID)
	}
	if project, err := result.ExtractProject(); err == nil && project != nil {
		c.project = firstNonEmpty(project.Name, project.ID)
	}
	if roles, err := result.ExtractRoles(); err == nil {
		for _, r := range roles {
			c.roles = append(c.roles, r.Name)
		}
	}
	catalog, err := result.ExtractServiceCatalog()
	if err != nil {
		return c.errorf(KindCatalog, 0, err, "cannot read the service catalog from Keystone at %s: %v", c.authURL, err)
	}
	if len(catalog.Entries) == 0 && c.project == "" {
		return c.errorf(KindCatalog, 0, nil, "Keystone at %s gave %s an unscoped token, which has no service catalog: name a project (OS_PROJECT_NAME or OS_PROJECT_ID, project_name in clouds.yaml)", c.authURL, c.settings.auth.who())
	}
	computeURL, region, why := c.endpoint(catalog, "compute", c.settings.region)
	c.region = region
	if computeURL != "" {
		c.compute = &gophercloud.ServiceClient{ProviderClient: c.provider, Endpoint: gophercloud.NormalizeURL(computeURL), Type: "compute"}
	}
	c.computeMissing = why
	// Without a region asked for, placement is taken from compute's region
	// when it has one there, so that both describe the same hosts.
	placementURL, region, why := "", "", ""
	if c.settings.region == "" && c.region != "" {
		placementURL, region, _ = c.endpoint(catalog, "placement", c.region)
	}
	if placementURL == "" {
		placementURL, region, why = c.endpoint(catalog, "placement", c.settings.region)
	}
	c.region = firstNonEmpty(c.region, region)
	if placementURL != "" {
		c.placement = &gophercloud.ServiceClient{ProviderClient: c.provider, Endpoint: gophercloud.NormalizeURL(placementURL), Type: "placement"}
	}
	c.placementMissing = why
	if c.compute == nil {
		// No flavors without compute: nothing could be audited.
		return c.errorf(KindCatalog, 0, nil, "nothing to audit: %s", c.computeMissing)
	}
	return nil
}

// endpoint finds a service's URL in the catalog for the region and
// interface, as keystoneauth does (the first match), or says what the catalog
// offers instead.
func (c *Client) endpoint(catalog *tokens.ServiceCatalog, serviceType, region string) (endpointURL, endpointRegion, missing string) {
	iface := c.settings.iface
	var offered []string
	for _, entry := range catalog.Entries {
		if entry.Type != serviceType {
			continue
		}
		for _, ep := range entry.Endpoints {
			if ep.Interface == iface && (region == "" || ep.Region == region || ep.RegionID == region) {
				return ep.URL, firstNonEmpty(ep.Region, ep.RegionID), ""
			}
			offered = append(offered, firstNonEmpty(ep.Region, ep.RegionID, "no region")+"/"+ep.Interface)
		}
	}
	where := "interface " + iface
	if region != "" {
		where = fmt.Sprintf("region %s, interface %s", region, iface)
	}
	if len(offered) == 0 {
		return "", "", fmt.Sprintf("no %s endpoint in the catalog for %s (the catalog has no %s service at all)", serviceType, where, serviceType)
	}
	slices.Sort(offered)
	offered = slices.Compact(offered)
	return "", "", fmt.Sprintf("no %s endpoint in the catalog for %s (it has %s: check --os-region-name and --os-interface)", serviceType, where, strings.Join(offered, ", "))
}

// Warnings are what the caller should print before the report: TLS
// verification turned off, OS_* variables overriding the named cloud.
func (c *Client) Warnings() []string {
	return slices.Clone(c.warnings)
}

// isAdmin: Nova's default policy (context_is_admin) is the admin role.
func (c *Client) isAdmin() bool {
	return slices.Contains(c.roles, "admin")
}
