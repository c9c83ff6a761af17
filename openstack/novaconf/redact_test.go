package novaconf

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ group, name, value, want string }{
		{"keystone_authtoken", "password", "s3cr3t", "***"},
		{"neutron", "metadata_proxy_shared_secret", "s3cr3t", "***"},
		{"key_manager", "fixed_key", "0123abcd", "***"},
		{"keystone_authtoken", "memcache_secret_key", "k", "***"},
		{"placement", "password", "", ""},
		// keystoneauth plugin options, read by auth_type in an auth group.
		{"neutron", "application_credential_secret", "s", "***"},
		{"service_user", "passcode", "123456", "***"},
		// Credentials their release does not flag secret=True.
		{"cache", "memcache_password", "s3cr3t", "***"},
		{"vault", "root_token_id", "hvs.x", "***"},
		// oslo.cache's backend_argument: secret=True, the argument named.
		{"cache", "backend_argument", "redis_password:s3cr3t", "redis_password:***"},
		{"cache", "backend_argument", "url:redis://:s3cr3t@127.0.0.1:6379", "url:***"},
		// Options whose name Nova does not register there: the name decides.
		{"oslo_messaging_rabbit", "rabbit_password", "s3cr3t", "***"},
		{"glance", "api_key", "k", "***"},
		{"DEFAULT", "Password", "s3cr3t", "***"},
		// URL options: the URL's credentials.
		{"DEFAULT", "transport_url", "rabbit://nova:s3cr3t@ctl1:5672/", "rabbit://nova:***@ctl1:5672/"},
		{"DEFAULT", "transport_url", "rabbit://nova:s1@ctl1:5672,nova:s2@ctl2:5672,nova:s3@ctl3:5672/nova?ssl=1",
			"rabbit://nova:***@ctl1:5672,nova:***@ctl2:5672,nova:***@ctl3:5672/nova?ssl=1"},
		{"DEFAULT", "transport_url", "rabbit://nova:p@ss w@ctl1:5672/", "rabbit://nova:***@ctl1:5672/"},
		{"DEFAULT", "transport_url", "rabbit://", "rabbit://"},
		{"DEFAULT", "transport_url", "not a url", "***"},
		{"database", "connection", "mysql+pymysql://nova:s3cr3t@db/nova", "mysql+pymysql://nova:***@db/nova"},
		{"database", "connection", "mysql+pymysql://nova@db/nova?password=s3cr3t&charset=utf8", "mysql+pymysql://nova@db/nova?password=***&charset=utf8"},
		{"database", "connection", "sqlite:////var/lib/nova/nova.sqlite", "sqlite:////var/lib/nova/nova.sqlite"},
		{"DATABASE", "sql_connection", "mysql://nova:s3cr3t@db/nova", "mysql://nova:***@db/nova"}, // a deprecated name
		// Not secrets: their type says so, whatever their name.
		{"DEFAULT", "password_length", "12", "12"},
		{"libvirt", "inject_password", "False", "False"},
		{"libvirt", "inject_key", "False", "False"},
		{"service_user", "send_service_user_token", "true", "true"},
		{"libvirt", "rbd_secret_uuid", "4b5c8c0a-ff60-454b-a1b4-9747aa737d19", "4b5c8c0a-ff60-454b-a1b4-9747aa737d19"},
		{"ephemeral_storage_encryption", "key_size", "512", "512"},
		{"keystone_authtoken", "token_cache_time", "300", "300"},
		{"neutron", "auth_url", "http://ctl:5000", "http://ctl:5000"},
		// URLs in other values: the password hidden, user and host kept.
		{"libvirt", "live_migration_uri", "qemu+ssh://nova_migration@%s:2022/system?keyfile=/etc/nova/migration/identity",
			"qemu+ssh://nova_migration@%s:2022/system?keyfile=/etc/nova/migration/identity"},
		{"libvirt", "live_migration_uri", "qemu+ssh://nova:pw@%s/system", "qemu+ssh://nova:***@%s/system"},
		{"glance", "api_servers", "https://u:pa ss@g1:9292,https://g2:9292", "https://u:***@g1:9292,https://g2:9292"},
		{"pci", "alias", `{"name": "a100", "vendor_id": "10de", "product_id": "20b5"}`, `{"name": "a100", "vendor_id": "10de", "product_id": "20b5"}`},
		{"vnc", "keymap", "en-us", "en-us"},
		{"libvirt", "virt_type", "kvm", "kvm"},
	}
	for _, tt := range tests {
		if got := Redact(tt.group, tt.name, tt.value); got != tt.want {
			t.Errorf("Redact(%q, %q, %q) = %q, want %q", tt.group, tt.name, tt.value, got, tt.want)
		}
	}
	v := Value{Group: "libvirt", Name: "connection_uri", Text: "qemu+tcp://nova:s3cr3t@ctl/system"}
	if got := v.Redacted(); got != "qemu+tcp://nova:***@ctl/system" {
		t.Errorf("Value.Redacted = %q", got)
	}
}

func TestRedactLine(t *testing.T) {
	tests := []struct {
		group, line string
		all         bool
		want        string
	}{
		{"placement", "password = s3cr3t", false, "password = ***"},
		{"placement", "password=s3cr3t", false, "password=***"},
		{"placement", "password:\ts3cr3t", false, "password:\t***"},
		{"placement", "password =", false, "password ="},
		{"DEFAULT", "transport_url = rabbit://nova:s3cr3t@ctl:5672/", false, "transport_url = rabbit://nova:***@ctl:5672/"},
		{"libvirt", "connection_uri = qemu+tcp://nova:s3cr3t@ctl/system", false, "connection_uri = qemu+tcp://nova:***@ctl/system"},
		{"keystone_authtoken", "#password = s3cr3t", false, "#password = ***"},
		{"database", "; connection = mysql://nova:s3cr3t@db/nova", false, "; connection = mysql://nova:***@db/nova"},
		{"keystone_authtoken", "password s3cr3t", false, "password ***"},
		{"placement", "    s3cr3t-continued", true, "    ***"},
		{"DEFAULT", "[keystone_authtoken]", false, "[keystone_authtoken]"},
		{"DEFAULT", "[keystone_authtoken", false, "[keystone_authtoken"},
		{"pci", `alias = {"name": "a"}`, false, `alias = {"name": "a"}`},
		{"DEFAULT", "password_length = 12", false, "password_length = 12"},
		{"libvirt", "inject_key = False", false, "inject_key = False"},
		// Comments: words are no secret; URL credentials and
		// commented-out secret options are.
		{"libvirt", "# token was valid when the key was rotated", false, "# token was valid when the key was rotated"},
		{"ephemeral_storage_encryption", "#key_size = 512", false, "#key_size = 512"},
		{"DEFAULT", "# see http://admin:s3cr3t@wiki/nova", false, "# see http://admin:***@wiki/nova"},
		{"cache", "#backend_argument = password:s3cr3t", false, "#backend_argument = password:***"},
	}
	for _, tt := range tests {
		if got := redactLine(tt.group, tt.line, tt.all); got != tt.want {
			t.Errorf("redactLine(%q, %q, %v) = %q, want %q", tt.group, tt.line, tt.all, got, tt.want)
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
