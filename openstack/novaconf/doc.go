// Package novaconf reads nova.conf as oslo.config does, so that gpupass
// judges the configuration nova-compute actually runs with: which files
// are read and in which order, what each option's value is (with the
// file:line it came from), and which lines oslo.config would reject or
// silently misread.
//
// # The reference
//
// The rules are oslo.config's (9.0.0, what Debian ships with nova 26.2.2
// Zed; its parser is unchanged on oslo.config master, type hints aside),
// read from its code:
// iniparser.BaseParser.parse for the syntax, cfg.ConfigParser for sections,
// and cfg._Namespace._get_file_value with Opt._get_from_namespace for how
// files, repeated keys and deprecated names combine. In short:
//
//   - A file is decoded as UTF-8 (the locale nova's services run under) with
//     Python's universal newlines: "\n", "\r\n" and a lone "\r" all end a
//     line. Any byte that is not UTF-8, even in a comment, makes Python
//     raise before a single line is parsed.
//   - Every line is right-stripped of Python's whitespace (str.isspace, which
//     includes U+001C..U+001F and the Unicode spaces). A blank line ends a
//     multi-line value. A line starting with a space or a tab continues the
//     value of the key before it, left-stripped and joined with "\n"; with
//     no key open it is an error ("Unexpected continuation line"): after a
//     blank line, a comment or a section header, and on the first line.
//   - "[name]" starts a section: the line must end with "]" (so
//     "[pci] # comment" is an error) and the name must not be empty. Names
//     are lower-cased, except that "DEFAULT" is recognised only in capitals:
//     [Default] is a group called "default" that nova never reads. Repeated
//     sections merge.
//   - A line starting with "#" or ";" in the first column is a comment.
//     There are no inline comments: "kvm # default" is the value.
//   - Anything else is "key = value" or "key: value", split at whichever of
//     "=" and ":" comes first, both sides stripped. When the value's first
//     and last characters are the same quote (' or "), those two characters
//     are removed, and nothing else: "\"a\" \"b\"" becomes `a" "b`, a lone
//     `"` becomes "". Continuation lines are never unquoted. A line without
//     "=" or ":" is an error, as is an empty key. An assignment before any
//     section is an error, which oslo reports at the line that ends the
//     assignment.
//   - Keys are case-sensitive and kept as written.
//   - Files are read in order: the --config-files in command-line order,
//     then each --config-dir's *.conf (no hidden files) sorted by name.
//     A multi-valued option (MultiStrOpt) collects every value of every
//     file in that order; within one file, the values of the last
//     deprecated name come first and the current name's last (see
//     Config.Lookup). A single-valued option takes the last value of the
//     last file that sets it under any of its names, preferring the
//     current name within that file.
//
// Each rule has a case in testdata/oslo, and testdata/oslo/oracle.py runs
// the real oslo.config over them; expected.json is its answer, which the
// tests hold this package to.
//
// "$name" substitution is modelled in subst.go: Lookup returns the value
// oslo.config substitutes where gpupass knows it exactly, and Load reports
// an error where oslo.config cannot substitute (no such option or group:
// nova stops when it reads the option); a value substituted from what
// gpupass cannot know keeps its text, with a warning.
//
// What is not modelled: type conversion beyond ParseBool and
// ParseList, environment variables (OS_GROUP__NAME), and command-line
// options set in files (oslo.config converts those while it reads the file,
// so "debug = maybe" stops nova; see the cli-option-invalid case).
//
// # Why a scanner of its own, and not gopkg.in/ini.v1
//
// The line scanner here is a transcription of BaseParser.parse, and
// gopkg.in/ini.v1 is used only in the tests, to cross-check the values it
// reads against this package's (see ini_test.go, which lists every case
// where the two differ and why). ini.v1 cannot be the parser, even with
// AllowShadows, AllowPythonMultilineValues, IgnoreInlineComment,
// IgnoreContinuation and a large ReaderBufferSize:
//
//   - it gives no line numbers, and every value and problem here must say
//     file:line;
//   - it strips a UTF-8 BOM, where oslo.config refuses the file, and it
//     does not decode the bytes, where Python refuses a file that is not
//     UTF-8;
//   - an indented line that continues nothing (the first line, after a
//     section header, a comment or a blank line) is to ini.v1 a line of its
//     own (a comment, a section, a key), where oslo.config refuses the file;
//   - its Python-style continuation keeps each line's indentation (and the
//     "\r" of a CRLF line), and continues past a line of only spaces or a
//     form feed, where oslo.config strips the indentation and ends the value
//     at any blank line;
//   - it strips quotes only around a value with no other quote of the same
//     kind inside, does not strip a lone quote, and when it strips a first
//     line's quotes it no longer reads the continuation lines (they become
//     keys of their own); it knows """triple""" and `backtick` quoting,
//     which oslo.config does not;
//   - it accepts keys before any section (into DEFAULT), "[pci] # comment",
//     and `"quoted" = keys`, whose quotes it strips, and turns a key "-"
//     into an auto-numbered "#1";
//   - it splits lines only at "\n", where Python also splits at a lone
//     "\r", and trims with Go's unicode.IsSpace, which lacks U+001C..U+001F;
//   - its ValueWithShadows returns nothing for "key =", where oslo.config
//     reads an empty string;
//   - it cannot say which lines it would have rejected, and its errors stop
//     at the first one without a line number.
//
// Working around each of these would take a second pass over the bytes
// that is the scanner anyway.
package novaconf
