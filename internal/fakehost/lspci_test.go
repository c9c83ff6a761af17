package fakehost

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

var (
	lspciClass = regexp.MustCompile(`\[([0-9a-f]{4})\]:`)
	lspciIDs   = regexp.MustCompile(`\[([0-9a-f]{4}):([0-9a-f]{4})\]`)
)

// TestLspci has pciutils read each fixture through its sysfs back end,
// as it reads a live host: every function must be listed with its IDs
// and class, which proves the config space and the directory layout.
func TestLspci(t *testing.T) {
	lspci, err := exec.LookPath("lspci")
	if err != nil {
		t.Skip("lspci (pciutils) is not installed: cannot cross-check the trees with it")
	}
	for _, f := range Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			root := buildFixture(t, f)
			cmd := exec.Command(lspci, "-A", "linux-sysfs", "-O", "sysfs.path="+filepath.Join(root, "sys/bus/pci"),
				"-nn", "-D", "-i", filepath.Join(root, "usr/share/misc/pci.ids"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("lspci: %v\n%s", err, stderr.String())
			}
			listed := map[string]string{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				line := sc.Text()
				var addr string
				if _, err := fmt.Sscan(line, &addr); err != nil {
					continue
				}
				c := lspciClass.FindStringSubmatch(line)
				ids := lspciIDs.FindAllStringSubmatch(line, -1)
				if c == nil || ids == nil {
					t.Errorf("unexpected lspci line %q", line)
					continue
				}
				last := ids[len(ids)-1]
				listed[addr] = c[1] + " " + last[1] + ":" + last[2]
			}
			skip := damaged(f.Host)
			for _, d := range f.Host.Devices {
				got, ok := listed[d.Addr]
				if !ok {
					t.Errorf("%s not listed by lspci", d.Addr)
					continue
				}
				if skip[d.Addr] {
					continue
				}
				want := fmt.Sprintf("%04x %04x:%04x", d.Class>>8, d.Vendor, d.Device)
				if got != want {
					t.Errorf("%s: lspci says %s, spec %s", d.Addr, got, want)
				}
			}
			if len(listed) != len(f.Host.Devices) {
				t.Errorf("lspci lists %d functions, the spec has %d", len(listed), len(f.Host.Devices))
			}
		})
	}
}
