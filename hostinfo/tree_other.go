//go:build !unix

package hostinfo

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gpupass/gpupass/internal/regfile"
)

// tree is where an FS's reads go (see tree_unix.go). Without the Unix
// system calls, a captured tree is read through an os.Root, which keeps
// every open inside it, after walk has resolved the path the way the
// kernel would with the tree as "/" (os.Root alone would refuse an
// absolute symlink rather than resolve it in the root).
type tree struct {
	root string
	live bool
	r    *os.Root
	// walkOnly is unused here: there is no fast path.
	walkOnly bool
}

func openTree(root string) (*tree, error) {
	if root == "/" {
		return &tree{root: "/", live: true}, nil
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	return &tree{root: root, r: r}, nil
}

// rel is a clean host path relative to the tree's root ("." for "/").
func rel(hostPath string) string {
	r := strings.TrimPrefix(path.Clean("/"+hostPath), "/")
	if r == "" {
		return "."
	}
	return r
}

// name is the path to hand to the os package or the os.Root.
func (t *tree) name(hostPath string) string {
	if t.live {
		return filepath.FromSlash(path.Clean("/" + hostPath))
	}
	return filepath.FromSlash(rel(hostPath))
}

func (t *tree) lstatRaw(hostPath string) (fs.FileInfo, error) {
	if t.live {
		return os.Lstat(t.name(hostPath))
	}
	return t.r.Lstat(t.name(hostPath))
}

func (t *tree) readlinkRaw(hostPath string) (string, error) {
	if t.live {
		return os.Readlink(t.name(hostPath))
	}
	return t.r.Readlink(t.name(hostPath))
}

// walk resolves a host path inside the root one element at a time (see
// tree_unix.go's walk); it returns the host path resolved, its last
// element followed when follow is set.
func (t *tree) walk(hostPath string, follow bool) (string, error) {
	pending := strings.Split(strings.Trim(path.Clean("/"+hostPath), "/"), "/")
	resolved := "/"
	for hops := 0; len(pending) > 0; {
		elem := pending[0]
		pending = pending[1:]
		switch elem {
		case "", ".":
			continue
		case "..":
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, elem)
		info, err := t.lstatRaw(next)
		if err != nil {
			return next, err
		}
		if info.Mode()&fs.ModeSymlink == 0 || len(pending) == 0 && !follow {
			resolved = next
			continue
		}
		if hops++; hops > maxSymlinks {
			return next, &fs.PathError{Op: "open", Path: hostPath, Err: errors.New("too many levels of symbolic links")}
		}
		target, err := t.readlinkRaw(next)
		if err != nil {
			return next, err
		}
		target = filepath.ToSlash(target)
		if strings.HasPrefix(target, "/") {
			resolved = "/"
		}
		pending = append(strings.Split(strings.Trim(target, "/"), "/"), pending...)
	}
	return resolved, nil
}

// maxSymlinks bounds the symlinks followed for one path.
const maxSymlinks = 40

func (t *tree) openRaw(hostPath string) (*os.File, error) {
	p, err := t.walk(hostPath, true)
	if err != nil {
		return nil, err
	}
	if t.live {
		return os.Open(t.name(p))
	}
	return t.r.Open(t.name(p))
}

func (t *tree) readFile(hostPath string) ([]byte, error) {
	f, err := t.open(hostPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAttrSize+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: hostPath, Err: err}
	}
	if len(data) > maxAttrSize {
		return nil, &fs.PathError{Op: "read", Path: hostPath, Err: ErrTooLarge}
	}
	return data, nil
}

func (t *tree) open(hostPath string) (*os.File, error) {
	f, err := t.openRaw(hostPath)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: hostPath, Err: &regfile.NotRegularError{Mode: info.Mode()}}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (t *tree) readDir(hostPath string) ([]string, error) {
	f, err := t.openRaw(hostPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

func (t *tree) lstat(hostPath string) (fs.FileInfo, error) {
	p, err := t.walk(hostPath, false)
	if err != nil {
		return nil, err
	}
	return t.lstatRaw(p)
}

func (t *tree) stat(hostPath string) (fs.FileInfo, error) {
	p, err := t.walk(hostPath, true)
	if err != nil {
		return nil, err
	}
	return t.lstatRaw(p)
}

func (t *tree) readlink(hostPath string) (string, error) {
	p, err := t.walk(hostPath, false)
	if err != nil {
		return "", err
	}
	return t.readlinkRaw(p)
}

func (t *tree) resolve(hostPath string) (string, error) {
	p, err := t.walk(hostPath, true)
	if err != nil {
		return p, err
	}
	_, err = t.lstatRaw(p)
	return p, err
}

// openLocal opens a regular file of the machine running gpupass.
func openLocal(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: name, Err: &regfile.NotRegularError{Mode: info.Mode()}}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
