package hostinfo

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOSRelease(t *testing.T) {
	got := ParseOSRelease([]byte("# comment\nNAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE='rhel centos fedora'\nPRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\nbroken line\n"))
	want := System{ID: "rocky", IDLike: "rhel centos fedora", PrettyName: "Rocky Linux 9.4 (Blue Onyx)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !got.Is("rhel") || got.Is("debian") {
		t.Error("ID_LIKE not used")
	}
}

func FuzzParseOSRelease(f *testing.F) {
	for _, s := range []string{"ID=ubuntu\nID_LIKE=debian\n", "ID=\"\n", "ID='x\"", "=\n", "ID=a=b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := ParseOSRelease(data)
		if strings.ContainsAny(s.ID+s.IDLike+s.PrettyName, "\n") {
			t.Fatalf("a value spans lines: %+v", s)
		}
		if s.ID != strings.ToLower(s.ID) {
			t.Fatalf("ID not lower-case: %q", s.ID)
		}
	})
}
