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
}

func (r Release) String() string { return r.Name }

// All lists the releases oldest first. Zed is the first release gpupass
// supports: device_spec replaced passthrough_whitelist there.
var All = []Release{
	{"zed", "zed", 26},
	{"2023.1", "antelope", 27},
	{"2023.2", "bobcat", 28},
	{"2024.1", "caracal", 29},
	{"2024.2", "dalmatian", 30},
	{"2025.1", "epoxy", 31},
	{"2025.2", "flamingo", 32},
	{"2026.1", "gazpacho", 33},
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
