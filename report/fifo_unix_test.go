//go:build unix

package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gpupass/gpupass/report"
)

// TestHostReportsFIFOIsRefused: a FIFO among the reports (or named as
// one) is refused with a message naming it, never waited on: no writer
// would ever come.
func TestHostReportsFIFOIsRefused(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "preflight", "h100-hgx.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.json"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "b.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() error{
		"ReadHostReports": func() error { _, err := report.ReadHostReports("--reports", dir); return err },
		"ReadHostReport":  func() error { _, err := report.ReadHostReport(fifo); return err },
		"ReadPreflight":   func() error { _, err := report.ReadPreflight("--baseline", fifo); return err },
	} {
		done := make(chan error, 1)
		go func() { done <- read() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "not a regular file (a named pipe (FIFO))") {
				t.Errorf("%s: %v, want an error naming %s as a FIFO", name, err, fifo)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s waits on the FIFO", name)
		}
	}
}
