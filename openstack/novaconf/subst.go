package novaconf

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// oslo.config's "$name" substitution, as ConfigOpts._substitute and
// StrSubWrapper do it when Nova reads an option (the same code in
// oslo.config 9.0.0, Zed; 9.7.1, 2025.1; and 10.7.0, 2026.2):
//
//   - "\$" is first replaced by "$$" everywhere in the value;
//   - then string.Template's safe_substitute, with oslo's idpattern
//     [_a-z][\._a-z0-9]* matched case-insensitively (Python's re.IGNORECASE,
//     under which "ı", "İ", "ſ" and the Kelvin sign "K" also match a
//     letter): "$$" is a "$"; "$name" and "${name}" are replaced by the
//     value of option name, looked up in the option's own group, then in
//     [DEFAULT]; "$group.name" in [group]; any other "$" stays as it is;
//   - the replacement is the referenced option's value as Nova would get
//     it (itself substituted, then converted to its type, its default when
//     no file sets it), as Python's str() writes it: "True", "['a', 'b']";
//     None gives "";
//   - an option that does not exist raises NoSuchOptError, a group that
//     does not exist NoSuchGroupError, a name that is a group
//     TemplateSubstitutionError, a reference to itself RecursionError: the
//     option cannot be read, and nova stops where it reads it.
//
// gpupass substitutes when it knows the referenced values exactly (the
// options of its table, and [DEFAULT]my_ip, a string option, when the
// files set it); otherwise the text is kept as written, with a warning.

// substOutcome is what substitution made of a value.
type substOutcome int

const (
	substNone    substOutcome = iota // no "$" that oslo.config would act on
	substExact                       // substituted, as oslo.config does
	substUnknown                     // refers to values gpupass cannot know (a default set by the host, an option of unknown type, a secret)
	substFailed                      // oslo.config raises: nova cannot read the option
)

// substResult is the outcome, the substituted text (substExact), and for
// substFailed the exception oslo.config raises and its message.
type substResult struct {
	outcome   substOutcome
	text      string
	exception string
	message   string
	// why says, for substUnknown, which reference gpupass cannot resolve.
	why string
}

// stringOpts are options outside gpupass's table whose type is known to be
// a string, so that their value in a file can be substituted exactly.
var stringOpts = map[Name]bool{
	{"DEFAULT", "my_ip"}: true, // StrOpt; [DEFAULT]host is a HostDomainOpt, which validates
}

// isIDStart and isIDChar are oslo's idpattern under re.IGNORECASE: Python
// folds case with simple case mappings, under which U+0130 (İ) lowers to
// "i", U+0131 (ı) and U+017F (ſ) upper to "I" and "S", and U+212A (Kelvin
// sign) lowers to "k".
func isIDStart(r rune) bool {
	switch {
	case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		return true
	}
	return r == 0x130 || r == 0x131 || r == 0x17f || r == 0x212a
}

func isIDChar(r rune) bool {
	return isIDStart(r) || r == '.' || '0' <= r && r <= '9'
}

// templateRef is one "$..." of a value as string.Template reads it.
type templateRef struct {
	start, end int    // the bytes of the whole reference in the value
	name       string // "" for "$$" and for a "$" it leaves alone
	escaped    bool   // "$$"
}

// templateRefs scans s as string.Template's pattern does, left to right.
func templateRefs(s string) []templateRef {
	var out []templateRef
	for i := 0; i < len(s); {
		if s[i] != '$' {
			i++
			continue
		}
		j := i + 1
		switch {
		case j < len(s) && s[j] == '$':
			out = append(out, templateRef{start: i, end: j + 1, escaped: true})
			i = j + 1
			continue
		case j < len(s) && s[j] == '{':
			if n := idLen(s[j+1:]); n > 0 && j+1+n < len(s) && s[j+1+n] == '}' {
				out = append(out, templateRef{start: i, end: j + 2 + n, name: s[j+1 : j+1+n]})
				i = j + 2 + n
				continue
			}
		default:
			if n := idLen(s[j:]); n > 0 {
				out = append(out, templateRef{start: i, end: j + n, name: s[j : j+n]})
				i = j + n
				continue
			}
		}
		// "invalid": safe_substitute leaves the "$" as it is.
		out = append(out, templateRef{start: i, end: i + 1})
		i++
	}
	return out
}

// idLen is the length in bytes of the identifier at the start of s.
func idLen(s string) int {
	n := 0
	for i, r := range s {
		if r == utf8.RuneError {
			return n
		}
		if i == 0 && !isIDStart(r) || i > 0 && !isIDChar(r) {
			return n
		}
		n = i + utf8.RuneLen(r)
	}
	return n
}

// acts reports whether oslo.config changes s at all: a "\$", a "$$" or a
// reference.
func acts(s string) bool {
	if strings.Contains(s, `\$`) {
		return true
	}
	for _, r := range templateRefs(s) {
		if r.escaped || r.name != "" {
			return true
		}
	}
	return false
}

// substituter resolves references within one configuration.
type substituter struct {
	c *Config
	// active are the options being resolved, for RecursionError.
	active map[Name]bool
	// done are the options resolved, each once: a value may name an
	// option many times, and that option others.
	done map[Name]substResult
}

// maxSubstituted bounds a substituted value: "$pci.device_spec" a
// thousand times over a long device_spec would be gigabytes.
const maxSubstituted = MaxFileSize

// substitute is oslo.config's _substitute of text, read for an option of
// group (normalised).
func (c *Config) substitute(group, text string) substResult {
	s := &substituter{c: c, active: map[Name]bool{}, done: map[Name]substResult{}}
	return s.run(group, text)
}

func (s *substituter) run(group, text string) substResult {
	if !acts(text) {
		return substResult{outcome: substNone, text: text}
	}
	text = strings.ReplaceAll(text, `\$`, "$$")
	var b strings.Builder
	last := 0
	res := substResult{outcome: substExact}
	for _, ref := range templateRefs(text) {
		b.WriteString(text[last:ref.start])
		last = ref.end
		switch {
		case ref.escaped:
			b.WriteByte('$')
		case ref.name == "":
			b.WriteByte('$')
		default:
			v := s.resolve(group, ref.name)
			switch v.outcome {
			case substFailed:
				return v
			case substUnknown:
				if res.outcome != substUnknown {
					res.outcome, res.why = substUnknown, v.why
				}
			}
			b.WriteString(v.text)
		}
		if b.Len() > maxSubstituted {
			return substResult{outcome: substUnknown, why: fmt.Sprintf("the substituted value would be longer than %d bytes", maxSubstituted)}
		}
	}
	b.WriteString(text[last:])
	if res.outcome == substExact {
		res.text = b.String()
	}
	return res
}

// resolve is StrSubWrapper.__getitem__: the value that replaces "$key" in
// an option of group.
func (s *substituter) resolve(group, key string) substResult {
	if g, opt, dotted := strings.Cut(key, "."); dotted {
		gn := normalizeGroup(g)
		if !groupExists(gn) {
			if dynamicGroup(gn) {
				return substResult{outcome: substUnknown, why: fmt.Sprintf("$%s names the group [%s], which Nova registers at start-up", key, g)}
			}
			return substResult{outcome: substFailed, exception: "NoSuchGroupError", message: fmt.Sprintf("no such group [%s]", g)}
		}
		if r, ok := s.option(gn, opt); ok {
			return r
		}
	} else if r, ok := s.option(group, key); ok {
		return r
	} else if dynamicGroup(group) {
		return substResult{outcome: substUnknown, why: fmt.Sprintf("$%s may name an option of [%s], which Nova registers at start-up", key, group)}
	}
	// except NoSuchOptError: self.conf._get(key) in [DEFAULT], dots and all.
	if groupExists(key) && !strings.Contains(key, ".") {
		return substResult{outcome: substFailed, exception: "TemplateSubstitutionError", message: fmt.Sprintf("template substitution error: substituting group %s not supported", key)}
	}
	if r, ok := s.option("DEFAULT", key); ok {
		return r
	}
	return substResult{outcome: substFailed, exception: "NoSuchOptError", message: fmt.Sprintf("no such option %s in group [DEFAULT]", key)}
}

// option resolves option name of group, when Nova registers it.
func (s *substituter) option(group, name string) (substResult, bool) {
	opt, known := tableOption(group, name)
	if !known {
		secret, registered := registry.declared(group, name)
		if !registered {
			return substResult{}, false
		}
		key := Name{group, name}
		if secret {
			return substResult{outcome: substUnknown, why: fmt.Sprintf("$%s is a secret, which gpupass does not copy into other values", name)}, true
		}
		if !stringOpts[key] {
			return substResult{outcome: substUnknown, why: fmt.Sprintf("gpupass does not know the type of [%s]%s", group, name)}, true
		}
		opt = Option{Group: group, Name: name, Type: TypeStr}
	}
	if opt.Secret {
		return substResult{outcome: substUnknown, why: fmt.Sprintf("%s is a secret, which gpupass does not copy into other values", opt)}, true
	}
	key := Name{group, name}
	if r, ok := s.done[key]; ok {
		return r, true
	}
	r := s.optionValue(opt, key)
	s.done[key] = r
	return r, true
}

// optionValue is the value of opt (key is its normalised name) as str()
// writes it.
func (s *substituter) optionValue(opt Option, key Name) substResult {
	if s.active[key] {
		return substResult{outcome: substFailed, exception: "RecursionError", message: fmt.Sprintf("%s refers to itself through $ substitution", opt)}
	}
	s.active[key] = true
	defer delete(s.active, key)
	vals := s.c.lookupRaw(opt)
	var texts []string
	if len(vals) == 0 {
		if opt.Default == "" && opt.Type != TypeList && opt.Type != TypeMultiStr && opt.Type != TypeBool {
			return substResult{outcome: substUnknown, why: fmt.Sprintf("%s is not set, and its default depends on the host", opt)}
		}
		if opt.Multi {
			if opt.Default != "" {
				texts = []string{opt.Default}
			}
		} else {
			texts = []string{opt.Default}
		}
	} else {
		for _, v := range vals {
			texts = append(texts, v.Text)
		}
	}
	// The referenced value is itself substituted, in its own group.
	for i, t := range texts {
		r := s.run(key.Group, t)
		switch r.outcome {
		case substFailed, substUnknown:
			return r
		case substExact:
			texts[i] = r.text
		}
	}
	text, err := pyStr(opt, texts)
	if err != nil {
		return substResult{outcome: substFailed, exception: "ConfigFileValueError", message: err.Error()}
	}
	return substResult{outcome: substExact, text: text}
}

// pyStr is str() of the option's converted value.
func pyStr(opt Option, texts []string) (string, error) {
	switch opt.Type {
	case TypeBool:
		b, err := ParseBool(texts[len(texts)-1])
		if err != nil {
			return "", fmt.Errorf("value for option %s is not valid: %v", opt.Name, err)
		}
		if b {
			return "True", nil
		}
		return "False", nil
	case TypeList:
		return pyListRepr(ParseList(texts[len(texts)-1])), nil
	case TypeMultiStr:
		return pyListRepr(texts), nil
	}
	if len(texts) == 0 {
		return "", nil
	}
	return texts[len(texts)-1], nil
}

// pyListRepr is Python's repr of a list of str, for the characters repr
// writes as they are; others make it "unknown" upstream (see pyStrRepr).
func pyListRepr(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = pyStrRepr(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// pyStrRepr is Python's repr of a str: single quotes unless the string
// holds a ' and no ", backslash escapes for the quote, "\\" and the
// control characters.
func pyStrRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// tableOption is the option of gpupass's table named name in group.
func tableOption(group, name string) (Option, bool) {
	for _, o := range Options {
		g := o.Group
		if g == "" {
			g = "DEFAULT"
		}
		if normalizeGroup(g) == group && o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

// groupExists reports whether Nova registers group (normalised).
func groupExists(group string) bool {
	if group == "DEFAULT" {
		return true
	}
	if registry.groups[group] {
		return true
	}
	for _, o := range Options {
		if normalizeGroup(o.Group) == group {
			return true
		}
	}
	return false
}

// dynamicGroup reports the groups Nova registers from the configuration
// itself at start-up ([mdev_<type>], [vgpu_<type>] before Xena).
func dynamicGroup(group string) bool {
	return strings.HasPrefix(group, "mdev_") || strings.HasPrefix(group, "vgpu_")
}
