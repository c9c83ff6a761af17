package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// childTimeout bounds every wait of the child-process tests.
const childTimeout = 20 * time.Second

// gpupassBinary builds gpupass for a test that needs a real process
// (signals, pipes, a terminal, exit statuses); the build cache makes it
// quick after the first.
func gpupassBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gpupass")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a gpupass process extracting into its own TMPDIR.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	tmp    string
	done   chan struct{}
	stderr strings.Builder
}

func startChild(t *testing.T, bin string, stdin io.Reader, stdout io.Writer, args ...string) *child {
	t.Helper()
	c := &child{t: t, tmp: memTempDir(t), done: make(chan struct{})}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Env = append(os.Environ(), "TMPDIR="+c.tmp)
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = stdin, stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// wait returns the child's exit status, failing when it takes too long.
func (c *child) wait() int {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(childTimeout):
		c.cmd.Process.Kill()
		<-c.done
		c.t.Fatalf("gpupass %s did not end within %s", strings.Join(c.cmd.Args[1:], " "), childTimeout)
	}
	return c.cmd.ProcessState.ExitCode()
}

// extractions lists the extraction directories in the child's TMPDIR.
func (c *child) extractions() []string {
	matches, _ := filepath.Glob(filepath.Join(c.tmp, "gpupass-snapshot-*"))
	return matches
}

// until polls for cond, failing after childTimeout.
func (c *child) until(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(childTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not within %s (stderr %q)", what, childTimeout, c.stderr.String())
		}
		select {
		case <-c.done:
			c.t.Fatalf("%s: gpupass ended first, exit %d, stderr %q", what, c.cmd.ProcessState.ExitCode(), c.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// smallPipe is a pipe whose buffer holds one page: a report larger than
// that keeps its writer blocked until it is read.
func smallPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, os.Getpagesize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// cleanupTarball is a snapshot whose JSON preflight report is many pages.
func cleanupTarball(t *testing.T) (string, []byte) {
	t.Helper()
	tarball := filepath.Join(t.TempDir(), "h100.tar.gz")
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", filepath.Join(hostsDir, "h100-hgx"), "-o", tarball); code != 0 {
		t.Fatal(errOut)
	}
	data, err := os.ReadFile(tarball)
	if err != nil {
		t.Fatal(err)
	}
	return tarball, data
}

// TestSnapshotExtractionRemovedOnEveryWayOut: whichever way gpupass ends —
// returning, exit 2 during or after the extraction, SIGINT, SIGTERM,
// SIGHUP or SIGPIPE while it writes the report, a signal while it is
// still extracting — the extracted snapshot is gone from TMPDIR, and a
// signal gives the status a shell reports for it (128 + its number).
func TestSnapshotExtractionRemovedOnEveryWayOut(t *testing.T) {
	t.Parallel()
	tarball, data := cleanupTarball(t)
	bin := gpupassBinary(t)
	gone := func(t *testing.T, c *child) {
		t.Helper()
		if left := c.extractions(); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
	}

	t.Run("normal return", func(t *testing.T) {
		c := startChild(t, bin, nil, io.Discard, "preflight", "--root", tarball)
		if code := c.wait(); code != 0 {
			t.Errorf("exit %d: %s", code, c.stderr.String())
		}
		gone(t, c)
	})
	t.Run("exit 2 after the extraction", func(t *testing.T) {
		c := startChild(t, bin, nil, io.Discard, "preflight", "--root", tarball, "--fail-on", "never")
		if code := c.wait(); code != 2 || !strings.Contains(c.stderr.String(), "--fail-on") {
			t.Errorf("exit %d: %s", code, c.stderr.String())
		}
		gone(t, c)
	})
	t.Run("exit 2 during the extraction", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.tar.gz")
		os.WriteFile(bad, data[:len(data)-4], 0o644)
		c := startChild(t, bin, nil, io.Discard, "preflight", "--root", bad)
		if code := c.wait(); code != 2 || !strings.Contains(c.stderr.String(), "truncated") {
			t.Errorf("exit %d: %s", code, c.stderr.String())
		}
		gone(t, c)
	})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String()+" while writing the report", func(t *testing.T) {
			r, w := smallPipe(t)
			c := startChild(t, bin, nil, w, "preflight", "--format", "json", "--root", tarball)
			w.Close()
			// The report has begun: the snapshot is extracted.
			if _, err := io.ReadFull(r, make([]byte, 64)); err != nil {
				t.Fatalf("read the report: %v (stderr %q)", err, c.stderr.String())
			}
			if len(c.extractions()) != 1 {
				t.Fatalf("no extraction in %s while gpupass runs", c.tmp)
			}
			c.cmd.Process.Signal(sig)
			if code := c.wait(); code != 128+int(sig) {
				t.Errorf("exit %d, want %d: %s", code, 128+int(sig), c.stderr.String())
			}
			gone(t, c)
		})
	}
	t.Run("SIGPIPE: the report's reader goes away", func(t *testing.T) {
		// gpupass preflight --root s.tar.gz | head -c 64
		r, w := smallPipe(t)
		c := startChild(t, bin, nil, w, "preflight", "--format", "json", "--root", tarball)
		w.Close()
		if _, err := io.ReadFull(r, make([]byte, 64)); err != nil {
			t.Fatalf("read the report: %v (stderr %q)", err, c.stderr.String())
		}
		r.Close()
		if code := c.wait(); code != 128+int(syscall.SIGPIPE) {
			t.Errorf("exit %d, want %d: %s", code, 128+int(syscall.SIGPIPE), c.stderr.String())
		}
		if c.stderr.String() != "" {
			t.Errorf("stderr %q: a reader that leaves is not an error to report", c.stderr.String())
		}
		gone(t, c)
	})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String()+" during the extraction", func(t *testing.T) {
			// The snapshot comes through a pipe, half of it: gpupass has
			// extracted the first members and waits for the rest.
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			c := startChild(t, bin, r, io.Discard, "preflight", "--root", "/dev/stdin")
			r.Close()
			if _, err := w.Write(data[:len(data)/2]); err != nil {
				t.Fatal(err)
			}
			c.until("the first members extracted", func() bool {
				m, _ := filepath.Glob(filepath.Join(c.tmp, "gpupass-snapshot-*", "gpupass-snapshot", "manifest.json"))
				return len(m) == 1
			})
			c.cmd.Process.Signal(sig)
			if code := c.wait(); code != 128+int(sig) {
				t.Errorf("exit %d, want %d: %s", code, 128+int(sig), c.stderr.String())
			}
			gone(t, c)
		})
	}
	t.Run("SIGKILL: the next run removes what was left", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		c := startChild(t, bin, r, io.Discard, "preflight", "--root", "/dev/stdin")
		r.Close()
		w.Write(data[:len(data)/2])
		c.until("the first members extracted", func() bool { return len(c.extractions()) == 1 })
		// A run meanwhile leaves the live extraction alone.
		next := exec.Command(bin, "preflight", "--root", tarball)
		next.Env = append(os.Environ(), "TMPDIR="+c.tmp)
		if out, err := next.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if len(c.extractions()) != 1 {
			t.Fatalf("a run removed the extraction of a live gpupass: %v", c.extractions())
		}
		c.cmd.Process.Kill()
		c.wait()
		if len(c.extractions()) != 1 {
			t.Fatalf("no extraction left by SIGKILL to test with: %v", c.extractions())
		}
		again := exec.Command(bin, "preflight", "--root", tarball)
		again.Env = append(os.Environ(), "TMPDIR="+c.tmp)
		if out, err := again.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		gone(t, c)
	})
}
