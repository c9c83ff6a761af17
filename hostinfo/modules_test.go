package hostinfo_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// The expectations follow kmod's parser (libkmod/libkmod-config.c,
// kmod_config_parse) and line reader (shared/util.c, freadline_wrapped):
// a modprobe.d line gpupass reads differently from kmod would make it
// report a vfio-pci binding or a blacklist that modprobe does not apply.
func TestParseModprobeConf(t *testing.T) {
	const file = "/etc/modprobe.d/vfio.conf"
	d := func(line int, cmd, module, args string) hostinfo.Directive {
		return hostinfo.Directive{File: file, Line: line, Command: cmd, Module: module, Args: args}
	}
	tests := []struct {
		name string
		in   string
		want []hostinfo.Directive
		// wantErrs are the "file:line" prefixes of the expected errors,
		// in order.
		wantErrs []string
	}{
		{name: "empty file", in: ""},
		{name: "blank and white-space-only lines", in: "\n   \n\t\n"},
		{
			name: "options with the module name normalised",
			in:   "options vfio-pci ids=10de:2330,10de:22e8 disable_vga=1\n",
			want: []hostinfo.Directive{d(1, "options", "vfio_pci", "ids=10de:2330,10de:22e8 disable_vga=1")},
		},
		{
			name: "last line without a newline",
			in:   "blacklist nouveau",
			want: []hostinfo.Directive{d(1, "blacklist", "nouveau", "")},
		},
		{
			name: "every command kmod knows",
			in: "alias pci:v000010DEd*sv*sd*bc03sc*i* nvidia\n" +
				"blacklist nouveau\n" +
				"options nvidia NVreg_EnableGpuFirmware=0\n" +
				"install nouveau /bin/false\n" +
				"remove nvidia /sbin/modprobe -r --ignore-remove nvidia\n" +
				"softdep nvidia pre: vfio-pci post: nvidia-uvm\n" +
				"weakdep nvidia nvidia-drm\n",
			want: []hostinfo.Directive{
				d(1, "alias", "pci:v000010DEd*sv*sd*bc03sc*i*", "nvidia"),
				d(2, "blacklist", "nouveau", ""),
				d(3, "options", "nvidia", "NVreg_EnableGpuFirmware=0"),
				d(4, "install", "nouveau", "/bin/false"),
				d(5, "remove", "nvidia", "/sbin/modprobe -r --ignore-remove nvidia"),
				// Args stay as written: softdep's own module list is
				// not normalised here.
				d(6, "softdep", "nvidia", "pre: vfio-pci post: nvidia-uvm"),
				d(7, "weakdep", "nvidia", "nvidia-drm"),
			},
		},
		{
			name: "tabs separate words and stay inside the arguments",
			in:   "options\tvfio_pci\tids=10de:2330\tdisable_vga=1\n",
			want: []hostinfo.Directive{d(1, "options", "vfio_pci", "ids=10de:2330\tdisable_vga=1")},
		},
		{
			name: "arguments keep inner spacing and quotes",
			in:   `options  snd-hda-intel   model="dell  headset" index=-2` + "  \n",
			want: []hostinfo.Directive{d(1, "options", "snd_hda_intel", `model="dell  headset" index=-2`)},
		},
		{
			name: "backslash-newline joins lines with nothing in between",
			in:   "options vfio_pci \\\nids=10de:2330\\\n,10de:22e8\nblacklist nouveau\n",
			want: []hostinfo.Directive{
				d(1, "options", "vfio_pci", "ids=10de:2330,10de:22e8"),
				d(4, "blacklist", "nouveau", ""),
			},
		},
		{
			name: "continuation inside the module name",
			in:   "blacklist nou\\\nveau\n",
			want: []hostinfo.Directive{d(1, "blacklist", "nouveau", "")},
		},
		{
			// freadline_wrapped drops a backslash that is not before a
			// newline and keeps the next character as it is.
			name: "backslash before another character is dropped",
			in:   `install foo /bin/echo a\\b \$HOME` + "\n",
			want: []hostinfo.Directive{d(1, "install", "foo", `/bin/echo a\b $HOME`)},
		},
		{
			// The first backslash escapes the second, so the newline
			// ends the line.
			name: "escaped backslash at the end does not continue",
			in:   "options foo a=1\\\\\noptions bar b=2\n",
			want: []hostinfo.Directive{d(1, "options", "foo", `a=1\`), d(2, "options", "bar", "b=2")},
		},
		{
			name: "backslash at the very end of the file is dropped",
			in:   "options foo a=1\\",
			want: []hostinfo.Directive{d(1, "options", "foo", "a=1")},
		},
		{
			name: "comment at column 0",
			in:   "# options vfio_pci ids=10de:2330\n#blacklist nouveau\n",
		},
		{
			// Continuation is resolved before the comment test, so the
			// next line belongs to the comment.
			name: "comment continued by a backslash swallows the next line",
			in:   "# vfio \\\noptions vfio_pci ids=10de:2330\nblacklist nouveau\n",
			want: []hostinfo.Directive{d(3, "blacklist", "nouveau", "")},
		},
		{
			// kmod only skips lines whose first byte is '#'; an indented
			// one is a command named "#", which it rejects with an error.
			name:     "indented hash is a bad line, not a comment",
			in:       "  # options vfio_pci ids=10de:2330\nblacklist nouveau\n",
			want:     []hostinfo.Directive{d(2, "blacklist", "nouveau", "")},
			wantErrs: []string{file + ":1:"},
		},
		{
			// kmod has no trailing comments: the text is handed to the
			// module as parameters.
			name: "hash after a command is part of the arguments",
			in:   "options vfio_pci ids=10de:2330 # A100\n",
			want: []hostinfo.Directive{d(1, "options", "vfio_pci", "ids=10de:2330 # A100")},
		},
		{
			name:     "unknown command",
			in:       "option vfio_pci ids=10de:2330\nblacklist nouveau\nfoo\n",
			want:     []hostinfo.Directive{d(2, "blacklist", "nouveau", "")},
			wantErrs: []string{file + ":1:", file + ":3:"},
		},
		{
			name:     "include and config are no longer parsed",
			in:       "include /etc/modprobe.d/other.conf\nconfig foo\n",
			wantErrs: []string{file + ":1:", file + ":2:"},
		},
		{
			name: "commands without the arguments kmod requires",
			in: "options vfio_pci\ninstall nouveau\nremove nvidia\nsoftdep nvidia\nweakdep nvidia\n" +
				"blacklist\nalias pci:v*\noptions\n",
			wantErrs: []string{
				file + ":1:", file + ":2:", file + ":3:", file + ":4:", file + ":5:",
				file + ":6:", file + ":7:", file + ":8:",
			},
		},
		{
			// strtok_r(NULL, "\0") returns the rest of the line after the
			// one blank that ended the module name: blanks are enough
			// for kmod to accept the line.
			name: "options followed by blanks only is accepted",
			in:   "options vfio_pci   \n",
			want: []hostinfo.Directive{d(1, "options", "vfio_pci", "")},
		},
		{
			name: "blacklist ignores words after the module",
			in:   "blacklist nouveau extra words\n",
			want: []hostinfo.Directive{d(1, "blacklist", "nouveau", "extra words")},
		},
		{
			// kmod's underscores() rewrites alias patterns too, except
			// inside a [...] character class.
			name: "alias pattern normalised outside brackets",
			in:   "alias symbol:nvidia-uvm nvidia-uvm\nalias pci:v*d*sv*sd*bc0[2-3]sc*i* my-drv\n",
			want: []hostinfo.Directive{
				d(1, "alias", "symbol:nvidia_uvm", "nvidia-uvm"),
				d(2, "alias", "pci:v*d*sv*sd*bc0[2-3]sc*i*", "my-drv"),
			},
		},
		{
			name:     "unbalanced brackets make kmod reject the line",
			in:       "alias foo] bar\nblacklist foo[\nalias a b]\n",
			wantErrs: []string{file + ":1:", file + ":2:", file + ":3:"},
		},
		{
			// With DOS line endings the '\r' is not a separator for
			// kmod's strtok_r("\t "): the module blacklisted is
			// "nouveau\r", so nouveau itself still loads. Option values
			// are unaffected (the kernel takes '\r' for white space).
			name: "CRLF line endings",
			in:   "blacklist nouveau\r\noptions vfio_pci ids=10de:2330\r\n",
			want: []hostinfo.Directive{
				d(1, "blacklist", "nouveau\r", ""),
				d(2, "options", "vfio_pci", "ids=10de:2330"),
			},
		},
		{
			// A backslash before "\r\n" escapes the '\r', so the line
			// does not continue and the next one stands alone.
			name: "CRLF breaks a continuation",
			in:   "options vfio_pci \\\r\nids=10de:2330\r\n",
			want: []hostinfo.Directive{d(1, "options", "vfio_pci", "")},
			wantErrs: []string{
				file + ":2:",
			},
		},
		{
			name: "line numbers count the joined lines",
			in:   "blacklist a\\\n-b\n\n# c\nblacklist c\n",
			want: []hostinfo.Directive{d(1, "blacklist", "a_b", ""), d(5, "blacklist", "c", "")},
		},
		{
			// A C string ends at the first NUL byte.
			name: "NUL ends the line",
			in:   "blacklist nou\x00veau\n",
			want: []hostinfo.Directive{d(1, "blacklist", "nou", "")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := hostinfo.ParseModprobeConf(file, []byte(tt.in))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("directives mismatch (-want +got):\n%s", diff)
			}
			var gotErrs []string
			for _, err := range errs {
				gotErrs = append(gotErrs, err.Error())
			}
			if len(gotErrs) != len(tt.wantErrs) {
				t.Fatalf("errors = %q, want %d starting with %q", gotErrs, len(tt.wantErrs), tt.wantErrs)
			}
			for i, prefix := range tt.wantErrs {
				if !strings.HasPrefix(gotErrs[i], prefix) {
					t.Errorf("error %d = %q, want it to start with %q", i, gotErrs[i], prefix)
				}
			}
		})
	}
}

func TestParseProcModules(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{name: "empty", in: ""},
		{
			name: "real lines",
			in: "vfio_pci 16384 0 - Live 0x0000000000000000\n" +
				"nvidia_uvm 1794048 0 - Live 0x0000000000000000 (POE)\n" +
				"nvidia 56823808 2 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (POE)\n" +
				"kvm_intel 487424 0 - Live 0x0000000000000000\n",
			want: []string{"vfio_pci", "nvidia_uvm", "nvidia", "kvm_intel"},
		},
		{name: "blank lines skipped", in: "\nvfio 1 0 - Live 0x0\n\n", want: []string{"vfio"}},
		{
			name:    "short line is an error after the names read",
			in:      "vfio 1 0 - Live 0x0\nvfio_pci\n",
			want:    []string{"vfio"},
			wantErr: true,
		},
		{name: "name with a slash", in: "vfio/pci 1 0 - Live 0x0\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseProcModules(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("names mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseModulesBuiltin(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{name: "empty", in: ""},
		{
			// modules.builtin names files; the kernel lists the modules
			// with underscores.
			name: "paths become module names",
			in:   "kernel/drivers/vfio/vfio.ko\n\nkernel/drivers/vfio/pci/vfio-pci-core.ko\nkernel/arch/x86/kvm/kvm.ko\n",
			want: []string{"vfio", "vfio_pci_core", "kvm"},
		},
		{name: "not a .ko path", in: "kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/vfio\n", want: []string{"vfio"}, wantErr: true},
		{name: "bare .ko", in: "kernel/.ko\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseModulesBuiltin(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("names mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDriverctl(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		data    string
		want    hostinfo.DriverOverride
		wantErr bool
	}{
		{
			// driverctl writes the driver name as the user gave it; driver
			// names keep their dashes (sysfs has drivers/vfio-pci).
			name: "vfio-pci override",
			file: "pci-0000:01:00.0", data: "vfio-pci\n",
			want: hostinfo.DriverOverride{Address: "0000:01:00.0", Driver: "vfio-pci"},
		},
		{
			name: "5-digit domain",
			file: "pci-10000:01:00.0", data: "vfio-pci",
			want: hostinfo.DriverOverride{Address: "10000:01:00.0", Driver: "vfio-pci"},
		},
		{name: "not a PCI override", file: "usb-1-1", data: "usbhid\n", wantErr: true},
		{name: "no bus prefix", file: "0000:01:00.0", data: "vfio-pci\n", wantErr: true},
		{name: "bad address", file: "pci-0000:01:00", data: "vfio-pci\n", wantErr: true},
		{name: "empty file", file: "pci-0000:01:00.0", data: "\n", wantErr: true},
		{name: "two words", file: "pci-0000:01:00.0", data: "vfio pci\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostinfo.ParseDriverctl(tt.file, []byte(tt.data))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("override mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
