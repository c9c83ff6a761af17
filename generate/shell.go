package generate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gpupass/gpupass/internal/shellword"
)

// Command is one command for the operator to run, a word per element,
// unquoted. Every command a document prints is a Command rendered by
// String, so that no word reaches the operator's shell unquoted.
type Command []string

// String renders the command for a POSIX shell: each word as shellQuote
// writes it. The first word is quoted whole when it holds '=', which the
// shell would otherwise take for an assignment.
func (c Command) String() string {
	words := make([]string, len(c))
	for i, w := range c {
		if i == 0 && strings.Contains(w, "=") {
			words[i] = shellword.Quoted(w)
			continue
		}
		words[i] = shellQuote(w)
	}
	return strings.Join(words, " ")
}

// Line is commands printed on one line, each run when the one before it
// succeeded (joined with &&).
type Line []Command

func (l Line) String() string {
	parts := make([]string, len(l))
	for i, c := range l {
		parts[i] = c.String()
	}
	return strings.Join(parts, " && ")
}

// shellQuote returns s as one word of a POSIX shell command. A word made
// only of characters no shell treats specially (letters, digits and
// @%+=:,./-_, the set of Python's shlex.quote) stays bare, so that the
// usual commands read as they would be typed; any other is put in single
// quotes, inside which sh gives no character a meaning, and a single quote
// is written as '\”. In a word NAME=VALUE whose NAME is bare, only VALUE
// is quoted (--args='a b', pci_passthrough:alias='rtx 2080ti:1'): the
// shell joins the two parts into the same word.
func shellQuote(s string) string {
	if name, value, ok := strings.Cut(s, "="); ok && name != "" && !shellword.Safe(s) && shellword.Safe(name) {
		return name + "=" + shellword.Quoted(value)
	}
	return shellword.Word(s)
}

// Limits of a name in Nova's API (nova/api/validation/parameter_types.py:
// a flavor name is 1 to 255 characters; extra spec values are at most
// 255), which bound an alias name inside "gpu.NAME.8" and "NAME:8".
const maxNovaName = 255

// CheckAliasName refuses an alias name that Nova, a flavor or the
// shell cannot carry, saying why; nil when every generated use of it —
// the [pci]alias in nova.conf, the pci_passthrough:alias extra spec
// NAME:COUNT, the flavor name gpu.NAME.COUNT, the shell word — works.
// The rules are Nova's (Zed, nova/pci/request.py and
// nova/api/validation/): the alias schema takes any string of 1 to 256
// characters and strips it; the extra spec is comma-separated NAME:COUNT
// pairs, each name stripped; a flavor name is printable characters (no
// C* category, no line or paragraph separator, nothing above U+FFFE), not
// starting or ending with a space. oslo.config substitutes $NAME in
// nova.conf values, so such a name would not reach Nova as written.
func CheckAliasName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("it is empty")
	case !utf8.ValidString(name):
		return fmt.Errorf("it is not valid UTF-8")
	case strings.ContainsAny(name, ":,"):
		return fmt.Errorf("flavors name an alias in pci_passthrough:alias as NAME:COUNT, comma-separated: it cannot hold ':' or ','")
	case osloSubstitutes(name):
		return fmt.Errorf("oslo.config reads $NAME, ${NAME}, $$ and \\$ in a nova.conf value as another option's value or a '$': it cannot hold those")
	}
	for _, r := range name {
		if !novaPrintable(r) {
			return fmt.Errorf("it holds %U, which Nova's API refuses in the flavor names made from it (printable characters only)", r)
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if unicode.Is(unicode.Zs, first) || unicode.Is(unicode.Zs, last) {
		return fmt.Errorf("it starts or ends with a space, which Nova strips from alias names (and refuses at either end of a flavor name)")
	}
	if n := utf8.RuneCountInString(flavorName(name, 8)); n > maxNovaName {
		return fmt.Errorf("it is too long: the flavor name %s... would be %d characters, and Nova takes at most %d", flavorName(name, 8)[:20], n, maxNovaName)
	}
	return nil
}

// osloSubstitutes reports a name that oslo.config's template substitution
// would change in a nova.conf value (oslo_config.cfg.ConfigOpts._substitute:
// "\\$" becomes "$$", then string.Template with the id pattern
// [_a-z][._a-z0-9]* matched ignoring case, which in Python also matches
// U+0130, U+0131, U+017F and U+212A). "$" before anything else is left
// as it is.
func osloSubstitutes(name string) bool {
	prev := rune(0)
	dollar := false
	for _, r := range name {
		if r == '$' && prev == '\\' {
			return true
		}
		if dollar {
			switch {
			case r == '$', r == '{', r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z',
				r == '\u0130', r == '\u0131', r == '\u017f', r == '\u212a':
				return true
			}
		}
		dollar = r == '$'
		prev = r
	}
	return false
}

// novaPrintable is nova's _is_printable over the code points its name
// regex covers (U+0000 to U+FFFE): a letter, mark, number, punctuation,
// symbol or space separator. Unassigned code points are not printable.
func novaPrintable(r rune) bool {
	if r >= 0xFFFF {
		return false
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs)
}

// flavorName is the name of the flavor of count GPUs of an alias.
func flavorName(alias string, count int) string {
	return fmt.Sprintf("gpu.%s.%d", alias, count)
}
