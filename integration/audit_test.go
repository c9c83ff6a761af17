//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The checks that need only the flavors, the API node's aliases and the
// host reports: still expected when Placement is out of reach.
var withoutPlacement = []string{"GP401", "GP402", "GP403", "GP404"}

// TestSeededCloud checks the lab and its seeding through the APIs
// themselves, so that an audit failure below is gpupass's, not the lab's.
func TestSeededCloud(t *testing.T) {
	l := setup(t)
	admin := l.mustToken(t, "admin", "secret", "admin")
	flavors := l.flavors(t, admin)
	for _, spec := range l.cloud.Flavors {
		f, ok := flavors[spec.Name]
		if !ok {
			t.Errorf("flavor %s was not seeded", spec.Name)
			continue
		}
		if f.VCPUs != spec.VCPUs || f.RAM != spec.RAMMB || f.Public != spec.Public {
			t.Errorf("flavor %s: vcpus %d ram %d public %v, want %d %d %v", spec.Name, f.VCPUs, f.RAM, f.Public, spec.VCPUs, spec.RAMMB, spec.Public)
		}
		if len(f.ExtraSpecs) != len(spec.ExtraSpecs) {
			t.Errorf("flavor %s: extra specs %v, want %v", spec.Name, f.ExtraSpecs, spec.ExtraSpecs)
		}
		for k, v := range spec.ExtraSpecs {
			if f.ExtraSpecs[k] != v {
				t.Errorf("flavor %s: extra spec %s=%q, want %q", spec.Name, k, f.ExtraSpecs[k], v)
			}
		}
		if spec.StoreMicroversion == "2.1" {
			// What makes these flavors worth auditing: Nova refuses them today.
			resp, err := l.do("POST", l.env["NOVA_URL"]+"/flavors/"+f.ID+"/os-extra_specs", admin,
				map[string]any{"extra_specs": spec.ExtraSpecs}, "OpenStack-API-Version", "compute 2.86")
			if err != nil {
				t.Fatal(err)
			}
			if resp.status != http.StatusBadRequest || !strings.Contains(string(resp.body), "Validation failed") {
				t.Errorf("flavor %s: nova-api at 2.86 answered %d %s to its extra specs, want 400 Validation failed", spec.Name, resp.status, resp.body)
			}
		}
	}

	demo := l.mustToken(t, "demo", "demo-secret", "demo")
	seen := l.flavors(t, demo)
	for _, spec := range l.cloud.Flavors {
		if _, ok := seen[spec.Name]; ok != spec.demoSees() {
			t.Errorf("demo sees flavor %s: %v, want %v", spec.Name, ok, spec.demoSees())
		}
	}
	placementVersion := []string{"OpenStack-API-Version", "placement 1.36"}
	for _, call := range []struct{ url, what string }{
		{l.env["PLACEMENT_URL"] + "/resource_providers", "placement"},
		{l.env["NOVA_URL"] + "/os-hypervisors/detail", "the hypervisor list"},
	} {
		resp, err := l.do("GET", call.url, demo, nil, placementVersion...)
		if err != nil {
			t.Fatal(err)
		}
		if resp.status != http.StatusForbidden {
			t.Errorf("demo: GET %s answered %d, want 403: the non-admin audit expects %s refused", call.url, resp.status, call.what)
		}
	}
	if _, status, err := l.token("admin", "wrong-password-3f9c", "admin"); err != nil || status != http.StatusUnauthorized {
		t.Errorf("keystone answered %d (%v) to a wrong password, want 401", status, err)
	}

	var rps struct {
		ResourceProviders []struct {
			UUID string `json:"uuid"`
			Name string `json:"name"`
		} `json:"resource_providers"`
	}
	l.getJSON(t, l.env["PLACEMENT_URL"]+"/resource_providers", admin, &rps, placementVersion...)
	byName := map[string]string{}
	for _, rp := range rps.ResourceProviders {
		byName[rp.Name] = rp.UUID
	}
	for _, host := range l.cloud.Fleet {
		uuid, ok := byName[host.Name]
		if !ok {
			t.Errorf("no resource provider %s in placement", host.Name)
			continue
		}
		var usages struct {
			Usages map[string]int `json:"usages"`
		}
		l.getJSON(t, l.env["PLACEMENT_URL"]+"/resource_providers/"+uuid+"/usages", admin, &usages, placementVersion...)
		for rc, want := range host.Usage {
			if usages.Usages[rc] != want {
				t.Errorf("%s: %s usage %d, want %d", host.Name, rc, usages.Usages[rc], want)
			}
		}
		var traits struct {
			Traits []string `json:"traits"`
		}
		l.getJSON(t, l.env["PLACEMENT_URL"]+"/resource_providers/"+uuid+"/traits", admin, &traits, placementVersion...)
		sort.Strings(traits.Traits)
		want := slices.Sorted(slices.Values(host.Traits))
		if !slices.Equal(traits.Traits, want) {
			t.Errorf("%s: traits %v, want %v", host.Name, traits.Traits, want)
		}
		if host.Fixture == "" {
			continue
		}
		var rep struct {
			Host struct {
				Hostname string `json:"hostname"`
			} `json:"host"`
		}
		data, err := os.ReadFile(filepath.Join(l.reports, host.Name+".json"))
		if err == nil {
			err = json.Unmarshal(data, &rep)
		}
		if err != nil || rep.Host.Hostname != host.Name {
			t.Errorf("host report of %s (fixture %s): hostname %q, %v", host.Name, host.Fixture, rep.Host.Hostname, err)
		}
	}
}

// TestAuditFindings: the admin's audit of the whole seeded cloud.
func TestAuditFindings(t *testing.T) {
	l := setup(t)
	log := l.requestLog(t)
	run := l.audit(t, "gpupass-admin")
	requests := log.since(t)
	run.wantExit(t, 1)
	run.wantReport(t)
	l.checkFlavorFindings(t, run, l.cloud.Flavors, nil)
	l.checkCloudFindings(t, run, true)
	run.noSecrets(t, l.secrets()...)

	// One flavor list, extra specs inline (microversion 2.61+): never a
	// request per flavor. And read-only: nothing but GETs and the token.
	var flavorRequests, extraSpecs []string
	for _, r := range requests {
		f := strings.Fields(r) // service METHOD path status time
		if len(f) < 3 {
			continue
		}
		if f[0] == "nova-api" && strings.HasPrefix(f[2], "/v2.1/flavors") {
			flavorRequests = append(flavorRequests, r)
			if strings.Contains(f[2], "os-extra_specs") {
				extraSpecs = append(extraSpecs, r)
			}
		}
		if f[1] != "GET" && !(f[0] == "keystone" && f[1] == "POST" && f[2] == "/v3/auth/tokens") {
			t.Errorf("the audit wrote to the cloud: %s", r)
		}
	}
	if len(flavorRequests) > 3 || len(flavorRequests) == 0 || len(extraSpecs) > 0 {
		t.Errorf("flavor requests: %d (want 1 to 3, none for extra specs):\n%s", len(flavorRequests), strings.Join(flavorRequests, "\n"))
	}
	t.Logf("the audit made %d requests:\n%s", len(requests), strings.Join(requests, "\n"))
}

// TestAuditFromEnvironment: the same audit with the OS_* variables instead
// of clouds.yaml.
func TestAuditFromEnvironment(t *testing.T) {
	l := setup(t)
	run := l.audit(t, "",
		"OS_AUTH_URL="+l.env["KEYSTONE_URL"], "OS_USERNAME=admin", "OS_PASSWORD=secret",
		"OS_PROJECT_NAME=admin", "OS_USER_DOMAIN_NAME=Default", "OS_PROJECT_DOMAIN_NAME=Default",
		"OS_REGION_NAME=RegionOne", "OS_IDENTITY_API_VERSION=3", "OS_INTERFACE=public")
	run.wantExit(t, 1)
	run.wantReport(t)
	l.checkFlavorFindings(t, run, l.cloud.Flavors, nil)
}

// TestAuditNonAdmin: a member of project demo sees the public flavors and
// those shared with demo, and no placement: a partial report that says so.
func TestAuditNonAdmin(t *testing.T) {
	l := setup(t)
	run := l.audit(t, "gpupass-demo")
	run.wantExit(t, 1) // its visible flavors still have errors
	run.wantReport(t)
	var visible []flavorSpec
	for _, spec := range l.cloud.Flavors {
		if spec.demoSees() {
			visible = append(visible, spec)
		} else if namesFlavor(run.stdout+run.stderr, spec.Name) {
			t.Errorf("the demo user's audit names %s, a private flavor it cannot see", spec.Name)
		}
	}
	l.checkFlavorFindings(t, run, visible, withoutPlacement)
	l.checkCloudFindings(t, run, false)
	meta := run.outsideFindings()
	for _, word := range []string{"private", "placement"} {
		if !strings.Contains(meta, word) {
			t.Errorf("the report does not say that %s is incomplete (no %q outside the findings):\n%s", word, word, meta)
		}
	}
	run.noSecrets(t, l.secrets()...)
}

// TestAuditWrongPassword: exit 2, a message about authentication, and
// neither a report nor the password.
func TestAuditWrongPassword(t *testing.T) {
	l := setup(t)
	run := l.audit(t, "gpupass-badpass")
	run.wantExit(t, 2)
	if run.stdout != "" {
		t.Errorf("stdout not empty with exit status 2:\n%s", run.stdout)
	}
	if !strings.HasPrefix(run.stderr, "gpupass: ") || !strings.Contains(strings.ToLower(run.stderr), "authenticat") {
		t.Errorf("stderr does not say authentication failed:\n%s", run.stderr)
	}
	run.noSecrets(t, append(l.secrets(), "wrong-password-3f9c")...)
}

// TestAuditComputeDown: with nova-api stopped there is nothing to audit.
func TestAuditComputeDown(t *testing.T) {
	l := setup(t)
	l.stop(t, "nova-api")
	if !refused(l.env["NOVA_URL"] + "/") {
		t.Fatalf("nova-api still answers at %s after openstack-lab-down.sh", l.env["NOVA_URL"])
	}
	run := l.audit(t, "gpupass-admin")
	run.wantExit(t, 2)
	if run.stdout != "" {
		t.Errorf("stdout not empty with exit status 2:\n%s", run.stdout)
	}
	novaURL, _ := url.Parse(l.env["NOVA_URL"])
	if !strings.Contains(strings.ToLower(run.stderr), "compute") || !strings.Contains(run.stderr, novaURL.Host) {
		t.Errorf("stderr does not name the compute endpoint (%s):\n%s", novaURL.Host, run.stderr)
	}
	run.noSecrets(t, l.secrets()...)
}

// TestAuditPlacementDown: without placement the flavor checks still run,
// and the report marks what is missing.
func TestAuditPlacementDown(t *testing.T) {
	l := setup(t)
	l.stop(t, "placement")
	if !refused(l.env["PLACEMENT_URL"] + "/") {
		t.Fatalf("placement still answers at %s after openstack-lab-down.sh", l.env["PLACEMENT_URL"])
	}
	run := l.audit(t, "gpupass-admin")
	run.wantExit(t, 1)
	run.wantReport(t)
	l.checkFlavorFindings(t, run, l.cloud.Flavors, withoutPlacement)
	l.checkCloudFindings(t, run, false)
	if meta := run.outsideFindings(); !strings.Contains(meta, "placement") {
		t.Errorf("the report does not mark placement missing (no \"placement\" outside the findings):\n%s", meta)
	}
}

// auditRun is one run of gpupass audit --format json.
type auditRun struct {
	args           []string
	code           int
	stdout, stderr string
	report         report
	raw            map[string]any
}

type report struct {
	Schema   string    `json:"schema"`
	Command  string    `json:"command"`
	Findings []finding `json:"findings"`
	Checks   []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"checks"`
}

type finding struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Severity string          `json:"severity"`
	Subject  subject         `json:"subject"`
	Message  string          `json:"message"`
	Evidence json.RawMessage `json:"evidence"`
}

// audit runs gpupass audit on the lab as cloud (clouds.yaml), or, with
// cloud "", with the given OS_* variables alone.
func (l *lab) audit(t *testing.T, cloud string, env ...string) *auditRun {
	t.Helper()
	args := []string{"audit"}
	if cloud != "" {
		args = append(args, "--os-cloud", cloud)
	}
	args = append(args, "--api-conf", filepath.Join(l.dir, "api-nova.conf"), "--reports", l.reports, "--format", "json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.gpupass, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if cloud != "" {
		cmd.Env = append(cmd.Env, "OS_CLIENT_CONFIG_FILE="+l.env["OS_CLIENT_CONFIG_FILE"])
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := &auditRun{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		run.code = exit.ExitCode()
	default:
		t.Fatalf("gpupass %s: %v", strings.Join(args, " "), err)
	}
	if strings.Contains(run.stderr, `unknown command "audit"`) {
		t.Fatalf("audit command not found: this gpupass has no `audit` subcommand yet, so the suite cannot run it (stderr: %s)", strings.TrimSpace(run.stderr))
	}
	if run.stdout != "" {
		if err := json.Unmarshal([]byte(run.stdout), &run.report); err != nil {
			t.Fatalf("gpupass %s: stdout is not a JSON report (%v); exit %d, stderr:\n%s", strings.Join(args, " "), err, run.code, run.stderr)
		}
		_ = json.Unmarshal([]byte(run.stdout), &run.raw)
	}
	return run
}

func (r *auditRun) wantExit(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("gpupass %s: exit status %d, want %d; stderr:\n%s\nfindings:\n%s", strings.Join(r.args, " "), r.code, code, r.stderr, r.table())
	}
}

func (r *auditRun) wantReport(t *testing.T) {
	t.Helper()
	if r.report.Schema != "gpupass/report/v1" || r.report.Command != "audit" {
		t.Errorf("report schema %q command %q, want gpupass/report/v1 and audit", r.report.Schema, r.report.Command)
	}
}

// table lists the findings, one a line, for failure messages.
func (r *auditRun) table() string {
	var b strings.Builder
	for _, f := range r.report.Findings {
		fmt.Fprintf(&b, "  %s %-7s %s/%s: %s\n", f.ID, f.Severity, f.Subject.Kind, f.Subject.Ref, f.Message)
	}
	return b.String()
}

// outsideFindings is the report without its findings, lower-cased: where
// what could not be collected is said.
func (r *auditRun) outsideFindings() string {
	rest := map[string]any{}
	for k, v := range r.raw {
		if k != "findings" {
			rest[k] = v
		}
	}
	data, _ := json.Marshal(rest)
	return strings.ToLower(string(data) + "\n" + r.stderr)
}

// noSecrets fails when any of secrets is in the output.
func (r *auditRun) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("the output holds the secret %q", s)
		}
	}
}

// secrets are the lab's passwords that must never reach gpupass's output
// (the service users' are in api-nova.conf). The admin's, "secret", is too
// common a word to look for.
func (l *lab) secrets() []string {
	return []string{l.env["NOVA_SVC_PASSWORD"], l.env["PLACEMENT_SVC_PASSWORD"], "demo-secret"}
}

// namesFlavor reports whether text names flavor as a whole word.
func namesFlavor(text, flavor string) bool {
	return regexp.MustCompile(`(^|[^\w.-])` + regexp.QuoteMeta(flavor) + `([^\w.-]|$)`).MatchString(text)
}

// aggregateNames reports whether a cloud-wide finding (GP408 lists the
// flavors that can land on GPU hosts in one finding) names flavor.
func aggregateNames(f finding, flavor string) bool {
	return f.Subject.Kind == "cloud" && (namesFlavor(f.Message, flavor) || namesFlavor(string(f.Evidence), flavor))
}

// checkFlavorFindings compares the findings about specs with their
// expectations: each expected one (of the IDs in required, or all when
// required is nil) with its severity, and none outside expect and may (with
// required set, every expected ID is allowed: the others depend on what
// this run could not see). A flavor's GP408 may come as a finding about the
// flavor or as one cloud-wide GP408 naming it.
func (l *lab) checkFlavorFindings(t *testing.T, run *auditRun, specs []flavorSpec, required []string) {
	t.Helper()
	failed := false
	for _, spec := range specs {
		allowed := map[string]bool{}
		for _, e := range spec.May {
			allowed[e.ID] = true
		}
		for _, e := range spec.Expect {
			allowed[e.ID] = true
			if required != nil && !slices.Contains(required, e.ID) {
				continue
			}
			found := false
			for _, f := range run.report.Findings {
				if f.ID != e.ID || !(f.Subject.Kind == "flavor" && f.Subject.Ref == spec.Name || e.ID == "GP408" && aggregateNames(f, spec.Name)) {
					continue
				}
				found = true
				if f.Severity != e.Severity {
					t.Errorf("%s: %s is %s, want %s (%s)", spec.Name, e.ID, f.Severity, e.Severity, e.Why)
					failed = true
				}
				if required == nil && !evidenceHolds(t, f, e.Evidence) {
					t.Errorf("%s: %s evidence %s, want %v (%s)", spec.Name, e.ID, f.Evidence, e.Evidence, e.Why)
					failed = true
				}
			}
			if !found {
				t.Errorf("%s: no %s %s: %s", spec.Name, e.ID, e.Severity, e.Why)
				failed = true
			}
		}
		for _, f := range run.report.Findings {
			about := f.Subject.Kind == "flavor" && f.Subject.Ref == spec.Name || f.ID == "GP408" && aggregateNames(f, spec.Name)
			if about && !allowed[f.ID] {
				t.Errorf("%s: unexpected %s %s: %s", spec.Name, f.ID, f.Severity, f.Message)
				failed = true
			}
		}
	}
	if failed {
		t.Logf("the findings:\n%s", run.table())
	}
}

// evidenceHolds reports whether every key of want has the same JSON value
// in the finding's evidence.
func evidenceHolds(t *testing.T, f finding, want map[string]any) bool {
	t.Helper()
	if len(want) == 0 {
		return true
	}
	var got map[string]any
	if err := json.Unmarshal(f.Evidence, &got); err != nil {
		t.Errorf("%s evidence is not an object: %s", f.ID, f.Evidence)
		return false
	}
	for k, v := range want {
		a, _ := json.Marshal(v)
		b, _ := json.Marshal(got[k])
		if string(a) != string(b) {
			return false
		}
	}
	return true
}

// checkCloudFindings compares the findings about other subjects than
// flavors (aliases, the cloud) with the cloud's expectations: none outside
// expect and may, and, with all, every expected one.
func (l *lab) checkCloudFindings(t *testing.T, run *auditRun, all bool) {
	t.Helper()
	match := func(f finding, e cloudExpectation) bool {
		return f.ID == e.ID && f.Subject == e.Subject
	}
	for _, f := range run.report.Findings {
		if f.Subject.Kind == "flavor" || f.ID == "GP408" && f.Subject.Kind == "cloud" {
			continue
		}
		ok := false
		for _, e := range append(slices.Clone(l.cloud.Cloud.Expect), l.cloud.Cloud.May...) {
			ok = ok || match(f, e)
		}
		if !ok {
			t.Errorf("unexpected %s %s about %s %s: %s", f.ID, f.Severity, f.Subject.Kind, f.Subject.Ref, f.Message)
		}
	}
	if !all {
		return
	}
	for _, e := range l.cloud.Cloud.Expect {
		found := false
		for _, f := range run.report.Findings {
			if match(f, e) {
				found = true
				if f.Severity != e.Severity {
					t.Errorf("%s about %s %s is %s, want %s (%s)", e.ID, e.Subject.Kind, e.Subject.Ref, f.Severity, e.Severity, e.Why)
				}
			}
		}
		if !found {
			t.Errorf("no %s %s about %s %s: %s", e.ID, e.Severity, e.Subject.Kind, e.Subject.Ref, e.Why)
		}
	}
}

type novaFlavor struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	VCPUs      int               `json:"vcpus"`
	RAM        int               `json:"ram"`
	Public     bool              `json:"os-flavor-access:is_public"`
	ExtraSpecs map[string]string `json:"extra_specs"`
}

// flavors lists every flavor the token may see, by name, page by page.
func (l *lab) flavors(t *testing.T, token string) map[string]novaFlavor {
	t.Helper()
	out := map[string]novaFlavor{}
	next := l.env["NOVA_URL"] + "/flavors/detail?is_public=None"
	for next != "" {
		var page struct {
			Flavors []novaFlavor `json:"flavors"`
			Links   []struct {
				Rel  string `json:"rel"`
				Href string `json:"href"`
			} `json:"flavors_links"`
		}
		l.getJSON(t, next, token, &page, "OpenStack-API-Version", "compute 2.61")
		for _, f := range page.Flavors {
			out[f.Name] = f
		}
		next = ""
		for _, link := range page.Links {
			if link.Rel == "next" {
				next = link.Href
			}
		}
	}
	return out
}
