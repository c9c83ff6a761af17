package hostinfo

import "strings"

// Param is one kernel command-line parameter.
type Param struct {
	// Key is the name as written (intel_iommu, vfio-pci.ids).
	Key string
	// Value is the text after the first '=', quotes removed.
	Value string
	// HasValue distinguishes "quiet" from "quiet=".
	HasValue bool
}

// Cmdline is a parsed kernel command line.
type Cmdline struct {
	// Params are the kernel's parameters in order.
	Params []Param
	// Init holds the arguments after "--", which the kernel passes to init
	// (split and unquoted like parameters, up to a second "--").
	Init []string
}

// ParseCmdline splits a kernel command line the way the kernel's next_arg
// (kernel/params.c) does: parameters are separated by white space, double
// quotes protect spaces and are removed from the value, and "--" ends the
// kernel's part.
func ParseCmdline(s string) Cmdline {
	var c Cmdline
	args := skipSpaces(s)
	for args != "" {
		var p Param
		p, args = nextArg(args)
		if !p.HasValue && p.Key == "--" {
			// init/main.c parses the rest with the same next_arg, gives
			// init "param" or "param=value", and stops at another "--".
			for args != "" {
				p, args = nextArg(args)
				if !p.HasValue && p.Key == "--" {
					break
				}
				if p.HasValue {
					p.Key += "=" + p.Value
				}
				c.Init = append(c.Init, p.Key)
			}
			break
		}
		c.Params = append(c.Params, p)
	}
	return c
}

func nextArg(args string) (Param, string) {
	inQuote, quoted := false, false
	if args[0] == '"' {
		args = args[1:]
		inQuote, quoted = true, true
	}
	i, equals := 0, -1
	for ; i < len(args); i++ {
		if isSpace(args[i]) && !inQuote {
			break
		}
		// next_arg keeps the '=' index in a variable where 0 means none:
		// an '=' that starts the word does not split it.
		if equals < 0 && i > 0 && args[i] == '=' {
			equals = i
		}
		if args[i] == '"' {
			inQuote = !inQuote
		}
	}
	word := args[:i]
	rest := ""
	if i < len(args) {
		rest = args[i+1:]
	}
	rest = skipSpaces(rest)

	var p Param
	if equals < 0 {
		p.Key = word
		if quoted && strings.HasSuffix(p.Key, `"`) {
			p.Key = p.Key[:len(p.Key)-1]
		}
		return p, rest
	}
	p.Key, p.Value, p.HasValue = word[:equals], word[equals+1:], true
	// The kernel drops the quote that opens the value and the one that
	// ends the word, whichever of the two forms was used.
	if strings.HasPrefix(p.Value, `"`) {
		p.Value = p.Value[1:]
		p.Value = strings.TrimSuffix(p.Value, `"`)
	} else if quoted {
		p.Value = strings.TrimSuffix(p.Value, `"`)
	}
	return p, rest
}

// isSpace is the kernel's isspace (lib/ctype.c), whose table also marks
// 0xa0, the Latin-1 no-break space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == 0xa0
}

func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return true
		}
	}
	return false
}

func skipSpaces(s string) string {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}

// ParamKeyEqual compares parameter names the way the kernel does: '-' and
// '_' are the same character (vfio-pci.ids is vfio_pci.ids).
func ParamKeyEqual(a, b string) bool {
	return normalizeName(a) == normalizeName(b)
}

// normalizeName maps '-' to '_', as the kernel does for module and
// parameter names.
func normalizeName(s string) string {
	return strings.ReplaceAll(s, "-", "_")
}

// NormalizeModule is a module name as the kernel lists it (vfio_pci).
func NormalizeModule(name string) string { return normalizeName(name) }

// Lookup returns every value given for key (the last one is the one most
// parameters keep).
func (c Cmdline) Lookup(key string) []Param {
	var out []Param
	for _, p := range c.Params {
		if ParamKeyEqual(p.Key, key) {
			out = append(out, p)
		}
	}
	return out
}

// Last returns the last value given for key, and whether it was given.
func (c Cmdline) Last(key string) (Param, bool) {
	found := c.Lookup(key)
	if len(found) == 0 {
		return Param{}, false
	}
	return found[len(found)-1], true
}

// String renders a parameter as it would be written on the command line.
func (p Param) String() string {
	if !p.HasValue {
		return p.Key
	}
	// Any byte the kernel splits on needs the quotes, not just ' '.
	if hasSpace(p.Value) {
		return p.Key + `="` + p.Value + `"`
	}
	return p.Key + "=" + p.Value
}

// hasOption reports whether a comma-separated parameter value lists opt
// (intel_iommu=on,sm_on lists on).
func ValueHas(value, opt string) bool {
	for _, v := range strings.Split(value, ",") {
		if strings.TrimSpace(v) == opt {
			return true
		}
	}
	return false
}
