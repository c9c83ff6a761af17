package snapshot

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// Limits on an archive being opened: a host's files are small, and an
// archive that claims more is damaged or hostile (a decompression bomb).
const (
	// MaxMemberSize is the largest file: hostinfo reads none larger.
	MaxMemberSize = 16 << 20
	// MaxTotalSize bounds the files' content, uncompressed.
	MaxTotalSize = 1 << 30
	// MaxMembers bounds the number of members (a 1,000-function host
	// has about 30,000).
	MaxMembers = 1 << 20
)

// Snapshot is an opened snapshot.
type Snapshot struct {
	// Root is the host tree, to read with hostinfo.
	Root     string
	Manifest *Manifest
	// dir is the temporary directory holding an extracted archive ("" for
	// an already extracted one).
	dir string
}

// Close removes what Open extracted.
func (s *Snapshot) Close() error {
	if s == nil || s.dir == "" {
		return nil
	}
	return os.RemoveAll(s.dir)
}

// Is reports whether name is a snapshot rather than a host tree: a file
// (an archive), or a directory an archive was extracted into (it holds
// manifest.json and root/, or gpupass-snapshot/ with them).
func Is(name string) bool {
	info, err := os.Stat(name)
	if err != nil {
		return false
	}
	if !info.IsDir() {
		return true
	}
	_, err = extractedRoot(name)
	return err == nil
}

func extractedRoot(dir string) (string, error) {
	for _, d := range []string{dir, filepath.Join(dir, Top)} {
		if info, err := os.Stat(filepath.Join(d, "root")); err == nil && info.IsDir() {
			if _, err := os.Stat(filepath.Join(d, "manifest.json")); err == nil {
				return d, nil
			}
		}
	}
	return "", fs.ErrNotExist
}

// Open makes a snapshot readable as a host root: an archive (.tar.gz, or
// a plain .tar) is checked and extracted into a new temporary directory,
// which Close removes; an extracted one is used in place. Anything
// unexpected in an archive — a member outside its directory ("../",
// an absolute path), a symlink leading out of the tree, a hard link or a
// device, a member larger than a host file can be, truncation — refuses
// the whole archive, and nothing is ever written outside the temporary
// directory.
func Open(name string) (*Snapshot, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		d, err := extractedRoot(name)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: a directory without manifest.json and root/", name)
		}
		m, err := readManifestFile(filepath.Join(d, "manifest.json"))
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		}
		return &Snapshot{Root: filepath.Join(d, "root"), Manifest: m}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir, err := os.MkdirTemp(tempBase(), "gpupass-snapshot-")
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	m, err := extract(f, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	return &Snapshot{Root: filepath.Join(dir, Top, "root"), Manifest: m, dir: dir}, nil
}

// tempBase is where archives are extracted: $TMPDIR when set, else a
// memory file system when there is one ($XDG_RUNTIME_DIR, /dev/shm) — a
// snapshot is a few MB, and creating and removing thousands of small
// files on a disk costs seconds — else the system's temporary directory.
func tempBase() string {
	if os.Getenv("TMPDIR") != "" {
		return os.TempDir()
	}
	for _, d := range []string{os.Getenv("XDG_RUNTIME_DIR"), "/dev/shm"} {
		if d == "" {
			continue
		}
		if info, err := os.Stat(d); err == nil && info.IsDir() && syscall.Access(d, 2|1) == nil {
			return d
		}
	}
	return os.TempDir()
}

func readManifestFile(name string) (*Manifest, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return parseManifest(data)
}

func parseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %v", err)
	}
	if m.Schema != Schema {
		return nil, fmt.Errorf("manifest.json: schema %q, want %q", clip(m.Schema), Schema)
	}
	return &m, nil
}

// extract unpacks an archive into dir and returns its manifest.
func extract(r io.Reader, dir string) (*Manifest, error) {
	br := bufio.NewReader(r)
	var in io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("not a gzip archive: %v", err)
		}
		defer zr.Close()
		in = zr
	}
	x := &extractor{dir: dir, links: map[string]bool{}, dirModes: map[string]fs.FileMode{}, made: map[string]bool{}}
	tr := tar.NewReader(in)
	var m *Manifest
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr(err, x.members)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		x.members++
		if x.members > MaxMembers+1 {
			return nil, fmt.Errorf("more than %d members: not a host snapshot", MaxMembers)
		}
		if m == nil {
			if h.Name != Top+"/manifest.json" || h.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("not a gpupass snapshot: its first member is %q, not %s/manifest.json (make one with gpupass snapshot -o FILE.tar.gz)", clip(h.Name), Top)
			}
			if h.Size > MaxMemberSize {
				return nil, fmt.Errorf("manifest.json is %d bytes: not a snapshot's", h.Size)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, readErr(err, x.members)
			}
			if m, err = parseManifest(data); err != nil {
				return nil, err
			}
			if err := x.write(h, bytes.NewReader(data)); err != nil {
				return nil, err
			}
			continue
		}
		if err := x.write(h, tr); err != nil {
			return nil, err
		}
	}
	if m == nil {
		return nil, errors.New("empty archive: not a gpupass snapshot")
	}
	if got := x.members - 1; got != m.Members {
		return nil, fmt.Errorf("truncated: the manifest lists %d members, the archive holds %d", m.Members, got)
	}
	for p, mode := range x.dirModes {
		// Owner access is kept so the tree can be read and removed.
		if err := os.Chmod(p, mode.Perm()|0o700); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func readErr(err error, members int) error {
	if members == 0 {
		return fmt.Errorf("not a gpupass snapshot: not a tar archive (%v)", err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated after %d members (unexpected end of data)", members)
	}
	return fmt.Errorf("damaged after %d members: %v", members, err)
}

type extractor struct {
	dir      string
	members  int
	total    int64
	links    map[string]bool // members that are symlinks
	dirModes map[string]fs.FileMode
	made     map[string]bool // directories known to exist
}

// write checks one member and creates it under x.dir.
func (x *extractor) write(h *tar.Header, r io.Reader) error {
	name, err := memberPath(h.Name)
	if err != nil {
		return err
	}
	if name != Top && !strings.HasPrefix(name, Top+"/") {
		return fmt.Errorf("member %q is outside %s/: not a gpupass snapshot", clip(h.Name), Top)
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(name, Top), "/")
	if rel != "" && rel != "manifest.json" && rel != "root" && !strings.HasPrefix(rel, "root/") {
		return fmt.Errorf("member %q: a snapshot holds only manifest.json and root/", clip(h.Name))
	}
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		if x.links[d] {
			return fmt.Errorf("member %q lies under the symlink %q: refused", clip(h.Name), clip(d))
		}
	}
	full := filepath.Join(x.dir, filepath.FromSlash(name))
	if parent := filepath.Dir(full); !x.made[parent] {
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return fmt.Errorf("member %q: %v", clip(h.Name), err)
		}
		x.made[parent] = true
	}
	switch h.Typeflag {
	case tar.TypeDir:
		if err := os.Mkdir(full, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("member %q: %v", clip(h.Name), err)
		}
		if info, err := os.Lstat(full); err != nil || !info.IsDir() {
			return fmt.Errorf("member %q: appears twice", clip(h.Name))
		}
		x.dirModes[full] = fs.FileMode(h.Mode)
		x.made[full] = true
	case tar.TypeReg:
		if h.Size < 0 || h.Size > MaxMemberSize {
			return fmt.Errorf("member %q is %d bytes, more than the %d a host file can be: refused", clip(h.Name), h.Size, MaxMemberSize)
		}
		if x.total += h.Size; x.total > MaxTotalSize {
			return fmt.Errorf("more than %d bytes of files: not a host snapshot", MaxTotalSize)
		}
		f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("member %q appears twice", clip(h.Name))
			}
			return fmt.Errorf("member %q: %v", clip(h.Name), err)
		}
		n, err := io.Copy(f, io.LimitReader(r, h.Size))
		if err == nil {
			err = f.Chmod(fs.FileMode(h.Mode).Perm() | 0o400)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return readErr(err, x.members)
		}
		if n != h.Size {
			return fmt.Errorf("truncated in member %q (%d of %d bytes)", clip(h.Name), n, h.Size)
		}
	case tar.TypeSymlink:
		if !strings.HasPrefix(rel, "root/") {
			return fmt.Errorf("member %q: a symlink outside root/", clip(h.Name))
		}
		if err := checkLink(strings.TrimPrefix(rel, "root/"), h.Linkname); err != nil {
			return fmt.Errorf("member %q: %v: refused", clip(h.Name), err)
		}
		if err := os.Symlink(h.Linkname, full); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("member %q appears twice", clip(h.Name))
			}
			return fmt.Errorf("member %q: %v", clip(h.Name), err)
		}
		x.links[name] = true
	default:
		return fmt.Errorf("member %q is a %s: a snapshot holds only directories, files and symlinks", clip(h.Name), typeName(h.Typeflag))
	}
	return nil
}

// memberPath validates a member's name: relative, no "..", and returns it
// clean.
func memberPath(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("member with an empty or NUL-bearing name")
	}
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("member %q has an absolute path: refused", clip(name))
	}
	for _, e := range strings.Split(name, "/") {
		if e == ".." {
			return "", fmt.Errorf("member %q leads out of the archive (\"..\"): refused", clip(name))
		}
	}
	return path.Clean(name), nil
}

// checkLink refuses a symlink target that could lead out of the tree: it
// must be relative, have ".." only in front (a ".." after a name could
// climb out of a directory reached through another link), and stay inside
// the tree from the link's directory (link is the link's path in the tree).
func checkLink(link, target string) error {
	if target == "" {
		return errors.New("empty symlink target")
	}
	if strings.ContainsRune(target, 0) {
		return errors.New("symlink target with a NUL byte")
	}
	if path.IsAbs(target) {
		return fmt.Errorf("absolute symlink target %q", clip(target))
	}
	named := false
	for _, e := range strings.Split(target, "/") {
		switch e {
		case "..":
			if named {
				return fmt.Errorf("symlink target %q has \"..\" after a name", clip(target))
			}
		case "", ".":
		default:
			named = true
		}
	}
	if j := path.Join(path.Dir(link), target); j == ".." || strings.HasPrefix(j, "../") {
		return fmt.Errorf("symlink target %q leads out of the snapshot", clip(target))
	}
	return nil
}

func typeName(t byte) string {
	switch t {
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "FIFO"
	}
	return fmt.Sprintf("member of type %q", t)
}

// clip shortens a name for a message.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
