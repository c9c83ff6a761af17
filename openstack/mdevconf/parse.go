package mdevconf

import (
	"fmt"
	"github.com/gpupass/gpupass/internal/pysem"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// The rules per release, from LibvirtDriver._get_supported_vgpu_types and
// nova/conf/devices.py's register_dynamic_opts (the function and its
// helpers _get_vgpu_type_per_pgpu and _get_resource_class_for_device
// compared across every tag of openstack/nova, mirror at 00a030403f):
//
//   - 26.0.0 (Zed) to 28.3.1 (2023.2): identical code. The groups are
//     registered at driver start only when several types are enabled;
//     a type without device_addresses makes the driver use the first type
//     alone, for every parent, as VGPU.
//   - 29.0.0 (2024.1) to 33.0.2 (2026.1): identical code (33.0.0 changed
//     only a type hint). Commits 60851e4464 "libvirt: Cap with
//     max_instances GPU types" and d445eaf9dd "vgpu: Allow
//     device_addresses to not be set", both first in tag 29.0.0: the
//     groups are always registered and read, max_instances exists, and a
//     type without device_addresses is the default for every parent not
//     listed elsewhere (a second such type is dropped with a warning).
//   - 34.0.0 (2026.2): commit f412fac1ae "Add mtty support for testing
//     fake mdevs" (in no tag up to 33.0.2) accepts a non-PCI address
//     naming an existing /sys/devices/virtual parent (the mtty sample
//     driver, for testing) and says "incorrect device address" instead of
//     "incorrect PCI address". gpupass reads nova.conf alone here, so it
//     takes a non-PCI address as Nova does on a host without such a
//     parent: the start-up error.
//
// Debian's python3-nova 26.2.2 (Zed), 31.0.0 (2025.1) and 34.0.0 (2026.2)
// hold the same code as those tags (and, for 34.0.0, as the mirror's
// master at 00a030403f); testdata/oracle/oracle.py runs it.

// majorCaracal is Nova 29 (2024.1), the first major with the new rules.
const majorCaracal = 29

// majorHibiscus is Nova 34 (2026.2), which words a bad address
// "incorrect device address".
const majorHibiscus = 34

// ExcInvalidMdevConfig is the exception Nova raises for a bad
// [mdev_<type>] configuration; its message is
// "Invalid configuration for mdev-capable devices: <reason>".
const ExcInvalidMdevConfig = "InvalidLibvirtMdevConfig"

// ExcConfigFileValueError is oslo.config's exception for a value it cannot
// convert (mdev_class, max_instances).
const ExcConfigFileValueError = "ConfigFileValueError"

// invalidMdevConfig is nova.exception.InvalidLibvirtMdevConfig's msg_fmt
// (identical in 26.2.2, 31.0.0 and 34.0.0).
const invalidMdevConfig = "Invalid configuration for mdev-capable devices: %s"

// Nova's reasons (driver.py, _get_supported_vgpu_types). From 29.0.0 the
// method also raises "can't find  '[devices]/mdev_None group' in the
// configuration" when getattr(CONF, 'mdev_<type>') finds no group; that
// cannot happen, as the method registers every enabled type's group just
// before ("Should never happen", says Nova's comment), so it is not
// modelled.
const (
	reasonDuplicate      = "duplicate types for PCI ID %s"
	reasonBadAddress     = "incorrect PCI address: %s"
	reasonBadAddress2026 = "incorrect device address: %s" // 34.0.0 (2026.2)
)

// loadDriverLog is what nova-compute logs when constructing the driver
// raises a ValueError (oslo.config's ConfigFileValueError is one):
// nova/virt/driver.py load_compute_driver, 26.2.2 to 34.0.0, with the
// traceback of the error after it; then it exits with status 1.
const loadDriverLog = "Compute driver 'libvirt.LibvirtDriver' from 'nova.virt' is not of type '<class 'nova.virt.driver.ComputeDriver'>'"

// classPattern is mdev_class's regex (devices.py). Python's "$" also
// matches before a final newline; Go's \z does not, hence the \n?.
const classPattern = `^(VGPU|CUSTOM_[A-Z0-9_]+)$`

var classRe = regexp.MustCompile(`\A(?:VGPU|CUSTOM_[A-Z0-9_]+)\n?\z`)

// classMaxLength is mdev_class's max_length.
const classMaxLength = 255

// VGPU is the standard resource class of a vGPU (os-resource-classes).
const VGPU = "VGPU"

// The dynamic options of one type, as register_dynamic_opts declares them.
// Only device_addresses has deprecated_group='vgpu_<type>': mdev_class and
// max_instances are read from [mdev_<type>] alone.
func addressesOpt(t string) novaconf.Option {
	return novaconf.Option{
		Group: "mdev_" + t, Name: "device_addresses", Type: novaconf.TypeList,
		Deprecated: []novaconf.Name{{Group: "vgpu_" + t, Name: "device_addresses"}},
	}
}

func classOpt(t string) novaconf.Option {
	return novaconf.Option{Group: "mdev_" + t, Name: "mdev_class", Type: novaconf.TypeStr, Default: VGPU}
}

func maxOpt(t string) novaconf.Option {
	return novaconf.Option{Group: "mdev_" + t, Name: "max_instances", Type: novaconf.TypeInt, Since: "2024.1"}
}

// Parse reads the mdev options of a nova.conf and applies the rules of
// release rel; nil when c is nil or holds no configuration.
func Parse(c *novaconf.Set, rel novarelease.Release) *Conf {
	if c == nil || c.Config == nil {
		return nil
	}
	r := &reader{c: c, conf: &Conf{Release: rel}, newRules: rel.Major >= majorCaracal,
		py: pysem.ForNova(rel.Major), emitted: map[novaconf.Name]bool{}, addrValue: map[string]*novaconf.Value{}}
	r.readEnabled()
	r.readGroups()
	if r.parseError() {
		r.finish()
		return r.conf
	}
	if r.newRules {
		r.supported2024()
	} else {
		r.supportedZed()
	}
	r.finish()
	return r.conf
}

type reader struct {
	c    *novaconf.Set
	conf *Conf
	// newRules: 29.0.0 and later.
	newRules bool
	// py is the Python that runs the release: its int() and re's \d
	// take the decimal digits of its Unicode version.
	py pysem.Version
	// emitted are the deprecated names oslo.config already warned about
	// (it warns once per name).
	emitted map[novaconf.Name]bool
	// classSet is mdev_classes.
	classSet map[string]bool
	// why is, per type, why it was dropped.
	why map[string]string
	// order is the addresses of Mapping in the order mapped; addrValue
	// the device_addresses value each type was read from.
	order     []string
	addrValue map[string]*novaconf.Value
}

func (r *reader) warn(code string, where novaconf.Source, format string, args ...any) {
	r.conf.Warnings = append(r.conf.Warnings, Diagnostic{Code: code, Message: fmt.Sprintf(format, args...), Where: where})
}

func (r *reader) readEnabled() {
	vs := r.c.Lookup(novaconf.OptEnabledMdevTypes)
	if len(vs) == 0 {
		return
	}
	v := vs[0]
	r.conf.EnabledValue = &v
	r.deprecation(v, novaconf.OptEnabledMdevTypes)
	r.dollar(v)
	if l := novaconf.ParseList(v.Text); len(l) > 0 {
		r.conf.Enabled = l
	}
}

// deprecation records oslo.config's warning for a value read through a
// deprecated name (cfg._Namespace._check_deprecated), once per name.
func (r *reader) deprecation(v novaconf.Value, opt novaconf.Option) {
	if !v.Deprecated {
		return
	}
	k := novaconf.Name{Group: v.Group, Name: v.Name}
	if r.emitted[k] {
		return
	}
	r.emitted[k] = true
	r.warn(CodeDeprecated, v.Source, `Option "%s" from group "%s" is deprecated. Use option "%s" from group "%s".`,
		v.Name, v.Group, opt.Name, opt.Group)
}

// dollar warns about a value oslo.config would substitute and gpupass
// reads as written (novaconf substitutes what it knows exactly: then Text
// is no longer Raw).
func (r *reader) dollar(v novaconf.Value) {
	if strings.Contains(v.Raw, "$") && v.Text == v.Raw {
		r.warn(CodeNotModelled, v.Source, "[%s]%s holds a \"$\", which oslo.config replaces with another option's value "+
			"(\"$$\" for a \"$\" itself); gpupass reads the text as written", v.Section, v.Name)
	}
}

// readGroups lists the [mdev_*] and [vgpu_*] sections and what each sets
// itself.
func (r *reader) readGroups() {
	index := map[string]int{}
	for _, s := range r.c.Config.SectionsWithPrefix("mdev_", "vgpu_") {
		if _, ok := index[s.Group]; ok {
			continue
		}
		index[s.Group] = len(r.conf.Groups)
		g := Group{Type: s.Name[len("mdev_"):], Section: s.Group, Deprecated: strings.HasPrefix(s.Group, "vgpu_"), Where: s.Where()}
		if vs := r.c.Lookup(novaconf.Option{Group: s.Group, Name: "device_addresses", Type: novaconf.TypeList}); len(vs) > 0 {
			g.AddressesValue = &vs[0]
			g.DeviceAddresses = novaconf.ParseList(vs[0].Text)
		}
		if vs := r.c.Lookup(novaconf.Option{Group: s.Group, Name: "mdev_class", Type: novaconf.TypeStr}); len(vs) > 0 {
			g.ClassValue = &vs[0]
			g.MdevClass = vs[0].Text
		}
		if vs := r.c.Lookup(novaconf.Option{Group: s.Group, Name: "max_instances", Type: novaconf.TypeInt}); len(vs) > 0 {
			g.MaxValue = &vs[0]
			if n, msg := maxInstances(vs[0].Text, r.py); msg == "" {
				g.MaxInstances = n
			}
		}
		r.conf.Groups = append(r.conf.Groups, g)
	}
}

// parseError sets StartErr when the first error that stops oslo.config
// reading the files is a line in an [mdev_*] or [vgpu_*] section (an
// error elsewhere is novaconf's Problem, which GP302 reports: this
// package does not repeat it). nova-compute does not start: CONF()
// raises ConfigFileParseError before any driver exists.
func (r *reader) parseError() bool {
	for _, f := range r.c.Config.Parsed() {
		if f.Err == nil {
			continue
		}
		section := ""
		for _, s := range f.Sections {
			if s.Line <= f.Err.Source.Line {
				section = s.Group
			}
		}
		if !strings.HasPrefix(section, "mdev_") && !strings.HasPrefix(section, "vgpu_") {
			return false
		}
		e := &StartError{Exception: "ConfigFileParseError", Message: f.Err.Message, Where: f.Err.Source}
		if msg := novaconf.OsloMessage(f.Err.Code); msg != "" && f.Err.OsloLine > 0 {
			// cfg.ConfigFileParseError around cfg.ParseError.
			e.Message = fmt.Sprintf("Failed to parse %s: at %s:%d, %s: %s", f.Name, f.Name, f.Err.OsloLine, msg, r.py.StrRepr(f.Err.Line))
		}
		r.conf.StartErr = e
		return true
	}
	return false
}

// group returns the Group of a section (normalised name), or nil.
func (r *reader) group(section string) *Group {
	section = novaconf.NormalizeGroup(section)
	for i := range r.conf.Groups {
		if r.conf.Groups[i].Section == section {
			return &r.conf.Groups[i]
		}
	}
	return nil
}

// typeWhere is where to point for a type: its [mdev_] section, else its
// [vgpu_] section, else enabled_mdev_types.
func (r *reader) typeWhere(t string) novaconf.Source {
	if g := r.group("mdev_" + t); g != nil {
		return g.Where
	}
	if g := r.group("vgpu_" + t); g != nil {
		return g.Where
	}
	return r.conf.EnabledValue.Source
}

// addresses is group.device_addresses as Nova reads it: [mdev_<type>],
// else [vgpu_<type>]; never invalid (a list of strings).
func (r *reader) addresses(t string) ([]string, *novaconf.Value) {
	opt := addressesOpt(t)
	vs := r.c.Lookup(opt)
	if len(vs) == 0 {
		return nil, nil
	}
	v := vs[0]
	r.deprecation(v, opt)
	r.dollar(v)
	r.addrValue[t] = &v
	return novaconf.ParseList(v.Text), &v
}

// valueError is oslo.config's ConfigFileValueError for a value it cannot
// convert (cfg.ConfigOpts._do_get). The location names the last file
// read that has a section written exactly as the group the value was
// found in (_Namespace._sections_to_file, keyed by the section as
// written and looked up by the normalised name): usually the value's
// own file, ” when every header of the group has capitals.
func (r *reader) valueError(opt string, v novaconf.Value, msg string) *StartError {
	file := ""
	for _, s := range r.c.Config.Sections() {
		if s.Name == v.Group {
			file = s.File
		}
	}
	return &StartError{
		Exception: ExcConfigFileValueError,
		Message: fmt.Sprintf("Value for option %s from LocationInfo(location=<Locations.user: (4, True)>, detail=%s) is not valid: %s",
			opt, r.py.StrRepr(file), msg),
		Where:  v.Source,
		Logged: loadDriverLog,
	}
}

// class is group.mdev_class: types.String(regex, max_length=255).
func (r *reader) class(t string) (string, *StartError) {
	vs := r.c.Lookup(classOpt(t))
	if len(vs) == 0 {
		return VGPU, nil
	}
	v := vs[0]
	r.dollar(v)
	if n := utf8.RuneCountInString(v.Text); n > classMaxLength {
		return "", r.valueError("mdev_class", v, fmt.Sprintf("Value '%s' exceeds maximum length %d", v.Text, classMaxLength))
	}
	if !classRe.MatchString(v.Text) {
		return "", r.valueError("mdev_class", v, fmt.Sprintf("Value %s doesn't match regex %s", r.py.StrRepr(v.Text), r.py.StrRepr(classPattern)))
	}
	return v.Text, nil
}

// maxInstances converts max_instances as types.Integer(min=1) does: 0
// for None (blank), else the number or the ValueError's message.
func maxInstances(text string, py pysem.Version) (int, string) {
	if strings.TrimFunc(text, pysem.IsSpace) == "" {
		return 0, ""
	}
	res := py.ParseInt(text, 10)
	if res.Value == nil {
		return 0, res.Err
	}
	n := res.Value
	if n.Sign() <= 0 {
		return 0, "Should be greater than or equal to 1"
	}
	if !n.IsInt64() || n.Int64() > math.MaxInt32 {
		return math.MaxInt32, "" // more than any GPU offers
	}
	return int(n.Int64()), ""
}

// max is group.max_instances (29.0.0 and later).
func (r *reader) max(t string) (int, *StartError) {
	vs := r.c.Lookup(maxOpt(t))
	if len(vs) == 0 {
		return 0, nil
	}
	r.dollar(vs[0])
	n, msg := maxInstances(vs[0].Text, r.py)
	if msg != "" {
		return 0, r.valueError("max_instances", vs[0], msg)
	}
	return n, nil
}

// mapAddresses is the loop over device_addresses common to every
// release: a duplicate (within the list or with an earlier group) and an
// address parse_address refuses stop nova-compute.
func (r *reader) mapAddresses(t, class string, addrs []string, v *novaconf.Value) bool {
	for _, a := range addrs {
		if _, dup := r.conf.Mapping[a]; dup {
			r.fail(fmt.Sprintf(reasonDuplicate, a), v.Source)
			return false
		}
		if !parseAddress(a, r.py) {
			reason := reasonBadAddress
			if r.conf.Release.Major >= majorHibiscus {
				reason = reasonBadAddress2026
			}
			r.fail(fmt.Sprintf(reason, a), v.Source)
			return false
		}
		r.conf.Mapping[a] = t
		r.conf.Classes[a] = class
		r.order = append(r.order, a)
		r.classSet[class] = true
	}
	return true
}

func (r *reader) fail(reason string, where novaconf.Source) {
	r.conf.StartErr = &StartError{Exception: ExcInvalidMdevConfig, Message: fmt.Sprintf(invalidMdevConfig, reason), Where: where}
}

// supportedZed is _get_supported_vgpu_types of 26.0.0 to 28.3.1.
func (r *reader) supportedZed() {
	c := r.conf
	types := c.Enabled
	if len(types) == 0 {
		return
	}
	c.Mapping, c.Classes, r.classSet, r.why = map[string]string{}, map[string]string{}, map[string]bool{}, map[string]string{}
	// register_dynamic_opts only with more than one type: with one, the
	// group does not exist yet when the driver starts (init_host
	// registers it later, after supported_vgpu_types is set), getattr
	// returns None and the first-type branch runs, without a warning.
	registered := len(types) > 1
	for _, t := range types {
		var addrs []string
		var av *novaconf.Value
		if registered {
			addrs, av = r.addresses(t)
		}
		if len(addrs) == 0 {
			first := types[0]
			if len(types) > 1 {
				where := r.typeWhere(t)
				if av != nil {
					where = av.Source
				}
				r.warn(CodeNovaLog, where, "The mdev type '%s' was listed in '[devices] enabled_mdev_types' but no corresponding "+
					"'[mdev_%s]' group or '[mdev_%s] device_addresses' option was defined. Only the first type '%s' will be used.",
					t, t, t, first)
				for _, o := range types {
					if o != first && r.why[o] == "" {
						r.why[o] = fmt.Sprintf("[mdev_%s] has no device_addresses, so Nova %s uses only the first enabled type, %s, on every mdev parent", t, c.Release.Name, first)
					}
				}
			} else {
				r.singleTypeIgnored(t)
			}
			clear(c.Mapping)
			clear(c.Classes)
			r.order = nil
			r.classSet = map[string]bool{VGPU: true}
			c.Used = []string{first}
			c.Default, c.DefaultClass = first, VGPU
			return
		}
		class, err := r.class(t)
		if err != nil {
			c.StartErr = err
			return
		}
		if !r.mapAddresses(t, class, addrs, av) {
			return
		}
	}
	c.Used = slices.Clone(types)
}

// singleTypeIgnored warns that Zed's driver never reads the group of its
// only type.
func (r *reader) singleTypeIgnored(t string) {
	for _, sec := range []string{"mdev_" + t, "vgpu_" + t} {
		g := r.group(sec)
		if g == nil || (g.AddressesValue == nil && g.ClassValue == nil) {
			continue
		}
		r.warn(CodeIgnored, g.Where, "with one type enabled, Nova %s's libvirt driver does not read [%s]: every mdev parent "+
			"offering %s gets it, with resource class VGPU, whatever device_addresses and mdev_class say "+
			"(from 2024.1, device_addresses limits the type to those parents)", r.conf.Release.Name, g.Section, t)
	}
}

// supported2024 is _get_supported_vgpu_types of 29.0.0 to 33.0.2.
func (r *reader) supported2024() {
	c := r.conf
	types := c.Enabled
	if len(types) == 0 {
		return
	}
	c.Mapping, c.Classes, r.classSet, r.why = map[string]string{}, map[string]string{}, map[string]bool{}, map[string]string{}
	c.MaxInstances = map[string]int{}
	var used []string
	defaultClass := ""
	for _, t := range types {
		used = append(used, t)
		class, err := r.class(t)
		if err != nil {
			c.StartErr = err
			return
		}
		n, err := r.max(t)
		if err != nil {
			c.StartErr = err
			return
		}
		if n > 0 {
			c.MaxInstances[t] = n
		}
		addrs, av := r.addresses(t)
		if len(addrs) == 0 {
			// "if not self.pgpu_type_default": a type named "" does not
			// count as set.
			if c.Default == "" {
				c.Default = t
				defaultClass = class
				r.classSet[class] = true
			} else {
				r.warn(CodeNovaLog, r.typeWhere(t), "Mdev type default already set to  %s so %s will not be used.", c.Default, t)
				if i := slices.Index(used, t); i >= 0 { // list.remove: the first occurrence
					used = slices.Delete(used, i, i+1)
				}
				if r.why[t] == "" {
					r.why[t] = fmt.Sprintf("[mdev_%s] has no device_addresses either: only one type, the first such (%s), is the default for the mdev parents no group lists", t, c.Default)
				}
			}
			continue
		}
		if !r.mapAddresses(t, class, addrs, av) {
			return
		}
	}
	c.Used = used
	if c.Default != "" {
		// _get_resource_class_for_device: mdev_class_mapping is a
		// defaultdict(VGPU), and the default type's parents are not in it.
		c.DefaultClass = VGPU
		if defaultClass != VGPU {
			r.warn(CodeIgnored, r.typeWhere(c.Default), "%s is the default type (its group has no device_addresses), and Nova %s "+
				"reports the inventory of the mdev parents it defaults to as VGPU, not as its mdev_class %s: "+
				"no provider offers %s, and nova-compute does not take VGPU allocations as vGPUs unless another group uses VGPU",
				c.Default, c.Release.Name, defaultClass, defaultClass)
		}
	}
}

// finish fills what follows from the outcome: on a StartErr nothing is
// used; otherwise the classes, the dropped types and the warnings about
// what this release ignores.
func (r *reader) finish() {
	c := r.conf
	if c.StartErr != nil {
		c.Used, c.Mapping, c.Classes, c.Default, c.DefaultClass, c.MaxInstances = nil, nil, nil, "", "", nil
		return
	}
	if len(c.Used) > 0 {
		for k := range r.classSet {
			c.ResourceClasses = append(c.ResourceClasses, k)
		}
		sort.Strings(c.ResourceClasses)
	}
	if len(c.Mapping) == 0 {
		c.Mapping, c.Classes = nil, nil
	}
	if len(c.MaxInstances) == 0 {
		c.MaxInstances = nil
	}
	seen := map[string]bool{}
	for _, t := range c.Enabled {
		if seen[t] || slices.Contains(c.Used, t) {
			continue
		}
		seen[t] = true
		c.Dropped = append(c.Dropped, Dropped{Type: t, Why: r.why[t]})
	}
	r.ignored()
}

// ignored warns about sections and options the release does not read,
// and addresses that can match no device.
func (r *reader) ignored() {
	c := r.conf
	enabled := map[string]bool{}
	for _, t := range c.Enabled {
		enabled[novaconf.NormalizeGroup("mdev_"+t)] = true
	}
	for _, g := range c.Groups {
		mdevSection := "mdev_" + g.Section[len("vgpu_"):]
		if !enabled[mdevSection] {
			r.warn(CodeIgnored, g.Where, "[%s] is for type %s, which [devices]enabled_mdev_types does not list: Nova ignores the section", g.Section, g.Type)
			continue
		}
		for _, v := range r.c.Config.GroupValues(g.Section) {
			switch {
			case v.Name == "device_addresses":
			case g.Deprecated && (v.Name == "mdev_class" || v.Name == "max_instances"):
				r.warn(CodeIgnored, v.Source, "Nova reads %s only from [%s], not from the deprecated [%s] (only device_addresses has the deprecated group)",
					v.Name, mdevSection, g.Section)
			case g.Deprecated:
				r.warn(CodeIgnored, v.Source, "Nova has no option %s in [%s] (only device_addresses, read from [%s] when that lacks it)", v.Name, g.Section, mdevSection)
			case v.Name == "mdev_class":
			case v.Name == "max_instances" && r.newRules:
			case v.Name == "max_instances":
				r.warn(CodeIgnored, v.Source, "max_instances exists from Nova 2024.1 (29.0.0): Nova %s ignores it", c.Release.Name)
			default:
				r.warn(CodeIgnored, v.Source, "Nova has no option %s in [%s] (it reads device_addresses, mdev_class%s)", v.Name, g.Section, map[bool]string{true: " and max_instances", false: ""}[r.newRules])
			}
		}
	}
	for _, a := range r.order {
		if canon, ok := canonicalAddress(a); !ok || canon != a {
			where := r.typeWhere(c.Mapping[a])
			if av := r.addrValue[c.Mapping[a]]; av != nil {
				where = av.Source
			}
			hint := "no PCI device has it"
			if ok {
				hint = "write " + canon
			}
			r.warn(CodeNeverMatches, where, "device address %q passes Nova's check but matches no mdev parent: Nova compares it, as text, "+
				"with the lower-case domain:bus:slot.function libvirt gives (%s)", a, hint)
		}
	}
}

// parseAddress is nova.pci.utils.parse_address's check, a re.match of
// ^([\da-fA-F]{4}):([\da-fA-F]{2}):([\da-fA-F]{2}).([0-7]{1})$ on a str:
// \d is any Unicode decimal digit, the "." any character but a newline,
// and "$" also matches before a final newline.
func parseAddress(s string, py pysem.Version) bool {
	rs := []rune(s)
	if n := len(rs); n == 13 && rs[12] == '\n' {
		rs = rs[:12]
	}
	if len(rs) != 12 {
		return false
	}
	hex := func(r rune) bool {
		return (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F') || py.Decimal(r) >= 0
	}
	for i, r := range rs {
		switch i {
		case 4, 7:
			if r != ':' {
				return false
			}
		case 10:
			if r == '\n' {
				return false
			}
		case 11:
			if r < '0' || r > '7' {
				return false
			}
		default:
			if !hex(r) {
				return false
			}
		}
	}
	return true
}

// canonicalAddress is the form an mdev parent's address takes in Nova's
// lookups (_get_pci_id_from_libvirt_name formats libvirt's
// pci_0000_84_00_0): lower-case ASCII hex, "." before the function.
// ok is false when the address has no such form (non-ASCII digits).
func canonicalAddress(a string) (string, bool) {
	if len(a) != 12 {
		return "", false
	}
	for i := 0; i < 12; i++ {
		c := a[i]
		switch i {
		case 4, 7, 10:
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return "", false
			}
		}
	}
	return strings.ToLower(a[:10]) + "." + a[11:], true
}

// TypeOf is the type and resource class Nova gives an mdev parent
// (_get_vgpu_type_per_pgpu, _get_resource_class_for_device); addr is
// its address as libvirt names it (lower-case 0000:84:00.0). "" when the
// parent gets no type.
func (c *Conf) TypeOf(addr string) (typ, class string) {
	if c == nil || len(c.Used) == 0 {
		return "", ""
	}
	if !c.Release.AtLeast(novarelease.Release{Major: majorCaracal}) && len(c.Used) == 1 {
		return c.Used[0], VGPU
	}
	if t := c.Mapping[addr]; t != "" {
		return t, c.Classes[addr]
	}
	if c.Default != "" {
		return c.Default, c.DefaultClass
	}
	return "", ""
}
