package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bodySampleBits is how many bits of the compressed body
// TestSnapshotCorruptionSweep flips (the gzip header and trailer are flipped
// bit by bit, all of them).
const bodySampleBits = 384

// TestSnapshotCorruptionSweep: a snapshot damaged anywhere — one bit
// flipped in its gzip header, its trailer (CRC-32 and length) or a sample
// of its compressed body, cut anywhere in its last 64 bytes or in the
// middle, given data after its end — is exit 2 with a message, or (a bit
// nothing reads, such as the gzip header's time stamp) gives the very
// report the intact snapshot gives. Never a different report.
func TestSnapshotCorruptionSweep(t *testing.T) {
	work := memTempDir(t)
	intact := filepath.Join(work, "intact.tar.gz")
	// A small host (a flip costs an extraction: the sweep stays within
	// seconds) whose nova.conf, sysfs and /proc files decide findings: a
	// flipped bit read unnoticed changes the report.
	root := tinyHost(t)
	os.MkdirAll(filepath.Join(root, "etc/nova"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "etc/nova/nova.conf"), []byte(`[pci]
device_spec = {"vendor_id": "10de", "product_id": "1eb1"}
alias = {"name": "t4", "vendor_id": "10de", "product_id": "1eb1", "device_type": "type-PCI"}
[filter_scheduler]
enabled_filters = ComputeFilter,PciPassthroughFilter
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := gpupass(t, nil, "snapshot", "--root", root, "-o", intact); code != 0 {
		t.Fatal(errOut)
	}
	tmp := memTempDir(t)
	t.Setenv("TMPDIR", tmp) // where --root extracts: checked empty at the end
	data, err := os.ReadFile(intact)
	if err != nil {
		t.Fatal(err)
	}
	// Go's gzip writer, no name: a 10-byte header, an 8-byte trailer.
	const headerLen, trailerLen = 10, 8
	if data[0] != 0x1f || data[1] != 0x8b || data[3] != 0 {
		t.Fatalf("not the plain gzip header the sweep expects: % x", data[:headerLen])
	}
	args := []string{"preflight", "--format", "json", "--root"}
	wantCode, want, wantErr := gpupass(t, nil, append(args, intact)...)
	if wantCode == exitFailure || want == "" {
		t.Fatalf("the intact snapshot: exit %d, %s", wantCode, wantErr)
	}

	damaged := filepath.Join(work, "damaged.tar.gz")
	refused, same := 0, 0
	try := func(what string, b []byte) {
		t.Helper()
		if err := os.WriteFile(damaged, b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := gpupass(t, nil, append(args, damaged)...)
		switch {
		case code == exitFailure && out == "" && strings.HasPrefix(errOut, "gpupass: --root: snapshot "+damaged+": "):
			refused++
		case code == wantCode && out == want && errOut == wantErr:
			same++
		default:
			t.Errorf("%s: exit %d, stderr %q; a report that differs from the intact snapshot's:\n%s", what, code, errOut, firstDiff(want, out))
		}
	}
	flip := func(off int, bit uint) {
		b := bytes.Clone(data)
		b[off] ^= 1 << bit
		try(fmt.Sprintf("bit %d of byte %d flipped", bit, off), b)
	}
	for off := range headerLen {
		for bit := range uint(8) {
			flip(off, bit)
		}
	}
	for off := len(data) - trailerLen; off < len(data); off++ {
		for bit := range uint(8) {
			flip(off, bit)
		}
	}
	rng := rand.New(rand.NewPCG(11, 14)) // fixed: the same sample every run
	body := len(data) - headerLen - trailerLen
	for range bodySampleBits {
		flip(headerLen+rng.IntN(body), uint(rng.IntN(8)))
	}
	for cut := 1; cut <= 64; cut++ {
		try(fmt.Sprintf("last %d bytes cut", cut), data[:len(data)-cut])
	}
	for _, n := range []int{headerLen, headerLen + 1, len(data) / 3, len(data) / 2, 2 * len(data) / 3} {
		try(fmt.Sprintf("cut after %d bytes", n), data[:n])
	}
	// After the end: garbage, a gzip member holding data.
	var extra bytes.Buffer
	zw := gzip.NewWriter(&extra)
	zw.Write([]byte("not tar padding"))
	zw.Close()
	for what, b := range map[string][]byte{
		"a zero byte after the end":             append(bytes.Clone(data), 0),
		"text after the end":                    append(bytes.Clone(data), "garbage\n"...),
		"a gzip member with data after the end": append(bytes.Clone(data), extra.Bytes()...),
	} {
		before := refused
		try(what, b)
		if refused == before {
			t.Errorf("%s: accepted", what)
		}
	}
	for _, cut := range []int{1, 8, 64} {
		before := refused
		try(fmt.Sprintf("last %d bytes cut (again)", cut), data[:len(data)-cut])
		if refused == before {
			t.Errorf("a snapshot cut by %d bytes is accepted", cut)
		}
	}
	t.Logf("%d damaged snapshots refused, %d gave the intact report (a bit nothing reads)", refused, same)
	if refused < same {
		t.Errorf("only %d of %d damaged snapshots refused", refused, refused+same)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("extractions left in TMPDIR: %d, %s…", len(left), left[0].Name())
	}
}

// memTempDir is a temporary directory in /dev/shm when there is one: the
// sweeps extract hundreds of snapshots, and a disk makes that seconds.
func memTempDir(t *testing.T) string {
	t.Helper()
	if d, err := os.MkdirTemp("/dev/shm", "gpupass-test-"); err == nil {
		t.Cleanup(func() { os.RemoveAll(d) })
		return d
	}
	return t.TempDir()
}
