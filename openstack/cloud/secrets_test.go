package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Distinctive secrets: none of them may appear in any error, gap, warning,
// debug line or snapshot.
const (
	canaryPassword  = "pw-canary-8c1f2e"
	canaryAppSecret = "as-canary-2b7d90"
)

var canaries = []string{canaryPassword, canaryAppSecret, fakeToken}

// echoBody answers with an error that quotes the whole request, body and
// token header included, as a careless server might.
func echoBody(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		msg := fmt.Sprintf("cannot handle %s with token %s: %s", r.URL, r.Header.Get("X-Auth-Token"), body)
		data, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg}})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(data)
	}
}

// TestNoSecretsAnywhere runs the success and failure paths with canary
// secrets and searches every string that leaves the package for them.
func TestNoSecretsAnywhere(t *testing.T) {
	var outputs []string // everything that left the package
	var debugs []*bytes.Buffer
	run := func(name string, opts Options) {
		t.Helper()
		debug := &bytes.Buffer{}
		debugs = append(debugs, debug)
		opts.Debug = debug
		opts.Timeout = 300 * time.Millisecond
		client, err := Connect(context.Background(), opts)
		if err != nil {
			outputs = append(outputs, name+": connect: "+err.Error())
			return
		}
		outputs = append(outputs, client.Warnings()...)
		snap, err := client.Fetch(context.Background())
		if err != nil {
			outputs = append(outputs, name+": fetch: "+err.Error())
		}
		data, _ := json.Marshal(snap)
		outputs = append(outputs, name+": snapshot: "+string(data))
		// A write through the client, with a secret in its body.
		req, _ := http.NewRequest(http.MethodPost, client.compute.ServiceURL("flavors"), strings.NewReader(`{"password": "`+canaryPassword+`"}`))
		req.Header.Set("X-Auth-Token", fakeToken)
		if _, err := client.httpClient.Do(req); err != nil {
			outputs = append(outputs, err.Error())
		}
	}

	fc := newFakeCloud(t)
	fc.users["admin"] = canaryPassword
	fc.appCreds["ac-1"] = canaryAppSecret
	env := fc.env()
	env["OS_PASSWORD"] = canaryPassword
	appEnv := map[string]string{"OS_AUTH_URL": fc.authURL(), "OS_APPLICATION_CREDENTIAL_ID": "ac-1", "OS_APPLICATION_CREDENTIAL_SECRET": canaryAppSecret}

	run("success", options(t, env))
	run("application credential", options(t, appEnv))

	wrong := fc.env()
	wrong["OS_PASSWORD"] = canaryPassword + "-wrong"
	run("bad password", options(t, wrong))
	wrongApp := map[string]string{"OS_AUTH_URL": fc.authURL(), "OS_APPLICATION_CREDENTIAL_ID": "ac-1", "OS_APPLICATION_CREDENTIAL_SECRET": canaryAppSecret + "-wrong"}
	run("bad application credential", options(t, wrongApp))

	// Servers that quote the request back, secrets and token included.
	echo := newFakeCloud(t)
	echo.users["admin"] = canaryPassword
	echo.intercept(1, pathHas("/auth/tokens"), echoBody(400))
	echoEnv := echo.env()
	echoEnv["OS_PASSWORD"] = canaryPassword
	run("keystone echoes the password", options(t, echoEnv))
	echo.intercept(1, pathHas("/auth/tokens"), echoBody(401))
	run("keystone echoes the password in a 401", options(t, echoEnv))
	echo.intercept(-1, pathHas("/flavors/detail"), echoBody(500))
	echo.intercept(-1, pathHas("/os-hypervisors"), echoBody(403))
	echo.intercept(-1, pathHas("/placement/resource_providers"), echoBody(404))
	run("services echo the token", options(t, echoEnv))

	// Slow and unreachable parts.
	slow := newFakeCloud(t)
	slow.users["admin"] = canaryPassword
	slow.intercept(-1, pathHas("/flavors/detail"), func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	})
	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	slow.catalogURL["placement"] = "http://" + listener.Addr().String()
	listener.Close()
	slowEnv := slow.env()
	slowEnv["OS_PASSWORD"] = canaryPassword
	run("timeout and unreachable", options(t, slowEnv))

	// clouds.yaml and secure.yaml troubles, with the secrets in them.
	dir := t.TempDir()
	writeFile(t, dir, "clouds.yaml", cloudsYAML(fc))
	writeFile(t, dir, "secure.yaml", "clouds:\n  prod:\n    auth:\n      password: "+canaryPassword+"\n    verify: "+canaryPassword+"\n")
	opts := options(t, map[string]string{"OS_CLOUD": "prod"})
	opts.ConfigDirs = []string{dir}
	run("secure.yaml with a secret where a boolean goes", opts)
	writeFile(t, dir, "clouds.yaml", "clouds:\n  prod:\n    auth:\n      password: "+canaryPassword+"\n      auth_url: [\"x\", "+canaryPassword+"\n")
	run("broken clouds.yaml", opts)
	writeFile(t, dir, "clouds.yaml", "clouds:\n  prod:\n    auth:\n      auth_url: http://user:"+canaryPassword+"@127.0.0.1:1/v3\n      username: u\n      password: "+canaryPassword+"\n")
	writeFile(t, dir, "secure.yaml", "clouds: {}\n")
	run("password in the auth URL", opts)
	opts = options(t, map[string]string{"OS_CLOUD": "nope"})
	opts.ConfigDirs = []string{dir}
	run("unknown cloud", opts)

	// The environment overriding a cloud, with a warning.
	writeFile(t, dir, "clouds.yaml", cloudsYAML(fc))
	opts = options(t, map[string]string{"OS_CLOUD": "prod", "OS_PASSWORD": canaryPassword})
	opts.ConfigDirs = []string{dir}
	run("environment over clouds.yaml", opts)

	for _, d := range debugs {
		outputs = append(outputs, d.String())
	}
	all := strings.Join(outputs, "\n")
	for _, canary := range canaries {
		if strings.Contains(all, canary) {
			for _, out := range outputs {
				if strings.Contains(out, canary) {
					t.Errorf("secret %q leaked: %s", canary, out)
				}
			}
		}
	}
	// The runs did what they were meant to.
	for _, want := range []string{
		"authentication failed for user \"admin\"",
		"authentication failed for application credential ac-1",
		"X-Subject-Token: <redacted>",
		"X-Auth-Token: <redacted>",
		"(request body not shown)",
		"no answer within 300ms",
		"cannot reach the placement endpoint",
		"cannot parse ",
		"is not in ",
		"refused: gpupass is read-only",
		"OS_PASSWORD from the environment override",
		"cannot reach Keystone at http://127.0.0.1:1/v3",
		"***",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no output says %q; outputs:\n%s", want, all)
		}
	}
}
