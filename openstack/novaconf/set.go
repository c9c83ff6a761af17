package novaconf

import "io/fs"

// Set is the nova.conf files of one service as read: the files, what
// oslo.config would make of them, and their permissions.
type Set struct {
	// Role says whose configuration it is: "compute" (the node's own),
	// "api" (--api-conf: the nova-api and scheduler node's) or "lint".
	Role string
	// Layout is the deployment layout the files were found in (packages,
	// kolla, tripleo), or "given" for files named on the command line.
	Layout string
	Files  []SetFile
	Config *Config
	// Problems are what oslo.config would reject or misread, and files
	// that could not be read.
	Problems []Problem
}

// SetFile is a configuration file that was read.
type SetFile struct {
	Path string
	// Mode is the file's permission bits; 0 when they could not be read.
	Mode fs.FileMode
}

// Lookup returns an option's values (nil without a configuration).
func (c *Set) Lookup(opt Option) []Value {
	if c == nil || c.Config == nil {
		return nil
	}
	return c.Config.Lookup(opt)
}

// ExposedSecretFiles lists the files read that hold a secret (a value
// Redact hides) and that every user can read: GP314's subjects.
func (c *Set) ExposedSecretFiles() []string {
	if c == nil || c.Config == nil {
		return nil
	}
	secret := map[string]bool{}
	for _, f := range c.Config.files {
		for _, v := range f.Values {
			if !secret[v.Source.File] && v.HoldsSecret() {
				secret[v.Source.File] = true
			}
		}
	}
	var out []string
	for _, f := range c.Files {
		if f.Mode != 0 && f.Mode&0o004 != 0 && secret[f.Path] {
			out = append(out, f.Path)
		}
	}
	return out
}

// Bool reads a BoolOpt as oslo.config would, its default when unset
// or unparsable (an unparsable value is GP301's to report... and nova's to
// refuse).
func (c *Set) Bool(opt Option) (value, set bool) {
	values := c.Lookup(opt)
	if len(values) == 0 {
		b, _ := ParseBool(opt.Default)
		return b, false
	}
	b, err := ParseBool(values[0].Text)
	if err != nil {
		d, _ := ParseBool(opt.Default)
		return d, true
	}
	return b, true
}

// LoadSet reads a service's nova.conf files as oslo.config does (Load),
// and stats each file read for its permissions. role and layout are the
// Set's; stat returns a file's mode as the reader sees it.
func LoadSet(role, layout string, r Reader, files, dirs []string, stat func(string) (fs.FileInfo, error)) *Set {
	cfg, problems := Load(r, files, dirs)
	set := &Set{Role: role, Layout: layout, Config: cfg, Problems: problems}
	for _, path := range cfg.Files() {
		f := SetFile{Path: path}
		if info, err := stat(path); err == nil {
			f.Mode = info.Mode()
		}
		set.Files = append(set.Files, f)
	}
	return set
}
