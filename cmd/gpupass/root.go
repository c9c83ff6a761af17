package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/report"
	"github.com/gpupass/gpupass/snapshot"
)

// IOStreams are the command's input, outputs and environment, injected so
// commands run in tests with buffers.
type IOStreams struct {
	In         io.Reader
	Out        io.Writer
	ErrOut     io.Writer
	IsTerminal bool
	// ErrIsTerminal is true when stderr is a terminal (progress lines).
	ErrIsTerminal bool
	Getenv        func(string) string
	Now           func() time.Time
}

// Exit statuses (a contract: scripts depend on them).
const (
	exitOK       = 0
	exitFindings = 1
	exitFailure  = 2
)

// exitError carries a status other than 2 out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// globalOptions are the flags several commands share; each command
// defines those it uses (commonflags.go), and no command takes a flag it
// would ignore.
type globalOptions struct {
	io      *IOStreams
	format  string
	root    string
	failOn  string
	noColor bool
	// guard ends the run cleanly on a signal, from its start: it removes
	// the snapshot --root named (during its extraction or after) and the
	// temporary files of --output.
	guard *runGuard
}

// openRoot opens --root when it names a snapshot (a tarball, or a
// directory one was extracted into): the commands then read the tree it
// holds.
func (g *globalOptions) openRoot() error {
	if g.root == "" || g.root == "/" || !snapshot.Is(g.root) {
		return nil
	}
	if g.guard == nil {
		// A command tree from NewRootCmd, executed without Run: nothing
		// would remove the extraction.
		return fmt.Errorf("--root %s: a snapshot is read only through Run", g.root)
	}
	s, err := g.guard.open(g.root)
	if err != nil {
		return err
	}
	g.root = s.Root
	return nil
}

// cleanupSignals end gpupass as they would, its extracted snapshot
// removed first. SIGPIPE is the reader of stdout going away
// (gpupass preflight --root s.tar.gz | head -1).
var cleanupSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

// signalStatus is the exit status a shell reports for a process a signal
// ended: 128 + the signal's number.
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitFailure
}

// runGuard ends a run cleanly on a signal (cleanupSignals), whenever it
// comes: it removes the temporary files --output is writing and the
// snapshot --root named — abandoning its extraction, or removing what was
// extracted — and the run ends with the status a shell reports for the
// signal. Run creates one before anything else and closes it last.
type runGuard struct {
	sig  chan os.Signal
	exit func(int) // os.Exit; a test's in tests

	mu     sync.Mutex
	state  int                // guardIdle, guardExtracting, guardOpen, guardClosed
	cancel context.CancelFunc // cancels the extraction
	snap   *snapshot.Snapshot
	caught os.Signal // the first signal caught
}

const (
	guardIdle = iota
	guardExtracting
	guardOpen
	guardClosed
)

func newRunGuard() *runGuard {
	gd := &runGuard{sig: make(chan os.Signal, 1), exit: os.Exit}
	signal.Notify(gd.sig, cleanupSignals...)
	go gd.watch()
	return gd
}

// open extracts the snapshot, the signals already watched.
func (gd *runGuard) open(name string) (*snapshot.Snapshot, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gd.mu.Lock()
	if gd.caught != nil {
		gd.mu.Unlock()
		return nil, exitError{signalStatus(gd.caught)}
	}
	gd.state, gd.cancel = guardExtracting, cancel
	gd.mu.Unlock()
	s, err := snapshot.OpenContext(ctx, name)
	gd.mu.Lock()
	defer gd.mu.Unlock()
	gd.cancel = nil
	if gd.caught != nil {
		s.Close()
		gd.state = guardClosed
		return nil, exitError{signalStatus(gd.caught)}
	}
	if err != nil {
		gd.state = guardIdle
		return nil, fmt.Errorf("--root: %w", err)
	}
	gd.snap, gd.state = s, guardOpen
	return s, nil
}

// watch ends the run on a signal. During the extraction it cancels it:
// OpenContext removes what it wrote and returns, and open turns the
// signal into the exit status. Otherwise it removes what there is to
// remove and exits at once, holding the lock, so that Run cannot return
// another status meanwhile.
func (gd *runGuard) watch() {
	for sig := range gd.sig {
		gd.mu.Lock()
		if gd.caught == nil {
			gd.caught = sig
		}
		switch gd.state {
		case guardExtracting:
			gd.cancel()
		case guardIdle, guardOpen:
			pendingTemps.removeAll()
			if gd.snap != nil {
				gd.snap.Close()
			}
			gd.exit(signalStatus(sig))
		}
		gd.mu.Unlock()
	}
}

// close removes the snapshot and stops watching; it returns the signal
// caught, if one was.
func (gd *runGuard) close() (os.Signal, error) {
	gd.mu.Lock()
	var err error
	if gd.state == guardOpen {
		err = gd.snap.Close()
	}
	gd.state = guardClosed
	caught := gd.caught
	gd.mu.Unlock()
	signal.Stop(gd.sig)
	close(gd.sig) // no signal is sent to it after Stop returns
	return caught, err
}

// Run executes gpupass with arguments and returns the exit status.
func Run(args []string, streams *IOStreams) int {
	root, g := newRootCmd(streams)
	root.SetArgs(args)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	g.guard = newRunGuard()
	err := root.Execute()
	caught, cerr := g.guard.close()
	if cerr != nil {
		fmt.Fprintf(streams.ErrOut, "gpupass: removing the extracted snapshot: %v\n", cerr)
	}
	if caught != nil {
		return signalStatus(caught)
	}
	if errors.Is(err, syscall.EPIPE) {
		// stdout's reader went away: the SIGPIPE that watch was about
		// to receive.
		return signalStatus(syscall.SIGPIPE)
	}
	if err == nil {
		return exitOK
	}
	var exit exitError
	if errors.As(err, &exit) {
		return exit.code
	}
	fmt.Fprintf(streams.ErrOut, "gpupass: %v\n", err)
	return exitFailure
}

// NewRootCmd builds the command tree, to inspect it (help, completion,
// documentation); Run executes it.
func NewRootCmd(streams *IOStreams) *cobra.Command {
	cmd, _ := newRootCmd(streams)
	return cmd
}

func newRootCmd(streams *IOStreams) (*cobra.Command, *globalOptions) {
	g := &globalOptions{io: streams, format: "text", root: "/", failOn: "error"}
	cmd := &cobra.Command{
		Use:   "gpupass",
		Short: "Check OpenStack compute nodes and flavors for GPU PCI passthrough",
		Long: `gpupass checks the whole chain GPU passthrough depends on — firmware IOMMU,
kernel command line, vfio bindings, IOMMU groups, nova.conf and flavors — and
says what is wrong in the operator's terms, with the exact fix.

Exit status: 0 no error findings; 1 error findings (or warnings with
--fail-on warning); 2 gpupass could not do its job.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			if err := g.checkFormat(c); err != nil {
				return err
			}
			if c.Flags().Lookup("root") == nil {
				return nil
			}
			if g.root == "" {
				return fmt.Errorf("--root is empty: give a host tree, a snapshot tarball, or / for this host (the default)")
			}
			return g.openRoot()
		},
	}
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmd.SetUsageTemplate(usageTemplate)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see gpupass %s --help)", err, c.Name())
	})

	cmd.AddCommand(
		NewCmdPreflight(g, nil),
		NewCmdInventory(g, nil),
		NewCmdLint(g, nil),
		NewCmdAudit(g, nil),
		NewCmdGenerate(g, nil),
		NewCmdSnapshot(g, nil),
		NewCmdDiff(g, nil),
		NewCmdChecks(g),
		NewCmdVersion(g),
		NewCmdCompletion(cmd),
	)
	return cmd, g
}

func fixedCompletions(values ...string) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// renderOptions reads --format (checked before the run against the
// command's formats), validates --fail-on and decides on colour.
func (g *globalOptions) renderOptions() (render.Format, render.Options, error) {
	format, err := render.ParseFormat(g.format)
	if err != nil {
		return "", render.Options{}, err
	}
	var failOn report.Severity
	switch g.failOn {
	case "error":
		failOn = report.Error
	case "warning":
		failOn = report.Warning
	default:
		return "", render.Options{}, fmt.Errorf("--fail-on %q: want error or warning", g.failOn)
	}
	color := g.io.IsTerminal && !g.noColor && g.io.Getenv("NO_COLOR") == ""
	return format, render.Options{Color: color, FailOn: failOn}, nil
}

// stamp names the command, the tool and the time in a report.
func (g *globalOptions) stamp(rep *report.Report, command string) {
	rep.Command = command
	rep.Tool = report.Tool{Version: toolVersion()}
	rep.GeneratedAt = g.io.Now().UTC().Format(time.RFC3339)
}

// finish is the tail every check-running command shares: it writes the
// report in the format chosen, to stdout or --output, and returns its exit
// status as an error (nil for 0).
func (g *globalOptions) finish(out *reportOutput, rep report.Report, format render.Format, opts render.Options) error {
	if err := out.emit(g.io.Out, func(w io.Writer) error { return render.Report(w, format, rep, opts) }); err != nil {
		return err
	}
	if code := rep.ExitCode(opts.FailOn); code != exitOK {
		return exitError{code}
	}
	return nil
}

// NewCmdVersion prints the version.
func NewCmdVersion(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the gpupass version",
		Long: `Print the gpupass version: the release tag of a release build, or for a build
from a clone the commit it was built from, as a Go pseudo-version
(v0.0.0-TIME-REVISION, +dirty when the tree had changes); "devel" when
neither is known (go run). With --format json, also the commit (revision,
time, modified) and the Go release that built it.`,
		Example: `  gpupass version
  gpupass version --format json | jq -r .version`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := readVersion()
			if g.format == "json" {
				return render.JSON(g.io.Out, v)
			}
			_, err := fmt.Fprintf(g.io.Out, "gpupass %s\n", v.Version)
			return err
		},
	}
	g.formatFlag(cmd, "text", "json")
	return cmd
}
