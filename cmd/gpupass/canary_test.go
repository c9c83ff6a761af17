package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/render"
)

// Secret canaries: distinctive secrets seeded into a host's nova.conf
// files (secret options, URLs with blanks, backend_argument, a lone CR, a
// keystoneauth plugin's secret, a comment's URL), its kernel command line
// and modprobe.d, an API node's nova.conf, clouds.yaml, secure.yaml and
// the environment. Every command runs in every format, with --debug, writing
// files where it can; no canary may appear in any output, message or
// file.
var canaries = map[string]string{
	"rabbit":      "CanaryRabbit-3f9a1c",
	"database":    "CanaryDb-8d27e4",
	"keystone":    "CanaryKeystone-51b0aa",
	"memcache":    "CanaryMemcache-c4e019",
	"placement1":  "CanaryPlacementLine1-77ad02",
	"placement2":  "CanaryPlacementLine2-0b6e5f",
	"metadata":    "CanaryMetadata-e3c8d1",
	"commented":   "CanaryCommented-9a4f70",
	"lonecr":      "CanaryLoneCR-26bd3e",
	"confd":       "CanaryConfD-f01c83",
	"apiconf":     "CanaryApiConf-5e62b9",
	"cloudsyaml":  "CanaryCloudsYaml-a81d4c",
	"secureyaml":  "CanarySecureYaml-3c07f2",
	"envpassword": "CanaryEnvPassword-d94e16",
	"appsecret":   "CanaryAppSecret-4b8e2a",
	"token":       "gAAAAACanaryToken-6f1d93",
	"wrongpw":     "CanaryWrongPassword-19c7b3",
	// Credentials by what they are, wherever they are.
	"backendarg": "CanaryBackendArg-7a20c5",
	"redisarg":   "CanaryRedisArg-0f93b1",
	"urlblank":   "CanaryUrl Blank-5d18e2",
	"urltab":     "CanaryUrl\tTab-c2a7f9",
	"crtail":     "CanaryCRTail-84e1d0",
	"appcred":    "CanaryAppCred-3b6f21",
	"commenturl": "CanaryCommentUrl-9e04ab",
	"memcachepw": "CanaryMemcachePw-61d7c8",
	"cmdlineks":  "CanaryCmdlineKS-2c9b40",
	"cmdlineign": "CanaryCmdlineIgn-e7150d",
	"cmdlinepw":  "CanaryCmdlinePw-4a8c3e",
	"cmdlineurl": "CanaryCmdline Url-b05f72",
	"modcomment": "CanaryModComment-d3e96a",
	"modoption":  "CanaryModOption-16f0b8",
	"modinstall": "CanaryModInstall-a94c27",
	"moddirect":  "CanaryModDirective-70be13",
}

// canaryHost copies a fixture and seeds its nova.conf with secrets.
func canaryHost(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	if err := os.CopyFS(root, os.DirFS(filepath.Join(hostsDir, "turing-workstation"))); err != nil {
		t.Fatal(err)
	}
	conf := "[DEFAULT]\n" +
		"transport_url = rabbit://nova:" + canaries["rabbit"] + "@ctl1:5672,nova:" + canaries["rabbit"] + "@ctl2:5672/\n" +
		"debug = true\rpassword = " + canaries["lonecr"] + "\n" +
		"[libvirt]\nvirt_type = kvm\n" +
		"[database]\nconnection = mysql+pymysql://nova:" + canaries["database"] + "@db/nova?charset=utf8\n" +
		"[keystone_authtoken]\npassword = " + canaries["keystone"] + "\nmemcache_secret_key = " + canaries["memcache"] + "\n" +
		"# password = " + canaries["commented"] + "\n" +
		"[placement]\npassword =\n  " + canaries["placement1"] + "\n  " + canaries["placement2"] + "\n" +
		"[neutron]\nmetadata_proxy_shared_secret = " + canaries["metadata"] + "\n" +
		"[neutron]\nauth_type = v3applicationcredential\napplication_credential_secret = " + canaries["appcred"] + "\n" +
		"[cache]\nbackend_argument = password:" + canaries["backendarg"] + "\nbackend_argument = redis_password:" + canaries["redisarg"] + "\n" +
		"memcache_password = " + canaries["memcachepw"] + "\n" +
		"[glance]\n# mirror: https://glance:" + canaries["commenturl"] + "@mirror/\n" +
		"api_servers = https://glance:" + canaries["urlblank"] + "@g1:9292,https://glance:" + canaries["urltab"] + "@g2:9292\n" +
		"[service_user]\npassword = head\r" + canaries["crtail"] + "\n" +
		"[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"1e07\"}\n" +
		"alias = {\"name\": \"rtx2080ti\", \"vendor_id\": \"10de\", \"product_id\": \"1e07\", \"device_type\": \"type-PCI\"}\n"
	write := func(p, data string, mode fs.FileMode) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Remove(full)
		if err := os.WriteFile(full, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(full, mode)
	}
	write("etc/nova/nova.conf", conf, 0o644) // world-readable: GP314 quotes the file
	write("etc/nova/nova.conf.d/50-secrets.conf", "[glance]\napi_key = "+canaries["confd"]+"\n", 0o640)
	// The kernel command line and modprobe.d: URL credentials, password
	// parameters, comments, install commands.
	write("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.5.0-45-generic root=UUID=0f3c2a8e-6b1d-4e7f-a2c9-3d5e8f1a7b24 ro quiet "+
		"inst.ks=http://admin:"+canaries["cmdlineks"]+"@host/ks.cfg ignition.config.url=https://u:"+canaries["cmdlineign"]+"@ign/x.ign "+
		"rd.iscsi.password="+canaries["cmdlinepw"]+` "inst.stage2=http://u:`+canaries["cmdlineurl"]+`@h/" intel_iommu=on iommu=pt`+"\n", 0o444)
	write("etc/modprobe.d/vfio.conf", "# mirror at http://admin:"+canaries["modcomment"]+"@mirror/\n"+
		"options vfio-pci ids=10de:1e07\noptions snd_hda_intel password="+canaries["modoption"]+"\n"+
		"install foo /usr/bin/curl -s 'http://u:"+canaries["modinstall"]+"@h/x' | sh\n"+
		"http://u:"+canaries["moddirect"]+"@h/ not a directive\n", 0o644)
	return root
}

// canaryCloud is a Keystone + Nova API + Placement answering with the
// recorded bodies of openstack/cloud's tests, that accepts only the
// canary credentials and issues the canary token; echo makes its
// hypervisor listing fail with a 500 that quotes the request's token and
// password back, as a careless proxy might.
func canaryCloud(t *testing.T, echo bool) *httptest.Server {
	t.Helper()
	dir := filepath.Join("..", "..", "openstack", "cloud", "testdata")
	var srv *httptest.Server
	var mu sync.Mutex
	var sent string // the password or secret last authenticated with
	fixture := func(w http.ResponseWriter, code int, name string) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"itemNotFound": {"code": 404, "message": "not here"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(bytes.ReplaceAll(data, []byte("{{URL}}"), []byte(srv.URL)))
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if r.Method == http.MethodPost && p == "/identity/v3/auth/tokens" {
			body, _ := io.ReadAll(r.Body)
			for _, c := range []string{canaries["cloudsyaml"], canaries["secureyaml"], canaries["envpassword"], canaries["appsecret"]} {
				if bytes.Contains(body, []byte(c)) {
					mu.Lock()
					sent = c
					mu.Unlock()
				}
			}
			if !bytes.Contains(body, []byte(canaries["cloudsyaml"])) && !bytes.Contains(body, []byte(canaries["secureyaml"])) &&
				!bytes.Contains(body, []byte(canaries["envpassword"])) && !bytes.Contains(body, []byte(canaries["appsecret"])) {
				fixture(w, 401, "keystone/error-401.json")
				return
			}
			w.Header().Set("X-Subject-Token", canaries["token"])
			fixture(w, 201, "keystone/token.json")
			return
		}
		switch {
		case p == "/identity/":
			fixture(w, 300, "keystone/versions.json")
			return
		case p == "/compute/":
			fixture(w, 200, "nova/versions.json")
			return
		case p == "/compute/v2.1/":
			fixture(w, 200, "nova/version-v2.1.json")
			return
		case p == "/placement/" || p == "/placement":
			fixture(w, 200, "placement/versions.json")
			return
		}
		if r.Header.Get("X-Auth-Token") != canaries["token"] {
			fixture(w, 401, "keystone/error-401.json")
			return
		}
		switch {
		case p == "/compute/v2.1/flavors/detail":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"flavors": [{"id": "1", "name": "gpu.rtx2080ti", "ram": 16384, "vcpus": 8, "disk": 100,
				"os-flavor-access:is_public": true, "OS-FLV-DISABLED:disabled": false,
				"extra_specs": {"pci_passthrough:alias": "rtx2080ti:1"}}]}`)
		case p == "/compute/v2.1/os-hypervisors/detail" && echo:
			w.WriteHeader(500)
			mu.Lock()
			fmt.Fprintf(w, `{"computeFault": {"code": 500, "message": "token %s rejected for password %s"}}`, r.Header.Get("X-Auth-Token"), sent)
			mu.Unlock()
		case p == "/compute/v2.1/os-hypervisors/detail":
			fixture(w, 200, "nova/hypervisors-2.88.json")
		case p == "/placement/resource_providers":
			fixture(w, 200, "placement/resource_providers.json")
		case strings.HasPrefix(p, "/placement/resource_providers/"):
			uuid, what, _ := strings.Cut(strings.TrimPrefix(p, "/placement/resource_providers/"), "/")
			fixture(w, 200, "placement/"+what+"-"+uuid+".json")
		default:
			fixture(w, 404, "nova/error-404.json")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// canaryLeaks returns the canaries found in a text: whole, or any part
// of one that holds a blank or a tab (JSON writes a tab as \t, and half a
// password is a leak too).
func canaryLeaks(text string) []string {
	var found []string
	for name, c := range canaries {
		leaked := strings.Contains(text, c)
		for _, part := range strings.Fields(c) {
			leaked = leaked || len(part) >= 8 && part != c && strings.Contains(text, part)
		}
		if leaked {
			found = append(found, name)
		}
	}
	return found
}

// textOf returns data as text, with the members of a gzipped tarball
// unpacked after it (a snapshot on stdout or in a file).
func textOf(data []byte) string {
	var b strings.Builder
	b.Write(data)
	if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			b.WriteString(h.Name + " " + h.Linkname + "\n")
			io.Copy(&b, tr)
		}
	}
	return b.String()
}

// filesText reads every file under dir as one text (see textOf).
func filesText(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil {
			b.WriteString(textOf(data))
		}
		return nil
	})
	return b.String()
}

func TestSecretCanaries(t *testing.T) {
	t.Parallel()
	root := canaryHost(t)
	work := t.TempDir()
	out := filepath.Join(work, "out")
	os.Mkdir(out, 0o755)
	apiConf := filepath.Join(work, "api-nova.conf")
	os.WriteFile(apiConf, []byte("[DEFAULT]\ntransport_url = rabbit://nova:"+canaries["apiconf"]+"@ctl/\n[pci]\nalias = {\"name\": \"rtx2080ti\", \"vendor_id\": \"10de\", \"product_id\": \"1e07\", \"device_type\": \"type-PCI\"}\n"), 0o600)
	hostConf := filepath.Join(root, "etc", "nova", "nova.conf")

	good := canaryCloud(t, false)
	echo := canaryCloud(t, true)
	cloudsDir := filepath.Join(work, "config")
	os.Mkdir(cloudsDir, 0o700)
	clouds := func(url string) string {
		return "clouds:\n  canary:\n    auth:\n      auth_url: " + url + "/identity/v3\n      username: admin\n      password: " + canaries["cloudsyaml"] +
			"\n      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n" +
			"  split:\n    auth:\n      auth_url: " + url + "/identity/v3\n      username: admin\n      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n"
	}
	os.WriteFile(filepath.Join(cloudsDir, "clouds.yaml"), []byte(clouds(good.URL)), 0o600)
	os.WriteFile(filepath.Join(cloudsDir, "secure.yaml"), []byte("clouds:\n  split:\n    auth:\n      password: "+canaries["secureyaml"]+"\n"), 0o600)
	echoClouds := filepath.Join(work, "echo-clouds.yaml")
	os.WriteFile(echoClouds, []byte(clouds(echo.URL)), 0o600)

	cloudEnv := map[string]string{"OS_CLIENT_CONFIG_FILE": filepath.Join(cloudsDir, "clouds.yaml"), "HOME": work, "XDG_CONFIG_HOME": work}
	envAuth := func(url string) map[string]string {
		return map[string]string{"OS_AUTH_URL": url + "/identity/v3", "OS_USERNAME": "admin", "OS_PASSWORD": canaries["envpassword"],
			"OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default", "OS_REGION_NAME": "RegionOne", "HOME": work}
	}
	appCred := map[string]string{"OS_AUTH_URL": good.URL + "/identity/v3", "OS_AUTH_TYPE": "v3applicationcredential",
		"OS_APPLICATION_CREDENTIAL_ID": "0123abcd", "OS_APPLICATION_CREDENTIAL_SECRET": canaries["appsecret"], "HOME": work}
	// Every variable of the environment carries its canary too.
	for _, env := range []map[string]string{cloudEnv} {
		env["OS_PASSWORD"] = canaries["envpassword"]
	}

	reports := filepath.Join(work, "reports")
	os.Mkdir(reports, 0o755)
	type run struct {
		env  map[string]string
		args []string
		// ran proves the secret was used: a text the run's output holds.
		ran string
	}
	var runs []run
	for _, f := range render.Formats {
		format := string(f)
		runs = append(runs,
			run{nil, []string{"preflight", "--root", root, "--format", format, "--gpu", "all", "--api-conf", apiConf}, ""},
			run{nil, []string{"lint", hostConf, "--format", format}, ""},
			run{cloudEnv, []string{"audit", "--os-cloud", "canary", "--debug", "--reports", reports, "--api-conf", apiConf, "--format", format}, ""},
		)
	}
	runs = append(runs,
		run{nil, []string{"inventory", "--all", "--root", root}, ""},
		run{nil, []string{"inventory", "--all", "--root", root, "--format", "json"}, ""},
		run{nil, []string{"inventory", "--all", "--root", root, "--format", "prometheus", "--output", filepath.Join(out, "inventory.prom")}, ""},
		run{nil, []string{"preflight", "--root", root, "--format", "prometheus", "--output", filepath.Join(out, "gpupass.prom")}, ""},
		run{nil, []string{"preflight", "--root", root, "--format", "json", "--output", filepath.Join(out, "report.json")}, ""},
		run{nil, []string{"preflight", "--root", root, "--baseline", filepath.Join(reports, "ws-turing.json")}, "baseline"},
		run{nil, []string{"diff", filepath.Join(reports, "ws-turing.json"), filepath.Join(reports, "ws-turing.json"), "--format", "json", "--output", filepath.Join(out, "diff.json")}, ""},
		run{nil, []string{"preflight", "--root", root, "--format", "json"}, `"[keystone_authtoken]password"`},
		run{nil, []string{"generate", "all", "--root", root, "--api-conf", apiConf}, ""},
		run{nil, []string{"generate", "all", "--root", root, "--format", "json", "--output", filepath.Join(out, "plan.json")}, ""},
		run{nil, []string{"generate", "nova-conf", "--root", root, "--output", filepath.Join(out, "nova-gpu.conf")}, ""},
		run{nil, []string{"snapshot", "--root", root, "-o", filepath.Join(out, "snap.tar.gz")}, "Redacted"},
		run{nil, []string{"snapshot", "--root", root, "-o", "-", "--format", "json"}, `"redacted"`},
		// What is read back from the snapshot.
		run{nil, []string{"preflight", "--root", filepath.Join(out, "snap.tar.gz"), "--format", "json", "--gpu", "all"}, `"cmdline"`},
		run{nil, []string{"generate", "all", "--root", filepath.Join(out, "snap.tar.gz")}, ""},
		run{nil, []string{"checks", "GP314"}, ""},
		run{cloudEnv, []string{"audit", "--os-cloud", "canary", "--debug", "--reports", reports, "--save-cloud", filepath.Join(out, "cloud.json")}, "X-Auth-Token"},
		run{cloudEnv, []string{"audit", "--os-cloud", "split", "--debug", "--reports", reports}, "POST"},
		run{envAuth(good.URL), []string{"audit", "--debug", "--reports", reports, "--format", "json"}, `"flavors"`},
		run{appCred, []string{"audit", "--debug", "--reports", reports}, "POST"},
		run{envAuth(echo.URL), []string{"audit", "--debug", "--reports", reports}, "500"},
		run{map[string]string{"OS_CLIENT_CONFIG_FILE": echoClouds, "HOME": work}, []string{"audit", "--os-cloud", "canary", "--reports", reports}, "500"},
		run{map[string]string{"OS_AUTH_URL": good.URL + "/identity/v3", "OS_USERNAME": "admin", "OS_PASSWORD": canaries["wrongpw"],
			"OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_NAME": "Default", "HOME": work}, []string{"audit", "--debug", "--reports", reports}, "401"},
		run{nil, []string{"audit", "--from-cloud", filepath.Join(out, "cloud.json"), "--reports", reports, "--format", "json"}, `"flavors"`},
	)
	// The host report the audits read is the canary host's own.
	code, report, errOut := gpupass(t, nil, "preflight", "--root", root, "--format", "json")
	if code == 2 {
		t.Fatal(errOut)
	}
	os.WriteFile(filepath.Join(reports, "ws-turing.json"), []byte(report), 0o644)

	for _, r := range runs {
		name := strings.Join(r.args, " ")
		code, stdout, stderr := gpupass(t, r.env, r.args...)
		if code == 2 && r.ran != "401" && r.ran != "500" {
			t.Errorf("%s: exit 2: %s", name, stderr)
		}
		if r.ran != "" && !strings.Contains(stdout+stderr, r.ran) {
			t.Errorf("%s: the output lacks %q, so the secret may not have been used:\n%s%s", name, r.ran, stdout, stderr)
		}
		if leaks := canaryLeaks(textOf([]byte(stdout)) + stderr); len(leaks) > 0 {
			t.Errorf("%s: the output shows %v", name, leaks)
		}
	}
	if leaks := canaryLeaks(filesText(t, out)); len(leaks) > 0 {
		t.Errorf("files written show %v", leaks)
	}
	if leaks := canaryLeaks(filesText(t, reports)); len(leaks) > 0 {
		t.Errorf("the host report shows %v", leaks)
	}
	// The run really read the secrets: the snapshot's manifest lists the
	// redacted lines of both nova.conf files.
	var m struct {
		Redacted []struct {
			Path  string `json:"path"`
			Lines []int  `json:"lines"`
		} `json:"redacted"`
	}
	_, js, _ := gpupass(t, nil, "snapshot", "--root", root, "-o", filepath.Join(work, "s.tar.gz"), "--format", "json")
	// And what is hidden is hidden alike on the host and in its snapshot:
	// the report read back is the host's own.
	reportOf := func(root string) map[string]any {
		_, out, _ := gpupass(t, nil, "preflight", "--root", root, "--format", "json", "--gpu", "all")
		var r map[string]any
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("preflight --root %s: %v", root, err)
		}
		delete(r, "generated_at")
		return r
	}
	if diff := cmp.Diff(reportOf(root), reportOf(filepath.Join(work, "s.tar.gz"))); diff != "" {
		t.Errorf("the snapshot's report differs from the host's (-host +snapshot):\n%s", diff)
	}
	err := json.Unmarshal([]byte(js), &m)
	redacted := map[string]bool{}
	for _, r := range m.Redacted {
		redacted[r.Path] = true
	}
	for _, p := range []string{"/etc/nova/nova.conf", "/etc/nova/nova.conf.d/50-secrets.conf", "/proc/cmdline", "/etc/modprobe.d/vfio.conf"} {
		if err != nil || !redacted[p] {
			t.Errorf("snapshot redacted %+v (%v), want %s among them", m.Redacted, err, p)
		}
	}
}
