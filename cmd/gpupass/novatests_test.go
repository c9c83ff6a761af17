package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A devname device_spec with [pci]report_in_placement = true: Nova's
// parser accepts it, and nova-compute then refuses to start
// (ensure_no_dev_spec_with_devname, PlacementPciException, in Zed, 2025.1
// and 2026.2 alike). lint, which has no host, reports it as an error, as
// preflight does.
func TestLintDevnameReportInPlacement(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nova.conf")
	for _, tt := range []struct {
		name, report string
		code         int
	}{
		{"on", "true", exitFindings},
		{"off", "false", exitOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := conf + "." + tt.name
			body := "[pci]\nreport_in_placement = " + tt.report + "\ndevice_spec = {\"devname\": \"ens1f0\", \"physical_network\": \"physnet1\"}\n"
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, rel := range []string{"zed", "2025.1", "2026.1"} {
				code, got, text := lintFindings(t, path, "--nova-release", rel)
				if code != tt.code {
					t.Errorf("%s: exit %d, want %d: %q\n%s", rel, code, tt.code, got, text)
				}
				found := false
				for _, f := range got {
					if f == "GP610 error "+path+":3" {
						found = true
					}
				}
				if found != (tt.report == "true") {
					t.Errorf("%s: findings %q: GP610's error at line 3 is %v, want %v", rel, got, found, !found)
				}
				if tt.report == "true" && !strings.Contains(text, "does not support 'devname'") {
					t.Errorf("%s: the text does not say why:\n%s", rel, text)
				}
			}
		})
	}
}
