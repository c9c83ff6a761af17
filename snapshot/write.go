// Package snapshot captures the files gpupass reads from a host into a
// gzipped tar archive, and opens such an archive as a host root.
//
// A snapshot holds exactly the host paths a collection used, as a Recorder
// noted them (hostinfo.Recorder): files read with their content, symlinks
// with their targets (absolute ones rewritten relative, so the tree is
// self-contained), directories listed with their entries (files nobody
// read stand as empty files: an ACPI table's presence is all gpupass
// looks at), paths only looked at by type (/dev/kvm) as empty files.
// Every captured file is redacted line for line, by what it is (see
// redactCaptured): the kernel command line, modprobe.d files, nova.conf
// files (every configuration file hostinfo does not parse itself) and any
// other file's URL credentials.
//
// Layout: gpupass-snapshot/manifest.json first, then gpupass-snapshot/root/
// with the host's tree under it.
package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/redact"
	"github.com/gpupass/gpupass/openstack/novaconf"
)

// Schema names the manifest's format.
const Schema = "gpupass/snapshot/v1"

// Top is the archive's one top-level directory.
const Top = "gpupass-snapshot"

// Manifest describes a snapshot. It is the archive's first member.
type Manifest struct {
	Schema string `json:"schema"`
	Tool   struct {
		Version string `json:"version"`
	} `json:"tool"`
	// CreatedAt is when the snapshot was taken (RFC 3339, UTC).
	CreatedAt string `json:"created_at"`
	// Hostname is the host's name as gpupass found it.
	Hostname string `json:"hostname"`
	// Root is the directory the host was read under ("/" for a live host).
	Root string `json:"root"`
	// Members counts the archive's members after the manifest.
	Members int `json:"members"`
	// Bytes is the size of the files' content, uncompressed.
	Bytes int64 `json:"bytes"`
	// StandIns counts the empty files that stand for a path known only
	// by its presence (a device node, an ACPI table nobody reads).
	StandIns int `json:"stand_ins"`
	// Unreadable lists what could not be read and why: the collection's
	// own notes, and paths the capture could not read.
	Unreadable []Unreadable `json:"unreadable"`
	// Redacted lists the captured files whose secrets were replaced, and
	// the lines changed (the values are not kept anywhere).
	Redacted []Redaction `json:"redacted"`
}

// Unreadable is a path that could not be read.
type Unreadable struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Redaction is a file whose secrets were replaced.
type Redaction struct {
	Path  string `json:"path"`
	Lines []int  `json:"lines"`
}

// Options describe the snapshot being written.
type Options struct {
	ToolVersion string
	Now         time.Time
	Hostname    string
	// Notes are the collection's notes on what it could not read.
	Notes []hostinfo.Note
}

// node is one member of the tree.
type node struct {
	kind    byte // tar.TypeDir, tar.TypeReg, tar.TypeSymlink
	mode    fs.FileMode
	target  string
	data    []byte
	standIn bool
}

type builder struct {
	fsys       hostinfo.FS
	nodes      map[string]*node
	manifest   *Manifest
	unreadable map[string]bool
}

// maxHops bounds the symlinks followed for one path, as the kernel does.
const maxHops = 40

// Write captures the recorded paths of the host under fsys (an FS
// without a Recorder) into w as a gzipped tar archive.
func Write(w io.Writer, fsys hostinfo.FS, paths []hostinfo.Recorded, opts Options) (*Manifest, error) {
	m := &Manifest{
		Schema:     Schema,
		CreatedAt:  opts.Now.UTC().Format(time.RFC3339),
		Hostname:   opts.Hostname,
		Root:       fsys.Root(),
		Unreadable: []Unreadable{},
		Redacted:   []Redaction{},
	}
	m.Tool.Version = opts.ToolVersion
	b := &builder{fsys: fsys, nodes: map[string]*node{"/": {kind: tar.TypeDir, mode: 0o755}}, manifest: m, unreadable: map[string]bool{}}
	for _, n := range opts.Notes {
		b.cannotRead(n.Path, n.Message)
	}
	for _, p := range paths {
		b.add(p.Path, p.Access, 0)
	}
	names := make([]string, 0, len(b.nodes))
	for name := range b.nodes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		n := b.nodes[name]
		if n.kind == tar.TypeReg && !n.standIn {
			if red, lines := redactCaptured(name, n.data); len(lines) > 0 {
				n.data = red
				m.Redacted = append(m.Redacted, Redaction{Path: name, Lines: lines})
			}
		}
		if n.standIn {
			m.StandIns++
		}
		m.Bytes += int64(len(n.data))
	}
	m.Members = len(names)

	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	mtime := opts.Now.UTC().Truncate(time.Second)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	manifest = append(manifest, '\n')
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: Top + "/manifest.json", Mode: 0o644, Size: int64(len(manifest)), ModTime: mtime}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(manifest); err != nil {
		return nil, err
	}
	for _, name := range names {
		n := b.nodes[name]
		h := &tar.Header{Typeflag: n.kind, Name: Top + "/root" + name, Mode: int64(n.mode.Perm()), ModTime: mtime}
		if name == "/" {
			h.Name = Top + "/root"
		}
		switch n.kind {
		case tar.TypeDir:
			h.Name += "/"
		case tar.TypeSymlink:
			h.Linkname, h.Mode = n.target, 0o777
		case tar.TypeReg:
			h.Size = int64(len(n.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if n.kind == tar.TypeReg {
			if _, err := tw.Write(n.data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return m, nil
}

// redactCaptured returns a captured file with its credentials hidden,
// line for line so that every finding keeps its file:line, and the lines
// changed, by what the file is: /proc/cmdline as the kernel splits it
// (inst.ks=http://admin:***@host/ks.cfg, rd.iscsi.password=***), a
// modprobe.d file as kmod reads it (comments, options, install
// commands), a nova.conf by its options' declarations
// (novaconf.RedactFile), and in any other file (sysfs, os-release,
// pci.ids, hostname...) the credentials of URLs. hostinfo hides the same
// credentials in what it records, so a report read from the snapshot is
// the host's own.
func redactCaptured(hostPath string, data []byte) ([]byte, []int) {
	switch {
	case hostPath == "/proc/cmdline":
		return redact.Lines(data, redact.Cmdline)
	case isModprobeConf(hostPath):
		return redact.Modprobe(data)
	case mayHoldSecrets(hostPath):
		return novaconf.RedactFile(data)
	case !bytes.Contains(data, []byte("://")):
		return data, nil
	}
	return redact.Lines(data, redact.URLs)
}

// isModprobeConf reports whether a captured file is in one of the
// directories kmod reads.
func isModprobeConf(hostPath string) bool {
	for _, dir := range hostinfo.ModprobeDirs {
		if strings.HasPrefix(hostPath, dir+"/") {
			return true
		}
	}
	return false
}

// keptAsIs are the files under /etc and /usr that hostinfo and generate
// parse themselves and that hold no nova.conf secret; any other
// configuration file a collection read is a nova.conf (the deployment's
// own files, a nova.conf.d, a kolla or TripleO layout) and is redacted as
// one.
var keptAsIs = []string{
	"/etc/modprobe.d/", "/usr/lib/modprobe.d/", "/lib/modprobe.d/", "/run/modprobe.d/", "/usr/local/lib/modprobe.d/",
	"/etc/driverctl.d/", "/etc/hostname", "/etc/os-release", "/usr/lib/os-release",
	"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids",
	"/lib/modules/", "/usr/lib/modules/",
}

// mayHoldSecrets reports whether a captured file is to be redacted as a
// nova.conf.
func mayHoldSecrets(hostPath string) bool {
	if strings.HasPrefix(hostPath, "/sys/") || strings.HasPrefix(hostPath, "/proc/") || strings.HasPrefix(hostPath, "/dev/") {
		return false
	}
	for _, p := range keptAsIs {
		if strings.HasSuffix(p, "/") && strings.HasPrefix(hostPath, p) || hostPath == p || strings.HasPrefix(hostPath, p+".") {
			return false
		}
	}
	return true
}

func (b *builder) cannotRead(p, reason string) {
	key := p + "\x00" + reason
	if b.unreadable[key] {
		return
	}
	b.unreadable[key] = true
	b.manifest.Unreadable = append(b.manifest.Unreadable, Unreadable{Path: p, Reason: reason})
}

func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrPermission) {
		return "permission denied (run as root to capture it)"
	}
	return err.Error()
}

// add captures a host path used as a says, with every symlink on its way.
func (b *builder) add(p string, a hostinfo.Access, hops int) {
	elems := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	if len(elems) == 1 && elems[0] == "" {
		elems = nil
	}
	cur := "/"
	for i, elem := range elems {
		next := path.Join(cur, elem)
		last := i == len(elems)-1
		info, err := os.Lstat(b.fsys.Path(next))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				b.cannotRead(next, describe(err))
			}
			return // absent here, absent in the snapshot
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(b.fsys.Path(next))
			if err != nil {
				b.cannotRead(next, describe(err))
				return
			}
			resolved, rel := normalizeLink(next, target)
			b.put(next, &node{kind: tar.TypeSymlink, target: rel})
			if last && a&(hostinfo.AccessRead|hostinfo.AccessList|hostinfo.AccessFollow) == 0 {
				return // the link itself was what was used
			}
			if hops >= maxHops {
				return // a loop: the reader meets the same loop in the snapshot
			}
			b.add(path.Join(append([]string{resolved}, elems[i+1:]...)...), a, hops+1)
			return
		}
		if !last {
			if !info.IsDir() {
				return
			}
			b.put(next, &node{kind: tar.TypeDir, mode: info.Mode().Perm()})
			cur = next
			continue
		}
		b.leaf(next, info, a)
		return
	}
	if len(elems) == 0 && a&hostinfo.AccessList != 0 {
		b.list("/")
	}
}

// leaf captures the last element of a path, no symlink.
func (b *builder) leaf(p string, info fs.FileInfo, a hostinfo.Access) {
	switch {
	case info.IsDir():
		b.put(p, &node{kind: tar.TypeDir, mode: info.Mode().Perm()})
		if a&hostinfo.AccessList != 0 {
			b.list(p)
		}
	case info.Mode().IsRegular() && a&hostinfo.AccessRead != 0:
		data, err := b.fsys.ReadFile(p)
		if err != nil {
			b.cannotRead(p, describe(err))
			return
		}
		b.put(p, &node{kind: tar.TypeReg, mode: info.Mode().Perm(), data: data})
	default:
		// Known by its presence or type alone: a device node, a file
		// only looked at.
		b.put(p, &node{kind: tar.TypeReg, mode: info.Mode().Perm(), standIn: true})
	}
}

// list captures a directory's entries by type.
func (b *builder) list(dir string) {
	entries, err := os.ReadDir(b.fsys.Path(dir))
	if err != nil {
		b.cannotRead(dir, describe(err))
		return
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(b.fsys.Path(p))
			if err != nil {
				b.cannotRead(p, describe(err))
				continue
			}
			_, rel := normalizeLink(p, target)
			b.put(p, &node{kind: tar.TypeSymlink, target: rel})
		case e.IsDir():
			b.put(p, &node{kind: tar.TypeDir, mode: 0o755})
		default:
			b.put(p, &node{kind: tar.TypeReg, mode: 0o444, standIn: true})
		}
	}
}

// put adds a node; a fuller capture of the same path wins (a file read
// over its stand-in, a directory's real mode over a listing's guess).
func (b *builder) put(p string, n *node) {
	old, ok := b.nodes[p]
	if ok && (old.kind != n.kind || !old.standIn && n.standIn) {
		return
	}
	if ok && old.kind == tar.TypeDir && n.mode == 0o755 {
		return
	}
	b.nodes[p] = n
	// Parents are directories, created as the walk went through them; a
	// listing's entry is the only node whose parent may be missing.
	for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
		if _, ok := b.nodes[dir]; ok {
			break
		}
		b.nodes[dir] = &node{kind: tar.TypeDir, mode: 0o755}
	}
}

// normalizeLink returns where a symlink at host path link points (a host
// path, resolved lexically inside the root as FS.Resolve does) and the
// target to store: relative to the link's directory, with ".." only in
// front, so the snapshot is self-contained and its links provably stay
// inside it.
func normalizeLink(link, target string) (resolved, rel string) {
	dir := path.Dir(link)
	if path.IsAbs(target) {
		resolved = path.Clean(target)
	} else {
		resolved = path.Join(dir, target)
	}
	rel = relPath(dir, resolved)
	return resolved, rel
}

// relPath is filepath.Rel for clean absolute slash paths.
func relPath(from, to string) string {
	f := splitPath(from)
	t := splitPath(to)
	n := 0
	for n < len(f) && n < len(t) && f[n] == t[n] {
		n++
	}
	parts := slices.Repeat([]string{".."}, len(f)-n)
	parts = append(parts, t[n:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// String describes the manifest for people.
func (m *Manifest) String() string {
	return fmt.Sprintf("%s: %d members, %d bytes of files, taken %s by gpupass %s", m.Hostname, m.Members, m.Bytes, m.CreatedAt, m.Tool.Version)
}
