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

// A "$" in a value: oslo.config substitutes "$name" and "${name}" with
// another option's value when nova reads the option, and raises where
// there is no such option (NoSuchOptError, NoSuchGroupError...): nova then
// stops. lint reports that as an error (GP301) at the line, reads the
// substituted value where oslo.config substitutes, and leaves "$$", "\$"
// and a "$" before no name alone.
func TestLintDollar(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct {
		name, conf string
		code       int
		want       []string // "ID severity line"
		says       []string
	}{
		{"unknown option", `[pci]
alias = {"name": "a$b", "vendor_id": "10de", "product_id": "2330"}
`, exitFindings, []string{"GP301 error 2"}, []string{"no such option b in group [DEFAULT] (NoSuchOptError)", "Write $$"}},
		{"unknown group", `[pci]
device_spec = {"vendor_id": "10de", "product_id": "2330", "physical_network": "$my_ip."}
`, exitFindings, []string{"GP301 error 2"}, []string{"no such group [my_ip] (NoSuchGroupError)"}},
		{"escaped", `[pci]
alias = {"name": "a$$b", "vendor_id": "10de", "product_id": "2330"}
device_spec = {"vendor_id": "10de", "product_id": "2330", "physical_network": "cost$1 \$x"}
`, exitOK, nil, nil},
		// The substituted value is the one judged: the alias name
		// becomes "gpu-kvm", and the device_spec's vendor_id "10DE ".
		{"substituted", `[DEFAULT]
my_ip = 10DE
[pci]
alias = {"name": "gpu-${libvirt.virt_type}", "vendor_id": "10de", "product_id": "2330"}
device_spec = {"vendor_id": "$my_ip ", "product_id": "2330"}
`, exitOK, []string{"GP301 warning 4", "GP301 warning 5", "GP302 warning 5"}, []string{`vendor_id '10DE '`}},
		// A boolean read through a substitution.
		{"boolean", `[pci]
report_in_placement = ${filter_scheduler.pci_in_placement}
device_spec = {"devname": "ens1f0"}
[filter_scheduler]
pci_in_placement = true
`, exitFindings, []string{"GP301 warning 2", "GP302 warning 3", "GP610 error 3"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".conf")
			if err := os.WriteFile(path, []byte(tt.conf), 0o600); err != nil {
				t.Fatal(err)
			}
			code, got, text := lintFindings(t, path, "--nova-release", "2025.1")
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, text)
			}
			var want []string
			for _, w := range tt.want {
				id, line, _ := strings.Cut(w, " ")
				sev, n, _ := strings.Cut(line, " ")
				want = append(want, id+" "+sev+" "+path+":"+n)
			}
			var gotHere []string
			for _, g := range got {
				if !strings.HasPrefix(g, "GP310 ") {
					gotHere = append(gotHere, g)
				}
			}
			if strings.Join(gotHere, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings %q, want %q\n%s", gotHere, want, text)
			}
			flat := strings.Join(strings.Fields(text), " ")
			for _, s := range tt.says {
				if !strings.Contains(flat, s) {
					t.Errorf("the text does not say %q:\n%s", s, text)
				}
			}
		})
	}
}
