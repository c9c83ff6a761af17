// Package novarelease names the Nova releases gpupass knows the rules of,
// and maps a version or name an operator gives to one of them.
package novarelease

import (
	"fmt"
	"strconv"
	"strings"
)

// Release is one Nova release.
type Release struct {
	// Name is the release as OpenStack now numbers them ("2024.1"), or the
	// code name for releases before 2023 ("zed").
	Name string
	// Codename is the series name ("caracal").
	Codename string
	// Major is Nova's major version number in that release (29 for 2024.1).
	Major int
	// MaxMicroversion is the highest compute API microversion the release
	// serves (nova/api/openstack/compute/rest_api_version_history.rst).
	MaxMicroversion string
}

func (r Release) String() string { return r.Name }

// All lists the releases oldest first. Zed is the first release gpupass
// supports: device_spec replaced passthrough_whitelist there.
var All = []Release{
	{"zed", "zed", 26, "2.93"},
	{"2023.1", "antelope", 27, "2.95"},
	{"2023.2", "bobcat", 28, "2.95"},
	{"2024.1", "caracal", 29, "2.96"},
	{"2024.2", "dalmatian", 30, "2.96"},
	{"2025.1", "epoxy", 31, "2.100"},
	{"2025.2", "flamingo", 32, "2.100"},
	{"2026.1", "gazpacho", 33, "2.103"},
	{"2026.2", "hibiscus", 34, "2.104"},
}

// Newest is the release assumed when none is given or detected.
func Newest() Release { return All[len(All)-1] }

// Parse accepts a release name (2024.1), a code name (caracal), a Nova major
// version (29) or a full Nova version (29.2.1, 29.0.0.0rc1).
func Parse(s string) (Release, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, r := range All {
		if s == r.Name || s == r.Codename {
			return r, nil
		}
	}
	major, _, _ := strings.Cut(s, ".")
	if n, err := strconv.Atoi(major); err == nil && major == strconv.Itoa(n) {
		for _, r := range All {
			if r.Major == n {
				return r, nil
			}
		}
		return Release{}, fmt.Errorf("nova version %s: gpupass knows releases %s (Nova %d to %d)", s, Names(), All[0].Major, Newest().Major)
	}
	return Release{}, fmt.Errorf("unknown Nova release %q: want one of %s, a code name, or a Nova version", s, Names())
}

// Names lists the release names, comma separated.
func Names() string {
	names := make([]string, len(All))
	for i, r := range All {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// AtLeast reports whether r is the same release as other or newer.
func (r Release) AtLeast(other Release) bool { return r.Major >= other.Major }

// FromMicroversion names the releases whose compute API serves max as its
// highest microversion, oldest first: two releases in a row often share one
// (2.95 is 2023.1 and 2023.2). A microversion newer than every known release
// maps to the newest; one that no known release has as its maximum (a
// pre-Zed cloud, or a malformed string) maps to none.
func FromMicroversion(max string) []Release {
	mv, ok := parseMicroversion(max)
	if !ok {
		return nil
	}
	var out []Release
	for _, r := range All {
		if rv, _ := parseMicroversion(r.MaxMicroversion); rv == mv {
			out = append(out, r)
		}
	}
	if newest, _ := parseMicroversion(Newest().MaxMicroversion); len(out) == 0 && mv > newest {
		out = []Release{Newest()}
	}
	return out
}

// parseMicroversion turns "2.93" into 2093 (minor versions stay below 1000).
func parseMicroversion(s string) (int, bool) {
	major, minor, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return 0, false
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma != 2 || mi < 0 || mi > 999 {
		return 0, false
	}
	return ma*1000 + mi, true
}
