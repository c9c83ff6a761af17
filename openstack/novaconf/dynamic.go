package novaconf

import "strings"

// Dynamic groups. Nova registers some groups only at run time, from the
// value of another option: [mdev_<type>] for each type in
// [devices]enabled_mdev_types (nova/conf/devices.py register_dynamic_opts),
// with device_addresses also read from [vgpu_<type>] (its deprecated_group).
// oslo.config keeps every section of every file whether or not a group of
// that name is registered, and finds a dynamic option's value exactly as a
// declared one's (_Namespace._get_file_value with the group normalised):
// Lookup with an Option whose Group is the dynamic group's name, and
// Deprecated the deprecated group's, reads it as nova does. What this file
// adds is how to find the sections that were written, and what they hold.

// SectionAt is a section header in one of the files read.
type SectionAt struct {
	// File is the file the header is in.
	File string
	Section
}

// Where returns the header's file:line.
func (s SectionAt) Where() Source { return Source{File: s.File, Line: s.Line} }

// Sections returns every section header of every file read, files in the
// order read, headers in file order, repeats included.
func (c *Config) Sections() []SectionAt {
	if c == nil {
		return nil
	}
	var out []SectionAt
	for _, f := range c.files {
		for _, s := range f.Sections {
			out = append(out, SectionAt{File: f.Name, Section: s})
		}
	}
	return out
}

// SectionsWithPrefix returns the section headers whose group (normalised,
// as oslo.config stores it) starts with one of the prefixes ("mdev_",
// "vgpu_"), in the order read.
func (c *Config) SectionsWithPrefix(prefixes ...string) []SectionAt {
	var out []SectionAt
	for _, s := range c.Sections() {
		for _, p := range prefixes {
			if strings.HasPrefix(s.Group, p) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// GroupValues returns every assignment in a group (normalised as
// NormalizeGroup does), in the order read: what a section holds, for
// spotting keys nova does not read in it.
func (c *Config) GroupValues(group string) []Value {
	if c == nil {
		return nil
	}
	group = normalizeGroup(group)
	var out []Value
	for _, f := range c.files {
		for _, v := range f.Values {
			if v.Group == group {
				out = append(out, v)
			}
		}
	}
	return out
}

// NormalizeGroup is oslo.config's _normalize_group_name: a group name
// lower-cased (Python's str.lower), except "DEFAULT".
func NormalizeGroup(g string) string { return normalizeGroup(g) }

// OsloMessage returns oslo.config's own words for the error a Problem
// code stands for ("No ':' or '=' found in assignment"), "" for a code
// that is not one of iniparser's errors.
func OsloMessage(code string) string { return osloMessages[code] }
