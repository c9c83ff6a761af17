package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/checks"
	"github.com/gpupass/gpupass/collect"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

type lintOptions struct {
	*globalOptions
	conf        confOptions
	novaRelease string
	out         reportOutput
}

// NewCmdLint checks nova.conf files alone. runF replaces the run in tests.
func NewCmdLint(g *globalOptions, runF func(*lintOptions, []string) error) *cobra.Command {
	opts := &lintOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "lint [FILE...]",
		Short: "Check nova.conf files alone, without a host (the GP3xx checks)",
		Long: `lint reads nova.conf files as oslo.config does — the files in the order given,
then each --nova-conf-dir's *.conf sorted — and runs the nova.conf checks
(GP3xx). Checks that need the host's devices are skipped, saying so.`,
		Example: `  gpupass lint /etc/nova/nova.conf
  gpupass lint /etc/nova/nova.conf --nova-conf-dir /etc/nova/nova.conf.d
  gpupass lint compute.conf --api-conf controller.conf --nova-release 2024.1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts, args)
			}
			return runLint(opts, args)
		},
	}
	g.formatFlag(cmd, reportFormats...)
	g.failOnFlag(cmd)
	g.colorFlag(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&opts.conf.dirs, "nova-conf-dir", nil, "also read every *.conf in `DIR`, sorted, after the files (repeatable)")
	f.StringArrayVar(&opts.conf.apiConf, "api-conf", nil, "the nova-api / scheduler node's nova.conf `FILE`, to compare aliases with (repeatable)")
	f.StringVar(&opts.novaRelease, "nova-release", "", "apply the rules of this Nova release ("+novarelease.Names()+"; default: the newest)")
	_ = cmd.MarkFlagDirname("nova-conf-dir")
	opts.out.addFlag(cmd)
	return cmd
}

func runLint(opts *lintOptions, files []string) error {
	format, renderOpts, err := opts.renderOptions()
	if err != nil {
		return err
	}
	if len(files) == 0 && len(opts.conf.dirs) == 0 {
		return fmt.Errorf("lint needs nova.conf files (or --nova-conf-dir)")
	}
	rel, from, err := novarelease.Choose(opts.novaRelease, "no --nova-release given, so the newest known release is assumed")
	if err != nil {
		return err
	}
	in := &checks.Inputs{
		NovaRelease: rel, NovaReleaseFrom: from,
		NovaConf: collect.LocalConf("lint", files, opts.conf.dirs),
	}
	if err := namedConfReadable(in.NovaConf, "lint", files, "--nova-conf-dir", opts.conf.dirs); err != nil {
		return err
	}
	if in.APIConf, err = opts.conf.apiConfSet(); err != nil {
		return err
	}
	if len(in.NovaConf.Config.Files()) == 0 {
		var why []string
		for _, p := range in.NovaConf.Problems {
			why = append(why, p.Source.File+": "+p.Message)
		}
		return fmt.Errorf("no nova.conf could be read: %s", strings.Join(why, "; "))
	}
	rep := checks.Run(in, lintCatalog())
	opts.stamp(&rep, "lint")
	return opts.finish(&opts.out, rep, format, renderOpts)
}

// lintCatalog is what lint runs: the nova.conf checks (GP3xx), and the
// checks of virtual GPUs that judge nova.conf alone (GP602 and GP603: an
// [mdev_*] group nova-compute refuses, types Nova drops), which need no
// host.
func lintCatalog() []*checks.Check {
	out := checks.InSection(checks.All, "GP3")
	for _, c := range checks.InSection(checks.All, "GP6") {
		if len(c.Needs) == 1 && c.Needs[0] == checks.NeedNovaConf {
			out = append(out, c)
		}
	}
	return out
}
