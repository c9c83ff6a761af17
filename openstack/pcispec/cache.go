package pcispec

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gpupass/gpupass/openstack/novarelease"
)

// Cache remembers parsed [pci]device_spec and [pci]alias values by their
// text and what else decides the parse (the release, the options, whether
// the host is known), for a caller that parses the same configuration for
// many hosts: the audit, whose fleet's nodes mostly share one nova.conf
// (10,000 host reports parse a few distinct values 10,000 times).
//
// A device_spec whose parse asked the host something (an exact address:
// is it a physical function?; remote_managed: its VFs' product ID) is
// the host's own: it is parsed again for every host and never remembered.
// One that did not is given to another host bound to that host's Sysfs,
// as parsing it there would have made it.
//
// Safe for concurrent use. What it returns is shared between the callers
// that parsed the same text and must not be changed.
type Cache struct {
	mu      sync.Mutex
	specs   map[cacheKey]cachedSpecs
	aliases map[cacheKey]cachedAliases
}

// cacheKey is what decides a parse besides the host's answers.
type cacheKey struct {
	text     string // the value; for aliases, the values, each after its length
	rel      novarelease.Release
	rip, pip int8 // ReportInPlacement, PCIInPlacement: -1 unknown, 0 false, 1 true
	host     bool // Options.Sysfs set
}

func keyOf(text string, rel novarelease.Release, opts Options) cacheKey {
	tri := func(b *bool) int8 {
		switch {
		case b == nil:
			return -1
		case *b:
			return 1
		}
		return 0
	}
	return cacheKey{text: text, rel: rel, rip: tri(opts.ReportInPlacement), pip: tri(opts.PCIInPlacement), host: opts.Sysfs != nil}
}

type cachedSpecs struct {
	specs []*DeviceSpec // parsed without a Sysfs to ask: bound per caller
	diags []Diagnostic
	err   error
}

type cachedAliases struct {
	aliases map[string]*Alias
	diags   []Diagnostic
	err     error
}

// ParseDeviceSpecWith is the package's ParseDeviceSpecWith, remembered.
func (c *Cache) ParseDeviceSpecWith(value string, rel novarelease.Release, opts Options) ([]*DeviceSpec, []Diagnostic, error) {
	key := keyOf(value, rel, opts)
	c.mu.Lock()
	r, ok := c.specs[key]
	c.mu.Unlock()
	if ok {
		return bind(r.specs, opts.Sysfs), slices.Clip(r.diags), r.err
	}
	asked := &askedSysfs{inner: opts.Sysfs}
	if opts.Sysfs != nil {
		opts.Sysfs = asked
	}
	specs, diags, err := ParseDeviceSpecWith(value, rel, opts)
	if asked.asked {
		// The host's own answer, bound to its Sysfs (not the wrapper,
		// which matching on other goroutines would write to).
		return bind(specs, asked.inner), diags, err
	}
	c.mu.Lock()
	if c.specs == nil {
		c.specs = map[cacheKey]cachedSpecs{}
	}
	c.specs[key] = cachedSpecs{bind(specs, nil), slices.Clip(diags), err}
	c.mu.Unlock()
	return bind(specs, asked.inner), slices.Clip(diags), err
}

// bind returns copies of specs that ask sysfs (nil: none) when matching.
func bind(specs []*DeviceSpec, sysfs Sysfs) []*DeviceSpec {
	if specs == nil {
		return nil
	}
	out := make([]*DeviceSpec, len(specs))
	copies := make([]DeviceSpec, len(specs))
	for i, s := range specs {
		copies[i] = *s
		copies[i].sysfs = sysfs
		out[i] = &copies[i]
	}
	return out
}

// ParseAliasesWith is the package's ParseAliasesWith, remembered (an
// alias never asks the host).
func (c *Cache) ParseAliasesWith(values []string, rel novarelease.Release, opts Options) (map[string]*Alias, []Diagnostic, error) {
	var text strings.Builder
	for _, v := range values {
		text.WriteString(strconv.Itoa(len(v)))
		text.WriteByte(':')
		text.WriteString(v)
	}
	key := keyOf(text.String(), rel, Options{ReportInPlacement: opts.ReportInPlacement, PCIInPlacement: opts.PCIInPlacement})
	c.mu.Lock()
	r, ok := c.aliases[key]
	c.mu.Unlock()
	if ok {
		return r.aliases, slices.Clip(r.diags), r.err
	}
	aliases, diags, err := ParseAliasesWith(values, rel, opts)
	c.mu.Lock()
	if c.aliases == nil {
		c.aliases = map[cacheKey]cachedAliases{}
	}
	c.aliases[key] = cachedAliases{aliases, slices.Clip(diags), err}
	c.mu.Unlock()
	return aliases, slices.Clip(diags), err
}

// askedSysfs notes whether parsing asked the host anything.
type askedSysfs struct {
	inner Sysfs
	asked bool
}

func (a *askedSysfs) IsPhysicalFunction(domain, bus, slot, function string) bool {
	a.asked = true
	return a.inner.IsPhysicalFunction(domain, bus, slot, function)
}

func (a *askedSysfs) FunctionByIfname(ifname string) (string, bool) {
	a.asked = true
	return a.inner.FunctionByIfname(ifname)
}

func (a *askedSysfs) VFProductIDByPFAddr(pfAddr string) (string, *NovaError) {
	a.asked = true
	return a.inner.VFProductIDByPFAddr(pfAddr)
}

func (a *askedSysfs) PCIIDsByPCIAddr(addr string) (string, string, *NovaError) {
	a.asked = true
	return a.inner.PCIIDsByPCIAddr(addr)
}
