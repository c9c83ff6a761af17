package boot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gpupass/gpupass/internal/judges"
)

// The variables that turn the tests on.
const (
	envBoot    = "GPUPASS_BOOT"
	envChroots = "GPUPASS_NOVA_CHROOTS"
	// envSuites lists the chroots to boot in (default: bookworm,trixie,sid).
	envSuites = "GPUPASS_BOOT_SUITES"
	// envOut names a directory to leave each run's inputs, outputs and the
	// matrix in (default: a temporary directory, removed).
	envOut = "GPUPASS_BOOT_OUT"
	// envHosts limits the run to the host cases it names (comma-separated
	// path.Match patterns, such as "h100-hgx,generate-*"; default: all).
	envHosts = "GPUPASS_BOOT_HOSTS"
	// envJobs bounds the harness processes run at once (default: the CPUs).
	envJobs = "GPUPASS_BOOT_JOBS"
)

// suite is a Debian chroot holding one real Nova release.
type suite struct {
	Dir     string // the chroot's name under GPUPASS_NOVA_CHROOTS
	Release string // gpupass's name of the release (--nova-release)
	Version string // the Nova version Debian ships there
	Paste   string // the release's api-paste.ini, under api-paste/
}

// suites are the live judges (internal/judges), each with its
// api-paste.ini (api-paste/nova-MAJOR.ini).
var suites = func() []suite {
	var out []suite
	for _, j := range judges.Live {
		major, _, _ := strings.Cut(j.Version, ".")
		out = append(out, suite{Dir: j.Suite, Release: j.Release, Version: major + ".", Paste: "nova-" + major + ".ini"})
	}
	return out
}()

// env is what the tests run with: the chroots of the suites asked for, the
// gpupass binary and where to work.
type env struct {
	chroots string
	suites  []suite
	gpupass string
	out     string
	jobs    chan struct{}
	repo    string
	hosts   []string
	// cpu sums the harness processes' CPU time: the wall time on idle
	// CPUs is about cpu / CPUs.
	cpu atomic.Int64
}

// wanted reports whether the host case is one GPUPASS_BOOT_HOSTS asks for.
func (e *env) wanted(name string) bool {
	if len(e.hosts) == 0 {
		return true
	}
	for _, p := range e.hosts {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

var (
	envOnce sync.Once
	envVal  *env
	envErr  error
)

// setup skips unless GPUPASS_BOOT=1, and fails when it is set but anything
// the tests need is missing.
func setup(t *testing.T) *env {
	t.Helper()
	if os.Getenv(envBoot) != "1" {
		t.Skipf("set %s=1 and %s=DIR (Debian chroots bookworm/, trixie/, sid/ with python3-nova, python3-placement and Nova's test libraries; run as root) to hold the audit to Nova's own functional-test stack; see integration/boot/README.md", envBoot, envChroots)
	}
	envOnce.Do(func() { envVal, envErr = newEnv() })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return envVal
}

func newEnv() (*env, error) {
	e := &env{chroots: os.Getenv(envChroots)}
	if e.chroots == "" {
		return nil, fmt.Errorf("%s=1 but %s is not set: name the directory holding the release chroots (bookworm/, trixie/, sid/)", envBoot, envChroots)
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("%s=1: the harness runs in the chroots with chroot(8), which needs root", envBoot)
	}
	want := os.Getenv(envSuites)
	if want == "" {
		want = strings.Join(judges.Suites(), ",")
	}
	for _, name := range strings.Split(want, ",") {
		name = strings.TrimSpace(name)
		var s *suite
		for i := range suites {
			if suites[i].Dir == name {
				s = &suites[i]
			}
		}
		if s == nil {
			return nil, fmt.Errorf("%s: unknown suite %q (known: bookworm, trixie, sid)", envSuites, name)
		}
		root := filepath.Join(e.chroots, s.Dir)
		for _, need := range []struct{ path, what string }{
			{"usr/lib/python3/dist-packages/nova/tests/functional/libvirt/base.py", "python3-nova (Nova " + s.Version + "x) with its functional tests"},
			{"usr/lib/python3/dist-packages/placement/tests/functional/fixtures/placement.py", "python3-placement (the Placement fixture)"},
			{"usr/lib/python3/dist-packages/wsgi_intercept/__init__.py", "python3-wsgi-intercept"},
			{"usr/lib/python3/dist-packages/oslotest/__init__.py", "python3-oslotest"},
			{"usr/bin/python3", "python3"},
		} {
			if _, err := os.Stat(filepath.Join(root, need.path)); err != nil {
				return nil, fmt.Errorf("%s: the %s chroot lacks %s (%s): build it with its packages (see integration/boot/README.md)", root, s.Dir, need.what, need.path)
			}
		}
		e.suites = append(e.suites, *s)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	e.repo = filepath.Clean(filepath.Join(wd, "..", ".."))
	e.out = os.Getenv(envOut)
	if e.out == "" {
		e.out, err = os.MkdirTemp("", "gpupass-boot-")
		if err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(e.out, 0o755); err != nil {
		return nil, err
	}
	e.gpupass = filepath.Join(e.out, "gpupass")
	cmd := exec.Command("go", "build", "-o", e.gpupass, "./cmd/gpupass")
	cmd.Dir = e.repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/gpupass: %v\n%s", err, out)
	}
	jobs := runtime.NumCPU()
	if v := os.Getenv(envJobs); v != "" {
		if jobs, err = strconv.Atoi(v); err != nil || jobs < 1 {
			return nil, fmt.Errorf("%s=%q: want a positive number", envJobs, v)
		}
	}
	e.jobs = make(chan struct{}, jobs)
	if v := os.Getenv(envHosts); v != "" {
		for _, p := range strings.Split(v, ",") {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%s: %q: %v", envHosts, p, err)
			}
			e.hosts = append(e.hosts, strings.TrimSpace(p))
		}
	}
	return e, nil
}

// harnessInput is harness.py's input (see its doc string).
type harnessInput struct {
	HostReport json.RawMessage                `json:"host_report"`
	Hostname   string                         `json:"hostname,omitempty"`
	Conf       map[string]map[string][]string `json:"conf"`
	APIPaste   string                         `json:"api_paste"`
	Cases      []harnessCase                  `json:"cases"`
}

type harnessCase struct {
	Name       string            `json:"name"`
	VCPUs      int               `json:"vcpus"`
	RAMMB      int               `json:"ram_mb"`
	DiskGB     int               `json:"disk_gb"`
	ExtraSpecs map[string]string `json:"extra_specs"`
	Counts     []int             `json:"counts"`
	Fill       int               `json:"fill,omitempty"`
}

// harnessOutput is what harness.py writes.
type harnessOutput struct {
	NovaVersion  string          `json:"nova_version"`
	ConfErrors   []string        `json:"conf_errors"`
	HarnessError string          `json:"harness_error"`
	Compute      computeOutcome  `json:"compute"`
	Cloud        json.RawMessage `json:"cloud"`
	Cases        []caseOutcome   `json:"cases"`
	HostInfo     map[string]int  `json:"host_info"`
	Applied      map[string]any  `json:"applied_conf"`
}

type computeOutcome struct {
	Hostname   string           `json:"hostname"`
	Started    bool             `json:"started"`
	Error      string           `json:"error"`
	PCIDevices []map[string]any `json:"pci_devices"`
}

type fault struct {
	Kind    string `json:"kind"` // NoValidHost, compute, api
	Message string `json:"message"`
}

type caseOutcome struct {
	Name      string `json:"name"`
	SpecError string `json:"spec_error"`
	Error     string `json:"error"`
	Boots     []struct {
		Count  int     `json:"count"`
		Active int     `json:"active"`
		Faults []fault `json:"faults"`
	} `json:"boots"`
	Fill *struct {
		Active int    `json:"active"`
		Fault  *fault `json:"fault"`
	} `json:"fill"`
	Seconds float64 `json:"seconds"`
}

// runHarness runs harness.py in the suite's chroot on one host and its
// cases, in a directory of its own under the chroot's /tmp.
func (e *env) runHarness(t *testing.T, s suite, name string, in harnessInput) *harnessOutput {
	t.Helper()
	e.jobs <- struct{}{}
	defer func() { <-e.jobs }()
	root := filepath.Join(e.chroots, s.Dir)
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	inside := "/tmp/gpupass-boot-" + hex.EncodeToString(rnd[:])
	work := filepath.Join(root, inside)
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(work)
	for _, f := range []struct{ src, dst string }{{"harness.py", "harness.py"}, {filepath.Join("api-paste", s.Paste), "api-paste.ini"}} {
		b, err := os.ReadFile(f.src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, f.dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in.APIPaste = inside + "/api-paste.ini"
	b, err := json.MarshalIndent(in, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "in.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "chroot", root, "python3", inside+"/harness.py", inside+"/in.json", inside+"/out.json")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root", "PYTHONDONTWRITEBYTECODE=1"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	runErr := cmd.Run()
	keep := filepath.Join(e.out, s.Dir, name)
	_ = os.MkdirAll(keep, 0o755)
	_ = os.WriteFile(filepath.Join(keep, "harness-in.json"), b, 0o644)
	_ = os.WriteFile(filepath.Join(keep, "harness.log"), stderr.Bytes(), 0o644)
	raw, err := os.ReadFile(filepath.Join(work, "out.json"))
	if err != nil {
		t.Fatalf("%s on %s: harness.py wrote no output (%v, %v); its log:\n%s", name, s.Dir, runErr, err, tail(stderr.String(), 4000))
	}
	_ = os.WriteFile(filepath.Join(keep, "harness-out.json"), raw, 0o644)
	var out harnessOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s on %s: harness output: %v", name, s.Dir, err)
	}
	if out.HarnessError != "" {
		t.Fatalf("%s on %s: the harness failed (not Nova's answer):\n%s", name, s.Dir, tail(out.HarnessError, 4000))
	}
	if !strings.HasPrefix(out.NovaVersion, s.Version) {
		t.Fatalf("%s on %s: Nova %s in the chroot, want %sx", name, s.Dir, out.NovaVersion, s.Version)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	e.cpu.Add(int64(cpu))
	t.Logf("%s on %s (Nova %s): %d cases in %s (CPU %s)", name, s.Dir, out.NovaVersion, len(out.Cases), time.Since(start).Round(time.Second), cpu.Round(time.Second))
	return &out
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// gpupassRun runs the gpupass binary; exit 0 and 1 are answers, 2 is not.
func (e *env) gpupassRun(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(e.gpupass, args...)
	cmd.Dir = e.repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("gpupass %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
	}
	return out
}
