package main

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestAuditMemoryLimit: the audit sets a soft memory limit of 900 MB, or
// 1.5 times its reports' size, unless GOMEMLIMIT is set; and GOGC=50
// unless GOGC is set.
func TestAuditMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A large "report" without writing it: a sparse file.
	big, err := os.Create(filepath.Join(dir, "b.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(1_000_000_000); err != nil {
		t.Fatal(err)
	}
	big.Close()
	if err := os.WriteFile(filepath.Join(dir, "c.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	debug.SetMemoryLimit(math.MaxInt64)
	auditMemoryLimit(dir)
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("GC percent %d, want 50", got)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(1_000_000_002/2*3); got != want {
		t.Errorf("limit %d for 1 GB of reports, want %d", got, want)
	}
	os.Remove(filepath.Join(dir, "b.json"))
	auditMemoryLimit(dir)
	if got := debug.SetMemoryLimit(-1); got != 900_000_000 {
		t.Errorf("limit %d for a small fleet, want 900 MB", got)
	}
	t.Setenv("GOMEMLIMIT", "4GiB")
	t.Setenv("GOGC", "200")
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(100)
	auditMemoryLimit(dir)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d with GOMEMLIMIT set: the runtime's should win", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d with GOGC set: the runtime's should win", got)
	}
}
