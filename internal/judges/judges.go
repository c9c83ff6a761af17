// Package judges names the real Nova releases gpupass is judged by: the
// Debian suites whose python3-nova each is, as hack/nova-chroot.sh builds
// their chroots (GPUPASS_NOVA_CHROOTS/<suite>) and hack/nova-pkgs.sh
// extracts their packages. Tests take the list from here, so that a
// release added or moved changes every oracle at once;
// testdata/novaconf/judges.json says the same for the corpus (TestJSON).
package judges

// Judge is one live release.
type Judge struct {
	Release string // gpupass's name of it (--nova-release): zed, 2025.1
	Suite   string // the Debian suite whose python3-nova it is
	Version string // the Nova version Debian ships there
	Pkg     string // its directory under hack/nova-pkgs.sh's output (n26)
}

// Live are the releases judged by their own code, oldest first.
var Live = []Judge{
	{Release: "zed", Suite: "bookworm", Version: "26.2.2", Pkg: "n26"},
	{Release: "2025.1", Suite: "trixie", Version: "31.0.0", Pkg: "n31"},
	{Release: "2026.2", Suite: "sid", Version: "34.0.0", Pkg: "n34"},
}

// Suites are the Live judges' Debian suites, in order.
func Suites() []string {
	out := make([]string, len(Live))
	for i, j := range Live {
		out[i] = j.Suite
	}
	return out
}

// ByRelease is the live judge of a release; ok is false for a recorded one.
func ByRelease(release string) (Judge, bool) {
	for _, j := range Live {
		if j.Release == release {
			return j, true
		}
	}
	return Judge{}, false
}
