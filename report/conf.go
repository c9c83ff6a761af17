package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/openstack/novaconf"
)

// ConfReport is a nova.conf in a report: the files read and the values of
// the options gpupass reads (never a secret).
type ConfReport struct {
	Role    string           `json:"role"`
	Layout  string           `json:"layout,omitempty"`
	Files   []ConfFileReport `json:"files"`
	Options []ConfOption     `json:"options"`
	// Unreadable are the files and directories gpupass could not read as
	// the user it ran as, and why: what they set is unknown.
	Unreadable []ConfUnreadable `json:"unreadable,omitempty"`
}

// ConfUnreadable is a path of the configuration that could not be read
// ("permission denied").
type ConfUnreadable struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// ConfFileReport is a file read, with its permission bits ("0640"; "" when
// unknown).
type ConfFileReport struct {
	Path string `json:"path"`
	Mode string `json:"mode,omitempty"`
}

// ConfOption is one value of an option.
type ConfOption struct {
	// Option is the option's current name ("[pci]device_spec").
	Option string `json:"option"`
	// Name is the name it was set under, when that is a deprecated one.
	Name   string `json:"name,omitempty"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Lookup returns the values the report recorded for an option, as
// novaconf.Config.Lookup would (nil for a nil report). EndLine is not
// recorded: it is the key's line.
func (r *ConfReport) Lookup(opt novaconf.Option) []novaconf.Value {
	if r == nil {
		return nil
	}
	var out []novaconf.Value
	for _, o := range r.Options {
		if o.Option != opt.String() {
			continue
		}
		v := novaconf.Value{Group: opt.Group, Name: opt.Name, Text: o.Value}
		if o.Name != "" {
			v.Deprecated = true
			if g, n, ok := strings.Cut(strings.TrimPrefix(o.Name, "["), "]"); ok {
				v.Group, v.Name = g, n
			}
		}
		v.Section = v.Group
		if i := strings.LastIndexByte(o.Source, ':'); i > 0 {
			line, err := strconv.Atoi(o.Source[i+1:])
			if err == nil {
				v.Source = novaconf.Source{File: o.Source[:i], Line: line}
			}
		}
		if v.Source.File == "" {
			v.Source = novaconf.Source{File: o.Source}
		}
		v.EndLine = v.Source.Line
		out = append(out, v)
	}
	return out
}

// FromConf is a nova.conf in a report: the files read (with their modes)
// and the values of the options gpupass reads, never a secret; nil for
// none.
func FromConf(c *novaconf.Set) *ConfReport {
	if c == nil || c.Config == nil {
		return nil
	}
	r := &ConfReport{Role: c.Role, Layout: c.Layout, Files: []ConfFileReport{}, Options: []ConfOption{}}
	for _, f := range c.Files {
		mode := ""
		if f.Mode != 0 {
			mode = fmt.Sprintf("%04o", f.Mode.Perm())
		}
		r.Files = append(r.Files, ConfFileReport{Path: f.Path, Mode: mode})
	}
	for _, u := range c.Unreadable() {
		r.Unreadable = append(r.Unreadable, ConfUnreadable{Path: u.Path, Reason: u.Reason})
	}
	for _, opt := range append(novaconf.Options[:len(novaconf.Options):len(novaconf.Options)], novaconf.HostResourceOptions...) {
		if opt.Secret {
			continue
		}
		for _, v := range c.Config.Lookup(opt) {
			o := ConfOption{Option: opt.String(), Value: v.Redacted(), Source: v.Source.String()}
			if v.Deprecated {
				o.Name = fmt.Sprintf("[%s]%s", v.Group, v.Name)
			}
			r.Options = append(r.Options, o)
		}
	}
	return r
}
