package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gpupass/gpupass/hostinfo"
)

// TestWriteHidesCredentials: no credential of any captured file reaches
// the archive, whatever the file: the kernel command line, modprobe.d
// comments and options, nova.conf's backend_argument, a URL password
// with a blank or a tab, a password's tail after a lone CR, a URL in any
// other file; and the manifest names each file and line.
func TestWriteHidesCredentials(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"proc/cmdline": "BOOT_IMAGE=/vmlinuz ro inst.ks=http://admin:Canary1@host/ks.cfg ignition.config.url=https://u:Canary2@ign/x.ign " +
			"rd.iscsi.password=Canary3 intel_iommu=on\n",
		"etc/modprobe.d/vfio.conf": "# mirror at http://admin:Canary4@mirror/\noptions vfio-pci ids=10de:2330\noptions foo password=Canary5\n",
		"etc/nova/nova.conf": "[DEFAULT]\ntransport_url = rabbit://nova:Canary6 with\ta tab@ctl/\npassword = head\rCanary7\n" +
			"[cache]\nbackend_argument = password:Canary8\nbackend_argument = redis_password:Canary9\n" +
			"[libvirt]\n# token was valid when the key was rotated\ninject_password = False\n",
		"etc/os-release": "NAME=Debian\nHOME_URL=https://u:Canary10@www.debian.org/\n",
	}
	var recorded []hostinfo.Recorded
	for p, data := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		recorded = append(recorded, hostinfo.Recorded{Path: "/" + p, Access: hostinfo.AccessRead})
	}
	fsys, err := hostinfo.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m, err := Write(&buf, fsys, recorded, Options{ToolVersion: "test", Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Hostname: "h"})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	got := map[string]string{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		body, _ := io.ReadAll(tr)
		all.WriteString(h.Name + "\n" + string(body))
		got[strings.TrimPrefix(h.Name, Top+"/root")] = string(body)
	}
	if strings.Contains(all.String(), "Canary") {
		t.Errorf("the archive holds a credential:\n%s", all.String())
	}
	for p, want := range map[string]string{
		"/proc/cmdline": "BOOT_IMAGE=/vmlinuz ro inst.ks=http://admin:***@host/ks.cfg ignition.config.url=https://u:***@ign/x.ign " +
			"rd.iscsi.password=*** intel_iommu=on\n",
		"/etc/modprobe.d/vfio.conf": "# mirror at http://admin:***@mirror/\noptions vfio-pci ids=10de:2330\noptions foo password=***\n",
		"/etc/nova/nova.conf": "[DEFAULT]\ntransport_url = rabbit://nova:***@ctl/\npassword = ***\r***\n" +
			"[cache]\nbackend_argument = password:***\nbackend_argument = redis_password:***\n" +
			"[libvirt]\n# token was valid when the key was rotated\ninject_password = False\n",
		"/etc/os-release": "NAME=Debian\nHOME_URL=https://u:***@www.debian.org/\n",
	} {
		if got[p] != want {
			t.Errorf("%s: %q, want %q", p, got[p], want)
		}
	}
	var redacted []string
	for _, r := range m.Redacted {
		var lines []string
		for _, l := range r.Lines {
			lines = append(lines, strconv.Itoa(l))
		}
		redacted = append(redacted, r.Path+" "+strings.Join(lines, ","))
	}
	if want := "/etc/modprobe.d/vfio.conf 1,3|/etc/nova/nova.conf 2,3,4,6,7|/etc/os-release 2|/proc/cmdline 1"; strings.Join(redacted, "|") != want {
		t.Errorf("manifest redacted %q, want %q", strings.Join(redacted, "|"), want)
	}
}
