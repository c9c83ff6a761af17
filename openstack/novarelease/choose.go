package novarelease

import (
	"fmt"
	"strings"
)

// A Detector looks for the release in one source of evidence: the Nova
// installed on a node, the compute API, a report. ok is false when its
// source names none; from says how the release was found.
type Detector func() (r Release, from string, ok bool)

// Choose is how every command picks the release whose rules apply: the one
// given with --nova-release (flag), else the first detector's, else the
// newest known release with fallback as the reason. It fails only on a
// flag that names no release gpupass knows. Choose is the one place this
// decision is made: preflight and generate detect the installed Nova
// (Installed), audit the compute API's microversion and the host reports
// (Compute), generate --from-report the report's release (Recorded); lint
// has nothing to detect.
func Choose(flag, fallback string, detectors ...Detector) (Release, string, error) {
	if flag != "" {
		r, err := Parse(flag)
		if err != nil {
			return Release{}, "", fmt.Errorf("--nova-release: %w", err)
		}
		return r, "given with --nova-release", nil
	}
	for _, d := range detectors {
		if r, from, ok := d(); ok {
			return r, from, nil
		}
	}
	return Newest(), fallback, nil
}

// Installed detects the release from the version of the Nova installed on
// a node (its Python package metadata at path). A version older than the
// oldest release gpupass knows gets the oldest's rules, a newer one the
// newest's, each saying so; "" is none found.
func Installed(version, path string) Detector {
	return func() (Release, string, bool) {
		if version == "" {
			return Release{}, "", false
		}
		r, err := Parse(version)
		if err == nil {
			return r, fmt.Sprintf("detected from Nova %s installed at %s", version, path), true
		}
		var major int
		fmt.Sscanf(version, "%d", &major)
		if major > 0 && major < All[0].Major {
			oldest := All[0]
			return oldest, fmt.Sprintf("Nova %s (at %s) is older than %s, the oldest release gpupass knows, whose rules apply", version, path, oldest.Name), true
		}
		return Newest(), fmt.Sprintf("Nova %s (at %s) is newer than the releases gpupass knows: the newest known one's rules apply", version, path), true
	}
}

// Compute detects the release of a cloud: the release the compute API's
// maximum microversion names (nova-api is the node that validates flavors
// and translates aliases), narrowed by the host reports when they agree
// on one of the releases that share that microversion; else the release
// the host reports (reports: each one's nova_release) agree on.
func Compute(maxMicroversion string, reports []string) Detector {
	return func() (Release, string, bool) {
		var agreed *Release
		seen := map[string]bool{}
		for _, name := range reports {
			if name != "" {
				seen[name] = true
			}
		}
		if len(seen) == 1 {
			for name := range seen {
				if r, err := Parse(name); err == nil {
					agreed = &r
				}
			}
		}
		api := FromMicroversion(maxMicroversion)
		for _, r := range api {
			if agreed != nil && *agreed == r {
				return r, fmt.Sprintf("the compute API's maximum microversion %s and the host reports", maxMicroversion), true
			}
		}
		switch {
		case len(api) == 1:
			return api[0], fmt.Sprintf("the compute API's maximum microversion %s", maxMicroversion), true
		case len(api) > 1:
			return api[0], fmt.Sprintf("the compute API's maximum microversion %s, which %s and %s share (the older's rules; use --nova-release to choose)",
				maxMicroversion, api[0].Name, api[len(api)-1].Name), true
		case agreed != nil:
			return *agreed, "the release every host report applied", true
		}
		return Release{}, "", false
	}
}

// Recorded detects the release a report applied (its nova_release).
func Recorded(name string) Detector {
	return func() (Release, string, bool) {
		r, err := Parse(name)
		if err != nil || name == "" {
			return Release{}, "", false
		}
		return r, "the release the report applied", true
	}
}

// preZed are the releases before Zed, the oldest whose rules gpupass
// knows: they read [pci]passthrough_whitelist, not device_spec.
var preZed = []string{"yoga", "xena", "wallaby", "victoria", "ussuri"}

// IsPreZed reports a release name before Zed (yoga, xena, wallaby,
// victoria, ussuri): generate writes passthrough_whitelist for it, and
// checks it with Zed's rules.
func IsPreZed(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, n := range preZed {
		if n == name {
			return true
		}
	}
	return false
}
