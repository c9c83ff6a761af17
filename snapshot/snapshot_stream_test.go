package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"
)

// tarOf is a plain tar of the members, no end marker when end is false.
func tarOf(t *testing.T, end bool, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: 0o644, ModTime: time.Unix(0, 0), Size: int64(len(m.body))}
		if m.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte(m.body))
		}
	}
	if end {
		tw.Close()
	} else {
		tw.Flush()
	}
	return buf.Bytes()
}

func gzipOf(data ...[]byte) []byte {
	var buf bytes.Buffer
	for _, d := range data {
		zw := gzip.NewWriter(&buf)
		zw.Write(d)
		zw.Close()
	}
	return buf.Bytes()
}

// TestOpenReadsToTheEnd: the stream is read to its end, so that its gzip
// checksum and length are checked, and what is around the archive —
// nothing, or tar's zero padding — is checked too.
func TestOpenReadsToTheEnd(t *testing.T) {
	root := Top + "/root/"
	members := []member{manifestMember(1), {name: root + "proc/cmdline", typ: tar.TypeReg, body: "intel_iommu=on\n"}}
	plain := tarOf(t, true, members...)
	good := gzipOf(plain)
	crc := bytes.Clone(good)
	crc[len(crc)-8] ^= 1 // the CRC-32
	length := bytes.Clone(good)
	length[len(length)-1] ^= 1 // the length
	reserved := bytes.Clone(good)
	reserved[3] |= 0x80
	for _, c := range []struct {
		name string
		data []byte
		want string // "" when it opens
	}{
		{"intact", good, ""},
		{"a plain tar", plain, ""},
		{"GNU tar's record padding", gzipOf(append(bytes.Clone(plain), make([]byte, 10240-len(plain)%10240)...)), ""},
		{"padding in a second gzip member", gzipOf(plain, make([]byte, 4096)), ""},
		{"the CRC-32 damaged", crc, "gzip checksum does not match"},
		{"the length damaged", length, "gzip checksum does not match"},
		{"reserved gzip flags", reserved, "reserved flags"},
		{"trailer cut", good[:len(good)-1], "truncated"},
		{"trailing garbage", append(bytes.Clone(good), "x"...), "trailing garbage"},
		{"trailing zeros after the gzip stream", append(bytes.Clone(good), 0, 0, 0, 0), "trailing garbage"},
		{"data after the end, inside the gzip stream", gzipOf(append(bytes.Clone(plain), "more"...)), "data after the archive's end"},
		{"data after the end in a second gzip member", gzipOf(plain, []byte("more")), "data after the archive's end"},
		{"padding beyond 1 MiB", gzipOf(plain, make([]byte, maxPadding+tarBlock)), "after the archive's end"},
		{"no end-of-archive marker", gzipOf(tarOf(t, false, members...)), "end-of-archive marker is missing"},
		{"a plain tar without end marker", tarOf(t, false, members...), "end-of-archive marker is missing"},
		{"a plain tar with half an end marker", tarOf(t, true, members...)[:len(plain)-tarBlock], "end-of-archive marker is missing"},
		{"a plain tar with garbage after it", append(bytes.Clone(plain), "garbage"...), "data after the archive's end"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, sandbox, err := openBytes(t, c.data)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				s.Close()
			} else {
				if err == nil {
					s.Close()
					t.Fatalf("opened, want %q", c.want)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q, want %q", err, c.want)
				}
			}
			if left := sandboxEntries(t, sandbox); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}
