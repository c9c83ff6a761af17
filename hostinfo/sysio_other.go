//go:build !unix

package hostinfo

import "os"

// sysDir is a directory read by path (see sysio_unix.go for why Unix
// systems read a directory's files relative to it).
type sysDir struct{ path string }

// openDir names the directory name inside dir, or the path name when dir
// is nil; errors come when it is read.
func openDir(dir *sysDir, name string) (*sysDir, error) {
	if dir != nil {
		name = dir.path + string(os.PathSeparator) + name
	}
	return &sysDir{path: name}, nil
}

func (d *sysDir) close() {}

// names lists the directory's entries but "." and "..", unsorted.
func (d *sysDir) names() ([]string, error) {
	f, err := os.Open(d.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// readFile is FS.ReadFile on a file of the directory; hostDir is the
// directory's host path, for messages.
func (d *sysDir) readFile(name, hostDir string) ([]byte, error) {
	return readFile(d.path+string(os.PathSeparator)+name, hostDir+"/"+name)
}

// readlink is os.Readlink on an entry of the directory.
func (d *sysDir) readlink(name string) (string, error) {
	return os.Readlink(d.path + string(os.PathSeparator) + name)
}
