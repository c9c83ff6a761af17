package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// JSON indents as it writes; its output must be byte for byte what
// json.Encoder with SetIndent("", "  ") and no HTML escaping gives.
func FuzzJSONIndent(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[],"b":{},"c":[{}]}`, `{"s":"quote \" backslash \\ and \\\" end","n":-1.5e3}`,
		`["<tag> & \u2028 \u00e9", null, true, false, 0]`, `{"nested":{"deep":[[[1,[2]]]]}}`, `"just a string"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		dec := json.NewDecoder(strings.NewReader(input))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return
		}
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return
		}
		if err := JSON(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("JSON(%q) =\n%s\nwant\n%s", input, got.String(), want.String())
		}
	})
}
