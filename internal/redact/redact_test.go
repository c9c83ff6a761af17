package redact

import (
	"strings"
	"testing"
)

func TestURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"rabbit://nova:s3cr3t@ctl1:5672/", "rabbit://nova:***@ctl1:5672/"},
		{"rabbit://nova:s1@ctl1:5672,nova:s2@ctl2:5672,nova:s3@ctl3:5672/nova?ssl=1",
			"rabbit://nova:***@ctl1:5672,nova:***@ctl2:5672,nova:***@ctl3:5672/nova?ssl=1"},
		{"rabbit://nova:p@ss/w#rd@ctl1:5672/", "rabbit://nova:***@ctl1:5672/"},
		{"rabbit://nova:p@ss,w@ctl1:5672/", "rabbit://nova:***@ctl1:5672/"},
		{"rabbit://nova:a@h1,nova@h2:5672/", "rabbit://nova:***@h2:5672/"},
		{"qemu+ssh://nova@host/p@th", "qemu+ssh://nova@***@th"},
		// A password with a blank or a tab: the URL runs to the end of the line.
		{"rabbit://nova:pa ss@ctl/", "rabbit://nova:***@ctl/"},
		{"rabbit://nova:pa\tss@ctl/\nnext line@x", "rabbit://nova:***@ctl/\nnext line@x"},
		{"mysql+pymysql://nova:s3cr3t@db/nova?charset=utf8", "mysql+pymysql://nova:***@db/nova?charset=utf8"},
		{"mysql+pymysql://nova@db/nova?password=s3cr3t&charset=utf8", "mysql+pymysql://nova@db/nova?password=***&charset=utf8"},
		{"https://h/x?api_key=k1;token=t2#frag", "https://h/x?api_key=***;token=***#frag"},
		{"url:redis://:s3cr3t@127.0.0.1:6379", "url:redis://:***@127.0.0.1:6379"},
		// Not credentials: a user alone, an empty password, no userinfo.
		{"qemu+ssh://nova_migration@%s:2022/system?keyfile=/etc/nova/migration/identity",
			"qemu+ssh://nova_migration@%s:2022/system?keyfile=/etc/nova/migration/identity"},
		{"rabbit://nova:@ctl/", "rabbit://nova:@ctl/"},
		{"rabbit://", "rabbit://"},
		{"https://overcloud.example.com:13080/vnc_auto.html", "https://overcloud.example.com:13080/vnc_auto.html"},
		{"no url here: a@b", "no url here: a@b"},
		// Two URLs on a line: each ends where the next starts.
		{"http://a:p1@h1,http://b:p2@h2", "http://a:***@h1,http://b:***@h2"},
		// Quoted, in JSON: the URL ends at its closing quote.
		{`{"url": "http://u:p@h/x", "port": 80}`, `{"url": "http://u:***@h/x", "port": 80}`},
		{`'http://u:it's@h'`, `'http://u:***@h'`},
		{`'http://u:it' s@h'`, `'http://u:***@h'`},
		// An "@" after the closing quote may end the password: hidden.
		{`{"url": "http://u:p@h/x", "mail": "me@example.org"}`, `{"url": "http://u:***@h/x", "mail":***@example.org"}`},
		// Comments: the credentials of a URL in prose.
		{"# mirror at http://admin:pw@mirror/ (ask ops)", "# mirror at http://admin:***@mirror/ (ask ops)"},
	}
	for _, tt := range tests {
		if got := URLs(tt.in); got != tt.want {
			t.Errorf("URLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := URLs(tt.want); got != tt.want {
			t.Errorf("URLs is not idempotent on %q: %q", tt.want, got)
		}
	}
}

func TestHasURLCredential(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"rabbit://nova:pw@ctl:5672/", true},
		{"rabbit://nova:***@ctl:5672/", true}, // already redacted: still a credential
		{"mysql://nova@db/nova?password=***", true},
		{"rabbit://ctl:5672/", false},
		{"qemu+ssh://nova@%s/system", false},
		{"rabbit://nova:@ctl/", false},
		{"kvm", false},
	} {
		if got := HasURLCredential(c.in); got != c.want {
			t.Errorf("HasURLCredential(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestCredentialName(t *testing.T) {
	for name, want := range map[string]bool{
		"rd.iscsi.password": true, "rd.iscsi.in.password": true, "inst.vncpassword": true, "cifspass": true,
		"password": true, "client-secret": true, "auth_token": true, "pwd": true, "passphrase": true,
		"iommu.passthrough": false, "secretmem.enable": false, "rd.luks.key": false, "intel_iommu": false,
		"vfio-pci.ids": false, "spec_store_bypass_disable": false, "key": false,
	} {
		if got := CredentialName(name); got != want {
			t.Errorf("CredentialName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCmdline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"BOOT_IMAGE=/vmlinuz root=UUID=x ro quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1e07,10de:10f7\n",
			"BOOT_IMAGE=/vmlinuz root=UUID=x ro quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1e07,10de:10f7\n"},
		{"ro inst.ks=http://admin:PW1@host/ks.cfg quiet", "ro inst.ks=http://admin:***@host/ks.cfg quiet"},
		{"ignition.config.url=https://u:PW2@ign/x.ign", "ignition.config.url=https://u:***@ign/x.ign"},
		{"rd.iscsi.password=PW3  rd.iscsi.username=u", "rd.iscsi.password=***  rd.iscsi.username=u"},
		{`inst.vncpassword="PW 4" x`, `inst.vncpassword="***" x`},
		{`"inst.stage2=http://u:PW 5@h/" ro`, `"inst.stage2=http://u:***@h/" ro`},
		{"netroot=iscsi:user:PW6@10.0.0.1::::iqn.2009-06.dracut:target0", "netroot=iscsi:user:***@10.0.0.1::::iqn.2009-06.dracut:target0"},
		{"root=iscsi:10.0.0.1::::iqn.2009-06.dracut:target0", "root=iscsi:10.0.0.1::::iqn.2009-06.dracut:target0"},
		{"ro -- init.password=PW7 http://u:PW8@h", "ro -- init.password=*** http://u:***@h"},
		{"password=", "password="},
		{"=password=x", "=password=x"}, // a word starting with "=" has no key
	}
	for _, tt := range tests {
		if got := Cmdline(tt.in); got != tt.want {
			t.Errorf("Cmdline(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Cmdline(tt.want); got != tt.want {
			t.Errorf("Cmdline is not idempotent on %q: %q", tt.want, got)
		}
	}
}

func TestModprobeLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"options vfio-pci ids=10de:1e07 disable_vga=1", "options vfio-pci ids=10de:1e07 disable_vga=1"},
		{"# mirror at http://admin:PW1@mirror/", "# mirror at http://admin:***@mirror/"},
		{"# the password of the BMC is in the wiki", "# the password of the BMC is in the wiki"},
		{"options foo password=PW2 debug=1", "options foo password=*** debug=1"},
		{"install foo /usr/bin/curl -s 'http://u:PW 3@h/x' | sh", "install foo /usr/bin/curl -s 'http://u:***@h/x' | sh"},
		{"softdep nvidia pre: vfio-pci", "softdep nvidia pre: vfio-pci"},
	}
	for _, tt := range tests {
		if got := ModprobeLine(tt.in); got != tt.want {
			t.Errorf("ModprobeLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestModprobe(t *testing.T) {
	in := "# mirror at http://admin:PW1@mirror/\n" +
		"options vfio-pci ids=10de:1e07\n" +
		"options foo debug=1 \\\n" +
		"  password=PW2 \\\n" +
		"  other=1\n" +
		"options bar a=1 \\\n" +
		"  b=2\n" +
		"blacklist nouveau"
	out, changed := Modprobe([]byte(in))
	want := "# mirror at http://admin:***@mirror/\n" +
		"options vfio-pci ids=10de:1e07\n" +
		"options foo debug=1   password=***   other=1\\\n" +
		"\\\n" +
		"\n" +
		"options bar a=1 \\\n" +
		"  b=2\n" +
		"blacklist nouveau"
	if string(out) != want {
		t.Errorf("Modprobe =\n%s\nwant\n%s", out, want)
	}
	if len(changed) != 4 || changed[0] != 1 || changed[1] != 3 || changed[3] != 5 {
		t.Errorf("changed = %v, want [1 3 4 5]", changed)
	}
	if again, more := Modprobe(out); string(again) != string(out) || more != nil {
		t.Errorf("Modprobe is not idempotent: %q, %v", again, more)
	}
}

func TestLines(t *testing.T) {
	in := "a\nhttp://u:PW@h\r\nc\nhttp://v:PW@h"
	out, changed := Lines([]byte(in), URLs)
	if want := "a\nhttp://u:***@h\r\nc\nhttp://v:***@h"; string(out) != want {
		t.Errorf("Lines = %q, want %q", out, want)
	}
	if len(changed) != 2 || changed[0] != 2 || changed[1] != 4 {
		t.Errorf("changed = %v, want [2 4]", changed)
	}
	same := []byte("nothing\nto hide\n")
	if out, changed := Lines(same, URLs); string(out) != string(same) || changed != nil {
		t.Errorf("Lines changed %q: %q %v", same, out, changed)
	}
}

func TestClip(t *testing.T) {
	if got := Clip("abcdef", 3); got != "abc…" {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip("abc", 3); got != "abc" {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip("aé", 2); got != "a…" { // never half a character
		t.Errorf("Clip = %q", got)
	}
}

// FuzzURLs: redaction is idempotent, and a password placed in a URL's
// userinfo never survives it.
func FuzzURLs(f *testing.F) {
	f.Add("prefix ", "nova", "s3cr3t", "ctl:5672/", " suffix")
	f.Add(`{"u": "`, "a", "p@ss w", `h"`, `}`)
	f.Add("", "", "x", "h1,u:y@h2", "")
	f.Fuzz(func(t *testing.T, before, user, password, after, tail string) {
		s := before + user + tail
		if got := URLs(URLs(s)); got != URLs(s) {
			t.Fatalf("not idempotent on %q: %q then %q", s, URLs(s), got)
		}
		if len(password) < 4 || strings.ContainsAny(password, "\r\n\"'") || strings.Contains(":"+password+"@", "://") ||
			strings.ContainsAny(user, ":@/\r\n\"'") || strings.Contains(before, "://") || strings.ContainsAny(after, "\r\n") ||
			strings.Contains(after, "://") || strings.Contains(password, Mask) {
			return
		}
		u := before + "https://" + user + ":" + password + "@" + after
		got := URLs(u)
		if strings.Contains(got, password) && !strings.Contains(before+"https://"+user+":"+Mask+"@"+after, password) {
			t.Fatalf("URLs(%q) = %q keeps the password %q", u, got, password)
		}
		if URLs(got) != got {
			t.Fatalf("not idempotent on %q", got)
		}
	})
}

// FuzzCmdline: idempotent, text without values unchanged, and a
// credential parameter's value never survives.
func FuzzCmdline(f *testing.F) {
	f.Add("ro quiet", "rd.iscsi.password", "PW", " intel_iommu=on")
	f.Add(`"a b"`, "inst.vncpassword", `"x y"`, "")
	f.Fuzz(func(t *testing.T, before, key, value, after string) {
		s := before + " " + key + "=" + value + " " + after
		got := Cmdline(s)
		if Cmdline(got) != got {
			t.Fatalf("not idempotent on %q: %q", s, got)
		}
		if plain := before + after; !strings.ContainsAny(plain, "=:") && Cmdline(plain) != plain {
			t.Fatalf("Cmdline changed %q, which holds no parameter value: %q", plain, Cmdline(plain))
		}
		if !CredentialName(key) || len(value) < 4 || strings.ContainsAny(key+value, "\"= \t\n\v\f\r") || strings.IndexByte(key+value, 0xa0) >= 0 ||
			strings.ContainsAny(before, "\"") || strings.Contains(before+key+after, value) || strings.Contains(value, Mask) ||
			strings.HasSuffix(before, "=") {
			return
		}
		if strings.Contains(got, value) {
			t.Fatalf("Cmdline(%q) = %q keeps %q", s, got, value)
		}
	})
}

// FuzzModprobe: the lines stay where they were (kmod's line numbers
// name the same directives) and redacting twice changes nothing more.
func FuzzModprobe(f *testing.F) {
	f.Add([]byte("options foo password=x \\\n  y=1\n# http://u:p@h\n"))
	f.Add([]byte("install a curl 'http://u:p w@h' \\\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _ := Modprobe(data)
		if a, b := strings.Count(string(data), "\n"), strings.Count(string(out), "\n"); a != b {
			t.Fatalf("%d lines became %d: %q", a, b, out)
		}
		if again, _ := Modprobe(out); string(again) != string(out) {
			t.Fatalf("not idempotent: %q then %q", out, again)
		}
	})
}
