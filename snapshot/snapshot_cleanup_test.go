package snapshot

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenSpecialFiles: a device is not a snapshot, and a FIFO nobody
// writes to does not block: both are refused at once.
func TestOpenSpecialFiles(t *testing.T) {
	if _, err := Open("/dev/null"); err == nil || !strings.Contains(err.Error(), "snapshot /dev/null: a character device, not a snapshot") {
		t.Errorf("/dev/null: %v", err)
	}
	fifo := filepath.Join(t.TempDir(), "s.tar.gz")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		s, err := Open(fifo)
		s.Close()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a gpupass snapshot") {
			t.Errorf("a FIFO without a writer: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open blocked on a FIFO without a writer")
	}
}

// TestOpenContextCancelled: cancelling stops an extraction waiting for
// data on a pipe, and removes what it had extracted.
func TestOpenContextCancelled(t *testing.T) {
	sandbox := t.TempDir()
	t.Setenv("TMPDIR", sandbox)
	// Content that does not compress: half the archive is half of it.
	noise := make([]byte, 200000)
	rand.NewChaCha8([32]byte{1}).Read(noise)
	data := archive(t, member{name: Top + "/root/proc/cmdline", typ: tar.TypeReg, body: string(noise)})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	go w.Write(data[:len(data)/2]) // more than a pipe holds
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		s, err := OpenContext(ctx, fmt.Sprintf("/proc/self/fd/%d", r.Fd()))
		s.Close()
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m, _ := filepath.Glob(filepath.Join(sandbox, "gpupass-snapshot-*", Top, "manifest.json")); len(m) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing extracted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OpenContext did not return when cancelled")
	}
	if left, _ := os.ReadDir(sandbox); len(left) > 0 {
		t.Errorf("left behind: %v", left[0].Name())
	}
}

// TestSweepStale: an extraction whose process is gone (its lock free) is
// removed by the next Open; a live one, and what is not an extraction of
// this user, are left alone.
func TestSweepStale(t *testing.T) {
	base := t.TempDir()
	dead, lock, err := makeExtractDir(base)
	if err != nil || lock == nil {
		t.Fatalf("no locked extraction directory: %v", err)
	}
	os.MkdirAll(filepath.Join(dead, Top, "root", "proc"), 0o700)
	lock.Close() // its process died
	live, liveLock, err := makeExtractDir(base)
	if err != nil || liveLock == nil {
		t.Fatalf("no locked extraction directory: %v", err)
	}
	defer liveLock.Close()
	unlocked := filepath.Join(base, dirPrefix+"unlocked") // no lock file: not known to be ours
	os.Mkdir(unlocked, 0o700)
	target := t.TempDir()
	os.WriteFile(filepath.Join(target, lockName), nil, 0o600)
	link := filepath.Join(base, dirPrefix+"link")
	os.Symlink(target, link)
	other := filepath.Join(base, "other")
	os.Mkdir(other, 0o700)

	sweepStale(base)
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead extraction is still there: %v", err)
	}
	for _, kept := range []string{live, unlocked, link, other, filepath.Join(target, lockName)} {
		if _, err := os.Lstat(kept); err != nil {
			t.Errorf("%s was removed: %v", kept, err)
		}
	}
}

// An extracted snapshot's root/ must be a directory of its own: one that
// links elsewhere (to /) is not a snapshot, so gpupass does not read the
// analyst's own host as if it were the captured one.
func TestExtractedRootIsNoLink(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"schema":"gpupass/snapshot/v1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(dir, "root")); err != nil {
		t.Fatal(err)
	}
	if Is(dir) {
		t.Error("a folder whose root/ links to / is taken for a snapshot")
	}
	if s, err := Open(dir); err == nil {
		s.Close()
		t.Errorf("Open accepted it: root %s", s.Root)
	}
	os.Remove(filepath.Join(dir, "root"))
	os.Mkdir(filepath.Join(dir, "root"), 0o755)
	if !Is(dir) {
		t.Error("a real extracted snapshot is not recognised")
	}
}
