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
//     Python's re module compiles and evaluates every one with
//     internal/pysem's matcher, which follows Python's; only a pattern that
//     needs more backtracking than pysem.MatchBudget allows on an address
//     field is left unevaluated, with a warning.
//
// Every error is a *NovaError whose message is the one Nova logs when it
// refuses the configuration (str() of the Python exception), and whose
// Exception field names the Python exception class.
//
// The Python behaviour (internal/pysem) is that of the Python that runs
// the release (pythonOf): 3.11 for Zed to 2023.2, 3.13 from 2024.1, 3.14
// from 2026.2.
package pcispec
