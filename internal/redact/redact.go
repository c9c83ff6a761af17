// Package redact hides credentials in text by what they are, for every
// value and file gpupass records: the password of a URL's userinfo
// (rabbit://nova:PW@host, inst.ks=http://admin:PW@host/ks.cfg), a URL
// query parameter that carries a credential (mysql://nova@db/nova?password=PW),
// the value of a kernel or module parameter named for a password
// (rd.iscsi.password=PW, inst.vncpassword=PW) and dracut's iSCSI
// credentials (netroot=iscsi:user:PW@server::::iqn...).
//
// It knows no configuration format's options: which nova.conf options are
// secrets is openstack/novaconf's to say (by their oslo.config type), and
// it uses this package for the URLs inside values. hostinfo uses it for the
// kernel command line and modprobe.d directives it records, snapshot for
// the files it captures.
//
// Every function is idempotent (redacting redacted text changes nothing),
// so a report read from a snapshot equals the host's own, and keeps the
// user names, hosts and everything else in place: only the secret is
// replaced, by Mask.
package redact

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Mask is what a secret is replaced with.
const Mask = "***"

// URLs returns s with the credentials of every URL in it hidden: the
// password of each userinfo ("scheme://user:PW@host" becomes
// "scheme://user:***@host"; oslo.messaging's several hosts
// "user:PW1@h1,user:PW2@h2" each keep their user) and the value of query
// parameters that carry a credential (?password=, ?token=, ...).
//
// A URL runs to the end of s or of its line, or to where the next URL
// starts: a password may hold blanks ("rabbit://nova:pa ss@ctl"), "@" or
// "/", and the last "@" before the end ends the credentials. A URL that
// follows a quote (JSON, a quoted value) ends at the first closing quote
// of that kind followed by a blank, a delimiter or the end. A user name
// alone ("qemu+ssh://nova@%s/system") is no credential and stays; so does
// an empty password. Text after a URL on the same line that holds an "@"
// ("http://host:80/ mail me@example.org") is hidden too, as a quoted
// URL's closing quote is not its end when an "@" follows: the safe side.
func URLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
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
		end := urlEnd(s, quote)
		b.WriteString(redactURLBody(s[:end]))
		s = s[end:]
	}
}

// urlEnd returns where the URL whose text after "://" is s ends.
func urlEnd(s string, quote byte) int {
	end := len(s)
	if j := strings.IndexAny(s, "\n\r"); j >= 0 {
		end = j
	}
	if j := strings.Index(s[:end], "://"); j >= 0 {
		for j > 0 && isSchemeChar(s[j-1]) {
			j--
		}
		end = j
	}
	if quote != 0 {
		for q := 0; q < end; q++ {
			if s[q] != quote || q+1 < end && strings.IndexByte(" \t,;:}])", s[q+1]) < 0 {
				continue
			}
			if strings.IndexByte(s[q:end], '@') < 0 {
				return q
			}
			// An "@" after the quote may end a password holding the
			// quote: the URL runs to the end.
			return end
		}
	}
	return end
}

// redactURLBody hides the credentials of a URL's text after "://".
func redactURLBody(u string) string {
	var b strings.Builder
	rest := u
	if at := strings.LastIndexByte(u, '@'); at >= 0 {
		b.WriteString(redactUserinfos(u[:at]))
		rest = u[at:]
	}
	b.WriteString(redactQuery(rest))
	return b.String()
}

// redactUserinfos hides the passwords of a URL's userinfo, the text
// before its last "@": one "user:password", or oslo.messaging's several
// hosts "user:pw1@host1:5672,user:pw2@host2:5672,user:pw3" (each "@" but
// the first followed by "host,user:password"). Any other "@" is part of
// the password, which is then hidden whole, up to the last "@".
func redactUserinfos(userinfo string) string {
	parts := strings.Split(userinfo, "@")
	if len(parts) == 1 {
		return redactUserinfo(userinfo)
	}
	// Several hosts only when every userinfo has a password: with an
	// empty one ("u:@h1,:@h2") the text is as much one password holding
	// "@" ("@h1,:"), which is then hidden whole.
	multi := hasPassword(parts[0])
	for _, p := range parts[1:] {
		_, next, ok := strings.Cut(p, ",")
		multi = multi && ok && hasPassword(next)
	}
	if !multi {
		if i := strings.IndexByte(parts[0], ':'); i >= 0 {
			return parts[0][:i+1] + Mask
		}
		return parts[0] + "@" + Mask
	}
	var b strings.Builder
	b.WriteString(redactUserinfo(parts[0]))
	for _, p := range parts[1:] {
		host, next, _ := strings.Cut(p, ",")
		b.WriteString("@" + host + "," + redactUserinfo(next))
	}
	return b.String()
}

// hasPassword reports a "user:password" with a non-empty password.
func hasPassword(u string) bool {
	i := strings.IndexByte(u, ':')
	return i >= 0 && i < len(u)-1
}

// redactUserinfo hides the password of "user:password"; a user alone, or
// an empty password, stays.
func redactUserinfo(u string) string {
	i := strings.IndexByte(u, ':')
	if i < 0 || i == len(u)-1 {
		return u
	}
	return u[:i+1] + Mask
}

// redactQuery hides the values of credential parameters in the query of
// a URL's host and path part ("?password=PW&charset=utf8").
func redactQuery(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s
	}
	query, fragment := s[q+1:], ""
	if f := strings.IndexByte(query, '#'); f >= 0 {
		query, fragment = query[:f], query[f:]
	}
	var b strings.Builder
	b.WriteString(s[:q+1])
	for query != "" {
		param, sep := query, ""
		if n := strings.IndexAny(query, "&;"); n >= 0 {
			param, sep = query[:n], query[n:n+1]
		}
		query = query[len(param)+len(sep):]
		if name, value, ok := strings.Cut(param, "="); ok && value != "" && queryCredential(name) {
			param = name + "=" + Mask
		}
		b.WriteString(param)
		b.WriteString(sep)
	}
	b.WriteString(fragment)
	return b.String()
}

// queryCredential reports whether a URL query parameter carries a
// credential: one CredentialName names, or an API key.
func queryCredential(name string) bool {
	switch strings.ToLower(name) {
	case "key", "api_key", "apikey", "api-key":
		return true
	}
	return CredentialName(name)
}

func isSchemeChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

// HasURLCredential reports whether s holds a URL credential URLs hides,
// or one already hidden ("rabbit://nova:***@ctl"): a redacted value is
// judged as the original was.
func HasURLCredential(s string) bool {
	if !strings.Contains(s, "://") {
		return false
	}
	x := strings.ReplaceAll(s, Mask, "x")
	return URLs(x) != x
}

// CredentialName reports whether the name of a parameter (a URL query's,
// a kernel's or a module's) says its value is a credential. Parameters
// have no declared types, so their names are all there is: the last
// dotted component holds password, passwd, passphrase, secret or token,
// ends in "pass" (dracut's cifspass), or is pwd. "iommu.passthrough",
// "secretmem.enable" and "rd.luks.key" (a path) are not.
func CredentialName(name string) bool {
	name = strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	for _, w := range []string{"password", "passwd", "passphrase", "secret", "token"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return name == "pwd" || strings.HasSuffix(name, "pass")
}

// Cmdline returns a kernel command line with its credentials hidden:
// parameters split as the kernel splits them (blanks outside double
// quotes), the value of a parameter named for a credential replaced
// (rd.iscsi.password, inst.vncpassword), URL credentials and dracut's
// iSCSI credentials hidden in every other value (inst.ks=,
// ignition.config.url=, inst.repo=, netroot=iscsi:...). The blanks and
// quotes stay as they were.
func Cmdline(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		b.WriteString(s[i:j])
		if j == len(s) {
			break
		}
		inQuote := false
		k := j
		for ; k < len(s); k++ {
			if isSpace(s[k]) && !inQuote {
				break
			}
			if s[k] == '"' {
				inQuote = !inQuote
			}
		}
		b.WriteString(Param(s[j:k]))
		i = k
	}
	return b.String()
}

// Param returns one kernel or module parameter ("key=value", maybe
// quoted) with its credentials hidden (see Cmdline).
func Param(word string) string {
	body, lead := word, ""
	if strings.HasPrefix(body, `"`) {
		body, lead = body[1:], `"`
	}
	// The kernel splits at the first "=" that does not start the word.
	eq := strings.IndexByte(body, '=')
	if eq <= 0 {
		return lead + URLs(body)
	}
	key, value := body[:eq], body[eq+1:]
	var r string
	if CredentialName(key) {
		r = maskParamValue(value)
	} else {
		r = iscsi(URLs(value))
	}
	// The quotes decide where the kernel ends a word: a credential that
	// held one must not move the end of the next.
	if strings.Count(r, `"`)%2 != strings.Count(value, `"`)%2 {
		r += `"`
	}
	return lead + key + "=" + r
}

// maskParamValue replaces a parameter's value, keeping an opening quote
// and the parity of its quotes.
func maskParamValue(value string) string {
	if value == "" || value == `"` || value == `""` {
		return value
	}
	out := ""
	if strings.HasPrefix(value, `"`) {
		out, value = `"`, value[1:]
	}
	out += Mask
	if strings.Count(value, `"`)%2 == 1 {
		out += `"`
	}
	return out
}

// iscsi hides the password of dracut's iSCSI root
// ("iscsi:[username:password[:reverse-username:reverse-password]@]server:..."),
// keeping the user name.
func iscsi(value string) string {
	v := strings.TrimPrefix(value, `"`)
	lead := value[:len(value)-len(v)]
	if !strings.HasPrefix(v, "iscsi:") {
		return value
	}
	at := strings.LastIndexByte(v, '@')
	if at < 0 {
		return value
	}
	creds := v[len("iscsi:"):at]
	return lead + "iscsi:" + redactUserinfo(creds) + v[at:]
}

// isSpace is the kernel's isspace (lib/ctype.c), with 0xa0.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == 0xa0
}

// Args returns the arguments of a modprobe.d directive (module options,
// or an install or remove command's shell text) with their credentials
// hidden: URL credentials to the end of the text, then each
// "key=value" word as Param does.
func Args(s string) string { return Cmdline(URLs(s)) }

// ModprobeLine returns one line of a modprobe.d file with its credentials
// hidden: a comment's URL credentials, a directive's as Args hides them.
func ModprobeLine(line string) string {
	if strings.HasPrefix(line, "#") {
		return URLs(line)
	}
	return Args(line)
}

// Modprobe returns a modprobe.d file with its credentials hidden, line
// for line (see ModprobeLine). A directive continued over several lines
// (a backslash before the newline, which kmod joins) is judged whole:
// when it holds a credential, its first line gets the whole directive,
// redacted and continued, and the lines after it are emptied, so kmod
// reads the same directive at the same line. It also returns the 1-based
// numbers of the lines it changed.
func Modprobe(data []byte) ([]byte, []int) {
	lines := strings.SplitAfter(string(data), "\n")
	var out strings.Builder
	out.Grow(len(data))
	var changed []int
	for i := 0; i < len(lines); {
		// The physical lines of one logical line: each but the last ends
		// in a backslash before its newline.
		j := i
		for j < len(lines)-1 && strings.HasSuffix(lines[j], "\\\n") {
			j++
		}
		group := lines[i : j+1]
		if len(group) == 1 {
			text, eol := strings.CutSuffix(group[0], "\n")
			r := ModprobeLine(text)
			if r != text {
				changed = append(changed, i+1)
			}
			out.WriteString(r)
			if eol {
				out.WriteString("\n")
			}
			i = j + 1
			continue
		}
		var joined strings.Builder
		for k, l := range group {
			if k < len(group)-1 {
				l = strings.TrimSuffix(l, "\\\n")
			}
			joined.WriteString(l)
		}
		logical, eol := strings.CutSuffix(joined.String(), "\n")
		if r := ModprobeLine(logical); r != logical {
			out.WriteString(r + "\\\n")
			changed = append(changed, i+1)
			for k := 1; k < len(group); k++ {
				if k < len(group)-1 {
					out.WriteString("\\\n")
				} else if eol {
					out.WriteString("\n")
				}
				changed = append(changed, i+k+1)
			}
		} else {
			for _, l := range group {
				out.WriteString(l)
			}
		}
		i = j + 1
	}
	if changed == nil {
		return data, nil
	}
	return []byte(out.String()), changed
}

// Lines applies redact to each line of data ("\n" ends a line; a "\r"
// before it stays in the line) and returns the result and the 1-based
// numbers of the lines it changed, nil when none.
func Lines(data []byte, redact func(string) string) ([]byte, []int) {
	var out []byte
	var changed []int
	n := 0
	for rest := data; len(rest) > 0; {
		n++
		line := rest
		var eol []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, eol, rest = rest[:i], rest[i:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		r := redact(string(line))
		if r != string(line) {
			if out == nil {
				out = append(make([]byte, 0, len(data)), data[:len(data)-len(rest)-len(line)-len(eol)]...)
			}
			changed = append(changed, n)
		}
		if out != nil {
			out = append(out, r...)
			out = append(out, eol...)
		}
	}
	if out == nil {
		return data, nil
	}
	return out, changed
}

// Clip returns s cut to at most n bytes, on a character boundary, with
// "…" when something was cut: for quoting a value in a message, whatever
// its size.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
