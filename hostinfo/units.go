package hostinfo

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gpupass/gpupass/internal/redact"
)

// UnitDirs are the directories of persistent system unit files, in
// systemd's order of precedence (systemd.unit(5), "System Unit Search
// Path"): a unit file in an earlier directory hides one of the same name
// in a later one. /run's runtime units are left out: they do not survive
// the reboot the boot units are about. /lib/systemd/system is the same
// directory as /usr/lib's on a merged /usr and is then read once.
var UnitDirs = []string{"/etc/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}

// unitScanFile bounds a unit file or drop-in: systemd's own limit on a
// line is 1 MiB; a unit file larger than that is not one gpupass reads.
const unitScanFile = 1 << 20

// The boot units are found by reading every service unit of UnitDirs with
// its drop-ins, unrecorded: only the files that make a boot unit (its unit
// file, drop-ins and enabling links) and the units ordered against one
// are recorded, so a snapshot holds those and not the host's hundreds of
// other units, and reads back to the same boot units.

// unitSource is one service unit as systemd would load it.
type unitSource struct {
	name string // foo.service, foo@.service
	file string // its unit file, "" for none
	// masked is true when the unit file that wins is a link to /dev/null
	// or empty: systemd will not start it.
	masked bool
}

// unitLink is a .wants/ or .requires/ link: target is the unit whose
// directory it is in (multi-user.target), wants true for .wants.
type unitLink struct {
	file, target string
	wants        bool
}

// unitScan is what the unit directories hold.
type unitScan struct {
	units map[string]*unitSource
	// dropins maps foo.service (or foo@.service) to its *.conf files,
	// sorted by name, an earlier directory's winning a name.
	dropins map[string][]string
	// links maps a unit name to the links that enable it.
	links map[string][]unitLink
}

func (c *collector) bootUnits() {
	s := c.scanUnitDirs()
	type candidate struct {
		unit    BootUnit
		files   []string // unit file and drop-ins
		execAll []string
	}
	var boot []candidate
	var all []candidate // every unit and instance, for the reverse ordering
	names := make([]string, 0, len(s.units))
	for n := range s.units {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		src := s.units[name]
		if src.masked {
			continue
		}
		prefix, instance, isTemplate := splitUnitName(name)
		var instances []string
		if isTemplate && instance == "" {
			for linked := range s.links {
				if p, inst, ok := splitUnitName(linked); ok && p == prefix && inst != "" && strings.HasSuffix(linked, path.Ext(name)) {
					if s.units[linked] == nil { // an instance with a file of its own is a unit of its own
						instances = append(instances, linked)
					}
				}
			}
			sort.Strings(instances)
		}
		add := func(unitName string, u unitSettings) {
			cand := candidate{unit: BootUnit{Name: unitName, File: src.file, Before: u.before, After: u.after, ExecStart: u.execStart},
				files: u.files, execAll: u.execAll}
			all = append(all, cand)
			if runsBootCommand(u.execAll) {
				boot = append(boot, cand)
			}
		}
		if len(instances) == 0 {
			// A plain unit, or a template no link instantiates: once, its
			// specifiers left as they are for a template.
			add(name, c.loadUnit(src.file, s.dropins[name]).expand(name, !isTemplate || instance != ""))
			continue
		}
		for _, inst := range instances {
			add(inst, c.loadUnit(src.file, mergeDropins(s.dropins[name], s.dropins[inst])).expand(inst, true))
		}
	}
	if len(boot) == 0 {
		return
	}
	// systemd orders both ways: A After=B is B Before=A. A unit that
	// names a boot unit in its own Before= or After= is recorded too.
	index := map[string]int{}
	for i := range boot {
		index[boot[i].unit.Name] = i
	}
	for _, other := range all {
		touched := false
		for _, after := range other.unit.After {
			if i, ok := index[after]; ok && after != other.unit.Name {
				boot[i].unit.Before = appendNew(boot[i].unit.Before, other.unit.Name)
				touched = true
			}
		}
		for _, before := range other.unit.Before {
			if i, ok := index[before]; ok && before != other.unit.Name {
				boot[i].unit.After = appendNew(boot[i].unit.After, other.unit.Name)
				touched = true
			}
		}
		if touched {
			for _, f := range other.files {
				c.fs.Record(f, AccessRead)
			}
		}
	}
	for _, b := range boot {
		for _, f := range b.files {
			c.fs.Record(f, AccessRead)
		}
		for _, l := range s.links[b.unit.Name] {
			c.fs.Record(l.file, AccessLink)
			b.unit.Enabled = true
			if l.wants {
				b.unit.WantedBy = appendNew(b.unit.WantedBy, l.target)
			}
		}
		sort.Strings(b.unit.WantedBy)
		// Commands may carry credentials (a URL's, a password=): hidden
		// as recorded, as the kernel command line's and modprobe.d's are.
		for i, cmd := range b.unit.ExecStart {
			b.unit.ExecStart[i] = redact.Args(cmd)
		}
		c.host.BootUnits = append(c.host.BootUnits, b.unit)
	}
	sort.Slice(c.host.BootUnits, func(i, j int) bool { return c.host.BootUnits[i].Name < c.host.BootUnits[j].Name })
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// mergeDropins joins a template's drop-ins and an instance's, sorted by
// file name, the template's yielding a name to the instance's.
func mergeDropins(template, instance []string) []string {
	byName := map[string]string{}
	for _, f := range template {
		byName[path.Base(f)] = f
	}
	for _, f := range instance {
		byName[path.Base(f)] = f
	}
	out := make([]string, 0, len(byName))
	for _, f := range byName {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return path.Base(out[i]) < path.Base(out[j]) })
	return out
}

// splitUnitName splits foo@bar.service into foo, bar and true; a name
// without @ is not a template or instance.
func splitUnitName(name string) (prefix, instance string, ok bool) {
	stem := strings.TrimSuffix(name, path.Ext(name))
	prefix, instance, ok = strings.Cut(stem, "@")
	return prefix, instance, ok
}

// scanUnitDirs lists UnitDirs, unrecorded (see above).
func (c *collector) scanUnitDirs() unitScan {
	s := unitScan{units: map[string]*unitSource{}, dropins: map[string][]string{}, links: map[string][]unitLink{}}
	seenDirs := map[string]bool{}
	dropinNames := map[string]map[string]bool{}
	for _, dir := range UnitDirs {
		resolved, err := c.fs.t.resolve(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				c.note(dir, "%s: the units in it are unknown", describeErr(err))
			}
			continue
		}
		if seenDirs[resolved] {
			continue
		}
		seenDirs[resolved] = true
		entries, err := c.fs.readDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				c.note(dir, "%s: the units in it are unknown", describeErr(err))
			}
			continue
		}
		for _, e := range entries {
			name, p := e.Name(), dir+"/"+e.Name()
			switch {
			case strings.HasSuffix(name, ".service"):
				if _, taken := s.units[name]; !taken {
					s.units[name] = &unitSource{name: name, file: p, masked: c.unitMasked(p)}
				}
			case strings.HasSuffix(name, ".service.d"):
				unit := strings.TrimSuffix(name, ".d")
				confs, err := c.fs.readDir(p)
				if err != nil {
					if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
						c.note(p, "%s: the units in it are unknown", describeErr(err))
					}
					continue
				}
				if dropinNames[unit] == nil {
					dropinNames[unit] = map[string]bool{}
				}
				for _, f := range confs {
					if strings.HasSuffix(f.Name(), ".conf") && !dropinNames[unit][f.Name()] {
						dropinNames[unit][f.Name()] = true
						s.dropins[unit] = append(s.dropins[unit], p+"/"+f.Name())
					}
				}
			case strings.HasSuffix(name, ".wants"), strings.HasSuffix(name, ".requires"):
				ext := path.Ext(name)
				links, err := c.fs.readDir(p)
				if err != nil {
					if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
						c.note(p, "%s: the units in it are unknown", describeErr(err))
					}
					continue
				}
				for _, l := range links {
					if strings.HasSuffix(l.Name(), ".service") {
						s.links[l.Name()] = append(s.links[l.Name()], unitLink{file: p + "/" + l.Name(), target: strings.TrimSuffix(name, ext), wants: ext == ".wants"})
					}
				}
			}
		}
	}
	for unit := range s.dropins {
		sort.Slice(s.dropins[unit], func(i, j int) bool { return path.Base(s.dropins[unit][i]) < path.Base(s.dropins[unit][j]) })
	}
	return s
}

// unitMasked reports whether a unit file is masked: a link to /dev/null,
// or an empty file (systemd.unit(5)).
func (c *collector) unitMasked(p string) bool {
	if target, err := c.fs.t.readlink(p); err == nil && path.Clean(target) == "/dev/null" {
		return true
	}
	info, err := c.fs.t.stat(p)
	return err == nil && info.Mode().IsRegular() && info.Size() == 0
}

// unitSettings are the settings of a unit that matter here, as
// assignments accumulate them (an empty assignment resets a list).
type unitSettings struct {
	files                             []string
	before, after, execStart, execAll []string
}

// loadUnit reads a unit file and its drop-ins, in that order. A file that
// cannot be read is noted (and recorded, so a snapshot says it could not
// capture it); one that no longer exists (a dangling link) is skipped.
func (c *collector) loadUnit(file string, dropins []string) unitSettings {
	var u unitSettings
	var pre, start, post []string
	for _, f := range append([]string{file}, dropins...) {
		if f == "" {
			continue
		}
		data, err := c.fs.t.readFile(f)
		if err == nil && len(data) > unitScanFile {
			err = ErrTooLarge
		}
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !c.unitNoted[f] {
				if c.unitNoted == nil {
					c.unitNoted = map[string]bool{}
				}
				c.unitNoted[f] = true
				c.fs.Record(f, AccessRead)
				c.note(f, "%s: whether it prepares GPUs at boot is unknown", describeErr(err))
			}
			continue
		}
		if bytes.IndexByte(data, 0) >= 0 {
			continue
		}
		u.files = append(u.files, f)
		for _, a := range ParseUnitFile(data) {
			switch {
			case a.Section == "Unit" && a.Key == "Before":
				u.before = appendList(u.before, a.Value)
			case a.Section == "Unit" && a.Key == "After":
				u.after = appendList(u.after, a.Value)
			case a.Section == "Service" && a.Key == "ExecStartPre":
				pre = appendCommand(pre, a.Value)
			case a.Section == "Service" && a.Key == "ExecStart":
				start = appendCommand(start, a.Value)
			case a.Section == "Service" && a.Key == "ExecStartPost":
				post = appendCommand(post, a.Value)
			}
		}
	}
	u.execStart = start
	u.execAll = append(append(append([]string(nil), pre...), start...), post...)
	return u
}

// appendList adds a space-separated list setting's words; an empty
// assignment resets the list (systemd.unit(5)).
func appendList(list []string, value string) []string {
	words := strings.Fields(value)
	if len(words) == 0 {
		return nil
	}
	for _, w := range words {
		list = appendNew(list, w)
	}
	return list
}

// appendCommand adds an Exec*= command line; an empty assignment resets
// the list (systemd.service(5)).
func appendCommand(list []string, value string) []string {
	if value == "" {
		return nil
	}
	return append(list, value)
}

// expand returns the settings with the unit's specifiers expanded
// (systemd.unit(5), "Specifiers"): %i, %I, %p, %P, %n, %N and %%. When
// expanding is false (a template nothing instantiates) they are left as
// written.
func (u unitSettings) expand(name string, expanding bool) unitSettings {
	if !expanding {
		return u
	}
	x := func(list []string) []string {
		if list == nil {
			return nil
		}
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = ExpandUnitSpecifiers(s, name)
		}
		return out
	}
	return unitSettings{files: u.files, before: x(u.before), after: x(u.after), execStart: x(u.execStart), execAll: x(u.execAll)}
}

// ExpandUnitSpecifiers expands %i (the instance), %I (it unescaped), %p
// (the prefix), %P (it unescaped), %n (the full name), %N (it without
// the type suffix) and %% in a setting of the unit named name; other
// specifiers are left as written.
func ExpandUnitSpecifiers(s, name string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	stem := strings.TrimSuffix(name, path.Ext(name))
	prefix, instance, _ := strings.Cut(stem, "@")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'i':
			b.WriteString(instance)
		case 'I':
			b.WriteString(unescapeUnitName(instance))
		case 'p':
			b.WriteString(prefix)
		case 'P':
			b.WriteString(unescapeUnitName(prefix))
		case 'n':
			b.WriteString(name)
		case 'N':
			b.WriteString(stem)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unescapeUnitName undoes systemd-escape: "-" is "/", \xNN a byte.
func unescapeUnitName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '-':
			b.WriteByte('/')
		case s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x':
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// runsBootCommand reports whether one of a unit's commands prepares GPUs
// for virtualization: runs NVIDIA's sriov-manage, writes sriov_numvfs or
// current_vgpu_type (a redirection or tee), or runs "mdevctl start" or
// "mdevctl define".
func runsBootCommand(commands []string) bool {
	for _, cmd := range commands {
		if strings.Contains(cmd, "sriov-manage") {
			return true
		}
		writes := strings.Contains(cmd, ">") || strings.Contains(cmd, "tee ")
		if writes && (strings.Contains(cmd, "sriov_numvfs") || strings.Contains(cmd, "current_vgpu_type")) {
			return true
		}
		words := strings.FieldsFunc(cmd, func(r rune) bool {
			return r == ' ' || r == '\t' || r == '"' || r == '\'' || r == ';' || r == '&' || r == '|'
		})
		for i := 0; i+1 < len(words); i++ {
			if path.Base(strings.TrimLeft(words[i], "-@+!:")) == "mdevctl" && (words[i+1] == "start" || words[i+1] == "define") {
				return true
			}
		}
	}
	return false
}

// UnitAssignment is one KEY=VALUE of a unit file, in the section it is in.
type UnitAssignment struct {
	Section, Key, Value string
	// Line is the line the assignment starts on, from 1.
	Line int
}

// ParseUnitFile reads a unit file or drop-in as systemd does
// (systemd.syntax(7)): "[Section]" headers; empty lines and lines starting
// with "#" or ";" ignored, also inside a continued line; a line ending in
// a backslash continued on the next, the backslash read as a space;
// KEY=VALUE with the white space around both trimmed. What systemd ignores
// with a warning (an assignment before any section, a line that is no
// assignment) is left out.
func ParseUnitFile(data []byte) []UnitAssignment {
	var out []UnitAssignment
	section := ""
	var cont strings.Builder
	continuing, startLine := false, 0
	lines := strings.Split(string(data), "\n")
	flush := func(line string, n int) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			if strings.HasSuffix(line, "]") {
				section = line[1 : len(line)-1]
			} else {
				section = "" // an invalid header: what follows is ignored
			}
			return
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || section == "" || key == "" {
			return
		}
		out = append(out, UnitAssignment{Section: section, Key: key, Value: strings.TrimSpace(value), Line: n})
	}
	for i, raw := range lines {
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") || (!continuing && trimmed == "") {
			continue
		}
		if !continuing {
			startLine = i + 1
		}
		if body, ok := strings.CutSuffix(strings.TrimRight(raw, " \t\r"), `\`); ok {
			cont.WriteString(body)
			cont.WriteByte(' ')
			continuing = true
			continue
		}
		cont.WriteString(raw)
		flush(cont.String(), startLine)
		cont.Reset()
		continuing = false
	}
	if continuing {
		flush(cont.String(), startLine)
	}
	return out
}
