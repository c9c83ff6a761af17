package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/snapshot"
)

// TestSnapshotRefusesWhatWouldNotOpen: a host whose nova.conf files are
// over the cap a snapshot may hold gets exit 2 naming the file, and no
// tarball that every analyst would be refused.
func TestSnapshotRefusesWhatWouldNotOpen(t *testing.T) {
	t.Parallel()
	root := tinyHost(t)
	os.MkdirAll(filepath.Join(root, "etc/nova"), 0o755)
	// Few long lines: the cap is on bytes, and collecting many lines costs.
	big := strings.Repeat("# "+strings.Repeat("x", 4094)+"\n", 1100) // 4.3 MiB
	if err := os.WriteFile(filepath.Join(root, "etc/nova/nova.conf"), []byte("[DEFAULT]\n"+big), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "s.tar.gz")
	code, stdout, errOut := gpupass(t, nil, "snapshot", "--root", root, "-o", out)
	if code != 2 || stdout != "" || !strings.Contains(errOut, `this host's snapshot would not open: member "gpupass-snapshot/root/etc/nova/nova.conf": a nova.conf of`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the tarball was written")
	}
	if len(big) <= snapshot.MaxConfBytes {
		t.Fatalf("the nova.conf is %d bytes, within the cap", len(big))
	}
}
