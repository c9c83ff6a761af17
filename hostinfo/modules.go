package hostinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
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

// ParseModprobeConf parses one modprobe.d file as kmod does: a line ending
// in a backslash continues on the next, a line whose first character is '#'
// is a comment (kmod has no trailing comments), words are separated by
// spaces or tabs and module names are normalised to underscores. Lines kmod
// would reject are returned as errors with their line number, after the
// directives that parsed.
func ParseModprobeConf(file string, data []byte) ([]Directive, []error) {
	var (
		directives []Directive
		errs       []error
	)
	lines := bytes.Split(data, []byte("\n"))
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimSuffix(string(lines[i]), "\r")
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + strings.TrimSuffix(string(lines[i]), "\r")
		}
		line = strings.TrimSuffix(line, `\`)
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
		if len(fields) == 0 {
			continue
		}
		cmd := fields[0]
		if !modprobeCommands[cmd] {
			errs = append(errs, fmt.Errorf("%s:%d: unknown command %q", file, start, clip(cmd)))
			continue
		}
		// blacklist takes a module name; alias a pattern and a module;
		// options, install, remove and softdep a module and the rest of
		// the line, which kmod requires to be non-empty.
		wantArgs := cmd != "blacklist"
		if len(fields) < 2 || wantArgs && len(fields) < 3 {
			errs = append(errs, fmt.Errorf("%s:%d: %s: kmod ignores this line (missing arguments)", file, start, cmd))
			continue
		}
		module := fields[1]
		if cmd != "alias" {
			module = normalizeName(module)
		}
		args := ""
		if len(fields) > 2 {
			// Keep the argument text as written after the module name.
			rest := line[strings.Index(line, cmd)+len(cmd):]
			rest = strings.TrimLeft(rest, " \t")
			rest = rest[len(fields[1]):]
			args = strings.TrimSpace(rest)
		}
		directives = append(directives, Directive{File: file, Line: start, Command: cmd, Module: module, Args: args})
	}
	return directives, errs
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
	if _, err := ParseAddress(address); err != nil {
		return DriverOverride{}, fmt.Errorf("%s: %w", name, err)
	}
	driver := strings.TrimSpace(string(data))
	if driver == "" || !isModuleName(driver) {
		return DriverOverride{}, fmt.Errorf("%s: want a driver name, got %q", name, clip(driver))
	}
	return DriverOverride{Address: address, Driver: driver}, nil
}
