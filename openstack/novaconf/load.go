package novaconf

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/internal/regfile"
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
// kernel, so use hostinfo.FS for a captured host tree). `gpupass lint`,
// --api-conf and the tests use it.
//
// It never blocks: files and directories are opened non-blocking, and a
// file that is not a regular file (a FIFO, which would make a read wait
// for a writer for ever; a device) is refused with a regfile.NotRegularError.
type DirReader string

// ReadFile reads a regular file, at most MaxFileSize+1 bytes of it: Load
// refuses a longer one without reading it all.
func (d DirReader) ReadFile(p string) ([]byte, error) {
	f, err := regfile.Open(d.path(p))
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

// ReadDir lists a directory, sorted by name.
func (d DirReader) ReadDir(p string) ([]fs.DirEntry, error) {
	f, err := regfile.OpenDir(d.path(p))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries, err
}

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
	// unreadable are the paths gpupass could not read as the user it
	// runs as (see Unreadable).
	unreadable []Unreadable
}

// Unreadable is a configuration path gpupass could not read, or could not
// tell was there, as the user it runs as (permission denied). It is not a
// fault of the configuration — nova, as its own user, may well read it —
// so it is not a Problem; but what it sets is unknown, and the checks that
// depend on the configuration are skipped, saying so.
type Unreadable struct {
	Path string
	// Reason says why, in a few words.
	Reason string
}

// Reasons of an Unreadable.
const (
	// ReasonPermission: the file or directory could not be opened.
	ReasonPermission = "permission denied"
	// ReasonNoLookInto: a directory this user cannot look into, where
	// the deployment's files would be; whether they are is unknown.
	ReasonNoLookInto = "permission denied: cannot look into it"
)

// Unreadable returns the paths that could not be read as this user, in
// the order met.
func (c *Config) Unreadable() []Unreadable {
	if c == nil {
		return nil
	}
	return append([]Unreadable(nil), c.unreadable...)
}

// Unreadable returns the paths of the set that could not be read as this
// user (nil for a nil set).
func (c *Set) Unreadable() []Unreadable {
	if c == nil {
		return nil
	}
	return c.Config.Unreadable()
}

// Unread reports whether none of the set's files could be read and some
// could not be read as this user: what the configuration says is unknown.
func (c *Set) Unread() bool {
	return c != nil && c.Config != nil && len(c.Config.files) == 0 && len(c.Config.unreadable) > 0
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
// MaxFileSize is not read either (CodeTooLarge). These are files the
// operator named: one that this user may not read is a Problem too (the
// command refuses it); the deployment's own files, which nobody named,
// are read by DiscoverSet, for which it is Unreadable.
func Load(r Reader, files, dirs []string) (*Config, []Problem) {
	return load(r, files, dirs, false)
}

// load is Load; with permissionUnreadable, what cannot be read for
// permissions is Unreadable rather than a Problem.
func load(r Reader, files, dirs []string, permissionUnreadable bool) (*Config, []Problem) {
	return loadWithin(r, files, dirs, permissionUnreadable, MaxValues)
}

// loadWithin is load reading at most budget assignments in all.
func loadWithin(r Reader, files, dirs []string, permissionUnreadable bool, budget int) (*Config, []Problem) {
	c := &Config{}
	var problems []Problem
	denied := func(p string, err error) bool {
		if !permissionUnreadable || !errors.Is(err, fs.ErrPermission) {
			return false
		}
		c.unreadable = append(c.unreadable, Unreadable{Path: p, Reason: ReasonPermission})
		return true
	}
	read := func(p string) {
		data, err := r.ReadFile(p)
		if denied(p, err) {
			return
		}
		if err != nil {
			problems = append(problems, readProblem(p, err, CodeMissingFile))
			return
		}
		if len(data) > MaxFileSize {
			problems = append(problems, readProblem(p, ErrTooLarge, CodeMissingFile))
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
		if denied(d, err) {
			continue
		}
		if err != nil {
			problems = append(problems, readProblem(d, err, CodeMissingDir))
			continue
		}
		for _, name := range confNames(entries) {
			read(path.Join(d, name))
		}
	}
	return c, c.substitutionProblems(problems)
}

// substitutionProblems turns the substitution warning of a value of the
// option table that oslo.config cannot substitute into an error: nova
// stops when it reads the option (NoSuchOptError and friends).
func (c *Config) substitutionProblems(problems []Problem) []Problem {
	failed := map[Source]bool{}
	var add []Problem
	for _, opt := range Options {
		group := normalizeGroup(opt.Group)
		for _, v := range c.lookupRaw(opt) {
			r := c.substitute(group, v.Raw)
			if r.outcome != substFailed || failed[v.Source] {
				continue
			}
			failed[v.Source] = true
			add = append(add, Problem{
				Source: v.Source, Severity: SeverityError, Code: CodeSubstitutionErr,
				Option: "[" + v.Section + "]" + v.Name,
				Message: fmt.Sprintf("oslo.config cannot substitute the \"$\" in this value of %s: %s (%s), so nova cannot read the option and stops; "+
					"write $$ for a literal $", opt, r.message, r.exception),
			})
		}
	}
	if len(add) == 0 {
		return problems
	}
	out := problems[:0:0]
	for _, p := range problems {
		if p.Code == CodeSubstitution && failed[p.Source] {
			continue
		}
		out = append(out, p)
	}
	return append(out, add...)
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

// ErrTooLarge is what a Reader returns for a file it would not read whole
// because it is larger than MaxFileSize: Load reports it as CodeTooLarge.
var ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxFileSize>>20)

func readProblem(p string, err error, missing string) Problem {
	code, msg := CodeUnreadable, "cannot be read: "+errText(err)
	switch {
	case errors.Is(err, ErrTooLarge):
		code = CodeTooLarge
		msg = fmt.Sprintf("larger than %d MiB, the most gpupass reads of a nova.conf (one with every option Nova has, "+
			"commented, is under 1 MiB): gpupass did not read it, so nothing this file sets is judged", MaxFileSize>>20)
	case errors.Is(err, fs.ErrNotExist):
		code = missing
		if missing == CodeMissingDir {
			msg = "config dir not found: nova refuses to start (ConfigDirNotFoundError)"
		} else {
			msg = "config file not found: nova refuses to start (ConfigFilesNotFoundError)"
		}
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied: the user gpupass runs as cannot read it (run gpupass as root)"
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
//
// Each value's Text is substituted as oslo.config does ("$name", "$$",
// "\$"; see subst.go) when gpupass knows the result, and Raw keeps it as
// written.
func (c *Config) Lookup(opt Option) []Value {
	vals := c.lookupRaw(opt)
	group := normalizeGroup(opt.Group)
	if group == "" {
		group = "DEFAULT"
	}
	for i := range vals {
		if r := c.substitute(group, vals[i].Raw); r.outcome == substExact {
			vals[i].Text = r.text
		}
	}
	return vals
}

// lookupRaw is Lookup without substitution.
func (c *Config) lookupRaw(opt Option) []Value {
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
	layout, files, dirs, _ = discover(r, nil)
	return layout, files, dirs
}

// DiscoverSet reads the configuration of the layout Discover finds, as
// LoadSet does; nil when there is none. stat (a file's status, through
// the same root as r) tells a path that is not there from one in a
// directory this user cannot look into: such a directory is Unreadable,
// and the layout is taken as found, its files unknown — not as missing.
func DiscoverSet(role string, r Reader, stat func(string) (fs.FileInfo, error)) *Set {
	layout, files, dirs, unknown := discover(r, stat)
	if layout == "" {
		return nil
	}
	// LoadSet, with what cannot be read for permissions Unreadable.
	cfg, problems := load(r, files, dirs, true)
	cfg.unreadable = append(unknown, cfg.unreadable...)
	set := &Set{Role: role, Layout: layout, Config: cfg, Problems: problems}
	for _, p := range cfg.Files() {
		f := SetFile{Path: p}
		if info, err := stat(p); err == nil {
			f.Mode = info.Mode()
		}
		set.Files = append(set.Files, f)
	}
	return set
}

// discover is DiscoverLayout, also returning the directories it could not
// look into (when stat is given).
func discover(r Reader, stat func(string) (fs.FileInfo, error)) (layout string, files, dirs []string, unknown []Unreadable) {
	for _, l := range Layouts {
		files, dirs, unknown = nil, nil, nil
		seen := map[string]bool{}
		pick := func(alts []string, dir bool) string {
			for _, p := range alts {
				switch there, blocked := presence(r, stat, p, dir); there {
				case present:
					return p
				case unknownPresence:
					// Which of the alternatives nova takes cannot be
					// told: none is read.
					if !seen[blocked] {
						seen[blocked] = true
						unknown = append(unknown, Unreadable{Path: blocked, Reason: ReasonNoLookInto})
					}
					return ""
				}
			}
			return ""
		}
		for _, alts := range l.Files {
			if p := pick(alts, false); p != "" {
				files = append(files, p)
			}
		}
		for _, alts := range l.Dirs {
			if p := pick(alts, true); p != "" {
				dirs = append(dirs, p)
			}
		}
		if len(files) > 0 || len(dirs) > 0 || len(unknown) > 0 {
			return l.Name, files, dirs, unknown
		}
	}
	return "", nil, nil, nil
}

const (
	absent = iota
	present
	unknownPresence
)

// presence tells whether a path is there. A path that cannot be read is
// there when stat sees it (Load then says it is unreadable); when stat is
// refused too, a directory on the way cannot be looked into, and the
// nearest one is returned.
func presence(r Reader, stat func(string) (fs.FileInfo, error), p string, dir bool) (int, string) {
	var err error
	if dir {
		_, err = r.ReadDir(p)
	} else {
		_, err = r.ReadFile(p)
	}
	switch {
	case err == nil:
		return present, ""
	case errors.Is(err, fs.ErrNotExist):
		return absent, ""
	case !errors.Is(err, fs.ErrPermission) || stat == nil:
		return present, ""
	}
	_, serr := stat(p)
	switch {
	case serr == nil:
		return present, ""
	case errors.Is(serr, fs.ErrNotExist):
		return absent, ""
	case !errors.Is(serr, fs.ErrPermission):
		return present, ""
	}
	blocked := path.Dir(p)
	for blocked != "/" {
		if _, err := stat(path.Dir(blocked)); !errors.Is(err, fs.ErrPermission) {
			break
		}
		blocked = path.Dir(blocked)
	}
	return unknownPresence, blocked
}
