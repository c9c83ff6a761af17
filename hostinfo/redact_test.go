package hostinfo_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
)

// TestCollectHidesCredentials: a kernel command line and modprobe.d files
// that hold credentials are recorded without them, and what the checks
// read stays as it was.
func TestCollectHidesCredentials(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", `BOOT_IMAGE=/vmlinuz ro inst.ks=http://admin:CanaryKS@host/ks.cfg `+
		`ignition.config.url=https://u:CanaryIgn@ign/x.ign rd.iscsi.password=CanaryIscsi "inst.stage2=http://u:Canary Space@h/" `+
		`netroot=iscsi:user:CanaryNet@10.0.0.1::::iqn.2009-06.dracut:t0 intel_iommu=on iommu=pt vfio-pci.ids=10de:1e07`+"\n")
	h.file("/etc/modprobe.d/vfio.conf", "# mirror at http://admin:CanaryComment@mirror/\n"+
		"options vfio-pci ids=10de:1e07 password=CanaryOpt\n"+
		"install foo /usr/bin/curl http://u:CanaryInstall@h/x\n"+
		"http://u:CanaryNote@h unknown\n")
	host := h.collect(hostinfo.Options{})
	data, err := json.Marshal(host)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "Canary") {
		t.Errorf("a credential was recorded:\n%s", data)
	}
	c := hostinfo.ParseCmdline(host.Kernel.Cmdline)
	for key, want := range map[string]string{
		"inst.ks": "http://admin:***@host/ks.cfg", "rd.iscsi.password": "***", "inst.stage2": "http://u:***@h/",
		"netroot": "iscsi:user:***@10.0.0.1::::iqn.2009-06.dracut:t0", "intel_iommu": "on", "iommu": "pt", "vfio-pci.ids": "10de:1e07",
	} {
		if p, ok := c.Last(key); !ok || p.Value != want {
			t.Errorf("%s = %q (%v), want %q", key, p.Value, ok, want)
		}
	}
	var args []string
	for _, d := range host.Modprobe {
		args = append(args, d.Command+" "+d.Module+" "+d.Args)
	}
	if got, want := strings.Join(args, "\n"), "options vfio_pci ids=10de:1e07 password=***\ninstall foo /usr/bin/curl http://u:***@h/x"; got != want {
		t.Errorf("directives:\n%s\nwant:\n%s", got, want)
	}
}
