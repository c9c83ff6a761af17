package main

import (
	"encoding/json"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersionOf(t *testing.T) {
	yes, no := true, false
	stamped := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/gpupass/gpupass", Version: "v0.0.0-20261207034340-06d57798407e+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "CGO_ENABLED", Value: "0"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "06d57798407efc62951b0379967f18fe1cc3acf2"},
			{Key: "vcs.time", Value: "2026-12-07T03:43:40Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	unstamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gpupass/gpupass", Version: "(devel)"}}
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ld   ldflagsVersion
		want buildVersion
	}{
		{"a clone build: the go command's VCS stamp", stamped, ldflagsVersion{},
			buildVersion{Version: "v0.0.0-20261207034340-06d57798407e+dirty", Revision: "06d57798407efc62951b0379967f18fe1cc3acf2", Time: "2026-12-07T03:43:40Z", Modified: &yes, Go: "go1.26.8"}},
		{"a tagged build: the tag wins, the commit stays", stamped, ldflagsVersion{version: "v1.2.3"},
			buildVersion{Version: "v1.2.3", Revision: "06d57798407efc62951b0379967f18fe1cc3acf2", Time: "2026-12-07T03:43:40Z", Modified: &yes, Go: "go1.26.8"}},
		{"a worktree build: the script's commit makes the same pseudo-version", unstamped,
			ldflagsVersion{revision: "06D57798407EFC62951B0379967F18FE1CC3ACF2", time: "2026-12-07T04:43:40+01:00", modified: "false"},
			buildVersion{Version: "v0.0.0-20261207034340-06d57798407e", Revision: "06D57798407EFC62951B0379967F18FE1CC3ACF2", Time: "2026-12-07T04:43:40+01:00", Modified: &no, Go: "go1.26.8"}},
		{"the go command's stamp wins over the script's", stamped, ldflagsVersion{revision: "ffffffffffff", time: "2020-01-01T00:00:00Z", modified: "false"},
			buildVersion{Version: "v0.0.0-20261207034340-06d57798407e+dirty", Revision: "06d57798407efc62951b0379967f18fe1cc3acf2", Time: "2026-12-07T03:43:40Z", Modified: &yes, Go: "go1.26.8"}},
		{"go run: nothing known", unstamped, ldflagsVersion{}, buildVersion{Version: "devel", Go: "go1.26.8"}},
		{"no build information at all", nil, ldflagsVersion{}, buildVersion{Version: "devel"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, versionOf(tc.info, tc.ld)); diff != "" {
				t.Errorf("versionOf (-want +got):\n%s", diff)
			}
		})
	}
}

// version --format json keeps its "version" key (scripts read it with
// jq -r .version) and adds the commit's fields; the text form is one line.
func TestVersionCommand(t *testing.T) {
	code, out, errOut := gpupass(t, nil, "version", "--format", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	want := readVersion()
	if got["version"] != want.Version || got["go"] != want.Go {
		t.Errorf("version JSON %v, want version %q and go %q", got, want.Version, want.Go)
	}
	code, out, _ = gpupass(t, nil, "version")
	if code != 0 || out != "gpupass "+want.Version+"\n" {
		t.Errorf("version: exit %d, %q", code, out)
	}
}
