package novaconf

import (
	"strings"
	"testing"
)

func TestRedactFile(t *testing.T) {
	in := "[DEFAULT]\n" +
		"transport_url = rabbit://nova:Rabbit-Pw1@ctl1:5672,nova:Rabbit-Pw2@ctl2:5672/\n" +
		"debug = true\rpassword = LoneCR-Pw\n" + // a lone CR ends a line for oslo.config
		"[keystone_authtoken]\n" +
		"password = Keystone-Pw\n" +
		"memcache_secret_key =\n" +
		"# password = Commented-Pw\n" +
		"[database]\n" +
		"connection = mysql+pymysql://nova:Db-Pw@db/nova\r\n" +
		"[key_manager]\n" +
		"fixed_key =\n" +
		"  Continued-Pw1\n" +
		"  Continued-Pw2\n" +
		"[pci]\n" +
		"alias = {\"name\": \"a100\", \"vendor_id\": \"10de\", \"product_id\": \"20b5\"}\n"
	out, changed := RedactFile([]byte(in))
	got := string(out)
	for _, secret := range []string{"Rabbit-Pw", "LoneCR-Pw", "Keystone-Pw", "Commented-Pw", "Db-Pw", "Continued-Pw"} {
		if strings.Contains(got, secret) {
			t.Errorf("RedactFile left %q in:\n%s", secret, got)
		}
	}
	for _, kept := range []string{"rabbit://nova:***@ctl1:5672,nova:***@ctl2:5672/", "password = ***\n", "memcache_secret_key =\n",
		"mysql+pymysql://nova:***@db/nova\r\n", "fixed_key =\n  ***\n  ***\n", "debug = true\rpassword = ***\n",
		`alias = {"name": "a100", "vendor_id": "10de", "product_id": "20b5"}`} {
		if !strings.Contains(got, kept) {
			t.Errorf("RedactFile output lacks %q:\n%s", kept, got)
		}
	}
	if want := []int{2, 4, 6, 8, 10, 13, 14}; !equalInts(changed, want) {
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
// no secret-named option with a value but "***".
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
			if !isSecretName(v.Name) {
				continue
			}
			for _, l := range strings.Split(v.Text, "\n") {
				if l != "" && l != Redacted {
					t.Fatalf("secret %s kept %q in %q", v.Name, l, out)
				}
			}
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
		name, value string
		want        bool
	}{
		{"password", "hunter2", true},
		{"password", "***", true}, // already redacted: still a secret
		{"password", "", false},
		{"transport_url", "rabbit://nova:pw@ctl:5672/", true},
		{"transport_url", "rabbit://nova:***@ctl:5672/", true},
		{"transport_url", "rabbit://ctl:5672/", false},
		{"virt_type", "kvm", false},
		{"alias", `{"name": "***"}`, false},
	} {
		if got := HoldsSecret(c.name, c.value); got != c.want {
			t.Errorf("HoldsSecret(%q, %q) = %v, want %v", c.name, c.value, got, c.want)
		}
	}
}
