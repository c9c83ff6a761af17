// Command mkfakehost writes a fake host tree: a synthetic host of at least
// N PCI functions, for benchmarks, or one of the committed fixtures.
//
//	go run ./internal/fakehost/cmd/mkfakehost -functions 2000 -o /dev/shm/host
//	go run ./internal/fakehost/cmd/mkfakehost -fixture h100-hgx -o /tmp/h100
//
// The output directory must not exist or be empty. Writing is dominated by
// the file system: a 2,000-function tree is about 0.7 s on tmpfs (/dev/shm)
// and ten times that or more on a slow disk.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/gpupass/gpupass/internal/fakehost"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("mkfakehost", flag.ContinueOnError)
	flags.SetOutput(stderr)
	functions := flags.Int("functions", 0, "build a synthetic host with at least `N` PCI functions")
	fixture := flags.String("fixture", "", "build the committed fixture `NAME` instead ("+strings.Join(fixtureNames(), ", ")+")")
	out := flags.String("o", "", "write the tree into `DIR` (must not exist or be empty)")
	quiet := flags.Bool("q", false, "print nothing on success")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: mkfakehost (-functions N | -fixture NAME) -o DIR\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "mkfakehost: "+format+"\n", a...)
		return 2
	}
	switch {
	case flags.NArg() > 0:
		return fail("unexpected argument %q", flags.Arg(0))
	case *out == "":
		return fail("-o DIR is required")
	case (*functions > 0) == (*fixture != ""):
		return fail("give exactly one of -functions N (N > 0) and -fixture NAME")
	}
	var host *fakehost.Host
	if *fixture != "" {
		for _, f := range fakehost.Fixtures() {
			if f.Name == *fixture {
				host = f.Host
			}
		}
		if host == nil {
			return fail("unknown fixture %q: want one of %s", *fixture, strings.Join(fixtureNames(), ", "))
		}
	} else {
		if *functions > 30000 {
			return fail("-functions %d: a synthetic host holds at most about 30,000 functions", *functions)
		}
		host = fakehost.Synthetic(*functions)
	}
	// Build refuses a non-empty directory too; checking first gives a
	// clearer message and spares computing the tree.
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		return fail("%s is not empty: refusing to write into it", *out)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail("%v", err)
	}
	if err := host.Build(*out); err != nil {
		return fail("%v", err)
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%s: %s, %d PCI functions\n", *out, host.Hostname, len(host.Devices))
	}
	return 0
}

func fixtureNames() []string {
	var names []string
	for _, f := range fakehost.Fixtures() {
		names = append(names, f.Name)
	}
	return names
}
