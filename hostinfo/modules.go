package hostinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/gpupass/gpupass/internal/redact"
	"github.com/gpupass/gpupass/pcidev"
)

// ParseProcModules returns the names of the modules in /proc/modules
// ("vfio_pci 16384 0 - Live 0x0000000000000000").
func ParseProcModules(r io.Reader) ([]string, error) {
	var names []string
	scanner := bufio.NewScanner(r)
	lineNo := 0
	for scanner.Scan() {
		lineNo++
		fields := strings.Fields(scanner.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 3 || !isModuleName(fields[0]) {
			return names, fmt.Errorf("line %d: want \"name size refcount ...\", got %q", lineNo, clip(scanner.Text()))
		}
		names = append(names, fields[0])
	}
	return names, scanner.Err()
}

// ParseModulesBuiltin returns the module names of modules.builtin
// ("kernel/drivers/vfio/vfio.ko" -> "vfio").
func ParseModulesBuiltin(r io.Reader) ([]string, error) {
	var names []string
	scanner := bufio.NewScanner(r)
	lineNo := 0
	for scanner.Scan() {
		lineNo++
		line := strings.TrimSpace(scanner.Text())
		if line == "" {
			continue
		}
		base, ok := strings.CutSuffix(path.Base(line), ".ko")
		if !ok || !isModuleName(base) {
			return names, fmt.Errorf("line %d: want a path ending in .ko, got %q", lineNo, clip(line))
		}
		names = append(names, normalizeName(base))
	}
	return names, scanner.Err()
}

func isModuleName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// modprobeCommands are the directives kmod's configuration parser knows
// (libkmod-config.c); any other first word makes it log an error and skip
// the line.
var modprobeCommands = map[string]bool{
	"alias": true, "blacklist": true, "options": true, "install": true,
	"remove": true, "softdep": true, "weakdep": true,
}

// ParseModprobeConf parses one modprobe.d file as kmod does
// (libkmod-config.c, kmod_config_parse): logical lines are read as
// freadline_wrapped reads them (see modprobeLines), a line whose first
// character is '#' is a comment (kmod has no trailing comments), words are
// separated by spaces or tabs only, and module names (and alias patterns)
// go through kmod's underscores(). Lines kmod would reject are returned as
// errors with the number of their first line, after the directives that
// parsed. Args is the text after the module name, trimmed.
func ParseModprobeConf(file string, data []byte) ([]Directive, []error) {
	var (
		directives []Directive
		errs       []error
	)
	for _, l := range modprobeLines(data) {
		line := l.text
		if line == "" || line[0] == '#' {
			continue
		}
		cmd, rest, ok := strtok(line)
		if !ok {
			continue
		}
		if !modprobeCommands[cmd] {
			errs = append(errs, fmt.Errorf("%s:%d: unknown command %q", file, l.start, clip(redact.URLs(cmd))))
			continue
		}
		name, rest, ok := strtok(rest)
		// blacklist takes a module name and ignores the rest; alias a
		// pattern and a module; the others a module and the rest of the
		// line, which kmod requires to be non-empty (strtok_r with an
		// empty delimiter set returns NULL for an empty string).
		switch cmd {
		case "blacklist":
		case "alias":
			var target string
			if target, _, ok = strtok(rest); ok {
				_, ok = kmodUnderscores(target)
			}
		default:
			ok = ok && rest != ""
		}
		module, valid := kmodUnderscores(name)
		if !ok || !valid {
			errs = append(errs, fmt.Errorf("%s:%d: %s: kmod ignores this line (missing arguments or unbalanced [ ])", file, l.start, cmd))
			continue
		}
		directives = append(directives, Directive{File: file, Line: l.start, Command: cmd, Module: module, Args: strings.TrimSpace(rest)})
	}
	return directives, errs
}

type logicalLine struct {
	text  string
	start int // number of its first physical line
}

// modprobeLines splits a file into logical lines as kmod's
// freadline_wrapped does: a backslash before a newline joins the next line
// with nothing in between; a backslash before any other character is
// dropped and the character kept, so with DOS line endings a backslash
// before "\r\n" does not continue the line and the '\r' stays in it (as it
// stays at the end of every line); a line ends at a NUL byte, as a C
// string does.
func modprobeLines(data []byte) []logicalLine {
	var (
		lines []logicalLine
		buf   []byte
		start = 1
		phys  = 1
	)
	emit := func() {
		if i := bytes.IndexByte(buf, 0); i >= 0 {
			buf = buf[:i]
		}
		lines = append(lines, logicalLine{text: string(buf), start: start})
		buf = buf[:0]
	}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			emit()
			phys++
			start = phys
		case '\\':
			if i+1 == len(data) {
				continue
			}
			i++
			if data[i] == '\n' {
				phys++
				continue
			}
			buf = append(buf, data[i])
		default:
			buf = append(buf, c)
		}
	}
	if len(buf) > 0 {
		emit()
	}
	return lines
}

// strtok splits off the first word as strtok_r(s, "\t ") does: leading
// blanks are skipped and the rest starts after the one blank that ended
// the word.
func strtok(s string) (word, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return "", "", false
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", true
}

// kmodUnderscores is kmod's underscores(): '-' becomes '_' except inside
// a [...] character class; a ']' outside one, or a '[' never closed, makes
// kmod reject the line.
func kmodUnderscores(s string) (string, bool) {
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '-':
			b[i] = '_'
		case ']':
			return "", false
		case '[':
			j := bytes.IndexByte(b[i:], ']')
			if j < 0 {
				return "", false
			}
			i += j
		}
	}
	return string(b), true
}

// ModprobeDirs are the directories kmod reads, highest priority first: a
// file in an earlier directory hides a file of the same name in a later one.
var ModprobeDirs = []string{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d"}

// ParseDriverctl parses a driverctl override file (/etc/driverctl.d/pci-ADDR,
// holding the driver name).
func ParseDriverctl(name string, data []byte) (DriverOverride, error) {
	bus, address, ok := strings.Cut(name, "-")
	if !ok || bus != "pci" {
		return DriverOverride{}, fmt.Errorf("%s: not a PCI override (want pci-<address>)", name)
	}
	if _, err := pcidev.ParseAddress(address); err != nil {
		return DriverOverride{}, fmt.Errorf("%s: %w", name, err)
	}
	driver := strings.TrimSpace(string(data))
	if driver == "" || !isModuleName(driver) {
		return DriverOverride{}, fmt.Errorf("%s: want a driver name, got %q", name, clip(driver))
	}
	return DriverOverride{Address: address, Driver: driver}, nil
}
