package novaconf

import (
	"regexp"
	"strings"
)

// Redacted is what a secret is replaced with.
const Redacted = "***"

// secretWords are the words (between "_", "-" or ".") of an option name
// that make its value a secret: nova.conf holds service passwords
// ([keystone_authtoken]password, [placement]password, [neutron]password,
// metadata_proxy_shared_secret, [key_manager]fixed_key, ...).
var secretWords = map[string]bool{"key": true, "pass": true, "pwd": true}

// secretParts make a word secret wherever they appear in it
// ("adminpassword", "secretkey", "auth_token").
var secretParts = []string{"password", "passwd", "passphrase", "secret", "token", "credential"}

// isSecretName reports whether an option name says its value is a secret.
// Word-based, so "alias" or "keymap" are not secrets while "api_key" is;
// a few names such as "ssl_key_file" (a path) are redacted for nothing,
// which is the safe side.
func isSecretName(name string) bool {
	name = strings.ToLower(name)
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }) {
		if secretWords[w] {
			return true
		}
		for _, p := range secretParts {
			if strings.Contains(w, p) {
				return true
			}
		}
	}
	return false
}

// Redact returns a value safe to print. A value of an option whose name
// says it is a secret (*password*, *secret*, *token*, *key*, ...) is
// replaced whole; in any other value the credentials of URLs
// (transport_url = rabbit://nova:PASS@host, [database]connection =
// mysql+pymysql://nova:PASS@db/nova, several hosts, a password holding
// "@") and secret-named query parameters are replaced, so the host stays
// visible. An empty value stays empty.
func Redact(name, value string) string {
	if value == "" {
		return ""
	}
	if isSecretName(name) {
		return Redacted
	}
	return redactText(value)
}

// HoldsSecret reports whether a value is, or holds, a secret: one Redact
// hides. A value already redacted ("***", "rabbit://nova:***@ctl") still
// holds one, so a snapshot's redacted nova.conf is judged as the host's.
func HoldsSecret(name, value string) bool {
	if value == "" {
		return false
	}
	if isSecretName(name) {
		return true
	}
	return redactText(value) != value || redactText(strings.ReplaceAll(value, Redacted, "x")) != strings.ReplaceAll(value, Redacted, "x")
}

// secretParam matches "password=..." and the like inside a URL's query or
// a "k1=v1&k2=v2" value.
var secretParam = regexp.MustCompile(`(?i)([a-z0-9_]*(?:password|passwd|secret|token|api_key)[a-z0-9_]*=)([^&\s"',;]*)`)

// redactText hides URL credentials and secret parameters anywhere in a
// text.
func redactText(s string) string {
	if strings.Contains(s, "://") {
		s = redactURLs(s)
	}
	if secretParam.MatchString(s) {
		s = secretParam.ReplaceAllString(s, "${1}"+Redacted)
	}
	return s
}

// redactURLs replaces the userinfo of every "scheme://user:pass@host" in
// s with "user:***". The credentials end at the last "@" before the end
// of the URL (a blank, or the last quote of the kind before the scheme),
// so a password holding "@", "/" or a quote stays hidden; in "u1:p1@h1,u2:p2@h2"
// (oslo.messaging's several hosts) each user keeps its name. (A password
// holding both "@" and, after it, "," is mistaken for a second host and
// shows its middle part; URLs should percent-encode both.)
func redactURLs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		// The URL ends at a blank, or at the last quote before it of the
		// kind that opened it (JSON, a quoted value): a quote inside a
		// password does not end it.
		start := i
		for start > 0 && isSchemeChar(s[start-1]) {
			start--
		}
		var quote byte
		if start > 0 && (s[start-1] == '"' || s[start-1] == '\'') {
			quote = s[start-1]
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
		end := strings.IndexAny(s, " \t\n\r")
		if end < 0 {
			end = len(s)
		}
		if quote != 0 {
			if q := strings.LastIndexByte(s[:end], quote); q >= 0 {
				end = q
			}
		}
		at := strings.LastIndexByte(s[:end], '@')
		if at < 0 {
			continue
		}
		parts := strings.Split(s[:at], "@")
		b.WriteString(redactUserinfo(parts[0]))
		for _, p := range parts[1:] {
			b.WriteByte('@')
			if j := strings.IndexByte(p, ','); j >= 0 {
				// "host:port,user:pass": the next host's credentials (a
				// host name has no comma; a password may).
				b.WriteString(p[:j+1])
				b.WriteString(redactUserinfo(p[j+1:]))
			} else {
				// An "@" inside a password.
				b.WriteString(Redacted)
			}
		}
		s = s[at:]
	}
}

func isSchemeChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func redactUserinfo(u string) string {
	if u == "" {
		return ""
	}
	if i := strings.IndexByte(u, ':'); i >= 0 {
		return u[:i+1] + Redacted
	}
	// A user name alone, or a token in its place: hide it too.
	return Redacted
}

// redactLine returns a line of a file safe to print and clipped: the
// value of a secret-named key is replaced, URL credentials anywhere are
// hidden; all (a continuation line of a secret) replaces everything but
// the indentation. Redaction comes before clipping, so that a clipped URL
// cannot show half a password.
func redactLine(line string, all bool) string {
	return clip(redactWhole(line, all), maxProblemLine)
}

// redactWhole is redactLine without the clipping.
func redactWhole(line string, all bool) string {
	if all {
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" {
			return line
		}
		return line[:len(line)-len(trimmed)] + Redacted
	}
	trimmed := strings.TrimLeftFunc(line, pyIsSpace)
	if trimmed != "" && (trimmed[0] == '#' || trimmed[0] == ';') {
		// A commented-out "password = ..." is a secret all the same.
		n := len(line) - len(trimmed) + 1
		return line[:n] + redactWhole(line[n:], false)
	}
	if trimmed != "" && trimmed[0] == '[' {
		return redactText(line)
	}
	if i := strings.IndexAny(line, "=:"); i > 0 {
		key := strings.TrimFunc(line[:i], pyIsSpace)
		if isSecretName(key) {
			rest := line[i+1:]
			value := strings.TrimLeftFunc(rest, pyIsSpace)
			if value != "" {
				return line[:i+1] + rest[:len(rest)-len(value)] + Redacted
			}
			return line
		}
	} else if isSecretName(firstWord(line)) {
		// "password hunter2": no delimiter, but a secret all the same.
		w := firstWord(line)
		j := strings.Index(line, w) + len(w)
		return line[:j] + " " + Redacted
	}
	return redactText(line)
}

// RedactFile returns a nova.conf file with its secrets replaced, line for
// line, so that every option keeps its file:line: the value of a
// secret-named option (*password*, *secret*, *token*, *key*, ...) and each
// of its continuation lines becomes "***", URL credentials and secret
// query parameters anywhere else are hidden (see Redact), commented-out
// secrets too. An empty value stays empty. It also returns the 1-based
// numbers of the lines it changed.
func RedactFile(data []byte) ([]byte, []int) {
	var changed []int
	var b strings.Builder
	b.Grow(len(data))
	secretValue := false // the lines being continued are a secret's
	// Lines end as oslo.config ends them (Python's universal newlines):
	// a lone "\r" too, or a password after one would pass for the same
	// line's text.
	for n, rest := 1, data; len(rest) > 0; n++ {
		raw, next, _ := splitLine(rest)
		eol := rest[len(raw) : len(rest)-len(next)]
		rest = next
		line := string(raw)
		trimmed := strings.TrimLeftFunc(line, pyIsSpace)
		var out string
		switch {
		case trimmed == "":
			out = line
		case trimmed != line && secretValue:
			// An indented line continues the value before it; a
			// secret's continuation is a secret.
			out = redactWhole(line, true)
		case trimmed != line:
			out = redactWhole(line, false)
		default:
			out = redactWhole(line, false)
			if trimmed[0] != '#' && trimmed[0] != ';' {
				secretValue = false
				if trimmed[0] != '[' {
					key := firstWord(line)
					if i := strings.IndexAny(line, "=:"); i > 0 {
						key = strings.TrimFunc(line[:i], pyIsSpace)
					}
					secretValue = isSecretName(key)
				}
			}
		}
		if out != line {
			changed = append(changed, n)
		}
		b.WriteString(out)
		b.Write(eol)
	}
	return []byte(b.String()), changed
}

func firstWord(s string) string {
	f := strings.FieldsFunc(s, pyIsSpace)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
