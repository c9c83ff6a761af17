package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// runCommand runs one command alone, with its run replaced (the runF hook
// every NewCmd* takes), and returns the error Execute gave.
func runCommand(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.Execute()
}

func testGlobals() *globalOptions {
	return &globalOptions{io: &IOStreams{Getenv: func(string) string { return "" }, Now: time.Now}}
}

// Each command's flags land in its options as its run sees them.
func TestCommandsParseFlagsIntoOptions(t *testing.T) {
	t.Parallel()
	t.Run("preflight", func(t *testing.T) {
		var got *preflightOptions
		cmd := NewCmdPreflight(testGlobals(), func(o *preflightOptions) error { got = o; return nil })
		err := runCommand(t, cmd, "--gpu", "all", "--gpu", "10de:2330", "--hostname", "gpu07", "--nova-release", "zed", "--pci-ids", "/p.ids",
			"--nova-conf", "/etc/nova/a.conf", "--nova-conf", "/etc/nova/b.conf", "--nova-conf-dir", "/etc/nova/d", "--api-conf", "api.conf",
			"--baseline", "good.json", "-o", "out.prom")
		if err != nil || got == nil {
			t.Fatalf("err %v", err)
		}
		if !slices.Equal(got.gpus, []string{"all", "10de:2330"}) || got.hostname != "gpu07" || got.novaRelease != "zed" || got.pciIDs != "/p.ids" ||
			!slices.Equal(got.conf.files, []string{"/etc/nova/a.conf", "/etc/nova/b.conf"}) || !slices.Equal(got.conf.dirs, []string{"/etc/nova/d"}) ||
			!slices.Equal(got.conf.apiConf, []string{"api.conf"}) || got.baseline != "good.json" || got.out.path != "out.prom" {
			t.Errorf("options %+v", got)
		}
		if err := runCommand(t, NewCmdPreflight(testGlobals(), func(*preflightOptions) error { return nil }), "extra"); err == nil {
			t.Error("preflight takes no arguments")
		}
	})
	t.Run("inventory", func(t *testing.T) {
		var got *inventoryOptions
		err := runCommand(t, NewCmdInventory(testGlobals(), func(o *inventoryOptions) error { got = o; return nil }), "--all", "--gpu", "0000:41:00.0", "--output", "inv.json")
		if err != nil || got == nil || !got.all || !slices.Equal(got.gpus, []string{"0000:41:00.0"}) || got.out.path != "inv.json" {
			t.Errorf("err %v, options %+v", err, got)
		}
	})
	t.Run("lint", func(t *testing.T) {
		var got *lintOptions
		var files []string
		err := runCommand(t, NewCmdLint(testGlobals(), func(o *lintOptions, args []string) error { got, files = o, args; return nil }),
			"a.conf", "b.conf", "--nova-conf-dir", "d", "--api-conf", "api.conf", "--nova-release", "2024.1")
		if err != nil || got == nil || !slices.Equal(files, []string{"a.conf", "b.conf"}) || !slices.Equal(got.conf.dirs, []string{"d"}) ||
			!slices.Equal(got.conf.apiConf, []string{"api.conf"}) || got.novaRelease != "2024.1" {
			t.Errorf("err %v, files %v, options %+v", err, files, got)
		}
	})
	t.Run("audit", func(t *testing.T) {
		var got *auditOptions
		err := runCommand(t, NewCmdAudit(testGlobals(), func(o *auditOptions) error { got = o; return nil }),
			"--os-cloud", "prod", "--os-region-name", "r1", "--os-interface", "internal", "--insecure", "--timeout", "5s", "--debug",
			"--reports", "reports/", "--api-conf", "api.conf", "--save-cloud", "save.json")
		if err != nil || got == nil || got.cloud.Cloud != "prod" || got.cloud.RegionName != "r1" || got.cloud.Interface != "internal" || !got.cloud.Insecure ||
			got.timeout != 5*time.Second || !got.debug || got.reports != "reports/" || !slices.Equal(got.apiConf, []string{"api.conf"}) || got.saveCloud != "save.json" {
			t.Errorf("err %v, options %+v", err, got)
		}
		got = nil
		err = runCommand(t, NewCmdAudit(testGlobals(), func(o *auditOptions) error { got = o; return nil }), "--from-cloud", "cloud.json", "--reports", "r/")
		if err != nil || got == nil || got.fromCloud != "cloud.json" {
			t.Errorf("--from-cloud: err %v, options %+v", err, got)
		}
		for _, flag := range []string{"--os-cloud=prod", "--insecure", "--timeout=5s", "--deadline=1m", "--debug", "--save-cloud=x.json"} {
			got = nil
			err := runCommand(t, NewCmdAudit(testGlobals(), func(o *auditOptions) error { got = o; return nil }), "--from-cloud", "cloud.json", flag)
			if err == nil || got != nil || !strings.Contains(err.Error(), "--from-cloud: audit reads either") {
				t.Errorf("--from-cloud with %s: %v", flag, err)
			}
		}
	})
	t.Run("generate", func(t *testing.T) {
		var got *generateOptions
		var artifact string
		run := func(o *generateOptions, a string) error { got, artifact = o, a; return nil }
		err := runCommand(t, NewCmdGenerate(testGlobals(), run), "nova-conf", "--alias-name", "10de:2330=h100", "--numa-policy", "preferred",
			"--placement", "--from-report", "r.json", "--force", "-o", "nova.conf", "--hostname", "gpu07")
		if err != nil || artifact != "nova-conf" || !slices.Equal(got.aliasNames, []string{"10de:2330=h100"}) || got.numaPolicy != "preferred" ||
			!got.placement || got.fromReport != "r.json" || !got.force || got.output != "nova.conf" {
			t.Errorf("err %v, artifact %q, options %+v", err, artifact, got)
		}
		got = nil
		if err := runCommand(t, NewCmdGenerate(testGlobals(), run), "grub"); err == nil || !strings.Contains(err.Error(), `unknown artifact "grub"`) || got != nil {
			t.Errorf("an unknown artifact must fail before the run: %v", err)
		}
		if err := runCommand(t, NewCmdGenerate(testGlobals(), run)); err == nil || !strings.Contains(err.Error(), "generate needs one artifact: kernel-args, modprobe, nova-conf, flavor or all") || got != nil {
			t.Errorf("no artifact: %v", err)
		}
		for _, flag := range []string{"--root=/x", "--nova-conf=/etc/nova/nova.conf", "--nova-conf-dir=/d", "--pci-ids=/p"} {
			err := runCommand(t, NewCmdGenerate(testGlobals(), run), "all", "--from-report", "r.json", flag)
			if err == nil || got != nil || !strings.Contains(err.Error(), "and --from-report: generate reads either the host or a report") {
				t.Errorf("--from-report with %s: %v", flag, err)
			}
		}
	})
	t.Run("snapshot", func(t *testing.T) {
		var got *snapshotOptions
		err := runCommand(t, NewCmdSnapshot(testGlobals(), func(o *snapshotOptions) error { got = o; return nil }), "-o", "s.tar.gz", "--hostname", "n7", "--nova-conf", "/etc/nova/x.conf", "--force")
		if err != nil || got == nil || got.output != "s.tar.gz" || got.hostname != "n7" || !slices.Equal(got.conf.files, []string{"/etc/nova/x.conf"}) || !got.force {
			t.Errorf("err %v, options %+v", err, got)
		}
	})
	t.Run("diff", func(t *testing.T) {
		var args []string
		run := func(_ *diffOptions, a []string) error { args = a; return nil }
		if err := runCommand(t, NewCmdDiff(testGlobals(), run), "old.json", "new.json", "-o", "d.txt"); err != nil || !slices.Equal(args, []string{"old.json", "new.json"}) {
			t.Errorf("err %v, args %v", err, args)
		}
		args = nil
		if err := runCommand(t, NewCmdDiff(testGlobals(), run), "old.json"); err == nil || args != nil {
			t.Errorf("one report must fail before the run: %v", err)
		}
	})
}
