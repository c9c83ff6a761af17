package pcispec

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/internal/pysem"

	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

// Any is the wildcard of vendor_id, product_id and the glob address fields.
const Any = "*"

// Options is what Nova's verdict depends on besides the value and the
// release.
type Options struct {
	// Sysfs is the compute node as Nova reads it while parsing; nil when
	// unknown, in which case the checks that need the host are left out
	// and reported as warnings.
	Sysfs Sysfs
	// ReportInPlacement is [pci]report_in_placement (default false); nil
	// when unknown. From 2025.2, one_time_use=true requires it.
	ReportInPlacement *bool
	// PCIInPlacement is [filter_scheduler]pci_in_placement (2023.1 and
	// later, default false); nil when unknown. From 2025.2 it changes
	// which aliases are valid.
	PCIInPlacement *bool
}

// Nova releases whose rules differ.
var (
	relZed    = mustRelease("zed")
	rel2023_1 = mustRelease("2023.1")
	rel2025_1 = mustRelease("2025.1")
	rel2025_2 = mustRelease("2025.2")
	rel2026_2 = mustRelease("2026.2")
)

// python314 reports whether release rel runs on Python 3.14 as gpupass
// models it: Debian sid's, whose python3-nova judges 2026.2 live
// (testdata/novaconf/judges.json). Python 3.14 words some of the
// exceptions Nova lets through differently.
func python314(rel novarelease.Release) bool { return rel.AtLeast(rel2026_2) }

func mustRelease(name string) novarelease.Release {
	r, err := novarelease.Parse(name)
	if err != nil {
		panic(err)
	}
	return r
}

// DeviceSpec is one parsed [pci]device_spec entry.
type DeviceSpec struct {
	// Index is the entry's position in its value (a JSON list gives
	// several entries).
	Index int
	// Release is the Nova release whose rules parsed it.
	Release novarelease.Release
	// VendorID and ProductID are Any, or the number as Nova keeps it:
	// four lower-case hex digits ("10de"); a negative number, which Nova
	// accepts, keeps its sign ("-001") and matches no device.
	VendorID, ProductID string
	// Address is the address matcher; nil when DevName is set.
	Address *AddressSpec
	// DevName is the network interface named by "devname" (Python's str()
	// of the value), "" when absent or empty: Nova then matches by address.
	DevName string
	// Tags holds every other key with Python's str() of its value, after
	// the release's normalisation (managed, live_migratable and, from
	// 2025.2, one_time_use become "true" or "false").
	Tags map[string]string

	tags          *pysem.Value // the remaining keys, as Python values
	remoteManaged bool
	sysfs         Sysfs // nil when the host is unknown
}

// AddressSpec is the address part of a device_spec.
type AddressSpec struct {
	// Regex is true for the dict form (Python regexes matched with
	// re.match), false for the glob string form.
	Regex bool
	// Domain, Bus, Slot and Function are, for a glob, Any or the value as
	// Nova formats it ("0000", "0a", "00", "5"); for a regex, the
	// patterns (".*" for a missing key).
	Domain, Bus, Slot, Function string
	// PhysicalFunction is true when Nova found, on the host, that the
	// address names an SR-IOV physical function: it then also matches the
	// function's VFs. Only known when parsed with Options.Sysfs.
	PhysicalFunction bool
	// physical is true for the exact address Nova takes from devname.
	physical bool
	regexes  [4]*pysem.Regex
}

// Single reports whether every field is hex digits (an exact address),
// as Nova's is_single_address: only then can the address be a PF's.
func (a *AddressSpec) Single() bool {
	for _, f := range a.fields() {
		for _, r := range f {
			if hexVal(r) < 0 {
				return false
			}
		}
	}
	return true
}

func (a *AddressSpec) fields() [4]string { return [4]string{a.Domain, a.Bus, a.Slot, a.Function} }

// String is the address in its configuration form: DOMAIN:BUS:SLOT.FUNCTION
// for a glob, or the regexes as a dict.
func (a *AddressSpec) String() string {
	if a.Regex {
		return fmt.Sprintf("{domain: %s, bus: %s, slot: %s, function: %s}", pysem.StrRepr(a.Domain), pysem.StrRepr(a.Bus), pysem.StrRepr(a.Slot), pysem.StrRepr(a.Function))
	}
	return fmt.Sprintf("%s:%s:%s.%s", a.Domain, a.Bus, a.Slot, a.Function)
}

// novaStr is str() of Nova's address object, which its messages print:
// only the exact address from a devname has a readable form (Nova prints
// the others as "<... object at 0x...>", without the address here).
func (a *AddressSpec) novaStr() string {
	switch {
	case a.physical:
		return a.String()
	case a.Regex:
		return "<nova.pci.devspec.PciAddressRegexSpec object>"
	}
	return "<nova.pci.devspec.PciAddressGlobSpec object>"
}

// matchFields is the spec's match() against a parsed device address.
// evaluable is false when a regex needed more work than gpupass allows
// (pysem.MatchBudget) and no other field settled the answer.
func (a *AddressSpec) matchFields(f [4]string) (matched, evaluable bool) {
	mine := a.fields()
	evaluable = true
	for i := range f {
		switch {
		case a.Regex:
			ok, err := a.regexes[i].Match(f[i])
			if err != nil {
				evaluable = false
			} else if !ok {
				return false, true
			}
		case a.physical:
			if mine[i] != f[i] {
				return false, true
			}
		default:
			if mine[i] != Any && mine[i] != f[i] {
				return false, true
			}
		}
	}
	return evaluable, evaluable
}

// ParseDeviceSpec parses one [pci]device_spec value (a JSON object, or a
// list of them) as release rel of Nova would, on a host gpupass does not
// know (see ParseDeviceSpecWith); err's text is Nova's message.
func ParseDeviceSpec(value string, rel novarelease.Release) ([]*DeviceSpec, []Diagnostic, error) {
	return ParseDeviceSpecWith(value, rel, Options{})
}

// ParseDeviceSpecWith is ParseDeviceSpec with what Nova reads from the host
// and the rest of its configuration.
func ParseDeviceSpecWith(value string, rel novarelease.Release, opts Options) ([]*DeviceSpec, []Diagnostic, error) {
	p := &specParser{rel: rel, opts: opts}
	specs, err := p.parse(value)
	if err != nil {
		return nil, p.diags, err
	}
	return specs, p.diags, nil
}

type specParser struct {
	rel   novarelease.Release
	opts  Options
	diags []Diagnostic
}

func (p *specParser) warn(format string, args ...any) {
	p.diags = append(p.diags, warnf(format, args...))
}

func (p *specParser) parse(value string) ([]*DeviceSpec, error) {
	py := pythonOf(p.rel)
	v, err := py.LoadJSON(value, jsonMaxDepth(py, pyJSONMaxDepthDeviceSpec))
	if err != nil {
		if je, ok := err.(*pysem.JSONError); ok && je.Exception == "RecursionError" {
			return nil, novaErr("RecursionError", "%s", je.Message)
		}
		return nil, pciConfigInvalidSpec("Invalid entry: '%s'", value)
	}
	var list []*pysem.Value
	switch v.Kind {
	case pysem.KindDict:
		list = []*pysem.Value{v}
	case pysem.KindList:
		list = v.List
	default:
		return nil, pciConfigInvalidSpec("Invalid entry: '%s'; Expecting list or dict", value)
	}
	var specs []*DeviceSpec
	for i, ds := range list {
		if ds.Kind != pysem.KindDict {
			return nil, pciConfigInvalidSpec("Invalid entry: '%s'; Expecting dict", pysem.StrOf(ds))
		}
		s, err := p.parseOne(ds, i)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// hexField is PciAddressSpec._set_pci_dev_info: Any, or int(a, 16) within
// max, formatted to width.
func (p *specParser) hexField(prop string, a *pysem.Value, max int64, width int) (string, error) {
	if a.Kind == pysem.KindStr && a.Str == Any {
		return Any, nil
	}
	if a.Kind != pysem.KindStr {
		return "", novaErr("TypeError", "int() can't convert non-string with explicit base")
	}
	r := pythonOf(p.rel).ParseInt(a.Str, 16)
	if r.Value == nil {
		return "", pciConfigInvalidSpec("property %s ('%s') does not parse as a hex number.", prop, a.Str)
	}
	if r.Value.Cmp(big.NewInt(max)) > 0 {
		return "", pciConfigInvalidSpec("property %s (%s) is greater than the maximum allowable value (%X).", prop, a.Str, max)
	}
	out := pysem.FormatHex(r.Value, width)
	switch {
	case r.Value.Sign() < 0:
		p.warn("%s %s is negative; Nova accepts it as %s, which matches no device", prop, pysem.StrRepr(a.Str), out)
	case !r.Canonical || pysem.Len(a.Str) != width:
		p.warn("%s %s is not written as %d hex digits; Nova reads it as %s", prop, pysem.StrRepr(a.Str), width, out)
	}
	return out, nil
}

func (p *specParser) parseOne(ds *pysem.Value, index int) (*DeviceSpec, error) {
	if py := pythonOf(p.rel); ds.Depth() > deepcopyMaxDepth(py) {
		return nil, novaErr("RecursionError", "%s", recursionMessage(py))
	}
	for _, k := range ds.Dups {
		p.warn("device_spec key %q is given more than once; Nova keeps the last value", k)
	}
	tags := ds.CopyDict()
	s := &DeviceSpec{Index: index, Release: p.rel, sysfs: p.opts.Sysfs}
	vendor := tags.Pop("vendor_id")
	if vendor == nil {
		vendor = pysem.NewStr(Any)
	}
	product := tags.Pop("product_id")
	if product == nil {
		product = pysem.NewStr(Any)
	}
	devname := tags.Pop("devname")
	address := tags.Pop("address")

	// self.vendor_id = self.vendor_id.strip()
	if vendor.Kind != pysem.KindStr {
		return nil, novaErr("AttributeError", "'%s' object has no attribute 'strip'", vendor.TypeName())
	}
	if stripped := pysem.Strip(vendor.Str); stripped != vendor.Str {
		p.warn("vendor_id %s has white space around it, which Nova strips", pysem.StrRepr(vendor.Str))
		vendor = pysem.NewStr(stripped)
	}
	var err error
	if s.VendorID, err = p.hexField("vendor_id", vendor, 0xffff, 4); err != nil {
		return nil, err
	}
	if s.ProductID, err = p.hexField("product_id", product, 0xffff, 4); err != nil {
		return nil, err
	}
	if address.Truthy() && devname.Truthy() {
		return nil, novaErr("PciDeviceInvalidDeviceName", "Invalid PCI Whitelist: The PCI whitelist can specify devname or address, but not both")
	}
	if devname != nil && !devname.Truthy() {
		p.warn("devname %s is empty: Nova ignores it and matches by address", pysem.Repr(devname))
	}
	if address != nil && !address.Truthy() {
		p.warn("address %s is empty: Nova uses *:*:*.*, every address", pysem.Repr(address))
	}
	if !devname.Truthy() {
		a := address
		if !a.Truthy() {
			a = pysem.NewStr("*:*:*.*")
		}
		if s.Address, err = p.whitelistAddress(a); err != nil {
			return nil, err
		}
	} else {
		s.DevName = pysem.StrOf(devname)
	}
	// _address_obj(): the address Nova matches with.
	addrObj, known, err := s.addressObj()
	if err != nil {
		return nil, err
	}
	switch {
	case !known:
		p.warn("devname %q: Nova looks the interface up on the compute node (/sys/class/net); a spec whose interface does not exist there matches nothing", s.DevName)
	case s.DevName != "" && addrObj == nil:
		p.warn("devname %q: the host has no such network interface backed by a PCI device; Nova accepts the spec, which matches nothing", s.DevName)
	}

	s.remoteManaged = boolFromString(tags.Get("remote_managed"))
	if err := p.normalizeTags(tags); err != nil {
		return nil, err
	}
	if s.remoteManaged {
		if err := p.checkRemoteManaged(s, addrObj, known); err != nil {
			return nil, err
		}
	}
	s.tags = tags
	s.Tags = map[string]string{}
	for _, k := range tags.Keys {
		s.Tags[k] = pysem.StrOf(tags.Get(k))
	}
	p.checkTags(s)
	return s, nil
}

// whitelistAddress is WhitelistPciAddress(address, False).
func (p *specParser) whitelistAddress(a *pysem.Value) (*AddressSpec, error) {
	var spec *AddressSpec
	var err error
	switch a.Kind {
	case pysem.KindStr:
		spec, err = p.globAddress(a.Str)
	case pysem.KindDict:
		spec, err = p.regexAddress(a)
	default:
		return nil, pciDeviceWrongAddressFormat(pysem.StrOf(a))
	}
	if err != nil {
		return nil, err
	}
	if spec.Single() && p.opts.Sysfs != nil {
		spec.PhysicalFunction = p.opts.Sysfs.IsPhysicalFunction(spec.Domain, spec.Bus, spec.Slot, spec.Function)
	}
	return spec, nil
}

// globAddress is PciAddressGlobSpec.
func (p *specParser) globAddress(addr string) (*AddressSpec, error) {
	if strings.IndexFunc(addr, pysem.IsSpace) >= 0 {
		p.warn("address %s has white space in it, which Nova strips from each field", pysem.StrRepr(addr))
	}
	a := &AddressSpec{Domain: Any, Bus: Any, Slot: Any, Function: Any}
	dbs, fn, _ := strings.Cut(addr, ".")
	var err error
	if fn != "" {
		if a.Function, err = p.hexField("func", pysem.NewStr(pysem.Strip(fn)), 7, 1); err != nil {
			return nil, err
		}
	}
	if dbs != "" {
		fields := strings.Split(dbs, ":")
		if len(fields) > 3 {
			return nil, pciDeviceWrongAddressFormat(addr)
		}
		all := append(make([]string, 3-len(fields)), fields...)
		for i := range all {
			if all[i] = pysem.Strip(all[i]); all[i] == "" {
				all[i] = Any
			}
		}
		if a.Domain, err = p.hexField("domain", pysem.NewStr(all[0]), 0xffff, 4); err != nil {
			return nil, err
		}
		if a.Bus, err = p.hexField("bus", pysem.NewStr(all[1]), 0xff, 2); err != nil {
			return nil, err
		}
		if a.Slot, err = p.hexField("slot", pysem.NewStr(all[2]), 0x1f, 2); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// regexAddress is PciAddressRegexSpec.
func (p *specParser) regexAddress(d *pysem.Value) (*AddressSpec, error) {
	for _, k := range d.Dups {
		p.warn("address key %q is given more than once; Nova keeps the last value", k)
	}
	for _, k := range d.Keys {
		switch k {
		case "domain", "bus", "slot", "function":
		default:
			p.warn("address key %q is not one of domain, bus, slot, function: Nova ignores it", k)
		}
	}
	a := &AddressSpec{Regex: true}
	var pats [4]string
	for i, k := range []string{"domain", "bus", "slot", "function"} {
		v := d.Get(k)
		if v == nil {
			pats[i] = ".*"
			continue
		}
		switch v.Kind {
		case pysem.KindStr:
			pats[i] = v.Str
		case pysem.KindList, pysem.KindDict:
			// re.compile's cache is a dict keyed by a tuple that holds
			// the pattern.
			if python314(p.rel) {
				return nil, novaErr("TypeError", "cannot use 'tuple' as a dict key (unhashable type: '%s')", v.TypeName())
			}
			return nil, novaErr("TypeError", "unhashable type: '%s'", v.TypeName())
		default:
			return nil, novaErr("TypeError", "first argument must be string or compiled pattern")
		}
	}
	a.Domain, a.Bus, a.Slot, a.Function = pats[0], pats[1], pats[2], pats[3]
	for i, pat := range pats {
		r, err := pythonOf(p.rel).Compile(pat)
		if err != nil {
			if err.Exception != "re.error" {
				return nil, novaErr(err.Exception, "%s", stripPosition(err))
			}
			return nil, pciDeviceWrongAddressFormat(pysem.StrOf(d))
		}
		a.regexes[i] = r
		if _, err := r.Match(addressProbe[i]); err == pysem.ErrTooComplex {
			p.warn("address %s regex %s: Nova accepts it, but it needs more backtracking than gpupass allows (%d steps on %q): gpupass cannot tell which devices it admits", []string{"domain", "bus", "slot", "function"}[i], pysem.StrRepr(pat), pysem.MatchBudget, addressProbe[i])
		}
	}
	return a, nil
}

// addressProbe is an address's fields as Nova gives them to the regexes,
// tried once at parse time to warn about a pattern too complex to
// evaluate.
var addressProbe = [4]string{"0000", "00", "00", "0"}

func stripPosition(e *pysem.ReError) string { return e.Message }

// physicalAddress is PhysicalPciAddress(str): an exact D:B:S.F address.
func physicalAddress(addr string) (*AddressSpec, error) {
	if a := plainPhysicalAddress(addr); a != nil {
		return a, nil
	}
	dbs, fn, _ := strings.Cut(addr, ".")
	parts := strings.Split(dbs, ":")
	if len(parts) != 3 {
		return nil, pciDeviceWrongAddressFormat(addr)
	}
	a := &AddressSpec{physical: true}
	p := &specParser{}
	var err error
	if a.Function, err = p.hexField("func", pysem.NewStr(fn), 7, 1); err != nil {
		return nil, err
	}
	if a.Domain, err = p.hexField("domain", pysem.NewStr(parts[0]), 0xffff, 4); err != nil {
		return nil, err
	}
	if a.Bus, err = p.hexField("bus", pysem.NewStr(parts[1]), 0xff, 2); err != nil {
		return nil, err
	}
	if a.Slot, err = p.hexField("slot", pysem.NewStr(parts[2]), 0x1f, 2); err != nil {
		return nil, err
	}
	return a, nil
}

// plainPhysicalAddress is physicalAddress's answer for an address as the
// kernel writes it, "dddd:bb:ss.f" in hex digits (the audit asks it for
// every device of every host report): int(x, 16) of plain ASCII hex
// digits is the same in every Python, and "%0Nx" gives them back in lower
// case, so no Python emulation is needed. Anything else, or a value out of
// range, is left to the full parse (nil).
func plainPhysicalAddress(addr string) *AddressSpec {
	if len(addr) != 12 || addr[4] != ':' || addr[7] != ':' || addr[10] != '.' {
		return nil
	}
	for i := 0; i < len(addr); i++ {
		switch c := addr[i]; {
		case i == 4 || i == 7 || i == 10:
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return nil
		}
	}
	slot, err := strconv.ParseUint(addr[8:10], 16, 8)
	if err != nil || slot > 0x1f || addr[11] > '7' {
		return nil
	}
	return &AddressSpec{physical: true, Domain: strings.ToLower(addr[0:4]), Bus: strings.ToLower(addr[5:7]),
		Slot: strings.ToLower(addr[8:10]), Function: addr[11:12]}
}

// addressObj is PciDeviceSpec._address_obj(): the address, or for a
// devname the address of the interface on the host (nil when it has none).
// known is false when the devname cannot be resolved because the host is
// unknown.
func (s *DeviceSpec) addressObj() (a *AddressSpec, known bool, err error) {
	if s.DevName == "" {
		return s.Address, true, nil
	}
	if s.sysfs == nil {
		return nil, false, nil
	}
	addr, pf := s.sysfs.FunctionByIfname(s.DevName)
	if addr == "" {
		return nil, true, nil
	}
	if pf {
		a, err := physicalAddress(addr)
		if err != nil {
			return nil, true, err
		}
		a.PhysicalFunction = true
		return a, true, nil
	}
	p := &specParser{opts: Options{Sysfs: s.sysfs}}
	a, err = p.whitelistAddress(pysem.NewStr(addr))
	return a, true, err
}

// boolFromString is oslo_utils.strutils.bool_from_string(v) (not strict).
func boolFromString(v *pysem.Value) bool {
	b, _ := strictBool(v)
	return b
}

var trueStrings = []string{"1", "t", "true", "on", "y", "yes"}
var falseStrings = []string{"0", "f", "false", "off", "n", "no"}

// strictBool is bool_from_string(v, strict=True): the value, or the
// ValueError message.
func strictBool(v *pysem.Value) (bool, string) {
	if v == nil {
		v = &pysem.Value{Kind: pysem.KindNone}
	}
	if v.Kind == pysem.KindBool {
		return v.Bool, ""
	}
	subject := pysem.StrOf(v)
	lowered := pysem.ASCIILower(pysem.Strip(subject))
	for _, t := range trueStrings {
		if lowered == t {
			return true, ""
		}
	}
	for _, f := range falseStrings {
		if lowered == f {
			return false, ""
		}
	}
	all := append(append([]string{}, trueStrings...), falseStrings...)
	sort.Strings(all)
	quoted := make([]string, len(all))
	for i, s := range all {
		quoted[i] = "'" + s + "'"
	}
	return false, sprintf("Unrecognized value '%s', acceptable values are: %s", subject, strings.Join(quoted, ", "))
}

// normalizeTags applies the release's boolean tags.
func (p *specParser) normalizeTags(tags *pysem.Value) error {
	var boolTags []string
	if p.rel.AtLeast(rel2025_1) {
		boolTags = append(boolTags, "managed", "live_migratable")
	}
	if p.rel.AtLeast(rel2025_2) {
		boolTags = append(boolTags, "one_time_use")
	}
	for _, tag := range boolTags {
		v := tags.Get(tag)
		if v == nil || v.Kind == pysem.KindNone {
			continue
		}
		b, msg := strictBool(v)
		if msg != "" {
			return pciConfigInvalidSpec("Cannot parse tag '%s': %s", tag, msg)
		}
		if b {
			tags.Set(tag, pysem.NewStr("true"))
		} else {
			tags.Set(tag, pysem.NewStr("false"))
		}
	}
	if p.rel.AtLeast(rel2025_2) {
		if v := tags.Get("one_time_use"); v != nil && v.Kind == pysem.KindStr && v.Str == "true" {
			switch {
			case p.opts.ReportInPlacement == nil:
				p.warn("one_time_use=true: Nova %s refuses to start unless [pci]report_in_placement is true", p.rel)
			case !*p.opts.ReportInPlacement:
				return pciConfigInvalidSpec("one_time_use=true requires pci.report_in_placement to be enabled")
			}
		}
	}
	return nil
}

// checkRemoteManaged is the remote_managed part of
// PciDeviceSpec._init_dev_details.
func (p *specParser) checkRemoteManaged(s *DeviceSpec, a *AddressSpec, known bool) error {
	if !known {
		p.warn("remote_managed with devname %q: Nova refuses to start if the interface does not exist on the compute node, or names a PF whose VF product ID is not product_id", s.DevName)
		return nil
	}
	if a == nil {
		return novaErr("PciDeviceRemoteManagedNotPresent", `Invalid PCI Whitelist: A device specified as "remote_managed" is not actually present on the host`)
	}
	if p.opts.Sysfs == nil {
		if a.Single() {
			p.warn("remote_managed: Nova refuses the spec if %s:%s:%s.%s is an SR-IOV PF on the compute node (remote_managed PFs are not supported)", a.Domain, a.Bus, a.Slot, a.Function)
		}
		return nil
	}
	if !a.PhysicalFunction {
		return nil
	}
	pfAddr := a.novaStr()
	vfProduct, err := p.opts.Sysfs.VFProductIDByPFAddr(pfAddr)
	if err != nil {
		return err
	}
	pfVendor, pfProduct, err := p.opts.Sysfs.PCIIDsByPCIAddr(pfAddr)
	if err != nil {
		return err
	}
	switch {
	case s.ProductID == vfProduct && (s.VendorID == pfVendor || s.VendorID == Any):
		return nil
	case (s.ProductID == pfProduct || s.ProductID == Any) && (s.VendorID == pfVendor || s.VendorID == Any):
		return novaErr("PciDeviceInvalidPFRemoteManaged", "%s", pfAddr)
	}
	return pciConfigInvalidSpec("the specified VF vendor ID %s and product ID %s do not match the expected VF IDs based on the corresponding PF identified by PCI address %s", s.VendorID, s.ProductID, pfAddr)
}

// knownTags lists the tags release rel gives a meaning to, with the
// release that introduced each.
func knownTags() []struct {
	name  string
	since novarelease.Release
} {
	return []struct {
		name  string
		since novarelease.Release
	}{
		{"physical_network", relZed},
		{"trusted", relZed},
		{"remote_managed", relZed},
		{"resource_class", relZed},
		{"traits", relZed},
		{"managed", rel2025_1},
		{"live_migratable", rel2025_1},
		{"one_time_use", rel2025_2},
	}
}

func (p *specParser) checkTags(s *DeviceSpec) {
	known := map[string]novarelease.Release{}
	for _, t := range knownTags() {
		known[t.name] = t.since
	}
	for _, k := range s.tags.Keys {
		v := s.tags.Get(k)
		since, ok := known[k]
		switch {
		case !ok:
			p.warn("tag %q is not one Nova %s uses: Nova keeps it as a free-form tag that only requests naming it can match (a misspelt key?)", k, p.rel)
		case !p.rel.AtLeast(since):
			d := warnf("tag %q has an effect from Nova %s only: Nova %s keeps it as a free-form tag and ignores it", k, since, p.rel)
			d.IgnoredTag = k
			p.diags = append(p.diags, d)
		case v.Kind != pysem.KindStr && v.Kind != pysem.KindNone && (k == "physical_network" || k == "resource_class" || k == "traits"):
			p.warn("tag %q is %s, not a string: Nova compares it as is and it matches no request", k, pysem.Repr(v))
		case k == "trusted" && v.Kind != pysem.KindStr:
			p.warn("tag \"trusted\" is %s, not a string: Nova compares it with the string a port's request carries (\"true\") and never matches; write \"true\"", pysem.Repr(v))
		}
	}
}

// PhysicalNetwork is the physical_network tag.
func (s *DeviceSpec) PhysicalNetwork() (string, bool) {
	v, ok := s.Tags["physical_network"]
	return v, ok
}

// Trusted is the trusted tag as Nova matches it against a port's request
// for a trusted VF: the string "true" in any case. A JSON boolean true
// does not match (Nova compares it with the string "true").
func (s *DeviceSpec) Trusted() bool {
	v := s.tags.Get("trusted")
	return v != nil && v.Kind == pysem.KindStr && strings.ToLower(v.Str) == "true"
}

// RemoteManaged is the remote_managed tag as Nova reads it
// (strutils.bool_from_string: true, 1, yes, on, t, y in any case).
func (s *DeviceSpec) RemoteManaged() bool { return s.remoteManaged }

// ResourceClass is the resource_class tag, used when Nova reports PCI
// devices to Placement ([pci]report_in_placement); Nova upper-cases it and
// adds CUSTOM_ unless it is a standard class.
func (s *DeviceSpec) ResourceClass() (string, bool) {
	v, ok := s.Tags["resource_class"]
	return v, ok
}

// Traits is the traits tag split at commas, as Nova splits it.
func (s *DeviceSpec) Traits() []string {
	v, ok := s.Tags["traits"]
	if !ok || v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// boolTag reads a tag Nova normalises to "true"/"false" from release since.
func (s *DeviceSpec) boolTag(name string, since novarelease.Release) (value, set bool) {
	if !s.Release.AtLeast(since) {
		return false, false
	}
	v, ok := s.Tags[name]
	if !ok || v == "None" {
		return false, false
	}
	return v == "true", true
}

// Managed is the managed tag (2025.1 and later): whether libvirt detaches
// the device from its host driver itself; set is false when absent or the
// release ignores it (libvirt's default is managed).
func (s *DeviceSpec) Managed() (value, set bool) { return s.boolTag("managed", rel2025_1) }

// LiveMigratable is the live_migratable tag (2025.1 and later).
func (s *DeviceSpec) LiveMigratable() (value, set bool) {
	return s.boolTag("live_migratable", rel2025_1)
}

// OneTimeUse is the one_time_use tag (2025.2 and later).
func (s *DeviceSpec) OneTimeUse() (value, set bool) { return s.boolTag("one_time_use", rel2025_2) }

// deviceAddressFields parses a device's address as Nova's
// PhysicalPciAddress does.
func deviceAddressFields(addr string) ([4]string, bool) {
	a, err := physicalAddress(addr)
	if err != nil {
		return [4]string{}, false
	}
	return a.fields(), true
}

// Match reports whether the spec admits the device, as Nova's
// PciDeviceSpec.match does: the vendor and product IDs, and the address
// (an exact address that names an SR-IOV PF also matches the PF's VFs).
//
// evaluable is false when gpupass cannot give Nova's answer: an address
// regex needs more backtracking than gpupass allows on this address
// (pysem.MatchBudget; no pattern in Nova's or gpupass's corpora comes
// near it), the spec names a devname and the
// host's network interfaces are unknown, the device's IDs are unknown, its
// address is one Nova cannot parse (a domain above ffff), or the spec is
// remote_managed (Nova then also requires a card serial number in the
// device's VPD, which the inventory does not carry). matched is then true
// only if everything gpupass could check matched.
//
// When the spec was parsed without Options.Sysfs, an exact address is
// taken to be a PF's when the device is one of its VFs.
func (s *DeviceSpec) Match(d *pcidev.Device) (matched, evaluable bool) {
	return s.match(d, nil)
}

// MatchVPD is Match for a device whose VPD card serial number is known
// ("" for none): a remote_managed spec admits only a device with one, as
// Nova's PciDeviceSpec.match requires.
func (s *DeviceSpec) MatchVPD(d *pcidev.Device, cardSerial string) (matched, evaluable bool) {
	return s.match(d, &cardSerial)
}

// match is Match; cardSerial is the device's VPD card serial number, nil
// when unknown.
func (s *DeviceSpec) match(d *pcidev.Device, cardSerial *string) (matched, evaluable bool) {
	// Nova requires all of: vendor, product, address, and for a
	// remote_managed spec a card serial number. A condition gpupass can
	// tell is false settles the answer.
	idsKnown := true
	if s.VendorID != Any {
		if d.VendorID == "" {
			idsKnown = false
		} else if s.VendorID != d.VendorID {
			return false, true
		}
	}
	if s.ProductID != Any {
		if d.DeviceID == "" {
			idsKnown = false
		} else if s.ProductID != d.DeviceID {
			return false, true
		}
	}
	a, known, err := s.addressObj()
	if err != nil || !known {
		return false, false
	}
	if a == nil {
		return false, true // a devname the host does not have
	}
	devFields, valid := deviceAddressFields(d.Address)
	if !valid {
		return false, false // Nova raises on this address
	}
	isPF := a.PhysicalFunction
	if s.sysfs == nil && a.Single() && d.PhysFn != "" {
		f := a.fields()
		isPF = f[0]+":"+f[1]+":"+f[2]+"."+f[3] == d.PhysFn
	}
	addrOK, addrKnown := false, true
	check := func(f [4]string) {
		ok, known := a.matchFields(f)
		addrOK = addrOK || ok
		addrKnown = addrKnown && known
	}
	if isPF && d.PhysFn != "" {
		pf, valid := deviceAddressFields(d.PhysFn)
		if !valid {
			return false, false
		}
		check(pf)
	}
	if !addrOK {
		check(devFields)
	}
	if !addrOK {
		return false, addrKnown
	}
	if s.remoteManaged {
		if cardSerial == nil {
			return true, false
		}
		if *cardSerial == "" {
			return false, true
		}
	}
	return true, idsKnown
}
