package hostinfo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// FS is a host's filesystem seen under a root prefix: "/" for the live
// host, or a directory holding a captured tree (a fixture or a snapshot).
// Paths given to its methods are absolute paths as the host sees them
// ("/sys/bus/pci/devices"), so messages can name the file the operator
// knows.
type FS struct {
	root string
	// rec, when set, notes every path used (see Recorder).
	rec *Recorder
}

// ErrNotHostTree is returned by NewFS for a directory that holds neither
// /sys nor /proc: reading it would produce an empty, misleading report.
var ErrNotHostTree = errors.New("not a Linux host tree")

// rootError says what is wrong with --root in few words, and still
// unwraps to the cause (fs.ErrNotExist, say).
type rootError struct {
	root, msg string
	err       error
}

func (e *rootError) Error() string { return "root " + e.root + ": " + e.msg }
func (e *rootError) Unwrap() error { return e.err }

// NewFS checks that root exists, is a directory and looks like a Linux
// host tree (it has /sys or /proc).
func NewFS(root string) (FS, error) {
	if root == "" {
		root = "/"
	}
	info, err := os.Stat(root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return FS{}, &rootError{root: root, msg: "no such directory", err: err}
		}
		return FS{}, fmt.Errorf("root %s: %w", root, errors.Unwrap(err))
	}
	if !info.IsDir() {
		return FS{}, fmt.Errorf("root %s: not a directory", root)
	}
	fsys := FS{root: filepath.Clean(root)}
	if !fsys.isDir("/sys") && !fsys.isDir("/proc") {
		return FS{}, fmt.Errorf("root %s: %w (no /sys or /proc under it)", root, ErrNotHostTree)
	}
	return fsys, nil
}

// Root is the directory the host's "/" is read from.
func (fsys FS) Root() string { return fsys.root }

// Path joins the root with a host path.
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

// ReadFile reads a host file, refusing files larger than maxAttrSize.
func (fsys FS) ReadFile(hostPath string) ([]byte, error) {
	fsys.rec.note(hostPath, AccessRead)
	return readFile(fsys.Path(hostPath), hostPath)
}

// readFile is ReadFile on the file name; hostPath is for messages.
func readFile(name, hostPath string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAttrSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", hostPath, err)
	}
	if len(data) > maxAttrSize {
		return nil, fmt.Errorf("read %s: larger than %d bytes", hostPath, maxAttrSize)
	}
	return data, nil
}

// Readlink returns a symlink's target without following it.
func (fsys FS) Readlink(hostPath string) (string, error) {
	fsys.rec.note(hostPath, AccessLink)
	return os.Readlink(fsys.Path(hostPath))
}

// ReadDir lists a directory, sorted by name.
func (fsys FS) ReadDir(hostPath string) ([]fs.DirEntry, error) {
	fsys.rec.note(hostPath, AccessList)
	return os.ReadDir(fsys.Path(hostPath))
}

// ReadConfigDir lists a configuration directory whose path may go through
// absolute symlinks, resolving them inside the root (see Resolve).
func (fsys FS) ReadConfigDir(hostPath string) ([]fs.DirEntry, error) {
	fsys.rec.note(hostPath, AccessList)
	resolved, err := fsys.Resolve(hostPath)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(fsys.Path(resolved))
}

// StatConfig returns the file information of a configuration file, its
// symlinks resolved inside the root (see Resolve).
func (fsys FS) StatConfig(hostPath string) (fs.FileInfo, error) {
	resolved, err := fsys.Resolve(hostPath)
	if err != nil {
		return nil, err
	}
	return os.Stat(fsys.Path(resolved))
}

// Exists reports whether a path exists, without following a final symlink:
// /dev/kvm in a captured tree is a plain file standing for the device node.
func (fsys FS) Exists(hostPath string) bool {
	fsys.rec.note(hostPath, AccessExists)
	_, err := os.Lstat(fsys.Path(hostPath))
	return err == nil
}

func (fsys FS) isDir(hostPath string) bool {
	fsys.rec.note(hostPath, AccessFollow)
	info, err := os.Stat(fsys.Path(hostPath))
	return err == nil && info.IsDir()
}

// ReadConfigFile reads a configuration file (/etc/...) whose symlinks may
// be absolute; it returns the data and the host path it resolved to.
func (fsys FS) ReadConfigFile(hostPath string) ([]byte, string, error) {
	fsys.rec.note(hostPath, AccessRead)
	resolved, err := fsys.Resolve(hostPath)
	if err != nil {
		return nil, resolved, err
	}
	data, err := fsys.ReadFile(resolved)
	return data, resolved, err
}

// Resolve follows the symlinks of a host path inside the root, component
// by component. Under a root prefix an absolute target must resolve inside
// the root, never on the machine running gpupass (an /etc/modprobe.d that
// links to /usr/lib/modprobe.d, say), so links are followed here rather
// than by the kernel.
func (fsys FS) Resolve(hostPath string) (string, error) {
	fsys.rec.note(hostPath, AccessFollow)
	pending := strings.Split(strings.Trim(path.Clean("/"+hostPath), "/"), "/")
	resolved := "/"
	for hops := 0; len(pending) > 0; {
		elem := pending[0]
		pending = pending[1:]
		if elem == "" || elem == "." {
			continue
		}
		if elem == ".." {
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, elem)
		info, err := os.Lstat(fsys.Path(next))
		if err != nil {
			return next, err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > 40 {
			return next, fmt.Errorf("%s: too many levels of symbolic links", hostPath)
		}
		target, err := os.Readlink(fsys.Path(next))
		if err != nil {
			return next, err
		}
		if strings.HasPrefix(target, "/") {
			resolved = "/"
		}
		pending = append(strings.Split(target, "/"), pending...)
	}
	return resolved, nil
}
