package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// A file or directory the operator named that cannot be read is exit
// status 2 naming it, whichever flag named it; so is an empty --root.
func TestNamedInputsThatCannotBeReadAreExit2(t *testing.T) {
	t.Parallel()
	h100 := filepath.Join(hostsDir, "h100-hgx")
	dir := t.TempDir()
	good := filepath.Join(hostsDir, "..", "lint", "debian-nova-common.conf")
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"preflight", "--root", h100, "--api-conf", "/nonexistent/api.conf"}, "--api-conf /nonexistent/api.conf: config file not found"},
		{[]string{"preflight", "--root", h100, "--nova-conf", "/etc/nova/missing.conf"}, "--nova-conf /etc/nova/missing.conf: config file not found"},
		{[]string{"preflight", "--root", h100, "--nova-conf-dir", "/etc/nova/nowhere.d"}, "--nova-conf-dir /etc/nova/nowhere.d: config dir not found"},
		{[]string{"preflight", "--root", h100, "--pci-ids", "/nonexistent/pci.ids"}, "--pci-ids /nonexistent/pci.ids: no such file or directory"},
		{[]string{"preflight", "--root", h100, "--pci-ids", dir}, "--pci-ids " + dir + ": not a regular file"},
		{[]string{"inventory", "--root", h100, "--pci-ids", "/nonexistent/pci.ids"}, "--pci-ids /nonexistent/pci.ids"},
		{[]string{"preflight", "--root", ""}, "--root is empty"},
		{[]string{"lint", good, "/nonexistent/nova.conf"}, "lint /nonexistent/nova.conf: config file not found"},
		{[]string{"lint", good, "--api-conf", "/nonexistent/api.conf"}, "--api-conf /nonexistent/api.conf: config file not found"},
		{[]string{"generate", "all", "--root", h100, "--api-conf", "/nonexistent/api.conf"}, "--api-conf /nonexistent/api.conf"},
		{[]string{"audit", "--from-cloud", "/nonexistent/cloud.json", "--api-conf", "/nonexistent/api.conf"}, "--api-conf /nonexistent/api.conf"},
		{[]string{"audit", "--os-cloud", "x", "--timeout", "0s"}, "--timeout"},
		{[]string{"audit", "--os-cloud", "x", "--deadline", "-1m"}, "--deadline"},
	}
	for _, tt := range tests {
		code, out, errOut := gpupass(t, nil, tt.args...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, tt.says) {
			t.Errorf("gpupass %s: exit %d, stdout %d bytes, stderr %q; want exit 2 saying %q", strings.Join(tt.args, " "), code, len(out), errOut, tt.says)
		}
	}
}

// No command takes a flag it would ignore, and contradictions are refused.
func TestFlagsOnlyWhereTheyMeanSomething(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"version", "--root", "/nonexistent"},
		{"version", "--fail-on", "warning"},
		{"checks", "--fail-on", "warning"},
		{"checks", "--root", "/"},
		{"inventory", "--fail-on", "warning"},
		{"lint", "--root", "/", "x.conf"},
		{"audit", "--root", "/"},
		{"diff", "--root", "/", "a.json", "b.json"},
		{"generate", "all", "--no-color"},
		{"generate", "all", "--fail-on", "warning"},
		{"snapshot", "-o", "-", "--api-conf", "a.conf"},
		{"snapshot", "-o", "-", "--fail-on", "warning"},
		{"completion", "bash", "--format", "json"},
	} {
		code, out, errOut := gpupass(t, nil, args...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, "unknown flag") {
			t.Errorf("gpupass %s: exit %d, stderr %q; want exit 2, unknown flag", strings.Join(args, " "), code, errOut)
		}
	}
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"version", "--format", "junit"}, "--format junit: version writes text or json"},
		{[]string{"version", "--format", "yaml"}, `unknown format "yaml": version writes text or json`},
		{[]string{"inventory", "--format", "junit"}, "--format junit: inventory writes text, json or prometheus"},
		{[]string{"generate", "all", "--format", "prometheus"}, "--format prometheus: generate writes text or json"},
		{[]string{"snapshot", "-o", "-", "--format", "junit"}, "--format junit: snapshot writes text or json"},
		{[]string{"completion", "tcsh"}, "completion needs one shell: bash, zsh, fish or powershell (got tcsh)"},
		{[]string{"completion"}, "completion needs one shell"},
	} {
		code, out, errOut := gpupass(t, nil, tt.args...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, tt.says) {
			t.Errorf("gpupass %s: exit %d, stderr %q; want exit 2 saying %q", strings.Join(tt.args, " "), code, errOut, tt.says)
		}
	}
	for _, shell := range completionShells {
		if code, out, errOut := gpupass(t, nil, "completion", shell); code != exitOK || len(out) < 1000 || !strings.Contains(out, "gpupass") {
			t.Errorf("completion %s: exit %d, %d bytes, %q", shell, code, len(out), errOut)
		}
	}
}

// Every command's help fits in 80 columns, shows an example, and lists
// only the flags the command takes.
func TestHelpIsReadable(t *testing.T) {
	t.Parallel()
	root := NewRootCmd(&IOStreams{Getenv: func(string) string { return "" }})
	cmds := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			cmds = append(cmds, c)
		}
	}
	if len(cmds) < 11 {
		t.Fatalf("%d commands", len(cmds))
	}
	for _, c := range cmds {
		args := []string{"--help"}
		if c != root {
			args = []string{c.Name(), "--help"}
		}
		code, out, errOut := gpupass(t, nil, args...)
		if code != exitOK || errOut != "" {
			t.Errorf("%s --help: exit %d, %q", c.Name(), code, errOut)
		}
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("%s --help line %d is %d columns: %q", c.Name(), i+1, n, line)
			}
		}
		if c != root && !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help has no example", c.Name())
		}
		if strings.Contains(out, "Global Flags") {
			t.Errorf("%s --help shows global flags", c.Name())
		}
	}
	_, out, _ := gpupass(t, nil, "version", "--help")
	if strings.Contains(out, "--root") || strings.Contains(out, "--fail-on") || !strings.Contains(out, "--format") {
		t.Errorf("version --help:\n%s", out)
	}
}

// Argument errors say what the command wants, in its words, not cobra's.
func TestArgumentErrorsSayWhatToDo(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "array.json")
	if err := os.WriteFile(empty, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"generate"}, "generate needs one artifact: kernel-args, modprobe, nova-conf, flavor or all"},
		{[]string{"generate", "modprobe", "flavor"}, "generate writes one artifact at a time"},
		{[]string{"checks", "GP201", "GP202"}, "checks explains one check at a time"},
		{[]string{"preflight", "now"}, `preflight takes no arguments, got "now"`},
		{[]string{"snapshot"}, "snapshot needs -o FILE.tar.gz"},
		{[]string{"diff", empty, empty}, "not a gpupass report: a JSON array, not an object"},
	} {
		code, out, errOut := gpupass(t, nil, tt.args...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, tt.says) {
			t.Errorf("gpupass %s: exit %d, stderr %q; want exit 2 saying %q", strings.Join(tt.args, " "), code, errOut, tt.says)
		}
		for _, cobraWords := range []string{"arg(s)", "flag(s)", "Go value", "checks.Report", "report.Report"} {
			if strings.Contains(errOut, cobraWords) {
				t.Errorf("gpupass %s: %q shows internals (%s)", strings.Join(tt.args, " "), errOut, cobraWords)
			}
		}
	}
}

// A --gpu selector that names no device is exit 2, not silently ignored.
func TestGPUSelectorThatMatchesNothing(t *testing.T) {
	t.Parallel()
	h100 := filepath.Join(hostsDir, "h100-hgx")
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"preflight", "--root", h100, "--gpu", "0000:fe:1f.7"}, "--gpu 0000:fe:1f.7: there is no PCI device at 0000:fe:1f.7"},
		{[]string{"preflight", "--root", h100, "--gpu", "10de:9999"}, "--gpu 10de:9999: no PCI device on this host has the ID 10de:9999"},
		{[]string{"inventory", "--root", h100, "--gpu", "10de:2330", "--gpu", "10DE:9999"}, "--gpu 10DE:9999"},
	} {
		code, out, errOut := gpupass(t, nil, tt.args...)
		if code != exitFailure || out != "" || !strings.Contains(errOut, tt.says) {
			t.Errorf("gpupass %s: exit %d, stderr %q; want exit 2 saying %q", strings.Join(tt.args, " "), code, errOut, tt.says)
		}
	}
	// all selects whatever there is, possibly nothing; a matching ID runs.
	for _, args := range [][]string{
		{"preflight", "--root", filepath.Join(hostsDir, "real-firecracker-vm"), "--gpu", "all"},
		{"inventory", "--root", h100, "--gpu", "10de:2330"},
	} {
		if code, _, errOut := gpupass(t, nil, args...); code == exitFailure {
			t.Errorf("gpupass %s: exit 2, %q", strings.Join(args, " "), errOut)
		}
	}
}
