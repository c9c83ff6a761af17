package fakehost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

type entryKind int

const (
	fileEntry entryKind = iota
	linkEntry
	dirEntry
)

// entry is one file, symlink or (empty) directory of a tree.
type entry struct {
	kind   entryKind
	data   []byte
	target string // symlink target, as stored (relative)
	mode   fs.FileMode
}

// tree is a root filesystem in memory, keyed by slash-separated paths
// relative to the root. Directories holding something are implied.
type tree map[string]*entry

func (t tree) file(p string, data string) {
	t[p] = &entry{kind: fileEntry, data: []byte(data), mode: 0o644}
}

// attr writes a sysfs/procfs attribute: the value and a newline.
func (t tree) attr(p string, value string) { t.file(p, value+"\n") }

func (t tree) bin(p string, data []byte, mode fs.FileMode) {
	t[p] = &entry{kind: fileEntry, data: data, mode: mode}
}

func (t tree) dir(p string) {
	if _, ok := t[p]; !ok {
		t[p] = &entry{kind: dirEntry, mode: 0o755}
	}
}

// link makes p a symlink to target (a path relative to the root), written
// relative to p's directory as the kernel writes sysfs links.
func (t tree) link(p, target string) {
	rel, err := filepath.Rel(path.Dir(p), target)
	if err != nil {
		panic(err) // both are relative to the root: cannot fail
	}
	t[p] = &entry{kind: linkEntry, target: filepath.ToSlash(rel)}
}

func (t tree) rawLink(p, target string) { t[p] = &entry{kind: linkEntry, target: target} }

// write creates the tree under dir, which must not exist or be empty.
// Files are written by a few goroutines: a synthetic host has hundreds of
// thousands of them and each costs a few system calls.
func (t tree) write(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("build %s: directory is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	paths := make([]string, 0, len(t))
	dirs := map[string]bool{}
	for p, e := range t {
		paths = append(paths, p)
		if e.kind == dirEntry {
			dirs[p] = true
		}
		for d := path.Dir(p); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	dirList := make([]string, 0, len(dirs))
	for d := range dirs {
		dirList = append(dirList, d)
	}
	sort.Strings(dirList) // parents before children
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range dirList {
		if err := os.Mkdir(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	sort.Strings(paths)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	work := make(chan string, 256)
	for range max(2, runtime.GOMAXPROCS(0)*2) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				e := t[p]
				full := filepath.Join(dir, filepath.FromSlash(p))
				var err error
				switch e.kind {
				case fileEntry:
					err = os.WriteFile(full, e.data, e.mode)
					if err == nil && e.mode&0o200 == 0 {
						err = os.Chmod(full, e.mode) // WriteFile honours the umask only
					}
				case linkEntry:
					err = os.Symlink(e.target, full)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, p := range paths {
		if t[p].kind != dirEntry {
			work <- p
		}
	}
	close(work)
	wg.Wait()
	return firstErr
}
