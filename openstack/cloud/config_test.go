package cloud

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// cloudsYAML is a clouds.yaml with the fake cloud as "prod" (no password:
// that is in secure.yaml) and another cloud.
func cloudsYAML(fc *fakeCloud) string {
	return `clouds:
  prod:
    auth:
      auth_url: ` + fc.authURL() + `
      username: admin
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
  staging:
    auth:
      auth_url: http://staging.invalid:5000/v3
      username: someone
      password: staging-pw
`
}

const secureYAML = `clouds:
  prod:
    auth:
      password: secret
`

// authBody digs into the last authentication request.
func authField(fc *fakeCloud, keys ...string) any {
	return dig(fc.lastAuth(), append([]string{"auth"}, keys...)...)
}

// TestCloudsYAML: clouds.yaml and secure.yaml in a config dir, merged, the
// cloud picked by OS_CLOUD, or by --os-cloud over OS_CLOUD.
func TestCloudsYAML(t *testing.T) {
	fc := newFakeCloud(t)
	dir := t.TempDir()
	writeFile(t, dir, "clouds.yaml", cloudsYAML(fc))
	writeFile(t, dir, "secure.yaml", secureYAML)

	for name, tc := range map[string]struct {
		env   map[string]string
		cloud string
	}{
		"OS_CLOUD":            {env: map[string]string{"OS_CLOUD": "prod"}},
		"--os-cloud":          {env: map[string]string{}, cloud: "prod"},
		"--os-cloud over env": {env: map[string]string{"OS_CLOUD": "staging"}, cloud: "prod"},
	} {
		t.Run(name, func(t *testing.T) {
			opts := options(t, tc.env)
			opts.Cloud = tc.cloud
			opts.ConfigDirs = []string{t.TempDir(), dir}
			snap := fetchAll(t, opts)
			if snap.User != "admin" || snap.Region != "RegionOne" || len(snap.Flavors) != 3 {
				t.Errorf("snapshot user %q region %q, %d flavors", snap.User, snap.Region, len(snap.Flavors))
			}
			if got := authField(fc, "identity", "password", "user", "password"); got != "secret" {
				t.Errorf("password sent %v, want the one from secure.yaml", got)
			}
		})
	}

	// clouds.yml is found as well.
	ymlDir := t.TempDir()
	writeFile(t, ymlDir, "clouds.yml", cloudsYAML(fc))
	writeFile(t, ymlDir, "secure.yml", secureYAML)
	opts := options(t, map[string]string{"OS_CLOUD": "prod"})
	opts.ConfigDirs = []string{ymlDir}
	connect(t, opts)
}

// TestClientConfigFile: OS_CLIENT_CONFIG_FILE is tried first; secure.yaml is
// searched in the standard places, as openstacksdk does, or named by
// OS_CLIENT_SECURE_FILE.
func TestClientConfigFile(t *testing.T) {
	fc := newFakeCloud(t)
	elsewhere := writeFile(t, t.TempDir(), "my-clouds.yaml", cloudsYAML(fc))
	decoy := t.TempDir()
	writeFile(t, decoy, "clouds.yaml", "clouds:\n  other: {}\n")
	secureDir := t.TempDir()
	writeFile(t, secureDir, "secure.yaml", secureYAML)

	opts := options(t, map[string]string{"OS_CLIENT_CONFIG_FILE": elsewhere, "OS_CLOUD": "prod"})
	opts.ConfigDirs = []string{decoy, secureDir}
	connect(t, opts)

	secureFile := writeFile(t, t.TempDir(), "s.yaml", secureYAML)
	opts = options(t, map[string]string{"OS_CLIENT_CONFIG_FILE": elsewhere, "OS_CLIENT_SECURE_FILE": secureFile, "OS_CLOUD": "prod"})
	connect(t, opts)
}

func TestCloudsYAMLErrors(t *testing.T) {
	fc := newFakeCloud(t)
	dir := t.TempDir()
	cloudsFile := writeFile(t, dir, "clouds.yaml", cloudsYAML(fc))
	opts := options(t, map[string]string{"OS_CLOUD": "prdo"})
	opts.ConfigDirs = []string{dir}
	_, err := Connect(context.Background(), opts)
	wantError(t, err, KindConfig, `cloud "prdo" is not in `+cloudsFile+" (it has prod, staging)")

	empty := t.TempDir()
	opts = options(t, map[string]string{"OS_CLOUD": "prod"})
	opts.ConfigDirs = []string{empty}
	_, err = Connect(context.Background(), opts)
	wantError(t, err, KindConfig, `cloud "prod": no clouds.yaml found (searched `+filepath.Join(empty, "clouds.yaml"))

	// Neither a cloud nor OS_AUTH_URL: say how to give one, and which
	// clouds there are.
	opts = options(t, map[string]string{})
	opts.ConfigDirs = []string{dir}
	_, err = Connect(context.Background(), opts)
	wantError(t, err, KindConfig, "no cloud to connect to", "--os-cloud", "OS_AUTH_URL", cloudsFile+" has the clouds prod, staging")

	// No password anywhere (no secure.yaml).
	opts = options(t, map[string]string{"OS_CLOUD": "prod"})
	opts.ConfigDirs = []string{dir}
	_, err = Connect(context.Background(), opts)
	wantError(t, err, KindConfig, "no password for user admin")

	// Broken YAML.
	bad := t.TempDir()
	writeFile(t, bad, "clouds.yaml", "clouds:\n  prod:\n    auth: [\n")
	opts = options(t, map[string]string{"OS_CLOUD": "prod"})
	opts.ConfigDirs = []string{bad}
	_, err = Connect(context.Background(), opts)
	wantError(t, err, KindConfig, "cannot parse "+filepath.Join(bad, "clouds.yaml"))

	// Unsupported auth type.
	env := fc.env()
	env["OS_AUTH_TYPE"] = "v3oidcpassword"
	_, err = Connect(context.Background(), options(t, env))
	wantError(t, err, KindConfig, `auth type "v3oidcpassword" is not supported`)

	// Bad interface.
	opts = options(t, fc.env())
	opts.Interface = "private"
	_, err = Connect(context.Background(), opts)
	wantError(t, err, KindConfig, `unknown interface "private"`)
}

// TestEnvDomains: the plain OS_* variables with user and project domains by
// name, which gophercloud's AuthOptionsFromEnv ignores.
func TestEnvDomains(t *testing.T) {
	fc := newFakeCloud(t)
	for name, tc := range map[string]struct {
		env                      map[string]string
		userDomain, projectScope map[string]any
	}{
		"user and project domain names": {
			env:          map[string]string{"OS_USER_DOMAIN_NAME": "Corp", "OS_PROJECT_DOMAIN_NAME": "Projects"},
			userDomain:   map[string]any{"name": "Corp"},
			projectScope: map[string]any{"name": "admin", "domain": map[string]any{"name": "Projects"}},
		},
		"domain IDs": {
			env:          map[string]string{"OS_USER_DOMAIN_ID": "u-dom", "OS_PROJECT_DOMAIN_ID": "p-dom"},
			userDomain:   map[string]any{"id": "u-dom"},
			projectScope: map[string]any{"name": "admin", "domain": map[string]any{"id": "p-dom"}},
		},
		"OS_DOMAIN_NAME for both": {
			env:          map[string]string{"OS_DOMAIN_NAME": "Corp"},
			userDomain:   map[string]any{"name": "Corp"},
			projectScope: map[string]any{"name": "admin", "domain": map[string]any{"name": "Corp"}},
		},
		"the default domain": {
			env:          map[string]string{},
			userDomain:   map[string]any{"id": "default"},
			projectScope: map[string]any{"name": "admin", "domain": map[string]any{"id": "default"}},
		},
		"OS_TENANT_NAME": {
			env:          map[string]string{"OS_TENANT_NAME": "admin", "OS_PROJECT_NAME": ""},
			userDomain:   map[string]any{"id": "default"},
			projectScope: map[string]any{"name": "admin", "domain": map[string]any{"id": "default"}},
		},
		"project ID": {
			env:          map[string]string{"OS_PROJECT_ID": "bed654548a7341a1b1bd097fa486d6d3", "OS_PROJECT_NAME": ""},
			userDomain:   map[string]any{"id": "default"},
			projectScope: map[string]any{"id": "bed654548a7341a1b1bd097fa486d6d3"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"OS_AUTH_URL": fc.authURL(), "OS_USERNAME": "admin", "OS_PASSWORD": "secret", "OS_PROJECT_NAME": "admin"}
			for k, v := range tc.env {
				env[k] = v
			}
			connect(t, options(t, env))
			if got := authField(fc, "identity", "password", "user", "domain"); !jsonEqual(got, tc.userDomain) {
				t.Errorf("user domain %v, want %v", got, tc.userDomain)
			}
			if got := authField(fc, "scope", "project"); !jsonEqual(got, tc.projectScope) {
				t.Errorf("project scope %v, want %v", got, tc.projectScope)
			}
		})
	}

	// A user ID needs no domain (and gophercloud would refuse one).
	connect(t, options(t, map[string]string{"OS_AUTH_URL": fc.authURL(), "OS_USER_ID": "44872667cc814844a29758441f31c744",
		"OS_USER_DOMAIN_NAME": "Default", "OS_PASSWORD": "secret", "OS_PROJECT_ID": "p"}))
	if user := authField(fc, "identity", "password", "user"); dig(user, "domain") != nil || dig(user, "id") != "44872667cc814844a29758441f31c744" {
		t.Errorf("user %v", user)
	}
}

func mustJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func jsonEqual(a, b any) bool {
	return strings.TrimSpace(mustJSON(a)) == strings.TrimSpace(mustJSON(b))
}

// TestApplicationCredential: by ID from the environment, by name with its
// user, and from clouds.yaml with the secret in secure.yaml.
func TestApplicationCredential(t *testing.T) {
	fc := newFakeCloud(t)
	fc.appCreds["ac-1234"] = "ac-secret-1"
	fc.appCreds["name:audit"] = "ac-secret-2"

	env := map[string]string{"OS_AUTH_URL": fc.authURL(), "OS_AUTH_TYPE": "v3applicationcredential",
		"OS_APPLICATION_CREDENTIAL_ID": "ac-1234", "OS_APPLICATION_CREDENTIAL_SECRET": "ac-secret-1",
		"OS_PROJECT_NAME": "ignored"} // application credentials carry their own scope
	snap := fetchAll(t, options(t, env))
	if len(snap.Flavors) != 3 {
		t.Errorf("%d flavors", len(snap.Flavors))
	}
	want := map[string]any{"id": "ac-1234", "secret": "ac-secret-1"}
	if got := authField(fc, "identity", "application_credential"); !jsonEqual(got, want) {
		t.Errorf("application credential sent %v, want %v", got, want)
	}
	if authField(fc, "scope") != nil || !jsonEqual(authField(fc, "identity", "methods"), []any{"application_credential"}) {
		t.Errorf("auth %v", fc.lastAuth())
	}

	env = map[string]string{"OS_AUTH_URL": fc.authURL(), "OS_APPLICATION_CREDENTIAL_NAME": "audit",
		"OS_APPLICATION_CREDENTIAL_SECRET": "ac-secret-2", "OS_USERNAME": "admin", "OS_USER_DOMAIN_NAME": "Default"}
	connect(t, options(t, env))
	want = map[string]any{"name": "audit", "secret": "ac-secret-2", "user": map[string]any{"name": "admin", "domain": map[string]any{"name": "Default"}}}
	if got := authField(fc, "identity", "application_credential"); !jsonEqual(got, want) {
		t.Errorf("application credential sent %v, want %v", got, want)
	}

	dir := t.TempDir()
	writeFile(t, dir, "clouds.yaml", "clouds:\n  ac:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: "+fc.authURL()+"\n      application_credential_id: ac-1234\n")
	writeFile(t, dir, "secure.yaml", "clouds:\n  ac:\n    auth:\n      application_credential_secret: ac-secret-1\n")
	opts := options(t, map[string]string{"OS_CLOUD": "ac"})
	opts.ConfigDirs = []string{dir}
	connect(t, opts)

	// A wrong secret.
	env["OS_APPLICATION_CREDENTIAL_SECRET"] = "ac-wrong-secret"
	_, err := Connect(context.Background(), options(t, env))
	e := wantError(t, err, KindAuth, `authentication failed for application credential "audit" of user admin`, "check the application credential ID and secret")
	if strings.Contains(e.Error(), "ac-wrong-secret") {
		t.Errorf("the secret is in the error: %v", e)
	}

	// No secret.
	delete(env, "OS_APPLICATION_CREDENTIAL_SECRET")
	_, err = Connect(context.Background(), options(t, env))
	wantError(t, err, KindConfig, "application credential without its secret")
}

// TestPrecedence: flags over OS_* over the named cloud, with a warning for the
// variables that replaced the cloud's values.
func TestPrecedence(t *testing.T) {
	fc := newFakeCloud(t)
	fc.users["auditor"] = "auditor-pw"
	dir := t.TempDir()
	writeFile(t, dir, "clouds.yaml", cloudsYAML(fc))
	writeFile(t, dir, "secure.yaml", secureYAML)
	opts := options(t, map[string]string{"OS_CLOUD": "prod", "OS_USERNAME": "auditor", "OS_PASSWORD": "auditor-pw", "OS_REGION_NAME": "RegionTwo", "OS_INTERFACE": "admin"})
	opts.ConfigDirs = []string{dir}
	opts.RegionName = "RegionOne"
	opts.Interface = "internalURL"
	client := connect(t, opts)
	if got := authField(fc, "identity", "password", "user", "name"); got != "auditor" {
		t.Errorf("user %v, want auditor from OS_USERNAME", got)
	}
	if client.settings.region != "RegionOne" || client.settings.iface != "internal" {
		t.Errorf("region %q interface %q, want the flags' RegionOne and internal", client.settings.region, client.settings.iface)
	}
	warnings := strings.Join(client.Warnings(), "\n")
	if !strings.Contains(warnings, "OS_USERNAME, OS_PASSWORD, OS_REGION_NAME from the environment override cloud \"prod\"") || strings.Contains(warnings, "auditor-pw") {
		t.Errorf("warnings %q", warnings)
	}
}

// TestUnversionedAuthURL: an auth URL without /v3 costs a version discovery.
func TestUnversionedAuthURL(t *testing.T) {
	fc := newFakeCloud(t)
	env := fc.env()
	env["OS_AUTH_URL"] = fc.URL() + "/identity"
	snap := fetchAll(t, options(t, env))
	if snap.Requests.Identity != 2 {
		t.Errorf("%d identity requests, want 2 (versions, token)", snap.Requests.Identity)
	}
}

// TestTLS: an unknown CA fails with a hint; --os-cacert, OS_CACERT or cacert
// in clouds.yaml fix it; --insecure, OS_INSECURE and verify: false work and
// are warned about.
func TestTLS(t *testing.T) {
	fc := newFakeCloudTLS(t)
	caFile := writeFile(t, t.TempDir(), "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: fc.srv.Certificate().Raw})))

	_, err := Connect(context.Background(), options(t, fc.env()))
	wantError(t, err, KindTLS, "TLS failure with Keystone at "+fc.authURL(), "x509", "--os-cacert")

	opts := options(t, fc.env())
	opts.CACert = caFile
	if client := connect(t, opts); len(client.Warnings()) != 0 {
		t.Errorf("warnings %q", client.Warnings())
	}

	env := fc.env()
	env["OS_CACERT"] = caFile
	fetchAll(t, options(t, env))

	opts = options(t, fc.env())
	opts.Insecure = true
	client := connect(t, opts)
	if w := client.Warnings(); len(w) != 1 || !strings.Contains(w[0], "TLS certificate verification is off (--insecure)") {
		t.Errorf("warnings %q", w)
	}

	env = fc.env()
	env["OS_INSECURE"] = "true"
	client = connect(t, options(t, env))
	if w := client.Warnings(); len(w) != 1 || !strings.Contains(w[0], "(OS_INSECURE)") {
		t.Errorf("warnings %q", w)
	}

	dir := t.TempDir()
	cloudsFile := writeFile(t, dir, "clouds.yaml", strings.Replace(cloudsYAML(fc), "    interface: public\n", "    interface: public\n    verify: false\n", 1))
	writeFile(t, dir, "secure.yaml", secureYAML)
	opts = options(t, map[string]string{"OS_CLOUD": "prod"})
	opts.ConfigDirs = []string{dir}
	client = connect(t, opts)
	if w := client.Warnings(); len(w) != 1 || !strings.Contains(w[0], "verify: false in "+cloudsFile) {
		t.Errorf("warnings %q", w)
	}

	writeFile(t, dir, "clouds.yaml", strings.Replace(cloudsYAML(fc), "    interface: public\n", "    interface: public\n    cacert: "+caFile+"\n", 1))
	connect(t, opts)

	// A CA file that is not one.
	opts = options(t, fc.env())
	opts.CACert = writeFile(t, t.TempDir(), "junk.pem", "not a certificate")
	_, err = Connect(context.Background(), opts)
	wantError(t, err, KindConfig, "holds no PEM certificate")
}
