// Package deploy holds no Go code, only this test of the files operators
// install from deploy/: the systemd units (systemd/) and the Prometheus
// alerting rules (prometheus/). It checks them against each other and
// against gpupass itself, built from this module:
//
//   - the service's command line, run as written (the binary swapped for the
//     one built here, the output moved to a temporary directory, --root a
//     fixture host), gives exit statuses the unit's SuccessExitStatus= reads
//     right, and writes the file node_exporter expects;
//   - the sandbox hides nothing gpupass reads (the paths a snapshot of every
//     fixture host records);
//   - the timer's period fits the alerts' staleness threshold;
//   - the rules use only metrics and labels gpupass writes;
//   - systemd-analyze verify and security accept the units (skipped where
//     systemd-analyze is missing or cannot run);
//   - promtool checks and unit-tests the rules, with GPUPASS_PROMTOOL=1
//     (skipped otherwise).
//
// To run all of it:
//
//	apt-get install --no-install-recommends prometheus   # promtool
//	GPUPASS_PROMTOOL=1 go test -count=1 ./deploy
package deploy

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v2"
)

const (
	servicePath = "systemd/gpupass-preflight.service"
	timerPath   = "systemd/gpupass-preflight.timer"
	rulesPath   = "prometheus/gpupass-alerts.yml"
	rulesTest   = "prometheus/gpupass-alerts.test.yml"

	cleanHost  = "h100-hgx"        // a fixture host with no error finding: exit status 0
	brokenHost = "nouveau-no-vfio" // a fixture host with error findings: exit status 1

	runTimeout = 2 * time.Minute
)

// ---------------------------------------------------------------------------
// A systemd unit file parser, as much of systemd.syntax(7) as the units use.

type unitEntry struct {
	key, value string
	line       int
}

type unitFile struct {
	name     string
	sections map[string][]unitEntry
}

// parseUnit reads systemd's unit syntax: [Section] headers, Key=Value lines
// (spaces around both trimmed), comment lines starting with # or ;, and
// lines continued by a trailing backslash (which becomes a space; comment
// lines inside a continuation are skipped, as systemd does).
func parseUnit(name string, data []byte) (*unitFile, error) {
	u := &unitFile{name: name, sections: map[string][]unitEntry{}}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		start := n
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		for strings.HasSuffix(line, `\`) {
			line = strings.TrimSuffix(line, `\`) + " "
			more := false
			for sc.Scan() {
				n++
				next := strings.TrimSpace(sc.Text())
				if next != "" && (next[0] == '#' || next[0] == ';') {
					continue
				}
				line += next
				more = true
				break
			}
			if !more {
				break
			}
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") || len(line) < 3 {
				return nil, fmt.Errorf("%s:%d: bad section header %q", name, start, line)
			}
			section = line[1 : len(line)-1]
			if _, ok := u.sections[section]; !ok {
				u.sections[section] = nil
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: neither a section, a comment nor Key=Value: %q", name, start, line)
		}
		if section == "" {
			return nil, fmt.Errorf("%s:%d: %s= before any [Section]", name, start, strings.TrimSpace(key))
		}
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("%s:%d: bad key %q", name, start, key)
		}
		u.sections[section] = append(u.sections[section], unitEntry{key, strings.TrimSpace(value), start})
	}
	return u, sc.Err()
}

// list returns the values a key was given in a section, in order; an empty
// assignment resets the list, as it does for systemd's list settings.
func (u *unitFile) list(section, key string) []string {
	var out []string
	for _, e := range u.sections[section] {
		if e.key != key {
			continue
		}
		if e.value == "" {
			out = nil
			continue
		}
		out = append(out, e.value)
	}
	return out
}

// get returns the last value of a single-valued setting, "" when unset.
func (u *unitFile) get(section, key string) string {
	v := u.list(section, key)
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// words returns the space-separated items of a list setting
// (SuccessExitStatus=, ReadWritePaths=, CapabilityBoundingSet=...).
func (u *unitFile) words(section, key string) []string {
	var out []string
	for _, v := range u.list(section, key) {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

// on reports a boolean setting as systemd reads it.
func (u *unitFile) on(section, key string) bool {
	switch strings.ToLower(u.get(section, key)) {
	case "1", "yes", "y", "true", "t", "on":
		return true
	}
	return false
}

func loadUnit(t *testing.T, file string) *unitFile {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	u, err := parseUnit(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// splitCommand splits an ExecStart= value into its prefix characters
// ("-", "@", "+", "!", ":") and its words, with systemd's double and single
// quotes and backslash escapes. $VARIABLE and %specifier expansions are
// refused: the test could not run such a command line as systemd would.
func splitCommand(s string) (prefix string, argv []string, err error) {
	s = strings.TrimSpace(s)
	for s != "" && strings.ContainsRune("-@+!:", rune(s[0])) {
		prefix += s[:1]
		s = s[1:]
	}
	var word strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && quote != '\'' && i+1 < len(s):
			i++
			word.WriteByte(s[i])
			inWord = true
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			word.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				argv = append(argv, word.String())
				word.Reset()
				inWord = false
			}
		case c == '$' || c == '%':
			return "", nil, fmt.Errorf("%q: expansions ($, %%) are not supported by this test", s)
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return "", nil, fmt.Errorf("%q: unterminated quote", s)
	}
	if inWord {
		argv = append(argv, word.String())
	}
	return prefix, argv, nil
}

// flagValue returns the value of a flag given as "--name V", "--name=V" or,
// for a short name, "-n V"; ok is false when the flag is absent. set
// returns args with the flag's value replaced.
func flagValue(args []string, long, short string) (value string, set func(string) []string, ok bool) {
	for i, a := range args {
		if (a == long || (short != "" && a == short)) && i+1 < len(args) {
			return args[i+1], func(v string) []string {
				c := slices.Clone(args)
				c[i+1] = v
				return c
			}, true
		}
		if v, found := strings.CutPrefix(a, long+"="); found {
			return v, func(v string) []string {
				c := slices.Clone(args)
				c[i] = long + "=" + v
				return c
			}, true
		}
	}
	return "", nil, false
}

// parseTimespan reads a systemd time span (systemd.time(7)): "15min",
// "5min 30s", "2h", or a bare number of seconds.
func parseTimespan(s string) (time.Duration, error) {
	units := map[string]time.Duration{
		"us": time.Microsecond, "usec": time.Microsecond,
		"ms": time.Millisecond, "msec": time.Millisecond,
		"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
		"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
		"h": time.Hour, "hr": time.Hour, "hour": time.Hour, "hours": time.Hour,
		"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
		"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	}
	re := regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)`)
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, fmt.Errorf("empty time span")
	}
	var total time.Duration
	for rest != "" {
		m := re.FindStringSubmatch(rest)
		if m == nil {
			return 0, fmt.Errorf("time span %q: cannot read %q", s, rest)
		}
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, err
		}
		unit := time.Second
		if m[2] != "" {
			u, ok := units[m[2]]
			if !ok {
				return 0, fmt.Errorf("time span %q: unknown unit %q", s, m[2])
			}
			unit = u
		}
		total += time.Duration(n * float64(unit))
		rest = strings.TrimSpace(rest[len(m[0]):])
	}
	return total, nil
}

func TestParseUnit(t *testing.T) {
	src := "# comment\n; another\n[Service]\nType = oneshot\nExecStart=/bin/a \\\n  # skipped inside the continuation\n  --b \\\n  c\nSuccessExitStatus=1\nSuccessExitStatus=3 4\n\n[Install]\nWantedBy=timers.target\n[Service]\nSuccessExitStatus=\nSuccessExitStatus=5\n"
	u, err := parseUnit("x.service", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.get("Service", "Type"); got != "oneshot" {
		t.Errorf("Type = %q", got)
	}
	if got := u.get("Service", "ExecStart"); got != "/bin/a  --b  c" {
		t.Errorf("ExecStart = %q", got)
	}
	if got := u.words("Service", "SuccessExitStatus"); !slices.Equal(got, []string{"5"}) {
		t.Errorf("SuccessExitStatus after the reset = %q, want [5]", got)
	}
	if got := u.get("Install", "WantedBy"); got != "timers.target" {
		t.Errorf("WantedBy = %q", got)
	}
	for _, bad := range []string{"Type=oneshot\n", "[Service]\nno equals sign\n", "[Service\nA=b\n", "[Service]\nA B=c\n"} {
		if _, err := parseUnit("bad", []byte(bad)); err == nil {
			t.Errorf("parseUnit(%q) accepted it", bad)
		}
	}

	prefix, argv, err := splitCommand(`-/usr/bin/x "a b" 'c\d' e\ f`)
	if err != nil || prefix != "-" || !slices.Equal(argv, []string{"/usr/bin/x", "a b", `c\d`, "e f"}) {
		t.Errorf("splitCommand = %q %q %v", prefix, argv, err)
	}
	if _, _, err := splitCommand(`/usr/bin/x $HOME`); err == nil {
		t.Error("splitCommand accepted $HOME")
	}

	for in, want := range map[string]time.Duration{"15min": 15 * time.Minute, "5min 30s": 330 * time.Second, "90": 90 * time.Second, "2h": 2 * time.Hour} {
		if got, err := parseTimespan(in); err != nil || got != want {
			t.Errorf("parseTimespan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseTimespan("5 fortnights"); err == nil {
		t.Error("parseTimespan accepted fortnights")
	}
}

// ---------------------------------------------------------------------------
// gpupass, built once from this module.

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// moduleRoot is the directory of go.mod: the parent of deploy/.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

func gpupassBinary(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "gpupass-deploy-test-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "gpupass")
		cmd := exec.Command("go", "build", "-o", buildBin, "./cmd/gpupass")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/gpupass: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// run runs a command and returns its exit status and combined output; an
// error only when it could not run or did not end in time.
func run(t *testing.T, name string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case ctx.Err() != nil:
		t.Fatalf("%s %q: no end after %v\n%s", name, args, runTimeout, out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	default:
		t.Fatalf("%s %q: %v", name, args, err)
	}
	return 0, ""
}

// ---------------------------------------------------------------------------
// The service.

// execStart is the service's command line, checked for what the rest of
// the deployment relies on.
type execStart struct {
	argv       []string
	outputPath string                  // the --output value
	withOutput func(p string) []string // the arguments (argv[1:]) with another --output
}

func serviceExecStart(t *testing.T, svc *unitFile) execStart {
	t.Helper()
	lines := svc.list("Service", "ExecStart")
	if len(lines) != 1 {
		t.Fatalf("%s: %d ExecStart= lines, want 1 (a oneshot runs each of them)", svc.name, len(lines))
	}
	prefix, argv, err := splitCommand(lines[0])
	if err != nil {
		t.Fatalf("%s: ExecStart=: %v", svc.name, err)
	}
	if prefix != "" {
		t.Errorf("%s: ExecStart= has the prefix %q; a \"-\" would hide exit status 2, the others change privileges", svc.name, prefix)
	}
	if len(argv) < 2 {
		t.Fatalf("%s: ExecStart=%s: no arguments", svc.name, lines[0])
	}
	if !filepath.IsAbs(argv[0]) || filepath.Base(argv[0]) != "gpupass" {
		t.Errorf("%s: ExecStart= runs %q, want an absolute path to gpupass", svc.name, argv[0])
	}
	if argv[1] != "preflight" {
		t.Errorf("%s: ExecStart= runs gpupass %q, want preflight", svc.name, argv[1])
	}
	args := argv[1:]
	if f, _, ok := flagValue(args, "--format", ""); !ok || f != "prometheus" {
		t.Errorf("%s: ExecStart= --format %q, want prometheus", svc.name, f)
	}
	out, withOutput, ok := flagValue(args, "--output", "-o")
	if !ok {
		t.Fatalf("%s: ExecStart= has no --output", svc.name)
	}
	if !filepath.IsAbs(out) || filepath.Clean(out) != out || !strings.HasSuffix(out, ".prom") {
		t.Errorf("%s: --output %q: want a clean absolute path ending in .prom (node_exporter reads only *.prom)", svc.name, out)
	}
	if _, _, ok := flagValue(args, "--root", ""); ok {
		t.Errorf("%s: ExecStart= sets --root: the unit must read the host itself", svc.name)
	}
	return execStart{argv: argv, outputPath: out, withOutput: withOutput}
}

// writablePaths are ReadWritePaths= without their "-" and "+" prefixes.
func writablePaths(svc *unitFile) []string {
	var out []string
	for _, p := range svc.words("Service", "ReadWritePaths") {
		out = append(out, filepath.Clean(strings.TrimLeft(p, "-+")))
	}
	return out
}

func TestServiceUnit(t *testing.T) {
	svc := loadUnit(t, servicePath)
	if got := svc.get("Service", "Type"); got != "oneshot" {
		t.Errorf("Type=%q, want oneshot", got)
	}
	ok := svc.words("Service", "SuccessExitStatus")
	if !slices.Contains(ok, "1") {
		t.Errorf("SuccessExitStatus=%q lacks 1: error findings would fail the unit", ok)
	}
	for _, bad := range []string{"2", "INVALIDARGUMENT"} { // 2 is also systemd's name INVALIDARGUMENT
		if slices.Contains(ok, bad) {
			t.Errorf("SuccessExitStatus=%q holds %s: gpupass failing to run would pass unnoticed", ok, bad)
		}
	}
	es := serviceExecStart(t, svc)
	rw := writablePaths(svc)
	if dir := filepath.Dir(es.outputPath); !slices.Contains(rw, dir) {
		t.Errorf("the --output directory %s is not in ReadWritePaths=%q: the rename would fail", dir, rw)
	}
	if len(rw) != 1 {
		t.Errorf("ReadWritePaths=%q: want the textfile directory alone", rw)
	}
	for key, want := range map[string]string{
		"ProtectSystem": "strict",
		"ProtectHome":   "yes",
		"PrivateTmp":    "yes",
	} {
		if got := svc.get("Service", key); got != want {
			t.Errorf("%s=%q, want %s", key, got, want)
		}
	}
	for _, key := range []string{"NoNewPrivileges", "PrivateNetwork", "ProtectKernelTunables", "ProtectControlGroups", "LockPersonality", "MemoryDenyWriteExecute", "RestrictSUIDSGID"} {
		if !svc.on("Service", key) {
			t.Errorf("%s= is not on", key)
		}
	}
	if u := svc.get("Service", "User"); (u != "" && u != "root") || svc.on("Service", "DynamicUser") {
		t.Errorf("User=%q DynamicUser=%q: gpupass needs root (ACPI tables, debugfs, nova.conf)", u, svc.get("Service", "DynamicUser"))
	}
	caps := svc.words("Service", "CapabilityBoundingSet")
	if len(caps) == 0 {
		t.Error("no CapabilityBoundingSet=: root would keep every capability")
	}
	for _, c := range caps {
		if c != "CAP_DAC_READ_SEARCH" {
			t.Errorf("CapabilityBoundingSet= holds %s; gpupass only reads (CAP_DAC_READ_SEARCH)", c)
		}
	}
	if got := svc.get("Service", "TimeoutStartSec"); got == "" {
		t.Error("no TimeoutStartSec=: a oneshot waits forever on a hung read")
	} else if d, err := parseTimespan(got); err != nil || d <= 0 || d > 15*time.Minute {
		t.Errorf("TimeoutStartSec=%s (%v, %v): want a limit shorter than the timer's period", got, d, err)
	}
	if svc.get("Install", "WantedBy") != "" {
		t.Error("the service has [Install] WantedBy=: the timer starts it, not the boot")
	}
}

// TestExecStartRuns runs the service's command line as systemd would, with
// the binary built here, the output in a temporary directory and a fixture
// host as --root, and holds its exit statuses to SuccessExitStatus=.
func TestExecStartRuns(t *testing.T) {
	svc := loadUnit(t, servicePath)
	es := serviceExecStart(t, svc)
	success := append([]string{"0"}, svc.words("Service", "SuccessExitStatus")...)
	bin := gpupassBinary(t)
	root := moduleRoot(t)
	dir := t.TempDir()
	prom := filepath.Join(dir, filepath.Base(es.outputPath))

	argv := func(host string) []string {
		return append(es.withOutput(prom), "--root", host)
	}
	for _, tc := range []struct {
		host   string
		status int
	}{
		{cleanHost, 0},
		{brokenHost, 1},
	} {
		status, out := run(t, bin, argv(filepath.Join(root, "testdata", "hosts", tc.host))...)
		if status != tc.status {
			t.Fatalf("%s: exit status %d, want %d\n%s", tc.host, status, tc.status, out)
		}
		if !slices.Contains(success, strconv.Itoa(status)) {
			t.Errorf("%s: exit status %d would fail the unit (success: %q)", tc.host, status, success)
		}
		if out != "" {
			t.Errorf("%s: output on stdout/stderr besides the file (it lands in the journal every 15 minutes):\n%s", tc.host, out)
		}
		checkProm(t, tc.host, dir, prom)
	}

	// gpupass cannot run: exit status 2 must fail the unit and leave the
	// last good file as it was.
	before, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	status, out := run(t, bin, argv(filepath.Join(dir, "no-such-root"))...)
	if status != 2 {
		t.Fatalf("no such root: exit status %d, want 2\n%s", status, out)
	}
	if slices.Contains(success, "2") {
		t.Errorf("exit status 2 would not fail the unit (success: %q)", success)
	}
	after, err := os.ReadFile(prom)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("exit status 2 changed %s (err %v): the last good metrics must stay", prom, err)
	}
	checkProm(t, "no such root", dir, prom)
}

// checkProm checks the file node_exporter's textfile collector reads, alone
// in its directory.
func checkProm(t *testing.T, what, dir, prom string) {
	t.Helper()
	data, err := os.ReadFile(prom)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.HasPrefix(data, []byte("# HELP gpupass_")) {
		t.Errorf("%s: %s starts with %.40q, want # HELP gpupass_", what, prom, data)
	}
	if !regexp.MustCompile(`(?m)^gpupass_last_run_timestamp_seconds\{command="preflight"\} [0-9]`).Match(data) {
		t.Errorf("%s: %s has no gpupass_last_run_timestamp_seconds{command=\"preflight\"}", what, prom)
	}
	info, err := os.Stat(prom)
	if err != nil {
		t.Fatal(err)
	}
	// node_exporter runs as its own user (prometheus on Debian).
	if info.Mode().Perm()&0o004 == 0 {
		t.Errorf("%s: %s has mode %v: node_exporter, not root, could not read it", what, prom, info.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != filepath.Base(prom) {
		t.Errorf("%s: the textfile directory holds %q, want %s alone (a temporary file left behind?)", what, names, filepath.Base(prom))
	}
}

// readPaths are the host paths gpupass preflight reads: the members of a
// snapshot (which records exactly them) of every fixture host. trees are
// the directories it reads when present, whatever lies below, which no
// fixture has.
func readPaths(t *testing.T) (paths, trees []string) {
	t.Helper()
	bin := gpupassBinary(t)
	hosts, err := filepath.Glob(filepath.Join(moduleRoot(t), "testdata", "hosts", "*"))
	if err != nil {
		t.Fatal(err)
	}
	trees = []string{
		"/sys/kernel/debug/dri",   // hostinfo/dri.go: display servers' DRM clients
		"/etc/kolla/nova-compute", // openstack/novaconf: kolla-ansible's nova.conf
		"/var/lib/config-data/puppet-generated/nova_libvirt/etc/nova", // and TripleO's
		"/var/lib/kolla/venv/lib",                                     // hostinfo/nova.go: kolla's Nova version
		"/usr/local/lib",                                              // modprobe.d, a pip-installed Nova
		"/run/modprobe.d",
		"/etc/hostname",
	}
	seen := map[string]bool{}
	dir := t.TempDir()
	snapshots := 0
	for _, host := range hosts {
		if info, err := os.Stat(host); err != nil || !info.IsDir() {
			continue
		}
		tarball := filepath.Join(dir, filepath.Base(host)+".tar.gz")
		if status, out := run(t, bin, "snapshot", "--root", host, "-o", tarball); status != 0 {
			t.Fatalf("gpupass snapshot --root %s: exit status %d\n%s", host, status, out)
		}
		for _, m := range tarMembers(t, tarball) {
			if p, ok := strings.CutPrefix(m, "gpupass-snapshot/root/"); ok && p != "" {
				seen["/"+strings.TrimSuffix(p, "/")] = true
			}
		}
		snapshots++
	}
	if snapshots < 5 || len(seen) < 100 {
		t.Fatalf("%d snapshots, %d paths: the fixture hosts were not found", snapshots, len(seen))
	}
	for p := range seen {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths, trees
}

// tarMembers lists the names in a gzipped tarball.
func tarMembers(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var names []string
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		names = append(names, h.Name)
	}
}

func under(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// hiddenBy says which of the service's sandbox settings make a host path
// invisible or empty to gpupass, "" when none does (systemd.exec(5)); with
// tree, also when it hides anything below the path.
func hiddenBy(svc *unitFile, p string, tree bool) string {
	type rule struct {
		setting string
		on      bool
		dirs    []string
	}
	home := svc.get("Service", "ProtectHome")
	rules := []rule{
		{"ProtectHome=" + home, svc.on("Service", "ProtectHome") || home == "tmpfs", []string{"/home", "/root", "/run/user"}},
		{"PrivateTmp=yes", svc.on("Service", "PrivateTmp"), []string{"/tmp", "/var/tmp"}},
		{"ProtectKernelModules=yes", svc.on("Service", "ProtectKernelModules"), []string{"/usr/lib/modules", "/lib/modules"}},
		{"ProtectKernelLogs=yes", svc.on("Service", "ProtectKernelLogs"), []string{"/proc/kmsg", "/dev/kmsg"}},
		{"ProtectKernelTunables=yes", svc.on("Service", "ProtectKernelTunables"), []string{"/proc/kallsyms", "/proc/kcore"}},
	}
	for _, key := range []string{"InaccessiblePaths", "TemporaryFileSystem"} {
		for _, w := range svc.words("Service", key) {
			dir, _, _ := strings.Cut(strings.TrimLeft(w, "-+"), ":")
			rules = append(rules, rule{key + "=" + dir, true, []string{filepath.Clean(dir)}})
		}
	}
	for _, r := range rules {
		for _, d := range r.dirs {
			if r.on && (under(p, d) || tree && under(d, p)) {
				return r.setting
			}
		}
	}
	pseudo := []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx", "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/hugepages", "/dev/log", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/fd"}
	if svc.on("Service", "PrivateDevices") && under(p, "/dev") && p != "/dev" && !slices.ContainsFunc(pseudo, func(d string) bool { return under(p, d) }) {
		return "PrivateDevices=yes"
	}
	if svc.get("Service", "ProcSubset") == "pid" && under(p, "/proc") && p != "/proc" {
		first := strings.SplitN(strings.TrimPrefix(p, "/proc/"), "/", 2)[0]
		if _, err := strconv.Atoi(first); err != nil && first != "self" && first != "thread-self" {
			return "ProcSubset=pid"
		}
	}
	for _, key := range []string{"RootDirectory", "RootImage"} {
		if v := svc.get("Service", key); v != "" {
			return key + "=" + v
		}
	}
	return ""
}

// TestSandboxHidesNothingRead: every path gpupass reads stays visible in
// the unit's sandbox; a hidden one would turn a healthy node into findings
// (a "missing" vfio module, no /dev/kvm, no IOMMU).
func TestSandboxHidesNothingRead(t *testing.T) {
	svc := loadUnit(t, servicePath)
	hidden := map[string][]string{}
	paths, trees := readPaths(t)
	for _, p := range paths {
		if by := hiddenBy(svc, p, false); by != "" {
			hidden[by] = append(hidden[by], p)
		}
	}
	for _, p := range trees {
		if by := hiddenBy(svc, p, true); by != "" {
			hidden[by] = append(hidden[by], p+"/...")
		}
	}
	for by, paths := range hidden {
		if len(paths) > 5 {
			paths = append(paths[:5], fmt.Sprintf("and %d more", len(paths)-5))
		}
		t.Errorf("%s hides what gpupass reads: %s", by, strings.Join(paths, ", "))
	}
	// The model above knows these settings; a sandbox setting it does not
	// know may hide something it cannot see.
	known := []string{"ProtectHome", "PrivateTmp", "ProtectKernelModules", "ProtectKernelLogs", "ProtectKernelTunables", "InaccessiblePaths", "TemporaryFileSystem", "PrivateDevices", "ProcSubset", "RootDirectory", "RootImage"}
	for _, key := range []string{"BindPaths", "BindReadOnlyPaths", "RootImageOptions", "MountImages", "ExtensionImages", "ProtectProc"} {
		if svc.get("Service", key) != "" && !slices.Contains(known, key) {
			t.Errorf("%s= is set: teach hiddenBy what it hides first", key)
		}
	}
}

// ---------------------------------------------------------------------------
// The timer.

func TestTimerUnit(t *testing.T) {
	tm := loadUnit(t, timerPath)
	svc := loadUnit(t, servicePath)
	if got := tm.words("Install", "WantedBy"); !slices.Contains(got, "timers.target") {
		t.Errorf("[Install] WantedBy=%q lacks timers.target: enable would not start it at boot", got)
	}
	unit := tm.get("Timer", "Unit")
	if unit == "" {
		unit = strings.TrimSuffix(filepath.Base(timerPath), ".timer") + ".service"
	}
	if unit != filepath.Base(servicePath) {
		t.Errorf("the timer starts %s, not %s", unit, filepath.Base(servicePath))
	}
	if tm.on("Timer", "Persistent") && tm.get("Timer", "OnCalendar") == "" {
		t.Error("Persistent=yes without OnCalendar=: it applies to calendar timers only, and does nothing here")
	}
	if tm.get("Timer", "OnBootSec") == "" {
		t.Error("no OnBootSec=: after a reboot the .prom file keeps what gpupass saw before it until the first run")
	}
	span := func(key, def string) time.Duration {
		v := tm.get("Timer", key)
		if v == "" {
			v = def
		}
		d, err := parseTimespan(v)
		if err != nil {
			t.Fatalf("%s=%s: %v", key, v, err)
		}
		return d
	}
	period := span("OnUnitActiveSec", "0")
	if period == 0 {
		t.Fatal("no OnUnitActiveSec=: the period the alerts' thresholds assume")
	}
	jitter := span("RandomizedDelaySec", "0") + span("AccuracySec", "1min")
	timeout, err := parseTimespan(svc.get("Service", "TimeoutStartSec"))
	if err != nil {
		t.Fatalf("TimeoutStartSec: %v", err)
	}
	// The longest gap between two files: a period, the jitter, and a run
	// that takes all its time.
	gap := period + jitter + timeout
	stale, staleFor := staleAlert(t)
	if 2*gap > stale {
		t.Errorf("GpupassStale fires after %v without a run, but runs may be %v apart (OnUnitActiveSec + RandomizedDelaySec + AccuracySec + TimeoutStartSec): one late run would page", stale, gap)
	}
	// After a long outage node_exporter serves the old file until the
	// first run after boot; GpupassStale's for: must outlast that.
	firstRun := span("OnBootSec", "0") + jitter
	if staleFor <= firstRun {
		t.Errorf("GpupassStale's for: %v is not longer than the first run after boot (%v): every node back from an outage of over an hour would fire it", staleFor, firstRun)
	}
}

// ---------------------------------------------------------------------------
// The rules.

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func loadRules(t *testing.T) ruleFile {
	t.Helper()
	data, err := os.ReadFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.UnmarshalStrict(data, &rf); err != nil {
		t.Fatalf("%s: %v", rulesPath, err)
	}
	return rf
}

// staleAlert returns GpupassStale's threshold and its for:.
func staleAlert(t *testing.T) (threshold, forDuration time.Duration) {
	t.Helper()
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert != "GpupassStale" {
				continue
			}
			m := regexp.MustCompile(`^time\(\)\s*-\s*gpupass_last_run_timestamp_seconds\s*>\s*([0-9]+)$`).FindStringSubmatch(strings.TrimSpace(r.Expr))
			if m == nil {
				t.Fatalf("GpupassStale: expr %q is not time() - gpupass_last_run_timestamp_seconds > SECONDS", r.Expr)
			}
			s, _ := strconv.Atoi(m[1])
			d, err := time.ParseDuration(r.For)
			if err != nil {
				t.Fatalf("GpupassStale: for: %q: %v", r.For, err)
			}
			return time.Duration(s) * time.Second, d
		}
	}
	t.Fatal("no GpupassStale alert")
	return 0, 0
}

// promSeries are the metric families of a .prom file, with the label names
// each family's samples use.
func promSeries(t *testing.T, data []byte) map[string]map[string]bool {
	t.Helper()
	families := map[string]map[string]bool{}
	sample := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? `)
	label := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"`)
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample: %q", line)
		}
		if families[m[1]] == nil {
			families[m[1]] = map[string]bool{}
		}
		for _, l := range label.FindAllStringSubmatch(m[2], -1) {
			families[m[1]][l[1]] = true
		}
	}
	return families
}

// scrapeLabels are the labels Prometheus adds to every series it scrapes.
var scrapeLabels = map[string]bool{"instance": true, "job": true}

// writtenFamilies are the metric families gpupass writes, with the label
// names of each, read from its own --format prometheus output: preflight on
// a clean and a broken fixture host, and audit of the recorded cloud with
// preflight reports of fixture hosts (the flavor families).
func writtenFamilies(t *testing.T) map[string]map[string]bool {
	t.Helper()
	bin := gpupassBinary(t)
	root := moduleRoot(t)
	families := map[string]map[string]bool{}
	add := func(out string) {
		for name, labels := range promSeries(t, []byte(out)) {
			if families[name] == nil {
				families[name] = map[string]bool{}
			}
			for l := range labels {
				families[name][l] = true
			}
		}
	}
	reports := t.TempDir()
	for _, host := range []string{cleanHost, brokenHost} {
		_, out := run(t, bin, "preflight", "--format", "prometheus", "--root", filepath.Join(root, "testdata", "hosts", host))
		add(out)
	}
	for _, host := range []string{cleanHost, "a100-sriov"} {
		out := filepath.Join(reports, host+".json")
		if status, msg := run(t, bin, "preflight", "--format", "json", "--output", out, "--root", filepath.Join(root, "testdata", "hosts", host)); status == 2 {
			t.Fatalf("preflight %s: %s", host, msg)
		}
	}
	status, out := run(t, bin, "audit", "--format", "prometheus", "--from-cloud", filepath.Join(root, "testdata", "audit", "cloud.json"),
		"--reports", reports, "--api-conf", filepath.Join(root, "testdata", "api-conf", "controller.conf"))
	if status == 2 {
		t.Fatalf("audit: %s", out)
	}
	add(out)
	for _, name := range []string{"gpupass_gpu_info", "gpupass_flavor_bootable", "gpupass_flavor_more_instances"} {
		if len(families[name]) == 0 {
			t.Fatalf("gpupass wrote no %s: %v", name, families)
		}
	}
	return families
}

// TestRulesMatchTheMetrics: the alerts exist, are labelled and annotated,
// and use only metric and label names gpupass writes (read from its own
// --format prometheus output of fixture hosts).
func TestRulesMatchTheMetrics(t *testing.T) {
	families := writtenFamilies(t)
	target := scrapeLabels

	want := []string{"GpupassErrorFindings", "GpupassCheckFailed", "GpupassGPUNotOnVFIO", "GpupassDriftDetected", "GpupassStale", "GpupassAbsent", "GpupassGPUCountChanged"}
	var got []string
	metric := regexp.MustCompile(`\b(gpupass_[a-z_]+)\b(\{[^}]*\})?`)
	matcher := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"`)
	grouping := regexp.MustCompile(`\b(?:by|on|without|ignoring)\s*\(([^)]*)\)`)
	labelRef := regexp.MustCompile(`\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)`)
	rf := loadRules(t)
	if len(rf.Groups) != 1 || rf.Groups[0].Name != "gpupass" {
		t.Errorf("want one group named gpupass, got %d", len(rf.Groups))
	}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			name := r.Alert
			if name == "" {
				t.Errorf("recording rule %s: the file holds alerts only", r.Record)
				continue
			}
			got = append(got, name)
			if sev := r.Labels["severity"]; !slices.Contains([]string{"critical", "warning", "info"}, sev) {
				t.Errorf("%s: severity %q, want critical, warning or info", name, sev)
			}
			if d, err := time.ParseDuration(r.For); err != nil || d <= 0 {
				t.Errorf("%s: for: %q: want a duration (a single scrape should not fire it)", name, r.For)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: want both a summary and a description annotation", name)
			}
			// Every label the expression or the annotations name exists on
			// the metrics it reads (or comes from the scrape).
			known := map[string]bool{}
			for l := range target {
				known[l] = true
			}
			for _, m := range metric.FindAllStringSubmatch(r.Expr, -1) {
				labels, ok := families[m[1]]
				if !ok {
					t.Errorf("%s: gpupass writes no metric %s", name, m[1])
					continue
				}
				for l := range labels {
					known[l] = true
				}
				for _, mm := range matcher.FindAllStringSubmatch(m[2], -1) {
					if !labels[mm[1]] && !target[mm[1]] {
						t.Errorf("%s: %s has no label %s", name, m[1], mm[1])
					}
				}
			}
			for _, gr := range grouping.FindAllStringSubmatch(r.Expr, -1) {
				for _, l := range strings.Split(gr[1], ",") {
					if l = strings.TrimSpace(l); l != "" && !known[l] {
						t.Errorf("%s: groups or matches on %s, which its metrics lack", name, l)
					}
				}
			}
			for _, text := range r.Annotations {
				for _, ref := range labelRef.FindAllStringSubmatch(text, -1) {
					if !known[ref[1]] {
						t.Errorf("%s: an annotation uses $labels.%s, which its metrics lack", name, ref[1])
					}
				}
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("alerts %q, want %q", got, want)
	}
}

// ---------------------------------------------------------------------------
// systemd-analyze.

// analyzeDir copies the units to a temporary directory, the service's
// ExecStart= pointed at the built binary (verify checks that it exists).
func analyzeDir(t *testing.T) (dir, service, timer string) {
	t.Helper()
	svc := loadUnit(t, servicePath)
	es := serviceExecStart(t, svc)
	bin := gpupassBinary(t)
	dir = t.TempDir()
	data, err := os.ReadFile(servicePath)
	if err != nil {
		t.Fatal(err)
	}
	swapped := strings.Replace(string(data), "ExecStart="+es.argv[0]+" ", "ExecStart="+bin+" ", 1)
	if swapped == string(data) {
		t.Fatalf("could not point ExecStart= at %s", bin)
	}
	service = filepath.Join(dir, filepath.Base(servicePath))
	timer = filepath.Join(dir, filepath.Base(timerPath))
	if err := os.WriteFile(service, []byte(swapped), 0o644); err != nil {
		t.Fatal(err)
	}
	td, err := os.ReadFile(timerPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(timer, td, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, service, timer
}

// systemdAnalyze skips the test unless systemd-analyze can verify a
// known-good unit here without a word about it: it needs no running
// systemd, but a container may lack what it loads. With GPUPASS_SYSTEMD=1
// (.ci/run sets it) a skip is a failure.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("GPUPASS_SYSTEMD") == "1" {
		skip = t.Fatalf
	}
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		skip("systemd-analyze is not installed (it comes with systemd)")
		return ""
	}
	dir := t.TempDir()
	probe := filepath.Join(dir, "gpupass-probe.service")
	if err := os.WriteFile(probe, []byte("[Unit]\nDescription=probe\n[Service]\nType=oneshot\nExecStart=/bin/true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, out := run(t, sa, "verify", "--man=no", probe); status != 0 || aboutUnits(out, probe) != "" {
		skip("systemd-analyze verify cannot check units here (a known-good unit gave exit status %d):\n%s", status, out)
	}
	return sa
}

// aboutUnits keeps the lines of systemd-analyze's output that are about
// the given unit files: it also speaks of units installed on the machine
// ("keystone.service: Dependency After=keystone.service is dropped."),
// which say nothing of the units under test.
func aboutUnits(out string, units ...string) string {
	var keep []string
	for _, line := range strings.Split(out, "\n") {
		for _, u := range units {
			if strings.Contains(line, filepath.Base(u)) {
				keep = append(keep, line)
				break
			}
		}
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

func TestSystemdAnalyzeVerify(t *testing.T) {
	sa := systemdAnalyze(t)
	_, service, timer := analyzeDir(t)
	status, out := run(t, sa, "verify", "--man=no", timer, service)
	if status != 0 || aboutUnits(out, timer, service) != "" {
		// Unknown keys and bad values are warnings with exit status 0:
		// any output fails.
		t.Errorf("systemd-analyze verify: exit status %d\n%s", status, out)
	}
}

// TestSystemdAnalyzeSecurity keeps the sandbox from eroding: systemd's own
// exposure score of the service (0 best, 10 worst) stays at most 2.5.
func TestSystemdAnalyzeSecurity(t *testing.T) {
	sa := systemdAnalyze(t)
	_, service, _ := analyzeDir(t)
	status, out := run(t, sa, "security", "--offline=yes", "--threshold=25", "--no-pager", service)
	if strings.Contains(out, "nrecognized option") || strings.Contains(out, "nknown option") {
		t.Skipf("this systemd-analyze has no security --offline (systemd 250 and later):\n%s", out)
	}
	if status != 0 {
		t.Errorf("systemd-analyze security: exit status %d, exposure over 2.5:\n%s", status, out)
	}
	if !strings.Contains(out, "Overall exposure level") {
		t.Errorf("systemd-analyze security: no exposure level:\n%s", out)
	}
}

// ---------------------------------------------------------------------------
// promtool (GPUPASS_PROMTOOL=1).

func promtool(t *testing.T) string {
	t.Helper()
	if os.Getenv("GPUPASS_PROMTOOL") != "1" {
		t.Skip("set GPUPASS_PROMTOOL=1 to check the rules with promtool (apt-get install --no-install-recommends prometheus)")
	}
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("GPUPASS_PROMTOOL=1 but promtool is not on PATH: apt-get install --no-install-recommends prometheus")
	}
	return p
}

func TestPromtoolRules(t *testing.T) {
	pt := promtool(t)
	if status, out := run(t, pt, "check", "rules", rulesPath); status != 0 {
		t.Errorf("promtool check rules %s: exit status %d\n%s", rulesPath, status, out)
	}
	if status, out := run(t, pt, "test", "rules", rulesTest); status != 0 {
		t.Errorf("promtool test rules %s: exit status %d\n%s", rulesTest, status, out)
	}
}

// TestPromtoolCleanHostIsSilent feeds the metrics gpupass writes for the
// clean fixture host (eight GPUs on vfio-pci, and a BMC whose display
// adapter is on ast) to the rules, as if node_exporter served them for an
// hour and a half: no alert may fire.
func TestPromtoolCleanHostIsSilent(t *testing.T) {
	pt := promtool(t)
	bin := gpupassBinary(t)
	dir := t.TempDir()
	prom := filepath.Join(dir, "gpupass.prom")
	host := filepath.Join(moduleRoot(t), "testdata", "hosts", cleanHost)
	if status, out := run(t, bin, "preflight", "--format", "prometheus", "--output", prom, "--root", host); status != 0 {
		t.Fatalf("preflight %s: exit status %d\n%s", cleanHost, status, out)
	}
	data, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	check := exec.Command(pt, "check", "metrics")
	check.Stdin = bytes.NewReader(data)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics < %s: %v\n%s", cleanHost, err, out)
	}

	// Each sample becomes an input series of a promtool unit test, with the
	// scrape's labels; the run timestamp advances with promtool's clock.
	const minutes = 90
	var series strings.Builder
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		name, value := line[:i], line[i+1:]
		if strings.Contains(name, "{") {
			name = strings.Replace(name, "{", `{instance="node:9100",job="node",`, 1)
		} else {
			name += `{instance="node:9100",job="node"}`
		}
		values := fmt.Sprintf("%sx%d", value, minutes)
		if strings.HasPrefix(name, "gpupass_last_run_timestamp_seconds{") {
			values = fmt.Sprintf("0+60x%d", minutes)
		}
		fmt.Fprintf(&series, "      - series: %s\n        values: '%s'\n", strconv.Quote(name), values)
		n++
	}
	if n < 10 {
		t.Fatalf("only %d samples in %s", n, prom)
	}
	var tests strings.Builder
	for _, alert := range []string{"GpupassErrorFindings", "GpupassCheckFailed", "GpupassGPUNotOnVFIO", "GpupassDriftDetected", "GpupassStale", "GpupassAbsent", "GpupassGPUCountChanged"} {
		fmt.Fprintf(&tests, "      - eval_time: %dm\n        alertname: %s\n        exp_alerts: []\n", minutes-5, alert)
	}
	rules, err := filepath.Abs(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	test := fmt.Sprintf("rule_files:\n  - %s\nevaluation_interval: 1m\ntests:\n  - name: %s\n    interval: 1m\n    input_series:\n%s    alert_rule_test:\n%s",
		strconv.Quote(rules), cleanHost, series.String(), tests.String())
	testFile := filepath.Join(dir, "clean.test.yml")
	if err := os.WriteFile(testFile, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, out := run(t, pt, "test", "rules", testFile); status != 0 {
		t.Errorf("the clean host's own metrics fire alerts (exit status %d):\n%s\n--- %s\n%s", status, out, testFile, test)
	}
}

func TestAboutUnitsKeepsOnlyOurUnits(t *testing.T) {
	out := "keystone.service: Dependency After=keystone.service is dropped.\n" +
		"/tmp/x/gpupass-preflight.service:12: Unknown key name 'Foo' in section 'Service', ignoring.\n" +
		"nova-api.service: Command /usr/bin/nova-api is not executable\n" +
		"gpupass-preflight.timer: Refusing to start, unit gpupass-preflight.service to trigger not loaded.\n"
	got := aboutUnits(out, "/tmp/x/gpupass-preflight.service", "/tmp/x/gpupass-preflight.timer")
	want := "/tmp/x/gpupass-preflight.service:12: Unknown key name 'Foo' in section 'Service', ignoring.\n" +
		"gpupass-preflight.timer: Refusing to start, unit gpupass-preflight.service to trigger not loaded."
	if got != want {
		t.Errorf("aboutUnits =\n%s\nwant\n%s", got, want)
	}
}
