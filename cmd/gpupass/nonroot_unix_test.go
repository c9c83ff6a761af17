//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// nonRoot is an unprivileged user to run gpupass as, for the tests that
// hold what it says when it cannot read everything. They need root to
// switch users: as anyone else they skip, unless GPUPASS_NONROOT=1 (CI,
// which runs as root, sets it), where not running is a failure.
func nonRoot(t *testing.T) *syscall.Credential {
	t.Helper()
	cannot := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("GPUPASS_NONROOT") == "1" {
			t.Fatalf("GPUPASS_NONROOT=1 but the non-root tests cannot run: "+format, args...)
		}
		t.Skipf("the non-root tests cannot run: "+format+" (GPUPASS_NONROOT=1 makes this a failure)", args...)
	}
	if os.Geteuid() != 0 {
		cannot("they switch to an unprivileged user, which needs root (running as uid %d)", os.Geteuid())
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		cannot("no user nobody: %v", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil || uid == 0 {
		cannot("user nobody has uid %q, gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
}

// nonRootDir is a directory every user can enter, removed at the end of
// the test (t.TempDir's are 0700, so nobody could not reach into them).
func nonRootDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gpupass-nonroot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Give back what the test took away, so that it can be removed.
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// buildGpupass builds the command into dir, executable by every user.
func buildGpupass(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "gpupass")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// copyHost copies a fixture host tree (files, directories, symlinks).
func copyHost(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case info.IsDir():
			return os.MkdirAll(to, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// asOnANode makes a copied tree's files as unreadable to other users as
// they are on a real compute node: the packages' /etc/nova 0750 root:nova
// with nova.conf 0640, kolla's and TripleO's configuration alike, the ACPI
// tables 0400, debugfs 0700. It returns how many paths it restricted.
func asOnANode(t *testing.T, root string) int {
	t.Helper()
	n := 0
	restrict := func(p string, mode os.FileMode) {
		if _, err := os.Lstat(p); err != nil {
			return
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		n++
	}
	for _, conf := range []string{"etc/nova", "etc/kolla/nova-compute", "var/lib/config-data/puppet-generated/nova_libvirt/etc/nova"} {
		dir := filepath.Join(root, conf)
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				restrict(p, 0o640)
			}
			return nil
		})
		restrict(dir, 0o750)
	}
	tables, _ := filepath.Glob(filepath.Join(root, "sys/firmware/acpi/tables/*"))
	for _, table := range tables {
		if info, err := os.Lstat(table); err == nil && info.Mode().IsRegular() {
			restrict(table, 0o400)
		}
	}
	restrict(filepath.Join(root, "sys/kernel/debug"), 0o700)
	return n
}

// runAs runs the binary as cred and returns its exit status, stdout and
// stderr.
func runAs(t *testing.T, cred *syscall.Credential, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "NO_COLOR=1"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s %v: %v", bin, args, err)
		}
		status = exit.ExitCode()
	}
	return status, stdout.String(), stderr.String()
}

// healthyFixtures are the fixture hosts whose golden preflight report has
// no error finding.
func healthyFixtures(t *testing.T) []string {
	t.Helper()
	goldens, err := filepath.Glob("../../testdata/golden/preflight/*.json")
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no golden preflight reports: %v", err)
	}
	var healthy []string
	for _, g := range goldens {
		name := strings.TrimSuffix(filepath.Base(g), ".json")
		if info, err := os.Stat(filepath.Join(hostsDir, name)); err != nil || !info.IsDir() {
			continue // a variant run with more flags (h100-hgx+api-conf)
		}
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var r report.Report
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		if r.Summary.Errors == 0 {
			healthy = append(healthy, name)
		}
	}
	if len(healthy) == 0 {
		t.Fatal("no fixture is healthy: the test would prove nothing")
	}
	return healthy
}

// Unreadable is not broken: on every healthy fixture, with its files as
// unreadable to other users as on a real node, preflight run as nobody
// has no error finding and exits 0; the nova.conf it cannot read is named
// in the report with the reason, and the checks that depend on it are
// skipped, saying so (GP303 does not pass, GP306 does not claim that no
// device_spec offers the GPUs).
//
// A --root this user cannot read is said to be unreadable (exit 2), not
// "not a Linux host tree".
func TestNonRoot(t *testing.T) {
	t.Parallel()
	cred := nonRoot(t)
	dir := nonRootDir(t)
	bin := buildGpupass(t, dir)
	for _, name := range healthyFixtures(t) {
		t.Run("healthy/"+name, func(t *testing.T) {
			root := filepath.Join(dir, name)
			copyHost(t, filepath.Join(hostsDir, name), root)
			if asOnANode(t, root) == 0 {
				t.Fatal("nothing restricted: the test would prove nothing")
			}
			status, stdout, stderr := runAs(t, cred, bin, "preflight", "--root", root, "--format", "json")
			if status != 0 {
				t.Errorf("exit status %d, want 0; stderr: %s\n%s", status, stderr, stdout)
			}
			var r report.Report
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("not a report: %v\n%s", err, stdout)
			}
			for _, f := range r.Findings {
				if f.Severity == report.Error {
					t.Errorf("error finding as nobody: %s %s %s", f.ID, f.Subject.Ref, f.Message)
				}
			}
			if r.NovaConf == nil || len(r.NovaConf.Unreadable) == 0 {
				t.Fatalf("the report does not say which nova.conf files could not be read: %+v", r.NovaConf)
			}
			for _, c := range r.Checks {
				if (c.ID == "GP303" || c.ID == "GP306" || c.ID == "GP301") && (c.Status != report.StatusSkip || !strings.Contains(c.Reason, "permission denied")) {
					t.Errorf("%s: %s %q, want skipped because nova.conf is not readable", c.ID, c.Status, c.Reason)
				}
			}
			_, text, _ := runAs(t, cred, bin, "preflight", "--root", root)
			if !strings.Contains(text, "nova.conf: not readable as this user: /etc/nova (permission denied") {
				t.Errorf("the text header does not say what could not be read:\n%s", text)
			}
		})
	}
	t.Run("unreadable root", func(t *testing.T) {
		root := filepath.Join(dir, "unreadable-root")
		copyHost(t, filepath.Join(hostsDir, "h100-hgx"), root)
		if err := os.Chmod(root, 0); err != nil {
			t.Fatal(err)
		}
		status, stdout, stderr := runAs(t, cred, bin, "preflight", "--root", root)
		if status != 2 || stdout != "" || !strings.Contains(stderr, "permission denied") || strings.Contains(stderr, "not a Linux host tree") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 2 and permission denied", status, stdout, stderr)
		}
	})
}
