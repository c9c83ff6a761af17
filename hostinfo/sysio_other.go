//go:build !unix

package hostinfo

import "path"

// sysDir is a directory read by its host path inside the root (see
// sysio_unix.go for why Unix systems read a directory's files relative
// to it).
type sysDir struct {
	path string
	t    *tree
}

// openSysDir names a host directory; errors come when it is read.
func (t *tree) openSysDir(parent *sysDir, name, hostPath string) (*sysDir, error) {
	return &sysDir{path: path.Clean("/" + hostPath), t: t}, nil
}

// openDir names a subdirectory.
func (d *sysDir) openDir(name string) (*sysDir, error) {
	return &sysDir{path: d.path + "/" + name, t: d.t}, nil
}

func (d *sysDir) close() {}

// names lists the directory's entries, unsorted.
func (d *sysDir) names() ([]string, error) { return d.t.readDir(d.path) }

// readFile reads a regular file of the directory.
func (d *sysDir) readFile(name string) ([]byte, error) { return d.t.readFile(d.path + "/" + name) }

// readlink reads a symlink of the directory.
func (d *sysDir) readlink(name string) (string, error) { return d.t.readlink(d.path + "/" + name) }
