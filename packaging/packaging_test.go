// Package packaging holds no Go code, only the tests of what hack/build.sh
// ships: the layout packaging/nfpm.yaml gives the .deb and .rpm, and, with
// GPUPASS_DIST=DIR (the directory build.sh wrote), the binaries themselves:
// static ELF files for their architecture, whose `gpupass version --format
// json` names the commit they were built from.
//
//	hack/build.sh && GPUPASS_DIST=$PWD/dist go test -count=1 ./packaging
//
// hack/check-packages.sh then installs the .deb in a clean Debian and lists
// the .rpm.
package packaging

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v2"
)

type nfpmConfig struct {
	Name     string `yaml:"name"`
	Arch     string `yaml:"arch"`
	Version  string `yaml:"version"`
	Contents []struct {
		Src      string `yaml:"src"`
		Dst      string `yaml:"dst"`
		Packager string `yaml:"packager"`
		Expand   bool   `yaml:"expand"`
		FileInfo struct {
			Mode int `yaml:"mode"`
		} `yaml:"file_info"`
	} `yaml:"contents"`
	Scripts map[string]string `yaml:"scripts"`
}

// layout is where each file lands in a package, as the README and
// deploy/README.md say: "deb" or "rpm" for one packager only.
var layout = []struct{ dst, packager string }{
	{"/usr/bin/gpupass", ""},
	{"/usr/share/man/man1/", ""},
	{"/usr/share/bash-completion/completions/gpupass", ""},    // bash-completion's directory
	{"/usr/share/zsh/vendor-completions/_gpupass", "deb"},     // Debian's zsh fpath
	{"/usr/share/zsh/site-functions/_gpupass", "rpm"},         // Fedora's, RHEL's, SUSE's zsh fpath
	{"/usr/share/fish/vendor_completions.d/gpupass.fish", ""}, // fish's vendor directory
	{"/usr/lib/systemd/system/gpupass-preflight.service", ""},
	{"/usr/lib/systemd/system/gpupass-preflight.timer", ""},
	{"/usr/share/gpupass/prometheus/gpupass-alerts.yml", ""},
	{"/usr/share/gpupass/grafana/gpupass-dashboard.json", ""},
}

// TestNFPMLayout: the packages put each file where the README says, the
// binary executable and nothing else, and their scripts exist.
func TestNFPMLayout(t *testing.T) {
	data, err := os.ReadFile("nfpm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c nfpmConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("nfpm.yaml: %v", err)
	}
	if c.Name != "gpupass" || c.Arch != "${GPUPASS_ARCH}" || c.Version != "${GPUPASS_VERSION}" {
		t.Errorf("name %q arch %q version %q: want gpupass, ${GPUPASS_ARCH}, ${GPUPASS_VERSION} (hack/build.sh sets them)", c.Name, c.Arch, c.Version)
	}
	got := map[string]string{}
	for _, f := range c.Contents {
		key := f.Dst + "|" + f.Packager
		if _, dup := got[key]; dup {
			t.Errorf("%s twice", f.Dst)
		}
		got[key] = f.Src
		want := 0o644
		if f.Dst == "/usr/bin/gpupass" {
			want = 0o755
		}
		if f.FileInfo.Mode != want {
			t.Errorf("%s: mode %o, want %o", f.Dst, f.FileInfo.Mode, want)
		}
		if strings.Contains(f.Src+f.Dst, "${") && !f.Expand {
			t.Errorf("%s: source %s: without expand: true nfpm does not expand ${...}", f.Dst, f.Src)
		}
		if !strings.HasPrefix(f.Src, "${GPUPASS_BIN}") && !strings.HasPrefix(f.Src, "${GPUPASS_STAGE}/") {
			t.Errorf("%s: source %s: want one build.sh prepares (${GPUPASS_BIN} or ${GPUPASS_STAGE}/...)", f.Dst, f.Src)
		}
	}
	for _, l := range layout {
		if _, ok := got[l.dst+"|"+l.packager]; !ok {
			t.Errorf("no %s in the %s package", l.dst, or(l.packager, "deb and rpm"))
		}
	}
	if len(got) != len(layout) {
		t.Errorf("nfpm.yaml installs %d files or globs, the layout has %d: %v", len(got), len(layout), got)
	}
	for _, s := range c.Scripts {
		if _, err := os.Stat(filepath.Join("..", s)); err != nil {
			t.Errorf("script %s: %v", s, err)
		}
	}
	// What build.sh stages must exist in the repository.
	for _, f := range []string{"../docs/man/gpupass.1", "../docs/man/gpupass-preflight.1", "../deploy/systemd/gpupass-preflight.service", "../deploy/systemd/gpupass-preflight.timer", "../deploy/prometheus/gpupass-alerts.yml", "../deploy/grafana/gpupass-dashboard.json"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("build.sh packages %s: %v", f, err)
		}
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// staticELF says why the ELF file is not a static executable for machine,
// or nil: no program interpreter (PT_INTERP: the dynamic loader) and no
// shared library it needs.
func staticELF(path string, machine elf.Machine) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Machine != machine {
		return fmt.Errorf("%s: built for %v, want %v", path, f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s: has a program interpreter (PT_INTERP): dynamically linked", path)
		}
	}
	if f.Type != elf.ET_EXEC {
		return fmt.Errorf("%s: ELF type %v, want an executable (ET_EXEC, not position-independent)", path, f.Type)
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("%s: needs shared libraries %v", path, libs)
	}
	return nil
}

// The detector itself: this machine's shell is a dynamically linked
// executable, which it must call so.
func TestStaticELFDetectsDynamic(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	sh, _ = filepath.EvalSymlinks(sh)
	m := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH]
	err = staticELF(sh, m)
	if err == nil || !strings.Contains(err.Error(), "interpreter") {
		t.Errorf("%s: %v, want it called dynamically linked", sh, err)
	}
}

// dist is GPUPASS_DIST, the directory hack/build.sh wrote; the test is
// skipped without it, and fails when it is set but holds no build.
func dist(t *testing.T) string {
	t.Helper()
	d := os.Getenv("GPUPASS_DIST")
	if d == "" {
		t.Skip("set GPUPASS_DIST to the directory hack/build.sh wrote (CI does)")
	}
	return d
}

// TestDistBinaries: both binaries are static, for their architecture; the
// one for this machine names the commit checked out here.
func TestDistBinaries(t *testing.T) {
	d := dist(t)
	for arch, machine := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		bin := filepath.Join(d, "linux-"+arch, "gpupass")
		if err := staticELF(bin, machine); err != nil {
			t.Error(err)
		}
	}
	bin := filepath.Join(d, "linux-"+runtime.GOARCH, "gpupass")
	out, err := exec.Command(bin, "version", "--format", "json").Output()
	if err != nil {
		t.Fatalf("%s version --format json: %v", bin, err)
	}
	var v struct {
		Version  string `json:"version"`
		Revision string `json:"revision"`
		Time     string `json:"time"`
		Modified *bool  `json:"modified"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("version --format json: %v\n%s", err, out)
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("%v: %s", err, exit.Stderr)
		}
		t.Fatalf("git rev-parse HEAD: %v", err)
	}
	rev := strings.TrimSpace(string(head))
	if v.Revision != rev || v.Time == "" || v.Modified == nil {
		t.Errorf("version JSON %s: want revision %s, its time and whether the tree was modified", out, rev)
	}
	tagged := strings.HasPrefix(v.Version, "v") && !strings.HasPrefix(v.Version, "v0.0.0-")
	if !tagged && !strings.Contains(v.Version, rev[:12]) {
		t.Errorf("version %q names neither a tag nor the commit %s", v.Version, rev[:12])
	}
	text, err := exec.Command(bin, "version").Output()
	if err != nil || string(text) != "gpupass "+v.Version+"\n" {
		t.Errorf("version: %q, %v", text, err)
	}
	for _, want := range []string{"deb", "rpm", "tar.gz"} {
		if m, _ := filepath.Glob(filepath.Join(d, "*."+want)); len(m) < 2 {
			t.Errorf("%d .%s files in %s, want one per architecture", len(m), want, d)
		}
	}
	sums, err := os.ReadFile(filepath.Join(d, "SHA256SUMS"))
	if err != nil || !slices.ContainsFunc(strings.Split(string(sums), "\n"), func(l string) bool { return strings.HasSuffix(l, " linux-amd64/gpupass") }) {
		t.Errorf("SHA256SUMS: %v\n%s", err, sums)
	}
}
