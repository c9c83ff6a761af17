// Package pcispec is Nova's grammar for [pci]device_spec, [pci]alias and
// the flavor extra specs pci_passthrough:alias and
// hw:pci_numa_affinity_policy, release by release, and Nova's matching of
// device specs and aliases against the PCI devices of a host.
//
// The reference is Nova's own code (nova/pci/devspec.py, whitelist.py,
// request.py, utils.py, nova/api/validation/extra_specs/ and the libvirt
// driver's device classification). gpupass agrees with it on what is
// accepted and what is rejected, including the quirks Nova inherits from
// Python:
//
//   - The JSON is read by Python's json module (via oslo.serialization):
//     duplicate keys are accepted and the last value wins, NaN, Infinity
//     and -Infinity are numbers, integers are unbounded (up to Python's
//     4300-digit conversion limit), and the top level may be any value.
//   - Hex fields are read with Python's int(x, 16), which accepts "0x10de",
//     "+10de", "10_de", surrounding white space and non-ASCII decimal digits
//     ("١٠de"); gpupass accepts what Nova accepts and warns about forms
//     that are not plain hex.
//   - Address regexes are Python regexes applied with re.match (anchored at
//     the start, not at the end). gpupass accepts exactly the patterns
//     Python's re module compiles and evaluates them with Go's regexp
//     where that gives Python's answer; a pattern that needs Python-only
//     features (backreferences, lookarounds, conditionals, atomic groups,
//     possessive quantifiers) is accepted with a warning that gpupass
//     cannot evaluate it.
//
// Every error is a *NovaError whose message is the one Nova logs when it
// refuses the configuration (str() of the Python exception), and whose
// Exception field names the Python exception class.
//
// The Python behaviour is that of Python 3.11 (Debian bookworm, which
// packages Nova Zed); the Unicode tables come from it (pyunicode_tables.go,
// Unicode 14.0.0).
package pcispec
