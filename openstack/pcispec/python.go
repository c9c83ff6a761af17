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
// deeper than the interpreter's recursion limit (1000) allows, less the
// frames already on the stack. These are the depths at which Nova Zed
// fails under the oracle (testdata/novaconf/oracle.py); nova-compute's
// own, deeper stack may fail a few levels earlier.
const (
	pyJSONMaxDepthDeviceSpec = 988
	pyJSONMaxDepthAlias      = 989
)

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
