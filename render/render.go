// Package render turns a report.Report into text for people, JSON for
// tools, JUnit XML for CI systems and Prometheus metrics for node_exporter.
// Renderers are pure functions of the report and their options: they never
// collect or decide anything.
package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/report"
)

// Options shape the output.
type Options struct {
	// Color adds ANSI colours; the caller decides (terminal, NO_COLOR).
	Color bool
	// FailOn is the severity that fails a check in JUnit output.
	FailOn report.Severity
	// Width is the text width to wrap at; 0 means 80.
	Width int
}

// Format is an output format name as given to --format.
type Format string

const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatJUnit Format = "junit"
	// FormatPrometheus is node_exporter's textfile collector format.
	FormatPrometheus Format = "prometheus"
)

// Formats lists the report formats, for flag help and completion.
var Formats = []Format{FormatText, FormatJSON, FormatJUnit, FormatPrometheus}

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
func Report(w io.Writer, f Format, r report.Report, opts Options) error {
	switch f {
	case FormatJSON:
		return JSON(w, r)
	case FormatJUnit:
		return JUnit(w, r, opts)
	case FormatPrometheus:
		return Prometheus(w, r)
	default:
		if r.Command == "audit" {
			return AuditText(w, r, opts)
		}
		return Text(w, r, opts)
	}
}

// JSON writes any value as indented JSON with a final newline, without
// HTML escaping (remediations hold shell commands with < and >).
//
// The output is json.Encoder's with SetIndent("", "  "), but indented as
// it is written: the encoder would hold the compact and the indented
// document in memory at once, and a report of a host with thousands of
// PCI functions runs to megabytes.
func JSON(w io.Writer, v any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(&indenter{w: bw})
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return bw.Flush()
}

// indenter indents the compact JSON written to it as json.Indent does with
// no prefix and two spaces. It is given whole values from json.Encoder,
// whose output is compact and valid, so it only tracks strings and depth.
type indenter struct {
	w          *bufio.Writer
	depth      int
	inString   bool
	escaped    bool
	needIndent bool // after { or [, unless the value is empty
}

func (in *indenter) newline() {
	in.w.WriteByte('\n')
	for range in.depth {
		in.w.WriteString("  ")
	}
}

func (in *indenter) Write(p []byte) (int, error) {
	w := in.w
	for i := 0; i < len(p); i++ {
		c := p[i]
		if in.inString {
			// Copy the rest of a string up to a quote or backslash at once.
			j := i
			for j < len(p) && p[j] != '"' && p[j] != '\\' {
				j++
			}
			if in.escaped && j > i {
				in.escaped = false
			}
			w.Write(p[i:j])
			if j == len(p) {
				break
			}
			i, c = j, p[j]
			w.WriteByte(c)
			switch {
			case in.escaped:
				in.escaped = false
			case c == '\\':
				in.escaped = true
			default:
				in.inString = false
			}
			continue
		}
		if in.needIndent && c != '}' && c != ']' {
			in.needIndent = false
			in.depth++
			in.newline()
		}
		switch c {
		case '"':
			in.inString = true
			w.WriteByte(c)
		case '{', '[':
			in.needIndent = true // {} and [] stay on one line
			w.WriteByte(c)
		case ',':
			w.WriteByte(c)
			in.newline()
		case ':':
			w.WriteString(": ")
		case '}', ']':
			if in.needIndent {
				in.needIndent = false
			} else {
				in.depth--
				in.newline()
			}
			w.WriteByte(c)
		default:
			w.WriteByte(c)
		}
	}
	// A write error sticks in the bufio.Writer: JSON returns it from Flush.
	return len(p), nil
}
