package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gpupass/gpupass/"

// layers ranks the packages: each imports only packages of lower rank.
// A new package gets a rank here (the test fails until it has one).
var layers = map[string]int{
	// Text utilities below every layer, importing nothing of gpupass:
	// the redaction of credentials every reader and writer applies, and
	// Python's semantics (int, json, re) as the Python that runs Nova has
	// them.
	"internal/redact": -1, "internal/regfile": -1, "internal/shellword": -1, "internal/pysem": -1,
	// JSON decoded as encoding/json does, faster (host reports, recorded clouds).
	"internal/fastjson": -1,
	// Knowledge and plain data, importing nothing of gpupass but the above.
	"pcidev": 0, "internal/prose": 0, "openstack/novaconf": 0, "openstack/novarelease": 0, "openstack/cloudmodel": 0,
	// Which real Nova releases judge gpupass (the oracles' tests use it).
	"internal/judges": 0,
	// Readers and grammars.
	"hostinfo": 1, "openstack/pcispec": 1, "openstack/mdevconf": 1, "openstack/cloud": 1,
	// The contract, and reading a node.
	"report": 2, "collect": 2, "snapshot": 2,
	// Views derived from a host.
	"hostview": 3,
	// Models that decide: the audit's fleet, drift, the plan to generate.
	"fleet": 4, "drift": 4, "generate": 4,
	// The catalog.
	"checks": 5,
	// Renderers.
	"render": 6,
	// Commands and test tooling.
	"cmd/gpupass": 7, "internal/fakehost": 7, "internal/fakehost/cmd/mkfakehost": 8, "bench/auditfleet": 8,
	"integration": 8, "integration/boot": 8, "deploy": 8, "deploy/ansible/test": 8, "internal/archtest": 8, "packaging": 8,
}

// networked may link net/http: the cloud client and what wires it in.
var networked = []string{"openstack/cloud", "cmd/gpupass", "integration", "deploy", "deploy/ansible/test"}

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func list(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json", "../../...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 15 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	return pkgs
}

func TestImportsGoDown(t *testing.T) {
	for _, p := range list(t) {
		name := strings.TrimPrefix(p.ImportPath, module)
		rank, ok := layers[name]
		if !ok {
			t.Errorf("%s has no layer: give it one in layers", name)
			continue
		}
		for _, imp := range p.Imports {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			if r, ok := layers[dep]; ok && r >= rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports go to lower layers only", name, rank, dep, r)
			}
		}
	}
}

func TestPurePackagesLinkNoHTTP(t *testing.T) {
	for _, p := range list(t) {
		name := strings.TrimPrefix(p.ImportPath, module)
		if slices.Contains(networked, name) || strings.HasPrefix(name, "internal/fakehost") || name == "internal/archtest" {
			continue
		}
		for _, dep := range p.Deps {
			if dep == "net/http" || strings.HasPrefix(dep, "github.com/gophercloud/") {
				t.Errorf("%s links %s: only %v may", name, dep, networked)
				break
			}
		}
	}
}
