// Package regfile opens files that must be regular files without ever
// blocking: a FIFO where a file belongs would make open or read wait for a
// writer for ever, a device would stream for ever. The file is opened
// non-blocking and refused unless fstat says it is a regular file. hostinfo
// (under a root), novaconf's DirReader (lint, --api-conf) and the commands'
// named files share it, and its error.
package regfile

import (
	"io/fs"
	"os"
)

// NotRegularError says that a file expected to be a regular file is
// something else (a FIFO, a socket, a device, a directory).
type NotRegularError struct{ Mode fs.FileMode }

func (e *NotRegularError) Error() string {
	kind := "a special file"
	switch {
	case e.Mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case e.Mode&fs.ModeSocket != 0:
		kind = "a socket"
	case e.Mode&fs.ModeCharDevice != 0:
		kind = "a character device"
	case e.Mode&fs.ModeDevice != 0:
		kind = "a block device"
	case e.Mode.IsDir():
		kind = "a directory"
	}
	return "not a regular file (" + kind + "); not read"
}

// Open opens name for reading if it is a regular file, without blocking on
// anything else; the error is a *fs.PathError, wrapping a
// *NotRegularError for what is not a regular file.
func Open(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: &NotRegularError{Mode: info.Mode()}}
	}
	return f, nil
}

// OpenDir opens a directory without blocking (a FIFO named where a
// directory belongs is not waited on).
func OpenDir(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|oNonblock, 0)
}
