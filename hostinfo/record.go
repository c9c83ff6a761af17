package hostinfo

import (
	"path"
	"sort"
	"sync"
)

// Access is how a collection used a host path. A snapshot captures each
// path in the way it was used: a file read is captured with its content, a
// symlink read with its target, a directory listed with its entries.
type Access uint8

const (
	// AccessExists looked at a path without following a final symlink
	// (Lstat): a symlink is captured as a symlink, anything else by its
	// type alone (an empty file standing for /dev/kvm, say).
	AccessExists Access = 1 << iota
	// AccessFollow looked at a path through its symlinks (Stat, an open
	// directory): what it resolves to is captured by type.
	AccessFollow
	// AccessRead read a file's content.
	AccessRead
	// AccessLink read a symlink's target.
	AccessLink
	// AccessList listed a directory: its entries are captured by type
	// (symlinks with their targets, directories empty, files empty), those
	// read as well with their content.
	AccessList
)

// A Recorder notes every host path a collection uses. Give it to an FS
// with FS.WithRecorder; it is safe for concurrent use (devices are read
// in parallel).
type Recorder struct {
	mu    sync.Mutex
	paths map[string]Access
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{paths: map[string]Access{}} }

// WithRecorder returns the FS, its reads noted by r.
func (fsys FS) WithRecorder(r *Recorder) FS {
	fsys.rec = r
	return fsys
}

// Recorded is one path a collection used and how.
type Recorded struct {
	Path   string
	Access Access
}

// Paths returns what was recorded, sorted by path.
func (r *Recorder) Paths() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Recorded, 0, len(r.paths))
	for p, a := range r.paths {
		out = append(out, Recorded{Path: p, Access: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (r *Recorder) note(hostPath string, a Access) {
	if r == nil {
		return
	}
	p := path.Clean("/" + hostPath)
	r.mu.Lock()
	r.paths[p] |= a
	r.mu.Unlock()
}

// Record notes a host path used outside the FS's methods (a caller that
// reads a file FS.Path named).
func (fsys FS) Record(hostPath string, a Access) { fsys.rec.note(hostPath, a) }
