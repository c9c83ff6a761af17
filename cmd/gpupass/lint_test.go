package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gpupass/gpupass/report"
)

// lintFindings runs lint and returns its status, "ID severity source"
// for every finding, and the text output.
func lintFindings(t *testing.T, args ...string) (int, []string, string) {
	t.Helper()
	code, out, errOut := gpupass(t, nil, append([]string{"lint", "--format", "json"}, args...)...)
	if code == exitFailure {
		return code, nil, errOut
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.ID+" "+string(f.Severity)+" "+f.Source)
	}
	sort.Strings(got)
	_, text, _ := gpupass(t, nil, append([]string{"lint"}, args...)...)
	return code, got, text
}

// Real-world layouts: Debian's packaged nova.conf (every option, commented
// out), a kolla-ansible nova-compute configuration and a TripleO one.
func TestLintRealWorld(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "testdata", "lint")
	tests := []struct {
		file string
		code int
		want []string
	}{
		{"debian-nova-common.conf", exitOK, []string{"GP310 info "}},
		{"kolla-nova-compute.conf", exitFindings, []string{
			"GP303 warning " + filepath.Join(dir, "kolla-nova-compute.conf") + ":52",
			"GP310 info ",
			"GP314 error ",
		}},
		{"tripleo-nova-libvirt.conf", exitFindings, []string{"GP310 info ", "GP314 error "}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
			code, got, text := lintFindings(t, path)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			for _, secret := range []string{"KollaRabbitPass", "KollaNovaPass", "KollaMetadataSecret", "KollaMemcacheKey", "TripleORabbitPass", "TripleOPlacementPass"} {
				if strings.Contains(text, secret) {
					t.Errorf("the secret %q reached the output", secret)
				}
			}
		})
	}
}

// Bad input: a clear GP301 finding with file:line, or exit 2 with a
// message, never a panic.
func TestLintBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := "[pci]\nalias = " + strings.Repeat("x", 10<<20) + "\n"
	tests := []struct {
		name, content string
		code          int
		want          []string // "ID severity line"
	}{
		{"binary garbage", "[pci]\nalias = \x00\x01\xfe\xff\x80garbage\n", exitFindings, []string{"GP301 error 2"}},
		{"10 MB value", big, exitFindings, []string{"GP307 error 2"}},
		{"unterminated JSON over continuation lines", "[pci]\ndevice_spec = {\"vendor_id\": \"10de\",\n    \"product_id\": \"2330\"\n", exitFindings, []string{"GP302 error 2"}},
		{"section without a name", "[]\nvirt_type = kvm\n", exitFindings, []string{"GP301 error 1"}},
		{"duplicate sections merge", "[libvirt]\nvirt_type = kvm\n[pci]\n[libvirt]\nvirt_type = qemu\n", exitFindings, []string{"GP301 warning 2", "GP313 error 5"}},
		{"CRLF line endings", "[libvirt]\r\nvirt_type = kvm\r\n", exitOK, nil},
		{"UTF-8 byte-order mark", "\ufeff[libvirt]\nvirt_type = kvm\n", exitFindings, []string{"GP301 error 1"}},
		{"indented line with no key", "[pci]\n  alias = {}\n", exitFindings, []string{"GP301 error 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".conf")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			code, got, text := lintFindings(t, path)
			if code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", code, tt.code, text)
			}
			var ids []string
			for _, g := range got {
				if strings.HasPrefix(g, "GP310 info") {
					continue
				}
				id, rest, _ := strings.Cut(g, " ")
				sev, source, _ := strings.Cut(rest, " ")
				line := source[strings.LastIndex(source, ":")+1:]
				ids = append(ids, id+" "+sev+" "+line)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if strings.Contains(text, "panic") || strings.Contains(text, "goroutine") {
				t.Errorf("a panic:\n%s", text)
			}
			if len(text) > 100<<10 {
				t.Errorf("%d bytes of output: a value was printed whole", len(text))
			}
		})
	}
}

func TestLintUsage(t *testing.T) {
	t.Parallel()
	if code, _, errOut := gpupass(t, nil, "lint"); code != exitFailure || !strings.Contains(errOut, "lint needs nova.conf files") {
		t.Errorf("lint without files: exit %d, %q", code, errOut)
	}
	if code, _, errOut := gpupass(t, nil, "lint", "/nonexistent/nova.conf"); code != exitFailure || !strings.Contains(errOut, "/nonexistent/nova.conf: config file not found") {
		t.Errorf("lint of a missing file: exit %d, %q", code, errOut)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "nova.conf"), []byte("[libvirt]\nvirt_type = qemu\n"), 0o600)
	os.MkdirAll(filepath.Join(dir, "nova.conf.d"), 0o755)
	os.WriteFile(filepath.Join(dir, "nova.conf.d", "10-kvm.conf"), []byte("[libvirt]\nvirt_type = kvm\n"), 0o600)
	// The conf.d file, read after nova.conf, wins.
	if code, got, _ := lintFindings(t, filepath.Join(dir, "nova.conf"), "--nova-conf-dir", filepath.Join(dir, "nova.conf.d")); code != exitOK || len(got) != 1 {
		t.Errorf("conf.d override: exit %d, %v", code, got)
	}
	if code, _, errOut := gpupass(t, nil, "lint", filepath.Join(dir, "nova.conf"), "--nova-release", "yoga"); code != exitFailure || !strings.Contains(errOut, "--nova-release") {
		t.Errorf("bad release: exit %d, %q", code, errOut)
	}
}

// preflight finds kolla's and TripleO's nova.conf on a host.
func TestPreflightDiscoversLayouts(t *testing.T) {
	t.Parallel()
	for layout, path := range map[string]string{
		"kolla":   "etc/kolla/nova-compute/nova.conf",
		"tripleo": "var/lib/config-data/puppet-generated/nova_libvirt/etc/nova/nova.conf",
	} {
		t.Run(layout, func(t *testing.T) {
			root := tinyHost(t)
			p := filepath.Join(root, path)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte("[libvirt]\nvirt_type = qemu\n"), 0o640)
			_, out, _ := gpupass(t, nil, "preflight", "--root", root, "--format", "json")
			var r report.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if r.NovaConf == nil || r.NovaConf.Layout != layout || len(r.NovaConf.Files) != 1 || r.NovaConf.Files[0].Path != "/"+path {
				t.Fatalf("nova_conf = %+v", r.NovaConf)
			}
			found := false
			for _, f := range r.Findings {
				found = found || f.ID == "GP313" && f.Source == "/"+path+":2"
			}
			if !found {
				t.Errorf("no GP313 for %s's virt_type = qemu", layout)
			}
		})
	}
}

// An [mdev_*] group nova-compute refuses is judged by lint too: GP602 and
// GP603 need nova.conf alone. lint ran GP3xx only and exited 0 on a
// configuration that stops nova-compute.
func TestLintMdevGroups(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "testdata", "hosts", "a40-mdev-addresses-invalid", "etc", "nova", "nova.conf")
	code, got, text := lintFindings(t, "--nova-release", "2024.1", path)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	want := []string{"GP310 info ", "GP602 error " + path + ":12", "GP602 error " + path + ":8"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if !strings.Contains(text, "incorrect PCI address: 3b:00.6") {
		t.Errorf("Nova's message missing:\n%s", text)
	}
}
