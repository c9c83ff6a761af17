package novaconf

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// gopkg.in/ini.v1 is not the parser (see the package documentation), but
// it is the library one would reach for; this test reads the corpus with it,
// configured as closely to oslo.config as its LoadOptions allow, and pins
// down every case where it disagrees with oslo.config, and why. A case
// that starts or stops disagreeing (a new ini.v1, a new case) fails the test
// until this table is updated.
var iniDivergences = map[string]string{
	// oslo.config rejects these files (nova does not start); ini.v1 reads them.
	"bom":                             "ini.v1 strips a UTF-8 BOM; oslo.config reads it as text and rejects line 1",
	"bom-blank":                       "ini.v1 strips a UTF-8 BOM; oslo.config reads it as text and rejects line 1",
	"bom-comment":                     "ini.v1 strips a UTF-8 BOM; oslo.config reads it as text and rejects line 1",
	"indented-comment-first":          "ini.v1 left-trims a line that continues nothing, so an indented # is a comment; oslo.config: unexpected continuation",
	"indented-first-line":             "ini.v1 left-trims a line that continues nothing, so an indented header is a header; oslo.config: unexpected continuation",
	"indented-after-section":          "ini.v1 left-trims a line that continues nothing, so an indented key is a key; oslo.config: unexpected continuation",
	"blank-line-then-indented":        "ini.v1 reads the indented line after a blank one as a key of its own (split at its colon); oslo.config: unexpected continuation",
	"comment-inside-continuation":     "ini.v1 reads the indented line after a comment as a key of its own; oslo.config: unexpected continuation",
	"whitespace-only-line-ends-value": "ini.v1 continues a value past a line of only spaces; oslo.config ends the value there and rejects the next indented line",
	"no-section":                      "ini.v1 puts keys before any section into DEFAULT; oslo.config: section must be started before assignment",
	"no-section-eof":                  "ini.v1 puts keys before any section into DEFAULT; oslo.config: section must be started before assignment",
	"no-section-then-section":         "ini.v1 puts keys before any section into DEFAULT; oslo.config: section must be started before assignment",
	"section-trailing-comment":        "ini.v1 allows a comment after a section header; oslo.config requires the line to end with ]",
	"cr-inside-value":                 "ini.v1 splits lines at \\n only, so a lone \\r stays in the value; Python's universal newlines start a new line there, which oslo.config rejects",
	"invalid-utf8":                    "ini.v1 does not decode the bytes; Python's UTF-8 decoding fails before oslo.config parses a line",
	"invalid-utf8-after-cr":           "ini.v1 does not decode the bytes; Python's UTF-8 decoding fails before oslo.config parses a line",
	"latin1-comment":                  "ini.v1 does not decode the bytes; Python's UTF-8 decoding fails before oslo.config parses a line",
	// Both read these files; the values differ.
	"continuation":                  "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"continuation-tabs":             "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"continuation-empty-first-line": "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"blank-line-ends-value":         "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"indented-hash-is-value":        "ini.v1 keeps continuation lines' indentation; oslo.config strips it (both keep the # line in the value)",
	"long-continuation":             "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"backslash-end":                 "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"unterminated-json":             "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"quote-across-continuation":     "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"list-values":                   "ini.v1 keeps continuation lines' indentation; oslo.config strips it",
	"crlf":                          "ini.v1 keeps the \\r of a CRLF continuation line (and its indentation); Python translates CRLF to \\n",
	"cr-only":                       "ini.v1 splits lines at \\n only: a file with CR line ends is one line, a section header, to it",
	"quotes-two-strings":            "ini.v1 strips quotes only when no other quote of the kind is inside; oslo.config strips the first and last character anyway",
	"quote-single-char":             "ini.v1 keeps a lone quote; oslo.config strips it (value[1:-1]) to an empty value",
	"quoted-first-line-continued":   "ini.v1 strips the first line's quotes and then reads the continuation line as a key of its own; oslo.config joins it to the value",
	"key-quoted":                    "ini.v1 strips quotes around a key; oslo.config keeps them in the name",
	"nbsp-indent":                   "ini.v1 strips the quotes of the \"product_id\" key that the non-breaking-space line becomes; oslo.config keeps them",
	"unicode-whitespace":            "ini.v1 trims with Go's unicode.IsSpace, which lacks U+001C..U+001F, and continues a value over a line holding only a form feed; Python strips both",
	"empty-value":                   "ini.v1's ValueWithShadows returns no value for \"key =\"; oslo.config reads an empty string ([\"\"] for a MultiStrOpt)",
	"quote-empty":                   "ini.v1's ValueWithShadows returns no value for an empty value; oslo.config reads an empty string",
	"quoted-continuation-only":      "ini.v1 keeps continuation lines' indentation; oslo.config strips it (both keep the quotes)",
	"backticks-triple-quotes":       "ini.v1 strips `backtick` and \"\"\"triple\"\"\" quotes; oslo.config knows neither, and strips one \" from each end of a triple-quoted value",
	"key-dash":                      "ini.v1 turns a key \"-\" into auto-numbered keys #1, #2; oslo.config reads a key \"-\"",
}

// iniOptions are the LoadOptions closest to oslo.config (the project brief's
// list): repeated keys kept, indented continuation lines, no inline
// comments, no backslash continuation, a buffer larger than any file.
func iniOptions(size int) ini.LoadOptions {
	return ini.LoadOptions{
		AllowShadows:               true,
		AllowPythonMultilineValues: true,
		IgnoreInlineComment:        true,
		IgnoreContinuation:         true,
		ReaderBufferSize:           size + 4096,
		KeyValueDelimiters:         "=:",
	}
}

// iniValues reads data with ini.v1 into group -> key -> values, groups
// normalised as oslo.config does, empty sections left out.
func iniValues(data []byte) (map[string]map[string][]string, error) {
	f, err := ini.LoadSources(iniOptions(len(data)), data)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string][]string{}
	for _, s := range f.Sections() {
		for _, k := range s.Keys() {
			g := normalizeGroup(s.Name())
			if out[g] == nil {
				out[g] = map[string][]string{}
			}
			out[g][k.Name()] = append(out[g][k.Name()], k.ValueWithShadows()...)
		}
	}
	return out, nil
}

func ourValues(f *File) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, v := range f.Values {
		if out[v.Group] == nil {
			out[v.Group] = map[string][]string{}
		}
		out[v.Group][v.Name] = append(out[v.Group][v.Name], v.Text)
	}
	return out
}

func TestIniV1CrossCheck(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(oracleDir, "*.conf"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	agree := 0
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".conf")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := Parse(name, data)
		iv, ierr := iniValues(data)
		var diff string
		switch {
		case f.Err != nil && ierr != nil:
			// Both reject the file (not always for the same reason).
		case f.Err != nil:
			diff = "oslo.config rejects (" + f.Err.Code + "), ini.v1 accepts"
		case ierr != nil:
			diff = "oslo.config accepts, ini.v1 fails: " + ierr.Error()
		case !reflect.DeepEqual(ourValues(f), iv):
			diff = "values differ"
		}
		reason, listed := iniDivergences[name]
		switch {
		case diff == "" && listed && reason != "":
			t.Errorf("%s: ini.v1 now agrees with oslo.config; drop it from iniDivergences (%s)", name, reason)
		case diff != "" && (!listed || reason == ""):
			t.Errorf("%s: %s, and iniDivergences does not say why\n oslo.config: %q\n ini.v1:      %q", name, diff, ourValues(f), iv)
		case diff == "":
			agree++
		default:
			t.Logf("%s: %s: %s\n oslo.config: %q\n ini.v1:      %q %v", name, diff, reason, ourValues(f), iv, ierr)
		}
	}
	t.Logf("ini.v1 agrees with oslo.config on %d of %d corpus files", agree, len(files))
}
