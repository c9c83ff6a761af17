package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// reportOutput is -o/--output of the report commands (preflight, inventory,
// lint, audit, diff): the report goes to a file, replaced atomically, as
// node_exporter's textfile collector needs, instead of stdout.
type reportOutput struct {
	path string
}

func (o *reportOutput) addFlag(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.path, "output", "o", "", "write the report to `FILE` instead of stdout: replaced atomically (a temporary file in the same directory, renamed), mode 0644, left as it was when gpupass fails (exit status 2)")
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

// writeFileAtomic writes data to path through a temporary file in the same
// directory, synced, and a rename: a reader sees the old file or the new
// one, never a part. The temporary name starts with a dot and does not end
// in .prom, so node_exporter's textfile collector never reads it. Without
// force it refuses to replace a file that exists (or appears meanwhile).
func writeFileAtomic(path string, data []byte, force bool) error {
	fail := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("--output %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("--output %s: is a directory", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if !force {
		// A hard link fails when the name exists: no race with a file
		// created between the check and the rename.
		if err := os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("--output %s exists: pass --force to overwrite it", path)
			}
			return fail(err)
		}
	} else if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename in dir durable; best effort (some file systems
// cannot sync a directory, and the data is already safe).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
