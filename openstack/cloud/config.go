package cloud

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"gopkg.in/yaml.v2"
)

// settings are the resolved connection settings: what Connect authenticates
// with and where it looks in the catalog.
type settings struct {
	// source says where the settings came from, for messages:
	// `cloud "prod" (/home/u/.config/openstack/clouds.yaml)` or
	// "the OS_* environment variables".
	source    string
	cloudName string
	// cloudsFile and secureFile are the files read ("" when none).
	cloudsFile, secureFile string
	auth                   authConfig
	region                 string
	iface                  string // public | internal | admin
	tlsConfig              *tls.Config
	// insecureFrom names what turned TLS verification off ("" when on).
	insecureFrom string
	// envOverrides lists the OS_* variables that replaced values of the named
	// cloud, as the OpenStack CLI lets them.
	envOverrides []string
}

// authConfig is the authentication part of the settings, in the terms of
// clouds.yaml's auth: section.
type authConfig struct {
	authURL                            string
	authType                           string
	username, userID, password         string
	userDomainName, userDomainID       string
	projectName, projectID             string
	projectDomainName, projectDomainID string
	domainName, domainID               string // fallback for both, and domain scope
	defaultDomain                      string
	appCredID, appCredName, appSecret  string
	systemScope                        bool
	trustID                            string
}

// The auth types Connect supports, with the names keystoneauth and the
// OpenStack CLI accept for them.
var (
	passwordAuthTypes = []string{"password", "v3password"}
	appCredAuthTypes  = []string{"v3applicationcredential", "applicationcredential", "application_credential"}
)

// standardConfigDirs are the OpenStack CLI's (openstacksdk's) search places for
// clouds.yaml and secure.yaml: the current directory, the user's config
// directory, the system one.
func standardConfigDirs(getenv func(string) string) []string {
	dirs := []string{"."}
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" {
		dirs = append(dirs, filepath.Join(xdg, "openstack"))
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home != "" {
		dirs = append(dirs, filepath.Join(home, ".config", "openstack"))
	}
	dirs = append(dirs, "/etc/openstack")
	return slices.Compact(dirs)
}

// candidates lists the files to try, in order: the override variable's file
// first (as openstacksdk inserts it), then base.yaml, base.yml and base.json
// in each directory.
func candidates(override string, dirs []string, base string) []string {
	var files []string
	if override != "" {
		files = append(files, override)
	}
	for _, dir := range dirs {
		for _, ext := range []string{".yaml", ".yml", ".json"} {
			files = append(files, filepath.Join(dir, base+ext))
		}
	}
	return files
}

// firstExisting reads the first file of the list that exists. A file that
// exists but cannot be read is an error, not a reason to look further: the
// operator meant that file.
func firstExisting(files []string) (path string, data []byte, err error) {
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			return f, data, nil
		}
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		return f, nil, err
	}
	return "", nil, nil
}

// yamlValue matches the quoted values yaml.v2 puts in its error messages
// ("cannot unmarshal !!str `hunter2` into bool"), which could be secrets.
var yamlValue = regexp.MustCompile("`[^`]*`")

func yamlError(file string, err error) error {
	return &Error{Kind: KindConfig, Msg: fmt.Sprintf("cannot parse %s: %s", file, oneLine(yamlValue.ReplaceAllString(err.Error(), "`…`")))}
}

// oneLine joins a multi-line message (yaml.v2 lists its errors on lines of
// their own).
func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.ReplaceAll(strings.Join(lines, " "), ": :", ":")
}

// resolve works out the connection settings from the options, the
// environment and clouds.yaml / secure.yaml, with the OpenStack CLI's
// precedence: flags, then OS_* variables, then the named cloud's entry.
func resolve(o Options) (*settings, error) {
	getenv := o.Getenv
	dirs := o.ConfigDirs
	if dirs == nil {
		dirs = standardConfigDirs(getenv)
	}
	cloudFiles := candidates(getenv("OS_CLIENT_CONFIG_FILE"), dirs, "clouds")
	secureFiles := candidates(getenv("OS_CLIENT_SECURE_FILE"), dirs, "secure")

	s := &settings{}
	cloudName := o.Cloud
	if cloudName == "" {
		cloudName = getenv("OS_CLOUD")
	}
	if cloudName != "" {
		if err := s.fromCloudsYAML(o, cloudName, cloudFiles, secureFiles, dirs); err != nil {
			return nil, err
		}
	} else {
		if getenv("OS_AUTH_URL") == "" {
			return nil, noCloudError(cloudFiles)
		}
		s.source = "the OS_* environment variables"
	}
	s.applyEnv(getenv, cloudName != "")
	if err := s.applyFlags(o, getenv, cloudName == ""); err != nil {
		return nil, err
	}
	if err := s.auth.check(s.source); err != nil {
		return nil, err
	}
	return s, nil
}

// noCloudError explains that neither a cloud nor OS_AUTH_URL was given, and
// lists the clouds of the clouds.yaml found, if any.
func noCloudError(cloudFiles []string) error {
	msg := "no cloud to connect to: name one with --os-cloud or OS_CLOUD, or set OS_AUTH_URL and the other OS_* variables (source an openrc file)"
	path, data, err := firstExisting(cloudFiles)
	if err == nil && path != "" {
		var c clouds.Clouds
		if yaml.Unmarshal(data, &c) == nil && len(c.Clouds) > 0 {
			msg += fmt.Sprintf("; %s has the clouds %s", path, strings.Join(sortedKeys(c.Clouds), ", "))
		}
	}
	return &Error{Kind: KindConfig, Msg: msg}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fromCloudsYAML fills the settings from the named cloud. gophercloud's
// clouds.Parse does the merging (secure.yaml over clouds.yaml, a profile from
// clouds-public.yaml) and the TLS set-up; the files are found here, because
// Parse searches its own fixed places with os.Getenv and takes secure.yaml
// only from clouds.yaml's directory, where openstacksdk searches for it
// independently (and honours OS_CLIENT_SECURE_FILE).
func (s *settings) fromCloudsYAML(o Options, name string, cloudFiles, secureFiles, dirs []string) error {
	getenv := o.Getenv
	path, data, err := firstExisting(cloudFiles)
	if err != nil {
		return &Error{Kind: KindConfig, Msg: fmt.Sprintf("cannot read %s: %v", path, err), err: err}
	}
	if path == "" {
		return &Error{Kind: KindConfig, Msg: fmt.Sprintf("cloud %q: no clouds.yaml found (searched %s)", name, strings.Join(cloudFiles, ", "))}
	}
	s.cloudName, s.cloudsFile = name, path
	s.source = fmt.Sprintf("cloud %q (%s)", name, path)

	var all clouds.Clouds
	if err := yaml.Unmarshal(data, &all); err != nil {
		return yamlError(path, err)
	}
	entry, ok := all.Clouds[name]
	if !ok {
		msg := fmt.Sprintf("cloud %q is not in %s", name, path)
		if len(all.Clouds) > 0 {
			msg += fmt.Sprintf(" (it has %s)", strings.Join(sortedKeys(all.Clouds), ", "))
		} else {
			msg += " (it has no clouds: section)"
		}
		return &Error{Kind: KindConfig, Msg: msg}
	}

	parseOpts := []clouds.ParseOption{
		clouds.WithCloudName(name),
		clouds.WithCloudsYAML(bytes.NewReader(data)),
		clouds.WithPublicLocations(candidates("", dirs, "clouds-public")...),
		// Parse would read OS_REGION_NAME and OS_INTERFACE with os.Getenv;
		// they are applied after it, from the injected environment.
		clouds.WithRegion(""), clouds.WithEndpointType(""),
	}
	securePath, secureData, err := firstExisting(secureFiles)
	if err != nil {
		return &Error{Kind: KindConfig, Msg: fmt.Sprintf("cannot read %s: %v", securePath, err), err: err}
	}
	if securePath != "" {
		var sec clouds.Clouds
		if err := yaml.Unmarshal(secureData, &sec); err != nil {
			return yamlError(securePath, err)
		}
		s.secureFile = securePath
		parseOpts = append(parseOpts, clouds.WithSecureYAML(bytes.NewReader(secureData)))
	}
	caCert := firstNonEmpty(o.CACert, getenv("OS_CACERT"))
	if caCert != "" {
		parseOpts = append(parseOpts, clouds.WithCACertPath(caCert))
	}
	if o.Insecure || envBool(getenv("OS_INSECURE")) {
		parseOpts = append(parseOpts, clouds.WithInsecure(true))
	}
	ao, eo, tlsConfig, err := clouds.Parse(parseOpts...)
	if err != nil {
		return &Error{Kind: KindConfig, Msg: fmt.Sprintf("%s: %s", s.source, yamlValue.ReplaceAllString(err.Error(), "`…`")), err: err}
	}

	a := authConfig{
		authURL:        ao.IdentityEndpoint,
		username:       ao.Username,
		userID:         ao.UserID,
		password:       ao.Password,
		userDomainName: ao.DomainName,
		userDomainID:   ao.DomainID,
		appCredID:      ao.ApplicationCredentialID,
		appCredName:    ao.ApplicationCredentialName,
		appSecret:      ao.ApplicationCredentialSecret,
		authType:       string(entry.AuthType),
	}
	if entry.AuthInfo != nil {
		a.defaultDomain = entry.AuthInfo.DefaultDomain
		a.domainName, a.domainID = entry.AuthInfo.DomainName, entry.AuthInfo.DomainID
	}
	if sc := ao.Scope; sc != nil {
		a.projectName, a.projectID = sc.ProjectName, sc.ProjectID
		a.systemScope, a.trustID = sc.System, sc.TrustID
		if sc.ProjectName != "" {
			a.projectDomainName, a.projectDomainID = sc.DomainName, sc.DomainID
		}
	}
	if ao.TokenID != "" {
		a.authType = firstNonEmpty(a.authType, "token")
	}
	s.auth = a
	s.region = eo.Region
	if s.region == "" && len(entry.Regions) > 0 {
		// openstacksdk takes the first of a cloud's regions: list.
		s.region = entry.Regions[0].Name
	}
	s.iface = firstNonEmpty(entry.EndpointType, entry.Interface)
	s.tlsConfig = tlsConfig
	if tlsConfig != nil && tlsConfig.InsecureSkipVerify {
		switch {
		case o.Insecure:
			s.insecureFrom = "--insecure"
		case envBool(getenv("OS_INSECURE")):
			s.insecureFrom = "OS_INSECURE"
		default:
			s.insecureFrom = fmt.Sprintf("verify: false in %s", path)
		}
	}
	return nil
}

// envVar maps an OS_* variable to the auth field it sets.
type envVar struct {
	names []string // the variable and its older aliases, first found wins
	field func(*authConfig) *string
}

var authEnvVars = []envVar{
	{[]string{"OS_AUTH_URL"}, func(a *authConfig) *string { return &a.authURL }},
	{[]string{"OS_AUTH_TYPE"}, func(a *authConfig) *string { return &a.authType }},
	{[]string{"OS_USERNAME"}, func(a *authConfig) *string { return &a.username }},
	{[]string{"OS_USER_ID"}, func(a *authConfig) *string { return &a.userID }},
	{[]string{"OS_PASSWORD"}, func(a *authConfig) *string { return &a.password }},
	{[]string{"OS_USER_DOMAIN_NAME"}, func(a *authConfig) *string { return &a.userDomainName }},
	{[]string{"OS_USER_DOMAIN_ID"}, func(a *authConfig) *string { return &a.userDomainID }},
	{[]string{"OS_PROJECT_NAME", "OS_TENANT_NAME"}, func(a *authConfig) *string { return &a.projectName }},
	{[]string{"OS_PROJECT_ID", "OS_TENANT_ID"}, func(a *authConfig) *string { return &a.projectID }},
	{[]string{"OS_PROJECT_DOMAIN_NAME"}, func(a *authConfig) *string { return &a.projectDomainName }},
	{[]string{"OS_PROJECT_DOMAIN_ID"}, func(a *authConfig) *string { return &a.projectDomainID }},
	{[]string{"OS_DOMAIN_NAME"}, func(a *authConfig) *string { return &a.domainName }},
	{[]string{"OS_DOMAIN_ID"}, func(a *authConfig) *string { return &a.domainID }},
	{[]string{"OS_DEFAULT_DOMAIN", "OS_DEFAULT_DOMAIN_ID"}, func(a *authConfig) *string { return &a.defaultDomain }},
	{[]string{"OS_APPLICATION_CREDENTIAL_ID"}, func(a *authConfig) *string { return &a.appCredID }},
	{[]string{"OS_APPLICATION_CREDENTIAL_NAME"}, func(a *authConfig) *string { return &a.appCredName }},
	{[]string{"OS_APPLICATION_CREDENTIAL_SECRET"}, func(a *authConfig) *string { return &a.appSecret }},
}

// applyEnv lays the OS_* variables over the settings. With a named cloud they
// override its entry, as in the OpenStack CLI, where they are the defaults of
// the --os-* options; the ones that did are recorded for a warning.
func (s *settings) applyEnv(getenv func(string) string, named bool) {
	for _, v := range authEnvVars {
		for _, name := range v.names {
			value := getenv(name)
			if value == "" {
				continue
			}
			field := v.field(&s.auth)
			if named && *field != value {
				s.envOverrides = append(s.envOverrides, name)
			}
			*field = value
			break
		}
	}
	if r := getenv("OS_REGION_NAME"); r != "" {
		if named && s.region != r {
			s.envOverrides = append(s.envOverrides, "OS_REGION_NAME")
		}
		s.region = r
	}
	if i := firstNonEmpty(getenv("OS_INTERFACE"), getenv("OS_ENDPOINT_TYPE")); i != "" {
		s.iface = i
	}
}

// applyFlags lays the flags over everything, normalises the interface and,
// for the environment path, sets up TLS (the clouds.yaml path had Parse do it).
func (s *settings) applyFlags(o Options, getenv func(string) string, fromEnv bool) error {
	if o.RegionName != "" {
		s.region = o.RegionName
	}
	iface, err := normalInterface(firstNonEmpty(o.Interface, s.iface))
	if err != nil {
		return err
	}
	s.iface = iface
	if !fromEnv {
		return nil
	}
	s.tlsConfig = &tls.Config{}
	if caCert := firstNonEmpty(o.CACert, getenv("OS_CACERT")); caCert != "" {
		pool, err := loadCACert(caCert)
		if err != nil {
			return err
		}
		s.tlsConfig.RootCAs = pool
	}
	if certFile, keyFile := getenv("OS_CERT"), getenv("OS_KEY"); certFile != "" && keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return &Error{Kind: KindConfig, Msg: fmt.Sprintf("cannot load the client certificate OS_CERT=%s / OS_KEY=%s: %v", certFile, keyFile, err), err: err}
		}
		s.tlsConfig.Certificates = []tls.Certificate{cert}
	}
	switch {
	case o.Insecure:
		s.insecureFrom = "--insecure"
	case envBool(getenv("OS_INSECURE")):
		s.insecureFrom = "OS_INSECURE"
	}
	s.tlsConfig.InsecureSkipVerify = s.insecureFrom != ""
	return nil
}

func loadCACert(path string) (*x509.CertPool, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Kind: KindConfig, Msg: fmt.Sprintf("cannot read the CA certificate file: %v", err), err: err}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bytes.TrimSpace(data)) {
		return nil, &Error{Kind: KindConfig, Msg: fmt.Sprintf("%s holds no PEM certificate (--os-cacert / OS_CACERT wants a PEM CA bundle)", path)}
	}
	return pool, nil
}

// normalInterface accepts the interface names keystoneauth accepts.
func normalInterface(iface string) (string, error) {
	switch strings.ToLower(iface) {
	case "", "public", "publicurl":
		return "public", nil
	case "internal", "internalurl":
		return "internal", nil
	case "admin", "adminurl":
		return "admin", nil
	}
	return "", &Error{Kind: KindConfig, Msg: fmt.Sprintf("unknown interface %q: use public, internal or admin (--os-interface, OS_INTERFACE)", iface)}
}

func envBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "y", "t":
		return true
	}
	return false
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// isAppCred says whether the settings ask for application-credential auth.
func (a *authConfig) isAppCred() bool {
	if a.authType != "" {
		return slices.Contains(appCredAuthTypes, strings.ToLower(a.authType))
	}
	return (a.appCredID != "" || a.appCredName != "") && a.password == ""
}

// check rejects settings Keystone would refuse anyway, with a clearer
// message than its 400 or 401.
func (a *authConfig) check(source string) error {
	fail := func(format string, args ...any) error {
		return &Error{Kind: KindConfig, Msg: source + ": " + fmt.Sprintf(format, args...)}
	}
	if a.authURL == "" {
		return fail("no auth URL (auth_url in clouds.yaml, OS_AUTH_URL)")
	}
	if t := strings.ToLower(a.authType); t != "" && !slices.Contains(passwordAuthTypes, t) && !slices.Contains(appCredAuthTypes, t) {
		return fail("auth type %q is not supported: use password or v3applicationcredential", a.authType)
	}
	if a.isAppCred() {
		if a.appCredID == "" && a.appCredName == "" {
			return fail("application-credential auth without an application credential ID or name (OS_APPLICATION_CREDENTIAL_ID)")
		}
		if a.appSecret == "" {
			return fail("application credential without its secret (OS_APPLICATION_CREDENTIAL_SECRET, or application_credential_secret in secure.yaml)")
		}
		if a.appCredID == "" && a.username == "" && a.userID == "" {
			return fail("an application credential given by name needs the user's name or ID (OS_USERNAME, OS_USER_ID)")
		}
		return nil
	}
	if a.username == "" && a.userID == "" {
		return fail("no user name or ID (OS_USERNAME, OS_USER_ID, username in clouds.yaml)")
	}
	if a.password == "" {
		return fail("no password for user %s (OS_PASSWORD, or password in clouds.yaml / secure.yaml)", firstNonEmpty(a.username, a.userID))
	}
	return nil
}

// authOptions turns the settings into gophercloud's AuthOptions, resolving
// domains the way the OpenStack CLI does: user and project domains fall back
// to OS_DOMAIN_*, then to the default domain (OS_DEFAULT_DOMAIN, "default").
// gophercloud's own AuthOptionsFromEnv ignores OS_USER_DOMAIN_NAME and
// OS_PROJECT_DOMAIN_NAME, which is why the environment is read here.
func (a *authConfig) authOptions() gophercloud.AuthOptions {
	ao := gophercloud.AuthOptions{IdentityEndpoint: a.authURL}
	defaultDomain := firstNonEmpty(a.defaultDomain, "default")
	if a.isAppCred() {
		ao.ApplicationCredentialID = a.appCredID
		ao.ApplicationCredentialSecret = a.appSecret
		if a.appCredID == "" {
			ao.ApplicationCredentialName = a.appCredName
			ao.UserID = a.userID
			if a.userID == "" {
				ao.Username = a.username
				ao.DomainID, ao.DomainName = userDomain(a, defaultDomain)
			}
		}
		return ao
	}
	ao.Password = a.password
	if a.userID != "" {
		// Keystone needs no domain with a user ID, and gophercloud refuses one.
		ao.UserID = a.userID
	} else {
		ao.Username = a.username
		ao.DomainID, ao.DomainName = userDomain(a, defaultDomain)
	}
	scope := &gophercloud.AuthScope{}
	switch {
	case a.trustID != "":
		scope.TrustID = a.trustID
	case a.systemScope:
		scope.System = true
	case a.projectID != "":
		scope.ProjectID = a.projectID
	case a.projectName != "":
		scope.ProjectName = a.projectName
		switch {
		case a.projectDomainID != "":
			scope.DomainID = a.projectDomainID
		case a.projectDomainName != "":
			scope.DomainName = a.projectDomainName
		case a.domainID != "":
			scope.DomainID = a.domainID
		case a.domainName != "":
			scope.DomainName = a.domainName
		default:
			scope.DomainID = defaultDomain
		}
	case a.domainID != "":
		scope.DomainID = a.domainID
	case a.domainName != "":
		scope.DomainName = a.domainName
	}
	if *scope != (gophercloud.AuthScope{}) {
		ao.Scope = scope
	}
	return ao
}

// userDomain is the user's domain as (id, name), one of them set.
func userDomain(a *authConfig, defaultDomain string) (id, name string) {
	switch {
	case a.userDomainID != "":
		return a.userDomainID, ""
	case a.userDomainName != "":
		return "", a.userDomainName
	case a.domainID != "":
		return a.domainID, ""
	case a.domainName != "":
		return "", a.domainName
	}
	return defaultDomain, ""
}

// who names the credentials for messages: a user or an application
// credential, never a secret.
func (a *authConfig) who() string {
	if a.isAppCred() {
		if a.appCredID != "" {
			return fmt.Sprintf("application credential %s", a.appCredID)
		}
		return fmt.Sprintf("application credential %q of user %s", a.appCredName, firstNonEmpty(a.username, a.userID))
	}
	if a.userID != "" {
		return "user " + a.userID
	}
	id, name := userDomain(a, firstNonEmpty(a.defaultDomain, "default"))
	return fmt.Sprintf("user %q (domain %s)", a.username, firstNonEmpty(name, id))
}
