package hostinfo

import "github.com/gpupass/gpupass/internal/redact"

// The values hostinfo records are what reports, generate and drift show:
// credentials in them are hidden where they are recorded, by what they
// are (see package redact). No check reads a parameter that holds one:
// the IOMMU, vfio and blacklist parameters hold none, and redaction leaves
// every other parameter as it was.

// recordedCmdline is the kernel command line as recorded: credentials
// hidden (inst.ks=http://admin:***@host/ks.cfg, rd.iscsi.password=***).
func recordedCmdline(cmdline string) string { return redact.Cmdline(cmdline) }

// recordedDirectives are modprobe.d directives as recorded: URL
// credentials and "password=" style module options hidden in their
// arguments (options foo password=***, install foo curl http://u:***@h).
func recordedDirectives(directives []Directive) []Directive {
	for i := range directives {
		directives[i].Args = redact.Args(directives[i].Args)
	}
	return directives
}
