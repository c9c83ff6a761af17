package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// The nova.conf header says which files were read and which could not be
// read as this user, and why — never "(no file could be read)" for a file
// that is there but not this user's to read.
func TestTextConfHeaderUnreadable(t *testing.T) {
	tests := []struct {
		name string
		conf *report.ConfReport
		want string
	}{
		{"none readable", &report.ConfReport{Role: "compute", Layout: "packages",
			Unreadable: []report.ConfUnreadable{{Path: "/etc/nova", Reason: "permission denied: cannot look into it"}}},
			"nova.conf: not readable as this user: /etc/nova (permission denied: cannot look into it) (packages layout); run as root to check it"},
		{"part readable", &report.ConfReport{Role: "compute", Layout: "packages", Files: []report.ConfFileReport{{Path: "/etc/nova/nova.conf"}},
			Unreadable: []report.ConfUnreadable{{Path: "/etc/nova/nova.conf.d/50-gpu.conf", Reason: "permission denied"}}},
			"nova.conf: /etc/nova/nova.conf (packages layout); not readable as this user: /etc/nova/nova.conf.d/50-gpu.conf (permission denied)"},
		{"all read", &report.ConfReport{Role: "compute", Layout: "packages", Files: []report.ConfFileReport{{Path: "/etc/nova/nova.conf"}}},
			"nova.conf: /etc/nova/nova.conf (packages layout)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleReport()
			r.NovaConf = tc.conf
			var buf bytes.Buffer
			if err := Text(&buf, r, Options{}); err != nil {
				t.Fatal(err)
			}
			// The header is wrapped at 80 columns: join its lines.
			var header []string
			for _, line := range strings.Split(buf.String(), "\n") {
				if strings.HasPrefix(line, "nova.conf:") || len(header) > 0 && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "  GP") {
					header = append(header, strings.TrimSpace(line))
				} else if len(header) > 0 {
					break
				}
			}
			if got := strings.Join(header, " "); got != tc.want {
				t.Errorf("header\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
