package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// -o respects what is at the path: a symlink keeps pointing at a file that
// is replaced, a FIFO is written to, a directory is refused.
func TestOutputRespectsWhatIsThere(t *testing.T) {
	t.Parallel()
	host := filepath.Join(hostsDir, "h100-hgx")
	_, want, _ := gpupass(t, nil, "preflight", "--root", host, "--format", "json")
	dir := t.TempDir()

	// A symlink to a file: the target is replaced, the link stays.
	target := filepath.Join(dir, "data", "report.json")
	os.MkdirAll(filepath.Dir(target), 0o755)
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink("data/report.json", link); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := gpupass(t, nil, "preflight", "--root", host, "--format", "json", "-o", link); code != exitOK {
		t.Fatalf("through a symlink: exit %d, %s", code, errOut)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	if got, _ := os.ReadFile(target); !bytes.Equal(got, []byte(want)) {
		t.Errorf("the target holds %d bytes, want the report (%d)", len(got), len(want))
	}
	// A dangling symlink: its target is created.
	dangling := filepath.Join(dir, "next.json")
	os.Symlink("data/new.json", dangling)
	if code, _, errOut := gpupass(t, nil, "preflight", "--root", host, "--format", "json", "-o", dangling); code != exitOK {
		t.Fatalf("through a dangling symlink: exit %d, %s", code, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "data", "new.json")); !bytes.Equal(got, []byte(want)) {
		t.Error("the dangling link's target was not written")
	}
	// A FIFO: written to directly, still a FIFO after.
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- data
	}()
	if code, _, errOut := gpupass(t, nil, "preflight", "--root", host, "--format", "json", "-o", fifo); code != exitOK {
		t.Fatalf("to a FIFO: exit %d, %s", code, errOut)
	}
	select {
	case data := <-got:
		if !bytes.Equal(data, []byte(want)) {
			t.Errorf("the FIFO carried %d bytes, want %d", len(data), len(want))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing came through the FIFO")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", fi.Mode())
	}
	// A character device: /dev/null stays /dev/null.
	if code, _, errOut := gpupass(t, nil, "preflight", "--root", host, "-o", os.DevNull); code != exitOK {
		t.Errorf("to /dev/null: exit %d, %s", code, errOut)
	}
	if fi, err := os.Lstat(os.DevNull); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v", os.DevNull, fi.Mode())
	}
	// A directory, and a symlink to one: refused.
	os.Symlink("data", filepath.Join(dir, "dirlink"))
	for _, out := range []string{filepath.Join(dir, "data"), filepath.Join(dir, "dirlink")} {
		if code, _, errOut := gpupass(t, nil, "preflight", "--root", host, "-o", out); code != exitFailure || !strings.Contains(errOut, "is a directory") {
			t.Errorf("-o %s: exit %d, %q", out, code, errOut)
		}
	}
	// Nothing else was left in the folder.
	for _, name := range dirEntries(t, filepath.Join(dir, "data")) {
		if strings.HasSuffix(name, ".tmp") {
			t.Errorf("temporary file left: %s", name)
		}
	}
}

// A run removes the temporary files an earlier run left when it was killed
// mid-write (its process gone, or the file a day old), and only those.
func TestOutputSweepsStaleTemporaries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "gpupass.prom")
	dead := 1 << 22 // above the default pid_max: no such process
	old := filepath.Join(dir, ".gpupass.prom.gpupass-"+strconv.Itoa(dead)+"-123.tmp")
	live := filepath.Join(dir, ".gpupass.prom.gpupass-1-456.tmp") // init runs
	aged := filepath.Join(dir, ".gpupass.prom.gpupass-1-789.tmp")
	other := filepath.Join(dir, ".other.prom.gpupass-"+strconv.Itoa(dead)+"-1.tmp")
	for _, p := range []string{old, live, aged, other} {
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	long := time.Now().Add(-48 * time.Hour)
	os.Chtimes(aged, long, long)
	if code, _, errOut := gpupass(t, nil, "preflight", "--root", filepath.Join(hostsDir, "h100-hgx"), "--format", "prometheus", "-o", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for p, kept := range map[string]bool{old: false, aged: false, live: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", filepath.Base(p), err == nil, kept)
		}
	}
}

// generate -o: a file that exists needs --force; /dev/null does not.
func TestGenerateOutputTargets(t *testing.T) {
	t.Parallel()
	host := filepath.Join(hostsDir, "turing-workstation")
	dir := t.TempDir()
	out := filepath.Join(dir, "vfio.conf")
	os.WriteFile(out, []byte("keep"), 0o644)
	if code, _, errOut := gpupass(t, nil, "generate", "modprobe", "--root", host, "-o", out); code != exitFailure || !strings.Contains(errOut, "pass --force") {
		t.Errorf("existing file without --force: exit %d, %q", code, errOut)
	}
	if got, _ := os.ReadFile(out); string(got) != "keep" {
		t.Error("the existing file was changed")
	}
	if code, _, errOut := gpupass(t, nil, "generate", "modprobe", "--root", host, "-o", os.DevNull); code != exitOK {
		t.Errorf("-o /dev/null: exit %d, %q", code, errOut)
	}
	if code, _, errOut := gpupass(t, nil, "generate", "modprobe", "--root", host, "-o", out, "--force"); code != exitOK {
		t.Errorf("--force: exit %d, %q", code, errOut)
	}
	if got, _ := os.ReadFile(out); !strings.Contains(string(got), "vfio-pci") {
		t.Errorf("--force wrote %q", got)
	}
}

// A signal while --output writes removes the temporary file, and the run
// ends with 128 + the signal's number.
func TestSignalRemovesOutputTemporaries(t *testing.T) {
	// Not parallel: the guard removes every pending temporary file, and
	// a parallel test's --output would lose its own.
	tmp := filepath.Join(t.TempDir(), ".gpupass.prom.gpupass-1-1.tmp")
	os.WriteFile(tmp, []byte("partial"), 0o644)
	pendingTemps.add(tmp)
	exited := make(chan int, 1)
	gd := &runGuard{sig: make(chan os.Signal, 1), exit: func(code int) { exited <- code }}
	go gd.watch()
	gd.sig <- syscall.SIGTERM
	select {
	case code := <-exited:
		if code != 143 {
			t.Errorf("exit %d, want 143", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the guard did not end the run")
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("the temporary file was left")
	}
	close(gd.sig) // the test's exit returned: watch goes on until this
}
