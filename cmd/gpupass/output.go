package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// reportOutput is -o/--output of the report commands (preflight, inventory,
// lint, audit, diff): the report goes to a file, replaced atomically, as
// node_exporter's textfile collector needs, instead of stdout.
type reportOutput struct {
	path string
}

func (o *reportOutput) addFlag(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.path, "output", "o", "", "write the report to `FILE` instead of stdout: replaced atomically (a temporary file in the same directory, renamed), mode 0644, left as it was when gpupass fails (exit status 2); through a symlink its target is replaced; a character device or FIFO is written to directly")
}

// emit renders to stdout, or with --output to a buffer that replaces the
// file once rendering succeeded.
func (o *reportOutput) emit(stdout io.Writer, render func(io.Writer) error) error {
	if o.path == "" {
		return render(stdout)
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	return writeFileAtomic(o.path, buf.Bytes(), true)
}

// writeFileAtomic writes data to path and respects what is there:
//
//   - nothing, or a regular file (only with force): a temporary file in the
//     same directory, synced, renamed over path, so a reader sees the old
//     file or the new one, never a part; mode 0644;
//   - a symlink: the same for the file it points to, which the link keeps
//     naming (a dangling link gets its target created);
//   - a character device (/dev/null, /dev/stdout) or a FIFO: written to
//     directly, as a shell's > would;
//   - a directory, a socket or a block device: refused.
//
// The temporary file's name starts with a dot and ends in .tmp, so
// node_exporter's textfile collector (*.prom) never reads it, and carries
// the process ID: a run removes what an earlier run killed mid-write left
// behind (sweepStale), and a signal removes this run's (pendingTemps).
func writeFileAtomic(path string, data []byte, force bool) error {
	fail := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("--output %s: %w", path, err)
	}
	target := path
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if target, err = resolveLink(path); err != nil {
			return fail(err)
		}
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("--output %s: is a directory", path)
	case err == nil && fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return writeDirect(target, data, fail)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("--output %s: not a regular file, a character device or a FIFO", path)
	case err == nil && !force:
		return fmt.Errorf("--output %s exists: pass --force to overwrite it", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fail(err)
	}
	dir, base := filepath.Dir(target), filepath.Base(target)
	sweepStale(dir, base)
	tmp, err := os.CreateTemp(dir, tempPattern(base))
	if err != nil {
		return fail(err)
	}
	pendingTemps.add(tmp.Name())
	defer func() {
		os.Remove(tmp.Name())
		pendingTemps.remove(tmp.Name())
	}()
	for _, step := range []func() error{
		func() error { _, err := tmp.Write(data); return err },
		func() error { return tmp.Chmod(0o644) },
		tmp.Sync,
	} {
		if err := step(); err != nil {
			tmp.Close()
			return fail(err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if !force {
		// A hard link fails when the name exists: no race with a file
		// created between the check and the rename.
		if err := os.Link(tmp.Name(), target); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("--output %s exists: pass --force to overwrite it", path)
			}
			return fail(err)
		}
	} else if err := os.Rename(tmp.Name(), target); err != nil {
		return fail(err)
	}
	syncDir(dir)
	return nil
}

// checkOutput says early, before any work, whether writeFileAtomic would
// refuse path: a directory, something that is neither a file, a character
// device nor a FIFO, or an existing file without force.
func checkOutput(path string, force bool) error {
	target, err := resolveLink(path)
	if err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	fi, err := os.Stat(target)
	switch {
	case err != nil:
		return nil // a new file, or a failure writeFileAtomic will name
	case fi.IsDir():
		return fmt.Errorf("--output %s: is a directory", path)
	case fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return nil
	case !fi.Mode().IsRegular():
		return fmt.Errorf("--output %s: not a regular file, a character device or a FIFO", path)
	case !force:
		return fmt.Errorf("--output %s exists: pass --force to overwrite it", path)
	}
	return nil
}

// resolveLink follows a symlink chain to the path it names, even when the
// last link dangles (the file is then created there).
func resolveLink(path string) (string, error) {
	for hops := 0; hops < 40; hops++ {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", errors.New("too many levels of symbolic links")
}

// writeDirect writes to a character device or a FIFO, as a shell's >
// would: no temporary file, no rename.
func writeDirect(target string, data []byte, fail func(error) error) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	return nil
}

// tempPattern names a temporary file for base: ".BASE.gpupass-PID-*.tmp".
func tempPattern(base string) string {
	return "." + base + ".gpupass-" + strconv.Itoa(os.Getpid()) + "-*.tmp"
}

// staleAge is how old a temporary file of a live process must be to be
// swept anyway (its PID may have been reused).
const staleAge = 24 * time.Hour

// sweepStale removes the temporary files an earlier run left beside base
// when it was killed mid-write: those of a process that no longer runs,
// or older than staleAge. It never touches another name's temporaries.
func sweepStale(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+escapeGlob(base)+".gpupass-*-*.tmp"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), "."+base+".gpupass-")
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid == os.Getpid() {
			continue
		}
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if !processAlive(pid) || time.Since(fi.ModTime()) > staleAge {
			os.Remove(m)
		}
	}
}

func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteRune('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tempFiles are the temporary files being written, removed when a signal
// ends the run before their rename.
type tempFiles struct {
	mu    sync.Mutex
	paths map[string]bool
}

var pendingTemps = &tempFiles{paths: map[string]bool{}}

func (t *tempFiles) add(p string) {
	t.mu.Lock()
	t.paths[p] = true
	t.mu.Unlock()
}

func (t *tempFiles) remove(p string) {
	t.mu.Lock()
	delete(t.paths, p)
	t.mu.Unlock()
}

// removeAll removes every pending temporary file (on a signal).
func (t *tempFiles) removeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for p := range t.paths {
		os.Remove(p)
		delete(t.paths, p)
	}
}

// syncDir makes a rename in dir durable; best effort (some file systems
// cannot sync a directory, and the data is already safe).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
