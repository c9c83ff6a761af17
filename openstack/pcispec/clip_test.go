package pcispec

import (
	"strings"
	"testing"

	"github.com/gpupass/gpupass/openstack/novarelease"
)

// TestMessagesAreBounded: a value of 256 KiB is quoted by its first
// maxQuoted bytes in every message: a regex too complex to evaluate, Nova's "Invalid entry",
// an alias that is not an object, a tag, a hex ID.
func TestMessagesAreBounded(t *testing.T) {
	big := strings.Repeat("a", 256<<10)
	rel := novarelease.Newest()
	specs := map[string]string{
		"regex too complex":    `{"address": {"domain": ".*", "bus": "` + big + `|(?:(?:0?){1000}){1000}x", "slot": ".*", "function": ".*"}}`,
		"regex Python rejects": `{"address": {"domain": ".*", "bus": "(` + big + `", "slot": ".*", "function": ".*"}}`,
		"invalid entry":        `{"vendor_id": "10de"` + big,
		"hex ID":               `{"vendor_id": "` + strings.Repeat("f", 256<<10) + `"}`,
		"tag":                  `{"vendor_id": "10de", "physical_network": ` + strings.Repeat("[", 1<<10) + strings.Repeat("]", 1<<10) + `, "x": "` + big + `"}`,
	}
	for name, spec := range specs {
		_, diags, err := ParseDeviceSpec(spec, rel)
		var msgs []string
		if err != nil {
			msgs = append(msgs, Message(err))
		}
		for _, d := range diags {
			msgs = append(msgs, d.Message)
		}
		if len(msgs) == 0 {
			t.Errorf("%s: no message, the test proves nothing", name)
		}
		for _, m := range msgs {
			if len(m) > 2000 {
				t.Errorf("%s: a message of %d bytes: %.300s", name, len(m), m)
			}
		}
	}
	_, _, err := ParseAliases([]string{`["` + big + `"]`}, rel)
	if err == nil || len(Message(err)) > 2000 {
		t.Errorf("alias: %d bytes (%v)", len(Message(err)), err != nil)
	}
}
