//go:build unix

package hostinfo

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gpupass/gpupass/internal/regfile"
	"golang.org/x/sys/unix"
)

// tree is where an FS's reads go: the live host ("/", the kernel's own
// resolution), or a captured tree opened once, every path of which is
// resolved inside it (see FS for why and how).
type tree struct {
	root string
	live bool
	// dir keeps the tree's root directory open (and closes it when the
	// tree is garbage collected); fd is its descriptor.
	dir *os.File
	fd  int
	// walkOnly makes every path go through walk, for the tests: the
	// Linux fast path (openat2) and the walk must agree.
	walkOnly bool
}

// openFlags open a file for reading: never blocking (a FIFO or a
// terminal opens at once; its type is then refused), never becoming a
// controlling terminal.
const openFlags = unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY | unix.O_CLOEXEC

func openTree(root string) (*tree, error) {
	if root == "/" {
		return &tree{root: "/", live: true}, nil
	}
	fd, err := retry(func() (int, error) { return unix.Open(root, pathFlags|unix.O_DIRECTORY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	t := &tree{root: root, dir: os.NewFile(uintptr(fd), root), fd: fd}
	t.probe()
	return t, nil
}

// hostName is the name of a host path on the machine running gpupass,
// for messages that must name the real file.
func (t *tree) hostName(hostPath string) string {
	if t.live {
		return hostPath
	}
	return t.root + hostPath
}

// rel is a clean host path relative to the tree's root ("." for "/").
func rel(hostPath string) string {
	r := strings.TrimPrefix(path.Clean("/"+hostPath), "/")
	if r == "" {
		return "."
	}
	return r
}

// at is a directory and a name in it: where the last element of a path
// was found. dir is closed by close when the walk opened it.
type at struct {
	dir  int
	name string
	own  bool
}

func (a at) close() {
	if a.own {
		unix.Close(a.dir)
	}
}

// locate finds the directory that holds a host path's last element,
// resolving every symlink before it inside the root; the last element is
// not followed.
func (t *tree) locate(hostPath string) (a at, err error) {
	p := path.Clean("/" + hostPath)
	if t.live {
		return at{dir: unix.AT_FDCWD, name: p}, nil
	}
	if !t.walkOnly {
		dir, base := path.Split(p)
		if base == "" {
			base = "."
		}
		fd, err := openInRoot(t.fd, rel(dir), pathFlags|unix.O_DIRECTORY)
		if err == nil {
			return at{dir: fd, name: base, own: true}, nil
		}
		if err != errSlowPath {
			return at{}, &fs.PathError{Op: "open", Path: path.Clean(dir), Err: err}
		}
	}
	a, _, err = t.walk(p, false)
	return a, err
}

// openFile opens a host path for reading, following its symlinks inside
// the root; flags are added to openFlags (O_DIRECTORY, say).
func (t *tree) openFile(hostPath string, flags int) (int, error) {
	p := path.Clean("/" + hostPath)
	if t.live {
		fd, err := retry(func() (int, error) { return unix.Open(p, openFlags|flags, 0) })
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: p, Err: err}
		}
		return fd, nil
	}
	if !t.walkOnly {
		fd, err := openInRoot(t.fd, rel(p), openFlags|flags)
		if err == nil {
			return fd, nil
		}
		if err != errSlowPath {
			return -1, &fs.PathError{Op: "open", Path: p, Err: err}
		}
	}
	a, _, err := t.walk(p, true)
	if err != nil {
		return -1, err
	}
	defer a.close()
	fd, err := retry(func() (int, error) { return unix.Openat(a.dir, a.name, openFlags|flags|unix.O_NOFOLLOW, 0) })
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	return fd, nil
}

// readFile reads a regular file (see readRegular).
func (t *tree) readFile(hostPath string) ([]byte, error) {
	fd, err := t.openFile(hostPath, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return readRegular(fd, path.Clean("/"+hostPath))
}

// open opens a regular file as an *os.File, for a reader that streams it
// (pci.ids).
func (t *tree) open(hostPath string) (*os.File, error) {
	fd, err := t.openFile(hostPath, 0)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(fd, path.Clean("/"+hostPath)); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), t.hostName(path.Clean("/"+hostPath))), nil
}

// readDir lists a directory's names, unsorted.
func (t *tree) readDir(hostPath string) ([]string, error) {
	fd, err := t.openFile(hostPath, unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	d := &sysDir{fd: fd, path: path.Clean("/" + hostPath)}
	defer d.close()
	return d.names()
}

// lstat is Lstat inside the root: the last element is not followed.
func (t *tree) lstat(hostPath string) (fs.FileInfo, error) {
	a, err := t.locate(hostPath)
	if err != nil {
		return nil, err
	}
	defer a.close()
	defer runtime.KeepAlive(t)
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Fstatat(a.dir, a.name, &st, unix.AT_SYMLINK_NOFOLLOW) }); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: path.Clean("/" + hostPath), Err: err}
	}
	return newStatInfo(path.Base(path.Clean("/"+hostPath)), &st), nil
}

// stat is Stat inside the root: every symlink is followed.
func (t *tree) stat(hostPath string) (fs.FileInfo, error) {
	p := path.Clean("/" + hostPath)
	var st unix.Stat_t
	switch {
	case t.live:
		if err := ignoringEINTR(func() error { return unix.Stat(p, &st) }); err != nil {
			return nil, &fs.PathError{Op: "stat", Path: p, Err: err}
		}
		return newStatInfo(path.Base(p), &st), nil
	case pathFlags != unix.O_RDONLY && !t.walkOnly:
		// O_PATH: a FIFO is looked at, not opened.
		fd, err := openInRoot(t.fd, rel(p), pathFlags)
		if err == nil {
			defer unix.Close(fd)
			if err := ignoringEINTR(func() error { return unix.Fstat(fd, &st) }); err != nil {
				return nil, &fs.PathError{Op: "stat", Path: p, Err: err}
			}
			return newStatInfo(path.Base(p), &st), nil
		}
		if err != errSlowPath {
			return nil, &fs.PathError{Op: "stat", Path: p, Err: err}
		}
	}
	a, _, err := t.walk(p, true)
	if err != nil {
		return nil, err
	}
	defer a.close()
	if err := ignoringEINTR(func() error { return unix.Fstatat(a.dir, a.name, &st, unix.AT_SYMLINK_NOFOLLOW) }); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	return newStatInfo(path.Base(p), &st), nil
}

// readlink reads a symlink inside the root without following it.
func (t *tree) readlink(hostPath string) (string, error) {
	a, err := t.locate(hostPath)
	if err != nil {
		return "", err
	}
	defer a.close()
	defer runtime.KeepAlive(t)
	d := &sysDir{fd: a.dir, path: path.Dir(path.Clean("/" + hostPath))}
	target, err := d.readlink(a.name)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: path.Clean("/" + hostPath), Err: underlying(err)}
	}
	return target, nil
}

// resolve returns the host path a path resolves to inside the root, its
// symlinks followed.
func (t *tree) resolve(hostPath string) (string, error) {
	p := path.Clean("/" + hostPath)
	if t.live {
		// The kernel resolves; say what it resolves to.
		r, err := filepath.EvalSymlinks(p)
		if err != nil {
			return p, err
		}
		return filepath.ToSlash(r), nil
	}
	a, resolved, err := t.walk(p, true)
	if err != nil {
		return resolved, err
	}
	defer a.close()
	var st unix.Stat_t
	if err := unix.Fstatat(a.dir, a.name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return resolved, &fs.PathError{Op: "lstat", Path: resolved, Err: err}
	}
	return resolved, nil
}

// walk resolves a host path inside the root one element at a time, as the
// kernel resolves a path for a process whose root is the tree's: a
// symlink's target is read and resolved in its place, an absolute target
// from the root, ".." in the root stays in the root. When follow is false
// a final symlink is not followed. It returns the directory holding the
// last element and the element's name ("." when the path resolves to a
// directory through "..", or is "/"), and the host path resolved.
func (t *tree) walk(p string, follow bool) (at, string, error) {
	defer runtime.KeepAlive(t)
	type level struct {
		fd   int
		name string
	}
	stack := []level{{fd: t.fd}}
	release := func(keep int) {
		for i := len(stack) - 1; i >= 1; i-- {
			if stack[i].fd != keep {
				unix.Close(stack[i].fd)
			}
		}
	}
	where := func(name string) string {
		var b strings.Builder
		for _, l := range stack[1:] {
			b.WriteString("/" + l.name)
		}
		if name != "" && name != "." {
			b.WriteString("/" + name)
		}
		if b.Len() == 0 {
			return "/"
		}
		return b.String()
	}
	pending := splitLink(p)
	hops := 0
	for len(pending) > 0 {
		elem := pending[0]
		pending = pending[1:]
		switch elem {
		case "", ".":
			continue
		case "..":
			// The root's parent is the root (a process cannot climb out of
			// its root either).
			if len(stack) > 1 {
				unix.Close(stack[len(stack)-1].fd)
				stack = stack[:len(stack)-1]
			}
			continue
		}
		top := stack[len(stack)-1].fd
		last := len(pending) == 0
		var st unix.Stat_t
		if err := ignoringEINTR(func() error { return unix.Fstatat(top, elem, &st, unix.AT_SYMLINK_NOFOLLOW) }); err != nil {
			release(-1)
			return at{}, where(elem), &fs.PathError{Op: "lstat", Path: where(elem), Err: err}
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK && (!last || follow) {
			if hops++; hops > maxSymlinks {
				release(-1)
				return at{}, where(elem), &fs.PathError{Op: "open", Path: p, Err: unix.ELOOP}
			}
			target, err := (&sysDir{fd: top, path: where("")}).readlink(elem)
			if err != nil {
				release(-1)
				return at{}, where(elem), &fs.PathError{Op: "readlink", Path: where(elem), Err: underlying(err)}
			}
			if strings.HasPrefix(target, "/") {
				release(-1)
				stack = stack[:1]
			}
			pending = append(splitLink(target), pending...)
			continue
		}
		if last {
			release(top)
			return at{dir: top, name: elem, own: len(stack) > 1}, where(elem), nil
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			release(-1)
			return at{}, where(elem), &fs.PathError{Op: "open", Path: where(elem), Err: unix.ENOTDIR}
		}
		fd, err := retry(func() (int, error) {
			return unix.Openat(top, elem, walkFlags|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		})
		if err != nil {
			release(-1)
			return at{}, where(elem), &fs.PathError{Op: "open", Path: where(elem), Err: err}
		}
		stack = append(stack, level{fd: fd, name: elem})
	}
	// The path is a directory reached by ".." or the root itself.
	top := stack[len(stack)-1].fd
	release(top)
	return at{dir: top, name: ".", own: len(stack) > 1}, where(""), nil
}

// maxSymlinks bounds the symlinks followed for one path, as the kernel
// does (40, MAXSYMLINKS).
const maxSymlinks = 40

// splitLink splits a path or a link target into elements; a leading "/"
// gives no element (walk restarts at the root for an absolute target).
func splitLink(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

// readRegular reads an open file to its end if it is a regular file,
// refusing files larger than maxAttrSize; hostPath is for messages.
func readRegular(fd int, hostPath string) ([]byte, error) {
	if err := checkRegular(fd, hostPath); err != nil {
		return nil, err
	}
	return readFd(fd, hostPath)
}

// checkRegular refuses what is not a regular file: a FIFO would block a
// read for ever, a device would be read instead of a file's content.
func checkRegular(fd int, hostPath string) error {
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return &fs.PathError{Op: "stat", Path: hostPath, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return &fs.PathError{Op: "open", Path: hostPath, Err: &regfile.NotRegularError{Mode: unixMode(uint32(st.Mode))}}
	}
	return nil
}

// readFd reads an open file to its end, refusing files larger than
// maxAttrSize; hostPath is for messages.
func readFd(fd int, hostPath string) ([]byte, error) {
	// sysfs attributes are under a page: read them into the stack and
	// copy out exactly what was read.
	var small [512]byte
	buf := small[:]
	n := 0
	for n <= maxAttrSize {
		if n == len(buf) {
			grown := make([]byte, 2*len(buf))
			copy(grown, buf)
			buf = grown
		}
		m, err := unix.Read(fd, buf[n:min(len(buf), maxAttrSize+1)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: hostPath, Err: err}
		}
		if m <= 0 {
			break
		}
		n += m
	}
	if n > maxAttrSize {
		return nil, &fs.PathError{Op: "read", Path: hostPath, Err: ErrTooLarge}
	}
	out := make([]byte, n)
	copy(out, buf)
	return out, nil
}

func retry(open func() (int, error)) (int, error) {
	for {
		fd, err := open()
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func ignoringEINTR(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}

// underlying is the system error inside a *fs.PathError.
func underlying(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// statInfo is an fs.FileInfo from a stat system call.
type statInfo struct {
	name string
	size int64
	mode fs.FileMode
	sys  unix.Stat_t
}

func newStatInfo(name string, st *unix.Stat_t) *statInfo {
	return &statInfo{name: name, size: st.Size, mode: unixMode(uint32(st.Mode)), sys: *st}
}

func (s *statInfo) Name() string       { return s.name }
func (s *statInfo) Size() int64        { return s.size }
func (s *statInfo) Mode() fs.FileMode  { return s.mode }
func (s *statInfo) ModTime() time.Time { return time.Time{} } // not needed
func (s *statInfo) IsDir() bool        { return s.mode.IsDir() }
func (s *statInfo) Sys() any           { return &s.sys }

// unixMode converts st_mode to an fs.FileMode, as package os does.
func unixMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// openLocal opens a regular file of the machine running gpupass (a
// --pci-ids file) for reading, non-blocking: a FIFO is refused, not
// waited on.
func openLocal(name string) (*os.File, error) {
	fd, err := retry(func() (int, error) { return unix.Open(name, openFlags, 0) })
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if err := checkRegular(fd, name); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}
