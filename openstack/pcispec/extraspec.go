package pcispec

import (
	"fmt"
	"github.com/gpupass/gpupass/internal/pysem"
	"math/big"
	"strings"

	"github.com/gpupass/gpupass/openstack/novarelease"
)

// Flavor extra spec keys gpupass validates.
const (
	ExtraSpecAlias      = "pci_passthrough:alias"
	ExtraSpecNUMAPolicy = "hw:pci_numa_affinity_policy"
)

// aliasValuePattern is the pattern of pci_passthrough:alias's validator,
// which Nova applies with re.fullmatch.
const aliasValuePattern = `[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*`

// ValidateExtraSpec validates a flavor extra spec as Nova's API does from
// microversion 2.86 (nova.api.validation.extra_specs.validators.validate)
// for the keys gpupass knows: pci_passthrough:alias, the other keys of
// the pci_passthrough namespace (which Nova refuses), and
// hw:pci_numa_affinity_policy. Other keys return nil. The rules are the
// same in every release gpupass knows.
func ValidateExtraSpec(key, value string, rel novarelease.Release) error {
	switch key {
	case ExtraSpecAlias:
		if !aliasValueMatches(value, pythonOf(rel)) {
			return novaErr("ValidationError", "Validation failed; '%s' is not of the format '%s'.", value, aliasValuePattern)
		}
		return nil
	case ExtraSpecNUMAPolicy:
		if !contains(NUMAPolicies, value) {
			return novaErr("ValidationError", "Validation failed; '%s' is not one of: required, preferred, legacy, socket.", value)
		}
		return nil
	}
	if ns, _, ok := strings.Cut(key, ":"); ok && ns == "pci_passthrough" {
		return novaErr("ValidationError", "Validation failed; extra spec '%s' does not appear to be a valid extra spec.", key)
	}
	return nil
}

// aliasValueMatches is re.fullmatch(aliasValuePattern, value) with
// Python's \d (any decimal digit) and \s (str.isspace()).
//
// Split at the colons, the value is NAME : P1 : ... : Pn-1 : DIGITS where
// NAME is not empty and every Pi is DIGITS, optional white space, a comma,
// and at least one more character (the next name, which may itself hold
// commas and white space).
func aliasValueMatches(value string, py pysem.Version) bool {
	parts := strings.Split(value, ":")
	if len(parts) < 2 || parts[0] == "" {
		return false
	}
	digits := func(rs []rune) int {
		n := 0
		for n < len(rs) && py.Decimal(rs[n]) >= 0 {
			n++
		}
		return n
	}
	for i, p := range parts[1:] {
		rs := []rune(p)
		n := digits(rs)
		if n == 0 {
			return false
		}
		if i == len(parts)-2 {
			return n == len(rs)
		}
		j := n
		for j < len(rs) && pysem.IsSpace(rs[j]) {
			j++
		}
		if j >= len(rs) || rs[j] != ',' || j+1 >= len(rs) {
			return false
		}
	}
	return true
}

// AliasRequest is one name:count of a pci_passthrough:alias value.
type AliasRequest struct {
	// Name is the alias name, stripped of white space as Nova strips it.
	Name string
	// Count is int(count) as Python reads it (signs, underscores, white
	// space and non-ASCII digits included); it may be zero or negative,
	// which Nova does not refuse at boot.
	Count *big.Int
}

// ParseAliasRequest parses a pci_passthrough:alias value ("a100:2,t4:1")
// into names and counts, as Nova's request translation does when a server
// is created (_translate_alias_to_requests): the value is split at commas,
// each part must have exactly one colon, and the count is Python's int().
// It does not check that the aliases exist; see ResolveAliasRequest. The
// error is the exception Nova raises (a ValueError).
func ParseAliasRequest(value string) ([]AliasRequest, error) {
	return translateAliasRequest(value, nil)
}

// ResolveAliasRequest is Nova's whole translation of a pci_passthrough:alias
// value against the aliases: parts are checked in order, so an undefined
// alias is reported before a malformed later part.
func ResolveAliasRequest(value string, aliases map[string]*Alias) ([]AliasRequest, error) {
	if aliases == nil {
		aliases = map[string]*Alias{}
	}
	return translateAliasRequest(value, aliases)
}

func translateAliasRequest(value string, aliases map[string]*Alias) ([]AliasRequest, error) {
	parts := strings.Split(value, ",")
	// The list comprehension splits every part before the loop runs.
	split := make([][]string, len(parts))
	for i, p := range parts {
		split[i] = strings.Split(p, ":")
	}
	// Python 3.14 (Nova 2026.2, as gpupass models it) says how many
	// values there were; the aliases carry the release that parsed them.
	py314 := false
	for _, a := range aliases {
		py314 = python314(a.Release)
		break
	}
	var out []AliasRequest
	for _, kv := range split {
		switch {
		case len(kv) < 2:
			return nil, novaErr("ValueError", "not enough values to unpack (expected 2, got %d)", len(kv))
		case len(kv) > 2 && py314:
			return nil, novaErr("ValueError", "too many values to unpack (expected 2, got %d)", len(kv))
		case len(kv) > 2:
			return nil, novaErr("ValueError", "too many values to unpack (expected 2)")
		}
		name := pysem.Strip(kv[0])
		if aliases != nil {
			if _, ok := aliases[name]; !ok {
				return nil, novaErr("PciRequestAliasNotDefined", "PCI alias %s is not defined", name)
			}
		}
		// The request names no release: counts are read as Python 3.11 reads
		// them (later Pythons also take the digits Unicode 15 and 16 added).
		n := pysem.Py311.ParseInt(kv[1], 10)
		if n.Value == nil {
			return nil, novaErr("ValueError", "%s", n.Err)
		}
		out = append(out, AliasRequest{Name: name, Count: n.Value})
	}
	return out, nil
}

// String is the request as name:count.
func (r AliasRequest) String() string { return fmt.Sprintf("%s:%s", r.Name, r.Count) }
