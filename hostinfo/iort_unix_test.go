//go:build unix

package hostinfo_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

func TestCollectIORT(t *testing.T) {
	const path = "/sys/firmware/acpi/tables/IORT"
	cases := []struct {
		name     string
		write    func(h *hostTree)
		want     *hostinfo.IORT
		wantNote string
	}{
		{
			name:  "parsed",
			write: func(h *hostTree) { h.file(path, string(graceIORT)) },
			want:  &hostinfo.IORT{ITSGroups: 1, SMMUv3: 2, RootComplexes: 2},
		},
		{
			name:     "malformed: noted with the offset, unknown",
			write:    func(h *hostTree) { h.file(path, string(graceIORT[:60])) },
			wantNote: "malformed IORT table, not used: offset 4 (0x4): table length 360, but only 60 bytes were read",
		},
		{
			name:     "not a regular file: noted, unknown",
			write:    func(h *hostTree) { mkfifo(t, h.path(path)) },
			wantNote: "the SMMUs and ITS groups the firmware describes are unknown",
		},
		{
			name:  "no IORT (an x86 host): nothing read, nothing noted",
			write: func(h *hostTree) { h.file("/sys/firmware/acpi/tables/DMAR", "DMAR") },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostTree(t)
			h.file("/proc/cpuinfo", graceCPUInfo)
			tc.write(h)
			host := h.collect(hostinfo.Options{})
			if diff := cmp.Diff(tc.want, host.ACPI.IORT); diff != "" {
				t.Errorf("IORT mismatch (-want +got):\n%s", diff)
			}
			notes := notesFor(host, path)
			if tc.wantNote == "" {
				if len(notes) > 0 {
					t.Errorf("unexpected notes %v", notes)
				}
				return
			}
			if len(notes) != 1 || !strings.Contains(notes[0].Message, tc.wantNote) {
				t.Errorf("notes %v, want one containing %q", notes, tc.wantNote)
			}
		})
	}
}
