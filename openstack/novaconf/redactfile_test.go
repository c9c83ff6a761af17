package novaconf

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedactFile(t *testing.T) {
	in := "[DEFAULT]\n" +
		"transport_url = rabbit://nova:Rabbit-Pw1@ctl1:5672,nova:Rabbit-Pw2@ctl2:5672/\n" +
		"debug = true\rpassword = LoneCR-Pw\n" + // a lone CR ends a line for oslo.config
		"password_length = 12\n" +
		"[keystone_authtoken]\n" +
		"password = Keystone-Pw\n" +
		"memcache_secret_key =\n" +
		"# password = Commented-Pw\n" +
		"# token was valid when the key was rotated\n" +
		"[database]\n" +
		"connection = mysql+pymysql://nova:Db-Pw@db/nova\r\n" +
		"[key_manager]\n" +
		"fixed_key =\n" +
		"  Continued-Pw1\n" +
		"  Continued-Pw2\n" +
		"[cache]\n" +
		"backend_argument = password:Cache-Pw1\n" +
		"backend_argument = redis_password:Cache-Pw2\n" +
		"backend_argument = memcached_expire_time:300\n" +
		"[libvirt]\n" +
		"inject_password = False\n" +
		"rbd_secret_uuid = 4b5c8c0a-ff60-454b-a1b4-9747aa737d19\n" +
		"live_migration_uri = qemu+ssh://nova_migration@%s/system\n" +
		"connection_uri = qemu+tcp://nova:Url Pw\tTab@ctl/system\n" +
		"[placement]\n" +
		"password = CR-Head\rCR-Tail\n" + // the rest of a password after a lone CR
		"[ephemeral_storage_encryption]\n" +
		"#key_size = 512\n" +
		"[pci]\n" +
		"alias = {\"name\": \"a100\", \"vendor_id\": \"10de\", \"product_id\": \"20b5\"}\n"
	out, changed := RedactFile([]byte(in))
	got := string(out)
	for _, secret := range []string{"Rabbit-Pw", "LoneCR-Pw", "Keystone-Pw", "Commented-Pw", "Db-Pw", "Continued-Pw", "Cache-Pw",
		"Url Pw", "Tab", "CR-Head", "CR-Tail"} {
		if strings.Contains(got, secret) {
			t.Errorf("RedactFile left %q in:\n%s", secret, got)
		}
	}
	for _, kept := range []string{"transport_url = rabbit://nova:***@ctl1:5672,nova:***@ctl2:5672/\n", "password = ***\n", "memcache_secret_key =\n", "password_length = 12\n",
		"connection = mysql+pymysql://nova:***@db/nova\r\n", "fixed_key =\n  ***\n  ***\n", "debug = true\rpassword = ***\n",
		"# token was valid when the key was rotated\n", "#key_size = 512\n", "# password = ***\n",
		"backend_argument = password:***\n", "backend_argument = redis_password:***\n", "backend_argument = memcached_expire_time:***\n",
		"inject_password = False\n", "rbd_secret_uuid = 4b5c8c0a-ff60-454b-a1b4-9747aa737d19\n",
		"live_migration_uri = qemu+ssh://nova_migration@%s/system\n", "connection_uri = qemu+tcp://nova:***@ctl/system\n",
		"password = ***\r***\n",
		`alias = {"name": "a100", "vendor_id": "10de", "product_id": "20b5"}`} {
		if !strings.Contains(got, kept) {
			t.Errorf("RedactFile output lacks %q:\n%s", kept, got)
		}
	}
	if want := []int{2, 4, 7, 9, 12, 15, 16, 18, 19, 20, 25, 27, 28}; !equalInts(changed, want) {
		t.Errorf("changed lines = %v, want %v", changed, want)
	}
	// Every option keeps its name, group and lines.
	before, _ := Parse("nova.conf", []byte(in))
	after, _ := Parse("nova.conf", out)
	if len(before.Values) != len(after.Values) {
		t.Fatalf("%d values before, %d after", len(before.Values), len(after.Values))
	}
	for i, v := range before.Values {
		w := after.Values[i]
		if v.Group != w.Group || v.Name != w.Name || v.Source != w.Source || v.EndLine != w.EndLine {
			t.Errorf("value %d: %s %s %v-%d became %s %s %v-%d", i, v.Group, v.Name, v.Source, v.EndLine, w.Group, w.Name, w.Source, w.EndLine)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzRedactFile: whatever the file, redaction keeps its lines and leaves
// no secret option with a value but "***" (or backend_argument's
// "<argname>:***", or a URL option's URL without credentials), and
// redacting twice changes nothing more.
func FuzzRedactFile(f *testing.F) {
	f.Add([]byte("[DEFAULT]\npassword = x\n  y\n"))
	f.Add([]byte("[a]\rtoken: t\r\n\tmore\n"))
	f.Add([]byte("transport_url = rabbit://u:p@h/\n# secret = s\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _ := RedactFile(data)
		if a, b := countLines(data), countLines(out); a != b {
			t.Fatalf("%d lines became %d", a, b)
		}
		file, _ := Parse("f.conf", out)
		for _, v := range file.Values {
			if !IsSecret(v.Group, v.Name) {
				continue
			}
			if urlOptions[v.Name] && strings.Contains(v.Text, "://") {
				if r := Redact(v.Group, v.Name, v.Text); r != v.Text {
					t.Fatalf("URL option %s kept a credential: %q, redacted %q", v.Name, v.Text, r)
				}
				continue
			}
			for _, l := range strings.Split(v.Text, "\n") {
				if l != "" && l != Redacted && !(v.Group == "cache" && v.Name == "backend_argument" && strings.HasSuffix(l, ":"+Redacted)) {
					t.Fatalf("secret %s kept %q in %q", v.Name, l, out)
				}
			}
		}
		if again, lines := RedactFile(out); !bytes.Equal(again, out) {
			t.Fatalf("redacting %q again changed lines %v: %q", out, lines, again)
		}
	})
}

func countLines(data []byte) int {
	n := 0
	for rest := data; len(rest) > 0; n++ {
		_, rest, _ = splitLine(rest)
	}
	return n
}

func TestHoldsSecret(t *testing.T) {
	for _, c := range []struct {
		group, name, value string
		want               bool
	}{
		{"placement", "password", "hunter2", true},
		{"placement", "password", "***", true}, // already redacted: still a secret
		{"placement", "password", "", false},
		{"DEFAULT", "transport_url", "rabbit://nova:pw@ctl:5672/", true},
		{"DEFAULT", "transport_url", "***", true},
		{"DEFAULT", "transport_url", "rabbit://nova:***@ctl:5672/", true},
		{"DEFAULT", "transport_url", "rabbit://ctl:5672/", false},
		{"database", "connection", "sqlite:////var/lib/nova/novadb", false},
		{"libvirt", "connection_uri", "qemu+tcp://nova:***@ctl/system", true},
		{"libvirt", "live_migration_uri", "qemu+ssh://nova_migration@%s:2022/system", false}, // a user, no password
		{"libvirt", "virt_type", "kvm", false},
		{"pci", "alias", `{"name": "***"}`, false},
		{"DEFAULT", "password_length", "12", false},
		{"libvirt", "inject_password", "False", false},
		{"libvirt", "inject_key", "False", false},
		{"service_user", "send_service_user_token", "true", false},
		{"libvirt", "rbd_secret_uuid", "4b5c8c0a-ff60-454b-a1b4-9747aa737d19", false},
		{"cache", "backend_argument", "memcached_expire_time:300", false},
		{"cache", "backend_argument", "memcached_expire_time:***", false},
		{"cache", "backend_argument", "password:s3cr3t", true},
		{"cache", "backend_argument", "redis_password:***", true},
		{"cache", "backend_argument", "url:redis://:pw@127.0.0.1:6379", true},
		{"cache", "memcache_password", "pw", true},
		{"neutron", "application_credential_secret", "s", true},
	} {
		if got := HoldsSecret(c.group, c.name, c.value); got != c.want {
			t.Errorf("HoldsSecret(%q, %q, %q) = %v, want %v", c.group, c.name, c.value, got, c.want)
		}
	}
}
