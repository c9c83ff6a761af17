package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gpupass/gpupass/internal/redact"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/report"
)

// maxQuoted bounds a value quoted in a message ("…" marks the cut), so
// that a message is never as big as what it is about.
const maxQuoted = 200

func optionSubject(opt novaconf.Option) report.Subject {
	return report.Subject{Kind: "option", Ref: opt.String()}
}

func fileSubject(path string) report.Subject { return report.Subject{Kind: "file", Ref: path} }

// ConfSyntax is GP301.
var ConfSyntax = &Check{
	ID: "GP301", Name: "conf-syntax", Severity: report.Error, Needs: []Input{NeedNovaConf}, PerFile: true,
	Doc: Doc{
		Summary: "Every nova.conf line is one oslo.config reads as its author meant (file:line for each that is not).",
		Why:     "oslo.config refuses a file with a line it cannot parse — nova-compute then does not start — and silently misreads others: there are no inline comments (\"kvm # default\" is the value), a blank line ends a multi-line JSON value, a byte-order mark or one non-UTF-8 byte breaks the whole file, and [Default] is not [DEFAULT].",
		Fix:     "Edit the line the finding names; multi-line values continue on lines indented by a space or a tab, with no blank line inside.",
		Links:   []string{"https://docs.openstack.org/oslo.config/latest/configuration/format.html"},
	},
	Run: runConfSyntax,
}

// runConfSyntax is GP301's Run. A problem that recurs on many lines of a
// file (the same option set a million times, the same inline comment on
// every line) is one finding at its first line: its evidence counts the
// lines ("occurrences") and lists the first of them ("lines"), and its
// message says so. novaconf folds them as it parses, so a hostile file
// costs neither memory nor report.
func runConfSyntax(p *Pass) error {
	for _, c := range p.confs() {
		for _, pr := range c.Problems {
			sev := report.Warning
			if pr.Severity == novaconf.SeverityError {
				sev = report.Error
			}
			remedy := confProblemRemedy(pr)
			evidence := map[string]any{"code": pr.Code, "conf": c.Role}
			msg := pr.Message + quoteLine(pr.Line)
			if pr.Count > 1 {
				lines := append([]int{pr.Source.Line}, pr.Repeats...)
				evidence["occurrences"] = pr.Count
				evidence["lines"] = lines
				if pr.Code != novaconf.CodeRepeatedKey { // its message names the lines
					msg += " " + recurrence(pr.Count, pr.Repeats)
				}
			}
			p.Report(report.Finding{
				Severity:    sev,
				Subject:     fileSubject(pr.Source.File),
				Source:      sourceString(pr.Source),
				Message:     msg,
				Remediation: remedy,
				Evidence:    evidence,
			})
		}
	}
	return nil
}

// recurrence says on which other lines a problem recurs: "The same on 3
// more lines: 7, 9, 12." or "The same on 999,998 more lines: 3, 4, ...
// (the first 10)."
func recurrence(count int, repeats []int) string {
	more := count - 1
	shown := make([]string, len(repeats))
	for i, l := range repeats {
		shown[i] = fmt.Sprint(l)
	}
	list := strings.Join(shown, ", ")
	if more > len(repeats) {
		list += ", …"
	}
	if list == "" {
		return fmt.Sprintf("The same on %s more lines of this file.", groupDigits(more))
	}
	if more == 1 {
		return fmt.Sprintf("The same on 1 more line of this file: %s.", list)
	}
	return fmt.Sprintf("The same on %s more lines of this file: %s.", groupDigits(more), list)
}

// groupDigits writes n with thousands separated by commas (999,998).
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func sourceString(s novaconf.Source) string {
	if s.File == "" {
		return ""
	}
	return s.String()
}

func quoteLine(line string) string {
	if line == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", line)
}

// confProblemRemedy says how to mend a syntax problem, by its code.
func confProblemRemedy(pr novaconf.Problem) string {
	switch pr.Code {
	case novaconf.CodeNoDelimiter, novaconf.CodeEmptyKey:
		return "Write it as \"name = value\"; if it continues the previous value, indent it with a space."
	case novaconf.CodeContinuation:
		return "An indented line continues the value above it; here there is none (a blank line or a comment ends a value). Remove the indentation, or join it to the value it belongs to without a blank line."
	case novaconf.CodeSectionEnd, novaconf.CodeSectionEmpty:
		return "Write the section header alone on its line, as [name]."
	case novaconf.CodeNoSection:
		return "Put the option under its section header, for example [DEFAULT]."
	case novaconf.CodeBOM:
		return "Remove the byte-order mark: sed -i '1s/^\\xEF\\xBB\\xBF//' FILE (oslo.config does not skip it)."
	case novaconf.CodeInvalidUTF8:
		return "Save the file as UTF-8: nova decodes the whole file and refuses it at the first other byte, even in a comment (iconv -f latin1 -t utf-8)."
	case novaconf.CodeMissingFile, novaconf.CodeMissingDir:
		return "Check the path: nova-compute reads the same files, and does not start without them."
	case novaconf.CodeUnreadable:
		if strings.HasPrefix(pr.Message, "permission denied") {
			// A file named on the command line (the deployment's own
			// are Unreadable, not Problems).
			return "Run gpupass as root, or as a user that may read the file: nova-compute, as its own user, may well read it."
		}
		// A directory, a FIFO or a device where the file should be.
		return "Put the regular file nova-compute should read at this path: oslo.config fails on a directory and waits for ever on a FIFO."
	case novaconf.CodeInlineComment, novaconf.CodeIndentedComment:
		return "oslo.config has no inline comments: move the comment to a line of its own starting with #."
	case novaconf.CodeDefaultCase:
		return "Write the section as [DEFAULT], in capitals: nova never reads [Default]."
	case novaconf.CodeRepeatedKey:
		return "Only the last value counts for this option: remove the others."
	case novaconf.CodeSubstitution, novaconf.CodeSubstitutionErr:
		return "Write $$ for each \"$\" meant literally; keep $name only to insert the value of option name (in the same group or [DEFAULT]; $group.name for another group)."
	case novaconf.CodeTooLarge:
		return "Check that this is the nova.conf meant (a real one is well under 1 MiB): remove what does not belong in it, or pass the right file."
	}
	return "Rewrite the line so oslo.config reads what was meant."
}

// DeprecatedOption is GP303.
var DeprecatedOption = &Check{
	ID: "GP303", Name: "deprecated-option", Severity: report.Warning, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "No PCI option is set under a deprecated or removed name (passthrough_whitelist, [DEFAULT]pci_passthrough_whitelist, [DEFAULT]pci_alias, scheduler_default_filters).",
		Why:     "Zed renamed [pci]passthrough_whitelist to [pci]device_spec; the old names still work but log deprecation warnings and will be removed. Names already removed (scheduler_default_filters, dropped in Xena) are ignored without a word, so the setting silently has no effect.",
		Fix:     "Rename the option to its current name and section.",
		Links:   []string{"https://docs.openstack.org/nova/latest/configuration/config.html#pci"},
	},
	Run: runDeprecatedOption,
}

// runDeprecatedOption is GP303's Run.
func runDeprecatedOption(p *Pass) error {
	for _, c := range p.confs() {
		for _, opt := range []novaconf.Option{novaconf.OptDeviceSpec, novaconf.OptAlias} {
			for _, v := range c.Lookup(opt) {
				if !v.Deprecated {
					continue
				}
				p.Report(report.Finding{
					Subject:     optionSubject(opt),
					Source:      v.Source.String(),
					Message:     fmt.Sprintf("[%s]%s is a deprecated name of %s: nova still reads it, with a deprecation warning, until it is removed.", v.Group, v.Name, opt),
					Remediation: fmt.Sprintf("Rename it: put the value under [%s] as %s = ...", opt.Group, opt.Name),
					Evidence:    map[string]any{"name": fmt.Sprintf("[%s]%s", v.Group, v.Name), "current": opt.String()},
				})
			}
		}
		for _, opt := range novaconf.Options {
			for _, removed := range opt.Removed {
				for _, v := range c.Config.Values() {
					if v.Group == removed.Group && v.Name == removed.Name.Name {
						p.Report(report.Finding{
							Subject:     optionSubject(opt),
							Source:      v.Source.String(),
							Message:     fmt.Sprintf("%s was last read by %s: this nova ignores it, so the setting has no effect.", removed.Name, removed.Until),
							Remediation: fmt.Sprintf("Move the value to %s.", opt),
							Evidence:    map[string]any{"name": removed.Name.String(), "current": opt.String()},
						})
					}
				}
			}
		}
	}
	return nil
}

// pciFilter is the scheduler filter that places PCI requests.
const pciFilter = "PciPassthroughFilter"

// SchedulerFilter is GP310.
var SchedulerFilter = &Check{
	ID: "GP310", Name: "scheduler-filter", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "[filter_scheduler]enabled_filters includes PciPassthroughFilter on the scheduler's nova.conf.",
		Why:     "Without PciPassthroughFilter the scheduler ignores a flavor's PCI request when it picks a host: the instance lands on a host without a free GPU and fails there (or, with PCI in Placement off, everywhere). Nova's default filter list does not include it.",
		Fix:     "Add PciPassthroughFilter to enabled_filters on the nodes that run nova-scheduler, keeping the filters already there.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html#configure-nova-scheduler"},
	},
	Run: runSchedulerFilter,
}

// runSchedulerFilter is GP310's Run.
func runSchedulerFilter(p *Pass) error {
	c := p.Inputs.APIConf
	if c == nil {
		c = p.Inputs.NovaConf
	}
	opt := novaconf.OptEnabledFilters
	values := c.Lookup(opt)
	if len(values) == 0 {
		if c.Role == "compute" {
			p.Skipf("enabled_filters is not set in the compute node's nova.conf: the scheduler's nova.conf decides (pass --api-conf, or run gpupass lint on it)")
			return nil
		}
		defaults := novaconf.ParseList(opt.Default)
		// A file linted alone may be a compute node's, which has no
		// say: only the API node's configuration must set it.
		severity := report.Error
		if c.Role == "lint" {
			severity = report.Info
		}
		p.Report(report.Finding{
			Severity:    severity,
			Subject:     optionSubject(opt),
			Message:     fmt.Sprintf("%s is not set: where this is the scheduler's nova.conf, it uses Nova's default filters (%s), which do not include %s.", opt, strings.Join(defaults, ", "), pciFilter),
			Remediation: fmt.Sprintf("Set in [filter_scheduler]: enabled_filters = %s", strings.Join(append(defaults, pciFilter), ", ")),
			Evidence:    map[string]any{"enabled_filters": defaults},
		})
		return nil
	}
	v := values[0]
	filters := novaconf.ParseList(v.Redacted())
	for _, f := range filters {
		if f == pciFilter {
			return nil
		}
	}
	p.Report(report.Finding{
		Subject:     optionSubject(opt),
		Source:      v.Source.String(),
		Message:     fmt.Sprintf("%s lacks %s: the scheduler ignores PCI requests when it picks a host.", opt, pciFilter),
		Remediation: fmt.Sprintf("Append it: enabled_filters = %s", strings.Join(append(filters, pciFilter), ", ")),
		Evidence:    map[string]any{"enabled_filters": filters},
	})
	return nil
}

// VirtType is GP313.
var VirtType = &Check{
	ID: "GP313", Name: "virt-type", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "[libvirt]virt_type is kvm (the default).",
		Why:     "PCI passthrough needs hardware virtualization: with virt_type = qemu guests run under TCG emulation, where VFIO device assignment is not supported, and with lxc or parallels there is no PCI assignment at all.",
		Fix:     "Set [libvirt]virt_type = kvm (or remove the line) on GPU compute nodes.",
		Links:   []string{"https://docs.openstack.org/nova/latest/admin/configuration/hypervisor-kvm.html"},
	},
	Run: runVirtType,
}

// runVirtType is GP313's Run.
func runVirtType(p *Pass) error {
	if p.Inputs.NovaConf.Role == "api" {
		p.Skipf("not a compute node's configuration")
		return nil
	}
	opt := novaconf.OptVirtType
	values := p.Inputs.NovaConf.Lookup(opt)
	if len(values) == 0 || values[0].Text == "kvm" {
		return nil
	}
	v := values[0]
	shown := redact.Clip(v.Redacted(), maxQuoted)
	msg := fmt.Sprintf("[libvirt]virt_type is %q: guests on this node cannot be given a PCI device.", shown)
	if !contains(opt.Choices, v.Text) {
		msg = fmt.Sprintf("[libvirt]virt_type is %q, which is not one of %s: nova-compute refuses to start.", shown, strings.Join(opt.Choices, ", "))
	}
	p.Report(report.Finding{
		Subject:     optionSubject(opt),
		Source:      v.Source.String(),
		Message:     msg,
		Remediation: "Set [libvirt]virt_type = kvm (the default) and make sure /dev/kvm exists (GP101).",
		Evidence:    map[string]any{"virt_type": shown},
	})
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SecretsExposed is GP314.
var SecretsExposed = &Check{
	ID: "GP314", Name: "secrets-exposed", Severity: report.Error, Needs: []Input{NeedNovaConf},
	Doc: Doc{
		Summary: "No nova.conf that holds passwords is readable by other users.",
		Why:     "nova.conf holds the message queue and database credentials and service passwords: any local user who reads them can act as nova on the whole cloud. Packages install it 0640 root:nova; copies and templating tools often leave it 0644.",
		Fix:     "chmod 0640 the file and chown it root:nova (or the group the nova services run as).",
		Links:   []string{"https://docs.openstack.org/security-guide/compute/checklist.html"},
	},
	Run: runSecretsExposed,
}

// runSecretsExposed is GP314's Run.
func runSecretsExposed(p *Pass) error {
	checked := 0
	for _, c := range p.confs() {
		// --api-conf is a copy on this machine: the API node's own
		// file's permissions are not known here.
		if c.Role == "api" {
			continue
		}
		// Each secret option once per file, however often it is set.
		byFile := map[string][]string{}
		seen := map[string]bool{}
		for _, file := range c.Config.Parsed() {
			for _, v := range file.Values {
				if !v.HoldsSecret() {
					continue
				}
				name := fmt.Sprintf("[%s]%s", v.Group, v.Name)
				if key := v.Source.File + "\x00" + name; !seen[key] {
					seen[key] = true
					byFile[v.Source.File] = append(byFile[v.Source.File], name)
				}
			}
		}
		for _, f := range c.Files {
			if f.Mode == 0 {
				continue
			}
			checked++
			secrets := byFile[f.Path]
			if len(secrets) == 0 || f.Mode&0o004 == 0 {
				continue
			}
			sort.Strings(secrets)
			p.Report(report.Finding{
				Subject:     fileSubject(f.Path),
				Message:     fmt.Sprintf("%s holds secrets (%s) and every user on the host can read it (mode %04o).", f.Path, strings.Join(secrets, ", "), f.Mode.Perm()),
				Remediation: fmt.Sprintf("chmod 0640 %s && chown root:nova %s", f.Path, f.Path),
				Evidence:    map[string]any{"mode": fmt.Sprintf("%04o", f.Mode.Perm()), "secret_options": secrets},
			})
		}
	}
	if checked == 0 {
		p.Skipf("the files' permissions could not be read")
	}
	return nil
}

// confs are the configurations a check looks at: the node's (or the
// linted) nova.conf, then --api-conf's.
func (p *Pass) confs() []*novaconf.Set {
	var out []*novaconf.Set
	for _, c := range []*novaconf.Set{p.Inputs.NovaConf, p.Inputs.APIConf} {
		if c != nil && c.Config != nil {
			out = append(out, c)
		}
	}
	return out
}
