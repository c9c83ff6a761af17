package generate

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestComment(t *testing.T) {
	for _, tt := range []struct {
		first, rest, text string
		want              []string
	}{
		{"# ", "# ", "short", []string{"# short"}},
		// Wrapped between words, at most Width characters, counted as
		// characters, not bytes.
		{"#   ", "#     ", strings.Repeat("é ", 45), []string{"#   " + strings.TrimSpace(strings.Repeat("é ", 38)), "#     " + strings.TrimSpace(strings.Repeat("é ", 7))}},
		// A word longer than a line is cut.
		{"# ", "#   ", "x " + strings.Repeat("y", 100), []string{"# x", "#   " + strings.Repeat("y", 76), "#   " + strings.Repeat("y", 24)}},
		// A list too long for a line breaks after a comma, never inside
		// a PCI address.
		{"#    ", "#      ", "device_addresses = 0000:3b:00.4,0000:3b:00.5,0000:3b:00.6,0000:3b:00.7,0000:3b:01.0,0000:3b:01.1,0000:3b:01.2,0000:3b:01.3",
			[]string{"#    device_addresses =", "#      0000:3b:00.4,0000:3b:00.5,0000:3b:00.6,0000:3b:00.7,0000:3b:01.0,", "#      0000:3b:01.1,0000:3b:01.2,0000:3b:01.3"}},
		// Without a comma, the cut moves before the address it would split.
		{"# ", "# ", "x " + strings.Repeat("y", 70) + "0000:3b:01.1", []string{"# x", "# " + strings.Repeat("y", 70), "# 0000:3b:01.1"}},
		// A newline or an escape sequence in a host's name cannot end the
		// comment or reach the terminal.
		{"# ", "# ", "GPU\nrm -rf / \x1b[2J\u2028x", []string{`# GPU rm -rf / \x1b[2J\u2028x`}},
	} {
		d := &doc{}
		d.comment(tt.first, tt.rest, tt.text)
		got := strings.Split(strings.TrimSuffix(d.String(), "\n"), "\n")
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.text, diff)
		}
		for _, l := range got {
			if utf8.RuneCountInString(l) > Width {
				t.Errorf("%q: %d characters", l, utf8.RuneCountInString(l))
			}
		}
	}
}
