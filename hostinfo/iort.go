package hostinfo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
)

// The IORT (I/O Remapping Table) is the ACPI table in which arm64 firmware
// describes its IOMMUs (SMMUs), its MSI controllers (GICv3 ITS groups) and
// the PCI root complexes behind them. Its layout, as libvirt reads it
// (src/util/viracpi.c, virIORTHeader and virIORTNodeHeader, packed,
// little-endian as every ACPI table; docs/research/vgpu-layouts.md 4.2):
//
//	offset 0   signature "IORT" (4), length u32, revision u8, checksum u8,
//	           oem_id (6), oem_table_id (8), oem_revision (4),
//	           creator_id (4), creator_revision (4)
//	offset 36  nnodes u32: how many nodes
//	offset 40  nodes_offset u32: where the first node starts
//
// and each node starts with type u8, len u16 (the node's whole length),
// revision u8, identifier u32, nmappings u32, reference_id u32. The types
// (libvirt's virIORTNodeType) are 0 ITS Group, 1 Named Component, 2 Root
// Complex, 3 SMMUv1 or SMMUv2, 4 SMMUv3, 5 PMCG, 6 Memory range.
const (
	iortHeaderSize     = 44 // the ACPI header (36) with nnodes and nodes_offset
	iortNodeHeaderSize = 16

	iortNodeITSGroup    = 0
	iortNodeRootComplex = 2
	iortNodeSMMU        = 3
	iortNodeSMMUv3      = 4
)

// IORTPath is where Linux exposes the firmware's IORT table.
const IORTPath = "/sys/firmware/acpi/tables/IORT"

// IORTError is a malformed IORT table: what is wrong and at which byte
// offset of the file.
type IORTError struct {
	Offset int
	Msg    string
}

func (e *IORTError) Error() string {
	return fmt.Sprintf("offset %d (0x%x): %s", e.Offset, e.Offset, e.Msg)
}

// ParseIORT counts the nodes of an IORT table by type. It walks exactly
// the nnodes nodes the header announces, from nodes_offset, each by its own
// length, and refuses a table whose header, node headers or nodes do not
// fit in the table's length or in the data read (an *IORTError), rather
// than count what is not there. Node types it does not count (named
// components, PMCGs, memory ranges, types newer than these) are skipped by
// their length. The checksum is not verified: Linux uses a table whose
// checksum is wrong, with a warning, and so does this.
func ParseIORT(data []byte) (IORT, error) {
	var t IORT
	if len(data) < iortHeaderSize {
		return t, &IORTError{0, fmt.Sprintf("%d bytes, shorter than the %d-byte IORT header", len(data), iortHeaderSize)}
	}
	if string(data[0:4]) != "IORT" {
		return t, &IORTError{0, fmt.Sprintf("signature %q, not \"IORT\"", clip(string(data[0:4])))}
	}
	length := binary.LittleEndian.Uint32(data[4:8])
	switch {
	case length < iortHeaderSize:
		return t, &IORTError{4, fmt.Sprintf("table length %d is shorter than the %d-byte header", length, iortHeaderSize)}
	case uint64(length) > uint64(len(data)):
		return t, &IORTError{4, fmt.Sprintf("table length %d, but only %d bytes were read: the table is truncated", length, len(data))}
	}
	table := data[:length]
	nnodes := binary.LittleEndian.Uint32(table[36:40])
	offset := binary.LittleEndian.Uint32(table[40:44])
	if nnodes > 0 && (offset < iortHeaderSize || offset > length) {
		return t, &IORTError{40, fmt.Sprintf("nodes_offset %d lies outside the table's nodes (%d to %d)", offset, iortHeaderSize, length)}
	}
	pos := int(offset)
	for i := uint32(0); i < nnodes; i++ {
		if len(table)-pos < iortNodeHeaderSize {
			return IORT{}, &IORTError{pos, fmt.Sprintf("node %d of %d: its %d-byte header does not fit in the table (%d bytes)", i+1, nnodes, iortNodeHeaderSize, length)}
		}
		typ := table[pos]
		nodeLen := int(binary.LittleEndian.Uint16(table[pos+1 : pos+3]))
		switch {
		case nodeLen < iortNodeHeaderSize:
			return IORT{}, &IORTError{pos, fmt.Sprintf("node %d of %d (type %d) has length %d, shorter than its %d-byte header", i+1, nnodes, typ, nodeLen, iortNodeHeaderSize)}
		case nodeLen > len(table)-pos:
			return IORT{}, &IORTError{pos, fmt.Sprintf("node %d of %d (type %d) has length %d, past the table's end (%d bytes)", i+1, nnodes, typ, nodeLen, length)}
		}
		switch typ {
		case iortNodeITSGroup:
			t.ITSGroups++
		case iortNodeRootComplex:
			t.RootComplexes++
		case iortNodeSMMU:
			t.SMMU++
		case iortNodeSMMUv3:
			t.SMMUv3++
		}
		pos += nodeLen
	}
	return t, nil
}

// iort reads and parses the IORT table when the firmware lists one. It is
// readable by root only on the usual kernels: another user's run leaves
// it unknown (nil), with a note, and so does a malformed table, the note
// naming the offset.
func (c *collector) iort() {
	if !c.host.ACPI.HasTable("IORT") {
		return
	}
	data, err := c.fs.ReadFile(IORTPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			c.note(IORTPath, "listed among the ACPI tables but missing")
			return
		}
		c.note(IORTPath, "%s: the SMMUs and ITS groups the firmware describes are unknown", describeErr(err))
		return
	}
	t, err := ParseIORT(data)
	if err != nil {
		c.note(IORTPath, "malformed IORT table, not used: %v", err)
		return
	}
	c.host.ACPI.IORT = &t
}
