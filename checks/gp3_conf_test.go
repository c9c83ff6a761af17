package checks

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/report"
)

// confFile is a nova.conf file for a test: its name, text and mode.
type confFile struct {
	name, text string
	mode       fs.FileMode
}

// testConf reads the files as oslo.config would, from memory.
func testConf(t *testing.T, role string, files ...confFile) *novaconf.Set {
	t.Helper()
	byName := map[string]string{}
	var names []string
	for _, f := range files {
		byName[f.name] = f.text
		names = append(names, f.name)
	}
	r := novaconf.ReaderFuncs{
		File: func(p string) ([]byte, error) {
			text, ok := byName[p]
			if !ok {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
			}
			return []byte(text), nil
		},
		Dir: func(p string) ([]fs.DirEntry, error) {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		},
	}
	cfg, problems := novaconf.Load(r, names, nil)
	c := &novaconf.Set{Role: role, Layout: "given", Config: cfg, Problems: problems}
	for _, f := range files {
		c.Files = append(c.Files, novaconf.SetFile{Path: f.name, Mode: f.mode})
	}
	return c
}

func runConf(t *testing.T, c *Check, in *Inputs) (outcome, []report.Finding) {
	t.Helper()
	if in.NovaRelease.Name == "" {
		in.NovaRelease = novarelease.Newest()
	}
	r := Run(in, []*Check{c})
	o := outcome{Status: r.Checks[0].Status}
	for _, f := range r.Findings {
		if f.Severity != report.Info && f.Remediation == "" {
			t.Errorf("%s: finding without remediation: %s", c.ID, f.Message)
		}
		o.Findings = append(o.Findings, string(f.Severity)+" "+f.Subject.Ref+" "+f.Source)
	}
	return o, r.Findings
}

const secretLine = "[DEFAULT]\ntransport_url = rabbit://nova:S3cr3tPass@ctl:5672/\n"

func TestConfChecks(t *testing.T) {
	const conf = "/etc/nova/nova.conf"
	tests := []struct {
		name     string
		check    *Check
		in       func(t *testing.T) *Inputs
		want     outcome
		contains []string
	}{
		{"GP301 inline comment and BOM", ConfSyntax, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute",
				confFile{conf, "[libvirt]\nvirt_type = kvm # default\n", 0o640},
				confFile{"/etc/nova/nova.conf.d/10-pci.conf", "\ufeff[pci]\nalias = {}\n", 0o640})}
		}, outcome{report.StatusFail, []string{"warning " + conf + " " + conf + ":2", "error /etc/nova/nova.conf.d/10-pci.conf /etc/nova/nova.conf.d/10-pci.conf:1"}},
			[]string{"no inline comments", "byte-order mark"}},
		{"GP301 clean file", ConfSyntax, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[pci]\ndevice_spec = {\"vendor_id\": \"10de\"}\n", 0o640})}
		}, outcome{report.StatusPass, nil}, nil},
		{"GP301 skipped without nova.conf", ConfSyntax, func(t *testing.T) *Inputs { return &Inputs{} },
			outcome{report.StatusSkip, nil}, nil},

		{"GP303 passthrough_whitelist and pci_alias", DeprecatedOption, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf,
				"[DEFAULT]\npci_alias = {\"name\": \"t4\"}\n[pci]\npassthrough_whitelist = {\"vendor_id\": \"10de\"}\ndevice_spec = {\"vendor_id\": \"1002\"}\n", 0o640})}
		}, outcome{report.StatusFail, []string{"warning [pci]device_spec " + conf + ":4", "warning [pci]alias " + conf + ":2"}},
			[]string{"[pci]passthrough_whitelist is a deprecated name of [pci]device_spec", "[DEFAULT]pci_alias"}},
		{"GP303 removed scheduler_default_filters", DeprecatedOption, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[DEFAULT]\nscheduler_default_filters = PciPassthroughFilter\n", 0o640})}
		}, outcome{report.StatusFail, []string{"warning [filter_scheduler]enabled_filters " + conf + ":2"}}, []string{"has no effect"}},

		{"GP310 filters without PciPassthroughFilter", SchedulerFilter, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "lint", confFile{conf, "[filter_scheduler]\nenabled_filters = ComputeFilter, ImagePropertiesFilter\n", 0o640})}
		}, outcome{report.StatusFail, []string{"error [filter_scheduler]enabled_filters " + conf + ":2"}},
			[]string{"enabled_filters = ComputeFilter, ImagePropertiesFilter, PciPassthroughFilter"}},
		{"GP310 filters with it", SchedulerFilter, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "lint", confFile{conf, "[filter_scheduler]\nenabled_filters = ComputeFilter,PciPassthroughFilter\n", 0o640})}
		}, outcome{report.StatusPass, nil}, nil},
		{"GP310 unset on a compute node", SchedulerFilter, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[pci]\n", 0o640})}
		}, outcome{report.StatusSkip, nil}, nil},
		{"GP310 unset on the API node: Nova's defaults lack it", SchedulerFilter, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[pci]\n", 0o640}),
				APIConf: testConf(t, "api", confFile{"/tmp/api.conf", "[DEFAULT]\n", 0o640})}
		}, outcome{report.StatusFail, []string{"error [filter_scheduler]enabled_filters "}}, []string{"Nova's default filters"}},
		{"GP310 unset in a file linted alone is info", SchedulerFilter, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "lint", confFile{conf, "[pci]\n", 0o640})}
		}, outcome{report.StatusPass, []string{"info [filter_scheduler]enabled_filters "}}, nil},

		{"GP313 qemu", VirtType, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[libvirt]\nvirt_type = qemu\n", 0o640})}
		}, outcome{report.StatusFail, []string{"error [libvirt]virt_type " + conf + ":2"}}, []string{"cannot be given a PCI device"}},
		{"GP313 default", VirtType, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[libvirt]\n", 0o640})}
		}, outcome{report.StatusPass, nil}, nil},

		{"GP314 world-readable with a password", SecretsExposed, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, secretLine + "[keystone_authtoken]\npassword = hunter2hunter2\n", 0o644})}
		}, outcome{report.StatusFail, []string{"error " + conf + " "}}, []string{"[DEFAULT]transport_url, [keystone_authtoken]password", "mode 0644", "chmod 0640 " + conf}},
		{"GP314 0640 is fine", SecretsExposed, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, secretLine, 0o640})}
		}, outcome{report.StatusPass, nil}, nil},
		{"GP314 world-readable without secrets is fine", SecretsExposed, func(t *testing.T) *Inputs {
			return &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[pci]\nalias = {}\n", 0o644})}
		}, outcome{report.StatusPass, nil}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, findings := runConf(t, tt.check, tt.in(t))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			var text strings.Builder
			for _, f := range findings {
				text.WriteString(f.Message + "\n" + f.Remediation + "\n")
			}
			for _, s := range tt.contains {
				if !strings.Contains(text.String(), s) {
					t.Errorf("findings do not mention %q:\n%s", s, text.String())
				}
			}
			if strings.Contains(text.String(), "S3cr3tPass") || strings.Contains(text.String(), "hunter2") {
				t.Errorf("a secret reached a finding:\n%s", text.String())
			}
		})
	}
}

// TestSecretsExposedByType: GP314 counts the options that are secrets by
// their declaration (and URLs with a password), never options whose name
// only sounds like one; testdata/lint's TripleO file holds two secrets.
func TestSecretsExposedByType(t *testing.T) {
	const conf = "/etc/nova/nova.conf"
	tripleo, err := os.ReadFile(filepath.Join("..", "testdata", "lint", "tripleo-nova-libvirt.conf"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []string // secret_options; nil: GP314 passes
	}{
		{"no secret, secret-sounding names", "[DEFAULT]\npassword_length = 12\n" +
			"[libvirt]\ninject_password = False\ninject_key = False\nrbd_secret_uuid = 4b5c8c0a-ff60-454b-a1b4-9747aa737d19\n" +
			"live_migration_uri = qemu+ssh://nova_migration@%s:2022/system?keyfile=/etc/nova/migration/identity\n" +
			"[service_user]\nsend_service_user_token = true\n[ephemeral_storage_encryption]\nkey_size = 512\n" +
			"[keystone_authtoken]\ntoken_cache_time = 300\n# password = commented-out\n" +
			"[cache]\nbackend_argument = memcached_expire_time:300\n[database]\nconnection = sqlite:////var/lib/nova/nova.sqlite\n", nil},
		{"secrets by type", "[neutron]\nauth_type = v3applicationcredential\napplication_credential_secret = s\n" +
			"[cache]\nbackend_argument = redis_password:p\nmemcache_password = m\n" +
			"[libvirt]\nconnection_uri = qemu+tcp://nova:pw@ctl/system\n",
			[]string{"[cache]backend_argument", "[cache]memcache_password", "[libvirt]connection_uri", "[neutron]application_credential_secret"}},
		{"tripleo-nova-libvirt.conf", string(tripleo), []string{"[DEFAULT]transport_url", "[placement]password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, findings := runConf(t, SecretsExposed, &Inputs{NovaConf: testConf(t, "compute", confFile{conf, tt.text, 0o644})})
			var got []string
			for _, f := range findings {
				got = append(got, f.Evidence["secret_options"].([]string)...)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("secret options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConfSyntaxFolds: GP301 gives one finding per problem and option,
// however many lines repeat it, with the count and the first lines in its
// evidence; a huge value is quoted clipped (GP313).
func TestConfSyntaxFolds(t *testing.T) {
	const conf = "/etc/nova/nova.conf"
	text := "[libvirt]\n" + strings.Repeat("virt_type = kvm # default\n", 100000)
	_, findings := runConf(t, ConfSyntax, &Inputs{NovaConf: testConf(t, "compute", confFile{conf, text, 0o640})})
	if len(findings) != 2 {
		t.Fatalf("%d findings, want 2 (inline comment, repeated key)", len(findings))
	}
	size := 0
	for _, f := range findings {
		size += len(f.Message) + len(f.Remediation)
		if f.Source != conf+":2" || f.Evidence["occurrences"] != 100000 || !cmp.Equal(f.Evidence["lines"], []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}) {
			t.Errorf("%s: source %s, evidence %v", f.Evidence["code"], f.Source, f.Evidence)
		}
	}
	if !strings.Contains(findings[0].Message, "The same on 99,999 more lines of this file: 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ….") {
		t.Errorf("inline comment: %s", findings[0].Message)
	}
	if !strings.Contains(findings[1].Message, "is set 100,000 times in this file") || strings.Contains(findings[1].Message, "The same on") {
		t.Errorf("repeated key: %s", findings[1].Message)
	}
	if size > 4000 {
		t.Errorf("the findings hold %d bytes of text", size)
	}
	// A single problem has no count.
	_, findings = runConf(t, ConfSyntax, &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[libvirt]\nvirt_type = kvm # default\n", 0o640})})
	if len(findings) != 1 || findings[0].Evidence["occurrences"] != nil || strings.Contains(findings[0].Message, "The same") {
		t.Errorf("one problem: %+v", findings)
	}
	// GP313 quotes a 1 MB virt_type by its first 200 bytes.
	_, findings = runConf(t, VirtType, &Inputs{NovaConf: testConf(t, "compute", confFile{conf, "[libvirt]\nvirt_type = " + strings.Repeat("q", 1<<20) + "\n", 0o640})})
	if len(findings) != 1 || len(findings[0].Message) > 400 || !strings.Contains(findings[0].Message, "q…") {
		t.Errorf("GP313 on a 1 MB value: %d findings, %.100s", len(findings), findings[0].Message)
	}
}

// The report lists the options gpupass reads, never a secret.
func TestConfReportRedacts(t *testing.T) {
	c := testConf(t, "compute", confFile{"/etc/nova/nova.conf", secretLine +
		"[database]\nconnection = mysql+pymysql://nova:DbPassw0rd@db/nova\n[pci]\npassthrough_whitelist = {\"vendor_id\": \"10de\"}\n", 0o600})
	r := Run(&Inputs{NovaConf: c}, nil)
	if r.NovaConf == nil {
		t.Fatal("no nova_conf in the report")
	}
	want := []report.ConfOption{{Option: "[pci]device_spec", Name: "[pci]passthrough_whitelist", Value: `{"vendor_id": "10de"}`, Source: "/etc/nova/nova.conf:6"}}
	if diff := cmp.Diff(want, r.NovaConf.Options); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]report.ConfFileReport{{Path: "/etc/nova/nova.conf", Mode: "0600"}}, r.NovaConf.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}
