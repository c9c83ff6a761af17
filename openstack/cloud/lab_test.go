package cloud

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

// TestLab runs Connect and Fetch against a real cloud named by the OS_*
// variables or OS_CLOUD of the test's environment, when GPUPASS_CLOUD_LAB=1
// (for example the lab of .ci/openstack-lab-up.sh: OS_CLIENT_CONFIG_FILE=
// /tmp/gpupass-lab/clouds.yaml OS_CLOUD=gpupass-admin). It logs the snapshot.
func TestLab(t *testing.T) {
	if os.Getenv("GPUPASS_CLOUD_LAB") != "1" {
		t.Skip("set GPUPASS_CLOUD_LAB=1 and OS_CLOUD or OS_* to run against a real cloud")
	}
	ctx := context.Background()
	client, err := Connect(ctx, Options{Debug: testWriter{t}})
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	for _, w := range client.Warnings() {
		t.Logf("warning: %s", w)
	}
	snap, err := client.Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	out, _ := json.MarshalIndent(snap, "", "  ")
	t.Logf("%s", out)
}

// testWriter sends writes to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}
