package generate

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
)

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "''",
		"update-grub":                        "update-grub",
		"/boot/grub2/grub.cfg":               "/boot/grub2/grub.cfg",
		"pci_passthrough:alias=h100:1":       "pci_passthrough:alias=h100:1",
		"--args=intel_iommu=on iommu=pt":     "--args='intel_iommu=on iommu=pt'",
		"pci_passthrough:alias=rtx 2080ti:1": "pci_passthrough:alias='rtx 2080ti:1'",
		"gpu.rtx 2080ti.1":                   "'gpu.rtx 2080ti.1'",
		"x;rm -rf ~":                         "'x;rm -rf ~'",
		"it's":                               `'it'\''s'`,
		"~":                                  "'~'",
		"#x":                                 "'#x'",
		"a=b=c d":                            "a='b=c d'",
		"=x y":                               "'=x y'",
		"$(id)":                              "'$(id)'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
	// The first word of a command is never read as an assignment.
	if got := (Command{"a=b", "c"}).String(); got != "'a=b' c" {
		t.Errorf("first word with '=': %s", got)
	}
}

// argvShell gives each line to /bin/sh: sh -n must accept the lines as
// rendered, and, run with a function that prints its arguments in front
// of every command of the line, sh must pass each command the words it
// was made of. Nothing real runs: the environment is empty and PATH an
// empty directory. All lines run in one script, each after a marker.
func argvShell(t *testing.T, lines []Line) [][][]string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Fatalf("/bin/sh: %v", err)
	}
	var rendered, script strings.Builder
	script.WriteString("argv() { printf '%s\\0' \"$@\" " + endOfCommand + "; }\n")
	for _, l := range lines {
		rendered.WriteString(l.String() + "\n")
		script.WriteString("argv " + nextLine + "\n")
		for i, c := range l {
			if i > 0 {
				script.WriteString(" && ")
			}
			script.WriteString("argv " + c.String())
		}
		script.WriteString("\n")
	}
	if err := exec.Command("/bin/sh", "-n", "-c", rendered.String()).Run(); err != nil {
		for _, l := range lines {
			if err := exec.Command("/bin/sh", "-n", "-c", l.String()).Run(); err != nil {
				t.Errorf("sh -n rejects %s: %v", l, err)
			}
		}
		t.Fatalf("sh -n rejects the commands: %v", err)
	}
	cmd := exec.Command("/bin/sh", "-c", script.String())
	cmd.Env = []string{"PATH=" + t.TempDir(), "HOME=/nonexistent"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("sh: %v: %s", err, stderr.String())
	}
	var out [][][]string
	var cur []string
	for _, f := range strings.Split(strings.TrimSuffix(stdout.String(), "\x00"), "\x00") {
		if f != endOfCommand {
			cur = append(cur, f)
			continue
		}
		if len(cur) == 1 && cur[0] == nextLine {
			out = append(out, [][]string{})
		} else if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], cur)
		}
		cur = nil
	}
	if len(out) != len(lines) {
		t.Fatalf("%d lines ran of %d", len(out), len(lines))
	}
	return out
}

// endOfCommand ends the words of one command in argvShell's output, and
// nextLine, alone, starts a line's.
const (
	endOfCommand = "@@end-of-command@@"
	nextLine     = "@@next-line@@"
)

// Every string survives shellQuote: /bin/sh gives the command back the
// word it was given, alone and as the VALUE of NAME=VALUE.
func TestShellQuoteParsesBack(t *testing.T) {
	words := []string{"", " ", "a b", "'", "''", `"`, `\`, "$HOME", "$(id)", "`id`", "a\nb", "a\tb", "*", "?", "[a]", "{a,b}",
		"~", "~root", "#", "a#b", "&", ";", "|", "<", ">", "(", ")", "!", "%", "^", "rtx 2080ti", "x;rm -rf ~", "é", "日本",
		"--args=a b", "k=v w", "=", "==", "a=", "it's a \"test\""}
	for c := byte(1); c < 128; c++ {
		words = append(words, string([]byte{c}), "a"+string([]byte{c})+"b")
	}
	var lines []Line
	for _, w := range words {
		lines = append(lines, Line{{"cmd", w, "--x=" + w, w + "=y"}, {w}})
	}
	got := argvShell(t, lines)
	for i, l := range lines {
		want := [][]string{l[0], l[1]}
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", l, diff)
		}
	}
}

// hostileNames are alias names Nova takes that a shell would misread
// unquoted.
var hostileNames = []string{"rtx 2080ti", "x;rm -rf ~", "it's", `a"b\c`, "`id`", "(id)", "a|b&c", "*", "~root", "#x", "é gpu", "a  b"}

// Every command of every document, for plans with such names, exposed
// files with spaces and quotes in their paths, a device bound by address
// and each boot set-up, parses (sh -n) and runs as the words meant.
func TestCommandsParseBack(t *testing.T) {
	systems := []hostinfo.System{{ID: "ubuntu"}, {ID: "rocky", IDLike: "rhel"}, {ID: "pop"}, {ID: "opensuse-leap", IDLike: "suse"}, {ID: "arch"}, {}}
	var lines []Line
	for i, name := range hostileNames {
		h := host("ro intel_iommu=off pci-stub.ids=10de:22a3 quiet", "GenuineIntel")
		opts := Options{
			AliasNames:   map[string]string{"10de:2330": name},
			System:       systems[i%len(systems)],
			ExposedFiles: []string{"/etc/nova/nova.conf", "/etc/nova/my nova.conf", "/etc/nova/it's.conf", "/etc/nova/$x.conf"},
		}
		if i%2 == 1 {
			opts.GPUs = append(opts.GPUs, sel("0000:41:00.0")) // bound by address: driverctl
		}
		p := build(t, h, opts)
		text, err := Write(p, "all")
		if err != nil {
			t.Fatal(err)
		}
		cmds, err := p.Commands("all")
		if err != nil {
			t.Fatal(err)
		}
		if len(cmds) < 5 {
			t.Fatalf("%q: only %d commands:\n%s", name, len(cmds), text)
		}
		for _, c := range cmds {
			if !strings.Contains(text, "\n"+c.String()+"\n") {
				t.Errorf("%q: command %s is not a line of the document", name, c)
			}
			lines = append(lines, c)
		}
		// The name reaches the flavor commands as one word each.
		flavor := p.Flavors()[0].Command()
		if flavor[len(flavor)-1] != "gpu."+name+".1" || !strings.Contains(text, "\n"+flavor.String()+"\n") {
			t.Errorf("%q: flavor command %v not in the document", name, flavor)
		}
	}
	// Without a GPU: the kernel's IOMMU fixes, modules-load.d's modprobe,
	// chmod.
	for _, system := range systems {
		h := host(`ro intel_iommu=off iommu=off foo="a b" quiet`, "GenuineIntel")
		h.Modules = []hostinfo.Module{{Name: "nvidia", State: hostinfo.ModuleLoaded}}
		for i := range h.Devices {
			h.Devices[i].DisplayClients = []string{"Xorg"}
		}
		p := build(t, h, Options{System: system, ExposedFiles: []string{"/etc/nova/my nova.conf"}})
		text, err := Write(p, "all")
		if err != nil {
			t.Fatal(err)
		}
		cmds, _ := p.Commands("all")
		if len(p.Models) != 0 || len(cmds) < 4 || !strings.Contains(text, "\nmodprobe -a vfio vfio_pci vfio_iommu_type1\n") {
			t.Fatalf("%+v: models %d, commands %v:\n%s", system, len(p.Models), cmds, text)
		}
		lines = append(lines, cmds...)
	}
	got := argvShell(t, lines)
	for i, l := range lines {
		var words [][]string
		for _, c := range l {
			words = append(words, []string(c))
		}
		if diff := cmp.Diff(words, got[i]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", l, diff)
		}
	}
}

// The names a plan refuses, and why; the others go through nova.conf
// (written, read back by gpupass's reader and Nova's grammar) unchanged.
func TestAliasNames(t *testing.T) {
	long := strings.Repeat("a", maxNovaName-len("gpu..8"))
	for name, want := range map[string]string{
		"":               "empty",
		"a:b":            "cannot hold ':'",
		"a,b":            "cannot hold ':' or ','",
		"a$b":            "$NAME",
		"a${b}":          "$NAME",
		"a$$":            "$NAME",
		`a\$`:            "$NAME",
		"$\u017f":        "$NAME",
		" x":             "starts or ends with a space",
		"x ":             "starts or ends with a space",
		"x\u00a0":        "starts or ends with a space",
		"a\nb":           "U+000A",
		"a\tb":           "U+0009",
		"\x1b[31mred":    "U+001B",
		"a\u2028b":       "U+2028",
		"a\u200bb":       "U+200B",
		"gpu \U0001F600": "U+1F600",
		"\xff":           "not valid UTF-8",
		long + "a":       "too long",
	} {
		err := CheckAliasName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckAliasName(%q) = %v, want %q", name, err, want)
		}
	}
	rel, _ := novarelease.Parse("2024.1")
	for _, name := range append([]string{long, "h100", "a b", "日本語", "x\u00a0y", "Ä"}, hostileNames...) {
		if err := CheckAliasName(name); err != nil {
			t.Errorf("CheckAliasName(%q) = %v, want nil", name, err)
			continue
		}
		p := build(t, host("ro", "GenuineIntel"), Options{Release: rel, AliasNames: map[string]string{"10de:2330": name}, Placement: true})
		cfg, problems := novaconf.Load(memFiles{"/n.conf": p.ComputeConf()}, []string{"/n.conf"}, nil)
		if len(problems) > 0 {
			t.Errorf("%q: %v", name, problems)
		}
		var texts []string
		for _, v := range cfg.Lookup(novaconf.OptAlias) {
			texts = append(texts, v.Text)
		}
		aliases, _, err := pcispec.ParseAliasesWith(texts, rel, pcispec.Options{})
		if err != nil || aliases[name] == nil {
			t.Errorf("%q: read back as %v: %v", name, aliases, err)
		}
		for _, f := range p.Flavors() {
			if utf8.RuneCountInString(f.Name) > maxNovaName {
				t.Errorf("%q: flavor name of %d characters", name, utf8.RuneCountInString(f.Name))
			}
			if err := pcispec.ValidateExtraSpec("pci_passthrough:alias", f.ExtraSpecs[0][1], rel); err != nil {
				t.Errorf("%q: %v", name, err)
			}
		}
	}
	// Two names that would give one resource class get Nova's default.
	h := host("ro", "GenuineIntel")
	h.Devices = append(h.Devices, h.Devices[1])
	h.Devices[len(h.Devices)-1].Address, h.Devices[len(h.Devices)-1].DeviceID = "0000:81:00.0", "2331"
	h.Devices[len(h.Devices)-1].IOMMUGroup = ptr(30)
	p := build(t, h, Options{Placement: true, AliasNames: map[string]string{"10de:2330": "rtx 2080", "10de:2331": "RTX-2080"}})
	if got := []string{p.resourceClass(p.Models[0]), p.resourceClass(p.Models[1])}; got[0] != "CUSTOM_PCI_10DE_2330" || got[1] != "CUSTOM_PCI_10DE_2331" {
		t.Errorf("resource classes %v", got)
	}
	p = build(t, host("ro", "GenuineIntel"), Options{Placement: true, AliasNames: map[string]string{"10de:2330": "H100"}})
	if got := p.resourceClass(p.Models[0]); got != "CUSTOM_H100" {
		t.Errorf("resource class %s", got)
	}
}

// memFiles serves nova.conf files from memory.
type memFiles map[string]string

func (m memFiles) ReadFile(path string) ([]byte, error) {
	if s, ok := m[path]; ok {
		return []byte(s), nil
	}
	return nil, os.ErrNotExist
}

func (m memFiles) ReadDir(string) ([]os.DirEntry, error) { return nil, os.ErrNotExist }
