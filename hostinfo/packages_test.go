package hostinfo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// A Debian 12 status file, abridged: stanza heads in dpkg's field order,
// versions as bookworm ships them (docs/research/vgpu-layouts.md 5.1).
// libvirt-daemon-driver-qemu was removed but its conffiles kept
// (config-files): its version is not in place and must not be taken.
const bookwormStatus = `Package: python3-nova
Status: install ok installed
Priority: optional
Section: python
Installed-Size: 26432
Maintainer: Debian OpenStack <team+openstack@tracker.debian.org>
Architecture: all
Source: nova
Version: 2:26.2.2-1~deb12u5
Description: OpenStack Compute - libraries
 OpenStack is a reliable cloud software stack. Its mission is to produce
 .
 the ubiquitous Open Source Cloud Computing platform.

Package: libvirt-daemon-driver-qemu
Status: deinstall ok config-files
Priority: optional
Section: libs
Architecture: amd64
Source: libvirt
Version: 8.0.0-1
Conffiles:
 /etc/libvirt/qemu.conf 9d2a3f0f0a1b2c3d4e5f60718293a4b5

Package: libvirt-daemon
Status: install ok installed
Priority: optional
Section: admin
Architecture: amd64
Source: libvirt
Version: 9.0.0-4+deb12u2

Package: qemu-system-x86
Status: install ok installed
Priority: optional
Section: otherosfs
Architecture: amd64
Source: qemu (1:7.2+dfsg-7+deb12u18)
Version: 1:7.2+dfsg-7+deb12u18+b3
`

func TestParseDpkgStatus(t *testing.T) {
	got, err := hostinfo.ParseDpkgStatus([]byte(bookwormStatus))
	if err != nil {
		t.Fatal(err)
	}
	want := []hostinfo.DpkgPackage{
		{Line: 1, Package: "python3-nova", Status: "install ok installed", Version: "2:26.2.2-1~deb12u5"},
		{Line: 15, Package: "libvirt-daemon-driver-qemu", Status: "deinstall ok config-files", Version: "8.0.0-1"},
		{Line: 25, Package: "libvirt-daemon", Status: "install ok installed", Version: "9.0.0-4+deb12u2"},
		{Line: 33, Package: "qemu-system-x86", Status: "install ok installed", Version: "1:7.2+dfsg-7+deb12u18+b3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("packages mismatch (-want +got):\n%s", diff)
	}
	installed := map[string]bool{}
	for _, p := range got {
		installed[p.Package] = p.Installed()
	}
	if installed["libvirt-daemon-driver-qemu"] || !installed["libvirt-daemon"] {
		t.Errorf("installed = %v: config-files counted, or installed not", installed)
	}

	bad := []struct{ name, in, want string }{
		{"no colon", "Package: a\nStatus install ok installed\n", "line 2: want \"Field: value\""},
		{"continuation first", " leading space\nPackage: a\n", "line 1: a continuation line outside a field"},
		{"field twice", "Package: a\nVersion: 1\nversion: 2\n", "line 3: field version given twice"},
		{"space in a field name", "Package: a\nInstalled Size: 1\n", "line 2:"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseDpkgStatus([]byte(tt.in))
			var de *hostinfo.DpkgError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tt.want) || got != nil {
				t.Errorf("= %v, %v; want no packages and an error with %q", got, err, tt.want)
			}
		})
	}
}

func TestPackageInstalled(t *testing.T) {
	for status, want := range map[string]bool{
		"install ok installed":             true,
		"hold ok installed":                true,
		"deinstall ok config-files":        false,
		"install ok unpacked":              false,
		"install reinstreq half-installed": false,
		"install ok triggers-pending":      false,
		"installed":                        false,
		"":                                 false,
	} {
		if got := (hostinfo.DpkgPackage{Status: status}).Installed(); got != want {
			t.Errorf("%q: Installed() = %v, want %v", status, got, want)
		}
	}
}

func TestDebianUpstreamVersion(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		// The archives' own (research 5.1).
		{in: "9.0.0-4+deb12u2", want: "9.0.0"},
		{in: "11.3.0-3+deb13u3", want: "11.3.0"},
		{in: "1:7.2+dfsg-7+deb12u18+b3", want: "7.2"},
		{in: "1:10.0.13+ds-0+deb13u1", want: "10.0.13"},
		{in: "1:11.1.3+ds-1", want: "11.1.3"},
		// Ubuntu 24.04 and its Cloud Archive.
		{in: "1:8.2.2+ds-0ubuntu1", want: "8.2.2"},
		{in: "10.0.0-2ubuntu8", want: "10.0.0"},
		{in: "1:8.2.2+ds-0ubuntu1~cloud0", want: "8.2.2"},
		{in: "10.0.0-2ubuntu1~bpo12+1", want: "10.0.0"},
		// Going back to an older upstream.
		{in: "1:9.0+really8.2.2-1", want: "8.2.2"},
		{in: "9.0.0", want: "9.0.0"},
		{in: "9.0.0~rc2-1", wantErr: "a pre-release (9.0.0~rc2) of upstream 9.0.0"},
		{in: "x:9.0.0-1", wantErr: "epoch"},
		{in: "9.0.0a-1", wantErr: "not numbers separated by dots"},
		{in: "9..0-1", wantErr: "not numbers separated by dots"},
		{in: "", wantErr: "empty"},
	}
	for _, tt := range tests {
		got, err := hostinfo.DebianUpstreamVersion(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != "" {
				t.Errorf("%q: %q, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCollectVirtFromDpkg(t *testing.T) {
	const from = "dpkg status /var/lib/dpkg/status"
	t.Run("bookworm", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.file("/var/lib/dpkg/status", bookwormStatus)
		host := h.collect(hostinfo.Options{})
		want := hostinfo.Virt{
			Libvirt: hostinfo.Component{Package: "libvirt-daemon", PackageVersion: "9.0.0-4+deb12u2", Version: "9.0.0", From: from},
			QEMU:    hostinfo.Component{Package: "qemu-system-x86", PackageVersion: "1:7.2+dfsg-7+deb12u18+b3", Version: "7.2", From: from},
		}
		if diff := cmp.Diff(want, host.Virt); diff != "" {
			t.Errorf("Virt mismatch (-want +got):\n%s", diff)
		}
		if notes := notesFor(host, "/var/lib/dpkg/status"); len(notes) > 0 {
			t.Errorf("unexpected notes %v", notes)
		}
	})
	t.Run("aarch64 prefers qemu-system-arm; a pre-release is noted", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", graceCPUInfo)
		h.file("/var/lib/dpkg/status", "Package: qemu-system-x86\nStatus: install ok installed\nVersion: 1:10.0.13+ds-0+deb13u1\n\n"+
			"Package: qemu-system-arm\nStatus: install ok installed\nVersion: 1:10.0.13+ds-0+deb13u1\n\n"+
			"Package: libvirt-daemon-driver-qemu\nStatus: install ok installed\nVersion: 12.0.0~rc1-1\n")
		host := h.collect(hostinfo.Options{})
		want := hostinfo.Virt{
			Libvirt: hostinfo.Component{Package: "libvirt-daemon-driver-qemu", PackageVersion: "12.0.0~rc1-1", From: from},
			QEMU:    hostinfo.Component{Package: "qemu-system-arm", PackageVersion: "1:10.0.13+ds-0+deb13u1", Version: "10.0.13", From: from},
		}
		if diff := cmp.Diff(want, host.Virt); diff != "" {
			t.Errorf("Virt mismatch (-want +got):\n%s", diff)
		}
		notes := notesFor(host, "/var/lib/dpkg/status")
		if len(notes) != 1 || !strings.Contains(notes[0].Message, "line 9: package libvirt-daemon-driver-qemu:") || !strings.Contains(notes[0].Message, "pre-release") {
			t.Errorf("notes %v, want one naming line 9 and the pre-release", notes)
		}
	})
	t.Run("malformed: noted with the line, nothing taken", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		h.file("/var/lib/dpkg/status", bookwormStatus+"\nPackage: broken\nthis is not a field\n")
		host := h.collect(hostinfo.Options{})
		if host.Virt != (hostinfo.Virt{}) {
			t.Errorf("Virt = %+v from a file dpkg would refuse", host.Virt)
		}
		notes := notesFor(host, "/var/lib/dpkg/status")
		if len(notes) != 1 || !strings.Contains(notes[0].Message, "line 42: want \"Field: value\"") {
			t.Errorf("notes %v, want one naming line 42", notes)
		}
	})
	t.Run("no dpkg: silent", func(t *testing.T) {
		h := newHostTree(t)
		h.file("/proc/cpuinfo", intelCPUInfo)
		host := h.collect(hostinfo.Options{})
		if host.Virt != (hostinfo.Virt{}) || len(notesFor(host, "/var/lib/dpkg/status")) > 0 {
			t.Errorf("Virt %+v, notes %v; want nothing", host.Virt, notesFor(host, "/var/lib/dpkg/status"))
		}
	})
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add([]byte(bookwormStatus))
	f.Add([]byte("Package: a\n \nStatus: install ok installed\n\n\n# comment\nPackage: b\r\nVersion: 1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		packages, err := hostinfo.ParseDpkgStatus(data)
		if err != nil {
			var de *hostinfo.DpkgError
			if !errors.As(err, &de) || de.Line < 1 || packages != nil {
				t.Fatalf("err %v with %d packages: want a DpkgError with a line and none", err, len(packages))
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		last := 0
		for _, p := range packages {
			if p.Package == "" || p.Line <= last || p.Line > lines {
				t.Fatalf("package %+v: no name, or line out of order (after %d, of %d)", p, last, lines)
			}
			last = p.Line
			if strings.TrimSpace(p.Version) != p.Version || strings.TrimSpace(p.Status) != p.Status {
				t.Fatalf("untrimmed %+v", p)
			}
		}
	})
}

func FuzzDebianUpstreamVersion(f *testing.F) {
	for _, s := range []string{"1:7.2+dfsg-7+deb12u18+b3", "9.0.0-4+deb12u2", "1:9.0+really8.2.2-1", "9.0.0~rc2-1", "::-", "1:-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := hostinfo.DebianUpstreamVersion(v)
		if err != nil {
			if got != "" {
				t.Fatalf("%q: %q with error %v", v, got, err)
			}
			return
		}
		for _, part := range strings.Split(got, ".") {
			if part == "" || strings.Trim(part, "0123456789") != "" {
				t.Fatalf("%q: upstream %q is not dotted numbers", v, got)
			}
		}
		if !strings.Contains(v, got) {
			t.Fatalf("%q: upstream %q is not part of it", v, got)
		}
	})
}
