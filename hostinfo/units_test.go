package hostinfo_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// novaSRIOVTemplate is the template unit of Nova's virtual-gpu.rst (Nova
// 2025.1 and 2026.2, docs/research/vgpu-layouts.md section 2), verbatim.
const novaSRIOVTemplate = `[Unit]
After = nvidia-vgpu-mgr.service
After = nvidia-vgpud.service
Description = Enable Nvidia GPU virtual functions

[Service]
Type = oneshot
User = root
Group = root
ExecStart = /usr/lib/nvidia/sriov-manage -e %i
# Give a reasonable amount of time for the server to start up/shut down
TimeoutSec = 120
# This creates a specific slice which all services will operate from
#  The accounting options give us the ability to see resource usage
#  through the ` + "`systemd-cgtop`" + ` command.
Slice = system.slice
# Set Accounting
CPUAccounting = True
BlockIOAccounting = True
MemoryAccounting = True
TasksAccounting = True
RemainAfterExit = True
ExecStartPre = /usr/bin/sleep 30

[Install]
WantedBy = multi-user.target
`

func TestCollectBootUnits(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	const etc = "/etc/systemd/system/"
	h.file(etc+"nvidia-sriov-manage@.service", novaSRIOVTemplate)
	// systemctl enable nvidia-sriov-manage@0000:41:00.0.service, and one
	// more card.
	for _, addr := range []string{"0000:41:00.0", "0000:c1:00.0"} {
		h.link(etc+"multi-user.target.wants/nvidia-sriov-manage@"+addr+".service", etc+"nvidia-sriov-manage@.service")
	}
	// A drop-in ordering one instance before nova-compute.
	h.file(etc+"nvidia-sriov-manage@0000:41:00.0.service.d/order.conf", "[Unit]\nBefore=nova-compute.service\n")
	// StackHPC's per-card unit (vendor directory), with a continued line
	// and a comment inside it; and its mdev template, never enabled.
	h.file("/usr/lib/systemd/system/nvidia-sriov-0000:81:00.0.service", "[Unit]\nDescription=Enable SR-IOV\n\n[Service]\nType=oneshot\n"+
		"ExecStartPre=/bin/sleep 60\n"+
		"ExecStart=/bin/bash -c \"echo '0000:81:00.0' > /sys/bus/pci/drivers/nvidia/bind || true\"\n"+
		"ExecStart=/usr/lib/nvidia/sriov-manage \\\n# the card\n  -e 0000:81:00.0\n"+
		"[Install]\nWantedBy=multi-user.target\n")
	h.link("/etc/systemd/system/multi-user.target.requires/nvidia-sriov-0000:81:00.0.service", "/usr/lib/systemd/system/nvidia-sriov-0000:81:00.0.service")
	h.file("/usr/lib/systemd/system/nvidia-mdev@.service", "[Service]\nType=oneshot\nExecStart=/usr/sbin/mdevctl start --uuid %i\n")
	// nova-compute orders itself after one instance: systemd reads that
	// as that instance being before nova-compute.
	h.file("/usr/lib/systemd/system/nova-compute.service", "[Unit]\nAfter=network-online.target nvidia-sriov-manage@0000:c1:00.0.service\n[Service]\nExecStart=/usr/bin/nova-compute\n")
	// Not boot units: one that reads sriov_numvfs, one masked, one whose
	// ExecStart a drop-in resets.
	h.file("/usr/lib/systemd/system/show-vfs.service", "[Service]\nExecStart=/bin/cat /sys/class/net/eth0/device/sriov_numvfs\n")
	h.file("/usr/lib/systemd/system/vgpu-types.service", "[Service]\nExecStart=/bin/sh -c 'echo 1148 > /sys/bus/pci/devices/0000:41:00.4/nvidia/current_vgpu_type'\n")
	h.link(etc+"vgpu-types.service", "/dev/null")
	h.file("/usr/lib/systemd/system/old-vfs.service", "[Service]\nExecStart=/usr/lib/nvidia/sriov-manage -e ALL\n")
	h.file(etc+"old-vfs.service.d/off.conf", "[Service]\nExecStart=\nExecStart=/bin/true\n")
	// A dangling enablement link (a removed unit) says nothing.
	h.link(etc+"multi-user.target.wants/gone.service", "/usr/lib/systemd/system/gone.service")

	host := h.collect(hostinfo.Options{})
	want := []hostinfo.BootUnit{
		{Name: "nvidia-mdev@.service", File: "/usr/lib/systemd/system/nvidia-mdev@.service",
			ExecStart: []string{"/usr/sbin/mdevctl start --uuid %i"}},
		{Name: "nvidia-sriov-0000:81:00.0.service", File: "/usr/lib/systemd/system/nvidia-sriov-0000:81:00.0.service", Enabled: true,
			ExecStart: []string{"/bin/bash -c \"echo '0000:81:00.0' > /sys/bus/pci/drivers/nvidia/bind || true\"", "/usr/lib/nvidia/sriov-manage    -e 0000:81:00.0"}},
		{Name: "nvidia-sriov-manage@0000:41:00.0.service", File: etc + "nvidia-sriov-manage@.service", Enabled: true,
			WantedBy: []string{"multi-user.target"}, Before: []string{"nova-compute.service"},
			After: []string{"nvidia-vgpu-mgr.service", "nvidia-vgpud.service"}, ExecStart: []string{"/usr/lib/nvidia/sriov-manage -e 0000:41:00.0"}},
		{Name: "nvidia-sriov-manage@0000:c1:00.0.service", File: etc + "nvidia-sriov-manage@.service", Enabled: true,
			WantedBy: []string{"multi-user.target"}, Before: []string{"nova-compute.service"},
			After: []string{"nvidia-vgpu-mgr.service", "nvidia-vgpud.service"}, ExecStart: []string{"/usr/lib/nvidia/sriov-manage -e 0000:c1:00.0"}},
	}
	if diff := cmp.Diff(want, host.BootUnits); diff != "" {
		t.Errorf("BootUnits (-want +got):\n%s", diff)
	}
	for _, n := range host.Notes {
		if strings.Contains(n.Path, "systemd") {
			t.Errorf("note %+v", n)
		}
	}
}

// A credential in a boot unit's command is hidden as recorded.
func TestCollectBootUnitsHideCredentials(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	h.file("/etc/systemd/system/vfs.service", "[Service]\nExecStart=/bin/sh -c 'curl -s https://admin:s3cret@repo.example/vfs.sh | sh; /usr/lib/nvidia/sriov-manage -e ALL'\n")
	host := h.collect(hostinfo.Options{})
	if len(host.BootUnits) != 1 || len(host.BootUnits[0].ExecStart) != 1 {
		t.Fatalf("BootUnits %+v", host.BootUnits)
	}
	if cmd := host.BootUnits[0].ExecStart[0]; strings.Contains(cmd, "s3cret") || !strings.Contains(cmd, "sriov-manage -e ALL") {
		t.Errorf("ExecStart recorded as %q", cmd)
	}
}

// Without units that prepare GPUs, BootUnits stays nil (a classic host's
// report is unchanged).
func TestCollectBootUnitsNone(t *testing.T) {
	h := newHostTree(t)
	h.file("/proc/cmdline", "ro\n")
	h.file("/usr/lib/systemd/system/nova-compute.service", "[Service]\nExecStart=/usr/bin/nova-compute\n")
	if host := h.collect(hostinfo.Options{}); host.BootUnits != nil {
		t.Errorf("BootUnits = %+v", host.BootUnits)
	}
}

func TestParseUnitFile(t *testing.T) {
	in := "Before=ignored.service\n" + // outside any section
		"[Unit]\n" +
		"  ; a comment\n" +
		"After = a.service b.service\n" +
		"Description=two \\\n" +
		"# inside\n" +
		"; inside too\n" +
		"   lines\n" +
		"not an assignment\n" +
		"[Service\n" + // not a header: what follows is ignored
		"ExecStart=/bin/false\n" +
		"[Service]\r\n" +
		"ExecStart=/bin/true \\\n" +
		"\n" +
		"ExecStop=/bin/stop \\"
	want := []hostinfo.UnitAssignment{
		{Section: "Unit", Key: "After", Value: "a.service b.service", Line: 4},
		{Section: "Unit", Key: "Description", Value: "two     lines", Line: 5},
		{Section: "Service", Key: "ExecStart", Value: "/bin/true", Line: 13},
		{Section: "Service", Key: "ExecStop", Value: "/bin/stop", Line: 15},
	}
	if diff := cmp.Diff(want, hostinfo.ParseUnitFile([]byte(in))); diff != "" {
		t.Errorf("ParseUnitFile (-want +got):\n%s", diff)
	}
}

func TestExpandUnitSpecifiers(t *testing.T) {
	for _, tt := range []struct{ in, name, want string }{
		{"/usr/lib/nvidia/sriov-manage -e %i", "nvidia-sriov-manage@0000:41:00.0.service", "/usr/lib/nvidia/sriov-manage -e 0000:41:00.0"},
		{"%p %n %N %% %I %x %", "mdev@a-b\\x2dc.service", "mdev mdev@a-b\\x2dc.service mdev@a-b\\x2dc % a/b-c %x %"},
		{"no specifiers", "x.service", "no specifiers"},
	} {
		if got := hostinfo.ExpandUnitSpecifiers(tt.in, tt.name); got != tt.want {
			t.Errorf("ExpandUnitSpecifiers(%q, %q) = %q; want %q", tt.in, tt.name, got, tt.want)
		}
	}
}
