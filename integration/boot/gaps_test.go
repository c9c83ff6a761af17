package boot

import (
	"path"
	"sort"
)

// knownGaps are the cases where gpupass's audit and Nova disagree today,
// each with its reason: "SUITE/HOST/FLAVOR" (path.Match patterns) to the
// reason. A gap that closes fails the test until it is removed from here.
var knownGaps = map[string]string{}

func knownGap(suite, host, flavor string) string {
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
	return ""
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
