package novaconf

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// pyLineCount is the number of lines Python's readlines() gives
// (universal newlines).
func pyLineCount(data []byte) int {
	n := 0
	for rest := data; len(rest) > 0; n++ {
		_, rest, _ = splitLine(rest)
	}
	return n
}

// FuzzParse: Parse never panics; every Problem is about a line of the file
// and says what it is; values come in line order, with Python-valid text
// and their group as oslo.config normalises their section; only the file's
// Err (and, before a UTF-8 error, one parse error) is an error.
//
//	go test ./openstack/novaconf -run '^$' -fuzz '^FuzzParse$' -fuzztime 1m
//
// The seeds are testdata/fuzz/FuzzParse (one per oslo.config case, written
// by TestFuzzSeeds) and the oslo corpus itself.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(oracleDir, "*.conf"))
	for _, path := range files {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "/etc/nova/nova.conf"
		file, problems := Parse(name, data)
		lines := pyLineCount(data)
		errs := 0
		for _, p := range problems {
			if p.Source.File != name || p.Source.Line < 1 || p.Source.Line > lines {
				t.Fatalf("problem at %s, file has %d lines: %v", p.Source, lines, p)
			}
			if p.OsloLine < 0 || p.OsloLine > lines || (p.OsloLine != 0) != (p.Severity == SeverityError && p.Code != CodeInvalidUTF8) {
				t.Fatalf("oslo line %d: %v", p.OsloLine, p)
			}
			if p.Code == "" || p.Message == "" || (p.Severity != SeverityError && p.Severity != SeverityWarning) {
				t.Fatalf("incomplete problem %+v", p)
			}
			if len(p.Line) > maxProblemLine+len("…") || !utf8.ValidString(p.Line) {
				t.Fatalf("problem line %q", p.Line)
			}
			if p.Severity == SeverityError {
				errs++
			}
		}
		switch {
		case file.Err == nil && errs > 0:
			t.Fatalf("errors %v but no Err", problems)
		case file.Err != nil && (errs == 0 || errs > 2 || errs == 2 && file.Err.Code != CodeInvalidUTF8):
			t.Fatalf("Err %v with %d errors: %v", *file.Err, errs, problems)
		}
		last := 0
		for _, v := range file.Values {
			if v.Source.Line <= last || v.EndLine < v.Source.Line || v.EndLine > lines || v.Source.File != name {
				t.Fatalf("value at %s..%d after line %d (file of %d lines)", v.Source, v.EndLine, last, lines)
			}
			last = v.EndLine
			if v.Name == "" || v.Group != normalizeGroup(v.Section) || v.Section == "" {
				t.Fatalf("value %+v", v)
			}
			if !utf8.ValidString(v.Text) || strings.Contains(v.Text, "\r") {
				t.Fatalf("text %q", v.Text)
			}
		}
		if file.Err != nil && file.Err.Code != CodeInvalidUTF8 && last > file.Err.Source.Line && file.Err.Code != CodeNoSection {
			t.Fatalf("values after the error at %s", file.Err.Source)
		}
	})
}

// FuzzRedactURL: whatever the password, a URL in a value never shows
// it: in a secret option (transport_url, replaced whole) and in one that
// is not ([glance]api_servers, a list of URLs, and
// [libvirt]live_migration_uri), whose URLs keep their user and host.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"s3cr3t", "p@ss", "pa/ss", "p'a\"ss", "a,b", "x://y", "", "%40", "pa ss", "p\tw"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		if len(pw) < 3 || strings.ContainsAny(pw, "\n\r\x0b\x0c\x1c\x1d\x1e\u0085") || strings.Contains(pw, "*") || strings.Contains(":"+pw, "://") ||
			strings.TrimFunc(pw, pyIsSpace) != pw {
			return // lines end at these; "://" starts another URL; "*" is in "***"
		}
		visible := "transport_url = rabbit://nova:***@ctl1:5672,ctl2/mysql+pymysql@db/nova?charset=utf8' api_servers = https://glance:@g1:9292,https://g2:9292 live_migration_uri = qemu+ssh://nova@%s/system"
		for _, o := range []struct{ group, name, value string }{
			{"DEFAULT", "transport_url", "rabbit://nova:" + pw + "@ctl1:5672,nova:" + pw + "@ctl2:5672/"},
			{"DEFAULT", "transport_url", "'rabbit://nova:" + pw + "@ctl1:5672/'"},
			{"database", "connection", "mysql+pymysql://nova:" + pw + "@db/nova?charset=utf8"},
			{"glance", "api_servers", "https://glance:" + pw + "@g1:9292,https://g2:9292"},
			{"libvirt", "live_migration_uri", "qemu+ssh://nova:" + pw + "@%s/system"},
		} {
			if got := Redact(o.group, o.name, o.value); strings.Contains(got, pw) && !strings.Contains(visible, pw) {
				t.Fatalf("Redact(%q) = %q shows the password", o.value, got)
			}
			if got := redactLine(o.group, o.name+" = "+o.value, false); strings.Contains(strings.TrimPrefix(got, o.name+" = "), pw) && !strings.Contains(visible, pw) {
				t.Fatalf("redactLine(%q) = %q shows the password", o.value, got)
			}
			if !HoldsSecret(o.group, o.name, o.value) || !HoldsSecret(o.group, o.name, Redact(o.group, o.name, o.value)) {
				t.Fatalf("HoldsSecret(%q) is false, before or after redaction", o.value)
			}
		}
	})
}

// TestFuzzSeeds keeps testdata/fuzz/FuzzParse in step with the oslo
// corpus: one seed per case file, plus the inputs that found bugs.
// GPUPASS_UPDATE_FUZZ=1 rewrites it.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	files, _ := filepath.Glob(filepath.Join(oracleDir, "*.conf"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seed := filepath.Join(dir, "oslo-"+strings.TrimSuffix(filepath.Base(path), ".conf"))
		want := []byte("go test fuzz v1\n[]byte(" + quoteGo(data) + ")\n")
		got, err := os.ReadFile(seed)
		if os.Getenv("GPUPASS_UPDATE_FUZZ") == "1" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(seed, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or stale: GPUPASS_UPDATE_FUZZ=1 go test ./openstack/novaconf -run TestFuzzSeeds", seed)
		}
	}
}

// quoteGo quotes bytes as the fuzzing engine writes a []byte.
func quoteGo(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			sb.WriteString(`\x`)
			sb.WriteByte("0123456789abcdef"[c>>4])
			sb.WriteByte("0123456789abcdef"[c&15])
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// FuzzSubstitute: oslo.config's "$" substitution (subst.go) on any file
// never panics and never runs away (the values are bounded, each option
// resolved once); a value oslo.config leaves alone is read as written;
// a substitution error is an error about the value's own line.
func FuzzSubstitute(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(oracleDir, "dollar-*.conf"))
	for _, path := range files {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("[pci]\nalias = $pci.device_spec$pci.device_spec$pci.device_spec\ndevice_spec = $libvirt.virt_type$libvirt.virt_type\n[libvirt]\nvirt_type = ${filter_scheduler.enabled_filters}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "/etc/nova/nova.conf"
		r := ReaderFuncs{
			File: func(p string) ([]byte, error) { return data, nil },
			Dir:  func(p string) ([]fs.DirEntry, error) { return nil, fs.ErrNotExist },
		}
		cfg, problems := Load(r, []string{name}, nil)
		for _, p := range problems {
			if p.Code != CodeSubstitutionErr {
				continue
			}
			if p.Severity != SeverityError || p.Option == "" || p.Source.File != name || p.Source.Line < 1 || !strings.Contains(p.Message, "(") {
				t.Fatalf("substitution problem %+v", p)
			}
		}
		for _, opt := range Options {
			for _, v := range cfg.Lookup(opt) {
				if !acts(v.Raw) && v.Text != v.Raw {
					t.Fatalf("%s: %q has nothing to substitute, read as %q", opt, v.Raw, v.Text)
				}
				if len(v.Text) > maxSubstituted+len(v.Raw) {
					t.Fatalf("%s: substituted value of %d bytes", opt, len(v.Text))
				}
			}
		}
	})
}
