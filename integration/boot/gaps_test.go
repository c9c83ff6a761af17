package boot

import (
	"path"
	"sort"
)

// gap is a case where gpupass's audit and Nova disagree, with its reason,
// and, where gpupass reports the cause on the host, the finding: its check
// ID and words of its message the host's preflight report must hold
// (checked on every row the gap matches, so the explanation cannot rot).
type gap struct {
	Reason  string
	Finding string // check ID, or ""
	Says    string // in the finding's message
}

// knownGaps are the cases where gpupass's audit and Nova disagree today:
// "SUITE/HOST/FLAVOR" (path.Match patterns) to the gap. A gap that closes
// fails the test until it is removed from here.
var knownGaps = map[string]gap{
	// Nova 31.0.0 (trixie) has bug 2098496, fixed in 31.1.0: the first
	// server the matrix deletes frees a VF into a second pool of the PF's
	// provider, and each later server is given one VF from every pool (the
	// compute's log: "Placement PCI view needs allocation healing"). So
	// the fill boots 3 servers of one VF each, not 4, and a flavor asking
	// for all 4 finds no valid host. Zed (no pools per provider) and
	// 2026.2 (fixed) agree with the audit. The audit counts what a
	// nova-compute without the bug, or just restarted, gives; preflight
	// warns of the bug on the host (GP610).
	"trixie/l40s-vendor-vfio/l40s-2q.1":   {Reason: "Nova 31.0.0's bug 2098496 (fixed in 31.1.0): after a delete it gives a server one VF from each of the PF's split pools, so 3 servers of one VF use the 4; preflight warns (GP610)", Finding: "GP610", Says: "has bug 2098496, fixed in 31.1.0"},
	"trixie/l40s-vendor-vfio/l40s-2q.all": {Reason: "Nova 31.0.0's bug 2098496 (fixed in 31.1.0): after a delete the PF's VFs sit in split pools, and no pool holds the 4 the flavor asks for; preflight warns (GP610)", Finding: "GP610", Says: "has bug 2098496, fixed in 31.1.0"},
}

func knownGap(suite, host, flavor string) gap {
	keys := make([]string, 0, len(knownGaps))
	for k := range knownGaps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ok, _ := path.Match(k, suite+"/"+host+"/"+flavor); ok {
			return knownGaps[k]
		}
	}
	return gap{}
}

// unusedGaps are the known gaps that match no case of the rows.
func unusedGaps(rows []row) []string {
	var out []string
	for k := range knownGaps {
		used := false
		for _, r := range rows {
			if ok, _ := path.Match(k, r.Suite+"/"+r.Host+"/"+r.Flavor); ok {
				used = true
				break
			}
		}
		if !used {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
