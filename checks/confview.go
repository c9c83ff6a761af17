package checks

import (
	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/pcidev"
)

// ConfView is a nova.conf's PCI configuration parsed with Nova's rules for
// the release in force: its device_spec entries and its aliases.
type ConfView struct {
	Conf  *novaconf.Set
	Specs []SpecEntry
	// Aliases are the [pci]alias definitions by name; nil when Nova would
	// reject them (AliasErr).
	Aliases     map[string]*pcispec.Alias
	AliasDiags  []pcispec.Diagnostic
	AliasErr    error
	AliasValues []novaconf.Value
	// ReportInPlacement is [pci]report_in_placement (default false).
	ReportInPlacement bool
}

// SpecEntry is one [pci]device_spec value and what Nova makes of it.
type SpecEntry struct {
	Value novaconf.Value
	// Specs are its entries (a JSON list gives several); nil when Err.
	Specs []*pcispec.DeviceSpec
	Diags []pcispec.Diagnostic
	Err   error
}

// boolOption reads a BoolOpt as oslo.config would, its default when unset
// or unparsable (an unparsable value is GP301's to report... and nova's to
// refuse).
func boolOption(c *novaconf.Set, opt novaconf.Option) (value, set bool) {
	values := c.Lookup(opt)
	if len(values) == 0 {
		b, _ := novaconf.ParseBool(opt.Default)
		return b, false
	}
	b, err := novaconf.ParseBool(values[0].Text)
	if err != nil {
		d, _ := novaconf.ParseBool(opt.Default)
		return d, true
	}
	return b, true
}

// newConfView parses a configuration's device_spec and alias values. host
// is the node the configuration is for, or nil (lint, --api-conf): Nova's
// verdict on some entries depends on the node's sysfs. pciInPlacement is
// the scheduler's [filter_scheduler]pci_in_placement, nil when unknown.
func newConfView(c *novaconf.Set, rel novarelease.Release, host *hostinfo.Host, pciInPlacement *bool) *ConfView {
	if c == nil || c.Config == nil {
		return nil
	}
	v := &ConfView{Conf: c}
	report, _ := boolOption(c, novaconf.OptReportInPlacement)
	v.ReportInPlacement = report
	opts := pcispec.Options{ReportInPlacement: &report, PCIInPlacement: pciInPlacement}
	if host != nil {
		opts.Sysfs = pcispec.SysfsFromInventory(host.Devices)
	}
	for _, val := range c.Lookup(novaconf.OptDeviceSpec) {
		specs, diags, err := pcispec.ParseDeviceSpecWith(val.Text, rel, opts)
		v.Specs = append(v.Specs, SpecEntry{Value: val, Specs: specs, Diags: diags, Err: err})
	}
	v.AliasValues = c.Lookup(novaconf.OptAlias)
	texts := make([]string, len(v.AliasValues))
	for i, a := range v.AliasValues {
		texts[i] = a.Text
	}
	v.Aliases, v.AliasDiags, v.AliasErr = pcispec.ParseAliasesWith(texts, rel, opts)
	return v
}

// Admitting returns the device_spec entries that admit the device (whose
// matching gpupass can evaluate).
func (v *ConfView) Admitting(d *pcidev.Device) []*SpecMatch {
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

// SpecMatch is a device_spec entry that admits a device.
type SpecMatch struct {
	Entry *SpecEntry
	Spec  *pcispec.DeviceSpec
}

// pciInPlacementOf reads [filter_scheduler]pci_in_placement from the
// scheduler's configuration: --api-conf when given; the linted file
// itself; unknown for a compute node's own configuration.
func pciInPlacementOf(in *Inputs) *bool {
	var c *novaconf.Set
	switch {
	case in.APIConf != nil && in.APIConf.Config != nil:
		c = in.APIConf
	case in.NovaConf != nil && in.NovaConf.Config != nil && in.NovaConf.Role == "lint":
		c = in.NovaConf
	default:
		return nil
	}
	b, _ := boolOption(c, novaconf.OptPCIInPlacement)
	return &b
}
