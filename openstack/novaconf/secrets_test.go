package novaconf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestOptionRegistry: options_zed.json is Zed's, loads, and agrees with
// the option table's Secret flags (which the oslo oracle checks against
// nova's own declarations).
func TestOptionRegistry(t *testing.T) {
	r, err := loadRegistry(optionsZed)
	if err != nil {
		t.Fatal(err)
	}
	if r.nova != "26.2.2" {
		t.Errorf("options_zed.json is from nova %q, want Zed's 26.2.2", r.nova)
	}
	if len(r.secret) < 20 || len(r.plain) < 1000 {
		t.Errorf("options_zed.json has %d secret and %d other options: too few for nova", len(r.secret), len(r.plain))
	}
	for _, o := range Options {
		for _, n := range append([]Name{o.Key()}, o.Deprecated...) {
			if got := IsSecret(n.Group, n.Name); got != o.Secret {
				t.Errorf("IsSecret(%s) = %v; the option table says secret=%v", n, got, o.Secret)
			}
		}
	}
	for _, bad := range []string{`{`, `{"groups": {}}`,
		`{"groups": {"a": {"plain": ["b"]}}, "auth_groups": ["x"], "auth_plugins": {"secret": ["password"]}, "unflagged": [{"group": "a", "name": "c"}]}`} {
		if _, err := loadRegistry([]byte(bad)); err == nil {
			t.Errorf("loadRegistry(%s) accepted it", bad)
		}
	}
}

// TestOptionRegistryUpToDate re-derives options_zed.json from Nova's code
// (Debian's python3-nova, Zed) and fails if it drifted.
func TestOptionRegistryUpToDate(t *testing.T) {
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("re-deriving the secret options needs python3 with python3-nova (apt install python3-nova): " +
			"GPUPASS_ORACLE=1 go test ./openstack/novaconf -run TestOptionRegistryUpToDate; " +
			"to refresh: /usr/bin/python3 hack/nova-options.py > openstack/novaconf/options_zed.json")
	}
	cmd := exec.Command(oraclePython(), filepath.Join("..", "..", "hack", "nova-options.py"))
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hack/nova-options.py: %v\n%s", err, stderr.String())
	}
	if !bytes.Equal(out, optionsZed) {
		t.Errorf("options_zed.json is not hack/nova-options.py's output: refresh it " +
			"(/usr/bin/python3 hack/nova-options.py > openstack/novaconf/options_zed.json) and review the diff")
	}
}
