//go:build unix

package hostinfo

import (
	"io/fs"
	"path"

	"golang.org/x/sys/unix"
)

// The collector reads about ten files per PCI function, tens of thousands
// on a big host, so it reads a device's directory with plain system calls:
//
//   - the files are opened relative to the device's directory, opened
//     once (openat, readlinkat), so the kernel looks up one name instead of
//     walking the whole path each time;
//   - os.Open would register every file with the runtime's network poller,
//     which costs four fcntl calls and a failing epoll_ctl per regular
//     file on Linux, more than the open, reads and close themselves.
//
// A device's directory is opened inside the root like any path (see FS);
// its files are opened without following a symlink (sysfs attributes are
// never symlinks), and one that is a symlink is opened again by its whole
// path inside the root. So no read leaves the root, and none blocks: files
// are opened non-blocking and must be regular files.
//
// Errors are *fs.PathError values naming host paths.

// sysDir is an open directory.
type sysDir struct {
	fd int
	// path is the directory's host path.
	path string
	// t resolves what cannot be opened relative to the directory.
	t *tree
}

// openSysDir opens a host directory inside the root. Under a live root
// with parent given, name is opened relative to parent (the kernel
// follows a device's symlink in /sys/bus/pci/devices from there).
func (t *tree) openSysDir(parent *sysDir, name, hostPath string) (*sysDir, error) {
	if t.live && parent != nil {
		fd, err := retry(func() (int, error) { return unix.Openat(parent.fd, name, openFlags|unix.O_DIRECTORY, 0) })
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: hostPath, Err: err}
		}
		return &sysDir{fd: fd, path: hostPath, t: t}, nil
	}
	fd, err := t.openFile(hostPath, unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	return &sysDir{fd: fd, path: path.Clean("/" + hostPath), t: t}, nil
}

// openDir opens a subdirectory, by its whole path inside the root when
// it is a symlink.
func (d *sysDir) openDir(name string) (*sysDir, error) {
	fd, err := retry(func() (int, error) {
		return unix.Openat(d.fd, name, openFlags|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	})
	if isSymlinkErr(err) && d.t != nil {
		return d.t.openSysDir(nil, name, d.path+"/"+name)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: d.path + "/" + name, Err: err}
	}
	return &sysDir{fd: fd, path: d.path + "/" + name, t: d.t}, nil
}

func (d *sysDir) close() { unix.Close(d.fd) }

// names lists the directory's entries but "." and "..", unsorted. It can
// be called once.
func (d *sysDir) names() ([]string, error) {
	var buf [8192]byte
	names := make([]string, 0, 32)
	for {
		n, err := unix.ReadDirent(d.fd, buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: d.path, Err: err}
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

// readFile reads a regular file of the directory (see FS.ReadFile); a
// symlink is read by its whole path inside the root.
func (d *sysDir) readFile(name string) ([]byte, error) {
	hostPath := d.path + "/" + name
	fd, err := retry(func() (int, error) { return unix.Openat(d.fd, name, openFlags|unix.O_NOFOLLOW, 0) })
	if isSymlinkErr(err) && d.t != nil {
		return d.t.readFile(hostPath)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: hostPath, Err: err}
	}
	defer unix.Close(fd)
	// Opened non-blocking, a FIFO or a directory reads nothing or fails
	// at once: only then is the type looked at, which spares a system
	// call on each of the tens of thousands of attributes of a big host.
	// (Device nodes cannot be made without privilege, and a captured
	// tree's are refused by the snapshot reader.)
	data, err := readFd(fd, hostPath)
	if err != nil || len(data) == 0 {
		if rerr := checkRegular(fd, hostPath); rerr != nil {
			return nil, rerr
		}
	}
	return data, err
}

// isSymlinkErr reports whether an O_NOFOLLOW open failed on a symlink
// (ELOOP; EMLINK on FreeBSD).
func isSymlinkErr(err error) bool { return err == unix.ELOOP || err == unix.EMLINK }

// readlink is os.Readlink on an entry of the directory.
func (d *sysDir) readlink(name string) (string, error) {
	var buf [256]byte
	for size := len(buf); ; size *= 2 {
		b := buf[:]
		if size > len(buf) {
			b = make([]byte, size)
		}
		n, err := unix.Readlinkat(d.fd, name, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", &fs.PathError{Op: "readlink", Path: d.path + "/" + name, Err: err}
		}
		if n < len(b) {
			return string(b[:n]), nil
		}
	}
}
