package main

import (
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
)

// confOptions are the flags that name nova.conf files.
type confOptions struct {
	files   []string
	dirs    []string
	apiConf []string
}

func (c *confOptions) addFlags(cmd *cobra.Command, underRoot bool) {
	f := cmd.Flags()
	where := ""
	if underRoot {
		where = " under --root"
	}
	f.StringArrayVar(&c.files, "nova-conf", nil, "read this nova.conf `FILE`"+where+" (repeatable, in order; default: the deployment's own files, found under --root)")
	f.StringArrayVar(&c.dirs, "nova-conf-dir", nil, "also read every *.conf in `DIR`"+where+", sorted, after the files (repeatable, like oslo.config's --config-dir)")
	f.StringArrayVar(&c.apiConf, "api-conf", nil, "the nova-api / scheduler node's nova.conf `FILE`, on this machine (repeatable: a file and its conf.d files, in order)")
	_ = cmd.MarkFlagFilename("nova-conf", "conf")
	_ = cmd.MarkFlagDirname("nova-conf-dir")
	_ = cmd.MarkFlagFilename("api-conf", "conf")
}

// hostReader reads configuration under a host root, keeping absolute
// symlinks inside it.
func hostReader(fsys hostinfo.FS) novaconf.Reader {
	return novaconf.ReaderFuncs{
		File: func(p string) ([]byte, error) {
			data, _, err := fsys.ReadConfigFile(p)
			return data, err
		},
		Dir: fsys.ReadConfigDir,
	}
}

// loadHostConf reads the compute node's nova.conf under the root: the
// files given, else those of the deployment layout found there. It
// returns nil when there is none.
func (c *confOptions) loadHostConf(fsys hostinfo.FS) *novaconf.Set {
	r := hostReader(fsys)
	files, dirs, layout := c.files, c.dirs, "given"
	if len(files) == 0 && len(dirs) == 0 {
		layout, files, dirs = novaconf.DiscoverLayout(r)
		if len(files) == 0 && len(dirs) == 0 {
			return nil
		}
	}
	return loadConf("compute", layout, r, files, dirs, fsys.StatConfig)
}

// loadLocalConf reads files on the machine running gpupass (lint,
// --api-conf).
func loadLocalConf(role string, files, dirs []string) *novaconf.Set {
	if len(files) == 0 && len(dirs) == 0 {
		return nil
	}
	return loadConf(role, "given", novaconf.DirReader(""), files, dirs, os.Stat)
}

func loadConf(role, layout string, r novaconf.Reader, files, dirs []string, stat func(string) (fs.FileInfo, error)) *novaconf.Set {
	cfg, problems := novaconf.Load(r, files, dirs)
	conf := &novaconf.Set{Role: role, Layout: layout, Config: cfg, Problems: problems}
	for _, path := range cfg.Files() {
		f := novaconf.SetFile{Path: path}
		if info, err := stat(path); err == nil {
			f.Mode = info.Mode()
		}
		conf.Files = append(conf.Files, f)
	}
	return conf
}
