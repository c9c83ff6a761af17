package pcispec

import (
	"github.com/gpupass/gpupass/internal/pysem"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

// Nova's device types (fields.PciDeviceType).
const (
	TypePCI = "type-PCI"
	TypePF  = "type-PF"
	TypeVF  = "type-VF"
	// TypeVDPA is what Nova calls a VF that is the parent of a vDPA
	// device; aliases cannot request it.
	TypeVDPA = "vdpa"
)

// NUMA affinity policies (fields.PCINUMAAffinityPolicy.ALL, in Nova's
// order).
var NUMAPolicies = []string{"required", "legacy", "preferred", "socket"}

// AliasSpec is one [pci]alias entry as Nova keeps it: the request spec
// that devices are matched against.
type AliasSpec struct {
	// VendorID and ProductID are as written ("" when absent: any).
	VendorID, ProductID string
	// DeviceType is device_type ("" when absent: any), kept by Nova as
	// the request key dev_type.
	DeviceType string
	// NUMAPolicy is the alias's numa_policy, "legacy" when absent.
	NUMAPolicy string
	// ResourceClass and Traits (2023.1 and later) select devices in
	// Placement when [filter_scheduler]pci_in_placement is true; Nova
	// ignores them when it matches devices itself. Traits is the
	// comma-separated value, split.
	ResourceClass string
	Traits        []string
	// CapabilityType is capability_type ("pci" or "").
	CapabilityType string
	// LiveMigratable is live_migratable (2025.1 and later) normalised to
	// "true" or "false", "" when absent.
	LiveMigratable string
	// Spec is every key and value of the request spec, with Nova's names
	// (device_type becomes dev_type).
	Spec map[string]string
	keys []string
}

// Alias is all the [pci]alias entries of one name, OR-ed.
type Alias struct {
	Name string
	// Specs are the entries in configuration order; a device that matches
	// any of them is a candidate.
	Specs []AliasSpec
	// NUMAPolicy is the policy every entry shares ("legacy" by default).
	NUMAPolicy string
	// DeviceType is the first entry's device_type ("" when it has none).
	DeviceType string
	// Index orders the aliases as Nova's dict does (first definition).
	Index int
	// Release is the Nova release whose rules parsed it.
	Release novarelease.Release
}

type schemaProp struct {
	name      string
	enum      []string
	pattern   bool
	minLength int
	maxLength int
}

func aliasSchema(rel novarelease.Release) []schemaProp {
	props := []schemaProp{
		{name: "name", minLength: 1, maxLength: 256},
		{name: "capability_type", enum: []string{"pci"}},
		{name: "product_id", pattern: true},
		{name: "vendor_id", pattern: true},
		{name: "device_type", enum: []string{TypePCI, TypePF, TypeVF}},
		{name: "numa_policy", enum: NUMAPolicies},
	}
	if rel.AtLeast(rel2023_1) {
		props = append(props, schemaProp{name: "resource_class"}, schemaProp{name: "traits"})
	}
	if rel.AtLeast(rel2025_1) {
		props = append(props, schemaProp{name: "live_migratable"})
	}
	return props
}

// aliasKeySince says from which release an alias key is in the schema.
var aliasKeySince = map[string]novarelease.Release{
	"resource_class":  rel2023_1,
	"traits":          rel2023_1,
	"live_migratable": rel2025_1,
}

const pciIDPattern = `^([\da-fA-F]{4})$`

// pciIDMatches is re.search(PCI_VENDOR_PATTERN, s): four characters, each
// a Unicode decimal digit or a-f/A-F, optionally followed by a newline
// (Python's $ also matches before a final newline).
func pciIDMatches(s string, py pysem.Version) bool {
	r := []rune(s)
	if len(r) == 5 && r[4] == '\n' {
		r = r[:4]
	}
	if len(r) != 4 {
		return false
	}
	for _, c := range r {
		if py.Decimal(c) < 0 && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
			return false
		}
	}
	return true
}

func reprList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = pysem.StrRepr(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// validateAliasSchema is jsonschema.validate(spec, _ALIAS_SCHEMA) with the
// choice of the error to report (best_match) and the wording of the
// jsonschema that runs release rel, as gpupass models it: that of the
// Debian suite whose python3-nova judges the release (jsonschema 4.10 in
// bookworm, 4.19 in trixie, 4.26 in sid; see jsonschema426).
func validateAliasSchema(v *pysem.Value, rel novarelease.Release) (string, bool) {
	if v.Kind != pysem.KindDict {
		return sprintf("%s is not of type 'object'", pysem.Repr(v)), false
	}
	props := aliasSchema(rel)
	known := map[string]bool{}
	for _, p := range props {
		known[p.name] = true
	}
	var extras []string
	for _, k := range v.Keys {
		if !known[k] {
			extras = append(extras, k)
		}
	}
	if len(extras) > 0 {
		sort.Strings(extras)
		verb := "was"
		if len(extras) > 1 {
			verb = "were"
		}
		q := make([]string, len(extras))
		for i, x := range extras {
			q[i] = pysem.StrRepr(x)
		}
		return sprintf("Additional properties are not allowed (%s %s unexpected)", strings.Join(q, ", "), verb), false
	}
	if v.Get("name") == nil {
		return "'name' is a required property", false
	}
	newer := jsonschema426(rel)
	// best_match's relevance: before 4.26, an error on a value that is not
	// of the property's type (a non-string) outranks the errors on strings,
	// and the first in the schema's order wins; from 4.26 the error of the
	// greatest property name wins (the error's path is compared first).
	var best, bestProp, firstStrErr string
	for _, p := range props {
		x := v.Get(p.name)
		if x == nil {
			continue
		}
		msg := ""
		if x.Kind != pysem.KindStr {
			msg = sprintf("%s is not of type 'string'", pysem.Repr(x))
			if !newer {
				return msg, false
			}
		} else {
			n := pysem.Len(x.Str)
			switch {
			case p.minLength > 0 && n < p.minLength:
				msg = sprintf("%s is too short", pysem.StrRepr(x.Str))
				if newer && p.minLength == 1 {
					msg = sprintf("%s should be non-empty", pysem.StrRepr(x.Str))
				}
			case p.maxLength > 0 && n > p.maxLength:
				msg = sprintf("%s is too long", pysem.StrRepr(x.Str))
			case p.enum != nil && !contains(p.enum, x.Str):
				msg = sprintf("%s is not one of %s", pysem.StrRepr(x.Str), reprList(p.enum))
			case p.pattern && !pciIDMatches(x.Str, pythonOf(rel)):
				msg = sprintf("%s does not match %s", pysem.StrRepr(x.Str), pysem.StrRepr(pciIDPattern))
			}
		}
		if msg == "" {
			continue
		}
		if firstStrErr == "" {
			firstStrErr = msg
		}
		if p.name > bestProp {
			best, bestProp = msg, p.name
		}
	}
	if newer && best != "" {
		return best, false
	}
	if firstStrErr != "" {
		return firstStrErr, false
	}
	return "", true
}

// jsonschema426 reports whether release rel runs with jsonschema 4.26 (or
// later) as gpupass models it: Debian sid's, whose python3-nova judges
// 2026.2 live; before it, bookworm's 4.10 and trixie's 4.19 choose and
// word the errors of an alias alike.
func jsonschema426(rel novarelease.Release) bool { return rel.AtLeast(rel2026_2) }

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// ParseAliases parses all [pci]alias values (in oslo order) as Nova's
// _get_alias_from_config does, with Nova's defaults for the rest of its
// configuration unknown (see ParseAliasesWith).
func ParseAliases(values []string, rel novarelease.Release) (map[string]*Alias, []Diagnostic, error) {
	return ParseAliasesWith(values, rel, Options{})
}

// ParseAliasesWith is ParseAliases knowing opts.PCIInPlacement, which from
// 2025.2 decides which aliases Nova accepts.
func ParseAliasesWith(values []string, rel novarelease.Release, opts Options) (map[string]*Alias, []Diagnostic, error) {
	var diags []Diagnostic
	warn := func(format string, args ...any) { diags = append(diags, warnf(format, args...)) }
	aliases := map[string]*Alias{}
	var order []string
	for i, value := range values {
		py := pythonOf(rel)
		v, err := py.LoadJSON(value, jsonMaxDepth(py, pyJSONMaxDepthAlias))
		if err != nil {
			return nil, diags, pciInvalidAlias(err.Error())
		}
		if msg, ok := validateAliasSchema(v, rel); !ok {
			if v.Kind == pysem.KindDict {
				for _, k := range v.Keys {
					if since, ok := aliasKeySince[k]; ok && !rel.AtLeast(since) {
						warn("alias key %q is accepted from Nova %s; Nova %s refuses it", k, since, rel)
					}
				}
			}
			return nil, diags, pciInvalidAlias(msg)
		}
		for _, k := range v.Dups {
			warn("alias %d: key %q is given more than once; Nova keeps the last value", i+1, k)
		}
		spec := v.CopyDict()
		name := pysem.Strip(spec.Pop("name").Str)
		policy := "legacy"
		if p := spec.Pop("numa_policy"); p != nil && p.Str != "" {
			policy = p.Str
		}
		if dt := spec.Pop("device_type"); dt != nil && dt.Str != "" {
			spec.Set("dev_type", dt)
		}
		if rel.AtLeast(rel2025_1) {
			if lm := spec.Pop("live_migratable"); lm != nil {
				b, msg := strictBool(lm)
				if msg != "" {
					return nil, diags, pciInvalidAlias(msg)
				}
				if b {
					spec.Set("live_migratable", pysem.NewStr("true"))
				} else {
					spec.Set("live_migratable", pysem.NewStr("false"))
				}
			}
		}
		as := newAliasSpec(spec, policy)
		for _, k := range []string{"vendor_id", "product_id"} {
			if x, ok := as.Spec[k]; ok && !isPlainHex4(x) {
				warn("alias %q: %s %s passes Nova's check but never equals a device's ID (Nova compares IDs as strings, such as \"10de\")", name, k, pysem.StrRepr(x))
			}
		}
		if as.CapabilityType != "" {
			warn("alias %q: capability_type is compared with a device tag of that name, which devices only carry when their device_spec sets it: without it the alias matches no device", name)
		}
		if (as.ResourceClass != "" || len(as.Traits) > 0) && opts.PCIInPlacement != nil && !*opts.PCIInPlacement {
			warn("alias %q: resource_class and traits are only used when [filter_scheduler]pci_in_placement is true", name)
		}
		a, ok := aliases[name]
		if !ok {
			a = &Alias{Name: name, NUMAPolicy: policy, DeviceType: as.DeviceType, Index: len(order), Specs: []AliasSpec{as}, Release: rel}
			aliases[name] = a
			order = append(order, name)
			continue
		}
		if a.NUMAPolicy != policy {
			return nil, diags, pciInvalidAlias(sprintf("NUMA policy mismatch for alias '%s'", name))
		}
		first, ok1 := a.Specs[0].Spec["dev_type"]
		this, ok2 := as.Spec["dev_type"]
		if !ok1 || !ok2 {
			// aliases[name][1][0]['dev_type'] != spec['dev_type'] raises
			// KeyError when either entry has no device_type.
			warn("alias %q is defined more than once: Nova requires every definition to set device_type", name)
			return nil, diags, pciInvalidAlias("'dev_type'")
		}
		if first != this {
			return nil, diags, pciInvalidAlias(sprintf("Device type mismatch for alias '%s'", name))
		}
		a.Specs = append(a.Specs, as)
	}
	if err := validateAliases(aliases, order, rel, opts, warn); err != nil {
		return nil, diags, err
	}
	return aliases, diags, nil
}

func isPlainHex4(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if hexVal(c) < 0 {
			return false
		}
	}
	return true
}

func newAliasSpec(spec *pysem.Value, policy string) AliasSpec {
	as := AliasSpec{NUMAPolicy: policy, Spec: map[string]string{}}
	for _, k := range spec.Keys {
		val := spec.Get(k).Str
		as.Spec[k] = val
		as.keys = append(as.keys, k)
		switch k {
		case "vendor_id":
			as.VendorID = val
		case "product_id":
			as.ProductID = val
		case "dev_type":
			as.DeviceType = val
		case "resource_class":
			as.ResourceClass = val
		case "traits":
			if val != "" {
				as.Traits = strings.Split(val, ",")
			}
		case "capability_type":
			as.CapabilityType = val
		case "live_migratable":
			as.LiveMigratable = val
		}
	}
	return as
}

// validateAliases is _validate_aliases (2025.2; 2025.1 from 31.3.1).
func validateAliases(aliases map[string]*Alias, order []string, rel novarelease.Release, opts Options, warn func(string, ...any)) error {
	if !rel.AtLeast(rel2025_1) {
		return nil
	}
	// 2025.1 got these checks in a point release (31.3.1): gpupass warns.
	enforce := rel.AtLeast(rel2025_2)
	nova := "Nova " + rel.Name
	if !enforce {
		nova += " (from 31.3.1)"
	}
	report := func(msg string) error {
		if enforce {
			return &NovaError{Exception: "PciInvalidAlias", Message: msg}
		}
		warn("%s refuses this: %s", nova, msg)
		return nil
	}
	inPlacement := opts.PCIInPlacement != nil && *opts.PCIInPlacement
	if inPlacement {
		var multi []string
		for _, n := range order {
			if len(aliases[n].Specs) > 1 {
				multi = append(multi, n)
			}
		}
		if len(multi) > 0 {
			msg := sprintf("The PCI alias(es) %s have multiple specs but [filter_scheduler]pci_in_placement is True. The PCI in Placement feature only supports one spec per alias. You can assign the same resource_class to multiple [pci]device_spec matchers to allow using different devices for the same alias.", strings.Join(multi, ","))
			if err := report(msg); err != nil {
				return err
			}
		}
	} else if opts.PCIInPlacement == nil {
		for _, n := range order {
			if len(aliases[n].Specs) > 1 {
				warn("alias %q has %d definitions: %s refuses that when [filter_scheduler]pci_in_placement is true", n, len(aliases[n].Specs), nova)
				break
			}
		}
	}
	var missing []string
	for _, n := range order {
		for _, s := range aliases[n].Specs {
			_, v := s.Spec["vendor_id"]
			_, p := s.Spec["product_id"]
			_, rc := s.Spec["resource_class"]
			if v && p || inPlacement && rc {
				continue
			}
			if opts.PCIInPlacement == nil && rc {
				warn("alias %q has resource_class but not vendor_id and product_id: %s accepts it only when [filter_scheduler]pci_in_placement is true", n, nova)
				continue
			}
			missing = append(missing, n)
			break
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		msg := sprintf("The PCI alias(es) %s does not have vendor_id and product_id fields set.", strings.Join(missing, ","))
		if inPlacement {
			msg = sprintf("The PCI alias(es) %s does not have vendor_id and product_id fields set or resource_class field set.", strings.Join(missing, ","))
		}
		if err := report(msg); err != nil {
			return err
		}
	}
	return nil
}

// Match reports whether the alias spec selects the device, given the
// device type Nova gives it (see DeviceType), as Nova's
// pci_device_prop_match does against the device's pool: every key of the
// spec must equal, ignoring case, the pool's value. The pool holds the
// device's vendor_id, product_id and dev_type, and the tags of the
// device_spec that admitted it; without those tags (see MatchPool), a spec
// with capability_type or live_migratable matches nothing. resource_class
// and traits are left to Placement and ignored here.
func (a AliasSpec) Match(d *pcidev.Device, deviceType string) bool {
	return a.MatchPool(d, deviceType, nil)
}

// MatchPool is Match with the tags of the device_spec that admitted the
// device (nil for none).
func (a AliasSpec) MatchPool(d *pcidev.Device, deviceType string, spec *DeviceSpec) bool {
	for _, k := range a.keys {
		want := strings.ToLower(a.Spec[k])
		var have *pysem.Value
		switch k {
		case "resource_class", "traits":
			continue
		case "vendor_id":
			have = pysem.NewStr(d.VendorID)
		case "product_id":
			have = pysem.NewStr(d.DeviceID)
		case "dev_type":
			have = pysem.NewStr(deviceType)
		}
		if spec != nil && spec.tags != nil {
			if t := spec.tags.Get(k); t != nil {
				have = t // tags override the pool's own keys
			}
		}
		if have == nil || have.Kind != pysem.KindStr || strings.ToLower(have.Str) != want {
			return false
		}
	}
	return true
}
