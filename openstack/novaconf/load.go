package novaconf

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Reader is what Load reads through: host paths ("/etc/nova/nova.conf"),
// so that messages name the file the operator knows. hostinfo.FS's
// ReadConfigFile and ReadConfigDir, which resolve absolute symlinks inside
// a --root, adapt to it with ReaderFuncs.
type Reader interface {
	ReadFile(path string) ([]byte, error)
	ReadDir(path string) ([]fs.DirEntry, error)
}

// ReaderFuncs adapts two functions to a Reader, e.g.
//
//	novaconf.ReaderFuncs{
//		File: func(p string) ([]byte, error) { b, _, err := fsys.ReadConfigFile(p); return b, err },
//		Dir:  fsys.ReadConfigDir,
//	}
type ReaderFuncs struct {
	File func(path string) ([]byte, error)
	Dir  func(path string) ([]fs.DirEntry, error)
}

// ReadFile calls File.
func (r ReaderFuncs) ReadFile(p string) ([]byte, error) { return r.File(p) }

// ReadDir calls Dir.
func (r ReaderFuncs) ReadDir(p string) ([]fs.DirEntry, error) { return r.Dir(p) }

// DirReader reads the machine's files, under root when root is not ""
// (paths are then taken as relative to it; symlinks are followed by the
// kernel, so use hostinfo.FS for a captured host tree). `gpupass lint`
// and the tests use it.
type DirReader string

// ReadFile reads a file, at most MaxFileSize+1 bytes of it: Load refuses
// a longer one without reading it all.
func (d DirReader) ReadFile(p string) ([]byte, error) {
	f, err := os.Open(d.path(p))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: p, Err: err}
	}
	return data, nil
}

// ReadDir lists a directory.
func (d DirReader) ReadDir(p string) ([]fs.DirEntry, error) { return os.ReadDir(d.path(p)) }

func (d DirReader) path(p string) string {
	if d == "" {
		return p
	}
	return filepath.Join(string(d), filepath.FromSlash(p))
}

// Config is what a set of nova.conf files says, read as nova-compute
// reads them.
type Config struct {
	files []*File
}

// MaxFileSize is the most Load reads of one nova.conf: 16 MiB, the cap
// hostinfo puts on every file it reads and snapshot on every member, and
// far above a real nova.conf (every option Nova has, commented, is about
// 200 KiB). A larger file is a Problem (CodeTooLarge) and is not parsed,
// so a hostile file costs a bounded amount of memory and report.
const MaxFileSize = 16 << 20

// Load reads the files in order, then each directory's *.conf files
// sorted by name, as oslo.config reads --config-file and --config-dir
// (the files in command-line order, then the directories: what nova's
// packaged services do, and what oslo.config does with its default files
// and directories). Like oslo.config, a directory's hidden files and
// names not ending in ".conf" are skipped, a file named twice is read
// twice, and a missing file or directory is an error (nova refuses to
// start: ConfigFilesNotFoundError, ConfigDirNotFoundError), as is one that
// cannot be read; each is a Problem naming the path, and Load goes on with
// the others, where oslo.config stops at the first. A file larger than
// MaxFileSize is not read either (CodeTooLarge).
func Load(r Reader, files, dirs []string) (*Config, []Problem) {
	return load(r, files, dirs, MaxValues)
}

// load is Load reading at most budget assignments in all.
func load(r Reader, files, dirs []string, budget int) (*Config, []Problem) {
	c := &Config{}
	var problems []Problem
	read := func(p string) {
		data, err := r.ReadFile(p)
		if err != nil {
			problems = append(problems, readProblem(p, err, CodeMissingFile))
			return
		}
		if len(data) > MaxFileSize {
			problems = append(problems, Problem{Source: Source{File: p}, Severity: SeverityError, Code: CodeTooLarge,
				Message: fmt.Sprintf("larger than %d MiB, the most gpupass reads of a nova.conf (one with every option Nova has, "+
					"commented, is under 1 MiB): gpupass did not read it, so nothing this file sets is judged", MaxFileSize>>20)})
			return
		}
		f, ps := parse(p, data, budget, len(c.files) > 0)
		budget = max(0, budget-len(f.Values))
		c.files = append(c.files, f)
		problems = append(problems, ps...)
	}
	for _, f := range files {
		read(f)
	}
	for _, d := range dirs {
		entries, err := r.ReadDir(d)
		if err != nil {
			problems = append(problems, readProblem(d, err, CodeMissingDir))
			continue
		}
		for _, name := range confNames(entries) {
			read(path.Join(d, name))
		}
	}
	return c, problems
}

// confNames returns the names glob.glob(dir + "/*.conf") matches, sorted
// as Python sorts them (by code point, which is UTF-8 byte order): no
// hidden files, case-sensitive ".conf". Directories match too, and then
// fail to read, as in oslo.config.
func confNames(entries []fs.DirEntry) []string {
	var names []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".conf") {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func readProblem(p string, err error, missing string) Problem {
	code, msg := CodeUnreadable, "cannot be read: "+errText(err)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		code = missing
		if missing == CodeMissingDir {
			msg = "config dir not found: nova refuses to start (ConfigDirNotFoundError)"
		} else {
			msg = "config file not found: nova refuses to start (ConfigFilesNotFoundError)"
		}
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied: gpupass cannot read it (run as root); nova, as its own user, may well"
	}
	return Problem{Source: Source{File: p}, Severity: SeverityError, Code: code, Message: msg}
}

// errText is an error's text without the path, which the Problem gives.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Files returns the files read, in the order read (a file named twice is
// there twice); files that could not be read are not.
func (c *Config) Files() []string {
	out := make([]string, len(c.files))
	for i, f := range c.files {
		out[i] = f.Name
	}
	return out
}

// Parsed returns the parsed files in the order read.
func (c *Config) Parsed() []*File { return append([]*File(nil), c.files...) }

// Values returns every assignment of every file, in the order read: what
// the files set, for spotting unknown or misspelt options.
func (c *Config) Values() []Value {
	n := 0
	for _, f := range c.files {
		n += len(f.Values)
	}
	out := make([]Value, 0, n)
	for _, f := range c.files {
		out = append(out, f.Values...)
	}
	return out
}

// Lookup returns an option's values as oslo.config's _do_get finds them
// (_Namespace._get_file_value), its name and deprecated names matched with
// groups normalised, keys case-sensitively:
//
//   - Multi: every value, file by file in the order read; within a file,
//     the values of the last deprecated name first, then the earlier
//     deprecated names, then the current name, each in file order. (oslo
//     walks the files newest first and the names current first, prepending
//     each list it finds.)
//   - otherwise: the value in force, as a slice of one: the last value,
//     in the last file that sets the option under any name, of the first
//     name (current, then deprecated in order) set in that file. A current
//     name earlier in a file wins over a deprecated name later in it; a
//     deprecated name in a later file wins over the current name in an
//     earlier one.
//
// Values that came through a deprecated name have Deprecated set. Nil
// when no file sets the option (nova then uses its default).
func (c *Config) Lookup(opt Option) []Value {
	names := append([]Name{{Group: opt.Group, Name: opt.Name}}, opt.Deprecated...)
	for i := range names {
		if names[i].Group == "" {
			names[i].Group = "DEFAULT" // oslo.config's group None
		}
		names[i].Group = normalizeGroup(names[i].Group)
	}
	var out []Value
	if opt.Multi {
		for _, f := range c.files {
			for i := len(names) - 1; i >= 0; i-- {
				for _, j := range f.index[names[i]] {
					v := f.Values[j]
					v.Deprecated = i > 0
					out = append(out, v)
				}
			}
		}
		return out
	}
	for fi := len(c.files) - 1; fi >= 0; fi-- {
		f := c.files[fi]
		for i, n := range names {
			if idx := f.index[n]; len(idx) > 0 {
				v := f.Values[idx[len(idx)-1]]
				v.Deprecated = i > 0
				return []Value{v}
			}
		}
	}
	return nil
}

// Layout is where a deployment tool keeps nova-compute's configuration on
// the host.
type Layout struct {
	Name string
	// Files and Dirs are read in this order (files, then dirs). Of each
	// inner list only the first path that exists is used, as
	// oslo.config's default search takes the first directory holding
	// nova.conf.
	Files [][]string
	Dirs  [][]string
}

// Layouts are the places Discover looks, in order.
//
//   - packages (Debian, Ubuntu, RDO) and oslo.config's defaults for
//     nova-compute: nova.conf and nova-compute.conf (the program's own
//     file, which Debian and Ubuntu's units also pass), each from
//     /etc/nova, else /etc; then the nova.conf.d and nova-compute.conf.d
//     directories, likewise. (oslo.config looks in ~/.nova and ~ first; the
//     nova user's home is /var/lib/nova, where nobody puts nova.conf.)
//   - kolla-ansible: /etc/kolla/nova-compute/nova.conf, which kolla copies
//     to the container's /etc/nova/nova.conf.
//   - TripleO: the nova_libvirt container's puppet-generated tree.
var Layouts = []Layout{
	{
		Name: "packages",
		Files: [][]string{
			{"/etc/nova/nova.conf", "/etc/nova.conf"},
			{"/etc/nova/nova-compute.conf", "/etc/nova-compute.conf"},
		},
		Dirs: [][]string{
			{"/etc/nova/nova.conf.d", "/etc/nova.conf.d"},
			{"/etc/nova/nova-compute.conf.d", "/etc/nova-compute.conf.d"},
		},
	},
	{Name: "kolla", Files: [][]string{{"/etc/kolla/nova-compute/nova.conf"}}},
	{Name: "tripleo", Files: [][]string{{"/var/lib/config-data/puppet-generated/nova_libvirt/etc/nova/nova.conf"}}},
}

// Discover returns the nova.conf files and directories of the first
// layout present on the host (see Layouts): the packaged files, else
// kolla's, else TripleO's. Only one layout, because a host deployed with
// kolla may still carry an /etc/nova/nova.conf from a stray package that
// no running service reads, and merging the two would describe a
// configuration nobody runs. Only what exists is returned (as oslo.config
// skips default files and directories that do not exist); a path that
// exists but cannot be read is returned, so that Load reports it.
func Discover(r Reader) (files, dirs []string) {
	_, files, dirs = DiscoverLayout(r)
	return files, dirs
}

// DiscoverLayout is Discover, also naming the layout found ("" for none),
// for the report to say where the configuration came from.
func DiscoverLayout(r Reader) (layout string, files, dirs []string) {
	for _, l := range Layouts {
		files, dirs = nil, nil
		for _, alts := range l.Files {
			for _, p := range alts {
				if fileExists(r, p) {
					files = append(files, p)
					break
				}
			}
		}
		for _, alts := range l.Dirs {
			for _, p := range alts {
				if _, err := r.ReadDir(p); !errors.Is(err, fs.ErrNotExist) {
					dirs = append(dirs, p)
					break
				}
			}
		}
		if len(files) > 0 || len(dirs) > 0 {
			return l.Name, files, dirs
		}
	}
	return "", nil, nil
}

func fileExists(r Reader, p string) bool {
	_, err := r.ReadFile(p)
	return !errors.Is(err, fs.ErrNotExist)
}
