//go:build unix

package main

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this ID runs (or may: one
// we are not allowed to signal runs).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
