package hostinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// FS is a host's filesystem seen under a root prefix: "/" for the live
// host, or a directory holding a captured tree (a fixture or a snapshot).
// Paths given to its methods are absolute paths as the host sees them
// ("/sys/bus/pci/devices"), so messages can name the file the operator
// knows.
//
// # Reads stay in the root
//
// Every path under a captured tree is resolved as the host's own kernel
// would resolve it if the tree were its "/": a symlink with an absolute
// target starts again from the tree's root, and ".." at the root stays at
// the root. sysfs, procfs and /etc alike: a tree whose /proc/cmdline, /proc
// itself or a /sys/bus/pci/devices entry links to an absolute path or to
// ../../.. reads the tree's own file there (or finds none, and notes it),
// never a file of the machine running gpupass.
//
// How. On Linux every path is opened with one openat2 call and
// RESOLVE_IN_ROOT, relative to the tree's root opened once: the kernel
// resolves the whole path in the root, at the cost of a plain open (Linux
// 5.6 and later; without openat2, or where a seccomp filter refuses it,
// and on other systems, walk does the same one element at a time, each
// directory opened relative to the last and no symlink followed by the
// kernel). Under "/" the kernel's own resolution is the host's.
//
// Why this and not the others. os.Root refuses a symlink with an absolute
// target instead of resolving it in the root, and captured trees have
// them (a distribution's /etc/modprobe.d files linking to /usr/lib, an
// /etc/os-release linking to /usr/lib/os-release). A walk that clamps
// ".." and re-roots absolute targets is what RESOLVE_IN_ROOT does, so the
// two agree and the tests hold them to each other; the snapshot writer
// resolves a link the same way (an absolute target in the root, ".." no
// higher than the root), so a tree and its snapshot read alike. Clamping
// rather than refusing ".." above the root is what a process whose root
// is the tree sees: a link that climbs above it cannot leave it.
//
// # Reads never block
//
// Files are opened non-blocking and read only when they are regular
// files: a FIFO, a socket or a device where a file is expected is a
// NotRegularError (the field is left unknown, with a note), never a read
// that waits for a writer for ever. Directories are opened non-blocking
// too.
type FS struct {
	root string
	// t opens the root's files (see tree_unix.go).
	t *tree
	// rec, when set, notes every path used (see Recorder).
	rec *Recorder
}

// ErrNotHostTree is returned by NewFS for a directory that holds neither
// /sys nor /proc: reading it would produce an empty, misleading report.
var ErrNotHostTree = errors.New("not a Linux host tree")

// ErrTooLarge refuses a file larger than the most hostinfo reads of one
// (16 MiB): what it would set is unknown.
var ErrTooLarge = fmt.Errorf("larger than %d bytes", maxAttrSize)

// rootError says what is wrong with --root in few words, and still
// unwraps to the cause (fs.ErrNotExist, say).
type rootError struct {
	root, msg string
	err       error
}

func (e *rootError) Error() string { return "root " + e.root + ": " + e.msg }
func (e *rootError) Unwrap() error { return e.err }

// NewFS checks that root exists, is a directory gpupass can read and
// looks like a Linux host tree (it has /sys or /proc).
func NewFS(root string) (FS, error) {
	if root == "" {
		root = "/"
	}
	info, err := os.Stat(root)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return FS{}, &rootError{root: root, msg: "no such directory", err: err}
		case errors.Is(err, fs.ErrPermission):
			return FS{}, &rootError{root: root, msg: "permission denied: " + asUser() + " cannot reach it (run as root, or make it readable)", err: err}
		}
		return FS{}, fmt.Errorf("root %s: %w", root, errors.Unwrap(err))
	}
	if !info.IsDir() {
		return FS{}, fmt.Errorf("root %s: not a directory", root)
	}
	clean := filepath.Clean(root)
	t, err := openTree(clean)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return FS{}, &rootError{root: root, msg: "permission denied: " + asUser() + " cannot read it (run as root, or make it readable)", err: err}
		}
		return FS{}, fmt.Errorf("root %s: %w", root, underlyingErr(err))
	}
	fsys := FS{root: clean, t: t}
	sys, sysErr := fsys.stat("/sys")
	proc, procErr := fsys.stat("/proc")
	if (sysErr != nil || !sys.IsDir()) && (procErr != nil || !proc.IsDir()) {
		if errors.Is(sysErr, fs.ErrPermission) || errors.Is(procErr, fs.ErrPermission) {
			return FS{}, &rootError{root: root, msg: "permission denied: " + asUser() + " cannot look into it (run as root, or make it readable)", err: fs.ErrPermission}
		}
		return FS{}, fmt.Errorf("root %s: %w (no /sys or /proc under it)", root, ErrNotHostTree)
	}
	return fsys, nil
}

// asUser names the user gpupass runs as, for permission messages.
func asUser() string {
	if os.Geteuid() < 0 { // Windows, Plan 9
		return "this user"
	}
	return fmt.Sprintf("gpupass, running as uid %d,", os.Geteuid())
}

// underlyingErr is the error inside a *fs.PathError.
func underlyingErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Root is the directory the host's "/" is read from.
func (fsys FS) Root() string { return fsys.root }

// Path joins the root with a host path: the file's name on the machine
// running gpupass, for messages. Do not open it: its symlinks would be
// followed outside the root (the FS's methods resolve them inside).
func (fsys FS) Path(hostPath string) string {
	if fsys.root == "/" {
		return path.Clean("/" + hostPath)
	}
	return filepath.Join(fsys.root, filepath.FromSlash(path.Clean("/"+hostPath)))
}

// maxAttrSize bounds one read. sysfs attributes are at most a page; the
// largest file read here is /proc/cpuinfo on a many-core host (about 2 KiB
// per logical CPU). A bigger file is not what it claims to be.
const maxAttrSize = 16 << 20

// ReadFile reads a regular host file, refusing files larger than
// maxAttrSize.
func (fsys FS) ReadFile(hostPath string) ([]byte, error) {
	fsys.rec.note(hostPath, AccessRead)
	return fsys.t.readFile(hostPath)
}

// Open opens a regular host file for a reader that streams it (pci.ids);
// the caller closes it.
func (fsys FS) Open(hostPath string) (*os.File, error) {
	fsys.rec.note(hostPath, AccessRead)
	return fsys.t.open(hostPath)
}

// Readlink returns a symlink's target without following it.
func (fsys FS) Readlink(hostPath string) (string, error) {
	fsys.rec.note(hostPath, AccessLink)
	return fsys.t.readlink(hostPath)
}

// ReadDir lists a directory, sorted by name. An entry's type and Info are
// looked up inside the root when asked for.
func (fsys FS) ReadDir(hostPath string) ([]fs.DirEntry, error) {
	fsys.rec.note(hostPath, AccessList)
	return fsys.readDir(hostPath)
}

// readDir is ReadDir, unrecorded.
func (fsys FS) readDir(hostPath string) ([]fs.DirEntry, error) {
	names, err := fsys.t.readDir(hostPath)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	dir := path.Clean("/" + hostPath)
	out := make([]fs.DirEntry, len(names))
	for i, n := range names {
		out[i] = &dirEntry{fsys: fsys, path: path.Join(dir, n)}
	}
	return out, nil
}

// dirEntry is an entry of a directory listed by ReadDir; its type is
// read (Lstat, inside the root) when first asked for.
type dirEntry struct {
	fsys FS
	path string
	info fs.FileInfo
	err  error
	done bool
}

func (e *dirEntry) Name() string { return path.Base(e.path) }
func (e *dirEntry) IsDir() bool  { return e.Type().IsDir() }

func (e *dirEntry) Type() fs.FileMode {
	info, err := e.Info()
	if err != nil {
		return fs.ModeIrregular
	}
	return info.Mode().Type()
}

func (e *dirEntry) Info() (fs.FileInfo, error) {
	if !e.done {
		e.info, e.err = e.fsys.t.lstat(e.path)
		e.done = true
	}
	return e.info, e.err
}

func (e *dirEntry) String() string { return fs.FormatDirEntry(e) }

// ReadConfigDir lists a configuration directory. Its symlinks, absolute
// ones included, resolve inside the root, as every path's do; the name
// says what it is for.
func (fsys FS) ReadConfigDir(hostPath string) ([]fs.DirEntry, error) {
	return fsys.ReadDir(hostPath)
}

// StatConfig returns the file information of a configuration file, its
// symlinks resolved inside the root.
func (fsys FS) StatConfig(hostPath string) (fs.FileInfo, error) {
	fsys.rec.note(hostPath, AccessFollow)
	return fsys.t.stat(hostPath)
}

// Lstat returns a path's file information without following a final
// symlink (the symlinks before it are followed inside the root).
func (fsys FS) Lstat(hostPath string) (fs.FileInfo, error) {
	fsys.rec.note(hostPath, AccessExists)
	return fsys.t.lstat(hostPath)
}

// Exists reports whether a path exists, without following a final symlink:
// /dev/kvm in a captured tree is a plain file standing for the device node.
func (fsys FS) Exists(hostPath string) bool {
	fsys.rec.note(hostPath, AccessExists)
	_, err := fsys.t.lstat(hostPath)
	return err == nil
}

// stat is Stat inside the root, unrecorded.
func (fsys FS) stat(hostPath string) (fs.FileInfo, error) { return fsys.t.stat(hostPath) }

func (fsys FS) isDir(hostPath string) bool {
	fsys.rec.note(hostPath, AccessFollow)
	info, err := fsys.t.stat(hostPath)
	return err == nil && info.IsDir()
}

// ReadConfigFile reads a configuration file (/etc/...), and returns the
// host path it resolved to.
func (fsys FS) ReadConfigFile(hostPath string) ([]byte, string, error) {
	fsys.rec.note(hostPath, AccessRead)
	resolved, err := fsys.Resolve(hostPath)
	if err != nil {
		return nil, resolved, err
	}
	data, err := fsys.ReadFile(resolved)
	return data, resolved, err
}

// Resolve follows the symlinks of a host path inside the root (see FS)
// and returns the host path it resolves to.
func (fsys FS) Resolve(hostPath string) (string, error) {
	fsys.rec.note(hostPath, AccessFollow)
	return fsys.t.resolve(hostPath)
}

// Glob matches a host path pattern (path.Match's syntax, element by
// element) inside the root and returns host paths, sorted. Directories
// are listed inside the root, unrecorded: only the matches are recorded.
func (fsys FS) Glob(pattern string) []string {
	matches := []string{"/"}
	elems := strings.Split(strings.Trim(path.Clean("/"+pattern), "/"), "/")
	for i, elem := range elems {
		var next []string
		if !hasMeta(elem) {
			for _, m := range matches {
				next = append(next, path.Join(m, elem))
			}
			if i == len(elems)-1 {
				var found []string
				for _, m := range next {
					if _, err := fsys.t.lstat(m); err == nil {
						found = append(found, m)
					}
				}
				next = found
			}
		} else {
			for _, m := range matches {
				entries, err := fsys.readDir(m)
				if err != nil {
					continue
				}
				for _, e := range entries {
					if ok, _ := path.Match(elem, e.Name()); ok {
						next = append(next, path.Join(m, e.Name()))
					}
				}
			}
		}
		matches = next
		if len(matches) == 0 {
			return []string{}
		}
	}
	sort.Strings(matches)
	for _, m := range matches {
		fsys.rec.note(m, AccessFollow)
	}
	return matches
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }
