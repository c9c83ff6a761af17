// Package ansibletest runs the gpupass Ansible role (deploy/ansible) with
// ansible-core against fixture hosts standing in for compute nodes: every
// "node" is localhost (ansible_connection=local) whose gpupass_root is one of
// testdata/hosts. It needs ansible-playbook and runs only with
// GPUPASS_ANSIBLE=1, so that a plain `go test ./...` skips it:
//
//	apt-get install ansible-core
//	GPUPASS_ANSIBLE=1 go test -count=1 ./deploy/ansible/...
package ansibletest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The fixture hosts (testdata/hosts/NAME) standing in for nodes; the
// inventory has a sixth node, brokenNode, whose root does not exist, so that
// preflight cannot run there (exit status 2).
var fixtureNodes = []string{"h100-hgx", "turing-workstation", "epyc-mi210", "a100-sriov", "nouveau-no-vfio"}

const (
	brokenNode = "gone"
	cleanNode  = "h100-hgx" // the fixture meant to trigger no finding

	taskInstall    = "gpupass : Install the gpupass binary"
	taskCouldNot   = "gpupass : Fail the node when preflight could not run"
	taskFetch      = "gpupass : Fetch the report to the controller"
	taskSummary    = "gpupass : Summarise the fleet"
	taskAudit      = "gpupass : Run gpupass audit on the controller"
	taskNodeFail   = "gpupass : Fail the node on its findings"
	taskAuditFail  = "gpupass : Fail the play on the audit"
	reportSchema   = "gpupass/report/v1"
	runTimeout     = 3 * time.Minute
	skipMessage    = "set GPUPASS_ANSIBLE=1 to run the Ansible role against fixture hosts (needs ansible-playbook: apt-get install ansible-core)"
	ansibleMissing = "GPUPASS_ANSIBLE=1 but ansible-playbook is not on PATH: apt-get install --no-install-recommends ansible-core"
)

// env is what every run shares: the built binary, the paths, the inventory.
type env struct {
	repo      string // module root
	playbooks string // deploy/ansible
	tmp       string
	python    string
	binary    string
	inventory string
	reports   string
	audit     string
	runs      int
}

func setup(t *testing.T) *env {
	t.Helper()
	if os.Getenv("GPUPASS_ANSIBLE") != "1" {
		t.Skip(skipMessage)
	}
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Fatal(ansibleMissing)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("runtime.Caller: no file")
	}
	e := &env{playbooks: filepath.Dir(filepath.Dir(file)), tmp: t.TempDir()}
	e.repo = filepath.Dir(filepath.Dir(e.playbooks))
	if _, err := os.Stat(filepath.Join(e.repo, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", e.repo, err)
	}
	e.python = ansiblePython(t)

	e.binary = filepath.Join(e.tmp, "gpupass")
	build := exec.Command("go", "build", "-o", e.binary, "./cmd/gpupass")
	build.Dir = e.repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/gpupass: %v\n%s", err, out)
	}
	e.reports = filepath.Join(e.tmp, "reports")
	e.audit = filepath.Join(e.tmp, "audit.json")
	e.inventory = e.writeInventory(t)
	return e
}

// ansiblePython is the interpreter ansible-playbook itself runs on, the one
// its --version names: "python version = 3.11.2 (...) [GCC 12.2.0] (/usr/bin/python3)".
func ansiblePython(t *testing.T) string {
	out, err := exec.Command("ansible-playbook", "--version").Output()
	if err != nil {
		t.Fatalf("ansible-playbook --version: %v", err)
	}
	m := regexp.MustCompile(`(?m)^\s*python version = .*\(([^()]+)\)\s*$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("ansible-playbook --version names no python:\n%s", out)
	}
	return string(m[1])
}

// nodeDir holds what the role leaves on one "node": its install path and its
// temporary directory.
func (e *env) nodeDir(name string) string { return filepath.Join(e.tmp, "nodes", name) }

func (e *env) writeInventory(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	group := u.Gid
	if g, err := user.LookupGroupId(u.Gid); err == nil {
		group = g.Name
	}
	hosts := map[string]any{}
	for _, name := range append(slices.Clone(fixtureNodes), brokenNode) {
		root := filepath.Join(e.repo, "testdata", "hosts", name)
		if name == brokenNode {
			root = filepath.Join(e.tmp, "no-such-root")
		}
		for _, d := range []string{"bin", "tmp"} {
			if err := os.MkdirAll(filepath.Join(e.nodeDir(name), d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		hosts[name] = map[string]any{
			"gpupass_root":          root,
			"gpupass_install_path":  filepath.Join(e.nodeDir(name), "bin", "gpupass"),
			"gpupass_remote_tmpdir": filepath.Join(e.nodeDir(name), "tmp"),
		}
	}
	data := filepath.Join(e.playbooks, "test", "testdata")
	inv := map[string]any{"compute": map[string]any{
		"hosts": hosts,
		"vars": map[string]any{
			"ansible_connection":         "local",
			"ansible_python_interpreter": e.python,
			"gpupass_binary":             e.binary,
			"gpupass_become":             false,
			"gpupass_install_owner":      u.Username,
			"gpupass_install_group":      group,
			"gpupass_report_dir":         e.reports,
			"gpupass_audit":              true,
			"gpupass_audit_output":       e.audit,
			"gpupass_audit_args": []string{
				"--from-cloud", filepath.Join(data, "cloud.json"),
				"--api-conf", filepath.Join(data, "api-nova.conf"),
			},
		},
	}}
	// JSON is YAML: the yaml inventory plugin reads it, and no path needs quoting.
	path := filepath.Join(e.tmp, "inventory.json")
	writeJSON(t, path, inv)
	return path
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// event is one line the gpupass_record callback (testdata/callback_plugins)
// writes: a task result, or the final stats.
type event struct {
	Event  string `json:"event"`
	Status string `json:"status"` // ok, changed, failed, skipped, unreachable, ignored
	Host   string `json:"host"`
	Task   string `json:"task"`
	Result struct {
		Msg    any    `json:"msg"`
		RC     *int   `json:"rc"`
		Stderr string `json:"stderr"`
	} `json:"result"`
	Hosts map[string]map[string]int `json:"hosts"` // stats
}

type run struct {
	rc     int
	output string
	events []event
}

// results are the results of one task, by host.
func (r *run) results(task string) map[string]event {
	out := map[string]event{}
	for _, ev := range r.events {
		if ev.Event == "task" && ev.Task == task {
			out[ev.Host] = ev
		}
	}
	return out
}

func (r *run) stats() map[string]map[string]int {
	for _, ev := range r.events {
		if ev.Event == "stats" {
			return ev.Hosts
		}
	}
	return nil
}

// hostsWith lists, sorted, the hosts whose result of task has status.
func (r *run) hostsWith(task, status string) []string {
	var out []string
	for h, ev := range r.results(task) {
		if ev.Status == status {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

func msg(ev event) string {
	switch m := ev.Result.Msg.(type) {
	case string:
		return m
	case nil:
		return ""
	default:
		b, _ := json.Marshal(m)
		return string(b)
	}
}

// playbook runs ansible-playbook in deploy/ansible with the repository's
// ansible.cfg, everything Ansible writes kept under the test's directory.
func (e *env) playbook(t *testing.T, args ...string) *run {
	t.Helper()
	e.runs++
	record := filepath.Join(e.tmp, fmt.Sprintf("run%d.jsonl", e.runs))
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ansible-playbook", append([]string{"-i", e.inventory}, args...)...)
	cmd.Dir = e.playbooks
	cmd.Env = append(os.Environ(),
		"ANSIBLE_CONFIG="+filepath.Join(e.playbooks, "ansible.cfg"),
		"ANSIBLE_HOME="+filepath.Join(e.tmp, "ansible-home"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(e.tmp, "ansible-local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(e.tmp, "ansible-remote"),
		"ANSIBLE_HOST_KEY_CHECKING=False",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_FORCE_COLOR=0",
		"ANSIBLE_CALLBACK_PLUGINS="+filepath.Join(e.playbooks, "test", "testdata", "callback_plugins"),
		"ANSIBLE_CALLBACKS_ENABLED=gpupass_record",
		"GPUPASS_RECORD="+record,
		"PYTHONDONTWRITEBYTECODE=1",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r := &run{output: out.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.rc = exit.ExitCode()
	default:
		t.Fatalf("ansible-playbook %s: %v\n%s", strings.Join(args, " "), err, r.output)
	}
	if ctx.Err() != nil {
		t.Fatalf("ansible-playbook %s: still running after %v\n%s", strings.Join(args, " "), runTimeout, r.output)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ansible-playbook %s (exit status %d):\n%s", strings.Join(args, " "), r.rc, r.output)
		}
	})
	f, err := os.Open(record)
	if err != nil {
		t.Fatalf("no record of the run (the gpupass_record callback did not load?): %v\n%s", err, r.output)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%s: %v", record, err)
		}
		r.events = append(r.events, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if r.stats() == nil {
		t.Fatalf("ansible-playbook %s: no PLAY RECAP recorded\n%s", strings.Join(args, " "), r.output)
	}
	return r
}

// report is the part of a gpupass JSON report the test reads.
type report struct {
	Schema  string `json:"schema"`
	Command string `json:"command"`
	Host    struct {
		Hostname string `json:"hostname"`
	} `json:"host"`
	Summary struct {
		Errors, Warnings int
	} `json:"summary"`
	Findings []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Subject  struct {
			Kind, Ref string
		} `json:"subject"`
	} `json:"findings"`
	Audit struct {
		Hosts []struct {
			Name   string `json:"name"`
			Report string `json:"report"`
		} `json:"hosts"`
	} `json:"audit"`
}

func readReport(t *testing.T, path string) report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	if r.Schema != reportSchema {
		t.Errorf("%s: schema %q, want %q", path, r.Schema, reportSchema)
	}
	return r
}

// fixtureHostname is the name gpupass gives a fixture host:
// ROOT/proc/sys/kernel/hostname, else ROOT/etc/hostname.
func (e *env) fixtureHostname(t *testing.T, name string) string {
	root := filepath.Join(e.repo, "testdata", "hosts", name)
	for _, p := range []string{"proc/sys/kernel/hostname", "etc/hostname"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err == nil && strings.TrimSpace(string(b)) != "" {
			return strings.TrimSpace(string(b))
		}
	}
	t.Fatalf("fixture %s has no host name", name)
	return ""
}

// checkNodesClean fails when a node's temporary directory holds anything: the
// role removes the report once fetched.
func (e *env) checkNodesClean(t *testing.T) {
	t.Helper()
	for _, name := range append(slices.Clone(fixtureNodes), brokenNode) {
		dir := filepath.Join(e.nodeDir(name), "tmp")
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range entries {
			t.Errorf("node %s: %s left behind in its temporary directory", name, en.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(e.playbooks, "gpupass.retry")); err == nil {
		t.Errorf("a .retry file was written next to the playbook")
	}
}

func TestAnsibleRole(t *testing.T) {
	e := setup(t)

	t.Run("syntax", func(t *testing.T) {
		cmd := exec.Command("ansible-playbook", "--syntax-check", "-i", "inventory.example.ini", "gpupass.yml")
		cmd.Dir = e.playbooks
		cmd.Env = append(os.Environ(), "ANSIBLE_HOME="+filepath.Join(e.tmp, "ansible-home"), "ANSIBLE_NOCOLOR=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ansible-playbook --syntax-check: %v\n%s", err, out)
		}
		// The example inventory parses, and its list variables are lists.
		cmd = exec.Command("ansible-inventory", "-i", "inventory.example.ini", "--list")
		cmd.Dir = e.playbooks
		cmd.Env = append(os.Environ(), "ANSIBLE_HOME="+filepath.Join(e.tmp, "ansible-home"), "ANSIBLE_NOCOLOR=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ansible-inventory: %v", err)
		}
		var inv struct {
			Meta struct {
				Hostvars map[string]map[string]any `json:"hostvars"`
			} `json:"_meta"`
			Compute struct {
				Hosts []string `json:"hosts"`
			} `json:"compute"`
		}
		if err := json.Unmarshal(out, &inv); err != nil {
			t.Fatalf("ansible-inventory --list: %v\n%s", err, out)
		}
		if len(inv.Compute.Hosts) == 0 {
			t.Fatalf("inventory.example.ini: no host in [compute]")
		}
		for _, h := range inv.Compute.Hosts {
			for _, v := range []string{"gpupass_preflight_args", "gpupass_audit_args"} {
				if _, ok := inv.Meta.Hostvars[h][v].([]any); !ok {
					t.Errorf("inventory.example.ini: %s of %s is %T, want a list", v, h, inv.Meta.Hostvars[h][v])
				}
			}
		}
	})

	// First run: gpupass_fail_on=error (the default). The play fails; every
	// report is fetched first.
	t.Run("fail-on-error", func(t *testing.T) {
		r := e.playbook(t, "gpupass.yml")
		if r.rc == 0 {
			t.Fatalf("the play succeeded; want it to fail on the fixtures' error findings")
		}

		// (b) every node's report is on the controller, named after the
		// inventory host, with the fixture's host name; nothing else is there.
		reports := map[string]report{}
		var withErrors []string
		for _, name := range fixtureNodes {
			rep := readReport(t, filepath.Join(e.reports, name+".json"))
			if rep.Command != "preflight" {
				t.Errorf("%s.json: command %q, want preflight", name, rep.Command)
			}
			if want := e.fixtureHostname(t, name); rep.Host.Hostname != want {
				t.Errorf("%s.json: host.hostname %q, want %q", name, rep.Host.Hostname, want)
			}
			reports[name] = rep
			if rep.Summary.Errors > 0 {
				withErrors = append(withErrors, name)
			}
		}
		slices.Sort(withErrors)
		entries, _ := os.ReadDir(e.reports)
		var files []string
		for _, en := range entries {
			files = append(files, en.Name())
		}
		wantFiles := []string{}
		for _, name := range fixtureNodes {
			wantFiles = append(wantFiles, name+".json")
		}
		slices.Sort(wantFiles)
		if !slices.Equal(files, wantFiles) {
			t.Errorf("report directory holds %v, want %v (no report for %s, which could not run)", files, wantFiles, brokenNode)
		}

		// The fixtures meant for it have error findings; h100-hgx has none.
		if reports[cleanNode].Summary.Errors != 0 {
			t.Fatalf("%s has %d error findings: the fixture is meant to be clean", cleanNode, reports[cleanNode].Summary.Errors)
		}
		for _, name := range []string{"turing-workstation", "nouveau-no-vfio"} {
			if !slices.Contains(withErrors, name) {
				t.Errorf("%s has no error finding: the fixture is meant to have some", name)
			}
		}

		// (a) the final step fails exactly the nodes with error findings,
		// each message naming the node and its error findings' IDs and subjects.
		if got := r.hostsWith(taskNodeFail, "failed"); !slices.Equal(got, withErrors) {
			t.Errorf("%q failed %v, want exactly the nodes with error findings %v", taskNodeFail, got, withErrors)
		}
		if got := r.hostsWith(taskNodeFail, "skipped"); !slices.Equal(got, []string{cleanNode}) {
			t.Errorf("%q skipped %v, want [%s]", taskNodeFail, got, cleanNode)
		}
		for _, name := range withErrors {
			m := msg(r.results(taskNodeFail)[name])
			if !strings.Contains(m, name) || !strings.Contains(m, reports[name].Host.Hostname) {
				t.Errorf("%s: failure message does not name the node and its host name: %s", name, m)
			}
			for _, f := range reports[name].Findings {
				if f.Severity == "error" && !strings.Contains(m, f.ID+" "+f.Subject.Ref) {
					t.Errorf("%s: failure message lacks error finding %s %s: %s", name, f.ID, f.Subject.Ref, m)
				}
			}
		}
		// The fleet summary lists them all, and the node that could not run.
		sum := r.results(taskSummary)
		if len(sum) != 1 {
			t.Fatalf("%q ran %d times, want once", taskSummary, len(sum))
		}
		for _, ev := range sum {
			m := msg(ev)
			for _, name := range append(slices.Clone(fixtureNodes), brokenNode) {
				if !strings.Contains(m, name) {
					t.Errorf("fleet summary does not mention %s: %s", name, m)
				}
			}
			if !strings.Contains(m, fmt.Sprintf("%d failing on error", len(withErrors))) {
				t.Errorf("fleet summary does not count %d failing nodes: %s", len(withErrors), m)
			}
		}
		stats := r.stats()
		if stats[cleanNode]["failures"] != 0 {
			t.Errorf("PLAY RECAP: %s failed, want it ok", cleanNode)
		}

		// (e) the node whose root does not exist fails at once with gpupass's
		// message, before any fetch; the others are fetched all the same.
		ev, ok := r.results(taskCouldNot)[brokenNode]
		if !ok || ev.Status != "failed" {
			t.Errorf("%q on %s: %+v, want failed", taskCouldNot, brokenNode, ev)
		} else if m := msg(ev); !strings.Contains(m, "exit status 2") || !strings.Contains(m, "gpupass: root") || !strings.Contains(m, "no such directory") {
			t.Errorf("%s: failure message does not carry gpupass's error: %s", brokenNode, m)
		}
		if got, want := r.hostsWith(taskCouldNot, "skipped"), sorted(fixtureNodes); !slices.Equal(got, want) {
			t.Errorf("%q skipped %v, want %v", taskCouldNot, got, want)
		}
		if got, want := r.hostsWith(taskFetch, "changed"), sorted(fixtureNodes); !slices.Equal(got, want) {
			t.Errorf("%q changed %v, want %v", taskFetch, got, want)
		}
		if stats[brokenNode]["failures"] != 1 {
			t.Errorf("PLAY RECAP: %s failures %d, want 1", brokenNode, stats[brokenNode]["failures"])
		}

		// (c) the audit ran once, on the controller, over the report
		// directory: every fetched report is one of its hosts.
		audits := r.results(taskAudit)
		if len(audits) != 1 {
			t.Fatalf("%q ran on %d hosts, want once (run_once)", taskAudit, len(audits))
		}
		for _, ev := range audits {
			if ev.Status != "ok" || ev.Result.RC == nil || *ev.Result.RC != 0 {
				t.Errorf("%q: status %s, rc %v, stderr %q; want ok, 0", taskAudit, ev.Status, ev.Result.RC, ev.Result.Stderr)
			}
		}
		audit := readReport(t, e.audit)
		if audit.Command != "audit" {
			t.Errorf("audit.json: command %q, want audit", audit.Command)
		}
		var auditHosts, wantHosts []string
		for _, h := range audit.Audit.Hosts {
			auditHosts = append(auditHosts, h.Name)
			if filepath.Dir(h.Report) != e.reports {
				t.Errorf("audit.json: host %s read from %s, not from the report directory", h.Name, h.Report)
			}
		}
		for _, rep := range reports {
			wantHosts = append(wantHosts, rep.Host.Hostname)
		}
		slices.Sort(auditHosts)
		slices.Sort(wantHosts)
		if !slices.Equal(auditHosts, wantHosts) {
			t.Errorf("audit.json: hosts %v, want the fetched reports' %v", auditHosts, wantHosts)
		}
		if got := r.hostsWith(taskAuditFail, "skipped"); len(got) != 1 {
			t.Errorf("%q: skipped on %v, want once (the audit has no error)", taskAuditFail, got)
		}

		// (f) nothing is left on the nodes; the binary is installed, 0755.
		e.checkNodesClean(t)
		for _, name := range append(slices.Clone(fixtureNodes), brokenNode) {
			fi, err := os.Stat(filepath.Join(e.nodeDir(name), "bin", "gpupass"))
			if err != nil {
				t.Errorf("node %s: %v", name, err)
			} else if fi.Mode().Perm() != 0o755 {
				t.Errorf("node %s: gpupass installed with mode %v, want 0755", name, fi.Mode().Perm())
			}
		}
		if got, want := r.hostsWith(taskInstall, "changed"), sorted(append(slices.Clone(fixtureNodes), brokenNode)); !slices.Equal(got, want) {
			t.Errorf("first run: %q changed %v, want %v", taskInstall, got, want)
		}
	})

	// (d) gpupass_fail_on=never: the play succeeds (the node that cannot run
	// at all left out: it fails whatever the setting). (f) a second run
	// leaves the installed binary alone.
	t.Run("fail-on-never", func(t *testing.T) {
		r := e.playbook(t, "gpupass.yml", "--limit", "all:!"+brokenNode, "-e", "gpupass_fail_on=never")
		if r.rc != 0 {
			t.Fatalf("the play failed (exit status %d) with gpupass_fail_on=never", r.rc)
		}
		if got, want := r.hostsWith(taskInstall, "ok"), sorted(fixtureNodes); !slices.Equal(got, want) {
			t.Errorf("second run: %q unchanged on %v, want on every node %v (idempotent copy)", taskInstall, got, want)
		}
		if got, want := r.hostsWith(taskNodeFail, "skipped"), sorted(fixtureNodes); !slices.Equal(got, want) {
			t.Errorf("%q skipped on %v, want %v", taskNodeFail, got, want)
		}
		for h, s := range r.stats() {
			if s["failures"] != 0 || s["unreachable"] != 0 {
				t.Errorf("PLAY RECAP: %s %v", h, s)
			}
		}
		for _, name := range fixtureNodes {
			readReport(t, filepath.Join(e.reports, name+".json"))
		}
		if got, want := r.hostsWith(taskFetch, "changed"), sorted(fixtureNodes); !slices.Equal(got, want) {
			t.Errorf("%q changed %v, want %v (fresh reports)", taskFetch, got, want)
		}
		e.checkNodesClean(t)
	})

	// Check mode previews the install only: a node whose binary differs is
	// reported changed and left alone; no preflight runs, no report moves.
	t.Run("check-mode", func(t *testing.T) {
		installed := filepath.Join(e.nodeDir(cleanNode), "bin", "gpupass")
		stale := []byte("#!/bin/sh\necho an older gpupass\n")
		if err := os.WriteFile(installed, stale, 0o755); err != nil {
			t.Fatal(err)
		}
		before := reportTimes(t, e.reports)
		r := e.playbook(t, "gpupass.yml", "--check", "--limit", "all:!"+brokenNode)
		if r.rc != 0 {
			t.Fatalf("check mode failed (exit status %d)", r.rc)
		}
		if got := r.hostsWith(taskInstall, "changed"); !slices.Equal(got, []string{cleanNode}) {
			t.Errorf("check mode: %q changed %v, want [%s] (its binary differs)", taskInstall, got, cleanNode)
		}
		if b, err := os.ReadFile(installed); err != nil || !bytes.Equal(b, stale) {
			t.Errorf("check mode replaced %s", installed)
		}
		for _, task := range []string{taskFetch, taskNodeFail, taskAudit} {
			for h, ev := range r.results(task) {
				if ev.Status != "skipped" {
					t.Errorf("check mode: %q %s on %s, want skipped", task, ev.Status, h)
				}
			}
		}
		if after := reportTimes(t, e.reports); !maps.Equal(before, after) {
			t.Errorf("check mode touched the reports: %v, then %v", before, after)
		}
		e.checkNodesClean(t)
	})

	// A binary that does not run on the node (wrong architecture) is refused
	// by the copy's validation, and the installed one is kept.
	t.Run("install-validated", func(t *testing.T) {
		installed := filepath.Join(e.nodeDir(cleanNode), "bin", "gpupass")
		before, err := os.ReadFile(installed)
		if err != nil {
			t.Fatal(err)
		}
		bogus := filepath.Join(e.tmp, "gpupass-other-arch")
		if err := os.WriteFile(bogus, []byte("#!/bin/sh\necho 'cannot execute binary file: Exec format error' >&2\nexit 126\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		r := e.playbook(t, "gpupass.yml", "--limit", cleanNode, "-e", "gpupass_binary="+bogus)
		if r.rc == 0 {
			t.Fatalf("the play succeeded with a binary that does not run")
		}
		if ev := r.results(taskInstall)[cleanNode]; ev.Status != "failed" || !strings.Contains(msg(ev), "validate") {
			t.Errorf("%q: %s %q, want failed to validate", taskInstall, ev.Status, msg(ev))
		}
		if after, err := os.ReadFile(installed); err != nil || !bytes.Equal(before, after) {
			t.Errorf("the installed binary was replaced (%v)", err)
		}
		if got := r.results(taskFetch); len(got) != 0 {
			t.Errorf("preflight went on after the install failed")
		}
	})

	// The audit's own findings fail the play: a flavor whose
	// pci_passthrough:alias Nova rejects (GP401).
	t.Run("audit-error", func(t *testing.T) {
		var cloud map[string]any
		b, err := os.ReadFile(filepath.Join(e.playbooks, "test", "testdata", "cloud.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &cloud); err != nil {
			t.Fatal(err)
		}
		cloud["flavors"] = append(cloud["flavors"].([]any), map[string]any{
			"id": "99", "name": "gpu.h100.nocount", "vcpus": 8, "ram_mb": 32768, "is_public": true,
			"extra_specs": map[string]any{"pci_passthrough:alias": "h100"},
		})
		bad := filepath.Join(e.tmp, "cloud-bad-flavor.json")
		writeJSON(t, bad, cloud)
		args, _ := json.Marshal(map[string]any{"gpupass_audit_args": []string{
			"--from-cloud", bad, "--api-conf", filepath.Join(e.playbooks, "test", "testdata", "api-nova.conf")}})
		r := e.playbook(t, "gpupass.yml", "--limit", cleanNode, "-e", string(args))
		if r.rc == 0 {
			t.Fatalf("the play succeeded; want the audit's error finding to fail it")
		}
		ev, ok := r.results(taskAuditFail)[cleanNode]
		if !ok || ev.Status != "failed" {
			t.Fatalf("%q: %+v, want failed", taskAuditFail, ev)
		}
		if m := msg(ev); !strings.Contains(m, "GP401 gpu.h100.nocount") || !strings.Contains(m, e.audit) {
			t.Errorf("audit failure message does not name GP401 gpu.h100.nocount and the report: %s", m)
		}
		if readReport(t, e.audit).Summary.Errors == 0 {
			t.Errorf("audit.json: no error finding")
		}
	})

	// An audit that cannot run (exit status 2) fails the play with gpupass's
	// message, and keeps the last audit report.
	t.Run("audit-cannot-run", func(t *testing.T) {
		before, err := os.ReadFile(e.audit)
		if err != nil {
			t.Fatal(err)
		}
		missing := filepath.Join(e.tmp, "no-such-cloud.json")
		args, _ := json.Marshal(map[string]any{"gpupass_audit_args": []string{"--from-cloud", missing}})
		r := e.playbook(t, "gpupass.yml", "--limit", cleanNode, "-e", string(args))
		if r.rc == 0 {
			t.Fatalf("the play succeeded; want the audit's failure to fail it")
		}
		ev := r.results(taskAuditFail)[cleanNode]
		if m := msg(ev); ev.Status != "failed" || !strings.Contains(m, "could not run (exit status 2)") || !strings.Contains(m, "gpupass:") {
			t.Errorf("%q: %s %s; want failed with gpupass's message", taskAuditFail, ev.Status, m)
		}
		after, err := os.ReadFile(e.audit)
		if err != nil || !bytes.Equal(before, after) {
			t.Errorf("the last audit report was not kept (%v)", err)
		}
		if _, err := os.Stat(e.audit + ".part"); err == nil {
			t.Errorf("%s.part left behind", e.audit)
		}
	})

	// --tags gpupass_audit re-runs the audit over the reports already
	// collected, without touching the nodes.
	t.Run("audit-only", func(t *testing.T) {
		before := reportTimes(t, e.reports)
		r := e.playbook(t, "gpupass.yml", "--tags", "gpupass_audit")
		if r.rc != 0 {
			t.Fatalf("the audit-only run failed (exit status %d)", r.rc)
		}
		for _, task := range []string{taskInstall, taskFetch, taskNodeFail} {
			if got := r.results(task); len(got) != 0 {
				t.Errorf("--tags gpupass_audit ran %q", task)
			}
		}
		if got := r.results(taskAudit); len(got) != 1 {
			t.Fatalf("%q ran %d times, want once", taskAudit, len(got))
		}
		var hosts, want []string
		for _, h := range readReport(t, e.audit).Audit.Hosts {
			hosts = append(hosts, h.Name)
		}
		for _, name := range fixtureNodes {
			want = append(want, e.fixtureHostname(t, name))
		}
		slices.Sort(hosts)
		slices.Sort(want)
		if !slices.Equal(hosts, want) {
			t.Errorf("audit.json: hosts %v, want %v", hosts, want)
		}
		if after := reportTimes(t, e.reports); !maps.Equal(before, after) {
			t.Errorf("--tags gpupass_audit touched the reports")
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// reportTimes is each report's modification time.
func reportTimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, en := range entries {
		fi, err := en.Info()
		if err != nil {
			t.Fatal(err)
		}
		out[en.Name()] = fi.ModTime()
	}
	return out
}
