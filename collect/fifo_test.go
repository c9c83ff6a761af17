//go:build unix

package collect

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyTree copies a fixture host into a temporary directory (files,
// directories and symlinks as they are).
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
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
		out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, info.Mode().Perm())
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
	return dst
}

func fifoAt(t *testing.T, name string) {
	t.Helper()
	os.Remove(name)
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
}

func inTime(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s blocked: still reading after 30 s", what)
	}
}

// A FIFO at nova.conf (under the root, or a local file for --api-conf or
// lint) or at os-release is refused, never read: every command would
// otherwise hang.
func TestReadNeverBlocksOnFIFO(t *testing.T) {
	root := copyTree(t, h100)
	fifoAt(t, filepath.Join(root, "etc/nova/nova.conf"))
	fifoAt(t, filepath.Join(root, "etc/os-release"))
	var n *Node
	var err error
	inTime(t, "Read with FIFOs at nova.conf and os-release", func() { n, err = Read(root, Options{}) })
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range n.NovaConf.Problems {
		if p.Source.File == "/etc/nova/nova.conf" && strings.Contains(p.Message, "named pipe") {
			found = true
		}
	}
	if !found {
		t.Errorf("no problem says /etc/nova/nova.conf is a named pipe: %v", n.NovaConf.Problems)
	}
	local := filepath.Join(t.TempDir(), "nova.conf")
	fifoAt(t, local)
	inTime(t, "LocalConf on a FIFO", func() {
		c := LocalConf("api", []string{local}, nil)
		if len(c.Problems) != 1 || !strings.Contains(c.Problems[0].Message, "named pipe") {
			t.Errorf("--api-conf FIFO: %v", c.Problems)
		}
	})
}
