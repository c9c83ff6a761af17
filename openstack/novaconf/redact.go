package novaconf

import (
	"strings"

	"github.com/gpupass/gpupass/internal/redact"
)

// Redacted is what a secret is replaced with.
const Redacted = redact.Mask

// Redact returns a value safe to print. The value of a secret option (see
// IsSecret: password, fixed_key, ...) is replaced whole;
// [cache]backend_argument keeps its argument's name ("redis_password:***"),
// and the URL options (transport_url, [database]connection) keep their
// URL with its credentials hidden ("rabbit://nova:***@ctl"; a sqlite path
// holds none). In any other value the passwords of URLs are hidden too
// (qemu+ssh://user:***@host, several hosts, a password holding "@" or a
// blank), and URL query parameters that carry a credential, so the host
// stays visible. An empty value stays empty.
func Redact(group, name, value string) string {
	if value == "" {
		return ""
	}
	if IsSecret(group, name) {
		return maskValue(group, name, value)
	}
	return redact.URLs(value)
}

// urlOptions are the secret options whose value is a URL, the secret in
// it its credentials: oslo.messaging's transport URLs and oslo.db's
// connection strings (and nova's copies for [api_database]).
var urlOptions = map[string]bool{
	"transport_url": true, "notification_transport_url": true,
	"connection": true, "slave_connection": true, "sql_connection": true,
}

// maskValue is a secret option's value as shown: Redacted, a URL option's
// URL with its credentials hidden, or "<argname>:***" for a
// backend_argument entry.
func maskValue(group, name, value string) string {
	if urlOptions[name] && strings.Contains(value, "://") {
		return redact.URLs(value)
	}
	if (Name{normalizeGroup(group), name}) == backendArgument {
		if arg, _, ok := strings.Cut(value, ":"); ok && !strings.ContainsAny(arg, "\n") {
			return arg + ":" + Redacted
		}
	}
	return Redacted
}

// HoldsSecret reports whether a value is, or holds, a credential: the
// value of a secret option (IsSecret), or a URL with a password or a
// credential query parameter. A URL option (transport_url, connection)
// holds one when its URL does. A [cache]backend_argument entry holds one
// when its argument names a credential (password:, redis_password:) or
// its value is a URL with a password: oslo.cache declares every entry
// secret, but "memcached_expire_time:300" is not a password. A value
// already redacted ("***", "rabbit://nova:***@ctl") still holds one, so a
// snapshot's redacted nova.conf is judged as the host's.
func HoldsSecret(group, name, value string) bool {
	if value == "" {
		return false
	}
	if (Name{normalizeGroup(group), name}) == backendArgument {
		arg, v, ok := strings.Cut(value, ":")
		return ok && v != "" && redact.CredentialName(arg) || redact.HasURLCredential(value)
	}
	if urlOptions[name] && strings.Contains(value, "://") {
		return redact.HasURLCredential(value)
	}
	return IsSecret(group, name) || redact.HasURLCredential(value)
}

// redactLine returns a line of a file safe to print and clipped (see
// redactWhole). Redaction comes before clipping, so that a clipped URL
// cannot show half a password.
func redactLine(group, line string, all bool) string {
	return clip(redactWhole(group, line, all), maxProblemLine)
}

// redactWhole returns one line of a file, read in group, with its secrets
// hidden: the value of a secret option, the value of a commented-out
// secret option ("#password = x" of an option Nova declares secret), and
// URL credentials anywhere; all (a line that may continue a secret)
// replaces everything but the indentation.
func redactWhole(group, line string, all bool) string {
	out, _ := redactLineOf(group, line, all)
	return out
}

// redactLineOf is redactWhole, also saying whether the line starts a
// secret's value (an assignment of a secret option, so that the lines
// continuing it are the secret's too).
func redactLineOf(group, line string, all bool) (string, bool) {
	trimmed := strings.TrimLeftFunc(line, pyIsSpace)
	switch {
	case trimmed == "":
		return line, false
	case all:
		return line[:len(line)-len(trimmed)] + Redacted, false
	case trimmed[0] == '#' || trimmed[0] == ';':
		return redactComment(group, line), false
	case trimmed[0] == '[':
		return redact.URLs(line), false
	}
	if i := strings.IndexAny(line, "=:"); i > 0 {
		key := strings.TrimFunc(line[:i], pyIsSpace)
		if !IsSecret(group, key) {
			return redact.URLs(line), false
		}
		rest := line[i+1:]
		value := strings.TrimLeftFunc(rest, pyIsSpace)
		if value != "" {
			value = maskValue(group, key, strings.TrimRightFunc(value, pyIsSpace))
		}
		return line[:i+1] + rest[:len(rest)-len(strings.TrimLeftFunc(rest, pyIsSpace))] + value, true
	}
	if w := firstWord(line); IsSecret(group, w) {
		// "password hunter2": no delimiter, but a secret all the same.
		j := strings.Index(line, w) + len(w)
		if strings.TrimFunc(line[j:], pyIsSpace) == "" {
			return line, true
		}
		return line[:j] + " " + Redacted, true
	}
	return redact.URLs(line), false
}

// redactComment hides what a comment holds: the value of a commented-out
// option Nova declares secret ("#password = x", "# transport_url = ..."
// under its group), URL credentials anywhere else. Words alone ("# token
// was valid when...", "#key_size = 512") are no secret.
func redactComment(group, line string) string {
	body := strings.TrimLeft(line, "#; \t")
	prefix := line[:len(line)-len(body)]
	if i := strings.IndexAny(body, "=:"); i > 0 {
		key := strings.TrimFunc(body[:i], pyIsSpace)
		if isOptionName(key) && declaredSecret(group, key) {
			rest := body[i+1:]
			value := strings.TrimLeftFunc(rest, pyIsSpace)
			if strings.TrimFunc(value, pyIsSpace) == "" {
				return line
			}
			return prefix + body[:i+1] + rest[:len(rest)-len(value)] + maskValue(group, key, value)
		}
	}
	return redact.URLs(line)
}

// isOptionName reports whether s can be an option's name.
func isOptionName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// RedactFile returns a nova.conf file with its secrets hidden, line for
// line, so that every option keeps its file:line: the value of a secret
// option (see IsSecret; read in the section it is in) and each of its
// continuation lines becomes "***", URL credentials are hidden in every
// other value and comment, and a commented-out secret option's value too
// (see redactComment). What follows a secret's line after a lone carriage
// return (a new line for oslo.config, most likely the rest of the
// password) is hidden as well. An empty value stays empty. It also
// returns the 1-based numbers of the lines it changed.
func RedactFile(data []byte) ([]byte, []int) {
	var changed []int
	var b strings.Builder
	b.Grow(len(data))
	group := ""
	secretValue := false // the lines being continued are a secret's
	afterCR := false     // the last line was a secret's and ended in a lone CR
	// Lines end as oslo.config ends them (Python's universal newlines).
	for n, rest := 1, data; len(rest) > 0; n++ {
		raw, next, lone := splitLine(rest)
		eol := rest[len(raw) : len(rest)-len(next)]
		rest = next
		line := string(raw)
		trimmed := strings.TrimLeftFunc(line, pyIsSpace)
		out, secretLine := line, false
		switch {
		case trimmed == "":
		case afterCR && trimmed[0] != '[':
			// The rest of the secret, which a lone CR put on a line of
			// its own: an assignment keeps its key, anything else goes.
			if i := strings.IndexAny(line, "=:"); i > 0 && isOptionName(strings.TrimFunc(line[:i], pyIsSpace)) {
				rest := line[i+1:]
				value := strings.TrimLeftFunc(rest, pyIsSpace)
				out = line[:i+1] + rest[:len(rest)-len(value)]
				if value != "" {
					out += Redacted
				}
			} else {
				out = redactWhole(group, line, true)
			}
			secretLine = true
		case trimmed != line && secretValue:
			// An indented line continues the value before it; a
			// secret's continuation is a secret.
			out, secretLine = redactWhole(group, line, true), true
		case trimmed != line:
			out = redact.URLs(line)
		case trimmed[0] == '#' || trimmed[0] == ';':
			out = redactComment(group, line)
		case trimmed[0] == '[':
			out = redact.URLs(line)
			secretValue = false
			if header := strings.TrimRightFunc(line, pyIsSpace); len(header) > 2 && header[len(header)-1] == ']' {
				group = normalizeGroup(header[1 : len(header)-1])
			}
		default:
			out, secretValue = redactLineOf(group, line, false)
			secretLine = secretValue
		}
		afterCR = lone && secretLine
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
