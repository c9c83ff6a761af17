package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSnapshotOutputExisting: snapshot -o refuses a file that exists, as
// generate -o does, unless --force.
func TestSnapshotOutputExisting(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "quirks")
	out := filepath.Join(t.TempDir(), "node07.tar.gz")
	old := []byte("yesterday's snapshot\n")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := gpupass(t, nil, "snapshot", "--root", root, "-o", out)
	if code != 2 || stdout != "" || errOut != "gpupass: --output "+out+" exists: pass --force to overwrite it\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	if data, _ := os.ReadFile(out); !bytes.Equal(data, old) {
		t.Error("the existing file was changed")
	}
	code, _, errOut = gpupass(t, nil, "snapshot", "--root", root, "-o", out, "--force")
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile(out); len(tarMembers(t, data)) < 10 {
		t.Error("--force did not write the snapshot")
	}
}

// TestSnapshotStdoutTerminal: -o - onto a terminal is refused (exit 2,
// nothing written, a hint to redirect); onto anything else it is written.
func TestSnapshotStdoutTerminal(t *testing.T) {
	t.Parallel()
	root := filepath.Join(hostsDir, "quirks")
	code, stdout, errOut := gpupass(t, map[string]string{"TERM_IS_TTY": "1"}, "snapshot", "--root", root, "-o", "-")
	if code != 2 || stdout != "" || !strings.Contains(errOut, "stdout is a terminal") || !strings.Contains(errOut, "gpupass snapshot -o - > FILE.tar.gz") {
		t.Errorf("exit %d, %d bytes on stdout, stderr %q", code, len(stdout), errOut)
	}

	// The real process: a pseudo-terminal is one, /dev/null (a character
	// device too) is not.
	bin := gpupassBinary(t)
	ptm, pts := openPty(t)
	cmd := exec.Command(bin, "snapshot", "--root", root, "-o", "-")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = pts, &stderr
	err := cmd.Run()
	pts.Close()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), "stdout is a terminal") {
		t.Errorf("onto a pty: exit %d (%v), stderr %q", code, err, stderr.String())
	}
	ptm.Close()

	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	cmd = exec.Command(bin, "snapshot", "--root", root, "-o", "-")
	stderr.Reset()
	cmd.Stdout, cmd.Stderr = devNull, &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("onto /dev/null: %v, stderr %q", err, stderr.String())
	}
}

// openPty opens a pseudo-terminal pair.
func openPty(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminal to test with: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0)
	}
	if err != nil {
		ptm.Close()
		t.Fatal(err)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		ptm.Close()
		t.Fatal(err)
	}
	return ptm, pts
}
