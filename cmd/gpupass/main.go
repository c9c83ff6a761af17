// Command gpupass checks that OpenStack compute nodes and flavors are ready
// for GPU PCI passthrough, explains what is wrong, and writes the
// configuration that fixes it.
//
// This package holds the cobra commands: they parse flags, call the
// collectors, run the checks and pick a renderer. Nothing below it prints.
package main

import (
	"os"
	"time"
)

func main() {
	streams := &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		Getenv: os.Getenv,
		Now:    time.Now,
	}
	if info, err := os.Stdout.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
		streams.IsTerminal = true
	}
	if info, err := os.Stderr.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
		streams.ErrIsTerminal = true
	}
	os.Exit(Run(os.Args[1:], streams))
}
