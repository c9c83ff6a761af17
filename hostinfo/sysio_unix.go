//go:build unix

package hostinfo

import (
	"fmt"
	"io/fs"

	"golang.org/x/sys/unix"
)

// The collector reads about ten files per PCI function, tens of thousands
// on a big host, so it reads a device's directory with plain system calls:
//
//   - the files are opened relative to the device's directory, opened
//     once (openat, readlinkat), so the kernel looks up one name instead of
//     walking the whole path and the bus/pci/devices symlink each time;
//   - os.Open would register every file with the runtime's network poller,
//     which costs four fcntl calls and a failing epoll_ctl per regular
//     file on Linux, more than the open, reads and close themselves.
//
// Errors are the *fs.PathError values os.Open, Read, Readlink and ReadDir
// return, with the same paths, and FS.ReadFile's messages.

// sysDir is an open directory.
type sysDir struct {
	fd   int
	path string
}

// openDir opens the directory name inside dir, or the path name when dir
// is nil.
func openDir(dir *sysDir, name string) (*sysDir, error) {
	at, path := unix.AT_FDCWD, name
	if dir != nil {
		at, path = dir.fd, dir.path+"/"+name
	}
	fd, err := openAt(at, name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return &sysDir{fd: fd, path: path}, nil
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

// readFile is FS.ReadFile on a file of the directory; hostDir is the
// directory's host path, for messages.
func (d *sysDir) readFile(name, hostDir string) ([]byte, error) {
	return readFileAt(d.fd, name, d.path+"/"+name, hostDir+"/"+name)
}

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

// readFileAt is readFile on the file name in the directory at.
func readFileAt(at int, name, path, hostPath string) ([]byte, error) {
	fd, err := openAt(at, name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
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
			return nil, fmt.Errorf("read %s: %w", hostPath, &fs.PathError{Op: "read", Path: path, Err: err})
		}
		if m <= 0 {
			break
		}
		n += m
	}
	if n > maxAttrSize {
		return nil, fmt.Errorf("read %s: larger than %d bytes", hostPath, maxAttrSize)
	}
	out := make([]byte, n)
	copy(out, buf)
	return out, nil
}

func openAt(at int, name string) (int, error) {
	for {
		fd, err := unix.Openat(at, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
