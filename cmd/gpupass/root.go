package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/render"
	"github.com/gpupass/gpupass/report"
	"github.com/gpupass/gpupass/snapshot"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

// toolVersion is the version reports carry.
func toolVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

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

// globalOptions are the flags every command takes.
type globalOptions struct {
	io      *IOStreams
	format  string
	root    string
	failOn  string
	noColor bool
	// snap guards the snapshot --root named, from before its extraction
	// until Run removes it.
	snap *snapshotGuard
}

// openRoot opens --root when it names a snapshot (a tarball, or a
// directory one was extracted into): the commands then read the tree it
// holds.
func (g *globalOptions) openRoot() error {
	if g.root == "" || g.root == "/" || !snapshot.Is(g.root) {
		return nil
	}
	g.snap = newSnapshotGuard()
	s, err := g.snap.open(g.root)
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

// snapshotGuard removes an extracted snapshot on every way out: Run's
// return, and a signal at any time — during the extraction (which it then
// abandons) or after it.
type snapshotGuard struct {
	sig    chan os.Signal
	cancel context.CancelFunc

	mu     sync.Mutex
	state  int // guardExtracting, guardOpen, guardClosed
	snap   *snapshot.Snapshot
	caught os.Signal // the first signal caught
}

const (
	guardExtracting = iota
	guardOpen
	guardClosed
)

func newSnapshotGuard() *snapshotGuard {
	return &snapshotGuard{sig: make(chan os.Signal, 1)}
}

// open extracts the snapshot, the signals already watched.
func (gd *snapshotGuard) open(name string) (*snapshot.Snapshot, error) {
	ctx, cancel := context.WithCancel(context.Background())
	gd.cancel = cancel
	signal.Notify(gd.sig, cleanupSignals...)
	go gd.watch()
	s, err := snapshot.OpenContext(ctx, name)
	gd.mu.Lock()
	defer gd.mu.Unlock()
	if gd.caught != nil {
		s.Close()
		gd.state = guardClosed
		return nil, exitError{signalStatus(gd.caught)}
	}
	if err != nil {
		gd.state = guardClosed
		return nil, fmt.Errorf("--root: %w", err)
	}
	gd.snap, gd.state = s, guardOpen
	return s, nil
}

// watch ends the run on a signal. During the extraction it cancels it:
// Open removes what it wrote and returns, and open turns the signal into
// the exit status. Once the snapshot is open it removes it and exits at
// once, holding the lock, so that Run cannot return another status
// meanwhile.
func (gd *snapshotGuard) watch() {
	for sig := range gd.sig {
		gd.mu.Lock()
		if gd.caught == nil {
			gd.caught = sig
		}
		switch gd.state {
		case guardExtracting:
			gd.cancel()
		case guardOpen:
			gd.snap.Close()
			os.Exit(signalStatus(sig))
		}
		gd.mu.Unlock()
	}
}

// close removes the snapshot and stops watching; it returns the signal
// caught, if one was.
func (gd *snapshotGuard) close() (os.Signal, error) {
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
	gd.cancel()
	return caught, err
}

// Run executes gpupass with arguments and returns the exit status.
func Run(args []string, streams *IOStreams) int {
	root, g := newRootCmd(streams)
	root.SetArgs(args)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	err := root.Execute()
	if g.snap != nil {
		caught, cerr := g.snap.close()
		if cerr != nil {
			fmt.Fprintf(streams.ErrOut, "gpupass: removing the extracted snapshot: %v\n", cerr)
		}
		if caught != nil {
			return signalStatus(caught)
		}
		if errors.Is(err, syscall.EPIPE) {
			// stdout's reader went away: the SIGPIPE that
			// watch was about to receive.
			return signalStatus(syscall.SIGPIPE)
		}
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

// NewRootCmd builds the command tree.
func NewRootCmd(streams *IOStreams) *cobra.Command {
	cmd, _ := newRootCmd(streams)
	return cmd
}

func newRootCmd(streams *IOStreams) (*cobra.Command, *globalOptions) {
	g := &globalOptions{io: streams}
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
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return g.openRoot()
		},
	}
	flags := cmd.PersistentFlags()
	flags.StringVar(&g.format, "format", "text", "output format: text, json, junit or prometheus (node_exporter's textfile collector)")
	flags.StringVar(&g.root, "root", "/", "read the host's files under `DIR` (a captured host tree) or from a snapshot tarball (gpupass snapshot) instead of /")
	flags.StringVar(&g.failOn, "fail-on", "error", "findings that make the exit status 1: error or warning")
	flags.BoolVar(&g.noColor, "no-color", false, "no colours in text output (also when NO_COLOR is set or stdout is not a terminal)")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletions("text", "json", "junit", "prometheus"))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", fixedCompletions("error", "warning"))
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
	)
	return cmd, g
}

func fixedCompletions(values ...string) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// renderOptions validates --format, --fail-on and decides on colour.
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
	return &cobra.Command{
		Use:   "version",
		Short: "Print the gpupass version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.format == "json" {
				return render.JSON(g.io.Out, map[string]string{"version": toolVersion()})
			}
			_, err := fmt.Fprintf(g.io.Out, "gpupass %s\n", toolVersion())
			return err
		},
	}
}
