package hostinfo_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// iortNode is one IORT node to build: its type and its whole length (at
// least the 16-byte node header).
type iortNode struct {
	typ    byte
	length int
}

// buildIORT lays out an IORT table as libvirt's viracpi.c reads it (and
// docs/research/vgpu-layouts.md 4.2 gives): the 36-byte ACPI header with
// signature and length, nnodes at 36, nodes_offset at 40, padding to
// nodesOffset, then the nodes, each with type at 0 and length at 1.
func buildIORT(nodesOffset int, nodes ...iortNode) []byte {
	size := nodesOffset
	for _, n := range nodes {
		size += n.length
	}
	b := make([]byte, size)
	copy(b, "IORT")
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	b[8] = 5 // revision E
	copy(b[10:], "NVIDIA")
	binary.LittleEndian.PutUint32(b[36:], uint32(len(nodes)))
	binary.LittleEndian.PutUint32(b[40:], uint32(nodesOffset))
	pos := nodesOffset
	for _, n := range nodes {
		b[pos] = n.typ
		binary.LittleEndian.PutUint16(b[pos+1:], uint16(n.length))
		pos += n.length
	}
	return b
}

// A Grace-like table: one ITS group, one SMMUv3 and one root complex per
// PCI segment (lengths as the IORT specification's fixed parts: ITS group
// with one ITS 24, SMMUv3 68, root complex with one ID mapping 56), and a
// PMCG, which is not counted.
var graceIORT = buildIORT(48,
	iortNode{0, 24},
	iortNode{4, 68}, iortNode{4, 68},
	iortNode{2, 56}, iortNode{2, 56},
	iortNode{5, 40},
)

func TestParseIORT(t *testing.T) {
	tooShortNode := buildIORT(48, iortNode{4, 68}, iortNode{0, 24})
	binary.LittleEndian.PutUint16(tooShortNode[48+68+1:], 8)
	pastEnd := buildIORT(48, iortNode{4, 68})
	binary.LittleEndian.PutUint16(pastEnd[48+1:], 200)
	moreNodes := buildIORT(48, iortNode{4, 68})
	binary.LittleEndian.PutUint32(moreNodes[36:], 3)
	badOffset := buildIORT(48, iortNode{4, 68})
	binary.LittleEndian.PutUint32(badOffset[40:], 12)
	longer := buildIORT(48, iortNode{4, 68})
	binary.LittleEndian.PutUint32(longer[4:], uint32(len(longer)+100))
	wrongSig := append([]byte("DMAR"), graceIORT[4:]...)
	// Bytes after the table's length (a padded capture) are not nodes.
	trailing := append(append([]byte(nil), graceIORT...), 4, 68, 0)

	tests := []struct {
		name       string
		data       []byte
		want       hostinfo.IORT
		wantOffset int // -1: no error expected
		wantErr    string
	}{
		{name: "Grace-like: ITS, two SMMUv3, two root complexes, a PMCG", data: graceIORT, want: hostinfo.IORT{ITSGroups: 1, SMMUv3: 2, RootComplexes: 2}, wantOffset: -1},
		{name: "SMMUv2 platform", data: buildIORT(44, iortNode{0, 24}, iortNode{3, 76}, iortNode{2, 36}), want: hostinfo.IORT{ITSGroups: 1, SMMU: 1, RootComplexes: 1}, wantOffset: -1},
		{name: "no nodes", data: buildIORT(48), wantOffset: -1},
		{name: "bytes after the table", data: trailing, want: hostinfo.IORT{ITSGroups: 1, SMMUv3: 2, RootComplexes: 2}, wantOffset: -1},
		{name: "empty file", data: nil, wantOffset: 0, wantErr: "shorter than the 44-byte IORT header"},
		{name: "wrong signature", data: wrongSig, wantOffset: 0, wantErr: `signature "DMAR"`},
		{name: "length past the data", data: longer, wantOffset: 4, wantErr: "truncated"},
		{name: "nodes_offset inside the header", data: badOffset, wantOffset: 40, wantErr: "nodes_offset 12"},
		{name: "node shorter than its header", data: tooShortNode, wantOffset: 48 + 68, wantErr: "node 2 of 2 (type 0) has length 8"},
		{name: "node past the end", data: pastEnd, wantOffset: 48, wantErr: "past the table's end"},
		{name: "more nodes announced than present", data: moreNodes, wantOffset: 48 + 68, wantErr: "node 2 of 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseIORT(tt.data)
			if tt.wantOffset < 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("IORT mismatch (-want +got):\n%s", diff)
				}
				return
			}
			var ie *hostinfo.IORTError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *IORTError", err)
			}
			if ie.Offset != tt.wantOffset || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v (offset %d), want offset %d and %q", err, ie.Offset, tt.wantOffset, tt.wantErr)
			}
		})
	}
}

func FuzzParseIORT(f *testing.F) {
	f.Add(graceIORT)
	f.Add(buildIORT(44, iortNode{0, 24}, iortNode{3, 76}, iortNode{2, 36}))
	f.Add(buildIORT(48))
	f.Add([]byte("IORT"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := hostinfo.ParseIORT(data)
		if err != nil {
			var ie *hostinfo.IORTError
			if !errors.As(err, &ie) || ie.Offset < 0 || ie.Offset > len(data) {
				t.Fatalf("err = %v: not an IORTError with an offset in the data", err)
			}
			if got != (hostinfo.IORT{}) {
				t.Fatalf("counts %+v returned with an error", got)
			}
			return
		}
		// Each counted node takes at least 16 bytes of the table.
		counted := got.ITSGroups + got.SMMU + got.SMMUv3 + got.RootComplexes
		if counted*16 > len(data) {
			t.Fatalf("%d nodes counted in %d bytes", counted, len(data))
		}
	})
}
