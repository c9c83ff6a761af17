package novaconf

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"password", "s3cr3t", "***"},
		{"admin_password", "s3cr3t", "***"},
		{"metadata_proxy_shared_secret", "s3cr3t", "***"},
		{"fixed_key", "0123abcd", "***"},
		{"api_key", "k", "***"},
		{"admin_token", "t", "***"},
		{"memcache_secret_key", "k", "***"},
		{"Password", "s3cr3t", "***"},
		{"password", "", ""},
		{"transport_url", "rabbit://nova:s3cr3t@ctl1:5672/", "rabbit://nova:***@ctl1:5672/"},
		{"transport_url", "rabbit://nova:s3cr3t@ctl1:5672,nova:s3cr3t2@ctl2:5672,nova:s3cr3t3@ctl3:5672/nova?ssl=1",
			"rabbit://nova:***@ctl1:5672,nova:***@ctl2:5672,nova:***@ctl3:5672/nova?ssl=1"},
		{"transport_url", "rabbit://nova:p@ss/w#rd@ctl1:5672/", "rabbit://nova:***@***@ctl1:5672/"},
		{"transport_url", "rabbit://", "rabbit://"},
		{"transport_url", "rabbit://ctl1:5672/", "rabbit://ctl1:5672/"},
		{"connection", "mysql+pymysql://nova:s3cr3t@db/nova?charset=utf8", "mysql+pymysql://nova:***@db/nova?charset=utf8"},
		{"connection", "mysql+pymysql://nova@db/nova?password=s3cr3t&charset=utf8", "mysql+pymysql://***@db/nova?password=***&charset=utf8"},
		{"backend_argument", "url:redis://:s3cr3t@127.0.0.1:6379", "url:redis://:***@127.0.0.1:6379"},
		{"alias", `{"name": "a100", "vendor_id": "10de", "product_id": "20b5"}`, `{"name": "a100", "vendor_id": "10de", "product_id": "20b5"}`},
		{"keymap", "en-us", "en-us"},
		{"device_spec", `{"address": "0000:41:00.0"}`, `{"address": "0000:41:00.0"}`},
		{"virt_type", "kvm", "kvm"},
	}
	for _, tt := range tests {
		if got := Redact(tt.name, tt.value); got != tt.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
	v := Value{Name: "transport_url", Text: "rabbit://nova:s3cr3t@ctl/"}
	if got := v.Redacted(); got != "rabbit://nova:***@ctl/" {
		t.Errorf("Value.Redacted = %q", got)
	}
}

func TestRedactLine(t *testing.T) {
	tests := []struct {
		line string
		all  bool
		want string
	}{
		{"password = s3cr3t", false, "password = ***"},
		{"password=s3cr3t", false, "password=***"},
		{"password:\ts3cr3t", false, "password:\t***"},
		{"password =", false, "password ="},
		{"transport_url = rabbit://nova:s3cr3t@ctl:5672/", false, "transport_url = rabbit://nova:***@ctl:5672/"},
		{"#password = s3cr3t", false, "#password = ***"},
		{"; connection = mysql://nova:s3cr3t@db/nova", false, "; connection = mysql://nova:***@db/nova"},
		{"password s3cr3t", false, "password ***"},
		{"    s3cr3t-continued", true, "    ***"},
		{"[keystone_authtoken]", false, "[keystone_authtoken]"},
		{"[keystone_authtoken", false, "[keystone_authtoken"},
		{`alias = {"name": "a"}`, false, `alias = {"name": "a"}`},
	}
	for _, tt := range tests {
		if got := redactLine(tt.line, tt.all); got != tt.want {
			t.Errorf("redactLine(%q, %v) = %q, want %q", tt.line, tt.all, got, tt.want)
		}
	}
}

// TestProblemsHideSecrets: no Problem, whatever it is about, shows a
// password, a transport_url's or a connection's credentials.
func TestProblemsHideSecrets(t *testing.T) {
	files := map[string]string{
		"inline comment":   "[keystone_authtoken]\npassword = XYZZY1 # XYZZY2\n",
		"repeated":         "[placement]\npassword = XYZZY1\npassword = XYZZY2\n",
		"quotes":           "[neutron]\npassword = \"XYZZY1\" \"XYZZY2\"\n",
		"backslash":        "[neutron]\npassword = XYZZY1\\\n",
		"continued":        "[neutron]\npassword = XYZZY1\n  # XYZZY2\n  XYZZY3\\\n",
		"control":          "[neutron]\npassword = XYZZY1\x00\n  XYZZY2\x01\n",
		"dollar":           "[neutron]\npassword = XYZZY$x\n",
		"no section":       "password = XYZZY1\n",
		"url no section":   "transport_url = rabbit://nova:XYZZY1@ctl:5672/\n[DEFAULT]\n",
		"url inline":       "[DEFAULT]\ntransport_url = rabbit://nova:XYZZY1@ctl:5672/ # note\n",
		"url repeated":     "[database]\nconnection = mysql+pymysql://nova:XYZZY1@db/nova\nconnection = mysql+pymysql://nova:XYZZY2@db/nova\n",
		"url quotes":       "[DEFAULT]\ntransport_url = 'rabbit://nova:XYZZY1@ctl:5672/\"\n",
		"no delimiter":     "[DEFAULT]\npassword XYZZY1\n",
		"url no delimiter": "[DEFAULT]\n rabbit://nova:XYZZY1@ctl\n",
		"utf-8":            "[DEFAULT]\npassword = XYZZY1\xe9\n",
		"utf-8 continued":  "[DEFAULT]\npassword = XYZZY1\n  XYZZY2\xe9\n",
		"utf-8 url":        "[DEFAULT]\ntransport_url = rabbit://nova:XYZZY1\xe9@ctl/\n",
		"cr":               "[DEFAULT]\npassword = XYZZY1\rXYZZY2\n",
		"bad section":      "[DEFAULT]\npassword = XYZZY1\n[pci\n",
		"continuation err": "[DEFAULT]\npassword = XYZZY1\n\n  XYZZY2\n",
		"commented":        "[DEFAULT]\r# password = XYZZY1\r",
	}
	for name, content := range files {
		_, ps := Parse("nova.conf", []byte(content))
		if len(ps) == 0 {
			t.Errorf("%s: no problem found, the test proves nothing", name)
		}
		for _, p := range ps {
			if strings.Contains(p.Line, "XYZZY") || strings.Contains(p.Message, "XYZZY") || strings.Contains(p.String(), "XYZZY") {
				t.Errorf("%s: %v shows a secret", name, p)
			}
		}
	}
}
