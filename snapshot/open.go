package snapshot

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
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
// archive that claims more is damaged or hostile (a decompression bomb, a
// name that costs time for every directory in it).
const (
	// MaxMemberSize is the largest file: hostinfo reads none larger.
	MaxMemberSize = 16 << 20
	// MaxTotalSize bounds the files' content, uncompressed.
	MaxTotalSize = 1 << 30
	// MaxMembers bounds the number of members (a 1,000-function host
	// has about 30,000), and the directories extraction makes.
	MaxMembers = 1 << 20
	// MaxNameLen bounds a member's name, in bytes. Linux refuses a path
	// longer than PATH_MAX (4,096 bytes, its NUL included), so no file of
	// a real host has a longer one, and Write puts only
	// "gpupass-snapshot/root" in front of it.
	MaxNameLen = 4096 + len(Top+"/root")
	// MaxDepth bounds the elements of a member's name, gpupass-snapshot
	// and root included. sysfs nests one directory per PCI bridge: the
	// deepest member of the fixture hosts has 12 elements (a NIC behind a
	// PCIe switch), a GPU behind three cascaded switches about 16, a
	// chain of Thunderbolt docks about 30.
	MaxDepth = 128
	// MaxNameBytes bounds the members' names together (what extraction
	// keeps in memory to check them): the 15,000 members of a synthetic
	// 1,000-function host have 1.2 MB of names.
	MaxNameBytes = 64 << 20
	// MaxConfBytes bounds the nova.conf files together: the files a
	// snapshot redacts, every configuration file but those hostinfo
	// parses itself (modprobe.d, pci.ids, os-release...). Nova's sample
	// nova.conf, every option of every section documented, is 350 KB;
	// a deployment's files (nova.conf, nova-compute.conf, a conf.d)
	// are a fraction of this.
	MaxConfBytes = 4 << 20
	// maxPadding bounds the zeros after tar's end-of-archive marker: GNU
	// tar pads to its 10 KiB record, to 1 MiB at most (tar -b 2048).
	maxPadding = 1 << 20
)

// Snapshot is an opened snapshot.
type Snapshot struct {
	// Root is the host tree, to read with hostinfo.
	Root     string
	Manifest *Manifest
	// dir is the temporary directory holding an extracted archive ("" for
	// an already extracted one).
	dir string
	// lock is held on dir's lock file while the snapshot is open.
	lock *os.File
}

// Close removes what Open extracted.
func (s *Snapshot) Close() error {
	if s == nil || s.dir == "" {
		return nil
	}
	err := os.RemoveAll(s.dir)
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
	return err
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

// extractedRoot finds an extracted snapshot in dir: a directory holding
// manifest.json (a regular file) and root/ (a directory, not a symlink: a
// root/ linking to / would make gpupass read the analyst's own host).
func extractedRoot(dir string) (string, error) {
	for _, d := range []string{dir, filepath.Join(dir, Top)} {
		if info, err := os.Lstat(filepath.Join(d, "root")); err == nil && info.IsDir() {
			if m, err := os.Lstat(filepath.Join(d, "manifest.json")); err == nil && m.Mode().IsRegular() {
				return d, nil
			}
		}
	}
	return "", fs.ErrNotExist
}

// Open makes a snapshot readable as a host root: an archive (.tar.gz, or
// a plain .tar; a file or a pipe) is checked and extracted into a new
// temporary directory, which Close removes; an extracted one is used in
// place. Anything unexpected in an archive — a member outside its
// directory ("../", an absolute path), a symlink leading out of the tree,
// a hard link or a device, a member larger than a host file can be, a
// name longer or deeper than a host's paths, a name given twice,
// truncation, a gzip checksum that does not match, data after the end —
// refuses the whole archive, and nothing is ever written outside the
// temporary directory.
func Open(name string) (*Snapshot, error) {
	return OpenContext(context.Background(), name)
}

// OpenContext is Open, abandoned when ctx is done: it stops reading (a
// read waiting on a pipe included), removes what it extracted and returns
// ctx's error.
func OpenContext(ctx context.Context, name string) (*Snapshot, error) {
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
	// O_NONBLOCK: opening a FIFO nobody writes to does not wait for a
	// writer (reading it gives end of file), and reads of a pipe go
	// through the poller, so that closing the file ends a read waiting
	// for data. Regular files read as usual.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	if t := info.Mode().Type(); t != 0 && t != fs.ModeNamedPipe {
		return nil, fmt.Errorf("snapshot %s: a %s, not a snapshot (a .tar.gz file, a pipe, or the folder one was extracted into)", name, fileType(t))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	base := tempBase()
	sweepStale(base)
	dir, lock, err := makeExtractDir(base)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	m, err := extract(ctx, f, dir)
	if err != nil {
		os.RemoveAll(dir)
		if lock != nil {
			lock.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	return &Snapshot{Root: filepath.Join(dir, Top, "root"), Manifest: m, dir: dir, lock: lock}, nil
}

// Check reads an archive as Open does, extracting nothing: the snapshot
// command checks with it that what it wrote opens.
func Check(r io.Reader) error {
	_, err := extract(context.Background(), r, "")
	return err
}

func fileType(t fs.FileMode) string {
	switch {
	case t&fs.ModeCharDevice != 0:
		return "character device"
	case t&fs.ModeDevice != 0:
		return "block device"
	case t&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
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

// An extraction directory is named dirPrefix*, and holds lockName, which
// its process keeps an flock(2) on while it lives: the kernel drops the
// lock when the process dies, however it dies, so a later Open removes a
// directory whose lock it can take (its process was killed with SIGKILL,
// or the machine went down with it in /dev/shm's place).
const (
	dirPrefix = "gpupass-snapshot-"
	lockName  = ".gpupass-lock"
)

// makeExtractDir makes a new extraction directory under base, locked when
// the file system can lock (a directory without a lock is never swept).
func makeExtractDir(base string) (string, *os.File, error) {
	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return "", nil, err
	}
	// Locked under another name, then renamed: a sweep never finds the
	// lock file unlocked while its process lives.
	tmp := filepath.Join(dir, lockName+".new")
	lock, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return dir, nil, nil
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		if err = os.Rename(tmp, filepath.Join(dir, lockName)); err == nil {
			return dir, lock, nil
		}
	}
	lock.Close()
	os.Remove(tmp)
	return dir, nil, nil
}

// sweepStale removes the extraction directories under base that this user
// owns and no process holds any more. Best effort: what cannot be
// checked is left alone.
func sweepStale(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		// A symlink is not a directory here, whatever it points to.
		if !e.IsDir() || !strings.HasPrefix(e.Name(), dirPrefix) {
			continue
		}
		dir := filepath.Join(base, e.Name())
		info, err := os.Lstat(dir)
		if err != nil || !info.IsDir() {
			continue
		}
		if st, ok := info.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
			continue
		}
		lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDONLY|syscall.O_NOFOLLOW, 0)
		if err != nil {
			continue // not locked yet, or not one of ours
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		lock.Close()
	}
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

var gzipMagic = []byte{0x1f, 0x8b}

// tarBlock is tar's block size: headers and padding come in blocks, and
// two zero blocks mark the archive's end.
const tarBlock = 512

// extract unpacks an archive into dir ("" checks it only) and returns its
// manifest. It reads the stream to its very end: gzip's CRC-32 and length
// are checked when a gzip member ends, and a stream that stops short, or
// goes on after the archive's end, is refused.
func extract(ctx context.Context, r io.Reader, dir string) (*Manifest, error) {
	br := bufio.NewReader(r)
	var in io.Reader = br
	var gz *gzipStream
	if magic, _ := br.Peek(2); bytes.Equal(magic, gzipMagic) {
		var err error
		if gz, err = newGzipStream(br); err != nil {
			return nil, err
		}
		in = gz
	}
	x := &extractor{dir: dir, in: &countingReader{r: in}, top: &entry{kind: tar.TypeDir, children: map[string]*entry{}}}
	m, err := x.extract(ctx)
	if err != nil && gz != nil && ctx.Err() == nil {
		// Whatever went wrong, a damaged gzip stream is the cause to
		// tell: read on (a snapshot is a few MB) to find out.
		var stream *streamError
		if _, derr := io.Copy(io.Discard, io.LimitReader(gz, maxDiagnose)); errors.As(derr, &stream) {
			return nil, readErr(derr, x.members)
		}
	}
	return m, err
}

// maxDiagnose bounds what is read after an error to find a damaged
// stream.
const maxDiagnose = 64 << 20

func (x *extractor) extract(ctx context.Context) (*Manifest, error) {
	tr := tar.NewReader(x.in)
	var m *Manifest
	var end int64 // where the last member's data ends in the tar stream
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr(err, x.members)
		}
		end = x.in.n + dataSize(h)
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
	// The stream's integrity first: a damaged stream explains whatever
	// else looks wrong.
	afterMarker := x.in.n
	if err := readPadding(x.in); err != nil {
		return nil, readErr(err, x.members)
	}
	if m == nil {
		return nil, errors.New("empty archive: not a gpupass snapshot")
	}
	if got := x.members - 1; got != m.Members {
		return nil, fmt.Errorf("truncated: the manifest lists %d members, the archive holds %d", m.Members, got)
	}
	if afterMarker < end+2*tarBlock {
		return nil, fmt.Errorf("truncated after %d members: the archive's end-of-archive marker is missing", x.members)
	}
	if x.dir == "" {
		return m, nil
	}
	for _, d := range x.dirModes {
		// Owner access is kept so the tree can be read and removed.
		if err := os.Chmod(d.path, d.mode.Perm()|0o700); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// dataSize is the room a member's content takes in the tar stream after
// its header, in whole blocks (the types that carry none take none,
// whatever their header's size says).
func dataSize(h *tar.Header) int64 {
	switch h.Typeflag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo, tar.TypeXGlobalHeader:
		return 0
	}
	if h.Size <= 0 {
		return 0
	}
	return (h.Size + tarBlock - 1) / tarBlock * tarBlock
}

// readPadding reads what follows tar's end-of-archive marker to the end of
// the stream: zeros (a tar record's padding) and no more than maxPadding
// of them. Reaching the end checks the last gzip member's CRC-32 and
// length.
func readPadding(r io.Reader) error {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		for i, b := range buf[:k] {
			if b != 0 {
				return fmt.Errorf("data after the archive's end (%d bytes after its end-of-archive marker): refused", n+int64(i))
			}
		}
		if n += int64(k); n > maxPadding {
			return fmt.Errorf("more than %d bytes after the archive's end: refused", maxPadding)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// gzipStream decompresses a gzip file member by member, so that what
// follows the last member is seen: another member (gzip's concatenation
// of files), or the end of the file — anything else is trailing garbage.
type gzipStream struct {
	br *bufio.Reader
	zr *gzip.Reader
}

// streamError is an error of the gzip stream itself (a checksum, a cut
// stream), as opposed to one of the tar archive inside it.
type streamError struct{ err error }

func (e *streamError) Error() string { return e.err.Error() }
func (e *streamError) Unwrap() error { return e.err }

func newGzipStream(br *bufio.Reader) (*gzipStream, error) {
	if err := checkGzipFlags(br); err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, readErr(&streamError{err}, 0)
	}
	zr.Multistream(false)
	return &gzipStream{br: br, zr: zr}, nil
}

// checkGzipFlags refuses a gzip header with reserved flag bits set, as
// RFC 1952 (2.3.1.2) asks of a decompressor; Go's gzip ignores them.
func checkGzipFlags(br *bufio.Reader) error {
	if h, _ := br.Peek(4); len(h) == 4 && h[3]&0xe0 != 0 {
		return fmt.Errorf("corrupt: a gzip header with reserved flags set (0x%02x): the file was damaged", h[3])
	}
	return nil
}

func (g *gzipStream) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err == nil || n > 0 && err == io.EOF {
			return n, nil
		}
		if err != io.EOF {
			return n, &streamError{err}
		}
		// A member ended, its CRC-32 and length checked.
		next, err := g.br.Peek(2)
		if len(next) == 0 && err == io.EOF {
			return 0, io.EOF
		}
		if !bytes.Equal(next, gzipMagic) {
			if err != nil && err != io.EOF {
				return 0, err
			}
			return 0, &streamError{errors.New("data after the end of the gzip stream (trailing garbage)")}
		}
		if err := checkGzipFlags(g.br); err != nil {
			return 0, err
		}
		if err := g.zr.Reset(g.br); err != nil {
			return 0, &streamError{err}
		}
		g.zr.Multistream(false)
	}
}

func readErr(err error, members int) error {
	var stream *streamError
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, gzip.ErrChecksum):
		return fmt.Errorf("corrupt after %d members: the gzip checksum does not match the data (damaged in transfer or on disk: copy it again)", members)
	case errors.As(err, &corrupt):
		return fmt.Errorf("corrupt after %d members: the compressed data is damaged at byte %d (copy it again)", members, int64(corrupt))
	case errors.Is(err, gzip.ErrHeader):
		return fmt.Errorf("corrupt: a damaged gzip header (copy it again)")
	case errors.As(err, &stream) && errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("truncated after %d members (the gzip stream stops short)", members)
	case errors.As(err, &stream):
		return fmt.Errorf("damaged after %d members: %v", members, err)
	case members == 0:
		return fmt.Errorf("not a gpupass snapshot: not a tar archive (%v)", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("truncated after %d members (unexpected end of data)", members)
	}
	return fmt.Errorf("damaged after %d members: %v", members, err)
}

// entry is a name extraction made: a member, or a directory made for the
// members under it.
type entry struct {
	kind     byte // tar.TypeDir, tar.TypeReg or tar.TypeSymlink
	member   bool // a member of that name came (not only members under it)
	children map[string]*entry
}

type dirMode struct {
	path string
	mode fs.FileMode
}

type extractor struct {
	dir     string // "" checks only
	in      *countingReader
	members int
	// entries counts the names made, members and the directories made
	// for them.
	entries  int
	total    int64 // the files' bytes
	conf     int64 // the nova.conf files' bytes
	names    int64 // the members' names' bytes
	top      *entry
	dirModes []dirMode
}

// write checks one member and creates it under x.dir. Its cost is linear
// in the name's length: the tree of names made so far is walked element
// by element, never by the name's prefixes.
func (x *extractor) write(h *tar.Header, r io.Reader) error {
	if len(h.Name) > MaxNameLen {
		return fmt.Errorf("member %q: a name of %d bytes, longer than any path of a host (%d): refused", clip(h.Name), len(h.Name), MaxNameLen)
	}
	if x.names += int64(len(h.Name)); x.names > MaxNameBytes {
		return fmt.Errorf("more than %d bytes of member names: not a host snapshot", MaxNameBytes)
	}
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
	elems := strings.Split(name, "/")
	if len(elems) > MaxDepth {
		return fmt.Errorf("member %q: %d levels deep, deeper than any path of a host (%d): refused", clip(h.Name), len(elems), MaxDepth)
	}
	// Walk to the parent, making the directories no member named yet.
	parent := x.top
	at := 0 // the parent's name is name[:at]
	for _, e := range elems[:len(elems)-1] {
		if at > 0 {
			at++
		}
		at += len(e)
		child := parent.children[e]
		if child == nil {
			if err := x.mkdir(name[:at]); err != nil {
				return fmt.Errorf("member %q: %v", clip(h.Name), err)
			}
			if child, err = x.add(parent, e, tar.TypeDir, false); err != nil {
				return err
			}
		}
		switch child.kind {
		case tar.TypeSymlink:
			return fmt.Errorf("member %q lies under the symlink %q: refused", clip(h.Name), clip(name[:at]))
		case tar.TypeReg:
			return fmt.Errorf("member %q lies under the file %q: refused", clip(h.Name), clip(name[:at]))
		}
		parent = child
	}
	last := elems[len(elems)-1]
	if old := parent.children[last]; old != nil {
		if old.kind == tar.TypeDir && !old.member && h.Typeflag == tar.TypeDir {
			// A directory named after members under it.
			old.member = true
			x.dirModes = append(x.dirModes, dirMode{x.path(name), fs.FileMode(h.Mode)})
			return nil
		}
		return fmt.Errorf("member %q appears twice: refused", clip(h.Name))
	}
	full := x.path(name)
	switch h.Typeflag {
	case tar.TypeDir:
		if err := x.mkdir(name); err != nil {
			return fmt.Errorf("member %q: %v", clip(h.Name), err)
		}
		x.dirModes = append(x.dirModes, dirMode{full, fs.FileMode(h.Mode)})
	case tar.TypeReg:
		if h.Size < 0 || h.Size > MaxMemberSize {
			return fmt.Errorf("member %q is %d bytes, more than the %d a host file can be: refused", clip(h.Name), h.Size, MaxMemberSize)
		}
		if x.total += h.Size; x.total > MaxTotalSize {
			return fmt.Errorf("more than %d bytes of files: not a host snapshot", MaxTotalSize)
		}
		if strings.HasPrefix(rel, "root/") && mayHoldSecrets(strings.TrimPrefix(rel, "root")) {
			if x.conf += h.Size; x.conf > MaxConfBytes {
				if x.conf == h.Size {
					return fmt.Errorf("member %q: a nova.conf of %d bytes, more than the %d bytes a host's nova.conf files come to (Nova's sample nova.conf, every option in it, is 350 KB): refused", clip(h.Name), h.Size, MaxConfBytes)
				}
				return fmt.Errorf("member %q (%d bytes) brings the nova.conf files to %d bytes, more than the %d bytes a host's come to (Nova's sample nova.conf, every option in it, is 350 KB): refused", clip(h.Name), h.Size, x.conf, MaxConfBytes)
			}
		}
		if err := x.create(full, h, r); err != nil {
			return err
		}
	case tar.TypeSymlink:
		if !strings.HasPrefix(rel, "root/") {
			return fmt.Errorf("member %q: a symlink outside root/", clip(h.Name))
		}
		if err := checkLink(strings.TrimPrefix(rel, "root/"), h.Linkname); err != nil {
			return fmt.Errorf("member %q: %v: refused", clip(h.Name), err)
		}
		if x.dir != "" {
			if err := os.Symlink(h.Linkname, full); err != nil {
				return fmt.Errorf("member %q: %v", clip(h.Name), err)
			}
		}
	default:
		return fmt.Errorf("member %q is a %s: a snapshot holds only directories, files and symlinks", clip(h.Name), typeName(h.Typeflag))
	}
	_, err = x.add(parent, last, h.Typeflag, true)
	return err
}

// add records a name made under parent.
func (x *extractor) add(parent *entry, elem string, kind byte, member bool) (*entry, error) {
	if x.entries++; x.entries > MaxMembers+2 {
		return nil, fmt.Errorf("more than %d files and directories: not a host snapshot", MaxMembers)
	}
	e := &entry{kind: kind, member: member}
	if kind == tar.TypeDir {
		e.children = map[string]*entry{}
	}
	// A copy: the element alone is kept, not the whole name it was cut from.
	parent.children[strings.Clone(elem)] = e
	return e, nil
}

func (x *extractor) path(name string) string {
	if x.dir == "" {
		return ""
	}
	return filepath.Join(x.dir, filepath.FromSlash(name))
}

func (x *extractor) mkdir(name string) error {
	if x.dir == "" {
		return nil
	}
	return os.Mkdir(x.path(name), 0o700)
}

// create writes a regular member's content.
func (x *extractor) create(full string, h *tar.Header, r io.Reader) error {
	var w io.Writer = io.Discard
	var f *os.File
	if x.dir != "" {
		var err error
		f, err = os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
		if err != nil {
			return fmt.Errorf("member %q: %v", clip(h.Name), err)
		}
		w = &diskWriter{f}
	}
	n, err := io.Copy(w, io.LimitReader(r, h.Size))
	if f != nil {
		if err == nil {
			if err = f.Chmod(fs.FileMode(h.Mode).Perm() | 0o400); err != nil {
				err = &diskError{err}
			}
		}
		if cerr := f.Close(); err == nil && cerr != nil {
			err = &diskError{cerr}
		}
	}
	var disk *diskError
	if errors.As(err, &disk) {
		return fmt.Errorf("member %q: extracting it into %s: %v (TMPDIR chooses where snapshots are extracted)", clip(h.Name), x.dir, disk.err)
	}
	if err != nil {
		return readErr(err, x.members)
	}
	if n != h.Size {
		return fmt.Errorf("truncated in member %q (%d of %d bytes)", clip(h.Name), n, h.Size)
	}
	return nil
}

// diskWriter tells the errors of writing the extracted file (a full
// /dev/shm) from those of reading the archive.
type diskWriter struct{ f *os.File }

type diskError struct{ err error }

func (e *diskError) Error() string { return e.err.Error() }

func (w *diskWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = &diskError{err}
	}
	return n, err
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

// maxLinkLen is the longest symlink target Linux stores (PATH_MAX less
// its NUL).
const maxLinkLen = 4095

// checkLink refuses a symlink target that could lead out of the tree: it
// must be relative, have ".." only in front (a ".." after a name could
// climb out of a directory reached through another link), and stay inside
// the tree from the link's directory (link is the link's path in the tree).
func checkLink(link, target string) error {
	if target == "" {
		return errors.New("empty symlink target")
	}
	if len(target) > maxLinkLen {
		return fmt.Errorf("a symlink target of %d bytes, longer than Linux allows (%d)", len(target), maxLinkLen)
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
