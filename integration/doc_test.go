//go:build !integration

// Package integration runs gpupass audit against a real Keystone, Nova API
// and Placement (Debian's packages on loopback, started by
// .ci/openstack-lab-up.sh), seeded through their APIs by seed.py with the
// cloud described in expectations.json. Its tests are built only with the
// integration build tag and run only with GPUPASS_LAB set to the lab's
// state directory; plain `go test ./...` compiles this file alone, whose
// test holds the suite's wiring: what it needs exists, CI runs it, and a
// lab given without the build tag is an error rather than a silent pass.
package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIntegrationSuiteIsWired(t *testing.T) {
	if lab := os.Getenv("GPUPASS_LAB"); lab != "" {
		t.Fatalf("GPUPASS_LAB=%s is set but the suite was built without the integration tag: nothing ran. %s", lab, howToRun)
	}
	for _, script := range []string{"openstack-lab-install.sh", "openstack-lab-up.sh", "openstack-lab-down.sh"} {
		p := filepath.Join("..", ".ci", script)
		if !strings.Contains(howToRun, ".ci/"+script) {
			t.Errorf("howToRun does not name .ci/%s", script)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("%s: %v (mode %v): the suite's how-to names it", p, err, fi)
		}
	}
	ci, err := os.ReadFile(filepath.Join("..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "GPUPASS_LAB=$LAB go test -tags integration") {
		t.Error(".ci/run no longer runs the integration suite with a lab")
	}
	var exp map[string]any
	data, err := os.ReadFile("expectations.json")
	if err == nil {
		err = json.Unmarshal(data, &exp)
	}
	if err != nil || len(exp) == 0 {
		t.Errorf("expectations.json: %v", err)
	}
	if _, err := os.Stat("seed.py"); err != nil {
		t.Error(err)
	}
	t.Log(howToRun)
}
