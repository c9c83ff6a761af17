package pcispec

import (
	"github.com/gpupass/gpupass/internal/pysem"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// pythonOf is the Python that runs release rel of Nova, whose int(),
// json.loads and re decide what an option's text means (see
// pysem.ForNova).
func pythonOf(rel novarelease.Release) pysem.Version { return pysem.ForNova(rel.Major) }

// Python's JSON scanner fails with RecursionError when containers nest
// deeper than the interpreter allows, less the frames already on the
// stack. These are the depths at which Nova Zed fails under the oracle
// (testdata/novaconf/oracle.py); nova-compute's own, deeper stack may fail
// a few levels earlier.
const (
	pyJSONMaxDepthDeviceSpec = 988
	pyJSONMaxDepthAlias      = 989
)

// jsonMaxDepth is the nesting at which json.loads fails under Nova running
// on Python py, from Zed's depth (base, one of the above). Python 3.11
// counts the decoder's C recursion against the interpreter's limit of
// 1,000; 3.13 against a separate C limit of 10,000; 3.14 bounds it by the
// C stack. Measured through nova.pci.whitelist.Whitelist as the oracle
// calls it: a list nested 990 deep is the first to fail under Zed, 9,999
// under 2025.1 (Python 3.13.5), 30,962 under 2026.2 (Python 3.14.10, whose
// message is then "Stack overflow (used N kB) while decoding a JSON array
// from a unicode string", N depending on the stack: gpupass words it as
// 3.13 does).
func jsonMaxDepth(py pysem.Version, base int) int {
	switch {
	case py >= pysem.Py314:
		return base + 30962 - 990
	case py >= pysem.Py313:
		return base + 9999 - 990
	}
	return base
}

// deepcopyMaxDepth is the container nesting (the spec dict included) at
// which copy.deepcopy(dev_spec), the first thing PciDeviceSpec does, fails
// with RecursionError under the oracle: Python's own recursion limit, one
// level deeper in 3.14.
func deepcopyMaxDepth(py pysem.Version) int {
	if py >= pysem.Py314 {
		return 496
	}
	return 495
}

// recursionMessage is str() of the RecursionError Python raises when
// Python code recurses too deep: 3.12 and later drop "while calling a
// Python object".
func recursionMessage(py pysem.Version) string {
	if py >= pysem.Py313 {
		return "maximum recursion depth exceeded"
	}
	return "maximum recursion depth exceeded while calling a Python object"
}

// hexVal is the value of an ASCII hex digit, or -1.
func hexVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}
