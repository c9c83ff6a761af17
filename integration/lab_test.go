//go:build integration

// Package integration runs gpupass audit against a real Keystone, Nova API
// and Placement (Debian's packages on loopback, started by
// .ci/openstack-lab-up.sh), seeded through their APIs by seed.py with the
// cloud described in expectations.json. Build tag integration and
// GPUPASS_LAB=STATE_DIR (the lab's state directory) run it; without the
// variable every test skips, saying how to run the suite.
package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lab is the running lab, the gpupass binary built for it and the host
// reports made from the fixtures: set up once for all tests.
type lab struct {
	dir     string            // GPUPASS_LAB
	env     map[string]string // its lab.env
	repo    string            // the repository root
	scratch string            // removed by TestMain
	gpupass string            // the binary under test
	reports string            // one preflight report per fleet host
	cloud   *cloudSpec        // expectations.json
}

var (
	setupOnce sync.Once
	theLab    *lab
	setupErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theLab != nil {
		os.RemoveAll(theLab.scratch)
	}
	os.Exit(code)
}

// setup returns the lab, or skips the test when GPUPASS_LAB is not set.
func setup(t *testing.T) *lab {
	t.Helper()
	dir := os.Getenv("GPUPASS_LAB")
	if dir == "" {
		t.Skip(howToRun)
	}
	setupOnce.Do(func() { theLab, setupErr = newLab(dir) })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return theLab
}

func newLab(dir string) (*lab, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, ".initialized")); err != nil {
		return nil, fmt.Errorf("GPUPASS_LAB=%s is not a running lab (no .initialized): start one with .ci/openstack-lab-up.sh %s", dir, dir)
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		return nil, err
	}
	l := &lab{dir: dir, repo: repo}
	// Starts whatever an interrupted earlier run left stopped; quick otherwise.
	if out, err := l.script("openstack-lab-up.sh"); err != nil {
		return nil, fmt.Errorf("openstack-lab-up.sh %s: %v\n%s", dir, err, out)
	}
	if l.env, err = readEnvFile(filepath.Join(dir, "lab.env")); err != nil {
		return nil, err
	}
	if l.cloud, err = readCloudSpec(filepath.Join(repo, "integration", "expectations.json")); err != nil {
		return nil, err
	}
	if l.scratch, err = os.MkdirTemp("", "gpupass-integration-"); err != nil {
		return nil, err
	}
	l.gpupass = filepath.Join(l.scratch, "gpupass")
	build := exec.Command("go", "build", "-o", l.gpupass, "./cmd/gpupass")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/gpupass: %v\n%s", err, out)
	}
	seed := filepath.Join(repo, "integration", "seed.py")
	if out, err := exec.Command(python(), seed, "cloud", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("seed.py cloud: %v\n%s", err, out)
	}
	l.reports = filepath.Join(l.scratch, "reports")
	if out, err := exec.Command(python(), seed, "reports", l.reports, "--gpupass", l.gpupass).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("seed.py reports: %v\n%s", err, out)
	}
	return l, nil
}

// python is Debian's Python when there is one: the lab's own.
func python() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// script runs one of the lab's .ci scripts on this lab with extra arguments.
func (l *lab) script(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(l.repo, ".ci", name), l.dir}, args...)...)
	return cmd.CombinedOutput()
}

// stop stops a lab service for the rest of the test and starts it again
// when the test ends, waiting until it answers.
func (l *lab) stop(t *testing.T, service string) {
	t.Helper()
	if out, err := l.script("openstack-lab-down.sh", service); err != nil {
		t.Fatalf("stop %s: %v\n%s", service, err, out)
	}
	t.Cleanup(func() {
		if out, err := l.script("openstack-lab-up.sh"); err != nil {
			t.Errorf("start %s again: %v\n%s", service, err, out)
		}
	})
}

func readEnvFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if key, value, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[key] = value
		}
	}
	for _, key := range []string{"KEYSTONE_URL", "NOVA_URL", "PLACEMENT_URL", "OS_CLIENT_CONFIG_FILE"} {
		if env[key] == "" {
			return nil, fmt.Errorf("%s: no %s", path, key)
		}
	}
	return env, nil
}

// The cloud seed.py makes and what the audit should find in it.
type cloudSpec struct {
	Fleet []struct {
		Name    string         `json:"name"`
		Fixture string         `json:"fixture"`
		Usage   map[string]int `json:"usage"`
		Traits  []string       `json:"traits"`
	} `json:"fleet"`
	Flavors []flavorSpec `json:"flavors"`
	Cloud   struct {
		Expect []cloudExpectation `json:"expect"`
		May    []cloudExpectation `json:"may"`
	} `json:"cloud"`
}

type flavorSpec struct {
	Name              string            `json:"name"`
	VCPUs             int               `json:"vcpus"`
	RAMMB             int               `json:"ram_mb"`
	Public            bool              `json:"public"`
	Access            []string          `json:"access"`
	ExtraSpecs        map[string]string `json:"extra_specs"`
	StoreMicroversion string            `json:"store_microversion"`
	Expect            []expectation     `json:"expect"`
	May               []expectation     `json:"may"`
	DemoSees          *bool             `json:"demo_sees"`
}

// demoSees: public flavors, and private ones shared with project demo.
func (f flavorSpec) demoSees() bool {
	if f.DemoSees != nil {
		return *f.DemoSees
	}
	return f.Public
}

type expectation struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	// Evidence, when given, must be in the finding's evidence, key by key.
	Evidence map[string]any `json:"evidence"`
	Why      string         `json:"why"`
}

type cloudExpectation struct {
	Subject  subject `json:"subject"`
	ID       string  `json:"id"`
	Severity string  `json:"severity"`
	Why      string  `json:"why"`
}

type subject struct {
	Kind string `json:"kind"`
	Ref  string `json:"ref"`
}

func readCloudSpec(path string) (*cloudSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c cloudSpec
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// API access for checking the seeding and the failure switches.

type apiResponse struct {
	status int
	body   []byte
	header http.Header
}

var httpClient = &http.Client{Timeout: 60 * time.Second}

func (l *lab) do(method, url, token string, body any, headers ...string) (apiResponse, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return apiResponse{}, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return apiResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return apiResponse{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return apiResponse{status: resp.StatusCode, body: data, header: resp.Header}, err
}

// token is a project-scoped token, or the HTTP status keystone refused with.
func (l *lab) token(user, password, project string) (string, int, error) {
	auth := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": user, "domain": map[string]string{"id": "default"}, "password": password}}},
		"scope": map[string]any{"project": map[string]any{"name": project, "domain": map[string]string{"id": "default"}}}}}
	resp, err := l.do("POST", l.env["KEYSTONE_URL"]+"/auth/tokens", "", auth)
	if err != nil {
		return "", 0, err
	}
	if resp.status != http.StatusCreated {
		return "", resp.status, nil
	}
	return resp.header.Get("X-Subject-Token"), resp.status, nil
}

func (l *lab) mustToken(t *testing.T, user, password, project string) string {
	t.Helper()
	tok, status, err := l.token(user, password, project)
	if err != nil || tok == "" {
		t.Fatalf("token for %s in %s: status %d, %v", user, project, status, err)
	}
	return tok
}

// getJSON GETs url and decodes a 200 answer into out.
func (l *lab) getJSON(t *testing.T, url, token string, out any, headers ...string) {
	t.Helper()
	resp, err := l.do("GET", url, token, nil, headers...)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.status, resp.body)
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// refused reports whether nothing listens at url's host and port any more.
func refused(url string) bool {
	resp, err := httpClient.Get(url)
	if err == nil {
		resp.Body.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(err.Error(), "connection refused")
}

// requestLog counts the requests each lab service served, from the
// one-line-per-request logs uwsgi writes (STATE_DIR/log/NAME.requests).
type requestLog struct {
	l     *lab
	start map[string]int
}

var labServices = []string{"keystone", "nova-api", "placement"}

func (l *lab) requestLog(t *testing.T) *requestLog {
	r := &requestLog{l: l, start: map[string]int{}}
	for _, s := range labServices {
		r.start[s] = len(r.lines(t, s))
	}
	return r
}

func (r *requestLog) lines(t *testing.T, service string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.l.dir, "log", service+".requests"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")[:strings.Count(string(data), "\n")]
}

// since returns the requests served since requestLog, as "service METHOD path status".
func (r *requestLog) since(t *testing.T) []string {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // uwsgi logs a request after its response
	var out []string
	for _, s := range labServices {
		lines := r.lines(t, s)
		if len(lines) < r.start[s] { // a restarted service appends to its log
			continue
		}
		for _, line := range lines[r.start[s]:] {
			out = append(out, s+" "+line)
		}
	}
	return out
}
