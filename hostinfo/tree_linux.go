//go:build linux

package hostinfo

import (
	"errors"

	"golang.org/x/sys/unix"
)

// pathFlags open a path to look at it or to resolve below it, without
// opening the file itself (a FIFO is not opened, a directory needs no read
// permission to be walked through).
const pathFlags = unix.O_PATH | unix.O_CLOEXEC

// walkFlags open the directories walk goes through.
const walkFlags = unix.O_PATH

// errSlowPath says the kernel could not resolve a path in one call: walk
// resolves it.
var errSlowPath = errors.New("resolve by walking")

// openInRoot opens rel under the tree's root directory with openat2's
// RESOLVE_IN_ROOT: the kernel resolves the whole path as for a process
// whose root is the tree (absolute symlinks start from it, ".." stops at
// it), in one system call, the cost of a plain open.
func openInRoot(root int, rel string, flags int) (int, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(root, rel, &how)
		switch err {
		case nil:
			return fd, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			// A rename raced a "..": the kernel could not be sure the
			// path stayed in the root. Try again, then walk.
			if tries < 3 {
				continue
			}
			return -1, errSlowPath
		case unix.ENOSYS, unix.EPERM:
			// Before Linux 5.6, or a seccomp filter that refuses it.
			return -1, errSlowPath
		}
		return -1, err
	}
}

// probe turns the fast path off when openat2 is missing or refused, so
// that every read does not try it first.
func (t *tree) probe() {
	fd, err := openInRoot(t.fd, ".", pathFlags|unix.O_DIRECTORY)
	if err != nil {
		t.walkOnly = true
		return
	}
	unix.Close(fd)
}
