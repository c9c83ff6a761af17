package hostinfo_test

import (
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
)

// Python metadata directories are named <project>-<version>.dist-info
// (wheels, venvs) or <project>-<version>[-pyX.Y].egg-info (setuptools,
// Debian/Ubuntu packages). Only the "nova" project counts: the version
// must follow "nova-" directly and start with a digit, so other projects
// whose names start with "nova-" (a plugin such as nova-compute-foo) or
// with "nova" (novaclient) are not taken for Nova.
func TestParseNovaMetadataDir(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"nova-26.2.1.dist-info", "26.2.1"},
		{"nova-26.2.1-py3.11.egg-info", "26.2.1"},
		{"nova-26.2.1.egg-info", "26.2.1"},
		{"nova-29.0.0.0rc2.dev12.dist-info", "29.0.0.0rc2.dev12"},
		{"nova-compute-26.2.1.dist-info", ""},
		{"nova-compute-26.2.1-py3.11.egg-info", ""},
		{"novaclient-18.1.0.dist-info", ""},
		{"python_novaclient-18.1.0.dist-info", ""},
		{"nova_powervm-14.0.0.dist-info", ""},
		{"nova-26.2.1.dist-info.bak", ""},
		{"nova-26.2.1", ""},
		{"nova-.dist-info", ""},
		{"nova--py3.11.egg-info", ""},
		{"nova", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := hostinfo.ParseNovaMetadataDir(tt.name); got != tt.want {
			t.Errorf("ParseNovaMetadataDir(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
