// Package render turns a checks.Report into text for people, JSON for
// tools and JUnit XML for CI systems. Renderers are pure functions of the
// report and their options: they never collect or decide anything.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/checks"
)

// Options shape the output.
type Options struct {
	// Color adds ANSI colours; the caller decides (terminal, NO_COLOR).
	Color bool
	// FailOn is the severity that fails a check in JUnit output.
	FailOn checks.Severity
	// Width is the text width to wrap at; 0 means 80.
	Width int
}

// Format is an output format name as given to --format.
type Format string

const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatJUnit Format = "junit"
)

// Formats lists the report formats, for flag help and completion.
var Formats = []Format{FormatText, FormatJSON, FormatJUnit}

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q: want one of %s", s, strings.Join(names, ", "))
}

// Report writes a report in the given format.
func Report(w io.Writer, f Format, r checks.Report, opts Options) error {
	switch f {
	case FormatJSON:
		return JSON(w, r)
	case FormatJUnit:
		return JUnit(w, r, opts)
	default:
		return Text(w, r, opts)
	}
}

// JSON writes any value as indented JSON with a final newline, without
// HTML escaping (remediations hold shell commands with < and >).
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
