package pcispec

import (
	"fmt"
	"sort"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
)

// Message is an error of this package as Nova says it, with the exception
// Nova raises: "Invalid PCI devices Whitelist config: ... (PciConfigInvalidSpec)".
func Message(err error) string {
	if ne, ok := err.(*NovaError); ok && ne.Exception != "" {
		return fmt.Sprintf("%s (%s)", ne.Message, ne.Exception)
	}
	return err.Error()
}

// SortedAliasNames lists the aliases' names in the order they were first
// defined.
func SortedAliasNames(aliases map[string]*Alias) []string {
	names := make([]string, 0, len(aliases))
	for n := range aliases {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return aliases[names[i]].Index < aliases[names[j]].Index })
	return names
}

// Conf is a nova.conf's PCI configuration parsed with Nova's rules for
// the release in force: its device_spec entries and its aliases. The
// checks of [pci] options (GP3xx), the host view (which GPUs a
// device_spec offers) and the audit (the API node's aliases) share it.
type Conf struct {
	Conf  *novaconf.Set
	Specs []SpecEntry
	// Aliases are the [pci]alias definitions by name; nil when Nova would
	// reject them (AliasErr).
	Aliases     map[string]*Alias
	AliasDiags  []Diagnostic
	AliasErr    error
	AliasValues []novaconf.Value
	// ReportInPlacement is [pci]report_in_placement (default false).
	ReportInPlacement bool
}

// SpecEntry is one [pci]device_spec value and what Nova makes of it.
type SpecEntry struct {
	Value novaconf.Value
	// Specs are its entries (a JSON list gives several); nil when Err.
	Specs []*DeviceSpec
	Diags []Diagnostic
	Err   error
}

// ParseConf parses a configuration's device_spec and alias values; nil for
// none. sysfs is the node the configuration is for (SysfsFromInventory),
// or nil (lint, --api-conf): Nova's verdict on some entries depends on
// the node's sysfs. pciInPlacement is the scheduler's
// [filter_scheduler]pci_in_placement, nil when unknown.
func ParseConf(c *novaconf.Set, rel novarelease.Release, sysfs Sysfs, pciInPlacement *bool) *Conf {
	if c == nil || c.Config == nil {
		return nil
	}
	v := &Conf{Conf: c}
	report, _ := c.Bool(novaconf.OptReportInPlacement)
	v.ReportInPlacement = report
	opts := Options{ReportInPlacement: &report, PCIInPlacement: pciInPlacement, Sysfs: sysfs}
	for _, val := range c.Lookup(novaconf.OptDeviceSpec) {
		specs, diags, err := ParseDeviceSpecWith(val.Text, rel, opts)
		v.Specs = append(v.Specs, SpecEntry{Value: val, Specs: specs, Diags: diags, Err: err})
	}
	v.AliasValues = c.Lookup(novaconf.OptAlias)
	texts := make([]string, len(v.AliasValues))
	for i, a := range v.AliasValues {
		texts[i] = a.Text
	}
	v.Aliases, v.AliasDiags, v.AliasErr = ParseAliasesWith(texts, rel, opts)
	return v
}

// SpecMatch is a device_spec entry that admits a device.
type SpecMatch struct {
	Entry *SpecEntry
	Spec  *DeviceSpec
}

// Admitting returns the device_spec entries that admit the device (whose
// matching gpupass can evaluate).
func (v *Conf) Admitting(d *pcidev.Device) []*SpecMatch {
	if v == nil {
		return nil
	}
	var out []*SpecMatch
	for i := range v.Specs {
		e := &v.Specs[i]
		for _, s := range e.Specs {
			if ok, evaluable := s.Match(d); ok && evaluable {
				out = append(out, &SpecMatch{Entry: e, Spec: s})
			}
		}
	}
	return out
}

// Unevaluable reports whether an entry might admit the device but gpupass
// cannot tell (see DeviceSpec.Match: a regex past the matcher's budget, an
// unknown devname or IDs, a remote_managed spec).
func (v *Conf) Unevaluable(d *pcidev.Device) bool {
	if v == nil {
		return false
	}
	for i := range v.Specs {
		for _, s := range v.Specs[i].Specs {
			if _, ev := s.Match(d); !ev {
				return true
			}
		}
	}
	return false
}
