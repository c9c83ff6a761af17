//go:build unix

package novaconf

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A nova.conf (or a config dir) that is a FIFO is refused at once, never
// read: opening one for reading would wait for a writer for ever. lint and
// --api-conf read local files through DirReader.
func TestDirReaderFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "nova.conf")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var problems []Problem
	go func() {
		defer close(done)
		_, problems = Load(DirReader(""), []string{fifo}, []string{fifo})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Load blocked on a FIFO")
	}
	if len(problems) != 2 || !strings.Contains(problems[0].Message, "named pipe") || problems[1].Source.File != fifo {
		t.Errorf("problems %v, want the FIFO refused as a file and as a dir", problems)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.conf"), []byte("[pci]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	entries, err := DirReader(dir).ReadDir("/")
	if err != nil || len(entries) != 2 || entries[0].Name() != "b.conf" {
		t.Errorf("ReadDir: %v, %v", entries, err)
	}
}
