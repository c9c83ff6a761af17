package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"
)

// The build's version, set by hack/build.sh with -ldflags "-X ...":
//
//   - version: the release tag the commit carries (v1.2.3), when it has one;
//   - vcsRevision, vcsTime, vcsModified: the commit, its time and whether the
//     tree had changes, given by the build script only when the go command
//     cannot embed them itself (a git worktree, whose .git is a file, or
//     -buildvcs=false).
//
// A plain `go build` in a clone needs none of them: the go command embeds the
// commit (vcs.revision, vcs.time, vcs.modified) and a pseudo-version made of
// them, which debug.ReadBuildInfo returns.
var (
	version     = ""
	vcsRevision = ""
	vcsTime     = ""
	vcsModified = ""
)

// buildVersion is what `gpupass version --format json` prints. Version is
// the one reports and gpupass_build_info carry.
type buildVersion struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified *bool  `json:"modified,omitempty"`
	Go       string `json:"go,omitempty"`
}

// ldflagsVersion are the values the build script set.
type ldflagsVersion struct {
	version, revision, time, modified string
}

// toolVersion is the version reports carry.
func toolVersion() string { return readVersion().Version }

func readVersion() buildVersion {
	info, _ := debug.ReadBuildInfo()
	return versionOf(info, ldflagsVersion{version, vcsRevision, vcsTime, vcsModified})
}

// versionOf works out the version from the build information and the
// linker-set values, in this order: the tag the build script set; the
// module version the go command stamped (a tag, or a pseudo-version made
// of the commit's time and revision, +dirty for a modified tree); a
// pseudo-version made the same way from the commit the build script set;
// else "devel" (go run, go test, or a build from a tree without git).
func versionOf(info *debug.BuildInfo, ld ldflagsVersion) buildVersion {
	var v buildVersion
	var modified string
	if info != nil {
		v.Go = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	if v.Revision == "" && ld.revision != "" {
		v.Revision, v.Time, modified = ld.revision, ld.time, ld.modified
	}
	if modified == "true" || modified == "false" {
		m := modified == "true"
		v.Modified = &m
	}
	switch {
	case ld.version != "":
		v.Version = ld.version
	case info != nil && info.Main.Version != "" && info.Main.Version != "(devel)":
		v.Version = info.Main.Version
	case v.Revision != "":
		v.Version = pseudoVersion(v.Revision, v.Time, v.Modified != nil && *v.Modified)
	default:
		v.Version = "devel"
	}
	return v
}

// pseudoVersion is the version the go command gives a commit with no tag
// (v0.0.0-20261207034340-06d57798407e, +dirty when the tree was
// modified), so that a build says the same whether the go command or the
// build script found the commit.
func pseudoVersion(revision, commitTime string, modified bool) string {
	rev := revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	stamp := "00010101000000"
	if t, err := time.Parse(time.RFC3339, commitTime); err == nil {
		stamp = t.UTC().Format("20060102150405")
	}
	v := fmt.Sprintf("v0.0.0-%s-%s", stamp, strings.ToLower(rev))
	if modified {
		v += "+dirty"
	}
	return v
}
